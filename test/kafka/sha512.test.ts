import { describe, expect, it } from 'vitest';
import { tarballUrl } from '../../src/kafka/distribution.js';
import { normaliseSha512, parseSha512File } from '../../src/kafka/sha512.js';

const hex = 'a'.repeat(64) + '0123456789abcdef'.repeat(4);

describe('.sha512 files', () => {
  it("reads Apache's multi-line gpg --print-md layout", () => {
    const groups = hex.toUpperCase().match(/.{8}/g)!;
    const text = `kafka_2.12-3.1.0.tgz: ${groups.slice(0, 6).join(' ')}\n                      ${groups.slice(6, 12).join(' ')}\n                      ${groups.slice(12).join(' ')}\n`;
    expect(parseSha512File(text)).toBe(hex);
  });

  it('reads the sha512sum layout too', () => {
    expect(parseSha512File(`${hex}  kafka_2.13-3.7.0.tgz\n`)).toBe(hex);
  });

  it('refuses anything else', () => {
    expect(() => parseSha512File('<html>404 Not Found</html>')).toThrow(/not a SHA-512/);
    expect(() => parseSha512File('')).toThrow();
  });

  it('normalises a typed digest', () => {
    expect(normaliseSha512(hex.toUpperCase().match(/.{8}/g)!.join(' '))).toBe(hex);
    expect(normaliseSha512('abc')).toBeUndefined();
  });

  it('builds mirror URLs', () => {
    expect(tarballUrl('https://archive.apache.org/dist/kafka/', { kafkaVersion: '3.1.0', scalaVersion: '2.12' })).toBe(
      'https://archive.apache.org/dist/kafka/3.1.0/kafka_2.12-3.1.0.tgz',
    );
  });
});
