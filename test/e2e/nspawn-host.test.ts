/** The systemd-nspawn target hosts themselves: systemd as PID 1, their own names, keys and limits, a reboot, and a clean stop. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeE2e } from './support/context.js';
import { hostRecord, killPids, onThisHost, userPids } from './support/host.js';
import {
  NSPAWN_BRIDGE,
  nspawnUnavailable,
  reboot,
  run,
  type SystemdHost,
  sshAs,
  startSystemdHosts,
  stopSystemdHosts,
} from './support/nspawn-host.js';

const unavailable = await nspawnUnavailable();
const figure = (line: string): void => {
  process.stderr.write(`nspawn hosts: ${line}\n`);
};

(unavailable ? describe.skip : describeE2e)('systemd-nspawn target hosts', () => {
  let hosts: SystemdHost[] = [];
  let stopped = false;

  beforeAll(async () => {
    const started = Date.now();
    hosts = await startSystemdHosts(2, { memoryMiB: 1024 });
    figure(`2 up in ${Date.now() - started} ms (boot to ssh ${hosts.map((h) => `${h.bootMs} ms`).join(', ')})`);
  });

  afterAll(async () => {
    if (!stopped) await stopSystemdHosts(hosts);
  });

  it('run systemd as PID 1, reach each other by name, and let the user in with the shared key and passwordless sudo', async () => {
    const [a, b] = hosts as [SystemdHost, SystemdHost];
    expect((await run(a, 'systemctl is-system-running')).stdout.trim()).toBe('running');
    expect((await run(a, 'cat /proc/1/comm')).stdout.trim()).toBe('systemd');
    expect((await run(a, `getent hosts ${b.name}`)).stdout).toMatch(new RegExp(`^${b.address.replace(/\./g, '\\.')}\\s+${b.name}`));
    expect(a.keyPath).toBe(b.keyPath);
    const login = await sshAs(b, 'hostname; sudo -n id -u; java -version 2>&1 | head -1');
    expect(login.stdout.split('\n').slice(0, 2), login.stderr).toEqual([b.name, '0']);
    expect(login.stdout).toMatch(/openjdk version "17\./);
    // Each copy its own host keys.
    expect(a.hostKeyFingerprints).toHaveLength(3);
    expect(a.hostKeyFingerprints.filter((f) => b.hostKeyFingerprints.includes(f))).toEqual([]);
  });

  it("hold a unit's JVM to the memory limit, like a small instance's RAM", async () => {
    const [a] = hosts as [SystemdHost];
    const r = await run(a, 'systemd-run --wait --pipe --quiet java -XshowSettings:system -version 2>&1 | grep "Memory Limit"');
    expect(r.stdout.trim(), r.stderr).toBe('Memory Limit: 1.00G');
  });

  it("a host's processes are never this machine's e2e account's: another uid, and another pid namespace", async () => {
    const [a] = hosts as [SystemdHost];
    // The Amazon Linux tree's ec2-user, and these hosts' own users, are uid 1000 and up inside.
    expect(a.uid).toBeLessThan(30000);
    const login = await sshAs(a, 'nohup sleep 600 >/dev/null 2>&1 </dev/null & echo started');
    expect(login.stdout.trim(), login.stderr).toBe('started');
    const seen = (await execa('ps', ['-ww', '-u', String(a.uid), '-o', 'pid=,args='], { reject: false })).stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(([, ...args]) => args.join(' ') === 'sleep 600')
      .map(([pid]) => Number(pid));
    expect(seen).toHaveLength(1);
    const pid = seen[0] as number;
    try {
      expect(onThisHost(pid)).toBe(false);
      expect(onThisHost(process.pid)).toBe(true);
      // What a loopback host's clean-up would stop, were its account given the same uid.
      expect(await userPids({ ...hostRecord('kse2eprobe0', '/nonexistent'), uid: a.uid })).not.toContain(pid);
    } finally {
      await killPids([pid], 2000);
    }
  });

  it('reboot: nspawn exits 133, is launched again, enabled units come back with a new boot id', async () => {
    const [, b] = hosts as [SystemdHost, SystemdHost];
    await run(
      b,
      'printf "[Service]\\nExecStart=/bin/sleep infinity\\n[Install]\\nWantedBy=multi-user.target\\n" > /etc/systemd/system/ks-probe.service && systemctl enable --now ks-probe.service',
    );
    const bootId = (await run(b, 'cat /proc/sys/kernel/random/boot_id')).stdout.trim();
    const ms = await reboot(b);
    figure(`reboot to ssh in ${ms} ms`);
    expect(b.boots).toBe(2);
    expect((await run(b, 'cat /proc/sys/kernel/random/boot_id')).stdout.trim()).not.toBe(bootId);
    expect((await run(b, 'systemctl is-active ks-probe.service')).stdout.trim()).toBe('active');
    expect((await sshAs(b, 'true')).code).toBe(0);
  });

  it('stop powers them off and leaves nothing behind: no copies, cgroups, veths, bridge, netns or nspawn state', async () => {
    const started = Date.now();
    await stopSystemdHosts(hosts);
    stopped = true;
    figure(`stopped in ${Date.now() - started} ms`);
    for (const h of hosts) {
      expect(existsSync(h.workDir), h.workDir).toBe(false);
      expect(existsSync(`/sys/fs/cgroup/systemd/nsp-${h.name}`)).toBe(false);
      expect(existsSync(`/sys/fs/cgroup/unified/nsp-${h.name}`)).toBe(false);
      expect(existsSync(`/run/netns/${h.name}`)).toBe(false);
      expect(existsSync(`/run/systemd/nspawn/propagate/${h.name}`)).toBe(false);
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(h.workDir);
    }
    const links = (await execa('ip', ['-o', 'link', 'show'], { stdin: 'ignore' })).stdout;
    for (const h of hosts) expect(links).not.toContain(h.veth);
    expect(links).not.toContain(NSPAWN_BRIDGE);
    expect(existsSync('/run/kafka-setup-e2e-nspawn') ? readdirSync('/run/kafka-setup-e2e-nspawn') : []).toEqual([]);
  });
});
