import { describe, expect, it } from 'vitest';
import { configuredListeners, hostChecks } from '../../src/checks/host-checks.js';
import { RemoteHost } from '../../src/host/remote-host.js';
import { formatApiVersions } from '../../src/kafka/api-versions.js';
import { ZOOKEEPER_MODE } from '../../src/kafka/mode.js';
import { parseBootstrap } from '../../src/options/verify-options.js';
import { ScriptedSession } from '../host/scripted-session.js';

const INSTALL = '/home/ec2-user/kafka_2.12-3.1.0';
const props = Buffer.from('broker.id=0\nadvertised.listeners=PLAINTEXT://broker.invalid:9092\nzookeeper.connect=localhost:2181\n').toString(
  'base64',
);
const java = (pid: number, main: string, conf: string): string =>
  `java=${pid} 100 /usr/bin/java -Xmx256m -cp /x ${main} ${INSTALL}/config/${conf}`;

function sections(opts: { broker?: boolean; ids?: string; logs?: string[]; brokerIdLine?: string }): string {
  return [
    '::ks:: install',
    `path=${INSTALL}`,
    'state=kafka',
    '::ks:: ports',
    'listening=2181',
    'listening=9092',
    '::ks:: jvms',
    'now=1000',
    java(10, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', 'zookeeper.properties'),
    ...(opts.broker === false ? [] : [java(11, 'kafka.Kafka', 'server.properties')]),
    '::ks:: jps',
    'jps=10 org.apache.zookeeper.server.quorum.QuorumPeerMain',
    ...(opts.broker === false ? [] : ['jps=11 kafka.Kafka']),
    '::ks:: file server.properties',
    `path=${INSTALL}/config/server.properties`,
    `content=${opts.brokerIdLine ? Buffer.from(Buffer.from(props, 'base64').toString().replace('broker.id=0', opts.brokerIdLine)).toString('base64') : props}`,
    '::ks:: zookeeper',
    'connect=localhost:2181',
    'rc=0',
    `ids=${opts.ids ?? '[0]'}`,
    '::ks:: logs',
    `file=${INSTALL}/logs/server.log`,
    ...(opts.logs ?? []).map((l) => `line=server.log: ${l}`),
  ].join('\n');
}

/** What verify sees on a host that prints `text`, through the real verify operation. */
function seen(text: string) {
  return new RemoteHost(new ScriptedSession({ verify: text }), {
    options: { installDir: INSTALL },
    dist: { kafkaVersion: '3.1.0', scalaVersion: '2.12' },
  }).verify(ZOOKEEPER_MODE);
}

async function run(text: string) {
  return hostChecks(await seen(text));
}

describe('verify on the host', () => {
  it('passes a healthy host', async () => {
    expect((await run(sections({}))).map((c) => [c.id, c.status])).toEqual([
      ['jvms', 'pass'],
      ['registered', 'pass'],
      ['logs', 'pass'],
    ]);
  });

  it('names the broker when it is not running, and says how to start it', async () => {
    const checks = await run(sections({ broker: false, ids: '[]' }));
    expect(checks[0]).toMatchObject({ status: 'fail', detail: 'the broker (Kafka) is not running' });
    expect(checks[0]!.fix).toMatch(/kafka-setup init/);
    expect(checks[1]).toMatchObject({ id: 'registered', status: 'fail' });
  });

  it('a broker that picks its own id (broker.id=-1) counts as registered under the id it picked', async () => {
    const checks = await run(sections({ brokerIdLine: 'broker.id=-1', ids: '[1001]' }));
    expect(checks[1]).toMatchObject({ id: 'registered', status: 'pass', detail: '/brokers/ids = [1001] at localhost:2181, broker.id=-1' });
    expect((await run(sections({ brokerIdLine: 'broker.id=-1', ids: '[]' })))[1]).toMatchObject({
      status: 'fail',
      detail: '/brokers/ids is [], without broker.id=-1',
    });
  });

  it('shows recent ERROR lines as a warning', async () => {
    const checks = await run(sections({ logs: ['[2026-11-24 10:00:00,000] ERROR boom (kafka.server.KafkaServer)'] }));
    expect(checks[2]).toMatchObject({ id: 'logs', status: 'warn' });
    expect(checks[2]!.detail).toContain('ERROR boom');
  });

  it('reads the configured advertised listeners', async () => {
    expect(configuredListeners((await seen(sections({}))).facts.serverProperties)).toEqual([{ host: 'broker.invalid', port: 9092 }]);
  });

  it('a host whose script printed no zookeeper section is an error, not a check that passes on defaults', async () => {
    await expect(seen(sections({}).replace(/::ks:: zookeeper[\s\S]*?(?=::ks:: logs)/, ''))).rejects.toThrow(
      'the verify script on the host printed no zookeeper section',
    );
  });
});

describe('verify from here', () => {
  it('parses --bootstrap', () => {
    expect(parseBootstrap('203.0.113.10:9093')).toEqual({ host: '203.0.113.10', port: 9093 });
    expect(parseBootstrap('kafka.example.com')).toEqual({ host: 'kafka.example.com', port: 9092 });
    expect(parseBootstrap('[2001:db8::1]:9092')).toEqual({ host: '2001:db8::1', port: 9092 });
    expect(() => parseBootstrap('a b:1')).toThrow(/--bootstrap/);
    expect(() => parseBootstrap('h:99999')).toThrow(/--bootstrap/);
  });

  it('prints ApiVersions like kafka-broker-api-versions.sh', () => {
    expect(
      formatApiVersions('h:9092', 0, null, [
        { apiKey: 1, minVersion: 0, maxVersion: 13, usable: 11 },
        { apiKey: 0, minVersion: 0, maxVersion: 9, usable: 7 },
        { apiKey: 67, minVersion: 0, maxVersion: 0 },
      ]),
    ).toEqual([
      'h:9092 (id: 0 rack: null) -> (',
      '\tProduce(0): 0 to 9 [usable: 7],',
      '\tFetch(1): 0 to 13 [usable: 11],',
      '\tAllocateProducerIds(67): 0',
      ')',
    ]);
  });
});
