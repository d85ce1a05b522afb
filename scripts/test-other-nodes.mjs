#!/usr/bin/env node
/**
 * The unit tests on the other Node majors users run (22 and 24); the machine's own Node (20) runs the
 * full suite in `npm test` before this. The binaries come from the npm registry (`npx -y node@22`,
 * cached after the first run), so no version manager is needed. Fails when a run fails, or when the
 * Node that answered is not the major asked for (a test on the wrong Node proves nothing).
 *
 * Both majors run at once: the unit suite mostly waits (timers, child processes), so this halves the
 * wall time. Each run's output is printed whole when it ends, so the two do not interleave.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAJORS = ['22', '24'];
const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs `node@major args…` through npx; resolves with its exit code and everything it printed. */
function npxNode(major, args) {
  return new Promise((resolve) => {
    const child = spawn('npx', ['--yes', `node@${major}`, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (err) => resolve({ code: 1, out: `${out}${err.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
  });
}

async function unitTestsOn(major) {
  const probe = await npxNode(major, ['-p', 'process.versions.node']);
  const version = probe.out.trim().split('\n').pop() ?? '';
  if (probe.code !== 0 || version.split('.')[0] !== major) {
    return { ok: false, text: `${probe.out}test-other-nodes: could not get Node ${major} with npx (got ${JSON.stringify(version)}, exit ${probe.code})\n` };
  }
  const run = await npxNode(major, ['node_modules/vitest/vitest.mjs', 'run', '--project', 'unit']);
  const verdict = run.code === 0 ? '' : `test-other-nodes: the unit tests failed on Node ${version} (exit ${run.code})\n`;
  return { ok: run.code === 0, text: `\n── unit tests on Node ${version} ──\n${run.out}${verdict}` };
}

const results = await Promise.all(MAJORS.map(unitTestsOn));
for (const r of results) process.stdout.write(r.text);
if (results.some((r) => !r.ok)) process.exit(1);
