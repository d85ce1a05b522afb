import { describe, expect, it } from 'vitest';
import { aliasProblem, ipProblem, lookupAlias, removeAlias, setAlias, systemHostsPath } from '../../src/local/hosts-file.js';

const base = '# Static table lookup for hostnames.\n127.0.0.1\tlocalhost\n::1 localhost ip6-localhost\n';

describe('hosts file editing', () => {
  it('appends one entry and changes nothing else', () => {
    const c = setAlias(base, 'my-kafka', '203.0.113.10');
    expect(c.text).toBe(`${base}203.0.113.10\tmy-kafka\n`);
    expect(c.added).toEqual(['203.0.113.10\tmy-kafka']);
    expect(setAlias(c.text, 'my-kafka', '203.0.113.10')).toEqual({ text: c.text, changed: false, removed: [], added: [] });
  });

  it('updates the IP in place when it changed (EC2 public IPs change on stop/start)', () => {
    const text = `${base}203.0.113.10   my-kafka   # set by hand\n10.0.0.1 db\n`;
    const c = setAlias(text, 'MY-KAFKA', '198.51.100.7');
    expect(c.text).toBe(`${base}198.51.100.7   my-kafka   # set by hand\n10.0.0.1 db\n`);
    expect(lookupAlias(c.text, 'my-kafka')).toEqual(['198.51.100.7']);
  });

  it('leaves one entry when there were several, taking the alias out of shared lines', () => {
    const text = '1.1.1.1 my-kafka\n2.2.2.2 other my-kafka\n3.3.3.3 my-kafka\n';
    const c = setAlias(text, 'my-kafka', '9.9.9.9');
    expect(c.text).toBe('9.9.9.9 my-kafka\n2.2.2.2 other\n');
    expect(lookupAlias(c.text, 'my-kafka')).toEqual(['9.9.9.9']);
  });

  it('keeps CRLF line endings and a missing final newline is added only where it must be', () => {
    expect(setAlias('127.0.0.1 localhost\r\n', 'k', '1.2.3.4').text).toBe('127.0.0.1 localhost\r\n1.2.3.4\tk\r\n');
    expect(setAlias('127.0.0.1 localhost', 'k', '1.2.3.4').text).toBe('127.0.0.1 localhost\n1.2.3.4\tk\n');
  });

  it('ignores names inside comments', () => {
    const text = '# 1.2.3.4 my-kafka\n';
    expect(lookupAlias(text, 'my-kafka')).toEqual([]);
    expect(removeAlias(text, 'my-kafka').changed).toBe(false);
  });

  it('removes the alias, and only it', () => {
    const once = setAlias(base, 'my-kafka', '203.0.113.10').text;
    expect(removeAlias(once, 'my-kafka').text).toBe(base);
    expect(removeAlias('1.1.1.1 a my-kafka b # c\n', 'my-kafka').text).toBe('1.1.1.1 a b # c\n');
    expect(removeAlias(base, 'absent')).toMatchObject({ changed: false, text: base });
  });

  it.each(['', 'a b', 'a\tb', 'a\nb', '#a', '-a', 'a;b', '$(id)', '`id`', 'a\u0007', 'x'.repeat(64), '1.2.3.4'])('refuses the alias %j', (alias) => {
    expect(aliasProblem(alias)).toBeDefined();
  });

  it('accepts real names and addresses', () => {
    expect(aliasProblem('my-kafka')).toBeUndefined();
    expect(aliasProblem('kafka.internal.example.com')).toBeUndefined();
    expect(ipProblem('203.0.113.10')).toBeUndefined();
    expect(ipProblem('2001:db8::1')).toBeUndefined();
    expect(ipProblem('1.2.3.4 evil')).toBeDefined();
    expect(ipProblem('999.1.1.1')).toBeDefined();
  });

  it('knows where the system file is', () => {
    expect(systemHostsPath('linux')).toBe('/etc/hosts');
    expect(systemHostsPath('darwin')).toBe('/etc/hosts');
    expect(systemHostsPath('win32', { SystemRoot: 'D:\\Win' })).toBe('D:\\Win\\System32\\drivers\\etc\\hosts');
  });
});
