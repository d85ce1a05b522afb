/**
 * connect() end to end against an in-process ssh2 server on loopback (no sshd, no root): the pieces
 * in src/remote/connect/ put together as the CLI uses them.
 */
import { spawn } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server as TcpServer, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import ssh2 from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { InterruptedError, UserError } from '../../src/errors.js';
import { fingerprint } from '../../src/remote/known-hosts.js';
import { type ConnectOptions, connect } from '../../src/remote/session.js';
import { type KexTamper, kexTamperProxy } from '../support/kex-tamper.js';
import { scratchDir } from '../support/scratch.js';
import { sshKeyPair } from '../support/ssh-keys.js';

const hostKey = sshKeyPair('ed25519').private;
const hostPublic = ((): Buffer => {
  const parsed = ssh2.utils.parseKey(hostKey);
  if (parsed instanceof Error) throw parsed;
  return parsed.getPublicSSH();
})();
const userKey = sshKeyPair('ed25519');
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
      if (ctx.method === 'publickey' && ctx.key.algo === userPublic.type && ctx.key.data.equals(userPublic.getPublicSSH()))
        return ctx.accept();
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

const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'connected',
    (err: unknown) => err,
  );

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
    const session = await connect(
      options(port, {
        timeoutMs: 400,
        trustUnknownHost: () => new Promise((r) => setTimeout(() => r(true), 1200)),
      }),
    );
    session.close();
  });

  it('Ctrl-C at the host-key question is an interruption (exit 130), not "cannot connect"', async () => {
    const port = await sshServer();
    const err = await failure(
      connect(
        options(port, {
          trustUnknownHost: async () => {
            throw new InterruptedError();
          },
        }),
      ),
    );
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
    const other = Buffer.from(sshKeyPair('ed25519').private);
    const err = await failure(connect(options(port, { privateKey: other, user: 'admin' })));
    expect((err as UserError).message).toBe(`127.0.0.1:${port} refused the key for user "admin"`);
  });

  it('a port that accepts TCP but never speaks SSH times out with the address and seconds', async () => {
    const silent: TcpServer = createTcpServer((s) => s.on('error', () => {}));
    servers.push({
      close: () => {
        silent.close();
      },
    });
    const port = await listen(silent);
    const started = Date.now();
    const err = await failure(connect(options(port, { timeoutMs: 1000 })));
    expect((err as UserError).message).toBe(`no SSH answer from 127.0.0.1:${port} within 1 s`);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('Ctrl-C during the handshake stops it at once', async () => {
    const silent: TcpServer = createTcpServer((s) => s.on('error', () => {}));
    servers.push({
      close: () => {
        silent.close();
      },
    });
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

describe('a session that has ended', () => {
  it('a connection to one of its forwarded ports that arrives afterwards is closed, not a crash (ssh2 throws "Not connected")', async () => {
    const port = await sshServer();
    const session = await connect(options(port));
    const forward = await session.forward!(9092);
    session.close();
    await sleep(100);
    const ended = await new Promise<string>((resolve) => {
      const s = tcpConnect(forward.port, '127.0.0.1');
      s.on('error', () => resolve('error'));
      s.on('close', () => resolve('closed'));
    });
    expect(['closed', 'error']).toContain(ended);
    forward.close();
    await expect(session.run({ name: 'late', text: '{\n}\n', vars: {}, shown: [], mark: '::ks:x::' })).rejects.toBeInstanceOf(UserError);
  });
});

describe('connect: the host key is recorded only once the server proved it holds it', () => {
  /** A known_hosts with an unrelated entry, and a way to see it unchanged. */
  function knownHosts(): { path: string; unchanged: () => void; text: () => string } {
    const path = join(scratchDir(), 'known_hosts');
    const before = 'other.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB5IIrc9C7WNvUvnJyD0eTbWs+GS0VA4TkpwYnS4dpRm\n';
    writeFileSync(path, before);
    return { path, text: () => readFileSync(path, 'utf8'), unchanged: () => expect(readFileSync(path, 'utf8')).toBe(before) };
  }

  async function tampered(how: KexTamper): Promise<{ port: number; replies: () => number }> {
    const proxy = await kexTamperProxy(await sshServer(), how);
    servers.push(proxy);
    return { port: proxy.port, replies: () => proxy.replies };
  }

  it('a connection that succeeds records the accepted key once, and says so', async () => {
    const port = await sshServer();
    const kh = knownHosts();
    const logged: string[] = [];
    const o = options(port, { knownHostsPath: kh.path, log: (l) => logged.push(l) });
    (await connect(o)).close();
    (await connect(o)).close();
    const lines = kh.text().split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(`[127.0.0.1]:${port} ssh-ed25519 ${hostPublic.toString('base64')}`);
    expect(logged.filter((l) => l.startsWith('host key'))).toEqual([`host key ${fingerprint(hostPublic)} recorded in ${kh.path}`]);
  });

  it('a signature that does not verify: refused as unproven, the key accepted at the question not recorded', async () => {
    const proxy = await tampered('corrupt-signature');
    const kh = knownHosts();
    let asked = 0;
    const err = await failure(connect(options(proxy.port, { knownHostsPath: kh.path, trustUnknownHost: async () => ++asked > 0 })));
    expect(asked).toBe(1);
    expect(proxy.replies()).toBe(1);
    await sleep(100); // a late write would show by now
    kh.unchanged();
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe(
      `127.0.0.1:${proxy.port} presented a host key it could not prove to hold (its signature does not verify); nothing was recorded`,
    );
  });

  it('the connection dropped after the key was offered and accepted, before its signature was checked: nothing recorded', async () => {
    const proxy = await tampered('drop-after-reply');
    const kh = knownHosts();
    let asked = 0;
    const err = await failure(connect(options(proxy.port, { knownHostsPath: kh.path, trustUnknownHost: async () => ++asked > 0 })));
    expect(asked).toBe(1);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe(`127.0.0.1:${proxy.port} closed the connection during the handshake`);
    await sleep(100);
    kh.unchanged();
  });

  it('the same while the user still reads the question: the answer comes after the drop, nothing recorded', async () => {
    const proxy = await tampered('drop-after-reply');
    const kh = knownHosts();
    const err = await failure(
      connect(options(proxy.port, { knownHostsPath: kh.path, trustUnknownHost: () => sleep(300).then(() => true) })),
    );
    expect((err as UserError).message).toMatch(/closed the connection during the handshake/);
    await sleep(500);
    kh.unchanged();
  });

  it('the key exchange completes, then the login is refused: the proven key is recorded (as OpenSSH does), not in a dry run', async () => {
    const other = Buffer.from(sshKeyPair('ed25519').private);
    const port = await sshServer();
    const dry = knownHosts();
    const refused = await failure(connect(options(port, { privateKey: other, knownHostsPath: dry.path, recordAcceptedKey: false })));
    expect((refused as UserError).message).toMatch(/refused the key/);
    dry.unchanged();

    const kh = knownHosts();
    const err = await failure(connect(options(port, { privateKey: other, knownHostsPath: kh.path })));
    expect((err as UserError).message).toBe(`127.0.0.1:${port} refused the key for user "ec2-user"`);
    expect(kh.text()).toContain(`[127.0.0.1]:${port} ssh-ed25519 ${hostPublic.toString('base64')}`);
    // The next run, with the right key, is not asked again.
    const session = await connect(
      options(port, {
        knownHostsPath: kh.path,
        trustUnknownHost: async () => {
          throw new Error('asked again');
        },
      }),
    );
    session.close();
  });

  it('a known_hosts that cannot be written fails the connection once the key is proven', async () => {
    const port = await sshServer();
    // Read as missing (a dangling link), but not writable even as root: the link points into a missing directory.
    const path = join(scratchDir(), 'known_hosts');
    symlinkSync(join(scratchDir(), 'missing', 'known_hosts'), path);
    const err = await failure(connect(options(port, { knownHostsPath: path })));
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/^cannot use the known_hosts file .*ENOENT/);
  });
});

describe('connect and run: no round trip the protocol does not ask for (connect/sign-at-once.ts, inline-script.ts)', () => {
  /** A server that records each publickey request (signed or a question), runs `sh -s` by echoing what it read, and keys for both kinds. */
  async function recordingServer(accepted: ssh2.ParsedKey): Promise<{ port: number; requests: string[] }> {
    const requests: string[] = [];
    const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
      client.on('authentication', (ctx) => {
        if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
        requests.push(ctx.signature ? 'signed' : 'question');
        if (ctx.key.algo === accepted.type && ctx.key.data.equals(accepted.getPublicSSH())) return ctx.accept();
        ctx.reject(['publickey']);
      });
      client.on('session', (accept) => {
        accept().on('exec', (acceptExec, _reject, info) => {
          const stream = acceptExec();
          let input = '';
          stream.on('data', (d: Buffer) => {
            input += d.toString();
            if (!input.includes('END\n')) return;
            stream.write(`${info.command} read ${input.length} bytes\n`);
            stream.exit(0);
            stream.end();
          });
        });
      });
      client.on('error', () => {});
    });
    servers.push(server);
    return { port: await listen(server), requests };
  }

  for (const kind of ['ed25519', 'rsa'] as const) {
    it(`${kind}: the key signs its first request (no question first); a key the server does not take is refused as before`, async () => {
      const pair = sshKeyPair(kind);
      const parsed = ssh2.utils.parseKey(pair.public);
      if (parsed instanceof Error) throw parsed;
      const { port, requests } = await recordingServer(parsed);
      (await connect(options(port, { privateKey: Buffer.from(pair.private) }))).close();
      expect(requests).toEqual(['signed']);

      const other = Buffer.from(sshKeyPair(kind === 'rsa' ? 'ed25519' : 'rsa').private);
      const err = await failure(connect(options(port, { privateKey: other })));
      expect((err as UserError).message).toBe(`127.0.0.1:${port} refused the key for user "ec2-user"`);
      expect(requests).toEqual(['signed', 'signed']);
    });
  }

  /** A server whose exec runs the command with /bin/sh -c on this machine (the login shell a host gives it), PATH as given. */
  async function shellServer(path: string): Promise<{ port: number; commands: string[] }> {
    const commands: string[] = [];
    const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
      client.on('authentication', (ctx) => (ctx.method === 'publickey' ? ctx.accept() : ctx.reject(['publickey'])));
      client.on('session', (accept) => {
        accept().on('exec', (acceptExec, _reject, info) => {
          commands.push(info.command);
          const stream = acceptExec();
          const child = spawn('/bin/sh', ['-c', info.command], { env: { PATH: path } });
          stream.pipe(child.stdin).on('error', () => {});
          child.stdout.pipe(stream, { end: false });
          child.on('close', (code) => {
            stream.exit(code ?? 255);
            stream.end();
          });
        });
      });
      client.on('error', () => {});
    });
    servers.push(server);
    return { port: await listen(server), commands };
  }
  const MARK = '::ks:0123456789abcdef::';
  const script = (vars: Record<string, string>, shown: string[]) => ({
    name: 'check',
    vars,
    shown,
    mark: MARK,
    text: `{\nexec 3<&0 </dev/null\nprintf '%s said\\nv=%s\\n' '${MARK}' '${Object.values(vars).join(',')} it'"'"'s $HOME \\\\ !x'\n}\n`,
  });

  it('a script whose values may all be shown rides in the exec request (one quoted word of base64); one with a hidden value goes on stdin', async () => {
    const { port, commands } = await shellServer(process.env.PATH ?? '/usr/bin:/bin');
    const session = await connect(options(port));
    try {
      const shown = await session.run(script({ KS_A: 'a b' }, ['KS_A']));
      expect(shown.sections.get('said')).toEqual(["v=a b it's $HOME \\\\ !x"]);
      expect(commands[0]).toMatch(
        /^\/bin\/sh -c 'command -v base64 >\/dev\/null 2>&1 \|\| exit 213; eval "\$\(printf %s [A-Za-z0-9+/=]+ \| base64 -d\)"'$/,
      );
      const hidden = await session.run(script({ KS_A: 'a', KS_CONTENT: 'secret' }, ['KS_A']));
      expect(hidden.sections.get('said')).toEqual(["v=a,secret it's $HOME \\\\ !x"]);
      expect(commands[1]).toBe('/bin/sh -s');
      expect(session.stats.commands).toBe(2);
    } finally {
      session.close();
    }
  });

  it('a host without base64: the inline script exits 213 before running anything and is sent again on stdin', async () => {
    const { port, commands } = await shellServer('/nonexistent');
    const session = await connect(options(port));
    try {
      const r = await session.run(script({ KS_A: 'a' }, ['KS_A']));
      expect(r.sections.get('said')).toEqual(["v=a it's $HOME \\\\ !x"]);
      expect(commands.map((c) => c.slice(0, 11))).toEqual(['/bin/sh -c ', '/bin/sh -s']);
      expect(session.stats.commands).toBe(2);
    } finally {
      session.close();
    }
  });
});
