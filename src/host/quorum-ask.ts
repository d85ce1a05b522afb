/**
 * The KRaft quorum asked over the SSH connection: DescribeQuorum sent through a tunnel to the node's
 * broker (its internal listener), which forwards it to the active controller. No JVM on the host, so
 * a rolling restart can ask as often as it waits. Where the SSH server allows no forwarding, the
 * caller asks the host's own kafka-metadata-quorum.sh instead (undefined here).
 */
import { askDescribeQuorum, type DescribeQuorumAnswer, errorName, MalformedAnswer, quorumReplicas } from '../kafka/describe-quorum.js';
import { INTERNAL_PORT } from '../kafka/distribution.js';
import type { Session } from '../remote/session.js';
import { visible } from '../visible.js';
import type { QuorumState } from './operations.js';

/** What the quorum said, or why it said nothing; undefined when this connection cannot forward the question. */
export async function askQuorumThrough(session: Session, timeoutMs: number): Promise<QuorumState | undefined> {
  if (!session.forward) return undefined;
  let fwd: Awaited<ReturnType<NonNullable<Session['forward']>>>;
  try {
    fwd = await session.forward(INTERNAL_PORT);
  } catch {
    return undefined;
  }
  try {
    return quorumState(await askDescribeQuorum('127.0.0.1', fwd.port, timeoutMs));
  } catch (err) {
    const refused = fwd.lastError();
    if (refused?.byPolicy) return undefined;
    if (refused)
      return {
        answered: false,
        reason: `nothing answers on 127.0.0.1:${INTERNAL_PORT} on the host (${refused.message.toLowerCase()}): the node's broker is not running, or still starting`,
      };
    const what = err instanceof MalformedAnswer ? `its answer could not be read: ${err.message}` : (err as Error).message;
    return { answered: false, reason: `the broker at 127.0.0.1:${INTERNAL_PORT} on the host did not describe the quorum (${what})` };
  } finally {
    fwd.close();
  }
}

/** An answer as the rest of kafka-setup reads the quorum (the same rows as the tool's --replication). */
export function quorumState(a: DescribeQuorumAnswer): QuorumState {
  if (a.errorCode !== 0) {
    const message = a.errorMessage ? `: ${visible(a.errorMessage).slice(0, 200)}` : '';
    return { answered: false, reason: `the quorum was not described (${errorName(a.errorCode)}${message})` };
  }
  const replicas = quorumReplicas(a);
  if (a.leaderId < 0 || !replicas) return { answered: false, reason: 'the quorum has no leader at the moment' };
  // One row per replica (a node id and its directory id), each a node id Kafka can have: else not an answer to trust.
  if (new Set(replicas.map((r) => `${r.id} ${r.directoryId}`)).size !== replicas.length)
    return { answered: false, reason: 'the quorum named one replica twice' };
  if (replicas.some((r) => r.id < 0)) return { answered: false, reason: 'the quorum named a replica by a negative id' };
  const voters = replicas.filter((r) => r.status !== 'observer');
  return {
    answered: true,
    leaderId: a.leaderId,
    epoch: a.leaderEpoch,
    maxLag: Math.max(0, ...voters.map((r) => r.lag)),
    voters: voters.map((r) => r.id),
    replicas,
  };
}
