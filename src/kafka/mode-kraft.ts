/**
 * Kafka 4.x on one server: one JVM, broker and KRaft controller in one (process.roles=broker,controller),
 * its storage formatted once before the first start. The controller listener is bound and advertised
 * on the loopback, where the node itself reaches it, never at the public address.
 */
import { posix } from 'node:path';
import { type ClusterView, hostPort, replication, replicationSettings, selfOf } from './cluster.js';
import { KRAFT_NODE } from './daemons.js';
import { CONTROLLER_LISTENER, CONTROLLER_PORT } from './distribution.js';
import type { KafkaMode, Placement } from './kafka-mode.js';
import { controllerBootstrap, votersOf, votes } from './kraft-quorum.js';
import { listenerSettings } from './listeners.js';
import { getProperty } from './properties.js';

/** A single server's node id: Kafka's own quickstart's. */
export const KRAFT_NODE_ID = 1;
export const CONTROLLER_ADDRESS = `127.0.0.1:${CONTROLLER_PORT}`;

export const kraftMode: KafkaMode = {
  id: 'kraft',
  what: 'Kafka (broker and controller, KRaft)',
  daemons: [KRAFT_NODE],
  broker: KRAFT_NODE,
  settings: (p) => [
    [
      'server.properties',
      p.cluster
        ? clusterSettings(p, p.cluster)
        : [
            ['process.roles', 'broker,controller'],
            ['node.id', String(KRAFT_NODE_ID)],
            ['controller.quorum.bootstrap.servers', CONTROLLER_ADDRESS],
            ['controller.listener.names', CONTROLLER_LISTENER],
            ...listenerSettings(p.advertisedHost, p.cluster, [[CONTROLLER_LISTENER, CONTROLLER_ADDRESS, CONTROLLER_ADDRESS]]),
            ['log.dirs', posix.join(p.dataDir, 'kafka-logs')],
          ],
    ],
  ],
  dataStores: [
    {
      what: 'Kafka',
      kind: 'broker',
      file: 'server.properties',
      dir: 'kafka-logs',
      setting: 'server.properties (log.dirs)',
      current: (f) =>
        (
          getProperty(f['server.properties'] ?? '', 'log.dirs') ??
          getProperty(f['server.properties'] ?? '', 'log.dir') ??
          '/tmp/kraft-combined-logs'
        ).split(','),
    },
  ],
  formatsStorage: true,
  dynamicVoters: true,
  metadataNamesController: false,
  heapMib: (_d, brokerMib) => brokerMib,
  residentBesides: [],
  // The broker's 160 MiB (measured on 3.1.0) and the controller's metadata log and threads beside it.
  brokerOverheadMib: 192,
  wants: () => undefined,
  // The format step refuses what KRaft cannot use (steps/format.ts), ZooKeeper's database too.
  unusableStorage: () => undefined,
  scalaVersions: ['2.13'],
  // Bound to the loopback by kafka-setup: open only where someone re-bound it.
  privatePort: { id: 'controller-exposed', name: 'the KRaft controller', port: CONTROLLER_PORT },
  memberText: (c) =>
    votes(c, selfOf(c).id)
      ? `node.id ${selfOf(c).id}, one of ${votersOf(c).length} voters in the controller quorum`
      : `node.id ${selfOf(c).id}, a broker observing the ${votersOf(c).length}-voter controller quorum`,
  clusterQuorum: 'controllers',
};

/**
 * A member of a KRaft cluster: a voter of the quorum of every member, its controller listener bound on
 * every interface (the loopback for kafka-setup's own tools, the private address for its peers; never
 * opened to the internet: the security group's part) and advertised at its private address.
 */
function clusterSettings(p: Placement, c: ClusterView): Array<[string, string]> {
  const self = selfOf(c);
  const r = replication(c.members.length);
  return [
    ['process.roles', 'broker,controller'],
    ['node.id', String(self.id)],
    ['controller.quorum.bootstrap.servers', controllerBootstrap(c)],
    ['controller.listener.names', CONTROLLER_LISTENER],
    ...listenerSettings(p.advertisedHost, c, [[CONTROLLER_LISTENER, `:${CONTROLLER_PORT}`, hostPort(self.address, CONTROLLER_PORT)]]),
    ['log.dirs', posix.join(p.dataDir, 'kafka-logs')],
    ...replicationSettings(c),
    // Kafka 4's share groups keep their state in a topic of their own, shipped at one copy like the others.
    ['share.coordinator.state.topic.replication.factor', String(r.factor)],
    ['share.coordinator.state.topic.min.isr', String(r.minInsync)],
  ];
}
