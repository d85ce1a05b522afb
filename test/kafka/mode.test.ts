import { describe, expect, it } from 'vitest';
import { newClusterId } from '../../src/kafka/cluster-id.js';
import { BROKER, KRAFT_NODE, ZOOKEEPER } from '../../src/kafka/daemons.js';
import { heapFitProblem, largestFittingHeapMib, memoryNeedMib } from '../../src/kafka/heap.js';
import { KRAFT_MODE, modeOf, ZOOKEEPER_MODE } from '../../src/kafka/mode.js';

const placement = { advertisedHost: '203.0.113.7', dataDir: '/home/ec2-user/kafka-data' };
const settingsOf = (m: typeof KRAFT_MODE): Record<string, Record<string, string>> =>
  Object.fromEntries(m.settings(placement).map(([file, s]) => [file, Object.fromEntries(s)]));

describe('the Kafka mode of a version', () => {
  it('3.x runs ZooKeeper, then the broker; 4.x one KRaft node, its storage formatted first', () => {
    for (const v of ['3.0.0', '3.1.0', '3.9.1']) expect(modeOf({ kafkaVersion: v })).toBe(ZOOKEEPER_MODE);
    for (const v of ['4.0.0', '4.1.1', '4.4.0']) expect(modeOf({ kafkaVersion: v })).toBe(KRAFT_MODE);
    expect(ZOOKEEPER_MODE.daemons).toEqual([ZOOKEEPER, BROKER]);
    expect(KRAFT_MODE.daemons).toEqual([KRAFT_NODE]);
    expect([ZOOKEEPER_MODE.formatsStorage, KRAFT_MODE.formatsStorage]).toEqual([false, true]);
    expect(KRAFT_MODE.scalaVersions).toEqual(['2.13']);
    // The broker's unit wants ZooKeeper's on 3.x; a KRaft node wants nothing.
    expect(ZOOKEEPER_MODE.wants(BROKER)).toBe(ZOOKEEPER);
    expect(KRAFT_MODE.wants(KRAFT_NODE)).toBeUndefined();
  });

  it('KRaft: a combined node whose controller is bound and advertised on the loopback, never the public address', () => {
    const s = settingsOf(KRAFT_MODE);
    expect(Object.keys(s)).toEqual(['server.properties']);
    expect(s['server.properties']).toEqual({
      'process.roles': 'broker,controller',
      'node.id': '1',
      'controller.quorum.bootstrap.servers': '127.0.0.1:9094',
      'controller.listener.names': 'CONTROLLER',
      listeners: 'PLAINTEXT://:9092,INTERNAL://127.0.0.1:9093,CONTROLLER://127.0.0.1:9094',
      'advertised.listeners': 'PLAINTEXT://203.0.113.7:9092,INTERNAL://127.0.0.1:9093,CONTROLLER://127.0.0.1:9094',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name': 'INTERNAL',
      'log.dirs': '/home/ec2-user/kafka-data/kafka-logs',
    });
  });

  it('ZooKeeper: both config files, as before the modes', () => {
    const s = settingsOf(ZOOKEEPER_MODE);
    expect(Object.keys(s)).toEqual(['server.properties', 'zookeeper.properties']);
    expect(s['server.properties']!.listeners).toBe('PLAINTEXT://:9092,INTERNAL://127.0.0.1:9093');
    expect(s['zookeeper.properties']).toEqual({ dataDir: '/home/ec2-user/kafka-data/zookeeper' });
  });

  it('each mode finds its data where its own release puts it by default', () => {
    const none = { 'server.properties': undefined, 'zookeeper.properties': undefined };
    expect(KRAFT_MODE.dataStores.map((d) => d.current(none))).toEqual([['/tmp/kraft-combined-logs']]);
    expect(ZOOKEEPER_MODE.dataStores.map((d) => d.current(none))).toEqual([['/tmp/kafka-logs'], ['/tmp/zookeeper']]);
  });

  it('heaps: ZooKeeper capped at its default, one JVM on KRaft', () => {
    expect(ZOOKEEPER_MODE.heapMib(ZOOKEEPER, 1024)).toBe(512);
    expect(ZOOKEEPER_MODE.heapMib(BROKER, 1024)).toBe(1024);
    expect(KRAFT_MODE.heapMib(KRAFT_NODE, 1024)).toBe(1024);
  });
});

describe('the memory check of each mode', () => {
  const micro = { memKib: 973 * 1024, swapKib: 0 };

  it('KRaft counts one JVM: a t2.micro fits a bigger heap than with ZooKeeper beside the broker', () => {
    expect(memoryNeedMib(400, KRAFT_MODE)).toBe(400 + 192 + 192);
    expect(largestFittingHeapMib(micro.memKib)).toBe(480);
    expect(largestFittingHeapMib(micro.memKib, KRAFT_MODE)).toBe(576);
    expect(heapFitProblem(512, micro, 'explicit', KRAFT_MODE)).toBeUndefined();
  });

  it('says what it counted, without a ZooKeeper that does not run', () => {
    const p = heapFitProblem(1024, micro, 'explicit', KRAFT_MODE)!;
    expect(p.problem).toBe(
      'the heap 1g does not fit this host: the broker (1g of heap plus ~192 MiB of JVM overhead) and the system (~192 MiB) need about 1.4 GiB, and the host has 973 MiB of memory and no swap',
    );
    expect(p.hint).toMatch(/^use --heap 576m or less/);
  });
});

describe('a new KRaft cluster id', () => {
  it('is a 22-character URL-safe base64 Uuid that never reads as an option', () => {
    const ids = Array.from({ length: 2000 }, () => newClusterId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
