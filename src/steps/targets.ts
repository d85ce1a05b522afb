/** What the host should end up with, derived from the options and what the probe found. */
import { posix } from 'node:path';
import { UserError } from '../errors.js';
import type { Service } from '../host/operations.js';
import type { DaemonSpec } from '../kafka/daemons.js';
import { defaultHeapMib, heapFitProblem, parseHeap } from '../kafka/heap.js';
import { externalListener, internalAddress as internalAddressOf } from '../kafka/listeners.js';
import { type KafkaMode, modeOf, type Placement } from '../kafka/mode.js';
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

/** The broker's log directory under it (KRaft: the storage kafka-storage.sh formats, metadata log included). */
export function logDir(ctx: StepContext): string {
  return posix.join(dataDir(ctx), modeFor(ctx).dataStores[0]!.dir);
}

/** The run's Kafka mode (ZooKeeper for 3.x, KRaft for 4.x): what differs between them is asked of it. */
export function modeFor(ctx: Pick<StepContext, 'dist'>): KafkaMode {
  return modeOf(ctx.dist);
}

/** Where this host runs, as the mode's settings need it. */
export function placement(ctx: StepContext): Placement {
  return { advertisedHost: ctx.options.advertisedHost, dataDir: dataDir(ctx), cluster: ctx.cluster };
}

/** The broker heap: --heap (or the saved profile's), else sized from the host's memory. */
export function brokerHeapMib(ctx: StepContext): number {
  if (ctx.options.heap === 'auto') return defaultHeapMib(ctx.facts.memKib, modeFor(ctx));
  return parseHeap(ctx.options.heap)!;
}

/** Each daemon's heap, as the mode sizes it from the broker's. */
export function daemonHeapMib(ctx: StepContext, d: DaemonSpec): number {
  return modeFor(ctx).heapMib(d, brokerHeapMib(ctx));
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
  const p = heapFitProblem(brokerHeapMib(ctx), ctx.facts, ctx.options.heap === 'auto' ? 'auto' : 'explicit', modeFor(ctx));
  return p && new UserError(p.problem, { hint: p.hint });
}

/** What clients are told to connect to. */
export function advertisedListener(ctx: StepContext): string {
  return externalListener(ctx.options.advertisedHost);
}

export { INTERNAL_ADDRESS } from '../kafka/listeners.js';

/** Where the controller and the other brokers reach this broker: its loopback, or in a cluster its private address. */
export function internalAddress(ctx: Pick<StepContext, 'cluster'>): string {
  return internalAddressOf(ctx.cluster);
}
