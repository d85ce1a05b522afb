/** What the built CLI prints before any host is involved: usage errors, and output into a closed pipe. */
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { quote } from '../../src/remote/shell.js';
import { runCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';

describeE2e('kafka-setup on the command line', () => {
  it('`--help | head -1` ends quietly, every time (no EPIPE stack trace)', async () => {
    const cli = quote(join(e2e().root, 'dist/cli.js'));
    for (let i = 0; i < 15; i++) {
      for (const cmd of ['init --help', '--help', 'verify --help']) {
        const r = await execa('bash', ['-c', `set -o pipefail; node ${cli} ${cmd} | head -1`], { reject: false, stdin: 'ignore' });
        expect(r.stderr, `${cmd}: ${r.stderr}`).toBe('');
        expect(r.exitCode, cmd).toBe(0);
        expect(r.stdout).toMatch(/^Usage: kafka-setup/);
      }
    }
  });

  // (execa drops the last newline of stderr.)
  it.each([
    [
      ['init', '--bogus'],
      "error: unknown option '--bogus'\nwhat to do: correct the command line; kafka-setup init --help lists every flag",
    ],
    [
      ['verify', '--host'],
      "error: option '--host <host>' argument missing\nwhat to do: correct the command line; kafka-setup verify --help lists every flag",
    ],
    [
      ['init', '--host', '203.0.113.10', '--key', '/k.pem', '--heap', 'lots'],
      /^error: --heap: "lots" is not a heap size.*\nwhat to do: correct the value and run the same command again; kafka-setup init --help describes every flag$/,
    ],
    [
      ['init', '--host', '203.0.113.10', '--key', '/k.pem', '--kafka-version', '5.0.0'],
      /^error: --kafka-version: Kafka 5\.0\.0: kafka-setup sets up Kafka 3\.0\.0 to 4\.x; it does not know Kafka 5 yet\nwhat to do: /,
    ],
    [
      ['init', '--host', '203.0.113.10', '--key', '/k.pem', '--kafka-version', '4.1.1', '--scala-version', '2.12'],
      /^error: --scala-version: Kafka 4\.1\.1 is built for Scala 2\.13 only, not 2\.12\nwhat to do: leave --scala-version out \(it follows --kafka-version\), or give one it names; nothing was changed$/,
    ],
    [
      [
        'init',
        '--host',
        '203.0.113.10',
        '--host',
        '203.0.113.11',
        '--key',
        '/k.pem',
        '--kafka-version',
        '4.1.1',
        '--scala-version',
        '2.12',
      ],
      /^error: --scala-version: Kafka 4\.1\.1 is built for Scala 2\.13 only, not 2\.12\n/,
    ],
    [
      ['init', '--host', '203.0.113.10', '--key', '/k.pem', '--install-dir', '~/my kafka'],
      /^error: --install-dir: "~\/my kafka" contains whitespace.*\nwhat to do: /,
    ],
    [
      ['init', '--host', '203.0.113.10', '--key', '/k.pem', '--mirror', 'https://me:s3cret@mirror.example/kafka'],
      /^error: --mirror: the mirror URL contains credentials.*\nwhat to do: /,
    ],
    [
      ['hosts', '--alias', 'my-kafka', '--ip', 'nope'],
      /^error: --ip: "nope" is not an IPv4 or IPv6 address\nwhat to do: pass the broker.s address, e.g. --ip 203\.0\.113\.10 \(or 2001:db8::10\); nothing was changed$/,
    ],
  ])('%j is a usage error (exit 2) ending in error: and what to do:', async (args, expected) => {
    const r = await runCli(args, { env: { XDG_CONFIG_HOME: '/nonexistent' } });
    expect(r.code, r.all).toBe(2);
    expect(r.stdout).toBe('');
    if (typeof expected === 'string') expect(r.stderr).toBe(expected);
    else expect(r.stderr).toMatch(expected);
    expect(r.all).not.toContain('s3cret');
  });

  it('no command: the help, then error: and what to do:', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Usage: kafka-setup/);
    expect(r.stderr).toMatch(
      /\nerror: no command given\nwhat to do: run kafka-setup init, verify, hosts, status, stop, start, restart, logs or uninstall/,
    );
  });
});
