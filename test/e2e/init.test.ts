/**
 * `kafka-setup init` end to end: the built CLI against the real sshd host, downloading the test
 * distribution from the local mirror, starting real ZooKeeper and broker JVMs, checked with jps,
 * the user's own interactive shell, and kcat from this (the "local") machine.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, expect, it } from 'vitest';
import { getProperty } from '../../src/kafka/properties.js';
import { hashKnownHosts } from '../../src/remote/ssh-config.js';
import { scratchDir } from '../support/scratch.js';
import { hostFlags, runCli } from './support/cli.js';
import { describeE2e, e2e, mirrorRequests, resetMirrorRequests } from './support/context.js';
import { runAsUser } from './support/host.js';
import { resetHost } from './support/reset.js';
import { jvmList, snapshot } from './support/snapshot.js';

const INSTALL = 'kafka_2.12-3.1.0';

describeE2e('kafka-setup init on a fresh host', () => {
  let config: string;
  let knownHosts: string;
  let first: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    const dir = scratchDir('ks-init-');
    config = join(dir, 'config');
    knownHosts = join(dir, 'known_hosts');
    const { host, mirror } = e2e();
    await resetHost(host);
    await resetMirrorRequests();
    // The first mirror does not have the release: the tool must fall through to the next one.
    first = await runCli(
      ['init', ...hostFlags(knownHosts), '--mirror', mirror.missing, '--mirror', mirror.good, '--heap', '256m', '--yes', '--verbose'],
      {
        env: { XDG_CONFIG_HOME: config },
      },
    );
  });

  it('succeeds, step by step, in plain output', () => {
    expect(first.code, first.all).toBe(0);
    for (const line of [
      '[done] Connect to',
      '[done] Inspect the host',
      '[skip] Install Java',
      '[done] Download Kafka',
      '[done] Extract Kafka',
      '[done] Set the Kafka heap in ~/.bashrc',
      '[done] Configure the broker and ZooKeeper',
      '[done] Start ZooKeeper',
      '[done] Start the broker',
      '[done] Check with jps',
      'bootstrap server   127.0.0.1:9092',
    ])
      expect(first.stdout).toContain(line);
    // "Serving" is claimed only once the broker is in its own metadata.
    expect(first.stdout).toMatch(/\[done\] Start the broker.*serving at 127\.0\.0\.1:9092, in its own metadata as the controller/);
    expect(first.all).not.toMatch(/\u001b\[/); // no colour or spinner escapes outside a TTY
    // 3.x is past its end of life: said once, with the 4.x command.
    expect(first.stdout.match(/past its end of life/g)).toHaveLength(1);
    expect(first.stdout).toMatch(/Kafka 4 runs without ZooKeeper \(KRaft\), in one JVM: kafka-setup init --kafka-version 4\.4\.0/);
  });

  it('records the new host key (accept-new with --yes)', () => {
    const { host } = e2e();
    expect(first.stdout).toMatch(/new host key accepted \(--yes\): SHA256:/);
    // OpenSSH's own lookup finds it; hashed when this machine's ssh_config says HashKnownHosts yes (Debian's does).
    expect(execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${host.sshPort}`, '-f', knownHosts], { encoding: 'utf8' })).toMatch(
      / ssh-ed25519 /,
    );
    expect(readFileSync(knownHosts, 'utf8').includes('127.0.0.1')).toBe(!hashKnownHosts('127.0.0.1'));
  });

  it('fell through the 404 mirror to the next, and verified the download there', async () => {
    const { mirror } = e2e();
    const path = new URL(mirror.good).pathname;
    const missing = new URL(mirror.missing).pathname;
    expect(await mirrorRequests()).toEqual([
      `GET ${missing}/3.1.0/${INSTALL}.tgz.sha512`,
      `GET ${path}/3.1.0/${INSTALL}.tgz.sha512`,
      `GET ${path}/3.1.0/${INSTALL}.tgz`,
    ]);
    expect(first.stdout).toMatch(/\[done\] Download Kafka — [0-9.]+ MiB from .*\/good\/kafka.*SHA-512 verified/);
  });

  it('runs ZooKeeper and the broker as JVMs, the broker with the chosen heap', async () => {
    const { host } = e2e();
    const r = await runAsUser(host, 'jps -lvm');
    const broker = r.stdout.split('\n').find((l) => / kafka\.Kafka /.test(l));
    const zk = r.stdout.split('\n').find((l) => /QuorumPeerMain/.test(l));
    expect(broker).toContain(`${host.home}/${INSTALL}/config/server.properties`);
    expect(broker).toMatch(/-Xmx256m -Xms256m/);
    expect(zk).toMatch(/-Xmx256m/);
  });

  it("gives the user's interactive shells the chosen KAFKA_HEAP_OPTS (and keeps non-interactive ones clean)", async () => {
    const { host } = e2e();
    expect((await runAsUser(host, 'echo "[$KAFKA_HEAP_OPTS]"', { interactive: true })).stdout.trim().split('\n').at(-1)).toBe(
      '[-Xmx256m -Xms256m]',
    );
    const bashrc = (await runAsUser(host, 'cat ~/.bashrc')).stdout;
    expect(bashrc.match(/kafka-setup: Kafka heap >>>/g)).toHaveLength(1);
    expect(bashrc.startsWith(readFileSync('/etc/skel/.bashrc', 'utf8'))).toBe(true);
    expect((await runAsUser(host, 'cmp ~/.bashrc.kafka-setup.bak /etc/skel/.bashrc && echo same')).stdout.trim()).toBe('same');
  });

  it('edits server.properties in place: the listeners and data dir set, every other line as shipped', async () => {
    const { host, root } = e2e();
    const genuine = readFileSync(join(root, 'test/e2e/fixtures/kafka-3.1.0/config/server.properties'), 'latin1');
    const now = `${(await runAsUser(host, `cat ~/${INSTALL}/config/server.properties`)).stdout}\n`;
    // Clients on the external listener; the controller on a loopback-only one (not the public address).
    expect(getProperty(now, 'listeners')).toBe('PLAINTEXT://:9092,INTERNAL://127.0.0.1:9093');
    expect(getProperty(now, 'advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:9092,INTERNAL://127.0.0.1:9093');
    expect(getProperty(now, 'listener.security.protocol.map')).toBe('PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT');
    expect(getProperty(now, 'inter.broker.listener.name')).toBe('INTERNAL');
    expect(getProperty(now, 'log.dirs')).toBe(`${host.home}/kafka-data/kafka-logs`);
    const keys = ['listeners=', 'advertised.listeners=', 'listener.security.protocol.map=', 'inter.broker.listener.name=', 'log.dirs='];
    const ours = (l: string): boolean => keys.some((k) => l.startsWith(k));
    expect(now.split('\n').filter((l) => !ours(l))).toEqual(genuine.split('\n').filter((l) => !ours(l)));
    const backup = `${(await runAsUser(host, `cat ~/${INSTALL}/config/server.properties.kafka-setup.bak`)).stdout}\n`;
    expect(backup).toBe(genuine);
    const zk = (await runAsUser(host, `cat ~/${INSTALL}/config/zookeeper.properties`)).stdout;
    expect(getProperty(zk, 'dataDir')).toBe(`${host.home}/kafka-data/zookeeper`);
    expect((await runAsUser(host, 'ls ~/kafka-data')).stdout.split('\n').sort()).toEqual(['kafka-logs', 'zookeeper']);
    expect((await runAsUser(host, `ls ~`)).stdout).not.toContain('.tgz');
  });

  it('serves clients from this machine: kcat lists the broker and a message goes round', async () => {
    const meta = await execa('kcat', ['-b', '127.0.0.1:9092', '-L', '-m', '15']);
    expect(meta.stdout).toMatch(/broker 0 at 127\.0\.0\.1:9092/);
    const topic = `e2e-${Date.now()}`;
    await execa('kcat', ['-b', '127.0.0.1:9092', '-P', '-t', topic, '-m', '15'], { input: 'hello from kafka-setup\n' });
    const consumed = await execa('kcat', ['-b', '127.0.0.1:9092', '-C', '-t', topic, '-o', 'beginning', '-e', '-c', '1', '-m', '15']);
    expect(consumed.stdout.trim()).toBe('hello from kafka-setup');
  });

  it("saves a profile (0600) with the key's path, never the key", () => {
    const { host } = e2e();
    const file = join(config, 'kafka-setup', 'default.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(JSON.parse(text)).toMatchObject({ host: '127.0.0.1', port: host.sshPort, user: host.user, key: host.keyPath, heap: '256m' });
    expect(text).not.toContain('PRIVATE KEY');
  });

  it('a second init, from the saved profile alone, changes nothing, over one connection and one command', async () => {
    const { host } = e2e();
    const before = await snapshot(host, INSTALL);
    const again = await runCli(['init', '--verbose'], { env: { XDG_CONFIG_HOME: config } });
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toContain('nothing needed to change');
    expect(again.stdout).not.toMatch(/^\[done\] (Install|Download|Extract|Set|Configure|Start)/m);
    expect(again.stderr).toMatch(/ ssh: 1 connection, 1 remote command$/m);
    expect(await snapshot(host, INSTALL)).toEqual(before);
  });

  it('--dry-run on the finished host plans nothing', async () => {
    const { host } = e2e();
    const before = await jvmList(host);
    const dry = await runCli(['init', '--dry-run'], { env: { XDG_CONFIG_HOME: config } });
    expect(dry.code, dry.all).toBe(0);
    expect(dry.stdout).toContain('the host is already set up; init would change nothing');
    expect(dry.stdout).not.toContain('[plan]');
    expect(await jvmList(host)).toBe(before);
  });

  it('rejects a tarball that fails its checksum: clear error, nothing extracted, the running broker untouched', async () => {
    const { host, mirror } = e2e();
    const before = await jvmList(host);
    const bad = await runCli(
      [
        'init',
        ...hostFlags(knownHosts),
        '--profile',
        'corrupt',
        '--install-dir',
        '~/kafka-corrupt',
        '--mirror',
        mirror.corrupt,
        '--heap',
        '256m',
      ],
      {
        env: { XDG_CONFIG_HOME: config },
      },
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error: Download Kafka: the tarball from .*corrupt.* does not match its SHA-512 checksum; it was deleted/);
    expect(bad.stderr).toMatch(/what to do: .*nothing was extracted/);
    expect(
      (await runAsUser(host, 'ls -a ~')).stdout.split('\n').filter((f) => /kafka-corrupt|\.part|\.tgz|kafka-setup-extract/.test(f)),
    ).toEqual([]);
    expect(await jvmList(host)).toBe(before);
    expect(() => statSync(join(config, 'kafka-setup', 'corrupt.json'))).toThrow();
  });
});
