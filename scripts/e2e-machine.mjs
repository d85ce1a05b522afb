#!/usr/bin/env node
/**
 * What the end-to-end suite needs of this machine, in one place: `.ci/run` installs it, `npm test`
 * makes sure of it before any test runs, and the README's list is checked against it
 * (test/package/ci.test.ts). Each need is a Debian package and a command that proves it is there
 * (a command, not dpkg: it holds on any Linux, and a JDK or Maven installed another way counts).
 *
 *   node scripts/e2e-machine.mjs list      the packages, space separated (the README's list)
 *   node scripts/e2e-machine.mjs missing   the packages this machine lacks, space separated
 *   node scripts/e2e-machine.mjs install   installs those with apt-get (root, Debian or Ubuntu)
 *   node scripts/e2e-machine.mjs ensure    npm test's first step: where the suite runs (root on Linux),
 *                                          installs what is missing, or stops naming the command that does
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** [Debian package, a command it brings, what the suite uses it for]. */
export const E2E_NEEDS = [
  ['openssh-server', 'sshd', "the target hosts' SSH server"],
  ['openssh-client', 'ssh-keygen', 'host and user keys'],
  ['sudo', 'sudo', 'the EC2-like user'],
  ['kcat', 'kcat', 'a Kafka client on "the user\'s machine"'],
  ['tmux', 'tmux', 'answering the prompts in a real terminal'],
  ['curl', 'curl', "the hosts' downloads"],
  ['procps', 'pgrep', 'finding the JVMs'],
  ['mount', 'mount', 'the chroot and VM hosts'],
  ['mmdebstrap', 'mmdebstrap', 'the fresh Debian, systemd and VM root trees'],
  ['iproute2', 'ip', 'network-namespace hosts'],
  ['iptables', 'iptables', 'their firewalls'],
  ['systemd-container', 'systemd-nspawn', 'the systemd hosts'],
  ['qemu-system-x86', 'qemu-system-x86_64', 'the virtual machine'],
  ['qemu-utils', 'qemu-img', "the virtual machine's disk"],
  ['e2fsprogs', 'mkfs.ext4', "the virtual machine's disk"],
  ['dnf', 'dnf', 'the Amazon Linux hosts'],
  ['rpm', 'rpmbuild', "the Amazon Linux hosts' Corretto RPMs"],
  ['createrepo-c', 'createrepo_c', "the Amazon Linux hosts' repository"],
  ['gnupg', 'gpg', "the repository's signature"],
  ['python3', 'python3', 'the lock holder and the dropped-connection proxy'],
  ['default-jdk-headless', 'javac', 'building the Kafka test distributions'],
  ['maven', 'mvn', "fetching Kafka's artifacts from Maven Central"],
];

export const E2E_PACKAGES = E2E_NEEDS.map(([pkg]) => pkg);

// sshd, mkfs.ext4 and iptables live in sbin, which a root login's PATH may lack.
const SEARCH = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'].filter(Boolean);

function onPath(command) {
  for (const dir of SEARCH) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this one
    }
  }
  return false;
}

export function missingPackages() {
  return E2E_NEEDS.filter(([, command]) => !onPath(command)).map(([pkg]) => pkg);
}

/** Why the suite cannot run on this machine at all (it then skips, loudly), or undefined. */
export function cannotRun() {
  if (process.platform !== 'linux') return `this is ${process.platform}, not Linux`;
  if (process.getuid?.() !== 0) return 'not running as root';
  return undefined;
}

/** The command that installs PACKAGES, as a user would type it. */
export function installCommand(packages) {
  return `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/**
 * systemd-container pinned to the installed systemd's version: the default candidate would upgrade
 * this machine's systemd (and restart it) along with it.
 */
function aptSpec(pkg) {
  if (pkg !== 'systemd-container') return pkg;
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'systemd'], { encoding: 'utf8' });
  const version = r.status === 0 ? r.stdout.trim() : '';
  return /^[0-9A-Za-z.+~:-]+$/.test(version) ? `systemd-container=${version}` : pkg;
}

function say(line) {
  process.stderr.write(`${line}\n`);
}

/** Installs what is missing; returns the exit code. */
function install(missing) {
  if (missing.length === 0) return 0;
  if (cannotRun()) {
    say(`e2e-machine: cannot install (${cannotRun()}); as root on Debian or Ubuntu: ${installCommand(missing)}`);
    return 1;
  }
  if (!onPath('apt-get')) {
    say(`e2e-machine: this machine lacks ${missing.join(' ')} (Debian's names) and has no apt-get: install them with its package manager`);
    return 1;
  }
  const specs = missing.map(aptSpec);
  say(`e2e-machine: installing what the end-to-end suite needs: ${specs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...specs],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (r.status !== 0) {
      say(`e2e-machine: apt-get ${args[0]} failed (exit ${r.status ?? r.signal}); the suite needs: ${installCommand(specs)}`);
      return 1;
    }
  }
  const still = missingPackages();
  if (still.length > 0) {
    say(`e2e-machine: still missing after apt-get: ${still.join(' ')}`);
    return 1;
  }
  return 0;
}

function main(verb) {
  switch (verb) {
    case 'list':
      process.stdout.write(`${E2E_PACKAGES.join(' ')}\n`);
      return 0;
    case 'missing':
      process.stdout.write(`${missingPackages().join(' ')}\n`);
      return 0;
    case 'install':
      return install(missingPackages());
    case 'ensure':
      // Not root on Linux: nothing to install; the suite itself says, in one line, that it skips.
      return cannotRun() ? 0 : install(missingPackages());
    default:
      say('usage: node scripts/e2e-machine.mjs list | missing | install | ensure');
      return 2;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv[2]);
