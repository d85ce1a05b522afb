import { describe, expect, it } from 'vitest';
import { controllerBootstrap, directoryIdOf, initialControllers } from '../../src/kafka/kraft-quorum.js';
import { kraftMode } from '../../src/kafka/mode-kraft.js';

const view = {
  self: 2,
  clusterId: 'tvz45AyKhMRbOhpz8_5ovg',
  members: [
    { id: 3, brokerId: 3, address: '10.0.0.3' },
    { id: 1, brokerId: 1, address: '10.0.0.1' },
    { id: 2, brokerId: 2, address: '10.0.0.2' },
  ],
};

describe('the KRaft quorum of a cluster', () => {
  it('a voter\'s directory id: the same for the same cluster and node, a valid Uuid, never a leading "-"', () => {
    const id = directoryIdOf(view.clusterId, 1);
    expect(id).toBe(directoryIdOf(view.clusterId, 1));
    expect(id).not.toBe(directoryIdOf(view.clusterId, 2));
    expect(id).not.toBe(directoryIdOf('MkU3OEVBNTcwNTJENDM2Qk', 1));
    for (let n = 0; n < 200; n++) expect(directoryIdOf(`c${n}`, n)).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{21}$/);
  });

  it('every node gets the same --initial-controllers and bootstrap servers, in id order', () => {
    expect(controllerBootstrap(view)).toBe('10.0.0.1:9094,10.0.0.2:9094,10.0.0.3:9094');
    expect(initialControllers(view, view.clusterId)).toBe(
      [1, 2, 3].map((n) => `${n}@10.0.0.${n}:9094:${directoryIdOf(view.clusterId, n)}`).join(','),
    );
    expect(initialControllers({ ...view, members: [...view.members].reverse() }, view.clusterId)).toBe(
      initialControllers(view, view.clusterId),
    );
  });

  it("a member's settings: its node id, every voter, the controller bound everywhere and advertised privately, three copies", () => {
    const [[file, settings]] = kraftMode.settings({ advertisedHost: '203.0.113.2', dataDir: '/home/u/kafka-data', cluster: view }) as [
      [string, Array<[string, string]>],
    ];
    expect(file).toBe('server.properties');
    const s = Object.fromEntries(settings);
    expect(s).toMatchObject({
      'process.roles': 'broker,controller',
      'node.id': '2',
      'controller.quorum.bootstrap.servers': '10.0.0.1:9094,10.0.0.2:9094,10.0.0.3:9094',
      'controller.listener.names': 'CONTROLLER',
      'min.insync.replicas': '2',
      'default.replication.factor': '3',
      'offsets.topic.replication.factor': '3',
      'share.coordinator.state.topic.replication.factor': '3',
      'share.coordinator.state.topic.min.isr': '2',
    });
    expect(s.listeners).toBe('PLAINTEXT://:9092,INTERNAL://:9093,CONTROLLER://:9094');
    expect(s['advertised.listeners']).toBe('PLAINTEXT://203.0.113.2:9092,INTERNAL://10.0.0.2:9093,CONTROLLER://10.0.0.2:9094');
    expect(s).not.toHaveProperty('controller.quorum.voters');
  });
});
