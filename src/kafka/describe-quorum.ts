/**
 * DescribeQuorum (API key 55, version 2: KIP-853, every Kafka 4), asked of a broker, which forwards it
 * to the active controller, as `kafka-metadata-quorum.sh --bootstrap-server` does: one request on one
 * connection, answered in milliseconds, where the tool starts a JVM on the host for each question
 * (seconds of CPU on a small instance, every poll of a rolling restart). kafkajs does not speak this
 * API, so the request and the answer are encoded here; the answer comes from the host and is read
 * strictly: every length bounded, every field checked, nothing trusted that did not parse whole.
 */
import { connect } from 'node:net';
import type { QuorumReplica } from './quorum.js';

const API_KEY = 55;
const API_VERSION = 2;
const METADATA_TOPIC = '__cluster_metadata';
const CLIENT_ID = 'kafka-setup';
/** Larger than any answer of a quorum of ours (a few voters and observers): anything more is not one. */
const MAX_FRAME = 1 << 20;
/** Rows read, as the tool's path reads them: more replicas than any quorum of ours has. */
export const MAX_REPLICAS = 16;

/** The request, framed (length first), with this correlation id. */
export function describeQuorumRequest(correlationId: number): Buffer {
  const w = new Writer();
  // Request header v2 (flexible): key, version, correlation id, client id (a classic nullable string), no tags.
  w.int16(API_KEY).int16(API_VERSION).int32(correlationId).classicString(CLIENT_ID).uvarint(0);
  // Topics: [__cluster_metadata: partitions [0]].
  w.uvarint(2).compactString(METADATA_TOPIC).uvarint(2).int32(0).uvarint(0).uvarint(0).uvarint(0);
  const body = w.bytes();
  const frame = Buffer.alloc(4 + body.length);
  frame.writeInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

export interface ReplicaAnswer {
  id: number;
  /** Base64url without padding, as Kafka prints a Uuid. */
  directoryId: string;
  logEndOffset: bigint;
  lastFetchTimestamp: bigint;
  lastCaughtUpTimestamp: bigint;
}

export interface DescribeQuorumAnswer {
  errorCode: number;
  errorMessage: string | null;
  leaderId: number;
  leaderEpoch: number;
  voters: ReplicaAnswer[];
  observers: ReplicaAnswer[];
}

/** What a DescribeQuorum answer says, or why it is not one (the answer's body, its length removed). */
export function readDescribeQuorum(frame: Buffer, correlationId: number): DescribeQuorumAnswer {
  const r = new Reader(frame);
  if (r.int32() !== correlationId) throw new MalformedAnswer('an answer to another request');
  r.skipTags();
  const topError = r.int16();
  const topMessage = r.compactNullableString();
  const topics = r.arrayLength();
  let answer: DescribeQuorumAnswer | undefined;
  for (let t = 0; t < topics; t++) {
    const name = r.compactNullableString();
    const partitions = r.arrayLength();
    for (let p = 0; p < partitions; p++) {
      const index = r.int32();
      const errorCode = r.int16();
      const errorMessage = r.compactNullableString();
      const leaderId = r.int32();
      const leaderEpoch = r.int32();
      r.int64(); // high watermark
      const voters = r.array(() => readReplica(r));
      const observers = r.array(() => readReplica(r));
      r.skipTags();
      if (name === METADATA_TOPIC && index === 0) answer = { errorCode, errorMessage, leaderId, leaderEpoch, voters, observers };
    }
    r.skipTags();
  }
  // The nodes (v2) and the tags after them are not needed, so not read.
  if (topError !== 0) return { errorCode: topError, errorMessage: topMessage, leaderId: -1, leaderEpoch: -1, voters: [], observers: [] };
  if (!answer) throw new MalformedAnswer(`no partition 0 of ${METADATA_TOPIC} in the answer`);
  return answer;
}

function readReplica(r: Reader): ReplicaAnswer {
  const id = r.int32();
  const directoryId = r.uuid();
  const logEndOffset = r.int64();
  const lastFetchTimestamp = r.int64();
  const lastCaughtUpTimestamp = r.int64();
  r.skipTags();
  return { id, directoryId, logEndOffset, lastFetchTimestamp, lastCaughtUpTimestamp };
}

/** Kafka's error names for the codes this question can meet; others by number. */
const ERRORS: Record<number, string> = {
  3: 'UNKNOWN_TOPIC_OR_PARTITION',
  6: 'NOT_LEADER_OR_FOLLOWER',
  7: 'REQUEST_TIMED_OUT',
  15: 'COORDINATOR_NOT_AVAILABLE',
  31: 'CLUSTER_AUTHORIZATION_FAILED',
  35: 'UNSUPPORTED_VERSION',
  41: 'NOT_CONTROLLER',
  51: 'CONCURRENT_TRANSACTIONS',
};
export const errorName = (code: number): string => ERRORS[code] ?? `error code ${code}`;

/** Replicas as the tool's rows: the leader, the other voters, then the observers; lag behind the leader's log end. */
export function quorumReplicas(a: DescribeQuorumAnswer): QuorumReplica[] | undefined {
  const leader = a.voters.find((v) => v.id === a.leaderId);
  if (!leader) return undefined;
  const row = (x: ReplicaAnswer, status: QuorumReplica['status']): QuorumReplica => {
    const lag = leader.logEndOffset - x.logEndOffset;
    return {
      id: x.id,
      logEndOffset: safe(x.logEndOffset) ?? 0,
      lag: lag > 0n ? (safe(lag) ?? Number.MAX_SAFE_INTEGER) : 0,
      lastFetchMs: stamp(x.lastFetchTimestamp),
      lastCaughtUpMs: stamp(x.lastCaughtUpTimestamp),
      status,
      directoryId: x.directoryId,
    };
  };
  return [
    row(leader, 'leader'),
    ...a.voters.filter((v) => v !== leader).map((v) => row(v, 'follower')),
    ...a.observers.map((o) => row(o, 'observer')),
  ].slice(0, MAX_REPLICAS);
}

const safe = (n: bigint): number | undefined => (n >= 0n && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : undefined);
/** -1 (or anything not a positive epoch in milliseconds) is the leader not knowing. */
const stamp = (n: bigint): number | undefined => (n > 0n ? safe(n) : undefined);

export class MalformedAnswer extends Error {}

/**
 * Asks the broker at host:port (this machine's end of a tunnel) once: the answer, read; throws when
 * nothing answered (the message says why: refused, closed, silent within timeoutMs) or the answer
 * is not one.
 */
export function askDescribeQuorum(host: string, port: number, timeoutMs: number): Promise<DescribeQuorumAnswer> {
  const correlationId = 1 + Math.floor(Math.random() * 0x7ffffffe);
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    let done = false;
    const socket = connect({ host, port });
    const finish = (err: Error | undefined, answer?: DescribeQuorumAnswer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(answer as DescribeQuorumAnswer);
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    socket.on('connect', () => socket.write(describeQuorumRequest(correlationId)));
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length < 4) return;
      const size = got.readInt32BE(0);
      if (size < 0 || size > MAX_FRAME) return finish(new MalformedAnswer(`an answer of ${size} bytes`));
      if (got.length < 4 + size) return;
      try {
        finish(undefined, readDescribeQuorum(got.subarray(4, 4 + size), correlationId));
      } catch (err) {
        finish(err as Error);
      }
    });
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error('the connection closed without an answer')));
  });
}

class Writer {
  private parts: Buffer[] = [];
  int16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    this.parts.push(b);
    return this;
  }
  int32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.parts.push(b);
    return this;
  }
  uvarint(n: number): this {
    const out: number[] = [];
    let v = n;
    while (v > 0x7f) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
    this.parts.push(Buffer.from(out));
    return this;
  }
  classicString(s: string): this {
    const d = Buffer.from(s, 'utf8');
    this.int16(d.length);
    this.parts.push(d);
    return this;
  }
  compactString(s: string): this {
    const d = Buffer.from(s, 'utf8');
    this.uvarint(d.length + 1);
    this.parts.push(d);
    return this;
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Reads the flexible-version encoding; throws MalformedAnswer at anything out of bounds. */
class Reader {
  private at = 0;
  constructor(private readonly b: Buffer) {}
  private need(n: number): number {
    if (n < 0 || this.at + n > this.b.length) throw new MalformedAnswer('the answer ends too soon');
    const at = this.at;
    this.at += n;
    return at;
  }
  int16(): number {
    return this.b.readInt16BE(this.need(2));
  }
  int32(): number {
    return this.b.readInt32BE(this.need(4));
  }
  int64(): bigint {
    return this.b.readBigInt64BE(this.need(8));
  }
  uuid(): string {
    const at = this.need(16);
    return this.b.subarray(at, at + 16).toString('base64url');
  }
  uvarint(): number {
    let n = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.b[this.need(1)] as number;
      n += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return n;
    }
    throw new MalformedAnswer('a length longer than 5 bytes');
  }
  compactNullableString(): string | null {
    const n = this.uvarint();
    if (n === 0) return null;
    const at = this.need(n - 1);
    return this.b.toString('utf8', at, at + n - 1);
  }
  /** A compact array's length; 0 for null. Bounded by what is left: each element takes a byte at least. */
  arrayLength(): number {
    const n = this.uvarint();
    if (n === 0) return 0;
    if (n - 1 > this.b.length - this.at) throw new MalformedAnswer('an array longer than the answer');
    return n - 1;
  }
  array<T>(read: () => T): T[] {
    const n = this.arrayLength();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read());
    return out;
  }
  skipTags(): void {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) {
      this.uvarint(); // tag
      this.need(this.uvarint());
    }
  }
}
