/**
 * From one server to a cluster (issue 11's "a single node is where users start"): a single server
 * set up by `init --host A`, holding a topic, acknowledged messages and a consumer group's offsets,
 * becomes the first of three members by `init --host A --host B --host C`. Its ZooKeeper's data leads
 * the new ensemble, its broker keeps broker.id 0, nothing acknowledged is lost, the group's offsets
 * are kept, and its topics get the cluster's three replicas, so that A's broker may then die.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { type CliResult, runCli } from './support/cli.js';
import {
  bridgeMirror,
  clusterClient,
  clusterFlags,
  hostLines,
  isJvm,
  jvmPids,
  killBroker,
  newLedger,
  type ProduceLedger,
  startCluster,
  stopCluster,
  summaryLine,
  zookeeperMode,
} from './support/cluster.js';
import { describeE2e, e2e } from './support/context.js';
import { type NetnsHost, netnsUnavailable } from './support/netns-host.js';
import { fillSingle, keptEverything, readsBack } from './support/single-data.js';

const unavailable = await netnsUnavailable();
const TOPIC = 'orders';
const GROUP = 'billing';
const SECONDS = 1000;
const figure = (line: string): void => {
  process.stderr.write(`cluster from single: ${line}\n`);
};

(unavailable ? describe.skip : describeE2e)('one server with data becomes the first member of a three-host cluster', () => {
  let hosts: NetnsHost[] = [];
  let relay: Awaited<ReturnType<typeof bridgeMirror>>['relay'] | undefined;
  let env: Record<string, string>;
  let knownHosts: string;
  let mirror: string;
  const ledger: ProduceLedger = newLedger();
  let committed = 0;
  const jvms: number[] = [];
  const cli = async (args: string[]): Promise<CliResult> => {
    const started = Date.now();
    const r = await runCli(args, { env });
    figure(
      `kafka-setup ${args[0]} ${args.filter((a) => a.includes('@')).length} host(s) in ${((Date.now() - started) / 1000).toFixed(1)} s (exit ${r.code})`,
    );
    return r;
  };
  const common = (): string[] => ['--yes', '--no-interactive', '--mirror', mirror, '--heap', '256m'];
  const collectJvms = async (): Promise<void> => {
    for (const h of hosts) for (const pid of await jvmPids(h)) if (!jvms.includes(pid)) jvms.push(pid);
  };

  beforeAll(async () => {
    const dir = scratchDir('ks-cluster-single-');
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
    knownHosts = join(dir, 'known_hosts');
    hosts = await startCluster(3);
    ({ relay, url: mirror } = await bridgeMirror(e2e().mirror.good));
  }, 120 * SECONDS);

  afterAll(async () => {
    await relay?.close();
    await collectJvms().catch(() => {});
    await stopCluster(hosts);
    expect(jvms.filter(isJvm)).toEqual([]);
  });

  it(
    "a single server: init --host A, a topic, acknowledged messages and a group's committed offsets",
    async () => {
      const a = hosts[0]!;
      const r = await cli(['init', '--host', `${a.user}@${a.address}`, '--key', a.keyPath, '--known-hosts', knownHosts, ...common()]);
      expect(r.code, r.all).toBe(0);
      await collectJvms();
      committed = await fillSingle(a, TOPIC, GROUP, ledger);
      figure(
        `single server: ${ledger.acked.size} messages acknowledged in ${TOPIC} (replication factor 1), group ${GROUP} committed ${committed}`,
      );
    },
    600 * SECONDS,
  );

  it(
    "init --host A --host B --host C: A's ZooKeeper leads, its broker keeps id 0, the others are numbered 2 and 3",
    async () => {
      const [a, b, c] = hosts as [NetnsHost, NetnsHost, NetnsHost];
      // A dry run first: it says what would happen, and changes nothing.
      const dry = await cli(['init', ...clusterFlags(hosts, knownHosts), ...common(), '--dry-run']);
      expect(dry.code, dry.all).toBe(0);
      expect(dry.stdout).toMatch(/then give .*orders.* 3 replicas; nothing was changed/);
      expect(await zookeeperMode(a.address)).toBe('standalone');
      expect(await jvmPids(b)).toEqual([]);
      const r = await cli(['init', ...clusterFlags(hosts, knownHosts), ...common()]);
      expect(r.code, r.all).toBe(0);
      await collectJvms();
      expect(summaryLine(r.stdout, a)).toMatch(/^broker 0\s/);
      expect(summaryLine(r.stdout, b)).toMatch(/^broker 2\s/);
      expect(summaryLine(r.stdout, c)).toMatch(/^broker 3\s/);
      expect(hostLines(r.stdout, a).join('\n')).toMatch(/broker\.id 0 \(kept from its data\), myid 1 of 3/);
      // The database that already held the topic won the first election: the others took it over.
      expect(await zookeeperMode(a.address)).toBe('leader');
      expect((await Promise.all([b, c].map((h) => zookeeperMode(h.address)))).sort()).toEqual(['follower', 'follower']);
      expect(r.stdout).toMatch(/\[done\] Replicate the single server's topics .*orders.*3 replicas/);
      figure(`conversion: ${/\[done\] Replicate .*$/m.exec(r.stdout)?.[0] ?? ''}; ZooKeeper: ${a.address} leader`);
      for (const h of hosts) figure(`conversion: ${summaryLine(r.stdout, h)}`);
    },
    900 * SECONDS,
  );

  it(
    "nothing is lost: every acknowledged message reads back, the group's offsets are kept, every topic has 3 replicas in sync",
    async () => {
      const kept = await keptEverything(hosts, TOPIC, GROUP, ledger, committed);
      figure(
        `after the move: ${ledger.acked.size} of ${ledger.acked.size} read back, ${GROUP}'s offsets ${kept.offsets} of ${committed}, ${kept.partitions} partitions on 3 replicas in sync`,
      );
      const v = await cli(['verify']);
      expect(v.code, v.all).toBe(0);
      expect(v.stdout).toMatch(/\[pass\] Every broker registered — brokers 0, 2, 3 in the metadata/);
      expect(v.stdout).toMatch(/\[pass\] Every topic has 3 replicas/);
    },
    300 * SECONDS,
  );

  it(
    "a re-run changes nothing; then the first server's broker may die: its topic still serves every message",
    async () => {
      const again = await cli(['init', ...clusterFlags(hosts, knownHosts), ...common()]);
      expect(again.code, again.all).toBe(0);
      for (const h of hosts) expect(summaryLine(again.stdout, h)).toMatch(/nothing needed to change/);
      await killBroker(hosts[0]!);
      const ms = await readsBack(clusterClient(hosts.slice(1)), TOPIC, 'without-the-first', ledger, 120 * SECONDS);
      figure(`broker 0 killed: all ${ledger.acked.size} messages read from brokers 2 and 3 within ${(ms / 1000).toFixed(1)} s`);
    },
    300 * SECONDS,
  );
});
