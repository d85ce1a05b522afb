import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../../src/errors.js';
import {
  awaitReady,
  Deadline,
  type HandshakeWatch,
  handshakeTimeout,
  KEEPALIVE,
  type SshError,
  transportError,
} from '../../../src/remote/connect/handshake.js';

/** ssh2's Client as the wait sees it: events, and destroy() counted. */
class FakeClient extends EventEmitter {
  destroyed = 0;
  destroy(): void {
    this.destroyed++;
  }
}

function watch(over: Partial<HandshakeWatch> = {}): HandshakeWatch {
  return {
    deadline: new Deadline(10_000),
    timeout: () => handshakeTimeout('h', 22, 10_000),
    failed: (err) => new UserError(`failed: ${err.message}`),
    closed: () => new UserError('closed'),
    ...over,
  };
}

const outcome = (p: Promise<void>): Promise<string> =>
  p.then(
    () => 'ready',
    (err: Error) => `${err.name}: ${err.message}`,
  );

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Deadline', () => {
  it('expires after its time, not counting the time it was paused', () => {
    const d = new Deadline(1000);
    const expired = vi.fn();
    d.start(expired);
    vi.advanceTimersByTime(600);
    d.pause();
    vi.advanceTimersByTime(60_000); // the user reads the host-key question
    expect(expired).not.toHaveBeenCalled();
    d.resume();
    vi.advanceTimersByTime(399);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('a pause before start holds it; cancel stops it for good', () => {
    const d = new Deadline(100);
    const expired = vi.fn();
    d.pause();
    d.start(expired);
    vi.advanceTimersByTime(1000);
    expect(expired).not.toHaveBeenCalled();
    d.resume();
    d.cancel();
    d.resume();
    vi.advanceTimersByTime(1000);
    expect(expired).not.toHaveBeenCalled();
  });
});

describe('awaitReady', () => {
  it('resolves on ready, then ignores later events and leaves no timer or abort listener behind', async () => {
    const conn = new FakeClient();
    const ac = new AbortController();
    const p = outcome(awaitReady(conn, () => conn.emit('ready'), watch({ signal: ac.signal })));
    expect(await p).toBe('ready');
    expect(vi.getTimerCount()).toBe(0);
    ac.abort();
    conn.emit('error', new Error('later'));
    conn.emit('close');
    expect(conn.destroyed).toBe(0);
  });

  it('Ctrl-C before the handshake: InterruptedError, and it never starts', async () => {
    const ac = new AbortController();
    ac.abort();
    const start = vi.fn();
    expect(await outcome(awaitReady(new FakeClient(), start, watch({ signal: ac.signal })))).toBe('InterruptedError: interrupted');
    expect(start).not.toHaveBeenCalled();
  });

  it('Ctrl-C during the handshake: InterruptedError, the socket dropped, the deadline stopped', async () => {
    const conn = new FakeClient();
    const ac = new AbortController();
    const p = outcome(awaitReady(conn, () => {}, watch({ signal: ac.signal })));
    ac.abort();
    expect(await p).toBe('InterruptedError: interrupted');
    expect(conn.destroyed).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an error caused by Ctrl-C is an interruption, not a connection failure', async () => {
    const conn = new FakeClient();
    const signal = { aborted: false, addEventListener() {}, removeEventListener() {} } as unknown as AbortSignal;
    const p = outcome(awaitReady(conn, () => {}, watch({ signal })));
    (signal as { aborted: boolean }).aborted = true;
    conn.emit('error', new Error('socket closed'));
    expect(await p).toBe('InterruptedError: interrupted');
  });

  it('times out with the address, the seconds and what to check', async () => {
    const conn = new FakeClient();
    const p = awaitReady(conn, () => {}, watch({ deadline: new Deadline(3000), timeout: () => handshakeTimeout('10.0.0.5', 2222, 3000) }));
    const caught = p.catch((e: unknown) => e);
    vi.advanceTimersByTime(2999);
    vi.advanceTimersByTime(1);
    const err = (await caught) as UserError;
    expect(err.message).toBe('no SSH answer from 10.0.0.5:2222 within 3 s');
    expect(err.hint).toContain('security group must allow inbound TCP 2222');
    expect(conn.destroyed).toBe(1);
  });

  it('a deadline paused for a host-key question does not time out meanwhile', async () => {
    const conn = new FakeClient();
    const deadline = new Deadline(1000);
    const p = outcome(awaitReady(conn, () => deadline.pause(), watch({ deadline })));
    vi.advanceTimersByTime(120_000);
    deadline.resume();
    conn.emit('ready');
    expect(await p).toBe('ready');
  });

  it('an error is reported through `failed`; a second one is swallowed, not unhandled', async () => {
    const conn = new FakeClient();
    const p = outcome(awaitReady(conn, () => {}, watch()));
    conn.emit('error', new Error('first'));
    conn.emit('error', new Error('second'));
    expect(await p).toBe('UserError: failed: first');
    expect(conn.destroyed).toBe(1);
  });

  it('a close before ready is reported through `closed`', async () => {
    const conn = new FakeClient();
    const p = outcome(awaitReady(conn, () => conn.emit('close'), watch()));
    expect(await p).toBe('UserError: closed');
  });

  it('a throw while starting is a rejection, with nothing left running', async () => {
    const conn = new FakeClient();
    const p = outcome(
      awaitReady(
        conn,
        () => {
          throw new UserError('bad config');
        },
        watch(),
      ),
    );
    expect(await p).toBe('UserError: bad config');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('awaitReady: what waits for the proof of the host key (proven)', () => {
  /** A `proven` that records its calls and finishes when told to. */
  function proof() {
    let calls = 0;
    let settle!: (err?: Error) => void;
    const proven = (): Promise<void> => {
      calls++;
      return new Promise<void>((resolve, reject) => {
        settle = (err) => (err ? reject(err) : resolve());
      });
    };
    return { proven, calls: () => calls, settle: (err?: Error) => settle(err) };
  }
  const tick = (): Promise<void> => new Promise((r) => queueMicrotask(r));

  it("is not run before ssh2's 'handshake' (the key only offered, not proven), e.g. when the connection drops", async () => {
    const conn = new FakeClient();
    const p = proof();
    const r = outcome(awaitReady(conn, () => conn.emit('close'), watch({ proven: p.proven })));
    expect(await r).toBe('UserError: closed');
    expect(p.calls()).toBe(0);
  });

  it("runs on 'handshake'; 'ready' resolves only once it finished", async () => {
    const conn = new FakeClient();
    const p = proof();
    let done = false;
    const r = awaitReady(conn, () => {}, watch({ proven: p.proven })).then(() => {
      done = true;
    });
    conn.emit('handshake');
    conn.emit('handshake'); // a rekey: once only
    expect(p.calls()).toBe(1);
    conn.emit('ready');
    await tick();
    expect(done).toBe(false);
    p.settle();
    await r;
    expect(done).toBe(true);
    expect(conn.destroyed).toBe(0);
  });

  it('its failure fails the connection at once, with its error, and drops the socket', async () => {
    const conn = new FakeClient();
    const p = proof();
    const r = outcome(awaitReady(conn, () => {}, watch({ proven: p.proven })));
    conn.emit('handshake');
    p.settle(new UserError('cannot use the known_hosts file'));
    expect(await r).toBe('UserError: cannot use the known_hosts file');
    expect(conn.destroyed).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a failure after the handshake (a refused login) is reported once what the proof started has finished', async () => {
    const conn = new FakeClient();
    const p = proof();
    let result: string | undefined;
    void outcome(awaitReady(conn, () => {}, watch({ proven: p.proven }))).then((o) => {
      result = o;
    });
    conn.emit('handshake');
    conn.emit('error', new Error('All configured authentication methods failed'));
    expect(conn.destroyed).toBe(1);
    await tick();
    expect(result).toBeUndefined();
    p.settle();
    await tick();
    await tick();
    expect(result).toBe('UserError: failed: All configured authentication methods failed');
  });

  it("a 'handshake' after the wait was given up (time limit, Ctrl-C) runs nothing", async () => {
    const conn = new FakeClient();
    const p = proof();
    const ac = new AbortController();
    const r = outcome(awaitReady(conn, () => {}, watch({ proven: p.proven, signal: ac.signal })));
    ac.abort();
    conn.emit('handshake');
    expect(await r).toBe('InterruptedError: interrupted');
    expect(p.calls()).toBe(0);
  });
});

describe('transport errors and keepalive', () => {
  const at = { host: 'h.example', port: 2222 };
  const e = (code: string): SshError => Object.assign(new Error(code), { code });

  it.each([
    ['ENOTFOUND', 'cannot resolve the host name "h.example"'],
    ['EAI_AGAIN', 'cannot resolve the host name "h.example"'],
    ['ECONNREFUSED', 'h.example:2222 refused the connection (nothing listens on port 2222)'],
    ['EHOSTUNREACH', 'h.example:2222 is unreachable from this machine'],
    ['ENETUNREACH', 'h.example:2222 is unreachable from this machine'],
    ['ECONNRESET', 'h.example:2222 closed the connection during the SSH handshake'],
  ])('%s → %s', (code, message) => {
    const err = transportError(e(code), at);
    expect(err?.message).toBe(message);
    expect(err?.hint).toBeTruthy();
  });

  it('an error without a socket code is not a transport error', () => {
    expect(transportError(new Error('Handshake failed'), at)).toBeUndefined();
  });

  it('keepalives notice a dead connection within 20 s', () => {
    expect(KEEPALIVE.keepaliveInterval * (KEEPALIVE.keepaliveCountMax + 1)).toBeLessThanOrEqual(20_000);
  });
});
