import { describe, expect, it } from 'vitest';
import { untilInQuorum, untilWhole } from '../../src/commands/cluster-health.js';
import type { ZookeeperMode } from '../../src/host/zookeeper-mode.js';
import type { Serving } from '../../src/host/serving.js';

const answers = <T>(list: T[]) => {
  let i = 0;
  return async (): Promise<T> => list[Math.min(i++, list.length - 1)]!;
};

describe('waiting for a restarted ZooKeeper to rejoin its ensemble', () => {
  it('waits while it has no quorum, until it leads or follows', async () => {
    const q = await untilInQuorum({ zookeeperMode: answers<ZookeeperMode>([{ reason: 'it is not serving (no quorum)' }, { reason: 'connection refused' }, { mode: 'follower' }]) }, 10_000);
    expect(q).toMatchObject({ ok: true, detail: 'follower' });
  });
  it('gives up after its time, saying what it saw last; a host that cannot be asked is not waited for', async () => {
    expect(await untilInQuorum({ zookeeperMode: answers<ZookeeperMode>([{ mode: 'standalone' }]) }, 0)).toMatchObject({ ok: false, detail: 'mode standalone' });
    expect(await untilInQuorum({ zookeeperMode: answers<ZookeeperMode>([{ reason: 'this connection cannot forward ports' }]) }, 10_000)).toMatchObject({ ok: true });
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
