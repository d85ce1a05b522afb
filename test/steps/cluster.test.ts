import { describe, expect, it } from 'vitest';
import type { ClusterView } from '../../src/kafka/cluster.js';
import { ZOOKEEPER_MODE } from '../../src/kafka/mode.js';
import { getProperty } from '../../src/kafka/properties.js';
import type { InitOptions } from '../../src/options/init-options.js';
import { initSteps } from '../../src/steps/plan.js';
import { runSteps } from '../../src/steps/runner.js';
import type { StepContext } from '../../src/steps/types.js';
import { createReporter } from '../../src/ui/reporter.js';
import { FakeHost, freshDebian } from '../host/fake-host.js';
import { initOptions } from '../support/init-options.js';

const options: InitOptions = initOptions({ host: '203.0.113.11', advertisedHost: 'kafka-2.example.com' });
const quiet = createReporter({ tty: false, color: false, verbose: false, quiet: true, err: { write: () => true } as never });
const three: ClusterView = {
  self: 2,
  members: [
    { id: 1, brokerId: 1, address: '10.0.0.11' },
    { id: 2, brokerId: 2, address: '10.0.0.12' },
    { id: 3, brokerId: 3, address: '10.0.0.13' },
  ],
};

async function init(host: FakeHost, cluster: ClusterView | undefined) {
  const { facts } = await host.probe({ urls: ['https://m1/kafka/3.1.0/kafka_2.12-3.1.0.tgz'], lock: true });
  const ctx: StepContext = { options, host, dist: { kafkaVersion: '3.1.0', scalaVersion: '2.12' }, facts, cluster };
  const reports = await runSteps([...initSteps(ZOOKEEPER_MODE)], ctx, quiet, false);
  return Object.fromEntries(reports.map((r) => [r.id, r.outcome]));
}

describe('a member of a three-host cluster', () => {
  it('gets the ensemble, its ids, the internal listener on its private address and replication for three', async () => {
    const host = new FakeHost(freshDebian({ serverAddress: '10.0.0.12' }));
    await init(host, three);
    const server = host.state.files['server.properties']!.content;
    const prop = (k: string): string | undefined => getProperty(server, k);
    expect(prop('broker.id')).toBe('2');
    expect(prop('zookeeper.connect')).toBe('10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181');
    expect(prop('listeners')).toBe('PLAINTEXT://:9092,INTERNAL://:9093');
    expect(prop('advertised.listeners')).toBe('PLAINTEXT://kafka-2.example.com:9092,INTERNAL://10.0.0.12:9093');
    expect(prop('inter.broker.listener.name')).toBe('INTERNAL');
    expect([
      prop('offsets.topic.replication.factor'),
      prop('transaction.state.log.replication.factor'),
      prop('default.replication.factor'),
    ]).toEqual(['3', '3', '3']);
    expect([prop('min.insync.replicas'), prop('transaction.state.log.min.isr')]).toEqual(['2', '2']);
    const zk = host.state.files['zookeeper.properties']!.content;
    expect(getProperty(zk, 'server.1')).toBe('10.0.0.11:2888:3888');
    expect(getProperty(zk, 'server.3')).toBe('10.0.0.13:2888:3888');
    expect([getProperty(zk, 'initLimit'), getProperty(zk, 'syncLimit')]).toEqual(['10', '5']);
    expect(host.state.files.myid!.content).toBe('2\n');
  });

  it('a re-run with the same cluster changes nothing; one more member rewrites both configs and restarts both JVMs', async () => {
    const host = new FakeHost(freshDebian({ serverAddress: '10.0.0.12' }));
    await init(host, three);
    host.ran.length = 0;
    await init(host, three);
    expect(host.ran.map((s) => s.name)).toEqual(['probe']);
    const four: ClusterView = { ...three, members: [...three.members, { id: 4, brokerId: 4, address: '10.0.0.14' }] };
    host.ran.length = 0;
    const outcomes = await init(host, four);
    expect(outcomes).toMatchObject({ config: 'done', zookeeper: 'done', broker: 'done' });
    expect(getProperty(host.state.files['zookeeper.properties']!.content, 'server.4')).toBe('10.0.0.14:2888:3888');
    expect(host.state.files.myid!.content).toBe('2\n');
  });

  it('a single node keeps its loopback internal listener and no cluster settings', async () => {
    const host = new FakeHost(freshDebian());
    await init(host, undefined);
    const server = host.state.files['server.properties']!.content;
    expect(getProperty(server, 'listeners')).toBe('PLAINTEXT://:9092,INTERNAL://127.0.0.1:9093');
    expect(getProperty(server, 'min.insync.replicas')).toBeUndefined();
    expect(host.state.files.myid).toBeUndefined();
  });

  it('a single server with data becomes a member: its broker keeps the broker.id of its data, ZooKeeper takes its myid', async () => {
    const host = new FakeHost(freshDebian({ serverAddress: '10.0.0.12' }));
    await init(host, undefined);
    host.state.data = {
      ...(host.state.data ?? {}),
      '/home/ec2-user/kafka-data/zookeeper/version-2': 120,
      '/home/ec2-user/kafka-data/kafka-logs': 300,
    };
    const kept: ClusterView = { ...three, members: three.members.map((m) => (m.id === 2 ? { ...m, brokerId: 0 } : m)) };
    const outcomes = await init(host, kept);
    expect(outcomes).toMatchObject({ config: 'done', zookeeper: 'done', broker: 'done' });
    const server = host.state.files['server.properties']!.content;
    expect(getProperty(server, 'broker.id')).toBe('0');
    expect(getProperty(server, 'zookeeper.connect')).toBe('10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181');
    expect(host.state.files.myid!.content).toBe('2\n');
  });
});
