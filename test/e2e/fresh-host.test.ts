/**
 * A truly fresh Debian 12 host (support/fresh-host.ts): no Java, no package lists. `init` installs
 * openjdk-17-jdk-headless with apt for real, through sudo, and sets up Kafka; Ctrl-C during that
 * install stops apt and dpkg (root's processes), and the next run finishes the job.
 * The fresh host's Kafka binds 2181/9092 like the main e2e host's: that host's JVMs are stopped first.
 * Right after boot, cloud-init or unattended-upgrades may hold the dpkg lock: init waits for it,
 * naming the holder, and installs once it is released.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { runCli, startCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { chrootJvms, chrootProcesses, type FreshHost, runInFresh, startFreshHost, stopFreshHost } from './support/fresh-host.js';
import { resetHost } from './support/reset.js';

const JDK = 'openjdk-17-jdk-headless';
// What apt runs: apt-get itself, its download methods, dpkg and its helpers.
const APT = /^(apt-get|apt|http|https|store|gpgv|dpkg|dpkg-deb|dpkg-split)$/;

async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The main e2e host's JVMs hold 2181 and 9092, which the fresh host's Kafka needs. Reset, not only
 * stopped: a broker killed with its ZooKeeper leaves its registration in ZooKeeper's data, and the
 * next broker started there would exit on it.
 */
async function freeKafkaPorts(): Promise<void> {
  await resetHost(e2e().host);
  for (const port of [2181, 9092]) {
    if (await portInUse(port))
      throw new Error(`port ${port} is in use on this machine (not by the e2e host's user): the fresh host's Kafka needs it`);
  }
}

/** A fresh host for the tests of one describe block, removed afterwards whatever happened. */
function useFreshHost(): { fresh: () => FreshHost; init: () => string[]; env: () => Record<string, string> } {
  let fresh: FreshHost | undefined;
  let dir = '';
  beforeAll(async () => {
    await freeKafkaPorts();
    dir = scratchDir('ks-fresh-');
    const started = Date.now();
    fresh = await startFreshHost();
    process.stderr.write(`fresh host: ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  });
  afterAll(async () => {
    if (fresh) await stopFreshHost(fresh);
  });
  const host = (): FreshHost => {
    if (!fresh) throw new Error('the fresh host did not start');
    return fresh;
  };
  return {
    fresh: host,
    init: () => [
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
      '--heap',
      '256m',
      '--yes',
    ],
    env: () => ({ XDG_CONFIG_HOME: join(dir, 'config') }),
  };
}

async function javaWorks(fresh: FreshHost): Promise<void> {
  const java = await runInFresh(fresh, 'java -version 2>&1', { asAdmin: true });
  expect(java.code, java.stdout).toBe(0);
  expect(java.stdout).toMatch(/^openjdk version "17\./m);
  expect((await runInFresh(fresh, `dpkg-query -W -f='\${Status}' ${JDK}`)).stdout).toBe('install ok installed');
}

describeE2e('a truly fresh Debian 12 host', () => {
  const { fresh, init, env } = useFreshHost();

  it(`init installs ${JDK} with apt through sudo, then Kafka runs; java -version works`, async () => {
    const started = Date.now();
    const r = await runCli(init(), { env: env() });
    process.stderr.write(`fresh host: init with the Java install took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^\\[done\\] Install Java — installed ${JDK}`, 'm'));
    expect(r.stdout).toMatch(/^\[done\] Check with jps — QuorumPeerMain \(pid \d+\) and Kafka \(pid \d+\) are running/m);
    expect(r.stdout).toContain('Kafka 3.1.0 is running on 127.0.0.1');
    const jps = await runInFresh(fresh(), 'jps -l', { asAdmin: true });
    expect(jps.stdout).toMatch(/^\d+ kafka\.Kafka$/m);
    expect(jps.stdout).toMatch(/^\d+ org\.apache\.zookeeper\.server\.quorum\.QuorumPeerMain$/m);
    await javaWorks(fresh());
  });

  it('a second init changes nothing: Java is skipped', async () => {
    const jvms = chrootJvms(fresh());
    const r = await runCli(init(), { env: env() });
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(/^\[skip\] Install Java — java and jps found \(\/usr\/bin\/java\)$/m);
    expect(r.stdout.match(/^\[done\] .*/gm)).toEqual([
      expect.stringMatching(/^\[done\] Connect to /),
      expect.stringMatching(/^\[done\] Inspect the host /),
      expect.stringMatching(/^\[done\] Check with jps /),
    ]);
    expect(r.stdout).toContain('(nothing needed to change)');
    expect(chrootJvms(fresh())).toBe(jvms);
  });
});

describeE2e('Ctrl-C while apt installs Java on a fresh host', () => {
  const { fresh, init, env } = useFreshHost();

  it("exit 130; apt-get and dpkg (root's, through sudo) stop with it; the next run installs Java", async () => {
    const run = startCli(init(), { env: env() });
    // Interrupt once dpkg runs: apt has downloaded and is changing the system, the worst moment.
    const seen = new Map<number, string>();
    const deadline = Date.now() + 180_000;
    while (![...seen.values()].includes('dpkg') && Date.now() < deadline) {
      for (const p of chrootProcesses(fresh())) if (APT.test(p.comm)) seen.set(p.pid, p.comm);
      await sleep(25);
    }
    expect([...seen.values()], 'dpkg never ran').toContain('dpkg');
    run.signal('SIGINT');
    const r = await run.result;
    expect(r.code, r.all).toBe(130);
    expect(r.stderr).toContain('kafka-setup: interrupted');

    // The host notices the closed channel and stops the install at once, not when apt is done with it.
    const stoppedBy = Date.now() + 3000;
    const running = (): string[] =>
      chrootProcesses(fresh())
        .filter((p) => seen.has(p.pid) || APT.test(p.comm))
        .map((p) => `${p.pid} ${p.comm}`);
    while (running().length > 0 && Date.now() < stoppedBy) await sleep(50);
    expect(running(), 'apt or dpkg still running after Ctrl-C').toEqual([]);
    expect((await runInFresh(fresh(), `dpkg-query -W -f='\${Status}' ${JDK} 2>/dev/null`)).stdout).not.toBe('install ok installed');
    // Whether dpkg was stopped mid-way (its journal not empty: apt then refuses until `dpkg --configure -a`) depends on the moment.
    const journal = (await runInFresh(fresh(), 'ls /var/lib/dpkg/updates | wc -l')).stdout.trim();
    process.stderr.write(
      `fresh host: stopped with ${[...new Set(seen.values())].sort().join(', ')} running; dpkg journal entries left: ${journal}\n`,
    );
    // Only sshd is left (the guard's SIGKILL follow-up ends within seconds).
    const quietBy = Date.now() + 15_000;
    const others = (): string[] =>
      chrootProcesses(fresh())
        .filter((p) => p.comm !== 'sshd')
        .map((p) => `${p.pid} ${p.comm}`);
    while (others().length > 0 && Date.now() < quietBy) await sleep(100);
    expect(others()).toEqual([]);

    const again = await runCli(init(), { env: env() });
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^\\[done\\] Install Java — installed ${JDK}`, 'm'));
    process.stderr.write(`fresh host: after Ctrl-C, ${/^\[done\] Install Java — (.*)$/m.exec(again.stdout)?.[1] ?? '?'}\n`);
    await javaWorks(fresh());
  });
});

describeE2e("Ctrl-C while ca-certificates-java builds Java's keystore on a fresh host", () => {
  const { fresh, init, env } = useFreshHost();

  it('the keystore left half-written is moved aside (kept) and built again; the next run installs Java', async () => {
    const run = startCli(init(), { env: env() });
    // The trigger's `java -jar ca-certificates-java.jar` writes /etc/ssl/certs/java/cacerts in place.
    // Frozen once that file exists, then Ctrl-C: what an interruption mid-write leaves, every time.
    const cacerts = join(fresh().root, 'etc/ssl/certs/java/cacerts');
    const deadline = Date.now() + 240_000;
    let frozen: number | undefined;
    while (frozen === undefined && Date.now() < deadline) {
      const java = chrootProcesses(fresh()).find((p) => p.comm === 'java');
      if (java && existsSync(cacerts)) {
        process.kill(java.pid, 'SIGSTOP');
        frozen = java.pid;
      }
      await sleep(java ? 2 : 25);
    }
    expect(frozen, 'ca-certificates-java never ran java with the keystore created').toBeDefined();
    const size = statSync(cacerts).size;
    run.signal('SIGINT');
    const r = await run.result;
    expect(r.code, r.all).toBe(130);
    // Thawed (no Ctrl-C ever stops a process): it takes what it was sent meanwhile, or ends on its own;
    // either way its postinst is gone, and the keystore's import unfinished.
    try {
      process.kill(frozen!, 'SIGCONT');
    } catch {
      // already gone
    }
    const quietBy = Date.now() + 15_000;
    const others = (): string[] =>
      chrootProcesses(fresh())
        .filter((p) => p.comm !== 'sshd')
        .map((p) => `${p.pid} ${p.comm}`);
    while (others().length > 0 && Date.now() < quietBy) await sleep(100);
    expect(others()).toEqual([]);
    process.stderr.write(
      `fresh host: Ctrl-C with the keystore at ${size} bytes; ca-certificates-java ${(await runInFresh(fresh(), "dpkg-query -W -f='${Status}' ca-certificates-java")).stdout}\n`,
    );

    const again = await runCli(init(), { env: env() });
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toMatch(
      new RegExp(
        `^\\[done\\] Install Java — installed ${JDK}, after .*moving aside a Java keystore an interrupted install had left half-written \\(to /etc/ssl/certs/java/cacerts\\.kafka-setup-partial; built again\\)`,
        'm',
      ),
    );
    expect(existsSync(`${cacerts}.kafka-setup-partial`)).toBe(true);
    await javaWorks(fresh());
    // The keystore built again holds the system's certificates (Java's TLS works): far more than the half-written one.
    expect(statSync(cacerts).size).toBeGreaterThan(100_000);
  });
});

/**
 * Holds the fresh host's dpkg locks as unattended-upgrades does right after boot: real fcntl (POSIX)
 * write locks on /var/lib/dpkg/lock-frontend and /var/lib/dpkg/lock, from a process of this machine
 * (the chroot has no Python) named as unattended-upgrades' is ("unattended-upgr", 15 characters).
 */
async function holdDpkgLock(fresh: FreshHost): Promise<ChildProcess> {
  const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout?.trim();
  if (!python) throw new Error('python3 is needed to hold the dpkg lock (.ci/run installs it)');
  const code = [
    'import ctypes, fcntl, sys, time',
    'files = [open(p, "a") for p in sys.argv[1:]]',
    'for f in files: fcntl.lockf(f, fcntl.LOCK_EX)',
    'ctypes.CDLL(None).prctl(15, b"unattended-upgr", 0, 0, 0)',
    'print("locked", flush=True)',
    'time.sleep(900)',
  ].join('\n');
  const holder = spawn(python, ['-c', code, join(fresh.root, 'var/lib/dpkg/lock-frontend'), join(fresh.root, 'var/lib/dpkg/lock')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.once('data', () => resolve());
    holder.once('exit', (c) => reject(new Error(`the lock holder exited (${c})`)));
  });
  return holder;
}

const alive = (p: ChildProcess): boolean => p.exitCode === null && p.signalCode === null;

describeE2e('a fresh host whose dpkg lock is held (cloud-init, unattended-upgrades at first boot)', () => {
  const { fresh, init, env } = useFreshHost();
  let holder: ChildProcess | undefined;
  afterAll(() => {
    if (holder && alive(holder)) holder.kill('SIGKILL');
  });

  /** Commands in the chroot; `sleep` with its arguments: the script polls with `sleep 2` (the run's lock holder sleeps 0.5); dpkg where it may take the lock. */
  function watch(): { seen: Set<string>; look: () => void } {
    const seen = new Set<string>();
    const look = (): void => {
      for (const p of chrootProcesses(fresh())) {
        let cmd = p.comm;
        let args = '';
        try {
          if (p.comm === 'sleep' || p.comm === 'dpkg') args = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
        } catch {
          // gone meanwhile
        }
        if (p.comm === 'sleep' && args) cmd = args;
        // apt-cache (the script's look for a candidate) runs `dpkg --print-foreign-architectures`, a read
        // that takes no lock and is gone in a moment; a dpkg that does take it lives long enough to be read.
        if (p.comm === 'dpkg' && (!args || /^\S*dpkg --print-(foreign-)?architectures?$/.test(args))) continue;
        seen.add(cmd);
      }
    };
    return { seen, look };
  }

  it('Ctrl-C while init waits for the lock: exit 130 at once; the holder is left alone, nothing of ours is left running', async () => {
    holder = await holdDpkgLock(fresh());
    const run = startCli(init(), { env: env() });
    const { seen, look } = watch();
    const waitingBy = Date.now() + 120_000;
    while (!seen.has('sleep 2') && Date.now() < waitingBy) {
      look();
      await sleep(50);
    }
    expect([...seen], 'init never started waiting').toContain('sleep 2');
    run.signal('SIGINT');
    const r = await run.result;
    expect(r.code, r.all).toBe(130);
    expect(r.stderr).toContain('kafka-setup: interrupted');
    const quietBy = Date.now() + 10_000;
    const others = (): string[] =>
      chrootProcesses(fresh())
        .filter((p) => p.comm !== 'sshd')
        .map((p) => `${p.pid} ${p.comm}`);
    while (others().length > 0 && Date.now() < quietBy) await sleep(100);
    expect(others()).toEqual([]);
    expect(alive(holder)).toBe(true);
  });

  it('init waits for the holder, without running apt, then installs Java once the lock is released and says what it waited for', async () => {
    holder ??= await holdDpkgLock(fresh());
    const run = startCli(init(), { env: env() });
    // Waiting: the script's poll runs; apt never does while the lock is held.
    const { seen, look } = watch();
    const waitingBy = Date.now() + 120_000;
    const aptRan = (): boolean => [...seen].some((c) => APT.test(c));
    while (!seen.has('sleep 2') && !aptRan() && Date.now() < waitingBy) {
      look();
      await sleep(50);
    }
    expect(
      [...seen].filter((c) => APT.test(c)),
      'apt or dpkg ran while the lock was held',
    ).toEqual([]);
    expect([...seen], 'init never started waiting').toContain('sleep 2');
    const watchUntil = Date.now() + 6000;
    while (Date.now() < watchUntil) {
      look();
      await sleep(50);
    }
    expect(
      [...seen].filter((c) => APT.test(c)),
      'apt or dpkg ran while the lock was held',
    ).toEqual([]);
    expect(alive(holder)).toBe(true);
    expect((await runInFresh(fresh(), 'command -v java || echo none')).stdout).toBe('none');

    const pid = holder.pid!;
    holder.kill('SIGTERM');
    await new Promise((resolve) => holder!.once('exit', resolve));
    const r = await run.result;
    expect(r.code, r.all).toBe(0);
    const line = /^\[done\] Install Java — (.*)$/m.exec(r.stdout)?.[1] ?? '';
    process.stderr.write(`fresh host with the dpkg lock held: ${line}\n`);
    expect(line).toMatch(
      new RegExp(`^installed ${JDK}, after waiting \\d+ s for unattended-upgr \\(pid ${pid}\\) to release the dpkg lock`),
    );
    expect(Number(/after waiting (\d+) s/.exec(line)?.[1])).toBeGreaterThanOrEqual(6);
    expect(r.stdout).toContain('Kafka 3.1.0 is running on 127.0.0.1');
    await javaWorks(fresh());
  });
});
