/**
 * Kafka 4 (KRaft) on one server against faults and hostile states, on the real sshd host with real
 * JVMs and the install's own kafka-storage.sh: Ctrl-C while storage is formatted, a log directory
 * formatted for another cluster or node (or holding files and no meta.properties), a lost profile,
 * a kill -9 of the JVM, and a 3.x server with ZooKeeper data asked for 4.x (and the reverse).
 * The tests of each describe run in order, each starting from where the previous one left the host.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProperty } from '../../src/kafka/properties.js';
import { scratchDir } from '../support/scratch.js';
import { type CliResult, hostFlags, runCli, startCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { alive, killPids, runAsUser } from './support/host.js';
import { resetHost } from './support/reset.js';
import { jvmList, snapshot } from './support/snapshot.js';

const MINUTES = 60_000;

/** The user's processes, `pid args` (ps, from this machine: the host's processes are ours to see). */
async function processes(): Promise<string[]> {
  const r = await execa('ps', ['-ww', '-u', String(e2e().host.uid), '-o', 'pid=,args='], { reject: false, stdin: 'ignore' });
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** kafka-storage.sh's JVM (kafka.tools.StorageTool), running as the host's user. */
const storageTool = async (): Promise<string[]> => (await processes()).filter((p) => /kafka\.tools\.StorageTool/.test(p));

async function sh(command: string): Promise<string> {
  const r = await runAsUser(e2e().host, command);
  if (r.code !== 0) throw new Error(`${command}: ${r.stderr}`);
  return r.stdout.trim();
}

/** The one Kafka JVM's pid (jps), or undefined. */
async function kafkaPid(): Promise<number | undefined> {
  const m = /^(\d+) kafka\.Kafka$/m.exec(await jvmList(e2e().host));
  return m ? Number(m[1]) : undefined;
}

/**
 * What the data directory holds, for "nothing changed": its names, the meta.properties and the kept id;
 * with every size and mtime beneath when no JVM runs (a running broker rewrites its checkpoints).
 */
const dataState = (jvmsStopped: boolean): Promise<string> =>
  sh(
    `cd ~/kafka-data && ${jvmsStopped ? 'find . -printf "%p %s %T@\\n"' : 'ls -A .'} | sort && cat kafka-logs/meta.properties 2>/dev/null; cat cluster.id 2>/dev/null; true`,
  );

async function produce(topic: string, text: string): Promise<void> {
  await execa('kcat', ['-b', '127.0.0.1:9092', '-P', '-t', topic, '-m', '30'], { input: `${text}\n`, timeout: 60_000 });
}

/** A topic's messages; right after a start the broker may not know its partitions for a few seconds: retried. */
async function consume(topic: string): Promise<string[]> {
  const started = Date.now();
  for (;;) {
    const r = await execa('kcat', ['-b', '127.0.0.1:9092', '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-m', '30'], {
      timeout: 60_000,
      reject: false,
    });
    if (r.exitCode === 0 && r.stdout.trim()) return r.stdout.trim().split('\n');
    if (Date.now() - started > 60_000) throw new Error(`kcat could not read ${topic} for 60 s: ${r.stderr}`);
    await sleep(1000);
  }
}

function useHost(prefix: string): {
  init: (version: string, extra?: string[]) => string[];
  env: () => Record<string, string>;
  fresh: () => Record<string, string>;
} {
  let dir = '';
  beforeAll(async () => {
    dir = scratchDir(prefix);
    await resetHost(e2e().host);
  });
  // The host is shared with the other files, which expect no KRaft storage there.
  afterAll(() => resetHost(e2e().host));
  return {
    init: (version, extra = []) => [
      'init',
      ...hostFlags(join(dir, 'known_hosts')),
      ...(version ? ['--kafka-version', version] : []),
      '--mirror',
      e2e().mirror.good,
      '--heap',
      '256m',
      '--yes',
      ...extra,
    ],
    env: () => ({ XDG_CONFIG_HOME: join(dir, 'config') }),
    // A config home nobody used: the profile lost.
    fresh: () => ({ XDG_CONFIG_HOME: scratchDir(`${prefix}lost-`) }),
  };
}

describeE2e('KRaft (4.1.1): Ctrl-C while storage is formatted, a lost profile, kill -9 of the JVM, storage not ours', () => {
  const VERSION = '4.1.1';
  const INSTALL = `kafka_2.13-${VERSION}`;
  const { init, env, fresh } = useHost('ks-kraft-faults-');
  let clusterId = '';

  it('Ctrl-C at several moments of the format: exit 130, never a half-formatted log directory, no kafka-storage JVM left, one cluster id throughout', async () => {
    const kept = new Set<string>();
    const landed: string[] = [];
    // Delays after kafka-storage.sh's JVM shows up: early in its start, mid-way, late; last, once it has
    // exited (-1: the format complete, the run on to the next step).
    for (const delayMs of [0, 400, 900, 1600, 2500, -1]) {
      const run = startCli(init(VERSION), { env: env() });
      let exit: CliResult | undefined;
      void run.result.then((r) => {
        exit = r;
      });
      // Until kafka-storage.sh's JVM runs (the non-TTY output names a step only once it ends).
      const deadline = Date.now() + 5 * MINUTES;
      while ((await storageTool()).length === 0 && !exit && Date.now() < deadline) await sleep(10);
      if (exit) {
        // Formatted already by an earlier round: the step no longer runs.
        expect(exit.stdout, exit.all).toMatch(/\[skip\] Format the storage/);
        landed.push(`${delayMs} ms: formatted before`);
        break;
      }
      if (delayMs >= 0) await sleep(delayMs);
      else while ((await storageTool()).length > 0) await sleep(10);
      // Frozen while Ctrl-C goes out, so that it cannot finish meanwhile: "running at the interrupt" is then certain.
      // Thawed once the run has exited, it takes the SIGTERM the run's going away sent it.
      const tool = Number((await storageTool())[0]?.split(' ')[0] ?? 0);
      let frozen = 0;
      try {
        if (tool > 0) {
          process.kill(tool, 'SIGSTOP');
          frozen = tool;
        }
      } catch {
        // exited meanwhile
      }
      // Mid-format: its JVM runs and has not written meta.properties yet (once it has, it may be exiting with
      // success already, and a SIGTERM then changes nothing: the format is complete, and kept).
      const formatting = frozen > 0 && !(await sh('ls ~/kafka-data/kafka-logs.formatting.*/meta.properties 2>/dev/null || true'));
      run.signal('SIGINT');
      const r: CliResult = await run.result;
      try {
        if (frozen > 0) process.kill(frozen, 'SIGCONT');
      } catch {
        // stopped for good already (the guard's SIGKILL)
      }
      expect(r.code, r.all).toBe(130);
      expect(r.stderr).toContain('kafka-setup: interrupted');
      // The JVM stops with the run, at once: not when it would have finished on its own, formatting after the user left.
      const exited = Date.now();
      while ((await storageTool()).length > 0 && Date.now() < exited + 10_000) await sleep(50);
      const stoppedMs = Date.now() - exited;
      expect(await storageTool(), 'kafka-storage.sh still running after Ctrl-C').toEqual([]);
      expect(stoppedMs, 'kafka-storage.sh ran on after Ctrl-C').toBeLessThan(3000);
      // Either no log directory, or a complete one, formatted for the kept id.
      const logs = await sh('if [ -e ~/kafka-data/kafka-logs ]; then cat ~/kafka-data/kafka-logs/meta.properties; else echo ABSENT; fi');
      const id = await sh('cat ~/kafka-data/cluster.id 2>/dev/null || true');
      if (id) kept.add(id);
      if (logs !== 'ABSENT') {
        expect(getProperty(logs, 'cluster.id'), logs).toBe(id);
        expect(getProperty(logs, 'node.id')).toBe('1');
      }
      // The script removes its half-made directory once the tool has stopped: a moment after the JVM is gone.
      const leftBy = Date.now() + 5000;
      const leftovers = () => sh('ls -d ~/kafka-data/kafka-logs.formatting* 2>/dev/null || true');
      let partial = await leftovers();
      while (partial && Date.now() < leftBy) {
        await sleep(100);
        partial = await leftovers();
      }
      expect(partial, 'the interrupted format left its directory').toBe('');
      landed.push(
        `${delayMs} ms: ${formatting ? 'mid-format' : frozen > 0 ? 'kafka-storage.sh finishing' : 'kafka-storage.sh done'} → ${logs === 'ABSENT' ? 'not formatted' : 'formatted'} (gone ${stoppedMs} ms after exit)`,
      );
      process.stderr.write(`kraft faults: Ctrl-C ${landed.at(-1)!}\n`);
      // Stopped mid-way, it formatted nothing: the rename comes only after the tool's success.
      if (formatting) expect(logs).toBe('ABSENT');
      if (logs !== 'ABSENT') break;
    }
    expect(kept.size, [...kept].join(' ')).toBeLessThanOrEqual(1);

    const again = await runCli(init(VERSION), { env: env() });
    expect(again.code, again.all).toBe(0);
    clusterId = await sh('cat ~/kafka-data/cluster.id');
    if (kept.size === 1) expect(clusterId).toBe([...kept][0]);
    expect(getProperty(await sh('cat ~/kafka-data/kafka-logs/meta.properties'), 'cluster.id')).toBe(clusterId);
    expect(await sh('ls -d ~/kafka-data/kafka-logs.formatting.* 2>/dev/null || true')).toBe('');
    await produce('faults', 'before the faults');
    expect(await consume('faults')).toEqual(['before the faults']);
  });

  it('a .formatting directory a killed run left is removed by the next run, which formats with the kept id', async () => {
    const pid = await kafkaPid();
    expect(pid).toBeDefined();
    // As a run killed mid-format leaves it: the JVM's first files in a directory of that name, the log directory not there yet.
    expect((await runCli(['stop'], { env: env() })).code).toBe(0);
    await sh(
      'mv ~/kafka-data/kafka-logs ~/kafka-data/kafka-logs.kept && mkdir ~/kafka-data/kafka-logs.formatting.Ab12Cd && echo "version=1" > ~/kafka-data/kafka-logs.formatting.Ab12Cd/bootstrap.checkpoint && : > ~/kafka-data/kafka-logs.formatting.Ab12Cd.properties.Xy34Zw',
    );
    const r = await runCli(init(VERSION), { env: env() });
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`\\[done\\] Format the storage \\(KRaft\\) — formatted .*kafka-logs for cluster ${clusterId}`));
    expect(await sh('ls -d ~/kafka-data/kafka-logs.formatting* 2>/dev/null || true')).toBe('');
    // Back to this server's own storage and its messages.
    expect((await runCli(['stop'], { env: env() })).code).toBe(0);
    await sh('rm -rf ~/kafka-data/kafka-logs && mv ~/kafka-data/kafka-logs.kept ~/kafka-data/kafka-logs');
    expect((await runCli(init(VERSION), { env: env() })).code).toBe(0);
    expect(await consume('faults')).toEqual(['before the faults']);
  });

  it('a lost profile: init again with the same flags and a fresh config home changes nothing (no format, same cluster id, same JVM)', async () => {
    const { host } = e2e();
    const pid = await kafkaPid();
    const before = await snapshot(host, INSTALL);
    const data = await dataState(false);
    const r = await runCli(init(VERSION), { env: fresh() });
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toContain('nothing needed to change');
    expect(r.stdout).toMatch(new RegExp(`\\[skip\\] Format the storage \\(KRaft\\) — .*kafka-logs: cluster ${clusterId}, node 1`));
    expect(await kafkaPid()).toBe(pid);
    expect(await snapshot(host, INSTALL)).toEqual(before);
    expect(await dataState(false)).toBe(data);
  });

  it('kill -9 of the Kafka JVM, then init at once: it serves again, the message still there, the cluster id unchanged', async () => {
    const pid = (await kafkaPid())!;
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await sleep(20);
    const r = await runCli(init(VERSION), { env: env() });
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(/\[done\] Start Kafka \(broker and controller\)/);
    const now = await kafkaPid();
    expect(now).toBeDefined();
    expect(now).not.toBe(pid);
    expect(await sh('cat ~/kafka-data/cluster.id')).toBe(clusterId);
    expect(await consume('faults')).toEqual(['before the faults']);
  });

  describe("a log directory that is not this server's: refused, exit 1, nothing changed", () => {
    beforeAll(async () => {
      expect((await runCli(['stop'], { env: env() })).code).toBe(0);
      await sh('mv ~/kafka-data/kafka-logs ~/kafka-data/kafka-logs.own');
    });

    /** init refused with this message; nothing started, the host's files as they were. */
    async function refused(message: RegExp, hint: RegExp): Promise<void> {
      const { host } = e2e();
      const before = await snapshot(host, INSTALL);
      const data = await dataState(true);
      const r = await runCli(init(VERSION), { env: env() });
      expect(r.code, r.all).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(hint);
      expect(r.stdout).not.toMatch(/\[done\] (Format|Start)/);
      expect(await jvmList(host)).toBe('');
      expect(await snapshot(host, INSTALL)).toEqual(before);
      expect(await dataState(true)).toBe(data);
    }

    /** ~/kafka-data/kafka-logs formatted by the install's own kafka-storage.sh, as the user, with these settings. */
    async function formatWith(clusterIdFor: string, nodeId: number): Promise<void> {
      await sh(
        [
          'rm -rf ~/kafka-data/kafka-logs',
          `sed -E 's/^node\\.id=.*/node.id=${nodeId}/' ~/${INSTALL}/config/server.properties > ~/other.properties`,
          `~/${INSTALL}/bin/kafka-storage.sh format -t ${clusterIdFor} -c ~/other.properties --standalone >/dev/null`,
          'rm -f ~/other.properties',
        ].join(' && '),
      );
    }

    it('formatted for another cluster (the real kafka-storage.sh): the message names both ids and what to do', async () => {
      const other = (await sh(`~/${INSTALL}/bin/kafka-storage.sh random-uuid`)).split('\n').pop()!;
      await formatWith(other, 1);
      await refused(
        new RegExp(
          `kafka-logs is formatted for cluster ${other}, and this server's Kafka is cluster ${clusterId} \\(kept in .*/kafka-data/cluster\\.id\\)`,
        ),
        /what to do: .*move it away \(mv .*kafka-logs .*kafka-logs\.old\)/,
      );
    });

    it('formatted for another node id', async () => {
      await formatWith(clusterId, 2);
      await refused(
        /kafka-logs is formatted for node 2, and this server is node 1/,
        /what to do: it is another node's storage: move it away/,
      );
    });

    it('holding files but no meta.properties', async () => {
      await sh(
        'rm -rf ~/kafka-data/kafka-logs && mkdir -p ~/kafka-data/kafka-logs/orders-0 && echo data > ~/kafka-data/kafka-logs/orders-0/00000000000000000000.log',
      );
      await refused(
        /kafka-logs holds files but no meta\.properties: it was not formatted by kafka-storage\.sh/,
        /what to do: move it away \(mv /,
      );
    });

    it('its own storage put back: init serves again, the message still there', async () => {
      await sh('rm -rf ~/kafka-data/kafka-logs && mv ~/kafka-data/kafka-logs.own ~/kafka-data/kafka-logs');
      const r = await runCli(init(VERSION), { env: env() });
      expect(r.code, r.all).toBe(0);
      expect(await consume('faults')).toEqual(['before the faults']);
      await killPids((await kafkaPid()) ? [(await kafkaPid())!] : []);
    });
  });
});

describeE2e('a 3.x server with ZooKeeper data asked for 4.x, and a KRaft server asked for 3.x', () => {
  const { init, env, fresh } = useHost('ks-kraft-modes-');

  it('3.1.0 with a message, then init --kafka-version 4.4.0: refused before any change; the 3.x JVMs and files untouched', async () => {
    const { host } = e2e();
    const first = await runCli(init(''), { env: env() });
    expect(first.code, first.all).toBe(0);
    await produce('zk-era', 'written under ZooKeeper');
    const jvms = await jvmList(host);
    const home = await sh('ls -la --time-style=+%s ~ | grep -v "\\.$"');
    const data = await dataState(false);
    const before = await snapshot(host, 'kafka_2.12-3.1.0');
    // The same saved profile: another version goes beside 3.1.0's install directory, never into it.
    const r = await runCli(init('4.4.0'), { env: env() });
    expect(r.code, r.all).toBe(1);
    expect(r.stderr).toMatch(
      /kafka-data\/(kafka-logs|zookeeper) holds the data of a ZooKeeper-based Kafka \(3\.x\); Kafka 4\.4\.0 runs without ZooKeeper \(KRaft\) and cannot read it\. Nothing was changed/,
    );
    expect(r.stderr).toMatch(/what to do: keep that Kafka: run kafka-setup init with --kafka-version 3\.x/);
    expect(r.stdout).not.toMatch(/\[done\] (Download|Extract|Configure|Format|Start)/);
    expect(await jvmList(host)).toBe(jvms);
    expect(await sh('ls -la --time-style=+%s ~ | grep -v "\\.$"')).toBe(home);
    expect(await dataState(false)).toBe(data);
    expect(await snapshot(host, 'kafka_2.12-3.1.0')).toEqual(before);
    expect(await consume('zk-era')).toEqual(['written under ZooKeeper']);
  });

  it("a KRaft-formatted log directory asked for 3.1.0: refused before any change (3.1.0's broker would not start on it); 4.4.0 untouched", async () => {
    const { host } = e2e();
    await resetHost(host);
    const first = await runCli(init('4.4.0'), { env: fresh() });
    expect(first.code, first.all).toBe(0);
    const jvms = await jvmList(host);
    const home = await sh('ls -la --time-style=+%s ~ | grep -v "\\.$"');
    const data = await dataState(false);
    const r = await runCli(init('3.1.0'), { env: fresh() });
    expect(r.code, r.all).toBe(1);
    expect(r.stderr).toMatch(
      /^error: Keep the existing data: .*\/kafka-data\/kafka-logs is formatted for KRaft \(Kafka 4\.x, cluster [A-Za-z0-9_-]{22}\); Kafka 3\.1\.0 runs with ZooKeeper and its broker cannot use it\. Nothing was changed$/m,
    );
    expect(r.stderr).toMatch(/what to do: keep that Kafka: run kafka-setup init with --kafka-version 4\.x/);
    expect(r.stdout).not.toMatch(/\[done\] (Download|Extract|Configure|Start)/);
    expect(await jvmList(host)).toBe(jvms);
    expect(await sh('ls -la --time-style=+%s ~ | grep -v "\\.$"')).toBe(home);
    expect(await dataState(false)).toBe(data);
    await resetHost(host);
  });
});
