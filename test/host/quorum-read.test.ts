import { describe, expect, it } from 'vitest';
import { parseReplicaRow, readQuorum } from '../../src/host/quorum-read.js';
import { section } from '../../src/host/sections.js';

const read = (lines: string[]) => readQuorum(section(new Map([['quorum', lines]]), 'quorum')!);

describe('the quorum section, read strictly', () => {
  it('a row as quorum.sh prints it; anything else is no row', () => {
    expect(parseReplicaRow('2 1040 3 1796648130553 1796648130500 Follower xwByuhPtSU6oeDTU5mwhtQ')).toEqual({
      id: 2,
      logEndOffset: 1040,
      lag: 3,
      lastFetchMs: 1796648130553,
      lastCaughtUpMs: 1796648130500,
      status: 'follower',
      directoryId: 'xwByuhPtSU6oeDTU5mwhtQ',
    });
    expect(parseReplicaRow('4 1040 0 -1 -1 Observer -')).toMatchObject({
      id: 4,
      lastFetchMs: undefined,
      lastCaughtUpMs: undefined,
      status: 'observer',
      directoryId: undefined,
    });
    for (const bad of [
      '2 1040 3 1796648130553 1796648130500 Follower',
      '2 1040 3 1796648130553 1796648130500 Follower xwByuhPtSU6oeDTU5mwht',
      '2 1040 3 1796648130553 1796648130500 Follower xwByuhPtSU6oeDTU5mwh$tQ',
      '2 1040 3 1796648130553 1796648130500',
      '2 1040 3 1796648130553 1796648130500 Follower x',
      '2  3 1 1 Leader',
      '2 1040 -3 1 1 Leader',
      '2 1040 3 1 1 Boss',
      '99999999999 1 0 1 1 Leader',
      '2 1040 3 1 1 Leader\u001b[2J',
      '',
    ]) {
      expect(parseReplicaRow(bad)).toBeUndefined();
    }
  });

  it('describe --status and --replication together (verify)', () => {
    const q = read([
      'rc=0',
      'leader=1',
      'epoch=4',
      'lag=2',
      'voters=1 2 3 ',
      'replication_rc=0',
      'row=1 1040 0 1796648130553 1796648130553 Leader -',
      'row=2 1038 2 1796648130400 1796648130100 Follower -',
      'row=3 1040 0 1796648130500 1796648130500 Follower -',
      'row=junk',
    ]);
    expect(q).toMatchObject({ answered: true, leaderId: 1, epoch: 4, maxLag: 2, voters: [1, 2, 3] });
    expect(q.answered && q.replicas?.map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it("--replication only (status, a restart's wait): the leader and the voters from the rows, observers left out", () => {
    const q = read(['replication_rc=0', 'row=2 10 0 1000 1000 Leader -', 'row=1 10 0 990 990 Follower -', 'row=7 10 4 990 900 Observer -']);
    expect(q).toMatchObject({ answered: true, leaderId: 2, epoch: undefined, maxLag: 0, voters: [2, 1] });
  });

  it("no answer: why, with the tool's last lines made visible; repeated ids or no leader row are no answer either", () => {
    const q = read(['replication_rc=124', 'out=WARN Connection to node -1 could not be established\u001b]0;x\u0007']);
    expect(q.answered).toBe(false);
    expect(!q.answered && q.reason).toMatch(
      /^the controller at 127\.0\.0\.1:9094 did not describe its quorum within 40 s: WARN Connection/,
    );
    expect(!q.answered && q.reason).not.toMatch(/\u001b/);
    expect(read(['replication_rc=0', 'row=2 10 0 1000 1000 Leader -', 'row=2 10 0 1000 1000 Follower -']).answered).toBe(false);
    expect(read(['replication_rc=0', 'row=2 10 0 1000 1000 Follower -']).answered).toBe(false);
    expect(read(['rc=down'])).toEqual({
      answered: false,
      reason: "nothing listens on 127.0.0.1:9094: the node's controller is not running",
    });
    expect(read(['rc=missing'])).toMatchObject({ answered: false, reason: 'bin/kafka-metadata-quorum.sh is missing on the host' });
    // --status answered, --replication did not: the status stands, without rows.
    expect(read(['rc=0', 'leader=1', 'voters=1', 'replication_rc=1'])).toMatchObject({ answered: true, leaderId: 1, replicas: undefined });
    expect(read(['rc=0', 'leader=1;reboot', 'voters=1']).answered).toBe(false);
  });

  it('a voter that lost its disk and the same node back as an observer: two rows of one id, told apart by their directories', () => {
    const q = read([
      'replication_rc=0',
      'row=1 10 0 1000 1000 Leader AAAAAAAAAAAAAAAAAAAAAA',
      'row=2 10 0 990 990 Follower BBBBBBBBBBBBBBBBBBBBBB',
      'row=3 4 6 400 300 Follower CCCCCCCCCCCCCCCCCCCCCC',
      'row=3 10 0 990 990 Observer DDDDDDDDDDDDDDDDDDDDDD',
    ]);
    expect(q).toMatchObject({ answered: true, leaderId: 1, voters: [1, 2, 3] });
    expect(q.answered && q.replicas?.filter((r) => r.id === 3).map((r) => [r.status, r.directoryId])).toEqual([
      ['follower', 'CCCCCCCCCCCCCCCCCCCCCC'],
      ['observer', 'DDDDDDDDDDDDDDDDDDDDDD'],
    ]);
  });

  it('reads at most 16 rows', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `row=${i} 10 0 1000 1000 ${i === 0 ? 'Leader' : 'Observer'} -`);
    const q = read(['replication_rc=0', ...rows]);
    expect(q.answered && q.replicas).toHaveLength(16);
  });
});
