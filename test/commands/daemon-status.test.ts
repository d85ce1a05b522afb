/** What `status` says of each JVM, from the probe's facts (FakeHost): per mode, 3.x's lines unchanged. */
import { describe, expect, it } from 'vitest';
import { hostStatus, quorumStatus, statusLines } from '../../src/commands/daemon-status.js';
import { FakeHost, type FakeHostState, freshDebian, INSTALL } from '../host/fake-host.js';

const DATA = '/home/ec2-user/kafka-data';

async function status(state: Partial<FakeHostState>, kafkaVersion: string) {
  const { facts } = await new FakeHost(freshDebian({ install: 'kafka', ...state })).probe({ urls: [], lock: false });
  return hostStatus(facts, { host: 'fake', kafkaVersion }, { state: 'listed', brokers: [1], controllerId: 1 });
}

/** The line of a JVM without its uptime (it depends on this machine's clock: the fake host reads none). */
const steady = (line: string): string =>
  line
    .split('   ')
    .filter((p) => !p.startsWith('up '))
    .join('   ');

describe('status', () => {
  it('Kafka 4 (KRaft): one line for its one JVM, named as init names it, with its three ports and its data; no ZooKeeper, no /tmp/zookeeper', async () => {
    const s = await status(
      {
        files: {
          bashrc: { content: '', mtime: 1 },
          'server.properties': { content: `process.roles=broker,controller\nnode.id=1\nlog.dirs=${DATA}/kafka-logs\n`, mtime: 2 },
          'zookeeper.properties': undefined,
        },
        jvms: [{ pid: 300, started: 1_700_000_000, main: 'kafka.Kafka', args: `${INSTALL}/config/server.properties -Xmx256m` }],
        listening: [9092, 9093, 9094],
        data: { [`${DATA}/kafka-logs`]: 2048 },
      },
      '4.4.0',
    );
    expect(s.daemons).toHaveLength(1);
    expect(s.daemons[0]).toMatchObject({
      kind: 'broker',
      name: 'Kafka (broker and controller)',
      running: true,
      pid: 300,
      heap: '256m',
      listening: [9092, 9093, 9094],
      serving: 'in its own metadata',
    });
    expect(s.daemons[0]!.data).toEqual([{ path: `${DATA}/kafka-logs`, kib: 2048 }]);
    const lines = statusLines(s);
    expect(lines[0]).toBe(`Kafka 4.4.0 in ${INSTALL} on fake`);
    expect(steady(lines[1]!)).toBe(
      `  Kafka (broker and controller)  running   pid 300   heap -Xmx256m   listening 9092, 9093, 9094   not started at boot (-daemon)   data ${DATA}/kafka-logs 2 MiB   in its own metadata`,
    );
    expect(lines.join('\n')).not.toMatch(/zookeeper/i);
  });

  it('Kafka 4 stopped: not running, its data still shown', async () => {
    const s = await status(
      {
        files: {
          bashrc: { content: '', mtime: 1 },
          'server.properties': { content: `node.id=1\nlog.dirs=${DATA}/kafka-logs\n`, mtime: 2 },
          'zookeeper.properties': undefined,
        },
        data: { [`${DATA}/kafka-logs`]: 2048 },
      },
      '4.4.0',
    );
    expect(statusLines(s)[1]).toBe(
      `  Kafka (broker and controller)  not running   not started at boot (-daemon)   data ${DATA}/kafka-logs 2 MiB`,
    );
  });

  it('3.x: ZooKeeper and the broker, named as before, each with its own data', async () => {
    const s = await status(
      {
        files: {
          bashrc: { content: '', mtime: 1 },
          'server.properties': { content: `broker.id=0\nlog.dirs=${DATA}/kafka-logs\n`, mtime: 2 },
          'zookeeper.properties': { content: `dataDir=${DATA}/zookeeper\n`, mtime: 2 },
        },
        jvms: [{ pid: 300, started: 1_700_000_000, main: 'kafka.Kafka', args: `${INSTALL}/config/server.properties -Xmx400m` }],
        listening: [9092, 9093],
        data: { [`${DATA}/kafka-logs`]: 2048, [`${DATA}/zookeeper`]: 64 },
      },
      '3.1.0',
    );
    const lines = statusLines(s);
    expect(lines[1]).toBe(`  ZooKeeper  not running   not started at boot (-daemon)   data ${DATA}/zookeeper 1 MiB`);
    expect(steady(lines[2]!)).toBe(
      `  broker     running   pid 300   heap -Xmx400m   listening 9092, 9093   not started at boot (-daemon)   data ${DATA}/kafka-logs 2 MiB   in its own metadata`,
    );
  });
});

describe('status of a KRaft cluster node: its place in the controller quorum', () => {
  const replicas = [
    { id: 1, status: 'leader' as const, lag: 0, logEndOffset: 50, lastFetchMs: 100_000, lastCaughtUpMs: 100_000 },
    { id: 2, status: 'follower' as const, lag: 3, logEndOffset: 47, lastFetchMs: 99_800, lastCaughtUpMs: 99_700 },
  ];
  const q = { answered: true as const, leaderId: 1, epoch: undefined, maxLag: 3, voters: [1, 2], replicas };
  it("role, leader and lag, from the leader's rows, by its own node.id; additive in --json", async () => {
    const { facts } = await new FakeHost(
      freshDebian({
        install: 'kafka',
        files: {
          bashrc: { content: '', mtime: 1 },
          'server.properties': { content: 'node.id=2\n', mtime: 2 },
          'zookeeper.properties': undefined,
        },
      }),
    ).probe({ urls: [], lock: false });
    const s = hostStatus(facts, { host: 'b', kafkaVersion: '4.4.0' }, undefined, q);
    expect(s.quorum).toEqual({ role: 'follower', nodeId: 2, leaderId: 1, lag: 3, fetchedAgoMs: 200, caughtUp: true });
    expect(statusLines(s).at(-1)).toBe('  quorum  follower (node 2)   leader 1   lag 3, fetched 0.2 s ago');
    expect(hostStatus(facts, { host: 'b', kafkaVersion: '4.4.0' }, undefined).quorum).toBeUndefined();
  });
  it('the leader, a node not in the answer, and no answer', () => {
    expect(quorumStatus(q, 1)).toMatchObject({ role: 'leader', leaderId: 1, lag: 0 });
    expect(quorumStatus(q, 3)).toEqual({ role: 'absent', nodeId: 3, leaderId: 1, lag: null, fetchedAgoMs: null, caughtUp: null });
    expect(quorumStatus({ answered: false, reason: 'nothing listens on 127.0.0.1:9094' }, 1)).toEqual({
      role: null,
      reason: 'nothing listens on 127.0.0.1:9094',
    });
  });
});
