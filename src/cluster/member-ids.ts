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
import type { SavedMember } from '../options/cluster-options.js';
import { type EnsembleEntry, serverRole } from '../steps/server-role.js';
import { type IdCandidate, numberNewMembers } from './new-member-ids.js';

export type { IdCandidate } from './new-member-ids.js';

type Seen = Pick<HostFacts, 'files' | 'dataDirs' | 'install' | 'serverAddress'>;

const TRUTH_HINT =
  "kafka-setup reads each member's number from the server itself (its myid and its ZooKeeper config), so a cluster keeps its shape whatever the profile says";

export function memberIds(hosts: readonly IdCandidate[], facts: readonly Seen[], saved: readonly SavedMember[] = []): number[] {
  const roles = facts.map(serverRole);
  const held = roles.map((r) => (r.kind === 'member' ? r.myid : undefined));
  for (const [i, id] of held.entries()) {
    const j = id === undefined ? -1 : held.indexOf(id);
    if (j >= 0 && j !== i) {
      throw new UserError(
        `${hosts[j]!.label} and ${hosts[i]!.label} are both ZooKeeper member ${id} (their myid): they belong to different clusters, or one is a copy of the other's disk`,
        {
          hint: `leave one of them out, or clear the copy's data first (kafka-setup uninstall --purge-data --host HOST); ${TRUTH_HINT}`,
        },
      );
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
        throw new UserError(
          `${hosts[other.by]!.label} and ${hosts[i]!.label} name different servers as ZooKeeper member ${e.id} (${other.entry.address} and ${e.address}): they are not one cluster`,
          {
            hint: `set up each cluster on its own (a --profile each), with every member of it; ${TRUTH_HINT}`,
          },
        );
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
  return numberNewMembers(hosts, ids, saved);
}

/** Whether any of these servers already is a cluster member: the first cluster init is decided by the servers, not by a profile. */
export function anyMember(facts: readonly Seen[]): boolean {
  return facts.some((f) => serverRole(f).kind === 'member');
}
