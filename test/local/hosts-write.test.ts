import { readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { writeHostsFile, type Runner } from '../../src/local/hosts-write.js';
import { scratchDir } from '../support/scratch.js';

describe('writing the hosts file', () => {
  it('replaces it by rename, keeping its mode, and backs up the original once', async () => {
    const dir = scratchDir('ks-hosts-');
    const path = join(dir, 'hosts');
    writeFileSync(path, 'original\n');
    chmodSync(path, 0o644);
    const first = await writeHostsFile(path, 'second\n', { interactive: false });
    expect(first).toEqual({ backup: `${path}.kafka-setup.bak`, elevated: false, inPlace: false });
    await writeHostsFile(path, 'third\n', { interactive: false });
    expect(readFileSync(path, 'utf8')).toBe('third\n');
    expect(readFileSync(`${path}.kafka-setup.bak`, 'utf8')).toBe('original\n');
    expect(statSync(path).mode & 0o777).toBe(0o644);
  });

  it('says what to do when sudo needs a password and there is no terminal', async () => {
    const run: Runner = async () => ({ exitCode: 1, stdout: '', stderr: 'sudo: a password is required\n' });
    const calls: string[][] = [];
    const spy: Runner = async (cmd, args, o) => {
      calls.push([cmd, ...args]);
      return run(cmd, args, o);
    };
    // A path this user cannot write: the parent directory is not writable (we are root in CI, so
    // fake it with a path under /proc, which nobody can write).
    const err = await writeHostsFile('/proc/kafka-setup-test-hosts', 'x\n', { interactive: false, run: spy }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/sudo needs a password/);
    expect((err as UserError).hint).toMatch(/in a terminal/);
    expect(calls[0]!.slice(0, 3)).toEqual(['sudo', '-n', '--']);
    // The path travels as an argument, never inside the script.
    expect(calls[0]![4]).not.toContain('kafka-setup-test-hosts');
  });
});
