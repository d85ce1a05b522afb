/**
 * Benchmark (not a test): wall time of a fresh `init`, of no-op re-runs and of `status` against the real e2e host,
 * seen through a latency proxy so that the loopback sshd looks like a server DELAY×2 ms away, plus
 * how many SSH connections and remote commands each used (counted by the tool with --verbose, and
 * independently from sshd's own log), for each Kafka version asked (3.1.0 with ZooKeeper, 4.x with
 * KRaft), each on a host reset to fresh. Prints figures; asserts nothing.
 *
 * The floor is a bare OpenSSH `ssh host true` through the same proxy with the same key: the no-op
 * runs are printed beside it as a ratio. Each no-op run follows a pause (PAUSE_MS), and a `status`
 * started the moment an `init` ends shows whether a run right after another waits for it.
 *
 *   npm run bench                                   # 50 ms each way (100 ms round trip), 3.1.0 and 4.4.0
 *   BENCH_DELAY_MS=0 npm run bench                  # loopback
 *   BENCH_DELAY_MS=150 BENCH_VERSIONS=4.1.1 npm run bench  # a far-away region, one version
 *   BENCH_NODE="$(npx -y node@22 -p process.execPath)" npm run bench  # the CLI on Node 22 (its compile cache)
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { buildDistribution, buildKafka4Distributions } from '../test/e2e/support/dist.js';
import { type E2eHost, startHost, stopHost } from '../test/e2e/support/host.js';
import { type Mirror, startMirror } from '../test/e2e/support/mirror.js';
import { resetHost } from '../test/e2e/support/reset.js';

const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 50);
const NOOP_RUNS = Number(process.env.BENCH_NOOP_RUNS ?? 5);
// The Node that runs the CLI (another major: BENCH_NODE="$(npx -y node@22 -p process.execPath)").
const NODE = process.env.BENCH_NODE ?? 'node';
const VERSIONS = (process.env.BENCH_VERSIONS ?? '3.1.0,4.4.0').split(',').filter(Boolean);
// Between the runs that measure a run "after a pause": longer than any lock holder's poll.
const PAUSE_MS = 1500;
const root = new URL('..', import.meta.url).pathname;

interface RunFigures {
  wallS: number;
  connections: number;
  commands: number;
  sshdConnections: number;
  sshdExecs: number;
  /** Seconds the remote side spent in commands that wait for downloads, extraction and JVMs. */
  waitingS: number;
}

function sshdCounts(host: E2eHost): { connections: number; execs: number } {
  const log = readFileSync(host.sshdLog, 'utf8');
  return {
    connections: (log.match(/Accepted publickey/g) ?? []).length,
    execs: (log.match(/request exec|session_exec_req|exec request/gi) ?? []).length,
  };
}

const WAITING = /remote (download|extract|format-storage|start-zookeeper|start-broker|install-java) .* in ([0-9.]+) s/;

async function runInit(host: E2eHost, port: number, args: string[], command = 'init'): Promise<RunFigures> {
  const before = sshdCounts(host);
  const started = process.hrtime.bigint();
  const r = await execa(
    NODE,
    [
      join(root, 'dist/cli.js'),
      '--verbose',
      command,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--user',
      host.user,
      '--key',
      host.keyPath,
      '--known-hosts',
      join(host.workDir, 'bench_known_hosts'),
      ...(command === 'init' ? ['--yes'] : []),
      ...args,
    ],
    { reject: false, env: { ...process.env, XDG_CONFIG_HOME: join(host.workDir, 'bench-config') } },
  );
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.exitCode !== 0) throw new Error(`init failed (${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
  await sleep(200); // let sshd flush its log
  const after = sshdCounts(host);
  const stats = /ssh: (\d+) connections?, (\d+) remote commands?/.exec(r.stderr);
  if (process.env.BENCH_SHOW) process.stderr.write(`${r.stderr}\n`);
  const waitingS = r.stderr.split('\n').reduce((sum, l) => sum + Number(WAITING.exec(l)?.[2] ?? 0), 0);
  return {
    wallS,
    connections: Number(stats?.[1] ?? NaN),
    commands: Number(stats?.[2] ?? NaN),
    sshdConnections: after.connections - before.connections,
    sshdExecs: after.execs - before.execs,
    waitingS,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Seconds for OpenSSH's own `ssh host true` through the proxy: the floor a no-op run is held to. */
async function bareSsh(host: E2eHost, port: number): Promise<number> {
  const started = process.hrtime.bigint();
  const r = await execa(
    'ssh',
    [
      '-i',
      host.keyPath,
      '-p',
      String(port),
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentitiesOnly=yes',
      '-F',
      '/dev/null',
      '-o',
      `UserKnownHostsFile=${join(host.workDir, 'bench_known_hosts_ssh')}`,
      '-o',
      'StrictHostKeyChecking=accept-new',
      `${host.user}@127.0.0.1`,
      'true',
    ],
    { reject: false, stdin: 'ignore' },
  );
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.exitCode !== 0) throw new Error(`ssh host true failed (${r.exitCode}): ${r.stderr}`);
  return wallS;
}

async function main(): Promise<void> {
  const distDir = await buildDistribution(join(root, '.cache/e2e/dist'));
  const kraft = VERSIONS.filter((v) => !v.startsWith('3.'));
  const dist4Dir = kraft.length > 0 ? [await buildKafka4Distributions(join(root, '.cache/e2e/dist4'), kraft)] : [];
  let host: E2eHost | undefined;
  let mirror: Mirror | undefined;
  const proxyPort = 20000 + Math.floor(Math.random() * 20000);
  let proxy: ReturnType<typeof spawn> | undefined;
  try {
    mirror = await startMirror(distDir, dist4Dir);
    host = await startHost({ stockJvm: true });
    // The proxy's own pass-through when no delay is asked: loopback figures from the same path.
    proxy = spawn('python3', [join(root, 'bench/latency-proxy.py'), String(proxyPort), String(host.sshPort), String(DELAY_MS)], {
      stdio: 'ignore',
    });
    await sleep(500);
    const rtt = DELAY_MS * 2;
    const nodeVersion = (await execa(NODE, ['-v'])).stdout.trim();
    console.log(
      `kafka-setup init benchmark — sshd on loopback behind a latency proxy: ${DELAY_MS} ms each way (${rtt} ms round trip); the CLI on Node ${nodeVersion}`,
    );
    const summary: string[] = [];
    const floors: string[][] = [];
    for (const version of VERSIONS) {
      await resetHost(host);
      const common = ['--mirror', mirror.good, '--heap', '256m', '--kafka-version', version, '--profile', `bench-${version}`];
      const fresh = await runInit(host, proxyPort, common);
      await bareSsh(host, proxyPort); // records the host key: every measured ssh below is a known host's
      const bare: number[] = [];
      const noop: RunFigures[] = [];
      const status: RunFigures[] = [];
      const chained: Array<{ init: RunFigures; status: RunFigures }> = [];
      // Interleaved, so that a slow minute of this machine weighs on every column alike.
      for (let i = 0; i < NOOP_RUNS; i++) {
        await sleep(PAUSE_MS);
        bare.push(await bareSsh(host, proxyPort));
        await sleep(PAUSE_MS);
        noop.push(await runInit(host, proxyPort, common));
        await sleep(PAUSE_MS);
        status.push(await runInit(host, proxyPort, ['--profile', `bench-${version}`], 'status'));
        await sleep(PAUSE_MS);
        const init = await runInit(host, proxyPort, common);
        chained.push({ init, status: await runInit(host, proxyPort, ['--profile', `bench-${version}`], 'status') });
      }

      console.log('');
      console.log(`Kafka ${version} (${version.startsWith('3.') ? 'ZooKeeper and a broker' : 'KRaft: one JVM'})`);
      console.log('run                      wall      ssh conns  remote cmds  (sshd log: conns/execs)  own time*');
      const row = (name: string, f: RunFigures): string =>
        `${name.padEnd(24)} ${f.wallS.toFixed(2).padStart(6)} s  ${String(f.connections).padStart(9)}  ${String(f.commands).padStart(11)}  ${`${f.sshdConnections}/${f.sshdExecs}`.padStart(23)}  ${(f.wallS - f.waitingS).toFixed(2).padStart(7)} s`;
      console.log(row('fresh init', fresh));
      for (const [i, f] of noop.entries()) console.log(row(`no-op re-run #${i + 1}`, f));
      for (const [i, f] of status.entries()) console.log(row(`status #${i + 1}`, f));
      chained.forEach((c, i) => {
        console.log(row(`init #${i + 1}, then`, c.init));
        console.log(row(`  status at once`, c.status));
      });
      console.log(`bare ssh host true       ${bare.map((b) => `${b.toFixed(2)} s`).join('  ')}`);

      const floor = median(bare);
      const cell = (xs: number[], ssh = 1): string => `${median(xs).toFixed(2)} s (${(median(xs) / (floor * ssh)).toFixed(2)}×)`;
      floors.push([
        version,
        `${floor.toFixed(2)} s`,
        cell(noop.map((f) => f.wallS)),
        cell(status.map((f) => f.wallS)),
        cell(chained.map((c) => c.status.wallS)),
        cell(
          chained.map((c) => c.init.wallS + c.status.wallS),
          2,
        ),
      ]);
      summary.push(
        `${version.padEnd(8)} fresh init ${fresh.wallS.toFixed(2).padStart(6)} s (${fresh.waitingS.toFixed(2)} s waiting)   no-op re-run median ${median(noop.map((f) => f.wallS)).toFixed(2)} s   status median ${median(status.map((f) => f.wallS)).toFixed(2)} s   (over ${NOOP_RUNS} runs)`,
      );
    }
    console.log('');
    for (const l of summary) console.log(l);
    console.log('');
    console.log(
      `Medians of ${NOOP_RUNS}, ${rtt} ms round trip; in brackets, times the bare ssh (init + status: times two of them; the target: a no-op init at most 1.2×)`,
    );
    const head = ['version', 'ssh host true', 'no-op init', 'status', 'status right after init', 'init + status'];
    const widths = head.map((h, i) => Math.max(h.length, ...floors.map((r) => r[i]!.length)));
    for (const r of [head, ...floors]) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
    console.log(
      'waiting = the commands that wait for the download, extraction, storage format and JVM start-up (as timed by the client, incl. their round trips)',
    );
    console.log('* own time = wall time minus that waiting');
  } finally {
    if (proxy?.pid) process.kill(proxy.pid);
    if (host) await stopHost(host);
    await mirror?.close();
  }
}

await main();
