/**
 * The download mirrors of the e2e suite, one local HTTP server on 127.0.0.1 playing three of them:
 *   good     serves the test distribution and its .sha512, with byte ranges (curl -C -, wget -c)
 *   missing  404 for everything, like a mirror that dropped the release
 *   corrupt  the genuine .sha512 beside a tarball of the same length with some bytes changed
 *   slow     the good files, the tarball at ~2.5 MB/s, so a test can interrupt a download midway
 *   portal   200 with an HTML login page for everything, like a captive portal
 *   stall    accepts every request and never answers
 * Every request is logged as "METHOD path" so tests can check which mirrors were tried, in which
 * order; the log is also served at /__requests (and cleared by /__reset) for test files, which run
 * in other processes than the global setup that owns the server.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Mirror {
  baseUrl: string;
  /** `${baseUrl}/good/kafka`: …/3.1.0/kafka_2.12-3.1.0.tgz and .sha512 */
  good: string;
  /** `${baseUrl}/missing/kafka`: 404 */
  missing: string;
  /** `${baseUrl}/corrupt/kafka`: the genuine .sha512, a tarball that does not match it */
  corrupt: string;
  /** `${baseUrl}/slow/kafka`: like good, the tarball throttled to ~2.5 MB/s */
  slow: string;
  /** `${baseUrl}/portal/kafka`: 200 and an HTML page, whatever is asked */
  portal: string;
  /** `${baseUrl}/stall/kafka`: never answers */
  stall: string;
  /** "METHOD path" of every request, oldest first. */
  requests: string[];
  close(): Promise<void>;
}

const TARBALL = 'kafka_2.12-3.1.0.tgz';

/** Where a body of `size` bytes starts and ends for this request: all of it, a range, or unsatisfiable. */
function byteRange(req: IncomingMessage, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  // One range only (bytes=N-, bytes=N-M, bytes=-N); anything else gets the whole body, as RFC 9110 allows.
  const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const [first, last] = [m[1] ?? '', m[2] ?? ''];
  const start = first === '' ? Math.max(0, size - Number(last)) : Number(first);
  const end = first === '' || last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return start >= size || start > end ? 'unsatisfiable' : { start, end };
}

/** Sends a tarball (from disk or memory) with Content-Length and byte-range support. */
function sendTarball(req: IncomingMessage, res: ServerResponse, size: number, body: (start: number, end: number) => NodeJS.ReadableStream | Buffer): void {
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Type', 'application/x-gzip');
  const range = byteRange(req, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  if (range) res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  res.writeHead(range ? 206 : 200, { 'Content-Length': end - start + 1 });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const data = body(start, end);
  if (Buffer.isBuffer(data)) {
    res.end(data);
    return;
  }
  data.on('error', (err) => res.destroy(err as Error));
  data.pipe(res);
}

/** Streams a file in 64 KiB chunks with a pause after each: ~2.5 MB/s. */
async function sendSlowly(res: ServerResponse, path: string, start: number, end: number): Promise<void> {
  let closed = false;
  res.on('close', () => { closed = true; });
  for await (const chunk of createReadStream(path, { start, end, highWaterMark: 64 * 1024 })) {
    if (closed) return;
    if (!res.write(chunk)) await once(res, 'drain');
    await sleep(25);
  }
  res.end();
}

export async function startMirror(distDir: string): Promise<Mirror> {
  const tarball = join(distDir, TARBALL);
  const { size } = await stat(tarball);
  const sha512 = await readFile(`${tarball}.sha512`);
  // Same length, one byte flipped in every MiB: only the checksum can tell.
  const corrupt = await readFile(tarball);
  for (let i = 4096; i < corrupt.length; i += 1 << 20) corrupt[i] = corrupt[i]! ^ 0xff;
  const requests: string[] = [];

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://mirror').pathname;
    if (path === '/__requests') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(requests));
      return;
    }
    if (path === '/__reset') {
      requests.length = 0;
      res.writeHead(204).end();
      return;
    }
    requests.push(`${req.method} ${path}`);
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (path.startsWith('/stall/')) {
      return; // the connection stays open, silent, until the client gives up or the server closes
    }
    if (path.startsWith('/portal/')) {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!DOCTYPE html>\n<html><body><h1>Welcome to Airport Wi-Fi</h1><p>Please log in.</p></body></html>\n');
      return;
    }
    if (get && path === `/good/kafka/3.1.0/${TARBALL}`) {
      sendTarball(req, res, size, (start, end) => createReadStream(tarball, { start, end }));
    } else if (get && path === `/slow/kafka/3.1.0/${TARBALL}`) {
      res.writeHead(200, { 'Content-Type': 'application/x-gzip', 'Content-Length': size });
      sendSlowly(res, tarball, 0, size - 1).catch((err: Error) => res.destroy(err));
    } else if (get && path === `/corrupt/kafka/3.1.0/${TARBALL}`) {
      sendTarball(req, res, corrupt.length, (start, end) => corrupt.subarray(start, end + 1));
    } else if (get && ['good', 'corrupt', 'slow'].some((m) => path === `/${m}/kafka/3.1.0/${TARBALL}.sha512`)) {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': sha512.length }).end(req.method === 'HEAD' ? undefined : sha512);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    good: `${baseUrl}/good/kafka`,
    missing: `${baseUrl}/missing/kafka`,
    corrupt: `${baseUrl}/corrupt/kafka`,
    slow: `${baseUrl}/slow/kafka`,
    portal: `${baseUrl}/portal/kafka`,
    stall: `${baseUrl}/stall/kafka`,
    requests,
    close: () => new Promise<void>((resolve) => {
      // Downloads a test abandoned must not keep the server (and vitest) alive.
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
