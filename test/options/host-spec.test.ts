import { describe, expect, it } from 'vitest';
import { EXIT_USAGE, UsageError } from '../../src/errors.js';
import { resolveHostCommandOptions } from '../../src/options/host-command-options.js';
import { expandHostFlag, parseHostSpec } from '../../src/options/host-spec.js';
import { resolveInitOptions } from '../../src/options/init-options.js';
import { resolveLogsOptions } from '../../src/options/logs-options.js';
import { type Profile, profileOf, saveProfile } from '../../src/options/profile.js';
import { resolveUninstallOptions } from '../../src/options/uninstall-options.js';
import { resolveVerifyOptions } from '../../src/options/verify-options.js';
import { scratchDir } from '../support/scratch.js';

const env = (): NodeJS.ProcessEnv => ({ XDG_CONFIG_HOME: scratchDir('ks-cfg-') });
const noTty = { isTTY: false };

const profile: Profile = {
  host: '203.0.113.10',
  port: 2222,
  user: 'ubuntu',
  key: '/keys/k.pem',
  knownHosts: '/kh',
  kafkaVersion: '3.1.0',
  scalaVersion: '2.12',
  installDir: '/opt/kafka',
  heap: '400m',
  advertisedHost: 'kafka.example.com',
};

function usageError(f: () => unknown): UsageError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(UsageError);
  expect((err as UsageError).exitCode).toBe(EXIT_USAGE);
  return err as UsageError;
}

describe('parseHostSpec: [user@]host[:port], as ssh takes it', () => {
  it.each([
    ['203.0.113.10', { host: '203.0.113.10' }],
    ['ec2-1-2-3-4.compute.amazonaws.com', { host: 'ec2-1-2-3-4.compute.amazonaws.com' }],
    ['admin@203.0.113.10', { host: '203.0.113.10', user: 'admin' }],
    ['203.0.113.10:2222', { host: '203.0.113.10', port: 2222 }],
    ['admin@203.0.113.10:2222', { host: '203.0.113.10', user: 'admin', port: 2222 }],
    ['ec2-user@kafka.example.com:22', { host: 'kafka.example.com', user: 'ec2-user', port: 22 }],
    ['[2001:db8::1]:2222', { host: '2001:db8::1', port: 2222 }],
    ['admin@[2001:db8::1]', { host: '2001:db8::1', user: 'admin' }],
    ['admin@[2001:db8::1]:2222', { host: '2001:db8::1', user: 'admin', port: 2222 }],
    ['2001:db8::1', { host: '2001:db8::1' }],
    ['admin@2001:db8::1', { host: '2001:db8::1', user: 'admin' }],
    ['::1', { host: '::1' }],
    ['[203.0.113.10]:2222', { host: '203.0.113.10', port: 2222 }],
  ])('%s', (text, spec) => {
    expect(parseHostSpec(text)).toEqual(spec);
  });

  it.each([
    ['admin@:22', /^the host is empty/],
    ['admin@', /^the host is empty/],
    ['', /^the host is empty/],
    ['[]:22', /^the host is empty/],
    ['@h', /^"" is not a valid user name/],
    ['a b@h', /^"a b" is not a valid user name/],
    ['x@y@h', /^"x@y" is not a valid user name/],
    ['h:', /^"" is not a TCP port; use a number from 1 to 65535/],
    ['h:99999', /^"99999" is not a TCP port/],
    ['h:0', /^"0" is not a TCP port/],
    ['h:ssh', /^"ssh" is not a TCP port/],
    ['[::1]:', /^"" is not a TCP port/],
    ['[::1', /^"\[::1" has no closing "\]"/],
    ['admin@[2001:db8::1', /^"\[2001:db8::1" has no closing "\]"/],
    ['[::1]2222', /^"\[::1\]2222" is not \[host\] or \[host\]:port/],
    ['h:22:33', /^"h:22:33" is not an IPv6 address; write one with a port as \[2001:db8::1\]:2222/],
    ['bad_host!:22', /^"bad_host!" is not a host name or IP address/],
    ['h;reboot', /^"h;reboot" is not a host name or IP address/],
    ['h\u001b[31m:22', /^"h\\x1b\[31m" is not a host name/],
  ])('%j: %s', (text, problem) => {
    const r = parseHostSpec(text);
    expect(r).toHaveProperty('problem');
    expect((r as { problem: string }).problem).toMatch(problem);
    expect((r as { problem: string }).problem).not.toMatch(/\u001b/);
  });
});

describe('expandHostFlag', () => {
  it('splits --host into the host, --user and --port flags, as strings; other flags pass through', () => {
    expect(expandHostFlag({ host: 'admin@203.0.113.10:2222', key: 'k' })).toEqual({
      host: '203.0.113.10',
      user: 'admin',
      port: '2222',
      key: 'k',
    });
    expect(expandHostFlag({ host: '[2001:db8::1]:2222' })).toEqual({ host: '2001:db8::1', port: '2222' });
    expect(expandHostFlag({ host: '2001:db8::1', port: '22' })).toEqual({ host: '2001:db8::1', port: '22' });
    expect(expandHostFlag({ host: 'h' })).toEqual({ host: 'h' });
    expect(expandHostFlag({ user: 'bob' })).toEqual({ user: 'bob' });
  });

  it('the same user or port given both ways is fine', () => {
    expect(expandHostFlag({ host: 'bob@h:2222', user: 'bob', port: '2222' })).toEqual({ host: 'h', user: 'bob', port: '2222' });
    expect(expandHostFlag({ host: 'h:22', port: '022' })).toEqual({ host: 'h', port: '022' });
  });

  it.each([
    [{ host: 'bob@h', user: 'alice' }, '--host says user "bob" but --user says "alice"', /give the user once/],
    [{ host: 'h:2222', port: '22' }, '--host says port 2222 but --port says 22', /give the port once/],
    [{ host: 'bob@[::1]:2222', user: 'bob', port: '2200' }, '--host says port 2222 but --port says 2200', /give the port once/],
    [{ host: 'Bob@h', user: 'bob' }, '--host says user "Bob" but --user says "bob"', /give the user once/],
  ])('a value given both ways and differing is a usage error naming both: %j', (flags, message, hint) => {
    const err = usageError(() => expandHostFlag(flags));
    expect(err.message).toBe(message);
    expect(err.hint).toMatch(hint);
  });

  it("an invalid --user or --port beside --host is left to its own flag's message", () => {
    expect(expandHostFlag({ host: 'bob@h:22', user: 'a b', port: 'x' })).toEqual({ host: 'h', user: 'a b', port: 'x' });
  });

  it.each([
    ['admin@:22', '--host: the host is empty'],
    ['@h', '--host: "" is not a valid user name'],
    ['h:', '--host: "" is not a TCP port'],
    ['h:99999', '--host: "99999" is not a TCP port'],
    ['[::1', '--host: "[::1" has no closing "]"'],
  ])("a bad part of %j is refused with the validator's message, prefixed with --host:", (host, start) => {
    const err = usageError(() => expandHostFlag({ host }));
    expect(err.message.startsWith(start)).toBe(true);
    expect(err.hint).toMatch(/\[user@\]host\[:port\], e\.g\. --host admin@203\.0\.113\.10:2222/);
  });
});

describe('the resolvers see only the split values', () => {
  it('init: host, user and port split; the saved profile holds them separately (never user@)', async () => {
    const o = await resolveInitOptions({ host: 'admin@198.51.100.7:2200', key: 'k' }, { env: env(), stdin: noTty });
    expect(o).toMatchObject({ host: '198.51.100.7', user: 'admin', port: 2200, advertisedHost: '198.51.100.7' });
    expect(profileOf(o)).toMatchObject({ host: '198.51.100.7', user: 'admin', port: 2200, advertisedHost: '198.51.100.7' });
  });

  it("init: --host user@HOST names the profile's host, so the profile applies", async () => {
    const e = env();
    await saveProfile('default', profile, e);
    const o = await resolveInitOptions({ host: 'ubuntu@203.0.113.10' }, { env: e, stdin: noTty });
    expect(o).toMatchObject({
      host: '203.0.113.10',
      user: 'ubuntu',
      port: 2222,
      heap: '400m',
      advertisedHost: 'kafka.example.com',
      installDir: '/opt/kafka',
    });
    // The spec's user and port win over the profile's, as --user and --port do.
    const other = await resolveInitOptions({ host: 'admin@203.0.113.10:22' }, { env: e, stdin: noTty });
    expect(other).toMatchObject({ host: '203.0.113.10', user: 'admin', port: 22, advertisedHost: 'kafka.example.com' });
  });

  it('init: a conflict or a bad part fails before the profile is read or anything is asked', async () => {
    const e = env();
    await saveProfile('default', profile, e);
    await expect(resolveInitOptions({ host: 'bob@203.0.113.10', user: 'alice' }, { env: e, stdin: noTty })).rejects.toThrow(
      '--host says user "bob" but --user says "alice"',
    );
    await expect(resolveInitOptions({ host: '203.0.113.10:' }, { env: e, stdin: noTty })).rejects.toThrow('--host: "" is not a TCP port');
  });

  it("a profile's server at a new address: recognise is asked with the host part and the spec's port", async () => {
    const e = env();
    await saveProfile('default', profile, e);
    const asked: Array<{ host: string; port: number }> = [];
    const o = await resolveHostCommandOptions(
      { host: 'ubuntu@198.51.100.7:2200' },
      {
        env: e,
        stdin: noTty,
        recognise: async (q) => {
          asked.push({ host: q.host, port: q.port });
          return 'SHA256:x';
        },
      },
    );
    expect(asked).toEqual([{ host: '198.51.100.7', port: 2200 }]);
    expect(o.connection).toMatchObject({ host: '198.51.100.7', user: 'ubuntu', port: 2200 });
    expect(o.installDir).toBe('/opt/kafka');
  });

  it('the day-two commands (status, stop, start, restart), logs and uninstall', async () => {
    const e = env();
    await saveProfile('default', profile, e);
    const deps = { env: e, stdin: noTty };
    const day2 = await resolveHostCommandOptions({ host: 'ubuntu@203.0.113.10' }, deps);
    expect(day2).toMatchObject({
      installDir: '/opt/kafka',
      connection: { host: '203.0.113.10', user: 'ubuntu', port: 2222, keyPath: '/keys/k.pem' },
    });
    const logs = await resolveLogsOptions('broker', { host: 'admin@[2001:db8::1]:2222', key: 'k' }, deps);
    expect(logs.connection).toMatchObject({ host: '2001:db8::1', user: 'admin', port: 2222 });
    const un = await resolveUninstallOptions({ host: '203.0.113.10:2222' }, deps);
    expect(un).toMatchObject({ installDir: '/opt/kafka', connection: { host: '203.0.113.10', user: 'ubuntu', port: 2222 } });
    await expect(resolveHostCommandOptions({ host: '203.0.113.10:2222', port: '22' }, deps)).rejects.toThrow(
      '--host says port 2222 but --port says 22',
    );
  });

  it('verify: the connection split; the bootstrap default is the host part, port 9092', async () => {
    const o = await resolveVerifyOptions({ host: 'admin@203.0.113.10:2222', key: 'k' }, { env: env(), stdin: noTty });
    expect(o.connection).toMatchObject({ host: '203.0.113.10', user: 'admin', port: 2222 });
    expect(o.bootstrap).toEqual({ host: '203.0.113.10', port: 9092 });
    await expect(resolveVerifyOptions({ host: '@203.0.113.10' }, { env: env(), stdin: noTty })).rejects.toThrow(
      '--host: "" is not a valid user name',
    );
  });
});
