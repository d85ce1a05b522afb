/** The start shared by init and the day-two commands: start, then for the mode's broker, serve. */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { daemonHeapOpts, installedBrokerHeapMib, notServing, startAndServe } from '../../src/host/lifecycle.js';
import { BROKER, KRAFT_NODE, ZOOKEEPER } from '../../src/kafka/daemons.js';
import { KRAFT_MODE, ZOOKEEPER_MODE } from '../../src/kafka/mode.js';
import { FakeHost, freshDebian } from './fake-host.js';

async function host() {
  const h = new FakeHost(freshDebian({ install: 'kafka', tools: ['java', 'jps'] }));
  return { h, facts: (await h.probe({ urls: [], lock: false })).facts };
}

describe('starting a daemon, then serving', () => {
  it('starts ZooKeeper without asking for metadata; the broker is asked whether it serves', async () => {
    const { h, facts } = await host();
    const zk = await startAndServe(h, facts, {
      daemon: ZOOKEEPER,
      mode: ZOOKEEPER_MODE,
      service: 'none',
      heapOpts: '-Xmx256m -Xms256m',
      again: 'kafka-setup start',
    });
    expect(zk.serving).toBeUndefined();
    expect(zk.pid).toBeGreaterThan(0);
    const broker = await startAndServe(h, zk.facts, {
      daemon: BROKER,
      mode: ZOOKEEPER_MODE,
      service: 'none',
      heapOpts: '-Xmx256m -Xms256m',
      again: 'kafka-setup start',
    });
    expect(broker.serving?.state).toBe('unknown');
  });

  it('a daemon that runs and listens already is not started again: only asked', async () => {
    const { h, facts } = await host();
    const first = await startAndServe(h, facts, {
      daemon: KRAFT_NODE,
      mode: KRAFT_MODE,
      service: 'none',
      heapOpts: '-Xmx256m -Xms256m',
      again: 'kafka-setup start',
    });
    const starts = h.ran.filter((c) => c.name.startsWith('start-')).length;
    const again = await startAndServe(h, first.facts, {
      daemon: KRAFT_NODE,
      mode: KRAFT_MODE,
      service: 'none',
      heapOpts: '-Xmx256m -Xms256m',
      runningPid: first.pid,
      listening: true,
      again: 'kafka-setup start',
    });
    expect(h.ran.filter((c) => c.name.startsWith('start-')).length).toBe(starts);
    expect(again.pid).toBe(first.pid);
  });

  it('a broker that runs but is not in its own metadata: what to read, and the command to run again', () => {
    const e = notServing(KRAFT_NODE, 42, { state: 'absent', brokers: [], controllerId: -1 }, '/k/logs', 'kafka-setup start');
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toBe(
      'Kafka (broker and controller) (pid 42) runs but is not in its own metadata after 30 s (it lists no brokers): clients could not produce or consume',
    );
    expect(e.hint).toMatch(
      /read \/k\/logs\/controller\.log and \/k\/logs\/server\.log on the host\. Run kafka-setup start again once fixed$/,
    );
  });
});

describe('the heap rule, shared', () => {
  it("each JVM's heap from the broker's, as the mode sizes it; the installed one from ~/.bashrc's block", () => {
    expect(daemonHeapOpts(ZOOKEEPER_MODE, ZOOKEEPER, 1024)).toBe('-Xmx512m -Xms512m');
    expect(daemonHeapOpts(KRAFT_MODE, KRAFT_NODE, 1024)).toBe('-Xmx1g -Xms1g');
    const block = '# >>> kafka-setup: Kafka heap >>>\nexport KAFKA_HEAP_OPTS="-Xmx400m -Xms400m"\n# <<< kafka-setup: Kafka heap <<<\n';
    expect(
      installedBrokerHeapMib(
        { files: { bashrc: { path: '', content: block, mtime: 1, backup: false } } as never, memKib: 8 << 20 },
        KRAFT_MODE,
      ),
    ).toBe(400);
    expect(
      installedBrokerHeapMib(
        { files: { bashrc: { path: '', content: '', mtime: 1, backup: false } } as never, memKib: 8 << 20 },
        KRAFT_MODE,
      ),
    ).toBe(2048);
  });
});
