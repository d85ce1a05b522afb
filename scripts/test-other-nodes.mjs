#!/usr/bin/env node
/**
 * The unit tests on the other supported Node majors (22 and 24); the newest LTS (26, package.json's
 * devDependency `node`) runs the full suite in `npm test` beside this. Then Node 20, which kafka-setup
 * no longer supports, must get the engines message (src/node-support.ts), not a stack trace. The
 * binaries come from the npm registry (`npx -y node@22`, cached after the first run), so no version
 * manager is needed. Fails when a run fails, or when the Node that answered is not the major asked
 * for (a test on the wrong Node proves nothing).
 *
 * Both majors run at once: the unit suite mostly waits (timers, child processes), so this halves the
 * wall time. Each run's output is printed whole when it ends, so the two do not interleave.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAJORS = ['22', '24'];
const UNSUPPORTED = '20';
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

/** The full version npx's `node@major` answers with, or a failure's text. */
async function versionOf(major) {
  const probe = await npxNode(major, ['-p', 'process.versions.node']);
  const version = probe.out.trim().split('\n').pop() ?? '';
  if (probe.code !== 0 || version.split('.')[0] !== major) {
    return {
      error: `${probe.out}test-other-nodes: could not get Node ${major} with npx (got ${JSON.stringify(version)}, exit ${probe.code})\n`,
    };
  }
  return { version };
}

async function unitTestsOn(major) {
  const { version, error } = await versionOf(major);
  if (error) return { ok: false, text: error };
  const run = await npxNode(major, ['node_modules/vitest/vitest.mjs', 'run', '--project', 'unit']);
  const verdict = run.code === 0 ? '' : `test-other-nodes: the unit tests failed on Node ${version} (exit ${run.code})\n`;
  return { ok: run.code === 0, text: `\n── unit tests on Node ${version} ──\n${run.out}${verdict}` };
}

/** An unsupported Node runs the built CLI: exit 1 and the engines message on stderr, nothing else. */
async function refusedOn(major) {
  const { version, error } = await versionOf(major);
  if (error) return { ok: false, text: error };
  const run = await npxNode(major, ['dist/cli.js', '--version']);
  const want = `error: kafka-setup needs Node.js 22.13 or newer; this is Node.js ${version}\n`;
  const ok = run.code === 1 && run.out.startsWith(want) && /^what to do: .*\n$/.test(run.out.slice(want.length));
  const verdict = ok
    ? 'refused with the engines message, exit 1\n'
    : `test-other-nodes: expected the engines message and exit 1, got exit ${run.code}:\n${run.out}`;
  return { ok, text: `\n── kafka-setup --version on Node ${version} ──\n${verdict}` };
}

const results = [...(await Promise.all(MAJORS.map(unitTestsOn))), await refusedOn(UNSUPPORTED)];
for (const r of results) process.stdout.write(r.text);
if (results.some((r) => !r.ok)) process.exit(1);
