/** Step: a JDK (java and jps) from the host's package manager. */
import { UserError } from '../errors.js';
import { type OsInfo, withUpdate } from '../host/facts.js';
import { RemoteFailure } from '../remote/session.js';
import type { Step, StepContext } from './types.js';

export interface JavaInstall {
  pm: 'apt' | 'dnf' | 'yum';
  /** Candidates, best first; always JDK packages, because jps comes with the JDK, not the JRE. */
  packages: string[];
}

export function javaInstallFor(os: OsInfo): JavaInstall | undefined {
  const family = [os.id, ...os.idLike];
  if (os.id === 'amzn') {
    if (os.versionId.startsWith('2023')) return { pm: 'dnf', packages: ['java-17-amazon-corretto-devel'] };
    if (os.versionId === '2')
      return { pm: 'yum', packages: ['java-17-amazon-corretto-devel', 'java-11-amazon-corretto-devel', 'java-1.8.0-openjdk-devel'] };
    return { pm: 'yum', packages: ['java-1.8.0-openjdk-devel'] }; // Amazon Linux 1 (2018.03)
  }
  if (family.some((f) => f === 'debian' || f === 'ubuntu')) {
    return { pm: 'apt', packages: ['openjdk-17-jdk-headless', 'openjdk-11-jdk-headless'] };
  }
  if (family.some((f) => ['rhel', 'fedora', 'centos', 'rocky', 'almalinux', 'ol'].includes(f))) {
    const major = Number(os.versionId.split('.')[0]);
    const pm = os.id === 'fedora' || major >= 8 ? 'dnf' : 'yum';
    return { pm, packages: ['java-17-openjdk-devel', 'java-11-openjdk-devel', 'java-1.8.0-openjdk-devel'] };
  }
  return undefined;
}

/**
 * What another package manager at work holds, by package manager: files locked with fcntl (found
 * through /proc/locks) and pid files (yum's, dnf 4's: dnf/lock.py writes its pid there while it runs).
 * rpm's transaction lock covers any rpm-based tool, dnf 5 included.
 */
export const PM_LOCKS: Record<JavaInstall['pm'], { name: string; fcntl: string[]; pidFiles: string[] }> = {
  apt: {
    name: 'the dpkg lock',
    fcntl: ['/var/lib/dpkg/lock-frontend', '/var/lib/dpkg/lock', '/var/lib/apt/lists/lock', '/var/cache/apt/archives/lock'],
    pidFiles: [],
  },
  dnf: {
    name: 'the dnf lock',
    fcntl: ['/var/lib/rpm/.rpm.lock'],
    pidFiles: ['/var/lib/dnf/rpmdb_lock.pid', '/var/cache/dnf/metadata_lock.pid', '/var/cache/dnf/download_lock.pid'],
  },
  yum: { name: 'the yum lock', fcntl: ['/var/lib/rpm/.rpm.lock'], pidFiles: ['/var/run/yum.pid'] },
};

/**
 * How long, in all, we wait for another package manager (cloud-init's first package upgrade,
 * unattended-upgrades) to finish: on a small instance right after boot that takes minutes; longer
 * than this, it is more likely stuck than busy, and the user should look.
 */
export const PM_WAIT_S = 600;

function installCommand(i: JavaInstall): string {
  return i.pm === 'apt' ? `sudo apt-get install -y --no-install-recommends ${i.packages[0]}` : `sudo ${i.pm} install -y ${i.packages[0]}`;
}

export const javaStep: Step = {
  id: 'java',
  title: 'Install Java',
  check(ctx) {
    const java = ctx.facts.tools.get('java');
    const jps = ctx.facts.tools.get('jps');
    const unfinished = ctx.facts.unfinishedJava;
    if (java && jps && unfinished.length === 0) return { done: true, detail: `java and jps found (${java})` };
    const i = javaInstallFor(ctx.facts.os);
    return {
      done: false,
      // Its binaries may be in place, but dpkg (and so every later apt run) is stuck until it is finished.
      reason:
        unfinished.length > 0
          ? `an interrupted install left ${unfinished.join(', ')} unfinished (dpkg)`
          : java
            ? 'jps is missing (a JRE without the JDK tools)'
            : 'java is not installed',
      wouldRun: [i ? installCommand(i) : '(no known package manager: install a JDK by hand)'],
    };
  },
  preflight(ctx) {
    const install = javaInstallFor(ctx.facts.os);
    if (!install) {
      return new UserError(`kafka-setup does not know how to install Java on ${ctx.facts.os.prettyName}`, {
        hint: "install a JDK 8, 11 or 17 (a JDK, so that jps comes with it) with the system's package manager, then run kafka-setup init again",
      });
    }
    if (ctx.facts.sudo !== 'root' && ctx.facts.sudo !== 'yes') {
      const what =
        ctx.facts.unfinishedJava.length > 0 ? `Java's install is unfinished (${ctx.facts.unfinishedJava.join(', ')})` : 'Java is missing';
      return new UserError(
        ctx.facts.sudo === 'missing'
          ? `${what} and ${ctx.facts.user} cannot use sudo (sudo is not installed)`
          : `${what} and sudo asks ${ctx.facts.user} for a password`,
        {
          hint: `install it yourself (${installCommand(install)}), or allow passwordless sudo for ${ctx.facts.user} as EC2 images do, then run kafka-setup init again`,
        },
      );
    }
    return undefined;
  },
  async apply(ctx) {
    const install = javaInstallFor(ctx.facts.os)!;
    const locks = PM_LOCKS[install.pm];
    let got: Awaited<ReturnType<StepContext['host']['installJava']>>;
    try {
      got = await ctx.host.installJava({
        pm: install.pm,
        packages: install.packages,
        pmLocks: locks.fcntl,
        pmPidFiles: locks.pidFiles,
        pmWaitS: PM_WAIT_S,
        onProgress: ctx.progress,
      });
    } catch (err) {
      throw (err instanceof RemoteFailure && explain(err, install)) || err;
    }
    ctx.facts = withUpdate(ctx.facts, got.update);
    const pkg = got.package ?? install.packages[0];
    const after: string[] = [];
    if (got.waited) {
      const s = got.waited.seconds;
      after.push(`waiting ${s >= 1 ? `${s} s` : 'a moment'} for ${holder(got.waited.name, got.waited.pid)} to release ${locks.name}`);
    }
    // An earlier install stopped midway (Ctrl-C, a dropped connection): say that it was finished first.
    if (got.repairedDpkg) after.push('finishing an interrupted install (dpkg --configure -a)');
    else if (got.finishedPackages) after.push('finishing an interrupted install (apt-get --fix-broken)');
    if (got.reinstalled?.length) after.push(`finishing an interrupted install (${install.pm} reinstall ${got.reinstalled.join(' ')})`);
    if (got.keystoreAside)
      after.push(`moving aside a Java keystore an interrupted install had left half-written (to ${got.keystoreAside}; built again)`);
    return after.length ? `installed ${pkg}, after ${after.join(' and ')}` : `installed ${pkg}`;
  },
};

function explain(f: RemoteFailure, install: JavaInstall): UserError | undefined {
  if (f.kind === 'pm_busy') return pmBusy(f, install);
  if (f.kind === 'install_failed' || f.kind === 'no_package') {
    return new UserError(f.message, {
      details: f.details,
      hint: `check the host can reach its package repositories, then run kafka-setup init again; or install a JDK by hand (${installCommand(install)})`,
    });
  }
  return undefined;
}

/** A process's name and command line come from the host: printable ASCII only, cut. */
function printable(s: string | undefined, max: number): string {
  return (s ?? '')
    .replace(/[^\x20-\x7e]/g, '')
    .slice(0, max)
    .trim();
}

function holder(name: string | undefined, pid: string | undefined): string {
  const n = printable(name, 32) || 'another process';
  return pid && /^[1-9]\d*$/.test(pid) ? `${n} (pid ${pid})` : n;
}

function duration(seconds: number): string {
  return seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}

/** Another package manager kept its lock for longer than we wait (PM_WAIT_S). */
function pmBusy(f: RemoteFailure, install: JavaInstall | undefined): UserError {
  const pid = f.fields.get('pid');
  const age = f.fields.get('age');
  const waited = Number(f.fields.get('waited') ?? 0);
  const lock = install ? PM_LOCKS[install.pm].name : "the package manager's lock";
  const file = printable(f.fields.get('lock'), 100);
  const who = pid ? holder(f.fields.get('name'), pid) : 'another process';
  const running = pid && /^\d+$/.test(age ?? '') ? `, running for ${duration(Number(age))},` : '';
  const command = printable(f.fields.get('command'), 200);
  return new UserError(
    `the package manager is busy: ${who}${running} holds ${lock}${file ? ` (${file})` : ''}; kafka-setup waited ${duration(waited)} for it`,
    {
      details: [...(command ? [`its command: ${command}`] : []), ...f.details],
      hint: `right after boot this is usually cloud-init or unattended-upgrades installing updates: let it finish${pid ? ` (see it with: ps -o pid,etime,args -p ${pid})` : ''}, then run kafka-setup init again`,
    },
  );
}
