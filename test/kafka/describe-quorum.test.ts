import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { quorumState } from '../../src/host/quorum-ask.js';
import {
  askDescribeQuorum,
  type DescribeQuorumAnswer,
  describeQuorumRequest,
  MalformedAnswer,
  quorumReplicas,
  readDescribeQuorum,
} from '../../src/kafka/describe-quorum.js';

/** The request as Kafka 4.4.0 answered it (correlation id 7), and that answer: a standalone node 1, the leader. */
const REQUEST_7 =
  '00000032 0037 0002 00000007 000b6b61666b612d7365747570 00 02 135f5f636c75737465725f6d65746164617461 02 00000000 00 00 00';
const ANSWER_7 =
  '000000070000000102135f5f636c75737465725f6d657461646174610200000000000001000000010000000100000000000000230200000001' +
  'bb6f06f59dbf406388ea6be2310735830000000000000023000001a253695fda000001a253695fda000100000200000001020b434f4e54524f' +
  '4c4c45520a6c6f63616c686f73744a96000000';
const hex = (s: string): Buffer => Buffer.from(s.replace(/ /g, ''), 'hex');

/** An answer's body, encoded as Kafka does (response header v1, DescribeQuorum v2). */
function encode(
  correlationId: number,
  a: { error?: number; partitionError?: number; leaderId: number; voters: Row[]; observers: Row[] },
): Buffer {
  const parts: Buffer[] = [];
  const i16 = (n: number) => parts.push(Buffer.from([(n >> 8) & 0xff, n & 0xff]));
  const i32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    parts.push(b);
  };
  const i64 = (n: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    parts.push(b);
  };
  const u = (n: number) => parts.push(Buffer.from([n]));
  const str = (s: string) => {
    u(s.length + 1);
    parts.push(Buffer.from(s));
  };
  const replica = (r: Row) => {
    i32(r.id);
    parts.push(Buffer.alloc(16, r.id));
    i64(r.leo);
    i64(r.fetch ?? 1000n);
    i64(r.caught ?? 1000n);
    u(0);
  };
  i32(correlationId);
  u(0);
  i16(a.error ?? 0);
  u(0);
  u(2);
  str('__cluster_metadata');
  u(2);
  i32(0);
  i16(a.partitionError ?? 0);
  u(0);
  i32(a.leaderId);
  i32(5);
  i64(100n);
  u(a.voters.length + 1);
  for (const r of a.voters) replica(r);
  u(a.observers.length + 1);
  for (const r of a.observers) replica(r);
  u(0);
  u(0);
  u(1); // no nodes
  u(0);
  return Buffer.concat(parts);
}
interface Row {
  id: number;
  leo: bigint;
  fetch?: bigint;
  caught?: bigint;
}

describe('DescribeQuorum, as kafka-setup asks it', () => {
  it('encodes the request Kafka 4.4.0 answered: v2, partition 0 of __cluster_metadata', () => {
    expect(describeQuorumRequest(7).toString('hex')).toBe(hex(REQUEST_7).toString('hex'));
  });

  it("reads Kafka 4.4.0's own answer: leader 1, epoch 1, its directory id as meta.properties writes it", () => {
    const a = readDescribeQuorum(hex(ANSWER_7), 7);
    expect(a).toMatchObject({ errorCode: 0, leaderId: 1, leaderEpoch: 1, observers: [] });
    expect(a.voters).toEqual([
      {
        id: 1,
        directoryId: 'u28G9Z2_QGOI6mviMQc1gw',
        logEndOffset: 35n,
        lastFetchTimestamp: 1796695744474n,
        lastCaughtUpTimestamp: 1796695744474n,
      },
    ]);
    expect(quorumState(a)).toEqual({
      answered: true,
      leaderId: 1,
      epoch: 1,
      maxLag: 0,
      voters: [1],
      replicas: [
        {
          id: 1,
          logEndOffset: 35,
          lag: 0,
          lastFetchMs: 1796695744474,
          lastCaughtUpMs: 1796695744474,
          status: 'leader',
          directoryId: 'u28G9Z2_QGOI6mviMQc1gw',
        },
      ],
    });
  });

  it("gives the tool's rows: the leader, the other voters, the observers; lag behind the leader's log end; -1 is not a time", () => {
    const a = readDescribeQuorum(
      encode(9, {
        leaderId: 2,
        voters: [
          { id: 1, leo: 90n },
          { id: 2, leo: 100n },
          { id: 3, leo: 100n, fetch: -1n, caught: -1n },
        ],
        observers: [{ id: 4, leo: 120n }],
      }),
      9,
    );
    const replicas = quorumReplicas(a) ?? [];
    expect(replicas.map((r) => [r.id, r.status, r.lag])).toEqual([
      [2, 'leader', 0],
      [1, 'follower', 10],
      [3, 'follower', 0],
      [4, 'observer', 0],
    ]);
    expect(replicas[2]).toMatchObject({ lastFetchMs: undefined, lastCaughtUpMs: undefined });
    expect(quorumState(a)).toMatchObject({ answered: true, leaderId: 2, maxLag: 10, voters: [2, 1, 3] });
  });

  it('an error, no leader, or one replica named twice is no answer, and says why', () => {
    const voters = [{ id: 1, leo: 1n }];
    expect(quorumState(readDescribeQuorum(encode(1, { error: 41, leaderId: -1, voters, observers: [] }), 1))).toEqual({
      answered: false,
      reason: 'the quorum was not described (NOT_CONTROLLER)',
    });
    expect(quorumState(readDescribeQuorum(encode(1, { partitionError: 6, leaderId: 1, voters, observers: [] }), 1))).toEqual({
      answered: false,
      reason: 'the quorum was not described (NOT_LEADER_OR_FOLLOWER)',
    });
    expect(quorumState(readDescribeQuorum(encode(1, { leaderId: 3, voters, observers: [] }), 1))).toMatchObject({ answered: false });
    const twice: DescribeQuorumAnswer = readDescribeQuorum(encode(1, { leaderId: 1, voters, observers: [{ id: 1, leo: 1n }] }), 1);
    expect(quorumState(twice)).toEqual({ answered: false, reason: 'the quorum named one replica twice' });
    const negative = readDescribeQuorum(encode(1, { leaderId: 1, voters, observers: [{ id: -5, leo: 1n }] }), 1);
    expect(quorumState(negative)).toMatchObject({ answered: false, reason: 'the quorum named a replica by a negative id' });
  });

  it('a hostile answer: cut anywhere, lengths past its end, another correlation id: MalformedAnswer, never anything else', () => {
    const whole = encode(3, { leaderId: 1, voters: [{ id: 1, leo: 5n }], observers: [] });
    for (let n = 0; n < whole.length - 3; n++)
      expect(() => readDescribeQuorum(whole.subarray(0, n), 3), `cut at ${n}`).toThrow(MalformedAnswer);
    expect(() => readDescribeQuorum(whole, 4)).toThrow(MalformedAnswer);
    const huge = Buffer.from(whole);
    huge[7] = 0xff; // the topics array's length: a varint running on, then past the end
    expect(() => readDescribeQuorum(huge, 3)).toThrow(MalformedAnswer);
  });
});

describe('askDescribeQuorum over a connection', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  const listen = (onData: (socket: import('node:net').Socket, request: Buffer) => void): Promise<number> =>
    new Promise((resolve) => {
      const s = createServer((c) => c.on('data', (d) => onData(c, d)));
      server = s;
      s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port));
    });

  it('answers what the server answered, to its own correlation id', async () => {
    const port = await listen((s, req) => {
      const body = encode(req.readInt32BE(8), { leaderId: 1, voters: [{ id: 1, leo: 7n }], observers: [] });
      const len = Buffer.alloc(4);
      len.writeInt32BE(body.length);
      // In two writes: the frame is read whole, however it arrives.
      s.write(Buffer.concat([len, body.subarray(0, 5)]));
      setTimeout(() => s.end(body.subarray(5)), 20);
    });
    expect((await askDescribeQuorum('127.0.0.1', port, 2000)).leaderId).toBe(1);
  });

  it('a server that closes, stays silent, or announces a giant answer: an error that says so, within the time given', async () => {
    let port = await listen((s) => s.end());
    await expect(askDescribeQuorum('127.0.0.1', port, 2000)).rejects.toThrow(/closed without an answer/);
    await new Promise<void>((r) => server?.close(() => r()));
    port = await listen(() => {});
    await expect(askDescribeQuorum('127.0.0.1', port, 300)).rejects.toThrow(/no answer within 0.3 s/);
    await new Promise<void>((r) => server?.close(() => r()));
    port = await listen((s) => s.write(Buffer.from([0x7f, 0, 0, 0])));
    await expect(askDescribeQuorum('127.0.0.1', port, 2000)).rejects.toThrow(MalformedAnswer);
  });
});
