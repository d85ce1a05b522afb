/**
 * Waiting for the SSH handshake: the first of ready, error, close, Ctrl-C and the time limit wins,
 * and whatever lost is cleaned up. The time limit is our own (ssh2's readyTimeout is off): ssh2's
 * would also count the time a user spends reading a host-key question.
 *
 * What may only follow proof of the server's identity (recording its host key) runs on ssh2's
 * 'handshake' event, which ssh2 emits only after it verified the server's signature over the exchange
 * hash with the key hostVerifier accepted (lib/protocol/kex.js: finish() verifies, then
 * completeHandshake() → Protocol's _onHandshakeComplete → client.js emits 'handshake').
 */
import { InterruptedError, UserError } from '../../errors.js';

/** Without keepalives a dead connection produces no event at all: 3 unanswered in 15 s end it. */
export const KEEPALIVE = { keepaliveInterval: 5000, keepaliveCountMax: 3 } as const;

export type SshError = Error & { code?: string; level?: string };

/** A time limit that stops counting while paused; armed by start(), stopped for good by cancel(). */
export class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private since = 0;
  private paused = false;
  private onExpire: (() => void) | undefined;
  private over = false;

  constructor(private left: number) {}

  start(onExpire: () => void): void {
    this.onExpire = onExpire;
    this.arm();
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.left -= Date.now() - this.since;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.arm();
  }

  cancel(): void {
    this.over = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.over || this.paused || this.timer || !this.onExpire) return;
    const expire = this.onExpire;
    this.since = Date.now();
    this.timer = setTimeout(
      () => {
        this.over = true;
        this.timer = undefined;
        expire();
      },
      Math.max(0, this.left),
    );
  }
}

export function handshakeTimeout(host: string, port: number, timeoutMs: number): UserError {
  return new UserError(`no SSH answer from ${host}:${port} within ${Math.round(timeoutMs / 1000)} s`, {
    hint: `check the address and that the instance is running; on EC2, its security group must allow inbound TCP ${port} from your IP`,
  });
}

/** A transport error during the handshake (a socket error code), said in terms of what to check. */
export function transportError(err: SshError, at: { host: string; port: number }): UserError | undefined {
  const where = `${at.host}:${at.port}`;
  switch (err.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UserError(`cannot resolve the host name "${at.host}"`, {
        hint: "check --host: use the instance's public IPv4 address or public DNS name",
      });
    case 'ECONNREFUSED':
      return new UserError(`${where} refused the connection (nothing listens on port ${at.port})`, {
        hint: `check --port and that sshd runs; on EC2, check the instance is running and its security group allows inbound TCP ${at.port} from your IP`,
      });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new UserError(`${where} is unreachable from this machine`, { hint: 'check your network and the address in --host' });
    case 'ECONNRESET':
      return new UserError(`${where} closed the connection during the SSH handshake`, {
        hint: `check that port ${at.port} is an SSH server, and that the instance finished booting`,
      });
    default:
      return undefined;
  }
}

/** The part of ssh2's Client the wait needs (a test double provides the same). */
export interface Handshaking {
  once(event: 'ready', listener: () => void): unknown;
  once(event: 'handshake', listener: () => void): unknown;
  on(event: 'error', listener: (err: SshError) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  destroy(): unknown;
}

export interface HandshakeWatch {
  deadline: Deadline;
  /** The error the deadline reports when it expires. */
  timeout: () => Error;
  signal?: AbortSignal | undefined;
  /** What an 'error' event means (e.g. the host key refused, else the key or the network). */
  failed: (err: SshError) => Error;
  /** What a 'close' before 'ready' means. */
  closed: () => Error;
  /**
   * Runs once the key exchange has completed, i.e. the server proved it holds the host key (e.g.
   * recording a newly trusted key). A rejection fails the connection; the wait settles only after it.
   */
  proven?: (() => Promise<void>) | undefined;
}

/**
 * Calls `start` (which begins the handshake) and settles once: resolved on 'ready', rejected with the
 * first failure. Ctrl-C before or during the handshake is an InterruptedError. Whatever `proven`
 * started is finished before it settles, so nothing writes after connect() has answered.
 */
export function awaitReady(conn: Handshaking, start: () => void, w: HandshakeWatch): Promise<void> {
  if (w.signal?.aborted) return Promise.reject(new InterruptedError());
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let proof: Promise<void> = Promise.resolve();
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      w.deadline.cancel();
      w.signal?.removeEventListener('abort', onAbort);
      // Mid-handshake there is nothing to say goodbye with (ssh2's end() can throw): drop the socket.
      if (err) conn.destroy();
      proof.then(
        () => (err ? reject(err) : resolve()),
        (proofErr: Error) => {
          if (!err) conn.destroy();
          reject(err ?? proofErr);
        },
      );
    };
    const onAbort = (): void => finish(new InterruptedError());
    w.signal?.addEventListener('abort', onAbort, { once: true });
    w.deadline.start(() => finish(w.timeout()));
    conn.once('handshake', () => {
      if (settled || !w.proven) return;
      proof = w.proven();
      proof.catch((err: Error) => finish(err));
    });
    conn.once('ready', () => finish());
    // `on`, not `once`: a second error after a failed handshake must not go unhandled.
    conn.on('error', (err) => finish(w.signal?.aborted ? new InterruptedError() : w.failed(err)));
    conn.on('close', () => finish(w.closed()));
    try {
      start();
    } catch (err) {
      finish(err as Error);
    }
  });
}
