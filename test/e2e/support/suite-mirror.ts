/**
 * What both global setups (e2e, parallel) start first: the Kafka 3.1.0 and 4.x test distributions,
 * built or found cached (build.sh locks them against the other process's setup), and a mirror
 * serving them; with the context fields that describe them. (No runtime import of vitest here, nor of
 * context.ts: a global setup runs outside vitest's workers.)
 */
import { resolve } from 'node:path';
import type { E2eContext } from './context.js';
import { buildDistribution, buildKafka4Distributions, KAFKA4_VERSIONS } from './dist.js';
import { type Mirror, startMirror } from './mirror.js';

export async function startSuiteMirror(
  root: string,
): Promise<{ mirror: Mirror; context: Required<Pick<E2eContext, 'mirror' | 'distDir' | 'dist4Dir' | 'kafka4Versions' | 'root'>> }> {
  const distDir = await buildDistribution(resolve(root, '.cache/e2e/dist'));
  const dist4Dir = await buildKafka4Distributions(resolve(root, '.cache/e2e/dist4'), KAFKA4_VERSIONS);
  const mirror = await startMirror(distDir, [dist4Dir]);
  return { mirror, context: { mirror: mirrorContext(mirror), distDir, dist4Dir, kafka4Versions: [...KAFKA4_VERSIONS], root } };
}

/** A running mirror's URLs, as the context gives them to the test files. */
function mirrorContext(m: Mirror): NonNullable<E2eContext['mirror']> {
  return {
    baseUrl: m.baseUrl,
    good: m.good,
    hostile: m.hostile,
    missing: m.missing,
    corrupt: m.corrupt,
    slow: m.slow,
    portal: m.portal,
    stall: m.stall,
  };
}
