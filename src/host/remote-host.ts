/**
 * The host operations over SSH: each builds its script from templates/remote/, runs it in one
 * remote command, and reads what it printed through the declared vocabulary.
 */
import { BROKER, type DaemonSpec, ZOOKEEPER } from '../kafka/daemons.js';
import { ZOOKEEPER_PORT } from '../kafka/distribution.js';
import type { KafkaMode } from '../kafka/mode.js';
import { CONTROLLER_ADDRESS } from '../kafka/mode-kraft.js';
import type { PartitionReplicas } from '../kafka/replicas.js';
import type { Sections } from '../remote/script.js';
import type { RunOptions, Session } from '../remote/session.js';
import { type FactPart, type FactsUpdate, probeFacts, readFacts, readSha512, type Sha512Fact } from './facts.js';
import { type FileChange, writeCalls } from './file-writes.js';
import { readLogFiles, readLogLine } from './log-sections.js';
import type {
  DataMoveRequest,
  DownloadRequest,
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
  TransferProgress,
  UninstallRequest,
  UninstallResult,
  UnitsRequest,
  VerifyFacts,
} from './operations.js';
import { askQuorumThrough } from './quorum-ask.js';
import { readQuorum } from './quorum-read.js';
import { remoteScript } from './script.js';
import type { ScriptBody, ScriptVars } from './script-inputs.js';
import { requireSection, type SectionReader, section } from './sections.js';
import { reassignThrough, type Serving, waitServing } from './serving.js';
import { baseVars, type InstallTarget } from './target.js';
import { askZookeeperMode, type ZookeeperMode } from './zookeeper-mode.js';

/** Bounds of each operation on the host (the scripts bound their own waits within these). */
const TIMEOUTS_MS = {
  probe: 120_000,
  fetchSha512: 5 * 60_000,
  download: 60 * 60_000,
  extract: 15 * 60_000,
  moveData: 60 * 60_000,
  verify: 120_000,
  /** One describe (kafka-metadata-quorum.sh bounds itself at 40 s). */
  quorum: 60_000,
  /** DescribeQuorum through the tunnel: the broker forwards it to the controller, which answers at once. */
  quorumAsk: 10_000,
  /** kafka-storage.sh starts a JVM: seconds, minutes on a small instance. */
  format: 5 * 60_000,
  /** Up to 6 add-controller tries and 10 describes, each a JVM bounded at 60 s (most take seconds). */
  joinQuorum: 15 * 60_000,
  /** systemd waits up to TimeoutStopSec (120 s) for a broker's controlled shutdown; ks_stop_jvm 70 s. */
  stop: 180_000,
  // Two units (up to 90 s each to stop) or two JVMs (70 s), then removals.
  uninstall: 15 * 60_000,
  /** The last lines only; following has no bound (it ends with kafka-setup). */
  logs: 5 * 60_000,
};

/** The daemon table's row, for daemon-lib.sh, and how it runs. */
function daemonVars(d: DaemonSpec, service: Service): ScriptVars<'daemon-lib'> {
  return {
    KS_NAME: d.name,
    KS_SCRIPT: d.script,
    KS_CONF: d.config,
    KS_OUT: d.out,
    KS_MAIN: d.main,
    KS_READY: d.ready,
    KS_PORT: d.port,
    KS_SERVICE: service,
    KS_UNIT: d.unit,
  };
}

/** The lines that write `changes`, then re-read the files for the steps to confirm. */
function writing(changes: readonly FileChange[]): { vars: ScriptVars<'write-files'>; calls: string[] } {
  const w = writeCalls(changes);
  return { vars: w.vars, calls: changes.length > 0 ? [...w.calls, 'ks_probe_files'] : [] };
}

function readRegistered(zk: SectionReader<'zookeeper'>): NonNullable<VerifyFacts['zookeeper']> {
  const ids = zk.get('ids');
  return {
    connect: zk.get('connect') ?? '',
    shell: zk.get('rc') === 'missing' ? 'missing' : 'ran',
    ids: ids
      ? ids
          .replace(/[[\]\s]/g, '')
          .split(',')
          .filter(Boolean)
          .map(Number)
          .filter(Number.isInteger)
      : undefined,
  };
}

export class RemoteHost implements HostOps {
  constructor(
    private readonly session: Session,
    private readonly target: InstallTarget,
  ) {}

  get name(): string {
    return this.session.host;
  }

  private async run<const B extends ScriptBody>(
    name: string,
    vars: ScriptVars<NoInfer<B> | 'probe-lib'>,
    bodies: readonly B[],
    calls: string[] = [],
    opts: RunOptions = {},
  ): Promise<Sections> {
    // Each call site's vars are checked against its bodies; the base inputs are every script's.
    const all = { ...baseVars(this.target), ...vars } as ScriptVars<B | 'probe-lib'>;
    const res = await this.session.run(remoteScript<B | 'probe-lib'>(name, all, ['probe-lib', ...bodies], calls), opts);
    return res.sections;
  }

  private async refresh<const B extends ScriptBody>(
    name: string,
    parts: readonly FactPart[],
    vars: ScriptVars<NoInfer<B> | 'probe-lib'>,
    bodies: readonly B[],
    calls: string[] = [],
    opts: RunOptions = {},
  ): Promise<FactsUpdate> {
    return readFacts(await this.run(name, vars, bodies, calls, opts), name, parts);
  }

  async probe(r: { urls: string[]; lock: boolean }): Promise<ProbeResult> {
    // KS_URLS lets the probe fetch the published checksum when Kafka is still to be downloaded.
    const vars = { KS_URLS: r.urls.join('\n'), KS_LOCK: r.lock ? '1' : '' };
    const sections = await this.run('probe', vars, ['lock', 'probe'], [], { timeoutMs: TIMEOUTS_MS.probe });
    const lock = section(sections, 'lock')?.get('state');
    return {
      facts: probeFacts(sections, 'probe'),
      lock: lock === 'unsupported' ? 'unsupported' : lock === 'held' ? 'held' : 'none',
    };
  }

  async installJava(r: JavaRequest): Promise<JavaResult> {
    const vars = {
      KS_PM: r.pm,
      KS_PACKAGES: r.packages.join(' '),
      KS_PM_LOCKS: r.pmLocks.join(' '),
      KS_PM_PIDFILES: r.pmPidFiles.join(' '),
      KS_PM_WAIT: r.pmWaitS,
    };
    const sections = await this.run('install-java', vars, ['install-java'], [], {
      timeoutMs: 20 * 60_000 + r.pmWaitS * 1000,
      ...(r.onProgress ? { onProgress: r.onProgress } : {}),
    });
    const installed = requireSection(sections, 'install-java', 'installed');
    const waited = installed.number('waited');
    return {
      update: readFacts(sections, 'install-java', ['tools']),
      package: installed.get('package') || undefined,
      ...(waited === undefined
        ? {}
        : { waited: { seconds: waited, pid: installed.get('waited_pid'), name: installed.get('waited_name') } }),
      repairedDpkg: installed.get('repaired_dpkg') === 'yes',
      finishedPackages: installed.get('repaired_dpkg') === 'fixed',
      keystoreAside: installed.get('keystore_aside'),
      reinstalled: installed.get('reinstalled')?.split(' ').filter(Boolean),
    };
  }

  async fetchSha512(urls: readonly string[]): Promise<Sha512Fact> {
    const sections = await this.run('fetch-sha512', { KS_URLS: urls.join('\n') }, ['fetch-sha512'], [], {
      timeoutMs: TIMEOUTS_MS.fetchSha512,
    });
    return readSha512(sections, 'fetch-sha512');
  }

  async download(r: DownloadRequest): Promise<DownloadResult> {
    const onProgress = r.onProgress;
    const sections = await this.run('download', { KS_URLS: r.urls.join('\n'), KS_SHA512: r.sha512 }, ['download'], [], {
      timeoutMs: TIMEOUTS_MS.download,
      ...(onProgress ? { onProgress: (text: string) => readTransfer(text, onProgress) } : {}),
    });
    const d = requireSection(sections, 'download', 'download');
    return {
      update: { ...readFacts(sections, 'download', ['install', 'predictedConfig']), tarballVerified: d.get('verified') },
      reused: d.get('reused') === 'yes',
      bytes: d.number('bytes') ?? 0,
      url: d.get('url'),
      tried: d.all('tried'),
    };
  }

  extract(r: { sha512: string; alsoWrite: readonly FileChange[] }): Promise<FactsUpdate> {
    const w = writing(r.alsoWrite);
    // The checksum this run compared: extract.sh compares it again right before extracting.
    return this.refresh('extract', ['install', 'files'], { KS_SHA512: r.sha512, ...w.vars }, ['write-files', 'extract'], w.calls, {
      timeoutMs: TIMEOUTS_MS.extract,
    });
  }

  writeFiles(changes: readonly FileChange[]): Promise<FactsUpdate> {
    const w = writing(changes);
    return this.refresh('write-files', ['files'], w.vars, ['write-files'], w.calls);
  }

  moveData(r: DataMoveRequest): Promise<FactsUpdate> {
    const vars: ScriptVars<'move-data'> = {
      KS_STOP_BROKER: r.stop.broker ?? '',
      KS_STOP_ZOOKEEPER: r.stop.zookeeper ?? '',
      KS_BROKER_MAIN: BROKER.main,
      KS_ZOOKEEPER_MAIN: ZOOKEEPER.main,
      KS_MOVES: r.moves.length,
      KS_DATA_TIGHTEN: r.tighten ?? '',
    };
    r.moves.forEach((m, i) => {
      vars[`KS_M${i}_FROM`] = m.from;
      vars[`KS_M${i}_TO`] = m.to;
      vars[`KS_M${i}_SAME`] = m.sameDevice ? 'yes' : 'no';
    });
    const w = writeCalls(r.alsoWrite);
    // A failed config write puts the data back: the config and the data never disagree.
    const writes = w.calls.length > 0 ? [`( ${w.calls.join('; ')} ) || { ks_data_undo_moves; exit 1; }`] : [];
    return this.refresh(
      'move-data',
      ['files', 'data', 'ports', 'jvms'],
      { ...vars, ...w.vars },
      ['write-files', 'move-data'],
      [
        'ks_data_stop',
        'ks_data_move',
        ...writes,
        'ks_data_done',
        'ks_data_tighten',
        'ks_probe_files',
        'ks_probe_data',
        'ks_probe_ports',
        'ks_probe_jvms',
      ],
      { timeoutMs: TIMEOUTS_MS.moveData },
    );
  }

  async formatStorage(r: FormatRequest): Promise<FormatResult> {
    const sections = await this.run(
      'format-storage',
      {
        KS_DATA_DIR: r.dataDir,
        KS_LOG_DIR: r.logDir,
        KS_CLUSTER_ID: r.clusterId,
        KS_QUORUM: r.quorum.kind,
        KS_INITIAL_CONTROLLERS: r.quorum.kind === 'voter' ? r.quorum.initialControllers : '',
      },
      ['format-storage'],
      [],
      { timeoutMs: TIMEOUTS_MS.format },
    );
    const f = requireSection(sections, 'format-storage', 'formatted');
    return {
      update: readFacts(sections, 'format-storage', ['data']),
      clusterId: f.get('cluster_id') ?? '',
      formatted: f.get('formatted') === 'yes',
      seconds: f.number('seconds'),
    };
  }

  async joinQuorum(r: JoinQuorumRequest): Promise<JoinQuorumResult> {
    const sections = await this.run(
      'join-quorum',
      {
        KS_NODE_ID: r.nodeId,
        KS_DIRECTORY_ID: r.directoryId,
        KS_LOG_DIR: r.logDir,
        KS_CONTROLLERS: r.controllers,
        KS_REMOVE_DIRECTORY: r.removeDirectoryId ?? '',
        KS_ADD: r.add ? 1 : 0,
      },
      ['join-quorum'],
      [],
      { timeoutMs: TIMEOUTS_MS.joinQuorum, ...(r.onProgress ? { onProgress: r.onProgress } : {}) },
    );
    const j = requireSection(sections, 'join-quorum', 'joined');
    const removed = j.get('removed');
    return {
      update: readFacts(sections, 'join-quorum', ['data']),
      removed: removed && /^[A-Za-z0-9_-]{22}$/.test(removed) ? removed : undefined,
      seconds: j.number('seconds'),
    };
  }

  async startDaemon(r: StartRequest): Promise<StartResult> {
    const d = r.daemon;
    const name = `start-${d.kind}`;
    const sections = await this.run(
      name,
      {
        ...daemonVars(d, r.service),
        KS_KIND: d.kind,
        KS_OTHER_PORTS: d.otherPorts.join(' '),
        KS_HEAP_OPTS: r.heapOpts,
        KS_STOP_PID: r.stopPid ?? '',
        KS_RUNNING_PID: r.runningPid ?? '',
        KS_TIMEOUT: d.timeoutS,
      },
      ['daemon-lib', 'start-daemon'],
      [],
      { timeoutMs: (d.timeoutS + 90) * 1000, ...(r.onProgress ? { onProgress: r.onProgress } : {}) },
    );
    const started = requireSection(sections, name, 'started');
    const node = started.get('stale_node');
    return {
      update: readFacts(sections, name, ['ports', 'jvms', 'jps', 'services']),
      seconds: started.number('seconds'),
      ...(node ? { staleNode: { node, waitedS: started.number('stale_waited') } } : {}),
    };
  }

  async stopDaemon(r: StopRequest): Promise<StopResult> {
    const name = `${r.force ? 'kill' : 'stop'}-${r.daemon.kind}`;
    const vars: ScriptVars<'daemon-lib' | 'stop-daemon'> = { ...daemonVars(r.daemon, r.service), ...(r.force ? { KS_STOP_FORCE: 1 } : {}) };
    const sections = await this.run(name, vars, ['daemon-lib', 'stop-daemon'], [], {
      timeoutMs: TIMEOUTS_MS.stop,
    });
    return {
      update: readFacts(sections, name, ['ports', 'jvms', 'services']),
      seconds: requireSection(sections, name, 'stopped').number('seconds'),
    };
  }

  setUnits(r: UnitsRequest): Promise<FactsUpdate> {
    const vars: ScriptVars<'units'> = { KS_UNIT_WRITES: r.write.length, KS_ENABLE: r.enable.join(' '), KS_REMOVE: r.remove.join(' ') };
    r.write.forEach((u, i) => {
      vars[`KS_W${i}_NAME`] = u.name;
      vars[`KS_W${i}_CONTENT`] = Buffer.from(u.content, 'latin1').toString('base64');
    });
    // Removing a unit stops its JVM (systemctl disable --now): the caller sees it gone.
    return this.refresh('units', ['services', 'ports', 'jvms'], vars, ['units'], [], { timeoutMs: TIMEOUTS_MS.stop });
  }

  jps(): Promise<FactsUpdate> {
    return this.refresh('jps', ['jvms', 'jps'], {}, ['jps']);
  }

  async verify(mode: KafkaMode): Promise<VerifyFacts> {
    const vars = { KS_VERIFY_MODE: mode.id, KS_ZOOKEEPER_CONNECT: `localhost:${ZOOKEEPER_PORT}` };
    // The quorum (4.x) is asked beside the script, over the same connection (see quorum()).
    const quorum = mode.id === 'kraft' ? this.quorum() : undefined;
    quorum?.catch(() => {}); // awaited below: the script failing first must not leave it unhandled
    const sections = await this.run('verify', vars, ['verify'], [], { timeoutMs: TIMEOUTS_MS.verify });
    const u = readFacts(sections, 'verify', ['install', 'ports', 'jvms', 'jps']);
    const server = section(sections, 'file', 'server.properties');
    const logs = requireSection(sections, 'verify', 'logs');
    return {
      facts: {
        install: u.install!,
        listening: u.listening!,
        jvms: u.jvms!,
        jps: u.jps,
        serverProperties:
          server?.get('content') === undefined ? undefined : Buffer.from(server.get('content')!, 'base64').toString('latin1'),
      },
      ...(quorum ? { quorum: await quorum } : { zookeeper: readRegistered(requireSection(sections, 'verify', 'zookeeper')) }),
      logs: { files: logs.all('file'), errorLines: logs.all('line') },
    };
  }

  serving(brokerId: number | undefined, waitMs: number): Promise<Serving> {
    return waitServing(this.session, brokerId, waitMs);
  }

  reassign(plan: readonly PartitionReplicas[]): Promise<void> {
    return reassignThrough(this.session, plan, 30_000);
  }

  /**
   * DescribeQuorum through a tunnel to the node's broker (quorum-ask.ts: no JVM on the host); where
   * the SSH server allows no forwarding, the host's own kafka-metadata-quorum.sh (a JVM: seconds).
   */
  async quorum(): Promise<QuorumState> {
    const asked = await askQuorumThrough(this.session, TIMEOUTS_MS.quorumAsk);
    if (asked) return asked;
    const sections = await this.run('quorum', { KS_CONTROLLER: CONTROLLER_ADDRESS }, ['quorum'], ['ks_quorum replication'], {
      timeoutMs: TIMEOUTS_MS.quorum,
    });
    return readQuorum(requireSection(sections, 'quorum', 'quorum'));
  }

  zookeeperMode(): Promise<ZookeeperMode> {
    return askZookeeperMode(this.session, 5000);
  }

  async uninstall(r: UninstallRequest): Promise<UninstallResult> {
    const b = r.bashrc;
    const vars: ScriptVars<'uninstall'> = {
      KS_UN_UNITS: r.units.join(' '),
      KS_UN_SYSTEMD: r.systemd ? 'running' : 'none',
      KS_UN_STOP: r.stopJvms.map((j) => `${j.pid}=${j.main}`).join(' '),
      KS_UN_INSTALL: r.removeInstall ? 1 : 0,
      KS_UN_TARBALL: r.removeTarball ? 1 : 0,
      KS_UN_PURGE: r.purge.length,
      KS_UN_DATA_PARENT: r.dataParent ?? '',
      KS_UN_CLUSTER_ID_FILE: r.clusterId?.path ?? '',
      KS_UN_CLUSTER_ID: r.clusterId?.id ?? '',
      KS_UN_BASHRC: b?.action ?? '',
      KS_UN_BASHRC_SHA: b?.sha ?? '',
      KS_UN_BACKUP_SHA: b && 'backupSha' in b ? b.backupSha : '',
      KS_UN_BASHRC_B64: b?.action === 'strip' ? Buffer.from(b.content, 'latin1').toString('base64') : '',
    };
    r.purge.forEach((p, i) => {
      vars[`KS_UN_P${i}_DIR`] = p.path;
      vars[`KS_UN_P${i}_KIND`] = p.kind;
      vars[`KS_UN_P${i}_OURS`] = p.ours ? 'yes' : 'no';
    });
    // The state afterwards, re-read in the same round trip, confirms the work.
    const sections = await this.run(
      'uninstall',
      vars,
      ['move-data', 'uninstall'],
      ['ks_probe_install', 'ks_probe_files', 'ks_probe_jvms', 'ks_probe_services'],
      { timeoutMs: TIMEOUTS_MS.uninstall },
    );
    const done = requireSection(sections, 'uninstall', 'uninstalled');
    return {
      update: readFacts(sections, 'uninstall', ['install', 'files', 'jvms', 'services']),
      units: done.all('unit'),
      stopped: done.all('stopped').map(Number),
      removed: done.all('removed'),
      purged: done.all('purged'),
      kept: done.all('kept'),
      bashrc: done.get('bashrc'),
    };
  }

  async logs(r: LogsRequest): Promise<LogFile[]> {
    // Streamed, not collected: a followed log never ends, and 100000 lines need not sit in memory.
    const found: Array<[string, string]> = [];
    let files: LogFile[] | undefined;
    const announce = (): LogFile[] => {
      if (!files) {
        files = readLogFiles(found, r.daemons);
        r.onFiles(files);
      }
      return files;
    };
    // Called from the SSH channel's data events, where a throw would crash the process: kept for later.
    let failed: { err: unknown } | undefined;
    const onLine = (name: string, line: string): void => {
      if (failed) return;
      try {
        if (name !== 'tail') return void found.push([name, line]);
        announce();
        const l = readLogLine(line, r.daemons);
        if (l) r.onLine(l);
      } catch (err) {
        failed = { err };
      }
    };
    await this.run(
      'logs',
      {
        KS_LOGS: r.daemons.map((d) => `${d.kind}=${d.out}`).join(' '),
        KS_LINES: r.lines,
        KS_FOLLOW: r.follow ? '1' : '',
      },
      ['logs'],
      [],
      { stream: { sections: ['logfile', 'tail'], onLine }, ...(r.follow ? {} : { timeoutMs: TIMEOUTS_MS.logs }) },
    );
    if (failed) throw failed.err;
    return announce();
  }
}

/** download.sh's progress line, "downloaded BYTES of TOTAL": anything else from the host is ignored. */
export function readTransfer(text: string, onProgress: (p: TransferProgress) => void): void {
  const m = /^downloaded (\d{1,15}) of (\d{1,15})$/.exec(text);
  if (m) onProgress({ bytes: Number(m[1]), total: Number(m[2]) });
}
