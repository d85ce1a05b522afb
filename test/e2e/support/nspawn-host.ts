/**
 * Real systemd hosts in seconds: each a copy of the cached Debian 12 root filesystem of
 * fixtures/systemd-rootfs (an overlay mount on it: its own upper directory, made in milliseconds where
 * `cp -a` of the 520 MB tree takes 6–19 s for three on this machine's disk; `cp -a` where overlayfs
 * is missing), booted with systemd-nspawn (systemd as PID 1, real units, real `systemctl`, reboots,
 * a power cut with the same tree booted again at a new address), its own address 10.214.0.N on a
 * bridge of this machine (ks-nsp0, 10.214.0.1/24, shared by every such host of the run), its own SSH
 * host keys, an EC2-like user with passwordless sudo and a PEM key shared by the hosts of one start
 * (as EC2 instances launched with one key pair), and every host's name in /etc/hosts. The record has
 * NetnsHost's shape, so that cluster.ts's clusterFlags, bootstrapServers, hostLines — and brokerPid,
 * through `ip netns attach` of the container's network namespace — work on it unchanged.
 *
 * Each container runs in cgroups of its own (nsp-NAME in the name=systemd and unified hierarchies,
 * and a memory cgroup with a limit, like a small instance's RAM): the process that becomes
 * systemd-nspawn moves itself there first. Facts and pitfalls: shared/notes/systemd-hosts.md.
 *
 * Each host claims its address by creating /run/kafka-setup-e2e-nspawn/ADDRESS exclusively, with its
 * owner (pid and start time) and what it creates: a later run removes a record's leftovers only when
 * that process is gone. Stopping is by the nspawn pid this process started (SIGTERM: the container
 * powers off), then by pid for whatever is left in the container's cgroups — never by name.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { type AddressRecords, addressPattern, claimAddress, readRecords } from './address-records.js';
import { alive, killPids, type RunResult, sshClientArgs } from './host.js';
import type { NetnsHost, SharedKey } from './netns-host.js';
import { relayFromBridge, startTime } from './netns-host.js';

export interface SystemdHost extends NetnsHost {
  /** The machine name and hostname: "ksn-" and 6 random [a-z0-9]. `netns` is the same name (ip netns attach). */
  name: string;
  /** The container's root directory: a copy of the cached tree (overlay mount or cp -a), in workDir. */
  root: string;
  /** The systemd-nspawn process of the current boot (0 when stopped). */
  nspawnPid: number;
  /** The container's systemd (PID 1 inside), as this machine numbers it. */
  initPid: number;
  /** Boots so far (1 after start, 2 after one reboot…). */
  boots: number;
  /** Milliseconds from launching systemd-nspawn to sshd answering, of the last boot. */
  bootMs: number;
  /** The memory cgroup's limit, MiB (0: none). */
  memoryMiB: number;
}

interface OwnerRecord {
  pid: number;
  start: string;
  address: string;
  name: string;
  workDir: string;
  /** The current nspawn process and its start time, to stop it after a crash of the owner. */
  nspawnPid: number;
  nspawnStart: string;
  memoryCgroup: string;
}

export const NSPAWN_BRIDGE = 'ks-nsp0';
export const NSPAWN_BRIDGE_ADDRESS = '10.214.0.1';
const PREFIX_LENGTH = 24;
const NAME_PATTERN = /^ksn-[a-z0-9]{6}$/;
const RECORDS = '/run/kafka-setup-e2e-nspawn';
const ADDRESSES: AddressRecords = { dir: RECORDS, subnet: '10.214.0' };
const ADDRESS_PATTERN = addressPattern(ADDRESSES);
const WORK_PREFIX = 'kafka-setup-nspawn-';
const CGROUP_ROOTS = ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified'];
const NSPAWN_RUN = '/run/systemd/nspawn';
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
// systemd-nspawn's exit status when the container asked for a reboot.
const REBOOT_STATUS = 133;
const TIMEOUT = 60_000;
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

async function tool(file: string, args: string[], timeout = TIMEOUT): Promise<string> {
  return (await execa(file, args, { stdin: 'ignore', timeout, extendEnv: false, env: { PATH, LANG: 'C.UTF-8' } })).stdout;
}

async function succeeds(file: string, args: string[]): Promise<boolean> {
  return (await execa(file, args, { stdin: 'ignore', timeout: TIMEOUT, reject: false })).exitCode === 0;
}

const linkExists = (name: string): Promise<boolean> => succeeds('ip', ['link', 'show', 'dev', name]);
const randomId = (): string => Array.from(randomBytes(6), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');

/** This process's memory cgroup (v1), relative to the hierarchy: containers get a child of it. */
function ownMemoryCgroup(): string | undefined {
  const line = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l));
  const path = line?.split(':')[2];
  return path === undefined || !existsSync('/sys/fs/cgroup/memory') ? undefined : join('/sys/fs/cgroup/memory', path);
}

/**
 * Why nspawn hosts cannot run here (undefined when they can). Says so on stderr in one line; with
 * KAFKA_SETUP_E2E=required (CI) it throws instead: never a silent skip.
 */
export async function nspawnUnavailable(): Promise<string | undefined> {
  let reason: string | undefined;
  if (process.platform !== 'linux' || process.getuid?.() !== 0) reason = 'not root on Linux';
  else if (!(await succeeds('systemd-nspawn', ['--version'])))
    reason = "no systemd-nspawn (apt-get install -y systemd-container, pinned to the installed systemd's version)";
  else if (!(await succeeds('ip', ['-V']))) reason = 'no `ip` command (apt-get install -y iproute2)';
  else if (!(await succeeds('nsenter', ['--version']))) reason = 'no nsenter (util-linux)';
  else if (!CGROUP_ROOTS.every((d) => existsSync(join(d, 'cgroup.procs'))))
    reason = `no cgroup hierarchies at ${CGROUP_ROOTS.join(' and ')}`;
  else if (!(await succeeds('unshare', ['--net', '--pid', '--fork', '--mount', 'true'])))
    reason = 'cannot create namespaces here (a container without CAP_SYS_ADMIN?)';
  if (!reason) return undefined;
  if (process.env.KAFKA_SETUP_E2E === 'required')
    throw new Error(`KAFKA_SETUP_E2E=required, but the nspawn e2e hosts cannot run: ${reason}`);
  process.stderr.write(`e2e nspawn hosts SKIPPED: ${reason}\n`);
  return reason;
}

/** The cached root tree (built by fixtures/systemd-rootfs/build.sh when missing). */
export async function systemdRootfs(): Promise<string> {
  const script = fileURLToPath(new URL('../fixtures/systemd-rootfs/build.sh', import.meta.url));
  const r = await execa(script, [join(repoRoot, '.cache/e2e/systemd-rootfs')], { stdin: 'ignore', stderr: 'inherit', timeout: 900_000 });
  const tree = r.stdout.trim().split('\n').at(-1) ?? '';
  if (!existsSync(join(tree, '.complete'))) throw new Error(`systemd-rootfs/build.sh printed no root tree:\n${r.stdout}`);
  return tree;
}

function writeRecord(host: SystemdHost, memoryCgroup: string): void {
  const record: OwnerRecord = {
    pid: process.pid,
    start: startTime(process.pid),
    address: host.address,
    name: host.name,
    workDir: host.workDir,
    nspawnPid: host.nspawnPid,
    nspawnStart: host.nspawnPid ? startTime(host.nspawnPid) : '',
    memoryCgroup,
  };
  writeFileSync(join(RECORDS, host.address), JSON.stringify(record), { mode: 0o600 });
}

/** The bridge, with this machine's address on it; created once, by whichever host comes first. */
async function ensureBridge(): Promise<void> {
  if (!(await linkExists(NSPAWN_BRIDGE))) {
    const add = await execa('ip', ['link', 'add', NSPAWN_BRIDGE, 'type', 'bridge'], { stdin: 'ignore', reject: false });
    if (add.exitCode !== 0 && !(await linkExists(NSPAWN_BRIDGE))) throw new Error(`ip link add ${NSPAWN_BRIDGE}: ${add.stderr}`);
  }
  const has = async (): Promise<boolean> =>
    (await tool('ip', ['-4', '-o', 'addr', 'show', 'dev', NSPAWN_BRIDGE])).includes(` ${NSPAWN_BRIDGE_ADDRESS}/${PREFIX_LENGTH} `);
  if (!(await has())) {
    const addr = await execa('ip', ['addr', 'add', `${NSPAWN_BRIDGE_ADDRESS}/${PREFIX_LENGTH}`, 'dev', NSPAWN_BRIDGE], {
      stdin: 'ignore',
      reject: false,
    });
    if (addr.exitCode !== 0 && !(await has())) throw new Error(`ip addr add on ${NSPAWN_BRIDGE}: ${addr.stderr}`);
  }
  await tool('ip', ['link', 'set', NSPAWN_BRIDGE, 'up']);
}

async function removeBridgeIfUnused(): Promise<void> {
  if (readRecords<OwnerRecord>(ADDRESSES).length > 0 || !(await linkExists(NSPAWN_BRIDGE))) return;
  const ports = await tool('ip', ['-o', 'link', 'show', 'master', NSPAWN_BRIDGE]);
  if (ports.trim() === '') await execa('ip', ['link', 'del', NSPAWN_BRIDGE], { stdin: 'ignore', reject: false });
}

const cgroupDirs = (name: string, memoryCgroup: string): string[] => [
  ...CGROUP_ROOTS.map((d) => join(d, `nsp-${name}`)),
  ...(memoryCgroup ? [memoryCgroup] : []),
];

/** Every pid in a cgroup and its children. */
function cgroupPids(dir: string): number[] {
  if (!existsSync(dir)) return [];
  const pids: number[] = [];
  const walk = (d: string): void => {
    try {
      pids.push(
        ...readFileSync(join(d, 'cgroup.procs'), 'utf8')
          .split('\n')
          .map(Number)
          .filter((p) => p > 0),
      );
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
    } catch {
      // removed meanwhile
    }
  };
  walk(dir);
  return [...new Set(pids)];
}

/** rmdir of a cgroup tree, leaves first (a cgroup file system removes only empty directories). */
function removeCgroup(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeCgroup(join(dir, e.name));
  rmdirSync(dir);
}

/** The container's systemd: the process in its cgroups that is PID 1 of its own pid namespace. */
function findInit(name: string): number {
  for (const pid of cgroupPids(join(CGROUP_ROOTS[0] ?? '', `nsp-${name}`))) {
    try {
      if (/^NSpid:\s+\d+\s+1$/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) return pid;
    } catch {
      // gone
    }
  }
  return 0;
}

/** Resolves when address:22 sends an SSH banner (sshd answers), or rejects after timeoutMs. */
async function waitForSsh(address: string, timeoutMs: number, stillBooting: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const banner = await new Promise<boolean>((resolve) => {
      const s = connect({ host: address, port: 22 });
      s.setTimeout(1000, () => {
        s.destroy();
        resolve(false);
      });
      s.once('data', (d: Buffer) => {
        s.destroy();
        resolve(d.toString().startsWith('SSH-'));
      });
      s.once('error', () => resolve(false));
    });
    if (banner) return;
    const gone = stillBooting();
    if (gone) throw new Error(gone);
    if (Date.now() > deadline) throw new Error(`sshd on ${address}:22 did not answer within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

/** Per-host state this process keeps: the current nspawn child and whether it is being stopped. */
interface Supervision {
  child?: ChildProcess;
  exit?: Promise<number | null>;
  stopping: boolean;
  memoryCgroup: string;
  /** Set by the exit handler when systemd-nspawn exits for good (not a reboot). */
  ended?: string;
}
const supervision = new Map<string, Supervision>();

function sup(host: SystemdHost): Supervision {
  const s = supervision.get(host.name);
  if (!s) throw new Error(`${host.name} is not a host this process started`);
  return s;
}

/**
 * Launches systemd-nspawn for the host (in its cgroups: the shell that execs it moves itself there),
 * records its pid, waits for sshd. On exit 133 (a reboot inside) it is launched again.
 */
async function boot(host: SystemdHost): Promise<void> {
  const s = sup(host);
  const dirs = cgroupDirs(host.name, s.memoryCgroup);
  for (const d of dirs) mkdirSync(d, { recursive: true });
  if (s.memoryCgroup && host.memoryMiB > 0)
    writeFileSync(join(s.memoryCgroup, 'memory.limit_in_bytes'), String(host.memoryMiB * 1024 * 1024));
  const log = openSync(join(host.workDir, 'console.log'), 'a');
  const moveSelf = dirs.map((d) => `echo $$ > '${d}/cgroup.procs'`).join(' && ');
  const child = spawn(
    'sh',
    [
      '-c',
      `${moveSelf} && exec "$@"`,
      'sh',
      'systemd-nspawn',
      '--quiet',
      '-D',
      host.root,
      '-M',
      host.name,
      '--boot',
      '--register=no',
      '--keep-unit',
      `--network-bridge=${NSPAWN_BRIDGE}`,
      '--resolv-conf=off',
      '--timezone=off',
      '--link-journal=no',
      '--console=read-only',
    ],
    { stdio: ['ignore', log, log], env: { PATH, LANG: 'C.UTF-8' } },
  );
  closeSync(log);
  child.unref();
  s.child = child;
  s.ended = undefined;
  const launched = Date.now();
  s.exit = new Promise((resolve) => {
    child.once('error', (err) => {
      s.ended = `systemd-nspawn could not start: ${err.message}`;
      resolve(null);
    });
    child.once('exit', (code) => {
      if (code === REBOOT_STATUS && !s.stopping) {
        host.nspawnPid = 0;
        host.initPid = 0;
        // The reboot: a new nspawn (reboot() waits for it).
        boot(host).catch((err: unknown) => {
          s.ended = `rebooting: ${String(err)}`;
        });
      } else {
        s.ended = `systemd-nspawn exited with ${code}`;
        host.nspawnPid = 0;
        host.initPid = 0;
      }
      resolve(code);
    });
  });
  host.nspawnPid = child.pid ?? 0;
  writeRecord(host, s.memoryCgroup);
  const consoleTail = (): string => readFileSync(join(host.workDir, 'console.log'), 'utf8').slice(-1500);
  try {
    await waitForSsh(host.address, 60_000, () => (s.child === child && s.ended ? s.ended : undefined));
  } catch (err) {
    throw new Error(`${host.name}: ${(err as Error).message}\nconsole (end):\n${consoleTail()}`, { cause: err });
  }
  host.bootMs = Date.now() - launched;
  host.initPid = findInit(host.name);
  host.boots++;
  // The network namespace under the host's name, for `ip netns pids` (cluster.ts's brokerPid).
  await execa('ip', ['netns', 'del', host.netns], { stdin: 'ignore', reject: false });
  if (host.initPid) await tool('ip', ['netns', 'attach', host.netns, String(host.initPid)]);
}

const isMounted = (dir: string): boolean =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === dir);

/** The host's own root: an overlay on the cached tree (writes go to workDir/upper), else a full copy. */
async function copyTree(host: SystemdHost, tree: string): Promise<void> {
  const upper = join(host.workDir, 'upper');
  const work = join(host.workDir, 'work');
  for (const d of [upper, work, host.root]) mkdirSync(d);
  // The tree's root directory is root's 0755, as a real /: the overlay takes the upper's mode.
  chmodSync(upper, 0o755);
  const overlay = await execa(
    'mount',
    ['-t', 'overlay', `ks-${host.name}`, '-o', `lowerdir=${tree},upperdir=${upper},workdir=${work}`, host.root],
    { stdin: 'ignore', reject: false },
  );
  if (overlay.exitCode === 0) return;
  rmdirSync(host.root);
  await tool('cp', ['-a', tree, host.root], 300_000);
}

/** Writes a file into the copy, replacing (never writing through) whatever is there. */
function put(host: SystemdHost, path: string, content: string, mode = 0o644): void {
  const target = join(host.root, path);
  rmSync(target, { force: true });
  writeFileSync(target, content, { mode });
  chmodSync(target, mode);
}

/** systemd-networkd's file for host0: the host's address, nothing else. */
function putNetwork(host: SystemdHost): void {
  put(
    host,
    'etc/systemd/network/10-host0.network',
    `[Match]\nName=host0\n\n[Network]\nAddress=${host.address}/${PREFIX_LENGTH}\nLinkLocalAddressing=no\n`,
  );
}

/** The copy made ready before its first boot: name, address, hosts file, host keys, user and key. */
async function prepare(host: SystemdHost, tree: string, key: SharedKey, names: string): Promise<void> {
  await copyTree(host, tree);
  put(host, 'etc/hostname', `${host.name}\n`);
  put(host, 'etc/hosts', `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${names}`);
  putNetwork(host);
  await tool('ssh-keygen', ['-A', '-f', host.root]);
  for (const f of readdirSync(join(host.root, 'etc/ssh'))
    .filter((n) => /^ssh_host_.*_key\.pub$/.test(n))
    .sort()) {
    host.hostKeyFingerprints.push((await tool('ssh-keygen', ['-lf', join(host.root, 'etc/ssh', f)])).split(' ')[1] ?? '');
  }
  const passwdEntry = (): string[] | undefined =>
    readFileSync(join(host.root, 'etc/passwd'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${host.user}:`))
      ?.split(':');
  // The EC2-like user: bash, no password ("*": not locked, so keys work), cloud-init's sudoers line —
  // unless the tree has it already (the Amazon Linux tree's ec2-user).
  if (!passwdEntry()) {
    await tool('useradd', ['--root', host.root, '-m', '-s', '/bin/bash', '-c', 'kafka-setup e2e', host.user]);
    await tool('usermod', ['--root', host.root, '-p', '*', host.user]);
    put(host, 'etc/sudoers.d/90-cloud-init-users', `# Created by cloud-init\n${host.user} ALL=(ALL) NOPASSWD:ALL\n`, 0o440);
  }
  const entry = passwdEntry() ?? [];
  host.uid = Number(entry[2]);
  const gid = Number(entry[3]);
  const ssh = join(host.root, 'home', host.user, '.ssh');
  mkdirSync(ssh, { mode: 0o700 });
  writeFileSync(join(ssh, 'authorized_keys'), `${key.publicKey}\n`, { mode: 0o600 });
  chownSync(ssh, host.uid, gid);
  chownSync(join(ssh, 'authorized_keys'), host.uid, gid);
}

async function makeKey(dir: string): Promise<SharedKey> {
  const keyPath = join(dir, 'kafka-server-key.pem');
  await tool('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-C', 'kafka-server-key', '-f', keyPath]);
  chmodSync(keyPath, 0o400);
  return { keyPath, publicKey: readFileSync(`${keyPath}.pub`, 'utf8').trim() };
}

/**
 * Starts n systemd hosts at once, all accepting one key (the given one, or a new PEM key in the first
 * host's work dir), and checks a real ssh login with sudo on each. memoryMiB (default 1536) limits
 * each container's memory cgroup. tree (default: systemd-rootfs's) is the root tree they boot; user
 * (default: a new kse2e… one) is their login, used as the tree has it when it is there already.
 * Leftovers of crashed earlier runs are removed first. When one fails, everything is stopped and the error says why.
 */
export async function startSystemdHosts(
  n: number,
  opts: { key?: SharedKey; memoryMiB?: number; tree?: string; user?: string } = {},
): Promise<SystemdHost[]> {
  await removeLeftovers();
  const tree = opts.tree ?? (await systemdRootfs());
  const parent = ownMemoryCgroup();
  const hosts: SystemdHost[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const name = `ksn-${randomId()}`;
      const workDir = realpathSync(mkdtempSync(join(tmpdir(), WORK_PREFIX)));
      const host: SystemdHost = {
        name,
        root: join(workDir, 'root'),
        nspawnPid: 0,
        initPid: 0,
        boots: 0,
        bootMs: 0,
        memoryMiB: parent ? (opts.memoryMiB ?? 1536) : 0,
        address: '',
        netns: name,
        veth: `vb-${name}`.slice(0, 15),
        sshPort: 22,
        user: opts.user ?? `kse2e${randomId()}`,
        home: '',
        keyPath: '',
        publicKey: '',
        hostKeyFingerprints: [],
        sshdLog: join(workDir, 'console.log'),
        workDir,
        sshdPid: 0,
        uid: 0,
      };
      host.home = `/home/${host.user}`;
      const memoryCgroup = parent ? join(parent, `nsp-${name}`) : '';
      supervision.set(name, { stopping: false, memoryCgroup });
      host.address = claimAddress<OwnerRecord>(ADDRESSES, {
        pid: process.pid,
        start: startTime(process.pid),
        name,
        workDir,
        nspawnPid: 0,
        nspawnStart: '',
        memoryCgroup,
      });
      hosts.push(host);
    }
    const key = opts.key ?? (await makeKey(hosts[0]?.workDir ?? tmpdir()));
    for (const h of hosts) Object.assign(h, key);
    const names = hosts.map((h) => `${h.address}\t${h.name}\n`).join('');
    await Promise.all(hosts.map((h) => prepare(h, tree, key, names)));
    await ensureBridge();
    await Promise.all(hosts.map((h) => boot(h)));
    await Promise.all(
      hosts.map(async (h) => {
        const r = await sshAs(h, 'sudo -n true && echo sudo-ok && systemctl is-system-running --wait');
        if (!r.stdout.includes('sudo-ok')) throw new Error(`${h.name}: logging in as ${h.user} with sudo failed: ${r.stderr}`);
      }),
    );
    return hosts;
  } catch (err) {
    const cleanup = await stopSystemdHosts(hosts).then(
      () => '',
      (e: unknown) => `; cleaning up also failed: ${String(e)}`,
    );
    throw new Error(
      `could not start the nspawn e2e hosts: ${(err as Error).message}${cleanup}\n` +
        'They need root on Linux, systemd-nspawn (apt-get install -y systemd-container), mmdebstrap and iproute2.',
      { cause: err },
    );
  }
}

/** A command over SSH as the host's user, with OpenSSH's client: what a person would do. */
export async function sshAs(host: SystemdHost, command: string, timeoutMs = 120_000): Promise<RunResult> {
  const r = await execa('ssh', [...sshClientArgs(host), command], { reject: false, stdin: 'ignore', timeout: timeoutMs });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The arguments that run a command as root inside the container: every namespace and the root of its systemd. */
const inside = (host: SystemdHost, argv: string[]): string[] => {
  if (!host.initPid) throw new Error(`${host.name} is not running`);
  return ['-t', String(host.initPid), '-a', '--root', '--wd', '/usr/bin/env', '-i', `PATH=${PATH}`, 'LANG=C.UTF-8', ...argv];
};

/**
 * Runs a shell command as root inside the container (nsenter into its systemd's namespaces; no SSH).
 * Its processes stay in this process's cgroups, outside the container's memory limit: for a process
 * held to it, run it through `systemd-run --wait --pipe` inside.
 */
export async function run(host: SystemdHost, command: string, timeoutMs = 120_000): Promise<RunResult> {
  const r = await execa('nsenter', inside(host, ['/bin/sh', '-c', command]), { reject: false, stdin: 'ignore', timeout: timeoutMs });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A long-lived command inside the container whose output lines arrive as they come: the child
 * (nsenter) and its own child (the command, inside the pid namespace) are stopped by pid by stop().
 */
export function spawnInside(host: SystemdHost, command: string, onLine: (line: string) => void): { stop: () => Promise<void> } {
  const child = spawn('nsenter', inside(host, ['/bin/sh', '-c', command]), { stdio: ['ignore', 'pipe', 'ignore'] });
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const l of lines) onLine(l);
  });
  return {
    stop: async () => {
      const pid = child.pid ?? 0;
      if (pid <= 0) return;
      const kids = await execa('ps', ['--ppid', String(pid), '-o', 'pid='], { reject: false, stdin: 'ignore' });
      await killPids(
        [
          ...kids.stdout
            .split('\n')
            .map((l) => Number(l.trim()))
            .filter((p) => p > 0),
          pid,
        ],
        3000,
      );
      child.stdout.destroy();
    },
  };
}

/**
 * `systemctl reboot` inside; resolves once the container is back (a new nspawn after its exit 133,
 * sshd answering) with the milliseconds it took.
 */
export async function reboot(host: SystemdHost): Promise<number> {
  const s = sup(host);
  const before = host.boots;
  const oldPid = host.nspawnPid;
  const started = Date.now();
  await run(host, 'systemctl reboot');
  const deadline = Date.now() + 90_000;
  while (host.boots === before || host.nspawnPid === oldPid) {
    if (s.ended) throw new Error(`${host.name} did not come back: ${s.ended}`);
    if (Date.now() > deadline) throw new Error(`${host.name} did not come back within 90 s of systemctl reboot`);
    await sleep(50);
  }
  return Date.now() - started;
}

/**
 * A power cut, then the same disk booted at a new address, like an EC2 stop/start that changes the
 * public IP: the container's systemd (PID 1 of its pid namespace) SIGKILLed — the kernel ends every
 * process in it at once, nothing shuts down — and its nspawn left to exit (SIGKILLed after 10 s);
 * then a new 10.214.0.N claimed while the old one is still held (so never the same), the old one
 * released (its network namespace and veth removed: nothing answers there any more), the tree's
 * network file and /etc/hosts rewritten for the new address (the rest of the tree — data, units,
 * host keys — untouched), and the same root booted again. Unlike a real power cut, nothing written
 * is lost: the container's page cache is this machine's. Resolves with the milliseconds from the cut
 * to sshd answering; the record keeps its name and now holds the new address. Only this host's
 * /etc/hosts is rewritten: other hosts of the same start still name the old address.
 */
export async function powerCycle(host: SystemdHost): Promise<number> {
  const s = sup(host);
  const started = Date.now();
  // Not a reboot: the exit handler must not launch nspawn again.
  s.stopping = true;
  const init = findInit(host.name) || host.initPid;
  if (init > 0 && alive(init)) signal(init, 'SIGKILL');
  const nspawnPid = host.nspawnPid;
  if (s.exit) await Promise.race([s.exit, sleep(10_000)]);
  if (nspawnPid > 0 && alive(nspawnPid)) {
    signal(nspawnPid, 'SIGKILL');
    if (s.exit) await Promise.race([s.exit, sleep(5000)]);
  }
  const dirs = cgroupDirs(host.name, s.memoryCgroup);
  for (let round = 0; round < 3; round++) {
    const pids = [...new Set(dirs.flatMap(cgroupPids))].filter((p) => p !== process.pid);
    if (pids.length === 0) break;
    await killPids(pids, 5000);
  }
  // The attached namespace keeps the old network (host0 with the old address, the veth) alive: removed.
  await execa('ip', ['netns', 'del', host.netns], { stdin: 'ignore', reject: false });
  if (await linkExists(host.veth)) await execa('ip', ['link', 'del', host.veth], { stdin: 'ignore', reject: false });
  rmSync(join(NSPAWN_RUN, 'propagate', host.name), { recursive: true, force: true });
  const old = host.address;
  host.address = claimAddress<OwnerRecord>(ADDRESSES, {
    pid: process.pid,
    start: startTime(process.pid),
    name: host.name,
    workDir: host.workDir,
    nspawnPid: 0,
    nspawnStart: '',
    memoryCgroup: s.memoryCgroup,
  });
  rmSync(join(RECORDS, old), { force: true });
  putNetwork(host);
  const hosts = readFileSync(join(host.root, 'etc/hosts'), 'utf8');
  put(
    host,
    'etc/hosts',
    hosts
      .split('\n')
      .map((l) => (l.split('\t')[0] === old ? `${host.address}\t${host.name}` : l))
      .join('\n'),
  );
  s.stopping = false;
  await boot(host);
  return Date.now() - started;
}

/**
 * Stops every host (concurrently) and removes everything they made; throws what any left behind.
 * Each is powered off (SIGTERM to its nspawn) and given graceMs to halt, then cut (SIGKILL to nspawn
 * and to the container's systemd, which ends every process in it): three brokers stopping at once
 * wait for each other's controlled shutdown far longer than a test should.
 */
export async function stopSystemdHosts(hosts: SystemdHost[], opts: { graceMs?: number } = {}): Promise<void> {
  const results = await Promise.allSettled(hosts.map((h) => stop(h, opts.graceMs ?? 10_000)));
  await removeBridgeIfUnused();
  removeNspawnRun();
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
  if (errors.length > 0) throw new Error(`stopping the nspawn hosts: ${errors.join('; ')}`);
}

/** systemd-nspawn leaves /run/systemd/nspawn behind (/run is no tmpfs here): removed once empty, as is the records' directory. */
function removeNspawnRun(): void {
  for (const d of [join(NSPAWN_RUN, 'propagate'), join(NSPAWN_RUN, 'locks'), NSPAWN_RUN, RECORDS]) {
    try {
      rmdirSync(d);
    } catch {
      // not empty (another container runs), or not there
    }
  }
}

async function stop(host: SystemdHost, graceMs: number): Promise<void> {
  const s = supervision.get(host.name);
  if (s) s.stopping = true;
  await teardown(
    { name: host.name, workDir: host.workDir, address: host.address, nspawnPid: host.nspawnPid, memoryCgroup: s?.memoryCgroup ?? '' },
    graceMs,
    s?.exit,
  );
  host.nspawnPid = 0;
  host.initPid = 0;
  supervision.delete(host.name);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone meanwhile
  }
}

/** Powers the container off (SIGTERM to nspawn), kills what is left by pid, removes its traces. */
async function teardown(
  t: { name: string; workDir: string; address: string; nspawnPid: number; memoryCgroup: string },
  graceMs: number,
  exit?: Promise<unknown>,
): Promise<void> {
  if (!NAME_PATTERN.test(t.name)) throw new Error(`refusing to remove "${t.name}": not an nspawn host name`);
  const errors: string[] = [];
  if (t.nspawnPid > 0 && alive(t.nspawnPid)) {
    signal(t.nspawnPid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (alive(t.nspawnPid) && Date.now() < deadline) await sleep(50);
  }
  // Not halted in time (or its nspawn is gone already): the container's systemd, PID 1 of its pid
  // namespace, killed — the kernel ends everything in that namespace — and nspawn with it.
  const init = findInit(t.name);
  for (const pid of [init, t.nspawnPid]) if (pid > 0 && alive(pid)) signal(pid, 'SIGKILL');
  if (exit) await Promise.race([exit, sleep(5000)]);
  const dirs = cgroupDirs(t.name, t.memoryCgroup);
  for (let round = 0; round < 3; round++) {
    const pids = [...new Set(dirs.flatMap(cgroupPids))].filter((p) => p !== process.pid);
    if (pids.length === 0) break;
    await killPids(pids, 5000);
  }
  await execa('ip', ['netns', 'del', t.name], { stdin: 'ignore', reject: false });
  const veth = `vb-${t.name}`.slice(0, 15);
  if (await linkExists(veth)) await execa('ip', ['link', 'del', veth], { stdin: 'ignore', reject: false });
  for (const d of dirs) {
    try {
      removeCgroup(d);
    } catch (err) {
      errors.push(`cgroup ${d}: ${(err as Error).message}`);
    }
  }
  rmSync(join(NSPAWN_RUN, 'propagate', t.name), { recursive: true, force: true });
  const root = join(t.workDir, 'root');
  // nspawn's lock on the root directory (named by its device and inode), left behind when it was killed.
  try {
    const st = statSync(root);
    rmSync(join(NSPAWN_RUN, 'locks', `inode-${st.dev}:${st.ino}`), { force: true });
  } catch {
    // no root (a start that failed early)
  }
  if (isMounted(root)) {
    const umount = await execa('umount', [root], { stdin: 'ignore', reject: false });
    if (umount.exitCode !== 0) errors.push(`${root} still mounted: ${umount.stderr}`);
  }
  // Never while something is mounted there; rm(1), not rmSync: three hosts' trees go at once.
  if (!isMounted(root) && t.workDir.startsWith(join(tmpdir(), WORK_PREFIX)))
    await execa('rm', ['-rf', '--one-file-system', t.workDir], { stdin: 'ignore', reject: false });
  if (existsSync(t.workDir)) errors.push(t.workDir);
  if (await linkExists(veth)) errors.push(`link ${veth}`);
  if (existsSync(`/run/netns/${t.name}`)) errors.push(`/run/netns/${t.name}`);
  if (errors.length === 0 && ADDRESS_PATTERN.test(t.address)) rmSync(join(RECORDS, t.address), { force: true });
  if (errors.length > 0) throw new Error(`the nspawn host ${t.name} left behind: ${errors.join(', ')}`);
}

/** Removes what hosts of earlier runs left behind when the process that made them is gone. */
export async function removeLeftovers(): Promise<void> {
  for (const r of readRecords<OwnerRecord>(ADDRESSES)) {
    if (r.start !== '' && startTime(r.pid) === r.start) continue;
    if (!ADDRESS_PATTERN.test(r.address) || !NAME_PATTERN.test(r.name)) continue;
    // Only our nspawn: a pid reused since is someone else's.
    const nspawnPid = r.nspawnPid > 0 && startTime(r.nspawnPid) === r.nspawnStart ? r.nspawnPid : 0;
    await teardown({ ...r, nspawnPid }, 10_000).catch((err: unknown) =>
      process.stderr.write(`nspawn host: could not remove the leftovers of pid ${r.pid}: ${String(err)}\n`),
    );
  }
  await removeBridgeIfUnused();
  removeNspawnRun();
}

/** The e2e mirror as the nspawn hosts reach it: a relay on the bridge address, and the mirror's URL through it. */
export async function nspawnMirror(good: string): Promise<{ relay: Awaited<ReturnType<typeof relayFromBridge>>; url: string }> {
  const relay = await relayFromBridge(Number(new URL(good).port), NSPAWN_BRIDGE_ADDRESS);
  const url = new URL(good);
  url.hostname = NSPAWN_BRIDGE_ADDRESS;
  url.port = String(relay.port);
  return { relay, url: url.toString().replace(/\/$/, '') };
}
