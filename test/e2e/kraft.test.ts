/**
 * Kafka 4 in KRaft mode on one server, end to end, for each 4.x line the suite serves: the built CLI
 * against the real sshd host, the test distribution from the local mirror, storage formatted for real
 * with kafka-storage.sh, one JVM (broker and controller) checked with jps, verify's quorum check, a
 * round trip with kcat from this machine, and a re-run that changes nothing.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProperty } from '../../src/kafka/properties.js';
import { scratchDir } from '../support/scratch.js';
import { hostFlags, runCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { runAsUser } from './support/host.js';
import { resetHost } from './support/reset.js';
import { jvmList, snapshot } from './support/snapshot.js';

/** One message, produced and consumed back from this machine. */
async function roundTrip(text: string): Promise<string> {
  const topic = `kraft-${Date.now()}`;
  await execa('kcat', ['-b', '127.0.0.1:9092', '-P', '-t', topic, '-m', '15'], { input: `${text}\n` });
  return (await execa('kcat', ['-b', '127.0.0.1:9092', '-C', '-t', topic, '-o', 'beginning', '-e', '-c', '1', '-m', '15'])).stdout.trim();
}

const versions = (): string[] => (process.env.KS_KRAFT_VERSIONS ?? '4.1.1,4.4.0').split(',');

describeE2e('kafka-setup init --kafka-version 4.x: one KRaft node', () => {
  // The host is shared with the other files, which expect no KRaft storage there.
  afterAll(() => resetHost(e2e().host));

  for (const version of versions()) {
    describe(`Kafka ${version}`, () => {
      const install = `kafka_2.13-${version}`;
      let config: string;
      let knownHosts: string;
      let first: Awaited<ReturnType<typeof runCli>>;
      let dry: Awaited<ReturnType<typeof runCli>>;

      beforeAll(async () => {
        const dir = scratchDir('ks-kraft-');
        config = join(dir, 'config');
        knownHosts = join(dir, 'known_hosts');
        const { host, mirror } = e2e();
        await resetHost(host);
        dry = await runCli(
          ['init', ...hostFlags(knownHosts), '--kafka-version', version, '--mirror', mirror.good, '--heap', '256m', '--yes', '--dry-run'],
          {
            env: { XDG_CONFIG_HOME: config },
          },
        );
        first = await runCli(
          ['init', ...hostFlags(knownHosts), '--kafka-version', version, '--mirror', mirror.good, '--heap', '256m', '--yes', '--verbose'],
          {
            env: { XDG_CONFIG_HOME: config },
          },
        );
      });

      it('a dry run first plans the format and the one JVM, and changes nothing', async () => {
        expect(dry.code, dry.all).toBe(0);
        expect(dry.stdout).toMatch(/\[plan\] Format the storage \(KRaft\) — would: format the storage \(once Kafka is configured\)/);
        expect(dry.stdout).toMatch(/\[plan\] Start Kafka \(broker and controller\)/);
        expect(dry.stdout).not.toMatch(/ZooKeeper/);
        expect(dry.stdout).toMatch(/Dry run: init would run \d+ steps; nothing was changed\./);
      });

      it('formats the storage once and starts one JVM: broker and controller', async () => {
        expect(first.code, first.all).toBe(0);
        for (const line of [
          '[done] Download Kafka',
          '[done] Extract Kafka',
          '[done] Configure Kafka (broker and controller, KRaft)',
          '[done] Format the storage (KRaft)',
          '[done] Start Kafka (broker and controller)',
          '[done] Check with jps',
        ])
          expect(first.stdout).toContain(line);
        expect(first.stdout).not.toMatch(/ZooKeeper/);
        expect(first.stdout).toMatch(
          /\[done\] Start Kafka \(broker and controller\).*serving at 127\.0\.0\.1:9092, in its own metadata as the controller/,
        );
        expect(first.stdout).toMatch(/\[done\] Check with jps — Kafka \(pid \d+\) is running/);
        const jvms = (await jvmList(e2e().host)).split('\n');
        expect(jvms).toHaveLength(1);
        expect(jvms[0]).toMatch(/^\d+ kafka\.Kafka$/);
      });

      it('configures KRaft: the controller on the loopback, clients on the advertised address, data out of /tmp', async () => {
        const { host } = e2e();
        const now = (await runAsUser(host, `cat ~/${install}/config/server.properties`)).stdout;
        expect(getProperty(now, 'process.roles')).toBe('broker,controller');
        expect(getProperty(now, 'node.id')).toBe('1');
        expect(getProperty(now, 'controller.quorum.bootstrap.servers')).toBe('127.0.0.1:9094');
        expect(getProperty(now, 'controller.listener.names')).toBe('CONTROLLER');
        expect(getProperty(now, 'listeners')).toBe('PLAINTEXT://:9092,INTERNAL://127.0.0.1:9093,CONTROLLER://127.0.0.1:9094');
        expect(getProperty(now, 'advertised.listeners')).toBe(
          'PLAINTEXT://127.0.0.1:9092,INTERNAL://127.0.0.1:9093,CONTROLLER://127.0.0.1:9094',
        );
        expect(getProperty(now, 'inter.broker.listener.name')).toBe('INTERNAL');
        expect(getProperty(now, 'log.dirs')).toBe(`${host.home}/kafka-data/kafka-logs`);
        // The cluster id is kept on the host and is the one the storage was formatted with.
        const kept = (await runAsUser(host, 'cat ~/kafka-data/cluster.id')).stdout.trim();
        expect(kept).toMatch(/^[A-Za-z0-9_-]{22}$/);
        const meta = (await runAsUser(host, 'cat ~/kafka-data/kafka-logs/meta.properties')).stdout;
        expect(getProperty(meta, 'cluster.id')).toBe(kept);
        expect(getProperty(meta, 'node.id')).toBe('1');
        expect(
          (
            await runAsUser(host, 'ls -d ~/kafka-data/kafka-logs.formatting.* 2>/dev/null; ls /tmp | grep -c kraft-combined || true')
          ).stdout.trim(),
        ).toBe('0');
      });

      it('serves clients from this machine: a message goes round', async () => {
        expect(await roundTrip(`hello from kafka ${version}`)).toBe(`hello from kafka ${version}`);
      });

      it('a second init, from the saved profile alone, changes nothing, over one connection and one command', async () => {
        const { host } = e2e();
        const before = await snapshot(host, install);
        const again = await runCli(['init', '--verbose'], { env: { XDG_CONFIG_HOME: config } });
        expect(again.code, again.all).toBe(0);
        expect(again.stdout).toContain('nothing needed to change');
        expect(again.stdout).toMatch(/\[skip\] Format the storage \(KRaft\) — .*kafka-logs: cluster [A-Za-z0-9_-]{22}, node 1/);
        expect(again.stderr).toMatch(/ ssh: 1 connection, 1 remote command$/m);
        expect(await snapshot(host, install)).toEqual(before);
      });

      it('verify passes: the JVM, the controller quorum (a leader, the voter caught up), the round trip', async () => {
        const v = await runCli(['verify'], { env: { XDG_CONFIG_HOME: config } });
        expect(v.code, v.all).toBe(0);
        expect(v.stdout).toMatch(/Kafka \(broker and controller\) is running/);
        expect(v.stdout).toMatch(
          /Controller quorum has a leader.*leader 1 \(epoch \d+\), voters \[1\]; node 1: lag 0, fetched \d+\.\d s ago/,
        );
        expect(v.stdout).toMatch(/verify: all \d+ checks passed/);
      });
    });
  }
});
