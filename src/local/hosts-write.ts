/**
 * Writing the hosts file, only over what was read: the new content goes to a temporary file beside
 * the real one (symlinks resolved: the link stays a link), the file is compared with what was read,
 * a one-time backup is made, and the temporary file is renamed over it — so no reader sees a
 * half-written file and no edit made meanwhile is lost. Temporary and backup files are created
 * exclusively under unpredictable names, so nothing planted there is followed, even as root.
 * When this user may not write the file, the very same code runs as root under sudo (a node
 * process: hosts-elevated.ts); sudo asks for the password on the terminal itself and kafka-setup
 * never sees it; without a terminal, `sudo -n`, and a clear error if that is not enough.
 */

import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, link, mkdtemp, open, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';

export const BACKUP_SUFFIX = '.kafka-setup.bak';
/** The elevated writer prints its result (or its error) on one line after this marker. */
export const RESULT_MARKER = 'kafka-setup-hosts-result ';

export interface WriteResult {
  /** The file that was replaced: the path given, with symlinks resolved. */
  path: string;
  backup: string | undefined;
  elevated: boolean;
  /** The rename was impossible (a bind-mounted file, as in containers), or would have lost the file's owner: written in place instead. */
  inPlace: boolean;
}

/** Runs a command; the seam the tests replace. On a terminal it gets the terminal (sudo may ask). */
export type Runner = (
  cmd: string,
  args: string[],
  opts: { interactive: boolean },
) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

export const execaRunner: Runner = async (cmd, args, opts) => {
  const { execa } = await import('execa');
  const r = await execa(cmd, args, {
    // On a terminal sudo owns it: its password prompt and messages go straight to the user.
    stdin: opts.interactive ? 'inherit' : 'ignore',
    stdout: 'pipe',
    stderr: opts.interactive ? 'inherit' : 'pipe',
    reject: false,
  });
  return {
    exitCode: r.exitCode ?? 1,
    stdout: typeof r.stdout === 'string' ? r.stdout : '',
    stderr: typeof r.stderr === 'string' ? r.stderr : '',
  };
};

export function sha256(data: Buffer | string): string {
  return createHash('sha256')
    .update(typeof data === 'string' ? Buffer.from(data, 'latin1') : data)
    .digest('hex');
}

export function changedMeanwhile(path: string): UserError {
  return new UserError(`${path} changed while kafka-setup was running; run again`, {
    hint: 'another program edited it after kafka-setup read it; nothing was written — run the same command again to apply the change to the new content',
  });
}

const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/** A new file with a name nobody can guess, created exclusively (O_CREAT|O_EXCL: a planted symlink is not followed), mode 0600. */
async function exclusiveFile(
  dir: string,
  base: string,
  content: Buffer,
  like: { mode: number; uid: number; gid: number },
): Promise<{ path: string; ownerKept: boolean }> {
  const path = join(dir, `.${base}.kafka-setup-${randomBytes(8).toString('hex')}`);
  const fh = await open(path, 'wx', 0o600);
  let ownerKept = true;
  try {
    await fh.writeFile(content);
    // Owner first: chown clears set-id bits, and the mode must end up as the original's.
    try {
      await fh.chown(like.uid, like.gid);
    } catch (err) {
      if (code(err) !== 'EPERM' && code(err) !== 'EINVAL') throw err;
      ownerKept = false;
    }
    await fh.chmod(like.mode);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(path, { force: true });
    throw err;
  }
  await fh.close();
  return { path, ownerKept };
}

/** The one-time backup, complete or absent: a private copy hard-linked into place (link never overwrites nor follows). */
async function backupOnce(target: string, content: Buffer, like: { mode: number; uid: number; gid: number }): Promise<string | undefined> {
  const backup = `${target}${BACKUP_SUFFIX}`;
  const copy = await exclusiveFile(dirname(target), `${basename(target)}${BACKUP_SUFFIX}`, content, like);
  try {
    await link(copy.path, backup);
    return backup;
  } catch (err) {
    if (code(err) === 'EEXIST') return undefined;
    // Hard links unsupported here: exclusive create of the backup itself.
    try {
      await writeFile(backup, content, { flag: 'wx', mode: 0o600 });
      return backup;
    } catch (e) {
      if (code(e) === 'EEXIST') return undefined;
      throw e;
    }
  } finally {
    await rm(copy.path, { force: true });
  }
}

/**
 * Replaces the file at `path` (its symlink target) with `content`, if it still has the SHA-256
 * `expectedSha`. Runs as this user, or as root in hosts-elevated.ts. Every failure is a UserError.
 */
export async function replaceHostsFile(path: string, content: Buffer, expectedSha: string): Promise<Omit<WriteResult, 'elevated'>> {
  let target: string;
  try {
    target = await realpath(path);
  } catch (err) {
    throw new UserError(`cannot write ${path}: ${code(err) === 'ENOENT' ? 'it no longer exists' : (err as Error).message}`, {
      hint: 'check --hosts-file and run again',
    });
  }
  let tmp: string | undefined;
  try {
    const st = await stat(target);
    if (!st.isFile()) throw new UserError(`${target} is not a regular file`, { hint: 'point --hosts-file at the hosts file itself' });
    const like = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
    const made = await exclusiveFile(dirname(target), basename(target), content, like);
    tmp = made.path;
    // Right before replacing: the file must still be what was read (and shown, and confirmed).
    const current = await readFile(target);
    if (sha256(current) !== expectedSha) throw changedMeanwhile(path);
    const backup = await backupOnce(target, current, like);
    if (made.ownerKept) {
      try {
        await rename(tmp, target);
        tmp = undefined;
        return { path: target, backup, inPlace: false };
      } catch (err) {
        if (code(err) !== 'EBUSY' && code(err) !== 'EXDEV' && code(err) !== 'EPERM') throw err;
      }
    }
    // The same inode, so its owner, mode and any bind mount stay as they were.
    await writeFile(target, content);
    return { path: target, backup, inPlace: true };
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`could not write ${target}: ${(err as Error).message}`, {
      hint: `check the permissions of ${dirname(target)}; the file itself was left as it was unless the message says otherwise`,
    });
  } finally {
    if (tmp) await rm(tmp, { force: true });
  }
}

async function writable(path: string): Promise<boolean> {
  try {
    const target = await realpath(path);
    await access(target, constants.W_OK);
    await access(dirname(target), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The elevated writer, next to this module (hosts-elevated.js in dist; .ts under the tests). */
export function elevatedScript(): string {
  const self = fileURLToPath(import.meta.url);
  return join(dirname(self), `hosts-elevated${extname(self)}`);
}

type ElevatedResult = { ok: true; path: string; backup: string | null; inPlace: boolean } | { ok: false; message: string; hint?: string };

function parseResult(json: string): ElevatedResult {
  try {
    return JSON.parse(json) as ElevatedResult;
  } catch {
    return {
      ok: false,
      message: 'the elevated writer gave an unreadable answer',
      hint: 'run again; if it persists, run with --debug and report it',
    };
  }
}

async function writeWithSudo(path: string, content: Buffer, expectedSha: string, interactive: boolean, run: Runner): Promise<WriteResult> {
  // The content travels in a file only this user (and root) can read: stdin belongs to sudo's password prompt.
  let dir: string;
  const file = (d: string): string => join(d, 'content');
  try {
    dir = await mkdtemp(join(tmpdir(), 'kafka-setup-hosts-'));
  } catch (err) {
    throw new UserError(`cannot create a temporary directory in ${tmpdir()}: ${(err as Error).message}`, {
      hint: `free space or fix the permissions of ${tmpdir()} (or point TMPDIR elsewhere); ${path} was left as it was`,
    });
  }
  try {
    await writeFile(file(dir), content, { flag: 'wx', mode: 0o600 }).catch((err: unknown) => {
      throw new UserError(`cannot write a temporary file in ${dir}: ${(err as Error).message}`, {
        hint: `free space in ${tmpdir()} (or point TMPDIR elsewhere); ${path} was left as it was`,
      });
    });
    const args = [...(interactive ? [] : ['-n']), '--', process.execPath, elevatedScript(), path, expectedSha, file(dir)];
    const r = await run('sudo', args, { interactive });
    const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
    if (line) {
      const res = parseResult(line.slice(RESULT_MARKER.length));
      if (!res.ok) throw new UserError(res.message, { hint: res.hint ?? `${path} was left as it was` });
      return { path: res.path, backup: res.backup ?? undefined, elevated: true, inPlace: res.inPlace };
    }
    const needsPassword = /password is required|a terminal is required/i.test(r.stderr);
    throw new UserError(
      needsPassword
        ? `${path} is not writable by this user, and sudo needs a password, which cannot be asked without a terminal`
        : `could not write ${path} with sudo (exit ${r.exitCode})${r.stderr ? `: ${r.stderr.trim().split('\n').pop()}` : ''}`,
      {
        hint: needsPassword
          ? 'run the same command in a terminal (sudo will ask for your password), or as root'
          : `check that you may use sudo; ${path} was left as it was`,
      },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function readHostsFile(path: string): Promise<string> {
  try {
    return (await readFile(path)).toString('latin1');
  } catch (err) {
    const c = code(err);
    const why = c === 'ENOENT' ? 'no such file' : c === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new UserError(`cannot read ${path}: ${why}`, {
      hint:
        c === 'ENOENT' || c === 'EISDIR'
          ? 'point --hosts-file at an existing hosts file (or leave it out for the system one)'
          : 'run kafka-setup as a user who can read it',
    });
  }
}

export interface WriteOptions {
  /** The text read before the change was computed: the file is only replaced if it still holds exactly this. */
  expected: string;
  interactive: boolean;
  run?: Runner;
  /** Wraps the sudo call, which may ask for a password on the terminal (the command pauses its spinner). */
  aroundSudo?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Whether this user may replace the file; the tests replace it (they run as root). */
  writable?: (path: string) => Promise<boolean>;
}

export async function writeHostsFile(path: string, text: string, o: WriteOptions): Promise<WriteResult> {
  const content = Buffer.from(text, 'latin1');
  const expectedSha = sha256(o.expected);
  if (await (o.writable ?? writable)(path)) return { ...(await replaceHostsFile(path, content, expectedSha)), elevated: false };
  if (process.platform === 'win32') {
    throw new UserError(`${path} is not writable by this user`, { hint: 'run the terminal as Administrator and try again' });
  }
  const sudo = (): Promise<WriteResult> => writeWithSudo(path, content, expectedSha, o.interactive, o.run ?? execaRunner);
  return o.aroundSudo ? o.aroundSudo(sudo) : sudo();
}
