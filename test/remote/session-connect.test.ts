/**
 * connect() end to end against an in-process ssh2 server on loopback (no sshd, no root): the pieces
 * in src/remote/connect/ put together as the CLI uses them.
 */
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { InterruptedError, UserError } from '../../src/errors.js';
import { connect, type ConnectOptions } from '../../src/remote/session.js';
import { scratchDir } from '../support/scratch.js';

const hostKey = ssh2.utils.generateKeyPairSync('ed25519').private;
const userKey = ssh2.utils.generateKeyPairSync('ed25519');
const userPublic = ((): ssh2.ParsedKey => {
  const parsed = ssh2.utils.parseKey(userKey.public);
  if (parsed instanceof Error) throw parsed;
  return parsed;
})();

const servers: Array<{ close(): unknown }> = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** An SSH server that accepts `userKey` for any user, on a free loopback port. */
async function sshServer(): Promise<number> {
  const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    client.on('authentication', (ctx) => {
      if (ctx.method === 'publickey' && ctx.key.algo === userPublic.type && ctx.key.data.equals(userPublic.getPublicSSH())) return ctx.accept();
      ctx.reject(['publickey']);
    });
    client.on('error', () => {});
  });
  servers.push(server);
  return listen(server);
}

function listen(server: { listen(port: number, host: string, cb: () => void): unknown; address(): unknown }): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

function options(port: number, over: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    host: '127.0.0.1',
    port,
    user: 'ec2-user',
    privateKey: Buffer.from(userKey.private),
    knownHostsPath: join(scratchDir(), 'known_hosts'),
    trustUnknownHost: async () => true,
    recordAcceptedKey: true,
    timeoutMs: 5000,
    ...over,
  };
}

const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'connected', (err: unknown) => err);

describe('connect', () => {
  it('connects after the host key is accepted, and the next time without asking', async () => {
    const port = await sshServer();
    const o = options(port);
    let asked = 0;
    const trust = async (): Promise<boolean> => ++asked > 0;
    (await connect({ ...o, trustUnknownHost: trust })).close();
    (await connect({ ...o, trustUnknownHost: trust })).close();
    expect(asked).toBe(1);
  });

  it('the time spent answering the host-key question does not count against the timeout', async () => {
    const port = await sshServer();
    const session = await connect(options(port, {
      timeoutMs: 400,
      trustUnknownHost: () => new Promise((r) => setTimeout(() => r(true), 1200)),
    }));
    session.close();
  });

  it('Ctrl-C at the host-key question is an interruption (exit 130), not "cannot connect"', async () => {
    const port = await sshServer();
    const err = await failure(connect(options(port, { trustUnknownHost: async () => { throw new InterruptedError(); } })));
    expect(err).toBeInstanceOf(InterruptedError);
  });

  it('a "no" to the question says the key was not accepted', async () => {
    const port = await sshServer();
    const err = await failure(connect(options(port, { trustUnknownHost: async () => false })));
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/^the host key of \[127\.0\.0\.1\]:\d+ \(SHA256:.*\) was not accepted$/);
  });

  it('a key the host does not know is refused for that user', async () => {
    const port = await sshServer();
    const other = Buffer.from(ssh2.utils.generateKeyPairSync('ed25519').private);
    const err = await failure(connect(options(port, { privateKey: other, user: 'admin' })));
    expect((err as UserError).message).toBe(`127.0.0.1:${port} refused the key for user "admin"`);
  });

  it('a port that accepts TCP but never speaks SSH times out with the address and seconds', async () => {
    const silent: TcpServer = createTcpServer((s) => s.on('error', () => {}));
    servers.push({ close: () => { silent.close(); } });
    const port = await listen(silent);
    const started = Date.now();
    const err = await failure(connect(options(port, { timeoutMs: 1000 })));
    expect((err as UserError).message).toBe(`no SSH answer from 127.0.0.1:${port} within 1 s`);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('Ctrl-C during the handshake stops it at once', async () => {
    const silent: TcpServer = createTcpServer((s) => s.on('error', () => {}));
    servers.push({ close: () => { silent.close(); } });
    const port = await listen(silent);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const err = await failure(connect(options(port, { timeoutMs: 60_000, signal: ac.signal })));
    expect(err).toBeInstanceOf(InterruptedError);
  });

  it('nothing listening is a refused connection', async () => {
    const tmp = createTcpServer();
    const port = await listen(tmp);
    await new Promise((r) => tmp.close(r));
    const err = await failure(connect(options(port)));
    expect((err as UserError).message).toBe(`127.0.0.1:${port} refused the connection (nothing listens on port ${port})`);
  });
});
