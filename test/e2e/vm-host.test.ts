/**
 * The VM fixture itself (support/vm-host.ts): a Debian 12 guest under QEMU's software emulation is a
 * usable EC2-like host — ssh as admin, passwordless sudo, systemd as PID 1, no Java, 1 GiB — that
 * reaches the e2e mirror and the Debian mirror, survives a reboot and a power cycle onto a new
 * address (same disk, same host key), and leaves nothing behind. One VM, booted twice: CI time matters.
 * The boot timings are printed, one line each.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { e2e } from './support/context.js';
import { alive } from './support/host.js';
import { resetHost } from './support/reset.js';
import { describeVm } from './support/vm-suite.js';
import { bootId, guestUrl, powerCycleVm, rebootVm, sshVm, startVm, stopVm, type VmHost } from './support/vm-host.js';

const seconds = (since: number): string => ((Date.now() - since) / 1000).toFixed(1);

describeVm('a Debian 12 VM as an EC2-like host', () => {
  let current: VmHost | undefined;
  const vm = (): VmHost => {
    if (!current) throw new Error('the VM did not start');
    return current;
  };

  beforeAll(async () => {
    // The main e2e host's broker may hold 0.0.0.0:9092, which the VM's forward needs.
    await resetHost(e2e().host);
    const started = Date.now();
    current = await startVm({ address: '127.0.0.2' });
    console.log(`vm: boot to ssh in ${seconds(started)} s`);
  });
  afterAll(async () => {
    if (current) await stopVm(current);
  });

  it('is an EC2-like host: admin with passwordless sudo, systemd as PID 1, 1 GiB, no Java', async () => {
    const r = await sshVm(vm(), 'id -un; id -Gn; sudo -n true && echo sudo ok; ps -o comm= -p 1; awk \'/^MemTotal/ { print $2 }\' /proc/meminfo; command -v java || echo no java');
    expect(r.code, r.stderr).toBe(0);
    const [user, groups, sudo, init, memKb, java] = r.stdout.split('\n');
    expect(user).toBe('admin');
    expect(groups?.split(' ')).toEqual(expect.arrayContaining(['adm', 'sudo']));
    expect(sudo).toBe('sudo ok');
    expect(init).toBe('systemd');
    // 1 GiB less what the kernel keeps for itself.
    expect(Number(memKb) / 1024).toBeGreaterThan(900);
    expect(Number(memKb) / 1024).toBeLessThanOrEqual(1024);
    expect(java).toBe('no java');
    expect(readFileSync(vm().keyPath, 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(vm().hostKeyFingerprints.length).toBeGreaterThan(0);

    // `systemctl is-system-running` waits for the boot to finish; degraded (a unit failed) is usable too, but say which.
    const state = await sshVm(vm(), 'systemctl is-system-running --wait; systemctl --failed --plain --no-legend', { timeoutMs: 120_000 });
    const [status = '', ...failed] = state.stdout.split('\n').filter(Boolean);
    console.log(`vm: systemctl is-system-running: ${status}${failed.length > 0 ? `; failed units: ${failed.join('; ')}` : ''}`);
    expect(['running', 'degraded']).toContain(status);
  });

  it('guestUrl: this machine\'s loopback as the guest sees it, other URLs unchanged', () => {
    expect(guestUrl('http://127.0.0.1:4321')).toBe('http://10.0.2.2:4321');
    expect(guestUrl('http://127.0.0.1:4321/good/kafka?x=1')).toBe('http://10.0.2.2:4321/good/kafka?x=1');
    expect(guestUrl('http://localhost:1/')).toBe('http://10.0.2.2:1/');
    expect(guestUrl('http://127.0.0.10:5/')).toBe('http://127.0.0.10:5/');
    expect(guestUrl('https://downloads.apache.org/kafka')).toBe('https://downloads.apache.org/kafka');
  });

  it('reaches the e2e mirror at 10.0.2.2 and the Debian mirror through NAT', async () => {
    const { mirror, distDir } = e2e();
    expect(guestUrl(mirror.good)).toMatch(/^http:\/\/10\.0\.2\.2:\d+\/good\/kafka$/);
    const sha = await sshVm(vm(), `curl -fsS '${guestUrl(mirror.good)}/3.1.0/kafka_2.12-3.1.0.tgz.sha512'`);
    expect(sha.code, sha.stderr).toBe(0);
    expect(sha.stdout.trim()).toBe(readFileSync(join(distDir, 'kafka_2.12-3.1.0.tgz.sha512'), 'utf8').trim());

    const apt = await sshVm(vm(), 'sudo -n apt-get update -q');
    expect(apt.code, `${apt.stdout}\n${apt.stderr}`).toBe(0);
    expect(apt.stdout).toMatch(/bookworm/);
  });

  it('comes back from `systemctl reboot` with a new boot id', async () => {
    const before = await bootId(vm());
    const { seconds: took } = await rebootVm(vm());
    console.log(`vm: reboot (systemctl reboot to ssh) in ${took.toFixed(1)} s`);
    expect(await bootId(vm())).not.toBe(before);
  });

  it('comes back from a power cycle onto a new address: same disk, same host key, the old address gone', async () => {
    const before = { ...vm(), hostKeyFingerprints: [...vm().hostKeyFingerprints] };
    const marker = await sshVm(vm(), 'echo survived > ~/power-cycle-marker');
    expect(marker.code, marker.stderr).toBe(0);

    const started = Date.now();
    await powerCycleVm(vm(), { address: '127.0.0.3' });
    console.log(`vm: power cycle (kill, boot onto 127.0.0.3, ssh) in ${seconds(started)} s`);

    expect(vm().address).toBe('127.0.0.3');
    expect(vm().pid).not.toBe(before.pid);
    expect(alive(before.pid)).toBe(false);
    expect(vm().hostKeyFingerprints).toEqual(before.hostKeyFingerprints);
    const read = await sshVm(vm(), 'cat ~/power-cycle-marker');
    expect(read.stdout.trim()).toBe('survived');
    // The broker's and ZooKeeper's ports are forwarded from the new address, by this QEMU.
    const ss = await execa('ss', ['-Htlnp'], { stdin: 'ignore' });
    for (const port of [9092, 2181, vm().sshPort]) {
      expect(ss.stdout).toMatch(new RegExp(`127\\.0\\.0\\.3:${port} .*pid=${vm().pid},`));
    }
    // Nothing answers on the old address any more.
    const old = await sshVm(before, 'true', { timeoutMs: 30_000 });
    expect(old.code).toBe(255);
  });

  it('stopVm leaves no QEMU process and no work directory', async () => {
    const { pid, workDir } = vm();
    await stopVm(vm());
    current = undefined;
    expect(alive(pid)).toBe(false);
    expect(existsSync(workDir)).toBe(false);
  });

  it('names the process that holds a port the VM needs, rather than failing in QEMU', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(9092, '127.0.0.4', resolve));
    try {
      await expect(startVm({ address: '127.0.0.4' })).rejects.toThrow(`port 9092 on 127.0.0.4 is taken by pid ${process.pid}`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
