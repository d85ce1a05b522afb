/**
 * The download mirror of the e2e suite: a local HTTP server playing three mirrors — `good` serves the
 * test distribution and its .sha512, `missing` answers 404 to everything, `corrupt` serves the
 * genuine .sha512 beside a tarball with some bytes changed. The request log is served too, so test
 * files (in other processes) can see which mirrors the tool tried, in which order.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

export interface Mirror {
  baseUrl: string;
  good: string;
  missing: string;
  corrupt: string;
  requests: string[];
  close(): Promise<void>;
}

const TARBALL = 'kafka_2.12-3.1.0.tgz';

export async function startMirror(distDir: string): Promise<Mirror> {
  const tarball = join(distDir, TARBALL);
  const size = statSync(tarball).size;
  const corrupt = readFileSync(tarball);
  for (let i = 1000; i < corrupt.length; i += 1_000_000) corrupt[i] = corrupt[i]! ^ 0xff;
  const requests: string[] = [];

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/__requests') {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify(requests));
    }
    if (path === '/__reset') {
      requests.length = 0;
      return res.end('ok');
    }
    requests.push(`${req.method} ${path}`);
    if (path === `/good/kafka/3.1.0/${TARBALL}`) {
      res.setHeader('content-length', size);
      return createReadStream(tarball).pipe(res);
    }
    if (path === `/good/kafka/3.1.0/${TARBALL}.sha512` || path === `/corrupt/kafka/3.1.0/${TARBALL}.sha512`) {
      return res.end(readFileSync(`${tarball}.sha512`));
    }
    if (path === `/corrupt/kafka/3.1.0/${TARBALL}`) {
      res.setHeader('content-length', corrupt.length);
      return res.end(corrupt);
    }
    res.statusCode = 404;
    res.end('Not Found\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    baseUrl,
    good: `${baseUrl}/good/kafka`,
    missing: `${baseUrl}/missing/kafka`,
    corrupt: `${baseUrl}/corrupt/kafka`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
