/**
 * The two JVMs of a Kafka install, declared once: how each is started (Kafka's own -daemon scripts),
 * which config file and log it uses, how it is recognised in the process table, and its ports. The
 * start script on the host gets all of it as variables.
 */
import { BROKER_PORT, INTERNAL_PORT, ZOOKEEPER_PORT } from './distribution.js';

export interface DaemonSpec {
  kind: 'zookeeper' | 'broker';
  /** As a sentence names it: "ZooKeeper", "the broker". */
  name: string;
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
  /** Its systemd unit (under UNIT_DIR), when it runs as a service. */
  unit: string;
}

/** Where kafka-setup installs its units: the administrator's place, above every package's. */
export const UNIT_DIR = '/etc/systemd/system';

export const ZOOKEEPER: DaemonSpec = {
  kind: 'zookeeper', name: 'ZooKeeper', main: 'org.apache.zookeeper.server.quorum.QuorumPeerMain', config: 'zookeeper.properties',
  script: 'zookeeper-server-start.sh', out: 'zookeeper.out', ready: '', port: ZOOKEEPER_PORT, otherPorts: [], timeoutS: 60,
  unit: 'kafka-zookeeper.service',
};

export const BROKER: DaemonSpec = {
  kind: 'broker', name: 'the broker', main: 'kafka.Kafka', config: 'server.properties',
  script: 'kafka-server-start.sh', out: 'kafkaServer.out', ready: 'started (kafka.server.KafkaServer)', port: BROKER_PORT, otherPorts: [INTERNAL_PORT], timeoutS: 120,
  unit: 'kafka-broker.service',
};

export const DAEMONS: readonly DaemonSpec[] = [ZOOKEEPER, BROKER];

/** Every port the install listens on: the probe reports which of them are taken. */
export const INSTALL_PORTS: readonly number[] = DAEMONS.flatMap((d) => [d.port, ...d.otherPorts]);
