/**
 * A heap the host cannot hold: the fresh Debian chroot (support/fresh-host.ts) with a 1 GiB
 * t2.micro's /proc/meminfo bind-mounted over its own, so the probe run over SSH reads MemTotal 973 MiB
 * and no swap. `init --heap 1g` must stop with the figures before anything changes (no Java installed,
 * nothing downloaded, ~/.bashrc untouched), and a dry run must say so too. Nothing starts a JVM here.
 * The bind mount lies under the fixture's directory: stopFreshHost unmounts it (deepest first) before
 * removing anything.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { runCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { type FreshHost, runInFresh, startFreshHost, stopFreshHost } from './support/fresh-host.js';

// A t2.micro's, trimmed: the kernel's format, which the probe's awk reads.
const MICRO_MEMINFO =
  'MemTotal:         996352 kB\nMemFree:          700000 kB\nMemAvailable:     800000 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n';

describeE2e('a heap the host cannot hold (1 GiB of memory, faked)', () => {
  let fresh: FreshHost | undefined;
  let dir = '';
  beforeAll(async () => {
    dir = scratchDir('ks-heapfit-');
    fresh = await startFreshHost();
    // Outside the chroot's root, inside the fixture's directory (removed with it).
    const fake = join(fresh.workDir, 'meminfo-t2.micro');
    writeFileSync(fake, MICRO_MEMINFO);
    await execa('mount', ['--bind', '-o', 'ro', fake, join(fresh.root, 'proc/meminfo')], { stdin: 'ignore' });
  });
  afterAll(async () => {
    if (fresh) await stopFreshHost(fresh);
  });
  const host = (): FreshHost => {
    if (!fresh) throw new Error('the fresh host did not start');
    return fresh;
  };
  const init = (...more: string[]): string[] => [
    'init',
    '--host',
    '127.0.0.1',
    '--port',
    String(host().sshPort),
    '--user',
    host().user,
    '--key',
    host().keyPath,
    '--known-hosts',
    join(dir, 'known_hosts'),
    '--mirror',
    e2e().mirror.good,
    '--yes',
    ...more,
  ];
  const env = (): Record<string, string> => ({ XDG_CONFIG_HOME: join(dir, 'config') });

  /** What init could have changed: Java, the tarball, the install, ~/.bashrc. */
  async function hostState(): Promise<string> {
    const r = await runInFresh(host(), 'command -v java; ls -a; cat .bashrc | sha256sum', { asAdmin: true });
    return r.stdout;
  }

  it('the chroot reads the faked memory', async () => {
    expect((await runInFresh(host(), 'grep MemTotal /proc/meminfo')).stdout).toMatch(/996352 kB/);
  });

  it('init --heap 1g exits 1 with the figures and the size that fits; nothing changed', async () => {
    const before = await hostState();
    const r = await runCli(init('--heap', '1g'), { env: env() });
    expect(r.code, r.all).toBe(1);
    expect(r.all).toMatch(
      /the heap 1g does not fit this host: the broker \(1g of heap plus ~160 MiB of JVM overhead\), ZooKeeper \(~128 MiB\) and the system \(~192 MiB\) need about 1\.5 GiB, and the host has 973 MiB of memory and no swap/,
    );
    expect(r.all).toMatch(/use --heap 480m or less \(--heap auto picks 400m here/);
    expect(await hostState()).toBe(before);
    expect(before).not.toMatch(/java/); // Java was not installed for nothing
    expect(before).not.toMatch(/kafka_2\.12-3\.1\.0/);
  });

  it('a dry run reports it and exits 1', async () => {
    const before = await hostState();
    const r = await runCli(init('--heap', '1g', '--dry-run'), { env: env() });
    expect(r.code, r.all).toBe(1);
    expect(r.all).toMatch(/dry run: init would fail at "Set the Kafka heap in ~\/\.bashrc": the heap 1g does not fit this host/);
    expect(await hostState()).toBe(before);
  });

  it('a dry run of --heap auto (400m there) passes the check', async () => {
    const r = await runCli(init('--heap', 'auto', '--dry-run'), { env: env() });
    expect(r.code, r.all).toBe(0);
    expect(r.all).toMatch(/KAFKA_HEAP_OPTS="-Xmx400m -Xms400m"/);
    expect(readFileSync(join(host().root, 'proc/meminfo'), 'utf8')).toBe(MICRO_MEMINFO);
  });
});
