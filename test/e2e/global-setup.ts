/**
 * vitest global setup of the e2e suite: builds (or finds cached) the Kafka 3.1.0 and 4.x test
 * distributions, starts the download mirror and the SSH host, and provides them to the test files as
 * inject('e2e') (see support/context.ts). The suite runs only as root on Linux; elsewhere it is
 * skipped with one loud line, or fails when KAFKA_SETUP_E2E=required (CI). Where it can run, any
 * failure to set up the target fails the suite: it never turns into a skip.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { cannotRun } from '../../scripts/e2e-machine.mjs';
import type { E2eContext } from './support/context.js';
import { type E2eHost, startHost, stopHost } from './support/host.js';
import { lacking } from './support/machine.js';
import type { Mirror } from './support/mirror.js';
import { startSuiteMirror } from './support/suite-mirror.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reason = cannotRun();
  if (reason) {
    if (process.env.KAFKA_SETUP_E2E === 'required') throw new Error(`KAFKA_SETUP_E2E=required, but the e2e suite cannot run: ${reason}`);
    process.stderr.write(`e2e SKIPPED: ${reason} — the end-to-end suite needs root on Linux\n`);
    project.provide('e2e', { skip: reason } satisfies E2eContext);
    return async () => {};
  }
  const missing = lacking();
  if (missing) throw missing;

  let mirror: Mirror | undefined;
  let host: E2eHost | undefined;
  const teardown = async (): Promise<void> => {
    const errors: unknown[] = [];
    if (host) await stopHost(host).catch((err: unknown) => errors.push(err));
    if (mirror) await mirror.close().catch((err: unknown) => errors.push(err));
    host = undefined;
    mirror = undefined;
    if (errors.length > 0) throw new AggregateError(errors, `e2e teardown: ${errors.map(String).join('; ')}`);
  };

  try {
    const suite = await startSuiteMirror(root);
    mirror = suite.mirror;
    // The root trees of the fresh, nspawn and Amazon Linux 2023 hosts are built by their files' beforeAll, only when those run (cached in .cache/e2e).
    host = await startHost();
    project.provide('e2e', { host, ...suite.context } satisfies E2eContext);
  } catch (err) {
    await teardown().catch((cleanupErr: unknown) => process.stderr.write(`e2e: cleaning up after a failed setup: ${String(cleanupErr)}\n`));
    throw new Error(
      `the e2e suite could not set up its target: ${(err as Error).message}\n` +
        'It needs root on Linux, the packages of scripts/e2e-machine.mjs, and access to Maven Central (or a warm ~/.m2).',
      { cause: err },
    );
  }
  return teardown;
}
