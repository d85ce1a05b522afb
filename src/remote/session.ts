/**
 * The one SSH module: connect with a private key, check the host key against known_hosts, and run
 * remote scripts. A script runs as `sh -s` with the script on stdin (see prelude.sh), so values never
 * pass through the user's login shell and no command line length limit applies; one whose values may
 * all be shown rides in the exec request instead, base64 in one quoted word (inline-script.ts), which
 * saves the round trip stdin waits for.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import ssh2, { type ClientChannel, type ConnectConfig } from 'ssh2';
import { InterruptedError, UserError } from '../errors.js';
import { authConfig, authRefused, type Credentials } from './connect/auth.js';
import { awaitReady, Deadline, handshakeTimeout, KEEPALIVE, transportError } from './connect/handshake.js';
import { HostKeyCheck, type HostKeyPolicy, loadKnownHosts, signatureRefused } from './connect/host-key.js';
import { signAtOnce } from './connect/sign-at-once.js';
import { inlineCommand, NO_BASE64_EXIT } from './inline-script.js';
import { keyValues, parseSections, type RemoteScript, type Sections } from './script.js';

export { DEFAULT_USERS_HINT } from './connect/auth.js';
export type { UnknownHost } from './connect/host-key.js';

/** Where to connect and as whom (Credentials), and how to treat the host key (HostKeyPolicy). */
export interface ConnectOptions extends Credentials, HostKeyPolicy {
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
  /**
   * Output that may never end (`logs -f`) or be large: every line of the named sections (by name, or
   * by first word for instance sections like `file NAME`) goes to `onLine` as it arrives, and is not
   * kept in the result (memory stays bounded however long it runs).
   */
  stream?: SectionStream | undefined;
}

export interface SectionStream {
  sections: readonly string[];
  onLine: (section: string, line: string) => void;
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

/**
 * Splits stdout as it arrives: lines of streamed sections go to `onLine` (whole lines only, a chunk
 * may end anywhere), every other line is kept. `end()` returns what was kept, for parseSections.
 * Sections are found as parseSections finds them (the marker anywhere in the line).
 */
export function sectionStreamer(mark: string, s: SectionStream): { write(chunk: string): void; end(): string } {
  const header = `${mark} `;
  let partial = '';
  let kept = '';
  let streaming: string | undefined;
  const line = (raw: string): void => {
    const at = raw.indexOf(header);
    if (at >= 0) {
      const name = raw
        .slice(at + header.length)
        .replace(/\r$/, '')
        .trim();
      streaming = s.sections.includes(name) || s.sections.includes(name.split(' ')[0]!) ? name : undefined;
    }
    if (streaming !== undefined && at < 0) s.onLine(streaming, raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    else kept += `${raw}\n`;
  };
  return {
    write(chunk) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) line(l);
    },
    end() {
      if (partial !== '') line(partial);
      partial = '';
      return kept;
    },
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

function remoteExitFailure(script: RemoteScript, code: number, stderr: string): RemoteFailure {
  const tail = stderr.trim().split('\n').filter(Boolean).slice(-8);
  return new RemoteFailure('exit', `the ${script.name} script failed on the host (exit ${code})`, new Map(), tail);
}

/**
 * Opens the connection: known_hosts decides about the host key (asking about an unknown one, which is
 * recorded once the key exchange proved the server holds it), the key authenticates, and the
 * handshake must finish within timeoutMs (not counting the time the user spends on the question)
 * unless Ctrl-C comes first.
 */
export async function connect(o: ConnectOptions): Promise<Session> {
  if (o.signal?.aborted) throw new InterruptedError();
  const known = await loadKnownHosts(o.knownHostsPath);
  const deadline = new Deadline(o.timeoutMs);
  const hostKey = new HostKeyCheck(known, o, deadline);
  const config: ConnectConfig = {
    host: o.host,
    port: o.port,
    ...authConfig(o),
    hostVerifier: hostKey.verify,
    algorithms: { serverHostKey: hostKey.algorithms as never },
    // Our own deadline instead (see handshake.ts).
    readyTimeout: 0,
    ...KEEPALIVE,
    // An inline script's exec request is tens of kilobytes of base64: its start says enough.
    ...(o.debug ? { debug: (m: string) => o.log?.(`ssh: ${m.length > 400 ? `${m.slice(0, 200)}… (${m.length} characters)` : m}`) } : {}),
  };
  const conn = new ssh2.Client();
  const start = (): void => {
    conn.connect(config);
    // Every packet at once: ssh2 leaves Nagle's algorithm on, and without its native crypto binding
    // (not built for every Node) a packet goes out in more than one write; the second then waits
    // for the server's delayed ACK, ~40 ms each round trip (figures in README, "Against a bare ssh host true").
    conn.setNoDelay(true);
    signAtOnce(conn);
  };
  await awaitReady(conn, start, {
    deadline,
    timeout: () => handshakeTimeout(o.host, o.port, o.timeoutMs),
    signal: o.signal,
    failed: (err) =>
      hostKey.refusal ??
      signatureRefused(err, o) ??
      transportError(err, o) ??
      authRefused(err, o) ??
      new UserError(`cannot connect to ${o.host}:${o.port}: ${err.message}`),
    closed: () => hostKey.refusal ?? new UserError(`${o.host}:${o.port} closed the connection during the handshake`),
    // The key is recorded once the server proved it holds it, not when it was accepted (host-key.ts).
    // That is before authentication: a refused login leaves the proven key recorded (OpenSSH, too,
    // records before it authenticates; it records even before it checks the signature).
    proven: () => hostKey.proven(),
  });
  return new SshSession(conn, o, { connections: 1, commands: 0 });
}

/** An inline script the host could not unpack (no base64), to be sent again on stdin. */
const RESEND = Symbol('resend');

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
      const err = o.signal?.aborted ? new InterruptedError() : this.lostConnection();
      for (const fail of this.pending) fail(err);
    });
  }

  /** Why the connection is gone: the transport's error if there was one. */
  private lostConnection(): UserError {
    return (
      this.lost ??
      new UserError(`the SSH connection to ${this.o.host} closed unexpectedly`, {
        hint: 'running kafka-setup again continues where it stopped',
      })
    );
  }

  get host(): string {
    return this.o.host;
  }

  async run(script: RemoteScript, opts: RunOptions = {}): Promise<RunResult> {
    const inline = inlineCommand(script);
    const first = await this.attempt(script, opts, inline);
    // A host without base64 cannot unpack an inline script: sent again, on stdin.
    return first === RESEND ? ((await this.attempt(script, opts, undefined)) as RunResult) : first;
  }

  /** Runs the script once: inside the exec request (`inline`, see inline-script.ts) or on stdin of `sh -s`. */
  private attempt(script: RemoteScript, opts: RunOptions, inline: string | undefined): Promise<RunResult | typeof RESEND> {
    if (this.o.signal?.aborted) return Promise.reject(new InterruptedError());
    if (this.closed) return Promise.reject(this.lost ?? new UserError(`the SSH connection to ${this.o.host} is closed`));
    this.stats.commands++;
    const started = Date.now();
    return new Promise<RunResult | typeof RESEND>((resolve, reject) => {
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
          fail(
            new UserError(`the ${script.name} step took longer than ${Math.round(opts.timeoutMs! / 1000)} s on the host and was stopped`),
          );
        }, opts.timeoutMs);
      }
      const exec = (cb: Parameters<ssh2.Client['exec']>[1]): void => {
        try {
          this.conn.exec(inline ?? '/bin/sh -s', cb);
        } catch {
          // The connection went between the check above and now (ssh2 throws "Not connected").
          fail(this.lostConnection());
        }
      };
      exec((err, ch) => {
        if (err) return fail(new UserError(`the host refused to run a command: ${err.message}`));
        stream = ch;
        const out = new StringDecoder('utf8');
        const errDec = new StringDecoder('utf8');
        let stdout = '';
        let stderr = '';
        let code: number | undefined;
        const progress = opts.onProgress ? progressReader(script.mark, opts.onProgress) : undefined;
        const streamer = opts.stream ? sectionStreamer(script.mark, opts.stream) : undefined;
        ch.on('data', (d: Buffer) => {
          const text = out.write(d);
          if (streamer) streamer.write(text);
          else stdout += text;
          progress?.(text);
        });
        ch.stderr.on('data', (d: Buffer) => {
          stderr += errDec.write(d);
        });
        ch.on('exit', (c: number | null) => {
          code = c ?? 255;
        });
        // 'close', not 'exit': only then has all output arrived.
        ch.on('close', () => {
          if (!this.pending.has(fail)) return;
          cleanup();
          if (streamer) {
            streamer.write(out.end());
            stdout = streamer.end();
          } else {
            stdout += out.end();
          }
          stderr += errDec.end();
          const durationMs = Date.now() - started;
          const exit = code ?? 255;
          if (inline !== undefined && exit === NO_BASE64_EXIT && !stdout.includes(script.mark)) return resolve(RESEND);
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
        if (inline === undefined) ch.write(script.text);
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
      // nothing listening there ends the local connection, which the client sees as refused. So does
      // a connection that arrives once the SSH connection has gone (ssh2 would throw "Not connected").
      if (this.closed) return local.destroy();
      const open = (cb: Parameters<ssh2.Client['forwardOut']>[4]): void => {
        try {
          this.conn.forwardOut('127.0.0.1', 0, '127.0.0.1', port, cb);
        } catch {
          local.destroy();
        }
      };
      open((err, channel) => {
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
