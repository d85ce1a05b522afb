/** The target itself: a real sshd, an EC2-like user, and mirrors that behave as advertised. */
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { parseSha512File } from '../../src/kafka/sha512.js';
import { describeE2e, e2e } from './support/context.js';
import { runAsUser } from './support/host.js';

describeE2e('e2e target', () => {
  it('logs in over ssh with the PEM key and has passwordless sudo', async () => {
    const { host } = e2e();
    const r = await execa('ssh', ['-i', host.keyPath, '-p', String(host.sshPort), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no',
      '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', `${host.user}@127.0.0.1`, 'id -un; sudo -n id -u']);
    expect(r.stdout.split('\n')).toEqual([host.user, '0']);
    expect(host.publicKey).toMatch(/^ssh-rsa /);
  });

  it('serves the tarball with a matching Apache-style .sha512, and the broken mirrors', async () => {
    const { host, mirror } = e2e();
    const sum = await runAsUser(host, `cd /tmp && curl -fsS ${mirror.good}/3.1.0/kafka_2.12-3.1.0.tgz | sha512sum | cut -d' ' -f1`);
    const published = await (await fetch(`${mirror.good}/3.1.0/kafka_2.12-3.1.0.tgz.sha512`)).text();
    expect(sum.stdout.trim()).toBe(parseSha512File(published));
    expect(published.trim().split('\n').length).toBeGreaterThan(1);
    expect((await fetch(`${mirror.missing}/3.1.0/kafka_2.12-3.1.0.tgz`)).status).toBe(404);
    const bad = await runAsUser(host, `curl -fsS ${mirror.corrupt}/3.1.0/kafka_2.12-3.1.0.tgz | sha512sum | cut -d' ' -f1`);
    expect(bad.stdout.trim()).not.toBe(parseSha512File(published));
  });

  it('gives the user Debian\'s ~/.bashrc, which non-interactive shells leave early', async () => {
    const { host } = e2e();
    const r = await runAsUser(host, 'grep -c "If not running interactively" ~/.bashrc');
    expect(r.stdout.trim()).toBe('1');
  });
});
