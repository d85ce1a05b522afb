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
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import {
  checkLogin, createHostKeys, createKey, createUser, hostRecord, killPids, launchSshd, newHost, sshdLogTail, stopHost, writeSshdConfig,
  type E2eHost,
} from './host.js';

export interface NetnsHost extends E2eHost {
  /** 10.213.0.N: sshd listens on address:22 (sshPort), and so does whatever init starts there. */
  address: string;
  /** "ks-" and 6 random [a-z0-9]. */
  netns: string;
  /** This machine's end of the host's veth pair, in the bridge: "ksv-" and the same 6 characters. */
  veth: string;
}

/** What a host's owner record holds: enough to remove its leftovers after a crash. */
interface OwnerRecord {
  pid: number;
  /** The owner's start time (/proc/PID/stat field 22): a reused pid is not the owner. */
  start: string;
  address: string;
  netns: string;
  veth: string;
  user: string;
  workDir: string;
}

export const BRIDGE = 'ks-br0';
export const BRIDGE_ADDRESS = '10.213.0.1';
const PREFIX_LENGTH = 24;
const NETNS_PATTERN = /^ks-[a-z0-9]{6}$/;
const VETH_PATTERN = /^ksv-[a-z0-9]{6}$/;
const ADDRESS_PATTERN = /^10\.213\.0\.(\d{1,3})$/;
const RECORDS = '/run/kafka-setup-e2e-netns';
const NETNS_ETC = '/etc/netns';
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

function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

const netnsExists = (name: string): Promise<boolean> => succeeds('ip', ['netns', 'pids', name]);
const linkExists = (name: string): Promise<boolean> => succeeds('ip', ['link', 'show', 'dev', name]);

/** Claims the lowest free 10.213.0.N (2..254) by creating its record exclusively, across processes. */
function claimAddress(record: Omit<OwnerRecord, 'address'>): string {
  mkdirSync(RECORDS, { recursive: true, mode: 0o700 });
  for (let n = 2; n < 255; n++) {
    const address = `10.213.0.${n}`;
    try {
      writeFileSync(join(RECORDS, address), JSON.stringify({ ...record, address }), { flag: 'wx', mode: 0o600 });
      return address;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`no free address in 10.213.0.0/24: ${RECORDS} holds 253 records`);
}

function readRecords(): OwnerRecord[] {
  let names: string[] = [];
  try {
    names = readdirSync(RECORDS);
  } catch {
    return [];
  }
  const records: OwnerRecord[] = [];
  for (const name of names.filter((n) => ADDRESS_PATTERN.test(n))) {
    try {
      records.push(JSON.parse(readFileSync(join(RECORDS, name), 'utf8')) as OwnerRecord);
    } catch {
      // Being written right now, or removed meanwhile: not ours to judge.
    }
  }
  return records;
}

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
    if (((ipv4ToNumber(ip) & mask) >>> 0) === ((ours & mask) >>> 0)) {
      throw new Error(`10.213.0.0/24, the netns hosts' network, overlaps this machine's route to ${route.dst}${route.dev ? ` (dev ${route.dev})` : ''}`);
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
  const has = async (): Promise<boolean> => (await run('ip', ['-4', '-o', 'addr', 'show', 'dev', BRIDGE])).includes(` ${BRIDGE_ADDRESS}/${PREFIX_LENGTH} `);
  if (!(await has())) {
    const addr = await execa('ip', ['addr', 'add', `${BRIDGE_ADDRESS}/${PREFIX_LENGTH}`, 'dev', BRIDGE], { stdin: 'ignore', reject: false });
    if (addr.exitCode !== 0 && !(await has())) throw new Error(`ip addr add on ${BRIDGE}: ${addr.stderr}`);
  }
  await run('ip', ['link', 'set', BRIDGE, 'up']);
}

/** The namespace, its loopback, and the veth pair: eth0 with the address inside, the other end in the bridge. */
async function createNetwork(host: NetnsHost): Promise<void> {
  await ensureBridge();
  await run('ip', ['netns', 'add', host.netns]);
  await run('ip', ['-n', host.netns, 'link', 'set', 'lo', 'up']);
  // A fixed MAC per address: a host that reuses the address of a stopped one is reached at once,
  // not after the neighbour caches (this machine's, the other hosts') time out the old MAC.
  const mac = `02:6b:73:00:00:${Number(ADDRESS_PATTERN.exec(host.address)?.[1]).toString(16).padStart(2, '0')}`;
  await run('ip', ['link', 'add', host.veth, 'type', 'veth', 'peer', 'name', IFACE, 'address', mac, 'netns', host.netns]);
  await run('ip', ['link', 'set', host.veth, 'master', BRIDGE, 'up']);
  await run('ip', ['-n', host.netns, 'addr', 'add', `${host.address}/${PREFIX_LENGTH}`, 'dev', IFACE]);
  await run('ip', ['-n', host.netns, 'link', 'set', IFACE, 'up']);
  await run('ip', ['-n', host.netns, 'route', 'add', 'default', 'via', BRIDGE_ADDRESS]);
  // This machine's resolver is out of reach from the namespace (nothing routes on from the bridge), and
  // a lookup through it waits 10 s to fail: a ZooKeeper client's reverse lookup of each ensemble
  // member then outlasts the broker's 18 s connection timeout. `ip netns exec` (sshd is started with
  // it, so every session too) puts this file over /etc/resolv.conf: nothing answers on the
  // namespace's own loopback, so a lookup fails at once, as one that finds no name does.
  mkdirSync(netnsEtc(host), { recursive: true });
  writeFileSync(join(netnsEtc(host), 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
}

/** Files here replace /etc's for every process `ip netns exec` starts in the namespace. */
const netnsEtc = (host: Pick<NetnsHost, 'netns'>): string => join(NETNS_ETC, host.netns);

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
  else if (!(await succeeds('unshare', ['--net', 'true']))) reason = 'cannot create network namespaces here (`unshare --net true` fails: a container without CAP_SYS_ADMIN?)';
  if (!reason) return undefined;
  if (process.env.KAFKA_SETUP_E2E === 'required') throw new Error(`KAFKA_SETUP_E2E=required, but the netns e2e hosts cannot run: ${reason}`);
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
    partial.address = claimAddress({ pid: process.pid, start: startTime(process.pid), netns: partial.netns, veth: partial.veth, user: partial.user, workDir: partial.workDir });
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
    partial.sshdPid = await launchSshd('ip', ['netns', 'exec', partial.netns, '/usr/sbin/sshd', '-D', '-f', config, '-E', partial.sshdLog], {
      port: partial.sshPort, address: partial.address, log: partial.sshdLog, stderr: join(partial.workDir, 'sshd.stderr'),
    });
    await checkLogin(partial);
    return partial;
  } catch (err) {
    const log = sshdLogTail(partial);
    const cleanup = await stop(partial).then(() => '', (e: unknown) => `; cleaning up also failed: ${String(e)}`);
    throw new Error(`could not start the netns e2e host: ${(err as Error).message}${cleanup}${log}\n` +
      'It needs root on Linux with iproute2 and iptables (apt-get install -y iproute2 iptables) and network namespaces.', { cause: err });
  }
}

/** The pids of every process in the namespace (the kernel's list: sshd, sessions, JVMs, root's too). */
export async function netnsPids(host: Pick<NetnsHost, 'netns'>): Promise<number[]> {
  const r = await execa('ip', ['netns', 'pids', host.netns], { stdin: 'ignore', reject: false, timeout: TIMEOUT });
  if (r.exitCode !== 0) return [];
  return r.stdout.split('\n').map((l) => Number(l.trim())).filter((pid) => pid > 0 && pid !== process.pid);
}

/**
 * Undoes startNetnsHost: every process in the namespace (by pid: SIGTERM, then SIGKILL), the user and
 * work dir (stopHost), the namespace, the veth, the address record, and the bridge once no host is
 * left on it. Safe after a partial start and when called twice; throws if something is left behind.
 */
export function stopNetnsHost(host: NetnsHost): Promise<void> {
  return serialized(() => stop(host));
}

async function stop(host: NetnsHost): Promise<void> {
  if (!NETNS_PATTERN.test(host.netns) || !VETH_PATTERN.test(host.veth)) throw new Error(`refusing to remove "${host.netns}"/"${host.veth}": not netns host names`);
  const errors: string[] = [];
  if (await netnsExists(host.netns)) {
    // Several rounds: a dying shell may have forked something meanwhile.
    for (let round = 0; round < 3; round++) {
      const pids = await netnsPids(host);
      if (pids.length === 0) break;
      await killPids(pids, 10_000);
    }
  }
  host.sshdPid = 0;
  await stopHost(host).catch((err: unknown) => errors.push((err as Error).message));

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
  if (errors.length === 0 && ADDRESS_PATTERN.test(host.address)) rmSync(join(RECORDS, host.address), { force: true });
  await removeBridgeIfUnused();

  if (await netnsExists(host.netns)) errors.push(`namespace ${host.netns}`);
  if (await linkExists(host.veth)) errors.push(`link ${host.veth}`);
  if (existsSync(netnsEtc(host))) errors.push(netnsEtc(host));
  if (errors.length > 0) throw new Error(`the netns host left behind: ${errors.join(', ')}`);
}

/** Deletes the bridge when no record claims an address and nothing hangs on it. */
async function removeBridgeIfUnused(): Promise<void> {
  if (readRecords().length > 0 || !(await linkExists(BRIDGE))) return;
  const ports = await run('ip', ['-o', 'link', 'show', 'master', BRIDGE]);
  if (ports.trim() === '') await execa('ip', ['link', 'del', BRIDGE], { stdin: 'ignore', reject: false });
}

/**
 * Removes what hosts of earlier runs left behind when the process that made them is gone (a crash, a
 * killed test run). Records of live processes, and namespaces without a record, are left alone.
 */
export function removeLeftovers(): Promise<void> {
  return serialized(removeLeftoversNow);
}

async function removeLeftoversNow(): Promise<void> {
  for (const record of readRecords()) {
    if (record.start !== '' && startTime(record.pid) === record.start) continue;
    if (!ADDRESS_PATTERN.test(record.address) || !NETNS_PATTERN.test(record.netns)) continue;
    const host: NetnsHost = { ...hostRecord(record.user, record.workDir), sshPort: 22, address: record.address, netns: record.netns, veth: record.veth };
    await stop(host).catch((err: unknown) => process.stderr.write(`netns host: could not remove the leftovers of pid ${record.pid}: ${String(err)}\n`));
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
  while (await iptables(host, ['-D', ...spec])) { /* until none is left */ }
}

const ownTrafficRule = (host: NetnsHost, port: number, target: 'REJECT' | 'DROP'): string[] =>
  ['OUTPUT', '-d', host.address, '-p', 'tcp', '--dport', String(port), '-j', target];
const inboundRule = (port: number, target: 'REJECT' | 'DROP'): string[] =>
  ['INPUT', '-i', IFACE, '-p', 'tcp', '--dport', String(port), '-j', target];

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
export async function probeTcp(address: string, port: number, opts: { from?: Pick<NetnsHost, 'netns'>; timeoutMs?: number } = {}): Promise<ProbeResult> {
  const probe = [process.execPath, '-e', PROBE, address, String(port), String(opts.timeoutMs ?? 2000)];
  const [file = '', ...args] = opts.from ? ['ip', 'netns', 'exec', opts.from.netns, ...probe] : probe;
  return (await run(file, args)).trim() as ProbeResult;
}

/**
 * Makes a service of this machine's loopback (the e2e mirror listens on 127.0.0.1) reachable from the
 * namespaces: a TCP relay on the bridge address, in this process. Use http://10.213.0.1:PORT/… from
 * the hosts. Needs the bridge, i.e. a running netns host.
 */
export async function relayFromBridge(targetPort: number): Promise<{ port: number; close: () => Promise<void> }> {
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
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
    server.listen(0, BRIDGE_ADDRESS, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of open) s.destroy();
    }),
  };
}
