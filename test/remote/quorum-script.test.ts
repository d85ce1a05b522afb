/**
 * quorum.sh under dash, with a kafka-metadata-quorum.sh of our own that prints what Kafka 4.4.0's
 * printed (tab-separated, padded) and hostile lines besides: only digits and known words come back.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readQuorum } from '../../src/host/quorum-read.js';
import { remoteScript } from '../../src/host/script.js';
import { requireSection } from '../../src/host/sections.js';
import { baseVars } from '../../src/host/target.js';
import { parseSections } from '../../src/remote/script.js';
import { scratchDir } from '../support/scratch.js';

/** What `describe --replication` printed on a real 4.4.0 node (tabs kept), then a three-node answer's rows. */
const REPLICATION = [
  'NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus\t',
  '1     \txwByuhPtSU6oeDTU5mwhtQ\t33          \t0  \t1796647626342     \t1796647626342        \tLeader\t',
  '2     \tAAAAAAAAAAAAAAAAAAAAAA\t31          \t2  \t1796647626200     \t1796647626100        \tFollower\t',
  '3     \tBBBBBBBBBBBBBBBBBBBBBB\t33`reboot`\t0;x\t-1     \t-1        \tFollower\t',
  '5     \tD\t1\t0\t1\t1\tFollower\x1b[31m\t',
  '4 \tCCCCCCCCCCCCCCCCCCCCCC\t1\t0\t1\t1\tObserver\t',
  '6 \tCCCCCCCCCC$(x)CCCCCCCCCCCC\t1\t0\t1\t1\tObserver\t',
  'row=9 1 1 1 1 Leader',
].join('\n');
const STATUS =
  'ClusterId:              4BHgMf56QWWlJt8yhFqsrA\nLeaderId:               1\nLeaderEpoch:            1\nHighWatermark:          31\nMaxFollowerLag:         2\n' +
  'CurrentVoters:          [{"id": 1, "directoryId": "x", "endpoints": ["CONTROLLER://10.0.0.1:9094"]}, {"id": 2, "directoryId": "y", "endpoints": []}, {"id": 3}]\n';

let server: Server;
let port = 0;
beforeAll(async () => {
  // The controller's port, listened on (quorum.sh asks nothing of a port nobody listens on).
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function run(tool: string, calls: string): ReturnType<typeof readQuorum> {
  const home = scratchDir('ks-quorum-');
  const install = join(home, 'kafka_2.13-4.4.0');
  mkdirSync(join(install, 'bin'), { recursive: true });
  writeFileSync(join(install, 'bin', 'kafka-metadata-quorum.sh'), tool);
  chmodSync(join(install, 'bin', 'kafka-metadata-quorum.sh'), 0o755);
  const vars = baseVars({ options: { installDir: '~/kafka_2.13-4.4.0' }, dist: { kafkaVersion: '4.4.0', scalaVersion: '2.13' } });
  const script = remoteScript('quorum', { ...vars, KS_CONTROLLER: `127.0.0.1:${port}` }, ['probe-lib', 'quorum'], [calls]);
  const r = spawnSync('sh', ['-s'], { input: script.text, env: { PATH: process.env.PATH, HOME: home, TMPDIR: home }, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return readQuorum(requireSection(parseSections(r.stdout, script.mark), 'quorum', 'quorum'));
}

const fakeTool = `#!/bin/sh
case "$*" in
  *--status*) cat <<'EOS'
${STATUS}EOS
  ;;
  *--replication*) printf '%s\\n' '${REPLICATION.replace(/'/g, `'"'"'`)}' ;;
esac
`;

describe('quorum.sh under dash', () => {
  it('status and replication in one call: the rows cut to digits and known words; a status with an escape in it is no status, and its row is not taken', () => {
    const q = run(fakeTool, 'ks_quorum status replication');
    expect(q).toMatchObject({ answered: true, leaderId: 1, epoch: 1, maxLag: 2, voters: [1, 2, 3] });
    if (!q.answered) throw new Error('no answer');
    expect(q.replicas).toEqual([
      {
        id: 1,
        logEndOffset: 33,
        lag: 0,
        lastFetchMs: 1796647626342,
        lastCaughtUpMs: 1796647626342,
        status: 'leader',
        directoryId: 'xwByuhPtSU6oeDTU5mwhtQ',
      },
      {
        id: 2,
        logEndOffset: 31,
        lag: 2,
        lastFetchMs: 1796647626200,
        lastCaughtUpMs: 1796647626100,
        status: 'follower',
        directoryId: 'AAAAAAAAAAAAAAAAAAAAAA',
      },
      // `33\`reboot\`` and `0;x` cut to digits: what is left is a number, never text.
      {
        id: 3,
        logEndOffset: 33,
        lag: 0,
        lastFetchMs: undefined,
        lastCaughtUpMs: undefined,
        status: 'follower',
        directoryId: 'BBBBBBBBBBBBBBBBBBBBBB',
      },
      { id: 4, logEndOffset: 1, lag: 0, lastFetchMs: 1, lastCaughtUpMs: 1, status: 'observer', directoryId: 'CCCCCCCCCCCCCCCCCCCCCC' },
      // A directory id cut to its characters is cut to 22 of them: what is left is an id or nothing, never text.
      { id: 6, logEndOffset: 1, lag: 0, lastFetchMs: 1, lastCaughtUpMs: 1, status: 'observer', directoryId: 'CCCCCCCCCCxCCCCCCCCCCC' },
    ]);
  });

  it('replication only; a tool that fails says so, its output made visible', () => {
    expect(run(fakeTool, 'ks_quorum replication')).toMatchObject({ answered: true, leaderId: 1, voters: [1, 2, 3] });
    const failing = '#!/bin/sh\nprintf "java.util.concurrent.TimeoutException timed out \\033[2J\\n"; exit 1\n';
    const q = run(failing, 'ks_quorum status replication');
    expect(q.answered).toBe(false);
    expect(!q.answered && q.reason).toMatch(/did not describe its quorum: java\.util\.concurrent\.TimeoutException timed out/);
    expect(!q.answered && q.reason).not.toMatch(/\u001b/);
  });
});
