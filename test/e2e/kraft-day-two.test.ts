/**
 * The day-two commands on a Kafka 4 (KRaft) server, the loopback host (no systemd: the one JVM runs
 * the -daemon way): status, stop, start, restart, logs; init right after a kill -9; uninstall without
 * --purge-data keeping the data and the cluster id (init then formats nothing and finds the topics),
 * and with it, removing everything of kafka-setup's. Messages go round with kcat from this machine.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getProperty } from '../../src/kafka/properties.js';
import { scratchDir } from '../support/scratch.js';
import { hostFlags, runCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { killPids, launchNoForwardSshd, runAsUser } from './support/host.js';
import { resetHost } from './support/reset.js';
import { jvmList } from './support/snapshot.js';

const VERSION = '4.4.0';
const INSTALL = `kafka_2.13-${VERSION}`;
const TOPIC = `kraft-day-two-${Date.now()}`;
const MESSAGE = 'produced before the day-two commands';

/** The first message of TOPIC, read from the beginning. */
async function firstMessage(): Promise<string> {
  return (await execa('kcat', ['-b', '127.0.0.1:9092', '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-c', '1', '-m', '15'])).stdout.trim();
}

/** Whether something accepts connections on the port (the host is this machine). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The pid of the one JVM, from jps. */
async function kafkaPid(): Promise<number> {
  const jvms = (await jvmList(e2e().host)).split('\n');
  expect(jvms).toHaveLength(1);
  expect(jvms[0]).toMatch(/^\d+ kafka\.Kafka$/);
  return Number(jvms[0]!.split(' ')[0]);
}

const keptId = async (): Promise<string> => (await runAsUser(e2e().host, 'cat ~/kafka-data/cluster.id')).stdout.trim();

describeE2e(`the day-two commands on Kafka ${VERSION} (KRaft), one server without systemd`, () => {
  // The host is shared with the other files, which expect no KRaft storage there.
  afterAll(() => resetHost(e2e().host));

  let env: Record<string, string>;
  let clusterId: string;
  const cli = (args: string[]) => runCli(args, { env });

  beforeAll(async () => {
    const dir = scratchDir('ks-kraft-day-two-');
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
    const { host, mirror } = e2e();
    await resetHost(host);
    const init = await cli([
      'init',
      ...hostFlags(join(dir, 'known_hosts')),
      '--kafka-version',
      VERSION,
      '--mirror',
      mirror.good,
      '--heap',
      '256m',
      '--yes',
    ]);
    expect(init.code, init.all).toBe(0);
    expect(init.stdout).toContain('[done] Format the storage (KRaft)');
    clusterId = await keptId();
    expect(clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await execa('kcat', ['-b', '127.0.0.1:9092', '-P', '-t', TOPIC, '-m', '15'], { input: `${MESSAGE}\n` });
    expect(await firstMessage()).toBe(MESSAGE);
  });

  it('status: one line for the one JVM (running, heap, its three ports, its data, in its own metadata), exit 0; no ZooKeeper', async () => {
    const { host } = e2e();
    const r = await cli(['status']);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toContain(`Kafka ${VERSION} in ${host.home}/${INSTALL} on 127.0.0.1`);
    expect(r.stdout).toMatch(
      new RegExp(
        `\\n {2}Kafka \\(broker and controller\\) {2}running {3}pid ${await kafkaPid()} {3}up \\d+[smh].* {3}heap -Xmx256m {3}listening 9092, 9093, 9094 {3}not started at boot \\(-daemon\\) {3}data ${host.home}/kafka-data/kafka-logs \\d+ MiB {3}in its own metadata$`,
        'm',
      ),
    );
    expect(r.stdout).not.toMatch(/zookeeper/i);
    const j = await cli(['status', '--json']);
    expect(j.code, j.all).toBe(0);
    const doc = JSON.parse(j.stdout) as {
      kafkaVersion: string;
      daemons: Array<{ kind: string; name: string; running: boolean; listening: number[]; data: Array<{ path: string }> }>;
    };
    expect(doc.kafkaVersion).toBe(VERSION);
    expect(doc.daemons.map((d) => [d.kind, d.name, d.running])).toEqual([['broker', 'Kafka (broker and controller)', true]]);
    expect(doc.daemons[0]!.listening).toEqual([9092, 9093, 9094]);
    expect(doc.daemons[0]!.data.map((d) => d.path)).toEqual([`${host.home}/kafka-data/kafka-logs`]);
  });

  it('stop: the one JVM, until its port is closed; no JVM left; status then exits 3; again: skipped', async () => {
    const pid = await kafkaPid();
    const r = await cli(['stop']);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`\\[done\\] Stop Kafka \\(broker and controller\\) — stopped \\(pid ${pid}\\); port 9092 closed`));
    expect(r.stdout).not.toMatch(/zookeeper/i);
    expect(await jvmList(e2e().host)).toBe('');
    for (const port of [9092, 9093, 9094]) expect(await listening(port)).toBe(false);
    const s = await cli(['status']);
    expect(s.code, s.all).toBe(3);
    expect(s.stdout).toMatch(
      /Kafka \(broker and controller\) {2}not running {3}not started at boot \(-daemon\) {3}data \S+\/kafka-data\/kafka-logs \d+ MiB/,
    );
    const again = await cli(['stop']);
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toContain('[skip] Stop Kafka (broker and controller) — not running');
  });

  it('start: with the heap init chose, until it is in its own metadata; the message is still there', async () => {
    const r = await cli(['start']);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(
      /\[done\] Start Kafka \(broker and controller\) — started with -daemon: pid \d+, serving on 9092, in its own metadata/,
    );
    expect((await runAsUser(e2e().host, 'ps -o args= -u "$(id -u)" | awk \'$1 ~ /java$/ && / -Xmx256m /\' | wc -l')).stdout.trim()).toBe(
      '1',
    );
    expect(await firstMessage()).toBe(MESSAGE);
    const again = await cli(['start']);
    expect(again.stdout).toMatch(/\[skip\] Start Kafka \(broker and controller\) — already running: pid \d+, serving on 9092/);
  });

  it('restart: a new JVM, serving; the message produced before is still there', async () => {
    const before = await kafkaPid();
    const r = await cli(['restart']);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout.indexOf('Stop Kafka (broker and controller)')).toBeLessThan(r.stdout.indexOf('Start Kafka (broker and controller)'));
    expect(r.stdout).toMatch(
      /\[done\] Start Kafka \(broker and controller\) — started with -daemon: pid \d+, serving on 9092, in its own metadata/,
    );
    expect(await kafkaPid()).not.toBe(before);
    expect(await firstMessage()).toBe(MESSAGE);
  });

  it("logs: Kafka's own lines (kafkaServer.out), with no heading (one log); logs zookeeper is refused, exit 2", async () => {
    const r = await cli(['logs', '-n', '30']);
    expect(r.code, r.all).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(30);
    expect(lines.every((l) => !l.startsWith('==>'))).toBe(true);
    expect(r.stdout).toMatch(/^\[[\d-]+ [\d:,]+\] INFO .*\((kafka|org\.apache\.kafka)\.[\w.$]+\)$/m);
    const broker = await cli(['logs', 'broker', '-n', '5']);
    expect(broker.code, broker.all).toBe(0);
    expect(broker.stdout.trim().split('\n')).toEqual(lines.slice(-5));
    const zk = await cli(['logs', 'zookeeper']);
    expect(zk.code, zk.all).toBe(2);
    expect(zk.stderr).toContain('error: Kafka 4 runs without ZooKeeper (KRaft): there is no zookeeper log; name broker');
    expect(zk.stdout).toBe('');
  });

  it("verify through an SSH server that forbids port forwarding: the quorum is described all the same, by the host's own tool", async () => {
    const { host } = e2e();
    // A second sshd for the same user and keys, with forwarding off: DescribeQuorum cannot go through a
    // tunnel, so kafka-metadata-quorum.sh answers on the host (no epoch in its --replication rows).
    const { port, log, pid: sshd } = await launchNoForwardSshd(host, 'noforward-kraft');
    try {
      const knownHosts = join(scratchDir('ks-kraft-noforward-'), 'known_hosts');
      const flags = hostFlags(knownHosts, port);
      const v = await cli(['verify', ...flags, '--yes', '--no-roundtrip']);
      expect(v.stdout, v.all).toMatch(/\[pass\] Controller quorum has a leader — leader 1, voters \[1\]; node 1: lag 0/);
      expect(readFileSync(log, 'utf8')).toMatch(/refused local port forward|administratively prohibited|not permitted/i);
      // Through the usual server, the tunnel: the leader's epoch too.
      const direct = await cli(['verify', '--no-roundtrip']);
      expect(direct.stdout, direct.all).toMatch(
        /\[pass\] Controller quorum has a leader — leader 1 \(epoch \d+\), voters \[1\]; node 1: lag 0/,
      );
    } finally {
      await killPids([sshd]);
    }
  });

  it('kill -9 of the JVM, then init at once: back, serving, the same cluster id, nothing formatted, the message still there', async () => {
    const { host } = e2e();
    const pid = await kafkaPid();
    expect((await runAsUser(host, `kill -9 ${pid}`)).code).toBe(0);
    const init = await cli(['init', '--yes']);
    expect(init.code, init.all).toBe(0);
    expect(init.stdout).toMatch(
      new RegExp(`\\[skip\\] Format the storage \\(KRaft\\) — \\S+/kafka-data/kafka-logs: cluster ${clusterId}, node 1`),
    );
    expect(init.stdout).toMatch(
      /\[done\] Start Kafka \(broker and controller\) — started: pid \d+, serving at 127\.0\.0\.1:9092, in its own metadata/,
    );
    expect(await kafkaPid()).not.toBe(pid);
    expect(await keptId()).toBe(clusterId);
    expect(getProperty((await runAsUser(host, 'cat ~/kafka-data/kafka-logs/meta.properties')).stdout, 'cluster.id')).toBe(clusterId);
    expect(await firstMessage()).toBe(MESSAGE);
  });

  it('uninstall without --purge-data: the JVM stopped, the install gone; the data and the cluster id kept; init then formats nothing and the message is there', async () => {
    const { host } = e2e();
    const pid = await kafkaPid();
    const r = await cli(['uninstall', '--yes']);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toContain(`  stop     Kafka (broker and controller) (pid ${pid})`);
    expect(r.stdout).toContain(
      `  keep     the KRaft cluster id ${clusterId} in ${host.home}/kafka-data/cluster.id (a later init formats with it; --purge-data deletes it)`,
    );
    expect(r.stdout).toContain(
      `  data kept                   ${host.home}/kafka-data/kafka-logs, ${host.home}/kafka-data/cluster.id (kafka-setup uninstall --purge-data deletes it)`,
    );
    expect(await jvmList(host)).toBe('');
    expect((await runAsUser(host, `test -e ~/${INSTALL}`)).code).not.toBe(0);
    expect(await keptId()).toBe(clusterId);
    expect((await runAsUser(host, 'test -f ~/kafka-data/kafka-logs/meta.properties')).code).toBe(0);

    const init = await cli(['init', '--yes']);
    expect(init.code, init.all).toBe(0);
    expect(init.stdout).toContain('[done] Extract Kafka');
    expect(init.stdout).toMatch(
      new RegExp(`\\[skip\\] Format the storage \\(KRaft\\) — \\S+/kafka-data/kafka-logs: cluster ${clusterId}, node 1`),
    );
    expect(init.stdout).not.toContain('[done] Format the storage');
    expect(await keptId()).toBe(clusterId);
    expect(await firstMessage()).toBe(MESSAGE);
  });

  it("uninstall --purge-data: everything of kafka-setup's goes, the install and ~/kafka-data with the cluster id", async () => {
    const { host } = e2e();
    const r = await cli(['uninstall', '--purge-data', '--yes']);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toContain(`  delete   Kafka data in ${host.home}/kafka-data/kafka-logs`);
    expect(r.stdout).toContain(`  delete   the KRaft cluster id ${clusterId} in ${host.home}/kafka-data/cluster.id`);
    expect(r.stdout).toMatch(new RegExp(`data deleted {16}${host.home}/kafka-data/kafka-logs`));
    expect(await jvmList(host)).toBe('');
    expect((await runAsUser(host, `ls -A ~ | grep -c '^kafka' || true`)).stdout.trim()).toBe('0');
    const again = await cli(['uninstall', '--purge-data', '--yes']);
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toContain('Nothing to remove');
  });
});
