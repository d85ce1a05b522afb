/**
 * Whether a cluster is whole: every broker registered and no partition under-replicated (nor without
 * a leader), asked of one broker through its host's SSH connection. A rolling restart waits for it
 * before the next host, so that a restart never takes a partition below its replicas twice over.
 */
import { UserError } from '../errors.js';
import type { HostOps, QuorumState } from '../host/operations.js';
import type { Serving } from '../host/serving.js';
import { describeVoter, type QuorumReplica, unsafeToStop, voterStates } from '../kafka/quorum.js';

/** How long a restarted broker may take to catch up before the next host is touched. */
export const WHOLE_WAIT_MS = 5 * 60_000;

export interface Whole {
  ok: boolean;
  /** What was seen last, in a few words. */
  detail: string;
  waitedMs: number;
}

function judge(s: Serving, size: number): { ok: boolean; detail: string } {
  if (s.state === 'unknown' || s.state === 'unreachable') return { ok: false, detail: `its metadata could not be read: ${s.reason}` };
  const partitions = s.partitions ?? 0;
  const under = s.underReplicated ?? 0;
  const ok = s.brokers.length >= size && under === 0;
  return { ok, detail: `${s.brokers.length} of ${size} brokers registered, ${under} of ${partitions} partitions under-replicated` };
}

/** Asks until the cluster is whole or `waitMs` has passed (0: ask once). */
export async function untilWhole(
  host: Pick<HostOps, 'serving'>,
  size: number,
  waitMs: number,
  progress?: (text: string) => void,
): Promise<Whole> {
  const started = Date.now();
  for (;;) {
    const seen = judge(await host.serving(undefined, 0), size);
    const waitedMs = Date.now() - started;
    if (seen.ok || waitedMs >= waitMs) return { ...seen, waitedMs };
    progress?.(seen.detail);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export function notWhole(label: string, w: Whole, what: string): UserError {
  return new UserError(`the cluster is not whole (${w.detail}, asked through ${label}): ${what}`, {
    hint: 'kafka-setup status shows every host, kafka-setup logs broker --host HOST its log; run the same command again once every broker is back and caught up',
  });
}

/** How long a restarted ZooKeeper may take to rejoin its ensemble: initLimit (10 ticks of 2 s), three times over. */
export const QUORUM_WAIT_MS = 60_000;

/**
 * Asks until this host's ZooKeeper is in its ensemble's quorum again (leader or follower), so that a
 * rolling restart never has two ZooKeepers out at once. A host that cannot be asked (no port
 * forwarding) is not waited for: the brokers' wait (untilWhole) still stands.
 */
export async function untilInQuorum(
  host: Pick<HostOps, 'zookeeperMode'>,
  waitMs: number,
): Promise<{ ok: boolean; detail: string; waitedMs: number }> {
  const started = Date.now();
  for (;;) {
    const z = await host.zookeeperMode();
    const waitedMs = Date.now() - started;
    if (z.mode === 'leader' || z.mode === 'follower') return { ok: true, detail: z.mode, waitedMs };
    if (z.mode === undefined && /cannot forward|does not allow|no local port/.test(z.reason))
      return { ok: true, detail: `not asked: ${z.reason}`, waitedMs };
    const detail = z.mode === undefined ? z.reason : `mode ${z.mode}`;
    if (waitedMs >= waitMs) return { ok: false, detail, waitedMs };
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function notInQuorum(label: string, q: { detail: string }, what: string): UserError {
  return new UserError(`ZooKeeper on ${label} did not rejoin its ensemble within ${QUORUM_WAIT_MS / 1000} s (${q.detail}): ${what}`, {
    hint: `kafka-setup logs zookeeper --host ${label} shows why (a member unreachable on 2888/3888?); run the same command again once it is back`,
  });
}

/** Another member's ZooKeeper out of its quorum, found before stopping one: stopping now could lose the quorum. */
export function outOfQuorum(label: string, q: { detail: string; waitedMs: number }, what: string): UserError {
  return new UserError(
    `ZooKeeper on ${label} is not in its ensemble's quorum (${q.detail}${q.waitedMs >= 1000 ? `, after ${Math.round(q.waitedMs / 1000)} s` : ''}): ${what}`,
    {
      hint: `start it first (kafka-setup start, or kafka-setup logs zookeeper --host ${label} to see why it is out), then run the same command again`,
    },
  );
}

/**
 * Asks (through this host's broker) until every voter of the KRaft quorum is caught up with its
 * leader (kafka/quorum.ts), or `waitMs` has passed (0: ask once), once a second.
 */
export async function untilCaughtUp(host: Pick<HostOps, 'quorum'>, waitMs: number, progress?: (text: string) => void): Promise<CaughtUp> {
  const started = Date.now();
  for (;;) {
    const seen = judgeQuorum(await host.quorum());
    const waitedMs = Date.now() - started;
    if (seen.ok || waitedMs >= waitMs) return { ...seen, waitedMs };
    progress?.(seen.detail);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export interface CaughtUp {
  ok: boolean;
  detail: string;
  waitedMs: number;
  /** The quorum's voters, when it answered. */
  voters?: number[] | undefined;
  /** The leader's rows, when it answered. */
  replicas?: QuorumReplica[] | undefined;
}

/** Whether every voter is caught up, in a few words. */
export function judgeQuorum(q: QuorumState): Omit<CaughtUp, 'waitedMs'> {
  if (!q.answered) return { ok: false, detail: q.reason };
  if (!q.replicas)
    return { ok: false, detail: `leader ${q.leaderId}; the leader did not describe its voters' replication`, voters: q.voters };
  if (q.leaderId < 0) return { ok: false, detail: 'no leader', voters: q.voters, replicas: q.replicas };
  const states = voterStates(q.replicas, q.voters);
  return {
    ok: states.every((s) => s.state === 'caught-up'),
    detail: `leader ${q.leaderId}; ${states.map(describeVoter).join('; ')}`,
    voters: q.voters,
    replicas: q.replicas,
  };
}

/**
 * Why stopping the node `nodeId` now could cost the quorum, if it could: asked once, every other voter
 * must be up and caught up. With three voters that also means one node is ever out at a time.
 */
export function stopRisk(q: Omit<CaughtUp, 'waitedMs'>, nodeId: number): string | undefined {
  if (!q.voters || !q.replicas) return `the quorum could not be described (${q.detail})`;
  if (!q.voters.includes(nodeId)) return undefined;
  return unsafeToStop(q.replicas, q.voters, nodeId);
}

export function notCaughtUp(label: string, q: { detail: string }, what: string): UserError {
  return new UserError(
    `the KRaft controller quorum did not catch up within ${QUORUM_WAIT_MS / 1000} s (${q.detail}, asked through ${label}): ${what}`,
    {
      hint: `kafka-setup logs broker --host ${label} shows the node's log (a node unreachable on 9094?); run the same command again once every voter is back`,
    },
  );
}

export function quorumAtRisk(label: string, risk: string, what: string): UserError {
  return new UserError(`stopping ${label} now could lose the KRaft controller quorum (${risk}): ${what}`, {
    hint: 'start the voter that is out first (kafka-setup start), or wait until it has caught up (kafka-setup verify shows each voter), then run the same command again',
  });
}
