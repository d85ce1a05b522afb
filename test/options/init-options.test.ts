import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError, UserError } from '../../src/errors.js';
import { DEFAULT_MIRRORS } from '../../src/kafka/distribution.js';
import { resolveInitOptions } from '../../src/options/init-options.js';
import { loadProfile, type Profile, profilePath, saveProfile } from '../../src/options/profile.js';
import { resolveVerifyOptions } from '../../src/options/verify-options.js';
import type { Prompter } from '../../src/prompts.js';
import { scratchDir } from '../support/scratch.js';

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

/** A prompter that validates each answer as inquirer does, taking the next answer when one is refused. */
function inquirerLike(answers: Record<string, string[]>): Prompter & { refused: string[] } {
  const refused: string[] = [];
  return {
    refused,
    async input(message, opts) {
      const key = Object.keys(answers).find((k) => message.startsWith(k));
      const queue = key === undefined ? [opts?.default ?? ''] : answers[key]!;
      for (const a of queue) {
        const problem = await opts?.validate?.(a);
        if (problem === undefined) return a;
        refused.push(problem);
      }
      throw new Error(`no acceptable answer to ${message}`);
    },
    async confirm() {
      return true;
    },
    async secret() {
      return '';
    },
  };
}

let keyPath: string | undefined;
/** A real PEM key (made once). */
function validKey(): string {
  if (keyPath) return keyPath;
  const path = join(scratchDir('ks-key-'), 'k.pem');
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-f', path]);
  keyPath = path;
  return path;
}

const profile: Profile = {
  host: '203.0.113.10',
  port: 2222,
  user: 'ubuntu',
  key: '/keys/k.pem',
  knownHosts: '/kh',
  kafkaVersion: '3.1.0',
  scalaVersion: '2.12',
  installDir: '~/kafka_2.12-3.1.0',
  heap: '400m',
  advertisedHost: 'kafka.example.com',
};

describe('init options', () => {
  it('takes flags, validates them and fills in the defaults', async () => {
    const o = await resolveInitOptions({ host: '203.0.113.10', key: '~/k.pem' }, { env: env(), stdin: noTty });
    expect(o).toMatchObject({
      host: '203.0.113.10',
      port: 22,
      user: 'ec2-user',
      kafkaVersion: '3.1.0',
      scalaVersion: '2.12',
      heap: 'auto',
      advertisedHost: '203.0.113.10',
      installDir: '~/kafka_2.12-3.1.0',
      mirrors: [...DEFAULT_MIRRORS],
      dryRun: false,
      interactive: false,
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

  it("another version goes beside the saved one: its own install directory and Scala build, the profile's other values kept", async () => {
    const e = env();
    await saveProfile('default', { ...profile, kafkaVersion: '3.1.0', scalaVersion: '2.12', installDir: '~/kafka_2.12-3.1.0' }, e);
    const o = await resolveInitOptions({ kafkaVersion: '4.4.0' }, { env: e, stdin: noTty });
    expect(o).toMatchObject({
      kafkaVersion: '4.4.0',
      scalaVersion: '2.13',
      installDir: '~/kafka_2.13-4.4.0',
      heap: '400m',
      advertisedHost: 'kafka.example.com',
    });
    const same = await resolveInitOptions({}, { env: e, stdin: noTty });
    expect(same).toMatchObject({ kafkaVersion: '3.1.0', scalaVersion: '2.12', installDir: '~/kafka_2.12-3.1.0' });
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

  it.each([
    ['{ "host": "secret-ish content', 'it is not valid JSON'],
    ['[1, 2]', 'it is not a JSON object'],
    [JSON.stringify({ ...profile, port: '22' }), '"port" is not a number'],
    [JSON.stringify({ ...profile, host: undefined }), '"host" is missing'],
    [JSON.stringify({ ...profile, mirrors: 'https://x' }), '"mirrors" is not a list of URLs'],
  ])('warns about a damaged profile in one line and ignores it when the flags are enough: %s', async (text, problem) => {
    const e = env();
    await saveProfile('default', profile, e);
    writeFileSync(profilePath('default', e), text);
    const warnings: string[] = [];
    const o = await resolveInitOptions({ host: '198.51.100.7', key: 'k' }, { env: e, stdin: noTty, warn: (m) => warnings.push(m) });
    expect(o.host).toBe('198.51.100.7');
    expect(warnings).toEqual([
      `ignoring the saved profile ${profilePath('default', e)}: ${problem}; delete it, or run kafka-setup init with your flags to write it anew`,
    ]);
    // The file's content is never quoted.
    expect(warnings[0]).not.toContain('secret-ish');
    // verify too.
    const v = await resolveVerifyOptions({ host: '198.51.100.7', key: 'k' }, { env: e, stdin: noTty, warn: (m) => warnings.push(m) });
    expect(v.connection?.host).toBe('198.51.100.7');
    expect(warnings).toHaveLength(2);
  });

  it('asks for what is missing on a terminal, with defaults', async () => {
    const p = scripted({ Host: '203.0.113.10', 'Private key': '/k.pem' });
    const o = await resolveInitOptions({}, { env: env(), prompter: p, stdin: { isTTY: true } });
    expect(p.asked.map((q) => q.split(' ')[0])).toEqual(['Host', 'SSH', 'Private', 'Address', 'Broker']);
    expect(o).toMatchObject({ host: '203.0.113.10', user: 'ec2-user', keyPath: '/k.pem', advertisedHost: '203.0.113.10', heap: 'auto' });
  });

  it('--yes on a terminal asks only for what has no default', async () => {
    const p = scripted({ Host: '203.0.113.10', 'Private key': '/k.pem' });
    const o = await resolveInitOptions({ yes: true }, { env: env(), prompter: p, stdin: { isTTY: true } });
    expect(p.asked.map((q) => q.split(' ')[0])).toEqual(['Host', 'Private']);
    expect(o).toMatchObject({ user: 'ec2-user', advertisedHost: '203.0.113.10', heap: 'auto' });
    const none = scripted({});
    await resolveInitOptions({ yes: true, host: '203.0.113.10', key: validKey() }, { env: env(), prompter: none, stdin: { isTTY: true } });
    expect(none.asked).toEqual([]);
  });

  it('asks again for a key file that does not exist, is a directory or is not a private key', async () => {
    const key = validKey();
    const dir = scratchDir('ks-keyask-');
    mkdirSync(join(dir, 'a-dir'));
    writeFileSync(join(dir, 'notes.txt'), 'hello\n');
    const p = inquirerLike({ 'Private key': [join(dir, 'missing.pem'), join(dir, 'a-dir'), join(dir, 'notes.txt'), `${key}.pub`, key] });
    const o = await resolveInitOptions({ host: '203.0.113.10', yes: true }, { env: env(), prompter: p, stdin: { isTTY: true } });
    expect(o.keyPath).toBe(key);
    expect(p.refused).toEqual([
      expect.stringMatching(/missing\.pem does not exist/),
      expect.stringMatching(/a-dir is a directory/),
      expect.stringMatching(/notes\.txt is not an SSH private key/),
      expect.stringMatching(/is a public key/),
    ]);
  });

  it('a wrong --key fails before the other questions are asked', async () => {
    const p = scripted({});
    await expect(resolveInitOptions({ key: '/nonexistent/k.pem' }, { env: env(), prompter: p, stdin: { isTTY: true } })).rejects.toThrow(
      'Host',
    );
    const q = scripted({ Host: '203.0.113.10' });
    await expect(resolveInitOptions({ key: '/nonexistent/k.pem' }, { env: env(), prompter: q, stdin: { isTTY: true } })).rejects.toThrow(
      /the key file \/nonexistent\/k\.pem does not exist/,
    );
    expect(q.asked.map((x) => x.split(' ')[0])).toEqual(['Host', 'SSH']);
  });

  it('--no-interactive wins over a terminal', async () => {
    const p = scripted({});
    await expect(resolveInitOptions({ interactive: false }, { env: env(), prompter: p, stdin: { isTTY: true } })).rejects.toThrow(
      'missing --host',
    );
    expect(p.asked).toEqual([]);
  });

  it.each([
    [{ kafkaVersion: '5.0.0' }, '--kafka-version: Kafka 5.0.0: kafka-setup sets up Kafka 3.0.0 to 4.x; it does not know Kafka 5 yet'],
    [{ scalaVersion: '2.11' }, /--scala-version: Scala 2\.11: Kafka is built for Scala 2\.12 and 2\.13 only/],
    [{ installDir: '~/my kafka' }, /--install-dir: .*whitespace/],
    [{ installDir: '/opt/a\\b' }, /--install-dir: /],
    [{ mirror: ['https://u:p@mirror.example/kafka'] }, /--mirror: the mirror URL contains credentials/],
    [{ mirror: ['https://mirror.example/k\u001b]52;c;x\u0007'] }, /--mirror: .*non-ASCII/],
  ])('refuses up front, with exit 2, %o', async (flags, message) => {
    const err = await resolveInitOptions({ host: '203.0.113.10', key: 'k', ...flags }, { env: env(), stdin: noTty }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(message);
    expect((err as UsageError).exitCode).toBe(2);
  });

  it('verify --bootstrap without --host checks from this machine only, even with a saved profile', async () => {
    const e = env();
    await saveProfile('default', profile, e);
    const local = await resolveVerifyOptions({ bootstrap: '198.51.100.7:9092' }, { env: e, stdin: noTty });
    expect(local.connection).toBeUndefined();
    expect(local.bootstrap).toEqual({ host: '198.51.100.7', port: 9092 });
    const both = await resolveVerifyOptions({ bootstrap: '198.51.100.7:9092', host: '203.0.113.10' }, { env: e, stdin: noTty });
    expect(both.connection?.host).toBe('203.0.113.10');
    const profileOnly = await resolveVerifyOptions({}, { env: e, stdin: noTty });
    expect(profileOnly.connection?.host).toBe('203.0.113.10');
  });

  it('refuses a bad profile name', async () => {
    await expect(resolveInitOptions({ profile: '../etc/passwd' }, { env: env(), stdin: noTty })).rejects.toThrow(/--profile/);
  });
});
