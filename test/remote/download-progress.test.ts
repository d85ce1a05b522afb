/**
 * download.sh under dash against a slow local HTTP server: while curl runs, a progress line a second
 * with the bytes so far and the total the server announced; the download section is whole afterwards
 * (its lines before and after the progress lines), and no scratch file is left.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferProgress } from '../../src/host/operations.js';
import { readTransfer } from '../../src/host/remote-host.js';
import { remoteScript } from '../../src/host/script.js';
import { baseVars } from '../../src/host/target.js';
import { parseSections } from '../../src/remote/script.js';
import { progressReader } from '../../src/remote/session.js';
import { scratchDir } from '../support/scratch.js';

const BODY = Buffer.alloc(400 * 1024, 'k');
let server: Server;
let base: string;

beforeAll(async () => {
  // 400 KiB in 16 KiB pieces every 200 ms: about 5 s, so the script samples it several times.
  server = createServer((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/kafka.tgz', 'content-length': '5' }).end('moved');
      return;
    }
    res.writeHead(200, { 'content-length': String(BODY.length) });
    let at = 0;
    const timer = setInterval(() => {
      res.write(BODY.subarray(at, at + 16 * 1024));
      at += 16 * 1024;
      if (at >= BODY.length) {
        clearInterval(timer);
        res.end();
      }
    }, 200);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

interface Run {
  code: number;
  stdout: string;
  mark: string;
  seen: TransferProgress[];
}

/** Runs the script as sshd would (`sh -s`), feeding stdout to the progress reader as it arrives. */
function run(url: string, home: string): Promise<Run> {
  const vars = baseVars({ options: { installDir: '~/kafka_2.12-3.1.0' }, dist: { kafkaVersion: '3.1.0', scalaVersion: '2.12' } });
  const sha512 = createHash('sha512').update(BODY).digest('hex');
  const script = remoteScript('download', { ...vars, KS_URLS: url, KS_SHA512: sha512 }, ['probe-lib', 'download']);
  const seen: TransferProgress[] = [];
  const feed = progressReader(script.mark, (text) => readTransfer(text, (p) => seen.push(p)));
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-s'], { env: { PATH: process.env.PATH, HOME: home, TMPDIR: home } });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      feed(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, mark: script.mark, seen }));
    // stdin stays open as an SSH channel's does: its end-of-file means kafka-setup went away (ks_guard).
    child.stdin.write(script.text);
    child.on('exit', () => child.stdin.end());
  });
}

describe('download.sh progress', () => {
  it('says the bytes so far and the total while curl runs (the final answer after a redirect), then the section is whole', async () => {
    const home = scratchDir('ks-dl-');
    const r = await run(`${base}/moved`, home);
    expect(r.code, r.stdout).toBe(0);
    expect(r.seen.length).toBeGreaterThanOrEqual(2);
    const bytes = r.seen.map((p) => p.bytes);
    expect([...bytes].sort((a, b) => a - b)).toEqual(bytes);
    expect(bytes.at(-1)).toBeLessThanOrEqual(BODY.length);
    // Once the final answer's headers are in, the total is its Content-Length (not the redirect's 5).
    expect(r.seen.filter((p) => p.total !== 0).every((p) => p.total === BODY.length)).toBe(true);
    expect(r.seen.some((p) => p.total === BODY.length && p.bytes > 0 && p.bytes < BODY.length)).toBe(true);
    const download = parseSections(r.stdout, r.mark).get('download') ?? [];
    expect(download).toEqual(expect.arrayContaining([`url=${base}/moved`, `bytes=${BODY.length}`, expect.stringMatching(/^verified=/)]));
    expect(existsSync(join(home, 'kafka_2.12-3.1.0.tgz'))).toBe(true);
    expect(existsSync(join(home, 'kafka_2.12-3.1.0.tgz.headers'))).toBe(false);
    expect(existsSync(join(home, 'kafka_2.12-3.1.0.tgz.part'))).toBe(false);
  }, 20_000);

  it('reads only its own line shape from the host: anything else is no progress', () => {
    const seen: TransferProgress[] = [];
    for (const text of [
      'downloaded 10 of 20',
      'downloaded x of 20',
      'downloaded 1 of 2 extra',
      `downloaded ${'9'.repeat(16)} of 1`,
      'installing',
    ])
      readTransfer(text, (p) => seen.push(p));
    expect(seen).toEqual([{ bytes: 10, total: 20 }]);
  });
});
