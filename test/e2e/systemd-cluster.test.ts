/**
 * A three-server cluster on real systemd hosts (systemd-nspawn containers: systemd as PID 1, real
 * units and systemctl, see support/nspawn-host.ts), set up by one `init`: both units active on every
 * host, a produce/consume round trip — and what systemd does to a running cluster afterwards: a
 * member's ZooKeeper restarted through systemd, a heap change rolled over the three brokers (never two
 * down at once), and uninstall next to a kafka-broker.service it did not write (a fourth host, no
 * kafka-setup install). The tests run in order, each from where the previous one left the cluster.
 * Figures go to stderr, one line each.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { type CliResult, runCli } from './support/cli.js';
import {
  ackedProducer,
  bootstrapServers,
  clusterClient,
  clusterFlags,
  hostLines,
  missing,
  newLedger,
  produceAcked,
  startReader,
  until,
} from './support/cluster.js';
import { describeE2e, e2eMirror } from './support/context.js';
import {
  nspawnMirror,
  nspawnUnavailable,
  run,
  type SystemdHost,
  spawnInside,
  sshAs,
  startSystemdHosts,
  stopSystemdHosts,
} from './support/nspawn-host.js';

const unavailable = await nspawnUnavailable();
const SECONDS = 1000;
const UNITS = ['kafka-zookeeper.service', 'kafka-broker.service'];
const figure = (line: string): void => {
  process.stderr.write(`systemd cluster: ${line}\n`);
};
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** One sample of a unit's state, taken inside a host: when (ms since the epoch, the host's clock is this machine's) and what. */
interface Sample {
  t: number;
  state: string;
}

/**
 * Samples `systemctl is-active UNIT` inside the host every 0.5 s, from one long-lived shell there
 * (not an ssh per sample), until stop().
 */
function pollUnit(host: SystemdHost, unit: string): { samples: Sample[]; stop: () => Promise<void> } {
  const samples: Sample[] = [];
  const poller = spawnInside(host, `while :; do s=$(systemctl is-active ${unit}); echo "$(date +%s%3N) $s"; sleep 0.5; done`, (line) => {
    const [t, state] = line.trim().split(' ');
    if (t && state) samples.push({ t: Number(t), state });
  });
  return { samples, stop: poller.stop };
}

/** Stretches of samples that are not "active": from the first such sample to the next active one (or the last sample). */
function downtimes(samples: Sample[]): { from: number; to: number }[] {
  const spans: { from: number; to: number }[] = [];
  let from: number | undefined;
  for (const s of samples) {
    if (s.state !== 'active' && from === undefined) from = s.t;
    if (s.state === 'active' && from !== undefined) {
      spans.push({ from, to: s.t });
      from = undefined;
    }
  }
  if (from !== undefined) spans.push({ from, to: samples.at(-1)?.t ?? from });
  return spans;
}

/** The state a host's samples say at time t (its latest sample at or before t). */
const stateAt = (samples: Sample[], t: number): string | undefined => samples.filter((s) => s.t <= t).at(-1)?.state;

(unavailable ? describe.skip : describeE2e)('a three-server cluster on real systemd hosts (systemd-nspawn)', () => {
  let hosts: SystemdHost[] = [];
  let cluster: SystemdHost[] = [];
  let spare: SystemdHost;
  let relay: Awaited<ReturnType<typeof nspawnMirror>>['relay'] | undefined;
  let mirror = '';
  let env: Record<string, string>;
  let knownHosts: string;
  let kafka: Kafka;

  const init = async (label: string, heap: string): Promise<CliResult> => {
    const started = Date.now();
    const r = await runCli(
      ['init', ...clusterFlags(cluster, knownHosts), '--yes', '--no-interactive', '--mirror', mirror, '--heap', heap],
      { env },
    );
    figure(`init (${label}) in ${secs(Date.now() - started)}, exit ${r.code}`);
    return r;
  };
  const isActive = async (host: SystemdHost, unit: string): Promise<string> =>
    (await run(host, `systemctl is-active ${unit}`)).stdout.trim();
  const mainPid = async (host: SystemdHost, unit: string): Promise<number> =>
    Number((await run(host, `systemctl show -p MainPID --value ${unit}`)).stdout.trim());

  beforeAll(async () => {
    const dir = scratchDir('ks-systemd-cluster-');
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
    knownHosts = join(dir, 'known_hosts');
    const started = Date.now();
    // Four at once: three for the cluster, a spare with no kafka-setup install (uninstall's foreign unit).
    hosts = await startSystemdHosts(4);
    cluster = hosts.slice(0, 3);
    spare = hosts[3] as SystemdHost;
    figure(
      `4 nspawn hosts (${hosts.map((h) => h.address).join(', ')}) up in ${secs(Date.now() - started)}; boot to ssh ${hosts.map((h) => `${h.bootMs} ms`).join(', ')}`,
    );
    ({ relay, url: mirror } = await nspawnMirror(e2eMirror().good));
    kafka = clusterClient(cluster);
  });

  afterAll(async () => {
    await relay?.close();
    const started = Date.now();
    // A short grace: brokers halting all at once wait on each other's controlled shutdown, and nothing is kept.
    await stopSystemdHosts(hosts, { graceMs: 3000 });
    figure(`hosts stopped and removed in ${secs(Date.now() - started)}`);
  });

  it(
    'one init sets up the three systemd hosts: both units active on each, and a produce/consume round trip works',
    async () => {
      const r = await init('fresh', '256m');
      expect(r.code, r.all).toBe(0);
      for (const h of cluster) {
        expect(hostLines(r.stdout, h).join('\n'), r.all).toMatch(/Install the systemd units/);
        for (const unit of UNITS) expect(await isActive(h, unit), `${unit} on ${h.address}`).toBe('active');
        expect((await run(h, 'systemctl is-enabled kafka-zookeeper.service kafka-broker.service')).stdout.split('\n')).toEqual([
          'enabled',
          'enabled',
        ]);
      }
      expect(r.stdout).toMatch(new RegExp(`^\\s+bootstrap servers\\s+${bootstrapServers(cluster)}$`, 'm'));

      const admin = kafka.admin();
      await admin.connect();
      try {
        await until('three brokers registered', async () => ((await admin.describeCluster()).brokers.length === 3 ? true : undefined), {
          timeoutMs: 60 * SECONDS,
        });
        expect(
          await admin.createTopics({ topics: [{ topic: 'roundtrip', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true }),
        ).toBe(true);
      } finally {
        await admin.disconnect();
      }
      const producer = ackedProducer(kafka);
      await producer.connect();
      const ledger = newLedger();
      const reader = await startReader(kafka, 'roundtrip', 'systemd-cluster-roundtrip');
      try {
        await produceAcked(producer, 'roundtrip', ledger, 50, { timeoutMs: 60 * SECONDS });
        await until('every acknowledged message read back', async () => (missing(ledger, reader).length === 0 ? true : undefined), {
          timeoutMs: 60 * SECONDS,
        });
      } finally {
        await producer.disconnect().catch(() => {});
        await reader.stop();
      }
      expect(ledger.acked.size).toBeGreaterThanOrEqual(50);
    },
    600 * SECONDS,
  );

  it(
    "a member's broker keeps running while its ZooKeeper unit restarts",
    async () => {
      const b = cluster[1] as SystemdHost;
      const before = await mainPid(b, 'kafka-broker.service');
      expect(before).toBeGreaterThan(0);
      const poll = pollUnit(b, 'kafka-broker.service');
      try {
        await until("the poller's first sample", async () => (poll.samples.length > 0 ? true : undefined), { timeoutMs: 10 * SECONDS });
        const restart = await sshAs(b, 'sudo -n systemctl restart kafka-zookeeper.service');
        expect(restart.code, restart.stderr).toBe(0);
        await until(
          'ZooKeeper active again',
          async () => ((await isActive(b, 'kafka-zookeeper.service')) === 'active' ? true : undefined),
          { timeoutMs: 60 * SECONDS },
        );
        // A few more samples: a broker stopped along with ZooKeeper shows up within them.
        const seen = poll.samples.length;
        await until('three more samples', async () => (poll.samples.length >= seen + 3 ? true : undefined), { timeoutMs: 10 * SECONDS });
      } finally {
        await poll.stop();
      }
      expect(
        poll.samples.filter((s) => s.state !== 'active'),
        'the broker unit left "active"',
      ).toEqual([]);
      expect(await mainPid(b, 'kafka-broker.service'), "the broker's MainPID").toBe(before);
    },
    120 * SECONDS,
  );

  it(
    'a heap change on a 3-member systemd cluster never has two brokers inactive at once',
    async () => {
      const polls = cluster.map((h) => pollUnit(h, 'kafka-broker.service'));
      // ZooKeeper's too, for the figures: a member restarted, and how many at once.
      const zkPolls = cluster.map((h) => pollUnit(h, 'kafka-zookeeper.service'));
      let r: CliResult;
      try {
        await until("every poller's first sample", async () => (polls.every((p) => p.samples.length > 0) ? true : undefined), {
          timeoutMs: 10 * SECONDS,
        });
        r = await init('heap 256m → 320m', '320m');
        // The last broker restarted is seen back too.
        const seen = polls.map((p) => p.samples.length);
        await until(
          'two more samples on each host',
          async () => (polls.every((p, i) => p.samples.length >= (seen[i] ?? 0) + 2) ? true : undefined),
          { timeoutMs: 10 * SECONDS },
        );
      } finally {
        for (const p of [...polls, ...zkPolls]) await p.stop();
      }
      expect(r.code, r.all).toBe(0);
      const zkSpans = zkPolls.map((p) => downtimes(p.samples));
      const zkAtOnce = Math.max(
        0,
        ...zkPolls.flatMap((p) =>
          p.samples.map(
            (s) =>
              zkPolls.filter((q) => {
                const st = stateAt(q.samples, s.t);
                return st !== undefined && st !== 'active';
              }).length,
          ),
        ),
      );
      figure(
        `heap change: ZooKeeper down spans per host ${zkSpans.map((sp, i) => `${cluster[i]?.address} ${sp.map((x) => secs(x.to - x.from)).join('+') || 'none'}`).join(', ')}; at most ${zkAtOnce} down at once`,
      );
      const spans = polls.map((p) => downtimes(p.samples));
      const longest = Math.max(0, ...spans.flat().map((s) => s.to - s.from));
      console.log(
        `heap change: longest time a broker was not active ${secs(longest)}; down spans per host: ${spans.map((s, i) => `${cluster[i]?.address} ${s.map((x) => secs(x.to - x.from)).join('+') || 'none'}`).join(', ')}`,
      );
      figure(`heap change: longest broker downtime ${secs(longest)}`);
      // At every sample of a host whose broker was not active, every other host's latest sample said active.
      const overlaps: string[] = [];
      polls.forEach((p, i) => {
        for (const s of p.samples.filter((x) => x.state !== 'active')) {
          polls.forEach((q, j) => {
            const other = j === i ? undefined : stateAt(q.samples, s.t);
            if (other !== undefined && other !== 'active')
              overlaps.push(`${new Date(s.t).toISOString()}: ${cluster[i]?.address} ${s.state}, ${cluster[j]?.address} ${other}`);
          });
        }
      });
      expect(overlaps, 'two brokers down at the same time').toEqual([]);
      // Every host's broker went down once (it restarted with the new heap) and is active now.
      for (const [i, h] of cluster.entries()) {
        expect(spans[i]?.length, `${h.address}'s broker restarts`).toBeGreaterThanOrEqual(1);
        expect(await isActive(h, 'kafka-broker.service')).toBe('active');
        expect((await run(h, 'systemctl show -p Environment --value kafka-broker.service')).stdout).toContain('-Xmx320m');
      }
    },
    600 * SECONDS,
  );

  it(
    'uninstall --yes next to a foreign kafka-broker.service leaves that unit running and its file in place',
    async () => {
      const unit = '/etc/systemd/system/kafka-broker.service';
      const foreign =
        "[Unit]\nDescription=Somebody else's broker\n\n[Service]\nExecStart=/bin/sleep infinity\n\n[Install]\nWantedBy=multi-user.target\n";
      const setUp = await run(
        spare,
        `printf '%s' '${foreign.replace(/'/g, "'\\''")}' > ${unit} && systemctl daemon-reload && systemctl enable --now kafka-broker.service && systemctl is-active kafka-broker.service`,
      );
      expect(setUp.stdout.trim().split('\n').at(-1), setUp.stderr).toBe('active');
      const pid = Number((await run(spare, 'systemctl show -p MainPID --value kafka-broker.service')).stdout.trim());

      const r = await runCli(
        [
          'uninstall',
          '--yes',
          '--no-interactive',
          '--host',
          `${spare.user}@${spare.address}`,
          '--key',
          spare.keyPath,
          '--known-hosts',
          knownHosts,
        ],
        { env },
      );
      figure(`uninstall next to a foreign unit: exit ${r.code}`);
      expect(await isActive(spare, 'kafka-broker.service'), r.all).toBe('active');
      expect(Number((await run(spare, 'systemctl show -p MainPID --value kafka-broker.service')).stdout.trim()), r.all).toBe(pid);
      expect(readFileSync(join(spare.root, unit), 'utf8'), r.all).toBe(foreign);
      expect((await run(spare, 'systemctl is-enabled kafka-broker.service')).stdout.trim(), r.all).toBe('enabled');
    },
    120 * SECONDS,
  );
});
