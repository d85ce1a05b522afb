/**
 * The `quorum` section (quorum.sh) read strictly: what kafka-metadata-quorum.sh on the host said of
 * the KRaft controller quorum. The host's output is hostile: the script already cut each value to
 * digits (or letters), and here a row is taken only when every field is what it must be.
 */
import { CONTROLLER_ADDRESS } from '../kafka/mode-kraft.js';
import type { QuorumReplica } from '../kafka/quorum.js';
import { visible } from '../visible.js';
import type { QuorumState } from './operations.js';
import type { SectionReader } from './sections.js';

/** More rows than any quorum of ours has voters and observers: the rest is not read. */
const MAX_ROWS = 16;
const STATUSES: Record<string, QuorumReplica['status']> = { Leader: 'leader', Follower: 'follower', Observer: 'observer' };

/** A timestamp column: -1 (or anything not a positive epoch) is the leader not knowing. */
const stamp = (v: string): number | undefined => (/^[0-9]{1,15}$/.test(v) && Number(v) > 0 ? Number(v) : undefined);

/** `ID LEO LAG FETCH_MS CAUGHT_UP_MS STATUS DIRECTORY_ID`, as quorum.sh prints it; undefined for anything else. */
export function parseReplicaRow(row: string): QuorumReplica | undefined {
  const f = row.split(' ');
  if (f.length !== 7) return undefined;
  const [id, leo, lag, fetch, caught, status, dir] = f as [string, string, string, string, string, string, string];
  if (
    !/^[0-9]{1,9}$/.test(id) ||
    !/^[0-9]{1,15}$/.test(leo) ||
    !/^[0-9]{1,15}$/.test(lag) ||
    !/^(-1|[0-9]{1,15})$/.test(fetch) ||
    !/^(-1|[0-9]{1,15})$/.test(caught) ||
    !/^(-|[A-Za-z0-9_-]{22})$/.test(dir)
  )
    return undefined;
  const s = STATUSES[status];
  if (!s) return undefined;
  return {
    id: Number(id),
    logEndOffset: Number(leo),
    lag: Number(lag),
    lastFetchMs: stamp(fetch),
    lastCaughtUpMs: stamp(caught),
    status: s,
    directoryId: dir === '-' ? undefined : dir,
  };
}

function replicasOf(q: SectionReader<'quorum'>): QuorumReplica[] | undefined {
  if (q.get('replication_rc') !== '0') return undefined;
  const rows = q
    .all('row')
    .slice(0, MAX_ROWS)
    .map(parseReplicaRow)
    .filter((r): r is QuorumReplica => r !== undefined);
  // One row per replica (a node id and its directory id): a repeated one is not an answer to trust. One
  // node id may have two rows: a voter that lost its disk, and the same node back as an observer.
  return new Set(rows.map((r) => `${r.id} ${r.directoryId}`)).size === rows.length ? rows : undefined;
}

function notAnswered(q: SectionReader<'quorum'>, rc: string | undefined): QuorumState {
  const out = q
    .all('out')
    .slice(0, 3)
    .map((l) => visible(l))
    .join(' / ');
  return {
    answered: false,
    reason: `the controller at ${CONTROLLER_ADDRESS} did not describe its quorum${rc === '124' ? ' within 40 s' : ''}${out ? `: ${out}` : ''}`,
  };
}

export function readQuorum(q: SectionReader<'quorum'>): QuorumState {
  const rc = q.get('rc');
  if (rc === 'missing') return { answered: false, reason: 'bin/kafka-metadata-quorum.sh is missing on the host' };
  if (rc === 'down') return { answered: false, reason: `nothing listens on ${CONTROLLER_ADDRESS}: the node's controller is not running` };
  const replicas = replicasOf(q);
  if (rc === undefined) {
    // Asked with --replication only: the leader and the voters are its rows'.
    const leader = replicas?.filter((r) => r.status === 'leader');
    if (!replicas || leader!.length !== 1) return notAnswered(q, q.get('replication_rc'));
    const voters = replicas.filter((r) => r.status !== 'observer');
    return {
      answered: true,
      leaderId: leader![0]!.id,
      epoch: undefined,
      maxLag: Math.max(0, ...voters.map((r) => r.lag)),
      voters: voters.map((r) => r.id),
      replicas,
    };
  }
  const leader = /^-?[0-9]{1,10}$/.test(q.get('leader') ?? '') ? Number(q.get('leader')) : Number.NaN;
  if (rc !== '0' || !Number.isInteger(leader)) return notAnswered(q, rc);
  const voters = (q.get('voters') ?? '')
    .split(' ')
    .filter((v) => /^[0-9]{1,9}$/.test(v))
    .map(Number);
  return { answered: true, leaderId: leader, epoch: q.number('epoch'), maxLag: q.number('lag'), voters, replicas };
}
