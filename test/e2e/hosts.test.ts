/**
 * `kafka-setup hosts` end to end: a scratch hosts file (idempotency, update, remove, refused
 * injections), the real /etc/hosts of this machine with a unique alias, and the sudo path as a
 * non-root user.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { runCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { runAsUser } from './support/host.js';
import { initializedHost } from './support/setup.js';

const ORIGINAL = '# hosts of a laptop\r\n127.0.0.1\tlocalhost\r\n::1 localhost ip6-localhost\r\n10.1.2.3 printer # the office one\r\n';

describeE2e('kafka-setup hosts', () => {
  it('adds, keeps, updates and removes one entry in a scratch file, keeping every other byte', async () => {
    const file = join(scratchDir('ks-hosts-'), 'hosts');
    writeFileSync(file, ORIGINAL);
    const args = ['hosts', '--alias', 'my-kafka', '--hosts-file', file];

    const add = await runCli([...args, '--ip', '203.0.113.10']);
    expect(add.code, add.all).toBe(0);
    expect(readFileSync(file, 'latin1')).toBe(`${ORIGINAL}203.0.113.10\tmy-kafka\r\n`);
    expect(readFileSync(`${file}.kafka-setup.bak`, 'latin1')).toBe(ORIGINAL);

    const mtime = statSync(file).mtimeMs;
    const again = await runCli([...args, '--ip', '203.0.113.10']);
    expect(again.stdout).toContain('[skip] Update');
    expect(statSync(file).mtimeMs).toBe(mtime);

    const moved = await runCli([...args, '--ip', '198.51.100.7']);
    expect(moved.stdout).toContain('  - 203.0.113.10\tmy-kafka');
    expect(moved.stdout).toContain('  + 198.51.100.7\tmy-kafka');
    expect(readFileSync(file, 'latin1')).toBe(`${ORIGINAL}198.51.100.7\tmy-kafka\r\n`);

    const dry = await runCli([...args, '--remove', '--dry-run']);
    expect(dry.stdout).toContain('[plan] Update');
    expect(readFileSync(file, 'latin1')).toBe(`${ORIGINAL}198.51.100.7\tmy-kafka\r\n`);

    const removed = await runCli([...args, '--remove']);
    expect(removed.code).toBe(0);
    expect(readFileSync(file, 'latin1')).toBe(ORIGINAL);
    expect(readFileSync(`${file}.kafka-setup.bak`, 'latin1')).toBe(ORIGINAL);
  });

  it('refuses injection attempts before touching anything', async () => {
    const file = join(scratchDir('ks-hosts-'), 'hosts');
    writeFileSync(file, ORIGINAL);
    const attempts: Array<[string, string]> = [
      ['evil host', '1.2.3.4'], ['evil\thost', '1.2.3.4'], ['evil\nhost', '1.2.3.4'], ['evil#x', '1.2.3.4'], ['-evil', '1.2.3.4'],
      ['$(touch /tmp/ks-pwned)', '1.2.3.4'], ['evil\u0007', '1.2.3.4'], ['ok', '1.2.3.4 evil'], ['ok', '1.2.3.4\n5.6.7.8 evil'], ['ok', '1.2.3.4#'],
    ];
    for (const [alias, ip] of attempts) {
      const r = await runCli(['hosts', `--alias=${alias}`, `--ip=${ip}`, '--hosts-file', file]);
      expect(r.code, `${JSON.stringify([alias, ip])}: ${r.all}`).toBe(2);
      expect(r.stderr).toMatch(/error: --(alias|ip): /);
    }
    expect(readFileSync(file, 'latin1')).toBe(ORIGINAL);
    expect(existsSync(`${file}.kafka-setup.bak`)).toBe(false);
    expect(existsSync('/tmp/ks-pwned')).toBe(false);
  });

  it('elevates with sudo when the file is not writable, keeping owner and mode', async () => {
    const { host, root } = e2e();
    const dir = scratchDir('ks-hosts-root-');
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'etc'), { mode: 0o755 });
    const file = join(dir, 'etc', 'hosts');
    writeFileSync(file, ORIGINAL, { mode: 0o644 });
    const r = await runAsUser(host, `node ${root}/dist/cli.js hosts --alias my-kafka --ip 203.0.113.10 --hosts-file ${file}`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('(with sudo, backup: ');
    expect(readFileSync(file, 'latin1')).toBe(`${ORIGINAL}203.0.113.10\tmy-kafka\r\n`);
    const st = statSync(file);
    expect([st.uid, st.mode & 0o777]).toEqual([0, 0o644]);
    expect(readFileSync(`${file}.kafka-setup.bak`, 'latin1')).toBe(ORIGINAL);
  });

  describeE2e('on the real /etc/hosts', () => {
    const alias = `ks-e2e-${randomBytes(3).toString('hex')}`;
    let before: Buffer;
    let hadBackup: boolean;
    beforeAll(async () => {
      await initializedHost();
      before = readFileSync('/etc/hosts');
      hadBackup = existsSync('/etc/hosts.kafka-setup.bak');
    });
    afterAll(() => {
      // Leave the machine as it was, whatever happened.
      if (!readFileSync('/etc/hosts').equals(before)) writeFileSync('/etc/hosts', before);
      if (!hadBackup) rmSync('/etc/hosts.kafka-setup.bak', { force: true });
    });

    it('names the broker: getent and kcat use the alias; removing it restores the file', async () => {
      const add = await runCli(['hosts', '--alias', alias, '--ip', '127.0.0.1']);
      expect(add.code, add.all).toBe(0);
      expect(add.stdout).toContain(`[done] Resolve ${alias} on this machine — ${alias} resolves to 127.0.0.1`);
      expect((await execa('getent', ['hosts', alias])).stdout).toMatch(new RegExp(`^127\\.0\\.0\\.1\\s+${alias}$`));
      const meta = await execa('kcat', ['-b', `${alias}:9092`, '-L', '-m', '15']);
      expect(meta.stdout).toMatch(/broker 0 at 127\.0\.0\.1:9092/);

      const rm = await runCli(['hosts', '--alias', alias, '--remove']);
      expect(rm.code, rm.all).toBe(0);
      expect(rm.stdout).toContain(`${alias} no longer resolves`);
      expect((await execa('getent', ['hosts', alias], { reject: false })).exitCode).not.toBe(0);
      expect(readFileSync('/etc/hosts').equals(before)).toBe(true);
    });
  });
});
