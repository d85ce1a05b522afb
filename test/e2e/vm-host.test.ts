/**
 * The VM fixture itself (support/vm-host.ts): a Debian 12 guest under QEMU's software emulation is a
 * usable EC2-like host — ssh as admin, passwordless sudo, systemd as PID 1, no Java, 1 GiB — that
 * reaches the e2e mirror and the Debian mirror, survives a reboot and a power cycle onto a new
 * address (same disk, same host key), and leaves nothing behind. Its forwards live in a namespace of
 * its own (10.213.0.N), never on this machine's ports, so it runs beside the loopback e2e tests.
 * One VM, booted twice: CI time matters.
 * The boot timings are printed, one line each.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { alive } from './support/host.js';
import { BRIDGE_ADDRESS, inNetns, type Netns, removeLeftovers } from './support/netns-host.js';
import { bootId, guestUrl, powerCycleVm, rebootVm, sshVm, startVm, stopVm, type VmHost } from './support/vm-host.js';
import { describeVm, vmContext } from './support/vm-suite.js';

const seconds = (since: number): string => ((Date.now() - since) / 1000).toFixed(1);

describeVm('a Debian 12 VM as an EC2-like host', () => {
  let current: VmHost | undefined;
  const vm = (): VmHost => {
    if (!current) throw new Error('the VM did not start');
    return current;
  };

  beforeAll(async () => {
    const started = Date.now();
    current = await startVm({ loopbackPorts: [vmContext().mirror.port] });
    console.log(`vm: boot to ssh in ${seconds(started)} s`);
  });
  afterAll(async () => {
    if (current) await stopVm(current);
  });

  it('is an EC2-like host: admin with passwordless sudo, systemd as PID 1, 1 GiB, no Java', async () => {
    const r = await sshVm(
      vm(),
      "id -un; id -Gn; sudo -n true && echo sudo ok; ps -o comm= -p 1; awk '/^MemTotal/ { print $2 }' /proc/meminfo; command -v java || echo no java",
    );
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

  it("forwards from its own address in its own namespace, never from this machine's ports", async () => {
    expect(vm().address).toMatch(/^10\.213\.0\.\d+$/);
    expect(vm().sshPort).toBe(22);
    const inside = await inNetns(vm().netns, ['ss', '-Htlnp']);
    for (const port of [22, 9092, 2181])
      expect(inside).toMatch(new RegExp(`${vm().address.replaceAll('.', '\\.')}:${port} .*pid=${vm().pid},`));
    const here = await execa('ss', ['-Htlnp'], { stdin: 'ignore' });
    expect(here.stdout).not.toContain(`pid=${vm().pid},`);
  });

  it("guestUrl: this machine's loopback through its relay on the bridge, other URLs unchanged", () => {
    const relays = { 4321: 40001, 1: 40002 };
    expect(guestUrl({ relays }, 'http://127.0.0.1:4321')).toBe(`http://${BRIDGE_ADDRESS}:40001`);
    expect(guestUrl({ relays }, 'http://127.0.0.1:4321/good/kafka?x=1')).toBe(`http://${BRIDGE_ADDRESS}:40001/good/kafka?x=1`);
    expect(guestUrl({ relays }, 'http://localhost:1/')).toBe(`http://${BRIDGE_ADDRESS}:40002/`);
    expect(guestUrl({ relays }, 'http://127.0.0.10:5/')).toBe('http://127.0.0.10:5/');
    expect(guestUrl({ relays }, 'https://downloads.apache.org/kafka')).toBe('https://downloads.apache.org/kafka');
    expect(() => guestUrl({ relays }, 'http://127.0.0.1:9/x')).toThrow("port 9 of this machine's loopback is not relayed to the VM");
  });

  it('reaches the e2e mirror through its relay and the Debian mirror through NAT', async () => {
    const { mirror, distDir } = vmContext();
    expect(guestUrl(vm(), mirror.good)).toMatch(/^http:\/\/10\.213\.0\.1:\d+\/good\/kafka$/);
    const sha = await sshVm(vm(), `curl -fsS '${guestUrl(vm(), mirror.good)}/3.1.0/kafka_2.12-3.1.0.tgz.sha512'`);
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
    const before = { ...vm(), netns: { ...vm().netns }, hostKeyFingerprints: [...vm().hostKeyFingerprints] };
    const marker = await sshVm(vm(), 'echo survived > ~/power-cycle-marker');
    expect(marker.code, marker.stderr).toBe(0);

    const started = Date.now();
    await powerCycleVm(vm());
    console.log(`vm: power cycle (kill, boot onto ${vm().address}, ssh) in ${seconds(started)} s`);

    expect(vm().address).toMatch(/^10\.213\.0\.\d+$/);
    expect(vm().address).not.toBe(before.address);
    expect(vm().netns.netns).not.toBe(before.netns.netns);
    expect(vm().pid).not.toBe(before.pid);
    expect(alive(before.pid)).toBe(false);
    expect(vm().hostKeyFingerprints).toEqual(before.hostKeyFingerprints);
    const read = await sshVm(vm(), 'cat ~/power-cycle-marker');
    expect(read.stdout.trim()).toBe('survived');
    // The broker's and ZooKeeper's ports are forwarded from the new address, by this QEMU.
    const ss = await inNetns(vm().netns, ['ss', '-Htlnp']);
    for (const port of [9092, 2181, 22]) {
      expect(ss).toMatch(new RegExp(`${vm().address.replaceAll('.', '\\.')}:${port} .*pid=${vm().pid},`));
    }
    // This VM no longer answers on the old address: its namespace is gone. (Something else may: the
    // address is free again, and a host another test file starts beside this one may claim it at once.)
    const old = await sshVm(before, 'true', { timeoutMs: 30_000 });
    expect(old.code).toBe(255);
    expect((await execa('ip', ['netns', 'pids', before.netns.netns], { reject: false })).exitCode).not.toBe(0);
  });

  it('stopVm leaves no QEMU process, no namespace, no NAT rule, no record and no work directory', async () => {
    const { pid, workDir, address, netns } = vm();
    await stopVm(vm());
    current = undefined;
    expect(alive(pid)).toBe(false);
    expect(existsSync(workDir)).toBe(false);
    expect((await execa('ip', ['netns', 'pids', netns.netns], { reject: false })).exitCode).not.toBe(0);
    expect(existsSync(`/run/kafka-setup-e2e-netns/${address}`)).toBe(false);
    const rules = `${(await execa('iptables', ['-w', '-S'])).stdout}\n${(await execa('iptables', ['-w', '-t', 'nat', '-S'])).stdout}`;
    expect(rules).not.toContain(`${address}/32`);
  });

  it('after a crash, the next run removes the namespace, what runs in it, its NAT rules, and forwarding it turned on', async () => {
    const forwarding = (): string => readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
    const before = forwarding();
    // A process that makes a NAT namespace, starts a stand-in for QEMU in it, and dies without cleaning up.
    const script = join(scratchDir('ks-vm-crash-'), 'crash.mts');
    writeFileSync(
      script,
      `import { spawn } from 'node:child_process';
import { startNetns } from ${JSON.stringify(fileURLToPath(new URL('./support/netns-host.ts', import.meta.url)))};
const ns = await startNetns({ nat: true });
const stand = spawn('ip', ['netns', 'exec', ns.netns, 'sleep', '600'], { stdio: 'ignore', detached: true });
console.log(JSON.stringify({ ...ns, pid: stand.pid }));
setInterval(() => {}, 1000);
`,
    );
    const child = execa(process.execPath, ['--import', 'tsx', script], { stdin: 'ignore', reject: false });
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout?.once('data', (d: Buffer) => resolve(d.toString()));
      void child.then((r) => reject(new Error(`the crashing process exited first: ${r.stderr}`)));
    });
    const crashed = JSON.parse(line) as Netns & { pid: number };
    expect(forwarding()).toBe('1');
    child.kill('SIGKILL');
    await child;
    expect(alive(crashed.pid)).toBe(true);

    await removeLeftovers();
    expect(alive(crashed.pid)).toBe(false);
    expect((await execa('ip', ['netns', 'pids', crashed.netns], { reject: false })).exitCode).not.toBe(0);
    expect(existsSync(`/run/kafka-setup-e2e-netns/${crashed.address}`)).toBe(false);
    const rules = `${(await execa('iptables', ['-w', '-S'])).stdout}\n${(await execa('iptables', ['-w', '-t', 'nat', '-S'])).stdout}`;
    expect(rules).not.toContain(`${crashed.address}/32`);
    expect(forwarding()).toBe(before);
  });
});
