/**
 * A fake host for step logic: answers each remote script by name from a small model of the host,
 * in the section format the real scripts print. The real scripts are exercised end to end.
 */
import type { RemoteScript } from '../../src/remote/script.js';
import { parseSections } from '../../src/remote/script.js';
import { RemoteFailure, type RunResult, type Session } from '../../src/remote/session.js';

export interface FakeHostState {
  os: string;
  memKib: number;
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
  /** Data directories this user cannot read (someone else's). */
  unreadable?: string[];
}

const HOME = '/home/ec2-user';
export const INSTALL = `${HOME}/kafka_2.12-3.1.0`;
const PATHS: Record<string, string> = {
  bashrc: `${HOME}/.bashrc`,
  'server.properties': `${INSTALL}/config/server.properties`,
  'zookeeper.properties': `${INSTALL}/config/zookeeper.properties`,
};

const GENUINE: Record<string, string> = {
  'server.properties': 'broker.id=0\n#advertised.listeners=PLAINTEXT://your.host.name:9092\nlog.dirs=/tmp/kafka-logs\n',
  'zookeeper.properties': 'dataDir=/tmp/zookeeper\nclientPort=2181\n',
};

export class FakeHost implements Session {
  readonly host = 'fake';
  readonly stats = { connections: 1, commands: 0 };
  readonly ran: RemoteScript[] = [];
  private nextPid = 1000;

  constructor(public state: FakeHostState) {}

  close(): void {}

  private section(name: string, lines: string[]): string {
    return [`::ks:: ${name}`, ...lines].join('\n');
  }

  private file(name: string): string {
    const f = this.state.files[name];
    return this.section(`file ${name}`, [
      `path=${PATHS[name]}`,
      ...(f ? [`mtime=${f.mtime}`, `content=${Buffer.from(f.content, 'latin1').toString('base64')}`] : []),
      'backup=no',
    ]);
  }

  private probe(parts: string[]): string {
    const s = this.state;
    const out: string[] = [];
    if (parts.includes('os')) out.push(this.section('os', [`ID=${s.os}`, 'VERSION_ID="12"', `PRETTY_NAME="${s.os} 12"`]));
    if (parts.includes('tools')) out.push(this.section('tools', s.tools.map((t) => `${t}=/usr/bin/${t}`)));
    if (parts.includes('host')) out.push(this.section('host', [`home=${HOME}`, 'user=ec2-user', `mem_kib=${s.memKib}`, `sudo=${s.sudo}`]));
    if (parts.includes('install')) {
      out.push(this.section('install', [`path=${INSTALL}`, `parent_free_kib=${s.freeKib}`, 'parent_writable=yes', `state=${s.install}`, `tarball=${s.tarball ? 'yes' : 'no'}`]));
    }
    if (parts.includes('files')) out.push(...['bashrc', 'server.properties', 'zookeeper.properties'].map((n) => this.file(n)));
    if (parts.includes('data')) {
      // Like ks_probe_data: the directories the config files name, then kafka-setup's; one file system.
      const state = (d: string): string =>
        s.unreadable?.includes(d) ? `dir=unreadable 0 2049 ${d}` : s.data?.[d] !== undefined ? `dir=data ${s.data[d]} 2049 ${d}` : `dir=absent 0 2049 ${d}`;
      const dirs = [...Object.keys(s.data ?? {}), '/tmp/kafka-logs', '/tmp/zookeeper', `${HOME}/kafka-data/kafka-logs`, `${HOME}/kafka-data/zookeeper`];
      out.push(this.section('data', [...new Set(dirs)].map(state)));
    }
    if (parts.includes('ports')) out.push(this.section('ports', s.listening.map((p) => `listening=${p}`)));
    if (parts.includes('jvms')) out.push(this.section('jvms', [`now=${s.now}`, ...s.jvms.flatMap((j) => [javaLine(j, s.now), ...(j.cwd ? [`cwd=${j.pid} ${j.cwd}`] : [])])]));
    if (parts.includes('jps')) out.push(this.section('jps', s.jvms.map((j) => `jps=${j.pid} ${j.main}`)));
    return out.join('\n');
  }

  /** ks_write_file calls: KS_F<i>_PATH / _B64 variables. */
  private write(v: Record<string, string>): void {
    for (let i = 0; v[`KS_F${i}_PATH`] !== undefined; i++) {
      const name = Object.keys(PATHS).find((k) => PATHS[k] === v[`KS_F${i}_PATH`])!;
      this.state.files[name] = { content: Buffer.from(v[`KS_F${i}_B64`]!, 'base64').toString('latin1'), mtime: this.state.now };
    }
  }

  private sha512(urls: string): string {
    const s = this.state;
    return this.section('sha512', s.sha512File
      ? [`url=${urls.split('\n')[0]}`, `content=${Buffer.from(s.sha512File).toString('base64')}`]
      : urls.split('\n').map((u) => `tried=${u}.sha512 404`));
  }

  async run(script: RemoteScript): Promise<RunResult> {
    this.stats.commands++;
    this.ran.push(script);
    const s = this.state;
    s.now += 5;
    let stdout = '';
    const v = script.vars;
    switch (script.name) {
      case 'probe':
        stdout = this.probe(['os', 'tools', 'host', 'install', 'files', 'data', 'ports', 'jvms']);
        // Like probe.sh: the published checksum comes along when Kafka is still to be downloaded.
        if (v.KS_URLS && s.install === 'absent') stdout += `\n${this.sha512(v.KS_URLS)}`;
        break;
      case 'install-java':
        if (s.installFails) throw new RemoteFailure('install_failed', `apt could not install any of: ${v.KS_PACKAGES}`, new Map(), [s.installFails]);
        s.tools.push('java', 'jps');
        stdout = `${this.section('installed', ['package=openjdk-17-jdk-headless'])}\n${this.probe(['tools'])}`;
        break;
      case 'fetch-sha512':
        stdout = this.sha512(v.KS_URLS!);
        break;
      case 'download': {
        // Like download.sh: a tarball already there is kept only when it matches.
        if (s.tarball && (s.tarballSha ?? s.downloadSha) === v.KS_SHA512) {
          stdout = [this.section('download', ['reused=yes', 'bytes=90000000', `verified=${v.KS_SHA512}`]), this.probe(['install']),
            ...Object.entries(GENUINE).map(([n, content]) => this.section(`file ${n}`, [`path=${PATHS[n]}`, `content=${Buffer.from(content).toString('base64')}`, 'backup=no']))].join('\n');
          break;
        }
        s.tarball = false;
        if (v.KS_SHA512 !== s.downloadSha) {
          throw new RemoteFailure('checksum_mismatch', 'the tarball does not match', new Map([['actual', s.downloadSha]]), []);
        }
        s.tarball = true;
        s.tarballSha = s.downloadSha;
        // Like download.sh: the config files as extraction will create them.
        stdout = [
          this.section('download', [`url=${v.KS_URLS!.split('\n')[0]}`, 'bytes=90000000', `verified=${v.KS_SHA512}`]),
          this.probe(['install']),
          ...Object.entries(GENUINE).map(([n, content]) => this.section(`file ${n}`, [`path=${PATHS[n]}`, `content=${Buffer.from(content).toString('base64')}`, 'backup=no'])),
        ].join('\n');
        break;
      }
      case 'extract':
        if (!s.tarball || !v.KS_SHA512 || (s.tarballSha ?? s.downloadSha) !== v.KS_SHA512) {
          throw new RemoteFailure('tarball_changed', 'the tarball no longer matches the checksum verified a moment ago', new Map(), []);
        }
        s.install = 'kafka';
        s.tarball = false;
        for (const [n, content] of Object.entries(GENUINE)) s.files[n] = { content, mtime: s.now };
        this.write(v);
        stdout = this.probe(['install', 'files']);
        break;
      case 'write-heap':
      case 'write-config':
      case 'write-heap+config':
        this.write(v);
        stdout = this.probe(['files']);
        break;
      case 'move-data': {
        // Like ks_stop_jvm: the stopped JVMs and their ports are gone.
        if (v.KS_STOP_BROKER) s.listening = s.listening.filter((p) => p !== 9092);
        if (v.KS_STOP_ZOOKEEPER) s.listening = s.listening.filter((p) => p !== 2181);
        s.jvms = s.jvms.filter((j) => String(j.pid) !== v.KS_STOP_BROKER && String(j.pid) !== v.KS_STOP_ZOOKEEPER);
        for (let i = 0; i < Number(v.KS_MOVES); i++) {
          const data = s.data ?? {};
          data[v[`KS_M${i}_TO`]!] = data[v[`KS_M${i}_FROM`]!]!;
          delete data[v[`KS_M${i}_FROM`]!];
          s.data = data;
        }
        this.write(v);
        stdout = `${this.section('moved', [`count=${v.KS_MOVES}`])}\n${this.probe(['files', 'data', 'ports', 'jvms'])}`;
        break;
      }
      case 'start-zookeeper':
      case 'start-broker': {
        const zk = script.name === 'start-zookeeper';
        const main = zk ? 'org.apache.zookeeper.server.quorum.QuorumPeerMain' : 'kafka.Kafka';
        const conf = `${INSTALL}/config/${zk ? 'zookeeper' : 'server'}.properties`;
        if (v.KS_STOP_PID) s.jvms = s.jvms.filter((j) => String(j.pid) !== v.KS_STOP_PID);
        if (!s.jvms.some((j) => j.main === main)) s.jvms.push({ pid: this.nextPid++, started: s.now, main, args: `${conf} ${v.KS_HEAP_OPTS}` });
        const port = zk ? 2181 : 9092;
        if (!s.listening.includes(port)) s.listening.push(port);
        stdout = this.probe(['ports', 'jvms', 'jps']);
        break;
      }
      case 'jps':
        stdout = this.probe(['jvms', 'jps']);
        break;
      default:
        throw new Error(`fake host: unexpected script ${script.name}`);
    }
    return { code: 0, stdout, stderr: '', sections: parseSections(stdout), durationMs: 1 };
  }
}

/** A `ps -o pid,etimes,args` line of a JVM started by Kafka's scripts: options, -cp, main class, args. */
function javaLine(j: { pid: number; started: number; main: string; args: string }, now: number): string {
  const heap = j.args.split(' ').filter((w) => w.startsWith('-X'));
  const mainArgs = j.args.split(' ').filter((w) => !w.startsWith('-X'));
  return `java=${j.pid} ${now - j.started} /usr/bin/java ${heap.join(' ')} -server -XX:+UseG1GC -cp /k/libs/a.jar:/k/libs/b.jar ${j.main} ${mainArgs.join(' ')}`;
}

export function freshDebian(overrides: Partial<FakeHostState> = {}): FakeHostState {
  return {
    os: 'debian', memKib: 1_000_000, sudo: 'yes', tools: ['curl', 'tar', 'sha512sum', 'base64'],
    install: 'absent', tarball: false,
    files: { bashrc: { content: '# ~/.bashrc\n', mtime: 1 }, 'server.properties': undefined, 'zookeeper.properties': undefined },
    jvms: [], listening: [], now: 1_700_000_000,
    sha512File: `kafka_2.12-3.1.0.tgz: ${'AB'.repeat(64)}`, downloadSha: 'ab'.repeat(64), freeKib: 8_000_000, installFails: undefined,
    ...overrides,
  };
}
