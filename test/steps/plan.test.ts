import { describe, expect, it } from 'vitest';
import { StepError, UserError } from '../../src/errors.js';
import { ZOOKEEPER_MODE } from '../../src/kafka/mode.js';
import type { InitOptions } from '../../src/options/init-options.js';
import { initSteps } from '../../src/steps/plan.js';
import { runSteps } from '../../src/steps/runner.js';
import type { StepContext } from '../../src/steps/types.js';
import { createReporter } from '../../src/ui/reporter.js';
import { FakeHost, type FakeHostState, freshDebian, INSTALL } from '../host/fake-host.js';
import { initOptions } from '../support/init-options.js';

const options: InitOptions = initOptions({ mirrors: ['https://m1/kafka', 'https://m2/kafka'] });

// Room for a 1g heap, where auto still picks 400m (a host under 1800 MiB): a change of heap changes both JVMs.
const ROOMY = 1700 * 1024;

const quiet = createReporter({ tty: false, color: false, verbose: false, quiet: true, err: { write: () => true } as never });

async function init(host: FakeHost, o: Partial<InitOptions> = {}, dryRun = false) {
  const all = { ...options, ...o };
  const { facts } = await host.probe({ urls: all.sha512 ? [] : all.mirrors.map((m) => `${m}/3.1.0/kafka_2.12-3.1.0.tgz`), lock: !dryRun });
  const ctx: StepContext = { options: { ...options, ...o }, host, dist: { kafkaVersion: '3.1.0', scalaVersion: '2.12' }, facts };
  const reports = await runSteps([...initSteps(ZOOKEEPER_MODE)], ctx, quiet, dryRun);
  return { reports, ctx, outcomes: Object.fromEntries(reports.map((r) => [r.id, r.outcome])) };
}

/** A step's failure as the user reads it: the step's title, then what happened. */
async function failure(run: Promise<unknown>): Promise<string> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof StepError)) throw new Error(`expected a StepError, got ${String(err)}`);
  return err.headline;
}

describe('init steps against a fake host', () => {
  it('a fresh host goes through every step, in order, once', async () => {
    const host = new FakeHost(freshDebian());
    const { outcomes } = await init(host);
    expect(outcomes).toEqual({
      java: 'done',
      download: 'done',
      extract: 'done',
      heap: 'done',
      data: 'skipped',
      config: 'done',
      units: 'skipped',
      zookeeper: 'done',
      broker: 'done',
      jps: 'done',
    });
    // The checksum comes with the probe; the heap and config edits travel with the extraction.
    expect(host.ran.map((s) => s.name)).toEqual(['probe', 'install-java', 'download', 'extract', 'start-zookeeper', 'start-broker']);
    expect(host.ran.find((s) => s.name === 'extract')!.written).toHaveLength(3);
    const props = host.state.files['server.properties']!.content;
    expect(props).toContain('advertised.listeners=PLAINTEXT://203.0.113.10:9092');
    expect(props).toContain('log.dirs=/home/ec2-user/kafka-data/kafka-logs');
    expect(host.state.files['zookeeper.properties']!.content).toContain('dataDir=/home/ec2-user/kafka-data/zookeeper');
    expect(host.state.files.bashrc!.content).toContain('KAFKA_HEAP_OPTS="-Xmx400m -Xms400m"');
    expect(host.state.jvms.find((j) => j.main === 'kafka.Kafka')!.args).toContain('-Xmx400m');
  });

  it('a second run is a single probe: every step skipped, nothing run', async () => {
    const host = new FakeHost(freshDebian());
    await init(host);
    const before = JSON.stringify(host.state.files);
    host.ran.length = 0;
    const { outcomes } = await init(host);
    expect(host.ran.map((s) => s.name)).toEqual(['probe']);
    expect(Object.values(outcomes).filter((o) => o !== 'skipped')).toEqual(['done']); // jps confirms
    expect(JSON.stringify(host.state.files)).toBe(before);
  });

  it('a new advertised host rewrites server.properties and restarts only the broker', async () => {
    const host = new FakeHost(freshDebian());
    await init(host);
    const zk = host.state.jvms.find((j) => j.main.includes('QuorumPeerMain'))!.pid;
    host.ran.length = 0;
    const { outcomes, reports } = await init(host, { advertisedHost: 'kafka.example.com' });
    expect(outcomes).toMatchObject({ config: 'done', zookeeper: 'skipped', broker: 'done' });
    // Said outright: the old address, the new one.
    expect(reports.find((r) => r.id === 'config')!.detail).toBe(
      'advertised.listeners PLAINTEXT://203.0.113.10:9092 → PLAINTEXT://kafka.example.com:9092, data in /home/ec2-user/kafka-data',
    );
    const restart = host.ran.find((s) => s.name === 'start-broker')!;
    expect(restart.stopPid).toBeDefined();
    expect(host.state.jvms.find((j) => j.main.includes('QuorumPeerMain'))!.pid).toBe(zk);
  });

  it('a dry run of a config change shows the restart it causes, and changes nothing', async () => {
    const host = new FakeHost(freshDebian());
    await init(host);
    host.ran.length = 0;
    const { outcomes, reports } = await init(host, { advertisedHost: 'kafka.example.com' }, true);
    expect(outcomes).toMatchObject({ config: 'planned', zookeeper: 'skipped', broker: 'planned' });
    expect(reports.find((r) => r.id === 'broker')!.detail).toBe('would: restart the broker: server.properties changed after it started');
    expect(host.ran.filter((s) => s.name !== 'probe')).toEqual([]);
  });

  it('a new heap rewrites the block and restarts the broker with it', async () => {
    const host = new FakeHost(freshDebian({ memKib: ROOMY }));
    await init(host);
    const { outcomes } = await init(host, { heap: '1g' });
    expect(outcomes).toMatchObject({ heap: 'done', broker: 'done', zookeeper: 'done' });
    expect(host.state.jvms.find((j) => j.main === 'kafka.Kafka')!.args).toContain('-Xmx1g');
    // ZooKeeper keeps its own default as a ceiling.
    expect(host.state.jvms.find((j) => j.main.includes('QuorumPeerMain'))!.args).toContain('-Xmx512m');
  });

  it('never extracts a tarball found on the host without comparing its checksum in this run', async () => {
    // Someone's file at the tarball's name: downloaded anew (download.sh discards it), then extracted.
    const planted = new FakeHost(freshDebian({ tarball: true, tarballSha: 'cd'.repeat(64) }));
    const { outcomes } = await init(planted);
    expect(outcomes).toMatchObject({ download: 'done', extract: 'done' });
    expect(planted.ran.map((s) => s.name).slice(0, 4)).toEqual(['probe', 'install-java', 'download', 'extract']);
    expect(planted.ran.find((s) => s.name === 'extract')!.sha512).toBe('ab'.repeat(64));

    // An earlier run's verified download: compared again, kept, extracted.
    const leftover = new FakeHost(freshDebian({ tarball: true }));
    const again = await init(leftover);
    expect(again.reports.find((r) => r.id === 'download')!.detail).toMatch(/matches the SHA-512; kept/);
    expect(leftover.ran.find((s) => s.name === 'extract')!.sha512).toBe('ab'.repeat(64));
  });

  it('a ~/.bashrc with a damaged kafka-setup block stops the run before anything changes', async () => {
    const host = new FakeHost(
      freshDebian({
        files: {
          bashrc: { content: '# >>> kafka-setup: Kafka heap >>>\nexport TOKEN=secret\n', mtime: 1 },
          'server.properties': undefined,
          'zookeeper.properties': undefined,
        },
      }),
    );
    expect(await failure(init(host))).toMatch(
      /Set the Kafka heap in ~\/.bashrc: ~\/.bashrc line 1 starts a kafka-setup block that never ends/,
    );
    expect(host.ran.map((s) => s.name)).toEqual(['probe']);
    expect(host.state.files.bashrc!.content).toContain('export TOKEN=secret');
  });

  it('uses --sha512 instead of fetching the published checksum', async () => {
    const host = new FakeHost(freshDebian());
    await init(host, { sha512: 'ab'.repeat(64) });
    expect(host.ran[0]!.urls).toEqual([]);
    expect(host.ran.find((s) => s.name === 'download')!.sha512).toBe('ab'.repeat(64));
  });

  it('fetches the checksum itself when the probe did not bring it', async () => {
    const host = new FakeHost(freshDebian());
    const { facts } = await host.probe({ urls: [], lock: true });
    const ctx = { options, host, dist: { kafkaVersion: '3.1.0', scalaVersion: '2.12' }, facts };
    await runSteps([...initSteps(ZOOKEEPER_MODE)], ctx, quiet, false);
    expect(host.ran.map((s) => s.name).slice(0, 4)).toEqual(['probe', 'install-java', 'fetch-sha512', 'download']);
  });

  it('writes the heap and config together when both changed on an installed host', async () => {
    const host = new FakeHost(freshDebian({ memKib: ROOMY }));
    await init(host);
    host.ran.length = 0;
    const { outcomes } = await init(host, { heap: '1g', advertisedHost: 'kafka.example.com' });
    expect(host.ran.map((s) => s.name)).toEqual(['probe', 'write-files', 'start-zookeeper', 'start-broker']);
    expect(host.ran[1]!.written).toEqual(['/home/ec2-user/.bashrc', `${INSTALL}/config/server.properties`]);
    expect(outcomes).toMatchObject({ heap: 'done', config: 'done' });
  });

  it('writes the heap alone when only the heap changed, reporting each step', async () => {
    const host = new FakeHost(freshDebian({ memKib: ROOMY }));
    await init(host);
    host.ran.length = 0;
    const { outcomes } = await init(host, { heap: '512m' });
    expect(host.ran.filter((s) => s.name === 'write-files').map((s) => s.written)).toEqual([['/home/ec2-user/.bashrc']]);
    expect(outcomes).toMatchObject({ heap: 'done', config: 'skipped' });
  });

  it('fails clearly when no mirror publishes a checksum, before downloading anything', async () => {
    const host = new FakeHost(freshDebian({ sha512File: undefined }));
    await expect(init(host)).rejects.toThrow(/no mirror has kafka_2.12-3.1.0.tgz.sha512/);
    expect(host.ran.map((s) => s.name)).not.toContain('download');
  });

  it('explains a checksum mismatch', async () => {
    const host = new FakeHost(freshDebian({ downloadSha: 'cd'.repeat(64) }));
    const err = await init(host).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/does not match/);
    expect((err as UserError).hint).toMatch(/nothing was extracted/);
    expect(host.state.install).toBe('absent');
  });

  it('refuses an install directory holding something else', async () => {
    const host = new FakeHost(freshDebian({ install: 'other' }));
    await expect(init(host)).rejects.toThrow(/not Kafka 3.1.0; kafka-setup does not overwrite it/);
  });

  it('asks for passwordless sudo only when Java is missing', async () => {
    await expect(init(new FakeHost(freshDebian({ sudo: 'password' })))).rejects.toThrow(/sudo asks ec2-user for a password/);
    const withJava = new FakeHost(freshDebian({ sudo: 'password', tools: ['curl', 'java', 'jps'] }));
    await expect(init(withJava)).resolves.toBeDefined();
  });

  it('dry run changes nothing and lists the plan', async () => {
    const host = new FakeHost(freshDebian());
    const { outcomes } = await init(host, {}, true);
    expect(host.ran.map((s) => s.name)).toEqual(['probe']);
    // No systemd on this host: no units to install.
    expect(Object.entries(outcomes).every(([id, o]) => o === (id === 'data' || id === 'units' ? 'skipped' : 'planned'))).toBe(true);
  });

  it('a dry run names the step that would fail (init then exits non-zero)', async () => {
    const host = new FakeHost(freshDebian({ tools: ['tar', 'sha512sum', 'base64'] }));
    const { reports } = await init(host, {}, true);
    const doomed = reports.filter((r) => r.wouldFail);
    expect(doomed.map((r) => r.id)).toEqual(['download']);
    expect(doomed[0]!.wouldFail!.message).toMatch(/neither curl nor wget/);
  });

  it('adopts ZooKeeper and a broker started by hand from the install directory, as in the seed notes', async () => {
    const host = new FakeHost(freshDebian());
    await init(host);
    const s: FakeHostState = host.state;
    for (const j of s.jvms) j.args = j.args.replace(`${INSTALL}/`, '');
    host.ran.length = 0;
    // A relative config path is only ours when the JVM runs in the install directory.
    await expect(init(host)).rejects.toThrow(/did not take effect/);
    for (const j of s.jvms) j.cwd = INSTALL;
    host.ran.length = 0;
    const { outcomes } = await init(host);
    expect(outcomes).toMatchObject({ zookeeper: 'skipped', broker: 'skipped' });
    expect(host.ran.map((r) => r.name)).toEqual(['probe']);
  });

  describe('systemd units (--service)', () => {
    const systemdHost = (o: Partial<FakeHostState> = {}): FakeHost => new FakeHost(freshDebian({ systemd: true, ...o }));
    const unitOf = (host: FakeHost, kind: 'zookeeper' | 'broker'): string => host.state.units?.[kind]?.content ?? '';

    it('a host that runs systemd gets both units, enabled, and the JVMs run as them; a re-run is one probe', async () => {
      const host = systemdHost();
      const { outcomes, reports } = await init(host);
      expect(outcomes).toMatchObject({ units: 'done', zookeeper: 'done', broker: 'done' });
      expect(host.ran.map((s) => s.name)).toEqual([
        'probe',
        'install-java',
        'download',
        'extract',
        'units',
        'start-zookeeper',
        'start-broker',
      ]);
      expect(host.ran.filter((s) => s.name.startsWith('start-')).map((s) => s.service)).toEqual(['systemd', 'systemd']);
      expect(host.state.units?.broker?.enabled).toBe(true);
      const broker = unitOf(host, 'broker');
      expect(broker).toMatch(/^# Written by kafka-setup/);
      expect(broker).toContain('Wants=kafka-zookeeper.service');
      expect(broker).not.toContain('Requires=');
      expect(broker).toMatch(/^After=network-online.target kafka-zookeeper.service$/m);
      expect(broker).toContain('User=ec2-user');
      expect(broker).toContain('Environment="KAFKA_HEAP_OPTS=-Xmx400m -Xms400m"');
      expect(broker).toContain(
        `"${INSTALL}/bin/kafka-server-start.sh" "${INSTALL}/config/server.properties" "${INSTALL}/logs/kafkaServer.out"`,
      );
      expect(broker).toContain('Restart=on-failure');
      expect(unitOf(host, 'zookeeper')).not.toMatch(/Requires=|Wants=kafka/);
      expect(reports.find((r) => r.id === 'broker')!.detail).toMatch(/^started as kafka-broker.service: pid \d+/);
      host.ran.length = 0;
      const again = await init(host);
      expect(host.ran.map((s) => s.name)).toEqual(['probe']);
      expect(again.reports.find((r) => r.id === 'units')!.detail).toBe(
        'kafka-zookeeper.service and kafka-broker.service installed, enabled at boot',
      );
      expect(again.reports.find((r) => r.id === 'broker')!.detail).toMatch(/as kafka-broker.service, pid/);
    });

    it('JVMs an earlier version started by hand are stopped once and handed to their units', async () => {
      const host = new FakeHost(freshDebian());
      await init(host);
      const [zk, broker] = [host.state.jvms[0]!.pid, host.state.jvms[1]!.pid];
      host.state.systemd = true;
      host.ran.length = 0;
      const { reports } = await init(host);
      expect(host.ran.map((s) => [s.name, s.stopPid, s.service])).toEqual([
        ['probe', undefined, undefined],
        ['units', undefined, undefined],
        ['start-zookeeper', zk, 'systemd'],
        ['start-broker', broker, 'systemd'],
      ]);
      expect(reports.find((r) => r.id === 'zookeeper')!.detail).toMatch(
        /^handed to kafka-zookeeper.service \(stopped once, started again by systemd\): pid \d+/,
      );
      host.ran.length = 0;
      await init(host);
      expect(host.ran.map((s) => s.name)).toEqual(['probe']);
    });

    it('a new heap rewrites the units and restarts the JVMs through them', async () => {
      const host = systemdHost({ memKib: ROOMY });
      await init(host);
      host.ran.length = 0;
      await init(host, { heap: '1g' });
      expect(host.ran.map((s) => s.name)).toEqual(['probe', 'write-files', 'units', 'start-zookeeper', 'start-broker']);
      expect(host.ran.find((s) => s.name === 'units')!.units!.write.map((u) => u.name)).toEqual([
        'kafka-zookeeper.service',
        'kafka-broker.service',
      ]);
      expect(unitOf(host, 'broker')).toContain('KAFKA_HEAP_OPTS=-Xmx1g -Xms1g');
    });

    it('--service none removes the units (stopping their JVMs) and starts the JVMs with -daemon', async () => {
      const host = systemdHost();
      await init(host);
      host.ran.length = 0;
      const { reports } = await init(host, { service: 'none' });
      expect(host.ran.map((s) => [s.name, s.service])).toEqual([
        ['probe', undefined],
        ['units', undefined],
        ['start-zookeeper', 'none'],
        ['start-broker', 'none'],
      ]);
      expect(host.ran.find((s) => s.name === 'units')!.units).toEqual({
        write: [],
        enable: [],
        remove: ['kafka-zookeeper.service', 'kafka-broker.service'],
      });
      expect(host.state.units).toEqual({});
      host.ran.length = 0;
      const again = await init(host, { service: 'none' });
      expect(host.ran.map((s) => s.name)).toEqual(['probe']);
      expect(again.reports.find((r) => r.id === 'units')!.detail).toMatch(/^none \(--service none\)/);
      expect(reports.find((r) => r.id === 'broker')!.outcome).toBe('done');
    });

    it('refuses, before any change: --service systemd without systemd, units without passwordless sudo, a unit kafka-setup did not write', async () => {
      const noSystemd = new FakeHost(freshDebian());
      expect(await failure(init(noSystemd, { service: 'systemd' }))).toBe(
        'Install the systemd units: --service systemd: the host does not run systemd (no /run/systemd/system)',
      );
      expect(noSystemd.ran.map((r) => r.name)).toEqual(['probe']);

      const password = systemdHost({ sudo: 'password', tools: ['curl', 'tar', 'sha512sum', 'base64', 'java', 'jps'] });
      expect(await failure(init(password, { service: 'systemd' }))).toBe(
        'Install the systemd units: installing systemd units needs root, and ec2-user must give sudo a password',
      );
      // auto falls back to -daemon and says why.
      const auto = await init(systemdHost({ sudo: 'password', tools: ['curl', 'tar', 'sha512sum', 'base64', 'java', 'jps'] }));
      expect(auto.reports.find((r) => r.id === 'units')!.detail).toMatch(/^none: installing units needs root/);

      const foreign = systemdHost({ units: { broker: { content: "[Unit]\nDescription=someone else's kafka\n", enabled: true } } });
      const err = (await init(foreign).catch((e: unknown) => e)) as StepError;
      expect(err.headline).toBe(
        'Install the systemd units: /etc/systemd/system/kafka-broker.service exists and was not written by kafka-setup',
      );
      expect(err.hint).toMatch(/rename it .*or pass --service none/);
      expect(foreign.ran.map((r) => r.name)).toEqual(['probe']);

      // A package's unit of that name (systemd loads it from /usr/lib): ours in /etc would override it.
      const packaged = systemdHost();
      const probe = packaged.probe.bind(packaged);
      packaged.probe = async (r) => {
        const p = await probe(r);
        p.facts.services.units.broker = {
          ...p.facts.services.units.broker,
          enabled: 'enabled',
          fragment: '/usr/lib/systemd/system/kafka-broker.service',
        };
        return p;
      };
      const e2 = (await init(packaged).catch((e: unknown) => e)) as StepError;
      expect(e2.headline).toBe(
        'Install the systemd units: systemd already has a kafka-broker.service that kafka-setup did not write (/usr/lib/systemd/system/kafka-broker.service)',
      );
      expect(packaged.ran.map((r) => r.name)).toEqual(['probe']);
    });

    it("--service none beside someone else's unit: it is neither removed nor refused; the JVMs run with -daemon", async () => {
      const foreign = "[Unit]\nDescription=someone else's kafka\n";
      const host = systemdHost({ units: { broker: { content: foreign, enabled: true } } });
      const { reports } = await init(host, { service: 'none' });
      expect(host.ran.filter((r) => r.name === 'units')).toEqual([]);
      expect(host.ran.filter((r) => r.name.startsWith('start-')).map((r) => r.service)).toEqual(['none', 'none']);
      expect(host.state.units).toEqual({ broker: { content: foreign, enabled: true } });
      expect(reports.find((r) => r.id === 'units')!.outcome).toBe('skipped');
    });
  });

  describe('host faults: a clear error, and nothing changed', () => {
    it('an unknown system: names what to install by hand', async () => {
      const host = new FakeHost(freshDebian({ os: 'alpine' }));
      const err = (await init(host).catch((e: unknown) => e)) as StepError;
      expect(err.headline).toBe('Install Java: kafka-setup does not know how to install Java on alpine 12');
      expect(err.hint).toMatch(/install a JDK 8, 11 or 17 .* then run kafka-setup init again/);
      expect(host.ran.map((r) => r.name)).toEqual(['probe']);
    });

    it("a failed package install: the package manager's last lines and what to do", async () => {
      const host = new FakeHost(freshDebian({ installFails: 'E: Unable to locate package openjdk-17-jdk-headless' }));
      const err = (await init(host).catch((e: unknown) => e)) as StepError;
      expect(err.headline).toMatch(/^Install Java: apt could not install/);
      expect(err.details).toEqual(['E: Unable to locate package openjdk-17-jdk-headless']);
      expect(err.hint).toMatch(/sudo apt-get install -y --no-install-recommends openjdk-17-jdk-headless/);
    });

    it('neither curl nor wget: says to install one, before anything else', async () => {
      const host = new FakeHost(freshDebian({ tools: ['java', 'jps', 'tar'] }));
      expect(await failure(init(host))).toBe('Download Kafka: the host has neither curl nor wget, so it cannot download Kafka');
      expect(host.ran.map((r) => r.name)).toEqual(['probe']);
    });

    it('too little disk for download and extraction', async () => {
      const host = new FakeHost(freshDebian({ freeKib: 100 * 1024 }));
      const err = (await init(host).catch((e: unknown) => e)) as UserError;
      expect(err.message).toMatch(/only 100 MiB are free where Kafka would go; it needs about 400 MiB/);
      expect(err.hint).toMatch(/free some disk space/);
      // Found before anything changed: Java was not installed for nothing.
      expect(host.ran.map((r) => r.name)).toEqual(['probe']);
    });
  });

  describe('a heap the host cannot hold (faked MemTotal)', () => {
    const micro = 973 * 1024; // a t2.micro's MemTotal, in KiB

    it('--heap 1g on a 1 GiB host: refused before anything changes, with the figures', async () => {
      const host = new FakeHost(freshDebian({ memKib: micro }));
      const err = (await init(host, { heap: '1g' }).catch((e: unknown) => e)) as StepError;
      expect(err).toBeInstanceOf(StepError);
      expect(err.exitCode).toBe(1);
      expect(err.step.id).toBe('heap');
      expect(err.headline).toMatch(
        /^Set the Kafka heap in ~\/.bashrc: the heap 1g does not fit this host: .* need about 1.5 GiB, and the host has 973 MiB of memory and no swap$/,
      );
      expect(err.hint).toMatch(/^use --heap 480m or less \(--heap auto picks 400m here/);
      // Java was not installed, nothing downloaded: only the probe ran.
      expect(host.ran.map((r) => r.name)).toEqual(['probe']);
      expect(host.state.files.bashrc!.content).toBe('# ~/.bashrc\n');
    });

    it('--heap 512m on a 1 GiB host is refused too; 400m and auto run', async () => {
      await expect(init(new FakeHost(freshDebian({ memKib: micro })), { heap: '512m' })).rejects.toThrow(
        /the heap 512m does not fit this host/,
      );
      const host = new FakeHost(freshDebian({ memKib: micro }));
      await init(host);
      expect(host.state.jvms.find((j) => j.main === 'kafka.Kafka')!.args).toContain('-Xmx400m');
      await expect(init(new FakeHost(freshDebian({ memKib: micro })), { heap: '400m' })).resolves.toBeDefined();
    });

    it('a dry run reports it as the step that would fail', async () => {
      const host = new FakeHost(freshDebian({ memKib: micro }));
      const { reports } = await init(host, { heap: '1g' }, true);
      expect(reports.filter((r) => r.wouldFail).map((r) => r.id)).toEqual(['heap']);
      expect(reports.find((r) => r.id === 'heap')!.wouldFail!.message).toMatch(/the heap 1g does not fit this host/);
      expect(host.ran.map((r) => r.name)).toEqual(['probe']);
    });

    it('auto on a 512 MiB host: refused, since not even the smallest heap fits', async () => {
      const host = new FakeHost(freshDebian({ memKib: 512 * 1024 }));
      await expect(init(host)).rejects.toThrow(/even the smallest heap, 128m, does not fit this host: .* the host has 512 MiB of memory/);
      expect(host.ran.map((r) => r.name)).toEqual(['probe']);
    });

    it('16 GiB: --heap 4g runs', async () => {
      const host = new FakeHost(freshDebian({ memKib: 16 * 1024 * 1024 }));
      await init(host, { heap: '4g' });
      expect(host.state.jvms.find((j) => j.main === 'kafka.Kafka')!.args).toContain('-Xmx4g');
    });

    it('a saved 1g heap on an instance made smaller: the re-run refuses before any change, until the heap is lowered', async () => {
      // Set up on a bigger instance, then the instance type changed to a t2.micro: same files, same JVMs.
      const host = new FakeHost(freshDebian({ memKib: ROOMY }));
      await init(host, { heap: '1g' });
      host.state.memKib = micro;
      const before = JSON.stringify(host.state);
      host.ran.length = 0;
      // The profile's heap reaches the options like --heap does (resolveInitOptions), so this is that re-run.
      await expect(init(host, { heap: '1g' })).rejects.toThrow(/the heap 1g does not fit this host/);
      await expect(init(host, { heap: '1g' }, true)).resolves.toMatchObject({
        reports: expect.arrayContaining([expect.objectContaining({ id: 'heap', wouldFail: expect.anything() })]),
      });
      expect(host.ran.map((r) => r.name)).toEqual(['probe', 'probe']);
      expect(JSON.stringify(host.state).replace(/"now":\d+/, '')).toBe(before.replace(/"now":\d+/, ''));
      // --heap auto (or 400m) lowers it: the block is rewritten and both JVMs restarted with 400m.
      const { outcomes } = await init(host, { heap: 'auto' });
      expect(outcomes).toMatchObject({ heap: 'done', zookeeper: 'done', broker: 'done' });
      expect(host.state.jvms.find((j) => j.main === 'kafka.Kafka')!.args).toContain('-Xmx400m');
    });
  });
});
