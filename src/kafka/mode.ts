/**
 * A Kafka mode: where an install keeps its metadata — in ZooKeeper (Kafka 3.x, the seed's) or in its
 * own KRaft controllers (Kafka 4.x). Everything that differs between the two is a value asked of the
 * mode here, never a branch on the version elsewhere: its JVMs in start order, the config files it
 * edits and their settings, its data directories, whether storage is formatted before the first
 * start, each JVM's heap and what the memory check counts.
 */
import { type Distribution, kafkaMajor } from './distribution.js';
import type { KafkaMode } from './kafka-mode.js';
import { kraftMode } from './mode-kraft.js';
import { zookeeperMode } from './mode-zookeeper.js';

export type { ConfigFile, DataStore, KafkaMode, Placement, PrivatePort } from './kafka-mode.js';

export const ZOOKEEPER_MODE: KafkaMode = zookeeperMode;
export const KRAFT_MODE: KafkaMode = kraftMode;

/** The mode of a Kafka version: 4.x runs KRaft only; 3.x is set up with ZooKeeper, as the seed does. */
export function modeOf(dist: Pick<Distribution, 'kafkaVersion'>): KafkaMode {
  return kafkaMajor(dist.kafkaVersion) >= 4 ? KRAFT_MODE : ZOOKEEPER_MODE;
}
