/**
 * Day two on a real machine: a Debian 12 VM (QEMU, software emulation, 1 GiB, systemd; see
 * support/vm-host.ts). init installs Java for real (the -daemon way first, as earlier versions did),
 * then the systemd units, handing the running JVMs over; a message written before survives all that
 * follows. The broker comes back after
 * a reboot with nobody running kafka-setup; status, logs, stop, start and restart work through the
 * units; a power cycle onto a new address is noticed (verify names the stale address, init --host
 * fixes it); uninstall leaves no unit, no install, no JVM and ~/.bashrc as it was. One VM for all of
 * it (CI time): the tests run in order and each starts from where the previous one left the VM.
 * The VM has a namespace and an address of its own (10.213.0.N): nothing here touches the loopback
 * e2e host, so this file runs beside the e2e project.
 * Timings are printed one line each, for the closing note.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { runCli, type CliResult } from './support/cli.js';
import { guestUrl, powerCycleVm, rebootVm, sshVm, startVm, stopVm, type VmHost } from './support/vm-host.js';
import { describeVm, vmContext } from './support/vm-suite.js';

const MINUTES = 60_000;
const took = (since: number): string => ((Date.now() - since) / 1000).toFixed(1);
const literally = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describeVm('day two on a real VM: systemd units, reboots, status/logs/stop/start/restart, a new address, uninstall', () => {
  let vm: VmHost | undefined;
  let env: Record<string, string>;
  let knownHosts: string;
  let bashrcBefore = '';
  const the = (): VmHost => {
    if (!vm) throw new Error('the VM did not start');
    return vm;
  };
  const connection = (): string[] => ['--host', the().address, '--port', String(the().sshPort), '--user', 'admin', '--key', the().keyPath, '--known-hosts', knownHosts];
  const cli = async (args: string[], label = args[0]!): Promise<CliResult> => {
    const started = Date.now();
    const r = await runCli(args, { env, timeoutMs: 15 * MINUTES });
    console.log(`vm: kafka-setup ${label} in ${took(started)} s (exit ${r.code})`);
    return r;
  };
  const ssh = async (command: string): Promise<string> => (await sshVm(the(), command, { timeoutMs: 60_000 })).stdout.trim();
  /** Messages through the broker from this machine, as a client would (kcat). */
  const produce = async (message: string): Promise<void> => {
    await execa('kcat', ['-b', `${the().address}:9092`, '-P', '-t', 'day-two', '-m', '60'], { input: `${message}\n`, timeout: 120_000 });
  };
  /** What the topic holds. Right after a (re)start the broker may not know its partitions yet for a few seconds ("Unknown topic or partition"), as any client sees: retried. */
  const consume = async (): Promise<string[]> => {
    const started = Date.now();
    for (;;) {
      const r = await execa('kcat', ['-b', `${the().address}:9092`, '-C', '-t', 'day-two', '-o', 'beginning', '-e', '-q', '-m', '60'], { timeout: 120_000, reject: false });
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
      const doc = last.code === 0 ? JSON.parse(last.stdout) as { daemons: Array<{ serving?: string }> } : undefined;
      if (doc?.daemons[1]?.serving === 'in its own metadata') return (Date.now() - started) / 1000;
      await new Promise((r) => setTimeout(r, 3000));
    }
    throw new Error(`the broker did not serve within 5 minutes; last status:\n${last?.all ?? ''}`);
  };

  beforeAll(async () => {
    const dir = scratchDir('ks-day-two-');
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
    knownHosts = join(dir, 'known_hosts');
    const started = Date.now();
    vm = await startVm({ loopbackPorts: [vmContext().mirror.port] });
    console.log(`vm: boot to ssh in ${took(started)} s`);
    bashrcBefore = await ssh('sha256sum ~/.bashrc; stat -c %a ~/.bashrc');
  }, 10 * MINUTES);

  afterAll(async () => {
    if (vm) await stopVm(vm);
  });

  it('init --service none (the seed\'s -daemon way, as earlier versions did): Java installed for real, no units', async () => {
    const r = await cli(['init', ...connection(), '--mirror', guestUrl(the(), vmContext().mirror.good), '--heap', '256m', '--service', 'none', '--yes'], 'init --service none');
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(/\[done\] Install Java — installed openjdk-17-jdk-headless/);
    expect(r.stdout).toMatch(/\[skip\] Install the systemd units — none \(--service none\)/);
    expect(r.stdout).toMatch(/runs as {12}-daemon JVMs/);
    expect(await ssh('ls /etc/systemd/system/kafka-*.service 2>/dev/null | wc -l')).toBe('0');
    await produce('written before the units');
  }, 15 * MINUTES);

  it('init: the units, enabled at boot; the running JVMs are handed to them once, their data kept', async () => {
    const r = await cli(['init', '--service', 'auto']);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(/\[done\] Install the systemd units — wrote kafka-zookeeper\.service and kafka-broker\.service, enabled at boot/);
    expect(r.stdout).toMatch(/\[done\] Start ZooKeeper — handed to kafka-zookeeper\.service \(stopped once, started again by systemd\): pid \d+/);
    expect(r.stdout).toMatch(new RegExp(`\\[done\\] Start the broker — handed to kafka-broker\\.service \\(stopped once, started again by systemd\\): pid \\d+, serving at ${literally(the().address)}:9092, in its own metadata`));
    expect(r.stdout).toMatch(/runs as {12}kafka-zookeeper\.service, kafka-broker\.service {3}\(systemd, started at boot\)/);
    expect(await ssh('systemctl is-enabled kafka-zookeeper.service kafka-broker.service; systemctl is-active kafka-broker.service')).toBe('enabled\nenabled\nactive');
    // The unit's main process is the broker's JVM, running as admin with the chosen heap.
    const main = await ssh('p=$(systemctl show -p MainPID --value kafka-broker.service); ps -o user=,args= -p "$p"');
    expect(main).toMatch(/^admin .*java .*-Xmx256m .*kafka\.Kafka .*\/config\/server\.properties/);
    expect(await consume()).toContain('written before the units');
  }, 15 * MINUTES);

  it('a re-run changes nothing: one connection, one remote command', async () => {
    const r = await cli(['init', '--verbose'], 'init (no-op)');
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(/nothing needed to change/);
    expect(r.all).toMatch(/ssh: 1 connection, 1 remote command/);
  }, 5 * MINUTES);

  it('a reboot with nobody running kafka-setup: the broker serves again by itself', async () => {
    const { seconds } = await rebootVm(the());
    console.log(`vm: reboot to ssh in ${seconds.toFixed(1)} s`);
    // systemd starts both (ZooKeeper first: After=/Wants=), nobody else.
    const serving = await untilServing();
    console.log(`vm: ssh back to broker serving in ${serving.toFixed(1)} s (${(seconds + serving).toFixed(1)} s from the reboot)`);
    expect(await consume()).toContain('written before the units');
    const s = await cli(['status']);
    expect(s.stdout).toMatch(/ZooKeeper {2}running {3}pid \d+ {3}up \d+[sm].*heap -Xmx256m {3}listening 2181 {3}kafka-zookeeper\.service, enabled at boot/);
    expect(s.stdout).toMatch(/broker {5}running {3}pid \d+ .*listening 9092, 9093 {3}kafka-broker\.service, enabled at boot .*in its own metadata/);
  }, 10 * MINUTES);

  it('logs: the broker\'s console output, appended by its unit across starts', async () => {
    const r = await cli(['logs', 'broker', '-n', '2000']);
    expect(r.code, r.all).toBe(0);
    // Two starts through the units so far (the handover, the reboot): both are in the file the unit appends to.
    expect(r.stdout.split('\n').filter((l) => l.includes('started (kafka.server.KafkaServer)')).length).toBeGreaterThanOrEqual(2);
    const five = await cli(['logs', 'zookeeper', '-n', '5']);
    expect(five.code, five.all).toBe(0);
    expect(five.stdout.trim().split('\n')).toHaveLength(5);
  }, 5 * MINUTES);

  it('stop, start and restart go through the units, in order', async () => {
    const stop = await cli(['stop']);
    expect(stop.code, stop.all).toBe(0);
    expect(stop.stdout).toMatch(/\[done\] Stop the broker — stopped kafka-broker\.service \(pid \d+\); port 9092 closed.*\n\[done\] Stop ZooKeeper — stopped kafka-zookeeper\.service \(pid \d+\); port 2181 closed/);
    // Stopped, not disabled: it still starts at the next boot.
    expect(await ssh('systemctl is-active kafka-broker.service kafka-zookeeper.service; systemctl is-enabled kafka-broker.service')).toBe('inactive\ninactive\nenabled');
    expect((await cli(['status'])).code).toBe(3);
    const start = await cli(['start']);
    expect(start.code, start.all).toBe(0);
    expect(start.stdout).toMatch(/\[done\] Start ZooKeeper — started kafka-zookeeper\.service: pid \d+, listening on 2181.*\n\[done\] Start the broker — started kafka-broker\.service: pid \d+, serving on 9092, in its own metadata/);
    const before = await ssh('systemctl show -p MainPID --value kafka-broker.service');
    const restart = await cli(['restart']);
    expect(restart.code, restart.all).toBe(0);
    expect(await ssh('systemctl show -p MainPID --value kafka-broker.service')).not.toBe(before);
  }, 15 * MINUTES);

  it('a power cycle onto a new address: verify names the stale address, init --host fixes it, verify passes', async () => {
    const first = the().address;
    const started = Date.now();
    await powerCycleVm(the());
    const second = the().address;
    console.log(`vm: power cycle onto ${second} to ssh in ${took(started)} s`);
    expect(second).not.toBe(first);
    const moved = ['--host', the().address, '--port', String(the().sshPort)];
    console.log(`vm: power cycle: broker serving again ${(await untilServing(moved)).toFixed(1)} s after ssh answered`);
    const stale = await cli(['verify', ...moved, '--no-roundtrip'], 'verify (stale address)');
    expect(stale.code, stale.all).toBe(1);
    // The same host key at the new address: the profile applies, no question asked.
    expect(stale.stdout).toMatch(new RegExp(`${literally(second)} offers the host key of ${literally(first)} \\(SHA256:\\S+\\), the server of profile "default": the same server at a new address`));
    expect(stale.stdout).toContain(`the broker advertises ${first}, not the address you reach it at (${second})`);
    expect(stale.stdout).toContain(`run kafka-setup init --host ${second}: it rewrites advertised.listeners and restarts the broker`);
    const init = await cli(['init', ...moved], 'init --host (new address)');
    expect(init.code, init.all).toBe(0);
    expect(init.stdout).toMatch(/\[done\] Start the broker — restarted as kafka-broker\.service \(server\.properties changed after it started\)/);
    expect(init.stdout).toMatch(new RegExp(`bootstrap server {3}${literally(second)}:9092`));
    // The profile followed: plain commands now reach the new address.
    const verify = await cli(['verify', '--no-roundtrip'], 'verify (new address)');
    expect(verify.code, verify.all).toBe(0);
    // Through the power cycle, at the new address: the data is still there.
    expect(await consume()).toContain('written before the units');
  }, 15 * MINUTES);

  it('uninstall: no unit, no install, no JVM, ~/.bashrc as before init; Java stays', async () => {
    const r = await cli(['uninstall', '--yes']);
    expect(r.code, r.all).toBe(0);
    expect(await ssh('ls /etc/systemd/system/kafka-*.service 2>/dev/null | wc -l; systemctl is-enabled kafka-broker.service 2>&1 | tail -n 1; ls -d ~/kafka_2.12-3.1.0 2>/dev/null | wc -l; pgrep -u admin java | wc -l; command -v java >/dev/null && echo java')).toMatch(/^0\n(not-found|Failed to get unit file state.*)\n0\n0\njava$/);
    expect(await ssh('sha256sum ~/.bashrc; stat -c %a ~/.bashrc')).toBe(bashrcBefore);
  }, 10 * MINUTES);
});
