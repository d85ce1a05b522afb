import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InterruptedError, UserError } from '../../../src/errors.js';
import {
  decideHostKey,
  HostKeyCheck,
  type HostKeyPolicy,
  loadKnownHosts,
  signatureRefused,
  type UnknownHost,
} from '../../../src/remote/connect/host-key.js';
import { fingerprint, keyType } from '../../../src/remote/known-hosts.js';
import { scratchDir } from '../../support/scratch.js';

/** An SSH wire-format public key blob of the given type (ed25519 or ecdsa-sha2-nistp256). */
function keyBlob(type: 'ed25519' | 'ecdsa' = 'ed25519'): Buffer {
  const str = (b: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  if (type === 'ed25519') {
    const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    return Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
  }
  const point = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'der', type: 'spki' }).subarray(-65);
  return Buffer.concat([str(Buffer.from('ecdsa-sha2-nistp256')), str(Buffer.from('nistp256')), str(point)]);
}

const key = keyBlob();
const line = (name: string, k = key, marker = ''): string => `${marker ? `${marker} ` : ''}${name} ${keyType(k)} ${k.toString('base64')}\n`;
const at = { host: '10.0.0.5', port: 2222, knownHostsPath: '/home/u/.ssh/known_hosts' };

describe('decideHostKey: known_hosts → accept / ask / refuse', () => {
  it.each([
    ['a recorded key', () => line('[10.0.0.5]:2222'), 'accept'],
    ['an empty known_hosts', () => '', 'ask'],
    ['a key recorded for port 22 only (another host for OpenSSH)', () => line('10.0.0.5'), 'ask'],
    ['another key of the same type', () => line('[10.0.0.5]:2222', keyBlob()), 'refuse'],
    ['a key of another type only', () => line('[10.0.0.5]:2222', keyBlob('ecdsa')), 'ask'],
    ['the key marked @revoked', () => line('[10.0.0.5]:2222') + line('*', key, '@revoked'), 'refuse'],
  ])('%s → %s', (_, text, expected) => {
    expect(decideHostKey(text(), at, key).kind).toBe(expected);
  });

  it('asks with the fingerprint, the key type and the types already known', () => {
    const d = decideHostKey(line('[10.0.0.5]:2222', keyBlob('ecdsa')), at, key);
    expect(d).toEqual({
      kind: 'ask',
      question: {
        host: '10.0.0.5',
        port: 2222,
        keyType: 'ssh-ed25519',
        fingerprint: fingerprint(key),
        knownTypes: ['ecdsa-sha2-nistp256'],
      },
    });
  });

  it('a changed key is refused with both fingerprints, the line, and the ssh-keygen -R to run', () => {
    const old = keyBlob();
    const d = decideHostKey(`# comment\n${line('[10.0.0.5]:2222', old)}`, at, key);
    if (d.kind !== 'refuse') throw new Error(d.kind);
    expect(d.error.message).toContain('has CHANGED');
    expect(d.error.message).toContain(fingerprint(key));
    expect(d.error.message).toContain(fingerprint(old));
    expect(d.error.message).toContain('(line 2)');
    expect(d.error.hint).toContain(`ssh-keygen -R '[10.0.0.5]:2222' -f '/home/u/.ssh/known_hosts'`);
  });

  it('a revoked key is refused as revoked', () => {
    const d = decideHostKey(line('*', key, '@revoked'), at, key);
    if (d.kind !== 'refuse') throw new Error(d.kind);
    expect(d.error.message).toMatch(/is marked @revoked in \/home\/u\/\.ssh\/known_hosts/);
  });
});

function check(known: string, policy: Partial<HostKeyPolicy> = {}, clock: string[] = []): HostKeyCheck {
  return new HostKeyCheck(
    known,
    { ...at, trustUnknownHost: async () => true, recordAcceptedKey: false, ...policy },
    {
      pause: () => clock.push('pause'),
      resume: () => clock.push('resume'),
    },
  );
}

/** Runs the verifier as ssh2 would and reports its answer, the clock's moves and what it refused. */
function verifyWith(known: string, policy: Partial<HostKeyPolicy>, k = key, c?: HostKeyCheck) {
  const clock: string[] = [];
  const hk = c ?? check(known, policy, clock);
  return new Promise<{ ok: boolean; clock: string[]; refusal: Error | undefined; check: HostKeyCheck }>((resolve) => {
    hk.verify(k, (ok) => resolve({ ok, clock: [...clock], refusal: hk.refusal, check: hk }));
  });
}

describe('HostKeyCheck (ssh2 hostVerifier)', () => {
  it('accepts a known key without asking or pausing the clock', async () => {
    let asked = false;
    const r = await verifyWith(line('[10.0.0.5]:2222'), { trustUnknownHost: async () => (asked = true) });
    expect(r).toMatchObject({ ok: true, clock: [], refusal: undefined });
    expect(asked).toBe(false);
  });

  it('refuses a changed key without asking, and keeps the reason', async () => {
    const r = await verifyWith(line('[10.0.0.5]:2222', keyBlob()), {
      trustUnknownHost: async () => {
        throw new Error('must not ask');
      },
    });
    expect(r.ok).toBe(false);
    expect(r.refusal?.message).toContain('has CHANGED');
  });

  it('stops the clock while the user is asked, and restarts it before answering ssh2', async () => {
    let question: UnknownHost | undefined;
    const r = await verifyWith('', {
      trustUnknownHost: async (q) => {
        question = q;
        return true;
      },
    });
    expect(r).toMatchObject({ ok: true, clock: ['pause', 'resume'], refusal: undefined });
    expect(question?.fingerprint).toBe(fingerprint(key));
  });

  it('an accepted key is not written when accepted, only once the handshake proved it (hashed when asked to), and said in the log', async () => {
    const dir = scratchDir();
    const path = join(dir, 'ssh', 'known_hosts');
    const logged: string[] = [];
    const r = await verifyWith('', { knownHostsPath: path, recordAcceptedKey: true, hashKnownHosts: true, log: (l) => logged.push(l) });
    expect(r.ok).toBe(true);
    expect(() => readFileSync(path)).toThrow(/ENOENT/);
    expect(logged).toEqual([]);
    await r.check.proven();
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/^\|1\|/);
    expect(decideHostKey(text, at, key).kind).toBe('accept');
    expect(logged).toEqual([`host key ${fingerprint(key)} recorded in ${path}`]);
    // ssh2 says 'handshake' again after a rekey: recorded once.
    await r.check.proven();
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('without a completed handshake nothing is recorded, whatever was answered', async () => {
    const path = join(scratchDir(), 'known_hosts');
    await verifyWith('', { knownHostsPath: path, recordAcceptedKey: true });
    expect(() => readFileSync(path)).toThrow(/ENOENT/);
    // A handshake without an accepted key (none was offered) records nothing either.
    await check('', { knownHostsPath: path, recordAcceptedKey: true }).proven();
    expect(() => readFileSync(path)).toThrow(/ENOENT/);
  });

  it('a refused key is not recorded even if a handshake were reported', async () => {
    const path = join(scratchDir(), 'known_hosts');
    const r = await verifyWith('', { knownHostsPath: path, recordAcceptedKey: true, trustUnknownHost: async () => false });
    expect(r.ok).toBe(false);
    await r.check.proven();
    expect(() => readFileSync(path)).toThrow(/ENOENT/);
  });

  it('a key already known is not recorded again', async () => {
    const dir = scratchDir();
    const path = join(dir, 'known_hosts');
    writeFileSync(path, line('[10.0.0.5]:2222'));
    const r = await verifyWith(line('[10.0.0.5]:2222'), { knownHostsPath: path, recordAcceptedKey: true });
    await r.check.proven();
    expect(readFileSync(path, 'utf8')).toBe(line('[10.0.0.5]:2222'));
  });

  it('does not write known_hosts when recording is off (--dry-run)', async () => {
    const path = join(scratchDir(), 'known_hosts');
    const logged: string[] = [];
    const r = await verifyWith('', { knownHostsPath: path, recordAcceptedKey: false, log: (l) => logged.push(l) });
    expect(r.ok).toBe(true);
    await r.check.proven();
    expect(() => readFileSync(path)).toThrow();
    expect(logged[0]).toContain('accepted for this run, not written to');
  });

  it('after the first key exchange, a rekey must present the proven key: accepted without asking; another key refused', async () => {
    let asked = 0;
    const first = await verifyWith('', { trustUnknownHost: async () => ++asked > 0 });
    await first.check.proven();
    expect((await verifyWith('', {}, key, first.check)).ok).toBe(true);
    expect(asked).toBe(1);
    const other = keyBlob();
    const r = await verifyWith('', {}, other, first.check);
    expect(r.ok).toBe(false);
    expect(asked).toBe(1);
    expect(r.refusal?.message).toBe(
      `[10.0.0.5]:2222 presented another host key (${fingerprint(other)}) when the connection renewed its keys`,
    );
  });

  it('a "no" is refused with how to compare the fingerprint', async () => {
    const r = await verifyWith('', { trustUnknownHost: async () => false });
    expect(r.ok).toBe(false);
    expect(r.clock).toEqual(['pause', 'resume']);
    expect(r.refusal).toBeInstanceOf(UserError);
    expect(r.refusal?.message).toBe(`the host key of [10.0.0.5]:2222 (${fingerprint(key)}) was not accepted`);
  });

  it('Ctrl-C at the question is an interruption (exit 130), not a refused connection', async () => {
    const r = await verifyWith('', {
      trustUnknownHost: async () => {
        throw new InterruptedError();
      },
    });
    expect(r.ok).toBe(false);
    expect(r.refusal).toBeInstanceOf(InterruptedError);
  });

  it('a UserError from the question (e.g. --yes for a host known by another key) is kept as is', async () => {
    const why = new UserError('known by its ecdsa key');
    const r = await verifyWith('', {
      trustUnknownHost: async () => {
        throw why;
      },
    });
    expect(r.refusal).toBe(why);
  });

  it('a known_hosts that cannot be written is said as such, when the proven key is recorded', async () => {
    const dir = scratchDir();
    mkdirSync(join(dir, 'known_hosts'));
    const r = await verifyWith('', { knownHostsPath: join(dir, 'known_hosts'), recordAcceptedKey: true });
    expect(r.ok).toBe(true);
    const err = await r.check.proven().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/^cannot use the known_hosts file .*known_hosts: it is a directory/);
  });

  it('offers the algorithms of the key types already known first', () => {
    expect(check(line('[10.0.0.5]:2222', keyBlob('ecdsa'))).algorithms[0]).toBe('ecdsa-sha2-nistp256');
  });
});

describe('signatureRefused', () => {
  it("ssh2's signature failure is said as a key the host could not prove; other errors are not", () => {
    const err = signatureRefused(new Error('Handshake failed: signature verification failed'), at);
    expect(err?.message).toBe(
      '10.0.0.5:2222 presented a host key it could not prove to hold (its signature does not verify); nothing was recorded',
    );
    expect(err?.hint).toContain('intercepted');
    expect(signatureRefused(new Error('Host denied (verification failed)'), at)).toBeUndefined();
  });
});

describe('loadKnownHosts', () => {
  it('a missing file is empty; a directory is a UserError naming --known-hosts', async () => {
    const dir = scratchDir();
    expect(await loadKnownHosts(join(dir, 'none'))).toBe('');
    writeFileSync(join(dir, 'kh'), line('x'));
    expect(await loadKnownHosts(join(dir, 'kh'))).toContain('ssh-ed25519');
    const err = await loadKnownHosts(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).hint).toContain('--known-hosts');
  });
});
