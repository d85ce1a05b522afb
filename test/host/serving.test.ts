import { describe, expect, it } from 'vitest';
import { configuredListeners, hasInternalListener } from '../../src/checks/host-checks.js';
import { judgeServing, waitServing } from '../../src/host/serving.js';
import type { Session } from '../../src/remote/session.js';

const withProps = (text: string): string => text;

describe('serving: the broker in its own metadata', () => {
  it('is judged by the broker id once the probe has read it', () => {
    const answer = { state: 'listed' as const, brokers: [1], controllerId: 1 };
    expect(judgeServing(answer, 0).state).toBe('absent');
    expect(judgeServing(answer, 1).state).toBe('listed');
    expect(judgeServing({ state: 'absent', brokers: [], controllerId: -1 }, undefined).state).toBe('absent');
    expect(judgeServing({ state: 'unknown', reason: 'x' }, 0).state).toBe('unknown');
  });

  it('a session that cannot forward leaves it undecided (never a failure)', async () => {
    const noForward = {
      host: 'h',
      stats: { connections: 1, commands: 0 },
      run: () => Promise.reject(new Error('no')),
      close() {},
    } as Session;
    expect(await waitServing(noForward, 0, 1000)).toMatchObject({ state: 'unknown', reason: 'this connection cannot forward ports' });
  });
});

describe('listeners as server.properties says', () => {
  it("clients are told the external listener only; the internal one is the controller's", () => {
    const ours = withProps(
      'listeners=PLAINTEXT://:9092,INTERNAL://127.0.0.1:9093\nadvertised.listeners=PLAINTEXT://203.0.113.10:9092,INTERNAL://127.0.0.1:9093\ninter.broker.listener.name=INTERNAL\n',
    );
    expect(configuredListeners(ours)).toEqual([{ host: '203.0.113.10', port: 9092 }]);
    expect(hasInternalListener(ours)).toBe(true);
  });

  it("one listener for everything (the seed's way): no internal listener", () => {
    const seed = withProps('advertised.listeners=PLAINTEXT://203.0.113.10:9092\n');
    expect(configuredListeners(seed)).toEqual([{ host: '203.0.113.10', port: 9092 }]);
    expect(hasInternalListener(seed)).toBe(false);
    // Named, but not among the listeners: still none of its own.
    expect(hasInternalListener(withProps('advertised.listeners=PLAINTEXT://a:9092\ninter.broker.listener.name=INTERNAL\n'))).toBe(false);
  });
});
