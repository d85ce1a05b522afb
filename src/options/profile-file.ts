/**
 * The profile's file on disk. A profile names the known_hosts file host keys are trusted from, the
 * mirrors and the checksum a tarball is trusted by: one that someone else could have written is
 * refused, never read, and writing one never follows a link planted where it goes.
 *
 * Refused, not ignored with a warning as a damaged profile is: ignoring it would go on to save a new
 * profile into a directory someone else can write, and they could replace it again before the next
 * run reads it. So loading and saving both stop, with the command that makes it safe.
 */
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UserError } from '../errors.js';
import { printable } from './validate.js';

/** The profile or its directory may have been written by someone else: it is neither read nor written. */
export class UnsafeProfileError extends UserError {
  constructor(message: string, hint: string) {
    super(message, { hint });
    this.name = 'UnsafeProfileError';
  }
}

const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;
const shown = (path: string): string => `'${printable(path)}'`;

/**
 * Who else could have written it, and the fix, or undefined. Root counts as oneself, as ssh counts it
 * for ~/.ssh: root can rewrite any file anyway. Without uids (Windows) there is nothing to compare.
 */
function othersCanWrite(s: Stats, what: string, path: string, remove: string): UnsafeProfileError | undefined {
  const me = process.getuid?.();
  if (me === undefined) return undefined;
  if (s.uid !== me && s.uid !== 0) {
    return new UnsafeProfileError(
      `refusing ${what} ${printable(path)}: it is owned by uid ${s.uid}, not by you (uid ${me})`,
      `if it is yours, take it back (as root: chown ${me} ${shown(path)}); otherwise ${remove}`,
    );
  }
  if ((s.mode & 0o022) !== 0) {
    const who = (s.mode & 0o022) === 0o022 ? 'its group and all users' : s.mode & 0o020 ? 'its group' : 'all users';
    return new UnsafeProfileError(
      `refusing ${what} ${printable(path)}: ${who} can write it (mode ${(s.mode & 0o777).toString(8).padStart(3, '0')})`,
      `make it writable by you only: chmod go-w ${shown(path)} (if you did not make it so, ${remove})`,
    );
  }
  return undefined;
}

/** Throws UnsafeProfileError when someone else could write into the profile directory; nothing to check while it does not exist. */
export async function checkProfileDir(dir: string): Promise<void> {
  let s: Stats;
  try {
    // Followed: a directory linked from dotfiles is fine; what counts is who can write the real one.
    s = await stat(dir);
  } catch (err) {
    if (code(err) === 'ENOENT') return;
    throw err;
  }
  const away = `move it away (mv ${shown(dir)} ${shown(`${dir}.untrusted`)}) and run kafka-setup init again with your flags`;
  if (!s.isDirectory()) throw new UnsafeProfileError(`refusing the profile directory ${printable(dir)}: it is not a directory`, away);
  const unsafe = othersCanWrite(s, 'the profile directory', dir, `${away}, after checking the profiles in it`);
  if (unsafe) throw unsafe;
}

const deleteIt = (path: string): string => `delete it (rm ${shown(path)}) and run kafka-setup init again with your flags`;

/**
 * The profile's text, or undefined when there is none. Opened without following a link and checked
 * on the open file (no window between the check and the read); non-blocking, so that a FIFO planted
 * there cannot hang the command. Errors other than a refusal (EACCES…) are thrown as they are.
 */
export async function readProfileFile(path: string): Promise<string | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    if (code(err) === 'ENOENT') return undefined;
    // ELOOP: O_NOFOLLOW met a link (EMLINK on some BSDs).
    if (code(err) === 'ELOOP' || code(err) === 'EMLINK') throw linkRefused(path);
    throw err;
  }
  try {
    const s = await fh.stat();
    if (!s.isFile())
      throw new UnsafeProfileError(`refusing the saved profile ${printable(path)}: it is not a regular file`, deleteIt(path));
    const unsafe = othersCanWrite(s, 'the saved profile', path, deleteIt(path));
    if (unsafe) throw unsafe;
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

function linkRefused(path: string): UnsafeProfileError {
  return new UnsafeProfileError(
    `refusing the saved profile ${printable(path)}: it is a symbolic link, and kafka-setup reads and writes only a file of its own there`,
    `delete the link (rm ${shown(path)}) and run kafka-setup init again with your flags, or put the file it points to in its place`,
  );
}

/**
 * Writes the profile: to a temporary file under a name nobody can guess, created exclusively (a link
 * planted there is not followed) with mode 0600, then renamed over the profile (a rename replaces a
 * link; it never writes through one). The directory is checked after mkdir, which leaves an existing
 * directory's mode as it is.
 */
export async function writeProfileFile(dir: string, path: string, text: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await checkProfileDir(dir);
  const there = await lstat(path).catch((err: unknown) => {
    if (code(err) === 'ENOENT') return undefined;
    throw err;
  });
  if (there?.isSymbolicLink()) throw linkRefused(path);
  if (there && !there.isFile())
    throw new UnsafeProfileError(
      `refusing to write the saved profile ${printable(path)}: something other than a file is there`,
      deleteIt(path),
    );
  const tmp = join(dir, `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  // From here the temporary file is ours (whatever was planted at its name made open fail, and is left alone).
  try {
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
