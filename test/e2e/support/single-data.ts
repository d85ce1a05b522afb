/**
 * What a single server holds before it becomes a cluster's first member, and the proof that the
 * cluster kept it: a topic with one replica, acknowledged messages, a group's committed offsets; then
 * every message read back, the offsets kept, every partition on three replicas in sync. Shared by the
 * ZooKeeper and the KRaft proofs (cluster-from-single, kraft-from-single).
 */
import type { Kafka } from 'kafkajs';
import { expect } from 'vitest';
import {
  ackedProducer,
  clusterClient,
  missing,
  type ProduceLedger,
  partitionStates,
  produceAcked,
  startReader,
  underReplicated,
  until,
} from './cluster.js';
import type { NetnsHost } from './netns-host.js';

const SECONDS = 1000;

/** A group's committed offsets in a topic, summed over its partitions. */
async function committedOffsets(kafka: Kafka, group: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]!.partitions.reduce((n, p) => n + Number(p.offset), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Every acknowledged message read back through a new group, within `timeoutMs`; how long it took. */
export async function readsBack(
  kafka: Kafka,
  topic: string,
  group: string,
  ledger: ProduceLedger,
  timeoutMs = 60 * SECONDS,
): Promise<number> {
  const reader = await startReader(kafka, topic, group);
  try {
    const { ms } = await until(
      'every acknowledged message read back',
      async () => (missing(ledger, reader).length === 0 ? true : undefined),
      {
        timeoutMs,
      },
    );
    return ms;
  } finally {
    await reader.stop();
  }
}

/** On a single server: `topic` (3 partitions, 1 replica), 300 acknowledged messages, `group` reading them all and committing; its committed offsets. */
export async function fillSingle(host: NetnsHost, topic: string, group: string, ledger: ProduceLedger): Promise<number> {
  const kafka = clusterClient([host]);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const producer = ackedProducer(kafka);
  await producer.connect();
  await produceAcked(producer, topic, ledger, 300, { timeoutMs: 60 * SECONDS });
  await producer.disconnect();
  // A group that read them and committed: its offsets live in __consumer_offsets, on this broker only.
  await readsBack(kafka, topic, group, ledger);
  const committed = await committedOffsets(kafka, group, topic);
  expect(committed).toBe(ledger.acked.size);
  return committed;
}

/** The cluster kept it all: every partition of `topic` and __consumer_offsets on 3 replicas in sync, the group's offsets, every message; what it saw. */
export async function keptEverything(
  hosts: NetnsHost[],
  topic: string,
  group: string,
  ledger: ProduceLedger,
  committed: number,
): Promise<{ partitions: number; offsets: number }> {
  const kafka = clusterClient(hosts);
  const admin = kafka.admin();
  await admin.connect();
  let partitions = 0;
  try {
    const states = await partitionStates(admin, [topic, '__consumer_offsets']);
    expect(states.filter((p) => p.replicas.length !== 3)).toEqual([]);
    expect(underReplicated(states)).toEqual([]);
    partitions = states.length;
  } finally {
    await admin.disconnect();
  }
  const offsets = await committedOffsets(kafka, group, topic);
  expect(offsets).toBe(committed);
  await readsBack(kafka, topic, 'after-the-move', ledger);
  return { partitions, offsets };
}
