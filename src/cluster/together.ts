/**
 * Whether a cluster's JVMs start and stop all at once (KRaft: a node's start waits for a majority of
 * controllers, and its controlled shutdown needs one, so a node stopped after the others would wait out
 * its stop timeout for a quorum already gone) or one host at a time (ZooKeeper's and the brokers).
 */
import type { KafkaMode } from '../kafka/mode.js';

export const TOGETHER: Record<KafkaMode['clusterQuorum'], boolean> = { ensemble: false, controllers: true };

/** `work` for each of these at once; the first failure is thrown once all have ended. */
export async function together<T>(which: readonly T[], work: (x: T, i: number) => Promise<void>): Promise<void> {
  const settled = await Promise.allSettled(which.map(work));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
