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
import { hostPort, type ClusterView } from './cluster.js';
import { CONTROLLER_PORT } from './distribution.js';

/** A voter's directory id: 16 bytes of a hash, in URL-safe base64 as Kafka writes a Uuid. */
export function directoryIdOf(clusterId: string, nodeId: number): string {
  const bytes = createHash('sha256').update(`kafka-setup voter directory\n${clusterId}\n${nodeId}`).digest().subarray(0, 16);
  // Never a leading "-" (it would read as an option) nor one of Kafka's reserved ids (all small numbers).
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('base64url');
}

function byId(c: ClusterView): ClusterView['members'] {
  return [...c.members].sort((a, b) => a.id - b.id);
}

/** controller.quorum.bootstrap.servers: every voter's controller listener. */
export function controllerBootstrap(c: ClusterView): string {
  return byId(c).map((m) => hostPort(m.address, CONTROLLER_PORT)).join(',');
}

/** `--initial-controllers`: `id@host:port:directoryId` for every voter, the same on every node. */
export function initialControllers(c: ClusterView, clusterId: string): string {
  return byId(c).map((m) => `${m.id}@${hostPort(m.address, CONTROLLER_PORT)}:${directoryIdOf(clusterId, m.id)}`).join(',');
}
