/**
 * What kafka-setup knows about the host, parsed in one place from the sections its scripts print
 * (see vocabulary.ts). Steps decide from these facts alone; each operation returns the parts it
 * refreshed, which the caller merges with `withUpdate`.
 */
import { isIP } from 'node:net';
import { posix } from 'node:path';
import type { Sections } from '../remote/script.js';
import { ProtocolError, requireSection, section } from './sections.js';
import type { Serving } from './serving.js';

/** prettyName when os-release has no PRETTY_NAME. */
export const UNKNOWN_SYSTEM = 'an unknown system';

export interface OsInfo {
  id: string;
  versionId: string;
  idLike: string[];
  prettyName: string;
  /** os-release's SUPPORT_END (os-release(5)): the day support ends, YYYY-MM-DD; only a real date. */
  supportEnd?: string | undefined;
}

export interface FileFact {
  path: string;
  /** Latin-1 decoded, so that writing it back reproduces the bytes exactly. */
  content: string | undefined;
  mtime: number | undefined;
  backup: boolean;
  /** The backup's SHA-256, when it is a regular file (uninstall compares it with the file minus our block). */
  backupSha256?: string | undefined;
}

/** A data directory: one the config files name now, or one kafka-setup keeps the data in. */
export interface DataDirFact {
  path: string;
  /** foreign: another (non-root) user's directory, whatever it holds (see `owner`). */
  state: 'absent' | 'empty' | 'data' | 'other' | 'unreadable' | 'foreign';
  kib: number;
  /** The device it (or its nearest existing parent) is on: a rename works only within one. */
  device: string;
  /** A Kafka log directory's broker.id, from its meta.properties (a broker refuses to start under another). */
  brokerId?: number | undefined;
  /** Permission bits, for kafka-setup's own data directory when this user owns it (see ks_data_mode). */
  mode?: number | undefined;
  /** How its meta.properties says it was formatted, when it has one (see StorageFormat). */
  format?: StorageFormat | undefined;
  /** Who owns it, when that is not this user (root's, or a foreign directory's user). */
  owner?: { uid: number; name: string } | undefined;
}

/** A log directory's meta.properties: version 0 (a ZooKeeper-mode broker's) or 1 (KRaft's kafka-storage.sh). */
export interface StorageFormat {
  version: number | undefined;
  nodeId: number | undefined;
  clusterId: string | undefined;
  /** KRaft: this storage's directory id (a voter is its node id and this). */
  directoryId?: string | undefined;
  /** The directory id kafka-setup saw the quorum take as a voter (join-quorum.sh keeps it beside meta.properties). */
  voterDirectoryId?: string | undefined;
}

export interface JvmFact {
  pid: number;
  /** When the JVM started, in epoch seconds of the host's clock. */
  started: number;
  mainClass: string;
  /** The main class's arguments and the JVM options, as jps -lvm prints them. */
  args: string;
  /** Its working directory, when visible. */
  cwd: string | undefined;
}

/** kafka-setup's systemd unit of one daemon, as the host has it. */
export interface UnitFact {
  name: string;
  path: string;
  /** The unit file as installed (latin-1), if there is one. */
  content: string | undefined;
  /** systemd's UnitFileState (enabled, disabled, …) and ActiveState (active, inactive, failed, …); undefined without systemd. */
  enabled: string | undefined;
  active: string | undefined;
  /** The unit's main process, while it has one. */
  pid: number | undefined;
  /** Where systemd loaded the unit from (FragmentPath), when it knows the unit; see unit-owner.ts. */
  fragment?: string | undefined;
}

export interface ServicesFact {
  /** systemd runs the host (PID 1). */
  systemd: boolean;
  units: Record<'zookeeper' | 'broker', UnitFact>;
}

export interface HostFacts {
  os: OsInfo;
  tools: Map<string, string>;
  /** Java's packages dpkg has not finished (an install stopped midway): Java is not installed until they are. */
  unfinishedJava: string[];
  home: string;
  user: string;
  /** This machine's address as the host's sshd sees it (SSH_CONNECTION), when it is an IP address. */
  clientAddress: string | undefined;
  /** The address the host was reached on (SSH_CONNECTION): on EC2 the private one, where a cluster's members reach each other. */
  serverAddress: string | undefined;
  memKib: number;
  /** SwapTotal; 0 when there is none (or the probe could not tell). */
  swapKib: number;
  sudo: 'root' | 'yes' | 'password' | 'missing';
  install: {
    path: string;
    state: 'absent' | 'kafka' | 'other';
    tarball: boolean;
    parentFreeKib: number;
    parentWritable: boolean;
  };
  files: Record<EditedFile, FileFact>;
  listening: Set<number>;
  /** Data directories, by path (see ks_probe_data). */
  dataDirs: Map<string, DataDirFact>;
  /** The KRaft cluster id kafka-setup keeps in its data directory (cluster.id), once written. */
  keptClusterId?: string | undefined;
  /** The user's JVMs, from the process table. */
  jvms: JvmFact[];
  /** The host's clock when it read the process table (epoch seconds): uptimes are the host's. */
  hostNow?: number | undefined;
  services: ServicesFact;
  /** Pids jps -lvm listed, when it ran (after starting a JVM, or in the jps step). */
  jps: Set<number> | undefined;
  /** The published .sha512, when a script fetched it (the probe does when Kafka is still to install). */
  sha512: Sha512Fact | undefined;
  /**
   * The SHA-512 this run compared the tarball with (download.sh), if it did. A tarball found on the
   * host is never trusted without it.
   */
  tarballVerified: string | undefined;
  /** Whether the broker (this pid) is in its own metadata, when this run asked (see serving.ts). */
  serving?: (Serving & { pid: number | undefined }) | undefined;
}

export interface Sha512Fact {
  /** The tarball URL whose .sha512 answered, if any did. */
  url: string | undefined;
  content: string | undefined;
  /** `url message` of each mirror that did not answer. */
  tried: string[];
}

/** A directory path without `.`/`..` segments, doubled or trailing slashes. */
export function cleanPath(path: string): string {
  const p = posix.normalize(path.trim());
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/** JVM options that take their value as the next word. */
const OPTION_WITH_VALUE = new Set([
  '-cp',
  '-classpath',
  '--class-path',
  '-p',
  '--module-path',
  '--add-modules',
  '--add-opens',
  '--add-exports',
  '--add-reads',
  '--upgrade-module-path',
]);

/**
 * Splits a java command line the way jps -lvm shows a JVM: main class (or jar), then its
 * arguments, then the JVM options.
 */
export function parseJavaCommand(words: string[]): { mainClass: string; args: string } {
  const opts: string[] = [];
  let i = 1;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-jar' || w === '-m' || w === '--module') {
      i++;
      break;
    }
    if (!w.startsWith('-')) break;
    if (OPTION_WITH_VALUE.has(w)) i++;
    else opts.push(w);
  }
  const main = words[i] ?? '';
  return { mainClass: main, args: [...words.slice(i + 1), ...opts].join(' ') };
}

/** The files kafka-setup edits, by the name their section carries. */
export const EDITED_FILES = ['bashrc', 'server.properties', 'zookeeper.properties', 'myid'] as const;
export type EditedFile = (typeof EDITED_FILES)[number];

/** What an operation refreshed: the parts it re-read (files one by one). */
export type FactsUpdate = Partial<Omit<HostFacts, 'files'>> & { files?: Partial<HostFacts['files']> };

/** `base` with what `update` re-read: parts replaced, files one by one. */
function merged<T extends FactsUpdate>(base: T, update: FactsUpdate): T {
  return { ...base, ...update, files: { ...base.files, ...update.files } };
}

export function withUpdate(facts: HostFacts, update: FactsUpdate): HostFacts {
  return merged(facts, update);
}

function unquote(v: string | undefined): string {
  return (v ?? '').replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
}

/**
 * os-release's SUPPORT_END, as the host's file has it: a calendar date written YYYY-MM-DD (quoted
 * or not), else nothing — whatever else is there is ignored, never guessed at.
 */
function supportEndDate(raw: string | undefined): string | undefined {
  const v = unquote(raw);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  // Date.UTC rolls 2026-02-30 over into March (and reads years 0–99 as 19xx): such a date is not one.
  return day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d ? v : undefined;
}

function fromBase64(b64: string | undefined): string | undefined {
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('latin1');
}

function parseFile(sections: Sections, name: EditedFile): FileFact | undefined {
  const f = section(sections, 'file', name);
  if (!f) return undefined;
  const backupSha256 = f.get('backup_sha256');
  return {
    path: f.get('path') ?? '',
    content: fromBase64(f.get('content')),
    mtime: f.number('mtime'),
    backup: f.get('backup') === 'yes',
    ...(backupSha256 ? { backupSha256 } : {}),
  };
}

function parseJvms(sections: Sections, script: string): JvmFact[] {
  const s = requireSection(sections, script, 'jvms');
  const now = s.number('now') ?? 0;
  // Precise start times (probe-lib.sh), where the host could tell them.
  const starts = new Map(
    s
      .all('start')
      .map((v) => {
        const [pid, at] = v.split(' ');
        return [Number(pid), Number(at)] as const;
      })
      .filter(([, at]) => Number.isFinite(at) && at > 0),
  );
  const cwds = new Map(
    s.all('cwd').map((v) => {
      const [pid, ...path] = v.split(' ');
      return [Number(pid), path.join(' ')] as const;
    }),
  );
  return s
    .all('java')
    .map((v) => {
      const [pid, elapsed, ...command] = v.split(' ').filter(Boolean);
      const n = Number(pid);
      return { pid: n, started: starts.get(n) ?? now - Number(elapsed), ...parseJavaCommand(command), cwd: cwds.get(n) };
    })
    .filter((j) => Number.isInteger(j.pid) && j.pid > 0);
}

/**
 * A data directory another user owns. Another (non-root) user's is another Kafka's data (the default
 * places are in /tmp, which every user shares): never this install's to move, format, read or purge.
 * Root's stays what it holds: a Kafka once started with sudo leaves its data to root (see data-plan).
 */
export function ownedBy(dir: DataDirFact, owner: { uid: number; name: string }): DataDirFact {
  if (owner.uid === 0) return { ...dir, owner };
  return { path: dir.path, state: 'foreign', kib: 0, device: dir.device, owner };
}

const META_LINE = /^(\d{1,10}) (\/.*)$/;
const DATA_DIR_LINE = /^(absent|empty|data|other|unreadable) (\d+) (\d+) (\/.*)$/;
/** version node.id cluster.id directory.id voter-directory-id path, each "-" when unset (see ks_broker_meta). */
const FORMAT_LINE = /^(\d{1,3}|-) (\d{1,10}|-) ([A-Za-z0-9_-]{1,64}) ([A-Za-z0-9_-]{1,22}) ([A-Za-z0-9_-]{1,22}) (\/.*)$/;
/** A Kafka Uuid (a directory id) in URL-safe base64. */
const UUID = /^[A-Za-z0-9_-]{22}$/;
/** A Kafka cluster id: a Uuid in URL-safe base64, 22 characters. */
export const CLUSTER_ID = /^[A-Za-z0-9_-]{22}$/;
const MODE_LINE = /^([0-7]{3,4}) (\/.*)$/;
/** uid, user name (may be empty), path (see ks_data_owner). */
const OWNER_LINE = /^(\d{1,10}) ([A-Za-z0-9._-]{0,32}) (\/.*)$/;

/** How each part of the facts is read from its section(s); each throws when its section is missing. */
const PARTS = {
  os(sections: Sections, script: string): FactsUpdate {
    const s = requireSection(sections, script, 'os');
    return {
      os: {
        id: unquote(s.get('ID')),
        versionId: unquote(s.get('VERSION_ID')),
        idLike: unquote(s.get('ID_LIKE')).split(/\s+/).filter(Boolean),
        prettyName: unquote(s.get('PRETTY_NAME')) || UNKNOWN_SYSTEM,
        supportEnd: supportEndDate(s.get('SUPPORT_END')),
      },
    };
  },
  tools(sections: Sections, script: string): FactsUpdate {
    requireSection(sections, script, 'tools');
    const lines = sections.get('tools') ?? [];
    // Tool names are the keys: whatever the script found.
    const pairs = lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const).filter(([k]) => k !== '');
    const unfinished = pairs.find(([k]) => k === 'dpkg_unfinished')?.[1] ?? '';
    return {
      tools: new Map(pairs.filter(([k]) => k !== 'dpkg_unfinished')),
      // Package names only (the host's output is not trusted to be one).
      unfinishedJava: unfinished.split(' ').filter((p) => /^[a-z0-9][a-z0-9+.-]{0,99}$/.test(p)),
    };
  },
  host(sections: Sections, script: string): FactsUpdate {
    const s = requireSection(sections, script, 'host');
    const client = s.get('client') ?? '';
    const server = s.get('server') ?? '';
    const sudo = s.get('sudo');
    return {
      home: s.get('home') ?? '',
      user: s.get('user') ?? '',
      clientAddress: isIP(client) ? client : undefined,
      serverAddress: isIP(server) ? server : undefined,
      memKib: s.number('mem_kib') ?? 0,
      swapKib: s.number('swap_kib') ?? 0,
      sudo: sudo === 'root' || sudo === 'yes' || sudo === 'password' ? sudo : 'missing',
    };
  },
  install(sections: Sections, script: string): FactsUpdate {
    const s = requireSection(sections, script, 'install');
    const state = s.get('state');
    return {
      install: {
        path: s.get('path') ?? '',
        state: state === 'kafka' || state === 'other' ? state : 'absent',
        tarball: s.get('tarball') === 'yes',
        parentFreeKib: s.number('parent_free_kib') ?? 0,
        parentWritable: s.get('parent_writable') === 'yes',
      },
    };
  },
  /** All the edited files. */
  files(sections: Sections, script: string): FactsUpdate {
    const files = {} as HostFacts['files'];
    for (const name of EDITED_FILES) {
      const f = parseFile(sections, name);
      if (!f) throw new ProtocolError(script, `file ${name}`);
      files[name] = f;
    }
    return { files };
  },
  /** The config files as extraction will create them, when the script could tell (ks_predict_config). */
  predictedConfig(sections: Sections): FactsUpdate {
    const files: Partial<HostFacts['files']> = {};
    for (const name of ['server.properties', 'zookeeper.properties'] as const) {
      const f = parseFile(sections, name);
      if (f) files[name] = f;
    }
    return { files };
  },
  data(sections: Sections, script: string): FactsUpdate {
    const dataDirs = new Map<string, DataDirFact>();
    for (const line of requireSection(sections, script, 'data').all('dir')) {
      const m = DATA_DIR_LINE.exec(line);
      if (!m) continue;
      // Keyed as the data step spells paths: `log.dirs=/tmp/kafka-logs/` names /tmp/kafka-logs.
      const path = cleanPath(m[4]!);
      dataDirs.set(path, { path, state: m[1] as DataDirFact['state'], kib: Number(m[2]), device: m[3]! });
    }
    for (const line of requireSection(sections, script, 'data').all('meta')) {
      const m = META_LINE.exec(line);
      const dir = m ? dataDirs.get(cleanPath(m[2]!)) : undefined;
      if (m && dir && Number(m[1]) <= 2 ** 31 - 1) dir.brokerId = Number(m[1]);
    }
    for (const line of requireSection(sections, script, 'data').all('mode')) {
      const m = MODE_LINE.exec(line);
      const dir = m ? dataDirs.get(cleanPath(m[2]!)) : undefined;
      if (m && dir) dir.mode = parseInt(m[1]!, 8);
    }
    for (const line of requireSection(sections, script, 'data').all('format')) {
      const m = FORMAT_LINE.exec(line);
      const dir = m ? dataDirs.get(cleanPath(m[6]!)) : undefined;
      if (!m || !dir) continue;
      const num = (v: string): number | undefined => (v === '-' || Number(v) > 2 ** 31 - 1 ? undefined : Number(v));
      const uuid = (v: string): string | undefined => (UUID.test(v) ? v : undefined);
      dir.format = {
        version: num(m[1]!),
        nodeId: num(m[2]!),
        clusterId: m[3] === '-' ? undefined : m[3],
        directoryId: uuid(m[4]!),
        voterDirectoryId: uuid(m[5]!),
      };
    }
    for (const line of requireSection(sections, script, 'data').all('owner')) {
      const m = OWNER_LINE.exec(line);
      const dir = m ? dataDirs.get(cleanPath(m[3]!)) : undefined;
      if (!m || !dir || dir.state === 'absent' || dir.state === 'other') continue;
      dataDirs.set(dir.path, ownedBy(dir, { uid: Number(m[1]), name: m[2] || `uid ${m[1]}` }));
    }
    const kept = requireSection(sections, script, 'data').get('cluster_id');
    return { dataDirs, keptClusterId: kept && CLUSTER_ID.test(kept) ? kept : undefined };
  },
  ports(sections: Sections, script: string): FactsUpdate {
    return { listening: new Set(requireSection(sections, script, 'ports').all('listening').map(Number)) };
  },
  jvms(sections: Sections, script: string): FactsUpdate {
    return { jvms: parseJvms(sections, script), hostNow: requireSection(sections, script, 'jvms').number('now') };
  },
  services(sections: Sections, script: string): FactsUpdate {
    const systemd = requireSection(sections, script, 'systemd').get('state') === 'running';
    const unit = (kind: 'zookeeper' | 'broker'): UnitFact => {
      const u = section(sections, 'unit', kind);
      if (!u) throw new ProtocolError(script, `unit ${kind}`);
      return {
        name: u.get('name') ?? '',
        path: u.get('path') ?? '',
        content: fromBase64(u.get('content')),
        enabled: u.get('enabled') || undefined,
        active: u.get('active') || undefined,
        pid: u.number('pid'),
        fragment: u.get('fragment') || undefined,
      };
    };
    return { services: { systemd, units: { zookeeper: unit('zookeeper'), broker: unit('broker') } } };
  },
  jps(sections: Sections, script: string): FactsUpdate {
    return {
      jps: new Set(
        requireSection(sections, script, 'jps')
          .all('jps')
          .map((v) => Number(v.split(' ')[0])),
      ),
    };
  },
} as const;

export type FactPart = keyof typeof PARTS;

/** The parts a script printed, each required. */
export function readFacts(sections: Sections, script: string, parts: readonly FactPart[]): FactsUpdate {
  return parts.reduce<FactsUpdate>((update, part) => merged(update, PARTS[part](sections, script)), {});
}

/** The published checksum, from a `sha512` section. */
export function readSha512(sections: Sections, script: string): Sha512Fact {
  const s = requireSection(sections, script, 'sha512');
  return { url: s.get('url'), content: fromBase64(s.get('content')), tried: s.all('tried') };
}

/** Everything the probe prints, as complete facts. */
export const PROBE_PARTS: readonly FactPart[] = ['os', 'tools', 'host', 'install', 'files', 'data', 'ports', 'jvms', 'services'];

export function probeFacts(sections: Sections, script: string): HostFacts {
  const u = readFacts(sections, script, PROBE_PARTS);
  return {
    os: u.os!,
    tools: u.tools!,
    unfinishedJava: u.unfinishedJava ?? [],
    home: u.home!,
    user: u.user!,
    clientAddress: u.clientAddress,
    serverAddress: u.serverAddress,
    memKib: u.memKib!,
    swapKib: u.swapKib!,
    sudo: u.sudo!,
    install: u.install!,
    files: u.files as HostFacts['files'],
    listening: u.listening!,
    dataDirs: u.dataDirs!,
    keptClusterId: u.keptClusterId,
    jvms: u.jvms!,
    services: u.services!,
    hostNow: u.hostNow,
    jps: undefined,
    // Fetched alongside only while Kafka is still to be installed.
    sha512: sections.has('sha512') ? readSha512(sections, script) : undefined,
    tarballVerified: undefined,
  };
}
