/**
 * A security group that admits 9092 only from the user's IP, as the README advises, on a target host
 * in its own network namespace: the instance cannot reach its own address (a firewall rule inside
 * the namespace drops it), and later this machine cannot reach it either (the port closed to it).
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { runCli } from './support/cli.js';
import { describeE2e, e2eMirror } from './support/context.js';
import { runAsUser } from './support/host.js';
import {
  BRIDGE_ADDRESS,
  closePort,
  type NetnsHost,
  netnsHostFlags,
  netnsUnavailable,
  openPort,
  probeTcp,
  rejectOwnTraffic,
  relayFromBridge,
  startNetnsHost,
  stopNetnsHost,
} from './support/netns-host.js';

const unavailable = await netnsUnavailable();
const INSTALL = 'kafka_2.12-3.1.0';

(unavailable ? describe.skip : describeE2e)('a security group that admits 9092 only from the user', () => {
  let h: NetnsHost;
  let relay: Awaited<ReturnType<typeof relayFromBridge>>;
  let env: Record<string, string>;
  let knownHosts: string;
  const mirror = (): string => {
    // The mirror listens on this machine's loopback; the host reaches it through a relay on the bridge.
    const url = new URL(e2eMirror().good);
    url.hostname = BRIDGE_ADDRESS;
    url.port = String(relay.port);
    return url.toString().replace(/\/$/, '');
  };
  const init = (): string[] => ['init', ...netnsHostFlags(h, knownHosts), '--mirror', mirror(), '--heap', '256m', '--yes'];
  const roundTrip = async (topic: string): Promise<string> => {
    const bootstrap = `${h.address}:9092`;
    await execa('kcat', ['-b', bootstrap, '-P', '-t', topic, '-m', '30'], { input: 'through the security group\n' });
    return (await execa('kcat', ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-c', '1', '-m', '30'])).stdout;
  };

  beforeAll(async () => {
    const dir = scratchDir('ks-sg-');
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
    knownHosts = join(dir, 'known_hosts');
    h = await startNetnsHost();
    relay = await relayFromBridge(Number(new URL(e2eMirror().good).port));
    // The instance's own traffic to its address on 9092 is dropped, as a security group drops it.
    await rejectOwnTraffic(h, 9092, { drop: true });
  });

  afterAll(async () => {
    await relay?.close();
    if (h) await stopNetnsHost(h);
  });

  it('the host cannot reach its own address: init still serves (the controller uses the internal listener), messages go round, verify passes', async () => {
    const r = await runCli(init(), { env });
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `\\[done\\] Start the broker — started: pid \\d+, serving at ${h.address.replace(/\./g, '\\.')}:9092, in its own metadata as the controller`,
      ),
    );
    expect(r.all).not.toMatch(/not reachable/);
    // The rule is really there: the host still cannot reach itself.
    expect(await probeTcp(h.address, 9092, { from: h, timeoutMs: 1000 })).toBe('timeout');
    expect(await roundTrip('sg-own-traffic')).toBe('through the security group');
    const v = await runCli(['verify'], { env });
    expect(v.code, v.all).toBe(0);
  });

  it('a broker configured the old way (clients and controller on one address): verify names the cause and the fix; init fixes it', async () => {
    const broker = /^(\d+) kafka\.Kafka$/m.exec((await runAsUser(h, 'jps -l')).stdout)?.[1];
    expect(broker).toBeTruthy();
    const oldWay = await runAsUser(
      h,
      [
        `cd ~/${INSTALL} && kill ${broker} && while kill -0 ${broker} 2>/dev/null; do sleep 0.2; done`,
        `sed -i -e '/^listener.security.protocol.map=/d' -e '/^inter.broker.listener.name=/d' -e 's|^listeners=.*|listeners=PLAINTEXT://:9092|' -e 's|^advertised.listeners=.*|advertised.listeners=PLAINTEXT://${h.address}:9092|' config/server.properties`,
        // Emptied first: -daemon truncates it only once the JVM is launched in the background, and
        // until then the old broker's "started" line would end the wait at once.
        ': > logs/kafkaServer.out',
        "KAFKA_HEAP_OPTS='-Xmx256m -Xms256m' bin/kafka-server-start.sh -daemon config/server.properties",
        'for i in $(seq 300); do grep -q "started (kafka.server.KafkaServer)" logs/kafkaServer.out 2>/dev/null && break; sleep 0.2; done',
        'grep -q "started (kafka.server.KafkaServer)" logs/kafkaServer.out || { tail -n 20 logs/kafkaServer.out >&2; exit 1; }',
      ].join(' && '),
    );
    expect(oldWay.code, oldWay.stderr).toBe(0);

    const v = await runCli(['verify', '--no-roundtrip'], { env });
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/Metadata.*the broker lists no brokers in its metadata: it is not in its own metadata/);
    expect(v.stdout).toContain(
      `its controller reaches it at ${h.address}:9092, the same address clients use, and the host cannot reach that address itself`,
    );
    expect(v.stdout).toContain('Run kafka-setup init: it gives the controller a listener of its own');

    const fixed = await runCli(init(), { env });
    expect(fixed.code, fixed.all).toBe(0);
    expect(fixed.stdout).toMatch(
      /\[done\] Start the broker — restarted \(server\.properties changed after it started\): pid \d+, serving at .*, in its own metadata/,
    );
    expect(await roundTrip('sg-fixed')).toBe('through the security group');
  });

  it('9092 closed to this machine: init ends with the exact inbound rule to add, and exits 0 (the host is set up)', async () => {
    await closePort(h, 9092);
    try {
      const r = await runCli(init(), { env });
      expect(r.code, r.all).toBe(0);
      expect(r.stdout).toContain('nothing needed to change');
      expect(r.all).toContain(`warning: ${h.address}:9092 is not reachable from this machine (no answer within 1 s`);
      expect(r.all).toContain(
        `Add an inbound rule to the instance's security group: type Custom TCP, port 9092, source ${BRIDGE_ADDRESS}/32 (this machine's address, as the host sees it)`,
      );
    } finally {
      await openPort(h, 9092);
    }
  });
});
