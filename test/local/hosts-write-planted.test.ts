/**
 * A symlink planted at the very name the temporary file gets (made guessable here by fixing the
 * random bytes) is not followed: the file is created exclusively, so the write fails and the
 * symlink's target is untouched.
 */
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { UserError } from '../../src/errors.js';
import { writeHostsFile } from '../../src/local/hosts-write.js';
import { scratchDir } from '../support/scratch.js';

const FIXED = Buffer.from('0011223344556677', 'hex');

vi.mock('node:crypto', async (original) => {
  const real = await original<typeof import('node:crypto')>();
  return { ...real, randomBytes: (n: number) => (n === 8 ? Buffer.from(FIXED) : real.randomBytes(n)) };
});

describe('the temporary file of a hosts write', () => {
  it('is created exclusively: a symlink planted at its name is not followed', async () => {
    const dir = scratchDir('ks-hosts-');
    const path = join(dir, 'hosts');
    writeFileSync(path, 'original\n');
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(dir, `.hosts.kafka-setup-${FIXED.toString('hex')}`));
    const err = await writeHostsFile(path, 'new\n', { interactive: false, expected: 'original\n', writable: async () => true }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/could not write .*EEXIST/);
    expect((err as UserError).hint).toBeDefined();
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readFileSync(path, 'utf8')).toBe('original\n');
    expect(readdirSync(dir).sort()).toEqual(['.hosts.kafka-setup-0011223344556677', 'hosts', 'victim']);
  });
});
