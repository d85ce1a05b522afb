import { describe, expect, it } from 'vitest';
import { describeVoter, nodeIdOf, type QuorumReplica, unsafeToStop, voterStates } from '../../src/kafka/quorum.js';

const NOW = 1_796_647_626_342;
const row = (
  id: number,
  status: QuorumReplica['status'],
  lag: number,
  fetchAgo: number | undefined,
  caughtUpAgo: number | undefined,
): QuorumReplica => ({
  id,
  status,
  lag,
  logEndOffset: 100 - lag,
  lastFetchMs: fetchAgo === undefined ? undefined : NOW - fetchAgo,
  lastCaughtUpMs: caughtUpAgo === undefined ? undefined : NOW - caughtUpAgo,
});

describe("a KRaft voter's state, from the leader's rows", () => {
  it("measures ages against the leader's own row (no clock shared between hosts)", () => {
    const s = voterStates([row(1, 'leader', 0, 0, 0), row(2, 'follower', 2, 120, 300), row(3, 'follower', 0, 80, 80)], [1, 2, 3]);
    expect(s.map((v) => v.state)).toEqual(['caught-up', 'caught-up', 'caught-up']);
    expect(s[1]).toMatchObject({ lag: 2, fetchAgoMs: 120, caughtUpAgoMs: 300 });
    expect(describeVoter(s[1]!)).toBe('2: lag 2, fetched 0.1 s ago');
  });
  it('a follower fetching but not caught up for over 10 s is catching up; one silent for over 10 s and behind is stalled; one absent is missing', () => {
    const s = voterStates(
      [
        row(1, 'leader', 0, 0, 0),
        row(2, 'follower', 5000, 200, 60_000),
        row(3, 'follower', 40, 12_000, 12_000),
        row(4, 'observer', 0, 0, 0),
      ],
      [1, 2, 3, 4],
    );
    expect(s.map((v) => v.state)).toEqual(['caught-up', 'catching-up', 'stalled', 'missing']);
    expect(describeVoter(s[2]!)).toBe('3: stalled, lag 40, fetched 12.0 s ago');
    expect(describeVoter(s[3]!)).toBe("4: not in the quorum's answer");
  });
  it('without timestamps (a leader just elected), a lag is catching up, none is caught up', () => {
    const s = voterStates(
      [row(1, 'leader', 0, undefined, undefined), row(2, 'follower', 3, undefined, undefined), row(3, 'follower', 0, undefined, undefined)],
      [2, 3],
    );
    expect(s.map((v) => v.state)).toEqual(['catching-up', 'caught-up']);
  });
});

describe('whether stopping a node could cost the quorum', () => {
  const healthy = [row(1, 'leader', 0, 0, 0), row(2, 'follower', 1, 100, 100), row(3, 'follower', 0, 100, 100)];
  it('every other voter up and caught up: safe, whichever node it is (the leader too)', () => {
    expect(unsafeToStop(healthy, [1, 2, 3], 1)).toBeUndefined();
    expect(unsafeToStop(healthy, [1, 2, 3], 3)).toBeUndefined();
  });
  it('another voter down or behind: not safe, naming it (its own state does not matter)', () => {
    const oneDown = [row(1, 'leader', 0, 0, 0), row(2, 'follower', 900, 30_000, 30_000), row(3, 'follower', 0, 100, 100)];
    expect(unsafeToStop(oneDown, [1, 2, 3], 3)).toBe('voter 2: stalled, lag 900, fetched 30.0 s ago');
    expect(unsafeToStop(oneDown, [1, 2, 3], 2)).toBeUndefined();
    expect(unsafeToStop([row(1, 'leader', 0, 0, 0), row(3, 'follower', 0, 100, 100)], [1, 2, 3], 3)).toBe(
      "voter 2: not in the quorum's answer",
    );
  });
});

describe("a node's id", () => {
  it('node.id of server.properties, digits only', () => {
    expect(nodeIdOf('process.roles=broker,controller\nnode.id = 3\n')).toBe(3);
    expect(nodeIdOf('node.id=1; rm -rf /\n')).toBeUndefined();
    expect(nodeIdOf('broker.id=2\n')).toBeUndefined();
    expect(nodeIdOf(undefined)).toBeUndefined();
  });
});
