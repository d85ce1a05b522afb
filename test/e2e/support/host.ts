/**
 * The e2e target host: Debian's OpenSSH server on 127.0.0.1 (a free high port, its own config and
 * host keys) and an EC2-like user — a home with Debian's skeleton ~/.bashrc, passwordless sudo, an
 * RSA key in PEM format as EC2 hands out. stopHost undoes all of it, killing by pid only (never by
 * process name) and removing only what this module created.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export interface E2eHost {
  /** sshd listens on 127.0.0.1:sshPort. */
  sshPort: number;
  /** "kse2e" and 6 random [a-z0-9]. */
  user: string;
  home: string;
  /** RSA private key, PEM ("BEGIN RSA PRIVATE KEY"), mode 0400, owned by the test runner. */
  keyPath: string;
  /** The key's .pub line, as in ~/.ssh/authorized_keys. */
  publicKey: string;
  /** "SHA256:…" of sshd's host keys (ed25519, ecdsa, rsa). */
  hostKeyFingerprints: string[];
  /** sshd's log at LogLevel DEBUG1: connections and exec requests can be counted there. */
  sshdLog: string;
  /** Holds this fixture's files (keys, sshd config, log); removed by stopHost. */
  workDir: string;
  /** sshd's pid; 0 before it starts and after stopHost. */
  sshdPid: number;
  /** The user's uid; 0 before the user exists. */
  uid: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const USER_PATTERN = /^kse2e[a-z0-9]{6}$/;
const HOST_KEY_TYPES = ['ed25519', 'ecdsa', 'rsa'] as const;
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
// Bounds every helper command: setup fails rather than hangs.
const TIMEOUT = 60_000;

const sudoersFile = (user: string): string => `/etc/sudoers.d/kafka-setup-e2e-${user}`;
const sshdConfig = (host: E2eHost): string => join(host.workDir, 'sshd_config');

function randomUser(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return `kse2e${[...randomBytes(6)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

/**
 * useradd, usermod, userdel and groupdel fail at once ("cannot lock /etc/passwd") while another one
 * runs: the e2e and parallel projects both make users, in two processes, so each of these commands
 * runs under one flock shared by every process of the suite, taken on the suite's cache directory
 * (it outlives every run, and no file is left behind for it).
 */
const ACCOUNTS_LOCK = fileURLToPath(new URL('../../../.cache/e2e', import.meta.url));
function accountsTool(file: 'useradd' | 'usermod' | 'userdel' | 'groupdel', args: string[]): [string, string[]] {
  mkdirSync(ACCOUNTS_LOCK, { recursive: true });
  return ['flock', [ACCOUNTS_LOCK, file, ...args]];
}

async function run(file: string, args: string[]): Promise<string> {
  const r = await execa(file, args, { stdin: 'ignore', timeout: TIMEOUT });
  return r.stdout;
}

/** A host record with a fresh random user and its own work directory; nothing exists yet. */
export function newHost(): E2eHost {
  return hostRecord(randomUser(), mkdtempSync(join(tmpdir(), 'kafka-setup-e2e-')));
}

/** The record of a host with this user and work dir, as startHost lays them out (what stopHost needs). */
export function hostRecord(user: string, workDir: string): E2eHost {
  return {
    sshPort: 0,
    user,
    home: `/home/${user}`,
    keyPath: join(workDir, 'kafka-server-key.pem'),
    publicKey: '',
    hostKeyFingerprints: [],
    sshdLog: join(workDir, 'sshd.log'),
    workDir,
    sshdPid: 0,
    uid: 0,
  };
}

/** `stockJvm`: the host's JVMs with Kafka's own options, not E2E_JVM_ENV (the benchmark's host). */
export async function startHost(o: { stockJvm?: boolean } = {}): Promise<E2eHost> {
  const host = newHost();
  try {
    await createUser(host);
    await createKey(host);
    await startSshd(host, o.stockJvm === true);
    await checkLogin(host);
    return host;
  } catch (err) {
    const log = sshdLogTail(host);
    const cleanup = await stopHost(host).then(
      () => '',
      (e: unknown) => `; cleaning up also failed: ${String(e)}`,
    );
    throw new Error(`could not start the e2e SSH host: ${(err as Error).message}${cleanup}${log}`, { cause: err });
  }
}

/** A real login, as the tool's users do it, and sudo, before anyone relies on the host. */
export async function checkLogin(host: E2eHost & { address?: string; netns?: string }): Promise<void> {
  await run('ssh', [...sshClientArgs(host), 'true']);
  const sudo = await runAsUser(host, 'sudo -n true');
  if (sudo.code !== 0) throw new Error(`sudo -n true failed for ${host.user}: ${sudo.stderr}`);
}

/** The end of sshd's log, for an error message ('' when there is none). */
export function sshdLogTail(host: E2eHost): string {
  return existsSync(host.sshdLog) ? `\nsshd log (end):\n${readFileSync(host.sshdLog, 'utf8').slice(-2000)}` : '';
}

/**
 * The uids (and gids) this machine's e2e accounts take. Not the usual 1000 and up: the nspawn and
 * chroot hosts' own users (theirs, ec2-user in the Amazon Linux tree) are 1000 inside, and their
 * processes show under that uid here too. A test that looks for, or stops, its user's processes by
 * uid would otherwise reach another stream's host (it once stopped a systemd host's ZooKeeper).
 */
const ACCOUNT_IDS = ['-K', 'UID_MIN=30000', '-K', 'UID_MAX=39999', '-K', 'GID_MIN=30000', '-K', 'GID_MAX=39999'];

/** An EC2-like account: Debian's /etc/skel, bash, no password but not locked, passwordless sudo. */
export async function createUser(host: E2eHost): Promise<void> {
  await run(...accountsTool('useradd', [...ACCOUNT_IDS, '-m', '-d', host.home, '-s', '/bin/bash', '-c', 'kafka-setup e2e', host.user]));
  host.uid = Number(await run('id', ['-u', host.user]));
  // useradd leaves "!" (locked) in /etc/shadow. sshd refuses locked accounts even for keys when
  // UsePAM is off; "*" (no password can match) works either way, like EC2's default users.
  await run(...accountsTool('usermod', ['-p', '*', host.user]));
  const draft = join(host.workDir, 'sudoers');
  writeFileSync(draft, `${host.user} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
  await run('visudo', ['-cf', draft]);
  await run('install', ['-m', '0440', '-o', 'root', '-g', 'root', draft, sudoersFile(host.user)]);
}

/** The PEM key pair EC2 would hand out, authorized for the user. */
export async function createKey(host: E2eHost): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-C', 'kafka-server-key', '-f', host.keyPath]);
  chmodSync(host.keyPath, 0o400);
  if (!readFileSync(host.keyPath, 'utf8').startsWith('-----BEGIN RSA PRIVATE KEY-----'))
    throw new Error('ssh-keygen did not write a PEM RSA key');
  host.publicKey = readFileSync(`${host.keyPath}.pub`, 'utf8').trim();
  const gid = Number(await run('id', ['-g', host.user]));
  const dir = join(host.home, '.ssh');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'authorized_keys'), `${host.publicKey}\n`);
  // sshd's StrictModes wants these modes and owners.
  chmodSync(dir, 0o700);
  chmodSync(join(dir, 'authorized_keys'), 0o600);
  chownSync(dir, host.uid, gid);
  chownSync(join(dir, 'authorized_keys'), host.uid, gid);
}

/** sshd's own host keys (ed25519, ecdsa, rsa) in workDir, their fingerprints in the host record. */
export async function createHostKeys(host: E2eHost): Promise<void> {
  for (const type of HOST_KEY_TYPES) {
    const key = join(host.workDir, `ssh_host_${type}_key`);
    await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', '', '-f', key]);
    host.hostKeyFingerprints.push((await run('ssh-keygen', ['-lf', `${key}.pub`])).split(' ')[1] ?? '');
  }
  // Privilege separation directory: Debian creates it from systemd, which a container may not run.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
}

/**
 * What every session of a test host's sshd gets (SetEnv), so every JVM Kafka's scripts start there:
 * their own default options (kafka-run-class.sh's KAFKA_JVM_PERFORMANCE_OPTS, the same in 3.1.0 and
 * 4.x) plus -XX:TieredStopAtLevel=1, the JIT's first tier only. It is still Kafka's own code on a real
 * JVM, compiled less eagerly: measured here, a broker's start-up takes 2.2 s of CPU instead of 3.8 s,
 * kafka-storage.sh 0.9 s instead of 1.5 s — on the 2-core CI machine, where two test streams start
 * JVMs at once, that is minutes. The systemd hosts (nspawn, Amazon Linux, the VM: the tool's own units)
 * and the benchmark's host run Kafka's defaults untouched.
 */
export const E2E_JVM_ENV =
  'KAFKA_JVM_PERFORMANCE_OPTS=-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true -XX:TieredStopAtLevel=1';

/** Writes sshd's config for address:host.sshPort (checked with `sshd -t`) and returns its path. */
export async function writeSshdConfig(host: E2eHost, address: string, o: { stockJvm?: boolean } = {}): Promise<string> {
  writeFileSync(
    sshdConfig(host),
    [
      ...(o.stockJvm ? [] : [`SetEnv "${E2E_JVM_ENV}"`]),
      `Port ${host.sshPort}`,
      `ListenAddress ${address}`,
      ...HOST_KEY_TYPES.map((t) => `HostKey ${join(host.workDir, `ssh_host_${t}_key`)}`),
      `PidFile ${join(host.workDir, 'sshd.pid')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM yes',
      'LogLevel DEBUG1',
      'MaxStartups 50',
      'MaxSessions 50',
      `AllowUsers ${host.user}`,
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  await run('/usr/sbin/sshd', ['-t', '-f', sshdConfig(host)]);
  return sshdConfig(host);
}

async function startSshd(host: E2eHost, stockJvm: boolean): Promise<void> {
  await createHostKeys(host);
  // The free port is only free until someone else takes it: retry with another one.
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    host.sshPort = await freePort();
    const config = await writeSshdConfig(host, '127.0.0.1', { stockJvm });
    try {
      host.sshdPid = await launchSshd('/usr/sbin/sshd', ['-D', '-f', config, '-E', host.sshdLog], {
        port: host.sshPort,
        log: host.sshdLog,
        stderr: join(host.workDir, 'sshd.stderr'),
      });
      return;
    } catch (err) {
      lastError = (err as Error).message;
    }
  }
  throw new Error(lastError);
}

/**
 * Starts sshd in the foreground (`-D`: a child of this process, and of its process group, so Ctrl-C
 * reaches it too; stderr to a file, not a pipe its session processes would inherit) and waits until
 * its log says it listens: probing the port would add connections to the log that tests count.
 * Returns its pid; on failure it is stopped and the error says why.
 */
export async function launchSshd(
  command: string,
  args: string[],
  o: { port: number; log: string; stderr: string; env?: Record<string, string>; address?: string },
): Promise<number> {
  const stderr = openSync(o.stderr, 'a');
  const sshd = spawn(command, args, { stdio: ['ignore', 'ignore', stderr], ...(o.env ? { env: o.env } : {}) });
  closeSync(stderr);
  let exited = false;
  sshd.once('exit', () => {
    exited = true;
  });
  sshd.once('error', () => {
    exited = true;
  });
  sshd.unref();
  const pid = sshd.pid ?? 0;
  const address = o.address ?? '127.0.0.1';
  const listening = `Server listening on ${address} port ${o.port}.`;
  const deadline = Date.now() + 15_000;
  while (!exited && Date.now() < deadline) {
    if (existsSync(o.log) && readFileSync(o.log, 'utf8').includes(listening)) return pid;
    await sleep(50);
  }
  const log = existsSync(o.log) ? readFileSync(o.log, 'utf8') : '';
  if (!exited && pid > 0) await killPids([pid], 5000);
  throw new Error(`sshd did not listen on ${address}:${o.port}: ${readFileSync(o.stderr, 'utf8').trim()} ${log.slice(-500)}`);
}

/**
 * A second sshd for the host's user and keys on a free port, with port forwarding off
 * (AllowTcpForwarding no, as some hardened servers have it): its port, its log, and its pid to stop.
 */
export async function launchNoForwardSshd(host: E2eHost, name: string): Promise<{ port: number; log: string; pid: number }> {
  const port = await freePort();
  const log = join(host.workDir, `sshd-${name}.log`);
  const pid = await launchSshd(
    '/usr/sbin/sshd',
    [
      '-D',
      '-f',
      sshdConfig(host),
      '-E',
      log,
      '-o',
      `Port=${port}`,
      '-o',
      'AllowTcpForwarding=no',
      '-o',
      `PidFile=${join(host.workDir, `sshd-${name}.pid`)}`,
    ],
    { port, log, stderr: join(host.workDir, `sshd-${name}.stderr`) },
  );
  return { port, log, pid };
}

/** The arguments of a non-interactive `ssh` login to the host as its user (append the command); 127.0.0.1 unless the host has an address. */
export function sshClientArgs(host: Pick<E2eHost, 'keyPath' | 'sshPort' | 'user'> & { address?: string }): string[] {
  return [
    '-n',
    '-i',
    host.keyPath,
    '-p',
    String(host.sshPort),
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'ConnectTimeout=10',
    `${host.user}@${host.address ?? '127.0.0.1'}`,
  ];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Runs a command as the user, as `runuser -u USER -- bash -c`. With interactive, `bash -ic`: a shell
 * that reads ~/.bashrc like the user's terminal (without a TTY bash warns about job control on stderr).
 * A host with a network namespace runs it there (`ip netns exec`), where its sshd's sessions run.
 */
export async function runAsUser(
  host: E2eHost & { netns?: string },
  command: string,
  opts: { interactive?: boolean } = {},
): Promise<RunResult> {
  const runuser = ['runuser', '-u', host.user, '--', 'bash', opts.interactive ? '-ic' : '-c', command];
  const [file = 'runuser', ...args] = host.netns ? ['ip', 'netns', 'exec', host.netns, ...runuser] : runuser;
  const r = await execa(file, args, {
    reject: false,
    stdin: 'ignore',
    cwd: host.home,
    extendEnv: false,
    env: { HOME: host.home, USER: host.user, LOGNAME: host.user, SHELL: '/bin/bash', PATH, LANG: 'C.UTF-8' },
    timeout: 600_000,
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Pids of the processes owned by the user (`ps -u`; zombies left out): its shells, the JVMs the tests started. */
export async function userPids(host: E2eHost): Promise<number[]> {
  if (host.uid <= 0) return [];
  const r = await execa('ps', ['-u', String(host.uid), '-o', 'pid='], { reject: false, stdin: 'ignore' });
  return r.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((pid) => pid > 0 && alive(pid) && onThisHost(pid));
}

/**
 * Whether a process belongs to this machine's own host: in this process's pid namespace, with / as its
 * root. A container's or a chroot's process under the same uid is another host's, never ours to stop.
 */
export function onThisHost(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`) === readlinkSync('/proc/self/ns/pid') && readlinkSync(`/proc/${pid}/root`) === '/';
  } catch {
    return false;
  }
}

/** A pid that still runs (a zombie has run; it only waits for its parent). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** SIGTERM, up to graceMs for them to end, then SIGKILL. */
export async function killPids(pids: number[], graceMs = 20_000): Promise<void> {
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) await sleep(100);
  const left = pids.filter(alive);
  for (const pid of left) signal(pid, 'SIGKILL');
  const killDeadline = Date.now() + 5000;
  while (left.some(alive) && Date.now() < killDeadline) await sleep(50);
}

/** Our sshd and its per-connection processes, checked by command line: a pid may have been reused. */
async function sshdPids(host: E2eHost): Promise<number[]> {
  if (host.sshdPid <= 0) return [];
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${host.sshdPid}/cmdline`, 'utf8');
  } catch {
    return [];
  }
  if (!cmdline.includes(sshdConfig(host))) return [];
  const children = await execa('ps', ['--ppid', String(host.sshdPid), '-o', 'pid='], { reject: false, stdin: 'ignore' });
  return [
    ...children.stdout
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((pid) => pid > 0),
    host.sshdPid,
  ];
}

/** Removes the user's files from the shared temporary directories (JVM perf data, Kafka's /tmp defaults…). */
async function removeUserTempFiles(uid: number): Promise<void> {
  if (uid < 1000) return; // never sweep for root's or a system account's files
  const found = await execa('find', ['/tmp', '/var/tmp', '/dev/shm', '-xdev', '-uid', String(uid), '-prune', '-print0'], {
    reject: false,
    stdin: 'ignore',
  });
  for (const path of found.stdout.split('\0').filter(Boolean)) rmSync(path, { recursive: true, force: true });
}

async function userExists(user: string): Promise<boolean> {
  return (await execa('getent', ['passwd', user], { reject: false, stdin: 'ignore' })).exitCode === 0;
}

async function groupExists(group: string): Promise<boolean> {
  return (await execa('getent', ['group', group], { reject: false, stdin: 'ignore' })).exitCode === 0;
}

/**
 * Undoes startHost: the user's processes (JVMs included), sshd, the account, its home, mail spool,
 * sudoers drop-in and temporary files, and workDir. Safe to call twice and after a partial start;
 * throws if something is left behind.
 */
export async function stopHost(host: E2eHost): Promise<void> {
  if (!USER_PATTERN.test(host.user)) throw new Error(`refusing to remove "${host.user}": not an e2e user name`);
  if (host.uid <= 0 && (await userExists(host.user))) host.uid = Number((await execa('id', ['-u', host.user])).stdout);

  // Several rounds: a dying shell may have forked something meanwhile.
  for (let round = 0; round < 3; round++) {
    const pids = await userPids(host);
    if (pids.length === 0) break;
    await killPids(pids);
  }
  // The listener and its per-connection monitors ("sshd: USER [priv]", root's).
  await killPids(await sshdPids(host), 5000);
  host.sshdPid = 0;

  await removeUserTempFiles(host.uid);
  if (await userExists(host.user)) {
    // -f: even if a process escaped; -r: home and mail spool.
    const r = await execa(...accountsTool('userdel', ['-f', '-r', host.user]), { reject: false, stdin: 'ignore' });
    if (r.exitCode !== 0 && (await userExists(host.user))) throw new Error(`userdel ${host.user} failed: ${r.stderr}`);
  }
  if (await groupExists(host.user)) await execa(...accountsTool('groupdel', [host.user]), { reject: false, stdin: 'ignore' });
  // Only paths this module chose: the fields may come from a copy of the host.
  const own = [`/home/${host.user}`, `/var/mail/${host.user}`, `/var/spool/mail/${host.user}`, sudoersFile(host.user)];
  if (host.workDir.startsWith(join(tmpdir(), 'kafka-setup-e2e-'))) own.push(host.workDir);
  for (const path of own) rmSync(path, { recursive: true, force: true });

  const left: string[] = [];
  if (await userExists(host.user)) left.push(`user ${host.user}`);
  if (await groupExists(host.user)) left.push(`group ${host.user}`);
  if ((await userPids(host)).length > 0) left.push(`processes of uid ${host.uid}`);
  for (const path of [`/home/${host.user}`, sudoersFile(host.user), `/tmp/hsperfdata_${host.user}`]) if (existsSync(path)) left.push(path);
  if (left.length > 0) throw new Error(`the e2e host left behind: ${left.join(', ')}`);
}
