import { describe, expect, it } from 'vitest';
import { copiesCheck, ensembleCheck } from '../../src/commands/verify-cluster.js';

describe('the ensemble check', () => {
  it('passes with one leader and followers', () => {
    const c = ensembleCheck([{ host: 'a', zk: { mode: 'follower' } }, { host: 'b', zk: { mode: 'leader' } }, { host: 'c', zk: { mode: 'follower' } }]);
    expect(c.status).toBe('pass');
    expect(c.detail).toBe('a: follower, b: leader, c: follower');
  });
  it('fails without a quorum, naming what each said, and with two leaders (two ensembles)', () => {
    const none = ensembleCheck([{ host: 'a', zk: { reason: 'it is not serving (no quorum)' } }, { host: 'b', zk: { mode: 'follower' } }]);
    expect(none.status).toBe('fail');
    expect(none.detail).toContain('a: it is not serving (no quorum)');
    expect(none.fix).toMatch(/majority/);
    const two = ensembleCheck([{ host: 'a', zk: { mode: 'leader' } }, { host: 'b', zk: { mode: 'leader' } }]);
    expect(two.fix).toMatch(/more than one leader/);
    expect(ensembleCheck([{ host: 'a', zk: { mode: 'standalone' } }, { host: 'b', zk: { mode: 'standalone' } }]).status).toBe('fail');
  });
});

describe('the replicas check', () => {
  it('passes when every topic has the cluster\'s replicas; warns, naming the short ones, when not', () => {
    expect(copiesCheck([{ name: 'a', replicas: 3 }, { name: '__consumer_offsets', replicas: 3 }], 3).status).toBe('pass');
    expect(copiesCheck([], 3).detail).toBe('no topics yet');
    const thin = copiesCheck([{ name: 'orders', replicas: 1 }, { name: 'a', replicas: 3 }, { name: '__consumer_offsets', replicas: 1 }], 3);
    expect(thin.status).toBe('warn');
    expect(thin.detail).toMatch(/^2 of 3 topics have fewer: __consumer_offsets \(1\), orders \(1\)/);
    expect(thin.fix).toMatch(/kafka-reassign-partitions/);
  });
});
