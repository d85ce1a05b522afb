/**
 * uninstall.sh, with the real probe and the real plan, run through the local dash as sshd would run
 * it (`sh -s`) in a scratch HOME: ~/.bashrc comes back byte for byte, only Kafka's data is ever
 * purged, refusals change nothing, and a second run finds nothing to remove.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planLines } from '../../src/commands/uninstall-text.js';
import { UserError } from '../../src/errors.js';
import type { HostFacts, UnitFact } from '../../src/host/facts.js';
import type { UninstallResult } from '../../src/host/operations.js';
import { RemoteHost } from '../../src/host/remote-host.js';
import { heapBlock, withHeapBlock } from '../../src/kafka/heap-block.js';
import { keyValues, parseSections, type RemoteScript } from '../../src/remote/script.js';
import { RemoteFailure, type RunResult, type Session } from '../../src/remote/session.js';
import { uninstallPlan, uninstallRequest } from '../../src/steps/uninstall-plan.js';
import { scratchDir } from '../support/scratch.js';

const DIST = { kafkaVersion: '3.1.0', scalaVersion: '2.12' };
/** A unit file as kafka-setup writes it: its first line is kafka-setup's header. */
const OUR_UNIT = '# Written by kafka-setup (kafka-setup init replaces it; kafka-setup uninstall removes it).\n[Unit]\n';

/**
 * Runs each script with the local sh, in `home`, failing like the SSH session does. `fake`: a
 * directory of stand-ins put first on PATH, and the unit directory they play with.
 */
class LocalSession implements Session {
  readonly host = 'local';
  readonly stats = { connections: 1, commands: 0 };
  constructor(
    private readonly home: string,
    private readonly fake?: { bin: string; unitDir: string },
  ) {}
  close(): void {}
  async run(script: RemoteScript): Promise<RunResult> {
    this.stats.commands++;
    const text = this.fake ? script.text.replace(`KS_UNIT_DIR='/etc/systemd/system'`, `KS_UNIT_DIR='${this.fake.unitDir}'`) : script.text;
    if (this.fake && text === script.text) throw new Error('the unit directory was not replaced');
    const PATH = this.fake ? `${this.fake.bin}:${process.env.PATH}` : process.env.PATH;
    const r = spawnSync('sh', ['-s'], { input: text, env: { PATH, HOME: this.home, TMPDIR: this.home }, encoding: 'utf8' });
    const sections = parseSections(r.stdout, script.mark);
    const error = sections.get('error');
    if (error) {
      const kv = keyValues(error);
      throw new RemoteFailure(kv.get('kind') ?? 'unknown', kv.get('message') ?? 'failed', kv, []);
    }
    if (r.status !== 0) throw new Error(`${script.name} exited ${r.status}: ${r.stderr}`);
    return { code: 0, stdout: r.stdout, stderr: r.stderr, sections, durationMs: 1 };
  }
}

const host = (home: string, fake?: { bin: string; unitDir: string }): RemoteHost =>
  new RemoteHost(new LocalSession(home, fake), { options: { installDir: '~/kafka_2.12-3.1.0' }, dist: DIST });

/** What init leaves: Kafka extracted, its configs pointing at ~/kafka-data, data there, the block in ~/.bashrc. */
async function initialised(o: { bashrc?: string | undefined; mode?: number; logDirs?: string } = {}): Promise<string> {
  const home = scratchDir('ks-uninstall-');
  const install = join(home, 'kafka_2.12-3.1.0');
  for (const d of ['libs', 'bin', 'config', 'logs']) mkdirSync(join(install, d), { recursive: true });
  writeFileSync(join(install, 'libs/kafka_2.12-3.1.0.jar'), 'jar');
  writeFileSync(join(install, 'bin/kafka-server-start.sh'), '#!/bin/sh\n');
  writeFileSync(join(install, 'logs/server.log'), 'log\n');
  writeFileSync(join(install, 'config/server.properties'), `broker.id=0\nlog.dirs=${o.logDirs ?? join(home, 'kafka-data/kafka-logs')}\n`);
  writeFileSync(join(install, 'config/zookeeper.properties'), `dataDir=${join(home, 'kafka-data/zookeeper')}\nclientPort=2181\n`);
  kafkaData(join(home, 'kafka-data/kafka-logs'));
  mkdirSync(join(home, 'kafka-data/zookeeper/version-2'), { recursive: true });
  writeFileSync(join(home, 'kafka-data/zookeeper/version-2/snapshot.0'), 'zk');
  writeFileSync(join(home, 'kafka-data/zookeeper/version-2/log.1'), 'zk');
  if ('bashrc' in o && o.bashrc === undefined) {
    // No ~/.bashrc before init: the write creates it (and no backup).
    writeFileSync(join(home, '.bashrc'), heapBlock('-Xmx256m -Xms256m'));
  } else {
    const original = o.bashrc ?? '# ~/.bashrc\nalias ll="ls -l"\n';
    writeFileSync(join(home, '.bashrc.kafka-setup.bak'), original, { mode: o.mode ?? 0o644 });
    const edit = withHeapBlock(original, heapBlock('-Xmx256m -Xms256m'));
    if (!edit.ok) throw new Error(edit.problem);
    writeFileSync(join(home, '.bashrc'), edit.text, { mode: o.mode ?? 0o644 });
    chmodSync(join(home, '.bashrc'), o.mode ?? 0o644);
  }
  return home;
}

/** A Kafka log directory as a broker leaves it. */
function kafkaData(dir: string): void {
  mkdirSync(join(dir, 'orders-0'), { recursive: true });
  writeFileSync(join(dir, 'meta.properties'), 'cluster.id=x\nbroker.id=0\n');
  for (const f of [
    '.lock',
    'cleaner-offset-checkpoint',
    'recovery-point-offset-checkpoint',
    'replication-offset-checkpoint',
    'log-start-offset-checkpoint',
    '.kafka_cleanshutdown',
  ])
    writeFileSync(join(dir, f), '');
  for (const f of [
    '00000000000000000000.log',
    '00000000000000000000.index',
    '00000000000000000000.timeindex',
    'leader-epoch-checkpoint',
    'partition.metadata',
  ])
    writeFileSync(join(dir, 'orders-0', f), 'x');
}

async function probe(home: string): Promise<HostFacts> {
  return (await host(home).probe({ urls: [], lock: false })).facts;
}

async function uninstall(home: string, purgeData = false) {
  const facts = await probe(home);
  const plan = uninstallPlan(facts, { purgeData, dist: DIST });
  return { plan, result: plan.nothing ? undefined : await host(home).uninstall(uninstallRequest(plan)) };
}

describe('uninstall.sh under dash', () => {
  it('removes the install, restores ~/.bashrc byte for byte (mode kept, backup gone), keeps the data; a second run finds nothing', async () => {
    const original = '# mine\nexport PATH="$HOME/bin:$PATH"'; // no final newline: init adds one before its block
    const home = await initialised({ bashrc: original, mode: 0o600 });
    const { plan, result } = await uninstall(home);
    expect(plan.bashrc.action).toBe('restore');
    expect(result!.bashrc).toBe('restore');
    expect(readFileSync(join(home, '.bashrc'), 'latin1')).toBe(original);
    expect(statSync(join(home, '.bashrc')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(home, '.bashrc.kafka-setup.bak'))).toBe(false);
    expect(existsSync(join(home, 'kafka_2.12-3.1.0'))).toBe(false);
    expect(result!.removed).toEqual([join(home, 'kafka_2.12-3.1.0')]);
    expect(existsSync(join(home, 'kafka-data/kafka-logs/meta.properties'))).toBe(true);
    expect(result!.update.install!.state).toBe('absent');

    const again = await uninstall(home);
    expect(again.plan.nothing).toBe(true);
    expect(again.plan.data.map((d) => d.path)).toEqual([join(home, 'kafka-data/kafka-logs'), join(home, 'kafka-data/zookeeper')]);
  });

  it('a ~/.bashrc edited since init keeps the edit: only the block goes, the backup stays', async () => {
    const home = await initialised();
    writeFileSync(
      join(home, '.bashrc'),
      readFileSync(join(home, '.bashrc'), 'latin1').replace('alias ll="ls -l"\n', 'alias ll="ls -l"\nalias k=kubectl\n'),
    );
    const { plan, result } = await uninstall(home);
    expect(plan.bashrc.action).toBe('strip');
    expect(result!.bashrc).toBe('strip');
    expect(readFileSync(join(home, '.bashrc'), 'latin1')).toBe('# ~/.bashrc\nalias ll="ls -l"\nalias k=kubectl\n');
    expect(readFileSync(join(home, '.bashrc.kafka-setup.bak'), 'latin1')).toBe('# ~/.bashrc\nalias ll="ls -l"\n');
    // The backup that stays is not something left to remove.
    expect((await uninstall(home)).plan.nothing).toBe(true);
  });

  it('a symlinked ~/.bashrc is restored at its target; the link stays a link', async () => {
    const home = await initialised();
    mkdirSync(join(home, 'dotfiles'));
    writeFileSync(join(home, 'dotfiles/bashrc'), readFileSync(join(home, '.bashrc')));
    rmSync(join(home, '.bashrc'));
    symlinkSync('dotfiles/bashrc', join(home, '.bashrc'));
    const { result } = await uninstall(home);
    expect(result!.bashrc).toBe('restore');
    expect(lstatSync(join(home, '.bashrc')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(home, '.bashrc'))).toBe('dotfiles/bashrc');
    expect(readFileSync(join(home, 'dotfiles/bashrc'), 'latin1')).toBe('# ~/.bashrc\nalias ll="ls -l"\n');
  });

  it('a ~/.bashrc init created (no backup, only the block) is removed', async () => {
    const home = await initialised({ bashrc: undefined });
    const { plan } = await uninstall(home);
    expect(plan.bashrc.action).toBe('delete');
    expect(existsSync(join(home, '.bashrc'))).toBe(false);
  });

  it('an interrupted run (restored, backup still there) is finished by the next: the backup goes', async () => {
    const home = await initialised();
    writeFileSync(join(home, '.bashrc'), readFileSync(join(home, '.bashrc.kafka-setup.bak')));
    const { plan } = await uninstall(home);
    expect(plan.bashrc.action).toBe('drop-backup');
    expect(existsSync(join(home, '.bashrc.kafka-setup.bak'))).toBe(false);
    expect(readFileSync(join(home, '.bashrc'), 'latin1')).toBe('# ~/.bashrc\nalias ll="ls -l"\n');
  });

  it("--purge-data deletes Kafka's and ZooKeeper's data, and kafka-setup's empty data directory", async () => {
    const home = await initialised();
    const { result } = await uninstall(home, true);
    expect(result!.purged.sort()).toEqual([join(home, 'kafka-data/kafka-logs'), join(home, 'kafka-data/zookeeper')]);
    expect(existsSync(join(home, 'kafka-data'))).toBe(false);
    expect(readFileSync(join(home, '.bashrc'), 'latin1')).toBe('# ~/.bashrc\nalias ll="ls -l"\n');
  });

  it('refuses to purge log.dirs=$HOME before any change', async () => {
    const home = await initialised({ logDirs: '' });
    writeFileSync(join(home, 'kafka_2.12-3.1.0/config/server.properties'), `log.dirs=${home}\n`);
    const facts = await probe(home);
    expect(() => uninstallPlan(facts, { purgeData: true, dist: DIST })).toThrow(/refusing to purge .*: it is the home directory/);
    expect(() => uninstallPlan(facts, { purgeData: false, dist: DIST })).not.toThrow();
  });

  it("refuses, on the host and before any change, to purge a directory that holds more than Kafka's data", async () => {
    const home = await initialised();
    const mine = join(home, 'srv/kafka');
    kafkaData(mine);
    writeFileSync(join(mine, 'notes.txt'), 'mine');
    writeFileSync(join(home, 'kafka_2.12-3.1.0/config/server.properties'), `log.dirs=${mine}\n`);
    const err = await uninstall(home, true).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RemoteFailure);
    expect((err as RemoteFailure).kind).toBe('not_kafka_data');
    expect((err as RemoteFailure).message).toContain(`refusing to delete ${mine}: it holds files that are not Kafka's log data`);
    expect(existsSync(join(mine, 'notes.txt'))).toBe(true);
    expect(existsSync(join(home, 'kafka_2.12-3.1.0'))).toBe(true);
    expect(existsSync(join(home, '.bashrc.kafka-setup.bak'))).toBe(true);
    // Without the note, the same directory is Kafka's alone and goes.
    rmSync(join(mine, 'notes.txt'));
    const { result } = await uninstall(home, true);
    expect(result!.purged).toContain(mine);
    expect(existsSync(mine)).toBe(false);
  });

  it("a ZooKeeper dataDir with someone else's files is refused; a symlinked data directory too", async () => {
    const home = await initialised();
    writeFileSync(join(home, 'kafka-data/zookeeper/README'), 'x');
    await expect(uninstall(home, true)).rejects.toThrow(/not ZooKeeper's data/);
    const other = await initialised();
    const target = scratchDir('ks-target-');
    kafkaData(target);
    writeFileSync(join(other, 'kafka_2.12-3.1.0/config/server.properties'), `log.dirs=${join(other, 'linked')}\n`);
    symlinkSync(target, join(other, 'linked'));
    const facts = await probe(other);
    expect(() => uninstallPlan(facts, { purgeData: true, dist: DIST })).toThrow(/symbolic link/);
  });

  it('data inside the install directory is refused without --purge-data (it would go with the install)', async () => {
    const home = await initialised();
    kafkaData(join(home, 'kafka_2.12-3.1.0/data'));
    writeFileSync(join(home, 'kafka_2.12-3.1.0/config/server.properties'), `log.dirs=${join(home, 'kafka_2.12-3.1.0/data')}\n`);
    const facts = await probe(home);
    const err = (() => {
      try {
        uninstallPlan(facts, { purgeData: false, dist: DIST });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/is inside the install directory/);
    expect((err as UserError).hint).toMatch(/--purge-data/);
  });

  it("with systemd: disables and stops the broker's unit, then ZooKeeper's, removes their files, reloads systemd", async () => {
    const home = await initialised();
    const bin = join(home, 'fake-bin');
    const unitDir = join(home, 'units');
    mkdirSync(bin);
    mkdirSync(unitDir);
    for (const u of ['kafka-broker.service', 'kafka-zookeeper.service']) writeFileSync(join(unitDir, u), OUR_UNIT);
    // A stand-in systemctl (and sudo, for a run that is not root's) that records its calls.
    const log = join(home, 'calls');
    writeFileSync(join(bin, 'systemctl'), `#!/bin/sh\necho "systemctl $*" >> '${log}'\n`, { mode: 0o755 });
    writeFileSync(join(bin, 'sudo'), `#!/bin/sh\n[ "$1" = -n ] && shift\nexec "$@"\n`, { mode: 0o755 });
    const facts = await probe(home);
    const plan = uninstallPlan(
      {
        ...facts,
        sudo: 'yes',
        services: {
          systemd: true,
          units: {
            broker: {
              name: 'kafka-broker.service',
              path: join(unitDir, 'kafka-broker.service'),
              content: OUR_UNIT,
              enabled: 'enabled',
              active: 'active',
              pid: 300,
            },
            zookeeper: {
              name: 'kafka-zookeeper.service',
              path: join(unitDir, 'kafka-zookeeper.service'),
              content: OUR_UNIT,
              enabled: 'enabled',
              active: 'active',
              pid: 200,
            },
          },
        },
      },
      { purgeData: false, dist: DIST },
    );
    const result = await host(home, { bin, unitDir }).uninstall(uninstallRequest(plan));
    expect(result.units).toEqual(['kafka-broker.service', 'kafka-zookeeper.service']);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      'systemctl disable --now kafka-broker.service',
      'systemctl disable --now kafka-zookeeper.service',
      'systemctl daemon-reload',
      'systemctl reset-failed kafka-broker.service',
      'systemctl reset-failed kafka-zookeeper.service',
    ]);
    expect(existsSync(join(unitDir, 'kafka-broker.service'))).toBe(false);
    expect(existsSync(join(unitDir, 'kafka-zookeeper.service'))).toBe(false);
    expect(existsSync(join(home, 'kafka_2.12-3.1.0'))).toBe(false);
  });

  it('a systemctl that fails to stop a unit stops the run before anything is removed', async () => {
    const home = await initialised();
    const bin = join(home, 'fake-bin');
    const unitDir = join(home, 'units');
    mkdirSync(bin);
    mkdirSync(unitDir);
    writeFileSync(join(unitDir, 'kafka-broker.service'), OUR_UNIT);
    writeFileSync(join(bin, 'systemctl'), '#!/bin/sh\necho "Failed to stop kafka-broker.service: Access denied" >&2\nexit 1\n', {
      mode: 0o755,
    });
    writeFileSync(join(bin, 'sudo'), '#!/bin/sh\n[ "$1" = -n ] && shift\nexec "$@"\n', { mode: 0o755 });
    const facts = await probe(home);
    const unit = {
      name: 'kafka-broker.service',
      path: join(unitDir, 'kafka-broker.service'),
      content: OUR_UNIT,
      enabled: 'enabled',
      active: 'active',
      pid: undefined,
    };
    const plan = uninstallPlan(
      {
        ...facts,
        sudo: 'yes',
        services: {
          systemd: true,
          units: {
            broker: unit,
            zookeeper: { ...unit, name: 'kafka-zookeeper.service', content: undefined, enabled: '', active: 'inactive' },
          },
        },
      },
      { purgeData: false, dist: DIST },
    );
    const err = await host(home, { bin, unitDir })
      .uninstall(uninstallRequest(plan))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(RemoteFailure);
    expect((err as RemoteFailure).message).toMatch(
      /^could not stop and disable kafka-broker.service: Failed to stop kafka-broker.service: Access denied *$/,
    );
    expect(existsSync(join(unitDir, 'kafka-broker.service'))).toBe(true);
    expect(existsSync(join(home, 'kafka_2.12-3.1.0'))).toBe(true);
  });

  it('a directory that is not a Kafka install is left alone', async () => {
    const home = await initialised();
    rmSync(join(home, 'kafka_2.12-3.1.0/libs'), { recursive: true });
    const { plan } = await uninstall(home);
    expect(plan.removeInstall).toBe(false);
    expect(plan.install.state).toBe('other');
    expect(existsSync(join(home, 'kafka_2.12-3.1.0/bin'))).toBe(true);
  });
});

describe('uninstall.sh under dash: Kafka 4 (KRaft)', () => {
  const DIST4 = { kafkaVersion: '4.4.0', scalaVersion: '2.13' };
  const ID = 'MkU3OEVBNTcwNTJENDM2Qg';
  const host4 = (home: string): RemoteHost =>
    new RemoteHost(new LocalSession(home), { options: { installDir: '~/kafka_2.13-4.4.0' }, dist: DIST4 });

  /** What init of 4.x leaves: no zookeeper.properties, the log directory formatted (a metadata log), the cluster id kept beside it. */
  function kraftInitialised(): string {
    const home = scratchDir('ks-uninstall4-');
    const install = join(home, 'kafka_2.13-4.4.0');
    for (const d of ['libs', 'bin', 'config', 'logs']) mkdirSync(join(install, d), { recursive: true });
    writeFileSync(join(install, 'libs/kafka_2.13-4.4.0.jar'), 'jar');
    writeFileSync(join(install, 'bin/kafka-server-start.sh'), '#!/bin/sh\n');
    writeFileSync(
      join(install, 'config/server.properties'),
      `process.roles=broker,controller\nnode.id=1\nlog.dirs=${join(home, 'kafka-data/kafka-logs')}\n`,
    );
    const logs = join(home, 'kafka-data/kafka-logs');
    kafkaData(logs);
    writeFileSync(join(logs, 'meta.properties'), `version=1\nnode.id=1\ncluster.id=${ID}\ndirectory.id=x\n`);
    // 4.1.1's format writes it; 4.4.0's does not.
    writeFileSync(join(logs, 'bootstrap.checkpoint'), 'x');
    // What join-quorum.sh keeps once the quorum took this node as a voter under its directory id.
    writeFileSync(join(logs, 'kafka-setup-voter.id'), 'xwByuhPtSU6oeDTU5mwhtQ\n');
    mkdirSync(join(logs, '__cluster_metadata-0'));
    for (const f of [
      '00000000000000000000-0000000000.checkpoint',
      '00000000000000000000.log',
      '00000000000000000000.index',
      '00000000000000000000.timeindex',
      '00000000000000000046.snapshot',
      'leader-epoch-checkpoint',
      'partition.metadata',
      'quorum-state',
    ]) {
      writeFileSync(join(logs, '__cluster_metadata-0', f), 'x');
    }
    writeFileSync(join(home, 'kafka-data/cluster.id'), `${ID}\n`);
    writeFileSync(join(home, '.bashrc'), heapBlock('-Xmx256m -Xms256m'));
    return home;
  }

  async function uninstall4(home: string, purgeData = false) {
    const facts = (await host4(home).probe({ urls: [], lock: false })).facts;
    const plan = uninstallPlan(facts, { purgeData, dist: DIST4 });
    return { plan, result: plan.nothing ? undefined : await host4(home).uninstall(uninstallRequest(plan)) };
  }

  it('without --purge-data: the install goes; the data and the kept cluster id stay (a later init formats nothing), and the plan says so', async () => {
    const home = kraftInitialised();
    const { plan, result } = await uninstall4(home);
    expect(planLines(plan)).toEqual([
      `  remove   ${join(home, 'kafka_2.13-4.4.0')} (Kafka, with its config files and logs)`,
      `  remove   ${join(home, '.bashrc')} (init created it: it holds only kafka-setup's block)`,
      `  keep     Kafka data in ${join(home, 'kafka-data/kafka-logs')} (--purge-data deletes it)`,
      `  keep     the KRaft cluster id ${ID} in ${join(home, 'kafka-data/cluster.id')} (a later init formats with it; --purge-data deletes it)`,
      '  keep     Java: other programs may use it',
    ]);
    expect(result!.removed).toEqual([join(home, 'kafka_2.13-4.4.0')]);
    expect(readFileSync(join(home, 'kafka-data/cluster.id'), 'utf8')).toBe(`${ID}\n`);
    expect(existsSync(join(home, 'kafka-data/kafka-logs/__cluster_metadata-0/quorum-state'))).toBe(true);
    const again = await uninstall4(home);
    expect(again.plan.nothing).toBe(true);
    expect(again.plan.clusterId).toEqual({ path: join(home, 'kafka-data/cluster.id'), id: ID, purge: false });
  });

  it("--purge-data: the metadata log with the rest of the data, then the cluster id, then kafka-setup's empty data directory", async () => {
    const home = kraftInitialised();
    const { plan, result } = await uninstall4(home, true);
    expect(planLines(plan)).toContain(`  delete   the KRaft cluster id ${ID} in ${join(home, 'kafka-data/cluster.id')}`);
    expect(result!.purged).toEqual([join(home, 'kafka-data/kafka-logs')]);
    expect(result!.removed).toEqual([join(home, 'kafka-data/cluster.id'), join(home, 'kafka-data'), join(home, 'kafka_2.13-4.4.0')]);
    expect(existsSync(join(home, 'kafka-data'))).toBe(false);
    // Once all is gone, a purge again finds nothing.
    expect((await uninstall4(home, true)).plan.nothing).toBe(true);
  });

  it("KRaft's file names only where Kafka writes them: a quorum-state in a topic's directory is someone else's; nothing changed, the id kept", async () => {
    const home = kraftInitialised();
    writeFileSync(join(home, 'kafka-data/kafka-logs/orders-0/quorum-state'), 'x');
    await expect(uninstall4(home, true)).rejects.toThrow(/refusing to delete .*kafka-logs: it holds files that are not Kafka's log data/);
    expect(existsSync(join(home, 'kafka-data/cluster.id'))).toBe(true);
    expect(existsSync(join(home, 'kafka_2.13-4.4.0'))).toBe(true);
  });

  it('a cluster id changed since the probe stops the run before any change', async () => {
    const home = kraftInitialised();
    const facts = (await host4(home).probe({ urls: [], lock: false })).facts;
    const plan = uninstallPlan(facts, { purgeData: true, dist: DIST4 });
    writeFileSync(join(home, 'kafka-data/cluster.id'), 'AnotherClusterIdXXXXXX\n');
    const err = await host4(home)
      .uninstall(uninstallRequest(plan))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((err as RemoteFailure).kind).toBe('changed_meanwhile');
    expect(existsSync(join(home, 'kafka-data/kafka-logs/meta.properties'))).toBe(true);
    expect(existsSync(join(home, 'kafka_2.13-4.4.0'))).toBe(true);
  });
});

describe("uninstall.sh under dash: only kafka-setup's own units", () => {
  /**
   * A host with a unit directory and a stand-in systemctl that records what it is asked to do, and
   * answers `show -p FragmentPath` with `fragment` (where systemd loads the unit from).
   */
  function withSystemd(home: string, fragment = ''): { bin: string; unitDir: string; calls: () => string[] } {
    const bin = join(home, 'fake-bin');
    const unitDir = join(home, 'units');
    mkdirSync(bin);
    mkdirSync(unitDir);
    const log = join(home, 'calls');
    writeFileSync(
      join(bin, 'systemctl'),
      `#!/bin/sh\nif [ "$1" = show ]; then echo 'FragmentPath=${fragment}'; exit 0; fi\necho "systemctl $*" >> '${log}'\n`,
      { mode: 0o755 },
    );
    writeFileSync(join(bin, 'sudo'), '#!/bin/sh\n[ "$1" = -n ] && shift\nexec "$@"\n', { mode: 0o755 });
    return { bin, unitDir, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
  }
  const FOREIGN =
    "[Unit]\nDescription=the admin's own Kafka\n[Service]\nExecStart=/opt/kafka/bin/kafka-server-start.sh /opt/kafka/config/server.properties\n";
  const unitFact = (unitDir: string, name: string, content: string | undefined, more: Partial<UnitFact> = {}): UnitFact => ({
    name,
    path: join(unitDir, name),
    content,
    enabled: 'enabled',
    active: 'active',
    pid: 900,
    ...more,
  });

  it("a unit without kafka-setup's header is left alone (running, enabled, in place) and said so; the rest of the install goes", async () => {
    const home = await initialised();
    const fake = withSystemd(home);
    writeFileSync(join(fake.unitDir, 'kafka-broker.service'), FOREIGN);
    const facts = await probe(home);
    const plan = uninstallPlan(
      {
        ...facts,
        sudo: 'yes',
        services: {
          systemd: true,
          units: {
            broker: unitFact(fake.unitDir, 'kafka-broker.service', FOREIGN),
            zookeeper: unitFact(fake.unitDir, 'kafka-zookeeper.service', undefined, {
              enabled: undefined,
              active: 'inactive',
              pid: undefined,
            }),
          },
        },
      },
      { purgeData: false, dist: DIST },
    );
    expect(plan.units).toEqual([]);
    expect(plan.foreign.map((u) => u.path)).toEqual([join(fake.unitDir, 'kafka-broker.service')]);
    expect(planLines(plan)).toContain(
      `  keep     left alone: ${join(fake.unitDir, 'kafka-broker.service')} was not written by kafka-setup (stays running, enabled at boot)`,
    );
    const result = await host(home, fake).uninstall(uninstallRequest(plan));
    expect(fake.calls()).toEqual([]);
    expect(result.units).toEqual([]);
    expect(readFileSync(join(fake.unitDir, 'kafka-broker.service'), 'utf8')).toBe(FOREIGN);
    expect(existsSync(join(home, 'kafka_2.12-3.1.0'))).toBe(false);
  });

  it("the script checks the header again before any change: a unit replaced by someone else's since the probe stops the run, nothing changed", async () => {
    const home = await initialised();
    const fake = withSystemd(home);
    for (const u of ['kafka-broker.service', 'kafka-zookeeper.service']) writeFileSync(join(fake.unitDir, u), OUR_UNIT);
    const facts = await probe(home);
    const plan = uninstallPlan(
      {
        ...facts,
        sudo: 'yes',
        services: {
          systemd: true,
          units: {
            broker: unitFact(fake.unitDir, 'kafka-broker.service', OUR_UNIT, { pid: 300 }),
            zookeeper: unitFact(fake.unitDir, 'kafka-zookeeper.service', OUR_UNIT, { pid: 200 }),
          },
        },
      },
      { purgeData: false, dist: DIST },
    );
    expect(plan.units.map((u) => u.name)).toEqual(['kafka-broker.service', 'kafka-zookeeper.service']);
    // Between the probe and the run, the admin puts their own ZooKeeper unit in place (the second one:
    // the broker's, checked first, is still ours, and must not be stopped either).
    writeFileSync(join(fake.unitDir, 'kafka-zookeeper.service'), FOREIGN);
    const err = await host(home, fake)
      .uninstall(uninstallRequest(plan))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(RemoteFailure);
    expect((err as RemoteFailure).kind).toBe('changed_meanwhile');
    expect((err as RemoteFailure).message).toBe(
      `left alone: ${join(fake.unitDir, 'kafka-zookeeper.service')} was not written by kafka-setup (it was replaced while kafka-setup was running); nothing was changed`,
    );
    expect(fake.calls()).toEqual([]);
    expect(readFileSync(join(fake.unitDir, 'kafka-zookeeper.service'), 'utf8')).toBe(FOREIGN);
    expect(readFileSync(join(fake.unitDir, 'kafka-broker.service'), 'utf8')).toBe(OUR_UNIT);
    expect(existsSync(join(home, 'kafka_2.12-3.1.0'))).toBe(true);
  });

  it("a unit with no file here: stopped only when systemd loads it from kafka-setup's path (an interrupted run), never a package's", async () => {
    const remnant = async (fragment: (unitDir: string) => string) => {
      const home = await initialised();
      const fake = withSystemd(home, fragment(join(home, 'units')));
      const facts = await probe(home);
      const path = join(fake.unitDir, 'kafka-broker.service');
      const unit = unitFact(fake.unitDir, 'kafka-broker.service', undefined, {
        active: 'inactive',
        pid: undefined,
        fragment: fragment(fake.unitDir),
      });
      const plan = uninstallPlan(
        {
          ...facts,
          sudo: 'yes',
          services: {
            systemd: true,
            units: {
              broker: unit,
              zookeeper: unitFact(fake.unitDir, 'kafka-zookeeper.service', undefined, {
                enabled: undefined,
                active: 'inactive',
                pid: undefined,
              }),
            },
          },
        },
        { purgeData: false, dist: DIST },
      );
      // Sent as if the probe had seen it as ours: the script decides again from what systemd says now.
      const result = await host(home, fake)
        .uninstall({ ...uninstallRequest(plan), units: ['kafka-broker.service'] })
        .catch((e: unknown) => e);
      return { plan, result, calls: fake.calls(), path, home };
    };
    const ours = await remnant((dir) => join(dir, 'kafka-broker.service'));
    expect(ours.plan.units.map((u) => u.name)).toEqual(['kafka-broker.service']);
    expect(ours.calls).toEqual([
      'systemctl stop kafka-broker.service',
      'systemctl daemon-reload',
      'systemctl reset-failed kafka-broker.service',
    ]);
    expect((ours.result as UninstallResult).units).toEqual(['kafka-broker.service']);

    const packaged = await remnant(() => '/usr/lib/systemd/system/kafka-broker.service');
    expect(packaged.plan.units).toEqual([]);
    expect(packaged.plan.foreign.map((u) => u.path)).toEqual(['/usr/lib/systemd/system/kafka-broker.service']);
    expect(packaged.calls).toEqual([]);
    expect((packaged.result as RemoteFailure).message).toBe(
      'left alone: kafka-broker.service (from /usr/lib/systemd/system/kafka-broker.service) was not written by kafka-setup; nothing was changed',
    );
    expect(existsSync(join(packaged.home, 'kafka_2.12-3.1.0'))).toBe(true);
  });
});
