/**
 * More replicas for topics that have fewer than the cluster keeps: a single server's topics (one
 * copy each, on its broker) once it has become a member, and Kafka's internal topics once a cluster
 * has grown past their replication factor. Each partition keeps its replicas, the first (its
 * preferred leader) first, and gains the brokers it lacks in turn, so that the new copies spread evenly.
 */

export interface PartitionReplicas {
  topic: string;
  partition: number;
  replicas: number[];
  /** Every replica in sync, and a leader (as the metadata told; absent in a plan). */
  inSync?: boolean;
}

/** Topics Kafka makes itself, whose replication factor the broker's config sets. */
export const INTERNAL_TOPICS: readonly string[] = ['__consumer_offsets', '__transaction_state'];

/** The new replicas of each partition of `topics` that has fewer than `factor` (at most one per broker). */
export function raisePlan(
  partitions: readonly PartitionReplicas[],
  brokers: readonly number[],
  factor: number,
  topics: (name: string) => boolean,
): PartitionReplicas[] {
  const sorted = [...new Set(brokers)].sort((a, b) => a - b);
  const want = Math.min(factor, sorted.length);
  const plan: PartitionReplicas[] = [];
  for (const p of partitions) {
    if (!topics(p.topic) || p.replicas.length >= want) continue;
    const need = want - p.replicas.length;
    const candidates = sorted.filter((b) => !p.replicas.includes(b));
    const start = (p.partition * need) % candidates.length;
    const added = Array.from({ length: need }, (_, k) => candidates[(start + k) % candidates.length]!);
    plan.push({ topic: p.topic, partition: p.partition, replicas: [...p.replicas, ...added] });
  }
  return plan;
}

/** "orders, __consumer_offsets (53 partitions)": what a plan touches, in a few words. */
export function describePlan(plan: readonly PartitionReplicas[]): string {
  const topics = [...new Set(plan.map((p) => p.topic))];
  const named = topics.slice(0, 5).join(', ') + (topics.length > 5 ? ` and ${topics.length - 5} more` : '');
  return `${named} (${plan.length} partition${plan.length > 1 ? 's' : ''})`;
}

/** Every topic with its fewest replicas of any partition (a single server's topics keep 1 in a cluster). */
export function replicasByTopic(partitions: readonly PartitionReplicas[]): Array<{ name: string; replicas: number }> {
  const fewest = new Map<string, number>();
  for (const p of partitions) fewest.set(p.topic, Math.min(fewest.get(p.topic) ?? Infinity, p.replicas.length));
  return [...fewest].map(([name, replicas]) => ({ name, replicas }));
}

/** How many partitions of the plan have all their planned replicas, every one in sync. */
export function planInSync(plan: readonly PartitionReplicas[], now: readonly PartitionReplicas[]): number {
  const key = (p: PartitionReplicas): string => `${p.topic}\0${p.partition}`;
  const seen = new Map(now.map((p) => [key(p), p]));
  return plan.filter((p) => {
    const n = seen.get(key(p));
    return (
      n !== undefined && n.inSync === true && n.replicas.length === p.replicas.length && p.replicas.every((r) => n.replicas.includes(r))
    );
  }).length;
}
