/**
 * The download mirrors of the e2e suite, one local HTTP server on 127.0.0.1 playing several of them:
 *   good     serves every test distribution found in the dist directories (3.1.0 and the 4.x ones)
 *            at /good/kafka/VERSION/TARBALL with its .sha512, with byte ranges (curl -C -, wget -c),
 *            and at /good/kafka/ an Apache httpd "Index of /kafka" page listing those versions and
 *            KEYS, as https://downloads.apache.org/kafka/ does (/good/kafka redirects there, as httpd)
 *   hostile  at /hostile/kafka/ a listing built to trip careless parsers (see HOSTILE_LISTING);
 *            nothing else there (404)
 *   missing  404 for everything, like a mirror that dropped the release
 *   corrupt  the genuine .sha512 beside a tarball of the same length with some bytes changed (3.1.0)
 *   slow     the good 3.1.0 files, the tarball at ~2.5 MB/s, so a test can interrupt a download midway
 *   portal   200 with an HTML login page for everything, like a captive portal
 *   stall    accepts every request and never answers
 * Every request is logged as "METHOD path" so tests can check which mirrors were tried, in which
 * order; the log is also served at /__requests (and cleared by /__reset) for test files, which run
 * in other processes than the global setup that owns the server.
 */

import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Mirror {
  baseUrl: string;
  /** `${baseUrl}/good/kafka`: …/3.1.0/kafka_2.12-3.1.0.tgz, …/4.1.1/kafka_2.13-4.1.1.tgz, … and .sha512; the listing at …/ */
  good: string;
  /** `${baseUrl}/hostile/kafka`: only a hostile listing at …/ */
  hostile: string;
  /** The versions served on the good mirror (and listed there), oldest first. */
  versions: string[];
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
const TARBALL_NAME = /^kafka_2\.1[23]-(\d+\.\d+\.\d+)\.tgz$/;

/** A tarball on the good mirror: its file, its .sha512 (read once), its version. */
interface Served {
  path: string;
  size: number;
  sha512: Buffer;
  mtime: Date;
  version: string;
}

/**
 * The hostile listing: Apache's page layout around entries that a careless parser would take for
 * versions. The only genuine release directories are 3.1.0/ and 4.1.1/ (both on the good mirror), so
 * "latest" read defensively is 4.1.1. The traps:
 *   4.9.9-rc1/                     a pre-release
 *   99999999999999999999.0.0/      a number past Number.MAX_SAFE_INTEGER (and 2^64)
 *   4.10.0.1/, 4.12/               four and two components
 *   ../, ../../etc/, 4.3.0/../../  paths out of the directory
 *   https://attacker.invalid/…     a release directory on another host
 *   \uFF14.\uFF15.\uFF10/, 4.\u0665.0/  full-width and Arabic-Indic digits: NFKC normalisation turns
 *                                  the first into 4.5.0/, \p{Nd} and some other languages' \d take both
 *   4.6.0/ in a <script> string and in an HTML comment, 4.7.0/ in a title attribute: not links
 *   a link whose text says 4.8.0/ but whose href is 3.1.0/
 *   4.5.0/?C=M;O=A and 4.5.0/#x    query and fragment
 *   KEYS, a "latest" symlink-style directory, a file named 4.9.0.tgz
 */
export const HOSTILE_LISTING = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<html>
 <head>
  <title>Index of /kafka</title>
  <script>var next = '<a href="4.6.0/">4.6.0/</a>'; document.title = "4.6.0/";</script>
 </head>
 <body>
<h1>Index of /kafka</h1>
<!-- <a href="4.6.0/">4.6.0/</a> not published yet -->
<pre><img src="/icons/blank.gif" alt="Icon "> <a href="?C=N;O=D">Name</a>                    <a href="?C=M;O=A">Last modified</a>      <a href="?C=S;O=A">Size</a>  <a href="?C=D;O=A">Description</a><hr><img src="/icons/back.gif" alt="[PARENTDIR]"> <a href="../">Parent Directory</a>                             -   
<img src="/icons/folder.gif" alt="[DIR]"> <a href="../../etc/">../../etc/</a>              2025-01-01 00:00    -   
<img src="/icons/folder.gif" alt="[DIR]"> <a href="3.1.0/">3.1.0/</a>                  2022-01-24 10:00    -   
<img src="/icons/folder.gif" alt="[DIR]"> <a href="4.1.1/">4.1.1/</a>                  2025-11-12 10:00    -   
<img src="/icons/folder.gif" alt="[DIR]"> <a href="4.3.0/../../">4.3.0/../../</a>            2025-01-01 00:00    -   
<img src="/icons/folder.gif" alt="[DIR]"> <a href="4.5.0/?C=M;O=A">4.5.0/</a>                  2025-01-01 00:00    -   
<img src="/icons/folder.gif" alt="[DIR]"> <a href="4.5.0/#x">4.5.0/</a>                  2025-01-01 00:00    -   
<img src="/icons/folder.gif" alt="[DIR]"> <a href="3.1.0/">4.8.0/</a>                  2025-01-01 00:00    -   
<img src="/icons/folder.gif" alt="[DIR]"> <a href="4.9.9-rc1/">4.9.9-rc1/</a>              2025-01-01 00:00    -   
<img src="/icons/folder.gif" alt="[DIR]"> <a href="4.10.0.1/">4.10.0.1/</a>               2025-01-01 00:00    -   
<img src="/icons/folder.gif" alt="[DIR]"> <a href="4.12/">4.12/</a>                   2025-01-01 00:00    -   
<img src="/icons/folder.gif" alt="[DIR]"> <a href="4.\u0665.0/">4.\u0665.0/</a>                  2025-01-01 00:00    -   
<img src="/icons/folder.gif" alt="[DIR]"> <a href="99999999999999999999.0.0/">99999999999999999999.0..&gt;</a> 2025-01-01 00:00    -   
<img src="/icons/folder.gif" alt="[DIR]"> <a href="https://attacker.invalid/kafka/5.0.0/">5.0.0/</a>                  2025-01-01 00:00    -   
<img src="/icons/folder.gif" alt="[DIR]"> <a href="latest/" title="4.7.0/">latest/</a>                 2025-01-01 00:00    -   
<img src="/icons/folder.gif" alt="[DIR]"> <a href="\uff14.\uff15.\uff10/">\uff14.\uff15.\uff10/</a>                  2025-01-01 00:00    -   
<img src="/icons/compressed.gif" alt="[   ]"> <a href="4.9.0.tgz">4.9.0.tgz</a>               2025-01-01 00:00   12   
<img src="/icons/text.gif" alt="[TXT]"> <a href="KEYS">KEYS</a>                    2025-01-01 00:00  123K  
<hr></pre>
</body></html>
`;

/** An Apache httpd (mod_autoindex, FancyIndexing) page of the versions served, then KEYS, by name. */
function apacheListing(entries: { name: string; mtime: Date; size?: string }[]): string {
  const date = (d: Date): string => d.toISOString().slice(0, 16).replace('T', ' ');
  const rows = [...entries]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ name, mtime, size }) => {
      const [icon, alt] = name.endsWith('/') ? ['folder', '[DIR]'] : ['text', '[TXT]'];
      return `<img src="/icons/${icon}.gif" alt="${alt}"> <a href="${name}">${name}</a>${' '.repeat(Math.max(1, 24 - name.length))}${date(mtime)}  ${(size ?? '-').padStart(4)}  \n`;
    });
  return (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<html>\n <head>\n  <title>Index of /kafka</title>\n </head>\n <body>\n<h1>Index of /kafka</h1>\n' +
    '<pre><img src="/icons/blank.gif" alt="Icon "> <a href="?C=N;O=D">Name</a>                    <a href="?C=M;O=A">Last modified</a>      <a href="?C=S;O=A">Size</a>  <a href="?C=D;O=A">Description</a><hr>' +
    '<img src="/icons/back.gif" alt="[PARENTDIR]"> <a href="/">Parent Directory</a>                             -   \n' +
    rows.join('') +
    '<hr></pre>\n</body></html>\n'
  );
}

/** A placeholder, so that the listing's KEYS entry is not a dead link. */
const KEYS = "This is the test mirror of kafka-setup's e2e suite: its tarballs are not signed, and this file holds no keys.\n";

/** Every kafka_2.1x-VERSION.tgz with a .sha512 beside it in dirs, by its path on the good mirror. */
async function findTarballs(dirs: string[]): Promise<Map<string, Served>> {
  const found = new Map<string, Served>();
  for (const dir of dirs) {
    for (const file of (await readdir(dir)).sort()) {
      const version = TARBALL_NAME.exec(file)?.[1];
      if (!version) continue;
      const path = join(dir, file);
      const sha512 = await readFile(`${path}.sha512`).catch(() => undefined);
      if (!sha512) continue; // a build that has not finished renaming its files into place
      const { size, mtime } = await stat(path);
      found.set(`/good/kafka/${version}/${file}`, { path, size, sha512, mtime, version });
    }
  }
  return found;
}

/** Orders x.y.z versions numerically. */
const byVersion = (a: string, b: string): number => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if (x![i] !== y![i]) return x![i]! - y![i]!;
  return 0;
};

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
function sendTarball(
  req: IncomingMessage,
  res: ServerResponse,
  size: number,
  body: (start: number, end: number) => NodeJS.ReadableStream | Buffer,
): void {
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
  res.on('close', () => {
    closed = true;
  });
  for await (const chunk of createReadStream(path, { start, end, highWaterMark: 64 * 1024 })) {
    if (closed) return;
    if (!res.write(chunk)) await once(res, 'drain');
    await sleep(25);
  }
  res.end();
}

/** distDir holds the 3.1.0 test distribution; moreDistDirs the 4.x ones (served on the good mirror only). */
export async function startMirror(distDir: string, moreDistDirs: string[] = []): Promise<Mirror> {
  const tarball = join(distDir, TARBALL);
  const { size } = await stat(tarball);
  const sha512 = await readFile(`${tarball}.sha512`);
  const served = await findTarballs([distDir, ...moreDistDirs]);
  const versions = [...new Set([...served.values()].map((t) => t.version))].sort(byVersion);
  const newest = (v: string): Date =>
    new Date(Math.max(...[...served.values()].filter((t) => t.version === v).map((t) => t.mtime.getTime())));
  const listing = apacheListing([
    ...versions.map((v) => ({ name: `${v}/`, mtime: newest(v) })),
    { name: 'KEYS', mtime: new Date(Date.UTC(2025, 0, 1)), size: '1K' },
  ]);
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
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end('<!DOCTYPE html>\n<html><body><h1>Welcome to Airport Wi-Fi</h1><p>Please log in.</p></body></html>\n');
      return;
    }
    const good = served.get(path);
    const goodSha512 = path.endsWith('.sha512') ? served.get(path.slice(0, -'.sha512'.length)) : undefined;
    if (get && good) {
      sendTarball(req, res, good.size, (start, end) => createReadStream(good.path, { start, end }));
    } else if (get && goodSha512) {
      res
        .writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': goodSha512.sha512.length })
        .end(req.method === 'HEAD' ? undefined : goodSha512.sha512);
    } else if (get && (path === '/good/kafka' || path === '/hostile/kafka')) {
      // httpd answers a directory asked without its slash with a redirect, so relative links resolve.
      res
        .writeHead(301, { Location: `http://${req.headers.host ?? '127.0.0.1'}${path}/`, 'Content-Type': 'text/html' })
        .end(req.method === 'HEAD' ? undefined : `<html><body>Moved Permanently: <a href="${path}/">${path}/</a></body></html>\n`);
    } else if (get && (path === '/good/kafka/' || path === '/hostile/kafka/')) {
      const body = Buffer.from(path === '/good/kafka/' ? listing : HOSTILE_LISTING);
      res
        .writeHead(200, { 'Content-Type': 'text/html;charset=UTF-8', 'Content-Length': body.length })
        .end(req.method === 'HEAD' ? undefined : body);
    } else if (get && path === '/good/kafka/KEYS') {
      res
        .writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(KEYS) })
        .end(req.method === 'HEAD' ? undefined : KEYS);
    } else if (get && path === `/slow/kafka/3.1.0/${TARBALL}`) {
      res.writeHead(200, { 'Content-Type': 'application/x-gzip', 'Content-Length': size });
      sendSlowly(res, tarball, 0, size - 1).catch((err: Error) => res.destroy(err));
    } else if (get && path === `/corrupt/kafka/3.1.0/${TARBALL}`) {
      sendTarball(req, res, corrupt.length, (start, end) => corrupt.subarray(start, end + 1));
    } else if (get && ['corrupt', 'slow'].some((m) => path === `/${m}/kafka/3.1.0/${TARBALL}.sha512`)) {
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
    hostile: `${baseUrl}/hostile/kafka`,
    versions,
    missing: `${baseUrl}/missing/kafka`,
    corrupt: `${baseUrl}/corrupt/kafka`,
    slow: `${baseUrl}/slow/kafka`,
    portal: `${baseUrl}/portal/kafka`,
    stall: `${baseUrl}/stall/kafka`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // Downloads a test abandoned must not keep the server (and vitest) alive.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
