import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InitOptions } from '../../src/options/init-options.js';
import { keyValues, parseSections, type RemoteScript } from '../../src/remote/script.js';
import { RemoteFailure, type RunResult, type Session } from '../../src/remote/session.js';
import { mergeFacts } from '../../src/steps/facts.js';
import { javaInstallFor, javaStep } from '../../src/steps/java.js';
import type { StepContext } from '../../src/steps/types.js';
import { scratchDir } from '../support/scratch.js';
import { FakeHost, freshDebian } from './fake-host.js';

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

/**
 * The real install-java.sh under dash, with stand-ins for apt-cache, apt-get and dpkg that record
 * their calls: what the step does when apt refuses to work after an interrupted install.
 */
class LocalShell implements Session {
  readonly host = 'local';
  readonly stats = { connections: 1, commands: 0 };
  constructor(private readonly env: Record<string, string>) {}
  close(): void {}
  run(script: RemoteScript): Promise<RunResult> {
    this.stats.commands++;
    return new Promise((resolve, reject) => {
      const child = spawn('sh', ['-s'], { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.on('close', (code) => {
        const sections = parseSections(stdout, script.mark);
        const error = sections.get('error');
        if (error) {
          const kv = keyValues(error);
          reject(new RemoteFailure(kv.get('kind') ?? 'unknown', kv.get('message') ?? '', kv, error.filter((l) => l.startsWith('log=')).map((l) => l.slice(4))));
        } else {
          resolve({ code: code ?? -1, stdout, stderr: '', sections, durationMs: 1 });
        }
      });
      // Not ended: like the SSH channel, stdin stays open while kafka-setup is there.
      child.stdin.write(script.text);
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
exit 0
`;

async function fakeDebian(state: 'ok' | 'dpkg-interrupted' | 'broken'): Promise<{ ctx: StepContext; calls: () => string[] }> {
  const dir = scratchDir('ks-fake-apt-');
  const tool = (name: string, text: string): void => {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), 0o755);
  };
  tool('apt-cache', '#!/bin/sh\necho "  Candidate: 17.0.15+6-1~deb12u1"\n');
  tool('apt-get', FAKE_APT_GET);
  tool('dpkg', '#!/bin/sh\necho "dpkg $*" >> "$KS_FAKE/calls"\nrm -f "$KS_FAKE/dpkg-interrupted"\n');
  if (state !== 'ok') writeFileSync(join(dir, state), '');
  const probe = await new FakeHost(freshDebian()).run({ name: 'probe', text: '', mark: '::ks::', vars: {} });
  const ctx: StepContext = {
    options: { installDir: '~/kafka_2.12-3.1.0' } as InitOptions,
    session: new LocalShell({ PATH: `${dir}:/usr/bin:/bin`, HOME: dir, KS_FAKE: dir }),
    dist: { kafkaVersion: '3.1.0', scalaVersion: '2.12' },
    facts: mergeFacts(undefined, probe.sections),
  };
  const calls = (): string[] => (existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter(Boolean) : []);
  return { ctx, calls };
}

describe('installing Java with apt (install-java.sh)', () => {
  // Only as root: the script then runs apt without sudo, as it does on a host where we log in as root.
  const asRoot = process.getuid?.() === 0;

  it.runIf(asRoot)('installs the first candidate, keeping dpkg in the guarded process group', async () => {
    const { ctx, calls } = await fakeDebian('ok');
    expect(await javaStep.apply(ctx)).toBe('installed openjdk-17-jdk-headless');
    expect(calls()).toEqual(['apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 openjdk-17-jdk-headless']);
  });

  it.runIf(asRoot)('finishes an interrupted dpkg run (dpkg --configure -a), then installs, and says so', async () => {
    const { ctx, calls } = await fakeDebian('dpkg-interrupted');
    expect(await javaStep.apply(ctx)).toBe('installed openjdk-17-jdk-headless, after finishing an interrupted install (dpkg --configure -a)');
    expect(calls()).toEqual([
      'apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 openjdk-17-jdk-headless',
      'dpkg --configure -a',
      'apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 openjdk-17-jdk-headless',
    ]);
  });

  it.runIf(asRoot)('another apt failure is reported with apt\'s own words, and dpkg is left alone', async () => {
    const { ctx, calls } = await fakeDebian('broken');
    const err = await javaStep.apply(ctx).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteFailure);
    expect((err as RemoteFailure).kind).toBe('install_failed');
    expect((err as RemoteFailure).details).toContain('E: Unable to correct problems, you have held broken packages.');
    expect(calls().filter((c) => c.startsWith('dpkg'))).toEqual([]);
  });
});
