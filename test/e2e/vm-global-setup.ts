/**
 * vitest global setup of the vm project (the VM files, run beside the e2e project): the Kafka test
 * distribution and a mirror of its own, provided as inject('vm') (support/vm-suite.ts). No loopback
 * host: the VMs are the targets. Like the e2e setup, it skips loudly off Linux or as non-root, fails
 * with KAFKA_SETUP_E2E=required, and never turns a failure to set up into a skip.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { cannotRun } from '../../scripts/e2e-machine.mjs';
import { buildDistribution } from './support/dist.js';
import { lacking } from './support/machine.js';
import { startMirror } from './support/mirror.js';
import type { VmContext } from './support/vm-suite.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reason = cannotRun();
  if (reason) {
    if (process.env.KAFKA_SETUP_E2E === 'required') throw new Error(`KAFKA_SETUP_E2E=required, but the VM tests cannot run: ${reason}`);
    process.stderr.write(`e2e VM tests SKIPPED: ${reason} — they need root on Linux\n`);
    project.provide('vm', { skip: reason } satisfies VmContext);
    return async () => {};
  }
  const missing = lacking();
  if (missing) throw missing;
  try {
    // Cached, and locked against the e2e project's setup building it at the same time (build.sh's flock).
    const distDir = await buildDistribution(resolve(root, '.cache/e2e/dist'));
    const mirror = await startMirror(distDir);
    project.provide('vm', { mirror: { good: mirror.good, port: Number(new URL(mirror.baseUrl).port) }, distDir } satisfies VmContext);
    return () => mirror.close();
  } catch (err) {
    throw new Error(`the VM tests could not set up their mirror: ${(err as Error).message}`, { cause: err });
  }
}
