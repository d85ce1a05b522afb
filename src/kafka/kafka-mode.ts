/**
 * What a Kafka mode is (see mode.ts): the shape both modes fill in, kept apart from the modes
 * themselves so that they and mode.ts's choice between them import it without a circle.
 */
import type { ClusterView } from './cluster.js';
import type { DaemonSpec } from './daemons.js';

/** The config files a mode's init edits (by the name the probe's `file` sections carry). */
export type ConfigFile = 'server.properties' | 'zookeeper.properties';

/** Where a server runs, as the settings need it. */
export interface Placement {
  /** The address clients are told to connect to. */
  advertisedHost: string;
  /** kafka-setup's data directory on the host (absolute). */
  dataDir: string;
  /** In a cluster: this host and its peers (undefined: one server). */
  cluster?: ClusterView | undefined;
}

/** A kind of data the install keeps, and where kafka-setup keeps it (under its data directory). */
export interface DataStore {
  what: 'Kafka' | 'ZooKeeper';
  /** The kind of JVM that writes it. */
  kind: DaemonSpec['kind'];
  /** The config file that names it (`current` reads the shipped default when that file is there without the setting). */
  file: ConfigFile;
  /** The directories its config names now, Kafka's shipped default when unset. */
  current(files: Readonly<Record<ConfigFile, string | undefined>>): string[];
  /** Its place under kafka-setup's data directory. */
  dir: string;
  /** Where its config names it, for advice: `server.properties (log.dirs)`. */
  setting: string;
}

export interface PrivatePort {
  /** The check's id: `zookeeper-exposed`. */
  id: string;
  /** As a sentence names what listens there: "ZooKeeper", "the KRaft controller". */
  name: string;
  port: number;
}

export interface KafkaMode {
  readonly id: 'zookeeper' | 'kraft';
  /** As a sentence names the whole install: "the broker and ZooKeeper". */
  readonly what: string;
  /** Its JVMs in start order (they stop in reverse). */
  readonly daemons: readonly DaemonSpec[];
  /** The JVM clients talk to, whose metadata says whether it serves. */
  readonly broker: DaemonSpec;
  /** The config files init edits, with their settings for this placement. */
  settings(p: Placement): ReadonlyArray<readonly [ConfigFile, Array<[string, string]>]>;
  readonly dataStores: readonly DataStore[];
  /** Storage is formatted (kafka-storage.sh format) once, before the first start. */
  readonly formatsStorage: boolean;
  /**
   * Whether a cluster's quorum membership changes while it runs (KRaft's KIP-853 voters: a voter that
   * lost its storage is added again), rather than only by the members' configs (ZooKeeper's ensemble).
   */
  readonly dynamicVoters: boolean;
  /**
   * Whether a broker's Metadata answer names the cluster's controller. Under KRaft it names a broker
   * chosen at random (KIP-590: clients never reach the controllers), so a cluster's is not shown.
   */
  readonly metadataNamesController: boolean;
  /** A JVM's heap in MiB, given the broker's. */
  heapMib(d: DaemonSpec, brokerMib: number): number;
  /** What keeps memory resident besides the broker's JVM, for the memory check: `[name, MiB]`. */
  readonly residentBesides: ReadonlyArray<readonly [string, number]>;
  /** The broker JVM's own resident memory besides its heap, in MiB. */
  readonly brokerOverheadMib: number;
  /** The unit a daemon's unit wants started first (After=, Wants=). */
  wants(d: DaemonSpec): DaemonSpec | undefined;
  /**
   * Why this mode's broker cannot use a log directory formatted so (its meta.properties), if it
   * cannot: refused before any change. Undefined where a step of the mode's own refuses it.
   */
  unusableStorage(
    f: { version: number | undefined; clusterId: string | undefined },
    path: string,
    kafkaVersion: string,
  ): { problem: string; hint: string } | undefined;
  /** The Scala builds of this mode's releases. */
  readonly scalaVersions: readonly string[];
  /** A port without authentication that must never be open to the internet (verify checks it is not). */
  readonly privatePort: PrivatePort;
  /** Which member of its cluster this host is, as the config step says: "node.id 2 of 3 voters". */
  memberText(c: ClusterView): string;
  /**
   * What a cluster's metadata quorum is: a ZooKeeper ensemble beside the brokers (its hosts started
   * one after another; srvr says a member's mode), or KRaft controllers in the nodes themselves (started
   * together: a node's start waits until it serves, which needs a majority of controllers; described
   * by kafka-metadata-quorum.sh).
   */
  readonly clusterQuorum: 'ensemble' | 'controllers';
}
