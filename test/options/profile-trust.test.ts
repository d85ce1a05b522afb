/**
 * A profile someone else could have written (it names the known_hosts file, the mirrors and the
 * checksum) is refused, file or directory: an error naming the path and the fix, whatever the caller's
 * tolerance for a damaged profile, and the command stops.
 */
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initCommand } from '../../src/commands/init.js';
import type { CommandIO } from '../../src/commands/io.js';
import { statusCommand } from '../../src/commands/status.js';
import { applicableProfile, clusterMembers, loadProfile, profileDir, profilePath, saveProfile } from '../../src/options/profile.js';
import { UnsafeProfileError } from '../../src/options/profile-file.js';
import { scratchDir } from '../support/scratch.js';

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
  cluster: [
    { id: 1, host: '10.0.0.1', user: 'ubuntu', port: 22, advertisedHost: '10.0.0.1' },
    { id: 2, host: '10.0.0.2', user: 'ubuntu', port: 22, advertisedHost: '10.0.0.2' },
  ],
};

/** A good profile in a fresh directory (0700, file 0600), as kafka-setup writes it. */
function saved(): { env: NodeJS.ProcessEnv; dir: string; path: string } {
  const env = { XDG_CONFIG_HOME: scratchDir('ks-profile-trust-') };
  const dir = profileDir(env);
  const path = profilePath('default', env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(path, JSON.stringify(profile), { mode: 0o600 });
  return { env, dir, path };
}

/** Refused both ways (with and without onDamaged), naming the path; the error, for its message and hint. */
async function refused(env: NodeJS.ProcessEnv, path: string): Promise<UnsafeProfileError> {
  const warnings: string[] = [];
  const tolerant = await loadProfile('default', env, (w) => warnings.push(w)).then(
    () => undefined,
    (e: unknown) => e,
  );
  const strict = await loadProfile('default', env).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(warnings).toEqual([]);
  expect(tolerant).toBeInstanceOf(UnsafeProfileError);
  expect(strict).toBeInstanceOf(UnsafeProfileError);
  const err = strict as UnsafeProfileError;
  expect(err.message).toContain(path);
  expect(err.exitCode).toBe(1);
  return err;
}

describe('a profile someone else could have written', () => {
  it('a good one loads', async () => {
    const { env } = saved();
    expect(await loadProfile('default', env)).toMatchObject({ host: '10.0.0.1' });
  });

  it('a group-writable file: refused, with the chmod that fixes it', async () => {
    const { env, path } = saved();
    chmodSync(path, 0o620);
    const err = await refused(env, path);
    expect(err.message).toMatch(/: its group can write it \(mode 620\)/);
    expect(err.hint).toContain(`chmod go-w '${path}'`);
    expect(err.hint).toContain(`rm '${path}'`);
  });

  it('a group-writable directory: refused, with the chmod that fixes it', async () => {
    const { env, dir } = saved();
    chmodSync(dir, 0o770);
    const err = await refused(env, dir);
    expect(err.message).toMatch(/the profile directory .*: its group can write it \(mode 770\)/);
    expect(err.hint).toContain(`chmod go-w '${dir}'`);
  });

  it('a world-writable directory without the profile: refused too (the one saved next could be replaced)', async () => {
    const { env, dir } = saved();
    chmodSync(dir, 0o707);
    const err = await loadProfile('other', env, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeProfileError);
    expect((err as UnsafeProfileError).message).toContain(dir);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'a file owned by another user: refused, with the chown (or rm) that fixes it (needs root to chown; skipped otherwise)',
    async () => {
      const { env, path } = saved();
      chownSync(path, 65534, 65534);
      const err = await refused(env, path);
      expect(err.message).toMatch(/owned by uid 65534, not by you \(uid 0\)/);
      expect(err.hint).toContain(`chown 0 '${path}'`);
      expect(err.hint).toContain(`rm '${path}'`);
    },
  );

  it("a symlink at the profile's name: refused, not followed", async () => {
    const { env, dir, path } = saved();
    const elsewhere = join(dir, 'elsewhere.json');
    writeFileSync(elsewhere, JSON.stringify(profile), { mode: 0o600 });
    rmSync(path);
    symlinkSync(elsewhere, path);
    const err = await refused(env, path);
    expect(err.message).toMatch(/is a symbolic link/);
    expect(err.hint).toContain(`rm '${path}'`);
  });

  it('not a regular file (a directory at its name)', async () => {
    const { env, path } = saved();
    rmSync(path);
    mkdirSync(path, { mode: 0o700 });
    const err = await refused(env, path);
    expect(err.message).toMatch(/not a regular file/);
  });
});

describe('the refusal stops the command, whoever reads the profile', () => {
  const unsafe = (): NodeJS.ProcessEnv => {
    const { env, path } = saved();
    chmodSync(path, 0o666);
    return env;
  };
  const io = (env: NodeJS.ProcessEnv): CommandIO => ({
    env,
    verbose: false,
    debug: false,
    signal: new AbortController().signal,
    prompter: () => {
      throw new Error('no prompt expected');
    },
    reporter: new Proxy(
      {},
      {
        get: () => () => {
          throw new Error('nothing should be reported');
        },
      },
    ) as CommandIO['reporter'],
  });

  it('the options of every command (applicableProfile with a warning callback)', async () => {
    await expect(applicableProfile({}, unsafe(), () => {})).rejects.toBeInstanceOf(UnsafeProfileError);
  });

  it('the saved cluster of status, start, stop and verify (clusterMembers)', async () => {
    await expect(clusterMembers({}, unsafe())).rejects.toBeInstanceOf(UnsafeProfileError);
    await expect(statusCommand({}, io(unsafe()))).rejects.toBeInstanceOf(UnsafeProfileError);
  });

  it('init, before asking anything (its first look at the profile used to ignore any error)', async () => {
    await expect(initCommand({ interactive: true }, io(unsafe()))).rejects.toBeInstanceOf(UnsafeProfileError);
    await expect(initCommand({ host: ['10.0.0.1', '10.0.0.2'], interactive: false }, io(unsafe()))).rejects.toBeInstanceOf(
      UnsafeProfileError,
    );
  });

  it('saving: refused, and the file is left as it is', async () => {
    const env = unsafe();
    const before = readFileSync(profilePath('default', env), 'utf8');
    await expect(saveProfile('default', { ...profile, heap: '1g' }, env)).rejects.toBeInstanceOf(UnsafeProfileError);
    expect(readFileSync(profilePath('default', env), 'utf8')).toBe(before);
  });

  it('saving into a group-writable directory: refused, though mkdir does not complain', async () => {
    const env = { XDG_CONFIG_HOME: scratchDir('ks-profile-trust-') };
    mkdirSync(profileDir(env), { mode: 0o700 });
    chmodSync(profileDir(env), 0o775);
    const err = await saveProfile('default', profile, env).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeProfileError);
    expect((err as UnsafeProfileError).hint).toContain(`chmod go-w '${profileDir(env)}'`);
    expect(readdirSync(profileDir(env))).toEqual([]);
  });
});
