/** Names and addresses of a Kafka binary distribution. */

export const DEFAULT_KAFKA_VERSION = '3.1.0';
export const DEFAULT_SCALA_VERSION = '2.12';

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
