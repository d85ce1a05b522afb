import { describe, expect, it } from 'vitest';
import { judgeQuorum, stopRisk, untilCaughtUp, untilInQuorum, untilWhole } from '../../src/cluster/cluster-health.js';
import type { QuorumState } from '../../src/host/operations.js';
import type { Serving } from '../../src/host/serving.js';
import type { ZookeeperMode } from '../../src/host/zookeeper-mode.js';

const answers = <T>(list: T[]) => {
  let i = 0;
  return async (): Promise<T> => list[Math.min(i++, list.length - 1)]!;
};

describe('waiting for a restarted ZooKeeper to rejoin its ensemble', () => {
  it('waits while it has no quorum, until it leads or follows', async () => {
    const q = await untilInQuorum(
      {
        zookeeperMode: answers<ZookeeperMode>([
          { reason: 'it is not serving (no quorum)' },
          { reason: 'connection refused' },
          { mode: 'follower' },
        ]),
      },
      10_000,
    );
    expect(q).toMatchObject({ ok: true, detail: 'follower' });
  });
  it('gives up after its time, saying what it saw last; a host that cannot be asked is not waited for', async () => {
    expect(await untilInQuorum({ zookeeperMode: answers<ZookeeperMode>([{ mode: 'standalone' }]) }, 0)).toMatchObject({
      ok: false,
      detail: 'mode standalone',
    });
    expect(
      await untilInQuorum({ zookeeperMode: answers<ZookeeperMode>([{ reason: 'this connection cannot forward ports' }]) }, 10_000),
    ).toMatchObject({ ok: true });
  });
});

describe('waiting for the cluster to be whole', () => {
  it('every broker registered and nothing under-replicated', async () => {
    const serving = answers<Serving>([
      { state: 'listed', brokers: [0, 2], controllerId: 0, partitions: 4, underReplicated: 0 },
      { state: 'listed', brokers: [0, 2, 3], controllerId: 0, partitions: 4, underReplicated: 1 },
      { state: 'listed', brokers: [0, 2, 3], controllerId: 0, partitions: 4, underReplicated: 0 },
    ]);
    const w = await untilWhole({ serving }, 3, 10_000);
    expect(w).toMatchObject({ ok: true, detail: '3 of 3 brokers registered, 0 of 4 partitions under-replicated' });
  });
});

describe("a KRaft cluster's quorum during a rolling restart", () => {
  const r = (id: number, status: 'leader' | 'follower', lag: number, ago: number) => ({
    id,
    status,
    lag,
    logEndOffset: 10,
    lastFetchMs: 100_000 - ago,
    lastCaughtUpMs: 100_000 - ago,
  });
  const state = (replicas: ReturnType<typeof r>[]): QuorumState => ({
    answered: true,
    leaderId: 1,
    epoch: undefined,
    maxLag: 0,
    voters: [1, 2, 3],
    replicas,
  });
  const whole = state([r(1, 'leader', 0, 0), r(2, 'follower', 0, 100), r(3, 'follower', 2, 100)]);
  it('waits until every voter has caught up (a restarted node replaying the log is not yet)', async () => {
    const behind = state([r(1, 'leader', 0, 0), r(2, 'follower', 0, 100), { ...r(3, 'follower', 4000, 200), lastCaughtUpMs: 50_000 }]);
    const q = await untilCaughtUp(
      { quorum: answers<QuorumState>([{ answered: false, reason: 'nothing listens' }, behind, whole]) },
      10_000,
    );
    expect(q).toMatchObject({
      ok: true,
      detail: 'leader 1; 1: lag 0, fetched 0.0 s ago; 2: lag 0, fetched 0.1 s ago; 3: lag 2, fetched 0.1 s ago',
    });
  });
  it('a node is stopped only when every other voter is up and caught up', () => {
    expect(stopRisk(judgeQuorum(whole), 2)).toBeUndefined();
    const oneDown = judgeQuorum(state([r(1, 'leader', 0, 0), r(2, 'follower', 700, 20_000), r(3, 'follower', 0, 100)]));
    expect(oneDown.ok).toBe(false);
    expect(stopRisk(oneDown, 3)).toBe('voter 2: stalled, lag 700, fetched 20.0 s ago');
    expect(stopRisk(oneDown, 2)).toBeUndefined();
    expect(stopRisk(judgeQuorum({ answered: false, reason: 'nothing listens' }), 1)).toBe(
      'the quorum could not be described (nothing listens)',
    );
  });
});
