/** A small web page fetched from this machine: redirects followed, bounded in time and in size. */

export type Page = { ok: true; text: string } | { ok: false; reason: string };

export interface PageLimits {
  timeoutMs: number;
  /** More than this is not the page expected: refused, never read to its end. */
  maxBytes: number;
  /** Ctrl-C: rejects (it is not the server's failure). */
  signal?: AbortSignal | undefined;
}

export async function fetchPage(url: string, o: PageLimits): Promise<Page> {
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  try {
    const res = await fetch(url, { signal, redirect: 'follow', headers: { accept: 'text/html' } });
    if (!res.ok) {
      await res.body?.cancel();
      return { ok: false, reason: `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}` };
    }
    const bytes = res.body ? await readAtMost(res.body, o.maxBytes) : new Uint8Array();
    if (!bytes) return { ok: false, reason: `answered with more than ${sizeText(o.maxBytes)}, which no release listing is` };
    return { ok: true, text: new TextDecoder().decode(bytes) };
  } catch (err) {
    if (o.signal?.aborted) throw err;
    if (timeout.aborted) return { ok: false, reason: `no answer within ${Math.round(o.timeoutMs / 1000)} s` };
    return { ok: false, reason: failureText(err) };
  }
}

/** The whole body, or undefined (and the rest not downloaded) once it passes max bytes. */
async function readAtMost(body: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** fetch says "fetch failed"; the cause says why. */
function failureText(err: unknown): string {
  const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
  const code = cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND') return 'the name does not resolve';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'unreachable from this machine';
  return cause?.message ?? (err instanceof Error ? err.message : String(err));
}
