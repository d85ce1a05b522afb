/**
 * A fake host for step logic: implements the typed host operations over a small model of the host.
 * It fakes operations, not scripts: the real scripts are exercised end to end and under dash
 * (test/remote/scripts.test.ts). Like the real host, each operation returns only the facts its
 * script re-reads.
 */

import {
  cleanPath,
  type DataDirFact,
  type FactsUpdate,
  type HostFacts,
  type JvmFact,
  ownedBy,
  parseJavaCommand,
  type ServicesFact,
  type Sha512Fact,
  type UnitFact,
} from '../../src/host/facts.js';
import type { FileChange } from '../../src/host/file-writes.js';
import { sha256 } from '../../src/host/file-writes.js';
import type {
  DataMoveRequest,
  DownloadResult,
  FormatRequest,
  FormatResult,
  HostOps,
  JavaRequest,
  JavaResult,
  JoinQuorumRequest,
  JoinQuorumResult,
  LogFile,
  LogsRequest,
  ProbeResult,
  QuorumState,
  Service,
  StartRequest,
  StartResult,
  StopRequest,
  StopResult,
  UninstallRequest,
  UninstallResult,
  UnitsRequest,
  VerifyFacts,
} from '../../src/host/operations.js';
import type { Serving } from '../../src/host/serving.js';
import { UNIT_HEADER } from '../../src/host/unit-owner.js';
import type { ZookeeperMode } from '../../src/host/zookeeper-mode.js';
import { RemoteFailure } from '../../src/remote/session.js';

export interface FakeHostState {
  os: string;
  memKib: number;
  /** The address the host was reached on (SSH_CONNECTION's server side). */
  serverAddress?: string;
  sudo: 'yes' | 'password' | 'root' | 'missing';
  tools: string[];
  install: 'absent' | 'kafka' | 'other';
  tarball: boolean;
  files: Record<string, { content: string; mtime: number } | undefined>;
  jvms: Array<{ pid: number; started: number; main: string; args: string; cwd?: string }>;
  listening: number[];
  now: number;
  sha512File: string | undefined;
  downloadSha: string;
  freeKib: number;
  /** The package manager's failure, if installing Java fails. */
  installFails: string | undefined;
  /** The SHA-512 of the tarball on the host (when `tarball`): a leftover may be anyone's file. */
  tarballSha?: string;
  /** Data directories that hold data, with their size in KiB (every other one is absent). */
  data?: Record<string, number>;
  /** Java's packages an interrupted install left unfinished (dpkg). */
  unfinishedJava?: string[];
  /** Log directories' broker.id, as their meta.properties give it. */
  meta?: Record<string, number>;
  /** Data directories this user cannot read (someone else's). */
  unreadable?: string[];
  /** Data directories another user owns (uid 0: root's), kept like the real parser keeps them (ownedBy). */
  owners?: Record<string, { uid: number; name: string }>;
  /** The KRaft cluster id kept in ~/kafka-data/cluster.id, when there is one. */
  keptClusterId?: string;
  /** The mode of kafka-setup's data directory (~/kafka-data), when it exists (the probe reports it). */
  dataMode?: number;
  /** systemd runs the host (default: no, like the loopback e2e host). */
  systemd?: boolean;
  /** kafka-setup's units on the host, by daemon kind. */
  units?: Partial<Record<'zookeeper' | 'broker', { content: string; enabled: boolean; pid?: number }>>;
  /** One-time backups (`<file>.kafka-setup.bak`) by file name, with their content. */
  backups?: Record<string, string>;
  /** The lines of each daemon's log (logs/<DaemonSpec.out>); a daemon left out has none (never started). */
  logs?: Partial<Record<'zookeeper' | 'broker', string[]>>;
}

/** One operation the fake was asked for, with what matters of its request. */
export interface FakeCall {
  /** Named like the real operation's script: probe, install-java, download, extract, write-files, … */
  name: string;
  urls?: readonly string[];
  sha512?: string;
  /** Paths of the files written in this round trip. */
  written?: string[];
  stopPid?: number | undefined;
  moves?: DataMoveRequest['moves'];
  stop?: DataMoveRequest['stop'];
  tighten?: string | undefined;
  /** The cluster id a format was asked to keep. */
  clusterId?: string;
  /** A cluster format's voters (--initial-controllers). */
  initialControllers?: string | undefined;
  /** join-quorum: the lost voter's directory id to remove first. */
  remove?: string | undefined;
  service?: Service;
  units?: UnitsRequest;
  uninstall?: UninstallRequest;
  /** logs: how many lines, following or not. */
  lines?: number;
  follow?: boolean;
}

const HOME = '/home/ec2-user';
export const INSTALL = `${HOME}/kafka_2.12-3.1.0`;
const PATHS: Record<string, string> = {
  bashrc: `${HOME}/.bashrc`,
  'server.properties': `${INSTALL}/config/server.properties`,
  'zookeeper.properties': `${INSTALL}/config/zookeeper.properties`,
  myid: '/home/ec2-user/kafka-data/zookeeper/myid',
};

const GENUINE: Record<string, string> = {
  'server.properties': 'broker.id=0\n#advertised.listeners=PLAINTEXT://your.host.name:9092\nlog.dirs=/tmp/kafka-logs\n',
  'zookeeper.properties': 'dataDir=/tmp/zookeeper\nclientPort=2181\n',
};

export class FakeHost implements HostOps {
  readonly name = 'fake';
  readonly ran: FakeCall[] = [];
  private nextPid = 1000;

  constructor(public state: FakeHostState) {}

  /** Round trips so far (one per operation, as on the real host). */
  get commands(): number {
    return this.ran.length;
  }

  private call(c: FakeCall): void {
    this.ran.push(c);
    this.state.now += 5;
  }

  private fileFact(name: string): HostFacts['files']['bashrc'] {
    const f = this.state.files[name];
    const backup = this.state.backups?.[name];
    return {
      path: PATHS[name]!,
      content: f?.content,
      mtime: f?.mtime,
      backup: backup !== undefined,
      ...(backup === undefined ? {} : { backupSha256: sha256(backup) }),
    };
  }

  private files(): HostFacts['files'] {
    return {
      bashrc: this.fileFact('bashrc'),
      'server.properties': this.fileFact('server.properties'),
      'zookeeper.properties': this.fileFact('zookeeper.properties'),
      myid: this.fileFact('myid'),
    };
  }

  private install(): HostFacts['install'] {
    const s = this.state;
    return { path: INSTALL, state: s.install, tarball: s.tarball, parentFreeKib: s.freeKib, parentWritable: true };
  }

  /** Like ks_probe_data: the directories the config files name, then kafka-setup's; one file system. */
  private dataDirs(): Map<string, DataDirFact> {
    const s = this.state;
    const dirs = [
      ...Object.keys(s.data ?? {}),
      '/tmp/kafka-logs',
      '/tmp/zookeeper',
      `${HOME}/kafka-data/kafka-logs`,
      `${HOME}/kafka-data/zookeeper`,
    ];
    // Keyed like the real parser: cleaned paths (`/var/lib/kafka//logs/` is /var/lib/kafka/logs).
    const parent: Array<[string, DataDirFact]> =
      s.dataMode === undefined
        ? []
        : [[`${HOME}/kafka-data`, { path: `${HOME}/kafka-data`, state: 'data', kib: 0, device: '2049', mode: s.dataMode }]];
    return new Map([
      ...parent,
      ...[...new Set(dirs)].map((d): [string, DataDirFact] => {
        const fact: DataDirFact = {
          path: cleanPath(d),
          state: s.unreadable?.includes(d) ? 'unreadable' : s.data?.[d] !== undefined ? 'data' : 'absent',
          kib: s.data?.[d] ?? 0,
          device: '2049',
          ...(s.meta?.[d] === undefined ? {} : { brokerId: s.meta[d] }),
        };
        const owner = s.owners?.[d];
        return [cleanPath(d), owner && fact.state !== 'absent' ? ownedBy(fact, owner) : fact];
      }),
    ]);
  }

  /** As the process table shows them (a `java` command line of Kafka's scripts), parsed like the real one. */
  private jvms(): JvmFact[] {
    return this.state.jvms.map((j) => ({ pid: j.pid, started: j.started, ...parseJavaCommand(javaLine(j).split(' ')), cwd: j.cwd }));
  }

  /** Like ks_probe_services. */
  protected services(): ServicesFact {
    const s = this.state;
    const unit = (kind: 'zookeeper' | 'broker'): UnitFact => {
      const u = s.units?.[kind];
      const name = kind === 'zookeeper' ? 'kafka-zookeeper.service' : 'kafka-broker.service';
      return {
        name,
        path: `/etc/systemd/system/${name}`,
        content: u?.content,
        enabled: s.systemd ? (u ? (u.enabled ? 'enabled' : 'disabled') : '') || undefined : undefined,
        active: s.systemd ? (u?.pid ? 'active' : 'inactive') : undefined,
        pid: s.systemd ? u?.pid : undefined,
      };
    };
    return { systemd: s.systemd === true, units: { zookeeper: unit('zookeeper'), broker: unit('broker') } };
  }

  private processes(): FactsUpdate {
    return { listening: new Set(this.state.listening), jvms: this.jvms() };
  }

  private write(changes: readonly FileChange[]): string[] {
    for (const c of changes) {
      const name = Object.keys(PATHS).find((k) => PATHS[k] === c.fact.path)!;
      this.state.files[name] = { content: c.content, mtime: this.state.now };
    }
    return changes.map((c) => c.fact.path);
  }

  private sha512(urls: readonly string[]): Sha512Fact {
    const s = this.state;
    return s.sha512File
      ? { url: urls[0], content: s.sha512File, tried: [] }
      : { url: undefined, content: undefined, tried: urls.map((u) => `${u}.sha512 404`) };
  }

  async probe(r: { urls: string[]; lock: boolean }): Promise<ProbeResult> {
    this.call({ name: 'probe', urls: r.urls });
    const s = this.state;
    const facts: HostFacts = {
      os: { id: s.os, versionId: '12', idLike: [], prettyName: `${s.os} 12` },
      tools: new Map(s.tools.map((t) => [t, `/usr/bin/${t}`])),
      unfinishedJava: s.unfinishedJava ?? [],
      home: HOME,
      user: 'ec2-user',
      clientAddress: undefined,
      serverAddress: s.serverAddress,
      memKib: s.memKib,
      swapKib: 0,
      sudo: s.sudo,
      install: this.install(),
      files: this.files(),
      listening: new Set(s.listening),
      dataDirs: this.dataDirs(),
      keptClusterId: s.keptClusterId,
      jvms: this.jvms(),
      services: this.services(),
      jps: undefined,
      // Like probe.sh: the published checksum comes along when Kafka is still to be downloaded.
      sha512: r.urls.length > 0 && s.install === 'absent' ? this.sha512(r.urls) : undefined,
      tarballVerified: undefined,
    };
    return { facts, lock: r.lock ? 'held' : 'none' };
  }

  async installJava(r: JavaRequest): Promise<JavaResult> {
    this.call({ name: 'install-java' });
    const s = this.state;
    if (s.installFails)
      throw new RemoteFailure('install_failed', `apt could not install any of: ${r.packages.join(' ')}`, new Map(), [s.installFails]);
    s.tools.push('java', 'jps');
    const repaired = (s.unfinishedJava ?? []).length > 0;
    s.unfinishedJava = [];
    return {
      update: { tools: new Map(s.tools.map((t) => [t, `/usr/bin/${t}`])), unfinishedJava: [] },
      package: 'openjdk-17-jdk-headless',
      repairedDpkg: repaired,
    };
  }

  async fetchSha512(urls: readonly string[]): Promise<Sha512Fact> {
    this.call({ name: 'fetch-sha512', urls });
    return this.sha512(urls);
  }

  async download(r: { urls: readonly string[]; sha512: string }): Promise<DownloadResult> {
    this.call({ name: 'download', urls: r.urls, sha512: r.sha512 });
    const s = this.state;
    // Like download.sh: the config files as extraction will create them.
    const predicted = (): FactsUpdate['files'] =>
      Object.fromEntries(Object.entries(GENUINE).map(([n, content]) => [n, { path: PATHS[n]!, content, mtime: undefined, backup: false }]));
    // A tarball already there is kept only when it matches.
    if (s.tarball && (s.tarballSha ?? s.downloadSha) === r.sha512) {
      return {
        update: { install: this.install(), files: predicted(), tarballVerified: r.sha512 },
        reused: true,
        bytes: 90_000_000,
        url: undefined,
        tried: [],
      };
    }
    s.tarball = false;
    if (r.sha512 !== s.downloadSha)
      throw new RemoteFailure('checksum_mismatch', 'the tarball does not match', new Map([['actual', s.downloadSha]]), []);
    s.tarball = true;
    s.tarballSha = s.downloadSha;
    return {
      update: { install: this.install(), files: predicted(), tarballVerified: r.sha512 },
      reused: false,
      bytes: 90_000_000,
      url: r.urls[0],
      tried: [],
    };
  }

  async extract(r: { sha512: string; alsoWrite: readonly FileChange[] }): Promise<FactsUpdate> {
    const s = this.state;
    const call: FakeCall = { name: 'extract', sha512: r.sha512 };
    this.call(call);
    if (!s.tarball || !r.sha512 || (s.tarballSha ?? s.downloadSha) !== r.sha512) {
      throw new RemoteFailure('tarball_changed', 'the tarball no longer matches the checksum verified a moment ago', new Map(), []);
    }
    s.install = 'kafka';
    s.tarball = false;
    for (const [n, content] of Object.entries(GENUINE)) s.files[n] = { content, mtime: s.now };
    call.written = this.write(r.alsoWrite);
    return { install: this.install(), files: this.files() };
  }

  async writeFiles(changes: readonly FileChange[]): Promise<FactsUpdate> {
    const call: FakeCall = { name: 'write-files' };
    this.call(call);
    call.written = this.write(changes);
    return { files: this.files() };
  }

  async moveData(r: DataMoveRequest): Promise<FactsUpdate> {
    const call: FakeCall = { name: 'move-data', moves: r.moves, stop: r.stop, tighten: r.tighten };
    this.call(call);
    const s = this.state;
    // Like ks_stop_jvm: the stopped JVMs and their ports are gone.
    if (r.stop.broker) s.listening = s.listening.filter((p) => p !== 9092 && p !== 9093);
    if (r.stop.zookeeper) s.listening = s.listening.filter((p) => p !== 2181);
    s.jvms = s.jvms.filter((j) => j.pid !== r.stop.broker && j.pid !== r.stop.zookeeper);
    for (const m of r.moves) {
      // The directory with what is in it (ZooKeeper's version-2, a log directory's meta.properties).
      for (const table of [s.data ?? {}, s.meta ?? {}]) {
        for (const key of Object.keys(table).filter((k) => k === m.from || k.startsWith(`${m.from}/`))) {
          table[m.to + key.slice(m.from.length)] = table[key]!;
          delete table[key];
        }
      }
    }
    call.written = this.write(r.alsoWrite);
    // Like ks_data_tighten: group write and others' rights go.
    if (r.tighten && s.dataMode !== undefined) s.dataMode &= ~0o027;
    return { files: this.files(), dataDirs: this.dataDirs(), ...this.processes() };
  }

  async formatStorage(r: FormatRequest): Promise<FormatResult> {
    this.call({
      name: 'format-storage',
      clusterId: r.clusterId,
      initialControllers: r.quorum.kind === 'voter' ? r.quorum.initialControllers : r.quorum.kind,
    });
    return { update: {}, clusterId: r.clusterId, formatted: true, seconds: 1 };
  }

  async joinQuorum(r: JoinQuorumRequest): Promise<JoinQuorumResult> {
    this.call({ name: 'join-quorum', remove: r.removeDirectoryId });
    return { update: {}, removed: r.removeDirectoryId, seconds: 1 };
  }

  async startDaemon(r: StartRequest): Promise<StartResult> {
    const d = r.daemon;
    this.call({ name: `start-${d.kind}`, stopPid: r.stopPid, service: r.service });
    const s = this.state;
    const conf = `${INSTALL}/config/${d.config}`;
    if (r.stopPid) s.jvms = s.jvms.filter((j) => j.pid !== r.stopPid);
    if (!s.jvms.some((j) => j.main === d.main)) {
      const pid = this.nextPid++;
      s.jvms.push({ pid, started: s.now, main: d.main, args: `${conf} ${r.heapOpts}` });
      const unit = s.units?.[d.kind];
      if (r.service === 'systemd' && unit) unit.pid = pid;
    }
    for (const port of [d.port, ...d.otherPorts]) if (!s.listening.includes(port)) s.listening.push(port);
    return { update: { ...this.processes(), jps: new Set(s.jvms.map((j) => j.pid)), services: this.services() }, seconds: 1 };
  }

  async stopDaemon(r: StopRequest): Promise<StopResult> {
    const d = r.daemon;
    this.call({ name: `stop-${d.kind}`, service: r.service });
    const s = this.state;
    s.jvms = s.jvms.filter((j) => j.main !== d.main);
    const unit = s.units?.[d.kind];
    if (unit) delete unit.pid;
    s.listening = s.listening.filter((p) => p !== d.port && !d.otherPorts.includes(p));
    return { update: { ...this.processes(), services: this.services() }, seconds: 1 };
  }

  async setUnits(r: UnitsRequest): Promise<FactsUpdate> {
    this.call({ name: 'units', units: r });
    const s = this.state;
    s.units ??= {};
    const kindOf = (name: string): 'zookeeper' | 'broker' => (name.includes('zookeeper') ? 'zookeeper' : 'broker');
    for (const name of r.remove) {
      const kind = kindOf(name);
      const pid = s.units[kind]?.pid;
      if (pid) s.jvms = s.jvms.filter((j) => j.pid !== pid);
      delete s.units[kind];
    }
    for (const u of r.write)
      s.units[kindOf(u.name)] = { ...s.units[kindOf(u.name)], content: u.content, enabled: s.units[kindOf(u.name)]?.enabled ?? false };
    for (const name of r.enable) s.units[kindOf(name)]!.enabled = true;
    return { services: this.services(), ...this.processes() };
  }

  async jps(): Promise<FactsUpdate> {
    this.call({ name: 'jps' });
    return { jvms: this.jvms(), jps: new Set(this.state.jvms.map((j) => j.pid)) };
  }

  async verify(): Promise<VerifyFacts> {
    this.call({ name: 'verify' });
    return {
      facts: {
        install: this.install(),
        listening: new Set(this.state.listening),
        jvms: this.jvms(),
        jps: new Set(this.state.jvms.map((j) => j.pid)),
        serverProperties: this.state.files['server.properties']?.content,
      },
      zookeeper: { connect: 'localhost:2181', shell: 'ran', ids: this.state.jvms.some((j) => j.main === 'kafka.Kafka') ? [0] : [] },
      logs: { files: [], errorLines: [] },
    };
  }

  /** Like uninstall.sh: units, then JVMs, data, the install, ~/.bashrc; the state afterwards re-read. */
  async uninstall(r: UninstallRequest): Promise<UninstallResult> {
    this.call({ name: 'uninstall', uninstall: r });
    const s = this.state;
    const result: UninstallResult = { update: {}, units: [], stopped: [], removed: [], purged: [], kept: [], bashrc: undefined };
    // Like ks_un_check_units: the header is checked again before any change; someone else's unit stops the run.
    for (const kind of ['broker', 'zookeeper'] as const) {
      const u = s.units?.[kind];
      const path = `/etc/systemd/system/${kind === 'zookeeper' ? 'kafka-zookeeper.service' : 'kafka-broker.service'}`;
      if (u && r.units.includes(path.slice(path.lastIndexOf('/') + 1)) && !u.content.startsWith(UNIT_HEADER)) {
        throw new RemoteFailure(
          'changed_meanwhile',
          `left alone: ${path} was not written by kafka-setup (it was replaced while kafka-setup was running); nothing was changed`,
          new Map(),
          [],
        );
      }
    }
    for (const kind of ['broker', 'zookeeper'] as const) {
      const u = s.units?.[kind];
      const name = kind === 'zookeeper' ? 'kafka-zookeeper.service' : 'kafka-broker.service';
      if (!r.units.includes(name)) continue;
      if (u?.pid) s.jvms = s.jvms.filter((j) => j.pid !== u.pid);
      delete s.units![kind];
      result.units.push(name);
    }
    for (const j of r.stopJvms) {
      if (!s.jvms.some((x) => x.pid === j.pid && x.main === j.main)) continue;
      s.jvms = s.jvms.filter((x) => x.pid !== j.pid);
      result.stopped.push(j.pid);
    }
    if (!s.jvms.some((j) => j.main === 'kafka.Kafka')) s.listening = s.listening.filter((p) => p !== 9092 && p !== 9093);
    if (!s.jvms.some((j) => j.main.includes('QuorumPeerMain'))) s.listening = s.listening.filter((p) => p !== 2181);
    for (const p of r.purge) {
      if (s.data?.[p.path] === undefined) continue;
      delete s.data[p.path];
      result.purged.push(p.path);
    }
    if (r.clusterId && s.keptClusterId === r.clusterId.id) {
      delete s.keptClusterId;
      result.removed.push(r.clusterId.path);
    }
    if (r.removeInstall && s.install === 'kafka') {
      s.install = 'absent';
      s.files['server.properties'] = undefined;
      s.files['zookeeper.properties'] = undefined;
      result.removed.push(INSTALL);
    }
    if ((r.removeInstall || r.removeTarball) && s.tarball) {
      s.tarball = false;
      result.removed.push(`${HOME}/kafka_2.12-3.1.0.tgz`);
    }
    const b = r.bashrc;
    if (b) {
      const current = s.files.bashrc?.content;
      if ((current === undefined ? 'absent' : sha256(current)) !== b.sha)
        throw new RemoteFailure('changed_meanwhile', `${PATHS.bashrc} changed while kafka-setup was running`, new Map(), []);
      if (b.action === 'restore') s.files.bashrc = { content: s.backups!.bashrc!, mtime: s.now };
      if (b.action === 'strip') s.files.bashrc = { content: b.content, mtime: s.now };
      if (b.action === 'delete') s.files.bashrc = undefined;
      if (b.action === 'restore' || b.action === 'drop-backup') delete s.backups!.bashrc;
      result.bashrc = b.action;
    }
    result.update = { install: this.install(), files: this.files(), jvms: this.jvms(), services: this.services() };
    return result;
    /** Like logs.sh: what is there first, then the last lines, log by log (the fake's tail ends: no follow). */
  }

  async logs(r: LogsRequest): Promise<LogFile[]> {
    this.call({ name: 'logs', lines: r.lines, follow: r.follow });
    const s = this.state;
    const files = r.daemons.map(
      (daemon): LogFile => ({
        daemon,
        path: `${INSTALL}/logs/${daemon.out}`,
        state: s.install !== 'kafka' ? 'no_install' : s.logs?.[daemon.kind] ? 'ok' : 'missing',
      }),
    );
    r.onFiles(files);
    for (const f of files) {
      if (f.state !== 'ok') continue;
      for (const text of s.logs![f.daemon.kind]!.slice(-r.lines)) {
        // Like the host's awk: bytes beyond 4000 are cut there.
        const bytes = Buffer.from(text);
        r.onLine({ daemon: f.daemon, text: bytes.length > 4000 ? bytes.subarray(0, 4000).toString() : text, cut: bytes.length > 4000 });
      }
    }
    return files;
  }

  /** The fake cannot forward ports, like an SSH server with AllowTcpForwarding no. */
  async serving(): Promise<Serving> {
    return { state: 'unknown', reason: 'the fake host cannot forward ports' };
  }

  async reassign(): Promise<void> {
    throw new Error('the fake host cannot forward ports');
  }

  async zookeeperMode(): Promise<ZookeeperMode> {
    return { reason: 'the fake host cannot forward ports' };
  }

  /** The fake runs no controller: it answers as a host without one. */
  async quorum(): Promise<QuorumState> {
    this.call({ name: 'quorum' });
    return { answered: false, reason: 'the fake host runs no KRaft controller' };
  }
}

/** A `ps -o pid,etimes,args` line of a JVM started by Kafka's scripts: options, -cp, main class, args. */
function javaLine(j: { main: string; args: string }): string {
  const heap = j.args.split(' ').filter((w) => w.startsWith('-X'));
  const mainArgs = j.args.split(' ').filter((w) => !w.startsWith('-X'));
  return ['/usr/bin/java', ...heap, '-server', '-XX:+UseG1GC', '-cp', '/k/libs/a.jar:/k/libs/b.jar', j.main, ...mainArgs].join(' ');
}

export function freshDebian(overrides: Partial<FakeHostState> = {}): FakeHostState {
  return {
    os: 'debian',
    memKib: 1_000_000,
    sudo: 'yes',
    tools: ['curl', 'tar', 'sha512sum', 'base64'],
    install: 'absent',
    tarball: false,
    files: { bashrc: { content: '# ~/.bashrc\n', mtime: 1 }, 'server.properties': undefined, 'zookeeper.properties': undefined },
    jvms: [],
    listening: [],
    now: 1_700_000_000,
    sha512File: `kafka_2.12-3.1.0.tgz: ${'AB'.repeat(64)}`,
    downloadSha: 'ab'.repeat(64),
    freeKib: 8_000_000,
    installFails: undefined,
    ...overrides,
  };
}
