import { describe, expect, it } from 'vitest';
import { EXIT_USAGE, UsageError } from '../../src/errors.js';
import { BROKER, EVERY_KIND as DAEMONS, KRAFT_NODE, ZOOKEEPER } from '../../src/kafka/daemons.js';
import { KRAFT_MODE, ZOOKEEPER_MODE } from '../../src/kafka/mode.js';
import { daemonsNamed, linesProblem, resolveLogsOptions } from '../../src/options/logs-options.js';
import { scratchDir } from '../support/scratch.js';

const deps = (): { env: NodeJS.ProcessEnv; stdin: { isTTY: boolean } } => ({
  env: { XDG_CONFIG_HOME: scratchDir('ks-cfg-') },
  stdin: { isTTY: false },
});

async function refusal(p: Promise<unknown>): Promise<UsageError> {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UsageError);
  expect((err as UsageError).exitCode).toBe(EXIT_USAGE);
  return err as UsageError;
}

describe('options of kafka-setup logs', () => {
  it('the daemon: broker or zookeeper, else both in the order they start', () => {
    expect(daemonsNamed(undefined)).toEqual(DAEMONS);
    expect(daemonsNamed('broker')).toEqual([BROKER]);
    expect(daemonsNamed('ZooKeeper')).toEqual([ZOOKEEPER]);
  });

  it.each(['kafka', '', 'broker,zookeeper', '\u001b[31mred'])('refuses the daemon %j, naming the valid ones', (name) => {
    expect(() => daemonsNamed(name)).toThrow(UsageError);
    expect(() => daemonsNamed(name)).toThrow(/not a daemon kafka-setup runs; name zookeeper or broker/);
    expect(() => daemonsNamed(name)).not.toThrow(/\u001b/);
  });

  it("with the install's mode: 3.x runs both; Kafka 4 (KRaft) its one JVM, named broker, and refuses zookeeper saying why", () => {
    expect(daemonsNamed(undefined, ZOOKEEPER_MODE)).toEqual([ZOOKEEPER, BROKER]);
    expect(daemonsNamed(undefined, KRAFT_MODE)).toEqual([KRAFT_NODE]);
    expect(daemonsNamed('broker', KRAFT_MODE)).toEqual([KRAFT_NODE]);
    expect(() => daemonsNamed('zookeeper', KRAFT_MODE)).toThrow(
      /^Kafka 4 runs without ZooKeeper \(KRaft\): there is no zookeeper log; name broker$/,
    );
    expect(() => daemonsNamed('zookeeper', KRAFT_MODE)).toThrow(UsageError);
  });

  it.each(['1', '50', '100000', '007'])('-n %s is a number of lines', (v) => {
    expect(linesProblem(v)).toBeUndefined();
  });

  it.each(['0', '-5', '100001', '1e3', '2.5', ' 5', 'ten', '', '0x10', '9999999999'])('-n %j is refused with the range', (v) => {
    expect(linesProblem(v)).toMatch(/is not a number of lines; use a whole number from 1 to 100000/);
  });

  it('resolves the connection like every host command, and the defaults: 50 lines, not following', async () => {
    const o = await resolveLogsOptions('broker', { host: '203.0.113.10', key: '~/k.pem' }, deps());
    expect(o).toMatchObject({
      daemons: [BROKER],
      lines: 50,
      follow: false,
      installDir: '~/kafka_2.12-3.1.0',
      connection: { host: '203.0.113.10', user: 'ec2-user' },
    });
    const f = await resolveLogsOptions(
      undefined,
      { host: '203.0.113.10', key: '~/k.pem', lines: '7', follow: true, installDir: '/opt/kafka' },
      deps(),
    );
    expect(f).toMatchObject({ daemons: DAEMONS, lines: 7, follow: true, installDir: '/opt/kafka' });
  });

  it('a bad daemon or -n is refused before anything else is asked or resolved (no host needed)', async () => {
    const daemon = await refusal(resolveLogsOptions('kafka', {}, deps()));
    expect(daemon.message).toMatch(/"kafka" is not a daemon/);
    expect(daemon.hint).toMatch(/kafka-setup logs broker/);
    // Like every flag's: the reporter's usage hint (correct it; --help describes every flag).
    expect((await refusal(resolveLogsOptions('broker', { lines: '0' }, deps()))).message).toMatch(/^--lines: "0" is not a number of lines/);
  });
});
