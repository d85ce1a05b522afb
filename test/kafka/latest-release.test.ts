import { describe, expect, it } from 'vitest';
import { compareVersions, listedReleases } from '../../src/kafka/latest-release.js';
import { HOSTILE_LISTING } from '../e2e/support/mirror.js';

const row = (href: string, text = href): string =>
  `<img src="/icons/folder.gif" alt="[DIR]"> <a href="${href}">${text}</a>   2025-01-01 00:00    -   \n`;
const page = (...rows: string[]): string =>
  `<html><head><title>Index of /kafka</title></head><body><h1>Index of /kafka</h1><pre>${rows.join('')}</pre></body></html>`;

describe('releases listed by a mirror', () => {
  it('reads an Apache listing, newest first, compared as numbers', () => {
    expect(listedReleases(page(row('../'), row('3.9.1/'), row('4.1.1/'), row('4.10.0/'), row('4.9.0/'), row('KEYS')))).toEqual([
      '4.10.0',
      '4.9.0',
      '4.1.1',
      '3.9.1',
    ]);
  });

  it("finds only 3.1.0 and 4.1.1 on the e2e mirror's hostile listing", () => {
    expect(listedReleases(HOSTILE_LISTING)).toEqual(['4.1.1', '3.1.0']);
  });

  it.each([
    ['a pre-release', '4.9.9-rc1/'],
    ['four parts', '4.10.0.1/'],
    ['two parts', '4.12/'],
    ['no trailing slash (a file or a symlink)', '4.4.0'],
    ['a file', '4.9.0.tgz'],
    ['a path out of the directory', '4.3.0/../../'],
    ['a parent', '../'],
    ['an absolute path', '/kafka/4.4.0/'],
    ['another host', 'https://attacker.invalid/kafka/4.4.0/'],
    ['a scheme-relative URL', '//attacker.invalid/4.4.0/'],
    ['a query', '4.5.0/?C=M;O=A'],
    ['a fragment', '4.5.0/#x'],
    ['a number past 2^64', '99999999999999999999.0.0/'],
    ['five digits', '4.10000.0/'],
    ['leading zeros', '04.1.0/'],
    ['Arabic-Indic digits', '4.\u0665.0/'],
    ['full-width digits', '\uff14.\uff15.\uff10/'],
    ['entity-encoded dots', '4&#46;5&#46;0/'],
    ['surrounding spaces', ' 4.5.0/ '],
    ['a percent-encoded slash', '4.5.0%2F'],
    ['a backslash', '4.5.0\\'],
    ['a "v" prefix', 'v4.5.0/'],
    ['a newline inside', '4.5.0/\n'],
  ])('skips %s (%j)', (_what, href) => {
    expect(listedReleases(page(row('3.1.0/'), row(href, '4.5.0/')))).toEqual(['3.1.0']);
  });

  it('reads single quotes, upper case and spaces around = as HTML does', () => {
    expect(listedReleases("<A HREF='4.1.1/'>x</A><a href = 4.2.0/ >x</a>")).toEqual(['4.2.0', '4.1.1']);
  });

  it('lists each version once', () => {
    expect(listedReleases(page(row('4.1.1/'), row('4.1.1/'), row('3.1.0/')))).toEqual(['4.1.1', '3.1.0']);
  });

  it('finds nothing on an empty page, a login page or plain text naming versions', () => {
    expect(listedReleases('')).toEqual([]);
    expect(listedReleases('<!DOCTYPE html><html><body><h1>Welcome to Airport Wi-Fi</h1><p>Please log in.</p></body></html>')).toEqual([]);
    expect(listedReleases('4.4.0/ 4.1.1/\n3.1.0/')).toEqual([]);
  });

  it('reads a 2 MB page quickly', () => {
    const filler = page(...Array.from({ length: 24_000 }, (_, i) => row(`${3 + (i % 2)}.${i % 10}.${i % 7}/`)), row('4.9.7/'));
    expect(filler.length).toBeGreaterThan(2 * 1024 * 1024);
    const started = Date.now();
    expect(listedReleases(filler)[0]).toBe('4.9.7');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('compares versions numerically', () => {
    expect(['4.10.0', '4.9.0', '10.0.0', '4.9.10', '4.9.9'].sort(compareVersions)).toEqual([
      '4.9.0',
      '4.9.9',
      '4.9.10',
      '4.10.0',
      '10.0.0',
    ]);
  });
});
