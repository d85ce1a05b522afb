/** Reachability from this machine: name resolution and TCP connects, with bounded waits. */
import { lookup } from 'node:dns/promises';
import { isIP, Socket } from 'node:net';

export type Reach = { ok: true; ms: number } | { ok: false; reason: string; code: string };

export async function resolveHost(host: string): Promise<{ ok: true; addresses: string[] } | { ok: false; reason: string }> {
  if (isIP(host)) return { ok: true, addresses: [host] };
  try {
    const all = await lookup(host, { all: true });
    return { ok: true, addresses: all.map((a) => a.address) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'ERROR';
    return {
      ok: false,
      reason: code === 'ENOTFOUND' ? `"${host}" does not resolve (no such name)` : `"${host}" could not be resolved (${code})`,
    };
  }
}

export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<Reach> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (r: Reach): void => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () =>
      done({
        ok: false,
        code: 'ETIMEDOUT',
        reason: `no answer within ${Math.round(timeoutMs / 1000)} s (a firewall or security group dropping the packets)`,
      }),
    );
    socket.once('connect', () => done({ ok: true, ms: Date.now() - started }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'ERROR';
      const reason =
        code === 'ECONNREFUSED'
          ? 'connection refused (nothing listens there)'
          : code === 'ENOTFOUND'
            ? `"${host}" does not resolve`
            : code === 'EHOSTUNREACH' || code === 'ENETUNREACH'
              ? 'unreachable from this machine'
              : err.message;
      done({ ok: false, code, reason });
    });
    socket.connect({ host, port });
  });
}
