/** A KRaft host's step context, its storage as the test says: what the storage and vote steps decide from. */
import { posix } from 'node:path';
import type { DataDirFact, HostFacts } from '../../src/host/facts.js';
import type { StepContext } from '../../src/steps/types.js';
import { FakeHost, freshDebian, INSTALL } from '../host/fake-host.js';
import { initOptions } from '../support/init-options.js';

// The fake's install is a 3.x one; the data directory beside it is what counts here.
export const HOME = posix.dirname(INSTALL);

const options = initOptions({ kafkaVersion: '4.1.1', scalaVersion: '2.13', installDir: '~/kafka_2.13-4.1.1' });

export const LOGS = `${HOME}/kafka-data/kafka-logs`;
export const ID = 'tvz45AyKhMRbOhpz8_5ovg';

export async function ctxWith(dirs: Array<Partial<DataDirFact> & { path: string }>, kept?: string): Promise<StepContext> {
  const host = new FakeHost(
    freshDebian({
      install: 'kafka',
      files: {
        bashrc: { content: '', mtime: 1 },
        'server.properties': { content: 'node.id=1\n', mtime: 1 },
        'zookeeper.properties': undefined,
      },
    }),
  );
  const { facts } = await host.probe({ urls: [], lock: false });
  const dataDirs = new Map(facts.dataDirs);
  for (const d of dirs) dataDirs.set(d.path, { state: 'data', kib: 0, device: '2049', ...d });
  const f: HostFacts = { ...facts, dataDirs, keptClusterId: kept };
  return { options, host, dist: { kafkaVersion: '4.1.1', scalaVersion: '2.13' }, facts: f };
}
