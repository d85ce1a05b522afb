/**
 * Progress on a long step, through the latency proxy (the loopback sshd made to look 100 ms away) and
 * the slow mirror (~2.5 MB/s, so the 37 MB tarball takes about 15 s): on a terminal the download's
 * line changes in place with the bytes so far and a rate; without one, the log holds a line every
 * ~10 s. The lines seen are printed, for the README.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { quote } from '../../src/remote/shell.js';
import { scratchDir } from '../support/scratch.js';
import { CLI_COMMAND, runCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { killPids } from './support/host.js';
import { resetHost } from './support/reset.js';
import { Terminal } from './support/tmux.js';

const DOWNLOAD_LINE =
  /Download Kafka — downloading kafka_2\.12-3\.1\.0\.tgz: ([\d.]+) MiB of ([\d.]+) MiB \((\d+)%\)(?:, ([\d.]+ [KM]iB)\/s)?/;

describeE2e('progress on a long step', () => {
  let proxy: ChildProcess | undefined;
  let proxyPort = 0;

  beforeAll(async () => {
    const { host, root } = e2e();
    proxyPort = 20000 + Math.floor(Math.random() * 20000);
    proxy = spawn('python3', [join(root, 'bench/latency-proxy.py'), String(proxyPort), String(host.sshPort), '50'], { stdio: 'ignore' });
    for (let i = 0; ; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = connect(proxyPort, '127.0.0.1', () => {
          s.end();
          resolve(true);
        }).on('error', () => resolve(false));
      });
      if (up) break;
      if (i > 50) throw new Error('the latency proxy did not start');
      await sleep(100);
    }
  });
  afterAll(async () => {
    if (proxy?.pid) await killPids([proxy.pid], 5000);
  });

  const flags = (dir: string, mirror: string): string[] => {
    const { host } = e2e();
    return [
      '--host',
      '127.0.0.1',
      '--port',
      String(proxyPort),
      '--user',
      host.user,
      '--key',
      host.keyPath,
      '--known-hosts',
      join(dir, 'known_hosts'),
      '--mirror',
      mirror,
      '--heap',
      '256m',
      '--advertised-host',
      '127.0.0.1',
      '--yes',
    ];
  };

  it('on a terminal: the download line changes in place, with the bytes so far, the total and a rate', async () => {
    const { host, mirror, root } = e2e();
    await resetHost(host);
    const dir = scratchDir('ks-progress-');
    const pidFile = join(dir, 'cli.pid');
    const term = new Terminal();
    try {
      await term.start(
        `cd ${quote(root)} && XDG_CONFIG_HOME=${quote(dir)} NO_COLOR=1 sh -c 'echo $$ >"$0"; exec "$@"' ${quote(pidFile)} ${CLI_COMMAND} init ${flags(dir, mirror.slow).map(quote).join(' ')}`,
      );
      const seen: string[] = [];
      const deadline = Date.now() + 240_000;
      let screen = '';
      while (!/EXIT=\d+/.test(screen) && Date.now() < deadline) {
        screen = await term.screen();
        const line = screen.split('\n').find((l) => DOWNLOAD_LINE.test(l));
        if (line && line.trim() !== seen.at(-1)) seen.push(line.trim());
        await sleep(300);
      }
      expect(screen, screen).toContain('EXIT=0');
      process.stderr.write(`progress on a terminal (each a state of the one line):\n${seen.map((l) => `  ${l}\n`).join('')}`);
      const bytes = seen.map((l) => Number(DOWNLOAD_LINE.exec(l)![1]));
      expect(new Set(bytes).size, `${seen.join('\n')}\n-- the screen at the end --\n${screen}`).toBeGreaterThanOrEqual(3);
      expect([...bytes].sort((a, b) => a - b)).toEqual(bytes);
      expect(seen.some((l) => DOWNLOAD_LINE.exec(l)![4] !== undefined && / left/.test(l))).toBe(true);
      // In place: the finished screen has one line for the step, its result, not one per update.
      expect(screen.match(/Download Kafka/g)).toHaveLength(1);
      expect(screen).toMatch(/✔ Download Kafka — [\d.]+ MiB from /);
    } finally {
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
      const ours = pid > 0 && existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dist/cli.js');
      if (ours) await killPids([pid], 5000);
      await term.close();
    }
  });

  it('without a terminal: a line every ~10 s while the download runs, in the plain log', async () => {
    const { host, mirror } = e2e();
    await resetHost(host);
    const dir = scratchDir('ks-progress-');
    const r = await runCli(['init', ...flags(dir, mirror.slow)], { env: { XDG_CONFIG_HOME: dir } });
    expect(r.code, r.all).toBe(0);
    const periodic = r.stdout.split('\n').filter((l) => l.startsWith('[....] '));
    process.stderr.write(`progress without a terminal (the plain log's periodic lines):\n${periodic.map((l) => `  ${l}\n`).join('')}`);
    const download = periodic.filter((l) => l.startsWith('[....] Download Kafka — downloading kafka_2.12-3.1.0.tgz: '));
    expect(download.length, r.stdout).toBeGreaterThanOrEqual(1);
    for (const l of download) expect(l).toMatch(/: [\d.]+ MiB of [\d.]+ MiB \(\d+%\), [\d.]+ [KM]iB\/s, \d+ (s|min) left \(\d+ s\)$/);
    // No more than one a ~10 s: the seconds of one step's lines are that far apart.
    const secs = download.map((l) => Number(/\((\d+) s\)$/.exec(l)![1]));
    for (let i = 1; i < secs.length; i++) expect(secs[i]! - secs[i - 1]!).toBeGreaterThanOrEqual(9);
    expect(r.stdout).toMatch(/^\[done\] Download Kafka — [\d.]+ MiB from /m);
  });
});
