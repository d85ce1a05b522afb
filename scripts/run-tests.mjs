#!/usr/bin/env node
/**
 * The whole suite in two streams at once, each its own vitest process (`npm test` calls this):
 *   e2e │ the loopback-host files, one after another (one real host);
 *   par │ the unit tests, then the files whose targets live in network namespaces of their own (the
 *         VM, nspawn and Amazon Linux hosts, netns clusters), then the unit tests on Node 22 and 24.
 * The two streams share no port, host or account (support/host.ts takes one flock for accounts), so
 * they overlap; the unit tests on the other Nodes fill the time the e2e stream runs alone at the end.
 * Each line is printed as it comes, marked with its stream. Fails when either stream fails.
 *
 * The full suite runs on the newest Node LTS: package.json's devDependency `node`, which npm ci installs
 * from the registry and npm's scripts find first on PATH. Run any other way, it refuses (a suite on
 * another Node than the one it claims proves nothing).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = ['node_modules/vitest/vitest.mjs', 'run'];

const pinned = JSON.parse(readFileSync(new URL('../node_modules/node/package.json', import.meta.url), 'utf8')).version;
if (process.versions.node !== pinned) {
  process.stderr.write(
    `run-tests: this is Node ${process.versions.node}, the suite runs on Node ${pinned} (the devDependency node): run it with npm test\n`,
  );
  process.exit(1);
}
process.stdout.write(`run-tests: the full suite on Node ${process.versions.node}; the unit tests on Node 22 and 24 after the par stream\n`);

/**
 * What each stream said about its failures, printed again at the very end: CI keeps only the tail of
 * the log, and the par stream's last lines would otherwise hide the e2e stream's failed tests.
 */
const failures = new Map();
const FAILURE_LINES = 250;
/** vitest's own summary of failed tests runs from its "Failed Tests" rule to its "Test Files" totals. */
function keepFailures(mark) {
  let inside = false;
  return (line) => {
    const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
    if (/Failed Tests \d+|Failed Suites \d+|Unhandled Errors/.test(plain)) inside = true;
    else if (/^\s*Test Files\s/.test(plain)) inside = false;
    if (!inside) return;
    const kept = failures.get(mark) ?? [];
    if (kept.length < FAILURE_LINES) kept.push(plain);
    failures.set(mark, kept);
  };
}

/** One command of a stream: resolves with its exit code, each output line printed with the stream's mark. */
function run(mark, args) {
  const keep = keepFailures(mark);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const [from, to] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ]) {
      createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => {
        keep(line);
        to.write(`${mark} │ ${line}\n`);
      });
    }
    child.on('error', (err) => {
      process.stderr.write(`${mark} │ ${err.message}\n`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** A stream's commands one after another, on to the end even after a failure; its time and the exit codes. */
async function stream(mark, commands) {
  const started = Date.now();
  const codes = [];
  for (const args of commands) codes.push(await run(mark, args));
  return { mark, codes, seconds: (Date.now() - started) / 1000 };
}

const results = await Promise.all([
  stream('e2e', [[...vitest, '--project', 'e2e']]),
  stream('par', [[...vitest, '--project', 'unit', '--project', 'parallel'], ['scripts/test-other-nodes.mjs']]),
]);
for (const [mark, lines] of failures) {
  process.stdout.write(`\nrun-tests: what the ${mark} stream said of its failures (again, for the log's tail)\n`);
  for (const line of lines) process.stdout.write(`${mark} ✗ ${line}\n`);
}
for (const r of results) {
  const failed = r.codes.filter((c) => c !== 0).length;
  process.stdout.write(
    `run-tests: the ${r.mark} stream ${failed === 0 ? 'passed' : `FAILED (${failed} of its ${r.codes.length} commands)`} in ${r.seconds.toFixed(0)} s\n`,
  );
}
process.exitCode = results.some((r) => r.codes.some((c) => c !== 0)) ? 1 : 0;
