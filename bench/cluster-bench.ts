/**
 * Benchmark (not a test): a fresh 3-host cluster `init` against a fresh 1-host `init`, and no-op
 * re-runs of each (and on Kafka 4, `status` and a rolling `restart` of the cluster), on network-namespace hosts of this machine (each its own sshd, user and address),
 * every sshd seen through its own latency proxy so that it looks DELAY×2 ms away. Prints wall times
 * and the SSH connections and remote commands each host got (counted by the tool with --verbose, and
 * from each sshd's log). Needs root on Linux (ip netns). Asserts nothing.
 *
 *   npm run bench:cluster                     # 50 ms each way (100 ms round trip), Kafka 3.1.0 (ZooKeeper)
 *   BENCH_DELAY_MS=150 npm run bench:cluster
 *   BENCH_KAFKA_VERSION=4.4.0 npm run bench:cluster   # a KRaft cluster
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { jvmPids, startCluster, stopCluster } from '../test/e2e/support/cluster.js';
import { buildDistribution, buildKafka4Distributions } from '../test/e2e/support/dist.js';
import { type Mirror, startMirror } from '../test/e2e/support/mirror.js';
import { BRIDGE_ADDRESS, type NetnsHost, netnsUnavailable, relayFromBridge } from '../test/e2e/support/netns-host.js';

const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 50);
const NOOP_RUNS = Number(process.env.BENCH_NOOP_RUNS ?? 3);
const VERSION = process.env.BENCH_KAFKA_VERSION ?? '3.1.0';
const root = new URL('..', import.meta.url).pathname;

interface Figures {
  wallS: number;
  /** Per host, from the tool's --verbose count: "connections/commands". */
  counted: string[];
  /** Per host, from its sshd's log: "connections/execs". */
  sshd: string[];
}

function sshdCounts(host: NetnsHost): { connections: number; execs: number } {
  const log = readFileSync(host.sshdLog, 'utf8');
  return {
    connections: (log.match(/Accepted publickey/g) ?? []).length,
    execs: (log.match(/request exec|session_exec_req|exec request/gi) ?? []).length,
  };
}

/** CPU seconds (user + system) the JVMs of these hosts have used so far, from /proc (clock ticks of 1/100 s). */
async function jvmCpuSeconds(hosts: NetnsHost[]): Promise<number> {
  let ticks = 0;
  for (const h of hosts) {
    for (const pid of await jvmPids(h)) {
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  }
  return ticks / 100;
}

async function init(hosts: NetnsHost[], ports: number[], common: string[], env: Record<string, string>): Promise<Figures> {
  const before = hosts.map(sshdCounts);
  const hostFlags = hosts.flatMap((h, i) => ['--host', `${h.user}@127.0.0.1:${ports[i]}`]);
  // Clients reach each broker at its own address: the proxies are for SSH only.
  const advertised = hosts.flatMap((h) => ['--advertised-host', h.address]);
  const started = process.hrtime.bigint();
  const r = await execa('node', [join(root, 'dist/cli.js'), '--verbose', 'init', ...hostFlags, ...advertised, ...common], {
    reject: false,
    env: { ...process.env, ...env },
  });
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.exitCode !== 0) throw new Error(`init failed (${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
  await sleep(200);
  const counted = [...r.stderr.matchAll(/ssh: (\d+) connections?, (\d+) remote commands?/g)].map((m) => `${m[1]}/${m[2]}`);
  const sshd = hosts.map((h, i) => {
    const after = sshdCounts(h);
    return `${after.connections - before[i]!.connections}/${after.execs - before[i]!.execs}`;
  });
  return { wallS, counted, sshd };
}

/** A command on the saved cluster (its profile in env): its wall time; throws when it fails. */
async function command(args: string[], env: Record<string, string>): Promise<number> {
  const started = process.hrtime.bigint();
  const r = await execa('node', [join(root, 'dist/cli.js'), ...args], { reject: false, env: { ...process.env, ...env } });
  if (r.exitCode !== 0) throw new Error(`${args[0]} failed (${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main(): Promise<void> {
  const why = await netnsUnavailable();
  if (why) {
    console.log(`cluster benchmark skipped: ${why}`);
    return;
  }
  const distDir = await buildDistribution(join(root, '.cache/e2e/dist'));
  const dir = mkdtempSync(join(tmpdir(), 'ks-cluster-bench-'));
  let hosts: NetnsHost[] = [];
  let mirror: Mirror | undefined;
  let relay: Awaited<ReturnType<typeof relayFromBridge>> | undefined;
  const proxies: ChildProcess[] = [];
  try {
    mirror = await startMirror(
      distDir,
      VERSION.startsWith('3.') ? [] : [await buildKafka4Distributions(join(root, '.cache/e2e/dist4'), [VERSION])],
    );
    // The hosts first: the relay listens on the bridge their start creates.
    hosts = await startCluster(4);
    relay = await relayFromBridge(Number(new URL(mirror.good).port));
    const url = new URL(mirror.good);
    url.hostname = BRIDGE_ADDRESS;
    url.port = String(relay.port);
    const ports = hosts.map((_, i) => 21000 + Math.floor(Math.random() * 1000) * 4 + i);
    for (const [i, h] of hosts.entries()) {
      proxies.push(
        spawn('python3', [join(root, 'bench/latency-proxy.py'), String(ports[i]), `${h.address}:22`, String(DELAY_MS)], {
          stdio: 'ignore',
        }),
      );
    }
    await sleep(500);
    const common = [
      '--key',
      hosts[0]!.keyPath,
      '--known-hosts',
      join(dir, 'known_hosts'),
      '--yes',
      '--no-interactive',
      '--mirror',
      url.toString().replace(/\/$/, ''),
      '--heap',
      '256m',
      '--kafka-version',
      VERSION,
    ];
    const single = { XDG_CONFIG_HOME: join(dir, 'single') };
    const cluster = { XDG_CONFIG_HOME: join(dir, 'cluster') };
    const one = [hosts[3]!];
    const three = hosts.slice(0, 3);
    const rows: Array<[string, Figures]> = [];
    rows.push(['1 host: fresh init', await init(one, [ports[3]!], common, single)]);
    const cpuOne = await jvmCpuSeconds(one);
    rows.push(['3 hosts: fresh init', await init(three, ports.slice(0, 3), common, cluster)]);
    const cpuThree = await jvmCpuSeconds(three);
    for (let i = 0; i < NOOP_RUNS; i++) rows.push([`1 host: no-op #${i + 1}`, await init(one, [ports[3]!], common, single)]);
    for (let i = 0; i < NOOP_RUNS; i++) rows.push([`3 hosts: no-op #${i + 1}`, await init(three, ports.slice(0, 3), common, cluster)]);
    // Day two on the KRaft cluster: each node's place in the quorum (status), and a rolling restart,
    // whose every step waits on the quorum (DescribeQuorum, asked again and again).
    const dayTwo: Array<[string, number]> = [];
    if (!VERSION.startsWith('3.')) {
      for (let i = 0; i < NOOP_RUNS; i++) dayTwo.push([`3 hosts: status #${i + 1}`, await command(['status'], cluster)]);
      dayTwo.push(['3 hosts: restart (rolling)', await command(['restart', '--yes', '--no-interactive'], cluster)]);
    }

    console.log(
      `kafka-setup cluster benchmark, Kafka ${VERSION} — netns hosts, each sshd behind a latency proxy: ${DELAY_MS} ms each way (${DELAY_MS * 2} ms round trip)`,
    );
    console.log('');
    console.log('run                      wall      per host: ssh conns/remote cmds (tool)   (sshd log: conns/execs)');
    for (const [name, f] of rows)
      console.log(`${name.padEnd(24)} ${f.wallS.toFixed(2).padStart(6)} s  ${f.counted.join(' ').padEnd(36)} ${f.sshd.join(' ')}`);
    const wall = (name: string): number => rows.find(([n]) => n === name)![1].wallS;
    const median = (prefix: string): number => {
      const xs = rows
        .filter(([n]) => n.startsWith(prefix))
        .map(([, f]) => f.wallS)
        .sort((a, b) => a - b);
      return xs[Math.floor(xs.length / 2)]!;
    };
    console.log('');
    console.log(`fresh init: 3 hosts / 1 host = ${(wall('3 hosts: fresh init') / wall('1 host: fresh init')).toFixed(2)}× (target ≤ 1.3×)`);
    // Every "host" shares this machine's cores: the JVMs' start-up work alone bounds the wall time.
    console.log(
      `JVM start-up CPU: ${cpuOne.toFixed(1)} s for 1 host, ${cpuThree.toFixed(1)} s for 3 hosts; on this machine's ${cpus().length} cores the 3 hosts' JVMs alone take at least ${(cpuThree / cpus().length).toFixed(1)} s of wall time`,
    );
    console.log(
      `no-op re-run: median ${median('1 host: no-op').toFixed(2)} s for 1 host, ${median('3 hosts: no-op').toFixed(2)} s for 3 hosts`,
    );
    for (const [name, s] of dayTwo) console.log(`${name.padEnd(28)} ${s.toFixed(2).padStart(6)} s`);
  } finally {
    for (const p of proxies) if (p.pid) process.kill(p.pid);
    await stopCluster(hosts).catch((err: unknown) => console.error(String(err)));
    await relay?.close();
    await mirror?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
