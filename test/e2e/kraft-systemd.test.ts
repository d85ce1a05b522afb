/**
 * Kafka 4 (KRaft, one JVM) on a real systemd host (nspawn): one unit, enabled, back after a reboot
 * with its messages, and after a power cycle onto a new address. In the parallel project: its host
 * lives in a network namespace of its own, so it runs beside the loopback e2e files.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { describeE2e } from './support/context.js';
import { changedNothing, consume, literally, produce } from './support/kraft.js';
import { nspawnUnavailable, powerCycle, reboot, sshAs, startSystemdHosts, stopSystemdHosts } from './support/nspawn-host.js';
import { useSystemdTarget } from './support/systemd-target.js';

const MINUTES = 60_000;
const nspawnMissing = await nspawnUnavailable();

(nspawnMissing ? describe.skip : describeE2e)(
  'KRaft (4.1.1) on a real systemd host (nspawn): one unit, back after a reboot and a power cycle',
  () => {
    const VERSION = '4.1.1';
    const t = useSystemdTarget({
      name: 'the nspawn host',
      scratch: 'ks-kraft-nspawn-',
      start: async () => (await startSystemdHosts(1, { memoryMiB: 1024 }))[0]!,
      stop: (host) => stopSystemdHosts([host], { graceMs: 3000 }),
    });
    const the = t.the;
    const init = (): string[] => [
      'init',
      '--host',
      the().address,
      '--port',
      String(the().sshPort),
      '--user',
      the().user,
      '--key',
      the().keyPath,
      '--known-hosts',
      t.knownHosts,
      '--kafka-version',
      VERSION,
      '--mirror',
      t.mirror,
      '--heap',
      '256m',
      '--yes',
    ];
    const ssh = async (command: string): Promise<string> => {
      const r = await sshAs(the(), command, 60_000);
      if (r.code === 255) throw new Error(`ssh to ${the().address} failed: ${r.stderr}`);
      return r.stdout.trim();
    };
    const bootstrap = (): string => `${the().address}:9092`;

    it(
      'init installs one unit, kafka-broker.service, enabled and running the one JVM; a message goes in',
      async () => {
        const r = await runCli(init(), { env: t.env, timeoutMs: 15 * MINUTES });
        expect(r.code, r.all).toBe(0);
        expect(r.stdout).toMatch(/\[done\] Install the systemd units — wrote kafka-broker\.service, enabled at boot/);
        expect(r.stdout).not.toMatch(/zookeeper/i);
        expect(await ssh('ls /etc/systemd/system/ | grep "^kafka-"')).toBe('kafka-broker.service');
        expect(await ssh('systemctl is-enabled kafka-broker.service; systemctl is-active kafka-broker.service')).toBe('enabled\nactive');
        const main = await ssh('p=$(systemctl show -p MainPID --value kafka-broker.service); ps -o user:32=,args= -p "$p"');
        expect(main).toMatch(new RegExp(`^${literally(the().user)} .*java .*-Xmx256m .*kafka\\.Kafka .*/config/server\\.properties`));
        await produce(bootstrap(), 'nspawn-kraft', 'before the reboot');
      },
      15 * MINUTES,
    );

    it(
      'after a reboot the broker is back by itself (a new boot, same cluster id) and the message is still there',
      async () => {
        const id = await ssh('cat ~/kafka-data/cluster.id');
        const boot = await ssh('cat /proc/sys/kernel/random/boot_id');
        const ms = await reboot(the());
        process.stderr.write(`kraft hosts: nspawn reboot to ssh in ${ms} ms\n`);
        expect(await ssh('cat /proc/sys/kernel/random/boot_id')).not.toBe(boot);
        expect(await consume(bootstrap(), 'nspawn-kraft')).toEqual(['before the reboot']);
        expect(await ssh('systemctl is-active kafka-broker.service')).toBe('active');
        expect(await ssh('cat ~/kafka-data/cluster.id')).toBe(id);
      },
      10 * MINUTES,
    );

    it(
      "a re-run changes nothing: the unit's JVM is the same",
      async () => {
        const pid = await ssh('systemctl show -p MainPID --value kafka-broker.service');
        const r = await runCli(init(), { env: t.env });
        expect(r.code, r.all).toBe(0);
        changedNothing(r.stdout);
        expect(await ssh('systemctl show -p MainPID --value kafka-broker.service')).toBe(pid);
      },
      5 * MINUTES,
    );

    it(
      'a power cycle onto a new address (every process SIGKILLed): init at the new address serves, the message and the cluster id kept',
      async () => {
        const id = await ssh('cat ~/kafka-data/cluster.id');
        const old = the().address;
        const ms = await powerCycle(the());
        process.stderr.write(`kraft hosts: nspawn power cycle to ssh in ${ms} ms\n`);
        expect(the().address).not.toBe(old);
        // The broker came back by itself, advertising the old address: init points it at the new one.
        const r = await runCli(init(), { env: t.env });
        expect(r.code, r.all).toBe(0);
        expect(r.stdout).toMatch(
          new RegExp(`advertised\\.listeners PLAINTEXT://${literally(old)}:9092 → PLAINTEXT://${literally(the().address)}:9092`),
        );
        expect(r.stdout).toMatch(/\[skip\] Format the storage \(KRaft\)/);
        expect(await consume(bootstrap(), 'nspawn-kraft')).toEqual(['before the reboot']);
        expect(await ssh('cat ~/kafka-data/cluster.id')).toBe(id);
      },
      10 * MINUTES,
    );
  },
);
