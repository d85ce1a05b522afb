/** What the host should end up with, derived from the options and what the probe found. */
import { posix } from 'node:path';
import { BROKER_PORT, bootstrapAddress, EXTERNAL_LISTENER, INTERNAL_LISTENER, INTERNAL_PORT } from '../kafka/distribution.js';
import { UserError } from '../errors.js';
import { defaultHeapMib, heapFitProblem, parseHeap, zookeeperHeapFor } from '../kafka/heap.js';
import { hostPort, selfOf } from '../kafka/cluster.js';
import type { DaemonSpec } from '../kafka/daemons.js';
import type { Service } from '../host/operations.js';
import type { StepContext } from './types.js';

/** Absolute install directory as the host resolved it. */
export function installPath(ctx: StepContext): string {
  return ctx.facts.install.path;
}

/**
 * Data lives beside the install, not in /tmp (Kafka's default), which some systems wipe at boot
 * (Amazon Linux 2023 keeps /tmp in RAM). Shared by installs of other versions in the same place.
 */
export function dataDir(ctx: StepContext): string {
  return dataDirOf(ctx.facts);
}

export function dataDirOf(facts: Pick<StepContext['facts'], 'install'>): string {
  return posix.join(posix.dirname(facts.install.path), 'kafka-data');
}

/** The broker heap: --heap (or the saved profile's), else sized from the host's memory. */
export function brokerHeapMib(ctx: StepContext): number {
  if (ctx.options.heap === 'auto') return defaultHeapMib(ctx.facts.memKib);
  return parseHeap(ctx.options.heap)!;
}

/** ZooKeeper gets the broker's heap, but never more than its own default: one node needs no more. */
export function zookeeperHeapMib(ctx: StepContext): number {
  return zookeeperHeapFor(brokerHeapMib(ctx));
}

/** Each daemon's heap. */
export function daemonHeapMib(ctx: StepContext, d: DaemonSpec): number {
  return d.kind === 'broker' ? brokerHeapMib(ctx) : zookeeperHeapMib(ctx);
}

/**
 * How the JVMs run: --service, where `auto` means systemd units when the host runs systemd and the
 * user may become root without a password (units are root's to install), else the -daemon scripts.
 */
export function serviceMode(ctx: StepContext): Service {
  const o = ctx.options.service;
  if (o !== 'auto') return o;
  return ctx.facts.services.systemd && (ctx.facts.sudo === 'root' || ctx.facts.sudo === 'yes') ? 'systemd' : 'none';
}

/**
 * Whether both JVMs fit in the host's memory with the chosen heap. A heap saved in the profile goes
 * through here too (it reaches the options like --heap), so a profile made on a bigger instance is
 * refused on a smaller one rather than left to the OOM killer.
 */
export function memoryFitProblem(ctx: StepContext): UserError | undefined {
  const p = heapFitProblem(brokerHeapMib(ctx), ctx.facts, ctx.options.heap === 'auto' ? 'auto' : 'explicit');
  return p && new UserError(p.problem, { hint: p.hint });
}

/** What clients are told to connect to. */
export function advertisedListener(ctx: StepContext): string {
  return `${EXTERNAL_LISTENER}://${bootstrapAddress(ctx.options.advertisedHost)}`;
}

/** Where a single node's controller reaches its broker, and where kafka-setup asks the broker (through SSH). */
export const INTERNAL_ADDRESS = `127.0.0.1:${INTERNAL_PORT}`;

/** Where the controller and the other brokers reach this broker: its loopback, or in a cluster its private address. */
export function internalAddress(ctx: Pick<StepContext, 'cluster'>): string {
  return ctx.cluster ? hostPort(selfOf(ctx.cluster).address, INTERNAL_PORT) : INTERNAL_ADDRESS;
}

/**
 * The listener settings: clients on the external listener (all interfaces, the public address
 * advertised), broker-to-broker and controller traffic on an internal one: bound to the loopback
 * on a single node; in a cluster bound to every interface (on EC2: the private one and the loopback,
 * the public address being NAT) and advertised at the private address, where the other brokers are.
 */
export function listenerSettings(ctx: StepContext): Array<[string, string]> {
  const bound = ctx.cluster ? `:${INTERNAL_PORT}` : INTERNAL_ADDRESS;
  return [
    ['listeners', `${EXTERNAL_LISTENER}://:${BROKER_PORT},${INTERNAL_LISTENER}://${bound}`],
    ['advertised.listeners', `${advertisedListener(ctx)},${INTERNAL_LISTENER}://${internalAddress(ctx)}`],
    ['listener.security.protocol.map', `${EXTERNAL_LISTENER}:PLAINTEXT,${INTERNAL_LISTENER}:PLAINTEXT`],
    ['inter.broker.listener.name', INTERNAL_LISTENER],
  ];
}
