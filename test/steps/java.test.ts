import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { RemoteHost } from '../../src/host/remote-host.js';
import { remoteScript } from '../../src/host/script.js';
import type { InitOptions } from '../../src/options/init-options.js';
import { keyValues, parseSections, type RemoteScript } from '../../src/remote/script.js';
import { progressReader, RemoteFailure, type RunOptions, type RunResult, type Session } from '../../src/remote/session.js';
import { quote } from '../../src/remote/shell.js';
import { javaInstallFor, javaStep, PM_LOCKS, PM_WAIT_S } from '../../src/steps/java.js';
import { runSteps } from '../../src/steps/runner.js';
import type { StepContext } from '../../src/steps/types.js';
import type { ActiveStep, Reporter } from '../../src/ui/reporter.js';
import { FakeHost, freshDebian } from '../host/fake-host.js';
import { scratchDir } from '../support/scratch.js';

const os = (id: string, versionId: string, idLike: string[] = []) => ({ id, versionId, idLike, prettyName: id });

describe('which JDK to install', () => {
  it('uses Corretto 17 with dnf on Amazon Linux 2023', () => {
    expect(javaInstallFor(os('amzn', '2023'))).toEqual({ pm: 'dnf', packages: ['java-17-amazon-corretto-devel'] });
  });
  it('uses yum on Amazon Linux 2 and 1, falling back to OpenJDK 8 as in the seed notes', () => {
    expect(javaInstallFor(os('amzn', '2'))?.pm).toBe('yum');
    expect(javaInstallFor(os('amzn', '2'))?.packages.at(-1)).toBe('java-1.8.0-openjdk-devel');
    expect(javaInstallFor(os('amzn', '2018.03'))).toEqual({ pm: 'yum', packages: ['java-1.8.0-openjdk-devel'] });
  });
  it('uses apt and the headless JDK 17, else 11, on Debian and Ubuntu', () => {
    expect(javaInstallFor(os('debian', '12'))).toEqual({ pm: 'apt', packages: ['openjdk-17-jdk-headless', 'openjdk-11-jdk-headless'] });
    expect(javaInstallFor(os('ubuntu', '22.04', ['debian']))?.pm).toBe('apt');
    expect(javaInstallFor(os('linuxmint', '21', ['ubuntu', 'debian']))?.pm).toBe('apt');
  });
  it('uses dnf or yum on the RHEL family', () => {
    expect(javaInstallFor(os('rocky', '9.3', ['rhel', 'centos', 'fedora']))?.pm).toBe('dnf');
    expect(javaInstallFor(os('centos', '7', ['rhel', 'fedora']))?.pm).toBe('yum');
  });
  it('always picks JDK packages, so jps is there', () => {
    for (const o of [os('amzn', '2023'), os('amzn', '2'), os('debian', '12'), os('fedora', '40')]) {
      for (const p of javaInstallFor(o)!.packages) expect(p).toMatch(/devel|jdk/);
    }
  });
  it('knows nothing of other systems', () => {
    expect(javaInstallFor(os('alpine', '3.19'))).toBeUndefined();
    expect(javaInstallFor(os('', ''))).toBeUndefined();
  });
});

/** The script's `NAME='value'` assignments replaced: the test host's lock files, a shorter wait. */
function withVars(text: string, vars: Record<string, string>): string {
  let out = text;
  for (const [name, value] of Object.entries(vars)) {
    const line = new RegExp(`^${name}='[^'\\n]*'$`, 'm');
    if (!line.test(out)) throw new Error(`the script sets no ${name}`);
    out = out.replace(line, () => `${name}=${quote(value)}`);
  }
  return out;
}

/**
 * The real install-java.sh under dash, with stand-ins for apt-cache, apt-get, dpkg and yum that
 * record their calls, and lock files of its own (never this machine's dpkg lock).
 */
class LocalShell implements Session {
  readonly host = 'local';
  readonly stats = { connections: 1, commands: 0 };
  constructor(
    private readonly env: Record<string, string>,
    private readonly vars: Record<string, string>,
  ) {}
  close(): void {}
  run(script: RemoteScript, opts: RunOptions = {}): Promise<RunResult> {
    this.stats.commands++;
    return new Promise((resolve, reject) => {
      const child = spawn('sh', ['-s'], { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      const progress = opts.onProgress ? progressReader(script.mark, opts.onProgress) : undefined;
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        progress?.(d.toString());
      });
      child.on('close', (code) => {
        const sections = parseSections(stdout, script.mark);
        const error = sections.get('error');
        if (error) {
          const kv = keyValues(error);
          reject(
            new RemoteFailure(
              kv.get('kind') ?? 'unknown',
              kv.get('message') ?? '',
              kv,
              error.filter((l) => l.startsWith('log=')).map((l) => l.slice(4)),
            ),
          );
        } else {
          resolve({ code: code ?? -1, stdout, stderr: '', sections, durationMs: 1 });
        }
      });
      // Not ended: like the SSH channel, stdin stays open while kafka-setup is there.
      child.stdin.write(withVars(script.text, this.vars));
    });
  }
}

const FAKE_APT_GET = `#!/bin/sh
echo "apt-get $*" >> "$KS_FAKE/calls"
if [ -e "$KS_FAKE/dpkg-interrupted" ]; then
  echo "E: dpkg was interrupted, you must manually run 'dpkg --configure -a' to correct the problem."
  exit 100
fi
if [ -e "$KS_FAKE/broken" ]; then
  echo "E: Unable to correct problems, you have held broken packages."
  exit 100
fi
if [ -e "$KS_FAKE/lost-race" ]; then
  rm -f "$KS_FAKE/lost-race"
  echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)"
  echo "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?"
  exit 100
fi
case " $* " in *" --fix-broken "*) rm -f "$KS_FAKE/java-unfinished" ;; esac
case " $* " in *" install "*) printf '#!/bin/sh\n' > "$KS_FAKE/java"; cp "$KS_FAKE/java" "$KS_FAKE/jps"; chmod +x "$KS_FAKE/java" "$KS_FAKE/jps" ;; esac
exit 0
`;

/** dpkg-query -W: every package installed, but for Java's while an interrupted install left them unfinished. */
const FAKE_DPKG_QUERY = `#!/bin/sh
echo "installed libc6"
if [ -e "$KS_FAKE/java-unfinished" ]; then echo "half-configured ca-certificates-java"; echo "triggers-awaited openjdk-17-jre-headless"; echo "unpacked libfoo"; fi
exit 0
`;

/**
 * dnf: an install gives java and jps, unless an interrupted transaction left Corretto's packages in
 * rpm's database without their %post (rpm-unfinished): then only a reinstall makes the links.
 */
const FAKE_DNF = `#!/bin/sh
echo "dnf $*" >> "$KS_FAKE/calls"
links() { printf '#!/bin/sh\\n' > "$KS_FAKE/java"; cp "$KS_FAKE/java" "$KS_FAKE/jps"; chmod +x "$KS_FAKE/java" "$KS_FAKE/jps"; }
case $1 in
  install) [ -e "$KS_FAKE/rpm-unfinished" ] || links ;;
  reinstall) links ;;
esac
exit 0
`;

/** rpm -qa: Corretto's packages, installed, once an interrupted transaction put them in the database. */
const FAKE_RPM = `#!/bin/sh
[ -e "$KS_FAKE/rpm-unfinished" ] && printf 'java-17-amazon-corretto-headless\\njava-17-amazon-corretto\\n'
exit 0
`;

type State = 'ok' | 'dpkg-interrupted' | 'broken' | 'lost-race' | 'java-unfinished' | 'rpm-unfinished';

interface Fake {
  ctx: StepContext;
  dir: string;
  calls: () => string[];
  /** What the step showed in its spinner. */
  progress: string[];
}

/** This machine's /usr/bin and /bin as links in one directory, but for its own Java and rpm: the script must see only the fake's. */
let withoutJava: string | undefined;
function systemWithoutJava(): string {
  if (withoutJava) return withoutJava;
  const bin = scratchDir('ks-fake-bin-');
  for (const d of ['/bin', '/usr/bin']) {
    for (const name of readdirSync(d)) {
      if (['java', 'jps', 'rpm', 'dnf', 'yum'].includes(name) || existsSync(join(bin, name))) continue;
      symlinkSync(join(d, name), join(bin, name));
    }
  }
  withoutJava = bin;
  return bin;
}

async function fakeHost(state: State, opts: { waitS?: number; pm?: 'apt' | 'yum' | 'dnf' } = {}): Promise<Fake> {
  const dir = scratchDir('ks-fake-apt-');
  const tool = (name: string, text: string): void => {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), 0o755);
  };
  tool('apt-cache', '#!/bin/sh\necho "  Candidate: 17.0.15+6-1~deb12u1"\n');
  tool('apt-get', FAKE_APT_GET);
  tool('dpkg-query', FAKE_DPKG_QUERY);
  tool('dpkg', '#!/bin/sh\necho "dpkg $*" >> "$KS_FAKE/calls"\nrm -f "$KS_FAKE/dpkg-interrupted"\n');
  tool('yum', '#!/bin/sh\necho "yum $*" >> "$KS_FAKE/calls"\nprintf \'#!/bin/sh\\n\' > "$KS_FAKE/java"\nchmod +x "$KS_FAKE/java"\n');
  tool('dnf', FAKE_DNF);
  tool('rpm', FAKE_RPM);
  if (state !== 'ok') writeFileSync(join(dir, state), '');
  const { facts } = await new FakeHost(freshDebian()).probe({ urls: [], lock: false });
  const progress: string[] = [];
  const ctx: StepContext = {
    options: { installDir: '~/kafka_2.12-3.1.0' } as InitOptions,
    host: new RemoteHost(
      new LocalShell(
        { PATH: opts.pm === 'dnf' ? `${dir}:${systemWithoutJava()}` : `${dir}:/usr/bin:/bin`, HOME: dir, KS_FAKE: dir },
        {
          KS_PM_LOCKS: `${dir}/lock-frontend ${dir}/lock`,
          KS_PM_PIDFILES: `${dir}/yum.pid`,
          KS_PM_WAIT: String(opts.waitS ?? PM_WAIT_S),
        },
      ),
      { options: { installDir: '~/kafka_2.12-3.1.0' }, dist: { kafkaVersion: '3.1.0', scalaVersion: '2.12' } },
    ),
    dist: { kafkaVersion: '3.1.0', scalaVersion: '2.12' },
    facts,
    progress: (text) => progress.push(text),
  };
  if (opts.pm === 'yum')
    ctx.facts = { ...ctx.facts, os: { id: 'amzn', versionId: '2', idLike: ['centos', 'rhel', 'fedora'], prettyName: 'Amazon Linux 2' } };
  if (opts.pm === 'dnf')
    ctx.facts = { ...ctx.facts, os: { id: 'amzn', versionId: '2023', idLike: ['fedora'], prettyName: 'Amazon Linux 2023' } };
  const calls = (): string[] =>
    existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter(Boolean) : [];
  return { ctx, dir, calls, progress };
}

const INSTALL = 'apt-get -q -o DPkg::Lock::Timeout=60 install -y --no-install-recommends -o Dpkg::Use-Pty=0 openjdk-17-jdk-headless';

// Only as root: the script then runs apt without sudo, as it does on a host where we log in as root.
const asRoot = process.getuid?.() === 0;

describe('installing Java with apt (install-java.sh)', () => {
  it.runIf(asRoot)('installs the first candidate, keeping dpkg in the guarded process group', async () => {
    const { ctx, calls } = await fakeHost('ok');
    expect(await javaStep.apply(ctx)).toBe('installed openjdk-17-jdk-headless');
    expect(calls()).toEqual([INSTALL]);
  });

  it.runIf(asRoot)('finishes an interrupted dpkg run (dpkg --configure -a), then installs, and says so', async () => {
    const { ctx, calls } = await fakeHost('dpkg-interrupted');
    expect(await javaStep.apply(ctx)).toBe(
      'installed openjdk-17-jdk-headless, after finishing an interrupted install (dpkg --configure -a)',
    );
    // --fix-broken: dpkg cannot configure a package whose dependencies apt never unpacked.
    expect(calls()).toEqual([INSTALL, 'dpkg --configure -a', INSTALL.replace('install -y', 'install -y --fix-broken')]);
  });

  it.runIf(asRoot)(
    "Java's packages left unfinished (its binaries in place): apt --fix-broken finishes them, and says so; others are not Java's business",
    async () => {
      const { ctx, calls, dir } = await fakeHost('java-unfinished');
      expect(await javaStep.apply(ctx)).toBe(
        'installed openjdk-17-jdk-headless, after finishing an interrupted install (apt-get --fix-broken)',
      );
      expect(calls()).toEqual([INSTALL.replace('install -y', 'install -y --fix-broken')]);
      expect(existsSync(join(dir, 'java-unfinished'))).toBe(false);
      expect(ctx.facts.unfinishedJava).toEqual([]);
    },
  );

  it.runIf(asRoot)("another apt failure is reported with apt's own words, and dpkg is left alone", async () => {
    const { ctx, calls } = await fakeHost('broken');
    const err = await javaStep.apply(ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe('apt could not install any of: openjdk-17-jdk-headless openjdk-11-jdk-headless');
    expect((err as UserError).details).toContain('E: Unable to correct problems, you have held broken packages.');
    expect(calls().filter((c) => c.startsWith('dpkg'))).toEqual([]);
  });
});

/** This machine's real Python (not a pyenv shim): the process that holds the lock is the one we start. */
const PYTHON = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout?.trim() ?? '';

/**
 * Holds an fcntl (POSIX) write lock on `file`, as dpkg and apt do, under the process name `name`
 * (what unattended-upgrades shows as: "unattended-upgr"), with `args` on its command line.
 */
async function holdLock(file: string, name: string, args: string[] = []): Promise<ChildProcess> {
  const code = [
    'import ctypes, fcntl, sys, time',
    'f = open(sys.argv[1], "a")',
    'fcntl.lockf(f, fcntl.LOCK_EX)',
    'ctypes.CDLL(None).prctl(15, sys.argv[2].encode(), 0, 0, 0)', // PR_SET_NAME
    'print("locked", flush=True)',
    'time.sleep(600)',
  ].join('\n');
  // The code in the environment: the command line stays short, like a package manager's.
  const child = spawn(PYTHON, ['-c', 'exec(__import__("os").environ["KS_HOLD"])', file, name, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, KS_HOLD: code },
  });
  holders.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (c) => reject(new Error(`the lock holder exited (${c})`)));
  });
  return child;
}

const holders: ChildProcess[] = [];
afterEach(() => {
  for (const h of holders.splice(0)) if (h.exitCode === null && h.signalCode === null) h.kill('SIGKILL');
});

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => child.once('exit', resolve));
}

describe('another package manager holds the lock (install-java.sh)', () => {
  const canHold = asRoot && PYTHON !== '' && existsSync('/proc/locks');

  it.runIf(canHold)('waits for the holder, named from /proc/locks, then installs and says for whom it waited', async () => {
    const fake = await fakeHost('ok');
    const holder = await holdLock(join(fake.dir, 'lock'), 'unattended-upgr');
    const applying = javaStep.apply(fake.ctx);
    let settled = false;
    void applying
      .finally(() => {
        settled = true;
      })
      .catch(() => undefined);
    await sleep(3000);
    expect(settled, 'the install did not wait for the lock').toBe(false);
    expect(fake.calls()).toEqual([]);
    expect(fake.progress.at(-1)).toMatch(
      new RegExp(`^waiting for unattended-upgr \\(pid ${holder.pid}\\) to release ${fake.dir}/lock \\(\\d+ s\\)$`),
    );
    holder.kill('SIGTERM');
    await exited(holder);
    const did = await applying;
    expect(did).toMatch(
      new RegExp(
        `^installed openjdk-17-jdk-headless, after waiting (\\d+) s for unattended-upgr \\(pid ${holder.pid}\\) to release the dpkg lock$`,
      ),
    );
    expect(Number(/after waiting (\d+) s/.exec(did)?.[1])).toBeGreaterThanOrEqual(2);
    expect(fake.calls()).toEqual([INSTALL]);
  });

  it.runIf(canHold)('the runner shows what the step waits for in its spinner, and no longer once it is done', async () => {
    const fake = await fakeHost('ok');
    const holder = await holdLock(join(fake.dir, 'lock-frontend'), 'apt-get');
    const updates: string[] = [];
    const active: ActiveStep = { update: (t) => updates.push(t), pause() {}, resume() {}, finish() {} };
    const reporter = { step: () => active } as unknown as Reporter;
    const ctx = { ...fake.ctx, progress: undefined };
    const running = runSteps([javaStep], ctx, reporter, false);
    const by = Date.now() + 5000;
    while (!updates.some((u) => u.startsWith('waiting for apt-get')) && Date.now() < by) await sleep(50);
    holder.kill('SIGTERM');
    const [report] = await running;
    // What it does, what holds it up, then what it does again.
    expect(updates[0]).toBe('java is not installed');
    expect(updates[1]).toBe('installing openjdk-17-jdk-headless');
    expect(updates.at(-1)).toBe('installing openjdk-17-jdk-headless');
    expect(updates[2]).toMatch(
      new RegExp(`^waiting for apt-get \\(pid ${holder.pid}\\) to release ${fake.dir}/lock-frontend \\(\\d+ s\\)$`),
    );
    expect(report?.detail).toMatch(/^installed openjdk-17-jdk-headless, after waiting \d+ s for apt-get/);
    expect(ctx.progress).toBeUndefined();
  });

  it.runIf(canHold)(
    'gives up at the bound with the real cause: who holds the lock, for how long it has run, how long we waited',
    async () => {
      const fake = await fakeHost('ok', { waitS: 2 });
      // A hostile holder: control characters in its name and its command line.
      const holder = await holdLock(join(fake.dir, 'lock-frontend'), 'evil\x1b]0;x\x07\x1b[2J', ['\x1b[31mred\r\nFAKE LINE']);
      const started = Date.now();
      const err = await javaStep.apply(fake.ctx).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(fake.calls(), 'apt ran although the lock was held').toEqual([]);
      expect(err).toBeInstanceOf(UserError);
      const e = err as UserError;
      expect(e.message).toMatch(
        new RegExp(
          `^the package manager is busy: evil\\]0;x\\[2J \\(pid ${holder.pid}\\), running for \\d+ s, holds the dpkg lock \\(${fake.dir}/lock-frontend\\); kafka-setup waited [2-9] s for it$`,
        ),
      );
      expect(e.hint).toContain(`ps -o pid,etime,args -p ${holder.pid}`);
      expect(e.hint).toContain('run kafka-setup init again');
      expect(e.hint).not.toContain('repositories');
      expect(e.details[0]).toMatch(/^its command: \S*python\S* -c exec\(.*\) \S+\/lock-frontend evil\]0;x\[2J \[31mredFAKE LINE$/);
      for (const text of [e.message, e.hint ?? '', ...e.details]) expect(text).not.toMatch(/[\x00-\x1f\x7f]/);
    },
  );

  it.runIf(asRoot)(
    'a lock taken between our look and apt\'s: apt\'s "Could not get lock" is waited out too, within the bound',
    async () => {
      const fake = await fakeHost('lost-race');
      expect(await javaStep.apply(fake.ctx)).toBe('installed openjdk-17-jdk-headless');
      expect(fake.calls()).toEqual([INSTALL, INSTALL]);
    },
  );

  it.runIf(asRoot)("a lock apt keeps reporting past the bound fails as pm_busy with apt's own words", async () => {
    const fake = await fakeHost('ok', { waitS: 0 });
    writeFileSync(
      join(fake.dir, 'apt-get'),
      '#!/bin/sh\necho "apt-get $*" >> "$KS_FAKE/calls"\necho "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)"\nexit 100\n',
    );
    const e = (await javaStep.apply(fake.ctx).then(
      () => undefined,
      (err: unknown) => err,
    )) as UserError;
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toBe('the package manager is busy: another process holds the dpkg lock; kafka-setup waited 0 s for it');
    expect(e.details).toContain('E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)');
  });

  it.runIf(asRoot)('yum: waits while the pid in yum.pid runs (a faked holder), then installs', async () => {
    const fake = await fakeHost('ok', { pm: 'yum' });
    const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
    holders.push(holder);
    writeFileSync(join(fake.dir, 'yum.pid'), `${holder.pid}\n`);
    const applying = javaStep.apply(fake.ctx);
    await sleep(2500);
    expect(fake.calls()).toEqual([]);
    expect(fake.progress.at(-1)).toMatch(new RegExp(`^waiting for sleep \\(pid ${holder.pid}\\) to release ${fake.dir}/yum.pid`));
    holder.kill('SIGKILL');
    await exited(holder);
    expect(await applying).toMatch(
      new RegExp(
        `^installed java-17-amazon-corretto-devel, after waiting \\d+ s for sleep \\(pid ${holder.pid}\\) to release the yum lock$`,
      ),
    );
    expect(fake.calls()).toEqual(['yum install -y java-17-amazon-corretto-devel']);
  });

  it.runIf(asRoot)('a stale yum.pid (its process gone) and locks nobody holds are not waited for', async () => {
    const fake = await fakeHost('ok', { pm: 'yum' });
    const gone = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    writeFileSync(join(fake.dir, 'yum.pid'), `${gone}\n`);
    writeFileSync(join(fake.dir, 'lock'), '');
    expect(await javaStep.apply(fake.ctx)).toBe('installed java-17-amazon-corretto-devel');
  });

  it.runIf(canHold)("Ctrl-C while waiting (the channel's stdin closes) stops the wait at once: interrupted", async () => {
    const dir = scratchDir('ks-fake-apt-');
    await holdLock(join(dir, 'lock'), 'apt-get');
    const script = remoteScript(
      'install-java',
      {
        KS_PM: 'apt',
        KS_PACKAGES: 'openjdk-17-jdk-headless',
        KS_PM_LOCKS: join(dir, 'lock'),
        KS_PM_PIDFILES: '',
        KS_PM_WAIT: 600,
      },
      ['probe-lib', 'install-java'],
    );
    const child = spawn('sh', ['-s'], { env: { PATH: '/usr/bin:/bin', HOME: dir }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stdin.write(script.text);
    const waitingBy = Date.now() + 5000;
    while (!stdout.includes(`${script.mark} progress`) && Date.now() < waitingBy) await sleep(50);
    expect(stdout).toContain(`${script.mark} progress`);
    const stopped = Date.now();
    child.stdin.end();
    await exited(child);
    expect(Date.now() - stopped).toBeLessThan(3000);
    const error = keyValues(parseSections(stdout, script.mark).get('error'));
    expect(error.get('kind')).toBe('interrupted');
    expect(error.get('message')).toBe(`stopped while waiting for apt-get (pid ${holders[0]!.pid}) to finish`);
  });
});

describe('installing Java with dnf (install-java.sh)', () => {
  it.runIf(asRoot)('installs Corretto on Amazon Linux 2023', async () => {
    const fake = await fakeHost('ok', { pm: 'dnf' });
    expect(await javaStep.apply(fake.ctx)).toBe('installed java-17-amazon-corretto-devel');
    expect(fake.calls()).toEqual(['dnf install -y java-17-amazon-corretto-devel']);
  });

  it.runIf(asRoot)('packages an interrupted transaction left without their %post (no java, no jps) are reinstalled', async () => {
    const fake = await fakeHost('rpm-unfinished', { pm: 'dnf' });
    expect(await javaStep.apply(fake.ctx)).toBe(
      'installed java-17-amazon-corretto-devel, after finishing an interrupted install (dnf reinstall java-17-amazon-corretto java-17-amazon-corretto-headless)',
    );
    expect(fake.calls()).toEqual([
      'dnf install -y java-17-amazon-corretto-devel',
      'dnf reinstall -y -q java-17-amazon-corretto java-17-amazon-corretto-headless',
    ]);
    expect(fake.progress).toContain(
      'finishing an interrupted install (dnf reinstall java-17-amazon-corretto java-17-amazon-corretto-headless)',
    );
  });
});

describe('the lock files and the wait', () => {
  it("apt: the four locks apt and dpkg take; yum and dnf: their pid files and rpm's transaction lock", () => {
    expect(PM_LOCKS.apt.fcntl).toEqual([
      '/var/lib/dpkg/lock-frontend',
      '/var/lib/dpkg/lock',
      '/var/lib/apt/lists/lock',
      '/var/cache/apt/archives/lock',
    ]);
    expect(PM_LOCKS.yum.pidFiles).toEqual(['/var/run/yum.pid']);
    expect(PM_LOCKS.dnf.pidFiles).toContain('/var/lib/dnf/rpmdb_lock.pid');
    expect(PM_LOCKS.dnf.fcntl).toEqual(['/var/lib/rpm/.rpm.lock']);
    expect(PM_WAIT_S).toBe(600);
  });

  it('progress sections reach onProgress as they arrive, split anywhere, and nothing else does', () => {
    const seen: string[] = [];
    const feed = progressReader('::ks:ab::', (t) => seen.push(t));
    for (const chunk of [
      'greeting ::ks:ab:: progr',
      'ess\ntext=waiting for apt',
      ' (pid 1)\n::ks:ab:: installed\ntext=no\n::ks:zz:: progress\ntext=forged\n',
    ])
      feed(chunk);
    expect(seen).toEqual(['waiting for apt (pid 1)']);
  });
});
