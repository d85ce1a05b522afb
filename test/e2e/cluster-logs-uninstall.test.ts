/**
 * logs and uninstall on a three-host ZooKeeper cluster (network namespaces, as in cluster-day-two),
 * with the cluster's saved profile and no --host: logs shows every host's lines marked with its
 * address, -f follows all three at once until Ctrl-C; uninstall --dry-run shows three plans and
 * changes nothing, --yes removes every host's install and stops every JVM, saying per host what was
 * done, and a second run has nothing to remove anywhere.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profilePath } from '../../src/options/profile.js';
import { scratchDir } from '../support/scratch.js';
import { type CliResult, runCli, startCli } from './support/cli.js';
import { bridgeMirror, clusterFlags, hostLines, isJvm, jvmPids, startCluster, stopCluster } from './support/cluster.js';
import { describeE2e, e2eMirror } from './support/context.js';
import { runAsUser } from './support/host.js';
import { type NetnsHost, netnsUnavailable } from './support/netns-host.js';

const unavailable = await netnsUnavailable();
const SECONDS = 1000;
const INSTALL = 'kafka_2.12-3.1.0';

(unavailable ? describe.skip : describeE2e)('logs and uninstall on a three-host cluster, every host at once', () => {
  let hosts: NetnsHost[] = [];
  let relay: Awaited<ReturnType<typeof bridgeMirror>>['relay'] | undefined;
  let env: Record<string, string>;
  let knownHosts: string;
  let mirror: string;
  const jvms: number[] = [];
  const cli = async (args: string[]): Promise<CliResult> => {
    const started = Date.now();
    const r = await runCli(args, { env });
    process.stderr.write(
      `cluster logs/uninstall: kafka-setup ${args.join(' ')} in ${((Date.now() - started) / 1000).toFixed(1)} s (exit ${r.code})\n`,
    );
    return r;
  };
  const collectJvms = async (): Promise<void> => {
    for (const h of hosts) jvms.push(...(await jvmPids(h)));
  };
  const installed = (h: NetnsHost): boolean => existsSync(join(h.home, INSTALL));

  beforeAll(async () => {
    const dir = scratchDir('ks-cluster-logs-');
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
    knownHosts = join(dir, 'known_hosts');
    hosts = await startCluster(3);
    ({ relay, url: mirror } = await bridgeMirror(e2eMirror().good));
    const r = await cli(['init', ...clusterFlags(hosts, knownHosts), '--yes', '--no-interactive', '--mirror', mirror, '--heap', '256m']);
    expect(r.code, r.all).toBe(0);
    await collectJvms();
  }, 600 * SECONDS);

  afterAll(async () => {
    await relay?.close();
    await stopCluster(hosts);
    expect(jvms.filter(isJvm)).toEqual([]);
  });

  it(
    'logs without --host: every host\'s logs, one host after another, each line marked with its address; no "acts on … only" warning',
    async () => {
      const r = await cli(['logs', '-n', '3', '--verbose']);
      expect(r.code, r.all).toBe(0);
      expect(r.stderr).not.toMatch(/this command acts on/);
      const lines = r.stdout.split('\n').filter(Boolean);
      // Every line is a host's; each host's block whole, in the profile's order.
      expect(
        lines.every((l) => hosts.some((h) => l.startsWith(`[${h.address}] `))),
        r.stdout,
      ).toBe(true);
      const firstOf = (h: NetnsHost): number => lines.findIndex((l) => l.startsWith(`[${h.address}] `));
      const lastOf = (h: NetnsHost): number => lines.map((l) => l.startsWith(`[${h.address}] `)).lastIndexOf(true);
      for (const [i, h] of hosts.entries()) {
        const own = hostLines(r.stdout, h);
        expect(own[0], r.stdout).toBe(`==> ZooKeeper: ${h.home}/${INSTALL}/logs/zookeeper.out <==`);
        expect(own, r.stdout).toContain(`==> broker: ${h.home}/${INSTALL}/logs/kafkaServer.out <==`);
        expect(own.length, r.stdout).toBe(9);
        if (i > 0) expect(firstOf(h)).toBeGreaterThan(lastOf(hosts[i - 1]!));
        expect(r.stderr).toMatch(new RegExp(`\\[${h.address.replace(/\./g, '\\.')}\\] .*ssh: 1 connection, 1 remote command`));
      }
      process.stderr.write(`cluster logs/uninstall: logs -n 3 printed:\n${r.stdout}`);
    },
    120 * SECONDS,
  );

  it(
    'logs --host H: that member alone, unmarked, as on a single host',
    async () => {
      const r = await cli(['logs', 'broker', '-n', '2', '--host', hosts[1]!.address]);
      expect(r.code, r.all).toBe(0);
      expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(2);
      expect(r.stdout).not.toMatch(/^\[10\./m);
      expect(r.stderr).toBe('');
    },
    60 * SECONDS,
  );

  it(
    'logs --follow: every host followed at once, each line marked with its host and daemon; SIGINT ends it with exit 0',
    async () => {
      const follow = startCli(['logs', '-f', '-n', '1'], { env });
      try {
        for (const h of hosts) {
          const at = h.address.replace(/\./g, '\\.');
          await follow.waitFor(new RegExp(`^\\[${at}\\] zookeeper \\| `, 'm'), 60 * SECONDS);
          await follow.waitFor(new RegExp(`^\\[${at}\\] broker +\\| `, 'm'), 60 * SECONDS);
        }
        // A line written now, on the last host, arrives marked with that host.
        const last = hosts[2]!;
        const nonce = `ks-follow-${Date.now()}`;
        const w = await runAsUser(last, `printf '%s\\n' ${nonce} >> ~/${INSTALL}/logs/kafkaServer.out`);
        expect(w.code, w.stderr).toBe(0);
        await follow.waitFor(new RegExp(`^\\[${last.address.replace(/\./g, '\\.')}\\] broker +\\| ${nonce}$`, 'm'), 30 * SECONDS);
      } finally {
        // Ctrl-C, to the child by its pid.
        process.kill(follow.pid, 'SIGINT');
      }
      const r = await follow.result;
      expect(r.code, r.all).toBe(0);
      expect(
        r.stdout
          .split('\n')
          .filter(Boolean)
          .every((l) => /^\[[0-9.]+\] (zookeeper|broker +) \| /.test(l)),
        r.stdout,
      ).toBe(true);
      process.stderr.write(`cluster logs/uninstall: logs -f printed:\n${r.stdout}`);
    },
    120 * SECONDS,
  );

  it(
    'logs with a host that cannot be reached: its error marked with its address, the others shown, exit 1 naming it',
    async () => {
      // A fourth member that is gone: the saved profile names a server where nothing listens (refused at once).
      const address = '127.0.0.1';
      const path = profilePath('default', env);
      const saved = readFileSync(path, 'utf8');
      const profile = JSON.parse(saved) as { cluster: Array<Record<string, unknown>> };
      profile.cluster.push({ ...profile.cluster[0]!, id: 4, brokerId: 4, host: address, port: 1, advertisedHost: address });
      writeFileSync(path, JSON.stringify(profile));
      try {
        const r = await cli(['logs', 'broker', '-n', '1']);
        expect(r.code, r.all).toBe(1);
        for (const h of hosts) expect(hostLines(r.stdout, h), r.all).toHaveLength(1);
        expect(r.stderr, r.all).toContain(`[${address}] error:`);
        expect(r.stderr, r.all).toMatch(
          new RegExp(`^error: could not show the logs of ${address.replace(/\./g, '\\.')} \\(of the cluster's 4 hosts\\)`, 'm'),
        );
        process.stderr.write(`cluster logs/uninstall: logs with a host gone:\n${r.all}\n`);
      } finally {
        writeFileSync(path, saved);
      }
    },
    120 * SECONDS,
  );

  it(
    'uninstall --dry-run: three plans, each marked with its host; nothing changes',
    async () => {
      const before = await Promise.all(hosts.map(jvmPids));
      const r = await cli(['uninstall', '--dry-run']);
      expect(r.code, r.all).toBe(0);
      expect(r.stderr).not.toMatch(/this command acts on/);
      for (const h of hosts) {
        const own = hostLines(r.stdout, h);
        expect(own, r.stdout).toContain('uninstall would:');
        expect(own.join('\n'), r.stdout).toMatch(/^ {2}stop {5}the broker \(pid \d+\), then ZooKeeper \(pid \d+\)$/m);
        expect(own, r.stdout).toContain(`  remove   ${h.home}/${INSTALL} (Kafka, with its config files and logs)`);
      }
      expect(r.stdout).toContain("Dry run: nothing was changed on any of the cluster's 3 hosts.");
      expect(hosts.every(installed)).toBe(true);
      expect(await Promise.all(hosts.map(jvmPids))).toEqual(before);
      process.stderr.write(`cluster logs/uninstall: uninstall --dry-run printed:\n${r.stdout}`);
    },
    120 * SECONDS,
  );

  it(
    'uninstall without --yes and without a terminal: refused, nothing changes',
    async () => {
      const r = await cli(['uninstall', '--no-interactive']);
      expect(r.code, r.all).toBe(2);
      expect(r.stderr).toContain('error: pass --yes to uninstall the cluster without a prompt');
      expect(hosts.every(installed)).toBe(true);
    },
    120 * SECONDS,
  );

  it(
    'uninstall --yes: every host uninstalled, every JVM stopped, a line per host; again: nothing to remove anywhere',
    async () => {
      await collectJvms();
      const r = await cli(['uninstall', '--yes']);
      expect(r.code, r.all).toBe(0);
      for (const h of hosts) {
        expect(hostLines(r.stdout, h).join('\n'), r.stdout).toMatch(/\[done\] Uninstall Kafka — 2 JVMs stopped, 1 path removed/);
        expect(hostLines(r.stdout, h), r.stdout).toContain(`Kafka is uninstalled from ${h.address}.`);
        expect(r.stdout).toMatch(new RegExp(`^ {2}${h.address.replace(/\./g, '\\.')} +done — 2 JVMs stopped, 1 path removed`, 'm'));
        expect(installed(h)).toBe(false);
        expect(await jvmPids(h)).toEqual([]);
      }
      expect(r.stdout).toMatch(/Kafka is uninstalled from the cluster's 3 hosts\. The profile "default" still names them/);
      process.stderr.write(`cluster logs/uninstall: uninstall --yes printed:\n${r.stdout}`);

      const again = await cli(['uninstall', '--yes']);
      expect(again.code, again.all).toBe(0);
      for (const h of hosts) {
        expect(hostLines(again.stdout, h), again.stdout).toContain(
          `Nothing to remove: kafka-setup's Kafka is not installed on ${h.address} (${h.home}/${INSTALL}).`,
        );
        expect(hostLines(again.stdout, h).join('\n')).not.toMatch(/Uninstall Kafka/);
      }
      expect(again.stdout).toContain("Nothing to remove on any of the cluster's 3 hosts.");
      process.stderr.write(`cluster logs/uninstall: uninstall --yes again printed:\n${again.stdout}`);
    },
    300 * SECONDS,
  );
});
