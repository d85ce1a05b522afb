/** Probed hosts of a cluster, as the cluster's unit tests need them: only the facts the cluster code reads. */
import type { HostFacts } from '../../src/host/facts.js';

export const HOME = '/home/ec2-user';
const file = (content: string | undefined) => ({ path: '', content, mtime: undefined, backup: false });
/** A probed host: its address, and the data directories that hold data (with a log directory's broker.id). */
export const facts = (
  serverAddress: string | undefined,
  o: { data?: string[]; meta?: Record<string, number>; zk?: string; server?: string; myid?: string } = {},
): HostFacts =>
  ({
    serverAddress,
    install: { path: `${HOME}/kafka_2.12-3.1.0` },
    files: {
      'server.properties': file(o.server ?? (o.data ? 'broker.id=0\n' : undefined)),
      'zookeeper.properties': file(o.zk ?? (o.data ? 'dataDir=/home/ec2-user/kafka-data/zookeeper\n' : undefined)),
      myid: file(o.myid),
    },
    dataDirs: new Map((o.data ?? []).map((p) => [p, { path: p, state: 'data', kib: 1, device: '1', brokerId: o.meta?.[p] }])),
  }) as unknown as HostFacts;
export const SINGLE = [`${HOME}/kafka-data/zookeeper/version-2`, `${HOME}/kafka-data/kafka-logs`];
