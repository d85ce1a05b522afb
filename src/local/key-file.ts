/**
 * The local preflight of the private key: it exists, is a private key ssh2 can use, and is not open
 * to other users (OpenSSH refuses such keys, so users expect a warning here too).
 */
import { chmod, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import ssh2 from 'ssh2';
import { UserError } from '../errors.js';

export interface KeyFile {
  path: string;
  mode: number;
  /** Readable or writable by group or others. */
  tooOpen: boolean;
  encrypted: boolean;
  data: Buffer;
}

/** Expands ~ and makes the path absolute (the profile stores absolute paths). */
export function localPath(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return resolve(path);
}

export async function inspectKey(path: string): Promise<KeyFile> {
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT')
      throw new UserError(`the key file ${path} does not exist`, {
        hint: 'pass the .pem file you downloaded when you created the key pair with --key PATH',
      });
    if (err.code === 'EACCES')
      throw new UserError(`the key file ${path} cannot be read (permission denied)`, {
        hint: 'run kafka-setup as the user who owns the key',
      });
    throw new UserError(`cannot read the key file ${path}: ${err.message}`);
  });
  if (st.isDirectory())
    throw new UserError(`${path} is a directory, not a key file`, { hint: 'pass the .pem file itself with --key PATH' });
  if (!st.isFile()) throw new UserError(`${path} is not a regular file`, { hint: 'pass the .pem file itself with --key PATH' });
  if (st.size > 64 * 1024)
    throw new UserError(`${path} is too large to be an SSH private key`, { hint: 'pass the .pem file of the key pair with --key PATH' });
  const data = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`cannot read the key file ${path}: ${err.message}`, { hint: 'run kafka-setup as the user who owns the key' });
  });
  const text = data.toString('latin1');
  const parsed = ssh2.utils.parseKey(data);
  let encrypted = false;
  if (parsed instanceof Error) {
    if (/passphrase/i.test(parsed.message) || text.includes('Proc-Type: 4,ENCRYPTED') || /BEGIN ENCRYPTED PRIVATE KEY/.test(text)) {
      encrypted = true;
      if (/BEGIN ENCRYPTED PRIVATE KEY/.test(text)) throw pkcs8Error(path);
    } else if (/^-{5}BEGIN PRIVATE KEY-{5}/m.test(text)) {
      throw pkcs8Error(path);
    } else {
      throw new UserError(`${path} is not an SSH private key kafka-setup can read`, {
        hint: 'use the .pem file EC2 gave you (it starts "BEGIN RSA PRIVATE KEY") or an OpenSSH key ("BEGIN OPENSSH PRIVATE KEY")',
      });
    }
  } else {
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key?.isPrivateKey()) {
      throw new UserError(`${path} is a public key; kafka-setup needs the private key`, {
        hint: path.endsWith('.pub')
          ? `pass the file without .pub: --key ${path.slice(0, -4)}`
          : 'pass the private key file (.pem) with --key PATH',
      });
    }
  }
  const mode = st.mode & 0o777;
  return { path, mode, tooOpen: process.platform !== 'win32' && (mode & 0o077) !== 0, encrypted, data };
}

/**
 * What is wrong with a key file typed at a prompt (it does not exist, is no private key…), with what
 * to do, or undefined when it will do (an encrypted or too-open key is dealt with later, with consent).
 */
export async function keyFileProblem(path: string): Promise<string | undefined> {
  try {
    await inspectKey(localPath(path));
    return undefined;
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    // At a prompt the remedy is another path, not another flag.
    return err.message;
  }
}

function pkcs8Error(path: string): UserError {
  return new UserError(`${path} is a PKCS#8 key ("BEGIN PRIVATE KEY"), which the SSH library cannot read`, {
    hint: `convert a copy to the PEM format EC2 uses: cp '${path}' key.pem && ssh-keygen -p -m PEM -f key.pem (keep the passphrase empty or enter yours), then pass --key key.pem`,
  });
}

/** Checks a passphrase against an encrypted key (without printing either). */
export function passphraseWorks(data: Buffer, passphrase: string): boolean {
  return !(ssh2.utils.parseKey(data, passphrase) instanceof Error);
}

export async function restrictKey(path: string): Promise<void> {
  await chmod(path, 0o400);
}
