import { statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { UsageError, UserError } from '../../src/errors.js';
import { DEFAULT_MIRRORS } from '../../src/kafka/distribution.js';
import { resolveInitOptions } from '../../src/options/init-options.js';
import { loadProfile, profilePath, saveProfile, type Profile } from '../../src/options/profile.js';
import type { Prompter } from '../../src/prompts.js';

const env = (): NodeJS.ProcessEnv => ({ XDG_CONFIG_HOME: scratchDir('ks-cfg-') });
const noTty = { isTTY: false };

/** Answers prompts from a list, recording the questions; fails on an unexpected one. */
function scripted(answers: Record<string, string>): Prompter & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async input(message, opts) {
      asked.push(message);
      const key = Object.keys(answers).find((k) => message.startsWith(k));
      const value = key === undefined ? opts?.default : answers[key];
      if (value === undefined) throw new Error(`unexpected prompt: ${message}`);
      return value;
    },
    async confirm() {
      return true;
    },
    async secret() {
      return '';
    },
  };
}

const profile: Profile = {
  host: '203.0.113.10', port: 2222, user: 'ubuntu', key: '/keys/k.pem', knownHosts: '/kh', kafkaVersion: '3.1.0',
  scalaVersion: '2.12', installDir: '~/kafka_2.12-3.1.0', heap: '400m', advertisedHost: 'kafka.example.com',
};

describe('init options', () => {
  it('takes flags, validates them and fills in the defaults', async () => {
    const o = await resolveInitOptions({ host: '203.0.113.10', key: '~/k.pem' }, { env: env(), stdin: noTty });
    expect(o).toMatchObject({
      host: '203.0.113.10', port: 22, user: 'ec2-user', kafkaVersion: '3.1.0', scalaVersion: '2.12', heap: 'auto',
      advertisedHost: '203.0.113.10', installDir: '~/kafka_2.12-3.1.0', mirrors: [...DEFAULT_MIRRORS], dryRun: false, interactive: false,
    });
    expect(o.keyPath.startsWith('/')).toBe(true);
    expect(o.keyPath.endsWith('/k.pem')).toBe(true);
  });

  it('without a terminal, a missing value is an error naming the flag', async () => {
    const err = await resolveInitOptions({ key: 'k.pem' }, { env: env(), stdin: noTty }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe('missing --host');
    expect((err as UsageError).exitCode).toBe(2);
  });

  it.each([
    [{ host: 'bad host' }, /--host/],
    [{ port: '70000' }, /--port/],
    [{ user: 'x;rm -rf ~' }, /--user/],
    [{ heap: 'lots' }, /--heap: "lots" is not a heap size/],
    [{ heap: '900g' }, /--heap: 900g is above 5g/],
    [{ kafkaVersion: '3.1' }, /--kafka-version/],
    [{ mirror: ['ftp://x/kafka'] }, /--mirror: .* must be an http/],
    [{ mirror: ["https://x/'$(id)"] }, /--mirror/],
    [{ installDir: 'relative/dir' }, /--install-dir/],
    [{ installDir: '~/../etc' }, /--install-dir/],
    [{ sha512: 'abc' }, /--sha512/],
    [{ advertisedHost: 'a\nb' }, /--advertised-host/],
  ])('refuses bad input %o', async (flags, message) => {
    await expect(resolveInitOptions({ host: '203.0.113.10', key: 'k', ...flags }, { env: env(), stdin: noTty })).rejects.toThrow(message);
  });

  it('uses the saved profile when no host, or the same host, is given', async () => {
    const e = env();
    await saveProfile('default', profile, e);
    const o = await resolveInitOptions({}, { env: e, stdin: noTty });
    expect(o).toMatchObject({ host: '203.0.113.10', port: 2222, user: 'ubuntu', heap: '400m', advertisedHost: 'kafka.example.com' });
    const flagWins = await resolveInitOptions({ host: '203.0.113.10', heap: '1g' }, { env: e, stdin: noTty });
    expect(flagWins.heap).toBe('1g');
  });

  it('ignores a profile of another host, so its advertised address is not reused', async () => {
    const e = env();
    await saveProfile('default', profile, e);
    const o = await resolveInitOptions({ host: '198.51.100.7', key: 'k' }, { env: e, stdin: noTty });
    expect(o.advertisedHost).toBe('198.51.100.7');
    expect(o.port).toBe(22);
  });

  it('stores profiles with mode 0600 and reports a damaged one with what to do', async () => {
    const e = env();
    await saveProfile('default', profile, e);
    expect(statSync(profilePath('default', e)).mode & 0o777).toBe(0o600);
    expect(await loadProfile('default', e)).toMatchObject(profile);
    writeFileSync(profilePath('default', e), '{ not json');
    const err = await loadProfile('default', e).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).hint).toMatch(/delete it/);
  });

  it('asks for what is missing on a terminal, with defaults', async () => {
    const p = scripted({ Host: '203.0.113.10', 'Private key': '/k.pem' });
    const o = await resolveInitOptions({}, { env: env(), prompter: p, stdin: { isTTY: true } });
    expect(p.asked.map((q) => q.split(' ')[0])).toEqual(['Host', 'SSH', 'Private', 'Address', 'Broker']);
    expect(o).toMatchObject({ host: '203.0.113.10', user: 'ec2-user', keyPath: '/k.pem', advertisedHost: '203.0.113.10', heap: 'auto' });
  });

  it('--no-interactive wins over a terminal', async () => {
    const p = scripted({});
    await expect(resolveInitOptions({ interactive: false }, { env: env(), prompter: p, stdin: { isTTY: true } })).rejects.toThrow('missing --host');
    expect(p.asked).toEqual([]);
  });

  it('refuses a bad profile name', async () => {
    await expect(resolveInitOptions({ profile: '../etc/passwd' }, { env: env(), stdin: noTty })).rejects.toThrow(/--profile/);
  });
});
