/** Names and addresses of a Kafka binary distribution. */

export const DEFAULT_KAFKA_VERSION = '3.1.0';
export const DEFAULT_SCALA_VERSION = '2.12';
/** The newest release this version of kafka-setup was tested with: what the 3.x summary suggests. */
export const LATEST_KNOWN_KAFKA = '4.4.0';

/** The major version of a Kafka version string (NaN when it is not one). */
export function kafkaMajor(kafkaVersion: string): number {
  return Number(/^([0-9]+)\./.exec(kafkaVersion)?.[1] ?? NaN);
}

/** The Scala build a version defaults to: 2.12 for 3.x (the seed's), 2.13 for 4.x (the only one). */
export function defaultScalaFor(kafkaVersion: string): string {
  return kafkaMajor(kafkaVersion) >= 4 ? '2.13' : DEFAULT_SCALA_VERSION;
}

/**
 * Tried in order. The CDN and downloads.apache.org keep only current releases, so an older version
 * such as 3.1.0 falls through to the archive; listing the fast ones first keeps new versions fast.
 */
export const DEFAULT_MIRRORS = [
  'https://dlcdn.apache.org/kafka',
  'https://downloads.apache.org/kafka',
  'https://archive.apache.org/dist/kafka',
] as const;

export const BROKER_PORT = 9092;
export const ZOOKEEPER_PORT = 2181;
/**
 * The broker's second listener, on the host's loopback only, for the controller's and other brokers'
 * traffic (inter.broker.listener.name): it must not depend on the public address, which a security
 * group that allows 9092 only from the user's IP makes unreachable from the instance itself.
 */
export const INTERNAL_PORT = 9093;
export const INTERNAL_LISTENER = 'INTERNAL';
/**
 * A KRaft controller's listener (Kafka 4): on the loopback of a single server, where the node itself
 * reaches it (an EC2 instance often cannot reach its own public address). 9094, as 9093 is the
 * internal listener's in both modes: one security-group rule (9092) whatever the version.
 */
export const CONTROLLER_PORT = 9094;
export const CONTROLLER_LISTENER = 'CONTROLLER';
export const EXTERNAL_LISTENER = 'PLAINTEXT';

export interface Distribution {
  kafkaVersion: string;
  scalaVersion: string;
}

/** `kafka_2.12-3.1.0`: the tarball's top directory and the default install directory name. */
export function distName(d: Distribution): string {
  return `kafka_${d.scalaVersion}-${d.kafkaVersion}`;
}

export function tarballName(d: Distribution): string {
  return `${distName(d)}.tgz`;
}

/** The jar whose presence tells a directory holds this very distribution. */
export function coreJar(d: Distribution): string {
  return `libs/${distName(d)}.jar`;
}

export function tarballUrl(mirror: string, d: Distribution): string {
  return `${mirror.replace(/\/+$/, '')}/${d.kafkaVersion}/${tarballName(d)}`;
}

/** host:port as Kafka clients take it (an IPv6 address in brackets). */
export function bootstrapAddress(host: string, port = BROKER_PORT): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
