/**
 * An e2e target host in its own network namespace, like an EC2 instance behind a security group:
 * its own address (10.213.0.N) on a bridge of this machine (ks-br0, 10.213.0.1/24, shared by every
 * such host of the run), its own loopback and firewall, and sshd on ADDRESS:22 — so the JVMs that
 * init starts through it bind 2181/9092 in the namespace, never clashing with this machine's or
 * each other's. The user, key and sshd config are host.ts's (an EC2-like user with passwordless
 * sudo and a PEM key); only the network differs.
 *
 * Each host claims its address by creating /run/kafka-setup-e2e-netns/ADDRESS exclusively, with a
 * record of what it creates and of the process that created it (pid and start time). A later run
 * removes a record's leftovers only when that process is gone; namespaces without a record are
 * never touched. stopNetnsHost kills by pid only: the processes the kernel lists in the namespace.
 * The bridge (and IPv4 forwarding, for namespaces with NAT) changes under a flock(1) shared by every
 * process, so that one process removing the bridge never races another attaching to it.
 * startNetns makes a bare namespace with the same records (the e2e VM's QEMU runs in one).
 */

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { type AddressRecords, addressPattern, claimAddress, readRecords } from './address-records.js';
import {
  checkLogin,
  createHostKeys,
  createKey,
  createUser,
  type E2eHost,
  hostRecord,
  killPids,
  launchSshd,
  newHost,
  sshdLogTail,
  stopHost,
  writeSshdConfig,
} from './host.js';

export interface NetnsHost extends E2eHost {
  /** 10.213.0.N: sshd listens on address:22 (sshPort), and so does whatever init starts there. */
  address: string;
  /** "ks-" and 6 random [a-z0-9]. */
  netns: string;
  /** This machine's end of the host's veth pair, in the bridge: "ksv-" and the same 6 characters. */
  veth: string;
}

/** A bare namespace (startNetns): a claimed address on eth0, a veth in the bridge, nothing running. */
export interface Netns {
  address: string;
  netns: string;
  veth: string;
  /** Traffic from the address to beyond the bridge is forwarded and masqueraded out of this machine. */
  nat: boolean;
}

/** What a host's owner record holds: enough to remove its leftovers after a crash. */
interface OwnerRecord {
  pid: number;
  /** The owner's start time (/proc/PID/stat field 22): a reused pid is not the owner. */
  start: string;
  address: string;
  netns: string;
  veth: string;
  /** '' for a bare namespace (no user, no sshd). */
  user: string;
  workDir: string;
  nat?: boolean;
}

export const BRIDGE = 'ks-br0';
export const BRIDGE_ADDRESS = '10.213.0.1';
const PREFIX_LENGTH = 24;
const NETNS_PATTERN = /^ks-[a-z0-9]{6}$/;
const VETH_PATTERN = /^ksv-[a-z0-9]{6}$/;
const SUBNET = '10.213.0.0/24';
const RECORDS = '/run/kafka-setup-e2e-netns';
const ADDRESSES: AddressRecords = { dir: RECORDS, subnet: '10.213.0' };
const ADDRESS_PATTERN = addressPattern(ADDRESSES);
const NETNS_ETC = '/etc/netns';
// Held (flock) while the bridge or forwarding changes; beside the records, never an address name.
const BRIDGE_LOCK = join(RECORDS, '.bridge.lock');
// Exists while IPv4 forwarding is on because a NAT namespace turned it on (it was off).
const FORWARDING_MARK = join(RECORDS, '.forwarding-was-off');
const FORWARDING = '/proc/sys/net/ipv4/ip_forward';
// The interface name inside each namespace (names are per namespace: every host has its eth0).
const IFACE = 'eth0';
const TIMEOUT = 30_000;

async function run(file: string, args: string[]): Promise<string> {
  return (await execa(file, args, { stdin: 'ignore', timeout: TIMEOUT })).stdout;
}

async function succeeds(file: string, args: string[]): Promise<boolean> {
  return (await execa(file, args, { stdin: 'ignore', timeout: TIMEOUT, reject: false })).exitCode === 0;
}

/** Runs a command as root inside the host's namespace. */
export async function inNetns(host: Pick<NetnsHost, 'netns'>, args: string[]): Promise<string> {
  return run('ip', ['netns', 'exec', host.netns, ...args]);
}

/** A process's start time (/proc/PID/stat field 22), '' when it is gone: with the pid, names one process. */
export function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

const netnsExists = (name: string): Promise<boolean> => succeeds('ip', ['netns', 'pids', name]);
const linkExists = (name: string): Promise<boolean> => succeeds('ip', ['link', 'show', 'dev', name]);

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** Refuses a 10.213.0.0/24 that this machine already routes elsewhere (a VPN, a Docker network…). */
async function checkSubnetFree(): Promise<void> {
  const ours = ipv4ToNumber(BRIDGE_ADDRESS) - 1;
  const routes = JSON.parse(await run('ip', ['-4', '-j', 'route', 'show', 'table', 'all'])) as { dst?: string; dev?: string }[];
  for (const route of routes) {
    if (!route.dst || route.dst === 'default' || route.dev === BRIDGE || !/^[\d.]+(\/\d+)?$/.test(route.dst)) continue;
    const [ip = '', len = '32'] = route.dst.split('/');
    const common = Math.min(Number(len), PREFIX_LENGTH);
    const mask = common === 0 ? 0 : (~0 << (32 - common)) >>> 0;
    if ((ipv4ToNumber(ip) & mask) >>> 0 === (ours & mask) >>> 0) {
      throw new Error(
        `10.213.0.0/24, the netns hosts' network, overlaps this machine's route to ${route.dst}${route.dev ? ` (dev ${route.dev})` : ''}`,
      );
    }
  }
}

/** The bridge all netns hosts hang on, with this machine's address on it. */
async function ensureBridge(): Promise<void> {
  if (!(await linkExists(BRIDGE))) {
    await checkSubnetFree();
    const add = await execa('ip', ['link', 'add', BRIDGE, 'type', 'bridge'], { stdin: 'ignore', reject: false });
    // Another host of the run may have created it meanwhile.
    if (add.exitCode !== 0 && !(await linkExists(BRIDGE))) throw new Error(`ip link add ${BRIDGE}: ${add.stderr}`);
  }
  const has = async (): Promise<boolean> =>
    (await run('ip', ['-4', '-o', 'addr', 'show', 'dev', BRIDGE])).includes(` ${BRIDGE_ADDRESS}/${PREFIX_LENGTH} `);
  if (!(await has())) {
    const addr = await execa('ip', ['addr', 'add', `${BRIDGE_ADDRESS}/${PREFIX_LENGTH}`, 'dev', BRIDGE], {
      stdin: 'ignore',
      reject: false,
    });
    if (addr.exitCode !== 0 && !(await has())) throw new Error(`ip addr add on ${BRIDGE}: ${addr.stderr}`);
  }
  await run('ip', ['link', 'set', BRIDGE, 'up']);
}

/**
 * Runs fn holding an exclusive lock shared by every process: flock(1) holds it until its stdin closes,
 * which also happens when this process dies, so a crash never leaves it held.
 */
async function withBridgeLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(RECORDS, { recursive: true, mode: 0o700 });
  const holder = spawn('flock', ['-x', '-w', '120', BRIDGE_LOCK, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => holder.once('close', () => resolve()));
  let stderr = '';
  holder.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', () => resolve());
    holder.once('error', reject);
    holder.once('exit', (code) => reject(new Error(`flock ${BRIDGE_LOCK} exited ${code}: ${stderr.trim()}`)));
  });
  try {
    return await fn();
  } finally {
    holder.stdin.end();
    await exited;
  }
}

/** The rules that let a NAT namespace out: masqueraded beyond the subnet, forwarded both ways (FORWARD may be DROP, as with Docker). */
const natRules = (address: string): string[][] => [
  ['-t', 'nat', 'POSTROUTING', '-s', `${address}/32`, '!', '-d', SUBNET, '-j', 'MASQUERADE'],
  ['FORWARD', '-i', BRIDGE, '-s', `${address}/32`, '!', '-d', SUBNET, '-j', 'ACCEPT'],
  ['FORWARD', '-o', BRIDGE, '-d', `${address}/32`, '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT'],
];

/** iptables of this machine: [-t TABLE] ACTION CHAIN rest… */
function hostIptables(action: '-C' | '-I' | '-D', rule: string[]): Promise<boolean> {
  const [table, chainAndRest] = rule[0] === '-t' ? [rule.slice(0, 2), rule.slice(2)] : [[], rule];
  return succeeds('iptables', ['-w', ...table, action, ...chainAndRest]);
}

/** Forwarding on (noted when it was off, so the last NAT namespace turns it off again) and this address's rules; under the lock. */
async function enableNat(address: string): Promise<void> {
  if (readFileSync(FORWARDING, 'utf8').trim() === '0') {
    writeFileSync(FORWARDING_MARK, '');
    writeFileSync(FORWARDING, '1');
  }
  for (const rule of natRules(address)) {
    if (!(await hostIptables('-C', rule)) && !(await hostIptables('-I', rule))) throw new Error(`iptables -I ${rule.join(' ')} failed`);
  }
}

async function disableNat(address: string): Promise<void> {
  for (const rule of natRules(address))
    while (await hostIptables('-D', rule)) {
      /* until none is left */
    }
}

/** The namespace, its loopback, and the veth pair: eth0 with the address inside, the other end in the bridge. */
async function createNetwork(host: Omit<Netns, 'nat'> & { nat?: boolean }): Promise<void> {
  await run('ip', ['netns', 'add', host.netns]);
  await run('ip', ['-n', host.netns, 'link', 'set', 'lo', 'up']);
  // Under the lock from the bridge's creation to the veth in it: no other process removes it meanwhile.
  await withBridgeLock(async () => {
    await ensureBridge();
    if (host.nat) await enableNat(host.address);
    await run('ip', ['link', 'add', host.veth, 'type', 'veth', 'peer', 'name', IFACE, 'address', macOf(host.address), 'netns', host.netns]);
    await run('ip', ['link', 'set', host.veth, 'master', BRIDGE, 'up']);
  });
  await run('ip', ['-n', host.netns, 'addr', 'add', `${host.address}/${PREFIX_LENGTH}`, 'dev', IFACE]);
  await run('ip', ['-n', host.netns, 'link', 'set', IFACE, 'up']);
  await run('ip', ['-n', host.netns, 'route', 'add', 'default', 'via', BRIDGE_ADDRESS]);
  // Without NAT this machine's resolver is out of reach from the namespace (nothing routes on from the
  // bridge), and a lookup through it waits 10 s to fail: a ZooKeeper client's reverse lookup of each
  // ensemble member then outlasts the broker's 18 s connection timeout. `ip netns exec` (sshd is
  // started with it, so every session too) puts this file over /etc/resolv.conf: nothing answers on
  // the namespace's own loopback, so a lookup fails at once, as one that finds no name does. With NAT
  // (the VM's), the resolver is reached, and the guest's apt needs it.
  if (host.nat) return;
  mkdirSync(netnsEtc(host), { recursive: true });
  writeFileSync(join(netnsEtc(host), 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
}

/** Files here replace /etc's for every process `ip netns exec` starts in the namespace. */
const netnsEtc = (host: Pick<NetnsHost, 'netns'>): string => join(NETNS_ETC, host.netns);

// A fixed MAC per address: a host that reuses the address of a stopped one is reached at once,
// not after the neighbour caches (this machine's, the other hosts') time out the old MAC.
const macOf = (address: string): string => `02:6b:73:00:00:${Number(ADDRESS_PATTERN.exec(address)?.[1]).toString(16).padStart(2, '0')}`;

/**
 * Why netns hosts cannot run here (undefined when they can): not root on Linux, no `ip` or
 * `iptables`, or no permission to create network namespaces (an unprivileged container). Says so
 * on stderr in one line; with KAFKA_SETUP_E2E=required (CI) it throws instead: never a silent skip.
 */
export async function netnsUnavailable(): Promise<string | undefined> {
  let reason: string | undefined;
  if (process.platform !== 'linux' || process.getuid?.() !== 0) reason = 'not root on Linux';
  else if (!(await succeeds('ip', ['-V']))) reason = 'no `ip` command (apt-get install -y iproute2)';
  else if (!(await succeeds('iptables', ['-V']))) reason = 'no `iptables` command (apt-get install -y iptables)';
  else if (!(await succeeds('unshare', ['--net', 'true'])))
    reason = 'cannot create network namespaces here (`unshare --net true` fails: a container without CAP_SYS_ADMIN?)';
  if (!reason) return undefined;
  if (process.env.KAFKA_SETUP_E2E === 'required')
    throw new Error(`KAFKA_SETUP_E2E=required, but the netns e2e hosts cannot run: ${reason}`);
  process.stderr.write(`e2e netns hosts SKIPPED: ${reason}\n`);
  return reason;
}

// useradd and userdel fail at once ("cannot lock /etc/passwd") when another one runs: hosts of this
// process start and stop one at a time, however the tests call them (Promise.all…).
let queue: Promise<unknown> = Promise.resolve();
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const result = queue.then(fn, fn);
  queue = result.catch(() => undefined);
  return result;
}

/** A key pair another host already uses: its private key file and its .pub line. */
export type SharedKey = Pick<E2eHost, 'keyPath' | 'publicKey'>;

/**
 * Starts a target host in a new network namespace: a fresh EC2-like user, sshd on ADDRESS:22 inside
 * the namespace, checked with a real ssh login and sudo. Leftovers of crashed earlier runs are
 * removed first. On failure everything it made is removed and the error says why.
 * With key (another host's), that key and only it logs in, as EC2 instances launched with one key
 * pair: a cluster's hosts then share one --key. The key file stays its owner's (stopped with it).
 */
export function startNetnsHost(opts: { key?: SharedKey } = {}): Promise<NetnsHost> {
  return serialized(() => start(opts.key));
}

async function start(key?: SharedKey): Promise<NetnsHost> {
  await removeLeftoversNow();
  const base = newHost();
  const id = base.user.slice(-6);
  const partial: NetnsHost = { ...base, address: '', netns: `ks-${id}`, veth: `ksv-${id}`, sshPort: 22 };
  try {
    partial.address = claimAddress<OwnerRecord>(ADDRESSES, {
      pid: process.pid,
      start: startTime(process.pid),
      netns: partial.netns,
      veth: partial.veth,
      user: partial.user,
      workDir: partial.workDir,
    });
    await createNetwork(partial);
    await createUser(partial);
    await createKey(partial);
    if (key) {
      // Overwritten in place: createKey's modes and owners (StrictModes) stay.
      writeFileSync(join(partial.home, '.ssh', 'authorized_keys'), `${key.publicKey}\n`);
      rmSync(partial.keyPath, { force: true });
      rmSync(`${partial.keyPath}.pub`, { force: true });
      partial.keyPath = key.keyPath;
      partial.publicKey = key.publicKey;
    }
    await createHostKeys(partial);
    const config = await writeSshdConfig(partial, partial.address);
    // `ip netns exec` execs sshd: the pid is sshd's, and everything it starts is in the namespace.
    partial.sshdPid = await launchSshd(
      'ip',
      ['netns', 'exec', partial.netns, '/usr/sbin/sshd', '-D', '-f', config, '-E', partial.sshdLog],
      {
        port: partial.sshPort,
        address: partial.address,
        log: partial.sshdLog,
        stderr: join(partial.workDir, 'sshd.stderr'),
      },
    );
    await checkLogin(partial);
    return partial;
  } catch (err) {
    const log = sshdLogTail(partial);
    const cleanup = await stop(partial).then(
      () => '',
      (e: unknown) => `; cleaning up also failed: ${String(e)}`,
    );
    throw new Error(
      `could not start the netns e2e host: ${(err as Error).message}${cleanup}${log}\n` +
        'It needs root on Linux with iproute2 and iptables (apt-get install -y iproute2 iptables) and network namespaces.',
      { cause: err },
    );
  }
}

/**
 * A bare namespace with a claimed address, for a process that brings its own server (the e2e VM's
 * QEMU, whose forwards then bind the address): the same records, leftovers removed first. With nat,
 * it also reaches beyond this machine (IPv4 forwarding and this address's iptables rules, undone by
 * stopNetns, forwarding turned off again by the last such namespace when it was off).
 */
export function startNetns(opts: { nat?: boolean } = {}): Promise<Netns> {
  return serialized(async () => {
    await removeLeftoversNow();
    const id = Array.from(randomBytes(6), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
    const ns: Netns = { address: '', netns: `ks-${id}`, veth: `ksv-${id}`, nat: opts.nat ?? false };
    try {
      ns.address = claimAddress<OwnerRecord>(ADDRESSES, {
        pid: process.pid,
        start: startTime(process.pid),
        netns: ns.netns,
        veth: ns.veth,
        user: '',
        workDir: '',
        nat: ns.nat,
      });
      await createNetwork(ns);
      return ns;
    } catch (err) {
      const cleanup = await stop(ns).then(
        () => '',
        (e: unknown) => `; cleaning up also failed: ${String(e)}`,
      );
      throw new Error(`could not create a network namespace: ${(err as Error).message}${cleanup}`, { cause: err });
    }
  });
}

/** Undoes startNetns: every process in it (by pid), the namespace, the veth, the NAT rules, the record. */
export function stopNetns(ns: Netns): Promise<void> {
  return serialized(() => stop(ns));
}

/** The pids of every process in the namespace (the kernel's list: sshd, sessions, JVMs, root's too). */
export async function netnsPids(host: Pick<NetnsHost, 'netns'>): Promise<number[]> {
  const r = await execa('ip', ['netns', 'pids', host.netns], { stdin: 'ignore', reject: false, timeout: TIMEOUT });
  if (r.exitCode !== 0) return [];
  return r.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((pid) => pid > 0 && pid !== process.pid);
}

/**
 * Undoes startNetnsHost: every process in the namespace (by pid: SIGTERM, then SIGKILL), the user and
 * work dir (stopHost), the namespace, the veth, the address record, and the bridge once no host is
 * left on it. Safe after a partial start and when called twice; throws if something is left behind.
 */
export function stopNetnsHost(host: NetnsHost): Promise<void> {
  return serialized(() => stop(host));
}

async function stop(host: (Omit<Netns, 'nat'> & { nat?: boolean }) | NetnsHost): Promise<void> {
  if (!NETNS_PATTERN.test(host.netns) || !VETH_PATTERN.test(host.veth))
    throw new Error(`refusing to remove "${host.netns}"/"${host.veth}": not netns host names`);
  const errors: string[] = [];
  if (await netnsExists(host.netns)) {
    // Several rounds: a dying shell may have forked something meanwhile.
    for (let round = 0; round < 3; round++) {
      const pids = await netnsPids(host);
      if (pids.length === 0) break;
      await killPids(pids, 10_000);
    }
  }
  // A bare namespace (startNetns) has no user.
  if ('user' in host && host.user) {
    host.sshdPid = 0;
    await stopHost(host).catch((err: unknown) => errors.push((err as Error).message));
  }

  if (await netnsExists(host.netns)) {
    const left = await netnsPids(host);
    if (left.length > 0) errors.push(`processes ${left.join(', ')} still run in ${host.netns}`);
    else await run('ip', ['netns', 'del', host.netns]);
  }
  rmSync(netnsEtc(host), { recursive: true, force: true });
  try {
    rmdirSync(NETNS_ETC); // only when no namespace has files there any more
  } catch {
    // not empty, or not there
  }
  // Deleting the namespace deletes the pair; after a start that failed before, it may be alone here.
  if (await linkExists(host.veth)) await execa('ip', ['link', 'del', host.veth], { stdin: 'ignore', reject: false });
  if ('nat' in host && host.nat && ADDRESS_PATTERN.test(host.address)) await disableNat(host.address);
  if (errors.length === 0 && ADDRESS_PATTERN.test(host.address)) rmSync(join(RECORDS, host.address), { force: true });
  await removeBridgeIfUnused();

  if (await netnsExists(host.netns)) errors.push(`namespace ${host.netns}`);
  if (await linkExists(host.veth)) errors.push(`link ${host.veth}`);
  if (existsSync(netnsEtc(host))) errors.push(netnsEtc(host));
  if (errors.length > 0) throw new Error(`the netns host left behind: ${errors.join(', ')}`);
}

/**
 * Deletes the bridge when no record claims an address and nothing hangs on it, and turns forwarding
 * off again when a NAT namespace turned it on and none is left. Under the lock: a record claimed
 * meanwhile is seen here, or its owner creates the bridge again after this.
 */
function removeBridgeIfUnused(): Promise<void> {
  return withBridgeLock(async () => {
    const records = readRecords<OwnerRecord>(ADDRESSES);
    if (existsSync(FORWARDING_MARK) && !records.some((r) => r.nat)) {
      writeFileSync(FORWARDING, '0');
      rmSync(FORWARDING_MARK, { force: true });
    }
    if (records.length > 0 || !(await linkExists(BRIDGE))) return;
    const ports = await run('ip', ['-o', 'link', 'show', 'master', BRIDGE]);
    if (ports.trim() === '') await execa('ip', ['link', 'del', BRIDGE], { stdin: 'ignore', reject: false });
  });
}

/**
 * Removes what hosts of earlier runs left behind when the process that made them is gone (a crash, a
 * killed test run). Records of live processes, and namespaces without a record, are left alone.
 */
export function removeLeftovers(): Promise<void> {
  return serialized(removeLeftoversNow);
}

async function removeLeftoversNow(): Promise<void> {
  for (const record of readRecords<OwnerRecord>(ADDRESSES)) {
    if (record.start !== '' && startTime(record.pid) === record.start) continue;
    if (!ADDRESS_PATTERN.test(record.address) || !NETNS_PATTERN.test(record.netns)) continue;
    const ns = { address: record.address, netns: record.netns, veth: record.veth, nat: record.nat ?? false };
    const host: NetnsHost | typeof ns = record.user ? { ...hostRecord(record.user, record.workDir), sshPort: 22, ...ns } : ns;
    await stop(host).catch((err: unknown) =>
      process.stderr.write(`netns host: could not remove the leftovers of pid ${record.pid}: ${String(err)}\n`),
    );
  }
}

async function iptables(host: NetnsHost, args: string[]): Promise<boolean> {
  return succeeds('ip', ['netns', 'exec', host.netns, 'iptables', '-w', ...args]);
}

/** Adds a rule once (`-C` first): calling a helper twice leaves one rule, removed by one undo. */
async function addRule(host: NetnsHost, spec: string[]): Promise<void> {
  if (await iptables(host, ['-C', ...spec])) return;
  await inNetns(host, ['iptables', '-w', '-I', ...spec]);
}

async function deleteRule(host: NetnsHost, spec: string[]): Promise<void> {
  while (await iptables(host, ['-D', ...spec])) {
    /* until none is left */
  }
}

const ownTrafficRule = (host: NetnsHost, port: number, target: 'REJECT' | 'DROP'): string[] => [
  'OUTPUT',
  '-d',
  host.address,
  '-p',
  'tcp',
  '--dport',
  String(port),
  '-j',
  target,
];
const inboundRule = (port: number, target: 'REJECT' | 'DROP'): string[] => [
  'INPUT',
  '-i',
  IFACE,
  '-p',
  'tcp',
  '--dport',
  String(port),
  '-j',
  target,
];

/**
 * The host cannot reach its own address on the port, as an EC2 instance cannot reach its own public
 * IP when the security group admits only the user's IP. Traffic to one's own address leaves through
 * OUTPUT (and lo), so the rule is there; 127.0.0.1 still works. REJECT answers at once (connection
 * refused); drop makes the connection time out, as a security group does.
 */
export async function rejectOwnTraffic(host: NetnsHost, port: number, opts: { drop?: boolean } = {}): Promise<void> {
  await addRule(host, ownTrafficRule(host, port, opts.drop ? 'DROP' : 'REJECT'));
}

/** Undoes rejectOwnTraffic (either kind). */
export async function allowOwnTraffic(host: NetnsHost, port: number): Promise<void> {
  for (const target of ['REJECT', 'DROP'] as const) await deleteRule(host, ownTrafficRule(host, port, target));
}

/**
 * The port is closed to this machine (and every other host on the bridge), as by a security group
 * without a rule for it: inbound TCP from the bridge is dropped, so connecting times out. The host's
 * own traffic (lo) is not affected, nor is ssh. With reject, refused at once instead.
 */
export async function closePort(host: NetnsHost, port: number, opts: { reject?: boolean } = {}): Promise<void> {
  await addRule(host, inboundRule(port, opts.reject ? 'REJECT' : 'DROP'));
}

/** Undoes closePort (either kind). */
export async function openPort(host: NetnsHost, port: number): Promise<void> {
  for (const target of ['REJECT', 'DROP'] as const) await deleteRule(host, inboundRule(port, target));
}

/** The connection flags of `kafka-setup init|verify` for the netns host. */
export function netnsHostFlags(host: NetnsHost, knownHosts: string): string[] {
  return ['--host', host.address, '--port', String(host.sshPort), '--user', host.user, '--key', host.keyPath, '--known-hosts', knownHosts];
}

export type ProbeResult = 'open' | 'refused' | 'timeout' | `error ${string}`;

// Run as a child process, so that it can run inside a namespace as well as here.
const PROBE = `const s = require('node:net').connect({ host: process.argv[1], port: Number(process.argv[2]) });
s.setTimeout(Number(process.argv[3]), () => { console.log('timeout'); process.exit(0); });
s.on('connect', () => { console.log('open'); process.exit(0); });
s.on('error', (e) => { console.log(e.code === 'ECONNREFUSED' ? 'refused' : 'error ' + e.code); process.exit(0); });`;

/**
 * Tries a TCP connection to address:port, from this machine or from inside a host's namespace:
 * 'open', 'refused' (a reset or ICMP port unreachable), 'timeout' (dropped), or 'error CODE'.
 */
export async function probeTcp(
  address: string,
  port: number,
  opts: { from?: Pick<NetnsHost, 'netns'>; timeoutMs?: number } = {},
): Promise<ProbeResult> {
  const probe = [process.execPath, '-e', PROBE, address, String(port), String(opts.timeoutMs ?? 2000)];
  const [file = '', ...args] = opts.from ? ['ip', 'netns', 'exec', opts.from.netns, ...probe] : probe;
  return (await run(file, args)).trim() as ProbeResult;
}

/** A TCP relay in this process: listen.host:listen.port (0: any free port) to target.host:target.port. */
export async function relay(
  listen: { host: string; port: number },
  target: { host: string; port: number },
): Promise<{ port: number; close: () => Promise<void> }> {
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target);
    for (const s of [client, upstream]) {
      open.add(s);
      s.once('close', () => open.delete(s));
    }
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      }),
  };
}

/**
 * Makes a service of this machine's loopback (the e2e mirror listens on 127.0.0.1) reachable from the
 * namespaces: a TCP relay on the bridge address, in this process. Use http://10.213.0.1:PORT/… from
 * the hosts. Needs the bridge, i.e. a running netns host.
 */
export function relayFromBridge(targetPort: number, address = BRIDGE_ADDRESS): Promise<{ port: number; close: () => Promise<void> }> {
  return relay({ host: address, port: 0 }, { host: '127.0.0.1', port: targetPort });
}
