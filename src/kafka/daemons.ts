/**
 * The JVMs of a Kafka install, declared once: how each is started (Kafka's own -daemon scripts),
 * which config file and log it uses, how it is recognised in the process table, and its ports. The
 * start script on the host gets all of it as variables. Which of them an install runs is its mode's
 * (mode.ts): ZooKeeper and the broker (3.x), or one combined KRaft node (4.x).
 */
import { BROKER_PORT, CONTROLLER_PORT, INTERNAL_PORT, ZOOKEEPER_PORT } from './distribution.js';

export interface DaemonSpec {
  kind: 'zookeeper' | 'broker';
  /** As a sentence names it: "ZooKeeper", "the broker". */
  name: string;
  /** As a status line or a log heading names it: "ZooKeeper", "broker". */
  label: string;
  /** How jps -l names it (its main class, shortened as jps does without -l). */
  jpsName: string;
  main: string;
  config: 'zookeeper.properties' | 'server.properties';
  /** Under bin/. */
  script: string;
  /** Under logs/: where -daemon sends the JVM's output. */
  out: string;
  /** A line its log prints once it serves (empty: listening is enough). */
  ready: string;
  port: number;
  /** Further ports it listens on, which nobody else may hold. */
  otherPorts: number[];
  /** How long a start may take, in seconds. */
  timeoutS: number;
  /** Its systemd unit (under UNIT_DIR), when it runs as a service, and the unit's Description=. */
  unit: string;
  unitDescription: string;
}

/** Where kafka-setup installs its units: the administrator's place, above every package's. */
export const UNIT_DIR = '/etc/systemd/system';

export const ZOOKEEPER: DaemonSpec = {
  kind: 'zookeeper',
  name: 'ZooKeeper',
  label: 'ZooKeeper',
  jpsName: 'QuorumPeerMain',
  main: 'org.apache.zookeeper.server.quorum.QuorumPeerMain',
  config: 'zookeeper.properties',
  script: 'zookeeper-server-start.sh',
  out: 'zookeeper.out',
  ready: '',
  port: ZOOKEEPER_PORT,
  otherPorts: [],
  timeoutS: 60,
  unit: 'kafka-zookeeper.service',
  unitDescription: 'Apache ZooKeeper for Kafka (kafka-setup)',
};

export const BROKER: DaemonSpec = {
  kind: 'broker',
  name: 'the broker',
  label: 'broker',
  jpsName: 'Kafka',
  main: 'kafka.Kafka',
  config: 'server.properties',
  script: 'kafka-server-start.sh',
  out: 'kafkaServer.out',
  ready: 'started (kafka.server.KafkaServer)',
  port: BROKER_PORT,
  otherPorts: [INTERNAL_PORT],
  timeoutS: 120,
  unit: 'kafka-broker.service',
  unitDescription: 'Apache Kafka broker (kafka-setup)',
};

/**
 * Kafka 4's one JVM on a single server: broker and KRaft controller in one (process.roles=broker,
 * controller). The broker's kind, unit and files: only the mode that runs it differs.
 */
export const KRAFT_NODE: DaemonSpec = {
  kind: 'broker',
  name: 'Kafka (broker and controller)',
  label: 'Kafka (broker and controller)',
  jpsName: 'Kafka',
  main: 'kafka.Kafka',
  config: 'server.properties',
  script: 'kafka-server-start.sh',
  out: 'kafkaServer.out',
  ready: 'Kafka Server started',
  port: BROKER_PORT,
  otherPorts: [INTERNAL_PORT, CONTROLLER_PORT],
  timeoutS: 120,
  unit: 'kafka-broker.service',
  unitDescription: 'Apache Kafka broker and KRaft controller (kafka-setup)',
};

/** One daemon of each kind: a KRaft node is found, and its unit named, as the broker. */
export const EVERY_KIND: readonly DaemonSpec[] = [ZOOKEEPER, BROKER];

/** Every port an install of either mode listens on: the probe reports which of them are taken. */
export const INSTALL_PORTS: readonly number[] = [...new Set([ZOOKEEPER, BROKER, KRAFT_NODE].flatMap((d) => [d.port, ...d.otherPorts]))];
