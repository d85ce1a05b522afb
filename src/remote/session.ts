/**
 * The one SSH module: connect with a private key, check the host key against known_hosts, and run
 * remote scripts. Every script runs as `sh -s` with the script on stdin (see prelude.sh), so values
 * never pass through the user's login shell and no command line length limit applies.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import ssh2, { type ClientChannel, type ConnectConfig } from 'ssh2';
import { InterruptedError, UserError } from '../errors.js';
import {
  checkHostKey,
  fingerprint,
  hostKeyAlgorithms,
  keyType,
  knownHostsName,
  knownKeyTypes,
  KnownHostsFileError,
  readKnownHosts,
  recordHostKey,
} from './known-hosts.js';
import { parseSections, keyValues, type RemoteScript, type Sections } from './script.js';

export interface UnknownHost {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  /** Key types already recorded for this host (a different type was offered). */
  knownTypes: string[];
}

export interface ConnectOptions {
  host: string;
  port: number;
  user: string;
  privateKey: Buffer;
  passphrase?: string | undefined;
  knownHostsPath: string;
  /** Decides about a host not in known_hosts (a prompt, or --yes). */
  trustUnknownHost: (info: UnknownHost) => Promise<boolean>;
  /** Whether an accepted host key is written to known_hosts (not in --dry-run). */
  recordAcceptedKey: boolean;
  /** Record it hashed (the user's ssh_config says HashKnownHosts yes). */
  hashKnownHosts?: boolean;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Receives one line per remote command (--verbose) and the SSH transport log (--debug). */
  log?: ((line: string) => void) | undefined;
  debug?: boolean | undefined;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  sections: Sections;
  durationMs: number;
}

export interface RunOptions {
  timeoutMs?: number;
  /** Receives the script's `progress` sections (`text=…`) as they arrive, e.g. what it waits for. */
  onProgress?: ((text: string) => void) | undefined;
}

/** Feeds stdout chunks; calls onProgress with the text of each complete `progress` section. */
export function progressReader(mark: string, onProgress: (text: string) => void): (chunk: string) => void {
  let partial = '';
  let inProgress = false;
  return (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (inProgress && line.startsWith('text=')) onProgress(line.slice('text='.length));
      inProgress = line.endsWith(`${mark} progress`);
    }
  };
}

export interface SessionStats {
  connections: number;
  commands: number;
}

/** "1 connection, 3 remote commands", for --verbose (the benchmark reads it too). */
export function describeStats(stats: SessionStats): string {
  const n = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
  return `${n(stats.connections, 'connection')}, ${n(stats.commands, 'remote command')}`;
}

export interface Session {
  readonly host: string;
  readonly stats: SessionStats;
  /** Runs a script; throws RemoteFailure when it reports an error or exits non-zero. */
  run(script: RemoteScript, opts?: RunOptions): Promise<RunResult>;
  /**
   * A port on this machine's loopback that reaches `port` on the host's own loopback through the SSH
   * connection (ssh -L): how the host's local-only listeners are examined from here. Optional: a
   * session that cannot forward (a test double) leaves those checks undecided.
   */
  forward?(port: number): Promise<LocalForward>;
  close(): void;
}

export interface LocalForward {
  /** The local port (127.0.0.1). */
  readonly port: number;
  /** Why the host last refused to open the forwarded connection, if it did. */
  lastError(): { message: string; byPolicy: boolean } | undefined;
  close(): void;
}

/** A remote script reported a failure it knows (`kind`) or failed unexpectedly (`kind` = `exit`). */
export class RemoteFailure extends Error {
  constructor(
    readonly kind: string,
    message: string,
    readonly fields: Map<string, string>,
    /** Lines the script attached, e.g. the end of a log (`line=` / `log=` prefixes removed). */
    readonly details: string[],
  ) {
    super(message);
    this.name = 'RemoteFailure';
  }
}

/** SSH_MSG_CHANNEL_OPEN_FAILURE's reason code for a refusal by policy (RFC 4254, 5.1). */
const ADMINISTRATIVELY_PROHIBITED = 1;

/** Variables whose values --verbose may print: paths, URLs, names and numbers, never contents. */

export const DEFAULT_USERS_HINT =
  'the default user depends on the image: ec2-user (Amazon Linux, RHEL, Fedora), ubuntu (Ubuntu), admin (Debian), centos, rocky; pass it with --user';

function connectError(err: Error & { code?: string; level?: string }, o: ConnectOptions): UserError {
  const where = `${o.host}:${o.port}`;
  switch (err.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UserError(`cannot resolve the host name "${o.host}"`, { hint: 'check --host: use the instance\'s public IPv4 address or public DNS name' });
    case 'ECONNREFUSED':
      return new UserError(`${where} refused the connection (nothing listens on port ${o.port})`, {
        hint: `check --port and that sshd runs; on EC2, check the instance is running and its security group allows inbound TCP ${o.port} from your IP`,
      });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new UserError(`${where} is unreachable from this machine`, { hint: 'check your network and the address in --host' });
    case 'ECONNRESET':
      return new UserError(`${where} closed the connection during the SSH handshake`, { hint: 'check that port ' + o.port + ' is an SSH server, and that the instance finished booting' });
    default:
      break;
  }
  if (err.level === 'client-authentication') {
    return new UserError(`${where} refused the key for user "${o.user}"`, {
      hint: `check --user (${DEFAULT_USERS_HINT}) and that --key is the key pair the instance was launched with`,
    });
  }
  return new UserError(`cannot connect to ${where}: ${err.message}`);
}

function knownHostsUnusable(err: KnownHostsFileError): UserError {
  return new UserError(`cannot use the known_hosts file ${err.reason === 'permission denied' ? `${err.path} (permission denied)` : `${err.path}: ${err.reason}`}`, {
    hint: 'pass --known-hosts with the path of a file (it is created if missing), e.g. --known-hosts ~/.ssh/known_hosts',
  });
}

function remoteExitFailure(script: RemoteScript, code: number, stderr: string): RemoteFailure {
  const tail = stderr.trim().split('\n').filter(Boolean).slice(-8);
  return new RemoteFailure('exit', `the ${script.name} script failed on the host (exit ${code})`, new Map(), tail);
}

export async function connect(o: ConnectOptions): Promise<Session> {
  if (o.signal?.aborted) throw new InterruptedError();
  const known = await readKnownHosts(o.knownHostsPath).catch((err: unknown) => {
    throw err instanceof KnownHostsFileError ? knownHostsUnusable(err) : err;
  });
  const conn = new ssh2.Client();
  const stats: SessionStats = { connections: 1, commands: 0 };
  let hostKeyError: UserError | undefined;
  let waitingForUser = false;

  const verify = (key: Buffer, done: (ok: boolean) => void): void => {
    const status = checkHostKey(known, o.host, o.port, key);
    const fp = fingerprint(key);
    if (status.kind === 'known') return done(true);
    if (status.kind === 'changed' || status.kind === 'revoked') {
      const name = knownHostsName(o.host, o.port);
      hostKeyError = new UserError(
        status.kind === 'changed'
          ? `the host key of ${name} has CHANGED: it is now ${fp}, but ${o.knownHostsPath} (line ${status.lines.join(', ')}) has ${status.knownFingerprints.join(', ')}`
          : `the host key of ${name} (${fp}) is marked @revoked in ${o.knownHostsPath}`,
        {
          hint:
            status.kind === 'changed'
              ? `this happens when an instance is replaced at the same address, or when someone intercepts the connection. If you know why it changed, remove the old entry with: ssh-keygen -R '${name}' -f '${o.knownHostsPath}', then run again`
              : 'kafka-setup will not connect to a host whose key is revoked',
        },
      );
      return done(false);
    }
    waitingForUser = true;
    o.trustUnknownHost({ host: o.host, port: o.port, keyType: keyType(key), fingerprint: fp, knownTypes: status.knownTypes })
      .then(async (ok) => {
        waitingForUser = false;
        if (!ok) {
          hostKeyError = new UserError(`the host key of ${knownHostsName(o.host, o.port)} (${fp}) was not accepted`, {
            hint: `compare it with the fingerprint the instance prints at first boot (EC2: Actions → Monitor → Get system log), then run again with --yes or answer yes`,
          });
          return done(false);
        }
        if (o.recordAcceptedKey) await recordHostKey(o.knownHostsPath, o.host, o.port, key, { hash: o.hashKnownHosts === true });
        o.log?.(`host key ${fp} ${o.recordAcceptedKey ? 'recorded in' : 'accepted for this run, not written to'} ${o.knownHostsPath}`);
        done(true);
      })
      .catch((err: unknown) => {
        waitingForUser = false;
        hostKeyError = err instanceof UserError ? err
          : err instanceof KnownHostsFileError ? knownHostsUnusable(err)
          : new UserError(`could not record the host key: ${(err as Error).message}`);
        if (err instanceof InterruptedError) hostKeyError = undefined;
        done(false);
      });
  };

  const config: ConnectConfig = {
    host: o.host,
    port: o.port,
    username: o.user,
    privateKey: o.privateKey,
    ...(o.passphrase === undefined ? {} : { passphrase: o.passphrase }),
    hostVerifier: verify,
    // Straight to the key: ssh2 would otherwise try "none" first, one wasted round trip.
    authHandler: ['publickey'],
    algorithms: { serverHostKey: hostKeyAlgorithms(knownKeyTypes(known, o.host, o.port)) as never },
    // Our own timer below: ssh2's would also count the time a user spends reading a host-key prompt.
    readyTimeout: 0,
    // Without keepalives a dead connection produces no event at all.
    keepaliveInterval: 5000,
    keepaliveCountMax: 3,
    ...(o.debug ? { debug: (m: string) => o.log?.(`ssh: ${m}`) } : {}),
  };

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (!err) return resolve();
      reject(err);
      // Mid-handshake there is nothing to say goodbye with (ssh2's end() can throw): drop the socket.
      conn.destroy();
    };
    let waited = 0;
    // Counts only time not spent waiting for the user's answer to a host-key question.
    const timer = setInterval(() => {
      if (!waitingForUser) waited += 250;
      if (waited >= o.timeoutMs) {
        finish(new UserError(`no SSH answer from ${o.host}:${o.port} within ${Math.round(o.timeoutMs / 1000)} s`, {
          hint: `check the address and that the instance is running; on EC2, its security group must allow inbound TCP ${o.port} from your IP`,
        }));
      }
    }, 250);
    const onAbort = (): void => finish(new InterruptedError());
    o.signal?.addEventListener('abort', onAbort, { once: true });
    conn.once('ready', () => finish());
    // `on`, not `once`: a second error after a failed handshake must not go unhandled.
    conn.on('error', (err: Error & { code?: string; level?: string }) => {
      if (o.signal?.aborted) return finish(new InterruptedError());
      finish(hostKeyError ?? connectError(err, o));
    });
    conn.on('close', () => finish(hostKeyError ?? new UserError(`${o.host}:${o.port} closed the connection during the handshake`)));
    conn.connect(config);
  });

  return new SshSession(conn, o, stats);
}

class SshSession implements Session {
  private closed = false;
  private lost: UserError | undefined;
  private readonly pending = new Set<(err: Error) => void>();

  constructor(
    private readonly conn: ssh2.Client,
    private readonly o: ConnectOptions,
    readonly stats: SessionStats,
  ) {
    const onAbort = (): void => {
      for (const fail of this.pending) fail(new InterruptedError());
      this.close();
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    conn.on('error', (err) => {
      this.lost = new UserError(`lost the SSH connection to ${o.host}: ${err.message}`, {
        hint: 'check the network; running kafka-setup again continues where it stopped',
      });
    });
    conn.on('close', () => {
      this.closed = true;
      const err = o.signal?.aborted
        ? new InterruptedError()
        : this.lost ?? new UserError(`the SSH connection to ${o.host} closed unexpectedly`, { hint: 'running kafka-setup again continues where it stopped' });
      for (const fail of this.pending) fail(err);
    });
  }

  get host(): string {
    return this.o.host;
  }

  run(script: RemoteScript, opts: RunOptions = {}): Promise<RunResult> {
    if (this.o.signal?.aborted) return Promise.reject(new InterruptedError());
    if (this.closed) return Promise.reject(this.lost ?? new UserError(`the SSH connection to ${this.o.host} is closed`));
    this.stats.commands++;
    const started = Date.now();
    return new Promise<RunResult>((resolve, reject) => {
      let stream: ClientChannel | undefined;
      let timer: NodeJS.Timeout | undefined;
      const fail = (err: Error): void => {
        cleanup();
        reject(err);
      };
      const cleanup = (): void => {
        this.pending.delete(fail);
        if (timer) clearTimeout(timer);
      };
      this.pending.add(fail);
      if (opts.timeoutMs) {
        timer = setTimeout(() => {
          stream?.close();
          fail(new UserError(`the ${script.name} step took longer than ${Math.round(opts.timeoutMs! / 1000)} s on the host and was stopped`));
        }, opts.timeoutMs);
      }
      this.conn.exec('/bin/sh -s', (err, ch) => {
        if (err) return fail(new UserError(`the host refused to run a command: ${err.message}`));
        stream = ch;
        const out = new StringDecoder('utf8');
        const errDec = new StringDecoder('utf8');
        let stdout = '';
        let stderr = '';
        let code: number | undefined;
        const progress = opts.onProgress ? progressReader(script.mark, opts.onProgress) : undefined;
        ch.on('data', (d: Buffer) => {
          const text = out.write(d);
          stdout += text;
          progress?.(text);
        });
        ch.stderr.on('data', (d: Buffer) => { stderr += errDec.write(d); });
        ch.on('exit', (c: number | null) => { code = c ?? 255; });
        // 'close', not 'exit': only then has all output arrived.
        ch.on('close', () => {
          if (!this.pending.has(fail)) return;
          cleanup();
          stdout += out.end();
          stderr += errDec.end();
          const durationMs = Date.now() - started;
          const exit = code ?? 255;
          this.o.log?.(`remote ${script.name} ${this.describeVars(script)} → exit ${exit} in ${(durationMs / 1000).toFixed(2)} s`);
          const sections = parseSections(stdout, script.mark);
          const error = sections.get('error');
          if (error) {
            const kv = keyValues(error);
            const details = error.filter((l) => l.startsWith('line=') || l.startsWith('log=')).map((l) => l.slice(l.indexOf('=') + 1));
            return reject(new RemoteFailure(kv.get('kind') ?? 'unknown', kv.get('message') ?? 'failed', kv, details));
          }
          if (exit !== 0) return reject(remoteExitFailure(script, exit, stderr));
          resolve({ code: exit, stdout, stderr, sections, durationMs });
        });
        // Not ended on purpose: the script watches stdin for end-of-file to notice we went away.
        ch.write(script.text);
      });
    });
  }

  forward(port: number): Promise<LocalForward> {
    if (this.closed) return Promise.reject(this.lost ?? new UserError(`the SSH connection to ${this.o.host} is closed`));
    const sockets = new Set<Socket>();
    let lastError: { message: string; byPolicy: boolean } | undefined;
    const server: Server = createServer((local) => {
      sockets.add(local);
      local.on('close', () => sockets.delete(local));
      local.on('error', () => local.destroy());
      // A channel per connection; a host that refuses forwarding (AllowTcpForwarding no) or has
      // nothing listening there ends the local connection, which the client sees as refused.
      this.conn.forwardOut('127.0.0.1', 0, '127.0.0.1', port, (err, channel) => {
        if (err) {
          // OpenSSH says only "open failed" when AllowTcpForwarding forbids it: the reason code tells.
          const byPolicy = (err as Error & { reason?: unknown }).reason === ADMINISTRATIVELY_PROHIBITED;
          lastError = { message: err.message.replace(/^\(SSH\) Channel open failure: /, ''), byPolicy };
          return local.destroy();
        }
        channel.on('error', () => local.destroy());
        local.pipe(channel).pipe(local);
      });
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.unref();
        resolve({
          port: typeof address === 'object' && address ? address.port : 0,
          lastError: () => lastError,
          close: () => {
            server.close();
            for (const s of sockets) s.destroy();
          },
        });
      });
    });
  }

  private describeVars(script: RemoteScript): string {
    // Deny by default: a variable may carry a file's content (base64 or not), which never reaches
    // the terminal. Only names known to hold paths, addresses and settings are shown.
    return Object.entries(script.vars)
      .map(([k, v]) => (script.shown.includes(k) ? `${k}=${JSON.stringify(v)}` : `${k}=(${v.length} bytes, not shown)`))
      .join(' ');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.conn.end();
  }
}
