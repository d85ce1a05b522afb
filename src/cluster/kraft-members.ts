/**
 * A KRaft cluster's members as the servers tell them: each node's id from its formatted storage
 * (meta.properties), else from the config a cluster init wrote (node.id); which of them vote in the
 * controller quorum (those the members' configs name; on a new cluster the first three, or five);
 * the one cluster id every node is formatted with; and the refusals that keep a run from making two
 * clusters of one — nodes formatted for different clusters, two nodes with one id, a member left out,
 * a voter without its storage beside a quorum that runs. Whatever the `--host` order, the saved
 * profile or its absence, a node keeps its id and nothing formatted is formatted again.
 */

import { isIP } from 'node:net';
import { posix } from 'node:path';
import { UsageError, UserError } from '../errors.js';
import { cleanPath, type HostFacts } from '../host/facts.js';
import { findJvm } from '../host/install-jvms.js';
import { isHostName } from '../host-name.js';
import { KRAFT_NODE } from '../kafka/daemons.js';
import { directoryIdOf, firstVoterCount } from '../kafka/kraft-quorum.js';
import { getProperty } from '../kafka/properties.js';
import type { SavedMember } from '../options/cluster-options.js';
import { type IdCandidate, numberNewMembers } from './new-member-ids.js';

export type Candidate = IdCandidate;

type Seen = Pick<HostFacts, 'files' | 'dataDirs' | 'install' | 'serverAddress' | 'keptClusterId' | 'jvms'>;

/** What a server says it is, as a KRaft node. */
export interface KraftNode {
  /** Its storage as kafka-storage.sh formatted it (KRaft's meta.properties), if it is. */
  formatted: { nodeId: number | undefined; clusterId: string | undefined } | undefined;
  /** The node.id of a cluster member's config (one whose quorum lists several controllers). */
  configuredId: number | undefined;
  /** The controllers its config lists, by address, when it is a cluster member's config. */
  peers: string[];
  /** A single server's: formatted (or configured) as its own quorum. */
  single: boolean;
  /** A single server with its storage: its own quorum, which a cluster made of it keeps. */
  standalone: boolean;
  /** The cluster id kept beside its data (cluster.id). */
  keptId: string | undefined;
  running: boolean;
  /** Its storage keeps the directory id the quorum took it as a voter under (added after the first voters, steps/voter.ts). */
  addedVoter: boolean;
  /**
   * Its storage was formatted as one of a new cluster's first voters (its directory id the derived
   * one, kraft-quorum.ts). Any other formatted storage (a single server's --standalone, a node that
   * joined) says a quorum was formed: a node formatted now joins it.
   */
  firstVoter: boolean;
}

const TRUTH =
  "kafka-setup reads each node's id and cluster from the server itself (meta.properties, server.properties), so a cluster keeps its shape whatever the profile says";

function logDirOf(facts: Seen): string {
  return posix.join(posix.dirname(facts.install.path), 'kafka-data', 'kafka-logs');
}

/**
 * The controllers of controller.quorum.bootstrap.servers, by host (IPv6 without brackets): only those
 * that are an address or a host name (the file is the server's, read as hostile; they reach messages).
 */
function bootstrapHosts(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((hp) => {
      const h = hp.startsWith('[')
        ? hp.slice(1, Math.max(1, hp.indexOf(']')))
        : hp.slice(0, hp.lastIndexOf(':') < 0 ? hp.length : hp.lastIndexOf(':'));
      return h;
    })
    .filter((h) => isIP(h) !== 0 || isHostName(h));
}

const loopback = (h: string): boolean => h === 'localhost' || h.startsWith('127.') || h === '::1';

export function kraftNode(facts: Seen): KraftNode {
  const config = facts.files['server.properties'].content;
  const ours = facts.dataDirs.get(cleanPath(logDirOf(facts)));
  // Ours first; else any KRaft-formatted directory the probe found where the config points.
  const dir =
    ours?.format?.version !== undefined && ours.format.version >= 1
      ? ours
      : [...facts.dataDirs.values()].find((d) => (d.format?.version ?? 0) >= 1);
  const formatted = dir?.format ? { nodeId: dir.format.nodeId, clusterId: dir.format.clusterId } : undefined;
  const directoryId = dir?.format?.directoryId;
  const roles = getProperty(config ?? '', 'process.roles');
  const hosts = roles === undefined ? [] : bootstrapHosts(getProperty(config ?? '', 'controller.quorum.bootstrap.servers'));
  const member = hosts.length > 1 && !hosts.every(loopback);
  const id = Number(getProperty(config ?? '', 'node.id')?.trim());
  return {
    formatted,
    configuredId: member && Number.isInteger(id) && id >= 0 ? id : undefined,
    peers: member ? hosts.filter((h) => !loopback(h)) : [],
    single: !member && (formatted !== undefined || roles !== undefined),
    standalone: !member && formatted !== undefined,
    keptId: facts.keptClusterId,
    running: findJvm(facts as HostFacts, KRAFT_NODE) !== undefined,
    addedVoter: member && directoryId !== undefined && dir?.format?.voterDirectoryId === directoryId,
    firstVoter:
      formatted?.clusterId !== undefined &&
      formatted.nodeId !== undefined &&
      directoryId === directoryIdOf(formatted.clusterId, formatted.nodeId),
  };
}

/** The one cluster id of these servers: their formatted storage's, else the kept one, else `fresh`. */
export function clusterIdOf(hosts: readonly Candidate[], nodes: readonly KraftNode[], fresh: string): string {
  const by = (pick: (n: KraftNode) => string | undefined): Map<string, number[]> => {
    const m = new Map<string, number[]>();
    nodes.forEach((n, i) => {
      const id = pick(n);
      if (id !== undefined) m.set(id, [...(m.get(id) ?? []), i]);
    });
    return m;
  };
  const names = (is: number[]): string => is.map((i) => hosts[i]!.label).join(', ');
  const formatted = by((n) => n.formatted?.clusterId);
  if (formatted.size > 1) {
    const [[a, ia], [b, ib]] = [...formatted] as [[string, number[]], [string, number[]]];
    throw new UserError(
      `the nodes are formatted for different clusters: ${names(ia)} for ${a}, ${names(ib)} for ${b}; one KRaft cluster has one id, and kafka-setup never re-formats a node. Nothing was changed`,
      {
        hint: `set up each cluster on its own (a --profile each); to make a node part of this one, remove its data first (kafka-setup uninstall --purge-data --host HOST: its topics go). ${TRUTH}`,
      },
    );
  }
  if (formatted.size === 1) return [...formatted.keys()][0]!;
  const kept = by((n) => n.keptId);
  if (kept.size > 1) {
    const [[a, ia], [b, ib]] = [...kept] as [[string, number[]], [string, number[]]];
    throw new UserError(
      `the hosts keep different KRaft cluster ids, none of them formatted yet: ${names(ia)} keep ${a}, ${names(ib)} keep ${b}. Nothing was changed`,
      {
        hint: `they hold no Kafka data: remove kafka-data/cluster.id beside the install on all but one of them, then run the same command again`,
      },
    );
  }
  return kept.size === 1 ? [...kept.keys()][0]! : fresh;
}

/**
 * Each node's id: its formatted storage's, else its cluster config's; a host new to the cluster gets
 * the saved id where no server holds it, else the next free one.
 */
export function kraftMemberIds(hosts: readonly Candidate[], facts: readonly Seen[], saved: readonly SavedMember[] = []): number[] {
  const nodes = facts.map(kraftNode);
  // A single server becomes the cluster's first member (its quorum the cluster's, its data kept): only
  // of a cluster this run makes of it, never of one whose members' configs name other controllers.
  const single = nodes.findIndex((n) => n.standalone);
  const named = new Set(nodes.flatMap((n) => n.peers));
  if (single >= 0 && named.size > 0 && !named.has(facts[single]!.serverAddress ?? '')) {
    throw new UsageError(
      `${hosts[single]!.label} runs Kafka 4 as a single server, and the other hosts are already members of a cluster whose controllers do not include it: a single server becomes the first member of a cluster made with it, never a member of another. Nothing was changed`,
      `grow the cluster with fresh servers; to add ${hosts[single]!.label} to it, start it afresh first (its topics go): kafka-setup uninstall --purge-data --host ${hosts[single]!.label}`,
    );
  }
  const held = nodes.map((n) => n.formatted?.nodeId ?? n.configuredId);
  for (const [i, id] of held.entries()) {
    const j = id === undefined ? -1 : held.indexOf(id);
    if (j >= 0 && j !== i) {
      throw new UserError(
        `${hosts[j]!.label} and ${hosts[i]!.label} are both KRaft node ${id}: they belong to different clusters, or one is a copy of the other's disk. Nothing was changed`,
        {
          hint: `leave one of them out, or clear the copy's data first (kafka-setup uninstall --purge-data --host HOST); ${TRUTH}`,
        },
      );
    }
  }
  // Every controller a member's config names must be among the hosts: leaving one out is not a way to remove it.
  const addresses = new Set(facts.map((f) => f.serverAddress).filter((a): a is string => a !== undefined));
  for (const [i, n] of nodes.entries()) {
    const out = n.peers.find((p) => !addresses.has(p));
    if (out !== undefined) {
      throw new UsageError(
        `${hosts[i]!.label}'s config lists a controller at ${out}, which is not among the hosts given. Nothing was changed`,
        `give every member of the cluster with --host (at the address this machine reaches it at); removing a member is not supported. ${TRUTH}`,
      );
    }
  }
  // A voter without storage beside a quorum that runs has lost its data. Formatted again as a first
  // voter, it would come back with an empty log under its old directory id and could help elect a
  // leader that lacks committed metadata: it is formatted as a node that joins the quorum instead, and
  // takes its vote back under its new directory id (steps/voter.ts). Its id must be its own config's:
  // the quorum knows the lost voter by it. Where none runs, the first init was stopped between two
  // formats: the rest are formatted as planned. A node the quorum does not name joins as a broker.
  // Only once the quorum is settled (every formatted controller a first or an added voter): a cluster
  // still growing from a single server names controllers that never voted.
  const formed = quorumFormed(facts);
  const settled = nodes.every(
    (n, i) => n.formatted === undefined || !named.has(facts[i]!.serverAddress ?? '') || n.firstVoter || n.addedVoter,
  );
  const lostVoter = nodes.findIndex(
    (n, i) => n.formatted === undefined && n.configuredId === undefined && formed && settled && named.has(facts[i]!.serverAddress ?? ''),
  );
  if (lostVoter >= 0) {
    throw new UserError(
      `${hosts[lostVoter]!.label} has neither KRaft storage nor a cluster config, yet the cluster's quorum runs and names it as a voter: it lost its data, and with it the node id the quorum knows it by. Nothing was changed`,
      {
        hint: `put its server.properties back (node.id is what the quorum knows it by) and run the same command again: kafka-setup then formats it afresh and gives it its vote back under a new directory id; or remove it by hand: kafka-metadata-quorum.sh remove-controller (Kafka's docs: "Controller membership changes")`,
      },
    );
  }
  return numberNewMembers(hosts, held, saved);
}

/**
 * The ids of the quorum's voters. On servers whose configs name no controllers yet, a new cluster's
 * first three (or five) by id. Else the members the members' configs name as controllers (the first
 * voters: controller.quorum.bootstrap.servers never changes) and those whose storage says the quorum
 * took them as voters since; and where that is fewer than the cluster's size calls for (a cluster
 * grown to five servers: five), the observers with the lowest ids join them (steps/voter.ts adds
 * them with add-controller). A fourth server observes: a fourth vote would not survive a second
 * failure more than three do.
 */
export function kraftVoters(facts: readonly Seen[], ids: readonly number[]): number[] {
  const nodes = facts.map(kraftNode);
  const named = new Set(nodes.flatMap((n) => n.peers));
  const byId = (a: number, b: number): number => a - b;
  if (named.size === 0) return firstVoters(nodes, ids);
  const voting = ids.filter((_, i) => named.has(facts[i]!.serverAddress ?? '') || nodes[i]!.addedVoter);
  // A member whose config is there and storage is not may be an added voter that lost it (its vote
  // went with the storage's marker): it comes first, so no observer takes the place the quorum keeps for it.
  const lost = (id: number): number => {
    const n = nodes[ids.indexOf(id)]!;
    return n.configuredId !== undefined && n.formatted === undefined ? 0 : 1;
  };
  const more = ids
    .filter((id) => !voting.includes(id))
    .sort((a, b) => lost(a) - lost(b) || a - b)
    .slice(0, Math.max(0, firstVoterCount(ids.length) - voting.length));
  return [...voting, ...more].sort(byId);
}

/**
 * A new cluster's first voters: the lowest ids, three (or five); a single server that becomes the
 * first member is one of them whatever its id (its quorum is the one the others join).
 */
function firstVoters(nodes: readonly KraftNode[], ids: readonly number[]): number[] {
  const first = ids.filter((_, i) => nodes[i]!.standalone);
  const rest = ids.filter((id) => !first.includes(id)).sort((a, b) => a - b);
  return [...first, ...rest].slice(0, firstVoterCount(ids.length)).sort((a, b) => a - b);
}

/**
 * The ids of the controllers the members' configs name (controller.quorum.bootstrap.servers): the
 * first voters, as the configs say; undefined where no config names any yet (a new cluster, or one
 * made of a single server): its first voters are written then. Voters added later are not written
 * there: the quorum tells its members about them, and no config changes (nor restarts) for it.
 */
export function kraftBootstrap(facts: readonly Seen[], ids: readonly number[]): number[] | undefined {
  const named = new Set(facts.map(kraftNode).flatMap((n) => n.peers));
  if (named.size === 0) return undefined;
  return ids.filter((_, i) => named.has(facts[i]!.serverAddress ?? '')).sort((a, b) => a - b);
}

/**
 * Whether each server is one of the quorum's controllers, as the servers say: named by the members'
 * configs, taken as a voter since (its storage says so), or a single server (its own quorum's voter);
 * the others observe the quorum.
 */
export function votingServers(facts: readonly Seen[]): boolean[] {
  const nodes = facts.map(kraftNode);
  const named = new Set(nodes.flatMap((n) => n.peers));
  return facts.map((f, i) => (f.serverAddress !== undefined && named.has(f.serverAddress)) || nodes[i]!.addedVoter || nodes[i]!.standalone);
}

/**
 * Whether the cluster's quorum has been formed: a member's storage is formatted and its node runs, or
 * a storage says so by itself (formatted other than as a first voter: a single server's, a node that
 * joined). A node formatted now then joins the quorum (--no-initial-controllers) rather than
 * bootstrapping it, a voter too: one that lost its storage takes its vote back with add-controller.
 * Where only first voters' storage is there and none runs, the first init was stopped between two
 * formats: the others are formatted as the first voters they were to be.
 */
export function quorumFormed(facts: readonly Seen[]): boolean {
  return facts.map(kraftNode).some((n) => n.formatted !== undefined && (n.running || !n.firstVoter));
}

/**
 * Whether this server's node joins a cluster whose data other servers hold: no storage of its own,
 * another's formatted. It starts once those have started (a single server's restart into the cluster's
 * config first: the controller it bootstraps from moves off the loopback).
 */
export function joinsFormed(facts: readonly Seen[], index: number): boolean {
  const nodes = facts.map(kraftNode);
  return nodes[index]!.formatted === undefined && nodes.some((n, i) => i !== index && n.formatted !== undefined);
}

/** Whether any of these servers already is a KRaft cluster's member (formatted, or configured as one). */
export function anyKraftMember(facts: readonly Seen[]): boolean {
  return facts.map(kraftNode).some((n) => n.configuredId !== undefined || (n.formatted !== undefined && !n.single));
}
