/**
 * ks_guard (templates/remote/prelude.sh) under dash: when kafka-setup goes away (stdin at end of
 * file), the whole job stops — what it started too — and a job run through sudo is stopped by root,
 * through sudo. The real sudo and apt-get are proven on a fresh host (test/e2e/fresh-host.test.ts).
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { remoteScript } from '../../src/host/script.js';
import { baseVars } from '../../src/host/target.js';
import { alive } from '../e2e/support/host.js';
import { scratchDir } from '../support/scratch.js';

async function gone(pid: number, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid) && Date.now() < deadline) await sleep(50);
  return !alive(pid);
}

/**
 * Runs `call` after the prelude under dash, its stdin (the SSH channel) held open until `until()`
 * holds, then closed, as a dropped connection does.
 */
async function runGuarded(
  call: string,
  env: Record<string, string>,
  until: (stdout: string) => boolean,
  script = remoteScript('t', {}, [], [call, 'echo "rc=$?"']).text,
): Promise<{ stdout: string; ms: number }> {
  const child = spawn('sh', ['-s'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.stdin.write(script);
  const deadline = Date.now() + 10_000;
  while (!until(stdout) && Date.now() < deadline) await sleep(20);
  const started = Date.now();
  child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await closed;
  clearTimeout(timer);
  return { stdout, ms: Date.now() - started };
}

describe('ks_guard', () => {
  it('stops what the command started, not only the command (apt-get and its dpkg)', async () => {
    const dir = scratchDir('ks-guard-');
    const childFile = join(dir, 'child');
    const r = await runGuarded(
      `ks_guard sh -c 'sleep 300 & echo $! > "$1"; wait' sh ${JSON.stringify(childFile)}`,
      { PATH: process.env.PATH ?? '' },
      () => existsSync(childFile),
    );
    expect(r.stdout).toContain('rc=143');
    expect(r.ms).toBeLessThan(10_000);
    const child = Number(readFileSync(childFile, 'utf8'));
    expect(child).toBeGreaterThan(0);
    const stopped = await gone(child);
    if (!stopped) process.kill(child, 'SIGKILL');
    expect(stopped, "the command's child survived").toBe(true);
  });

  it("stops the group of a job run through sudo with root's kill, through sudo (sudo relays the user's signal to its command alone)", async () => {
    const dir = scratchDir('ks-guard-sudo-');
    const log = join(dir, 'sudo.log');
    const childFile = join(dir, 'child');
    // A stand-in for sudo that records what it is asked to run.
    writeFileSync(join(dir, 'sudo'), '#!/bin/sh\n[ "$1" = -n ] && shift\nprintf \'%s\\n\' "$*" >> "$KS_SUDO_LOG"\nexec "$@"\n');
    chmodSync(join(dir, 'sudo'), 0o755);
    const r = await runGuarded(
      `ks_guard sudo -n sh -c 'sleep 300 & echo $! > "$1"; wait' sh ${JSON.stringify(childFile)}`,
      { PATH: `${dir}:${process.env.PATH ?? ''}`, KS_SUDO_LOG: log },
      () => existsSync(childFile),
    );
    expect(r.stdout).toContain('rc=143');
    const child = Number(readFileSync(childFile, 'utf8'));
    const stopped = await gone(child);
    if (!stopped) process.kill(child, 'SIGKILL');
    expect(stopped).toBe(true);
    const ran = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(ran[0]).toMatch(/^sh -c /);
    expect(ran[1]).toMatch(/^kill -s TERM -- -\d+$/);
  });

  it('kills, 5 s later, what ignores SIGTERM', async () => {
    const dir = scratchDir('ks-guard-kill-');
    const childFile = join(dir, 'child');
    const r = await runGuarded(
      `ks_guard sh -c 'trap "" TERM; sleep 300 & echo $! > "$1"; wait' sh ${JSON.stringify(childFile)}`,
      { PATH: process.env.PATH ?? '' },
      () => existsSync(childFile),
    );
    expect(r.stdout).toContain('rc=137');
    expect(r.ms).toBeGreaterThan(4000);
    expect(r.ms).toBeLessThan(15_000);
    const child = Number(readFileSync(childFile, 'utf8'));
    const stopped = await gone(child);
    if (!stopped) process.kill(child, 'SIGKILL');
    expect(stopped).toBe(true);
  }, 20_000);

  it("returns the command's own status while kafka-setup stays connected", async () => {
    const r = await runGuarded('ks_guard sh -c "exit 7"', { PATH: process.env.PATH ?? '' }, (out) => out.includes('rc='));
    expect(r.stdout).toContain('rc=7');
  });
});

describe('format-storage (KRaft) when kafka-setup goes away', () => {
  it('stops kafka-storage.sh mid-format: nothing formatted, no half-made directory left, the cluster id kept for the next run', async () => {
    const home = scratchDir('ks-format-');
    const install = join(home, 'kafka_2.13-4.1.1');
    const pidFile = join(home, 'tool.pid');
    mkdirSync(join(install, 'bin'), { recursive: true });
    mkdirSync(join(install, 'config'), { recursive: true });
    writeFileSync(join(install, 'config', 'server.properties'), 'process.roles=broker,controller\nnode.id=1\nlog.dirs=/nowhere\n');
    // A stand-in for the tool: its first file in the directory its config names, then a slow finish.
    writeFileSync(
      join(install, 'bin', 'kafka-storage.sh'),
      [
        '#!/bin/sh',
        'while [ $# -gt 0 ]; do [ "$1" = --config ] && conf=$2; shift; done',
        'dir=$(sed -n "s/^log.dirs=//p" "$conf" | tail -n 1)',
        ': > "$dir/bootstrap.checkpoint"',
        'echo $$ > "$KS_TOOL_PID"',
        'sleep 300',
        'printf "version=1\\nnode.id=1\\ncluster.id=x\\n" > "$dir/meta.properties"',
        '',
      ].join('\n'),
    );
    chmodSync(join(install, 'bin', 'kafka-storage.sh'), 0o755);
    const v = baseVars({ options: { installDir: '~/kafka_2.13-4.1.1' }, dist: { kafkaVersion: '4.1.1', scalaVersion: '2.13' } });
    const data = join(home, 'kafka-data');
    const script = remoteScript(
      'format-storage',
      {
        ...v,
        KS_DATA_DIR: data,
        KS_LOG_DIR: join(data, 'kafka-logs'),
        KS_CLUSTER_ID: 'MkU3OEVBNTcwNTJENDM2Qk',
        KS_QUORUM: 'standalone',
        KS_INITIAL_CONTROLLERS: '',
      },
      ['probe-lib', 'format-storage'],
    ).text;
    const r = await runGuarded('', { PATH: process.env.PATH ?? '', HOME: home, KS_TOOL_PID: pidFile }, () => existsSync(pidFile), script);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stdout).toContain('kind=format_failed');
    const tool = Number(readFileSync(pidFile, 'utf8'));
    const stopped = await gone(tool);
    if (!stopped) process.kill(tool, 'SIGKILL');
    expect(stopped, 'kafka-storage.sh survived').toBe(true);
    expect(readdirSync(data).sort()).toEqual(['cluster.id']);
    expect(readFileSync(join(data, 'cluster.id'), 'utf8')).toBe('MkU3OEVBNTcwNTJENDM2Qk\n');
  });
});
