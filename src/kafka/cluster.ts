/**
 * A cluster of N hosts, each running ZooKeeper and a broker: the ensemble's and the brokers' settings,
 * computed from who is in it. Members are numbered from 1 (ZooKeeper's myid, and the broker.id unless
 * the broker's data was written under another: a single server's broker 0 keeps its id), and
 * reach each other at their private addresses (the address each host's sshd saw the connection on:
 * on EC2 the VPC address, which peers reach without leaving the network).
 */
import { ZOOKEEPER_PORT } from './distribution.js';

export interface ClusterMember {
  /** ZooKeeper's myid: 1..255. */
  id: number;
  /** The broker.id: the member's id, unless its log directories hold data written under another. */
  brokerId: number;
  /** Where the other members reach this one. */
  address: string;
}

export interface ClusterView {
  /** This host's id. */
  self: number;
  members: readonly ClusterMember[];
  /** KRaft: the one cluster id every node is formatted with, decided from the servers (or new) once per run. */
  clusterId?: string | undefined;
  /** KRaft: the ids of the controller quorum's voters (the others observe it: brokers whose controller does not vote). */
  voters?: readonly number[] | undefined;
  /**
   * KRaft: the voters every member's config names (controller.quorum.bootstrap.servers): the first
   * ones; voters added later are learnt from the quorum, never written (undefined: the voters).
   */
  controllers?: readonly number[] | undefined;
  /** KRaft: whether the quorum was formed (a member formatted and running): a node formatted now joins it. */
  quorumFormed?: boolean | undefined;
}

/** Followers talk to the leader on the first, elections run on the second. */
export const QUORUM_PORT = 2888;
export const ELECTION_PORT = 3888;
/** ZooKeeper's myid is 1..255. */
export const MAX_MEMBERS = 255;

/** Replication defaults fit for the cluster's size: three copies, two of which must acknowledge. */
export function replication(size: number): { factor: number; minInsync: number } {
  const factor = Math.min(3, size);
  return { factor, minInsync: factor >= 3 ? 2 : 1 };
}

function ordered(c: ClusterView): ClusterMember[] {
  return [...c.members].sort((a, b) => a.id - b.id);
}

export function zookeeperConnect(c: ClusterView): string {
  return ordered(c)
    .map((m) => `${hostPort(m.address, ZOOKEEPER_PORT)}`)
    .join(',');
}

/** `host:port`, with an IPv6 address in brackets. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** zookeeper.properties: the ensemble, and the time a follower may take to join and to stay in sync (in ticks of 2 s). */
export function ensembleSettings(c: ClusterView): Array<[string, string]> {
  return [
    ['initLimit', '10'],
    ['syncLimit', '5'],
    ...ordered(c).map((m): [string, string] => [`server.${m.id}`, `${m.address}:${QUORUM_PORT}:${ELECTION_PORT}`]),
  ];
}

/** server.properties: who this broker is, where the ensemble is, and replication for the cluster's size. */
export function brokerClusterSettings(c: ClusterView): Array<[string, string]> {
  return [['broker.id', String(selfOf(c).brokerId)], ['zookeeper.connect', zookeeperConnect(c)], ...replicationSettings(c)];
}

/** server.properties: replication for the cluster's size (Kafka's own topics and the default), in either mode. */
export function replicationSettings(c: ClusterView): Array<[string, string]> {
  const r = replication(c.members.length);
  return [
    ['offsets.topic.replication.factor', String(r.factor)],
    ['transaction.state.log.replication.factor', String(r.factor)],
    ['transaction.state.log.min.isr', String(r.minInsync)],
    ['default.replication.factor', String(r.factor)],
    ['min.insync.replicas', String(r.minInsync)],
  ];
}

/** Whether zookeeper.properties makes its ZooKeeper a member of an ensemble (a `server.N` line). */
export function inEnsemble(zookeeperProperties: string | undefined): boolean {
  return /^\s*server\.\d+\s*[=:]/m.test(zookeeperProperties ?? '');
}

export function selfOf(c: ClusterView): ClusterMember {
  const m = c.members.find((x) => x.id === c.self);
  if (!m) throw new Error(`cluster member ${c.self} is not in the cluster`);
  return m;
}
