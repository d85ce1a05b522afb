/**
 * Every operation kafka-setup performs on the host, typed: what it needs, and what it found or
 * changed. Each returns the facts it re-read, for the caller to merge (`withUpdate`). The real host
 * (remote-host.ts) runs one remote command per call; tests use a fake that implements this
 * interface. A batch is explicit: file writes that should travel with an operation's round trip are
 * passed to it as `alsoWrite`.
 */
import type { DaemonSpec } from '../kafka/daemons.js';
import type { FactsUpdate, HostFacts, Sha512Fact } from './facts.js';
import type { FileChange } from './file-writes.js';
import type { Serving } from './serving.js';

export interface ProbeResult {
  facts: HostFacts;
  /** The host's lock: held for this run, not asked for (a dry run), or not possible on this host. */
  lock: 'held' | 'none' | 'unsupported';
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
}

export interface StartRequest {
  daemon: DaemonSpec;
  heapOpts: string;
  /** A stale JVM of ours to stop first. */
  stopPid: number | undefined;
  /** Ours, already running (perhaps still starting up): waited for, not started again. */
  runningPid: number | undefined;
}

export interface StartResult {
  update: FactsUpdate;
  /** A registration a crashed broker left in ZooKeeper, waited out before the start succeeded. */
  staleNode?: { node: string; waitedS: number | undefined };
}

/** What `verify` reads on the host. */
export interface VerifyFacts {
  facts: Pick<HostFacts, 'install' | 'listening' | 'jvms' | 'jps'> & { serverProperties: string | undefined };
  zookeeper: { connect: string; shell: 'missing' | 'ran'; ids: number[] | undefined };
  logs: { files: string[]; errorLines: string[] };
}

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
  probe(r: { urls: string[]; lock: boolean }): Promise<ProbeResult>;
  installJava(r: JavaRequest): Promise<JavaResult>;
  /** The published .sha512 from the first mirror that has it (tarball URLs, in order). */
  fetchSha512(urls: readonly string[]): Promise<Sha512Fact>;
  download(r: { urls: readonly string[]; sha512: string }): Promise<DownloadResult>;
  extract(r: { sha512: string; alsoWrite: readonly FileChange[] }): Promise<FactsUpdate>;
  writeFiles(changes: readonly FileChange[]): Promise<FactsUpdate>;
  moveData(r: DataMoveRequest): Promise<FactsUpdate>;
  startDaemon(r: StartRequest): Promise<StartResult>;
  jps(): Promise<FactsUpdate>;
  verify(): Promise<VerifyFacts>;
  /**
   * Whether the broker is in its own metadata, asked over its internal listener through the SSH
   * connection, until it is, the question cannot be asked, or `waitMs` has passed.
   */
  serving(brokerId: number | undefined, waitMs: number): Promise<Serving>;
  /** The last lines of the daemons' logs, streamed; with `follow`, resolves only when the host's tail ends. */
  logs(r: LogsRequest): Promise<LogFile[]>;
}
