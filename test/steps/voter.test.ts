/** The vote step: decided from the storage alone on every run; the quorum asked only when the storage is new to it. */
import { describe, expect, it } from 'vitest';
import type { QuorumState } from '../../src/host/operations.js';
import type { ClusterView } from '../../src/kafka/cluster.js';
import { directoryIdOf } from '../../src/kafka/kraft-quorum.js';
import type { StepContext } from '../../src/steps/types.js';
import { voterStep } from '../../src/steps/voter.js';
import type { FakeHost } from '../host/fake-host.js';
import { ctxWith, ID, LOGS } from './kraft-context.js';

const view: ClusterView = {
  self: 3,
  clusterId: ID,
  members: [1, 2, 3].map((n) => ({ id: n, brokerId: n, address: `10.0.0.${n}` })),
  quorumFormed: true,
};
const NEW = 'NNNNNNNNNNNNNNNNNNNNNN';
const OLD = directoryIdOf(ID, 3);
const NOW = 1_796_648_130_000;

async function member(format: Record<string, unknown> | undefined, cluster: ClusterView = view, answer?: QuorumState) {
  const ctx: StepContext = {
    ...(await ctxWith(format ? [{ path: LOGS, format: { version: 1, nodeId: cluster.self, clusterId: ID, ...format } }] : [], ID)),
    cluster,
  };
  if (answer) (ctx.host as FakeHost & { quorum(): Promise<QuorumState> }).quorum = async () => answer;
  return ctx;
}

/** The leader's rows: voters 1 and 2 caught up, node 3's old voter gone quiet, node 3 back as an observer. */
function rows(o: { twoBehind?: boolean; mineVotes?: boolean } = {}): QuorumState {
  const replicas = [
    {
      id: 1,
      logEndOffset: 90,
      lag: 0,
      lastFetchMs: NOW,
      lastCaughtUpMs: NOW,
      status: 'leader' as const,
      directoryId: directoryIdOf(ID, 1),
    },
    {
      id: 2,
      logEndOffset: o.twoBehind ? 10 : 90,
      lag: o.twoBehind ? 80 : 0,
      lastFetchMs: o.twoBehind ? NOW - 60_000 : NOW,
      lastCaughtUpMs: o.twoBehind ? NOW - 60_000 : NOW,
      status: 'follower' as const,
      directoryId: directoryIdOf(ID, 2),
    },
    o.mineVotes
      ? { id: 3, logEndOffset: 90, lag: 0, lastFetchMs: NOW, lastCaughtUpMs: NOW, status: 'follower' as const, directoryId: NEW }
      : {
          id: 3,
          logEndOffset: 40,
          lag: 50,
          lastFetchMs: NOW - 90_000,
          lastCaughtUpMs: NOW - 90_000,
          status: 'follower' as const,
          directoryId: OLD,
        },
    ...(o.mineVotes
      ? []
      : [{ id: 3, logEndOffset: 90, lag: 0, lastFetchMs: NOW, lastCaughtUpMs: NOW, status: 'observer' as const, directoryId: NEW }]),
  ];
  return { answered: true, leaderId: 1, epoch: undefined, maxLag: 0, voters: [1, 2, 3], replicas };
}

describe('the vote step (a KRaft cluster member)', () => {
  it('is done, without asking the quorum, for a first voter (its derived directory), an observer, and a voter it saw the quorum take', async () => {
    expect(voterStep.check(await member({ directoryId: OLD }))).toEqual({
      done: true,
      detail: `node 3: one of the 3 voters, as first formatted (directory ${OLD})`,
    });
    expect(voterStep.check(await member({ directoryId: NEW, voterDirectoryId: NEW }))).toMatchObject({ done: true });
    const four = { ...view, self: 4, members: [...view.members, { id: 4, brokerId: 4, address: '10.0.0.4' }], voters: [1, 2, 3] };
    expect(voterStep.check(await member({ directoryId: NEW }, four))).toEqual({
      done: true,
      detail: 'node 4 observes the 3-voter quorum as a broker',
    });
    // A new cluster's voter, not formatted yet: it is formatted as one of the first voters.
    expect(voterStep.check(await member(undefined, { ...view, quorumFormed: false }))).toMatchObject({ done: true });
  });

  it('is pending for a voter whose storage is new to the quorum (lost, formatted afresh), or kept by another id', async () => {
    // Not formatted yet: a voter the configs named takes its vote back; one joining a formed quorum (a
    // single server's, grown) takes a vote it never had.
    expect(voterStep.check(await member(undefined, { ...view, controllers: [1, 2, 3] }))).toMatchObject({
      done: false,
      reason: 'node 3 takes its vote back once formatted afresh and started',
    });
    expect(voterStep.check(await member(undefined))).toMatchObject({
      done: false,
      reason: 'node 3 takes its vote once formatted and started',
    });
    expect(voterStep.check(await member({ directoryId: NEW }))).toMatchObject({
      done: false,
      reason: `node 3's storage (directory ${NEW}) is not one the quorum was first formatted with: the quorum is asked whether it votes under it, and takes it as a voter where not`,
    });
    expect(voterStep.check(await member({ directoryId: NEW, voterDirectoryId: OLD }))).toMatchObject({ done: false });
  });

  it('removes the lost voter and adds the node under its new directory, once the other voters can carry the quorum', async () => {
    const ctx = await member({ directoryId: NEW }, view, rows());
    expect(await voterStep.apply(ctx)).toBe(`node 3 votes under directory ${NEW}, its lost voter (directory ${OLD}) removed`);
    expect((ctx.host as FakeHost).ran.filter((c) => c.name === 'join-quorum')).toEqual([{ name: 'join-quorum', remove: OLD }]);
  });

  it('a voter already (an earlier run stopped before keeping it): nothing removed, nothing added', async () => {
    const ctx = await member({ directoryId: NEW }, view, rows({ mineVotes: true }));
    expect(await voterStep.apply(ctx)).toBe(`node 3 already votes under directory ${NEW}`);
    expect((ctx.host as FakeHost).ran.filter((c) => c.name === 'join-quorum')).toEqual([{ name: 'join-quorum', remove: undefined }]);
  });

  it('refuses to remove the lost voter while another voter is behind, and says why without a quorum to ask', async () => {
    const behind = await member({ directoryId: NEW }, view, rows({ twoBehind: true }));
    await expect(voterStep.apply(behind)).rejects.toThrow(/node 3's lost voter was not removed: .*voter 2: stalled/);
    expect((behind.host as FakeHost).ran.some((c) => c.name === 'join-quorum')).toBe(false);
    const silent = await member({ directoryId: NEW }, view, { answered: false, reason: 'nothing listens on 127.0.0.1:9094' });
    await expect(voterStep.apply(silent)).rejects.toThrow(/node 3 cannot take its vote: nothing listens on 127\.0\.0\.1:9094/);
  });
});
