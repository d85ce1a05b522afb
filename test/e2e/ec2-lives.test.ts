/**
 * What readers' instances really look like (issue "Real lives of EC2 boxes"), on the loopback host:
 * a Kafka installed and started by hand with data in /tmp, a power loss (kill -9 of both JVMs), and
 * a broker whose advertised address is unreachable — from the host itself and from here.
 */
import { mkdtempSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { hostFlags, runCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { alive, killPids, launchNoForwardSshd, runAsUser, userPids } from './support/host.js';
import { resetHost } from './support/reset.js';

const INSTALL = 'kafka_2.12-3.1.0';
const TOPIC = 'by-hand';
const MESSAGES = ['first message, typed by hand', 'second', 'third'];

describeE2e('real lives of EC2 boxes', () => {
  let env: Record<string, string>;
  let knownHosts: string;
  /** ZooKeeper's data by hand lives on its own tmpfs here: as /tmp does on Amazon Linux 2023. */
  let tmpfs: string;
  const init = (extra: string[] = []): string[] => [
    'init',
    ...hostFlags(knownHosts),
    '--mirror',
    e2e().mirror.good,
    '--heap',
    '256m',
    '--yes',
    ...extra,
  ];
  const jvmPid = async (main: string): Promise<number | undefined> => {
    const m = new RegExp(`^(\\d+) ${main.replace(/\./g, '\\.')}$`, 'm').exec((await runAsUser(e2e().host, 'jps -l')).stdout);
    return m ? Number(m[1]) : undefined;
  };
  const consume = async (count: number): Promise<string[]> =>
    (
      await execa('kcat', ['-b', '127.0.0.1:9092', '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-c', String(count), '-m', '30'])
    ).stdout.split('\n');

  beforeAll(async () => {
    const dir = scratchDir('ks-lives-');
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
    knownHosts = join(dir, 'known_hosts');
    const { host } = e2e();
    await resetHost(host);
    // Not under the scratch directory: the user must reach it (scratch directories are root's, 0700).
    tmpfs = mkdtempSync('/tmp/ks-e2e-tmpfs-');
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=1777', 'ks-e2e-tmp', tmpfs]);
  });

  afterAll(async () => {
    const { host } = e2e();
    await killPids(await userPids(host));
    await runAsUser(host, `rm -rf /tmp/kafka-logs /tmp/zookeeper`);
    // Removed only once unmounted: never a directory with something still mounted in it.
    if ((await execa('umount', [tmpfs], { reject: false })).exitCode === 0) rmdirSync(tmpfs);
  });

  it('adopts a Kafka installed and started by hand: its topic and messages survive, and the output says what moved where', async () => {
    const { host, distDir } = e2e();
    // The seed's procedure by hand: extract in ~, start ZooKeeper and the broker from the install
    // directory with the shipped config (data in /tmp), then a topic with messages.
    await execa('install', ['-o', host.user, '-m', '644', join(distDir, `${INSTALL}.tgz`), join(host.home, `${INSTALL}.tgz`)]);
    const zkData = join(tmpfs, 'zookeeper');
    const byHand = await runAsUser(
      host,
      [
        `tar -xzf ${INSTALL}.tgz && rm ${INSTALL}.tgz && cd ${INSTALL}`,
        `sed -i 's|^dataDir=.*|dataDir=${zkData}|' config/zookeeper.properties`,
        "export KAFKA_HEAP_OPTS='-Xmx256m -Xms256m'",
        'bin/zookeeper-server-start.sh -daemon config/zookeeper.properties',
        'for i in $(seq 100); do grep -q ":0885 .* 0A " /proc/net/tcp /proc/net/tcp6 && break; sleep 0.2; done',
        'bin/kafka-server-start.sh -daemon config/server.properties',
        'for i in $(seq 300); do grep -q "started (kafka.server.KafkaServer)" logs/server.log 2>/dev/null && break; sleep 0.2; done',
        'grep -q "started (kafka.server.KafkaServer)" logs/server.log || { tail -n 20 logs/kafkaServer.out logs/zookeeper.out >&2; exit 1; }',
      ].join(' && '),
    );
    expect(byHand.code, byHand.stderr).toBe(0);
    await execa('kcat', ['-b', '127.0.0.1:9092', '-P', '-t', TOPIC, '-m', '30'], { input: `${MESSAGES.join('\n')}\n` });
    expect(await consume(3)).toEqual(MESSAGES);
    const before = { zk: await jvmPid('org.apache.zookeeper.server.quorum.QuorumPeerMain'), broker: await jvmPid('kafka.Kafka') };

    const r = await runCli(init(), { env });
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toContain(
      `[done] Keep the existing data — moved Kafka's data /tmp/kafka-logs → ${host.home}/kafka-data/kafka-logs and ZooKeeper's data ${zkData} → ${host.home}/kafka-data/zookeeper`,
    );
    expect(r.stdout).toMatch(/the broker and ZooKeeper stopped first, started again below/);
    // Both moved (one renamed on the same file system, one copied from the tmpfs), nothing left behind.
    const exists = async (path: string): Promise<boolean> => (await runAsUser(host, `test -e '${path}'`)).code === 0;
    expect([await exists('/tmp/kafka-logs'), await exists(zkData)]).toEqual([false, false]);
    expect([
      await exists(`${host.home}/kafka-data/kafka-logs/meta.properties`),
      await exists(`${host.home}/kafka-data/zookeeper/version-2`),
    ]).toEqual([true, true]);
    expect(before.broker && alive(before.broker)).toBe(false);
    // The same cluster, the same topic, the same messages.
    expect(await consume(3)).toEqual(MESSAGES);

    const again = await runCli(init(), { env });
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toContain('[skip] Keep the existing data — no data elsewhere to move into');
  });

  it("kill -9 of both JVMs (a power loss, the OOM killer), then init at once: it waits out the dead broker's registration and serves", async () => {
    const zk = await jvmPid('org.apache.zookeeper.server.quorum.QuorumPeerMain');
    const broker = await jvmPid('kafka.Kafka');
    expect(zk && broker).toBeTruthy();
    process.kill(broker!, 'SIGKILL');
    process.kill(zk!, 'SIGKILL');
    while (alive(broker!) || alive(zk!)) await sleep(50);

    const r = await runCli(init(), { env });
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(
      /\[done\] Start the broker — started: pid \d+, serving at 127\.0\.0\.1:9092, in its own metadata as the controller \(waited \d+ s for ZooKeeper to drop \/brokers\/ids\/0, left registered by a broker that stopped without shutting down\)/,
    );
    expect(await consume(3)).toEqual(MESSAGES);
  });

  it('an advertised address nobody can reach: the broker still serves (its controller uses the internal listener); init warns with the inbound rule, exit 0', async () => {
    // 192.0.2.1 (TEST-NET-1) is routed nowhere: like a public IP the instance cannot reach itself.
    const r = await runCli(init(['--advertised-host', '192.0.2.1']), { env });
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(
      /\[done\] Start the broker — restarted \(server\.properties changed after it started\): pid \d+, serving at 192\.0\.2\.1:9092, in its own metadata as the controller/,
    );
    expect(r.all).toMatch(
      /192\.0\.2\.1:9092 is not reachable from this machine \(.*\); the host is set up, but clients here cannot connect\. Add an inbound rule to the instance's security group: type Custom TCP, port 9092, source 127\.0\.0\.1\/32 \(this machine's address, as the host sees it\)/,
    );
    // Back to an address that works (the profile saved the other one).
    const back = await runCli(init(['--advertised-host', '127.0.0.1']), { env });
    expect(back.code, back.all).toBe(0);
    expect(back.all).not.toMatch(/not reachable/);
  });

  it("another user's Kafka data where the config points (Kafka's defaults are in /tmp, which every user shares): left where it is, named; the data here stays", async () => {
    const { host } = e2e();
    // Another account's 3.x log directory, readable (the move the old code tried failed half way) and
    // not: neither is this install's. Root-made, then given away: no test account is needed.
    const theirs = mkdtempSync('/tmp/ks-e2e-theirs-');
    const dirs = [join(theirs, 'kafka-logs'), join(theirs, 'private-logs')];
    try {
      for (const [i, d] of dirs.entries()) {
        await execa('mkdir', ['-p', d]);
        await execa('sh', [
          '-c',
          `echo 'version=0
broker.id=0' > '${d}/meta.properties'`,
        ]);
        await execa('chown', ['-R', 'nobody:nogroup', d]);
        await execa('chmod', [i === 0 ? '755' : '700', d]);
      }
      await execa('chmod', ['755', theirs]);
      const config = `${host.home}/${INSTALL}/config/server.properties`;
      const edit = await runAsUser(host, `sed -i 's|^log.dirs=.*|log.dirs=${dirs.join(',')}|' '${config}'`);
      expect(edit.code, edit.stderr).toBe(0);

      const r = await runCli(init(), { env });
      expect(r.code, r.all).toBe(0);
      expect(r.stdout).toContain(
        `[skip] Keep the existing data — no data elsewhere to move into ${host.home}/kafka-data; ${dirs[0]} left where it is (nobody's, not this install's); ${dirs[1]} left where it is (nobody's, not this install's)`,
      );
      expect((await runAsUser(host, `grep '^log.dirs=' '${config}'`)).stdout.trim()).toBe(`log.dirs=${host.home}/kafka-data/kafka-logs`);
      expect(readFileSync(join(dirs[0]!, 'meta.properties'), 'utf8')).toBe('version=0\nbroker.id=0\n');
      // The broker serves this install's topic from kafka-setup's place, as before.
      expect(await consume(3)).toEqual(MESSAGES);
    } finally {
      await execa('rm', ['-rf', theirs]);
    }
  });

  it('an SSH server that forbids port forwarding (AllowTcpForwarding no): init still works, and says the metadata was not checked', async () => {
    const { host, mirror } = e2e();
    // A second sshd for the same user and keys, with forwarding off.
    const { port, log, pid: sshd } = await launchNoForwardSshd(host, 'noforward');
    try {
      const r = await runCli(
        ['init', ...hostFlags(knownHosts, port), '--mirror', mirror.good, '--heap', '320m', '--advertised-host', '127.0.0.1', '--yes'],
        { env },
      );
      expect(r.code, r.all).toBe(0);
      expect(r.stdout).toMatch(
        /\[done\] Start the broker — restarted \([^)]*\): pid \d+, serving at 127\.0\.0\.1:9092 \(its metadata was not checked: the SSH server does not allow port forwarding \(AllowTcpForwarding no\)/,
      );
      expect(readFileSync(log, 'utf8')).toMatch(/refused local port forward|administratively prohibited|not permitted/i);
    } finally {
      await killPids([sshd]);
    }
  });
});
