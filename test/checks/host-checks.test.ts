/** The host's quorum check (KRaft): this node, by its own node.id, in the quorum and keeping up. */
import { describe, expect, it } from 'vitest';
import { quorumCheck } from '../../src/checks/host-checks.js';
import type { QuorumState } from '../../src/host/operations.js';
import type { QuorumReplica } from '../../src/kafka/quorum.js';

const rows = (lag3: number, fetchAgo3: number, caughtAgo3: number) => [
  { id: 1, status: 'leader' as const, lag: 0, logEndOffset: 50, lastFetchMs: 100_000, lastCaughtUpMs: 100_000 },
  { id: 2, status: 'follower' as const, lag: 0, logEndOffset: 50, lastFetchMs: 99_900, lastCaughtUpMs: 99_900 },
  {
    id: 3,
    status: 'follower' as const,
    lag: lag3,
    logEndOffset: 50 - lag3,
    lastFetchMs: 100_000 - fetchAgo3,
    lastCaughtUpMs: 100_000 - caughtAgo3,
  },
];
const answered = (replicas: QuorumReplica[], maxLag = 0): QuorumState => ({
  answered: true,
  leaderId: 1,
  epoch: 2,
  maxLag,
  voters: [1, 2, 3],
  replicas,
});

describe("the host's quorum check", () => {
  it('node 3 of a cluster, a follower caught up: pass, naming its own lag (not the node id 1 a single server has)', () => {
    const c = quorumCheck(answered(rows(1, 100, 200), 1), true, 3);
    expect(c.status).toBe('pass');
    expect(c.detail).toBe('leader 1 (epoch 2), voters [1, 2, 3]; node 3: lag 1, fetched 0.1 s ago');
  });
  it('a node that is not a voter of the quorum: warned with its own id', () => {
    expect(quorumCheck(answered(rows(0, 0, 0)), true, 4)).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/node 4 is not a voter$/),
    });
  });
  it('a node catching up warns; one that stopped fetching fails', () => {
    expect(quorumCheck(answered(rows(900, 100, 30_000)), true, 3).status).toBe('warn');
    expect(quorumCheck(answered(rows(900, 30_000, 30_000)), true, 3)).toMatchObject({ status: 'fail', fix: expect.stringMatching(/9094/) });
  });
  it("without the leader's rows (one server, or --replication unanswered): the largest lag, as before", () => {
    expect(quorumCheck({ answered: true, leaderId: 1, epoch: 1, maxLag: 0, voters: [1] }, true, 1).status).toBe('pass');
    expect(quorumCheck({ answered: true, leaderId: 1, epoch: 1, maxLag: 3, voters: [1, 2, 3] }, true, 2).status).toBe('warn');
    expect(quorumCheck({ answered: true, leaderId: -1, epoch: 1, maxLag: 0, voters: [1] }, true, 1).status).toBe('fail');
    expect(quorumCheck({ answered: false, reason: 'x' }, false, 1)).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/kafka-setup init/),
    });
  });
});
