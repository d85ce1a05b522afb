/**
 * `kafka-setup uninstall` end to end on the loopback host (no systemd there: the JVMs are stopped by
 * pid): after init, everything init put there goes, ~/.bashrc is byte for byte what it was, the data
 * stays unless --purge-data, and a second run has nothing to remove.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { alive, runAsUser } from './support/host.js';
import { resetHost } from './support/reset.js';
import { type InitializedHost, initializedHost } from './support/setup.js';
import { jvmList, snapshot } from './support/snapshot.js';

const INSTALL = 'kafka_2.12-3.1.0';

/** ~/.bashrc's bytes and mode (base64, so that a missing final newline counts). */
async function bashrc(): Promise<string> {
  const r = await runAsUser(e2e().host, 'stat -c %a ~/.bashrc && base64 -w0 ~/.bashrc');
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

async function exists(path: string): Promise<boolean> {
  return (await runAsUser(e2e().host, `test -e ${path}`)).code === 0;
}

async function jvmPids(): Promise<number[]> {
  return (await jvmList(e2e().host))
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(l.split(' ')[0]));
}

/** Waits until no remote script of kafka-setup runs as the user (one outlives a connection cut by Ctrl-C while it stops a JVM). */
async function scriptsDone(): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const r = await runAsUser(e2e().host, 'ps -u "$(id -u)" -o args=');
    // On stdin (sh -s) or inline (sh -c 'command -v base64 …': src/remote/inline-script.ts).
    if (!r.stdout.split('\n').some((l) => /^(\/bin\/)?sh -(s\b|c command -v base64 )/.test(l.trim()))) return;
    await sleep(250);
  }
  throw new Error('a remote script of kafka-setup still runs after 120 s');
}

describeE2e('kafka-setup uninstall', () => {
  let h: InitializedHost;
  let before: string;

  beforeAll(async () => {
    const { host } = e2e();
    await resetHost(host);
    // A ~/.bashrc of the user's own: no final newline (init adds one before its block), mode 0640.
    const own = await runAsUser(
      host,
      'printf \'%s\\n%s\' "$(cat /etc/skel/.bashrc)" \'alias ll="ls -l" # mine\' > ~/.bashrc && chmod 640 ~/.bashrc',
    );
    expect(own.code, own.stderr).toBe(0);
    before = await bashrc();
    h = await initializedHost();
  });

  afterAll(async () => {
    await resetHost(e2e().host);
  });

  describe('after init', () => {
    let pids: number[];
    let run: Awaited<ReturnType<typeof runCli>>;

    beforeAll(async () => {
      pids = await jvmPids();
      expect(pids).toHaveLength(2);
      expect(await bashrc()).not.toBe(before);
      run = await runCli(['uninstall', '--yes', '--verbose'], { env: h.env });
    });

    it('shows the plan, removes it all in one connection and two remote commands, and says Java stays', () => {
      const { host } = e2e();
      expect(run.code, run.all).toBe(0);
      expect(run.stdout).toMatch(/^ {2}stop {5}the broker \(pid \d+\), then ZooKeeper \(pid \d+\)$/m);
      expect(run.stdout).toContain(`  remove   ${host.home}/${INSTALL} (Kafka, with its config files and logs)`);
      expect(run.stdout).toContain(
        `  restore  ${host.home}/.bashrc from ${host.home}/.bashrc.kafka-setup.bak: as it was before init, byte for byte`,
      );
      expect(run.stdout).toContain(`  keep     Kafka data in ${host.home}/kafka-data/kafka-logs (--purge-data deletes it)`);
      expect(run.stdout).toMatch(/\[done\] Uninstall Kafka — 2 JVMs stopped, 1 path removed, ~\/\.bashrc restored/);
      expect(run.stdout).toContain(`Kafka is uninstalled from 127.0.0.1.`);
      expect(run.stdout).toContain('  Java                        left installed: other programs may use it');
      expect(run.stderr).toMatch(/ ssh: 1 connection, 2 remote commands$/m);
    });

    it('leaves no install directory, no JVM of the user, and ~/.bashrc byte-identical (mode too) without its backup', async () => {
      expect(await exists(`~/${INSTALL}`)).toBe(false);
      for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
      expect(await jvmPids()).toEqual([]);
      expect(await bashrc()).toBe(before);
      expect(await exists('~/.bashrc.kafka-setup.bak')).toBe(false);
    });

    it('keeps the data', async () => {
      expect(await exists('~/kafka-data/kafka-logs/meta.properties')).toBe(true);
      expect(await exists('~/kafka-data/zookeeper/version-2')).toBe(true);
    });

    it('a second uninstall has nothing to remove (exit 0, one remote command), and says where the data is', async () => {
      const { host } = e2e();
      const again = await runCli(['uninstall', '--verbose'], { env: h.env });
      expect(again.code, again.all).toBe(0);
      expect(again.stdout).toContain(`Nothing to remove: kafka-setup's Kafka is not installed on 127.0.0.1 (${host.home}/${INSTALL}).`);
      expect(again.stdout).toContain(`  keep     Kafka data in ${host.home}/kafka-data/kafka-logs`);
      expect(again.stderr).toMatch(/ ssh: 1 connection, 1 remote command$/m);
    });
  });

  describe('interrupted', () => {
    beforeAll(async () => {
      h = await initializedHost();
    });

    it('Ctrl-C while it stops the JVMs exits 130; the next uninstall finishes the job', async () => {
      const cli = startCli(['uninstall', '--yes'], { env: h.env });
      await cli.waitFor(/uninstall will:/);
      await sleep(1500);
      cli.signal('SIGINT');
      const first = await cli.result;
      expect(first.code, first.all).toBe(130);
      expect(first.stderr).toContain('run the same command again');
      await scriptsDone();
      const second = await runCli(['uninstall', '--yes'], { env: h.env });
      expect(second.code, second.all).toBe(0);
      expect(await exists(`~/${INSTALL}`)).toBe(false);
      expect(await jvmPids()).toEqual([]);
      expect(await bashrc()).toBe(before);
      expect(await exists('~/.bashrc.kafka-setup.bak')).toBe(false);
      expect(await exists('~/kafka-data/kafka-logs/meta.properties')).toBe(true);
    });
  });

  describe('asking first', () => {
    beforeAll(async () => {
      h = await initializedHost();
    });

    it('--dry-run prints the plan and changes nothing; without a terminal and without --yes it refuses, unchanged', async () => {
      const { host } = e2e();
      const untouched = await snapshot(host, INSTALL);
      const dry = await runCli(['uninstall', '--dry-run'], { env: h.env });
      expect(dry.code, dry.all).toBe(0);
      expect(dry.stdout).toContain('uninstall would:');
      expect(dry.stdout).toContain('Dry run: nothing was changed.');
      const refused = await runCli(['uninstall'], { env: h.env });
      expect(refused.code, refused.all).toBe(2);
      expect(refused.stderr).toContain('error: pass --yes to uninstall without a prompt');
      expect(refused.stderr).toContain('what to do: review the plan above, then run kafka-setup uninstall --yes');
      expect(await snapshot(host, INSTALL)).toEqual(untouched);
    });

    it('a ~/.bashrc edited after init keeps the edit; --purge-data deletes the data', async () => {
      const edit = await runAsUser(e2e().host, "printf 'alias k=kubectl\\n' >> ~/.bashrc");
      expect(edit.code, edit.stderr).toBe(0);
      const r = await runCli(['uninstall', '--yes', '--purge-data'], { env: h.env });
      expect(r.code, r.all).toBe(0);
      expect(r.stdout).toContain('keep your changes since init');
      expect(r.stdout).toMatch(/\[done\] Uninstall Kafka — .*2 data directories deleted, ~\/\.bashrc edited/);
      const now = await runAsUser(e2e().host, 'cat ~/.bashrc; echo "[end]"; cat ~/.bashrc.kafka-setup.bak');
      const [text, backup] = now.stdout.split('[end]\n');
      expect(text).toBe(`${Buffer.from(before.split('\n')[1]!, 'base64').toString('latin1')}\nalias k=kubectl\n`);
      expect(text).not.toContain('kafka-setup');
      // The original (from before the first init) stays beside it: the user's edits made it differ.
      expect(backup).toBe(Buffer.from(before.split('\n')[1]!, 'base64').toString('latin1'));
      expect(await exists('~/kafka-data')).toBe(false);
      expect(await exists(`~/${INSTALL}`)).toBe(false);
    });
  });
});
