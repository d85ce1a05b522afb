import { describe, expect, it } from 'vitest';
import { UsageError, UserError } from '../../src/errors.js';
import type { Page } from '../../src/local/fetch-page.js';
import { latestFlagsProblem, latestText, resolveLatest } from '../../src/options/latest-version.js';

const listing = (...versions: string[]): Page => ({
  ok: true,
  text: `<pre>${versions.map((v) => `<a href="${v}/">${v}/</a>\n`).join('')}<a href="KEYS">KEYS</a></pre>`,
});

/** Answers each URL from a table, recording the order asked. */
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

describe('--kafka-version latest over the mirrors', () => {
  it('takes the newest release of the first mirror that lists one, and asks no further', async () => {
    const read = fake({ 'https://a/kafka/': listing('3.9.1', '4.1.1'), 'https://b/kafka/': listing('4.4.0') });
    expect(await resolveLatest(['https://a/kafka', 'https://b/kafka'], read)).toEqual({ version: '4.1.1', listing: 'https://a/kafka/' });
    expect(read.asked).toEqual(['https://a/kafka/']);
  });

  it('moves on from a mirror that fails, answers with no listing, or lists nothing kafka-setup sets up', async () => {
    const read = fake({
      'https://stall/': { ok: false, reason: 'no answer within 10 s' },
      'https://portal/': { ok: true, text: '<html><body>Please log in.</body></html>' },
      'https://future/': listing('5.0.0', '5.1.0'),
      'https://good/': listing('3.1.0', '4.1.1', '4.4.0'),
    });
    const r = await resolveLatest(['https://missing', 'https://stall', 'https://portal', 'https://future', 'https://good'], read);
    expect(read.asked).toEqual(['https://missing/', 'https://stall/', 'https://portal/', 'https://future/', 'https://good/']);
    // The newer major listed on the way is said, not taken.
    expect(r).toEqual({ version: '4.4.0', listing: 'https://good/', newerUnsupported: '5.1.0' });
  });

  it('skips releases kafka-setup does not set up and says the newest of them', async () => {
    const r = await resolveLatest(['https://m'], fake({ 'https://m/': listing('2.8.2', '3.9.1', '4.2.0', '5.0.0') }));
    expect(r).toEqual({ version: '4.2.0', listing: 'https://m/', newerUnsupported: '5.0.0' });
    expect(latestText(r)).toBe(
      '--kafka-version latest: 4.2.0, the newest release https://m/ lists that kafka-setup sets up (it also lists 5.0.0; kafka-setup sets up 3.0.0 to 4.x)',
    );
    expect(latestText({ version: '4.4.0', listing: 'https://m/' })).toBe(
      '--kafka-version latest: 4.4.0, the newest release https://m/ lists',
    );
  });

  it('fails with what each mirror answered and what to do, when none lists a release', async () => {
    const read = fake({ 'https://portal/': { ok: true, text: '<h1>Welcome</h1>' }, 'https://old/': listing('2.8.2') });
    const err = await resolveLatest(['https://missing', 'https://portal', 'https://old'], read).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err).not.toBeInstanceOf(UsageError);
    const e = err as UserError;
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/^--kafka-version latest: no mirror answered with a list of Kafka releases/);
    expect(e.details).toEqual([
      'https://missing/: HTTP 404',
      'https://portal/: answered, but lists no release directories (not a listing like https://downloads.apache.org/kafka/)',
      'https://old/: lists only releases kafka-setup does not set up (2.8.2)',
    ]);
    expect(e.hint).toMatch(/--kafka-version \d+\.\d+\.\d+.*check --mirror.*nothing was changed/);
  });

  it('refuses --sha512 beside latest, and only there', () => {
    expect(latestFlagsProblem({ kafkaVersion: 'latest', sha512: 'ab' })).toBeInstanceOf(UsageError);
    expect(latestFlagsProblem({ kafkaVersion: 'latest', sha512: 'ab' })?.exitCode).toBe(2);
    expect(latestFlagsProblem({ kafkaVersion: '4.4.0', sha512: 'ab' })).toBeUndefined();
    expect(latestFlagsProblem({ kafkaVersion: 'latest' })).toBeUndefined();
  });
});
