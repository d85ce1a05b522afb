/**
 * sameServerMoved against an in-process ssh2 server on loopback: the profile's server is recognised
 * at a new address only when that address proves it holds the recorded key, not when it merely shows it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import ssh2 from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { type MoveQuestion, sameServerMoved } from '../../../src/remote/connect/moved-host.js';
import { checkHostKey, fingerprint, knownHostLine } from '../../../src/remote/known-hosts.js';
import { type KexTamper, kexTamperProxy } from '../../support/kex-tamper.js';
import { scratchDir } from '../../support/scratch.js';
import { sshKeyPair } from '../../support/ssh-keys.js';

function hostKeyPair(): { private: string; public: Buffer } {
  const pair = sshKeyPair('ed25519');
  const parsed = ssh2.utils.parseKey(pair.private);
  if (parsed instanceof Error) throw parsed;
  return { private: pair.private, public: parsed.getPublicSSH() };
}

const serverKey = hostKeyPair();
const was = { host: '198.51.100.7', port: 22 };

const servers: Array<{ close(): unknown }> = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** An SSH server with `key` that lets nobody in (the scan never authenticates). */
function sshServer(key = serverKey.private): Promise<number> {
  const server = new ssh2.Server({ hostKeys: [key] }, (client) => {
    client.on('authentication', (ctx) => ctx.reject());
    client.on('error', () => {});
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

async function tampered(how: KexTamper): Promise<number> {
  const proxy = await kexTamperProxy(await sshServer(), how);
  servers.push(proxy);
  return proxy.port;
}

/** A known_hosts that records the server's key for the profile's address. */
function knownHosts(): { path: string; before: string } {
  const path = join(scratchDir(), 'known_hosts');
  const before = `${knownHostLine(was.host, was.port, serverKey.public)}\n`;
  writeFileSync(path, before);
  return { path, before };
}

function question(port: number, path: string, over: Partial<MoveQuestion> = {}): MoveQuestion {
  return { host: '127.0.0.1', port, was, knownHostsPath: path, timeoutMs: 5000, record: true, hashKnownHosts: false, ...over };
}

describe('sameServerMoved', () => {
  it('the server proves it holds the recorded key at the new address: recognised, and the key recorded for it', async () => {
    const port = await sshServer();
    const kh = knownHosts();
    expect(await sameServerMoved(question(port, kh.path))).toBe(fingerprint(serverKey.public));
    const text = readFileSync(kh.path, 'utf8');
    expect(checkHostKey(text, '127.0.0.1', port, serverKey.public).kind).toBe('known');
    expect(text.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('in a dry run: recognised, nothing written', async () => {
    const port = await sshServer();
    const kh = knownHosts();
    expect(await sameServerMoved(question(port, kh.path, { record: false }))).toBe(fingerprint(serverKey.public));
    expect(readFileSync(kh.path, 'utf8')).toBe(kh.before);
  });

  it('another server (another key): not recognised, nothing written', async () => {
    const port = await sshServer(hostKeyPair().private);
    const kh = knownHosts();
    expect(await sameServerMoved(question(port, kh.path))).toBeUndefined();
    expect(readFileSync(kh.path, 'utf8')).toBe(kh.before);
  });

  it('a server that shows the recorded public key but cannot sign with it: not recognised, nothing written', async () => {
    const port = await tampered('corrupt-signature');
    const kh = knownHosts();
    expect(await sameServerMoved(question(port, kh.path))).toBeUndefined();
    await sleep(100);
    expect(readFileSync(kh.path, 'utf8')).toBe(kh.before);
  });

  it('the connection dropped right after the key was shown, before its signature was checked: not recognised, nothing written', async () => {
    const port = await tampered('drop-after-reply');
    const kh = knownHosts();
    expect(await sameServerMoved(question(port, kh.path))).toBeUndefined();
    await sleep(100);
    expect(readFileSync(kh.path, 'utf8')).toBe(kh.before);
  });
});
