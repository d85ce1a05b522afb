/**
 * A cluster's truth lives on its servers (network-namespace hosts, as in cluster.test.ts): init on a
 * member with another profile is refused from the server's own data; an unrelated server never
 * replaces the saved cluster's profile; with the profile lost and the --host order reversed, every
 * member keeps its myid and broker.id and a topic with one replica is left alone; the first member at a
 * new public address (an EC2 stop/start: the private one stays) keeps its number and only its broker
 * restarts; a heap change and a restart after a double failure never have two brokers or two
 * ZooKeepers down at once (every member's ports polled throughout).
 */
import { chmodSync, chownSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { type CliResult, runCli } from './support/cli.js';
import {
  bridgeMirror,
  brokerPid,
  clusterClient,
  clusterFlags,
  isJvm,
  jvmPids,
  killBroker,
  startCluster,
  stopCluster,
} from './support/cluster.js';
import { describeE2e, e2e } from './support/context.js';
import { alive } from './support/host.js';
import { type NetnsHost, netnsUnavailable, relay, startNetnsHost } from './support/netns-host.js';

const unavailable = await netnsUnavailable();
const SECONDS = 1000;
// The first member's new "public" address: a loopback address of this machine relayed to its private one, as EC2's NAT does.
const PUBLIC = '127.0.0.7';
const PUBLIC_SSH = 2222;

/** Whether something accepts connections at address:port (refused: down). */
function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port });
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(true);
    });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Polls every host's port until stopped: the most hosts down at one sample, and each host's longest time down. */
function pollDown(hosts: NetnsHost[], port: number): { stop: () => Promise<{ mostDown: number; longestMs: number; samples: number }> } {
  let running = true;
  let mostDown = 0;
  let samples = 0;
  const downSince: Array<number | undefined> = hosts.map(() => undefined);
  let longestMs = 0;
  const loop = (async () => {
    while (running) {
      const up = await Promise.all(hosts.map((h) => accepts(h.address, port)));
      const now = Date.now();
      samples++;
      mostDown = Math.max(mostDown, up.filter((u) => !u).length);
      up.forEach((u, i) => {
        if (!u) downSince[i] ??= now;
        else if (downSince[i] !== undefined) {
          longestMs = Math.max(longestMs, now - downSince[i]!);
          downSince[i] = undefined;
        }
      });
      await sleep(200);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { mostDown, longestMs, samples };
    },
  };
}

const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
};
const dataFile = (h: NetnsHost, path: string): string => readFileSync(join(h.home, 'kafka-data', path), 'utf8');
const brokerIdOf = (h: NetnsHost): string | undefined => /^broker\.id=(\d+)$/m.exec(dataFile(h, 'kafka-logs/meta.properties'))?.[1];

(unavailable ? describe.skip : describeE2e)("a cluster's truth lives on its servers", () => {
  let hosts: NetnsHost[] = [];
  let other: NetnsHost | undefined;
  let mirrorRelay: Awaited<ReturnType<typeof bridgeMirror>>['relay'] | undefined;
  const relays: Array<{ close: () => Promise<void> }> = [];
  let env: Record<string, string>;
  let knownHosts: string;
  let mirror: string;
  let profile: string;
  const jvms: number[] = [];
  const cli = async (args: string[]): Promise<CliResult> => {
    const started = Date.now();
    const r = await runCli(args, { env });
    process.stderr.write(`cluster truth: kafka-setup ${args[0]} in ${((Date.now() - started) / 1000).toFixed(1)} s (exit ${r.code})\n`);
    return r;
  };
  const collectJvms = async (): Promise<void> => {
    for (const h of hosts) jvms.push(...(await jvmPids(h)));
  };
  const common = (): string[] => ['--yes', '--no-interactive', '--mirror', mirror, '--heap', '256m'];
  const spec = (h: NetnsHost): string => `${h.user}@${h.address}`;

  beforeAll(async () => {
    const dir = scratchDir('ks-cluster-truth-');
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
    profile = join(dir, 'config', 'kafka-setup', 'default.json');
    knownHosts = join(dir, 'known_hosts');
    hosts = await startCluster(3);
    other = await startNetnsHost({ key: hosts[0]! });
    ({ relay: mirrorRelay, url: mirror } = await bridgeMirror(e2e().mirror.good));
    const r = await cli(['init', ...clusterFlags(hosts, knownHosts), ...common()]);
    expect(r.code, r.all).toBe(0);
    await collectJvms();
    // A topic with one replica, made so on purpose: no later run may give it more.
    const admin = clusterClient(hosts).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'solo', numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
  }, 600 * SECONDS);

  afterAll(async () => {
    for (const r of relays) await r.close();
    await mirrorRelay?.close();
    await stopCluster([...hosts, ...(other ? [other] : [])]);
    expect(jvms.filter(isJvm)).toEqual([]);
  });

  it(
    "init on a member under another profile (--profile x) is refused from the server's own data, naming its cluster; nothing changes",
    async () => {
      const b = hosts[1]!;
      const config = join(b.home, 'kafka_2.12-3.1.0/config/server.properties');
      const before = statSync(config).mtimeMs;
      const r = await cli(['init', '--host', spec(b), '--key', b.keyPath, '--known-hosts', knownHosts, '--profile', 'x', ...common()]);
      expect(r.code, r.all).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `${b.address.replace(/\./g, '\\.')} is member 2 of a ZooKeeper ensemble of 3 \\(${hosts.map((h) => h.address.replace(/\./g, '\\.')).join(', ')}\\): init on it alone would make it a single node`,
        ),
      );
      expect(r.stderr).toMatch(/set up its cluster instead: kafka-setup init --host \S+ --host \S+ --host \S+/);
      expect(statSync(config).mtimeMs).toBe(before);
      expect(() => statSync(join(env.XDG_CONFIG_HOME!, 'kafka-setup', 'x.json'))).toThrow();
    },
    120 * SECONDS,
  );

  it(
    "init --host D (another server) with the cluster's profile is refused; the profile stays byte for byte, D untouched",
    async () => {
      const saved = readFileSync(profile, 'utf8');
      const r = await cli(['init', '--host', spec(other!), '--key', other!.keyPath, '--known-hosts', knownHosts, ...common()]);
      expect(r.code, r.all).toBe(2);
      expect(r.stderr).toMatch(
        /profile "default" holds the cluster of .*: saving .*'s single-server set-up would replace it; nothing was changed/,
      );
      expect(r.stderr).toMatch(/pass --profile NAME/);
      expect(readFileSync(profile, 'utf8')).toBe(saved);
      expect(await jvmPids(other!)).toEqual([]);
      expect(() => statSync(join(other!.home, 'kafka_2.12-3.1.0'))).toThrow();
    },
    120 * SECONDS,
  );

  it(
    'a profile others could write, owned by another user, or a link is refused by every command with the fix; a damaged one is named and set aside',
    async () => {
      const original = readFileSync(profile, 'utf8');
      const refused = async (why: RegExp, fix: RegExp): Promise<void> => {
        for (const command of [['status'], ['init', '--no-interactive']]) {
          const r = await cli(command);
          expect(r.code, r.all).toBe(1);
          expect(r.stderr).toMatch(why);
          expect(r.stderr).toMatch(fix);
          expect(r.stdout, r.all).not.toMatch(/Connect to/);
        }
        expect(readFileSync(profile, 'utf8')).toBe(original);
      };
      chmodSync(profile, 0o660);
      await refused(/refusing the saved profile .*default\.json: its group can write it \(mode 660\)/, /chmod go-w '.*default\.json'/);
      chmodSync(profile, 0o600);
      chownSync(profile, 65534, 65534);
      await refused(
        /refusing the saved profile .*default\.json: it is owned by uid 65534, not by you \(uid 0\)/,
        /chown 0 '.*default\.json'/,
      );
      chownSync(profile, 0, 0);
      renameSync(profile, `${profile}.real`);
      symlinkSync(`${profile}.real`, profile);
      try {
        await refused(/refusing the saved profile .*default\.json: it is a symbolic link/, /delete the link \(rm '.*default\.json'\)/);
      } finally {
        rmSync(profile);
        renameSync(`${profile}.real`, profile);
      }
      // Damaged (a member id given twice): named, set aside, and nothing runs without the hosts it held.
      const damaged = JSON.parse(original) as { cluster: Array<{ id: number }> };
      damaged.cluster[1]!.id = damaged.cluster[0]!.id;
      writeFileSync(profile, JSON.stringify(damaged), { mode: 0o600 });
      try {
        const r = await cli(['status', '--no-interactive']);
        expect(r.code, r.all).toBe(2);
        expect(r.all).toMatch(/warning: ignoring the saved profile .*default\.json: "cluster" gives id \d+ to hosts 1 and 2/);
      } finally {
        writeFileSync(profile, original, { mode: 0o600 });
      }
    },
    120 * SECONDS,
  );

  it(
    'with the profile lost and the --host order reversed, every member keeps its myid and broker.id, the 1-replica topic is untouched, nothing restarts',
    async () => {
      const pids = await Promise.all(hosts.map(brokerPid));
      rmSync(profile);
      const r = await cli(['init', ...clusterFlags([...hosts].reverse(), knownHosts), ...common()]);
      expect(r.code, r.all).toBe(0);
      expect(r.stdout).not.toMatch(/Replicate/);
      hosts.forEach((h, i) => {
        expect(dataFile(h, 'zookeeper/myid').trim()).toBe(String(i + 1));
        expect(brokerIdOf(h)).toBe(String(i + 1));
      });
      expect(await Promise.all(hosts.map(brokerPid))).toEqual(pids);
      const admin = clusterClient(hosts).admin();
      await admin.connect();
      try {
        const meta = await admin.fetchTopicMetadata({ topics: ['solo'] });
        expect(meta.topics[0]!.partitions.map((p) => p.replicas.length)).toEqual([1]);
      } finally {
        await admin.disconnect();
      }
    },
    300 * SECONDS,
  );

  it(
    "the first member at a new public address: init on it alone is refused with the cluster's command; that command keeps its number and restarts only its broker",
    async () => {
      const [a, b, c] = hosts as [NetnsHost, NetnsHost, NetnsHost];
      relays.push(
        await relay({ host: PUBLIC, port: PUBLIC_SSH }, { host: a.address, port: 22 }),
        await relay({ host: PUBLIC, port: 9092 }, { host: a.address, port: 9092 }),
      );
      const moved = `${a.user}@${PUBLIC}:${PUBLIC_SSH}`;
      const alone = await cli(['init', '--host', moved, '--key', a.keyPath, '--known-hosts', knownHosts, ...common()]);
      expect(alone.code, alone.all).toBe(2);
      expect(alone.stderr).toMatch(/127\.0\.0\.7 is member 1 of a ZooKeeper ensemble of 3/);
      const command = /kafka-setup init (--host \S+ --host \S+ --host \S+) --profile default/.exec(alone.stderr);
      expect(command?.[1], alone.all).toBe(`--host ${moved} --host ${spec(b)} --host ${spec(c)}`);
      const zookeepers = await Promise.all(hosts.map(async (h) => (await jvmPids(h)).filter((p) => cmdline(p).includes('QuorumPeerMain'))));
      const others = await Promise.all([b, c].map(brokerPid));
      const r = await cli(['init', ...command![1]!.split(' '), '--key', a.keyPath, '--known-hosts', knownHosts, ...common()]);
      expect(r.code, r.all).toBe(0);
      expect(dataFile(a, 'zookeeper/myid').trim()).toBe('1');
      expect(readFileSync(join(a.home, 'kafka_2.12-3.1.0/config/server.properties'), 'utf8')).toMatch(
        /^advertised\.listeners=PLAINTEXT:\/\/127\.0\.0\.7:9092,/m,
      );
      expect(r.stdout).toMatch(/\[127\.0\.0\.7\] \[done\] Start the broker — restarted/);
      // The private addresses did not change: the ensemble did not either, and nothing else restarted.
      expect(await Promise.all(hosts.map(async (h) => (await jvmPids(h)).filter((p) => cmdline(p).includes('QuorumPeerMain'))))).toEqual(
        zookeepers,
      );
      expect(await Promise.all([b, c].map(brokerPid))).toEqual(others);
      const saved = JSON.parse(readFileSync(profile, 'utf8')) as { cluster: Array<{ id: number; host: string; port: number }> };
      expect(saved.cluster.find((m) => m.id === 1)).toMatchObject({ host: PUBLIC, port: PUBLIC_SSH });
      await collectJvms();
      const v = await cli(['verify']);
      expect(v.code, v.all).toBe(0);
    },
    300 * SECONDS,
  );

  it(
    'a heap change rolls: never two brokers or two ZooKeepers down at once',
    async () => {
      const brokers = pollDown(hosts, 9092);
      const zookeepers = pollDown(hosts, 2181);
      const r = await cli(['init', '--yes', '--no-interactive', '--heap', '288m']);
      const b = await brokers.stop();
      const z = await zookeepers.stop();
      process.stderr.write(
        `cluster truth: heap change: brokers at most ${b.mostDown} down at once (longest ${b.longestMs} ms), ZooKeepers at most ${z.mostDown} (longest ${z.longestMs} ms), ${b.samples} samples\n`,
      );
      expect(r.code, r.all).toBe(0);
      expect(r.stdout.match(/\[done\] Start the broker — restarted/g), r.all).toHaveLength(3);
      expect(b.mostDown).toBe(1);
      expect(z.mostDown).toBe(1);
      await collectJvms();
    },
    600 * SECONDS,
  );

  it(
    "a double failure (one host's broker, another's ZooKeeper), then restart: a healthy ZooKeeper is never stopped while another is out",
    async () => {
      const [a, b] = hosts as [NetnsHost, NetnsHost];
      await killBroker(a);
      const zk = (await jvmPids(b)).find((p) => cmdline(p).includes('QuorumPeerMain'))!;
      process.kill(zk, 'SIGKILL');
      while (alive(zk)) await sleep(20);
      const zookeepers = pollDown(hosts, 2181);
      const r = await cli(['restart']);
      const z = await zookeepers.stop();
      process.stderr.write(
        `cluster truth: restart after a double failure: ZooKeepers at most ${z.mostDown} down at once, ${z.samples} samples\n`,
      );
      expect(r.code, r.all).toBe(0);
      expect(z.mostDown).toBe(1);
      // B's ZooKeeper and A's broker are started before anything is stopped.
      const lines = r.stdout.split('\n');
      const firstStop = lines.findIndex((l) => /\[done\] Stop /.test(l));
      expect(
        lines.findIndex((l) => l.includes(`[${b.address}] [done] Start ZooKeeper`)),
        r.all,
      ).toBeLessThan(firstStop);
      expect(
        lines.findIndex((l) => /^\[127\.0\.0\.7\] \[done\] Start the broker/.test(l)),
        r.all,
      ).toBeLessThan(firstStop);
      await collectJvms();
      const v = await cli(['verify', '--no-roundtrip']);
      expect(v.code, v.all).toBe(0);
    },
    600 * SECONDS,
  );
});
