/** The options `kafka-setup init` adds to the connection's, declared once (see declare.ts). */
import {
  DEFAULT_KAFKA_VERSION,
  DEFAULT_MIRRORS,
  DEFAULT_SCALA_VERSION,
  type Distribution,
  defaultScalaFor,
  distName,
} from '../kafka/distribution.js';
import { defaultHeapMib, formatHeap, MAX_HEAP_MIB } from '../kafka/heap.js';
import { normaliseSha512 } from '../kafka/sha512.js';
import type { ConnectionFlags, ConnectionOptions } from './connection-options.js';
import { type FlagsOf, list, type Resolved, toggle, value } from './declare.js';
import {
  heapOrAutoProblem,
  hostProblem,
  mirrorProblem,
  printable,
  remotePathProblem,
  scalaProblem,
  sha512Problem,
  versionProblem,
} from './validate.js';

export const SERVICE_MODES = ['auto', 'systemd', 'none'] as const;
export type ServiceMode = (typeof SERVICE_MODES)[number];

/** An EC2 free-tier host: the help's example of the heap sized from memory. */
const ONE_GB_KIB = 1024 * 1024;

export const initDeclarations = {
  kafkaVersion: value({
    // 'latest' is read from the mirrors before this table is resolved (see init-options.ts): the
    // validation here, and so the saved profile, only ever sees a version.
    flag: '--kafka-version <x.y.z|latest>',
    help: 'Kafka version: 3.0.0 to 3.9.x run with ZooKeeper, 4.x with KRaft (one server or a cluster); latest: the newest the first mirror lists',
    default: DEFAULT_KAFKA_VERSION,
    validate: versionProblem,
    parse: String,
    saved: { key: 'kafkaVersion' },
  }),
  scalaVersion: value({
    flag: '--scala-version <x.y>',
    help: 'Scala version of the build, 2.12 or 2.13 (4.x: 2.13 only)',
    default: (o: { kafkaVersion: string }) => defaultScalaFor(o.kafkaVersion),
    shown: `${DEFAULT_SCALA_VERSION} for 3.x, ${defaultScalaFor('4.0.0')} for 4.x`,
    validate: scalaProblem,
    parse: String,
    // A saved Scala version is the build of the version it was saved with.
    savedApplies: (p: Readonly<Record<string, unknown>>, o: { kafkaVersion: string }) => p.kafkaVersion === o.kafkaVersion,
    saved: { key: 'scalaVersion' },
  }),
  // Asked before the heap: the order of the questions is the order here.
  advertisedHost: value({
    flag: '--advertised-host <host>',
    help: 'address clients use to reach the broker',
    default: (o: { host: string }) => o.host,
    shown: '--host',
    validate: hostProblem,
    prompt: 'Address clients use to reach the broker (advertised.listeners)',
    parse: String,
    saved: { key: 'advertisedHost' },
  }),
  /** A size such as 400m, or 'auto' (sized from the host's memory once it is known). */
  heap: value({
    flag: '--heap <size>',
    help: `broker heap, e.g. 400m or 1g, at most ${formatHeap(MAX_HEAP_MIB)}`,
    default: 'auto',
    note: `from the host's memory: ${formatHeap(defaultHeapMib(ONE_GB_KIB))} on 1 GB`,
    validate: heapOrAutoProblem,
    prompt: "Broker heap (e.g. 400m, 1g; auto sizes it from the host's memory)",
    parse: (v: string) => (v === 'auto' ? v : v.toLowerCase()),
    // What init saves is the heap it sized (see commands/init.ts), never 'auto'.
    saved: { key: 'heap' },
  }),
  /** On the host: absolute, or under ~/. */
  installDir: value({
    flag: '--install-dir <path>',
    help: 'install directory on the host: absolute or ~/…, letters, digits and . _ + - / only',
    default: (o: Distribution) => `~/${distName(o)}`,
    shown: `~/${distName({ kafkaVersion: '<version>', scalaVersion: '<scala>' })}`,
    validate: remotePathProblem,
    parse: String,
    // A saved install directory holds the version it was saved with: another version goes beside it
    // (its own default), never over it.
    savedApplies: (p: Readonly<Record<string, unknown>>, o: Distribution) =>
      p.kafkaVersion === o.kafkaVersion && p.scalaVersion === o.scalaVersion,
    saved: { key: 'installDir' },
  }),
  mirrors: list({
    flag: '--mirror <url>',
    help: 'download base URL (http or https, no credentials), repeatable, tried in order',
    default: DEFAULT_MIRRORS,
    validate: mirrorProblem,
    parse: (m: string) => m.replace(/\/+$/, ''),
    saved: { key: 'mirrors', optional: true, what: 'a list of URLs' },
  }),
  sha512: value({
    flag: '--sha512 <hex>',
    help: 'expected SHA-512 of the tarball',
    shown: 'the .sha512 published beside it',
    optional: true,
    validate: sha512Problem,
    parse: (v: string) => normaliseSha512(v) ?? v,
    // A saved checksum is the checksum of the version it was saved with.
    savedApplies: (p: Readonly<Record<string, unknown>>, o: Distribution) =>
      p.kafkaVersion === o.kafkaVersion && p.scalaVersion === o.scalaVersion,
    saved: { key: 'sha512', optional: true },
  }),
  /** How the JVMs run: systemd units (started at boot), or the seed's -daemon scripts. */
  service: value({
    flag: '--service <auto|systemd|none>',
    help: "run Kafka's JVMs as systemd services, started at boot (auto: where the host runs systemd), or none: -daemon, as started by hand",
    default: 'auto',
    validate: (v) => (SERVICE_MODES.includes(v as ServiceMode) ? undefined : `"${printable(v)}" is not one of ${SERVICE_MODES.join(', ')}`),
    parse: (v: string) => v as ServiceMode,
    saved: { key: 'service', optional: true, unlessDefault: true },
  }),
  dryRun: toggle({ flag: '--dry-run', help: 'show the plan and the commands; change nothing' }),
} as const;

export interface InitFlags extends ConnectionFlags, FlagsOf<typeof initDeclarations> {}
export interface InitOptions extends ConnectionOptions, Resolved<typeof initDeclarations> {}
