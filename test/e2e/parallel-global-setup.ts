/**
 * vitest global setup of the parallel project: the files whose targets live in network namespaces of
 * their own (the QEMU VM, the nspawn and Amazon Linux hosts, a netns cluster). They share no port with
 * the loopback e2e files, so this project runs beside the e2e project. It builds (or
 * finds cached) the Kafka 3.1.0 and 4.x distributions and starts a mirror of its own, provided as
 * inject('vm') (support/vm-suite.ts) and as inject('e2e') without a loopback host (e2eMirror() in
 * support/context.ts). Like the e2e setup, it skips loudly off Linux or as non-root, fails with
 * KAFKA_SETUP_E2E=required, and never turns a failure to set up into a skip.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { cannotRun } from '../../scripts/e2e-machine.mjs';
import type { E2eContext } from './support/context.js';
import { lacking } from './support/machine.js';
import { startSuiteMirror } from './support/suite-mirror.js';
import type { VmContext } from './support/vm-suite.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reason = cannotRun();
  if (reason) {
    if (process.env.KAFKA_SETUP_E2E === 'required')
      throw new Error(`KAFKA_SETUP_E2E=required, but the systemd-host tests cannot run: ${reason}`);
    process.stderr.write(`e2e systemd-host tests (VM, nspawn, Amazon Linux) SKIPPED: ${reason} — they need root on Linux\n`);
    project.provide('vm', { skip: reason } satisfies VmContext);
    project.provide('e2e', { skip: reason } satisfies E2eContext);
    return async () => {};
  }
  const missing = lacking();
  if (missing) throw missing;
  try {
    const { mirror, context } = await startSuiteMirror(root);
    project.provide('vm', {
      mirror: { good: mirror.good, port: Number(new URL(mirror.baseUrl).port) },
      distDir: context.distDir,
    } satisfies VmContext);
    project.provide('e2e', context satisfies E2eContext);
    return () => mirror.close();
  } catch (err) {
    throw new Error(`the systemd-host tests could not set up their mirror: ${(err as Error).message}`, { cause: err });
  }
}
