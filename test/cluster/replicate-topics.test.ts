import { describe, expect, it } from 'vitest';
import { plannedReplication, replicateTopics } from '../../src/cluster/replicate-topics.js';
import type { HostRun } from '../../src/commands/init-host.js';
import type { Serving } from '../../src/host/serving.js';
import type { PartitionReplicas } from '../../src/kafka/replicas.js';
import type { StepReport } from '../../src/steps/runner.js';
import { createReporter } from '../../src/ui/reporter.js';

const members = [
  { id: 1, brokerId: 0, address: '10.0.0.1' },
  { id: 2, brokerId: 2, address: '10.0.0.2' },
  { id: 3, brokerId: 3, address: '10.0.0.3' },
];

/** A cluster whose metadata (asked through any member) is `assignment`, the controller broker 2; reassign moves it on. */
function cluster(assignment: PartitionReplicas[], o: { changed?: boolean; early?: Serving; catchUpAfter?: number; fresh?: boolean } = {}) {
  const calls: Array<{ through: number; plan: readonly PartitionReplicas[] }> = [];
  let now = assignment;
  let asked = 0;
  let pending: readonly PartitionReplicas[] = [];
  const serving = async (): Promise<Serving> => {
    asked++;
    if (pending.length > 0 && asked > (o.catchUpAfter ?? 1)) {
      now = now
        .map((p) => pending.find((q) => q.topic === p.topic && q.partition === p.partition) ?? p)
        .map((p) => ({ ...p, inSync: true }));
    }
    return { state: 'listed', brokers: [0, 2, 3], controllerId: 2, assignment: now };
  };
  const runs = members.map((m) => ({
    ctx: {
      cluster: { self: m.id, members },
      facts: {
        serving: o.early,
        install: { path: '/home/u/kafka_2.12-3.1.0' },
        files: { 'server.properties': { content: `broker.id=${m.brokerId}\n` }, 'zookeeper.properties': { content: '' } },
        // Each broker held data before this run (else there is nothing to ask about).
        dataDirs: new Map(
          o.fresh
            ? []
            : [['/home/u/kafka-data/kafka-logs', { path: '/home/u/kafka-data/kafka-logs', state: 'data', brokerId: m.brokerId }]],
        ),
      },
      host: {
        serving,
        reassign: async (plan: readonly PartitionReplicas[]) => {
          calls.push({ through: m.brokerId, plan });
          pending = plan;
        },
      },
    },
    reports: [{ id: 'broker', title: '', outcome: o.changed === false ? 'skipped' : 'done', detail: '' }] as StepReport[],
  })) as unknown as HostRun[];
  return { runs, calls, asked: () => asked };
}
const quiet = createReporter({ tty: false, color: false, verbose: false, quiet: true, err: { write: () => true } as never });
const single = (topic: string, n: number) =>
  Array.from({ length: n }, (_, partition) => ({ topic, partition, replicas: [0], inSync: true }));

describe('replicating short topics after a cluster init', () => {
  it('the first cluster init: every short topic, asked of the controller, waited for until in sync', async () => {
    const c = cluster([...single('orders', 2), ...single('__consumer_offsets', 2)], { catchUpAfter: 3 });
    await replicateTopics(c.runs, { userTopics: true, waitMs: 10_000 }, quiet);
    expect(c.calls).toHaveLength(1);
    expect(c.calls[0]!.through).toBe(2);
    expect(c.calls[0]!.plan.map((p) => `${p.topic}/${p.partition}:${p.replicas.join(',')}`)).toEqual([
      'orders/0:0,2,3',
      'orders/1:0,2,3',
      '__consumer_offsets/0:0,2,3',
      '__consumer_offsets/1:0,2,3',
    ]);
    expect(c.asked()).toBeGreaterThanOrEqual(3);
  });
  it("later runs: only Kafka's internal topics; nothing short asks nothing of the controller", async () => {
    const c = cluster([...single('orders', 1), ...single('__consumer_offsets', 1)]);
    await replicateTopics(c.runs, { userTopics: false, waitMs: 10_000 }, quiet);
    expect(c.calls[0]!.plan.map((p) => p.topic)).toEqual(['__consumer_offsets']);
    const whole = cluster([{ topic: 'orders', partition: 0, replicas: [0, 2, 3], inSync: true }]);
    await replicateTopics(whole.runs, { userTopics: true }, quiet);
    expect(whole.calls).toEqual([]);
    const fresh = cluster(single('orders', 1), { fresh: true });
    await replicateTopics(fresh.runs, { userTopics: true }, quiet);
    expect([fresh.asked(), fresh.calls.length]).toEqual([0, 0]);
  });
  it('a run that changed nothing decides from the metadata asked before its steps', async () => {
    const early: Serving = {
      state: 'listed',
      brokers: [0, 2, 3],
      controllerId: 2,
      assignment: [{ topic: 'orders', partition: 0, replicas: [0, 2, 3], inSync: true }],
    };
    const c = cluster(single('orders', 1), { changed: false, early });
    await replicateTopics(c.runs, { userTopics: true }, quiet);
    expect(c.asked()).toBe(0);
    expect(c.calls).toEqual([]);
  });
  it('a dry run names what would get more replicas, with the brokers as planned', () => {
    const early: Serving = {
      state: 'listed',
      brokers: [0],
      controllerId: 0,
      assignment: [...single('orders', 3), ...single('__consumer_offsets', 1)],
    };
    const c = cluster([], { early });
    expect(plannedReplication(c.runs, { userTopics: true })).toBe('then give orders, __consumer_offsets (4 partitions) 3 replicas');
    expect(plannedReplication(c.runs, { userTopics: false })).toBe('then give __consumer_offsets (1 partition) 3 replicas');
    expect(plannedReplication(cluster([]).runs, { userTopics: true })).toBeUndefined();
  });
  it('copies not in sync in time: an error that says Kafka goes on copying', async () => {
    const c = cluster(single('orders', 1), { catchUpAfter: 1000 });
    await expect(replicateTopics(c.runs, { userTopics: true, waitMs: 1500 }, quiet)).rejects.toThrow(/were not in sync within/);
  });
});
