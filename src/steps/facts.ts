/**
 * What the probe learnt about the host, parsed from the sections its scripts print. Steps decide
 * from these facts alone; each apply refreshes the sections it changed.
 */
import { isIP } from 'node:net';
import { posix } from 'node:path';
import { keyValues, type Sections } from '../remote/script.js';
import type { Serving } from './serving.js';

export interface OsInfo {
  id: string;
  versionId: string;
  idLike: string[];
  prettyName: string;
}

export interface FileFact {
  path: string;
  /** Latin-1 decoded, so that writing it back reproduces the bytes exactly. */
  content: string | undefined;
  mtime: number | undefined;
  backup: boolean;
}

/** A data directory: one the config files name now, or one kafka-setup keeps the data in. */
export interface DataDirFact {
  path: string;
  state: 'absent' | 'empty' | 'data' | 'other' | 'unreadable';
  kib: number;
  /** The device it (or its nearest existing parent) is on: a rename works only within one. */
  device: string;
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

export interface HostFacts {
  os: OsInfo;
  tools: Map<string, string>;
  home: string;
  user: string;
  /** This machine's address as the host's sshd sees it (SSH_CONNECTION), when it is an IP address. */
  clientAddress: string | undefined;
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
  files: Record<'bashrc' | 'server.properties' | 'zookeeper.properties', FileFact>;
  listening: Set<number>;
  /** Data directories, by path (see ks_probe_data). */
  dataDirs: Map<string, DataDirFact>;
  /** The user's JVMs, from the process table. */
  jvms: JvmFact[];
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

function unquote(v: string): string {
  return v.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
}

function fileFact(sections: Sections, name: string): FileFact | undefined {
  const lines = sections.get(`file ${name}`);
  if (!lines) return undefined;
  const kv = keyValues(lines);
  const b64 = kv.get('content');
  return {
    path: kv.get('path') ?? '',
    content: b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('latin1'),
    mtime: kv.has('mtime') ? Number(kv.get('mtime')) : undefined,
    backup: kv.get('backup') === 'yes',
  };
}

/** JVM options that take their value as the next word. */
const OPTION_WITH_VALUE = new Set(['-cp', '-classpath', '--class-path', '-p', '--module-path', '--add-modules', '--add-opens', '--add-exports', '--add-reads', '--upgrade-module-path']);

/**
 * Splits a java command line the way jps -lvm shows a JVM: main class (or jar), then its
 * arguments, then the JVM options.
 */
export function parseJavaCommand(words: string[]): { mainClass: string; args: string } {
  const opts: string[] = [];
  let i = 1;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-jar' || w === '-m' || w === '--module') { i++; break; }
    if (!w.startsWith('-')) break;
    if (OPTION_WITH_VALUE.has(w)) i++;
    else opts.push(w);
  }
  const main = words[i] ?? '';
  return { mainClass: main, args: [...words.slice(i + 1), ...opts].join(' ') };
}

function parseJvms(lines: readonly string[]): JvmFact[] {
  const now = Number(keyValues(lines).get('now') ?? 0);
  // Precise start times (probe-lib.sh), where the host could tell them.
  const starts = new Map(
    lines.filter((l) => l.startsWith('start=')).map((l) => {
      const [pid, at] = l.slice(6).split(' ');
      return [Number(pid), Number(at)] as const;
    }).filter(([, at]) => Number.isFinite(at) && at > 0),
  );
  const cwds = new Map(
    lines.filter((l) => l.startsWith('cwd=')).map((l) => {
      const [pid, ...path] = l.slice(4).split(' ');
      return [Number(pid), path.join(' ')] as const;
    }),
  );
  return lines
    .filter((l) => l.startsWith('java='))
    .map((l) => {
      const [pid, elapsed, ...command] = l.slice(5).split(' ').filter(Boolean);
      const n = Number(pid);
      return { pid: n, started: starts.get(n) ?? now - Number(elapsed), ...parseJavaCommand(command), cwd: cwds.get(n) };
    })
    .filter((j) => Number.isInteger(j.pid) && j.pid > 0);
}

/**
 * Merges the sections of one remote run into the facts. The first call (the probe) must carry every
 * section; later calls carry only what a step changed.
 */
export function mergeFacts(previous: HostFacts | undefined, sections: Sections): HostFacts {
  const base: HostFacts = previous ?? {
    os: { id: '', versionId: '', idLike: [], prettyName: 'an unknown system' },
    tools: new Map(),
    home: '',
    user: '',
    clientAddress: undefined,
    memKib: 0,
    swapKib: 0,
    sudo: 'missing',
    install: { path: '', state: 'absent', tarball: false, parentFreeKib: 0, parentWritable: false },
    files: {
      bashrc: { path: '', content: undefined, mtime: undefined, backup: false },
      'server.properties': { path: '', content: undefined, mtime: undefined, backup: false },
      'zookeeper.properties': { path: '', content: undefined, mtime: undefined, backup: false },
    },
    listening: new Set(),
    dataDirs: new Map(),
    jvms: [],
    jps: undefined,
    sha512: undefined,
    tarballVerified: undefined,
  };
  const facts: HostFacts = { ...base, files: { ...base.files }, install: { ...base.install } };

  const os = sections.get('os');
  if (os) {
    const kv = keyValues(os);
    facts.os = {
      id: unquote(kv.get('ID') ?? ''),
      versionId: unquote(kv.get('VERSION_ID') ?? ''),
      idLike: unquote(kv.get('ID_LIKE') ?? '').split(/\s+/).filter(Boolean),
      prettyName: unquote(kv.get('PRETTY_NAME') ?? '') || 'an unknown system',
    };
  }
  const tools = sections.get('tools');
  if (tools) facts.tools = keyValues(tools);
  const host = sections.get('host');
  if (host) {
    const kv = keyValues(host);
    facts.home = kv.get('home') ?? '';
    facts.user = kv.get('user') ?? '';
    const client = kv.get('client') ?? '';
    facts.clientAddress = isIP(client) ? client : undefined;
    facts.memKib = Number(kv.get('mem_kib') ?? 0) || 0;
    facts.swapKib = Number(kv.get('swap_kib') ?? 0) || 0;
    const sudo = kv.get('sudo');
    facts.sudo = sudo === 'root' || sudo === 'yes' || sudo === 'password' ? sudo : 'missing';
  }
  const install = sections.get('install');
  if (install) {
    const kv = keyValues(install);
    const state = kv.get('state');
    facts.install = {
      path: kv.get('path') ?? '',
      state: state === 'kafka' || state === 'other' ? state : 'absent',
      tarball: kv.get('tarball') === 'yes',
      parentFreeKib: Number(kv.get('parent_free_kib') ?? 0) || 0,
      parentWritable: kv.get('parent_writable') === 'yes',
    };
  }
  for (const name of ['bashrc', 'server.properties', 'zookeeper.properties'] as const) {
    const f = fileFact(sections, name);
    if (f) facts.files[name] = f;
  }
  const ports = sections.get('ports');
  if (ports) {
    facts.listening = new Set(ports.filter((l) => l.startsWith('listening=')).map((l) => Number(l.slice(10))));
  }
  const data = sections.get('data');
  if (data) {
    facts.dataDirs = new Map();
    for (const line of data.filter((l) => l.startsWith('dir='))) {
      const m = /^dir=(absent|empty|data|other|unreadable) (\d+) (\d+) (\/.*)$/.exec(line);
      // Keyed as the data step spells paths: `log.dirs=/tmp/kafka-logs/` names /tmp/kafka-logs.
      const path = m ? cleanPath(m[4]!) : '';
      if (m) facts.dataDirs.set(path, { path, state: m[1] as DataDirFact['state'], kib: Number(m[2]), device: m[3]! });
    }
  }
  const sha512 = sections.get('sha512');
  if (sha512) {
    const kv = keyValues(sha512);
    const b64 = kv.get('content');
    facts.sha512 = {
      url: kv.get('url'),
      content: b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('latin1'),
      tried: sha512.filter((l) => l.startsWith('tried=')).map((l) => l.slice(6)),
    };
  }
  const download = sections.get('download');
  if (download) facts.tarballVerified = keyValues(download).get('verified');
  const jvms = sections.get('jvms');
  if (jvms) facts.jvms = parseJvms(jvms);
  const jps = sections.get('jps');
  if (jps) facts.jps = new Set(jps.filter((l) => l.startsWith('jps=')).map((l) => Number(l.slice(4).split(' ')[0])));
  return facts;
}
