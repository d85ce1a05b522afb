/**
 * The three-host cluster of the e2e proof: netns hosts sharing one key pair (as EC2 instances
 * launched with one key), the flags of one `init` for all of them, a broker killed by pid, and the
 * client side of the proof — kafkajs from this machine, which reaches every host over the bridge:
 * acks=all sends counted only when acknowledged, partition health from fresh Metadata, and a
 * consumer that reads the topic back to account for every acknowledged message.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Admin, type Consumer, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { alive, killPids } from './host.js';
import { BRIDGE_ADDRESS, type NetnsHost, netnsPids, relayFromBridge, startNetnsHost, stopNetnsHost } from './netns-host.js';

/**
 * Starts `size` netns hosts, each its own user and address, all accepting the first one's key.
 * When one fails, the ones that did start are stopped before the error is thrown.
 */
export async function startCluster(size: number): Promise<NetnsHost[]> {
  const first = await startNetnsHost();
  const rest = await Promise.allSettled(Array.from({ length: size - 1 }, () => startNetnsHost({ key: first })));
  const started = [first, ...rest.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))];
  const failed = rest.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stopCluster(started).catch(() => {});
    throw failed.reason;
  }
  return started;
}

/**
 * Stops every host (the shared key's owner last, though stopping needs no key); throws what any left
 * behind. Nothing of the cluster is kept, so every host's processes get SIGTERM at once and SIGKILL
 * after a short grace: one at a time, each host after the first lost its quorum and its JVMs only
 * waited out a controlled shutdown that could not happen (10 s each).
 */
export async function stopCluster(hosts: NetnsHost[]): Promise<void> {
  await Promise.all(hosts.map(async (h) => killPids(await netnsPids(h), 2000)));
  const errors: string[] = [];
  for (const host of [...hosts].reverse()) await stopNetnsHost(host).catch((err: unknown) => errors.push(String(err)));
  if (errors.length > 0) throw new Error(`stopping the cluster's hosts: ${errors.join('; ')}`);
}

/**
 * The e2e mirror as the netns hosts reach it: a relay on the bridge to this machine's loopback (made
 * once the hosts exist: the bridge's address is there then), and the mirror's URL through it.
 */
export async function bridgeMirror(good: string): Promise<{ relay: Awaited<ReturnType<typeof relayFromBridge>>; url: string }> {
  const relay = await relayFromBridge(Number(new URL(good).port));
  const url = new URL(good);
  url.hostname = BRIDGE_ADDRESS;
  url.port = String(relay.port);
  return { relay, url: url.toString().replace(/\/$/, '') };
}

/** `--host USER@ADDRESS` for each host, in order (broker.id 1, 2, 3…), and the one shared key. */
export function clusterFlags(hosts: NetnsHost[], knownHosts: string): string[] {
  const key = hosts[0]?.keyPath ?? '';
  if (hosts.some((h) => h.keyPath !== key)) throw new Error("the cluster's hosts do not share one key");
  return [...hosts.flatMap((h) => ['--host', `${h.user}@${h.address}`]), '--key', key, '--known-hosts', knownHosts];
}

export const bootstrapServers = (hosts: NetnsHost[]): string => hosts.map((h) => `${h.address}:9092`).join(',');

/** The lines of the CLI's output that speak for this host (prefixed "[ADDRESS] "), without the prefix. */
export function hostLines(output: string, host: Pick<NetnsHost, 'address'>): string[] {
  const prefix = `[${host.address}] `;
  return output
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .map((l) => l.slice(prefix.length));
}

/** The host's line in init's closing summary ("  broker N   ADDRESS:9092   internal …   (what changed)"). */
export function summaryLine(output: string, host: Pick<NetnsHost, 'address'>): string {
  const re = new RegExp(`^\\s+broker \\d+\\s+${host.address.replace(/\./g, '\\.')}:9092\\s.*$`, 'm');
  return re.exec(output)?.[0].trim() ?? '';
}

function argv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

function uidOf(pid: number): number {
  try {
    return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? -1);
  } catch {
    return -1;
  }
}

/**
 * The pid of the broker JVM in the host's namespace: the java process run by the host's user whose
 * main class argument is kafka.Kafka (its cmdline, read from /proc — never a match on a process name).
 */
export async function brokerPid(host: NetnsHost): Promise<number | undefined> {
  const pids = (await netnsPids(host)).filter((pid) => uidOf(pid) === host.uid && argv(pid).includes('kafka.Kafka'));
  if (pids.length > 1) throw new Error(`${host.address} runs ${pids.length} brokers: ${pids.join(', ')}`);
  remember(pids);
  return pids[0];
}

/** The JVMs (ZooKeeper's and the broker's) in the host's namespace, by pid. */
export async function jvmPids(host: NetnsHost): Promise<number[]> {
  return remember((await netnsPids(host)).filter(isJava));
}

/** The start time (clock ticks since boot) of each pid these helpers returned: pid and start time name one process. */
const startedAt = new Map<number, string>();

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function remember(pids: number[]): number[] {
  for (const pid of pids) {
    const t = startTime(pid);
    if (t !== undefined) startedAt.set(pid, t);
  }
  return pids;
}

/**
 * Still the java process these helpers saw under that pid. pid_max is 32768 on CI machines: during a
 * half-hour run a pid comes round again, and another test's JVM under it is not one of ours.
 */
export const isJvm = (pid: number): boolean => {
  const seen = startedAt.get(pid);
  return isJava(pid) && (seen === undefined || seen === startTime(pid));
};

const isJava = (pid: number): boolean => alive(pid) && /(^|\/)java$/.test(argv(pid)[0] ?? '');

/** kill -9 of the host's broker, by pid; resolves once it is gone, with the pid. */
export async function killBroker(host: NetnsHost): Promise<number> {
  const pid = await brokerPid(host);
  if (!pid) throw new Error(`no broker runs on ${host.address}`);
  process.kill(pid, 'SIGKILL');
  const deadline = Date.now() + 10_000;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`broker pid ${pid} on ${host.address} still runs 10 s after SIGKILL`);
    await sleep(20);
  }
  return pid;
}

/**
 * ZooKeeper's own answer to `srvr` (the one four-letter command it allows by default) at address:2181:
 * its "Mode:" — leader, follower or standalone — or what it said instead.
 */
export function zookeeperMode(address: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect({ host: address, port: 2181 }, () => socket.end('srvr'));
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('no answer')));
    socket.on('data', (d: Buffer) => {
      answer += d.toString();
    });
    socket.on('error', (err) => resolve(`error: ${err.message}`));
    socket.on('close', () => resolve(/^Mode: (\S+)/m.exec(answer)?.[1] ?? answer.trim()));
  });
}

/** A kafkajs client of the cluster, quiet: the outage's errors are counted by the proof, not logged. */
export function clusterClient(hosts: NetnsHost[]): Kafka {
  return new Kafka({
    clientId: 'kafka-setup-e2e-cluster',
    brokers: hosts.map((h) => `${h.address}:9092`),
    connectionTimeout: 3000,
    // Longer than a send's own acks timeout (30 s), so that the broker's answer to it arrives.
    requestTimeout: 45_000,
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 },
  });
}

export interface PartitionState {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

/** Every partition of these topics (all topics when none are named), from a fresh Metadata request. */
export async function partitionStates(admin: Admin, topics?: string[]): Promise<PartitionState[]> {
  const names = topics ?? (await admin.listTopics());
  const { topics: meta } = await admin.fetchTopicMetadata({ topics: names });
  return meta.flatMap((t) =>
    t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr })),
  );
}

export const underReplicated = (states: PartitionState[]): PartitionState[] => states.filter((p) => p.isr.length < p.replicas.length);

/**
 * Polls until check() returns a value (not undefined); resolves with it and the milliseconds since
 * `since`. A check that throws (a broker just went away) counts as not yet. Times out with the last
 * thing it saw.
 */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  o: { since?: number; timeoutMs: number; everyMs?: number },
): Promise<{ value: T; ms: number }> {
  const since = o.since ?? Date.now();
  const deadline = Date.now() + o.timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return { value, ms: Date.now() - since };
      last = 'not yet';
    } catch (err) {
      last = String(err);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${o.timeoutMs / 1000} s (last: ${last})`);
    await sleep(o.everyMs ?? 250);
  }
}

/** What the acks=all producer did: sequence numbers handed out, acknowledged, and sends that failed. */
export interface ProduceLedger {
  next: number;
  acked: Set<number>;
  /** When each acknowledgement arrived (Date.now()), in order. */
  ackedAt: number[];
  failures: number;
  lastError?: string;
}

export const newLedger = (): ProduceLedger => ({ next: 0, acked: new Set(), ackedAt: [], failures: 0 });

export function ackedProducer(kafka: Kafka): Producer {
  // Not idempotent: a send the broker wrote but never acknowledged may come back as a duplicate,
  // which the proof allows; an acknowledged one must never be missing.
  return kafka.producer({ allowAutoTopicCreation: false, idempotent: false, createPartitioner: Partitioners.DefaultPartitioner });
}

/**
 * Sends sequence numbers (each its own message, keyed by itself, so they spread over the partitions)
 * with acks=all from `workers` concurrent senders until `target` more are acknowledged. A send that
 * fails is counted and its number abandoned: only acknowledged numbers enter the ledger. `stop`
 * ends the sending early (each sender finishes the send it has in flight).
 */
export async function produceAcked(
  producer: Producer,
  topic: string,
  ledger: ProduceLedger,
  target: number,
  o: { workers?: number; timeoutMs: number; stop?: () => boolean },
): Promise<void> {
  const goal = ledger.acked.size + target;
  const deadline = Date.now() + o.timeoutMs;
  const worker = async (): Promise<void> => {
    while (ledger.acked.size < goal && !o.stop?.()) {
      if (Date.now() > deadline)
        throw new Error(
          `only ${ledger.acked.size} of ${goal} sends acknowledged within ${o.timeoutMs / 1000} s (${ledger.failures} failed; last: ${ledger.lastError ?? 'none'})`,
        );
      const seq = ledger.next++;
      try {
        await producer.send({ topic, acks: -1, timeout: 30_000, messages: [{ key: String(seq), value: String(seq) }] });
        ledger.acked.add(seq);
        ledger.ackedAt.push(Date.now());
      } catch (err) {
        ledger.failures++;
        ledger.lastError = (err as Error).message;
        await sleep(100);
      }
    }
  };
  await Promise.all(Array.from({ length: o.workers ?? 4 }, worker));
}

/** The longest time without any acknowledgement after `since`: what the producers saw of the outage. */
export function longestAckGap(ledger: ProduceLedger, since: number): number {
  let gap = 0;
  let previous = since;
  for (const t of ledger.ackedAt.filter((x) => x >= since)) {
    gap = Math.max(gap, t - previous);
    previous = t;
  }
  return gap;
}

/** A consumer group reading a topic from the beginning, collecting the sequence numbers it sees. */
export interface Reader {
  seen: Set<number>;
  /** Messages read, duplicates included. */
  read: number;
  consumer: Consumer;
  stop: () => Promise<void>;
}

export async function startReader(kafka: Kafka, topic: string, groupId: string): Promise<Reader> {
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 3000 },
  });
  const reader: Reader = { seen: new Set(), read: 0, consumer, stop: () => consumer.disconnect().catch(() => {}) };
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  void consumer
    .run({
      eachMessage: async ({ message }) => {
        reader.read++;
        reader.seen.add(Number(message.value?.toString()));
      },
    })
    .catch(() => {});
  return reader;
}

/** The acknowledged numbers the reader has not seen (yet). */
export const missing = (ledger: ProduceLedger, reader: Reader): number[] =>
  [...ledger.acked].filter((seq) => !reader.seen.has(seq)).sort((a, b) => a - b);
