import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkHostKey,
  fingerprint,
  hostKeyAlgorithms,
  KnownHostsFileError,
  keyType,
  knownHostLine,
  knownHostsName,
  knownKeyTypes,
  readKnownHosts,
  recordHostKey,
} from '../../src/remote/known-hosts.js';
import { hashKnownHosts } from '../../src/remote/ssh-config.js';
import { scratchDir } from '../support/scratch.js';

/** An SSH wire-format ed25519 public key blob. */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const str = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
}

const key = ed25519Blob();
const other = ed25519Blob();
const line = (hosts: string, k = key): string => `${hosts} ${keyType(k)} ${k.toString('base64')}`;

describe('known_hosts', () => {
  it('names hosts as OpenSSH does', () => {
    expect(knownHostsName('Example.COM', 22)).toBe('example.com');
    expect(knownHostsName('1.2.3.4', 2222)).toBe('[1.2.3.4]:2222');
  });

  it('fingerprints like ssh-keygen -l', () => {
    expect(fingerprint(key)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('finds a known key, plain or with port', () => {
    expect(checkHostKey(line('1.2.3.4'), '1.2.3.4', 22, key).kind).toBe('known');
    expect(checkHostKey(line('[1.2.3.4]:2222'), '1.2.3.4', 2222, key).kind).toBe('known');
    expect(checkHostKey(line('1.2.3.4'), '1.2.3.4', 2222, key).kind).toBe('unknown');
    expect(checkHostKey(line('other,1.2.3.4'), '1.2.3.4', 22, key).kind).toBe('known');
  });

  it('matches hashed entries (HashKnownHosts yes)', () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[127.0.0.1]:2222').digest('base64');
    expect(checkHostKey(line(`|1|${salt.toString('base64')}|${hash}`), '127.0.0.1', 2222, key).kind).toBe('known');
    expect(checkHostKey(line(`|1|${salt.toString('base64')}|${hash}`), '127.0.0.2', 2222, key).kind).toBe('unknown');
  });

  it('honours wildcards and negation', () => {
    expect(checkHostKey(line('*.example.com'), 'a.example.com', 22, key).kind).toBe('known');
    expect(checkHostKey(line('*.example.com,!bad.example.com'), 'bad.example.com', 22, key).kind).toBe('unknown');
  });

  it('reports a changed key of the same type with the old fingerprint and line', () => {
    const status = checkHostKey(`# comment\n${line('1.2.3.4', other)}\n`, '1.2.3.4', 22, key);
    expect(status).toEqual({ kind: 'changed', knownFingerprints: [fingerprint(other)], lines: [2] });
  });

  it('treats a key of another type as unknown, and says which types are known', () => {
    const text = '1.2.3.4 ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBA==';
    expect(checkHostKey(text, '1.2.3.4', 22, key)).toEqual({ kind: 'unknown', knownTypes: ['ecdsa-sha2-nistp256'] });
    expect(knownKeyTypes(text, '1.2.3.4', 22)).toEqual(['ecdsa-sha2-nistp256']);
    expect(hostKeyAlgorithms(['ecdsa-sha2-nistp256'])[0]).toBe('ecdsa-sha2-nistp256');
    expect(hostKeyAlgorithms(['ssh-rsa']).slice(0, 2)).toEqual(['rsa-sha2-512', 'rsa-sha2-256']);
  });

  it('refuses @revoked keys and ignores @cert-authority lines', () => {
    expect(checkHostKey(`@revoked * ${keyType(key)} ${key.toString('base64')}`, 'h', 22, key).kind).toBe('revoked');
    expect(checkHostKey(`@cert-authority 1.2.3.4 ${keyType(key)} ${key.toString('base64')}`, '1.2.3.4', 22, key).kind).toBe('unknown');
  });

  it('records a new key in a file it creates, readable back as known', async () => {
    const dir = scratchDir('ks-kh-');
    const path = join(dir, '.ssh', 'known_hosts');
    await recordHostKey(path, '127.0.0.1', 2222, key);
    await recordHostKey(path, 'h', 22, other);
    const text = readFileSync(path, 'utf8');
    expect(text).toBe(`${knownHostLine('127.0.0.1', 2222, key)}\n${knownHostLine('h', 22, other)}\n`);
    expect(checkHostKey(text, '127.0.0.1', 2222, key).kind).toBe('known');
  });

  it('records hashed names when asked (HashKnownHosts yes), which still read back as known', async () => {
    const dir = scratchDir('ks-kh-');
    const path = join(dir, 'known_hosts');
    await recordHostKey(path, '203.0.113.10', 22, key, { hash: true });
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('203.0.113.10');
    expect(text).toMatch(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-/);
    expect(checkHostKey(text, '203.0.113.10', 22, key).kind).toBe('known');
  });

  it('a known_hosts path that is a directory is a KnownHostsFileError, not a crash', async () => {
    const dir = scratchDir('ks-kh-');
    await expect(readKnownHosts(dir)).rejects.toThrow(KnownHostsFileError);
    await expect(recordHostKey(dir, 'h', 22, key)).rejects.toThrow(/is a directory/);
  });
});

describe('HashKnownHosts from ssh_config', () => {
  const write = (text: string): string => {
    const dir = scratchDir('ks-sshcfg-');
    writeFileSync(join(dir, 'config'), text);
    return join(dir, 'config');
  };
  const none = '/nonexistent/ssh_config';

  it("follows Debian's system default (Host * … HashKnownHosts yes) unless the user says no first", () => {
    const system = write('Include /nonexistent.d/*.conf\nHost *\n    SendEnv LANG LC_*\n    HashKnownHosts yes\n');
    expect(hashKnownHosts('h', { user: none, system })).toBe(true);
    expect(hashKnownHosts('h', { user: write('HashKnownHosts no\n'), system })).toBe(false);
    expect(hashKnownHosts('h', { user: none, system: none })).toBe(false);
  });

  it('honours Host patterns and Include, skips Match blocks', () => {
    const dir = scratchDir('ks-sshcfg-');
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(join(dir, 'conf.d', 'a.conf'), 'Host *.example.com\n  HashKnownHosts=yes\n');
    writeFileSync(join(dir, 'config'), `Include ${join(dir, 'conf.d')}/*.conf\nMatch all\n  HashKnownHosts no\n`);
    const files = { user: join(dir, 'config'), system: none };
    expect(hashKnownHosts('kafka.example.com', files)).toBe(true);
    expect(hashKnownHosts('203.0.113.10', files)).toBe(false);
    expect(hashKnownHosts('h', { user: write('Host !h *\n HashKnownHosts yes\n'), system: none })).toBe(false);
  });
});
