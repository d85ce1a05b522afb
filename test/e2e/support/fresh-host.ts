/**
 * A truly fresh Debian 12 host for the e2e suite: the root filesystem of fixtures/fresh-rootfs
 * (minbase, sshd, sudo, curl, ps — no Java, no package lists) extracted into a temporary
 * directory, its own proc, sys and dev, an EC2-like `admin` user (passwordless sudo, an RSA key in
 * PEM format), and its own sshd with its own host keys on a free loopback port, all in a chroot.
 * The chroot shares this machine's network: it reaches the local Kafka mirror and the Debian mirror,
 * and its Kafka binds 2181/9092 like the main e2e host's.
 *
 * stopFreshHost undoes it: every process whose root is the chroot (found through /proc/PID/root,
 * killed by pid), every mount under it, then the directory — never while anything is still mounted
 * there. /dev is a private tmpfs, never a bind of this machine's /dev: a removal that went wrong
 * could only ever delete the chroot's own device nodes.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { E2E_JVM_ENV, freePort, killPids, launchSshd, type RunResult, sshClientArgs } from './host.js';

export interface FreshHost {
  /** Holds everything below; removed by stopFreshHost. */
  workDir: string;
  /** The host's root filesystem: sshd and everything it starts run chrooted here. */
  root: string;
  user: 'admin';
  /** RSA private key, PEM, mode 0400, outside the chroot. */
  keyPath: string;
  sshPort: number;
  /** sshd's pid; 0 before it starts. */
  sshdPid: number;
  /** "SHA256:…" of this host's own host keys, made for this run. */
  hostKeyFingerprints: string[];
  /** sshd's log, inside the chroot. */
  sshdLog: string;
}

export interface ChrootProcess {
  pid: number;
  /** The kernel's name of the process (at most 15 characters): apt-get, dpkg, sshd, java… */
  comm: string;
  uid: number;
}

const PREFIX = 'kafka-setup-fresh-';
const USER = 'admin';
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const TIMEOUT = 120_000;
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

async function run(file: string, args: string[]): Promise<string> {
  const r = await execa(file, args, { stdin: 'ignore', timeout: TIMEOUT, extendEnv: false, env: { PATH, LANG: 'C.UTF-8' } });
  return r.stdout;
}

/** Runs a command as root inside the chroot. */
async function inChroot(host: FreshHost, args: string[]): Promise<string> {
  return run('chroot', [host.root, ...args]);
}

/** The cached root filesystem tarball (built by fixtures/fresh-rootfs/build.sh when missing). */
export async function freshRootfs(): Promise<string> {
  const script = fileURLToPath(new URL('../fixtures/fresh-rootfs/build.sh', import.meta.url));
  const r = await execa(script, [join(repoRoot, '.cache/e2e/rootfs')], { stdin: 'ignore', stderr: 'inherit', timeout: 900_000 });
  const tarball = r.stdout.trim().split('\n').at(-1) ?? '';
  if (!tarball.endsWith('.tar') || !existsSync(tarball)) throw new Error(`fresh-rootfs/build.sh printed no tarball:\n${r.stdout}`);
  return tarball;
}

export async function startFreshHost(): Promise<FreshHost> {
  const tarball = await freshRootfs();
  const workDir = realpathSync(mkdtempSync(join(tmpdir(), PREFIX)));
  const root = join(workDir, 'root');
  const host: FreshHost = {
    workDir,
    root,
    user: USER,
    keyPath: join(workDir, 'admin-key.pem'),
    sshPort: 0,
    sshdPid: 0,
    hostKeyFingerprints: [],
    sshdLog: join(root, 'var/log/sshd.log'),
  };
  try {
    mkdirSync(root);
    await run('tar', ['--numeric-owner', '-xpf', tarball, '-C', root]);
    // This machine's name servers, and its hostname resolving (sudo and Java look it up): the kernel's
    // hostname is shared with the chroot. Removed first: never write through a link in the image.
    replaceFile(host, 'etc/resolv.conf', readFileSync('/etc/resolv.conf'));
    replaceFile(host, 'etc/hosts', `127.0.0.1\tlocalhost\n127.0.1.1\t${hostname()}\n::1\tlocalhost ip6-localhost ip6-loopback\n`);
    await mountSystemDirs(host);
    await createUser(host);
    await startSshd(host);
    const login = await sshAsAdmin(host, 'sudo -n true && echo sudo-ok; command -v java || echo no-java');
    if (login.code !== 0 || !login.stdout.includes('sudo-ok')) throw new Error(`logging in as ${USER} with sudo failed: ${login.stderr}`);
    if (!login.stdout.includes('no-java'))
      throw new Error('the fresh host already has Java: the root filesystem is not the one fresh-rootfs/build.sh builds');
    return host;
  } catch (err) {
    const log = existsSync(host.sshdLog) ? `\nsshd log (end):\n${readFileSync(host.sshdLog, 'utf8').slice(-2000)}` : '';
    const cleanup = await stopFreshHost(host).then(
      () => '',
      (e: unknown) => `; cleaning up also failed: ${String(e)}`,
    );
    throw new Error(`could not start the fresh Debian host: ${(err as Error).message}${cleanup}${log}`, { cause: err });
  }
}

function replaceFile(host: FreshHost, path: string, content: string | Buffer): void {
  const target = join(host.root, path);
  rmSync(target, { force: true });
  writeFileSync(target, content);
}

/** proc and sys of this machine's kernel; a private /dev with the usual nodes and its own ptys. */
async function mountSystemDirs(host: FreshHost): Promise<void> {
  const at = (p: string): string => join(host.root, p);
  await run('mount', ['-t', 'proc', 'proc', at('proc')]);
  await run('mount', ['-t', 'sysfs', '-o', 'ro', 'sysfs', at('sys')]);
  await run('mount', ['-t', 'tmpfs', '-o', 'mode=755,nosuid,size=16m', 'fresh-dev', at('dev')]);
  for (const [name, major, minor] of [
    ['null', 1, 3],
    ['zero', 1, 5],
    ['full', 1, 7],
    ['random', 1, 8],
    ['urandom', 1, 9],
    ['tty', 5, 0],
  ] as const) {
    await run('mknod', ['-m', '666', at(`dev/${name}`), 'c', String(major), String(minor)]);
  }
  for (const [name, target] of [
    ['fd', '/proc/self/fd'],
    ['stdin', '/proc/self/fd/0'],
    ['stdout', '/proc/self/fd/1'],
    ['stderr', '/proc/self/fd/2'],
    ['ptmx', 'pts/ptmx'],
  ]) {
    symlinkSync(target!, at(`dev/${name}`));
  }
  mkdirSync(at('dev/shm'));
  chmodSync(at('dev/shm'), 0o1777);
  mkdirSync(at('dev/pts'));
  await run('mount', ['-t', 'devpts', '-o', 'newinstance,ptmxmode=0666,mode=620,gid=5', 'devpts', at('dev/pts')]);
}

/** The account an EC2 Debian image has: admin, bash, no password, cloud-init's passwordless sudo. */
async function createUser(host: FreshHost): Promise<void> {
  await inChroot(host, ['useradd', '-m', '-s', '/bin/bash', '-c', 'Debian', USER]);
  // "*": no password can match, the account is not locked (sshd refuses locked accounts).
  await inChroot(host, ['usermod', '-p', '*', USER]);
  const sudoers = 'etc/sudoers.d/90-cloud-init-users';
  replaceFile(host, sudoers, `# Created by cloud-init\n${USER} ALL=(ALL) NOPASSWD:ALL\n`);
  chmodSync(join(host.root, sudoers), 0o440);
  await inChroot(host, ['visudo', '-cf', `/${sudoers}`]);

  await run('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-C', 'admin-key', '-f', host.keyPath]);
  chmodSync(host.keyPath, 0o400);
  if (!readFileSync(host.keyPath, 'utf8').startsWith('-----BEGIN RSA PRIVATE KEY-----'))
    throw new Error('ssh-keygen did not write a PEM RSA key');
  const ssh = join(host.root, 'home', USER, '.ssh');
  mkdirSync(ssh);
  writeFileSync(join(ssh, 'authorized_keys'), readFileSync(`${host.keyPath}.pub`));
  // sshd's StrictModes wants these modes and owners (the chroot's admin, by name inside it).
  chmodSync(ssh, 0o700);
  chmodSync(join(ssh, 'authorized_keys'), 0o600);
  await inChroot(host, ['chown', '-R', `${USER}:${USER}`, `/home/${USER}/.ssh`]);
}

async function startSshd(host: FreshHost): Promise<void> {
  // Host keys of this run only: the image's were made when the tarball was built.
  for (const f of readdirSync(join(host.root, 'etc/ssh')).filter((n) => n.startsWith('ssh_host_'))) rmSync(join(host.root, 'etc/ssh', f));
  await inChroot(host, ['ssh-keygen', '-A']);
  for (const f of readdirSync(join(host.root, 'etc/ssh'))
    .filter((n) => /^ssh_host_.*_key\.pub$/.test(n))
    .sort()) {
    host.hostKeyFingerprints.push((await run('ssh-keygen', ['-lf', join(host.root, 'etc/ssh', f)])).split(' ')[1] ?? '');
  }
  mkdirSync(join(host.root, 'run/sshd'), { recursive: true, mode: 0o755 });

  // The free port is only free until someone else takes it: retry with another one.
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    host.sshPort = await freePort();
    rmSync(host.sshdLog, { force: true });
    try {
      // chroot execs sshd: the pid is sshd's.
      host.sshdPid = await launchSshd(
        'chroot',
        [
          host.root,
          '/usr/sbin/sshd',
          '-D',
          '-p',
          String(host.sshPort),
          '-o',
          'ListenAddress=127.0.0.1',
          '-o',
          'PasswordAuthentication=no',
          '-o',
          `AllowUsers=${USER}`,
          '-o',
          `SetEnv="${E2E_JVM_ENV}"`,
          '-E',
          '/var/log/sshd.log',
        ],
        { port: host.sshPort, log: host.sshdLog, stderr: join(host.workDir, 'sshd.stderr'), env: { PATH, LANG: 'C.UTF-8' } },
      );
      return;
    } catch (err) {
      lastError = (err as Error).message;
    }
  }
  throw new Error(lastError);
}

/** A command over SSH as admin, with OpenSSH's client: what a person would do. */
export async function sshAsAdmin(host: FreshHost, command: string): Promise<RunResult> {
  const r = await execa('ssh', [...sshClientArgs({ ...host, user: USER }), command], { reject: false, stdin: 'ignore', timeout: TIMEOUT });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A command inside the chroot, as root or (user) as admin with its home; no SSH involved. */
export async function runInFresh(host: FreshHost, command: string, opts: { asAdmin?: boolean } = {}): Promise<RunResult> {
  const user = opts.asAdmin ? ['--userspec', `${USER}:${USER}`] : [];
  const home = opts.asAdmin ? `/home/${USER}` : '/root';
  const r = await execa('chroot', [...user, host.root, 'sh', '-c', `cd ${home} && ${command}`], {
    reject: false,
    stdin: 'ignore',
    timeout: TIMEOUT,
    extendEnv: false,
    env: { PATH, HOME: home, USER: opts.asAdmin ? USER : 'root', LANG: 'C.UTF-8' },
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The processes whose root directory is the chroot (zombies left out), as /proc shows them. */
export function chrootProcesses(host: FreshHost): ChrootProcess[] {
  const found: ChrootProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const root = readlinkSync(`/proc/${entry}/root`);
      if (root !== host.root && !root.startsWith(`${host.root}/`)) continue;
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (/^State:\s+Z/m.test(status)) continue;
      found.push({
        pid: Number(entry),
        comm: readFileSync(`/proc/${entry}/comm`, 'utf8').trim(),
        uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1),
      });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/**
 * The JVMs running in the chroot, as `jps -l | sort` prints them ("PID main.Class"), from /proc. Not
 * jps itself: it also lists the JVMs of any other root whose user has the same uid (it looks in
 * /proc/PID/root/tmp/hsperfdata_*), such as an nspawn host's `admin` running beside this one.
 */
export function chrootJvms(host: FreshHost): string {
  return chrootProcesses(host)
    .filter((p) => p.comm === 'java')
    .flatMap((p) => {
      try {
        const args = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0').slice(1);
        const main = args.find((a) => /^[A-Za-z_$][\w$]*(\.[\w$]+)+$/.test(a));
        return main ? [`${p.pid} ${main}`] : [];
      } catch {
        return [];
      }
    })
    .sort()
    .join('\n');
}

/** Mount points at or under dir, deepest first (mountinfo escapes spaces and such as \\ooo). */
function mountsUnder(dir: string): string[] {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  return points.filter((p) => p === dir || p.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
}

/**
 * Undoes startFreshHost; safe after a partial start and twice. Throws if anything is left behind,
 * and never removes the directory while something is still mounted in it.
 */
export async function stopFreshHost(host: FreshHost): Promise<void> {
  if (!host.workDir.startsWith(join(tmpdir(), PREFIX)) || host.root !== join(host.workDir, 'root')) {
    throw new Error(`refusing to remove ${host.workDir}: not a fresh host's directory`);
  }
  if (!existsSync(host.workDir)) return;
  // Several rounds: a dying shell may have started something meanwhile. sshd is among them.
  for (let round = 0; round < 3; round++) {
    const pids = chrootProcesses(host).map((p) => p.pid);
    if (pids.length === 0) break;
    await killPids(pids, 10_000);
  }
  host.sshdPid = 0;
  const left: string[] = chrootProcesses(host).map((p) => `process ${p.pid} (${p.comm})`);

  for (const point of mountsUnder(host.workDir)) {
    const r = await execa('umount', [point], { reject: false, stdin: 'ignore' });
    if (r.exitCode !== 0) await execa('umount', ['-l', point], { reject: false, stdin: 'ignore' });
  }
  const mounted = mountsUnder(host.workDir);
  if (mounted.length > 0)
    throw new Error(
      `the fresh host is still mounted at ${mounted.join(', ')}: not removing ${host.workDir}${left.length ? `; also left: ${left.join(', ')}` : ''}`,
    );
  // --one-file-system: even a mount made behind our back is not descended into.
  await execa('rm', ['-rf', '--one-file-system', host.workDir], { reject: false, stdin: 'ignore' });
  if (existsSync(host.workDir)) left.push(host.workDir);
  if (left.length > 0) throw new Error(`the fresh host left behind: ${left.join(', ')}`);
}
