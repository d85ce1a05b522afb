/**
 * The broker's listeners, shared by both modes: clients on the external listener (all interfaces, the
 * public address advertised), broker-to-broker traffic on an internal one, bound to the loopback on a
 * single server; in a cluster bound to every interface (on EC2: the private one and the loopback, the
 * public address being NAT) and advertised at the private address, where the other brokers are.
 */
import { type ClusterView, hostPort, selfOf } from './cluster.js';
import { BROKER_PORT, bootstrapAddress, EXTERNAL_LISTENER, INTERNAL_LISTENER, INTERNAL_PORT } from './distribution.js';

/** Where a single server's controller reaches its broker, and where kafka-setup asks the broker (through SSH). */
export const INTERNAL_ADDRESS = `127.0.0.1:${INTERNAL_PORT}`;

/** What clients are told to connect to. */
export function externalListener(advertisedHost: string): string {
  return `${EXTERNAL_LISTENER}://${bootstrapAddress(advertisedHost)}`;
}

/** Where the controller and the other brokers reach this broker: its loopback, or in a cluster its private address. */
export function internalAddress(cluster: ClusterView | undefined): string {
  return cluster ? hostPort(selfOf(cluster).address, INTERNAL_PORT) : INTERNAL_ADDRESS;
}

/** The listener settings; `extra` are further listeners: [name, bound, advertised]. */
export function listenerSettings(
  advertisedHost: string,
  cluster: ClusterView | undefined,
  extra: ReadonlyArray<readonly [string, string, string]> = [],
): Array<[string, string]> {
  const bound = cluster ? `:${INTERNAL_PORT}` : INTERNAL_ADDRESS;
  return [
    [
      'listeners',
      [`${EXTERNAL_LISTENER}://:${BROKER_PORT}`, `${INTERNAL_LISTENER}://${bound}`, ...extra.map(([n, b]) => `${n}://${b}`)].join(','),
    ],
    [
      'advertised.listeners',
      [
        externalListener(advertisedHost),
        `${INTERNAL_LISTENER}://${internalAddress(cluster)}`,
        ...extra.map(([n, , a]) => `${n}://${a}`),
      ].join(','),
    ],
    [
      'listener.security.protocol.map',
      [EXTERNAL_LISTENER, INTERNAL_LISTENER, ...extra.map(([n]) => n)].map((n) => `${n}:PLAINTEXT`).join(','),
    ],
    ['inter.broker.listener.name', INTERNAL_LISTENER],
  ];
}
