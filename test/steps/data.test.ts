import { describe, expect, it } from 'vitest';
import { StepError } from '../../src/errors.js';
import { ZOOKEEPER_MODE } from '../../src/kafka/mode.js';
import type { InitOptions } from '../../src/options/init-options.js';
import { initSteps } from '../../src/steps/plan.js';
import { runSteps } from '../../src/steps/runner.js';
import type { StepContext } from '../../src/steps/types.js';
import { createReporter } from '../../src/ui/reporter.js';
import { FakeHost, freshDebian, INSTALL } from '../host/fake-host.js';
import { initOptions } from '../support/init-options.js';

const options: InitOptions = initOptions();
const quiet = createReporter({ tty: false, color: false, verbose: false, quiet: true, err: { write: () => true } as never });

async function init(host: FakeHost, dryRun = false) {
  const { facts } = await host.probe({ urls: [], lock: !dryRun });
  const ctx: StepContext = { options, host, dist: { kafkaVersion: '3.1.0', scalaVersion: '2.12' }, facts };
  const reports = await runSteps([...initSteps(ZOOKEEPER_MODE)], ctx, quiet, dryRun);
  return { reports, outcomes: Object.fromEntries(reports.map((r) => [r.id, r.outcome])) };
}

/** A step's failure as the user reads it: the step's title, then what happened. */
async function failure(run: Promise<unknown>): Promise<string> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof StepError)) throw new Error(`expected a StepError, got ${String(err)}`);
  return err.headline;
}

/** A reader's install by hand, as the seed notes do it: shipped config, data in /tmp, both JVMs running. */
function handMade(data: Record<string, number>) {
  const zkArgs = 'config/zookeeper.properties';
  return freshDebian({
    tools: ['curl', 'tar', 'sha512sum', 'base64', 'java', 'jps'],
    install: 'kafka',
    files: {
      bashrc: { content: '# ~/.bashrc\n', mtime: 1 },
      'server.properties': { content: 'broker.id=0\nlog.dirs=/tmp/kafka-logs\n', mtime: 1 },
      'zookeeper.properties': { content: 'dataDir=/tmp/zookeeper\nclientPort=2181\n', mtime: 1 },
    },
    jvms: [
      { pid: 500, started: 10, main: 'org.apache.zookeeper.server.quorum.QuorumPeerMain', args: zkArgs, cwd: INSTALL },
      { pid: 501, started: 11, main: 'kafka.Kafka', args: 'config/server.properties', cwd: INSTALL },
    ],
    listening: [2181, 9092],
    data,
  });
}

const KAFKA_DATA = '/home/ec2-user/kafka-data';

describe('existing data', () => {
  it('a hand-made install: both JVMs stopped, both data directories moved, the config pointed there in the same round trip, both started', async () => {
    const host = new FakeHost(handMade({ '/tmp/kafka-logs': 2048, '/tmp/zookeeper': 1024 }));
    const { outcomes, reports } = await init(host);
    expect(host.ran.map((s) => s.name)).toEqual(['probe', 'write-files', 'move-data', 'start-zookeeper', 'start-broker']);
    expect(host.ran[1]!.written).toEqual(['/home/ec2-user/.bashrc']);
    const move = host.ran.find((s) => s.name === 'move-data')!;
    expect(move.stop).toEqual({ broker: 501, zookeeper: 500 });
    expect(move.moves!.map((m) => [m.from, m.to])).toEqual([
      ['/tmp/kafka-logs', `${KAFKA_DATA}/kafka-logs`],
      ['/tmp/zookeeper', `${KAFKA_DATA}/zookeeper`],
    ]);
    // The config that points at the new place travels with the move.
    expect(move.written).toHaveLength(2);
    expect(host.state.data).toEqual({ [`${KAFKA_DATA}/kafka-logs`]: 2048, [`${KAFKA_DATA}/zookeeper`]: 1024 });
    expect(outcomes).toMatchObject({ data: 'done', config: 'done', zookeeper: 'done', broker: 'done' });
    expect(reports.find((r) => r.id === 'data')!.detail).toBe(
      `moved Kafka's data /tmp/kafka-logs → ${KAFKA_DATA}/kafka-logs and ZooKeeper's data /tmp/zookeeper → ${KAFKA_DATA}/zookeeper (3 MiB; the broker and ZooKeeper stopped first, started again below)`,
    );
    // And the run after it has nothing to move.
    host.ran.length = 0;
    const again = await init(host);
    expect(host.ran.map((s) => s.name)).toEqual(['probe']);
    expect(again.outcomes.data).toBe('skipped');
  });

  it('only what holds data moves; empty places are simply configured', async () => {
    const host = new FakeHost(handMade({ '/tmp/zookeeper': 64 }));
    await init(host);
    const move = host.ran.find((s) => s.name === 'move-data')!;
    expect(move.moves!.map((m) => m.from)).toEqual(['/tmp/zookeeper']);
  });

  it('data at both places: refused before anything changes, naming both', async () => {
    const host = new FakeHost(handMade({ '/tmp/kafka-logs': 2048, [`${KAFKA_DATA}/kafka-logs`]: 4096 }));
    expect(await failure(init(host))).toContain(
      `Keep the existing data: both /tmp/kafka-logs (where the config points now) and ${KAFKA_DATA}/kafka-logs (where kafka-setup keeps it) hold Kafka data`,
    );
    expect(host.ran.map((s) => s.name)).toEqual(['probe']);
  });

  it("a data directory this user cannot read (root's, from a Kafka once run with sudo): refused, never taken for empty", async () => {
    const host = new FakeHost({ ...handMade({ '/tmp/zookeeper': 10 }), unreadable: ['/tmp/kafka-logs'] });
    expect(await failure(init(host))).toContain(
      "Keep the existing data: Kafka's data directory /tmp/kafka-logs cannot be read by ec2-user, so kafka-setup cannot tell whether it holds data to keep",
    );
    expect(host.ran.map((s) => s.name)).toEqual(['probe']);
  });

  it("another user's data at the place the config names (a default in /tmp, shared by every user): left where it is, named, never moved", async () => {
    // A second Kafka on the host, another user's, in Kafka's default places; this one's stock config names them too.
    const host = new FakeHost({
      ...handMade({ '/tmp/kafka-logs': 2048, '/tmp/zookeeper': 1024 }),
      jvms: [],
      listening: [],
      owners: { '/tmp/kafka-logs': { uid: 30001, name: 'bob' }, '/tmp/zookeeper': { uid: 30001, name: 'bob' } },
    });
    const { outcomes, reports } = await init(host);
    expect(host.ran.map((s) => s.name)).not.toContain('move-data');
    expect(outcomes.data).toBe('skipped');
    expect(reports.find((r) => r.id === 'data')!.detail).toBe(
      `no data elsewhere to move into ${KAFKA_DATA}; /tmp/kafka-logs left where it is (bob's, not this install's); /tmp/zookeeper left where it is (bob's, not this install's)`,
    );
    // The config now names kafka-setup's place; bob's data is untouched.
    expect(host.state.files['server.properties']?.content).toContain(`log.dirs=${KAFKA_DATA}/kafka-logs`);
    expect(host.state.data).toMatchObject({ '/tmp/kafka-logs': 2048, '/tmp/zookeeper': 1024 });
    // One of ours moves; the other user's beside it stays.
    const mixed = new FakeHost({
      ...handMade({ '/tmp/kafka-logs': 2048, '/tmp/zookeeper': 1024 }),
      owners: { '/tmp/zookeeper': { uid: 30001, name: 'bob' } },
    });
    const m = await init(mixed);
    expect(mixed.ran.find((s) => s.name === 'move-data')!.moves!.map((x) => x.from)).toEqual(['/tmp/kafka-logs']);
    expect(m.reports.find((r) => r.id === 'data')!.detail).toContain("; /tmp/zookeeper left where it is (bob's, not this install's)");
  });

  it("root's data where the config points (a Kafka once run with sudo): refused before anything stops, with both ways out", async () => {
    const host = new FakeHost({ ...handMade({ '/tmp/kafka-logs': 2048 }), owners: { '/tmp/kafka-logs': { uid: 0, name: 'root' } } });
    const err = await init(host).then(
      () => undefined,
      (e: unknown) => e as StepError,
    );
    expect(err!.headline).toContain(
      `Keep the existing data: Kafka's data directory /tmp/kafka-logs holds data and belongs to root (a Kafka once started with sudo?), so ec2-user cannot move it to ${KAFKA_DATA}/kafka-logs`,
    );
    expect(String(err!.hint)).toContain('sudo chown -R ec2-user: /tmp/kafka-logs');
    expect(String(err!.hint)).toContain(`point server.properties (log.dirs) at ${KAFKA_DATA}/kafka-logs`);
    expect(host.ran.map((s) => s.name)).toEqual(['probe']);
  });

  it("kafka-setup's own place owned by another user: refused, never written into", async () => {
    const host = new FakeHost({
      ...handMade({ '/tmp/kafka-logs': 2048, [`${KAFKA_DATA}/kafka-logs`]: 1 }),
      owners: { [`${KAFKA_DATA}/kafka-logs`]: { uid: 30001, name: 'bob' } },
    });
    expect(await failure(init(host))).toContain(
      `Keep the existing data: ${KAFKA_DATA}/kafka-logs, where kafka-setup keeps Kafka's data, belongs to bob, not to ec2-user`,
    );
    expect(host.ran.map((s) => s.name)).toEqual(['probe']);
  });

  it('several log.dirs with data: refused, never merged', async () => {
    const state = handMade({ '/data/a': 10, '/data/b': 10 });
    state.files['server.properties'] = { content: 'broker.id=0\nlog.dirs=/data/a,/data/b\n', mtime: 1 };
    const host = new FakeHost(state);
    await expect(init(host)).rejects.toThrow(/log\.dirs names 2 directories that hold data \(\/data\/a, \/data\/b\)/);
    expect(host.ran.map((s) => s.name)).toEqual(['probe']);
  });

  it('a dry run lists the stops and the moves, and changes nothing', async () => {
    const host = new FakeHost(handMade({ '/tmp/kafka-logs': 2048, '/tmp/zookeeper': 1024 }));
    const { reports } = await init(host, true);
    expect(host.ran.map((s) => s.name)).toEqual(['probe']);
    expect(reports.find((r) => r.id === 'data')!.detail).toBe(
      `would: move Kafka's data /tmp/kafka-logs → ${KAFKA_DATA}/kafka-logs and ZooKeeper's data /tmp/zookeeper → ${KAFKA_DATA}/zookeeper`,
    );
  });
});

describe('existing data, spelled differently', () => {
  it('log.dirs with a trailing slash and spaces names the same directory', async () => {
    const state = handMade({ '/var/lib/kafka//logs/': 10 });
    state.files['server.properties'] = { content: 'broker.id=0\nlog.dirs= /var/lib/kafka//logs/ \n', mtime: 1 };
    const host = new FakeHost(state);
    await init(host);
    expect(host.ran.find((s) => s.name === 'move-data')!.moves![0]!.from).toBe('/var/lib/kafka/logs');
  });
});

describe("kafka-setup's data directory is not readable by other local users", () => {
  /** A finished install, its data already in ~/kafka-data, both JVMs running with init's heap. */
  const finished = (dataMode: number) => {
    const zkHeap = '-Xmx256m';
    return freshDebian({
      tools: ['curl', 'tar', 'sha512sum', 'base64', 'java', 'jps'],
      install: 'kafka',
      files: {
        'server.properties': { content: `broker.id=0\nlog.dirs=${KAFKA_DATA}/kafka-logs\n`, mtime: 1 },
        'zookeeper.properties': { content: `dataDir=${KAFKA_DATA}/zookeeper\nclientPort=2181\n`, mtime: 1 },
      },
      data: { [`${KAFKA_DATA}/kafka-logs`]: 2048, [`${KAFKA_DATA}/zookeeper`]: 64 },
      dataMode,
      jvms: [
        {
          pid: 500,
          started: 10,
          main: 'org.apache.zookeeper.server.quorum.QuorumPeerMain',
          args: `${INSTALL}/config/zookeeper.properties ${zkHeap}`,
        },
        { pid: 501, started: 11, main: 'kafka.Kafka', args: `${INSTALL}/config/server.properties` },
      ],
      listening: [2181, 9092],
    });
  };

  it("an install made 0755: tightened once to 0750 in the data step's round trip, no JVM stopped; the next run changes nothing", async () => {
    const host = new FakeHost(finished(0o755));
    const dry = await init(host, true);
    const data = dry.reports.find((r) => r.id === 'data')!;
    expect(data.outcome).toBe('planned');
    host.ran.length = 0;
    const { reports } = await init(host);
    const move = host.ran.find((s) => s.name === 'move-data')!;
    expect(move).toMatchObject({ moves: [], stop: { broker: undefined, zookeeper: undefined }, tighten: KAFKA_DATA, written: [] });
    expect(reports.find((r) => r.id === 'data')!.detail).toBe(`${KAFKA_DATA} mode 0755 → 0750`);
    expect(host.state.dataMode).toBe(0o750);
    host.ran.length = 0;
    const again = await init(host);
    expect(host.ran.filter((s) => s.name === 'move-data')).toEqual([]);
    expect(again.outcomes.data).toBe('skipped');
  });

  it('0750 or stricter is done: no round trip', async () => {
    for (const mode of [0o750, 0o700]) {
      const host = new FakeHost(finished(mode));
      const { outcomes } = await init(host);
      expect(host.ran.filter((s) => s.name === 'move-data')).toEqual([]);
      expect(outcomes.data).toBe('skipped');
      expect(host.state.dataMode).toBe(mode);
    }
  });
});

describe('storage of the other mode', () => {
  it('a log directory formatted for KRaft (4.x) asked for 3.1.0: refused before any change, the step named, what to do said', async () => {
    const host = new FakeHost(freshDebian({ tools: ['curl', 'tar', 'sha512sum', 'base64', 'java', 'jps'] }));
    const { facts } = await host.probe({ urls: [], lock: true });
    const logs = `${KAFKA_DATA}/kafka-logs`;
    facts.dataDirs.set(logs, {
      path: logs,
      state: 'data',
      kib: 8,
      device: '2049',
      format: { version: 1, nodeId: 1, clusterId: 'MkU3OEVBNTcwNTJENDM2Qk' },
    });
    const ctx: StepContext = { options, host, dist: { kafkaVersion: '3.1.0', scalaVersion: '2.12' }, facts };
    const headline = await failure(runSteps([...initSteps(ZOOKEEPER_MODE)], ctx, quiet, false));
    expect(headline).toBe(
      `Keep the existing data: ${logs} is formatted for KRaft (Kafka 4.x, cluster MkU3OEVBNTcwNTJENDM2Qk); Kafka 3.1.0 runs with ZooKeeper and its broker cannot use it. Nothing was changed`,
    );
    expect(host.ran.map((s) => s.name)).toEqual(['probe']);
  });

  it("ZooKeeper-mode storage (version 0) is this mode's own: kept as it is", async () => {
    const host = new FakeHost(freshDebian({ tools: ['curl', 'tar', 'sha512sum', 'base64', 'java', 'jps'] }));
    const { facts } = await host.probe({ urls: [], lock: true });
    const logs = `${KAFKA_DATA}/kafka-logs`;
    facts.dataDirs.set(logs, {
      path: logs,
      state: 'data',
      kib: 8,
      device: '2049',
      brokerId: 0,
      format: { version: 0, nodeId: undefined, clusterId: 'MkU3OEVBNTcwNTJENDM2Qk' },
    });
    const ctx: StepContext = { options, host, dist: { kafkaVersion: '3.1.0', scalaVersion: '2.12' }, facts };
    await runSteps([...initSteps(ZOOKEEPER_MODE)], ctx, quiet, false);
    expect(host.ran.map((s) => s.name)).toContain('start-broker');
  });
});
