/**
 * A KRaft controller quorum's health, judged from the leader's own view of its voters (DescribeQuorum,
 * `kafka-metadata-quorum.sh describe --replication`): which voter is caught up, catching up, or gone.
 * verify reports it, status shows it, and a rolling restart waits on it.
 */
import { getProperty } from './properties.js';

/** One row of `describe --replication`: a voter or an observer, as the leader sees it. */
export interface QuorumReplica {
  id: number;
  logEndOffset: number;
  /** Records behind the leader's log end. */
  lag: number;
  /** Epoch milliseconds on the leader's clock; undefined where the leader does not know (-1). */
  lastFetchMs: number | undefined;
  lastCaughtUpMs: number | undefined;
  status: 'leader' | 'follower' | 'observer';
  /** The replica's storage (a voter is its id and this); undefined where the tool printed none. */
  directoryId?: string | undefined;
}

/**
 * A follower fetches continuously (a long poll of at most 500 ms), and one silent for
 * controller.quorum.fetch.timeout.ms (2 s) would itself call an election: 10 s without a fetch is
 * five times that, a node down or cut off, never a slow one. Its lag is not a measure on its own: the
 * leader appends a record every 500 ms (metadata.max.idle.interval.ms), so a live follower is often a
 * record or two behind at the instant of asking; what says it keeps up is that it *was* caught up (its
 * LastCaughtUpTimestamp) within the same 10 s.
 */
export const STALE_FETCH_MS = 10_000;
export const CAUGHT_UP_WITHIN_MS = 10_000;

export type VoterState =
  | {
      id: number;
      state: 'caught-up' | 'catching-up' | 'stalled';
      lag: number;
      fetchAgoMs: number | undefined;
      caughtUpAgoMs: number | undefined;
    }
  | { id: number; state: 'missing' };

/**
 * The leader's "now": its own row's timestamps are the moment it answered (the leader fetches from
 * itself). Ages measured against it need no clock shared between hosts.
 */
export function leaderNow(replicas: readonly QuorumReplica[]): number | undefined {
  return replicas.find((r) => r.status === 'leader')?.lastFetchMs;
}

/** Each voter's state, for these ids (the members' node ids, or the quorum's voters). */
export function voterStates(replicas: readonly QuorumReplica[], ids: readonly number[]): VoterState[] {
  const now = leaderNow(replicas);
  const ago = (t: number | undefined): number | undefined => (now === undefined || t === undefined ? undefined : Math.max(0, now - t));
  return ids.map((id): VoterState => {
    const r = replicas.find((x) => x.id === id && x.status !== 'observer');
    if (!r) return { id, state: 'missing' };
    const fetchAgoMs = ago(r.lastFetchMs);
    const caughtUpAgoMs = ago(r.lastCaughtUpMs);
    const base = { id, lag: r.lag, fetchAgoMs, caughtUpAgoMs };
    if (r.status === 'leader' || r.lag === 0) return { ...base, state: 'caught-up' };
    // Without timestamps (a leader just elected does not know yet) the lag is all there is.
    if (fetchAgoMs === undefined || caughtUpAgoMs === undefined) return { ...base, state: 'catching-up' };
    if (fetchAgoMs > STALE_FETCH_MS) return { ...base, state: 'stalled' };
    return { ...base, state: caughtUpAgoMs <= CAUGHT_UP_WITHIN_MS ? 'caught-up' : 'catching-up' };
  });
}

/** `3: lag 0, fetched 0.1 s ago`, for a check's detail or a status line. */
export function describeVoter(v: VoterState): string {
  if (v.state === 'missing') return `${v.id}: not in the quorum's answer`;
  const fetched = v.fetchAgoMs === undefined ? '' : `, fetched ${(v.fetchAgoMs / 1000).toFixed(1)} s ago`;
  return `${v.id}: ${v.state === 'caught-up' ? '' : `${v.state}, `}lag ${v.lag}${fetched}`;
}

/** A majority of `voters`: what the quorum needs to elect a leader and commit. */
export const majority = (voters: number): number => Math.floor(voters / 2) + 1;

/**
 * Why stopping node `id` now could lose the quorum or leave it without a voter to spare, if it could:
 * every other voter must be there and caught up (a voter behind cannot take over at once).
 */
export function unsafeToStop(replicas: readonly QuorumReplica[], voters: readonly number[], id: number): string | undefined {
  const others = voterStates(
    replicas,
    voters.filter((v) => v !== id),
  );
  const behind = others.filter((v) => v.state !== 'caught-up');
  if (behind.length === 0) return undefined;
  return `voter${behind.length > 1 ? 's' : ''} ${behind.map(describeVoter).join('; ')}`;
}

/** A KRaft node's id: node.id of its server.properties (digits only), undefined when unset or not a number. */
export function nodeIdOf(serverProperties: string | undefined): number | undefined {
  const v = getProperty(serverProperties ?? '', 'node.id')?.trim();
  return v !== undefined && /^[0-9]{1,9}$/.test(v) ? Number(v) : undefined;
}
