/**
 * An Amazon Linux 2023 host for the e2e suite: the root tree of fixtures/al2023-rootfs (Debian's dnf
 * 4.14 and rpm as AL2023 runs them, AL2023's os-release from a system-release RPM, ec2-user, a
 * signed local repository serving java-17-amazon-corretto-devel; no Java installed) booted with
 * systemd-nspawn like the other systemd hosts (support/nspawn-host.ts): systemd as PID 1, an overlay
 * copy of the cached tree, its own network namespace and address 10.214.0.N on the ks-nsp0 bridge
 * (its JVMs collide with no one's ports), its own host keys, ec2-user logging in with a new PEM key,
 * and a memory cgroup. Stopping is nspawn-host's: by pid, then mounts, namespace, veth, directories.
 * What it cannot match of Amazon Linux is in the README's test section.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { run, startSystemdHosts, stopSystemdHosts, type SystemdHost } from './nspawn-host.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** The cached root tree (built by fixtures/al2023-rootfs/build.sh when missing: about 40 s). */
export async function al2023Rootfs(): Promise<string> {
  const script = fileURLToPath(new URL('../fixtures/al2023-rootfs/build.sh', import.meta.url));
  const r = await execa(script, [join(repoRoot, '.cache/e2e/al2023-rootfs')], { stdin: 'ignore', stderr: 'inherit', timeout: 900_000 });
  const tree = r.stdout.trim().split('\n').at(-1) ?? '';
  if (!existsSync(join(tree, '.complete'))) throw new Error(`al2023-rootfs/build.sh printed no root tree:\n${r.stdout}`);
  return tree;
}

/** Boots one Amazon Linux 2023 host and checks that it is one (os-release, no Java, ec2-user's sudo). */
export async function startAl2023Host(opts: { memoryMiB?: number } = {}): Promise<SystemdHost> {
  const tree = await al2023Rootfs();
  const [host] = await startSystemdHosts(1, { tree, user: 'ec2-user', memoryMiB: opts.memoryMiB ?? 1536 });
  if (!host) throw new Error('no host started');
  const osRelease = readFileSync(join(host.root, 'etc/os-release'), 'utf8');
  if (!/^ID="amzn"$/m.test(osRelease) || existsSync(join(host.root, 'usr/bin/java'))) {
    await stopSystemdHosts([host]);
    throw new Error(`${tree} is not the Amazon Linux 2023 tree al2023-rootfs/build.sh builds (os-release, or Java installed)`);
  }
  return host;
}

export async function stopAl2023Host(host: SystemdHost): Promise<void> {
  await stopSystemdHosts([host], { graceMs: 3000 });
}

/** How long the first-boot update's %post sleeps, seconds (read by its scriptlet when it runs). */
export function setFirstBootSleep(host: SystemdHost, seconds: number): void {
  writeFileSync(join(host.root, 'etc/ks-first-boot-sleep'), `${seconds}\n`);
}

/**
 * Starts "cloud-init's first-boot update" as a unit of the host's systemd (as cloud-init's own
 * runs): `dnf install -y amazon-linux-first-boot-update`, whose %post sleeps while dnf's transaction
 * holds the rpm lock. Resolves once the scriptlet sleeps (the lock is held) with dnf's pid as the
 * host numbers it.
 */
export async function startFirstBootUpdate(host: SystemdHost, timeoutMs = 60_000): Promise<number> {
  const r = await run(host, 'systemd-run --unit=ks-first-boot-update --quiet dnf install -y -q amazon-linux-first-boot-update');
  if (r.code !== 0) throw new Error(`systemd-run: ${r.stderr}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // The scriptlet's sleep, a child of the shell rpm runs it in, under dnf (the lock's holder).
    const s = await run(host, 'p=$(pgrep -x sleep | head -n 1) && [ -n "$p" ] && cat /var/lib/dnf/rpmdb_lock.pid');
    const pid = Number(s.stdout.trim());
    if (s.code === 0 && pid > 0) return pid;
    const state = (await run(host, 'systemctl is-active ks-first-boot-update.service')).stdout.trim();
    if (state !== 'active' && state !== 'activating') throw new Error(`the first-boot update is ${state}: ${(await run(host, 'journalctl -u ks-first-boot-update -n 20 --no-pager')).stdout}`);
    if (Date.now() > deadline) throw new Error('the first-boot update never reached its %post');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
