/** The e2e target itself: a real sshd, an EC2-like user, and mirrors that behave as advertised. */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { describeE2e, e2e, mirrorRequests, resetMirrorRequests } from './support/context.js';
import { E2E_JVM_ENV, runAsUser, sshClientArgs } from './support/host.js';

const TGZ = 'kafka_2.12-3.1.0.tgz';

/** Reads Apache's .sha512 as its users are told to: drop up to the first ':', all whitespace, lower-case. */
const parseSha512 = (text: string): string =>
  text
    .slice(text.indexOf(':') + 1)
    .replace(/\s+/g, '')
    .toLowerCase();

/** sha512 of a download made from the user's account (a scratch directory, removed afterwards). */
async function userDownload(url: string, curlArgs = ''): Promise<{ code: number; sha512: string; size: number; stderr: string }> {
  const r = await runAsUser(
    e2e().host,
    `d=$(mktemp -d) && cd "$d" && curl -fsS ${curlArgs} -o f '${url}'; c=$?; ` +
      'if [ -f f ]; then sha512sum f | cut -d " " -f 1; stat -c %s f; fi; cd / && rm -rf "$d"; exit $c',
  );
  const [sha512 = '', size = '-1'] = r.stdout.trim().split('\n');
  return { code: r.code, sha512, size: Number(size), stderr: r.stderr };
}

async function httpStatusAsUser(url: string): Promise<string> {
  return (await runAsUser(e2e().host, `curl -sS -o /dev/null -w '%{http_code}' '${url}'`)).stdout;
}

describeE2e('e2e target host', () => {
  it('lets the user in over ssh with its PEM key, and with public keys only', async () => {
    const { host } = e2e();
    expect(readFileSync(host.keyPath, 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    const key = statSync(host.keyPath);
    expect([key.mode & 0o777, key.uid]).toEqual([0o400, process.getuid?.()]);
    expect(host.publicKey).toMatch(/^ssh-rsa AAAA\S+ kafka-server-key$/);

    const r = await execa('ssh', [...sshClientArgs(host), 'id -un; echo "$HOME"; echo "$SHELL"'], { stdin: 'ignore' });
    expect(r.stdout.split('\n')).toEqual([host.user, host.home, '/bin/bash']);
    // Out of the range the container hosts' own users take inside (1000 and up): see ACCOUNT_IDS.
    expect(host.uid).toBeGreaterThanOrEqual(30000);
    expect(host.uid).toBeLessThan(40000);
    // Every session gets the JVM options of the test hosts (support/host.ts: the JIT's first tier only).
    const env = await execa('ssh', [...sshClientArgs(host), 'printenv KAFKA_JVM_PERFORMANCE_OPTS'], { stdin: 'ignore' });
    expect(`KAFKA_JVM_PERFORMANCE_OPTS=${env.stdout}`).toBe(E2E_JVM_ENV);

    const noKey = await execa(
      'ssh',
      [
        ...sshClientArgs(host).filter((a) => a !== host.keyPath && a !== '-i'),
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        'IdentityFile=none',
        'true',
      ],
      { stdin: 'ignore', reject: false },
    );
    expect(noKey.exitCode).toBe(255);
    expect(noKey.stderr).toContain('Permission denied (publickey)');
  });

  it('presents the host keys whose fingerprints it reports', async () => {
    const { host } = e2e();
    const scan = await execa('ssh-keyscan', ['-p', String(host.sshPort), '127.0.0.1'], { stdin: 'ignore' });
    const prints = await execa('ssh-keygen', ['-lf', '-'], { input: scan.stdout });
    const seen = prints.stdout.split('\n').map((l) => l.split(' ')[1]);
    expect(seen.sort()).toEqual([...host.hostKeyFingerprints].sort());
    expect(host.hostKeyFingerprints).toHaveLength(3);
  });

  it('gives the user passwordless sudo, over ssh as the tool uses it', async () => {
    const { host } = e2e();
    const r = await execa('ssh', [...sshClientArgs(host), 'sudo -n true && sudo -n id -u'], { stdin: 'ignore' });
    expect(r.stdout).toBe('0');
    expect(statSync(`/etc/sudoers.d/kafka-setup-e2e-${host.user}`).mode & 0o777).toBe(0o440);
  });

  it("has Debian's ~/.bashrc, read by interactive shells only", async () => {
    const { host } = e2e();
    // Starts with Debian's skeleton (init, run by other test files first, appends its block).
    expect(readFileSync(join(host.home, '.bashrc'), 'utf8').startsWith(readFileSync('/etc/skel/.bashrc', 'utf8'))).toBe(true);
    // Debian's skeleton defines this alias after its early return for non-interactive shells.
    expect((await runAsUser(host, 'alias ls', { interactive: true })).stdout).toContain("alias ls='ls --color=auto'");
    expect((await runAsUser(host, 'alias ls')).code).not.toBe(0);
  });

  it('logs exec requests and sessions in the sshd log (LogLevel DEBUG1)', async () => {
    const { host } = e2e();
    const count = (): number =>
      readFileSync(host.sshdLog, 'utf8')
        .split('\n')
        .filter((l) => l.includes('server_input_channel_req: channel 0 request exec')).length;
    const before = count();
    await execa('ssh', [...sshClientArgs(host), 'true'], { stdin: 'ignore' });
    expect(count()).toBe(before + 1);
    expect(readFileSync(host.sshdLog, 'utf8')).toContain(`Starting session: command for ${host.user} from 127.0.0.1`);
  });

  it('serves the tarball on the good mirror with a matching Apache-style .sha512, resumable', async () => {
    const { mirror, distDir } = e2e();
    const published = await (await fetch(`${mirror.good}/3.1.0/${TGZ}.sha512`)).text();
    expect(published).toMatch(new RegExp(`^${TGZ.replace(/\./g, '\\.')}: [0-9A-F]{8}( [0-9A-F]{8}){5}\\n {22}[0-9A-F]{8}`));
    expect(published.trim().split('\n')).toHaveLength(3);
    const expected = parseSha512(published);
    expect(expected).toMatch(/^[0-9a-f]{128}$/);

    const whole = await userDownload(`${mirror.good}/3.1.0/${TGZ}`);
    expect(whole).toMatchObject({ code: 0, sha512: expected, size: statSync(join(distDir, TGZ)).size });

    // An interrupted download (the first MB), then `curl -C -` resumes it with a Range request.
    const resumed = await runAsUser(
      e2e().host,
      `d=$(mktemp -d) && cd "$d" && curl -fsS -r 0-999999 -o f '${mirror.good}/3.1.0/${TGZ}' && ` +
        `stat -c %s f && curl -fsS -C - -o f '${mirror.good}/3.1.0/${TGZ}' && sha512sum f | cut -d ' ' -f 1; c=$?; cd / && rm -rf "$d"; exit $c`,
    );
    expect(resumed.stdout.trim().split('\n'), resumed.stderr).toEqual(['1000000', expected]);
  });

  it('answers 404 on the missing mirror', async () => {
    const { mirror } = e2e();
    expect(await httpStatusAsUser(`${mirror.missing}/3.1.0/${TGZ}.sha512`)).toBe('404');
    expect(await httpStatusAsUser(`${mirror.missing}/3.1.0/${TGZ}`)).toBe('404');
    expect(await httpStatusAsUser(`${mirror.good}/3.1.0/kafka_2.13-3.1.0.tgz`)).toBe('404');
  });

  it('serves a tarball of the right length that does not match the genuine .sha512 on the corrupt mirror', async () => {
    const { mirror, distDir } = e2e();
    const published = await (await fetch(`${mirror.corrupt}/3.1.0/${TGZ}.sha512`)).text();
    expect(published).toBe(readFileSync(join(distDir, `${TGZ}.sha512`), 'utf8'));
    const bad = await userDownload(`${mirror.corrupt}/3.1.0/${TGZ}`);
    expect(bad.code).toBe(0);
    expect(bad.size).toBe(statSync(join(distDir, TGZ)).size);
    expect(bad.sha512).toMatch(/^[0-9a-f]{128}$/);
    expect(bad.sha512).not.toBe(parseSha512(published));
  });

  it('records the requests in order, readable and resettable over HTTP', async () => {
    const { mirror } = e2e();
    await resetMirrorRequests();
    await fetch(`${mirror.missing}/3.1.0/${TGZ}.sha512`);
    await fetch(`${mirror.good}/3.1.0/${TGZ}.sha512`);
    await fetch(`${mirror.good}/3.1.0/${TGZ}`, { method: 'HEAD' });
    expect(await mirrorRequests()).toEqual([
      `GET /missing/kafka/3.1.0/${TGZ}.sha512`,
      `GET /good/kafka/3.1.0/${TGZ}.sha512`,
      `HEAD /good/kafka/3.1.0/${TGZ}`,
    ]);
    await resetMirrorRequests();
    expect(await mirrorRequests()).toEqual([]);
  });
});
