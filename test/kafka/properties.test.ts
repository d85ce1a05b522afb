import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { escapeValue, getProperty, setProperties } from '../../src/kafka/properties.js';

const genuine = readFileSync(new URL('../e2e/fixtures/kafka-3.1.0/config/server.properties', import.meta.url), 'latin1');

describe('setProperties', () => {
  it('puts advertised.listeners right after its commented-out example and changes nothing else', () => {
    const out = setProperties(genuine, [['advertised.listeners', 'PLAINTEXT://203.0.113.10:9092']]);
    const before = genuine.split('\n');
    const after = out.split('\n');
    expect(after.length).toBe(before.length + 1);
    const at = after.indexOf('advertised.listeners=PLAINTEXT://203.0.113.10:9092');
    expect(after[at - 1]).toBe('#advertised.listeners=PLAINTEXT://your.host.name:9092');
    expect([...after.slice(0, at), ...after.slice(at + 1)]).toEqual(before);
  });

  it('replaces an existing value in place, keeping key spelling and separator', () => {
    const out = setProperties(genuine, [['log.dirs', '/home/ec2-user/kafka-data/kafka-logs']]);
    expect(out).toBe(genuine.replace('log.dirs=/tmp/kafka-logs', 'log.dirs=/home/ec2-user/kafka-data/kafka-logs'));
    expect(setProperties('a : 1\n', [['a', '2']])).toBe('a : 2\n');
    expect(setProperties('  a   2\n', [['a', '3']])).toBe('  a   3\n');
  });

  it('returns the very same string when nothing changes (the idempotency check)', () => {
    const once = setProperties(genuine, [
      ['advertised.listeners', 'PLAINTEXT://h:9092'],
      ['log.dirs', '/d'],
    ]);
    expect(
      setProperties(once, [
        ['advertised.listeners', 'PLAINTEXT://h:9092'],
        ['log.dirs', '/d'],
      ]),
    ).toBe(once);
  });

  it('updates every occurrence of a repeated key (Java keeps the last; the file should not disagree)', () => {
    expect(setProperties('a=1\nb=2\na=3\n', [['a', '9']])).toBe('a=9\nb=2\na=9\n');
  });

  it('keeps CRLF line endings and appends with them', () => {
    expect(
      setProperties('x=1\r\ny=2\r\n', [
        ['y', '3'],
        ['z', '4'],
      ]),
    ).toBe('x=1\r\ny=3\r\nz=4\r\n');
  });

  it('appends at the end when there is no example, adding the missing final newline', () => {
    expect(setProperties('x=1', [['z', '4']])).toBe('x=1\nz=4\n');
    expect(setProperties('', [['z', '4']])).toBe('z=4\n');
  });

  it('understands continuation lines, escapes and comments', () => {
    const text = '# a=comment\nlong = one, \\\n   two\nkey\\=with\\:sep = v\n! b=also comment\n';
    expect(getProperty(text, 'long')).toBe('one, two');
    expect(getProperty(text, 'key=with:sep')).toBe('v');
    expect(getProperty(text, 'a')).toBeUndefined();
    expect(setProperties(text, [['long', 'x']])).toBe('# a=comment\nlong = x\nkey\\=with\\:sep = v\n! b=also comment\n');
  });

  it('escapes values so they read back the same', () => {
    for (const v of ['C:\\data', ' leading', 'tab\there', 'ünï', 'snow☃']) {
      expect(getProperty(setProperties('', [['k', v]]), 'k')).toBe(v);
    }
    expect(escapeValue('a\\b')).toBe('a\\\\b');
  });

  it('does not mistake a value containing the key for the key', () => {
    expect(setProperties('other=log.dirs=x\n', [['log.dirs', '/d']])).toBe('other=log.dirs=x\nlog.dirs=/d\n');
  });
});
