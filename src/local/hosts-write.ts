/**
 * Writing the hosts file: a one-time backup, then the new content in a temporary file renamed over
 * the original, so that a reader never sees a truncated file. When this user may not write it, the
 * same steps run under sudo (through execa): sudo asks for the password on the terminal itself, and
 * kafka-setup never sees it; without a terminal, `sudo -n`, and a clear error if that is not enough.
 */
import { constants } from 'node:fs';
import { access, copyFile, readFile, rename, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';

export const BACKUP_SUFFIX = '.kafka-setup.bak';

export interface WriteResult {
  backup: string | undefined;
  elevated: boolean;
  /** The rename was impossible (a bind-mounted file, as in containers): written in place instead. */
  inPlace: boolean;
}

/** Runs a command, feeding it stdin; the seam the tests replace. */
export type Runner = (cmd: string, args: string[], opts: { input: string; interactive: boolean }) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

export const execaRunner: Runner = async (cmd, args, opts) => {
  const { execa } = await import('execa');
  const r = await execa(cmd, args, {
    input: opts.input,
    // On a terminal sudo prompts on /dev/tty; its messages go straight to the user.
    stdout: 'pipe',
    stderr: opts.interactive ? 'inherit' : 'pipe',
    reject: false,
  });
  return { exitCode: r.exitCode ?? 1, stdout: typeof r.stdout === 'string' ? r.stdout : '', stderr: typeof r.stderr === 'string' ? r.stderr : '' };
};

async function writable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK);
    await access(dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function writeDirect(path: string, content: Buffer): Promise<WriteResult> {
  const backup = `${path}${BACKUP_SUFFIX}`;
  let madeBackup: string | undefined;
  try {
    await copyFile(path, backup, constants.COPYFILE_EXCL);
    madeBackup = backup;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const mode = (await stat(path)).mode & 0o7777;
  const tmp = `${path}.kafka-setup-tmp.${process.pid}`;
  await writeFile(tmp, content, { mode });
  await chmod(tmp, mode);
  try {
    await rename(tmp, path);
    return { backup: madeBackup, elevated: false, inPlace: false };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    await rm(tmp, { force: true });
    if (code !== 'EBUSY' && code !== 'EXDEV' && code !== 'EPERM') throw err;
    await writeFile(path, content);
    return { backup: madeBackup, elevated: false, inPlace: true };
  }
}

// Positional parameters only: the path never becomes part of the script text.
const SUDO_SCRIPT = [
  'f=$1; b=$f$2; t=$f.kafka-setup-tmp.$$',
  '[ -e "$b" ] && echo backup=existed || { cp -p "$f" "$b" && echo backup=made; } || exit 3',
  // A copy first, so the temporary file has the original's owner and mode; then the new content.
  'cp -p "$f" "$t" && cat > "$t" || { rm -f "$t"; exit 4; }',
  'if mv -f "$t" "$f" 2>/dev/null; then echo wrote=renamed; else cat "$t" > "$f" && rm -f "$t" && echo wrote=in-place; fi',
].join('\n');

async function writeWithSudo(path: string, content: Buffer, interactive: boolean, run: Runner): Promise<WriteResult> {
  const args = [...(interactive ? [] : ['-n']), '--', 'sh', '-c', SUDO_SCRIPT, 'kafka-setup', path, BACKUP_SUFFIX];
  const r = await run('sudo', args, { input: content.toString('latin1'), interactive });
  if (r.exitCode !== 0) {
    const needsPassword = /password is required|a terminal is required/i.test(r.stderr);
    throw new UserError(
      needsPassword
        ? `${path} is not writable by this user, and sudo needs a password, which cannot be asked without a terminal`
        : `could not write ${path} with sudo (exit ${r.exitCode})${r.stderr ? `: ${r.stderr.trim().split('\n').pop()}` : ''}`,
      { hint: needsPassword ? 'run the same command in a terminal (sudo will ask for your password), or as root' : `check that you may use sudo; ${path} was left as it was` },
    );
  }
  return {
    backup: r.stdout.includes('backup=made') ? `${path}${BACKUP_SUFFIX}` : undefined,
    elevated: true,
    inPlace: r.stdout.includes('wrote=in-place'),
  };
}

export async function readHostsFile(path: string): Promise<string> {
  try {
    return (await readFile(path)).toString('latin1');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, {
      hint: code === 'ENOENT' ? 'check --hosts-file' : 'run kafka-setup as a user who can read it',
    });
  }
}

export async function writeHostsFile(path: string, text: string, o: { interactive: boolean; run?: Runner }): Promise<WriteResult> {
  const content = Buffer.from(text, 'latin1');
  if (await writable(path)) return writeDirect(path, content);
  if (process.platform === 'win32') {
    throw new UserError(`${path} is not writable by this user`, { hint: 'run the terminal as Administrator and try again' });
  }
  return writeWithSudo(path, content, o.interactive, o.run ?? execaRunner);
}
