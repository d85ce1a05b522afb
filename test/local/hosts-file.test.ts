import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  aliasOfThisMachine,
  aliasProblem,
  ipProblem,
  lookupAlias,
  removeAlias,
  reservedName,
  setAlias,
  systemHostsPath,
} from '../../src/local/hosts-file.js';

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

  it('moves the alias off a shared line when its IP changes: the new entry goes right after that line', () => {
    const text = '127.0.0.1 localhost\n10.0.0.5 db my-kafka cache # office\n10.0.0.9 printer\n';
    const c = setAlias(text, 'my-kafka', '198.51.100.7');
    expect(c.text).toBe('127.0.0.1 localhost\n10.0.0.5 db cache # office\n198.51.100.7\tmy-kafka\n10.0.0.9 printer\n');
    expect(c.removed).toEqual(['10.0.0.5 db my-kafka cache # office']);
    expect(c.added).toEqual(['10.0.0.5 db cache # office', '198.51.100.7\tmy-kafka']);
    expect(lookupAlias(c.text, 'db')).toEqual(['10.0.0.5']);
    // The same IP on a shared line: already right, nothing to do.
    expect(setAlias(text, 'my-kafka', '10.0.0.5').changed).toBe(false);
  });

  it('keeps a shared last line without a newline as it was, the new entry after it', () => {
    expect(setAlias('10.0.0.5 db my-kafka', 'my-kafka', '1.2.3.4').text).toBe('10.0.0.5 db\n1.2.3.4\tmy-kafka');
    expect(setAlias('10.0.0.5 db my-kafka\r\n', 'my-kafka', '1.2.3.4').text).toBe('10.0.0.5 db\r\n1.2.3.4\tmy-kafka\r\n');
  });

  it('prefers a line of its own over a shared one, and never leaves a line without names', () => {
    expect(setAlias('10.0.0.5 db my-kafka\n1.1.1.1 my-kafka\n', 'my-kafka', '9.9.9.9').text).toBe('10.0.0.5 db\n9.9.9.9 my-kafka\n');
    // The alias twice on one line (any case) is still a line of its own.
    expect(setAlias('1.1.1.1 my-kafka MY-KAFKA\n', 'my-kafka', '9.9.9.9').text).toBe('9.9.9.9 my-kafka MY-KAFKA\n');
    expect(removeAlias('1.1.1.1 my-kafka MY-KAFKA\n2.2.2.2 db\n', 'my-kafka').text).toBe('2.2.2.2 db\n');
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

  it.each(['', 'a b', 'a\tb', 'a\nb', '#a', '-a', 'a;b', '$(id)', '`id`', 'a\u0007', 'x'.repeat(64), '1.2.3.4'])(
    'refuses the alias %j',
    (alias) => {
      expect(aliasProblem(alias)).toBeDefined();
    },
  );

  it('accepts real names and addresses', () => {
    expect(aliasProblem('my-kafka')).toBeUndefined();
    expect(aliasProblem('kafka.internal.example.com')).toBeUndefined();
    expect(ipProblem('203.0.113.10')).toBeUndefined();
    expect(ipProblem('2001:db8::1')).toBeUndefined();
    expect(ipProblem('1.2.3.4 evil')).toBeDefined();
    expect(ipProblem('999.1.1.1')).toBeDefined();
  });

  it.each([
    'localhost',
    'LOCALHOST',
    'localhost.',
    'localhost.localdomain',
    'localhost4',
    'localhost6.localdomain6',
    'ip6-localhost',
    'ip6-loopback',
    'ip6-localnet',
    'ip6-mcastprefix',
    'ip6-allnodes',
    'ip6-allrouters',
    'broadcasthost',
    'kafka.localhost',
    'a.b.LOCALHOST',
    'web1',
    'web1.example.com',
    'WEB1.example.com.',
  ])('refuses the reserved alias %j, saying why', (alias) => {
    expect(reservedName(alias, 'web1.example.com')).toBeDefined();
    expect(aliasProblem(alias, 'web1.example.com')).toMatch(/re-pointing it would break programs on this machine/);
  });

  it("refuses this machine's own host name and its short form by default", () => {
    const own = hostname();
    expect(aliasProblem(own)).toMatch(/this machine's own host name/);
    expect(aliasProblem(own.split('.')[0]!)).toMatch(/this machine's own host name/);
    expect(reservedName('web2', 'web1.example.com')).toBeUndefined();
    expect(reservedName('localhost-kafka', 'web1')).toBeUndefined();
    expect(reservedName('my.localhost.example.com', 'web1')).toBeUndefined();
  });

  it("treats a name on the line of a reserved one (Debian's 127.0.1.1 FQDN line) as this machine's", () => {
    const debian =
      '127.0.0.1\tlocalhost\n127.0.1.1\tweb1.example.com web1\n10.0.0.5 db my-kafka\n::1 localhost ip6-localhost ip6-loopback\n';
    expect(aliasOfThisMachine(debian, 'web1.example.com', 'web1')).toMatch(/on the line of "web1" \(127\.0\.1\.1\)/);
    expect(aliasOfThisMachine('127.0.0.1 localhost my-kafka\n', 'MY-KAFKA', 'web1')).toMatch(/"localhost"/);
    // A shared line of ordinary names is fine: the alias is moved off it.
    expect(aliasOfThisMachine(debian, 'my-kafka', 'web1')).toBeUndefined();
    expect(aliasOfThisMachine(debian, 'absent', 'web1')).toBeUndefined();
  });

  it('knows where the system file is', () => {
    expect(systemHostsPath('linux')).toBe('/etc/hosts');
    expect(systemHostsPath('darwin')).toBe('/etc/hosts');
    expect(systemHostsPath('win32', { SystemRoot: 'D:\\Win' })).toBe('D:\\Win\\System32\\drivers\\etc\\hosts');
  });
});
