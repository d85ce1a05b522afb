/**
 * Amazon Linux 2's path — `yum` — on the e2e suite's Amazon Linux 2 variant of the AL2023 host
 * (support/al2023-host.ts, startAl2Host: the same tree with AL2's os-release and system-release, and
 * no `dnf` command; `yum` is dnf 4's dnf-3 under that name, not AL2's yum 3). One host, the tests in
 * order, each from where the previous one left it:
 * - right after "boot", cloud-init's first-boot update, started through `yum`, holds the rpm lock
 *   (fcntl on /var/lib/rpm/.rpm.lock): init warns that AL2's support has ended (os-release
 *   SUPPORT_END), waits for the update naming it, installs Corretto 17 with yum, sets up Kafka 3.1.0
 *   with the systemd units, and a client on this machine reaches the broker;
 * - a re-run changes nothing, over one connection and one command; verify passes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setFirstBootSleep, startAl2Host, startFirstBootUpdate, stopAl2023Host } from './support/al2023-host.js';
import { describeE2e } from './support/context.js';
import { consume, produce } from './support/kraft.js';
import { nspawnUnavailable, run } from './support/nspawn-host.js';
import { expectNoOpRerun, useSystemdTarget } from './support/systemd-target.js';

const unavailable = await nspawnUnavailable();
const MINUTES = 60_000;
const JDK = 'java-17-amazon-corretto-devel';
const say = (line: string): void => {
  process.stderr.write(`al2: ${line}\n`);
};
// AL2's SUPPORT_END is 2026-06-30: past on this machine's clock, the warning is due.
const ENDED = new Date().toISOString().slice(0, 10) > '2026-06-30';
const WARNING =
  "Amazon Linux 2's support ended on 2026-06-30 (os-release SUPPORT_END): it gets no security fixes; Amazon Linux 2023 is its successor";

(unavailable ? describe.skip : describeE2e)('Amazon Linux 2 (yum, the rpm lock, Corretto) on a systemd host', () => {
  const t = useSystemdTarget({ name: 'the AL2 host', scratch: 'ks-al2-', start: startAl2Host, stop: stopAl2023Host, say });
  const the = t.the;
  const { cli, root } = t;

  it(
    "init warns of AL2's end of support, waits for a first-boot yum holding the rpm lock, installs Corretto with yum, and Kafka serves",
    async () => {
      setFirstBootSleep(the(), 10);
      const holder = await startFirstBootUpdate(the(), { command: 'yum' });
      // What dnf-3 holds when it runs as yum: rpm's fcntl lock and dnf 4's own pid files, no /var/run/yum.pid.
      const held = await root(`cat /proc/${holder}/comm; f=/var/lib/rpm/.rpm.lock; st=$(stat -L -c '%d %i' "$f"); dev=\${st% *}
      id=$(printf '%02x:%02x:%s' $(( (dev >> 8) & 4095 )) $(( (dev & 255) | ((dev >> 12) & 1048320) )) "\${st#* }")
      awk -v id="$id" '$2 != "->" && $6 == id { print "fcntl", $2, $4, $5 }' /proc/locks
      for p in /var/run/yum.pid /var/lib/dnf/rpmdb_lock.pid /var/cache/dnf/metadata_lock.pid /var/cache/dnf/download_lock.pid; do [ -e "$p" ] && echo "$p $(cat "$p")"; done; true`);
      say(`the first-boot update (pid ${holder}) holds:\n${held}`);
      expect(held.split('\n')).toEqual(['yum', `fcntl POSIX WRITE ${holder}`, `/var/lib/dnf/rpmdb_lock.pid ${holder}`]);

      const started = Date.now();
      const r = await cli(
        [
          'init',
          '--host',
          the().address,
          '--user',
          the().user,
          '--key',
          the().keyPath,
          '--known-hosts',
          t.knownHosts,
          '--mirror',
          t.mirror,
          '--heap',
          '256m',
          '--yes',
        ],
        'init (first boot)',
      );
      expect(r.code, r.all).toBe(0);
      expect(r.stdout).toMatch(/^\[done\] Inspect the host — Amazon Linux 2, /m);
      if (ENDED) expect(r.stdout).toContain(`warning: ${WARNING}\n`);
      say(
        r.stdout
          .split('\n')
          .filter((l) => /^(\[done\] Inspect the host|warning:)/.test(l))
          .join('\n'),
      );
      const line = /^\[done\] Install Java — .*$/m.exec(r.stdout)?.[0] ?? '';
      say(line);
      // "the yum lock": kafka-setup chose yum (PM_LOCKS.yum), and found the holder through the rpm lock.
      expect(line).toMatch(
        new RegExp(
          `^\\[done\\] Install Java — installed ${JDK}, after waiting \\d+ s for yum \\(pid ${holder}\\) to release the yum lock \\(\\d+\\.\\d s\\)$`,
        ),
      );
      expect(Number(/after waiting (\d+) s/.exec(line)?.[1])).toBeGreaterThanOrEqual(3);
      expect(Date.now() - started).toBeGreaterThan(3000);
      expect(await root('systemctl is-active ks-first-boot-update.service || true')).not.toBe('active');
      expect(await root('rpm -q amazon-linux-first-boot-update')).toMatch(/^amazon-linux-first-boot-update-1-1/);
      // yum installed Java, not dnf: there is no dnf, and dnf 4 logs the name it was run by.
      expect(existsSync(join(the().root, 'usr/bin/dnf'))).toBe(false);
      expect((await run(the(), 'command -v dnf')).code).not.toBe(0);
      // (dnf ends the command it logs with a space.)
      const commands = (await root("grep -o 'Command: .*' /var/log/dnf.log")).split('\n').map((c) => c.trimEnd());
      say(`dnf.log's commands:\n${commands.join('\n')}`);
      expect(commands).toEqual(['Command: yum install -y -q amazon-linux-first-boot-update', `Command: yum install -y ${JDK}`]);
      expect(await root('rpm -qa --qf "%{NAME}\\n" "java-17-amazon-corretto*" | sort')).toBe(
        'java-17-amazon-corretto\njava-17-amazon-corretto-devel\njava-17-amazon-corretto-headless',
      );
      expect(await root('readlink -f /usr/bin/java; readlink -f /usr/bin/jps')).toBe(
        '/usr/lib/jvm/java-17-amazon-corretto.x86_64/bin/java\n/usr/lib/jvm/java-17-amazon-corretto.x86_64/bin/jps',
      );
      for (const step of [
        /^\[done\] Download Kafka/m,
        /^\[done\] Extract Kafka/m,
        /^\[done\] Install the systemd units/m,
        /^\[done\] Check with jps — QuorumPeerMain \(pid \d+\) and Kafka \(pid \d+\) are running/m,
      ]) {
        expect(r.stdout).toMatch(step);
      }
      expect(r.stdout).toContain(`Kafka 3.1.0 is running on ${the().address}`);
      expect(await root('systemctl is-active kafka-zookeeper.service kafka-broker.service')).toBe('active\nactive');
      // A client on this machine, through the host's own address.
      const topic = `al2-${Date.now()}`;
      await produce(`${the().address}:9092`, topic, 'hello from this machine');
      expect(await consume(`${the().address}:9092`, topic)).toEqual(['hello from this machine']);
    },
    10 * MINUTES,
  );

  it(
    'a re-run changes nothing, over one connection and one command; verify passes',
    async () => {
      await expectNoOpRerun(t, ENDED ? [`warning: ${WARNING}\n`] : []);
    },
    5 * MINUTES,
  );
});
