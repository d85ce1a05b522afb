/**
 * Kafka 4 (KRaft, one JVM) on the other kinds of target host, one 4.x version and one host per kind:
 * the truly fresh Debian host (init installs Java for real), the network-namespace host that cannot
 * reach its own address on 9092 (as a security group may have it). The real systemd host is
 * kraft-systemd.test.ts's (it runs in the parallel project, beside this one).
 */
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { runCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { chrootJvms, type FreshHost, startFreshHost, stopFreshHost } from './support/fresh-host.js';
import { changedNothing, consume, literally, produce } from './support/kraft.js';
import {
  BRIDGE_ADDRESS,
  type NetnsHost,
  netnsHostFlags,
  netnsUnavailable,
  probeTcp,
  rejectOwnTraffic,
  relayFromBridge,
  startNetnsHost,
  stopNetnsHost,
} from './support/netns-host.js';
import { resetHost } from './support/reset.js';

const MINUTES = 60_000;
const netnsMissing = await netnsUnavailable();
async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describeE2e('KRaft (4.4.0) on a truly fresh Debian 12 host: Java installed by init', () => {
  const VERSION = '4.4.0';
  let fresh: FreshHost | undefined;
  let dir = '';
  const the = (): FreshHost => {
    if (!fresh) throw new Error('the fresh host did not start');
    return fresh;
  };
  const init = (): string[] => [
    'init',
    '--host',
    '127.0.0.1',
    '--port',
    String(the().sshPort),
    '--user',
    the().user,
    '--key',
    the().keyPath,
    '--known-hosts',
    join(dir, 'known_hosts'),
    '--kafka-version',
    VERSION,
    '--mirror',
    e2e().mirror.good,
    '--heap',
    '256m',
    '--yes',
  ];
  const env = (): Record<string, string> => ({ XDG_CONFIG_HOME: join(dir, 'config') });
  const jvms = async (): Promise<string> => chrootJvms(the());

  beforeAll(async () => {
    // The fresh host's Kafka binds 9092 on this machine's loopback, like the main e2e host's.
    await resetHost(e2e().host);
    for (const port of [9092, 9093, 9094])
      if (await portInUse(port)) throw new Error(`port ${port} is in use on this machine: the fresh host's Kafka needs it`);
    dir = scratchDir('ks-kraft-fresh-');
    fresh = await startFreshHost();
  }, 10 * MINUTES);

  afterAll(async () => {
    if (fresh) await stopFreshHost(fresh);
  });

  it(
    'init installs Java, formats the storage and starts one JVM; a message goes round',
    async () => {
      const started = Date.now();
      const r = await runCli(init(), { env: env(), timeoutMs: 15 * MINUTES });
      process.stderr.write(`kraft hosts: fresh Debian init ${VERSION} with Java in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      expect(r.code, r.all).toBe(0);
      expect(r.stdout).toMatch(/^\[done\] Install Java — installed openjdk-17-jdk-headless/m);
      expect(r.stdout).toMatch(/^\[done\] Format the storage \(KRaft\) — formatted .*kafka-logs for cluster [A-Za-z0-9_-]{22}/m);
      expect(r.stdout).toMatch(/^\[done\] Check with jps — Kafka \(pid \d+\) is running/m);
      expect((await jvms()).split('\n')).toEqual([expect.stringMatching(/^\d+ kafka\.Kafka$/)]);
      await produce('127.0.0.1:9092', 'fresh-kraft', 'hello from a fresh host');
      expect(await consume('127.0.0.1:9092', 'fresh-kraft')).toEqual(['hello from a fresh host']);
    },
    20 * MINUTES,
  );

  it(
    'a re-run changes nothing (same JVM); verify passes',
    async () => {
      const before = await jvms();
      const r = await runCli(init(), { env: env() });
      expect(r.code, r.all).toBe(0);
      changedNothing(r.stdout);
      expect(await jvms()).toBe(before);
      const v = await runCli(['verify'], { env: env() });
      expect(v.code, v.all).toBe(0);
      expect(v.stdout).toMatch(/verify: all \d+ checks passed/);
    },
    5 * MINUTES,
  );
});

(netnsMissing ? describe.skip : describeE2e)(
  'KRaft (4.1.1) on a host that cannot reach its own address on 9092 (network namespace)',
  () => {
    const VERSION = '4.1.1';
    let h: NetnsHost | undefined;
    let relay: Awaited<ReturnType<typeof relayFromBridge>> | undefined;
    let env: Record<string, string>;
    let knownHosts: string;
    const the = (): NetnsHost => {
      if (!h) throw new Error('the netns host did not start');
      return h;
    };
    const mirror = (): string => {
      // The mirror listens on this machine's loopback; the host reaches it through a relay on the bridge.
      const url = new URL(e2e().mirror.good);
      url.hostname = BRIDGE_ADDRESS;
      url.port = String(relay!.port);
      return url.toString().replace(/\/$/, '');
    };

    beforeAll(async () => {
      const dir = scratchDir('ks-kraft-netns-');
      env = { XDG_CONFIG_HOME: join(dir, 'config') };
      knownHosts = join(dir, 'known_hosts');
      h = await startNetnsHost();
      relay = await relayFromBridge(Number(new URL(e2e().mirror.good).port));
      await rejectOwnTraffic(h, 9092);
    });

    afterAll(async () => {
      await relay?.close();
      if (h) await stopNetnsHost(h);
    });

    it(
      "init serves at the host's address (its controller on the loopback), a message goes round, verify passes",
      async () => {
        const r = await runCli(
          ['init', ...netnsHostFlags(the(), knownHosts), '--kafka-version', VERSION, '--mirror', mirror(), '--heap', '256m', '--yes'],
          { env },
        );
        expect(r.code, r.all).toBe(0);
        expect(r.stdout).toMatch(
          new RegExp(
            `\\[done\\] Start Kafka \\(broker and controller\\) — .*serving at ${literally(the().address)}:9092, in its own metadata as the controller`,
          ),
        );
        expect(r.all).not.toMatch(/not reachable/);
        // The rule is really there: the host still cannot reach itself.
        expect(await probeTcp(the().address, 9092, { from: the(), timeoutMs: 1000 })).toBe('refused');
        await produce(`${the().address}:9092`, 'netns-kraft', 'past the hairpin');
        expect(await consume(`${the().address}:9092`, 'netns-kraft')).toEqual(['past the hairpin']);
        const v = await runCli(['verify'], { env });
        expect(v.code, v.all).toBe(0);
        expect(v.stdout).toMatch(/Controller quorum has a leader/);
        expect(v.stdout).toMatch(/verify: all \d+ checks passed/);
      },
      10 * MINUTES,
    );
  },
);
