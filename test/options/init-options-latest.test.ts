/** init's options with --kafka-version latest: read from the mirrors, then as if the version were typed. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { DEFAULT_MIRRORS } from '../../src/kafka/distribution.js';
import type { Page } from '../../src/local/fetch-page.js';
import { resolveInitOptions } from '../../src/options/init-options.js';
import { loadProfile, profileOf, saveProfile } from '../../src/options/profile.js';
import { scratchDir } from '../support/scratch.js';

const env = (): NodeJS.ProcessEnv => ({ XDG_CONFIG_HOME: scratchDir('ks-cfg-') });
const noTty = { isTTY: false };
const listing = (...versions: string[]): Page => ({ ok: true, text: versions.map((v) => `<a href="${v}/">${v}/</a>`).join('\n') });

function fake(pages: Record<string, Page>): ((url: string) => Promise<Page>) & { asked: string[] } {
  const asked: string[] = [];
  return Object.assign(
    async (url: string) => {
      asked.push(url);
      return pages[url] ?? { ok: false, reason: 'HTTP 404' };
    },
    { asked },
  );
}

describe('init options with --kafka-version latest', () => {
  it('resolves it over the mirrors given, says so, and the Scala build and install directory follow', async () => {
    const read = fake({ 'http://good/kafka/': listing('3.1.0', '4.1.1', '4.4.0') });
    const said: string[] = [];
    const o = await resolveInitOptions(
      { host: '203.0.113.10', key: 'k', kafkaVersion: 'latest', mirror: ['http://missing/kafka', 'http://good/kafka/'] },
      { env: env(), stdin: noTty, fetchPage: read, info: (m) => said.push(m) },
    );
    expect(o).toMatchObject({ kafkaVersion: '4.4.0', scalaVersion: '2.13', installDir: '~/kafka_2.13-4.4.0' });
    expect(read.asked).toEqual(['http://missing/kafka/', 'http://good/kafka/']);
    expect(said).toEqual(['--kafka-version latest: 4.4.0, the newest release http://good/kafka/ lists']);
  });

  it('reads the default mirrors when none is given, in their order', async () => {
    const read = fake({ [`${DEFAULT_MIRRORS[1]}/`]: listing('4.1.1') });
    const o = await resolveInitOptions(
      { host: '203.0.113.10', key: 'k', kafkaVersion: 'latest' },
      { env: env(), stdin: noTty, fetchPage: read },
    );
    expect(o.kafkaVersion).toBe('4.1.1');
    expect(read.asked).toEqual(DEFAULT_MIRRORS.slice(0, 2).map((m) => `${m}/`));
  });

  it('saves the version it resolved, never "latest", and a re-run keeps it', async () => {
    const e = env();
    const read = fake({ 'http://good/kafka/': listing('4.4.0') });
    const o = await resolveInitOptions(
      { host: '203.0.113.10', key: 'k', kafkaVersion: 'latest', mirror: ['http://good/kafka'] },
      { env: e, stdin: noTty, fetchPage: read },
    );
    await saveProfile('default', { ...profileOf(o), heap: '400m' }, e);
    expect(await loadProfile('default', e)).toMatchObject({
      kafkaVersion: '4.4.0',
      scalaVersion: '2.13',
      installDir: '~/kafka_2.13-4.4.0',
      mirrors: ['http://good/kafka'],
    });
    // A newer release since: the re-run without --kafka-version stays on the saved one, and asks no mirror.
    const later = fake({ 'http://good/kafka/': listing('4.4.0', '4.5.0') });
    const again = await resolveInitOptions({}, { env: e, stdin: noTty, fetchPage: later });
    expect(again.kafkaVersion).toBe('4.4.0');
    expect(later.asked).toEqual([]);
  });

  it("reads the saved profile's mirrors", async () => {
    const e = env();
    const first = await resolveInitOptions(
      { host: '203.0.113.10', key: 'k', kafkaVersion: '3.1.0', mirror: ['http://saved/kafka'] },
      { env: e, stdin: noTty },
    );
    await saveProfile('default', { ...profileOf(first), heap: '400m' }, e);
    const read = fake({ 'http://saved/kafka/': listing('4.1.1') });
    expect((await resolveInitOptions({ kafkaVersion: 'latest' }, { env: e, stdin: noTty, fetchPage: read })).kafkaVersion).toBe('4.1.1');
    expect(read.asked).toEqual(['http://saved/kafka/']);
  });

  it('refuses --sha512 beside it before asking any mirror (exit 2)', async () => {
    const read = fake({});
    const err = await resolveInitOptions(
      { host: '203.0.113.10', key: 'k', kafkaVersion: 'latest', sha512: 'a'.repeat(128) },
      { env: env(), stdin: noTty, fetchPage: read },
    ).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(/--sha512 cannot go with --kafka-version latest/);
    expect(read.asked).toEqual([]);
  });

  it('bad connection flags or mirrors are refused before any mirror is asked', async () => {
    const read = fake({});
    await expect(
      resolveInitOptions(
        { host: '203.0.113.10', key: 'k', port: '70000', kafkaVersion: 'latest' },
        { env: env(), stdin: noTty, fetchPage: read },
      ),
    ).rejects.toThrow(/--port/);
    await expect(
      resolveInitOptions(
        { host: '203.0.113.10', key: 'k', kafkaVersion: 'latest', mirror: ['ftp://x'] },
        { env: env(), stdin: noTty, fetchPage: read },
      ),
    ).rejects.toThrow(/--mirror/);
    expect(read.asked).toEqual([]);
  });

  it('with no mirror listing a release: the error, nothing resolved', async () => {
    await expect(
      resolveInitOptions(
        { host: '203.0.113.10', key: 'k', kafkaVersion: 'latest', mirror: ['http://portal/kafka'] },
        {
          env: env(),
          stdin: noTty,
          fetchPage: fake({ 'http://portal/kafka/': { ok: true, text: '<h1>Log in</h1>' } }),
        },
      ),
    ).rejects.toThrow(/no mirror answered with a list of Kafka releases/);
  });
});
