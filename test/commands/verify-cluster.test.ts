import { describe, expect, it } from 'vitest';
import { ensembleCheck } from '../../src/commands/verify-cluster.js';

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
