/** What `kafka-setup logs` prints from what the host found (FakeHost), through the real reporter. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { BROKER, EVERY_KIND as DAEMONS, KRAFT_NODE, ZOOKEEPER } from '../../src/kafka/daemons.js';
import { KRAFT_MODE, ZOOKEEPER_MODE, type KafkaMode } from '../../src/kafka/mode.js';
import { showLogs } from '../../src/commands/logs.js';
import { CUT_MARKER } from '../../src/ui/log-line.js';
import { createReporter } from '../../src/ui/reporter.js';
import { FakeHost, freshDebian, INSTALL, type FakeHostState } from '../host/fake-host.js';

/** Runs showLogs as the logs command does (human output off: stdout holds the log alone). */
async function show(state: Partial<FakeHostState>, o: { mode?: KafkaMode; daemons?: typeof DAEMONS; lines?: number; follow?: boolean } = {}) {
  let out = '';
  let err = '';
  const o1 = new PassThrough();
  const e1 = new PassThrough();
  o1.on('data', (d: Buffer) => { out += d.toString(); });
  e1.on('data', (d: Buffer) => { err += d.toString(); });
  const reporter = createReporter({ tty: false, color: false, verbose: false, quiet: true, out: o1, err: e1 });
  const host = new FakeHost(freshDebian({ install: 'kafka', ...state }));
  const error = await showLogs(host, { mode: o.mode ?? ZOOKEEPER_MODE, daemons: o.daemons ?? DAEMONS, lines: o.lines ?? 50, follow: o.follow ?? false }, reporter).then(() => undefined, (e: unknown) => e);
  return { out, err, error, host };
}

const LOGS = { zookeeper: ['z1', 'z2', 'z3'], broker: ['b1', 'b2', 'b3'] };

describe('kafka-setup logs, printed', () => {
  it('one log: its last N lines as they are, nothing else (like tail), in one remote command', async () => {
    const r = await show({ logs: LOGS }, { daemons: [BROKER], lines: 2 });
    expect(r.out).toBe('b2\nb3\n');
    expect(r.err).toBe('');
    expect(r.host.ran).toEqual([{ name: 'logs', lines: 2, follow: false }]);
  });

  it('both: a block per log, headed by the daemon and the file, like tail\'s headers; an empty log is headed too', async () => {
    expect((await show({ logs: LOGS }, { lines: 2 })).out).toBe([
      `==> ZooKeeper: ${INSTALL}/logs/zookeeper.out <==`, 'z2', 'z3', '',
      `==> broker: ${INSTALL}/logs/kafkaServer.out <==`, 'b2', 'b3', '',
    ].join('\n'));
    expect((await show({ logs: { zookeeper: ['z'], broker: [] } })).out).toBe(`==> ZooKeeper: ${INSTALL}/logs/zookeeper.out <==\nz\n\n==> broker: ${INSTALL}/logs/kafkaServer.out <==\n`);
    expect((await show({ logs: { zookeeper: [], broker: ['b'] } })).out).toBe(`==> ZooKeeper: ${INSTALL}/logs/zookeeper.out <==\n\n==> broker: ${INSTALL}/logs/kafkaServer.out <==\nb\n`);
  });

  it('following both: each line prefixed with its daemon, aligned', async () => {
    const r = await show({ logs: LOGS }, { lines: 1, follow: true });
    expect(r.out).toBe('zookeeper | z3\nbroker    | b3\n');
    // The fake's tail ends by itself, which a real one does only when someone stops it on the host.
    expect(r.err).toBe('warning: following the logs ended on fake\n');
  });

  it('hostile lines: escapes shown escaped, tabs as spaces, long lines cut with a marker', async () => {
    const r = await show({ logs: { broker: ['x \u001b]52;c;ZWNobw==\u0007 \u001b[2J\rover', '\tat kafka.Kafka', 'é'.repeat(2100)] } }, { daemons: [BROKER] });
    expect(r.out.split('\n')).toEqual(['x \\x1b]52;c;ZWNobw==\\x07 \\x1b[2J\\x0dover', '        at kafka.Kafka', `${'é'.repeat(2000)}${CUT_MARKER}`, '']);
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
    expect(both.err).toBe(`warning: the broker has not been started on this host yet (no ${INSTALL}/logs/kafkaServer.out): run kafka-setup init, which starts ZooKeeper and the broker\n`);

    const neither = await show({});
    expect((neither.error as UserError).message).toMatch(/^ZooKeeper has not been started on this host yet/);
    expect((neither.error as UserError).details).toEqual([`the broker has not been started on this host yet (no ${INSTALL}/logs/kafkaServer.out)`]);
  });

  it('KRaft: the one JVM\'s log (kafkaServer.out, as -daemon and the unit write it); not there, the hint names what init starts', async () => {
    const r = await show({ logs: { broker: ['k1', 'k2'] } }, { mode: KRAFT_MODE, daemons: KRAFT_MODE.daemons });
    expect(r.out).toBe('k1\nk2\n');
    expect(r.host.ran).toEqual([{ name: 'logs', lines: 50, follow: false }]);
    const none = await show({}, { mode: KRAFT_MODE, daemons: [KRAFT_NODE] });
    expect((none.error as UserError).message).toBe(`Kafka (broker and controller) has not been started on this host yet (no ${INSTALL}/logs/kafkaServer.out)`);
    expect((none.error as UserError).hint).toBe('run kafka-setup init, which starts Kafka (broker and controller)');
  });

  it('no install: one error saying where kafka-setup looked and what to do', async () => {
    const r = await show({ install: 'absent', logs: LOGS });
    expect((r.error as UserError).message).toBe(`there is no Kafka install at ${INSTALL} on fake`);
    expect((r.error as UserError).hint).toMatch(/run kafka-setup init .*--install-dir/);
    expect((r.error as UserError).details).toEqual([]);
    expect(r.out).toBe('');
  });

  it('daemon order is the caller\'s', async () => {
    const r = await show({ logs: LOGS }, { daemons: [BROKER, ZOOKEEPER], lines: 1 });
    expect(r.out).toBe(`==> broker: ${INSTALL}/logs/kafkaServer.out <==\nb3\n\n==> ZooKeeper: ${INSTALL}/logs/zookeeper.out <==\nz3\n`);
  });
});
