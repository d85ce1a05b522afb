/**
 * Day two on a real systemd host: one systemd-nspawn container (support/nspawn-host.ts: systemd as
 * PID 1, real units and systemctl, its own 10.214.0.N), test for test what day-two.test.ts proved on
 * the emulated VM (it ran there, in the vm project, until this file replaced it), in under two
 * minutes instead of half an hour with a CPU held. init runs the -daemon way first (as earlier
 * versions did), then installs the systemd units, handing the running JVMs over; a message written
 * before survives all that follows. The broker comes back after a reboot with nobody running
 * kafka-setup; status, logs, stop, start and restart work through the units; a power cycle onto a new
 * address is noticed (verify names the stale address, init --host fixes it); uninstall leaves no unit,
 * no install, no JVM and ~/.bashrc as it was. One host for all of it: the tests run in order and each
 * starts from where the previous one left the host.
 *
 * What differs from the VM, decided here:
 * - Java is already in the nspawn root tree (the container has no route out): the first test asserts
 *   init found it and skipped the install. The real apt install on Debian 12 is proven by
 *   fresh-host.test.ts (in a chroot).
 * - The user is the host's EC2-like one (kse2e…, passwordless sudo, a PEM key), not the VM's admin.
 * - Memory: a 1 GiB memory cgroup, like the VM's 1 GiB (the JVMs are held to it; /proc/meminfo still
 *   shows the whole machine, which the explicit --heap 256m makes irrelevant).
 * - The power cycle (support/nspawn-host.ts's powerCycle): the container's systemd SIGKILLed — every
 *   process in it ends at once, no shutdown — and the same root tree (its data, units and host keys)
 *   booted again at a new address, the old one gone. The VM syncs before pulling the plug; here
 *   nothing written can be lost anyway (the container's page cache is this machine's kernel's).
 * The reboot and the power cycle are of the container's processes, not of a kernel: the VM's own
 * test (vm-host.test.ts) keeps a real kernel's reboot, power cycle and 1 GiB.
 * Timings are printed one line each, for the closing note.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { type CliResult, runCli } from './support/cli.js';
import { describeE2e, e2eMirror } from './support/context.js';
import {
  nspawnMirror,
  nspawnUnavailable,
  powerCycle,
  reboot,
  run,
  type SystemdHost,
  sshAs,
  startSystemdHosts,
  stopSystemdHosts,
} from './support/nspawn-host.js';

const unavailable = await nspawnUnavailable();
const MINUTES = 60_000;
const took = (since: number): string => ((Date.now() - since) / 1000).toFixed(1);
const literally = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

(unavailable ? describe.skip : describeE2e)(
  'day two on a real systemd host (nspawn): systemd units, reboots, status/logs/stop/start/restart, a new address, uninstall',
  () => {
    let host: SystemdHost | undefined;
    let relay: Awaited<ReturnType<typeof nspawnMirror>>['relay'] | undefined;
    let mirror = '';
    let env: Record<string, string>;
    let knownHosts: string;
    let bashrcBefore = '';
    const the = (): SystemdHost => {
      if (!host) throw new Error('the nspawn host did not start');
      return host;
    };
    const connection = (): string[] => [
      '--host',
      the().address,
      '--port',
      String(the().sshPort),
      '--user',
      the().user,
      '--key',
      the().keyPath,
      '--known-hosts',
      knownHosts,
    ];
    const cli = async (args: string[], label = args[0]!): Promise<CliResult> => {
      const started = Date.now();
      const r = await runCli(args, { env, timeoutMs: 15 * MINUTES });
      console.log(`nspawn: kafka-setup ${label} in ${took(started)} s (exit ${r.code})`);
      return r;
    };
    const ssh = async (command: string): Promise<string> => {
      const r = await sshAs(the(), command, 60_000);
      if (r.code === 255) throw new Error(`ssh to ${the().address} failed: ${r.stderr}`);
      return r.stdout.trim();
    };
    /** Messages through the broker from this machine, as a client would (kcat). */
    const produce = async (message: string): Promise<void> => {
      await execa('kcat', ['-b', `${the().address}:9092`, '-P', '-t', 'day-two', '-m', '60'], { input: `${message}\n`, timeout: 120_000 });
    };
    /** What the topic holds. Right after a (re)start the broker may not know its partitions yet for a few seconds ("Unknown topic or partition"), as any client sees: retried. */
    const consume = async (): Promise<string[]> => {
      const started = Date.now();
      for (;;) {
        const r = await execa('kcat', ['-b', `${the().address}:9092`, '-C', '-t', 'day-two', '-o', 'beginning', '-e', '-q', '-m', '60'], {
          timeout: 120_000,
          reject: false,
        });
        if (r.exitCode === 0) return r.stdout.split('\n');
        if (Date.now() - started > 90_000) throw new Error(`kcat could not read the topic for 90 s: ${r.stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    };
    /** Polls status until systemd has both running and the broker is in its own metadata; seconds it took. */
    const untilServing = async (args: string[] = []): Promise<number> => {
      const started = Date.now();
      let last: CliResult | undefined;
      while (Date.now() - started < 5 * MINUTES) {
        last = await runCli(['status', '--json', ...args], { env });
        const doc = last.code === 0 ? (JSON.parse(last.stdout) as { daemons: Array<{ serving?: string }> }) : undefined;
        if (doc?.daemons[1]?.serving === 'in its own metadata') return (Date.now() - started) / 1000;
        await new Promise((r) => setTimeout(r, 1000));
      }
      throw new Error(`the broker did not serve within 5 minutes; last status:\n${last?.all ?? ''}`);
    };

    beforeAll(async () => {
      const dir = scratchDir('ks-systemd-day-two-');
      env = { XDG_CONFIG_HOME: join(dir, 'config') };
      knownHosts = join(dir, 'known_hosts');
      const started = Date.now();
      [host] = await startSystemdHosts(1, { memoryMiB: 1024 });
      console.log(`nspawn: boot to ssh in ${(the().bootMs / 1000).toFixed(1)} s (${took(started)} s with the copy and the login check)`);
      ({ relay, url: mirror } = await nspawnMirror(e2eMirror().good));
      bashrcBefore = await ssh('sha256sum ~/.bashrc; stat -c %a ~/.bashrc');
    }, 10 * MINUTES);

    afterAll(async () => {
      await relay?.close();
      // A short grace: nothing on the host is kept.
      if (host) await stopSystemdHosts([host], { graceMs: 3000 });
    });

    it(
      "init --service none (the seed's -daemon way, as earlier versions did): Java found, no units",
      async () => {
        const r = await cli(
          ['init', ...connection(), '--mirror', mirror, '--heap', '256m', '--service', 'none', '--yes'],
          'init --service none',
        );
        expect(r.code, r.all).toBe(0);
        // Java is in the root tree (nothing routes out of the container): found, not installed.
        expect(r.stdout).toMatch(/\[skip\] Install Java — java and jps found/);
        expect(r.stdout).toMatch(/\[skip\] Install the systemd units — none \(--service none\)/);
        expect(r.stdout).toMatch(/runs as {12}-daemon JVMs/);
        expect(await ssh('ls /etc/systemd/system/kafka-*.service 2>/dev/null | wc -l')).toBe('0');
        await produce('written before the units');
      },
      15 * MINUTES,
    );

    it(
      'init: the units, enabled at boot; the running JVMs are handed to them once, their data kept',
      async () => {
        const r = await cli(['init', '--service', 'auto']);
        expect(r.code, r.all).toBe(0);
        expect(r.stdout).toMatch(
          /\[done\] Install the systemd units — wrote kafka-zookeeper\.service and kafka-broker\.service, enabled at boot/,
        );
        expect(r.stdout).toMatch(
          /\[done\] Start ZooKeeper — handed to kafka-zookeeper\.service \(stopped once, started again by systemd\): pid \d+/,
        );
        expect(r.stdout).toMatch(
          new RegExp(
            `\\[done\\] Start the broker — handed to kafka-broker\\.service \\(stopped once, started again by systemd\\): pid \\d+, serving at ${literally(the().address)}:9092, in its own metadata`,
          ),
        );
        expect(r.stdout).toMatch(/runs as {12}kafka-zookeeper\.service, kafka-broker\.service {3}\(systemd, started at boot\)/);
        expect(
          await ssh('systemctl is-enabled kafka-zookeeper.service kafka-broker.service; systemctl is-active kafka-broker.service'),
        ).toBe('enabled\nenabled\nactive');
        // The unit's main process is the broker's JVM, running as the user with the chosen heap (a wide
        // user column: ps cuts a name longer than 8 characters).
        const main = await ssh('p=$(systemctl show -p MainPID --value kafka-broker.service); ps -o user:32=,args= -p "$p"');
        expect(main).toMatch(new RegExp(`^${literally(the().user)} .*java .*-Xmx256m .*kafka\\.Kafka .*/config/server\\.properties`));
        expect(await consume()).toContain('written before the units');
      },
      15 * MINUTES,
    );

    it(
      'a re-run changes nothing: one connection, one remote command',
      async () => {
        const r = await cli(['init', '--verbose'], 'init (no-op)');
        expect(r.code, r.all).toBe(0);
        expect(r.stdout).toMatch(/nothing needed to change/);
        expect(r.all).toMatch(/ssh: 1 connection, 1 remote command/);
      },
      5 * MINUTES,
    );

    it(
      'a reboot with nobody running kafka-setup: the broker serves again by itself',
      async () => {
        const bootId = (await run(the(), 'cat /proc/sys/kernel/random/boot_id')).stdout.trim();
        const seconds = (await reboot(the())) / 1000;
        console.log(`nspawn: reboot to ssh in ${seconds.toFixed(1)} s`);
        // A new boot of the container: nspawn launched again, and a new boot id (nspawn gives each boot its own).
        expect(the().boots).toBe(2);
        expect((await run(the(), 'cat /proc/sys/kernel/random/boot_id')).stdout.trim()).not.toBe(bootId);
        // systemd starts both (ZooKeeper first: After=/Wants=), nobody else.
        const serving = await untilServing();
        console.log(`nspawn: ssh back to broker serving in ${serving.toFixed(1)} s (${(seconds + serving).toFixed(1)} s from the reboot)`);
        expect(await consume()).toContain('written before the units');
        const s = await cli(['status']);
        expect(s.stdout).toMatch(
          /ZooKeeper {2}running {3}pid \d+ {3}up \d+[sm].*heap -Xmx256m {3}listening 2181 {3}kafka-zookeeper\.service, enabled at boot/,
        );
        expect(s.stdout).toMatch(
          /broker {5}running {3}pid \d+ .*listening 9092, 9093 {3}kafka-broker\.service, enabled at boot .*in its own metadata/,
        );
      },
      10 * MINUTES,
    );

    it(
      "logs: the broker's console output, appended by its unit across starts",
      async () => {
        const r = await cli(['logs', 'broker', '-n', '2000']);
        expect(r.code, r.all).toBe(0);
        // Two starts through the units so far (the handover, the reboot): both are in the file the unit appends to.
        expect(r.stdout.split('\n').filter((l) => l.includes('started (kafka.server.KafkaServer)')).length).toBeGreaterThanOrEqual(2);
        const five = await cli(['logs', 'zookeeper', '-n', '5']);
        expect(five.code, five.all).toBe(0);
        expect(five.stdout.trim().split('\n')).toHaveLength(5);
      },
      5 * MINUTES,
    );

    it(
      'stop, start and restart go through the units, in order',
      async () => {
        const stop = await cli(['stop']);
        expect(stop.code, stop.all).toBe(0);
        expect(stop.stdout).toMatch(
          /\[done\] Stop the broker — stopped kafka-broker\.service \(pid \d+\); port 9092 closed.*\n\[done\] Stop ZooKeeper — stopped kafka-zookeeper\.service \(pid \d+\); port 2181 closed/,
        );
        // Stopped, not disabled: it still starts at the next boot.
        expect(
          await ssh('systemctl is-active kafka-broker.service kafka-zookeeper.service; systemctl is-enabled kafka-broker.service'),
        ).toBe('inactive\ninactive\nenabled');
        expect((await cli(['status'])).code).toBe(3);
        const start = await cli(['start']);
        expect(start.code, start.all).toBe(0);
        expect(start.stdout).toMatch(
          /\[done\] Start ZooKeeper — started kafka-zookeeper\.service: pid \d+, listening on 2181.*\n\[done\] Start the broker — started kafka-broker\.service: pid \d+, serving on 9092, in its own metadata/,
        );
        const before = await ssh('systemctl show -p MainPID --value kafka-broker.service');
        const restart = await cli(['restart']);
        expect(restart.code, restart.all).toBe(0);
        expect(await ssh('systemctl show -p MainPID --value kafka-broker.service')).not.toBe(before);
      },
      15 * MINUTES,
    );

    it(
      'a power cycle onto a new address: verify names the stale address, init --host fixes it, verify passes',
      async () => {
        const first = the().address;
        const fingerprints = [...the().hostKeyFingerprints];
        const seconds = (await powerCycle(the())) / 1000;
        const second = the().address;
        console.log(`nspawn: power cycle onto ${second} to ssh in ${seconds.toFixed(1)} s`);
        expect(second).not.toBe(first);
        // The old address is gone: the host has the new one only.
        const addresses = (await run(the(), 'ip -4 -o addr show dev host0')).stdout;
        expect(addresses).toContain(`inet ${second}/24`);
        expect(addresses).not.toContain(`inet ${first}/`);
        // The same disk: the host keys made before the first boot answer at the new address.
        const offered = (await execa('ssh-keyscan', ['-t', 'ed25519', second], { reject: false, timeout: 30_000 })).stdout;
        const scanned = (await execa('ssh-keygen', ['-lf', '-'], { input: offered, timeout: 30_000 })).stdout.split(' ')[1];
        expect(fingerprints).toContain(scanned);
        const moved = ['--host', the().address, '--port', String(the().sshPort)];
        const serving = await untilServing(moved);
        // What the wait was: systemd's restarts of the broker since the boot, and the refusals its log holds
        // (a cut broker's registration in ZooKeeper stays until its session times out).
        const restarts = await ssh('systemctl show -p NRestarts --value kafka-broker.service');
        const refusals = await ssh('grep -c NodeExistsException ~/kafka_2.12-3.1.0/logs/kafkaServer.out');
        console.log(
          `nspawn: power cycle: broker serving again ${serving.toFixed(1)} s after ssh answered (systemd restarted it ${restarts} times; ${refusals} NodeExistsException lines in its log)`,
        );
        const stale = await cli(['verify', ...moved, '--no-roundtrip'], 'verify (stale address)');
        expect(stale.code, stale.all).toBe(1);
        // The same host key at the new address: the profile applies, no question asked.
        expect(stale.stdout).toMatch(
          new RegExp(
            `${literally(second)} offers the host key of ${literally(first)} \\(SHA256:\\S+\\), the server of profile "default": the same server at a new address`,
          ),
        );
        expect(stale.stdout).toContain(`the broker advertises ${first}, not the address you reach it at (${second})`);
        expect(stale.stdout).toContain(`run kafka-setup init --host ${second}: it rewrites advertised.listeners and restarts the broker`);
        const init = await cli(['init', ...moved], 'init --host (new address)');
        expect(init.code, init.all).toBe(0);
        expect(init.stdout).toMatch(
          /\[done\] Start the broker — restarted as kafka-broker\.service \(server\.properties changed after it started\)/,
        );
        expect(init.stdout).toMatch(new RegExp(`bootstrap server {3}${literally(second)}:9092`));
        // The profile followed: plain commands now reach the new address.
        const verify = await cli(['verify', '--no-roundtrip'], 'verify (new address)');
        expect(verify.code, verify.all).toBe(0);
        // Through the power cycle, at the new address: the data is still there.
        expect(await consume()).toContain('written before the units');
      },
      15 * MINUTES,
    );

    it(
      'uninstall: no unit, no install, no JVM, ~/.bashrc as before init; Java stays',
      async () => {
        const r = await cli(['uninstall', '--yes']);
        expect(r.code, r.all).toBe(0);
        expect(
          await ssh(
            `ls /etc/systemd/system/kafka-*.service 2>/dev/null | wc -l; systemctl is-enabled kafka-broker.service 2>&1 | tail -n 1; ls -d ~/kafka_2.12-3.1.0 2>/dev/null | wc -l; pgrep -u ${the().user} java | wc -l; command -v java >/dev/null && echo java`,
          ),
        ).toMatch(/^0\n(not-found|Failed to get unit file state.*)\n0\n0\njava$/);
        expect(await ssh('sha256sum ~/.bashrc; stat -c %a ~/.bashrc')).toBe(bashrcBefore);
      },
      10 * MINUTES,
    );
  },
);
