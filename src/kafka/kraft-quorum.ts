/**
 * A KRaft cluster's controller quorum: every member a voter (combined broker and controller), reached
 * at its private address on the controller port, the quorum bootstrapped by formatting each node with
 * the same `--initial-controllers` (a dynamic KIP-853 quorum, which later grows with add-controller).
 *
 * Each voter's directory id is derived from the cluster id and its node id rather than drawn at random:
 * every run — a re-run, one interrupted between two nodes' formats, another `--host` order, a lost
 * profile — computes the same `--initial-controllers` from what the servers hold (their cluster id,
 * node ids and addresses), with nothing more to keep on them.
 */
import { createHash } from 'node:crypto';
import { type ClusterView, hostPort } from './cluster.js';
import { CONTROLLER_PORT } from './distribution.js';

/** A voter's directory id: 16 bytes of a hash, in URL-safe base64 as Kafka writes a Uuid. */
export function directoryIdOf(clusterId: string, nodeId: number): string {
  const bytes = createHash('sha256').update(`kafka-setup voter directory\n${clusterId}\n${nodeId}`).digest().subarray(0, 16);
  // Never a leading "-" (it would read as an option) nor one of Kafka's reserved ids (all small numbers).
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('base64url');
}

/**
 * How many of a new cluster's members vote: three, or five from five servers on (Kafka's advice: an
 * odd number, 3 or 5). A fourth vote would not survive a second failure more than three do, and
 * every vote is a write each metadata change waits for.
 */
export function firstVoterCount(size: number): number {
  return size <= 3 ? size : size < 5 ? 3 : 5;
}

/** The voters of a cluster, by id: the view's, else (one not yet decided) all its members. */
export function votersOf(c: ClusterView): ClusterView['members'] {
  const voters = c.voters ?? c.members.map((m) => m.id);
  return [...c.members].filter((m) => voters.includes(m.id)).sort((a, b) => a.id - b.id);
}

/** Whether this member votes in the controller quorum. */
export function votes(c: ClusterView, id: number): boolean {
  return votersOf(c).some((m) => m.id === id);
}

const byId = votersOf;

/**
 * controller.quorum.bootstrap.servers: the first voters' controller listeners (every node finds the
 * quorum there, and learns from it any voter added since: the configs never change for one).
 */
export function controllerBootstrap(c: ClusterView): string {
  const named = c.controllers;
  return (named === undefined ? byId(c) : [...c.members].filter((m) => named.includes(m.id)).sort((a, b) => a.id - b.id))
    .map((m) => hostPort(m.address, CONTROLLER_PORT))
    .join(',');
}

/** `--initial-controllers`: `id@host:port:directoryId` for every voter, the same on every node. */
export function initialControllers(c: ClusterView, clusterId: string): string {
  return byId(c)
    .map((m) => `${m.id}@${hostPort(m.address, CONTROLLER_PORT)}:${directoryIdOf(clusterId, m.id)}`)
    .join(',');
}
