/**
 * Builds (or finds cached) the Kafka 3.1.0 test distribution; see fixtures/kafka-dist/build.sh.
 * Maven Central on a cold machine, a no-op while the inputs are unchanged.
 */
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export async function buildDistribution(outDir: string): Promise<string> {
  const script = fileURLToPath(new URL('../fixtures/kafka-dist/build.sh', import.meta.url));
  await execa(script, [outDir], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 900_000 });
  return outDir;
}
