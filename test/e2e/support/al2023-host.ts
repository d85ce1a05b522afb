/**
 * An Amazon Linux 2023 host for the e2e suite: the root tree of fixtures/al2023-rootfs (Debian's dnf
 * 4.14 and rpm as AL2023 runs them, AL2023's os-release from a system-release RPM, ec2-user, a
 * signed local repository serving java-17-amazon-corretto-devel; no Java installed) booted with
 * systemd-nspawn like the other systemd hosts (support/nspawn-host.ts): systemd as PID 1, an overlay
 * copy of the cached tree, its own network namespace and address 10.214.0.N on the ks-nsp0 bridge
 * (its JVMs collide with no one's ports), its own host keys, ec2-user logging in with a new PEM key,
 * and a memory cgroup. Stopping is nspawn-host's: by pid, then mounts, namespace, veth, directories.
 * What it cannot match of Amazon Linux is in the README's test section.
 *
 * The same tree also stands in for Amazon Linux 2 (startAl2Host): AL2's os-release and
 * system-release files in the host's overlay, and no `dnf` command (AL2 has only yum), so that
 * `yum` — here dnf 4's `dnf-3` under that name, not AL2's yum 3 — is what installs.
 */
import { existsSync, lstatSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { run, type SystemdHost, startSystemdHosts, stopSystemdHosts } from './nspawn-host.js';

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

/** Amazon Linux 2's /etc/os-release, as its system-release package has had it since AL2's end of support was set to 2026-06-30. */
export const AL2_OS_RELEASE = `NAME="Amazon Linux"
VERSION="2"
ID="amzn"
ID_LIKE="centos rhel fedora"
VERSION_ID="2"
PRETTY_NAME="Amazon Linux 2"
ANSI_COLOR="0;33"
CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2"
HOME_URL="https://amazonlinux.com/"
SUPPORT_END="2026-06-30"
`;

/**
 * Boots the Amazon Linux 2023 tree as an Amazon Linux 2 host: right after boot, its overlay gets
 * AL2's /etc/os-release (a file of its own: the tree's is a link to the system-release RPM's
 * /usr/lib/os-release, which gets the same text, so whichever a reader opens says AL2),
 * /etc/system-release and /etc/system-release-cpe (AL2 has no /etc/amazon-linux-release), and loses
 * /usr/bin/dnf: `yum` (the link to dnf-3) is the only package manager command left. What stays
 * AL2023's: rpm's database (system-release 2023, so dnf's $releasever is still 2023 and the local
 * repository answers), /tmp in RAM (AL2 keeps it on the root disk), dnf 4 behind `yum`. Checks, from
 * inside the host, that it reads AL2's files and has no dnf.
 */
export async function startAl2Host(opts: { memoryMiB?: number } = {}): Promise<SystemdHost> {
  const host = await startAl2023Host(opts);
  try {
    const put = (path: string, content: string): void => {
      const target = join(host.root, path);
      // Replaces a link (never writes through it): the overlay's copy is a file of its own.
      rmSync(target, { force: true });
      writeFileSync(target, content, { mode: 0o644 });
    };
    put('usr/lib/os-release', AL2_OS_RELEASE);
    put('etc/os-release', AL2_OS_RELEASE);
    put('etc/system-release', 'Amazon Linux release 2 (Karoo)\n');
    put('etc/system-release-cpe', 'cpe:2.3:o:amazon:amazon_linux:2\n');
    rmSync(join(host.root, 'etc/amazon-linux-release'), { force: true });
    rmSync(join(host.root, 'usr/bin/dnf'), { force: true });
    if (!lstatSync(join(host.root, 'usr/bin/yum')).isSymbolicLink()) throw new Error('the tree has no yum link');
    // What the host itself sees, through its own root.
    const seen = await run(
      host,
      'cat /etc/os-release; echo ---; cat /etc/system-release; echo ---; command -v dnf || echo no-dnf; readlink -f "$(command -v yum)"',
    );
    const expected = `${AL2_OS_RELEASE}---\nAmazon Linux release 2 (Karoo)\n---\nno-dnf\n/usr/bin/dnf-3`;
    if (seen.code !== 0 || seen.stdout !== expected)
      throw new Error(`the host is not Amazon Linux 2 as startAl2Host makes it; it shows:\n${seen.stdout}${seen.stderr}`);
    return host;
  } catch (err) {
    await stopAl2023Host(host);
    throw err;
  }
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
 * runs): `dnf install -y amazon-linux-first-boot-update` (or `yum install …`, on the Amazon Linux 2
 * variant: dnf-3 under that name), whose %post sleeps while the transaction holds the rpm lock.
 * Resolves once the scriptlet sleeps (the lock is held) with dnf's pid as the host numbers it (dnf 4
 * writes it into /var/lib/dnf/rpmdb_lock.pid under either name).
 */
export async function startFirstBootUpdate(host: SystemdHost, opts: { command?: 'dnf' | 'yum'; timeoutMs?: number } = {}): Promise<number> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const r = await run(
    host,
    `systemd-run --unit=ks-first-boot-update --quiet ${opts.command ?? 'dnf'} install -y -q amazon-linux-first-boot-update`,
  );
  if (r.code !== 0) throw new Error(`systemd-run: ${r.stderr}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // The scriptlet's sleep, a child of the shell rpm runs it in, under dnf (the lock's holder).
    const s = await run(host, 'p=$(pgrep -x sleep | head -n 1) && [ -n "$p" ] && cat /var/lib/dnf/rpmdb_lock.pid');
    const pid = Number(s.stdout.trim());
    if (s.code === 0 && pid > 0) return pid;
    const state = (await run(host, 'systemctl is-active ks-first-boot-update.service')).stdout.trim();
    if (state !== 'active' && state !== 'activating')
      throw new Error(
        `the first-boot update is ${state}: ${(await run(host, 'journalctl -u ks-first-boot-update -n 20 --no-pager')).stdout}`,
      );
    if (Date.now() > deadline) throw new Error('the first-boot update never reached its %post');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
