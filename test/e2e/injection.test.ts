/**
 * Injection: values with ', ", $(), backticks, ; and newlines through every flag that reaches the
 * host. Each is either refused before anything happens (exit 2) or travels quoted — and nothing but
 * kafka-setup's own commands runs: no marker file appears, locally or on the host.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { hostFlags, runCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { runAsUser } from './support/host.js';

const MARK = '/tmp/ks-pwned';
const NASTY = [`'; touch ${MARK}-q1 #`, `"; touch ${MARK}-q2 #`, `$(touch ${MARK}-subst)`, `\`touch ${MARK}-tick\``, `; touch ${MARK}-semi`, `\ntouch ${MARK}-nl`];

/** Flags whose value reaches a remote shell, with a valid value to append the attack to. */
const REMOTE_FLAGS: Array<[string, string]> = [
  ['--user', 'ec2-user'], ['--advertised-host', 'kafka.example.com'], ['--install-dir', '~/kafka-inj'],
  ['--mirror', 'https://archive.apache.org/dist/kafka'], ['--heap', '400m'], ['--kafka-version', '3.1.0'],
  ['--scala-version', '2.12'], ['--sha512', 'a'.repeat(128)], ['--port', '22'], ['--profile', 'inj'],
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
    // Only paths may hold such characters; names and numbers are refused outright.
    expect(outcomes.filter((o) => o.endsWith('quoted')).map((o) => o.split(' ')[0])).toEqual(expect.arrayContaining(['--install-dir']));
    expect(outcomes.filter((o) => o.startsWith('--user ') || o.startsWith('--advertised-host ') || o.startsWith('--heap '))).toEqual(
      expect.arrayContaining(['--user refused', '--advertised-host refused', '--heap refused']),
    );
    expect((await runAsUser(host, 'ls -A ~')).stdout).toBe(homeBefore);
  });

  it('a quoted install directory goes all the way to the remote scripts, and stays a name', async () => {
    const { host, mirror } = e2e();
    const dir = `~/kafka '$(touch ${MARK}-a)' "\`touch ${MARK}-b\`"; touch ${MARK}-c`;
    const r = await runCli(['init', ...hostFlags(knownHosts), '--yes', '--profile', 'inj', '--install-dir', dir, '--mirror', mirror.missing], { env });
    // The probe and the checksum fetch ran with it; the missing mirror ends the run before a download.
    expect(r.code, r.all).toBe(1);
    expect(r.stderr).toContain('no mirror has kafka_2.12-3.1.0.tgz.sha512');
    expect(pwned()).toEqual([]);
    expect(existsSync(join(host.home, `kafka '$(touch ${MARK}-a)' "\`touch ${MARK}-b\`"; touch ${MARK}-c`))).toBe(false);
    const v = await runCli(['verify', ...hostFlags(knownHosts), '--install-dir', dir, '--no-roundtrip'], { env });
    expect(v.stdout).toMatch(/\[FAIL\] Kafka installed on the host — .*kafka '\$\(touch \/tmp\/ks-pwned-a\)'.* does not exist/);
    expect(pwned()).toEqual([]);
  });
});
