/**
 * Every operation kafka-setup performs on the host, typed: what it needs, and what it found or
 * changed. Each returns the facts it re-read, for the caller to merge (`withUpdate`). The real host
 * (remote-host.ts) runs one remote command per call; tests use a fake that implements this
 * interface. A batch is explicit: file writes that should travel with an operation's round trip are
 * passed to it as `alsoWrite`.
 */
import type { DaemonSpec } from '../kafka/daemons.js';
import type { KafkaMode } from '../kafka/mode.js';
import type { QuorumReplica } from '../kafka/quorum.js';
import type { PartitionReplicas } from '../kafka/replicas.js';
import type { FactsUpdate, HostFacts, Sha512Fact } from './facts.js';
import type { FileChange } from './file-writes.js';
import type { Serving } from './serving.js';
import type { ZookeeperMode } from './zookeeper-mode.js';

export type { QuorumReplica } from '../kafka/quorum.js';

export interface ProbeResult {
  facts: HostFacts;
  /** The host's lock: held for this run, not asked for (a dry run), or not possible on this host. */
  lock: 'held' | 'none' | 'unsupported';
}

export interface DownloadRequest {
  urls: readonly string[];
  sha512: string;
  /** How far the transfer is, about once a second while it runs (total 0: the server has not said). */
  onProgress?: ((p: TransferProgress) => void) | undefined;
}

export interface TransferProgress {
  bytes: number;
  total: number;
}

export interface JavaRequest {
  pm: 'apt' | 'dnf' | 'yum';
  packages: string[];
  /** Files another package manager locks with fcntl, and pid files of yum/dnf. */
  pmLocks: string[];
  pmPidFiles: string[];
  /** How long to wait, in all, for another package manager, in seconds. */
  pmWaitS: number;
  /** What the install is doing now (e.g. whom it waits for), while it runs. */
  onProgress?: ((text: string) => void) | undefined;
}

export interface JavaResult {
  update: FactsUpdate;
  /** The package installed, when the script said. */
  package: string | undefined;
  /** Another package manager held its lock for a while first. */
  waited?: { seconds: number; pid: string | undefined; name: string | undefined };
  /** An interrupted earlier install was finished first (dpkg --configure -a). */
  repairedDpkg: boolean;
  /** Java's packages an interrupted install had left unfinished were finished (apt-get --fix-broken). */
  finishedPackages?: boolean;
  /** rpm packages an interrupted install had left without their scriptlets run, reinstalled (dnf/yum reinstall). */
  reinstalled?: string[] | undefined;
  /** Where a Java keystore an interrupted install had left half-written was moved (it is built again). */
  keystoreAside?: string | undefined;
}

export interface DownloadResult {
  update: FactsUpdate;
  /** A tarball an earlier run left matched the checksum and was kept. */
  reused: boolean;
  bytes: number;
  url: string | undefined;
  /** Mirrors tried first, without the tarball. */
  tried: string[];
}

export interface DataMoveRequest {
  /** Our JVMs to stop first (they hold the data open). */
  stop: { broker: number | undefined; zookeeper: number | undefined };
  moves: Array<{ from: string; to: string; sameDevice: boolean }>;
  /** Config writes that point at the new place: written in the same round trip, undone with the move. */
  alsoWrite: readonly FileChange[];
  /** kafka-setup's data directory, when other local users can read it: made 0750 (or stricter) at the end. */
  tighten?: string | undefined;
}

/** A KRaft node's storage to format once (see format-storage.sh). */
export interface FormatRequest {
  /** kafka-setup's data directory, where the cluster id is kept. */
  dataDir: string;
  logDir: string;
  /** The id to keep when the host keeps none yet (a cluster's: the one every node must keep). */
  clusterId: string;
  /**
   * How the node meets the quorum: alone (`--standalone`, one server), as one of a new cluster's
   * voters (`--initial-controllers`, the same on every voter), or as a node that joins a quorum that
   * exists (`--no-initial-controllers`: it observes it).
   */
  quorum: { kind: 'standalone' } | { kind: 'voter'; initialControllers: string } | { kind: 'observer' };
}

/** A KRaft node, running as an observer, to make a voter of its quorum (see join-quorum.sh). */
export interface JoinQuorumRequest {
  nodeId: number;
  /** Its storage's directory id: with the node id, what the quorum knows a voter by. */
  directoryId: string;
  logDir: string;
  /** The voters' controller listeners (controller.quorum.bootstrap.servers). */
  controllers: string;
  /** The directory id of the voter this node id had on storage that is gone: removed first. */
  removeDirectoryId: string | undefined;
  /** Whether to add it (false: the quorum names it already; only keep what it took). */
  add: boolean;
  onProgress?: ((text: string) => void) | undefined;
}

export interface JoinQuorumResult {
  update: FactsUpdate;
  /** The lost voter's directory id removed by this run, if one was. */
  removed: string | undefined;
  seconds: number | undefined;
}

export interface FormatResult {
  update: FactsUpdate;
  /** The cluster id the host keeps (and the log directory is formatted for). */
  clusterId: string;
  /** Formatted by this run (else it was already). */
  formatted: boolean;
  seconds: number | undefined;
}

/** How the JVMs run: as kafka-setup's systemd units, or started with Kafka's -daemon scripts. */
export type Service = 'systemd' | 'none';

export interface StartRequest {
  daemon: DaemonSpec;
  service: Service;
  heapOpts: string;
  /** A stale JVM of ours to stop first. */
  stopPid: number | undefined;
  /** Ours, already running (perhaps still starting up): waited for, not started again. */
  runningPid: number | undefined;
  /** What the start waits for now (the JVM, the port, its log, a crashed broker's registration), while it runs. */
  onProgress?: ((text: string) => void) | undefined;
}

export interface StartResult {
  update: FactsUpdate;
  /** From the start (or the wait for a running JVM) until it served. */
  seconds: number | undefined;
  /** A registration a crashed broker left in ZooKeeper, waited out before the start succeeded. */
  staleNode?: { node: string; waitedS: number | undefined };
}

export interface StopRequest {
  daemon: DaemonSpec;
  service: Service;
  /** Kill the JVM (SIGKILL) beside a stop under way, whose controlled shutdown can no longer finish. */
  force?: boolean;
}

export interface StopResult {
  update: FactsUpdate;
  seconds: number | undefined;
}

/** kafka-setup's unit files: written (whole), enabled at boot, or stopped and removed. */
export interface UnitsRequest {
  write: Array<{ name: string; content: string }>;
  enable: string[];
  remove: string[];
}

/**
 * What `uninstall` removes, decided from the probe (src/steps/uninstall-plan.ts); the script checks
 * each thing again on the host before it touches it.
 */
export interface UninstallRequest {
  /** kafka-setup's units to disable, stop and remove (broker first), as systemd names them. */
  units: string[];
  systemd: boolean;
  /** Our JVMs that systemd does not run, stopped by pid after checking their main class (broker first). */
  stopJvms: Array<{ pid: number; main: string }>;
  /** Remove the install directory (only if it is still a Kafka install) and what init left beside it. */
  removeInstall: boolean;
  removeTarball: boolean;
  /** Data directories to delete, each only if it holds nothing but that kind of data. */
  purge: Array<{ path: string; kind: 'kafka' | 'zookeeper'; ours: boolean }>;
  /** The KRaft cluster id kafka-setup keeps, deleted with the data: only while it still holds this id. */
  clusterId: { path: string; id: string } | undefined;
  /** kafka-setup's own data directory, removed when the purge leaves it empty. */
  dataParent: string | undefined;
  /** What becomes of ~/.bashrc, with the SHA-256 of what the probe read (the file and its backup). */
  bashrc:
    | { action: 'restore' | 'drop-backup'; sha: string; backupSha: string }
    | { action: 'strip'; sha: string; content: string }
    | { action: 'delete'; sha: string }
    | undefined;
}

export interface UninstallResult {
  /** The install, files, JVMs and units as they are afterwards. */
  update: FactsUpdate;
  units: string[];
  stopped: number[];
  removed: string[];
  purged: string[];
  /** `reason path` of what the script left alone after all (e.g. `not_kafka /home/u/kafka`). */
  kept: string[];
  bashrc: string | undefined;
}

/** What `verify` reads on the host. */
export interface VerifyFacts {
  facts: Pick<HostFacts, 'install' | 'listening' | 'jvms' | 'jps'> & { serverProperties: string | undefined };
  /** ZooKeeper mode: the brokers registered in ZooKeeper. */
  zookeeper?: { connect: string; shell: 'missing' | 'ran'; ids: number[] | undefined } | undefined;
  /** KRaft: the controller quorum's state. */
  quorum?: QuorumState | undefined;
  logs: { files: string[]; errorLines: string[] };
}

/**
 * What DescribeQuorum said (asked through the node's broker, or kafka-metadata-quorum.sh describe
 * --replication where the SSH server forwards no port), or why it said nothing. The leader, voters
 * and lag are its rows'.
 */
export type QuorumState =
  | {
      answered: true;
      leaderId: number;
      epoch: number | undefined;
      maxLag: number | undefined;
      voters: number[];
      replicas?: QuorumReplica[] | undefined;
    }
  | { answered: false; reason: string };

/** A daemon's log as `logs` found it on the host. */
export interface LogFile {
  daemon: DaemonSpec;
  path: string;
  /** no_install: the install directory itself is missing. */
  state: 'ok' | 'missing' | 'unreadable' | 'no_install';
}

/** One line of a log, as the host read it (hostile: not yet fit for a terminal). */
export interface LogLine {
  daemon: DaemonSpec;
  text: string;
  /** The host cut the line (longer than 4000 bytes). */
  cut: boolean;
}

export interface LogsRequest {
  /** In this order (the blocks of the non-following output come in it). */
  daemons: readonly DaemonSpec[];
  lines: number;
  /** Go on with every line added, until kafka-setup goes away (Ctrl-C, a dropped connection). */
  follow: boolean;
  /** Called once, before any line, with what was found of each log. */
  onFiles: (files: LogFile[]) => void;
  /** Each line as it arrives. */
  onLine: (line: LogLine) => void;
}

export interface HostOps {
  /** The host's name, for messages. */
  readonly name: string;
  /**
   * `quorum`: also describe the KRaft controller quorum in the same round trip (a JVM on the host:
   * a second or two more).
   */
  probe(r: { urls: string[]; lock: boolean }): Promise<ProbeResult>;
  installJava(r: JavaRequest): Promise<JavaResult>;
  /** The published .sha512 from the first mirror that has it (tarball URLs, in order). */
  fetchSha512(urls: readonly string[]): Promise<Sha512Fact>;
  download(r: DownloadRequest): Promise<DownloadResult>;
  extract(r: { sha512: string; alsoWrite: readonly FileChange[] }): Promise<FactsUpdate>;
  writeFiles(changes: readonly FileChange[]): Promise<FactsUpdate>;
  moveData(r: DataMoveRequest): Promise<FactsUpdate>;
  /** Formats a KRaft node's storage once: the kept cluster id, else `clusterId` (kept first). */
  formatStorage(r: FormatRequest): Promise<FormatResult>;
  /** Makes this KRaft node a voter of its quorum (remove-controller of its lost voter, add-controller), confirmed by the quorum. */
  joinQuorum(r: JoinQuorumRequest): Promise<JoinQuorumResult>;
  startDaemon(r: StartRequest): Promise<StartResult>;
  /** Stops it (its unit, or its JVM) and waits until its port is closed. */
  stopDaemon(r: StopRequest): Promise<StopResult>;
  setUnits(r: UnitsRequest): Promise<FactsUpdate>;
  jps(): Promise<FactsUpdate>;
  verify(mode: KafkaMode): Promise<VerifyFacts>;
  /**
   * Whether the broker is in its own metadata, asked over its internal listener through the SSH
   * connection, until it is, the question cannot be asked, or `waitMs` has passed.
   */
  serving(brokerId: number | undefined, waitMs: number): Promise<Serving>;
  /** New replicas for these partitions, asked of the broker here (it must be the controller), through the SSH connection. */
  reassign(plan: readonly PartitionReplicas[]): Promise<void>;
  /** The KRaft controller quorum as its leader describes it (describe --replication), asked through this node's controller. */
  quorum(): Promise<QuorumState>;
  /** ZooKeeper's mode (leader, follower, standalone), asked with srvr through the SSH connection. */
  zookeeperMode(): Promise<ZookeeperMode>;
  /** Stops and removes what init put on the host, in one remote command. */
  uninstall(r: UninstallRequest): Promise<UninstallResult>;
  /** The last lines of the daemons' logs, streamed; with `follow`, resolves only when the host's tail ends. */
  logs(r: LogsRequest): Promise<LogFile[]>;
}
