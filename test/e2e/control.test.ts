/**
 * The day-two commands on the loopback host (no systemd there: the JVMs run the -daemon way):
 * status, stop, start, restart after an init, each reading the saved profile.
 */
import { readFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { hostFlags, runCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { runAsUser } from './support/host.js';
import { resetHost } from './support/reset.js';
import { jvmList } from './support/snapshot.js';

describeE2e('status, stop, start and restart on a host without systemd', () => {
  let env: Record<string, string>;
  const cli = (args: string[]) => runCli(args, { env });

  beforeAll(async () => {
    const dir = scratchDir('ks-control-');
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
    const { host, mirror } = e2e();
    await resetHost(host);
    const init = await cli(['init', ...hostFlags(join(dir, 'known_hosts')), '--mirror', mirror.good, '--heap', '256m', '--yes']);
    expect(init.code, init.all).toBe(0);
    expect(init.stdout).toMatch(
      /\[skip\] Install the systemd units — none: the host does not run systemd, so ZooKeeper and the broker are started with -daemon and do not start at boot/,
    );
  });

  it('status: one line per JVM, and the same as JSON; exit 0 while both run', async () => {
    const r = await cli(['status', '--verbose']);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(/Kafka 3\.1\.0 in \/home\/\S+\/kafka_2\.12-3\.1\.0 on 127\.0\.0\.1/);
    expect(r.stdout).toMatch(
      /ZooKeeper {2}running {3}pid \d+ {3}up \d+[smh].* {3}heap -Xmx256m {3}listening 2181 {3}not started at boot \(-daemon\) {3}data \/home\/\S+\/kafka-data\/zookeeper \d+ MiB/,
    );
    expect(r.stdout).toMatch(
      /broker {5}running {3}pid \d+ .*heap -Xmx256m {3}listening 9092, 9093 .*data \/home\/\S+\/kafka-data\/kafka-logs \d+ MiB {3}in its own metadata/,
    );
    // One connection, one remote command.
    expect(r.all).toMatch(/ssh: 1 connection, 1 remote command/);
    const j = await cli(['status', '--json']);
    expect(j.code, j.all).toBe(0);
    const doc = JSON.parse(j.stdout) as {
      kafkaVersion: string;
      daemons: Array<{ kind: string; running: boolean; pid: number; listening: number[]; service: string; unit: unknown }>;
    };
    expect(doc.kafkaVersion).toBe('3.1.0');
    expect(doc.daemons.map((d) => [d.kind, d.running, d.service, d.unit])).toEqual([
      ['zookeeper', true, 'none', null],
      ['broker', true, 'none', null],
    ]);
    expect(doc.daemons[1]!.listening).toEqual([9092, 9093]);
  });

  it("status --host USER@127.0.0.1:PORT: as ssh takes it, without a profile and naming the profile's host", async () => {
    const { host } = e2e();
    const spec = `${host.user}@127.0.0.1:${host.sshPort}`;
    // No profile: the user and port can only come from the spec.
    const bare = await runCli(
      ['status', '--host', spec, '--key', host.keyPath, '--known-hosts', join(scratchDir('ks-spec-'), 'known_hosts'), '--yes'],
      {
        env: { XDG_CONFIG_HOME: join(scratchDir('ks-spec-'), 'config') },
      },
    );
    expect(bare.code, bare.all).toBe(0);
    expect(bare.stdout).toContain(`Connect to ${spec} — `);
    expect(bare.stdout).toMatch(/broker {5}running/);
    // The profile's host with the user and port attached: still the profile's (its key, its known_hosts).
    const same = await cli(['status', '--host', spec]);
    expect(same.code, same.all).toBe(0);
    expect(same.stdout).toContain(`[done] Connect to ${spec} — host key matches known_hosts`);
    const conflict = await cli(['status', '--host', spec, '--port', '1']);
    expect(conflict.code, conflict.all).toBe(2);
    expect(conflict.stderr).toContain(`--host says port ${host.sshPort} but --port says 1`);
  });

  it('stop: the broker first, then ZooKeeper, each until its port is closed; status then exits 3', async () => {
    const r = await cli(['stop']);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(
      /\[done\] Stop the broker — stopped \(pid \d+\); port 9092 closed(?: \([\d.]+ s\))?\n\[done\] Stop ZooKeeper — stopped \(pid \d+\); port 2181 closed(?: \([\d.]+ s\))?/,
    );
    expect(await jvmList(e2e().host)).toBe('');
    const s = await cli(['status']);
    expect(s.code, s.all).toBe(3);
    expect(s.stdout).toMatch(/ZooKeeper {2}not running/);
    const again = await cli(['stop']);
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toMatch(/\[skip\] Stop the broker — not running\n\[skip\] Stop ZooKeeper — not running/);
  });

  it('start: ZooKeeper, then the broker, with the heap init chose, until the broker is in its own metadata', async () => {
    const r = await cli(['start']);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(
      /\[done\] Start ZooKeeper — started with -daemon: pid \d+, listening on 2181(?: \([\d.]+ s\))?\n\[done\] Start the broker — started with -daemon: pid \d+, serving on 9092, in its own metadata(?: \([\d.]+ s\))?/,
    );
    expect(r.stdout).toMatch(/kafka-setup start: done in [\d.]+ s\./);
    const jvms = await runAsUser(e2e().host, 'ps -o args= -u "$(id -u)" | awk \'$1 ~ /java$/ && / -Xmx256m /\' | wc -l');
    expect(jvms.stdout.trim()).toBe('2');
    const again = await cli(['start']);
    expect(again.stdout).toMatch(
      /\[skip\] Start ZooKeeper — already running: pid \d+, listening on 2181\n\[skip\] Start the broker — already running: pid \d+, serving on 9092/,
    );
  });

  it('restart: new JVMs, in order; a re-run of init then changes nothing', async () => {
    const before = await jvmList(e2e().host);
    const r = await cli(['restart']);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout.indexOf('Stop the broker')).toBeLessThan(r.stdout.indexOf('Stop ZooKeeper'));
    expect(r.stdout.indexOf('Stop ZooKeeper')).toBeLessThan(r.stdout.indexOf('Start ZooKeeper'));
    expect(r.stdout.indexOf('Start ZooKeeper')).toBeLessThan(r.stdout.indexOf('Start the broker'));
    const after = await jvmList(e2e().host);
    expect(after.split('\n')).toHaveLength(2);
    expect(after).not.toBe(before);
    const init = await cli(['init', '--yes']);
    expect(init.code, init.all).toBe(0);
    expect(init.stdout).toMatch(/nothing needed to change/);
  });

  it('a host without the install: a clear error, exit 1, nothing started', async () => {
    const r = await cli(['start', '--install-dir', '~/no-such-kafka']);
    expect(r.code, r.all).toBe(1);
    expect(r.stderr).toMatch(/there is no kafka_2\.12-3\.1\.0 install at \/home\/\S+\/no-such-kafka on 127\.0\.0\.1/);
    expect(r.stderr).toMatch(/run kafka-setup init first/);
    const bad = await cli(['stop', '--install-dir', 'relative/path']);
    expect(bad.code).toBe(2);
  });

  it('the same server at a new address (an EC2 stop/start): recognised by its host key; init re-advertises and saves the profile', async () => {
    const { host } = e2e();
    // 127.0.0.2 forwards to the same sshd: the same host key at another address.
    const forwarder = createServer((c) => {
      const up = connect(host.sshPort, '127.0.0.1');
      c.pipe(up).pipe(c);
      c.on('error', () => up.destroy());
      up.on('error', () => c.destroy());
    });
    await new Promise<void>((resolve) => forwarder.listen(0, '127.0.0.2', resolve));
    const port = String((forwarder.address() as AddressInfo).port);
    try {
      const moved = ['--host', '127.0.0.2', '--port', port];
      const s = await cli(['status', ...moved]);
      expect(s.code, s.all).toBe(0);
      expect(s.stdout).toMatch(
        /127\.0\.0\.2 offers the host key of 127\.0\.0\.1 \(SHA256:\S+\), the server of profile "default": the same server at a new address, so the profile applies/,
      );
      // Its key is now recorded for the new address too: no question, no --yes needed.
      expect(s.stdout).toMatch(/\[done\] Connect to \S+@127\.0\.0\.2:\d+ — host key matches known_hosts/);
      const init = await cli(['init', ...moved]);
      expect(init.code, init.all).toBe(0);
      expect(init.stdout).toMatch(
        /\[done\] Configure the broker and ZooKeeper — advertised\.listeners PLAINTEXT:\/\/127\.0\.0\.1:9092 → PLAINTEXT:\/\/127\.0\.0\.2:9092, data in /,
      );
      expect(init.stdout).toMatch(/\[done\] Start the broker — restarted \(server\.properties changed after it started\)/);
      expect(init.stdout).toMatch(/bootstrap server {3}127\.0\.0\.2:9092 {3}\(advertised\.listeners=PLAINTEXT:\/\/127\.0\.0\.2:9092\)/);
      const profile = JSON.parse(readFileSync(join(env.XDG_CONFIG_HOME!, 'kafka-setup', 'default.json'), 'utf8')) as {
        host: string;
        port: number;
        advertisedHost: string;
      };
      expect(profile).toMatchObject({ host: '127.0.0.2', port: Number(port), advertisedHost: '127.0.0.2' });
      const v = await cli(['verify', '--no-roundtrip']);
      expect(v.code, v.all).toBe(0);
    } finally {
      forwarder.close();
    }
  });
});
