/**
 * From one Kafka 4 server to a KRaft cluster (issue 21, a cluster's growth from where users start): a
 * single server set up by `init --host A --kafka-version 4.4.0` (formatted --standalone: its own
 * quorum), holding a topic, acknowledged messages and a group's offsets, becomes the first of three
 * nodes by `init --host A --host B --host C`. It keeps its node id, cluster id and storage (never
 * formatted again); it restarts once with its controller moved off the loopback; the new nodes join its
 * quorum and take their votes (add-controller), one at a time; nothing acknowledged is lost, the
 * group's offsets are kept, every topic gets three replicas; then A's node may die. Figures go to
 * stderr, one line each, for the note.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getProperty } from '../../src/kafka/properties.js';
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
  until,
} from './support/cluster.js';
import { describeE2e, e2eMirror } from './support/context.js';
import { type NetnsHost, netnsUnavailable } from './support/netns-host.js';
import { fillSingle, keptEverything, readsBack } from './support/single-data.js';

const unavailable = await netnsUnavailable();
const VERSION = '4.4.0';
const TOPIC = 'orders';
const GROUP = 'billing';
const SECONDS = 1000;
const figure = (line: string): void => {
  process.stderr.write(`kraft from single: ${line}\n`);
};
const metaOf = (h: NetnsHost): string => readFileSync(join(h.home, 'kafka-data', 'kafka-logs', 'meta.properties'), 'utf8');
const serverProperties = (h: NetnsHost): string =>
  readFileSync(join(h.home, `kafka_2.13-${VERSION}`, 'config', 'server.properties'), 'utf8');

(unavailable ? describe.skip : describeE2e)('one Kafka 4 server with data becomes the first node of a three-host KRaft cluster', () => {
  let hosts: NetnsHost[] = [];
  let relay: Awaited<ReturnType<typeof bridgeMirror>>['relay'] | undefined;
  let env: Record<string, string>;
  let knownHosts: string;
  let mirror: string;
  let tools: string;
  const ledger: ProduceLedger = newLedger();
  let committed = 0;
  let before = { clusterId: '', directoryId: '' };
  const jvms: number[] = [];
  const cli = async (label: string, args: string[]): Promise<CliResult> => {
    const started = Date.now();
    const r = await runCli(args, { env });
    figure(`kafka-setup ${args[0]} (${label}) in ${((Date.now() - started) / 1000).toFixed(1)} s (exit ${r.code})`);
    return r;
  };
  const common = (): string[] => ['--kafka-version', VERSION, '--yes', '--no-interactive', '--mirror', mirror, '--heap', '256m'];
  const collectJvms = async (): Promise<void> => {
    for (const h of hosts) for (const pid of await jvmPids(h)) if (!jvms.includes(pid)) jvms.push(pid);
  };
  /** The quorum's voters and their directory ids, as a node's controller describes them (Kafka's own tool, on this machine). */
  const voters = async (h: NetnsHost): Promise<{ leader: number; directories: Map<number, string> }> => {
    const r = await execa(
      join(tools, 'bin', 'kafka-metadata-quorum.sh'),
      ['--bootstrap-controller', `${h.address}:9094`, 'describe', '--status'],
      { reject: false, timeout: 60_000, env: { KAFKA_HEAP_OPTS: '-Xmx128m' } },
    );
    const current = /^CurrentVoters:\s*(.*)$/m.exec(r.stdout)?.[1] ?? '';
    return {
      leader: Number(/^LeaderId:\s*(-?\d+)/m.exec(r.stdout)?.[1] ?? Number.NaN),
      directories: new Map(
        [...current.matchAll(/"id":\s*(\d+),\s*"directoryId":\s*"([^"]+)"/g)].map((m) => [Number(m[1]), m[2]!] as const),
      ),
    };
  };

  beforeAll(async () => {
    const dir = scratchDir('ks-kraft-single-');
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
    knownHosts = join(dir, 'known_hosts');
    tools = join(dir, 'tools');
    mkdirSync(tools);
    const dist4Dir = inject('e2e').dist4Dir;
    if (!dist4Dir) throw new Error('the e2e context has no Kafka 4 distributions: did a global setup run?');
    await execa('tar', ['-xzf', join(dist4Dir, `kafka_2.13-${VERSION}.tgz`), '-C', tools, '--strip-components=1']);
    hosts = await startCluster(3);
    ({ relay, url: mirror } = await bridgeMirror(e2eMirror().good));
  }, 300 * SECONDS);

  afterAll(async () => {
    await relay?.close();
    await collectJvms().catch(() => {});
    // stopNetnsHost kills every process in each namespace by pid: the Kafka nodes too.
    await stopCluster(hosts);
    expect(jvms.filter(isJvm)).toEqual([]);
  });

  it(
    "a single server: init --host A, a topic, acknowledged messages and a group's committed offsets",
    async () => {
      const a = hosts[0]!;
      const r = await cli('one host', [
        'init',
        '--host',
        `${a.user}@${a.address}`,
        '--key',
        a.keyPath,
        '--known-hosts',
        knownHosts,
        ...common(),
      ]);
      expect(r.code, r.all).toBe(0);
      await collectJvms();
      before = { clusterId: getProperty(metaOf(a), 'cluster.id')!, directoryId: getProperty(metaOf(a), 'directory.id')! };
      expect(getProperty(serverProperties(a), 'controller.quorum.bootstrap.servers')).toBe('127.0.0.1:9094');
      committed = await fillSingle(a, TOPIC, GROUP, ledger);
      figure(`single server: ${ledger.acked.size} messages acknowledged in ${TOPIC} (one replica), group ${GROUP} committed ${committed}`);
    },
    600 * SECONDS,
  );

  it(
    'init --host A --host B --host C: A keeps its node, cluster and storage, restarts once into the cluster; B and C join its quorum and vote',
    async () => {
      const [a, b, c] = hosts as [NetnsHost, NetnsHost, NetnsHost];
      // A dry run first: it says what would happen, and changes nothing.
      const dry = await cli('three hosts, dry run', ['init', ...clusterFlags(hosts, knownHosts), ...common(), '--dry-run']);
      expect(dry.code, dry.all).toBe(0);
      expect(dry.stdout).toMatch(/give .*orders.* 3 replicas; nothing was changed/);
      expect(getProperty(serverProperties(a), 'controller.quorum.bootstrap.servers')).toBe('127.0.0.1:9094');
      expect(await jvmPids(b)).toEqual([]);
      expect(hostLines(dry.stdout, a).join('\n'), dry.all).toMatch(
        /\[plan\] Start Kafka \(broker and controller\) — would: restart .*: server\.properties changed after it started/,
      );
      expect(hostLines(dry.stdout, b).join('\n'), dry.all).toMatch(
        /\[plan\] Vote in the controller quorum \(KRaft\) — would: node 2 takes its vote once formatted and started/,
      );
      for (const l of dry.stdout.split('\n').filter((x) => /^warning: |\[plan\] (Start Kafka|Vote)/.test(x.replace(/^\[[^\]]+\] /, ''))))
        figure(`dry run: ${l}`);

      const r = await cli('three hosts', ['init', ...clusterFlags(hosts, knownHosts), ...common()]);
      expect(r.code, r.all).toBe(0);
      await collectJvms();
      expect(r.stdout).toMatch(/node 1, a single server until now, restarts once into the cluster's config/);
      expect(r.stdout).toMatch(/nodes 2 and 3 join the controller quorum as voters once started/);
      const lines = hosts.map((h) => hostLines(r.stdout, h).join('\n'));
      // Under KRaft a broker's metadata names any broker as the controller: nothing is said of it.
      for (const text of lines) expect(text).not.toMatch(/as the controller/);
      // A: formatted once, as a single server; restarted, never formatted again.
      expect(lines[0]).not.toMatch(/\[done\] Format the storage/);
      expect(lines[0]).toMatch(/\[done\] Start Kafka \(broker and controller\) — restarted/);
      expect(lines[0]).toMatch(/\[done\] Vote in the controller quorum \(KRaft\) — node 1 already votes under directory/);
      for (const [i, h] of [b, c].entries()) {
        const text = lines[i + 1]!;
        expect(text, r.all).toMatch(
          new RegExp(`\\[done\\] Format the storage \\(KRaft\\) — formatted .* node ${i + 2}, joining the quorum to vote once started`),
        );
        expect(text, r.all).toMatch(
          new RegExp(`\\[done\\] Vote in the controller quorum \\(KRaft\\) — node ${i + 2} votes under directory`),
        );
        expect(getProperty(metaOf(h), 'cluster.id')).toBe(before.clusterId);
        expect(getProperty(metaOf(h), 'node.id')).toBe(String(i + 2));
      }
      expect(getProperty(metaOf(a), 'cluster.id')).toBe(before.clusterId);
      expect(getProperty(metaOf(a), 'directory.id')).toBe(before.directoryId);
      for (const h of hosts) {
        expect(getProperty(serverProperties(h), 'controller.quorum.bootstrap.servers')).toBe(
          hosts.map((x) => `${x.address}:9094`).join(','),
        );
        expect(getProperty(serverProperties(h), 'advertised.listeners')).toContain(`CONTROLLER://${h.address}:9094`);
      }
      expect(r.stdout).toMatch(/\[done\] Replicate the single server's topics .*orders.*3 replicas/);
      // The quorum: three voters, A under the directory it was formatted with.
      const q = await until(
        'three voters',
        async () => {
          const seen = await voters(b);
          return seen.directories.size === 3 ? seen : undefined;
        },
        { timeoutMs: 60 * SECONDS },
      );
      expect([...q.value.directories.keys()].sort()).toEqual([1, 2, 3]);
      expect(q.value.directories.get(1)).toBe(before.directoryId);
      for (const step of r.stdout.split('\n').filter((l) => /\[done\] (Start Kafka|Vote in the controller quorum|Replicate)/.test(l)))
        figure(`growth: ${step}`);
      figure(`quorum: leader ${q.value.leader}, voters ${[...q.value.directories.keys()].sort().join(', ')}`);
      for (const h of hosts) figure(`growth: ${summaryLine(r.stdout, h)}`);
    },
    900 * SECONDS,
  );

  it(
    "nothing is lost: every acknowledged message reads back, the group's offsets are kept, every topic has 3 replicas in sync",
    async () => {
      const kept = await keptEverything(hosts, TOPIC, GROUP, ledger, committed);
      figure(
        `after the growth: ${ledger.acked.size} of ${ledger.acked.size} read back, ${GROUP}'s offsets ${kept.offsets} of ${committed}, ${kept.partitions} partitions on 3 replicas in sync`,
      );
      const v = await cli('verify', ['verify']);
      expect(v.code, v.all).toBe(0);
    },
    300 * SECONDS,
  );

  it(
    "a re-run changes nothing; then A's node may die: the quorum and the topic go on without it",
    async () => {
      const again = await cli('three hosts, no-op', ['init', ...clusterFlags(hosts, knownHosts), ...common(), '--verbose']);
      expect(again.code, again.all).toBe(0);
      for (const h of hosts) {
        expect(summaryLine(again.stdout, h)).toMatch(/nothing needed to change/);
        expect(again.stderr, again.all).toMatch(
          new RegExp(`\\[${h.address.replace(/\./g, '\\.')}\\] .*ssh: 1 connection, 1 remote command`),
        );
      }
      await killBroker(hosts[0]!);
      const q = await until(
        'a leader among the two left',
        async () => {
          const seen = await voters(hosts[1]!);
          return seen.leader === 2 || seen.leader === 3 ? seen : undefined;
        },
        { timeoutMs: 120 * SECONDS },
      );
      const ms = await readsBack(clusterClient(hosts.slice(1)), TOPIC, 'without-the-first', ledger, 120 * SECONDS);
      figure(
        `node 1 killed: quorum leader ${q.value.leader}; all ${ledger.acked.size} messages read from nodes 2 and 3 within ${(ms / 1000).toFixed(1)} s`,
      );
    },
    300 * SECONDS,
  );
});
