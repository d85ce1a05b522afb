/**
 * `kafka-setup logs` end to end, against the host as init leaves it: the last lines of one log or
 * both, hostile lines made harmless, a missing log explained, and -f in a real terminal, stopped with
 * Ctrl-C (exit 0, and no tail left on the host).
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { quote } from '../../src/remote/shell.js';
import { CUT_MARKER } from '../../src/ui/log-line.js';
import { CLI, NODE, runCli, startCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { alive, runAsUser } from './support/host.js';
import { type InitializedHost, initializedHost } from './support/setup.js';
import { Terminal } from './support/tmux.js';

const LOGS = '~/kafka_2.12-3.1.0/logs';

/** Pids of the test user's running `tail` processes (zombies left out: they have ended, this container's init may not reap them). */
async function tailPids(): Promise<number[]> {
  const r = await execa('ps', ['-u', String(e2e().host.uid), '-o', 'pid=,comm='], { reject: false });
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, comm]) => comm === 'tail')
    .map(([pid]) => Number(pid))
    .filter(alive);
}

async function appendAsUser(file: string, printfFormat: string): Promise<void> {
  const r = await runAsUser(e2e().host, `printf ${quote(printfFormat)} >> ${file}`);
  expect(r.code, r.stderr).toBe(0);
}

describeE2e('kafka-setup logs', () => {
  let h: InitializedHost;
  const term = new Terminal();
  beforeAll(async () => {
    h = await initializedHost();
  });
  afterAll(() => term.close());

  it('logs broker -n 5 prints the last 5 lines of kafkaServer.out, and nothing else on stdout', async () => {
    const r = await runCli(['logs', 'broker', '-n', '5'], { env: h.env });
    expect(r.code, r.all).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(5);
    const file = (await runAsUser(e2e().host, `cat ${LOGS}/kafkaServer.out`)).stdout;
    for (const l of lines) expect(file).toContain(l);
    expect(r.stderr).toBe('');
  });

  it('logs prints both, each block headed by the daemon and the file, over one connection and one remote command', async () => {
    const { host } = e2e();
    const r = await runCli(['logs', '-n', '3', '--verbose'], { env: h.env });
    expect(r.stderr).toContain('ssh: 1 connection, 1 remote command');
    expect(r.code, r.all).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`==> ZooKeeper: ${host.home}/kafka_2.12-3.1.0/logs/zookeeper.out <==`);
    expect(lines[4]).toBe('');
    expect(lines[5]).toBe(`==> broker: ${host.home}/kafka_2.12-3.1.0/logs/kafkaServer.out <==`);
    expect(lines).toHaveLength(9);
  });

  it('hostile lines: escapes and control characters shown escaped, tabs as spaces, long lines cut, bad UTF-8 survives', async () => {
    // OSC 52 (writes the clipboard), a colour, a carriage return, C1 CSI, invalid UTF-8, a tab.
    await appendAsUser(
      `${LOGS}/kafkaServer.out`,
      'planted \\033]52;c;ZWNobyBwd25lZA==\\007 \\033[31mred\\rover \\302\\233 \\377\\376\\n\\tat kafka.Planted(Planted.java:1)\\n',
    );
    await appendAsUser(`${LOGS}/kafkaServer.out`, `${'x'.repeat(5000)}\\n`);
    const r = await runCli(['logs', 'broker', '-n', '3'], { env: h.env });
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    const [planted, stack, long] = r.stdout.split('\n');
    expect(planted).toBe('planted \\x1b]52;c;ZWNobyBwd25lZA==\\x07 \\x1b[31mred\\x0dover \\x9b \ufffd\ufffd');
    expect(stack).toBe('        at kafka.Planted(Planted.java:1)');
    expect(long).toBe(`${'x'.repeat(4000)}${CUT_MARKER}`);
  });

  it('a missing log: exit 1 with what to do; with both asked, the other is shown and the missing one warned about', async () => {
    const { host } = e2e();
    const moved = await runAsUser(host, `mv ${LOGS}/kafkaServer.out ${LOGS}/kafkaServer.out.ks-test`);
    expect(moved.code, moved.stderr).toBe(0);
    try {
      const one = await runCli(['logs', 'broker'], { env: h.env });
      expect(one.code, one.all).toBe(1);
      expect(one.stderr).toContain(
        `error: the broker has not been started on this host yet (no ${host.home}/kafka_2.12-3.1.0/logs/kafkaServer.out)`,
      );
      expect(one.stderr).toContain('what to do: run kafka-setup init');
      expect(one.stdout).toBe('');
      const both = await runCli(['logs', '-n', '1'], { env: h.env });
      expect(both.code, both.all).toBe(0);
      expect(both.stderr).toMatch(/^warning: the broker has not been started on this host yet .*: run kafka-setup init/m);
      expect(both.stdout.split('\n')).toEqual([`==> ZooKeeper: ${host.home}/kafka_2.12-3.1.0/logs/zookeeper.out <==`, expect.any(String)]);
    } finally {
      await runAsUser(host, `mv ${LOGS}/kafkaServer.out.ks-test ${LOGS}/kafkaServer.out`);
    }
    const nowhere = await runCli(['logs', '--install-dir', '~/nowhere'], { env: h.env });
    expect(nowhere.code, nowhere.all).toBe(1);
    expect(nowhere.stderr).toContain(`error: there is no Kafka install at ${host.home}/nowhere on 127.0.0.1`);
  });

  it('logs -f shows a line written afterwards; Ctrl-C ends it at once with exit 0, and no tail is left on the host', async () => {
    const { root } = e2e();
    expect(await tailPids()).toEqual([]);
    const env = Object.entries({ ...h.env, NO_COLOR: '1' })
      .map(([k, v]) => `${k}=${quote(v)}`)
      .join(' ');
    await term.start(`cd ${quote(root)} && ${env} node ${join('dist', 'cli.js')} logs -f -n 1`);
    await term.waitFor(/^broker +\| /m);
    await term.waitFor(/^zookeeper \| /m);
    const nonce = `ks-follow-${Date.now()}`;
    await appendAsUser(`${LOGS}/kafkaServer.out`, `${nonce}\\n`);
    await term.waitFor(new RegExp(`^broker +\\| ${nonce}$`, 'm'));
    const tails = await tailPids();
    expect(tails).toHaveLength(2);
    const started = Date.now();
    await term.key('C-c');
    const done = await term.waitFor(/EXIT=\d+/, 10_000);
    expect(done, done).toContain('EXIT=0');
    expect(done).not.toMatch(/error|interrupted/);
    // At once, not when the next line comes: measured through tmux's polling on a loaded machine, hence the margin.
    expect(Date.now() - started).toBeLessThan(8000);
    const deadline = Date.now() + 10_000;
    while (tails.some(alive) && Date.now() < deadline) await sleep(100);
    expect(tails.filter(alive)).toEqual([]);
    expect(await tailPids()).toEqual([]);
  });

  it('logs -f | head: following stops at the next line once the reader has gone, on the host too (like tail -f | head)', async () => {
    const child = execa(NODE, [CLI, 'logs', '-f', '-n', '1'], {
      env: { ...h.env, NO_COLOR: '1' },
      reject: false,
      stdin: 'ignore',
      buffer: false,
      timeout: 20_000,
    });
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    expect(first).toMatch(/^zookeeper \| |^broker +\| /);
    // What head does after its line: close the pipe. The next line written finds nobody to read it.
    child.stdout.destroy();
    await appendAsUser(`${LOGS}/kafkaServer.out`, 'ks-after-head\\n');
    const r = await child;
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(0);
    const deadline = Date.now() + 10_000;
    while ((await tailPids()).length > 0 && Date.now() < deadline) await sleep(100);
    expect(await tailPids()).toEqual([]);
  });

  it('logs -f killed outright (a dropped connection): the host stops its tails too', async () => {
    const cli = startCli(['logs', '-f', '-n', '1'], { env: h.env });
    await cli.waitFor(/^broker +\| /m);
    const tails = await tailPids();
    expect(tails).toHaveLength(2);
    cli.signal('SIGKILL');
    await cli.result;
    const deadline = Date.now() + 10_000;
    while (tails.some(alive) && Date.now() < deadline) await sleep(100);
    expect(tails.filter(alive)).toEqual([]);
  });
});
