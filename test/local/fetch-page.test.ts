import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchPage } from '../../src/local/fetch-page.js';

let server: Server;
let base: string;
const limits = { timeoutMs: 500, maxBytes: 1024 };

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/moved') res.writeHead(301, { Location: '/page' }).end();
    else if (req.url === '/page') res.writeHead(200, { 'Content-Type': 'text/html' }).end('<a href="4.4.0/">4.4.0/</a> \u00e9');
    else if (req.url === '/huge') res.writeHead(200).end('x'.repeat(4096));
    else if (req.url === '/endless')
      res.writeHead(200).write('x'.repeat(2048)); // never ends
    else if (req.url === '/stall') return;
    else res.writeHead(404).end('Not Found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('fetching a page from this machine', () => {
  it('follows a redirect and decodes UTF-8', async () => {
    expect(await fetchPage(`${base}/moved`, limits)).toEqual({ ok: true, text: '<a href="4.4.0/">4.4.0/</a> \u00e9' });
  });

  it('says the HTTP status of a failure', async () => {
    expect(await fetchPage(`${base}/nothing`, limits)).toEqual({ ok: false, reason: 'HTTP 404 Not Found' });
  });

  it('refuses a body past the size cap without reading it to the end', async () => {
    expect(await fetchPage(`${base}/huge`, limits)).toMatchObject({ ok: false, reason: expect.stringMatching(/more than 1024 bytes/) });
    expect(await fetchPage(`${base}/endless`, limits)).toMatchObject({ ok: false, reason: expect.stringMatching(/more than 1024 bytes/) });
  });

  it('gives up on a server that never answers', async () => {
    const started = Date.now();
    expect(await fetchPage(`${base}/stall`, limits)).toEqual({ ok: false, reason: 'no answer within 1 s' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('says a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    expect(await fetchPage(`http://127.0.0.1:${port}/`, limits)).toEqual({ ok: false, reason: 'connection refused' });
  });

  it('rejects on Ctrl-C: that is not the server failing', async () => {
    const ctrlC = new AbortController();
    const fetching = fetchPage(`${base}/stall`, { ...limits, timeoutMs: 10_000, signal: ctrlC.signal });
    ctrlC.abort();
    await expect(fetching).rejects.toThrow();
  });
});
