/**
 * Connection faults and key problems, against the real sshd: each ends in one clear line (what
 * happened, what to do), a non-zero exit, and nothing changed — and no secret is ever printed.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { hostFlags, runCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { freePort, runAsUser } from './support/host.js';

const PASSPHRASE = 'correct horse battery staple';

describeE2e('connection faults', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = scratchDir('ks-conn-');
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
  });
  const flags = (overrides: Record<string, string> = {}): string[] => {
    const base = hostFlags(join(dir, 'known_hosts'));
    for (const [k, v] of Object.entries(overrides)) base[base.indexOf(k) + 1] = v;
    return base;
  };

  it('a host name that does not resolve', async () => {
    const r = await runCli(['init', ...flags({ '--host': 'kafka-setup-e2e.invalid' }), '--yes'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: cannot resolve the host name "kafka-setup-e2e.invalid"');
    expect(r.stderr).toMatch(/what to do: check --host/);
  });

  it('a closed port: hints at the security group', async () => {
    const r = await runCli(['init', ...flags({ '--port': String(await freePort()) }), '--yes'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused the connection \(nothing listens on port \d+\)/);
    expect(r.stderr).toMatch(/security group allows inbound TCP \d+/);
  });

  it('a server that never answers: gives up after --timeout', async () => {
    const silent: Server = createServer(() => {}); // accepts, never speaks SSH
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    const started = Date.now();
    const r = await runCli(['init', ...flags({ '--port': String(port) }), '--timeout', '2', '--yes'], { env });
    silent.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: no SSH answer from 127.0.0.1:${port} within 2 s`);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a wrong user, and a key the server does not know: names the default users', async () => {
    const wrongUser = await runCli(['init', ...flags({ '--user': 'ubuntu' }), '--yes'], { env });
    expect(wrongUser.code).toBe(1);
    expect(wrongUser.stderr).toContain('refused the key for user "ubuntu"');
    expect(wrongUser.stderr).toMatch(/ec2-user \(Amazon Linux.*ubuntu \(Ubuntu\), admin \(Debian\)/);
    const other = join(dir, 'other.pem');
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-m', 'PEM', '-N', '', '-f', other]);
    const wrongKey = await runCli(['init', ...flags({ '--key': other }), '--yes'], { env });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/refused the key for user "kse2e/);
    expect(wrongKey.stderr).toMatch(/--key is the key pair the instance was launched with/);
  });

  it('an unknown host key without a terminal or --yes: refused, nothing recorded', async () => {
    const kh = join(dir, 'fresh_known_hosts');
    const r = await runCli(['init', ...flags({ '--known-hosts': kh })], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not in .*fresh_known_hosts \(ssh-ed25519 key fingerprint is SHA256:/);
    expect(r.stderr).toMatch(/run again with --yes to accept and record it/);
    expect(existsSync(kh)).toBe(false);
  });

  it('a changed host key: refused, both fingerprints shown, with the command to remove the old one', async () => {
    const { host } = e2e();
    const kh = join(dir, 'changed_known_hosts');
    const impostor = join(dir, 'impostor');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', impostor]);
    const line = `[127.0.0.1]:${host.sshPort} ${readFileSync(`${impostor}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`;
    writeFileSync(kh, line);
    const r = await runCli(['init', ...flags({ '--known-hosts': kh }), '--yes'], { env });
    expect(r.code).toBe(1);
    const oldFp = execFileSync('ssh-keygen', ['-lf', `${impostor}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
    expect(r.stderr).toMatch(/host key of \[127\.0\.0\.1\]:\d+ has CHANGED: it is now SHA256:\S+, but .* \(line 1\) has /);
    expect(r.stderr).toContain(oldFp);
    expect(host.hostKeyFingerprints.some((fp) => r.stderr.includes(fp))).toBe(true);
    expect(r.stderr).toContain(`ssh-keygen -R '[127.0.0.1]:${host.sshPort}'`);
    expect(readFileSync(kh, 'utf8')).toBe(line);
  });

  it('a key readable by others: refused without consent, restricted with --yes', async () => {
    const { host } = e2e();
    const key = join(dir, 'open.pem');
    copyFileSync(host.keyPath, key);
    chmodSync(key, 0o644);
    const refused = await runCli(['init', ...flags({ '--key': key }), '--yes', '--dry-run'], { env });
    expect(refused.stdout).toMatch(/\[plan\] Check the key file — would: chmod 400/);
    const noConsent = await runCli(['init', ...flags({ '--key': key })], { env });
    expect(noConsent.code).toBe(1);
    expect(noConsent.stderr).toMatch(/has mode 0644: other users can read it, and OpenSSH refuses such keys/);
    expect(noConsent.stderr).toContain(`run chmod 400 '${key}'`);
    expect(statSync(key).mode & 0o777).toBe(0o644);
    // --yes consents (verify connects like init does, without installing anything).
    const fixed = await runCli(['verify', ...flags({ '--key': key }), '--yes', '--no-roundtrip'], { env });
    expect(fixed.stdout).toContain(`[done] Check the key file — ${key} restricted to mode 0400 (it was 0644)`);
    expect(statSync(key).mode & 0o777).toBe(0o400);
  });

  it('an encrypted key: the passphrase from --passphrase-env; wrong or missing, a clear error; never printed', async () => {
    const { host } = e2e();
    const key = join(dir, 'encrypted.pem');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASSPHRASE, '-f', key]);
    await runAsUser(host, `echo ${JSON.stringify(readFileSync(`${key}.pub`, 'utf8').trim())} >> ~/.ssh/authorized_keys`);
    const missing = await runCli(['init', ...flags({ '--key': key }), '--yes', '--dry-run'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/is encrypted with a passphrase/);
    expect(missing.stderr).toMatch(/--passphrase-env VAR/);
    const wrong = await runCli(['init', ...flags({ '--key': key }), '--passphrase-env', 'KS_PASS', '--yes', '--dry-run'], {
      env: { ...env, KS_PASS: 'not it' },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/the passphrase for .* is wrong/);
    const ok = await runCli(['--debug', 'init', ...flags({ '--key': key }), '--passphrase-env', 'KS_PASS', '--yes', '--dry-run'], {
      env: { ...env, KS_PASS: PASSPHRASE },
    });
    expect(ok.code, ok.all).toBe(0);
    expect(ok.stderr).toMatch(/\+\d+\.\d+s ssh: /); // --debug: the SSH transport log
    expect(ok.stderr).toMatch(/\+\d+\.\d+s remote probe .* → exit 0 in \d+\.\d+ s/); // --verbose: each command and its duration

    // No secret anywhere: outputs, the saved profile, known_hosts.
    const keyBody = readFileSync(key, 'utf8')
      .split('\n')
      .filter((l) => l.length > 40 && !l.startsWith('-----'));
    const pemBody = readFileSync(host.keyPath, 'utf8')
      .split('\n')
      .filter((l) => l.length > 40 && !l.startsWith('-----'));
    const everything = [
      missing.all,
      wrong.all,
      ok.all,
      ...['config/kafka-setup/default.json', 'known_hosts'].map((f) =>
        existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '',
      ),
    ].join('\n');
    expect(everything).not.toContain(PASSPHRASE);
    expect(everything).not.toContain('PRIVATE KEY');
    for (const l of [...keyBody, ...pemBody]) expect(everything).not.toContain(l);
  });
});
