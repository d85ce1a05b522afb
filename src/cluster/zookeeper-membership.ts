/**
 * How a ZooKeeper-mode cluster's members are numbered and what its membership changes mean: the
 * broker.id each keeps, whether a ZooKeeper joins after the seeded one, and whether the ensemble's
 * membership changes in a run (see cluster-membership.ts, which chooses between the modes).
 */
import { UserError } from '../errors.js';
import type { HostFacts } from '../host/facts.js';
import { findJvm } from '../host/install-jvms.js';
import type { ClusterView } from '../kafka/cluster.js';
import { ZOOKEEPER } from '../kafka/daemons.js';
import { type MemberData, memberData } from '../steps/member-data.js';
import { ensembleOf } from '../steps/server-role.js';

/**
 * Whether the ensemble's membership changes in this run: some server's ZooKeeper config lists other
 * members than the cluster will have. A ZooKeeper restarted into a new membership cannot rejoin the
 * members still running the old one, so no restart may wait for its quorum then.
 */
export function membershipChanges(facts: readonly HostFacts[], view: ClusterView): boolean {
  const key = (es: ReadonlyArray<{ id: number; address: string }>): string =>
    es
      .map((e) => `${e.id}=${e.address}`)
      .sort()
      .join(',');
  return facts.some((f) => key(ensembleOf(f.files['zookeeper.properties'].content)) !== key(view.members));
}

/** What a membership change means for availability, said once before it happens (and by a dry run). */
export function membershipNote(facts: readonly HostFacts[], view: ClusterView): string | undefined {
  if (!membershipChanges(facts, view) || !facts.some((f) => findJvm(f, ZOOKEEPER) !== undefined)) return undefined;
  const before = new Set(facts.flatMap((f) => ensembleOf(f.files['zookeeper.properties'].content).map((e) => `${e.id}=${e.address}`)));
  return (
    `the ZooKeeper ensemble's membership changes (${before.size > 0 ? `${before.size} listed` : 'a single server'} → ${view.members.length} members): ` +
    'a ZooKeeper restarted into the new list cannot rejoin members still on the old one, so the running ZooKeepers restart without waiting for ' +
    "each other's quorum and the ensemble may have none for a few seconds; brokers still restart one at a time, each after the cluster is whole"
  );
}

/**
 * Each member's broker.id: the one its data was written under (a single server's 0), else the saved
 * one, else its id, or the next free one where that is taken. Refused: data of two clusters (two
 * single servers' ZooKeepers, or one beside an ensemble's), and two brokers' data under one id.
 */
export function brokerIdsOf(
  members: readonly { id: number; label: string; brokerId?: number | undefined }[],
  data: readonly MemberData[],
): number[] {
  const labels = (is: number[]): string => is.map((i) => members[i]!.label).join(' and ');
  const alone = data.flatMap((d, i) => (d.standalone ? [i] : []));
  const ensemble = data.flatMap((d, i) => (d.zookeeper && !d.standalone ? [i] : []));
  if (alone.length > 1 || (alone.length === 1 && ensemble.length > 0)) {
    const holders = [...alone, ...ensemble];
    throw new UserError(
      `${labels(holders)} each hold ZooKeeper data of their own (${alone.length > 1 ? 'single servers' : "a single server and a cluster's members"}): one cluster can keep only one of them`,
      {
        hint: `keep the data of one: run kafka-setup uninstall --purge-data --host HOST on the others (their topics go), then the cluster init again; or set up the cluster without ${alone.length > 1 ? 'all but one of them' : members[alone[0]!]!.label}`,
      },
    );
  }
  const generated = data.findIndex((d) => d.brokerId === 'generated');
  if (generated >= 0) {
    throw new UserError(
      `${members[generated]!.label}'s broker holds data under a broker.id it generated itself, which kafka-setup cannot read`,
      {
        hint: 'set broker.id in its config/server.properties to the one in meta.properties of its log directory, then run the cluster init again',
      },
    );
  }
  const kept = data.map((d) => (typeof d.brokerId === 'number' ? d.brokerId : undefined));
  for (const [i, id] of kept.entries()) {
    const j = id === undefined ? -1 : kept.indexOf(id);
    if (j !== i && j >= 0) {
      throw new UserError(`the brokers of ${labels([j, i])} both hold data as broker.id ${id}: they come from different clusters`, {
        hint: `keep the data of one: run kafka-setup uninstall --purge-data --host HOST on the other, then the cluster init again`,
      });
    }
  }
  const wanted = members.map((m, i) => kept[i] ?? m.brokerId ?? m.id);
  const taken = new Set(kept.filter((id): id is number => id !== undefined));
  let next = Math.max(...wanted, ...taken);
  return wanted.map((id, i) => {
    if (kept[i] !== undefined) return id;
    if (taken.has(id)) id = ++next;
    taken.add(id);
    return id;
  });
}

/**
 * Whether this member's ZooKeeper starts only after those holding a database, one at a time: when it
 * has none, and the members without one are a majority of the ensemble (a single server becoming the
 * first of three). Started side by side, those could elect one of their own before the one with data
 * is heard, and it would then take their empty state over its own; started one by one after it, each
 * finds it running with the newest transaction, and every election picks it. Where the members with
 * data are at least half (a cluster growing), every quorum holds one of them, whose vote wins over a
 * fresh one's: the new ZooKeepers start beside the others' restarts, as their config needs them to.
 */
export function joinsSeeded(facts: readonly HostFacts[], index: number): boolean {
  const data = facts.map(memberData);
  const fresh = data.filter((d) => !d.zookeeper).length;
  return !data[index]!.zookeeper && fresh < data.length && fresh > data.length / 2;
}
