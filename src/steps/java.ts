/** Step: a JDK (java and jps) from the host's package manager. */
import { UserError } from '../errors.js';
import { keyValues, remoteScript } from '../remote/script.js';
import { mergeFacts, type OsInfo } from './facts.js';
import { baseVars } from './targets.js';
import type { Step } from './types.js';

export interface JavaInstall {
  pm: 'apt' | 'dnf' | 'yum';
  /** Candidates, best first; always JDK packages, because jps comes with the JDK, not the JRE. */
  packages: string[];
}

export function javaInstallFor(os: OsInfo): JavaInstall | undefined {
  const family = [os.id, ...os.idLike];
  if (os.id === 'amzn') {
    if (os.versionId.startsWith('2023')) return { pm: 'dnf', packages: ['java-17-amazon-corretto-devel'] };
    if (os.versionId === '2') return { pm: 'yum', packages: ['java-17-amazon-corretto-devel', 'java-11-amazon-corretto-devel', 'java-1.8.0-openjdk-devel'] };
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

function installCommand(i: JavaInstall): string {
  return i.pm === 'apt'
    ? `sudo apt-get install -y --no-install-recommends ${i.packages[0]}`
    : `sudo ${i.pm} install -y ${i.packages[0]}`;
}

export const javaStep: Step = {
  id: 'java',
  title: 'Install Java',
  check(ctx) {
    const java = ctx.facts.tools.get('java');
    const jps = ctx.facts.tools.get('jps');
    if (java && jps) return { done: true, detail: `java and jps found (${java})` };
    return { done: false, reason: java ? 'jps is missing (a JRE without the JDK tools)' : 'java is not installed' };
  },
  plan(ctx) {
    const i = javaInstallFor(ctx.facts.os);
    return i ? [installCommand(i)] : ['(no known package manager: install a JDK by hand)'];
  },
  preflight(ctx) {
    const install = javaInstallFor(ctx.facts.os);
    if (!install) {
      return new UserError(`kafka-setup does not know how to install Java on ${ctx.facts.os.prettyName}`, {
        hint: 'install a JDK 8, 11 or 17 (a JDK, so that jps comes with it) with the system\'s package manager, then run kafka-setup init again',
      });
    }
    if (ctx.facts.sudo !== 'root' && ctx.facts.sudo !== 'yes') {
      return new UserError(
        ctx.facts.sudo === 'missing'
          ? `Java is missing and ${ctx.facts.user} cannot use sudo (sudo is not installed)`
          : `Java is missing and sudo asks ${ctx.facts.user} for a password`,
        { hint: `install it yourself (${installCommand(install)}), or allow passwordless sudo for ${ctx.facts.user} as EC2 images do, then run kafka-setup init again` },
      );
    }
    return undefined;
  },
  async apply(ctx) {
    const install = javaInstallFor(ctx.facts.os)!;
    const res = await ctx.session.run(
      remoteScript('install-java', { ...baseVars(ctx), KS_PM: install.pm, KS_PACKAGES: install.packages.join(' ') }, ['probe-lib', 'install-java']),
      { timeoutMs: 20 * 60_000 },
    );
    ctx.facts = mergeFacts(ctx.facts, res.sections);
    const installed = keyValues(res.sections.get('installed'));
    const pkg = installed.get('package') ?? install.packages[0];
    // An earlier install stopped midway (Ctrl-C, a dropped connection): say that it was finished first.
    return installed.get('repaired_dpkg') === 'yes' ? `installed ${pkg}, after finishing an interrupted install (dpkg --configure -a)` : `installed ${pkg}`;
  },
  explain(f, ctx) {
    const install = javaInstallFor(ctx.facts.os);
    if (f.kind === 'install_failed' || f.kind === 'no_package') {
      return new UserError(`Install Java: ${f.message}`, {
        details: f.details,
        hint: `check the host can reach its package repositories, then run kafka-setup init again; or install a JDK by hand${install ? ` (${installCommand(install)})` : ''}`,
      });
    }
    return undefined;
  },
};

