/** The saved profile is derived from the declarations: what init saves is what the next run reads. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionDeclarations } from '../../src/options/connection-options.js';
import { savedFields } from '../../src/options/declare.js';
import { initDeclarations } from '../../src/options/init-declarations.js';
import { resolveInitOptions } from '../../src/options/init-options.js';
import { loadProfile, profileOf, profilePath, saveProfile } from '../../src/options/profile.js';
import { scratchDir } from '../support/scratch.js';

const env = (): NodeJS.ProcessEnv => ({ XDG_CONFIG_HOME: scratchDir('ks-profile-') });
const noTty = { isTTY: false };
const sha = 'ab'.repeat(64);

/** Every saved option away from its default, so that a field lost on the way would show. */
const flags = {
  host: '203.0.113.10',
  port: '2222',
  user: 'ubuntu',
  key: '/keys/k.pem',
  knownHosts: '/kh/known_hosts',
  kafkaVersion: '3.2.0',
  scalaVersion: '2.13',
  advertisedHost: 'kafka.example.com',
  heap: '1g',
  installDir: '/opt/kafka',
  mirror: ['https://m1.example/kafka'],
  sha512: sha,
};

describe('the saved profile', () => {
  it('keeps the fields and types it always had, so that existing profiles still load', () => {
    expect(
      savedFields(connectionDeclarations, initDeclarations)
        .map((f) => `${f.key}:${f.list ? 'list' : f.number ? 'number' : 'string'}${f.optional ? '?' : ''}`)
        .sort(),
    ).toEqual([
      'advertisedHost:string',
      'heap:string',
      'host:string',
      'installDir:string',
      'kafkaVersion:string',
      'key:string',
      'knownHosts:string',
      'mirrors:list?',
      'port:number',
      'scalaVersion:string',
      'service:string?',
      'sha512:string?',
      'user:string',
    ]);
  });

  it('every saved option round-trips: saved by one run, it is what the next run resolves without flags', async () => {
    const e = env();
    const first = await resolveInitOptions(flags, { env: e, stdin: noTty });
    await saveProfile(first.profile, profileOf(first), e);
    const again = await resolveInitOptions({}, { env: e, stdin: noTty });
    expect(again).toEqual(first);
    expect(JSON.parse(readFileSync(profilePath('default', e), 'utf8'))).toMatchObject({
      port: 2222,
      key: '/keys/k.pem',
      mirrors: ['https://m1.example/kafka'],
      sha512: sha,
    });
  });

  it('a checksum is not saved when there is none, and not reused for another version', async () => {
    const e = env();
    const first = await resolveInitOptions({ ...flags, sha512: undefined }, { env: e, stdin: noTty });
    expect(profileOf(first)).not.toHaveProperty('sha512');
    await saveProfile('default', profileOf(await resolveInitOptions(flags, { env: e, stdin: noTty })), e);
    expect((await resolveInitOptions({ kafkaVersion: '3.3.1' }, { env: e, stdin: noTty })).sha512).toBeUndefined();
  });

  it('a profile written by an earlier version (its own field order) loads, and the same values do not rewrite it', async () => {
    const e = env();
    const path = profilePath('default', e);
    mkdirSync(dirname(path), { recursive: true });
    const old = `${JSON.stringify(
      {
        host: '203.0.113.10',
        port: 22,
        user: 'ec2-user',
        key: '/keys/k.pem',
        knownHosts: '/kh',
        kafkaVersion: '3.1.0',
        scalaVersion: '2.12',
        installDir: '~/kafka_2.12-3.1.0',
        heap: '400m',
        advertisedHost: '203.0.113.10',
        mirrors: ['https://archive.apache.org/dist/kafka'],
        savedAt: '2026-01-01T00:00:00.000Z',
      },
      null,
      2,
    )}\n`;
    writeFileSync(path, old, { mode: 0o600 });
    const o = await resolveInitOptions({}, { env: e, stdin: noTty });
    expect(o).toMatchObject({
      host: '203.0.113.10',
      installDir: '~/kafka_2.12-3.1.0',
      heap: '400m',
      mirrors: ['https://archive.apache.org/dist/kafka'],
    });
    expect(await loadProfile('default', e)).toMatchObject({ port: 22, savedAt: '2026-01-01T00:00:00.000Z' });
    await saveProfile('default', profileOf(o), e);
    expect(readFileSync(path, 'utf8')).toBe(old);
  });
});

describe("a profile's server at a new address", () => {
  const saved = async (advertisedHost: string): Promise<NodeJS.ProcessEnv> => {
    const e = env();
    await saveProfile(
      'default',
      profileOf(await resolveInitOptions({ ...flags, host: '198.51.100.7', advertisedHost }, { env: e, stdin: noTty })),
      e,
    );
    return e;
  };

  it('recognised by its host key: the profile applies with the new address, and an advertised address that followed the host follows it', async () => {
    const e = await saved('198.51.100.7');
    const asked: unknown[] = [];
    const o = await resolveInitOptions(
      { host: '203.0.113.99', knownHosts: '/other/known_hosts' },
      {
        env: e,
        stdin: noTty,
        recognise: async (q) => {
          asked.push(q);
          return 'SHA256:same';
        },
      },
    );
    expect(asked).toEqual([
      { host: '203.0.113.99', port: 2222, was: { host: '198.51.100.7', port: 2222 }, knownHostsPath: '/other/known_hosts' },
    ]);
    expect(o).toMatchObject({
      host: '203.0.113.99',
      advertisedHost: '203.0.113.99',
      user: 'ubuntu',
      keyPath: '/keys/k.pem',
      installDir: '/opt/kafka',
      heap: '1g',
    });
  });

  it('an advertised name of its own (a DNS name, an Elastic IP) is kept', async () => {
    const e = await saved('kafka.example.com');
    const o = await resolveInitOptions({ host: '203.0.113.99' }, { env: e, stdin: noTty, recognise: async () => 'SHA256:same' });
    expect(o).toMatchObject({ host: '203.0.113.99', advertisedHost: 'kafka.example.com' });
  });

  it('another key, or no answer: the profile does not apply (its key and user never go to another machine)', async () => {
    const e = await saved('198.51.100.7');
    await expect(resolveInitOptions({ host: '203.0.113.99' }, { env: e, stdin: noTty, recognise: async () => undefined })).rejects.toThrow(
      /missing --key/,
    );
  });

  it("the profile's own address asks nothing", async () => {
    const e = await saved('198.51.100.7');
    let asked = 0;
    await resolveInitOptions(
      { host: '198.51.100.7' },
      {
        env: e,
        stdin: noTty,
        recognise: async () => {
          asked++;
          return 'x';
        },
      },
    );
    await resolveInitOptions(
      {},
      {
        env: e,
        stdin: noTty,
        recognise: async () => {
          asked++;
          return 'x';
        },
      },
    );
    expect(asked).toBe(0);
  });
});
