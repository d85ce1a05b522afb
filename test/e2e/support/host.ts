/**
 * The e2e target: Debian's OpenSSH server on 127.0.0.1 (a free high port, its own config and host
 * keys) and an EC2-like user: its own home with Debian's skeleton ~/.bashrc, passwordless sudo, and
 * an RSA key in PEM format, as EC2 hands out. Everything is undone by stopHost, by pid and by name of
 * the files it created, never by matching process names.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';

export interface E2eHost {
  sshPort: number;
  user: string;
  home: string;
  /** PEM RSA private key (mode 0400, owned by the test runner). */
  keyPath: string;
  publicKey: string;
  /** SHA256:… of sshd's host keys. */
  hostKeyFingerprints: string[];
  /** sshd's log, LogLevel DEBUG1: connections and exec requests can be counted. */
  sshdLog: string;
  workDir: string;
  sshdPid: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

const SUDOERS = (user: string): string => `/etc/sudoers.d/kafka-setup-e2e-${user}`;

export async function startHost(): Promise<E2eHost> {
  const workDir = mkdtempSync(join(tmpdir(), 'ks-e2e-'));
  const user = `kse2e${randomBytes(4).toString('hex').slice(0, 6)}`;
  const host: E2eHost = {
    sshPort: 0, user, home: `/home/${user}`, keyPath: join(workDir, 'kafka-server-key.pem'), publicKey: '',
    hostKeyFingerprints: [], sshdLog: join(workDir, 'sshd.log'), workDir, sshdPid: 0,
  };
  try {
    // The user: like ec2-user, a normal account whose password is not set but which is not locked
    // (OpenSSH refuses locked accounts even for public-key logins).
    await execa('useradd', ['-m', '-s', '/bin/bash', '-d', host.home, user]);
    await execa('usermod', ['-p', '*', user]);
    const sudoers = SUDOERS(user);
    writeFileSync(`${sudoers}.tmp`, `${user} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
    await execa('visudo', ['-cf', `${sudoers}.tmp`]);
    await execa('mv', [`${sudoers}.tmp`, sudoers]);

    await execa('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-C', 'kafka-server-key', '-f', host.keyPath]);
    await execa('chmod', ['0400', host.keyPath]);
    host.publicKey = readFileSync(`${host.keyPath}.pub`, 'utf8').trim();
    const ssh = join(host.home, '.ssh');
    mkdirSync(ssh, { recursive: true, mode: 0o700 });
    writeFileSync(join(ssh, 'authorized_keys'), `${host.publicKey}\n`, { mode: 0o600 });
    await execa('chown', ['-R', `${user}:${user}`, ssh]);

    for (const type of ['ed25519', 'ecdsa', 'rsa']) {
      await execa('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', join(workDir, `ssh_host_${type}_key`)]);
      const { stdout } = await execa('ssh-keygen', ['-lf', join(workDir, `ssh_host_${type}_key.pub`)]);
      host.hostKeyFingerprints.push(stdout.split(' ')[1]!);
    }
    host.sshPort = await freePort();
    const config = join(workDir, 'sshd_config');
    writeFileSync(config, [
      `Port ${host.sshPort}`,
      'ListenAddress 127.0.0.1',
      ...['ed25519', 'ecdsa', 'rsa'].map((t) => `HostKey ${join(workDir, `ssh_host_${t}_key`)}`),
      `PidFile ${join(workDir, 'sshd.pid')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM yes',
      'LogLevel DEBUG1',
      'MaxStartups 50',
      'MaxSessions 50',
      `AllowUsers ${user}`,
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'));
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    await execa('/usr/sbin/sshd', ['-t', '-f', config]);
    const sshd: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-f', config, '-E', host.sshdLog], { stdio: 'ignore' });
    host.sshdPid = sshd.pid ?? 0;
    sshd.unref();
    for (let i = 0; i < 100 && !(await portOpen(host.sshPort)); i++) await sleep(100);
    // A real login, as a user would do it, before anyone relies on the host.
    await execa('ssh', ['-i', host.keyPath, '-p', String(host.sshPort), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no',
      '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', `${user}@127.0.0.1`, 'sudo -n true']);
    return host;
  } catch (err) {
    await stopHost(host);
    throw new Error(`could not set up the e2e SSH host: ${(err as Error).message}`);
  }
}

/** Processes of the test user (ps by uid: they include the JVMs the tests started). */
export async function userPids(host: E2eHost): Promise<number[]> {
  const r = await execa('ps', ['-u', host.user, '-o', 'pid='], { reject: false });
  return r.stdout.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function killPids(pids: number[], graceMs = 20_000): Promise<void> {
  for (const pid of pids) {
    try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
  }
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) await sleep(200);
  for (const pid of pids.filter(alive)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}

/** Safe to call twice and after a partial start. */
export async function stopHost(host: E2eHost): Promise<void> {
  const exists = (await execa('id', ['-u', host.user], { reject: false })).exitCode === 0;
  if (exists) await killPids(await userPids(host));
  if (host.sshdPid > 0 && alive(host.sshdPid)) await killPids([host.sshdPid], 5000);
  if (exists) await execa('userdel', ['-r', '-f', host.user], { reject: false });
  rmSync(SUDOERS(host.user), { force: true });
  rmSync(`${SUDOERS(host.user)}.tmp`, { force: true });
  rmSync(host.home, { recursive: true, force: true });
  rmSync(`/var/mail/${host.user}`, { force: true });
  rmSync(`/tmp/hsperfdata_${host.user}`, { recursive: true, force: true });
  if (existsSync(host.workDir)) rmSync(host.workDir, { recursive: true, force: true });
}

/** Runs a command as the test user: a plain shell, or an interactive one that reads ~/.bashrc. */
export async function runAsUser(host: E2eHost, command: string, opts: { interactive?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await execa('runuser', ['-u', host.user, '--', 'bash', opts.interactive ? '-ic' : '-c', command], {
    reject: false, cwd: host.home, env: { HOME: host.home, USER: host.user, LOGNAME: host.user, PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' }, extendEnv: false,
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}
