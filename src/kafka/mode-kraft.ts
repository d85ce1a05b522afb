/**
 * Kafka 4.x on one server: one JVM, broker and KRaft controller in one (process.roles=broker,controller),
 * its storage formatted once before the first start. The controller listener is bound and advertised
 * on the loopback, where the node itself reaches it, never at the public address.
 */
import { posix } from 'node:path';
import { KRAFT_NODE } from './daemons.js';
import { CONTROLLER_LISTENER, CONTROLLER_PORT } from './distribution.js';
import { listenerSettings } from './listeners.js';
import type { KafkaMode } from './kafka-mode.js';
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
    ['server.properties', [
      ['process.roles', 'broker,controller'],
      ['node.id', String(KRAFT_NODE_ID)],
      ['controller.quorum.bootstrap.servers', CONTROLLER_ADDRESS],
      ['controller.listener.names', CONTROLLER_LISTENER],
      ...listenerSettings(p.advertisedHost, p.cluster, [[CONTROLLER_LISTENER, CONTROLLER_ADDRESS, CONTROLLER_ADDRESS]]),
      ['log.dirs', posix.join(p.dataDir, 'kafka-logs')],
    ]],
  ],
  dataStores: [{
    what: 'Kafka', kind: 'broker', file: 'server.properties', dir: 'kafka-logs', setting: 'server.properties (log.dirs)',
    current: (f) => (getProperty(f['server.properties'] ?? '', 'log.dirs') ?? getProperty(f['server.properties'] ?? '', 'log.dir') ?? '/tmp/kraft-combined-logs').split(','),
  }],
  formatsStorage: true,
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
  clusterQuorum: 'controllers',
};
