/**
 * Builds (or finds cached) the test distributions; see fixtures/kafka-dist/build.sh (3.1.0) and
 * fixtures/kafka4-dist/build.sh (4.x). Maven Central on a cold machine, a no-op while the inputs are
 * unchanged.
 */
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** The Kafka 4.x lines the e2e suite installs: an older and the newest 4.x that Maven Central serves. */
export const KAFKA4_VERSIONS: readonly string[] = ['4.1.1', '4.4.0'];

export async function buildDistribution(outDir: string): Promise<string> {
  const script = fileURLToPath(new URL('../fixtures/kafka-dist/build.sh', import.meta.url));
  await execa(script, [outDir], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 900_000 });
  return outDir;
}

/** kafka_2.13-VERSION.tgz and its .sha512 for each version, all in outDir. */
export async function buildKafka4Distributions(outDir: string, versions: readonly string[] = KAFKA4_VERSIONS): Promise<string> {
  const script = fileURLToPath(new URL('../fixtures/kafka4-dist/build.sh', import.meta.url));
  // One after another: build.sh holds a lock on outDir anyway, and Maven shares ~/.m2.
  for (const version of versions) {
    await execa(script, [outDir, version], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 900_000 });
  }
  return outDir;
}
