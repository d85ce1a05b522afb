/**
 * Day two on a three-host cluster (network namespaces, as in cluster.test.ts): with the cluster's
 * saved profile and no --host, status shows every host, verify checks the cluster (one ZooKeeper
 * leader, every broker registered, nothing under-replicated, an acks=all round trip on three
 * replicas), restart rolls one host at a time waiting until the cluster is whole, a killed broker's
 * host goes first, and init on one member alone is refused.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { type CliResult, runCli } from './support/cli.js';
import {
  ackedProducer,
  bridgeMirror,
  brokerPid,
  clusterClient,
  clusterFlags,
  hostLines,
  isJvm,
  jvmPids,
  killBroker,
  missing,
  newLedger,
  partitionStates,
  startCluster,
  startReader,
  stopCluster,
  summaryLine,
  underReplicated,
  until,
  zookeeperMode,
} from './support/cluster.js';
import { describeE2e, e2eMirror } from './support/context.js';
import { type NetnsHost, netnsUnavailable, startNetnsHost } from './support/netns-host.js';

const unavailable = await netnsUnavailable();
const SECONDS = 1000;

(unavailable ? describe.skip : describeE2e)('day two on a three-host cluster: status, verify, a rolling restart', () => {
  let hosts: NetnsHost[] = [];
  let relay: Awaited<ReturnType<typeof bridgeMirror>>['relay'] | undefined;
  let env: Record<string, string>;
  let knownHosts: string;
  let mirror: string;
  const jvms: number[] = [];
  const cli = async (args: string[]): Promise<CliResult> => {
    const started = Date.now();
    const r = await runCli(args, { env });
    process.stderr.write(`cluster day two: kafka-setup ${args[0]} in ${((Date.now() - started) / 1000).toFixed(1)} s (exit ${r.code})\n`);
    return r;
  };
  const collectJvms = async (): Promise<void> => {
    for (const h of hosts) jvms.push(...(await jvmPids(h)));
  };

  beforeAll(async () => {
    const dir = scratchDir('ks-cluster-day2-');
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
    knownHosts = join(dir, 'known_hosts');
    hosts = await startCluster(3);
    ({ relay, url: mirror } = await bridgeMirror(e2eMirror().good));
    const r = await cli(['init', ...clusterFlags(hosts, knownHosts), '--yes', '--no-interactive', '--mirror', mirror, '--heap', '256m']);
    expect(r.code, r.all).toBe(0);
    await collectJvms();
  }, 600 * SECONDS);

  afterAll(async () => {
    await relay?.close();
    await stopCluster(hosts);
    expect(jvms.filter(isJvm)).toEqual([]);
  });

  it(
    'status without --host shows every host of the cluster, one connection each',
    async () => {
      const r = await cli(['status', '--verbose']);
      expect(r.code, r.all).toBe(0);
      for (const h of hosts) {
        expect(r.stdout, r.all).toMatch(new RegExp(`Kafka 3\\.1\\.0 in .* on ${h.address.replace(/\./g, '\\.')}`));
        expect(r.stderr).toMatch(new RegExp(`\\[${h.address.replace(/\./g, '\\.')}\\] .*ssh: 1 connection, 1 remote command`));
      }
      expect(r.stdout.match(/broker\s+running/g)).toHaveLength(3);
      const json = await cli(['status', '--json']);
      expect(json.code, json.all).toBe(0);
      expect((JSON.parse(json.stdout) as { cluster: Array<{ host: string }> }).cluster.map((s) => s.host)).toEqual(
        hosts.map((h) => h.address),
      );
    },
    120 * SECONDS,
  );

  it(
    'verify without --host checks each host and the cluster: one leader, every broker, nothing under-replicated, acks=all on 3 replicas',
    async () => {
      const r = await cli(['verify']);
      expect(r.code, r.all).toBe(0);
      expect(r.stdout).toMatch(/\[pass\] ZooKeeper ensemble has one leader — .*leader/);
      expect(r.stdout).toMatch(/\[pass\] Every broker registered — brokers 1, 2, 3 in the metadata/);
      expect(r.stdout).toMatch(/\[pass\] No under-replicated partitions/);
      expect(r.stdout).toMatch(
        /\[pass\] Produce\/consume round trip — 1 message through topic kafka-setup-verify-[0-9a-f]+ \(3 replicas, acks=all\)/,
      );
      for (const h of hosts) expect(hostLines(r.stdout, h).join('\n'), r.all).toMatch(/\[pass\] ZooKeeper and the broker are running/);
    },
    180 * SECONDS,
  );

  it(
    'restart rolls: one host at a time, each waiting until the cluster is whole; the ensemble keeps one leader',
    async () => {
      const before = await Promise.all(hosts.map(brokerPid));
      const r = await cli(['restart']);
      expect(r.code, r.all).toBe(0);
      expect(r.stdout).toMatch(/one host at a time, each waiting until the cluster is whole again/);
      // In host order: each host's restart and wait before the next host's first line.
      const firstLine = (h: NetnsHost): number =>
        r.stdout.split('\n').findIndex((l) => l.startsWith(`[${h.address}] [done] Stop the broker`));
      const waited = (h: NetnsHost): number =>
        r.stdout
          .split('\n')
          .findIndex((l) => l.startsWith(`[${h.address}] [done] Wait for the cluster to be whole — 3 of 3 brokers registered, 0 of`));
      for (const [i, h] of hosts.entries()) {
        expect(waited(h), r.all).toBeGreaterThan(firstLine(h));
        if (i > 0) expect(firstLine(h), r.all).toBeGreaterThan(waited(hosts[i - 1]!));
      }
      const after = await Promise.all(hosts.map(brokerPid));
      for (const [i, pid] of after.entries()) expect(pid).not.toBe(before[i]);
      await collectJvms();
      expect((await Promise.all(hosts.map((h) => zookeeperMode(h.address)))).sort()).toEqual(['follower', 'follower', 'leader']);
    },
    600 * SECONDS,
  );

  it(
    "a killed broker (the first host's, the profile's own address): verify names it; restart starts its host first, then rolls the others",
    async () => {
      // The first host: verify must ask another broker for the cluster's metadata.
      const victim = hosts[0]!;
      await killBroker(victim);
      const v = await cli(['verify', '--no-roundtrip']);
      expect(v.code, v.all).toBe(1);
      expect(hostLines(v.stdout, victim).join('\n'), v.all).toMatch(
        /\[FAIL\] ZooKeeper and the broker are running — the broker \(Kafka\) is not running/,
      );
      expect(v.stdout, v.all).toMatch(/\[pass\] Metadata — /);
      const r = await cli(['restart']);
      expect(r.code, r.all).toBe(0);
      const lines = r.stdout.split('\n');
      const firstStart = lines.findIndex((l) => /^\[[0-9.]+\] \[done\] Start the broker/.test(l));
      expect(lines[firstStart], r.all).toContain(`[${victim.address}]`);
      expect(await brokerPid(victim)).toBeGreaterThan(0);
      await collectJvms();
      const after = await cli(['verify', '--no-roundtrip']);
      expect(after.code, after.all).toBe(0);
    },
    600 * SECONDS,
  );

  it(
    'init on one member alone is refused (it would make it a single node); nothing changes',
    async () => {
      const r = await cli(['init', '--host', `${hosts[1]!.user}@${hosts[1]!.address}`, '--no-interactive']);
      expect(r.code, r.all).toBe(2);
      expect(r.stderr).toMatch(/is a member of the cluster in profile "default": init on it alone would make it a single node/);
      expect(r.stderr).toMatch(/run kafka-setup init without --host/);
    },
    60 * SECONDS,
  );

  it(
    'Kafka 4 asked of this ZooKeeper cluster (its saved profile, no --host): refused on every host before any change, its JVMs untouched',
    async () => {
      const pids = await Promise.all(hosts.map(brokerPid));
      const r = await cli(['init', '--kafka-version', '4.4.0', '--no-interactive', '--yes', '--mirror', mirror]);
      expect(r.code, r.all).not.toBe(0);
      for (const h of hosts)
        expect(hostLines(r.stderr + r.stdout, h).join('\n'), r.all).toMatch(
          /holds the data of a ZooKeeper-based Kafka \(3\.x\); Kafka 4\.4\.0 runs without ZooKeeper \(KRaft\) and cannot read it/,
        );
      expect(r.all).not.toMatch(/\[done\] (Download|Extract|Configure|Format)/);
      expect(await Promise.all(hosts.map(brokerPid))).toEqual(pids);
    },
    120 * SECONDS,
  );

  it(
    'growing: a re-run with a fourth --host adds broker 4 and ZooKeeper 4; the others restart one at a time while acks=all sends go on',
    async () => {
      hosts.push(await startNetnsHost({ key: hosts[0]! }));
      const kafka = clusterClient(hosts.slice(0, 3));
      const admin = kafka.admin();
      const producer = ackedProducer(kafka);
      const ledger = newLedger();
      let growing = true;
      try {
        await admin.connect();
        await admin.createTopics({
          topics: [{ topic: 'grow', numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
          waitForLeaders: true,
        });
        await producer.connect();
        // acks=all sends all through the grow: a rolling restart keeps two in-sync replicas of every partition.
        const sending = (async () => {
          while (growing) {
            const seq = ledger.next++;
            try {
              await producer.send({ topic: 'grow', acks: -1, timeout: 30_000, messages: [{ key: String(seq), value: String(seq) }] });
              ledger.acked.add(seq);
            } catch (err) {
              ledger.failures++;
              ledger.lastError = (err as Error).message;
            }
          }
        })();
        const r = await cli([
          'init',
          ...clusterFlags(hosts, knownHosts),
          '--yes',
          '--no-interactive',
          '--mirror',
          mirror,
          '--heap',
          '256m',
        ]);
        growing = false;
        await sending;
        expect(r.code, r.all).toBe(0);
        expect(summaryLine(r.stdout, hosts[3]!), r.all).toMatch(/^broker 4\s/);
        for (const h of hosts.slice(0, 3))
          expect(hostLines(r.stdout, h).join('\n'), r.all).toMatch(/\[done\] Start the broker — restarted/);
        process.stderr.write(
          `cluster day two: while growing, ${ledger.acked.size} sends acknowledged, ${ledger.failures} failed${ledger.lastError ? ` (last: ${ledger.lastError})` : ''}\n`,
        );
        expect(ledger.failures, ledger.lastError).toBe(0);
        expect(ledger.acked.size).toBeGreaterThan(0);
        await collectJvms();
        expect((await Promise.all(hosts.map((h) => zookeeperMode(h.address)))).sort()).toEqual([
          'follower',
          'follower',
          'follower',
          'leader',
        ]);
        const reader = await startReader(kafka, 'grow', 'grow-check');
        await until('every acknowledged message read back', async () => (missing(ledger, reader).length === 0 ? true : undefined), {
          timeoutMs: 60 * SECONDS,
        });
        await reader.stop();
        const states = await partitionStates(admin);
        expect(underReplicated(states)).toEqual([]);
        const v = await cli(['verify', '--no-roundtrip']);
        expect(v.code, v.all).toBe(0);
        expect(v.stdout).toContain('[pass] Every broker registered — brokers 1, 2, 3, 4 in the metadata');
      } finally {
        growing = false;
        await producer.disconnect().catch(() => {});
        await admin.disconnect().catch(() => {});
      }
    },
    600 * SECONDS,
  );
});
