/** KRaft cluster ids: a random Uuid in URL-safe base64, as `kafka-storage.sh random-uuid` prints it. */
import { randomBytes } from 'node:crypto';

/**
 * A new cluster id, made here rather than by a JVM on the host (seconds on a small instance). Like
 * Kafka's Uuid.randomUuid, never one that begins with "-" (it would read as an option), nor the two
 * reserved ids (all zero bits; zero but the last bit).
 */
export function newClusterId(): string {
  for (;;) {
    const bytes = randomBytes(16);
    const id = bytes.toString('base64url');
    const reserved = bytes.subarray(0, 15).every((b) => b === 0) && bytes[15]! <= 1;
    if (!id.startsWith('-') && !reserved) return id;
  }
}
