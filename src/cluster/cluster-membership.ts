/**
 * What a cluster's membership is in each Kafka mode, as values the cluster init asks for: how the
 * servers number their members, the cluster id they share, whether these servers already form a
 * cluster, whether a run changes the membership, where the hosts must wait for each other, and how
 * the summary names the quorum. ZooKeeper ensembles and KRaft quorums differ in every one.
 */

import type { HostFacts } from '../host/facts.js';
import type { HostOps } from '../host/operations.js';
import { type ClusterView, zookeeperConnect } from '../kafka/cluster.js';
import { newClusterId } from '../kafka/cluster-id.js';
import { controllerBootstrap, votersOf, votes } from '../kafka/kraft-quorum.js';
import type { KafkaMode } from '../kafka/mode.js';
import { majority } from '../kafka/quorum.js';
import type { SavedMember } from '../options/cluster-options.js';
import { memberData } from '../steps/member-data.js';
import {
  notCaughtUp,
  notInQuorum,
  outOfQuorum,
  QUORUM_WAIT_MS,
  quorumAtRisk,
  stopRisk,
  untilCaughtUp,
  untilInQuorum,
} from './cluster-health.js';
import {
  anyKraftMember,
  type Candidate,
  clusterIdOf,
  joinsFormed,
  kraftBootstrap,
  kraftMemberIds,
  kraftNode,
  kraftVoters,
  quorumFormed,
  votingServers,
} from './kraft-members.js';
import { anyMember, memberIds } from './member-ids.js';
import { brokerIdsOf, joinsSeeded, membershipChanges, membershipNote } from './zookeeper-membership.js';

/** What the quorum's guards ask of a member's host. */
type QuorumHost = Pick<HostOps, 'zookeeperMode' | 'quorum'>;

/** Every host finishes step `after` before any host begins step `before`. */
export interface Barrier {
  after: string;
  before: string;
  /** What the others stop short of when one fails: "the brokers were started". */
  what: string;
}

export interface Membership {
  /** Each member's number, then its broker id, from the servers (and the saved profile for new ones). */
  ids(
    hosts: readonly (Candidate & { brokerId?: number | undefined })[],
    facts: readonly HostFacts[],
    saved: readonly SavedMember[] | undefined,
  ): { ids: number[]; brokerIds: number[]; voters?: number[]; controllers?: number[]; quorumFormed?: boolean };
  /** The cluster id every member is formatted with (KRaft), decided once per run; `fresh` where none is there yet. */
  clusterId(hosts: readonly Candidate[], facts: readonly HostFacts[], fresh: string): string | undefined;
  /** Whether any of these servers is a cluster's member already (the first cluster init is the servers' to tell). */
  anyMember(facts: readonly HostFacts[]): boolean;
  /** Whether this run changes who is in the quorum (restarts then cannot wait for it). */
  changes(facts: readonly HostFacts[], view: ClusterView): boolean;
  /** What a change of membership means for availability, said once before it happens. */
  note(facts: readonly HostFacts[], view: ClusterView): string | undefined;
  /**
   * Whether this member's first start (its quorum step) waits until the members with data have done
   * theirs, restarts included (ZooKeeper's seeded start; a KRaft node joining formed storage).
   */
  joinsSeeded(facts: readonly HostFacts[], index: number): boolean;
  /** Whether those joiners then start one at a time (ZooKeeper: each finds the seeded one leading) rather than together. */
  readonly joinsOneAtATime: boolean;
  readonly barriers: readonly Barrier[];
  /** The step whose JVM holds a member's vote in the quorum: its restart is guarded and waited for. */
  readonly quorumStep: string;
  /** Before that JVM of the member `self` stops for a restart: throws why the quorum could be lost now (asked of the others, or of its own controller). */
  beforeStop(
    self: { label: string; host: QuorumHost; id: number },
    others: ReadonlyArray<{ label: string; host: QuorumHost }>,
  ): Promise<void>;
  /** Once it started again: waits until it is back in the quorum, else throws. */
  afterStart(self: { label: string; host: QuorumHost }, progress?: (text: string) => void): Promise<void>;
  /** The summary's line for the quorum: [name, value]. */
  quorum(view: ClusterView): readonly [string, string];
}

const zookeeperMembership: Membership = {
  ids(hosts, facts, saved) {
    const ids = memberIds(hosts, facts, saved);
    return {
      ids,
      brokerIds: brokerIdsOf(
        hosts.map((h, i) => ({ ...h, id: ids[i]! })),
        facts.map(memberData),
      ),
    };
  },
  clusterId: () => undefined,
  anyMember,
  changes: membershipChanges,
  note: membershipNote,
  joinsSeeded,
  joinsOneAtATime: true,
  // A broker needs a quorum of ZooKeepers: every host's runs first.
  barriers: [{ after: 'zookeeper', before: 'broker', what: 'the brokers were started' }],
  quorumStep: 'zookeeper',
  async beforeStop(self, others) {
    // Every other member's ZooKeeper in the quorum, else this one's loss could lose it.
    for (const o of others) {
      const q = await untilInQuorum(o.host, QUORUM_WAIT_MS);
      if (!q.ok)
        throw outOfQuorum(o.label, q, `restarting ${self.label}'s ZooKeeper now could lose the ensemble's quorum, so it was not stopped`);
    }
  },
  async afterStart(self) {
    const q = await untilInQuorum(self.host, QUORUM_WAIT_MS);
    if (!q.ok) throw notInQuorum(self.label, q, 'no other ZooKeeper was restarted');
  },
  quorum: (view) => ['ZooKeeper ensemble', zookeeperConnect(view)],
};

const kraftMembership: Membership = {
  ids(hosts, facts, saved) {
    const ids = kraftMemberIds(hosts, facts, saved);
    // A KRaft node is one id: broker and controller.
    return {
      ids,
      brokerIds: ids,
      voters: kraftVoters(facts, ids),
      controllers: kraftBootstrap(facts, ids),
      quorumFormed: quorumFormed(facts),
    };
  },
  clusterId: (hosts, facts, fresh) => clusterIdOf(hosts, facts.map(kraftNode), fresh),
  anyMember: anyKraftMember,
  // No config names a voter added later, so no restart waits on a change of votes: a node takes its
  // vote (add-controller) once it runs, one node at a time (init-cluster.ts).
  changes: () => false,
  note(facts, view) {
    const voting = votingServers(facts);
    const joining = view.members.filter((m, i) => votes(view, m.id) && !voting[i] && view.quorumFormed).map((m) => m.id);
    const n = votersOf(view).length;
    const down = n - majority(n);
    const single = facts.findIndex((f) => {
      const k = kraftNode(f);
      return k.standalone && k.running;
    });
    const notes = [
      single >= 0
        ? `node ${view.members[single]!.id}, a single server until now, restarts once into the cluster's config (its controller moves off the loopback to its private address), so its clients lose it for a few seconds; the new nodes start after it`
        : undefined,
      joining.length > 0
        ? `node${joining.length > 1 ? 's' : ''} ${joining.join(' and ')} join${joining.length > 1 ? '' : 's'} the controller quorum as voter${joining.length > 1 ? 's' : ''} once started (add-controller), one at a time: ${n} voters, so the quorum survives ${down} server${down === 1 ? '' : 's'} down`
        : undefined,
    ].filter((x): x is string => x !== undefined);
    return notes.length > 0 ? notes.join('; ') : undefined;
  },
  joinsSeeded: joinsFormed,
  joinsOneAtATime: false,
  barriers: [
    // Every node's config names the whole quorum before any is formatted: a run stopped between two
    // formats then finds every node's id on its server, and formats the rest with the same voters.
    { after: 'config', before: 'format', what: 'any storage was formatted' },
    // A node serves only once a majority of controllers runs: every node is formatted before any starts, then all start together.
    { after: 'format', before: 'broker', what: 'the nodes were started' },
  ],
  quorumStep: 'broker',
  async beforeStop(self) {
    // Asked of its own controller, still running: every other voter up and caught up, waited for as
    // ZooKeeper's quorum is (a node this run just started may still be catching up).
    const risk = stopRisk(await untilCaughtUp(self.host, QUORUM_WAIT_MS), self.id);
    if (risk) throw quorumAtRisk(self.label, risk, `${self.label}'s node was not stopped`);
  },
  async afterStart(self, progress) {
    const q = await untilCaughtUp(self.host, QUORUM_WAIT_MS, progress);
    if (!q.ok) throw notCaughtUp(self.label, q, 'no other node was restarted');
  },
  quorum: (view) => {
    const observers = view.members
      .filter((m) => !votes(view, m.id))
      .map((m) => m.id)
      .sort((a, b) => a - b);
    return [
      'controller quorum',
      `${controllerBootstrap(view)} (cluster ${view.clusterId ?? '?'}${observers.length === 0 ? '' : observers.length > 1 ? `; nodes ${observers.join(', ')} observe it as brokers` : `; node ${observers[0]} observes it as a broker`})`,
    ];
  },
};

const BY_MODE: Record<KafkaMode['id'], Membership> = { zookeeper: zookeeperMembership, kraft: kraftMembership };

export function membershipOf(mode: KafkaMode): Membership {
  return BY_MODE[mode.id];
}

/** A cluster id made once per run, for servers that hold none yet. */
export const freshClusterId = newClusterId;
