/**
 * Amazon Linux 2023, the image the seed's procedure starts from, proven for real on the e2e suite's
 * AL2023 host (support/al2023-host.ts: Debian's dnf 4.14 and rpm booted with systemd, AL2023's
 * os-release, ec2-user, a signed repository serving java-17-amazon-corretto-devel). One host for
 * the sequence; the tests run in order, each from where the previous one left it:
 * - right after "boot", cloud-init's first-boot update (a package whose %post sleeps) holds the rpm
 *   lock: init waits for it, says for whom, then installs Java with dnf and sets up Kafka 3.1.0 with
 *   the systemd units; a client on this machine reaches the broker through the host's address;
 * - a re-run changes nothing, over one connection and one command; verify passes;
 * - Java removed (dnf remove), init interrupted while Corretto's %post runs: no dnf left running,
 *   nothing half-installed (rpm's sqlite database commits a transaction whole), and the re-run
 *   finishes the install;
 * - 3.1.0 uninstalled, Kafka 4.4.0 (KRaft) set up on the same host and reached from this machine.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { setFirstBootSleep, startAl2023Host, startFirstBootUpdate, stopAl2023Host } from './support/al2023-host.js';
import { startCli } from './support/cli.js';
import { describeE2e } from './support/context.js';
import { consume, produce } from './support/kraft.js';
import { nspawnUnavailable, run } from './support/nspawn-host.js';
import { expectNoOpRerun, useSystemdTarget } from './support/systemd-target.js';

const unavailable = await nspawnUnavailable();
const MINUTES = 60_000;
const JDK = 'java-17-amazon-corretto-devel';
const CORRETTO = /^java-17-amazon-corretto/;
const say = (line: string): void => {
  process.stderr.write(`al2023: ${line}\n`);
};

(unavailable ? describe.skip : describeE2e)('Amazon Linux 2023 (dnf, rpm locks, Corretto) on a systemd host', () => {
  const t = useSystemdTarget({ name: 'the AL2023 host', scratch: 'ks-al2023-', start: startAl2023Host, stop: stopAl2023Host, say });
  const the = t.the;
  const initArgs = (): string[] => [
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
  ];
  const { cli, root } = t;
  /** Java's packages as rpm knows them, and rpm -V's complaints about them (none: all intact). */
  const corretto = async (): Promise<{ installed: string[]; verify: string }> => {
    const installed = (await root('rpm -qa --qf "%{NAME}\\n" | sort')).split('\n').filter((n) => CORRETTO.test(n));
    const verify = installed.length ? (await run(the(), `rpm -V ${installed.join(' ')}`)).stdout.trim() : '';
    return { installed, verify };
  };

  it(
    'init waits for the first-boot update holding the rpm lock, installs Corretto with dnf, and Kafka serves',
    async () => {
      setFirstBootSleep(the(), 15);
      const holder = await startFirstBootUpdate(the());
      const started = Date.now();
      const r = await cli(initArgs(), 'init (first boot)');
      expect(r.code, r.all).toBe(0);
      const line = /^\[done\] Install Java — .*$/m.exec(r.stdout)?.[0] ?? '';
      say(line);
      expect(line).toMatch(
        new RegExp(
          `^\\[done\\] Install Java — installed ${JDK}, after waiting \\d+ s for dnf \\(pid ${holder}\\) to release the dnf lock \\(\\d+\\.\\d s\\)$`,
        ),
      );
      expect(Number(/after waiting (\d+) s/.exec(line)?.[1])).toBeGreaterThanOrEqual(5);
      // dnf ran once the update had finished: the update is in, before Corretto.
      expect(await root('systemctl is-active ks-first-boot-update.service || true')).not.toBe('active');
      expect(await root('rpm -q amazon-linux-first-boot-update')).toMatch(/^amazon-linux-first-boot-update-1-1/);
      expect(Date.now() - started).toBeGreaterThan(5000);
      for (const step of [
        /^\[done\] Download Kafka/m,
        /^\[done\] Extract Kafka/m,
        /^\[done\] Install the systemd units/m,
        /^\[done\] Check with jps — QuorumPeerMain \(pid \d+\) and Kafka \(pid \d+\) are running/m,
      ]) {
        expect(r.stdout).toMatch(step);
      }
      say(
        `init's steps:\n${r.stdout
          .split('\n')
          .filter((l) => /^\[(done|skip)\]/.test(l))
          .join('\n')}`,
      );
      expect(r.stdout).toContain(`Kafka 3.1.0 is running on ${the().address}`);
      const { installed, verify } = await corretto();
      expect(installed).toEqual(['java-17-amazon-corretto', 'java-17-amazon-corretto-devel', 'java-17-amazon-corretto-headless']);
      expect(verify).toBe('');
      expect(await root('readlink -f /usr/bin/java; readlink -f /usr/bin/jps')).toBe(
        '/usr/lib/jvm/java-17-amazon-corretto.x86_64/bin/java\n/usr/lib/jvm/java-17-amazon-corretto.x86_64/bin/jps',
      );
      // A client on this machine, through the host's own address.
      const topic = `al2023-${Date.now()}`;
      await produce(`${the().address}:9092`, topic, 'hello from this machine');
      expect(await consume(`${the().address}:9092`, topic)).toEqual(['hello from this machine']);
    },
    10 * MINUTES,
  );

  it(
    'a re-run changes nothing, over one connection and one command; verify passes',
    async () => {
      await expectNoOpRerun(t);
    },
    5 * MINUTES,
  );

  it(
    "Ctrl-C while dnf runs Corretto's %post: dnf stops, rpm's database is as before, the re-run installs Java",
    async () => {
      await root('dnf remove -y -q java-17-amazon-corretto-headless');
      expect((await corretto()).installed).toEqual([]);
      expect(existsSync(join(the().root, 'usr/lib/jvm/java-17-amazon-corretto.x86_64')), "dnf remove left the JDK's directory").toBe(false);
      // A scriptlet that takes its time (a slow disk, a busy small instance): alternatives, which
      // Corretto's %post runs, sleeps first. Interrupted there, the files are in place and the %post
      // unfinished: the worst moment, every time.
      await root(
        'rm /usr/sbin/alternatives && printf "#!/bin/sh\\nsleep 60\\nexec /usr/bin/update-alternatives \\"\\$@\\"\\n" > /usr/sbin/alternatives && chmod 755 /usr/sbin/alternatives',
      );
      const interrupted = startCli(initArgs(), { env: t.env });
      const deadline = Date.now() + 120_000;
      while ((await run(the(), 'pgrep -x sleep')).code !== 0 && Date.now() < deadline) await sleep(100);
      expect((await run(the(), 'pgrep -x sleep')).code, 'the %post never ran').toBe(0);
      interrupted.signal('SIGINT');
      const r = await interrupted.result;
      expect(r.code, r.all).toBe(130);
      expect(r.stderr).toContain('kafka-setup: interrupted');
      // dnf, rpm's scriptlet and its sleep stop with it (within the guard's SIGKILL follow-up).
      const quietBy = Date.now() + 15_000;
      const ours = async (): Promise<string> =>
        (await run(the(), 'ps -eo pid=,comm= | awk \'$2 == "dnf" || $2 == "sleep" || $2 == "alternatives" || $2 == "rpm"\'')).stdout.trim();
      while ((await ours()) !== '' && Date.now() < quietBy) await sleep(200);
      expect(await ours()).toBe('');
      await root('ln -sf /usr/bin/update-alternatives /usr/sbin/alternatives');
      const after = await corretto();
      const java = (await run(the(), 'command -v java')).stdout.trim();
      say(
        `after Ctrl-C: rpm has ${after.installed.join(', ') || 'none of Corretto'}; rpm -V: ${after.verify || 'clean'}; java: ${java || 'none'}`,
      );
      const history = (await run(the(), 'dnf history list')).stdout;
      say(`dnf history after Ctrl-C:\n${history}`);
      // rpm's sqlite database commits a transaction whole (AL2023's rpm too): nothing of it is recorded,
      // so nothing is half-installed; the files it had unpacked are nobody's until the next install.
      expect(after).toEqual({ installed: [], verify: '' });
      expect(java).toBe('');
      expect(history.split('\n').filter((l) => /^\s*\d+ \|/.test(l))).toHaveLength(3);

      const again = await cli(initArgs(), 'init (after Ctrl-C)');
      expect(again.code, again.all).toBe(0);
      const line = /^\[done\] Install Java — .*$/m.exec(again.stdout)?.[0] ?? '';
      say(line);
      expect(line).toMatch(new RegExp(`^\\[done\\] Install Java — installed ${JDK}`));
      const fixed = await corretto();
      expect(fixed.installed).toEqual(['java-17-amazon-corretto', 'java-17-amazon-corretto-devel', 'java-17-amazon-corretto-headless']);
      expect(fixed.verify).toBe('');
      expect(await root('readlink -f /usr/bin/java; readlink -f /usr/bin/jps')).toBe(
        '/usr/lib/jvm/java-17-amazon-corretto.x86_64/bin/java\n/usr/lib/jvm/java-17-amazon-corretto.x86_64/bin/jps',
      );
      // Every file of the JDK's directory is a package's again.
      expect(await root('find /usr/lib/jvm/java-17-amazon-corretto.x86_64 -type f -exec rpm -qf {} + | grep -c "not owned" || true')).toBe(
        '0',
      );
      say(`dnf history after the re-run:\n${(await run(the(), 'dnf history list')).stdout}`);
      expect((await cli(['verify'])).code).toBe(0);
    },
    10 * MINUTES,
  );

  it(
    "Kafka 4.4.0 (KRaft) after uninstalling 3.1.0: storage formatted, serving at the host's address, a round trip from this machine, verify",
    async () => {
      const gone = await cli(['uninstall', '--purge-data', '--yes']);
      expect(gone.code, gone.all).toBe(0);
      const r = await cli([...initArgs(), '--kafka-version', '4.4.0'], 'init --kafka-version 4.4.0');
      expect(r.code, r.all).toBe(0);
      expect(r.stdout).toMatch(/^\[skip\] Install Java — java and jps found/m);
      expect(r.stdout).toContain('[done] Format the storage (KRaft)');
      expect(r.stdout).toMatch(
        new RegExp(`\\[done\\] Start Kafka \\(broker and controller\\).*serving at ${the().address.replace(/\./g, '\\.')}:9092`),
      );
      const topic = `al2023-kraft-${Date.now()}`;
      await produce(`${the().address}:9092`, topic, 'kraft on al2023');
      expect(await consume(`${the().address}:9092`, topic)).toEqual(['kraft on al2023']);
      expect((await cli(['verify'])).code).toBe(0);
    },
    10 * MINUTES,
  );
});
