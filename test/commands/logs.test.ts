/** What `kafka-setup logs` prints from what the host found (FakeHost), through the real reporter. */

import { describe, expect, it } from 'vitest';
import type { Reached } from '../../src/commands/each-member.js';
import { showClusterLogs, showLogs } from '../../src/commands/logs.js';
import { InterruptedError, UserError } from '../../src/errors.js';
import { BROKER, EVERY_KIND as DAEMONS, KRAFT_NODE, ZOOKEEPER } from '../../src/kafka/daemons.js';
import { type KafkaMode, KRAFT_MODE, ZOOKEEPER_MODE } from '../../src/kafka/mode.js';
import type { LogsOptions } from '../../src/options/logs-options.js';
import { CUT_MARKER } from '../../src/ui/log-line.js';
import { FakeHost, type FakeHostState, freshDebian, INSTALL } from '../host/fake-host.js';
import { captureReporter } from '../support/capture-reporter.js';

/** Runs showLogs as the logs command does (human output off: stdout holds the log alone). */
async function show(
  state: Partial<FakeHostState>,
  o: { mode?: KafkaMode; daemons?: typeof DAEMONS; lines?: number; follow?: boolean } = {},
) {
  const { reporter, out, err } = captureReporter({ quiet: true });
  const host = new FakeHost(freshDebian({ install: 'kafka', ...state }));
  const error = await showLogs(
    host,
    { mode: o.mode ?? ZOOKEEPER_MODE, daemons: o.daemons ?? DAEMONS, lines: o.lines ?? 50, follow: o.follow ?? false },
    reporter,
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { out: out(), err: err(), error, host };
}

const LOGS = { zookeeper: ['z1', 'z2', 'z3'], broker: ['b1', 'b2', 'b3'] };

describe('kafka-setup logs, printed', () => {
  it('one log: its last N lines as they are, nothing else (like tail), in one remote command', async () => {
    const r = await show({ logs: LOGS }, { daemons: [BROKER], lines: 2 });
    expect(r.out).toBe('b2\nb3\n');
    expect(r.err).toBe('');
    expect(r.host.ran).toEqual([{ name: 'logs', lines: 2, follow: false }]);
  });

  it("both: a block per log, headed by the daemon and the file, like tail's headers; an empty log is headed too", async () => {
    expect((await show({ logs: LOGS }, { lines: 2 })).out).toBe(
      [
        `==> ZooKeeper: ${INSTALL}/logs/zookeeper.out <==`,
        'z2',
        'z3',
        '',
        `==> broker: ${INSTALL}/logs/kafkaServer.out <==`,
        'b2',
        'b3',
        '',
      ].join('\n'),
    );
    expect((await show({ logs: { zookeeper: ['z'], broker: [] } })).out).toBe(
      `==> ZooKeeper: ${INSTALL}/logs/zookeeper.out <==\nz\n\n==> broker: ${INSTALL}/logs/kafkaServer.out <==\n`,
    );
    expect((await show({ logs: { zookeeper: [], broker: ['b'] } })).out).toBe(
      `==> ZooKeeper: ${INSTALL}/logs/zookeeper.out <==\n\n==> broker: ${INSTALL}/logs/kafkaServer.out <==\nb\n`,
    );
  });

  it('following both: each line prefixed with its daemon, aligned', async () => {
    const r = await show({ logs: LOGS }, { lines: 1, follow: true });
    expect(r.out).toBe('zookeeper | z3\nbroker    | b3\n');
    // The fake's tail ends by itself, which a real one does only when someone stops it on the host.
    expect(r.err).toBe('warning: following the logs ended on fake\n');
  });

  it('hostile lines: escapes shown escaped, tabs as spaces, long lines cut with a marker', async () => {
    const r = await show(
      { logs: { broker: ['x \u001b]52;c;ZWNobw==\u0007 \u001b[2J\rover', '\tat kafka.Kafka', 'é'.repeat(2100)] } },
      { daemons: [BROKER] },
    );
    expect(r.out.split('\n')).toEqual([
      'x \\x1b]52;c;ZWNobw==\\x07 \\x1b[2J\\x0dover',
      '        at kafka.Kafka',
      `${'é'.repeat(2000)}${CUT_MARKER}`,
      '',
    ]);
  });

  it('a log that is not there: the error with what to do when it is the only one, a warning beside another', async () => {
    const one = await show({ logs: { zookeeper: ['z'] } }, { daemons: [BROKER] });
    expect(one.error).toBeInstanceOf(UserError);
    expect((one.error as UserError).message).toBe(`the broker has not been started on this host yet (no ${INSTALL}/logs/kafkaServer.out)`);
    expect((one.error as UserError).hint).toMatch(/^run kafka-setup init/);
    expect(one.out).toBe('');

    const both = await show({ logs: { zookeeper: ['z'] } });
    expect(both.error).toBeUndefined();
    expect(both.out).toBe(`==> ZooKeeper: ${INSTALL}/logs/zookeeper.out <==\nz\n`);
    expect(both.err).toBe(
      `warning: the broker has not been started on this host yet (no ${INSTALL}/logs/kafkaServer.out): run kafka-setup init, which starts ZooKeeper and the broker\n`,
    );

    const neither = await show({});
    expect((neither.error as UserError).message).toMatch(/^ZooKeeper has not been started on this host yet/);
    expect((neither.error as UserError).details).toEqual([
      `the broker has not been started on this host yet (no ${INSTALL}/logs/kafkaServer.out)`,
    ]);
  });

  it("KRaft: the one JVM's log (kafkaServer.out, as -daemon and the unit write it); not there, the hint names what init starts", async () => {
    const r = await show({ logs: { broker: ['k1', 'k2'] } }, { mode: KRAFT_MODE, daemons: KRAFT_MODE.daemons });
    expect(r.out).toBe('k1\nk2\n');
    expect(r.host.ran).toEqual([{ name: 'logs', lines: 50, follow: false }]);
    const none = await show({}, { mode: KRAFT_MODE, daemons: [KRAFT_NODE] });
    expect((none.error as UserError).message).toBe(
      `Kafka (broker and controller) has not been started on this host yet (no ${INSTALL}/logs/kafkaServer.out)`,
    );
    expect((none.error as UserError).hint).toBe('run kafka-setup init, which starts Kafka (broker and controller)');
  });

  it('no install: one error saying where kafka-setup looked and what to do', async () => {
    const r = await show({ install: 'absent', logs: LOGS });
    expect((r.error as UserError).message).toBe(`there is no Kafka install at ${INSTALL} on fake`);
    expect((r.error as UserError).hint).toMatch(/run kafka-setup init .*--install-dir/);
    expect((r.error as UserError).details).toEqual([]);
    expect(r.out).toBe('');
  });

  it("daemon order is the caller's", async () => {
    const r = await show({ logs: LOGS }, { daemons: [BROKER, ZOOKEEPER], lines: 1 });
    expect(r.out).toBe(`==> broker: ${INSTALL}/logs/kafkaServer.out <==\nb3\n\n==> ZooKeeper: ${INSTALL}/logs/zookeeper.out <==\nz3\n`);
  });
});

/** Members as withEachHost hands them over: a FakeHost each (named as its label), or why it was not reached. */
function members(states: Array<Partial<FakeHostState> | 'unreachable'>, o: { follow?: boolean; lines?: number } = {}) {
  const { reporter, out, err } = captureReporter({ quiet: true });
  const options = { mode: ZOOKEEPER_MODE, daemons: DAEMONS, lines: o.lines ?? 1, follow: o.follow ?? false } as LogsOptions;
  const io = {
    prompter: () => {
      throw new Error('no prompt');
    },
    signal: new AbortController().signal,
    env: {},
    verbose: false,
    debug: false,
  };
  const reached = states.map((s, i): Reached<LogsOptions> => {
    const label = `h${i + 1}`;
    const m = { label, io: { ...io, reporter: reporter.labelled(label) }, options };
    if (s === 'unreachable') return { ...m, failed: new UserError(`${label}:22 refused the connection`) };
    const host = new FakeHost(freshDebian({ install: 'kafka', ...s }));
    Object.defineProperty(host, 'name', { value: label });
    return { ...m, host };
  });
  return { reached, out, err };
}

describe('kafka-setup logs on a cluster profile: every member, each line marked with its host', () => {
  it("one host after another, in the profile's order, each block whole and every line marked", async () => {
    const c = members([{ logs: LOGS }, { logs: { zookeeper: ['y'], broker: ['c'] } }]);
    expect(await showClusterLogs(c.reached, new AbortController().signal)).toEqual([]);
    expect(c.out()).toBe(
      [
        `[h1] ==> ZooKeeper: ${INSTALL}/logs/zookeeper.out <==`,
        '[h1] z3',
        '[h1] ',
        `[h1] ==> broker: ${INSTALL}/logs/kafkaServer.out <==`,
        '[h1] b3',
        `[h2] ==> ZooKeeper: ${INSTALL}/logs/zookeeper.out <==`,
        '[h2] y',
        '[h2] ',
        `[h2] ==> broker: ${INSTALL}/logs/kafkaServer.out <==`,
        '[h2] c',
        '',
      ].join('\n'),
    );
    expect(c.err()).toBe('');
  });

  it('a host that cannot be reached, or has no log: its error marked with its label, the others still shown; the failed are returned', async () => {
    const c = members(['unreachable', { logs: LOGS }, { install: 'absent' }]);
    expect(await showClusterLogs(c.reached, new AbortController().signal)).toEqual(['h1', 'h3']);
    expect(c.out()).toContain('[h2] b3\n');
    expect(c.err()).toMatch(/^\[h1\] error: h1:22 refused the connection\n\[h1\] what to do: /);
    expect(c.err()).toContain(`[h3] error: there is no Kafka install at ${INSTALL} on h3\n`);
  });

  it('--follow: every host at once, each line marked with its host and its daemon; a host whose tail ends is said, marked', async () => {
    const c = members([{ logs: LOGS }, { logs: LOGS }, 'unreachable'], { follow: true });
    expect(await showClusterLogs(c.reached, new AbortController().signal)).toEqual(['h3']);
    const lines = c.out().split('\n').filter(Boolean);
    expect(lines.sort()).toEqual(['[h1] broker    | b3', '[h1] zookeeper | z3', '[h2] broker    | b3', '[h2] zookeeper | z3']);
    expect(c.err()).toContain('[h1] warning: following the logs ended on h1\n');
    expect(c.err()).toContain('[h3] error: h3:22 refused the connection\n');
  });

  it('--follow ended by Ctrl-C: no host counts as failed for it', async () => {
    const c = members([{ logs: LOGS }, { logs: LOGS }], { follow: true });
    const stop = new AbortController();
    for (const m of c.reached)
      m.host!.logs = () => {
        stop.abort();
        return Promise.reject(new InterruptedError());
      };
    expect(await showClusterLogs(c.reached, stop.signal)).toEqual([]);
    expect(c.err()).toBe('');
  });

  it('without --follow, Ctrl-C ends it all: the next hosts are not asked', async () => {
    const c = members([{ logs: LOGS }, { logs: LOGS }]);
    const stop = new AbortController();
    c.reached[0]!.host!.logs = () => {
      stop.abort();
      return Promise.reject(new InterruptedError());
    };
    await expect(showClusterLogs(c.reached, stop.signal)).rejects.toBeInstanceOf(InterruptedError);
    expect((c.reached[1]!.host as FakeHost).ran).toEqual([]);
  });
});
