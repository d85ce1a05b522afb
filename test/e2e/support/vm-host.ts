/**
 * A real Debian 12 virtual machine for the e2e suite: an EC2-like host that runs systemd, booted
 * with QEMU's software emulation (KVM fails here with an MSR assertion) from the cached disk of
 * fixtures/vm-image — sshd, sudo, curl, an `admin` user with passwordless sudo and an RSA key in PEM
 * format, no Java, 1 GiB of memory. Each VM boots a copy-on-write overlay of that disk, so the cache
 * never changes and a power cycle boots the same disk again.
 *
 * QEMU runs in a network namespace of its own (netns-host.ts's startNetns: ADDRESS = 10.213.0.N on the
 * bridge ks-br0, claimed by a record), and its user network forwards ADDRESS:22, :9092 and :2181 to the
 * guest, so a broker there advertises ADDRESS:9092 and nothing clashes with this machine's ports (the
 * loopback e2e host's Kafka on 0.0.0.0:9092): VM tests run beside the rest of the suite. The guest
 * reaches this machine's loopback services (the e2e mirror) through relays on the bridge address
 * (guestUrl), and the Debian mirror through QEMU's NAT, then the namespace's (forwarding and an
 * iptables MASQUERADE rule for ADDRESS only, removed with the namespace).
 * QEMU is killed by the pid it was started with, never by name, and with its namespace's processes
 * after a crash; stopVm removes the namespace and the work directory (a later startVm removes those of
 * a crashed run). No vitest here (describeVm is in vm-suite.ts): a script can boot a VM with tsx to debug.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { alive, killPids, type RunResult, sshClientArgs } from './host.js';
import { BRIDGE_ADDRESS, type Netns, relayFromBridge, startNetns, startTime, stopNetns } from './netns-host.js';

export interface VmHost {
  /** 10.213.0.N, the address QEMU forwards from (ssh, 9092, 2181) in its namespace: the machine's "public IP". */
  address: string;
  /** 22: ssh listens on address:22 (forwarded to the guest's port 22). */
  sshPort: number;
  /** QEMU's namespace, which holds address (a new one after a power cycle). */
  netns: Netns;
  user: 'admin';
  /** RSA private key, PEM, mode 0400, in workDir. */
  keyPath: string;
  /** Port of this machine's loopback → port on BRIDGE_ADDRESS that relays to it, for the guest (guestUrl). */
  relays: Record<number, number>;
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
const FORWARDED_PORTS = [22, 9092, 2181] as const;
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
// Software emulation on a busy CI machine: a boot takes ≈15–25 s, allow for much worse.
const BOOT_TIMEOUT = 240_000;
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Why VMs cannot run here, or undefined. With KAFKA_SETUP_E2E=required a missing QEMU is not a reason: startVm fails instead. */
export function vmSkipReason(): string | undefined {
  if (process.platform !== 'linux') return `this is ${process.platform}, not Linux`;
  if (process.getuid?.() !== 0) return 'not running as root';
  if (process.env.KAFKA_SETUP_E2E === 'required') return undefined;
  for (const tool of ['qemu-system-x86_64', 'qemu-img'])
    if (!onPath(tool)) return `${tool} is missing (apt-get install -y qemu-system-x86 qemu-utils)`;
  for (const tool of ['ip', 'iptables', 'flock'])
    if (!onPath(tool)) return `${tool} is missing (apt-get install -y iproute2 iptables util-linux)`;
  return undefined;
}

/**
 * A URL of this machine's loopback (the e2e mirror) as the guest reaches it: through the relay of its
 * port on the bridge address. Other URLs are unchanged; a loopback port without a relay is an error.
 */
export function guestUrl(vm: Pick<VmHost, 'relays'>, url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(?:127\.0\.0\.1|localhost)(?::(\d+))?(?=[/?#]|$)/i.exec(url);
  if (!m) return url;
  const relay = vm.relays[Number(m[2])];
  if (relay === undefined)
    throw new Error(`${url}: port ${m[2] ?? '(default)'} of this machine's loopback is not relayed to the VM (startVm's loopbackPorts)`);
  return `${m[1]}${BRIDGE_ADDRESS}:${relay}${url.slice(m[0].length)}`;
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

// The relays' closers, by work directory (a VmHost is plain data: tests copy it).
const relayClosers = new Map<string, Array<() => Promise<void>>>();

/**
 * Boots a new VM in a namespace of its own (a fresh 10.213.0.N) and waits until ssh answers.
 * loopbackPorts: ports of this machine's loopback the guest needs (the e2e mirror's), see guestUrl.
 */
export async function startVm(opts: { loopbackPorts?: number[] } = {}): Promise<VmHost> {
  for (const tool of ['qemu-system-x86_64', 'qemu-img']) {
    if (!onPath(tool)) throw new Error(`${tool} is missing: apt-get install -y qemu-system-x86 qemu-utils`);
  }
  removeCrashedWorkDirs();
  const base = await vmImage();
  const workDir = realpathSync(mkdtempSync(join(tmpdir(), PREFIX)));
  // Whose it is, so that a later run removes it when this process is gone without stopVm.
  writeFileSync(join(workDir, 'owner'), `${process.pid} ${startTime(process.pid)}\n`);
  const vm: VmHost = {
    address: '',
    sshPort: 22,
    netns: { address: '', netns: '', veth: '', nat: true },
    user: 'admin',
    keyPath: join(workDir, 'admin-key.pem'),
    relays: {},
    hostKeyFingerprints: [],
    consoleLog: join(workDir, 'console.log'),
    pid: 0,
    workDir,
    imageDir: dirname(base),
  };
  relayClosers.set(workDir, []);
  try {
    copyFileSync(join(vm.imageDir, 'admin-key.pem'), vm.keyPath);
    chmodSync(vm.keyPath, 0o400);
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'raw', overlay(vm)], { stdin: 'ignore', timeout: 60_000 });
    vm.netns = await startNetns({ nat: true });
    vm.address = vm.netns.address;
    // After the namespace: the relays listen on the bridge, which exists from then on.
    for (const port of opts.loopbackPorts ?? []) {
      const relay = await relayFromBridge(port);
      relayClosers.get(workDir)?.push(relay.close);
      vm.relays[port] = relay.port;
    }
    await boot(vm);
    return vm;
  } catch (err) {
    await stopVm(vm).catch(() => {});
    throw err;
  }
}

/** Work directories of VMs whose process is gone (a crash: stopVm never ran). Their namespaces went with startNetns's leftovers. */
function removeCrashedWorkDirs(): void {
  const tmp = realpathSync(tmpdir());
  for (const name of readdirSync(tmp).filter((n) => n.startsWith(PREFIX))) {
    let owner: string[];
    try {
      owner = readFileSync(join(tmp, name, 'owner'), 'utf8')
        .trim()
        .split(' ');
    } catch {
      continue;
    }
    const [pid = '', start = ''] = owner;
    if (start !== '' && startTime(Number(pid)) !== start) rmSync(join(tmp, name), { recursive: true, force: true });
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
 * Pulls the plug and boots the same disk forwarding from a new address, like an EC2 stop/start that
 * changes the public IP: `sync` in the guest first (EC2's stop shuts down cleanly, so what was written
 * is on disk), then QEMU killed by pid (SIGTERM: it closes its disks cleanly), a new namespace claimed
 * (a second address, while the first is still held, so never the same), the old one removed (its
 * address stops answering), QEMU booted in the new one. The guest's services get no shutdown: a
 * broker recovers its logs on the next start. Updates and returns the same record (new address,
 * namespace and pid), so stopVm on it stops the new QEMU.
 */
export async function powerCycleVm(vm: VmHost): Promise<VmHost> {
  await sshVm(vm, 'sync', { timeoutMs: 30_000 });
  await killQemu(vm);
  const old = vm.netns;
  vm.netns = await startNetns({ nat: true });
  vm.address = vm.netns.address;
  await stopNetns(old);
  await boot(vm);
  return vm;
}

/** Kills QEMU by its pid, closes the relays, removes the namespace and the work directory. Safe to call twice. */
export async function stopVm(vm: VmHost): Promise<void> {
  await killQemu(vm);
  for (const close of relayClosers.get(vm.workDir) ?? []) await close();
  relayClosers.delete(vm.workDir);
  if (vm.netns.netns !== '') await stopNetns(vm.netns);
  // Only a directory this module made (nothing is ever mounted there).
  if (dirname(vm.workDir) === realpathSync(tmpdir()) && basename(vm.workDir).startsWith(PREFIX))
    rmSync(vm.workDir, { recursive: true, force: true });
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

const overlay = (vm: VmHost): string => join(vm.workDir, 'disk.qcow2');

/** Starts QEMU on the overlay and waits for ssh; on failure QEMU is killed and the error has the console's end. */
async function boot(vm: VmHost): Promise<void> {
  // The namespace is the VM's alone: its ports are free.
  const forward = FORWARDED_PORTS.map((p) => `hostfwd=tcp:${vm.address}:${p}-:${p}`).join(',');
  const stderrPath = join(vm.workDir, 'qemu.stderr');
  const stderr = openSync(stderrPath, 'a');
  // A child of this process and of its process group, so Ctrl-C reaches it too; stdio never a pipe.
  // `ip netns exec` execs QEMU: the pid is QEMU's.
  const qemu = spawn(
    'ip',
    [
      'netns',
      'exec',
      vm.netns.netns,
      'qemu-system-x86_64',
      '-name',
      'kafka-setup-vm',
      '-nodefaults',
      '-display',
      'none',
      '-monitor',
      'none',
      // 1 vCPU like a t2.micro. Two emulated vCPUs (multi-threaded TCG) started the JVMs faster but crashed them now and
      // then (SIGSEGV in JIT-compiled code, also inside ca-certificates-java's postinst): code one vCPU patches while
      // another runs it is not reliably coherent under TCG.
      '-accel',
      'tcg',
      '-m',
      '1024',
      '-smp',
      '1',
      '-kernel',
      join(vm.imageDir, 'vmlinuz'),
      '-initrd',
      join(vm.imageDir, 'initrd.img'),
      '-append',
      'root=/dev/vda rw console=ttyS0 net.ifnames=0',
      '-drive',
      `file=${overlay(vm)},format=qcow2,if=virtio`,
      '-netdev',
      `user,id=net0,${forward}`,
      '-device',
      'virtio-net-pci,netdev=net0',
      '-device',
      'virtio-rng-pci',
      '-chardev',
      `file,id=console,path=${vm.consoleLog},append=on`,
      '-serial',
      'chardev:console',
    ],
    { stdio: ['ignore', 'ignore', stderr] },
  );
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
    throw new Error(
      `the VM did not boot on ${vm.address}:${vm.sshPort}: ${(err as Error).message}` +
        `${qemuErr ? `\nqemu: ${qemuErr}` : ''}\nconsole (last lines):\n${consoleTail(vm)}`,
      { cause: err },
    );
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
  const prints = r.stdout
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((f) => f.startsWith('SHA256:'));
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
  const text = readFileSync(vm.consoleLog, 'utf8')
    .replace(/\x1b\[[0-9;]*m/g, '')
    .replace(/\r/g, '');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .slice(-40)
    .join('\n');
}
