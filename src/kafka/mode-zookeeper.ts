/** Kafka 3.x as the seed sets it up: ZooKeeper, then the broker, on each server. */
import { posix } from 'node:path';
import { brokerClusterSettings, ensembleSettings, selfOf } from './cluster.js';
import { BROKER, ZOOKEEPER } from './daemons.js';
import { ZOOKEEPER_PORT } from './distribution.js';
import { ZOOKEEPER_RESIDENT_MIB, zookeeperHeapFor } from './heap.js';
import type { KafkaMode } from './kafka-mode.js';
import { listenerSettings } from './listeners.js';
import { getProperty } from './properties.js';

export const zookeeperMode: KafkaMode = {
  id: 'zookeeper',
  what: 'the broker and ZooKeeper',
  daemons: [ZOOKEEPER, BROKER],
  broker: BROKER,
  settings: (p) => [
    [
      'server.properties',
      [
        ...listenerSettings(p.advertisedHost, p.cluster),
        ['log.dirs', posix.join(p.dataDir, 'kafka-logs')],
        ...(p.cluster ? brokerClusterSettings(p.cluster) : []),
      ],
    ],
    ['zookeeper.properties', [['dataDir', posix.join(p.dataDir, 'zookeeper')], ...(p.cluster ? ensembleSettings(p.cluster) : [])]],
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
          '/tmp/kafka-logs'
        ).split(','),
    },
    {
      what: 'ZooKeeper',
      kind: 'zookeeper',
      file: 'zookeeper.properties',
      dir: 'zookeeper',
      setting: 'zookeeper.properties (dataDir)',
      current: (f) => [getProperty(f['zookeeper.properties'] ?? '', 'dataDir') ?? '/tmp/zookeeper'],
    },
  ],
  formatsStorage: false,
  dynamicVoters: false,
  metadataNamesController: true,
  heapMib: (d, brokerMib) => (d.kind === 'zookeeper' ? zookeeperHeapFor(brokerMib) : brokerMib),
  residentBesides: [['ZooKeeper', ZOOKEEPER_RESIDENT_MIB]],
  brokerOverheadMib: 160,
  wants: (d) => (d.kind === 'broker' ? ZOOKEEPER : undefined),
  // A ZooKeeper-mode broker reads meta.properties version 0 only (3.x refuses KRaft's version 1 at start).
  unusableStorage: (f, path, kafkaVersion) =>
    f.version === undefined || f.version === 0
      ? undefined
      : {
          problem: `${path} is formatted for KRaft (Kafka 4.x${f.clusterId ? `, cluster ${f.clusterId}` : ''}); Kafka ${kafkaVersion} runs with ZooKeeper and its broker cannot use it. Nothing was changed`,
          hint: 'keep that Kafka: run kafka-setup init with --kafka-version 4.x (the version it runs); or start afresh without its topics: kafka-setup uninstall --purge-data (deletes them), then init again. kafka-setup does not move KRaft metadata into ZooKeeper',
        },
  scalaVersions: ['2.12', '2.13'],
  privatePort: { id: 'zookeeper-exposed', name: 'ZooKeeper', port: ZOOKEEPER_PORT },
  memberText: (c) => {
    const { id, brokerId } = selfOf(c);
    return id === brokerId
      ? `broker.id and myid ${id} of ${c.members.length} in the ensemble`
      : `broker.id ${brokerId} (kept from its data), myid ${id} of ${c.members.length} in the ensemble`;
  },
  clusterQuorum: 'ensemble',
};
