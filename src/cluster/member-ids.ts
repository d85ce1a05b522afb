/**
 * Each cluster member's number (ZooKeeper's myid), decided from the servers first: a member keeps the
 * myid its server holds whatever the `--host` order, the saved profile or its absence; a host its
 * peers' ensemble names by address (a first init stopped before its own config was written) takes
 * that number; only a host new to the cluster gets one from the profile or the next free one. A
 * member the servers (or the profile) know of must be among the hosts: removing one is not something
 * a run may do by accident — but a member at a new address is found by its own data and kept.
 */
import { UsageError, UserError } from '../errors.js';
import type { HostFacts } from '../host/facts.js';
import { MAX_MEMBERS } from '../kafka/cluster.js';
import type { SavedMember } from '../options/cluster-options.js';
import { serverRole, type EnsembleEntry } from '../steps/server-role.js';

export interface IdCandidate {
  label: string;
  /** The saved member this host is (by host and port), if any. */
  savedId: number | undefined;
}

type Seen = Pick<HostFacts, 'files' | 'dataDirs' | 'install' | 'serverAddress'>;

const TRUTH_HINT = 'kafka-setup reads each member\'s number from the server itself (its myid and its ZooKeeper config), so a cluster keeps its shape whatever the profile says';

export function memberIds(hosts: readonly IdCandidate[], facts: readonly Seen[], saved: readonly SavedMember[] = []): number[] {
  const roles = facts.map(serverRole);
  const held = roles.map((r) => (r.kind === 'member' ? r.myid : undefined));
  for (const [i, id] of held.entries()) {
    const j = id === undefined ? -1 : held.indexOf(id);
    if (j >= 0 && j !== i) {
      throw new UserError(`${hosts[j]!.label} and ${hosts[i]!.label} are both ZooKeeper member ${id} (their myid): they belong to different clusters, or one is a copy of the other's disk`, {
        hint: `leave one of them out, or clear the copy's data first (kafka-setup uninstall --purge-data --host HOST); ${TRUTH_HINT}`,
      });
    }
  }
  // The members the servers' ensembles name, where no given host holds that number: they must agree.
  const named = new Map<number, { entry: EnsembleEntry; by: number }>();
  for (const [i, r] of roles.entries()) {
    if (r.kind !== 'member') continue;
    for (const e of r.ensemble) {
      if (held.includes(e.id)) continue;
      const other = named.get(e.id);
      if (other && other.entry.address !== e.address) {
        throw new UserError(`${hosts[other.by]!.label} and ${hosts[i]!.label} name different servers as ZooKeeper member ${e.id} (${other.entry.address} and ${e.address}): they are not one cluster`, {
          hint: `set up each cluster on its own (a --profile each), with every member of it; ${TRUTH_HINT}`,
        });
      }
      if (!other) named.set(e.id, { entry: e, by: i });
    }
  }
  const ids: Array<number | undefined> = [...held];
  // A host the others list by its address, not yet holding the number itself.
  for (const [id, { entry }] of named) {
    const at = facts.findIndex((f, i) => ids[i] === undefined && f.serverAddress === entry.address);
    if (at >= 0) ids[at] = id;
  }
  const missing = [...named].filter(([id]) => !ids.includes(id));
  if (missing.length > 0) {
    const [id, { entry, by }] = missing[0]!;
    throw new UsageError(
      `${hosts[by]!.label}'s ZooKeeper ensemble has member ${id} at ${entry.address}, which is not among the hosts given`,
      `give every member of the cluster with --host (at the address this machine reaches it at); removing a member is not supported. ${TRUTH_HINT}`,
    );
  }
  // The saved members not named by host and port must be found among the servers (a new address).
  const found = new Set<number>(ids.filter((x): x is number => x !== undefined));
  const lost = saved.filter((m) => !hosts.some((h) => h.savedId === m.id) && !found.has(m.id));
  if (lost.length > 0) {
    throw new UsageError(
      `${lost.map((m) => m.host).join(', ')} ${lost.length > 1 ? 'are members' : 'is a member'} of the saved cluster but not given with --host`,
      `give every member (${saved.map((m) => m.host).join(', ')}) and any new ones; a member at a new address is recognised by its own data; removing a member from the cluster is not supported`,
    );
  }
  // New to the cluster: the saved number where no server holds it, else the next free one. A saved
  // number that no such host asks for is never given to a new one: the profile gave it to a member.
  const asked = new Set(hosts.flatMap((h, i) => (ids[i] === undefined && h.savedId !== undefined ? [h.savedId] : [])));
  const taken = new Set<number>([...found, ...saved.map((m) => m.id).filter((id) => !asked.has(id))]);
  let next = Math.max(0, ...taken);
  const out = ids.map((id, i) => {
    if (id !== undefined) return id;
    const want = hosts[i]!.savedId;
    if (want !== undefined && !taken.has(want)) {
      taken.add(want);
      return want;
    }
    while (taken.has(++next));
    taken.add(next);
    return next;
  });
  if (out.some((id) => id > MAX_MEMBERS)) throw new UserError(`a ZooKeeper ensemble has at most ${MAX_MEMBERS} members`, { hint: 'give fewer hosts' });
  return out;
}

/** Whether any of these servers already is a cluster member: the first cluster init is decided by the servers, not by a profile. */
export function anyMember(facts: readonly Seen[]): boolean {
  return facts.some((f) => serverRole(f).kind === 'member');
}
