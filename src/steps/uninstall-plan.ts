/**
 * What `kafka-setup uninstall` will stop, remove, restore and keep, decided from the probe's facts
 * alone (so that --dry-run, the prompt and the run all show the same plan). Refusals are UserErrors
 * raised here, before anything changes.
 */
import { posix } from 'node:path';
import { UserError } from '../errors.js';
import type { FileFact, HostFacts } from '../host/facts.js';
import { sha256 } from '../host/file-writes.js';
import { findJvm } from '../host/install-jvms.js';
import type { UninstallRequest } from '../host/operations.js';
import { unitOwner, unitSource } from '../host/unit-owner.js';
import { type DaemonSpec, EVERY_KIND } from '../kafka/daemons.js';
import { type Distribution, tarballName } from '../kafka/distribution.js';
import { withoutHeapBlock } from '../kafka/heap-block.js';
import { type KafkaMode, modeOf } from '../kafka/mode.js';
import { storeDirs } from './data-plan.js';

export interface PlannedUnit {
  daemon: DaemonSpec;
  name: string;
  path: string;
  /** The unit file is still there (else only systemd's memory of it is left). */
  file: boolean;
  active: string | undefined;
}

/** A unit of kafka-setup's name that kafka-setup did not write: left alone, running and enabled. */
export interface ForeignUnit {
  daemon: DaemonSpec;
  name: string;
  /** Its file: in the unit directory, or where systemd loads it from (a package's). */
  path: string;
  active: string | undefined;
  enabled: string | undefined;
}

export interface PlannedJvm {
  daemon: DaemonSpec;
  pid: number;
}

/** What becomes of ~/.bashrc. */
export type BashrcPlan =
  /** Nothing of kafka-setup's is in it (note: why a backup stays, if one does). */
  | { action: 'none'; path: string; note?: string }
  /** Without our block it is exactly the backup: the backup goes back, byte for byte, and is removed. */
  | { action: 'restore'; path: string; backup: string; sha: string; backupSha: string }
  /** It is already as before init; only the backup is left to remove. */
  | { action: 'drop-backup'; path: string; backup: string; sha: string; backupSha: string }
  /** Edited since init: only our block goes, the rest stays as the user has it. */
  | { action: 'strip'; path: string; sha: string; content: string; backup: string | undefined }
  /** init created it (no backup, nothing but our block): removed. */
  | { action: 'delete'; path: string; sha: string };

export interface PlannedDataDir {
  what: 'Kafka' | 'ZooKeeper';
  path: string;
  state: 'empty' | 'data' | 'other' | 'unreadable' | 'foreign' | 'unknown';
  /** Where init keeps it (beside the install), as opposed to a place a config file was edited to name. */
  ours: boolean;
  purge: boolean;
}

/** The KRaft cluster id kafka-setup keeps beside the data (cluster.id), which a later init formats with. */
export interface PlannedClusterId {
  path: string;
  id: string;
  purge: boolean;
}

export interface UninstallPlan {
  systemd: boolean;
  units: PlannedUnit[];
  /** Units of the same names that are not kafka-setup's: never stopped, disabled or removed. */
  foreign: ForeignUnit[];
  jvms: PlannedJvm[];
  install: { path: string; state: HostFacts['install']['state'] };
  removeInstall: boolean;
  tarball: string | undefined;
  bashrc: BashrcPlan;
  data: PlannedDataDir[];
  clusterId: PlannedClusterId | undefined;
  /** kafka-setup's data directory (the parent of its two), removed when a purge leaves it empty. */
  dataParent: string;
  /** Nothing to stop, remove or restore (kept data aside). */
  nothing: boolean;
}

/**
 * kafka-setup's units that systemd knows: a file in /etc/systemd/system that carries kafka-setup's
 * header, or one systemd still has loaded from there (an interrupted run removed the file). Any other
 * unit of those names is someone else's (see unit-owner.ts).
 */
function plannedUnits(facts: HostFacts, daemons: readonly DaemonSpec[]): { units: PlannedUnit[]; foreign: ForeignUnit[] } {
  const units: PlannedUnit[] = [];
  const foreign: ForeignUnit[] = [];
  for (const daemon of daemons) {
    const u = facts.services.units[daemon.kind];
    const owner = unitOwner(u);
    const name = u.name || daemon.unit;
    if (owner === 'ours') units.push({ daemon, name, path: u.path, file: u.content !== undefined, active: u.active });
    else if (owner === 'foreign') foreign.push({ daemon, name, path: unitSource(u), active: u.active, enabled: u.enabled });
  }
  return { units, foreign };
}

/** Our JVMs that systemd does not run (a unit's main process stops with its unit), broker first. */
function plannedJvms(facts: HostFacts, units: PlannedUnit[], daemons: readonly DaemonSpec[]): PlannedJvm[] {
  const unitPids = new Set(units.map((u) => facts.services.units[u.daemon.kind].pid).filter((p): p is number => p !== undefined));
  return daemons.flatMap((daemon) => {
    const j = findJvm(facts, daemon);
    return j && !unitPids.has(j.pid) ? [{ daemon, pid: j.pid }] : [];
  });
}

const BASHRC_HINT =
  'open ~/.bashrc on the host and move your own lines out from between the kafka-setup markers (or delete what remains of the block), ' +
  'then run kafka-setup uninstall again; nothing was changed';

/**
 * ~/.bashrc back to what it was before init. init only ever adds its block at the end (after a blank
 * line, and a newline when the file lacked a final one) and keeps a one-time backup of the original,
 * so the file is unedited since init exactly when removing the block (and that newline) gives the
 * backup's bytes. Anything else is the user's: only the block goes.
 */
export function bashrcPlan(fact: FileFact, home: string): BashrcPlan | UserError {
  const path = fact.path;
  const backup = `${home}/.bashrc.kafka-setup.bak`;
  if (fact.content === undefined) {
    return {
      action: 'none',
      path,
      ...(fact.backup ? { note: `there is no ~/.bashrc, so its backup ${backup} (from before init) stays` } : {}),
    };
  }
  const sha = sha256(fact.content);
  const stripped = withoutHeapBlock(fact.content);
  if (!stripped.ok) return new UserError(stripped.problem, { hint: BASHRC_HINT });
  const hasBlock = stripped.text !== fact.content;
  const originals = hasBlock ? [stripped.text, ...(stripped.text.endsWith('\n') ? [stripped.text.slice(0, -1)] : [])] : [fact.content];
  if (fact.backup && fact.backupSha256 && originals.some((o) => sha256(o) === fact.backupSha256)) {
    return { action: hasBlock ? 'restore' : 'drop-backup', path, backup, sha, backupSha: fact.backupSha256 };
  }
  if (!hasBlock) {
    return {
      action: 'none',
      path,
      ...(fact.backup
        ? {
            note: `~/.bashrc changed since init, so its backup ${backup} (the file as it was before init) stays: delete it when you no longer need it`,
          }
        : {}),
    };
  }
  if (!fact.backup && stripped.text === '') return { action: 'delete', path, sha };
  return { action: 'strip', path, sha, content: stripped.text, backup: fact.backup ? backup : undefined };
}

/** Paths never purged, whatever a config file names: the system's own places. */
const SYSTEM_DIRS = new Set([
  '/',
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/lib32',
  '/lib64',
  '/media',
  '/mnt',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/srv',
  '/sys',
  '/tmp',
  '/usr',
  '/var',
  '/var/tmp',
  '/var/lib',
  '/var/log',
]);

const within = (path: string, dir: string): boolean => path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);

/** Why a data directory named by a config file can never be purged, if it cannot. */
function neverPurged(path: string, facts: HostFacts): string | undefined {
  if (!path.startsWith('/')) return 'it is a relative path, so kafka-setup cannot tell which directory it is';
  if (SYSTEM_DIRS.has(path)) return 'it is a system directory';
  if (within(facts.home, path)) return path === facts.home ? 'it is the home directory' : 'it holds the home directory';
  if (within(facts.install.path, path)) return 'it holds the install directory';
  return undefined;
}

/**
 * Every kind of JVM, broker first (the order they stop in), named as the mode names its own: a unit of
 * kafka-setup's of a kind the mode does not run (left by another version's install) goes all the same.
 */
function stopOrder(mode: KafkaMode): DaemonSpec[] {
  return [...EVERY_KIND].reverse().map((k) => mode.daemons.find((d) => d.kind === k.kind) ?? k);
}

function plannedData(
  facts: HostFacts,
  purgeData: boolean,
  mode: KafkaMode,
): { data: PlannedDataDir[]; clusterId: PlannedClusterId | undefined; dataParent: string; problem?: UserError } {
  const dataParent = posix.join(posix.dirname(facts.install.path), 'kafka-data');
  const ourKafka = posix.join(dataParent, 'kafka-logs');
  const ourZk = posix.join(dataParent, 'zookeeper');
  // The id is kafka-setup's own (the probe reads it only as a file of that name, holding an id): it
  // goes with the data, and stays with it.
  const clusterId =
    facts.keptClusterId === undefined
      ? undefined
      : { path: posix.join(dataParent, 'cluster.id'), id: facts.keptClusterId, purge: purgeData };
  // What the mode's config files name (those still there), then where init keeps either mode's data:
  // the place is shared by every version installed beside it.
  const configured =
    facts.files['server.properties'].content === undefined
      ? []
      : mode.dataStores
          .filter((s) => facts.files[s.file].content !== undefined)
          .flatMap((s) => storeDirs(s, facts).map((d): [PlannedDataDir['what'], string] => [s.what, d]));
  const named: Array<[PlannedDataDir['what'], string]> = [...configured, ['Kafka', ourKafka], ['ZooKeeper', ourZk]];
  const data: PlannedDataDir[] = [];
  for (const [what, path] of named) {
    if (data.some((d) => d.path === path)) continue;
    const fact = facts.dataDirs.get(path);
    if (fact?.state === 'absent') continue;
    const ours = path === ourKafka || path === ourZk;
    if (!fact && ours) continue;
    const state: PlannedDataDir['state'] = fact ? (fact.state as PlannedDataDir['state']) : 'unknown';
    // Another user's directory at a place the config names (a default in /tmp): another Kafka's data,
    // neither kept nor purged by this uninstall.
    if (!ours && (state === 'empty' || state === 'foreign')) continue;
    data.push({ what, path, state, ours, purge: purgeData });
  }
  if (!purgeData) {
    // Removing the install directory would take data inside it along: that is a purge, not a keep.
    const inside = data.find((d) => within(d.path, facts.install.path) && d.state !== 'empty');
    if (inside && facts.install.state === 'kafka') {
      return {
        data,
        clusterId,
        dataParent,
        problem: new UserError(
          `${inside.what}'s data directory ${inside.path} is inside the install directory ${facts.install.path}, which uninstall removes`,
          {
            hint: `to keep the data, move it out of ${facts.install.path} (and point the config at it) first; to delete it with the install, run kafka-setup uninstall --purge-data; nothing was changed`,
          },
        ),
      };
    }
    return { data, clusterId, dataParent };
  }
  for (const d of data) {
    const why =
      neverPurged(d.path, facts) ??
      (d.state === 'other'
        ? 'it is a symbolic link or not a directory'
        : d.state === 'unreadable'
          ? `${facts.user || 'this user'} cannot read it, so kafka-setup cannot check what it holds`
          : d.state === 'foreign'
            ? `it belongs to ${facts.dataDirs.get(d.path)?.owner?.name ?? 'another user'}, not to ${facts.user || 'this user'}`
            : d.state === 'unknown'
              ? 'the probe could not look at it'
              : undefined);
    if (why) {
      return {
        data,
        clusterId,
        dataParent,
        problem: new UserError(
          `refusing to purge ${d.path}, named as ${d.what}'s data directory in ${d.what === 'Kafka' ? 'server.properties (log.dirs)' : 'zookeeper.properties (dataDir)'}: ${why}`,
          {
            hint: `correct ${d.what === 'Kafka' ? 'log.dirs' : 'dataDir'} on the host (or delete that data yourself), or run kafka-setup uninstall without --purge-data to keep it; nothing was changed`,
          },
        ),
      };
    }
  }
  return { data, clusterId, dataParent };
}

/** The whole plan; a refusal (a damaged ~/.bashrc block, data that cannot be told apart) is thrown. */
export function uninstallPlan(facts: HostFacts, o: { purgeData: boolean; dist: Distribution }): UninstallPlan {
  const daemons = stopOrder(modeOf(o.dist));
  const { units, foreign } = plannedUnits(facts, daemons);
  // Our JVM run by a unit that is not ours: stopping it is that unit's business, and removing the
  // install from under it would leave a unit that fails at every restart.
  for (const f of foreign) {
    const jvm = findJvm(facts, f.daemon);
    const pid = facts.services.units[f.daemon.kind].pid;
    if (jvm && pid === jvm.pid) {
      throw new UserError(
        `${f.daemon.name} (pid ${jvm.pid}) of ${facts.install.path} runs under ${f.path}, which kafka-setup did not write`,
        {
          hint: `kafka-setup does not stop or remove a unit it did not write: stop and disable it yourself (sudo systemctl disable --now ${f.name}), then run kafka-setup uninstall again; nothing was changed`,
        },
      );
    }
  }
  // Their files are root's, systemd running or not.
  if (units.length > 0 && facts.sudo !== 'root' && facts.sudo !== 'yes') {
    const names = units.map((u) => u.name).join(' ');
    throw new UserError(
      `kafka-setup's systemd units (${units.map((u) => u.name).join(', ')}) can only be removed as root, and ${facts.user || 'this user'} has no passwordless sudo`,
      {
        hint: `on the host, run: sudo systemctl disable --now ${names}; sudo rm -f ${units.map((u) => u.path).join(' ')}; sudo systemctl daemon-reload; then run kafka-setup uninstall again; nothing was changed`,
      },
    );
  }
  const bashrc = bashrcPlan(facts.files.bashrc, facts.home);
  if (bashrc instanceof UserError) throw bashrc;
  const { data, clusterId, dataParent, problem } = plannedData(facts, o.purgeData, modeOf(o.dist));
  if (problem) throw problem;
  const jvms = plannedJvms(facts, units, daemons);
  const removeInstall = facts.install.state === 'kafka';
  // Where init downloads it (target.ts), left there only by an interrupted run.
  const tarball = facts.install.tarball ? posix.join(posix.dirname(facts.install.path), tarballName(o.dist)) : undefined;
  const plan: UninstallPlan = {
    systemd: facts.services.systemd,
    units,
    foreign,
    jvms,
    install: { path: facts.install.path, state: facts.install.state },
    removeInstall,
    tarball,
    bashrc,
    data,
    clusterId,
    dataParent,
    nothing: false,
  };
  plan.nothing =
    units.length === 0 &&
    jvms.length === 0 &&
    !removeInstall &&
    !tarball &&
    bashrc.action === 'none' &&
    !data.some((d) => d.purge) &&
    clusterId?.purge !== true;
  return plan;
}

/** The request the host's uninstall script runs. */
export function uninstallRequest(plan: UninstallPlan): UninstallRequest {
  const b = plan.bashrc;
  return {
    units: plan.units.map((u) => u.name),
    systemd: plan.systemd,
    stopJvms: plan.jvms.map((j) => ({ pid: j.pid, main: j.daemon.main })),
    removeInstall: plan.removeInstall,
    removeTarball: plan.tarball !== undefined,
    // Data inside the install directory goes with it.
    purge: plan.data
      .filter((d) => d.purge && !(plan.removeInstall && within(d.path, plan.install.path)))
      .map((d) => ({ path: d.path, kind: d.what === 'Kafka' ? ('kafka' as const) : ('zookeeper' as const), ours: d.ours })),
    clusterId: plan.clusterId?.purge ? { path: plan.clusterId.path, id: plan.clusterId.id } : undefined,
    dataParent: plan.data.some((d) => d.purge) || plan.clusterId?.purge ? plan.dataParent : undefined,
    bashrc:
      b.action === 'none'
        ? undefined
        : b.action === 'restore' || b.action === 'drop-backup'
          ? { action: b.action, sha: b.sha, backupSha: b.backupSha }
          : b.action === 'strip'
            ? { action: 'strip', sha: b.sha, content: b.content }
            : { action: 'delete', sha: b.sha },
  };
}
