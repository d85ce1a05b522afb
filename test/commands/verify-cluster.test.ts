import { describe, expect, it } from 'vitest';
import { controllerQuorumCheck, copiesCheck, ensembleCheck } from '../../src/commands/verify-cluster.js';

describe('the ensemble check', () => {
  it('passes with one leader and followers', () => {
    const c = ensembleCheck([
      { host: 'a', zk: { mode: 'follower' } },
      { host: 'b', zk: { mode: 'leader' } },
      { host: 'c', zk: { mode: 'follower' } },
    ]);
    expect(c.status).toBe('pass');
    expect(c.detail).toBe('a: follower, b: leader, c: follower');
  });
  it('fails without a quorum, naming what each said, and with two leaders (two ensembles)', () => {
    const none = ensembleCheck([
      { host: 'a', zk: { reason: 'it is not serving (no quorum)' } },
      { host: 'b', zk: { mode: 'follower' } },
    ]);
    expect(none.status).toBe('fail');
    expect(none.detail).toContain('a: it is not serving (no quorum)');
    expect(none.fix).toMatch(/majority/);
    const two = ensembleCheck([
      { host: 'a', zk: { mode: 'leader' } },
      { host: 'b', zk: { mode: 'leader' } },
    ]);
    expect(two.fix).toMatch(/more than one leader/);
    expect(
      ensembleCheck([
        { host: 'a', zk: { mode: 'standalone' } },
        { host: 'b', zk: { mode: 'standalone' } },
      ]).status,
    ).toBe('fail');
  });
});

describe('the replicas check', () => {
  it("passes when every topic has the cluster's replicas; warns, naming the short ones, when not", () => {
    expect(
      copiesCheck(
        [
          { name: 'a', replicas: 3 },
          { name: '__consumer_offsets', replicas: 3 },
        ],
        3,
      ).status,
    ).toBe('pass');
    expect(copiesCheck([], 3).detail).toBe('no topics yet');
    const thin = copiesCheck(
      [
        { name: 'orders', replicas: 1 },
        { name: 'a', replicas: 3 },
        { name: '__consumer_offsets', replicas: 1 },
      ],
      3,
    );
    expect(thin.status).toBe('warn');
    expect(thin.detail).toMatch(/^2 of 3 topics have fewer: __consumer_offsets \(1\), orders \(1\)/);
    expect(thin.fix).toMatch(/kafka-reassign-partitions/);
  });
});

describe('the KRaft controller quorum check', () => {
  const r = (id: number, status: 'leader' | 'follower' | 'observer', lag: number, fetchAgo: number, caughtAgo: number) => ({
    id,
    status,
    lag,
    logEndOffset: 100,
    lastFetchMs: 500_000 - fetchAgo,
    lastCaughtUpMs: 500_000 - caughtAgo,
  });
  const q = (
    leaderId: number,
    replicas = [r(1, 'leader', 0, 0, 0), r(2, 'follower', 1, 50, 300), r(3, 'follower', 0, 80, 80)],
    voters = [1, 2, 3],
  ) => ({ answered: true as const, leaderId, epoch: 7, maxLag: 1, voters, replicas });
  it("one leader agreed by all, the members as voters, every voter caught up: pass, with each voter's lag", () => {
    const c = controllerQuorumCheck(
      [
        { host: 'a', quorum: q(1) },
        { host: 'b', quorum: q(1) },
        { host: 'c', quorum: q(1) },
      ],
      [1, 2, 3],
    );
    expect(c.status).toBe('pass');
    expect(c.detail).toBe(
      'leader 1 (epoch 7), voters [1, 2, 3]; 1: lag 0, fetched 0.0 s ago; 2: lag 1, fetched 0.1 s ago; 3: lag 0, fetched 0.1 s ago',
    );
  });
  it('judges from those that answered, naming the others; a voter silent for over 10 s fails', () => {
    const down = q(1, [r(1, 'leader', 0, 0, 0), r(2, 'follower', 0, 50, 50), r(3, 'follower', 300, 45_000, 45_000)]);
    const c = controllerQuorumCheck(
      [
        { host: 'a', quorum: down },
        { host: 'b', quorum: down },
        { host: 'c', quorum: { answered: false, reason: 'nothing listens' } },
      ],
      [1, 2, 3],
    );
    expect(c.status).toBe('fail');
    expect(c.detail).toMatch(/3: stalled, lag 300, fetched 45\.0 s ago; no answer through c$/);
    expect(c.fix).toMatch(/^voter 3 has not fetched .* one more down and the quorum is lost$/);
  });
  it('fails on disagreeing leaders, on no leader, on voters that are not the members, and when nobody answered', () => {
    expect(
      controllerQuorumCheck(
        [
          { host: 'a', quorum: q(1) },
          { host: 'b', quorum: q(2) },
        ],
        [1, 2, 3],
      ).detail,
    ).toBe('the nodes name different leaders: a: leader 1 (epoch 7), b: leader 2 (epoch 7)');
    expect(controllerQuorumCheck([{ host: 'a', quorum: q(-1) }], [1, 2, 3]).status).toBe('fail');
    const other = controllerQuorumCheck([{ host: 'a', quorum: q(1, undefined, [1, 2, 4]) }], [1, 2, 3]);
    expect(other).toMatchObject({
      status: 'fail',
      detail: 'leader 1 (epoch 7), voters [1, 2, 4]; the members are [1, 2, 3]: 4 not members',
    });
    expect(controllerQuorumCheck([{ host: 'a', quorum: { answered: false, reason: 'x' } }], [1, 2, 3])).toMatchObject({
      status: 'fail',
      detail: 'no controller described the quorum; no answer through a',
    });
  });
  it('a cluster grown past its voters: the other members observe, and only the voters are judged', () => {
    const grown = controllerQuorumCheck(
      [{ host: 'a', quorum: q(1, [r(1, 'leader', 0, 0, 0), r(2, 'follower', 0, 1, 1), r(3, 'follower', 0, 1, 1)]) }],
      [1, 2, 3, 4],
    );
    expect(grown.status).toBe('pass');
    expect(grown.detail).toMatch(/^leader 1 \(epoch 7\), voters \[1, 2, 3\], observers \[4\]; /);
  });
  it('a voter catching up warns; a leader that did not describe the replication warns', () => {
    expect(
      controllerQuorumCheck(
        [{ host: 'a', quorum: q(1, [r(1, 'leader', 0, 0, 0), r(2, 'follower', 5000, 100, 20_000), r(3, 'follower', 0, 1, 1)]) }],
        [1, 2, 3],
      ).status,
    ).toBe('warn');
    expect(controllerQuorumCheck([{ host: 'a', quorum: { ...q(1), replicas: undefined } }], [1, 2, 3]).status).toBe('warn');
  });
});
