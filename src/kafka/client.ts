/**
 * The Kafka protocol, spoken through kafkajs (pure JavaScript: no native build, no Java, nothing
 * downloaded at install time). Two levels are used: a single connection to one address for
 * ApiVersions and Metadata — so that a broker reachable at the bootstrap address but advertising an
 * unreachable one can still be examined — and kafkajs's regular producer, consumer and admin client
 * for the round trip, which go through the advertised addresses exactly as any client would.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Kafka, logLevel } from 'kafkajs';
import type { ApiVersion } from './api-versions.js';
import type { PartitionReplicas } from './replicas.js';

const require = createRequire(import.meta.url);

// kafkajs's own building blocks (the classes its cluster code uses), not a hand-written codec.
interface KafkajsBroker {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  versions: Record<string, { minVersion: number; maxVersion: number }> | null;
  metadata(topics?: string[]): Promise<{
    brokers: Array<{ nodeId: number; host: string; port: number; rack: string | null }>;
    controllerId: number;
    clusterId: string;
    topicMetadata: Array<{
      topic: string;
      partitionMetadata: Array<{ partitionId: number; leader: number; replicas: number[]; isr: number[] }>;
    }>;
  }>;
  alterPartitionReassignments(o: {
    topics: Array<{ topic: string; partitionAssignment: Array<{ partition: number; replicas: number[] }> }>;
    timeout: number;
  }): Promise<unknown>;
}
type Versions = Record<number, { minVersion: number; maxVersion: number }>;
type BrokerClass = new (o: {
  connectionPool: unknown;
  logger: unknown;
  allowAutoTopicCreation: boolean;
  versions: Versions | null;
}) => KafkajsBroker;
type PoolClass = new (o: Record<string, unknown>) => unknown;
const Broker = require('kafkajs/src/broker') as BrokerClass;
const ConnectionPool = require('kafkajs/src/network/connectionPool') as PoolClass;
const { createLogger, LEVELS } = require('kafkajs/src/loggers') as {
  createLogger: (o: { level: number; logCreator: () => () => void }) => unknown;
  LEVELS: { NOTHING: number };
};
const socketFactory = require('kafkajs/src/network/socketFactory') as () => unknown;
const apiKeys = require('kafkajs/src/protocol/requests/apiKeys') as Record<string, number>;
const { requests } = require('kafkajs/src/protocol/requests') as { requests: Record<string, { versions: string[] }> };

/**
 * kafkajs 2.2.4 schedules its throttle check with `throttledUntil - Date.now()`, negative whenever it
 * is not throttled, and Node 24 prints a TimeoutNegativeWarning for that on stderr
 * (tulios/kafkajs#1751) — noise in verify's output, and not JSON-clean for --json. The same method,
 * with the delay clamped at 0 (which is what Node did with a negative one anyway).
 */
interface RequestQueueInternals {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
}
const RequestQueue = require('kafkajs/src/network/requestQueue') as {
  prototype: RequestQueueInternals & { scheduleCheckPendingRequests(): void };
};
const CHECK_PENDING_REQUESTS_INTERVAL = 10; // kafkajs's own value
RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId) return;
  let scheduleAt = this.throttledUntil - Date.now();
  if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL;
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    Math.max(0, scheduleAt),
  );
};

const silent = (): (() => void) => () => {};

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface BootstrapAnswer {
  apiVersions: ApiVersion[];
  brokers: BrokerInfo[];
  controllerId: number;
  clusterId: string;
  /** Partitions of every topic, and those with fewer in-sync replicas than replicas (or no leader). */
  partitions: number;
  underReplicated: number;
  /** Every partition's replicas. */
  assignment: PartitionReplicas[];
}

/** What our client speaks of each API: the highest version in common with the broker's range. */
function usableVersion(apiKey: number, min: number, max: number): number | undefined {
  const name = Object.keys(apiKeys).find((n) => apiKeys[n] === apiKey);
  const ours = name ? (requests[name]?.versions.map(Number) ?? []) : [];
  const common = ours.filter((v) => v >= min && v <= max);
  return common.length > 0 ? Math.max(...common) : undefined;
}

/** One connection to one address (no redirects followed), for `work`, closed whatever happened. */
async function withBroker<T>(
  host: string,
  port: number,
  timeoutMs: number,
  clientId: string,
  work: (broker: KafkajsBroker) => Promise<T>,
  versions: Versions | null = null,
): Promise<T> {
  const logger = createLogger({ level: LEVELS.NOTHING, logCreator: silent });
  const connectionPool = new ConnectionPool({
    host,
    port,
    logger,
    socketFactory: socketFactory(),
    clientId,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    enforceRequestTimeout: true,
  });
  // Versions given: kafkajs takes them as the broker's and asks no ApiVersions first.
  const broker = new Broker({ connectionPool, logger, allowAutoTopicCreation: false, versions });
  try {
    await broker.connect();
    return await work(broker);
  } finally {
    await broker.disconnect().catch(() => {});
  }
}

/** ApiVersions and Metadata from one address, over one connection, without following redirects. */
export async function askBootstrap(host: string, port: number, timeoutMs: number): Promise<BootstrapAnswer> {
  return withBroker(host, port, timeoutMs, 'kafka-setup-verify', async (broker) => {
    const versions = broker.versions ?? {};
    const apiVersions = Object.entries(versions).map(([key, v]) => ({
      apiKey: Number(key),
      minVersion: v.minVersion,
      maxVersion: v.maxVersion,
      usable: usableVersion(Number(key), v.minVersion, v.maxVersion),
    }));
    return { apiVersions, ...readMetadata(await broker.metadata([])) };
  });
}

/**
 * Metadata alone, without ApiVersions first: one round trip less for the question every run asks
 * (does the broker serve?). Versions 4 to 6 are what Kafka 3.1 and every 4.x take (4.0 removed 0 to 3,
 * KIP-896) and kafkajs speaks; it uses the highest, as it would after ApiVersions.
 */
export async function askMetadata(host: string, port: number, timeoutMs: number): Promise<ClusterMetadata> {
  return withBroker(host, port, timeoutMs, 'kafka-setup', async (broker) => readMetadata(await broker.metadata([])), {
    [apiKeys.Metadata!]: { minVersion: 4, maxVersion: 6 },
  });
}

export type ClusterMetadata = Omit<BootstrapAnswer, 'apiVersions'>;

function readMetadata(md: Awaited<ReturnType<KafkajsBroker['metadata']>>): ClusterMetadata {
  return {
    brokers: md.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null })),
    controllerId: md.controllerId,
    clusterId: md.clusterId,
    partitions: md.topicMetadata.reduce((n, t) => n + t.partitionMetadata.length, 0),
    underReplicated: md.topicMetadata.reduce(
      (n, t) => n + t.partitionMetadata.filter((p) => p.leader < 0 || p.isr.length < p.replicas.length).length,
      0,
    ),
    assignment: md.topicMetadata.flatMap((t) =>
      t.partitionMetadata.map((p) => ({
        topic: t.topic,
        partition: p.partitionId,
        replicas: [...p.replicas],
        inSync: p.leader >= 0 && p.isr.length >= p.replicas.length,
      })),
    ),
  };
}

/**
 * Asks the controller at this address to move partitions onto these replicas (the broker copies
 * them in the background; the metadata shows them under-replicated until they have caught up).
 */
export async function reassign(host: string, port: number, timeoutMs: number, plan: readonly PartitionReplicas[]): Promise<void> {
  const topics = [...new Set(plan.map((p) => p.topic))].map((topic) => ({
    topic,
    partitionAssignment: plan.filter((p) => p.topic === topic).map((p) => ({ partition: p.partition, replicas: p.replicas })),
  }));
  await withBroker(host, port, timeoutMs, 'kafka-setup-init', (broker) =>
    broker.alterPartitionReassignments({ topics, timeout: timeoutMs }),
  );
}

export interface RoundTrip {
  topic: string;
  produceMs: number;
  consumeMs: number;
  deleted: boolean;
}

/**
 * Produces one message (acks=all) to a new one-partition topic, reads it back with a consumer, then
 * deletes the topic and the consumer group, whatever happened. In a cluster the topic has replicas on
 * `replicationFactor` brokers, so acks=all proves the replication too.
 */
export async function roundTrip(
  bootstrap: string,
  timeoutMs: number,
  log?: (line: string) => void,
  replicationFactor = 1,
): Promise<RoundTrip> {
  const kafka = new Kafka({
    clientId: 'kafka-setup-verify',
    brokers: [bootstrap],
    connectionTimeout: Math.min(timeoutMs, 10_000),
    requestTimeout: timeoutMs,
    logLevel: log ? logLevel.INFO : logLevel.NOTHING,
    ...(log
      ? { logCreator: () => (e: { namespace: string; log: { message: string } }) => log(`kafkajs ${e.namespace}: ${e.log.message}`) }
      : {}),
    // The first consumer group of a fresh broker waits for __consumer_offsets to be created
    // ("group coordinator is not available" for a few seconds): retry for up to ~25 s.
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 3000 },
  });
  const id = randomBytes(4).toString('hex');
  const topic = `kafka-setup-verify-${id}`;
  const groupId = `kafka-setup-verify-${id}`;
  const payload = `kafka-setup verify ${new Date().toISOString()} ${id}`;
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  let created = false;
  let deleted = false;
  let timing: { produceMs: number; consumeMs: number } | undefined;
  try {
    await admin.connect();
    created = await admin.createTopics({
      topics: [{ topic, numPartitions: 1, replicationFactor }],
      waitForLeaders: true,
      timeout: timeoutMs,
    });
    const t0 = Date.now();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: id, value: payload }], acks: -1 });
    const produceMs = Date.now() - t0;
    const t1 = Date.now();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const received = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no message came back within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            clearTimeout(timer);
            resolve(message.value?.toString() ?? '');
          },
        })
        .catch((err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        });
    });
    if (received !== payload) throw new Error('the message read back differs from the one produced');
    timing = { produceMs, consumeMs: Date.now() - t1 };
  } finally {
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    if (created) {
      deleted = await admin.deleteTopics({ topics: [topic], timeout: timeoutMs }).then(
        () => true,
        () => false,
      );
      await admin.deleteGroups([groupId]).catch(() => {});
    }
    await admin.disconnect().catch(() => {});
  }
  return { topic, ...timing!, deleted };
}
