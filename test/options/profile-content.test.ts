/**
 * A hand-edited profile gets no further than the command line would: each saved value is held to its
 * flag's rule, and a cluster's members may not share an id, a broker id or a server. A violation is a
 * damaged profile: a warning naming the field (onDamaged) and ignored, or an error — never the raw value.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import type { SavedMember } from '../../src/options/cluster-options.js';
import { loadProfile, profilePath } from '../../src/options/profile.js';
import { scratchDir } from '../support/scratch.js';

const base = {
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
  mirrors: ['https://archive.apache.org/dist/kafka'],
};
const member = (id: number, host: string, more: Partial<SavedMember> = {}): SavedMember => ({
  id,
  host,
  user: 'ubuntu',
  port: 22,
  advertisedHost: host,
  ...more,
});
const cluster = [member(1, '10.0.0.1'), member(2, '10.0.0.2'), member(3, '10.0.0.3')];

/** Writes the profile as a hand edit would, then loads it both ways: the warning, and the error. */
async function load(profile: Record<string, unknown>): Promise<{ warnings: string[]; loaded: unknown; error: unknown }> {
  const env = { XDG_CONFIG_HOME: scratchDir('ks-profile-content-') };
  const path = profilePath('default', env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, JSON.stringify(profile), { mode: 0o600 });
  const warnings: string[] = [];
  const loaded = await loadProfile('default', env, (w) => warnings.push(w));
  const error = await loadProfile('default', env).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { warnings, loaded, error };
}

async function damaged(profile: Record<string, unknown>, problem: RegExp): Promise<string> {
  const { warnings, loaded, error } = await load(profile);
  expect(loaded).toBeUndefined();
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(problem);
  expect(warnings[0]).toMatch(/^ignoring the saved profile .*default\.json: /);
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).message).toMatch(problem);
  expect((error as UserError).message).toMatch(/is damaged/);
  return warnings[0]!;
}

describe("a saved value is held to its flag's rule", () => {
  it('a valid single-server profile and a valid cluster profile still load', async () => {
    expect((await load(base)).loaded).toMatchObject({ port: 22 });
    const c = await load({ ...base, cluster: [...cluster.slice(0, 2), member(3, '10.0.0.1', { port: 2222, brokerId: 0 })] });
    expect(c.warnings).toEqual([]);
    expect(c.loaded).toMatchObject({ cluster: [{ id: 1 }, { id: 2 }, { id: 3, port: 2222, brokerId: 0 }] });
  });

  it('port 99999 at the top level', async () => {
    await damaged({ ...base, port: 99999 }, /"port": "99999" is not a TCP port; use a number from 1 to 65535/);
  });

  it('a user name a shell would read as commands', async () => {
    await damaged({ ...base, user: 'a b;$(x)' }, /"user": "a b;\$\(x\)" is not a valid user name/);
  });

  it('every saved field: a host, a mirror (each of the list), a checksum, a directory, a heap, a version', async () => {
    await damaged({ ...base, host: 'bad host' }, /"host": "bad host" is not a host name or IP address/);
    await damaged({ ...base, advertisedHost: 'x;reboot' }, /"advertisedHost": /);
    await damaged({ ...base, mirrors: ['https://ok.example/kafka', 'ftp://m.example'] }, /"mirrors": mirror .* must be an http/);
    await damaged({ ...base, sha512: 'abc' }, /"sha512": .*not a SHA-512 digest/);
    await damaged({ ...base, installDir: '/opt/k afka' }, /"installDir": .*whitespace/);
    await damaged({ ...base, heap: '99g' }, /"heap": 99g is above/);
    await damaged({ ...base, kafkaVersion: '5.0.0' }, /"kafkaVersion": Kafka 5\.0\.0: kafka-setup sets up Kafka 3\.0\.0 to 4\.x/);
    await damaged({ ...base, service: 'cron' }, /"service": "cron" is not one of/);
  });

  it('a value with control characters is shown escaped, never as it is', async () => {
    const warning = await damaged({ ...base, heap: '1\u001b]52;c;eA==\u0007g' }, /"heap": /);
    expect(warning).not.toMatch(/[\u0000-\u001f]/);
    expect(warning).toContain('\\x1b');
  });
});

describe('a saved cluster', () => {
  it("a member's port, user, host and advertised address, by the flags' rules", async () => {
    await damaged(
      { ...base, cluster: [cluster[0], member(2, '10.0.0.2', { port: 99999 })] },
      /"cluster" host 2, "port": "99999" is not a TCP port/,
    );
    await damaged(
      { ...base, cluster: [cluster[0], member(2, '10.0.0.2', { user: 'a b;$(x)' })] },
      /"cluster" host 2, "user": "a b;\$\(x\)" is not a valid user name/,
    );
    await damaged({ ...base, cluster: [member(1, 'a b'), cluster[1]] }, /"cluster" host 1, "host": "a b" is not a host name/);
    await damaged(
      { ...base, cluster: [cluster[0], member(2, '10.0.0.2', { advertisedHost: '$(x)' })] },
      /"cluster" host 2, "advertisedHost": /,
    );
  });

  it('two members with one id', async () => {
    await damaged({ ...base, cluster: [cluster[0], cluster[1], member(2, '10.0.0.3')] }, /"cluster" gives id 2 to hosts 2 and 3/);
  });

  it('two members with one broker id, given or taken from the id', async () => {
    await damaged(
      { ...base, cluster: [cluster[0], cluster[1], member(3, '10.0.0.3', { brokerId: 1 })] },
      /"cluster" gives broker id 1 to hosts 1 and 3/,
    );
    await damaged(
      { ...base, cluster: [member(1, '10.0.0.1', { brokerId: 7 }), member(2, '10.0.0.2', { brokerId: 7 })] },
      /"cluster" gives broker id 7 to hosts 1 and 2/,
    );
  });

  it("two members at one host and port, whatever the host's case", async () => {
    await damaged(
      { ...base, cluster: [member(1, 'kafka.example.com'), member(2, 'KAFKA.example.com')] },
      /"cluster" names one server twice: hosts 1 and 2 are both KAFKA\.example\.com port 22/,
    );
  });
});
