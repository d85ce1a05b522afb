/** `kafka-setup uninstall` against the fake host: the plan shown, the consent asked for, the refusals. */
import { describe, expect, it } from 'vitest';
import type { Reached } from '../../src/commands/each-member.js';
import type { CommandIO } from '../../src/commands/io.js';
import { runUninstall, type UninstallRun, uninstallCluster } from '../../src/commands/uninstall.js';
import { UsageError, UserError } from '../../src/errors.js';
import { heapBlock, withHeapBlock } from '../../src/kafka/heap-block.js';
import type { Prompter } from '../../src/prompts.js';
import { RemoteFailure } from '../../src/remote/session.js';
import { createReporter } from '../../src/ui/reporter.js';
import { FakeHost, type FakeHostState, freshDebian, INSTALL } from '../host/fake-host.js';

const HOME = '/home/ec2-user';
const ORIGINAL = '# ~/.bashrc\nalias ll="ls -l"\n';
const BROKER_MAIN = 'kafka.Kafka';
const ZK_MAIN = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';
/** A unit file as kafka-setup writes it: its first line is kafka-setup's header. */
const OUR_UNIT = '# Written by kafka-setup (kafka-setup init replaces it; kafka-setup uninstall removes it).\n[Unit]\n';

/** A host as init leaves it without systemd: both JVMs running, data beside the install, the block in ~/.bashrc. */
function installed(overrides: Partial<FakeHostState> = {}): FakeHostState {
  const bashrc = withHeapBlock(ORIGINAL, heapBlock('-Xmx400m -Xms400m'));
  if (!bashrc.ok) throw new Error(bashrc.problem);
  return freshDebian({
    install: 'kafka',
    files: {
      bashrc: { content: bashrc.text, mtime: 2 },
      'server.properties': { content: `broker.id=0\nlog.dirs=${HOME}/kafka-data/kafka-logs\n`, mtime: 2 },
      'zookeeper.properties': { content: `dataDir=${HOME}/kafka-data/zookeeper\n`, mtime: 2 },
    },
    backups: { bashrc: ORIGINAL },
    jvms: [
      { pid: 200, started: 1, main: ZK_MAIN, args: `${INSTALL}/config/zookeeper.properties -Xmx400m` },
      { pid: 300, started: 2, main: BROKER_MAIN, args: `${INSTALL}/config/server.properties -Xmx400m` },
    ],
    listening: [2181, 9092, 9093],
    data: { [`${HOME}/kafka-data/kafka-logs`]: 2048, [`${HOME}/kafka-data/zookeeper`]: 64 },
    ...overrides,
  });
}

function io(answers: boolean[] = []): { io: CommandIO; out: () => string; asked: Array<{ message: string; default: boolean }> } {
  let text = '';
  const sink = {
    write: (s: string) => {
      text += s;
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  const asked: Array<{ message: string; default: boolean }> = [];
  const prompter: Prompter = {
    input: () => Promise.reject(new Error('no input expected')),
    secret: () => Promise.reject(new Error('no secret expected')),
    confirm: (message, dflt) => {
      asked.push({ message, default: dflt });
      const a = answers.shift();
      return a === undefined ? Promise.reject(new Error(`unexpected question: ${message}`)) : Promise.resolve(a);
    },
  };
  return {
    io: {
      reporter: createReporter({ tty: false, color: false, verbose: false, out: sink, err: sink }),
      prompter: () => prompter,
      signal: new AbortController().signal,
      env: {},
      verbose: false,
      debug: false,
    },
    out: () => text,
    asked,
  };
}

const run = (o: Partial<UninstallRun> = {}): UninstallRun => ({
  dist: { kafkaVersion: '3.1.0', scalaVersion: '2.12' },
  purgeData: false,
  dryRun: false,
  yes: false,
  interactive: false,
  ...o,
});

async function failure(p: Promise<unknown>): Promise<UserError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof UserError)) throw new Error(`expected a UserError, got ${String(err)}`);
  return err;
}

describe('kafka-setup uninstall', () => {
  it('--dry-run shows the plan (stop, remove, restore, keep) and changes nothing, in one probe without the lock', async () => {
    const host = new FakeHost(installed());
    const t = io();
    expect(await runUninstall(host, run({ dryRun: true }), t.io)).toBe(0);
    expect(host.ran.map((c) => c.name)).toEqual(['probe']);
    expect(t.out()).toContain(
      [
        'uninstall would:',
        '  stop     the broker (pid 300), then ZooKeeper (pid 200)',
        `  remove   ${INSTALL} (Kafka, with its config files and logs)`,
        `  restore  ${HOME}/.bashrc from ${HOME}/.bashrc.kafka-setup.bak: as it was before init, byte for byte`,
        `  keep     Kafka data in ${HOME}/kafka-data/kafka-logs (--purge-data deletes it)`,
        `  keep     ZooKeeper data in ${HOME}/kafka-data/zookeeper (--purge-data deletes it)`,
        '  keep     Java: other programs may use it',
        '',
        'Dry run: nothing was changed.',
      ].join('\n'),
    );
    expect(host.state.install).toBe('kafka');
    expect(host.state.jvms).toHaveLength(2);
  });

  it('--yes: probe (with the lock) and one uninstall command; says what it did, that the data and Java stay', async () => {
    const host = new FakeHost(installed());
    let locked: boolean | undefined;
    const probe = host.probe.bind(host);
    host.probe = (r) => {
      locked = r.lock;
      return probe(r);
    };
    const t = io();
    expect(await runUninstall(host, run({ yes: true }), t.io)).toBe(0);
    expect(locked).toBe(true);
    expect(host.ran.map((c) => c.name)).toEqual(['probe', 'uninstall']);
    expect(host.ran[1]!.uninstall).toMatchObject({
      units: [],
      stopJvms: [
        { pid: 300, main: BROKER_MAIN },
        { pid: 200, main: ZK_MAIN },
      ],
      removeInstall: true,
      purge: [],
      bashrc: { action: 'restore' },
    });
    expect(host.state).toMatchObject({ install: 'absent', jvms: [], listening: [] });
    expect(host.state.files.bashrc!.content).toBe(ORIGINAL);
    expect(host.state.backups).toEqual({});
    expect(host.state.data).toEqual({ [`${HOME}/kafka-data/kafka-logs`]: 2048, [`${HOME}/kafka-data/zookeeper`]: 64 });
    const out = t.out();
    expect(out).toMatch(/\[done\] Uninstall Kafka — 2 JVMs stopped, 1 path removed, ~\/\.bashrc restored/);
    expect(out).toContain('Kafka is uninstalled from fake.');
    expect(out).toContain('  ~/.bashrc                   restored from its backup: as it was before init');
    expect(out).toContain(
      `  data kept                   ${HOME}/kafka-data/kafka-logs, ${HOME}/kafka-data/zookeeper (kafka-setup uninstall --purge-data deletes it)`,
    );
    expect(out).toContain('  Java                        left installed: other programs may use it');

    // Again: nothing to remove, exit 0, one probe; without --yes and without a terminal too.
    host.ran.length = 0;
    const again = io();
    expect(await runUninstall(host, run(), again.io)).toBe(0);
    expect(host.ran.map((c) => c.name)).toEqual(['probe']);
    expect(again.out()).toContain(`Nothing to remove: kafka-setup's Kafka is not installed on fake (${INSTALL}).`);
    expect(again.out()).toContain(`  keep     Kafka data in ${HOME}/kafka-data/kafka-logs`);
  });

  it('without a terminal and without --yes: a usage error after the plan, nothing changed', async () => {
    const host = new FakeHost(installed());
    const err = await failure(runUninstall(host, run(), io().io));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe('pass --yes to uninstall without a prompt');
    expect(err.hint).toContain('nothing was changed');
    expect(host.ran.map((c) => c.name)).toEqual(['probe']);
    expect(host.state.install).toBe('kafka');
  });

  it('in a terminal it asks, No by default; no changes nothing, yes uninstalls', async () => {
    const no = new FakeHost(installed());
    const t = io([false]);
    expect(await runUninstall(no, run({ interactive: true }), t.io)).toBe(0);
    expect(t.asked).toEqual([{ message: 'Uninstall Kafka from fake as above?', default: false }]);
    expect(t.out()).toContain('Nothing was changed (you said no).');
    expect(no.ran.map((c) => c.name)).toEqual(['probe']);
    const yes = new FakeHost(installed());
    expect(await runUninstall(yes, run({ interactive: true }), io([true]).io)).toBe(0);
    expect(yes.ran.map((c) => c.name)).toEqual(['probe', 'uninstall']);
    // --yes does not ask even in a terminal.
    const quiet = new FakeHost(installed());
    const q = io();
    expect(await runUninstall(quiet, run({ interactive: true, yes: true }), q.io)).toBe(0);
    expect(q.asked).toEqual([]);
  });

  it('--purge-data deletes both data directories, and says so in the plan', async () => {
    const host = new FakeHost(installed());
    const t = io();
    await runUninstall(host, run({ yes: true, purgeData: true }), t.io);
    expect(t.out()).toContain(`  delete   Kafka data in ${HOME}/kafka-data/kafka-logs`);
    expect(host.ran[1]!.uninstall!.purge).toEqual([
      { path: `${HOME}/kafka-data/kafka-logs`, kind: 'kafka', ours: true },
      { path: `${HOME}/kafka-data/zookeeper`, kind: 'zookeeper', ours: true },
    ]);
    expect(host.state.data).toEqual({});
    expect(t.out()).toContain(`  data deleted                ${HOME}/kafka-data/kafka-logs, ${HOME}/kafka-data/zookeeper`);
  });

  it('with systemd: the units are disabled and removed (broker first); their JVMs are not stopped by pid', async () => {
    const host = new FakeHost(
      installed({
        systemd: true,
        units: { zookeeper: { content: OUR_UNIT, enabled: true, pid: 200 }, broker: { content: OUR_UNIT, enabled: true, pid: 300 } },
      }),
    );
    const t = io();
    await runUninstall(host, run({ yes: true }), t.io);
    expect(t.out()).toContain(
      '  stop     kafka-broker.service, then kafka-zookeeper.service: stopped, disabled at boot and removed from /etc/systemd/system',
    );
    expect(host.ran[1]!.uninstall).toMatchObject({
      units: ['kafka-broker.service', 'kafka-zookeeper.service'],
      systemd: true,
      stopJvms: [],
    });
    expect(host.state.units).toEqual({});
    expect(host.state.jvms).toEqual([]);
    expect(t.out()).toContain('units stopped and removed   kafka-broker.service, kafka-zookeeper.service');
  });

  it('without systemd running, unit files of ours are removed (and said so), the JVMs stopped by pid', async () => {
    const host = new FakeHost(installed({ units: { broker: { content: OUR_UNIT, enabled: false } } }));
    const t = io();
    await runUninstall(host, run({ yes: true }), t.io);
    expect(t.out()).toContain('  remove   kafka-broker.service from /etc/systemd/system (systemd does not run here)');
    expect(host.ran[1]!.uninstall).toMatchObject({
      units: ['kafka-broker.service'],
      systemd: false,
      stopJvms: [{ pid: 300 }, { pid: 200 }],
    });
  });

  it('with systemd, a JVM of ours that the unit does not run (started by hand) is stopped by pid too', async () => {
    const host = new FakeHost(
      installed({
        systemd: true,
        units: { zookeeper: { content: OUR_UNIT, enabled: true, pid: 200 }, broker: { content: OUR_UNIT, enabled: false } },
      }),
    );
    await runUninstall(host, run({ yes: true }), io().io);
    expect(host.ran[1]!.uninstall).toMatchObject({
      units: ['kafka-broker.service', 'kafka-zookeeper.service'],
      stopJvms: [{ pid: 300, main: BROKER_MAIN }],
    });
  });

  it('a unit kafka-setup did not write is left alone (running, enabled, in place) and named; the rest goes, by pid', async () => {
    const foreign = "[Unit]\nDescription=the admin's own Kafka\n";
    const host = new FakeHost(
      installed({ systemd: true, sudo: 'password', units: { broker: { content: foreign, enabled: true, pid: 900 } } }),
    );
    const t = io();
    // No passwordless sudo, and no refusal: nothing of root's is to be touched.
    expect(await runUninstall(host, run({ yes: true }), t.io)).toBe(0);
    expect(t.out()).toContain(
      '  keep     left alone: /etc/systemd/system/kafka-broker.service was not written by kafka-setup (stays running, enabled at boot)',
    );
    expect(host.ran[1]!.uninstall).toMatchObject({ units: [], stopJvms: [{ pid: 300 }, { pid: 200 }] });
    expect(host.state.units).toEqual({ broker: { content: foreign, enabled: true, pid: 900 } });
    expect(t.out()).toContain('  left alone                  /etc/systemd/system/kafka-broker.service (not written by kafka-setup)');
    expect(t.out()).not.toMatch(/units stopped and removed/);
  });

  it("a host with no kafka-setup install, only someone else's units: nothing changes, and it says so", async () => {
    const foreign = '[Unit]\nDescription=Confluent Kafka\n';
    const host = new FakeHost(
      freshDebian({
        systemd: true,
        units: { broker: { content: foreign, enabled: true, pid: 900 }, zookeeper: { content: foreign, enabled: true, pid: 800 } },
      }),
    );
    const t = io();
    expect(await runUninstall(host, run({ yes: true }), t.io)).toBe(0);
    expect(host.ran.map((c) => c.name)).toEqual(['probe']);
    expect(t.out()).toContain(
      [
        `Nothing to remove: kafka-setup's Kafka is not installed on ${host.name} (${INSTALL}).`,
        '  keep     left alone: /etc/systemd/system/kafka-broker.service was not written by kafka-setup (stays running, enabled at boot)',
        '  keep     left alone: /etc/systemd/system/kafka-zookeeper.service was not written by kafka-setup (stays running, enabled at boot)',
      ].join('\n'),
    );
    expect(t.out()).toContain('Nothing was changed.');
    expect(host.state.units).toMatchObject({ broker: { content: foreign }, zookeeper: { content: foreign } });
  });

  it("a unit replaced by someone else's between the probe and the run: the host's check stops the run, nothing changed; the re-run leaves it alone", async () => {
    const host = new FakeHost(installed({ systemd: true, units: { broker: { content: OUR_UNIT, enabled: true, pid: 300 } } }));
    const probe = host.probe.bind(host);
    host.probe = async (r) => {
      const p = await probe(r);
      host.probe = probe;
      host.state.units!.broker = { content: '[Unit]\n', enabled: true, pid: 900 };
      return p;
    };
    const e = await failure(runUninstall(host, run({ yes: true }), io().io));
    expect(e.message).toBe(
      'left alone: /etc/systemd/system/kafka-broker.service was not written by kafka-setup (it was replaced while kafka-setup was running); nothing was changed',
    );
    expect(e.hint).toMatch(/^something else changed it at the same moment: run kafka-setup uninstall again/);
    expect(host.state.install).toBe('kafka');
    const t = io();
    expect(await runUninstall(host, run({ yes: true }), t.io)).toBe(0);
    expect(t.out()).toContain(
      '  keep     left alone: /etc/systemd/system/kafka-broker.service was not written by kafka-setup (stays running, enabled at boot)',
    );
    expect(host.state.units!.broker).toMatchObject({ content: '[Unit]\n' });
  });

  it("refuses when someone else's unit runs this install's JVM: removing the install would pull it from under that unit", async () => {
    const host = new FakeHost(installed({ systemd: true, units: { broker: { content: '[Unit]\n', enabled: true, pid: 300 } } }));
    const e = await failure(runUninstall(host, run({ yes: true }), io().io));
    expect(e.message).toBe(
      `the broker (pid 300) of ${INSTALL} runs under /etc/systemd/system/kafka-broker.service, which kafka-setup did not write`,
    );
    expect(e.hint).toMatch(/sudo systemctl disable --now kafka-broker\.service.*nothing was changed/);
    expect(host.ran.map((c) => c.name)).toEqual(['probe']);
  });

  it('refuses before any change: units without passwordless sudo, a damaged ~/.bashrc block, data inside the install', async () => {
    const sudo = new FakeHost(
      installed({ sudo: 'password', systemd: true, units: { broker: { content: OUR_UNIT, enabled: true, pid: 300 } } }),
    );
    const e1 = await failure(runUninstall(sudo, run({ yes: true }), io().io));
    expect(e1.message).toMatch(/systemd units \(kafka-broker\.service\) can only be removed as root/);
    expect(e1.hint).toContain('sudo systemctl disable --now kafka-broker.service');

    // Without systemd running, the unit files are still root's.
    const offline = new FakeHost(installed({ sudo: 'missing', units: { broker: { content: OUR_UNIT, enabled: false } } }));
    expect((await failure(runUninstall(offline, run({ yes: true }), io().io))).message).toMatch(/can only be removed as root/);

    const damaged = new FakeHost(installed());
    damaged.state.files.bashrc = {
      content: `${ORIGINAL}\n# >>> kafka-setup: Kafka heap >>>\nexport FOO=1\n# <<< kafka-setup: Kafka heap <<<\n`,
      mtime: 3,
    };
    const e2 = await failure(runUninstall(damaged, run({ yes: true }), io().io));
    expect(e2.message).toMatch(/inside the kafka-setup block, was not written by kafka-setup/);
    expect(e2.hint).toContain('kafka-setup uninstall again; nothing was changed');

    const inside = new FakeHost(installed({ data: { [`${INSTALL}/data`]: 10 } }));
    inside.state.files['server.properties'] = { content: `log.dirs=${INSTALL}/data\n`, mtime: 3 };
    const e3 = await failure(runUninstall(inside, run({ yes: true }), io().io));
    expect(e3.message).toBe(`Kafka's data directory ${INSTALL}/data is inside the install directory ${INSTALL}, which uninstall removes`);
    for (const h of [sudo, offline, damaged, inside]) expect(h.ran.map((c) => c.name)).toEqual(['probe']);
  });

  it('refuses to purge log.dirs=/ or $HOME, and says which file names it; without --purge-data they are only kept', async () => {
    for (const dir of ['/', HOME, '/tmp']) {
      const host = new FakeHost(installed({ data: { [dir]: 10 } }));
      host.state.files['server.properties'] = { content: `log.dirs=${dir}\n`, mtime: 3 };
      const err = await failure(runUninstall(host, run({ yes: true, purgeData: true }), io().io));
      expect(err.message).toMatch(
        new RegExp(
          `^refusing to purge ${dir.replace(/\//g, '\\/')}, named as Kafka's data directory in server.properties \\(log.dirs\\): it is (a system directory|the home directory)`,
        ),
      );
      expect(host.ran.map((c) => c.name)).toEqual(['probe']);
      const kept = new FakeHost(host.state);
      const t = io();
      await runUninstall(kept, run({ yes: true }), t.io);
      expect(t.out()).toContain(`  keep     Kafka data in ${dir} (--purge-data deletes it)`);
      expect(kept.ran[1]!.uninstall!.purge).toEqual([]);
    }
  });

  it("another user's directory where the config points (a default in /tmp): neither kept nor purged, and not in the plan", async () => {
    const host = new FakeHost(installed({ data: { '/tmp/kafka-logs': 10 }, owners: { '/tmp/kafka-logs': { uid: 30001, name: 'bob' } } }));
    host.state.files['server.properties'] = { content: 'log.dirs=/tmp/kafka-logs\n', mtime: 3 };
    const t = io();
    await runUninstall(host, run({ yes: true, purgeData: true }), t.io);
    expect(t.out()).not.toContain('/tmp/kafka-logs');
    expect(host.ran[1]!.uninstall!.purge).not.toContain('/tmp/kafka-logs');
    expect(host.state.data).toMatchObject({ '/tmp/kafka-logs': 10 });
  });

  it('a ~/.bashrc edited since init: the plan says the edits stay, and where the original is', async () => {
    const host = new FakeHost(installed());
    host.state.files.bashrc = { content: host.state.files.bashrc!.content.replace('alias ll', 'alias k=kubectl\nalias ll'), mtime: 3 };
    const t = io();
    await runUninstall(host, run({ yes: true }), t.io);
    expect(t.out()).toContain(
      `  edit     ${HOME}/.bashrc: remove kafka-setup's KAFKA_HEAP_OPTS block, keep your changes since init (the original stays in ${HOME}/.bashrc.kafka-setup.bak)`,
    );
    expect(host.state.files.bashrc!.content).toBe('# ~/.bashrc\nalias k=kubectl\nalias ll="ls -l"\n');
    expect(host.state.backups).toEqual({ bashrc: ORIGINAL });
  });

  describe('Kafka 4 (KRaft): one JVM, a kept cluster id', () => {
    const ID = 'MkU3OEVBNTcwNTJENDM2Qg';
    const kraft = (o: Partial<FakeHostState> = {}): FakeHostState =>
      installed({
        files: {
          bashrc: installed().files.bashrc,
          'server.properties': {
            content: `process.roles=broker,controller\nnode.id=1\nlog.dirs=${HOME}/kafka-data/kafka-logs\n`,
            mtime: 2,
          },
          'zookeeper.properties': undefined,
        },
        jvms: [{ pid: 300, started: 2, main: BROKER_MAIN, args: `${INSTALL}/config/server.properties -Xmx256m` }],
        listening: [9092, 9093, 9094],
        data: { [`${HOME}/kafka-data/kafka-logs`]: 2048 },
        keptClusterId: ID,
        ...o,
      });
    const run4 = (o: Partial<UninstallRun> = {}): UninstallRun => run({ dist: { kafkaVersion: '4.4.0', scalaVersion: '2.13' }, ...o });

    it('stops its one JVM, named as init names it; the data and the cluster id stay, and the summary says so', async () => {
      const host = new FakeHost(kraft());
      const t = io();
      expect(await runUninstall(host, run4({ yes: true }), t.io)).toBe(0);
      expect(host.ran[1]!.uninstall).toMatchObject({
        stopJvms: [{ pid: 300, main: BROKER_MAIN }],
        purge: [],
        clusterId: undefined,
        dataParent: undefined,
      });
      const out = t.out();
      expect(out).toContain('  stop     Kafka (broker and controller) (pid 300)');
      expect(out).toContain(
        `  keep     the KRaft cluster id ${ID} in ${HOME}/kafka-data/cluster.id (a later init formats with it; --purge-data deletes it)`,
      );
      expect(out).toContain(
        `  data kept                   ${HOME}/kafka-data/kafka-logs, ${HOME}/kafka-data/cluster.id (kafka-setup uninstall --purge-data deletes it)`,
      );
      expect(out).not.toMatch(/zookeeper/i);
      expect(host.state.keptClusterId).toBe(ID);
    });

    it("--purge-data: the data, the cluster id, and kafka-setup's data directory once empty", async () => {
      const host = new FakeHost(kraft());
      const t = io();
      expect(await runUninstall(host, run4({ yes: true, purgeData: true }), t.io)).toBe(0);
      expect(host.ran[1]!.uninstall).toMatchObject({
        purge: [{ path: `${HOME}/kafka-data/kafka-logs`, kind: 'kafka', ours: true }],
        clusterId: { path: `${HOME}/kafka-data/cluster.id`, id: ID },
        dataParent: `${HOME}/kafka-data`,
      });
      expect(t.out()).toContain(`  delete   the KRaft cluster id ${ID} in ${HOME}/kafka-data/cluster.id`);
      expect(host.state.keptClusterId).toBeUndefined();
      // Only the id left (an earlier uninstall kept the data, since deleted by hand): a purge still has it to do.
      const idOnly = new FakeHost(
        kraft({
          install: 'absent',
          jvms: [],
          data: {},
          files: { bashrc: { content: ORIGINAL, mtime: 1 }, 'server.properties': undefined, 'zookeeper.properties': undefined },
          backups: {},
        }),
      );
      expect(await runUninstall(idOnly, run4({ yes: true, purgeData: true }), io().io)).toBe(0);
      expect(idOnly.ran.map((c) => c.name)).toEqual(['probe', 'uninstall']);
      expect(idOnly.state.keptClusterId).toBeUndefined();
    });
  });
});

/** Three members, as withEachHost hands them over: each its FakeHost (named as its label) and its labelled io. */
function cluster(
  t: ReturnType<typeof io>,
  states: Array<FakeHostState | 'unreachable'>,
): { reached: Array<Reached<unknown>>; hosts: FakeHost[] } {
  const hosts: FakeHost[] = [];
  const reached = states.map((s, i): Reached<unknown> => {
    const label = `10.0.0.${i + 1}`;
    const member = { label, io: { ...t.io, reporter: t.io.reporter.labelled(label) }, options: undefined };
    if (s === 'unreachable') return { ...member, failed: new UserError(`could not connect to ${label}:22: connection refused`) };
    const host = new FakeHost(s);
    Object.defineProperty(host, 'name', { value: label });
    hosts.push(host);
    return { ...member, host };
  });
  return { reached, hosts };
}

const PROFILE = { name: 'default', path: '/home/me/.config/kafka-setup/default.json' };

describe('kafka-setup uninstall on a cluster profile: every host planned, one question, then host by host', () => {
  it('--dry-run: every host probed without its lock, each plan marked with its host; nothing changes anywhere', async () => {
    const t = io();
    const { reached, hosts } = cluster(t, [installed(), installed(), installed()]);
    expect(await uninstallCluster(reached, run({ dryRun: true }), t.io, PROFILE)).toBe(0);
    for (const h of hosts) expect(h.ran.map((c) => c.name)).toEqual(['probe']);
    for (const h of hosts) expect(h.state.install).toBe('kafka');
    const out = t.out();
    for (const label of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) {
      expect(out).toContain(`[${label}] uninstall would:\n[${label}]   stop     the broker (pid 300), then ZooKeeper (pid 200)\n`);
    }
    // The plans in the members' order, whatever order the probes answered in.
    expect(out.indexOf('[10.0.0.1] uninstall would:')).toBeLessThan(out.indexOf('[10.0.0.2] uninstall would:'));
    expect(out.indexOf('[10.0.0.2] uninstall would:')).toBeLessThan(out.indexOf('[10.0.0.3] uninstall would:'));
    expect(out).toMatch(/\nDry run: nothing was changed on any of the cluster's 3 hosts\.\n$/);
  });

  it('--yes: each host with its lock, uninstalled one after another; a line per host says what was done; the profile is kept and said so', async () => {
    const t = io();
    const { reached, hosts } = cluster(t, [installed(), installed(), installed()]);
    const order: string[] = [];
    for (const h of hosts) {
      const un = h.uninstall.bind(h);
      h.uninstall = (r) => {
        order.push(h.name);
        return un(r);
      };
    }
    expect(await uninstallCluster(reached, run({ yes: true }), t.io, PROFILE)).toBe(0);
    expect(order).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    for (const h of hosts) expect(h.state).toMatchObject({ install: 'absent', jvms: [] });
    const out = t.out();
    expect(t.asked).toEqual([]);
    expect(out).toContain('[10.0.0.2] Kafka is uninstalled from 10.0.0.2.');
    expect(out).toContain(
      [
        'uninstall, host by host:',
        '  10.0.0.1  done — 2 JVMs stopped, 1 path removed, ~/.bashrc restored',
        '  10.0.0.2  done — 2 JVMs stopped, 1 path removed, ~/.bashrc restored',
        '  10.0.0.3  done — 2 JVMs stopped, 1 path removed, ~/.bashrc restored',
      ].join('\n'),
    );
    expect(out).toContain(
      `Kafka is uninstalled from the cluster's 3 hosts. The profile "default" still names them: kafka-setup init sets the cluster up again with it; to forget the cluster, delete ${PROFILE.path}`,
    );

    // Again: nothing to remove anywhere, no question, no change.
    const again = io();
    const second = cluster(
      again,
      hosts.map((h) => h.state),
    );
    expect(await uninstallCluster(second.reached, run(), again.io, PROFILE)).toBe(0);
    for (const h of second.hosts) expect(h.ran.map((c) => c.name)).toEqual(['probe']);
    expect(again.out()).toContain("[10.0.0.3] Nothing to remove: kafka-setup's Kafka is not installed on 10.0.0.3");
    expect(again.out()).toMatch(/Nothing to remove on any of the cluster's 3 hosts\.\n\nNothing was changed\.\n$/);
  });

  it("in a terminal: one question for the whole cluster, naming the hosts; with --purge-data it says every node's data goes; no changes nothing", async () => {
    const t = io([false]);
    const { reached, hosts } = cluster(t, [installed(), installed(), installed()]);
    expect(await uninstallCluster(reached, run({ interactive: true, purgeData: true }), t.io, PROFILE)).toBe(0);
    expect(t.asked).toEqual([
      {
        message:
          "Uninstall Kafka from all 3 hosts of the cluster (10.0.0.1, 10.0.0.2, 10.0.0.3) as above, deleting every node's data (--purge-data: the cluster's topics and messages are gone for good)?",
        default: false,
      },
    ]);
    expect(t.out()).toContain('Nothing was changed on any host (you said no).');
    for (const h of hosts) expect(h.ran.map((c) => c.name)).toEqual(['probe']);

    // A host already done is not asked about; yes uninstalls the others.
    const done = new FakeHost(installed());
    await runUninstall(done, run({ yes: true }), io().io);
    const y = io([true]);
    const partly = cluster(y, [installed(), done.state, installed()]);
    expect(await uninstallCluster(partly.reached, run({ interactive: true }), y.io, PROFILE)).toBe(0);
    expect(y.asked.map((a) => a.message)).toEqual(["Uninstall Kafka from 2 of the cluster's 3 hosts (10.0.0.1, 10.0.0.3) as above?"]);
    expect(partly.hosts.map((h) => h.ran.map((c) => c.name))).toEqual([['probe', 'uninstall'], ['probe'], ['probe', 'uninstall']]);
    expect(y.out()).toContain('  10.0.0.2  nothing to remove\n');
  });

  it('without a terminal and without --yes: refused after every plan, nothing changed', async () => {
    const t = io();
    const { reached, hosts } = cluster(t, [installed(), installed(), installed()]);
    const err = await failure(uninstallCluster(reached, run(), t.io, PROFILE));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe('pass --yes to uninstall the cluster without a prompt');
    for (const h of hosts) expect(h.state.install).toBe('kafka');
  });

  it("a host that cannot be reached: its error marked with its label, the others' plans shown, nothing changed on any host", async () => {
    const t = io();
    const { reached, hosts } = cluster(t, [installed(), 'unreachable', installed()]);
    const err = await failure(uninstallCluster(reached, run({ yes: true }), t.io, PROFILE));
    expect(err.message).toBe("could not plan the uninstall of 10.0.0.2 (of the cluster's 3 hosts): nothing was changed on any host");
    expect(err.hint).toMatch(/--host HOST/);
    expect(t.out()).toContain('[10.0.0.2] error: could not connect to 10.0.0.2:22: connection refused');
    expect(t.out()).toContain('[10.0.0.3] uninstall will:');
    for (const h of hosts) expect(h.ran.map((c) => c.name)).toEqual(['probe']);
  });

  it('a host whose uninstall fails: said with its label, the next hosts still uninstalled, the summary says which, exit non-zero; a re-run finishes it', async () => {
    const t = io();
    const { reached, hosts } = cluster(t, [installed(), installed(), installed()]);
    const broken = hosts[1]!;
    const un = broken.uninstall.bind(broken);
    broken.uninstall = () => Promise.reject(new RemoteFailure('data_in_use', 'pid 4242 holds /home/ec2-user/kafka-data', new Map(), []));
    const err = await failure(uninstallCluster(reached, run({ yes: true }), t.io, PROFILE));
    expect(err.message).toBe("the uninstall failed on 10.0.0.2 (of the cluster's 3 hosts)");
    expect(err.hint).toMatch(/run kafka-setup uninstall again: it finishes what is left/);
    expect(hosts.map((h) => h.state.install)).toEqual(['absent', 'kafka', 'absent']);
    const out = t.out();
    expect(out).toContain('[10.0.0.2] error: pid 4242 holds /home/ec2-user/kafka-data');
    expect(out).toContain('  10.0.0.2  FAILED — pid 4242 holds /home/ec2-user/kafka-data\n');
    expect(out).toContain('  10.0.0.3  done — 2 JVMs stopped');
    expect(out).not.toContain('Kafka is uninstalled from the cluster');

    broken.uninstall = un;
    const again = io();
    const second = cluster(
      again,
      hosts.map((h) => h.state),
    );
    expect(await uninstallCluster(second.reached, run({ yes: true }), again.io, PROFILE)).toBe(0);
    expect(second.hosts.map((h) => h.ran.map((c) => c.name))).toEqual([['probe'], ['probe', 'uninstall'], ['probe']]);
    expect(again.out()).toContain('  10.0.0.1  nothing to remove\n  10.0.0.2  done — 2 JVMs stopped');
  });
});
