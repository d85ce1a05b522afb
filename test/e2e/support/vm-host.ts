/**
 * A real Debian 12 virtual machine for the e2e suite: an EC2-like host that runs systemd, booted
 * with QEMU's software emulation (KVM fails here with an MSR assertion) from the cached disk of
 * fixtures/vm-image — sshd, sudo, curl, an `admin` user with passwordless sudo and an RSA key in PEM
 * format, no Java, 1 GiB of memory. Each VM boots a copy-on-write overlay of that disk, so the cache
 * never changes and a power cycle boots the same disk again.
 *
 * QEMU's user network forwards ADDRESS:sshPort, ADDRESS:9092 and ADDRESS:2181 (a loopback address of
 * its own, 127.0.0.2 unless told) to the guest, so a broker there can advertise ADDRESS:9092. The
 * guest sees this machine as 10.0.2.2 (guestUrl) and the Debian mirror through QEMU's NAT.
 * While a VM runs, QEMU holds ADDRESS:9092 and ADDRESS:2181, so nothing on this machine can bind
 * 0.0.0.0:9092 or :2181 (the main e2e host's Kafka cannot start): stop the VM in the same file.
 * QEMU is killed by the pid it was started with, never by name; stopVm removes the work directory.
 * No vitest here (describeVm is in vm-suite.ts): a script can boot a VM with tsx to debug.
 */
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { alive, killPids, sshClientArgs, type RunResult } from './host.js';

export interface VmHost {
  /** The loopback address QEMU forwards from (ssh, 9092, 2181): the machine's "public IP". */
  address: string;
  /** ssh listens on address:sshPort (forwarded to the guest's port 22). */
  sshPort: number;
  user: 'admin';
  /** RSA private key, PEM, mode 0400, in workDir. */
  keyPath: string;
  /** How the guest reaches this machine (QEMU's user network gateway), e.g. for the e2e mirror. */
  mirrorHost: '10.0.2.2';
  /** "SHA256:…" of the guest's host keys (sorted): made on its first boot, kept on its disk. */
  hostKeyFingerprints: string[];
  /** The guest's serial console (kernel, systemd, getty), every boot of this VM appended. */
  consoleLog: string;
  /** QEMU's pid; 0 once stopped. */
  pid: number;
  /** Holds the overlay disk, key, logs; removed by stopVm. */
  workDir: string;
  /** The cached image the overlay is backed by: disk.img, vmlinuz, initrd.img (never written to). */
  imageDir: string;
}

const PREFIX = 'kafka-setup-vm-';
const GUEST_GATEWAY = '10.0.2.2';
const FORWARDED_PORTS = [9092, 2181] as const;
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
// Software emulation on a busy CI machine: a boot takes ≈15–25 s, allow for much worse.
const BOOT_TIMEOUT = 240_000;
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Why VMs cannot run here, or undefined. With KAFKA_SETUP_E2E=required a missing QEMU is not a reason: startVm fails instead. */
export function vmSkipReason(): string | undefined {
  if (process.platform !== 'linux') return `this is ${process.platform}, not Linux`;
  if (process.getuid?.() !== 0) return 'not running as root';
  if (process.env.KAFKA_SETUP_E2E === 'required') return undefined;
  for (const tool of ['qemu-system-x86_64', 'qemu-img']) if (!onPath(tool)) return `${tool} is missing (apt-get install -y qemu-system-x86 qemu-utils)`;
  return undefined;
}

/** A URL of this machine's loopback (the e2e mirror) as the guest reaches it. */
export function guestUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)(?:127\.0\.0\.1|localhost)(?=[:/?#]|$)/i, (_, scheme: string) => `${scheme}${GUEST_GATEWAY}`);
}

function onPath(tool: string): boolean {
  return PATH.split(':').some((dir) => existsSync(join(dir, tool)));
}

/** The cached base disk (built by fixtures/vm-image/build.sh when missing); its kernel, initrd and key are beside it. */
export async function vmImage(): Promise<string> {
  const script = fileURLToPath(new URL('../fixtures/vm-image/build.sh', import.meta.url));
  const r = await execa(script, [join(repoRoot, '.cache/e2e/vm')], { stdin: 'ignore', stderr: 'inherit', timeout: 900_000 });
  const disk = r.stdout.trim().split('\n').at(-1) ?? '';
  if (!disk.endsWith('/disk.img') || !existsSync(disk)) throw new Error(`vm-image/build.sh printed no disk image:\n${r.stdout}`);
  return disk;
}

/** Boots a new VM forwarding from `address` (default 127.0.0.2) and waits until ssh answers. */
export async function startVm(opts: { address?: string } = {}): Promise<VmHost> {
  const address = opts.address ?? '127.0.0.2';
  checkAddress(address);
  for (const tool of ['qemu-system-x86_64', 'qemu-img']) {
    if (!onPath(tool)) throw new Error(`${tool} is missing: apt-get install -y qemu-system-x86 qemu-utils`);
  }
  const base = await vmImage();
  const workDir = realpathSync(mkdtempSync(join(tmpdir(), PREFIX)));
  const vm: VmHost = {
    address, sshPort: 0, user: 'admin', keyPath: join(workDir, 'admin-key.pem'), mirrorHost: GUEST_GATEWAY,
    hostKeyFingerprints: [], consoleLog: join(workDir, 'console.log'), pid: 0, workDir, imageDir: dirname(base),
  };
  try {
    copyFileSync(join(vm.imageDir, 'admin-key.pem'), vm.keyPath);
    chmodSync(vm.keyPath, 0o400);
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'raw', overlay(vm)], { stdin: 'ignore', timeout: 60_000 });
    await boot(vm);
    return vm;
  } catch (err) {
    await stopVm(vm).catch(() => {});
    throw err;
  }
}

/** `sudo systemctl reboot` in the guest; resolves once ssh answers from the next boot (a new boot id). */
export async function rebootVm(vm: VmHost): Promise<{ seconds: number }> {
  const before = await bootId(vm);
  const started = Date.now();
  const r = await sshVm(vm, 'sudo -n systemctl reboot');
  // 255: the connection dropped as the guest went down, which is what a reboot does.
  if (r.code !== 0 && r.code !== 255) throw new Error(`sudo systemctl reboot failed (exit ${r.code}): ${r.stderr}`);
  await waitForSsh(vm, before);
  return { seconds: (Date.now() - started) / 1000 };
}

/**
 * Pulls the plug and boots the same disk forwarding from a new loopback address, like an EC2
 * stop/start that changes the public IP: `sync` in the guest first (EC2's stop shuts down cleanly, so
 * what was written is on disk), then QEMU killed by pid (SIGTERM: it closes its disks cleanly). The
 * guest's services get no shutdown: a broker recovers its logs on the next start. Updates and returns
 * the same record (new address, ssh port and pid), so stopVm on it stops the new QEMU.
 */
export async function powerCycleVm(vm: VmHost, opts: { address: string }): Promise<VmHost> {
  checkAddress(opts.address);
  await sshVm(vm, 'sync', { timeoutMs: 30_000 });
  await killQemu(vm);
  vm.address = opts.address;
  vm.sshPort = 0;
  await boot(vm);
  return vm;
}

/** Kills QEMU by its pid and removes the work directory. Safe to call twice. */
export async function stopVm(vm: VmHost): Promise<void> {
  await killQemu(vm);
  // Only a directory this module made (nothing is ever mounted there).
  if (dirname(vm.workDir) === realpathSync(tmpdir()) && basename(vm.workDir).startsWith(PREFIX)) rmSync(vm.workDir, { recursive: true, force: true });
}

/** Runs a command as admin over ssh (the system client with the VM's key; host keys not checked). */
export async function sshVm(vm: VmHost, command: string, opts: { timeoutMs?: number } = {}): Promise<RunResult> {
  const r = await execa('ssh', [...sshClientArgs(vm), command], { reject: false, stdin: 'ignore', timeout: opts.timeoutMs ?? 600_000 });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The guest kernel's id of the running boot (a new one after each reboot). */
export async function bootId(vm: VmHost): Promise<string> {
  const r = await sshVm(vm, 'cat /proc/sys/kernel/random/boot_id', { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`could not read the VM's boot id (exit ${r.code}): ${r.stderr}`);
  return r.stdout.trim();
}

function checkAddress(address: string): void {
  // A loopback address of the VM's own: 127.0.0.1 is the main e2e host's (its broker binds 9092 there).
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address) || address === '127.0.0.1') {
    throw new Error(`a VM needs a loopback address of its own such as 127.0.0.2, not "${address}"`);
  }
}

const overlay = (vm: VmHost): string => join(vm.workDir, 'disk.qcow2');

/** Starts QEMU on the overlay and waits for ssh; on failure QEMU is killed and the error has the console's end. */
async function boot(vm: VmHost): Promise<void> {
  for (const port of FORWARDED_PORTS) await checkPortFree(vm.address, port);
  vm.sshPort = await freePortOn(vm.address);
  const forward = [`hostfwd=tcp:${vm.address}:${vm.sshPort}-:22`, ...FORWARDED_PORTS.map((p) => `hostfwd=tcp:${vm.address}:${p}-:${p}`)].join(',');
  const stderrPath = join(vm.workDir, 'qemu.stderr');
  const stderr = openSync(stderrPath, 'a');
  // A child of this process and of its process group, so Ctrl-C reaches it too; stdio never a pipe.
  const qemu = spawn('qemu-system-x86_64', [
    '-name', 'kafka-setup-vm', '-nodefaults', '-display', 'none', '-monitor', 'none',
    // 1 vCPU like a t2.micro. Two emulated vCPUs (multi-threaded TCG) started the JVMs faster but crashed them now and
    // then (SIGSEGV in JIT-compiled code, also inside ca-certificates-java's postinst): code one vCPU patches while
    // another runs it is not reliably coherent under TCG.
    '-accel', 'tcg', '-m', '1024', '-smp', '1',
    '-kernel', join(vm.imageDir, 'vmlinuz'), '-initrd', join(vm.imageDir, 'initrd.img'),
    '-append', 'root=/dev/vda rw console=ttyS0 net.ifnames=0',
    '-drive', `file=${overlay(vm)},format=qcow2,if=virtio`,
    '-netdev', `user,id=net0,${forward}`, '-device', 'virtio-net-pci,netdev=net0',
    '-device', 'virtio-rng-pci',
    '-chardev', `file,id=console,path=${vm.consoleLog},append=on`, '-serial', 'chardev:console',
  ], { stdio: ['ignore', 'ignore', stderr] });
  closeSync(stderr);
  qemu.once('error', () => {});
  qemu.unref();
  vm.pid = qemu.pid ?? 0;
  try {
    if (vm.pid <= 0) throw new Error('qemu-system-x86_64 did not start');
    await waitForSsh(vm);
    vm.hostKeyFingerprints = await hostKeyFingerprints(vm);
  } catch (err) {
    const qemuErr = existsSync(stderrPath) ? readFileSync(stderrPath, 'utf8').trim() : '';
    await killQemu(vm);
    throw new Error(`the VM did not boot on ${vm.address}:${vm.sshPort}: ${(err as Error).message}` +
      `${qemuErr ? `\nqemu: ${qemuErr}` : ''}\nconsole (last lines):\n${consoleTail(vm)}`, { cause: err });
  }
}

/** Waits until ssh runs a command in the guest (from a boot other than `notBootId`, when given), or QEMU exits. */
async function waitForSsh(vm: VmHost, notBootId?: string): Promise<void> {
  const deadline = Date.now() + BOOT_TIMEOUT;
  let last = '';
  while (Date.now() < deadline) {
    if (!alive(vm.pid)) throw new Error(`qemu (pid ${vm.pid}) exited${last ? `; ssh said: ${last}` : ''}`);
    const r = await sshVm(vm, 'cat /proc/sys/kernel/random/boot_id', { timeoutMs: 20_000 });
    if (r.code === 0 && r.stdout.trim() !== notBootId) return;
    last = r.code === 0 ? 'still the same boot' : r.stderr.trim();
    await sleep(1000);
  }
  throw new Error(`ssh did not answer within ${BOOT_TIMEOUT / 1000} s${last ? `; ssh said: ${last}` : ''}`);
}

async function hostKeyFingerprints(vm: VmHost): Promise<string[]> {
  // Read in the guest rather than scanned: ssh-keyscan's one connection per key type can time out on a slow guest.
  const r = await sshVm(vm, 'for key in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -lf "$key"; done', { timeoutMs: 60_000 });
  const prints = r.stdout.split('\n').map((l) => l.split(' ')[1] ?? '').filter((f) => f.startsWith('SHA256:'));
  if (r.code !== 0 || prints.length === 0) throw new Error(`could not read the guest's host keys (exit ${r.code}): ${r.stderr}`);
  return prints.sort();
}

/** QEMU killed (SIGTERM: it closes its disks cleanly; SIGKILL after 20 s), only if the pid is still our QEMU. */
async function killQemu(vm: VmHost): Promise<void> {
  if (vm.pid > 0 && ownQemu(vm)) await killPids([vm.pid]);
  if (vm.pid > 0 && alive(vm.pid) && ownQemu(vm)) throw new Error(`qemu (pid ${vm.pid}) would not stop`);
  vm.pid = 0;
}

/** The pid runs QEMU on this VM's overlay (a pid may have been reused). */
function ownQemu(vm: VmHost): boolean {
  try {
    return readFileSync(`/proc/${vm.pid}/cmdline`, 'utf8').includes(overlay(vm));
  } catch {
    return false;
  }
}

function consoleTail(vm: VmHost): string {
  if (!existsSync(vm.consoleLog)) return '(no console output)';
  // systemd colours its status lines.
  const text = readFileSync(vm.consoleLog, 'utf8').replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '');
  return text.split('\n').filter((l) => l.trim()).slice(-40).join('\n');
}

/** A port free on this address, for ssh's forward (the kernel's pick; QEMU binds it right after). */
async function freePortOn(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, address, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Fails with who holds it when address:port cannot be bound (a broker left on 0.0.0.0:9092, say), rather than QEMU's vaguer error. */
async function checkPortFree(address: string, port: number): Promise<void> {
  const free = await new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, address, () => srv.close(() => resolve(true)));
  });
  if (free) return;
  const ss = await execa('ss', ['-Htlnp', `sport = :${port}`], { reject: false, stdin: 'ignore' });
  const holders = [...ss.stdout.matchAll(/\("([^"]+)",pid=(\d+)/g)].map((m) => `pid ${m[2]} (${m[1]})`);
  throw new Error(`port ${port} on ${address} is taken by ${holders.length > 0 ? [...new Set(holders)].join(', ') : 'another process'}: ` +
    'stop it (resetHost stops the main e2e host\'s broker) before booting a VM');
}
