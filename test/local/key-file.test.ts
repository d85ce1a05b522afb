import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { inspectKey, keyFileProblem, passphraseWorks } from '../../src/local/key-file.js';
import { scratchDir } from '../support/scratch.js';

let dir: string;
const keygen = (args: string[]): void => {
  execFileSync('ssh-keygen', ['-q', ...args]);
};

beforeAll(() => {
  dir = scratchDir('ks-keys-');
  keygen(['-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-f', join(dir, 'ec2.pem')]);
  keygen(['-t', 'ed25519', '-N', '', '-f', join(dir, 'openssh')]);
  keygen(['-t', 'ed25519', '-N', 'correct horse', '-f', join(dir, 'encrypted')]);
  execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-out', join(dir, 'pkcs8.pem')], { stdio: 'ignore' });
  writeFileSync(join(dir, 'junk.pem'), 'not a key at all\n');
  mkdirSync(join(dir, 'a-directory'));
  for (const f of ['ec2.pem', 'openssh', 'encrypted', 'pkcs8.pem', 'junk.pem']) chmodSync(join(dir, f), 0o400);
});

async function problem(file: string): Promise<UserError> {
  const err = await inspectKey(join(dir, file)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

describe('the key file', () => {
  it('accepts the PEM key EC2 hands out and OpenSSH keys, and reports their mode', async () => {
    expect(await inspectKey(join(dir, 'ec2.pem'))).toMatchObject({ mode: 0o400, tooOpen: false, encrypted: false });
    expect((await inspectKey(join(dir, 'openssh'))).encrypted).toBe(false);
  });

  it('notices a key readable by others', async () => {
    chmodSync(join(dir, 'openssh'), 0o644);
    expect(await inspectKey(join(dir, 'openssh'))).toMatchObject({ mode: 0o644, tooOpen: true });
    chmodSync(join(dir, 'openssh'), 0o400);
  });

  it.each([
    ['missing.pem', /does not exist/, /--key PATH/],
    ['a-directory', /is a directory/, /\.pem file itself/],
    ['ec2.pem.pub', /is a public key/, /--key .*ec2\.pem$/],
    ['pkcs8.pem', /PKCS#8/, /ssh-keygen -p -m PEM/],
    ['junk.pem', /not an SSH private key/, /BEGIN RSA PRIVATE KEY/],
  ])('explains %s: what is wrong and what to do', async (file, message, hint) => {
    const err = await problem(file);
    expect(err.message).toMatch(message);
    expect(err.hint).toMatch(hint);
  });

  it('knows an encrypted key, and checks a passphrase without printing it', async () => {
    const key = await inspectKey(join(dir, 'encrypted'));
    expect(key.encrypted).toBe(true);
    expect(passphraseWorks(key.data, 'wrong')).toBe(false);
    expect(passphraseWorks(key.data, 'correct horse')).toBe(true);
    expect(readFileSync(join(dir, 'encrypted'), 'utf8')).toContain('OPENSSH PRIVATE KEY');
  });
});

describe('the key file typed at a prompt', () => {
  it('is accepted when it will do, and otherwise says what is wrong (the prompt asks again)', async () => {
    expect(await keyFileProblem(join(dir, 'ec2.pem'))).toBeUndefined();
    expect(await keyFileProblem(join(dir, 'encrypted'))).toBeUndefined();
    expect(await keyFileProblem(join(dir, 'nope.pem'))).toMatch(/nope\.pem does not exist/);
    expect(await keyFileProblem(join(dir, 'a-directory'))).toMatch(/is a directory/);
    expect(await keyFileProblem(join(dir, 'junk.pem'))).toMatch(/is not an SSH private key/);
    expect(await keyFileProblem(join(dir, 'openssh.pub'))).toMatch(/is a public key/);
  });
});
