import { describe, expect, it } from 'vitest';
import { describePlan, INTERNAL_TOPICS, type PartitionReplicas, planInSync, raisePlan, replicasByTopic } from '../../src/kafka/replicas.js';

/** Done: every partition of the plan on its new replicas, all in sync. */
const planDone = (plan: PartitionReplicas[], now: PartitionReplicas[]): boolean => planInSync(plan, now) === plan.length;

const single = (topic: string, n: number) => Array.from({ length: n }, (_, partition) => ({ topic, partition, replicas: [0] }));

describe('more replicas for short topics', () => {
  it("keeps each partition's replicas (its leader first) and adds brokers in turn, spreading the new copies", () => {
    const plan = raisePlan(single('orders', 3), [3, 0, 2], 3, () => true);
    expect(plan.map((p) => p.replicas)).toEqual([
      [0, 2, 3],
      [0, 2, 3],
      [0, 2, 3],
    ]);
    expect(raisePlan(single('orders', 2), [0, 1, 2, 3], 3, () => true).map((p) => p.replicas)).toEqual([
      [0, 1, 2],
      [0, 3, 1],
    ]);
  });
  it('leaves what has enough, and topics not asked for; never more replicas than brokers', () => {
    const parts = [
      ...single('orders', 1),
      { topic: '__consumer_offsets', partition: 0, replicas: [0, 2, 3] },
      ...single('__consumer_offsets', 2).slice(1),
    ];
    expect(raisePlan(parts, [0, 2, 3], 3, (t) => INTERNAL_TOPICS.includes(t))).toEqual([
      { topic: '__consumer_offsets', partition: 1, replicas: [0, 2, 3] },
    ]);
    expect(raisePlan(single('orders', 1), [0, 2], 3, () => true)[0]!.replicas).toEqual([0, 2]);
    expect(raisePlan(single('orders', 1), [0], 3, () => true)).toEqual([]);
  });
  it('is done once the metadata shows every partition on its new replicas, all in sync', () => {
    const plan = raisePlan(single('orders', 2), [0, 2, 3], 3, () => true);
    const now = plan.map((p) => ({ ...p, replicas: [...p.replicas].reverse(), inSync: true }));
    expect(planDone(plan, now)).toBe(true);
    expect(planDone(plan, [{ ...now[0]!, inSync: false }, now[1]!])).toBe(false);
    expect(planDone(plan, [now[0]!])).toBe(false);
    expect(planInSync(plan, [now[0]!])).toBe(1);
    expect(planInSync(plan, now)).toBe(2);
    expect(
      planDone(
        plan,
        single('orders', 2).map((p) => ({ ...p, inSync: true })),
      ),
    ).toBe(false);
    expect(describePlan(plan)).toBe('orders (2 partitions)');
  });
  it("each topic's fewest replicas, from the partitions", () => {
    expect(
      replicasByTopic([
        ...single('orders', 2),
        { topic: 'orders', partition: 2, replicas: [0, 2, 3] },
        { topic: 'a', partition: 0, replicas: [2, 3] },
      ]),
    ).toEqual([
      { name: 'orders', replicas: 1 },
      { name: 'a', replicas: 2 },
    ]);
  });
});
