/**
 * The numbers of a cluster's hosts once the servers have said theirs (both modes): every saved member
 * must be among the hosts, by host and port or found by its own data; a host new to the cluster gets
 * its saved number where no server holds it, else the next after the highest taken. A saved number no
 * such host asks for is never given to a new one: the profile gave it to a member.
 */
import { UsageError, UserError } from '../errors.js';
import { MAX_MEMBERS } from '../kafka/cluster.js';
import type { SavedMember } from '../options/cluster-options.js';

export interface IdCandidate {
  label: string;
  /** The saved member this host is (by host and port), if any. */
  savedId: number | undefined;
}

export function numberNewMembers(
  hosts: readonly IdCandidate[],
  held: ReadonlyArray<number | undefined>,
  saved: readonly SavedMember[],
): number[] {
  const found = new Set<number>(held.filter((x): x is number => x !== undefined));
  const lost = saved.filter((m) => !hosts.some((h) => h.savedId === m.id) && !found.has(m.id));
  if (lost.length > 0) {
    throw new UsageError(
      `${lost.map((m) => m.host).join(', ')} ${lost.length > 1 ? 'are members' : 'is a member'} of the saved cluster but not given with --host`,
      `give every member (${saved.map((m) => m.host).join(', ')}) and any new ones; a member at a new address is recognised by its own data; removing a member from the cluster is not supported`,
    );
  }
  const asked = new Set(hosts.flatMap((h, i) => (held[i] === undefined && h.savedId !== undefined ? [h.savedId] : [])));
  const taken = new Set<number>([...found, ...saved.map((m) => m.id).filter((id) => !asked.has(id))]);
  let next = Math.max(0, ...taken);
  const out = held.map((id, i) => {
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
  if (out.some((id) => id > MAX_MEMBERS))
    throw new UserError(`kafka-setup numbers a cluster's members up to ${MAX_MEMBERS}`, { hint: 'give fewer hosts' });
  return out;
}
