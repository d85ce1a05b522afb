/** The KRaft storage step decides from the facts alone: format once, and refuse what is not this node's. */
import { describe, expect, it } from 'vitest';
import { ownedBy } from '../../src/host/facts.js';
import { initialControllers } from '../../src/kafka/kraft-quorum.js';
import { formatStep } from '../../src/steps/format.js';
import type { FakeHost } from '../host/fake-host.js';

import { ctxWith, HOME, ID, LOGS } from './kraft-context.js';

describe('the KRaft storage step', () => {
  it('formats a fresh host, with the id the host keeps when it keeps one', async () => {
    const fresh = formatStep.check(await ctxWith([]));
    expect(fresh).toMatchObject({ done: false, reason: `format ${LOGS} for a new cluster` });
    const kept = formatStep.check(await ctxWith([], ID));
    expect(kept).toMatchObject({ done: false, reason: `format ${LOGS} for cluster ${ID}` });
  });

  it('is done once formatted for the kept cluster and node 1; a formatted directory without a kept id gets it kept', async () => {
    const dir = { path: LOGS, format: { version: 1, nodeId: 1, clusterId: ID } };
    expect(formatStep.check(await ctxWith([dir], ID))).toEqual({ done: true, detail: `${LOGS}: cluster ${ID}, node 1` });
    expect(formatStep.check(await ctxWith([dir]))).toMatchObject({
      done: false,
      reason: `keep the cluster id ${ID} of ${LOGS} on the host`,
    });
  });

  it('a formatted directory whose kept id was lost keeps its own id: never a new one', async () => {
    const ctx = await ctxWith([{ path: LOGS, format: { version: 1, nodeId: 1, clusterId: ID } }]);
    await formatStep.apply(ctx);
    expect((ctx.host as FakeHost).ran.find((c) => c.name === 'format-storage')?.clusterId).toBe(ID);
  });

  it("refuses another cluster's storage, another node's, and files without meta.properties, before any change", async () => {
    const other = await ctxWith([{ path: LOGS, format: { version: 1, nodeId: 1, clusterId: 'AAAAAAAAAAAAAAAAAAAAAA' } }], ID);
    expect(formatStep.preflight!(other)?.message).toBe(
      `${LOGS} is formatted for cluster AAAAAAAAAAAAAAAAAAAAAA, and this server's Kafka is cluster ${ID} (kept in ${HOME}/kafka-data/cluster.id)`,
    );
    expect(formatStep.preflight!(other)?.hint).toMatch(/move it away \(mv .*kafka-logs .*kafka-logs\.old\)/);
    const node = await ctxWith([{ path: LOGS, format: { version: 1, nodeId: 3, clusterId: ID } }], ID);
    expect(formatStep.preflight!(node)?.message).toBe(`${LOGS} is formatted for node 3, and this server is node 1`);
    const files = await ctxWith([{ path: LOGS }]);
    expect(formatStep.preflight!(files)?.message).toMatch(/holds files but no meta\.properties/);
  });

  it('refuses ZooKeeper-mode data (3.x): KRaft cannot read it', async () => {
    const broker = await ctxWith([{ path: LOGS, brokerId: 0, format: { version: 0, nodeId: undefined, clusterId: ID } }]);
    expect(formatStep.preflight!(broker)?.message).toMatch(
      new RegExp(
        `^${LOGS} holds the data of a ZooKeeper-based Kafka \\(3\\.x\\); Kafka 4\\.1\\.1 runs without ZooKeeper \\(KRaft\\) and cannot read it`,
      ),
    );
    // The seed's own install by hand: its data in /tmp.
    const seed = await ctxWith([{ path: '/tmp/zookeeper/version-2' }]);
    expect(formatStep.preflight!(seed)?.message).toMatch(/^\/tmp\/zookeeper holds the data of a ZooKeeper-based Kafka/);
    const seedLogs = await ctxWith([{ path: '/tmp/kafka-logs', brokerId: 0 }]);
    expect(formatStep.preflight!(seedLogs)?.message).toMatch(/^\/tmp\/kafka-logs holds the data of a ZooKeeper-based Kafka/);
    const zk = await ctxWith([{ path: `${HOME}/kafka-data/zookeeper/version-2` }]);
    expect(formatStep.preflight!(zk)?.message).toMatch(
      new RegExp(`^${HOME}/kafka-data/zookeeper holds the data of a ZooKeeper-based Kafka`),
    );
    expect(formatStep.preflight!(zk)?.hint).toMatch(/--kafka-version 3\.x .* uninstall --purge/);
  });
});

describe("the KRaft storage step beside another user's Kafka", () => {
  const bob = { uid: 30001, name: 'bob' };

  it("another user's 3.x data in Kafka's default places is another Kafka's: no refusal; the log directory itself theirs: refused", async () => {
    const theirs = [
      ownedBy({ path: '/tmp/kafka-logs', state: 'data', kib: 5, device: '2049', brokerId: 0 }, bob),
      ownedBy({ path: '/tmp/zookeeper/version-2', state: 'data', kib: 0, device: '2049' }, bob),
    ];
    expect(formatStep.preflight!(await ctxWith(theirs))).toBeUndefined();
    const ours = await ctxWith([ownedBy({ path: LOGS, state: 'empty', kib: 0, device: '2049' }, bob)]);
    expect(formatStep.preflight!(ours)?.message).toBe(
      `${LOGS} belongs to bob, not to ec2-user, so Kafka's storage cannot be formatted there`,
    );
  });
});

describe("the KRaft storage step on a cluster's member", () => {
  const view = { self: 2, clusterId: ID, members: [1, 2, 3].map((n) => ({ id: n, brokerId: n, address: `10.0.0.${n}` })) };

  it("formats with the cluster's id and every voter, whatever id the host keeps; a node formatted as another is refused", async () => {
    const ctx = { ...(await ctxWith([])), cluster: view };
    expect(formatStep.check(ctx)).toMatchObject({ done: false, reason: `format ${LOGS} for cluster ${ID}, node 2 of 3 voters` });
    expect((formatStep.check(ctx) as { wouldRun: string[] }).wouldRun[0]).toContain(
      `--initial-controllers ${initialControllers(view, ID)}`,
    );
    await formatStep.apply(ctx);
    expect((ctx.host as FakeHost).ran.find((c) => c.name === 'format-storage')).toMatchObject({
      clusterId: ID,
      initialControllers: initialControllers(view, ID),
    });
    const other = { ...(await ctxWith([{ path: LOGS, format: { version: 1, nodeId: 1, clusterId: ID } }], ID)), cluster: view };
    expect(formatStep.preflight?.(other)?.message).toBe(`${LOGS} is formatted for node 1, and this server is node 2`);
    const done = { ...(await ctxWith([{ path: LOGS, format: { version: 1, nodeId: 2, clusterId: ID } }], ID)), cluster: view };
    expect(formatStep.check(done)).toEqual({ done: true, detail: `${LOGS}: cluster ${ID}, node 2 of 3 voters` });
  });

  it('a voter formatted while the quorum runs (its storage was lost) joins it without initial controllers, to vote again later', async () => {
    const ctx = { ...(await ctxWith([], ID)), cluster: { ...view, quorumFormed: true, controllers: [1, 2, 3] } };
    expect(formatStep.check(ctx)).toMatchObject({
      done: false,
      reason: `format ${LOGS} for cluster ${ID}, node 2, joining the quorum to vote again among its 3 voters`,
    });
    expect((formatStep.check(ctx) as { wouldRun: string[] }).wouldRun[0]).toContain('--no-initial-controllers');
    expect(await formatStep.apply(ctx)).toBe(
      `formatted ${LOGS} for cluster ${ID}, node 2, joining the quorum to vote again among its 3 voters`,
    );
    expect((ctx.host as FakeHost).ran.find((c) => c.name === 'format-storage')?.initialControllers).toBe('observer');
  });

  it('a new voter of a grown cluster (a fifth server) joins the quorum too, to take the vote it never had once started', async () => {
    const five = { self: 5, clusterId: ID, members: [1, 2, 3, 4, 5].map((n) => ({ id: n, brokerId: n, address: `10.0.0.${n}` })) };
    const ctx = { ...(await ctxWith([], ID)), cluster: { ...five, quorumFormed: true, controllers: [1, 2, 3] } };
    expect(formatStep.check(ctx)).toMatchObject({
      done: false,
      reason: `format ${LOGS} for cluster ${ID}, node 5, joining the quorum to vote once started (5 voters)`,
    });
    expect((formatStep.check(ctx) as { wouldRun: string[] }).wouldRun[0]).toContain('--no-initial-controllers');
  });
});
