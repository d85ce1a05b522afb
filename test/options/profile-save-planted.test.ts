/**
 * Saving never writes through a link planted beside the profile: not at the temporary name it used to
 * have (`<profile>.<pid>.tmp`), not at the unguessable one it has now (made guessable here by fixing the
 * random bytes), not at the profile's own name. The link's target is untouched each time, and no
 * temporary file is left behind.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadProfile, type Profile, profileDir, profilePath, saveProfile } from '../../src/options/profile.js';
import { UnsafeProfileError } from '../../src/options/profile-file.js';
import { scratchDir } from '../support/scratch.js';

const FIXED = Buffer.from('8899aabbccddeeff', 'hex');
const fixed = { on: false, failRename: false };

vi.mock('node:crypto', async (original) => {
  const real = await original<typeof import('node:crypto')>();
  return { ...real, randomBytes: (n: number) => (fixed.on && n === 8 ? Buffer.from(FIXED) : real.randomBytes(n)) };
});
vi.mock('node:fs/promises', async (original) => {
  const real = await original<typeof import('node:fs/promises')>();
  return {
    ...real,
    rename: async (from: string, to: string) =>
      fixed.failRename ? Promise.reject(Object.assign(new Error('EXDEV: planted failure'), { code: 'EXDEV' })) : real.rename(from, to),
  };
});

afterEach(() => {
  fixed.on = false;
  fixed.failRename = false;
});

const profile = {
  host: '10.0.0.1',
  port: 22,
  user: 'ubuntu',
  key: '/keys/k.pem',
  knownHosts: '/kh/known_hosts',
  kafkaVersion: '3.1.0',
  scalaVersion: '2.13',
  advertisedHost: '10.0.0.1',
  heap: '400m',
  installDir: '~/kafka_2.13-3.1.0',
} satisfies Profile;

/** A profile directory with a victim file beside it (outside it, as an attacker would aim). */
function setUp(): { env: NodeJS.ProcessEnv; dir: string; path: string; victim: string } {
  const root = scratchDir('ks-profile-save-');
  const env = { XDG_CONFIG_HOME: join(root, 'config') };
  const dir = profileDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const victim = join(root, 'victim');
  writeFileSync(victim, 'precious\n');
  return { env, dir, path: profilePath('default', env), victim };
}

describe('saving the profile', () => {
  it('a link at the old predictable temporary name is not followed; the profile is a plain 0600 file', async () => {
    const { env, dir, path, victim } = setUp();
    const planted = `${path}.${process.pid}.tmp`;
    symlinkSync(victim, planted);
    expect(await saveProfile('default', profile, env)).toBe(path);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(path).isFile()).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await loadProfile('default', env)).toMatchObject(profile);
    expect(readdirSync(dir).sort()).toEqual(['default.json', `default.json.${process.pid}.tmp`]);
  });

  it("a link at the profile's own name: refused, the link and its target left as they are", async () => {
    const { env, path, victim } = setUp();
    symlinkSync(victim, path);
    const err = await saveProfile('default', profile, env).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeProfileError);
    expect((err as UnsafeProfileError).message).toContain(path);
    expect((err as UnsafeProfileError).hint).toContain(`rm '${path}'`);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
  });

  it('a link at the very temporary name (guessed): created exclusively, so the save fails and the target is untouched', async () => {
    const { env, dir, victim } = setUp();
    fixed.on = true;
    const planted = join(dir, `.default.json.${FIXED.toString('hex')}.tmp`);
    symlinkSync(victim, planted);
    await expect(saveProfile('default', profile, env)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(planted).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir)).toEqual([planted.slice(dir.length + 1)]);
  });

  it('a failure after the temporary file was made removes it, and leaves the old profile', async () => {
    const { env, dir, path } = setUp();
    await saveProfile('default', profile, env);
    const before = readFileSync(path, 'utf8');
    fixed.failRename = true;
    await expect(saveProfile('default', { ...profile, heap: '1g' }, env)).rejects.toThrow(/planted failure/);
    expect(readdirSync(dir)).toEqual(['default.json']);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });
});
