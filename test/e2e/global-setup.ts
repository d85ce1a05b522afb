/**
 * Prepares the real target of the e2e suite once: the Kafka test distribution (from Maven Central,
 * cached), the local download mirror, and the sshd host with its EC2-like user. Where the suite
 * cannot run at all (not root, not Linux) it skips with one loud line — unless KAFKA_SETUP_E2E=required
 * (CI), where that is a failure. Where it can run, any set-up failure fails the suite.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { buildDistribution } from './support/dist.js';
import { startHost, stopHost, type E2eHost } from './support/host.js';
import { startMirror, type Mirror } from './support/mirror.js';
import type { E2eContext } from './support/context.js';

function cannotRun(): string | undefined {
  if (process.platform !== 'linux') return `this is ${process.platform}, not Linux`;
  if (process.getuid?.() !== 0) return 'not running as root (it creates a user, runs sshd and edits /etc/hosts)';
  return undefined;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reason = cannotRun();
  if (reason) {
    if (process.env.KAFKA_SETUP_E2E === 'required') throw new Error(`e2e suite required (KAFKA_SETUP_E2E=required) but cannot run: ${reason}`);
    process.stderr.write(`\n*** e2e SKIPPED: ${reason} — the end-to-end suite needs root on Linux ***\n\n`);
    project.provide('e2e', { skip: reason } satisfies E2eContext);
    return async () => {};
  }
  const root = fileURLToPath(new URL('../..', import.meta.url));
  let mirror: Mirror | undefined;
  let host: E2eHost | undefined;
  const teardown = async (): Promise<void> => {
    if (host) await stopHost(host);
    await mirror?.close();
  };
  try {
    const distDir = await buildDistribution(join(root, '.cache/e2e/dist'));
    mirror = await startMirror(distDir);
    host = await startHost();
    project.provide('e2e', {
      host,
      mirror: { baseUrl: mirror.baseUrl, good: mirror.good, missing: mirror.missing, corrupt: mirror.corrupt },
      distDir,
      root,
    } satisfies E2eContext);
  } catch (err) {
    await teardown();
    throw new Error(`the e2e suite could not set up its target host: ${(err as Error).message}\n` +
      'It needs openssh-server, sudo, kcat and tmux (apt-get install -y openssh-server sudo kcat tmux) and Maven with access to Maven Central; .ci/run installs them.');
  }
  return teardown;
}
