import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { authConfig, authRefused } from '../../../src/remote/connect/auth.js';
import { sshKeyPair } from '../../support/ssh-keys.js';

const plain = Buffer.from(sshKeyPair('ed25519').private);
const encrypted = Buffer.from(sshKeyPair('ed25519', { passphrase: 's3cret-pass', cipher: 'aes256-ctr', rounds: 4 }).private);

describe('authConfig', () => {
  it('goes straight to publickey with the key, and no passphrase field when there is none', () => {
    const c = authConfig({ user: 'ec2-user', privateKey: plain });
    expect(c).toEqual({ username: 'ec2-user', privateKey: plain, authHandler: ['publickey'] });
    expect('passphrase' in c).toBe(false);
  });

  it('passes the passphrase of an encrypted key', () => {
    expect(authConfig({ user: 'u', privateKey: encrypted, passphrase: 's3cret-pass' }).passphrase).toBe('s3cret-pass');
  });

  it.each([
    ['an encrypted key without its passphrase', { privateKey: encrypted }],
    ['an encrypted key with a wrong passphrase', { privateKey: encrypted, passphrase: 'wrong' }],
    ['something that is no key at all', { privateKey: Buffer.from('-----BEGIN NOTHING-----\nAAAA\n-----END NOTHING-----\n') }],
  ])('%s is a UserError before any connection, never showing the key or passphrase', (_, c) => {
    let err: unknown;
    try {
      authConfig({ user: 'u', ...c });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    const text = `${(err as UserError).message} ${(err as UserError).hint}`;
    expect(text).toMatch(/^the private key cannot be used: /);
    expect(text).toContain('--key');
    expect(text).not.toContain('wrong');
    expect(text).not.toContain(c.privateKey.toString('utf8').split('\n')[1]!.slice(0, 20));
  });
});

describe('authRefused', () => {
  const at = { host: 'h.example', port: 22, user: 'ubuntu' };

  it('a client-authentication failure names the user and the usual default users', () => {
    const err = authRefused(
      Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' }),
      at,
    );
    expect(err?.message).toBe('h.example:22 refused the key for user "ubuntu"');
    expect(err?.hint).toMatch(/ec2-user .*--user/);
  });

  it('any other error is not an authentication refusal', () => {
    expect(authRefused(Object.assign(new Error('boom'), { level: 'protocol' }), at)).toBeUndefined();
  });
});
