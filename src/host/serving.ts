/**
 * Whether the broker serves: it is in its own metadata. A broker can listen and log "started" while
 * its controller cannot reach it (then it lists no brokers, and nothing can be produced), so the
 * metadata is asked for, over the broker's internal listener, through the SSH connection: from the
 * host's point of view, whatever this machine can reach.
 */
import type { ClusterMetadata } from '../kafka/client.js';
import { INTERNAL_PORT } from '../kafka/distribution.js';
import type { PartitionReplicas } from '../kafka/replicas.js';
import type { LocalForward, Session } from '../remote/session.js';

export type Serving =
  /** `underReplicated` of `partitions`: what a rolling restart waits to reach 0 (absent: not asked). */
  | {
      state: 'listed' | 'absent';
      brokers: number[];
      controllerId: number;
      partitions?: number;
      underReplicated?: number;
      assignment?: PartitionReplicas[];
    }
  /** Nothing answered as Kafka on the internal listener. */
  | { state: 'unreachable'; reason: string }
  /** The question could not be asked (the SSH server refuses forwarding): decide without it. */
  | { state: 'unknown'; reason: string };

/** `brokerId` undefined: any broker listed counts (an id the broker generated itself). */
async function askServing(session: Session, brokerId: number | undefined, timeoutMs: number): Promise<Serving> {
  if (!session.forward) return { state: 'unknown', reason: 'this connection cannot forward ports' };
  let fwd: LocalForward;
  try {
    fwd = await session.forward(INTERNAL_PORT);
  } catch (err) {
    return { state: 'unknown', reason: `no local port for the SSH tunnel: ${(err as Error).message}` };
  }
  try {
    // Loaded here: kafkajs is big, and only this question (and verify) needs it.
    const { askMetadata } = await import('../kafka/client.js');
    const answer: ClusterMetadata = await askMetadata('127.0.0.1', fwd.port, timeoutMs);
    return judgeServing(
      {
        state: 'absent',
        brokers: answer.brokers.map((b) => b.nodeId),
        controllerId: answer.controllerId,
        partitions: answer.partitions,
        underReplicated: answer.underReplicated,
        assignment: answer.assignment,
      },
      brokerId,
    );
  } catch (err) {
    const refused = fwd.lastError();
    if (refused?.byPolicy) {
      return {
        state: 'unknown',
        reason: "the SSH server does not allow port forwarding (AllowTcpForwarding no), so the broker's metadata could not be read",
      };
    }
    return {
      state: 'unreachable',
      reason: refused ? `127.0.0.1:${INTERNAL_PORT} on the host: ${refused.message.toLowerCase()}` : (err as Error).message,
    };
  } finally {
    fwd.close();
  }
}

/** Asks the controller (the broker at the other end of this host's tunnel) for new replicas; throws what went wrong. */
export async function reassignThrough(session: Session, plan: readonly PartitionReplicas[], timeoutMs: number): Promise<void> {
  if (!session.forward) throw new Error('this connection cannot forward ports');
  const fwd = await session.forward(INTERNAL_PORT);
  try {
    const { reassign } = await import('../kafka/client.js');
    await reassign('127.0.0.1', fwd.port, timeoutMs, plan);
  } catch (err) {
    const refused = fwd.lastError();
    throw refused ? new Error(`127.0.0.1:${INTERNAL_PORT} on the host: ${refused.message.toLowerCase()}`) : err;
  } finally {
    fwd.close();
  }
}

/** Asks until the broker is listed, the question cannot be asked, or `waitMs` has passed. */
export async function waitServing(session: Session, brokerId: number | undefined, waitMs: number): Promise<Serving & { waitedMs: number }> {
  const started = Date.now();
  for (;;) {
    const answer = await askServing(session, brokerId, 5000);
    const waitedMs = Date.now() - started;
    if (answer.state === 'listed' || answer.state === 'unknown' || waitedMs >= waitMs) return { ...answer, waitedMs };
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Re-judges an answer once the broker id is known (the early question is asked before the probe). */
export function judgeServing(s: Serving, brokerId: number | undefined): Serving {
  if (s.state !== 'listed' && s.state !== 'absent') return s;
  const listed = brokerId === undefined ? s.brokers.length > 0 : s.brokers.includes(brokerId);
  return { ...s, state: listed ? 'listed' : 'absent' };
}
