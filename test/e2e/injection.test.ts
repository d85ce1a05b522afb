/**
 * Injection: values with ', ", $(), backticks, ; and newlines through every flag that reaches the
 * host. Each is either refused before anything happens (exit 2) or travels quoted — and nothing but
 * kafka-setup's own commands runs: no marker file appears, locally or on the host. (Install
 * directories are refused too: Kafka's own scripts break on these characters; see remotePathProblem.)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { hostFlags, runCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { runAsUser } from './support/host.js';

const MARK = '/tmp/ks-pwned';
const NASTY = [
  `'; touch ${MARK}-q1 #`,
  `"; touch ${MARK}-q2 #`,
  `$(touch ${MARK}-subst)`,
  `\`touch ${MARK}-tick\``,
  `; touch ${MARK}-semi`,
  `\ntouch ${MARK}-nl`,
];

/** Flags whose value reaches a remote shell, with a valid value to append the attack to. */
const REMOTE_FLAGS: Array<[string, string]> = [
  ['--user', 'ec2-user'],
  ['--advertised-host', 'kafka.example.com'],
  ['--install-dir', '~/kafka-inj'],
  ['--mirror', 'https://archive.apache.org/dist/kafka'],
  ['--heap', '400m'],
  ['--kafka-version', '3.1.0'],
  ['--scala-version', '2.12'],
  ['--sha512', 'a'.repeat(128)],
  ['--port', '22'],
  ['--profile', 'inj'],
];

describeE2e('injection', () => {
  let env: Record<string, string>;
  let knownHosts: string;
  const pwned = (): string[] => readdirSync('/tmp').filter((f) => f.startsWith('ks-pwned'));
  const sessions = (): number => (readFileSync(e2e().host.sshdLog, 'utf8').match(/Accepted publickey/g) ?? []).length;
  beforeAll(() => {
    const dir = scratchDir('ks-inj-');
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
    knownHosts = join(dir, 'known_hosts');
  });

  it('every flag that reaches the host: refused, or passed quoted; nothing else runs', async () => {
    const { host } = e2e();
    const homeBefore = (await runAsUser(host, 'ls -A ~')).stdout;
    const outcomes: string[] = [];
    for (const [flag, good] of REMOTE_FLAGS) {
      for (const attack of NASTY) {
        const value = `${good}${attack}`;
        const before = sessions();
        // A dry run still connects and runs the probe with every value it would use.
        const r = await runCli(['init', ...hostFlags(knownHosts), '--yes', '--dry-run', flag, value], { env });
        expect([0, 1, 2], `${flag} ${JSON.stringify(value)}: ${r.all}`).toContain(r.code);
        if (r.code === 2) {
          expect(r.stderr).toMatch(new RegExp(`error: --${flag.slice(2)}: `));
          expect(sessions(), `${flag} was refused but a connection was made`).toBe(before);
        }
        outcomes.push(`${flag} ${r.code === 2 ? 'refused' : 'quoted'}`);
        expect(pwned(), `${flag} ${JSON.stringify(value)}`).toEqual([]);
      }
    }
    // Names, numbers and (since Kafka's own scripts break on these characters) paths are refused outright.
    expect(outcomes.filter((o) => ['--user', '--advertised-host', '--heap', '--install-dir'].includes(o.split(' ')[0]!))).toEqual(
      expect.arrayContaining(['--user refused', '--advertised-host refused', '--heap refused', '--install-dir refused']),
    );
    expect(outcomes.filter((o) => o === '--install-dir quoted')).toEqual([]);
    expect((await runAsUser(host, 'ls -A ~')).stdout).toBe(homeBefore);
  });

  it('an install directory with shell characters is refused before anything runs, by init and verify', async () => {
    const { host, mirror } = e2e();
    const dir = `~/kafka '$(touch ${MARK}-a)' "\`touch ${MARK}-b\`"; touch ${MARK}-c`;
    const before = sessions();
    const r = await runCli(
      ['init', ...hostFlags(knownHosts), '--yes', '--profile', 'inj', '--install-dir', dir, '--mirror', mirror.missing],
      { env },
    );
    expect(r.code, r.all).toBe(2);
    expect(r.stderr).toMatch(
      /^error: --install-dir: .* contains whitespace, "'", "\$", "\(", "\)", """, "`", ";", which Kafka's scripts and config files do not handle/,
    );
    const v = await runCli(['verify', ...hostFlags(knownHosts), '--install-dir', dir, '--no-roundtrip'], { env });
    expect(v.code, v.all).toBe(2);
    expect(v.stderr).toMatch(/^error: --install-dir: /);
    expect(sessions()).toBe(before);
    expect(pwned()).toEqual([]);
    expect(existsSync(join(host.home, `kafka '$(touch ${MARK}-a)' "\`touch ${MARK}-b\`"; touch ${MARK}-c`))).toBe(false);
  });
});
