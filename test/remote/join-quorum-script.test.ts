/**
 * join-quorum.sh under dash, with a kafka-metadata-quorum.sh of our own that keeps what it was asked
 * in a file: the lost voter removed before the node adds itself, a refused add tried again, the vote
 * confirmed by the quorum's answer, and only then the directory id kept beside meta.properties. The
 * real quorum is proven in test/e2e/kraft-cluster.test.ts.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { remoteScript } from '../../src/host/script.js';
import { baseVars } from '../../src/host/target.js';
import { parseSections, type Sections } from '../../src/remote/script.js';
import { scratchDir } from '../support/scratch.js';

const NEW = 'NNNNNNNNNNNNNNNNNNNNNN';
const OLD = 'OOOOOOOOOOOOOOOOOOOOOO';

const TOOL = `#!/bin/sh
echo "$*" >> "$HOME/calls"
case "$*" in
  *remove-controller*)
    if [ -f "$HOME/remove-fails" ]; then printf 'Error: org.apache.kafka.common.errors.InvalidRequestException \\033[2J\\n'; exit 1; fi
    : > "$HOME/removed" ;;
  *add-controller*)
    n=$(cat "$HOME/adds" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "$HOME/adds"
    if [ "$n" -lt 2 ]; then
      echo "WARN The configuration 'process.roles' was supplied but isn't a known config."
      echo 'org.apache.kafka.common.errors.RequestTimedOutException: the new voter has not caught up'
      exit 1
    fi
    : > "$HOME/added" ;;
  *describe*)
    printf 'NodeId\\tDirectoryId           \\tLogEndOffset\\tLag\\tLastFetchTimestamp\\tLastCaughtUpTimestamp\\tStatus\\t\\n'
    if [ -f "$HOME/added" ]; then s=Follower; else s=Observer; fi
    printf '3     \\t${NEW}\\t40          \\t0  \\t1796647626342     \\t1796647626342        \\t%s\\t\\n' "$s" ;;
esac
`;

/** Runs the script with stdin held open until it ends (ks_guard stops its job when the channel closes). */
function run(home: string, vars: Record<string, string | number>): Promise<Sections> {
  const install = join(home, 'kafka_2.13-4.4.0');
  const base = baseVars({ options: { installDir: '~/kafka_2.13-4.4.0' }, dist: { kafkaVersion: '4.4.0', scalaVersion: '2.13' } });
  const script = remoteScript('join-quorum', { ...base, ...vars }, ['probe-lib', 'join-quorum']);
  mkdirSync(join(install, 'bin'), { recursive: true });
  mkdirSync(join(install, 'config'), { recursive: true });
  writeFileSync(join(install, 'config', 'server.properties'), 'process.roles=broker,controller\nnode.id=3\n');
  writeFileSync(join(install, 'bin', 'kafka-metadata-quorum.sh'), TOOL);
  chmodSync(join(install, 'bin', 'kafka-metadata-quorum.sh'), 0o755);
  return new Promise((resolve) => {
    const child = spawn('sh', ['-s'], { env: { PATH: process.env.PATH, HOME: home, TMPDIR: home }, stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('close', () => {
      child.stdin.end();
      resolve(parseSections(out, script.mark));
    });
    child.stdin.write(script.text);
  });
}

function setUp(): { home: string; logs: string; vars: Record<string, string | number> } {
  const home = scratchDir('ks-join-quorum-');
  const logs = join(home, 'kafka-data', 'kafka-logs');
  mkdirSync(logs, { recursive: true });
  writeFileSync(join(logs, 'meta.properties'), `version=1\nnode.id=3\ncluster.id=tvz45AyKhMRbOhpz8_5ovg\ndirectory.id=${NEW}\n`);
  return {
    home,
    logs,
    vars: {
      KS_NODE_ID: 3,
      KS_DIRECTORY_ID: NEW,
      KS_LOG_DIR: logs,
      KS_CONTROLLERS: '10.0.0.1:9094,10.0.0.2:9094,10.0.0.3:9094',
      KS_REMOVE_DIRECTORY: OLD,
      KS_ADD: 1,
    },
  };
}

describe('join-quorum.sh under dash', () => {
  it('removes the lost voter, adds the node (again after a refusal), confirms it with the quorum, then keeps its directory id', async () => {
    const { home, logs, vars } = setUp();
    const sections = await run(home, vars);
    const calls = readFileSync(join(home, 'calls'), 'utf8').trim().split('\n');
    expect(calls[0]).toBe(
      `--bootstrap-controller 10.0.0.1:9094,10.0.0.2:9094,10.0.0.3:9094 remove-controller --controller-id 3 --controller-directory-id ${OLD}`,
    );
    // The refused add is followed by a look at the quorum (it may have taken it), then a second try.
    expect(calls.filter((c) => c.includes('add-controller'))).toHaveLength(2);
    expect(calls.find((c) => c.includes('add-controller'))).toContain(
      `--command-config ${home}/kafka_2.13-4.4.0/config/server.properties add-controller`,
    );
    expect(calls.at(-1)).toContain('describe --replication');
    expect(sections.get('joined')).toEqual([`removed=${OLD}`, expect.stringMatching(/^seconds=\d+$/)]);
    expect(readFileSync(join(logs, 'kafka-setup-voter.id'), 'utf8')).toBe(`${NEW}\n`);
    // The probe's data section comes with it: the storage as it is now, its vote kept.
    expect(sections.get('data')).toContainEqual(`format=1 3 tvz45AyKhMRbOhpz8_5ovg ${NEW} ${NEW} ${logs}`);
  }, 30_000);

  it('a voter already (KS_ADD=0): nothing removed or added, only confirmed and kept', async () => {
    const { home, logs, vars } = setUp();
    writeFileSync(join(home, 'added'), '');
    const sections = await run(home, { ...vars, KS_REMOVE_DIRECTORY: '', KS_ADD: 0 });
    const calls = readFileSync(join(home, 'calls'), 'utf8').trim().split('\n');
    expect(calls.every((c) => c.includes('describe --replication'))).toBe(true);
    expect(sections.get('joined')?.[0]).toBe('removed=');
    expect(existsSync(join(logs, 'kafka-setup-voter.id'))).toBe(true);
  });

  it("a removal the quorum refuses: an error with the tool's last lines, nothing added, nothing kept", async () => {
    const { home, logs, vars } = setUp();
    writeFileSync(join(home, 'remove-fails'), '');
    const sections = await run(home, vars);
    const error = sections.get('error') ?? [];
    expect(error).toContain('kind=quorum_change_failed');
    expect(error).toContain(`message=removing the lost voter 3 (directory ${OLD}) failed with status 1`);
    expect(error.some((l) => l.startsWith('line=Error: org.apache.kafka.common.errors.InvalidRequestException'))).toBe(true);
    expect(readFileSync(join(home, 'calls'), 'utf8')).not.toContain('add-controller');
    expect(existsSync(join(logs, 'kafka-setup-voter.id'))).toBe(false);
  });
});
