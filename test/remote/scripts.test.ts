/**
 * The remote scripts, run through the local dash exactly as sshd would run them (`sh -s`, script on
 * stdin), in a scratch HOME: they parse, print sections the TypeScript side reads, and edit files
 * the way the steps expect.
 */

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeFacts, readFacts } from '../../src/host/facts.js';
import { type FileChange, sha256, writeCalls } from '../../src/host/file-writes.js';
import { remoteScript } from '../../src/host/script.js';
import { declaredInput } from '../../src/host/script-inputs.js';
import { baseVars } from '../../src/host/target.js';
import { UNIT_HEADER } from '../../src/host/unit-owner.js';
import { BROKER, ZOOKEEPER } from '../../src/kafka/daemons.js';
import { parseSections, type RemoteScript } from '../../src/remote/script.js';
import { memberData } from '../../src/steps/member-data.js';
import { scratchDir } from '../support/scratch.js';

const vars = baseVars({ options: { installDir: '~/kafka_2.12-3.1.0' }, dist: { kafkaVersion: '3.1.0', scalaVersion: '2.12' } });
const probed = (sections: ReturnType<typeof parseSections>) => probeFacts(sections, 'probe');

/** The script RemoteHost.writeFiles runs. */
function writeFilesScript(name: string, v: Record<string, string>, changes: FileChange[]): RemoteScript {
  const w = writeCalls(changes);
  return remoteScript(name, { ...v, ...w.vars }, ['probe-lib', 'write-files'], [...w.calls, 'ks_probe_files']);
}

function runLocally(
  script: RemoteScript,
  home: string,
  bin?: string,
): { code: number; stdout: string; stderr: string; sections: ReturnType<typeof parseSections> } {
  const PATH = bin ? `${bin}:${process.env.PATH}` : process.env.PATH;
  const r = spawnSync('sh', ['-s'], { input: script.text, env: { PATH, HOME: home, TMPDIR: home }, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, sections: parseSections(r.stdout, script.mark) };
}

function scratchHome(): string {
  return scratchDir('ks-home-');
}

describe('remote scripts under dash', () => {
  it('probe: reports the host in sections the probe parser understands', () => {
    const home = scratchHome();
    writeFileSync(join(home, '.bashrc'), 'alias ll="ls -l"\n');
    const r = runLocally(remoteScript('probe', vars, ['probe-lib', 'probe']), home);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const facts = probed(r.sections);
    expect(facts.home).toBe(home);
    expect(facts.memKib).toBeGreaterThan(0);
    expect(facts.install).toMatchObject({ path: join(home, 'kafka_2.12-3.1.0'), state: 'absent', tarball: false, parentWritable: true });
    expect(facts.files.bashrc.content).toBe('alias ll="ls -l"\n');
    expect(facts.files['server.properties'].content).toBeUndefined();
    expect(facts.os.id).not.toBe('');
    expect(facts.tools.get('sh') ?? facts.tools.get('tar')).toBeDefined();
  });

  it('probe: recognises an extracted Kafka and refuses to call another directory Kafka', () => {
    const home = scratchHome();
    const dir = join(home, 'kafka_2.12-3.1.0');
    mkdirSync(join(dir, 'bin'), { recursive: true });
    const probe = (): string => probed(runLocally(remoteScript('probe', vars, ['probe-lib', 'probe']), home).sections).install.state;
    expect(probe()).toBe('other');
    mkdirSync(join(dir, 'libs'));
    mkdirSync(join(dir, 'config'));
    for (const f of ['libs/kafka_2.12-3.1.0.jar', 'bin/kafka-server-start.sh', 'config/server.properties']) writeFileSync(join(dir, f), '');
    expect(probe()).toBe('kafka');
  });

  it("probe: a log directory's broker.id (meta.properties, digits only) and whether ZooKeeper holds a database (a snapshot or a log, not epoch files)", () => {
    const home = scratchHome();
    const dir = join(home, 'kafka_2.12-3.1.0');
    for (const d of ['bin', 'libs', 'config']) mkdirSync(join(dir, d), { recursive: true });
    for (const f of ['libs/kafka_2.12-3.1.0.jar', 'bin/kafka-server-start.sh']) writeFileSync(join(dir, f), '');
    const logs = join(home, 'kafka-data', 'kafka-logs');
    const zk = join(home, 'kafka-data', 'zookeeper');
    writeFileSync(join(dir, 'config/server.properties'), `broker.id=7\nlog.dirs=${logs}\n`);
    writeFileSync(join(dir, 'config/zookeeper.properties'), `dataDir=${zk}\n`);
    mkdirSync(logs, { recursive: true });
    writeFileSync(join(logs, 'meta.properties'), 'version=0\nbroker.id=0$(reboot)\ncluster.id=x\n');
    mkdirSync(join(zk, 'version-2'), { recursive: true });
    writeFileSync(join(zk, 'version-2', 'currentEpoch'), '0');
    const probe = () => probed(runLocally(remoteScript('probe', vars, ['probe-lib', 'probe']), home).sections);
    let facts = probe();
    expect(facts.dataDirs.get(logs)).toMatchObject({ state: 'data', brokerId: 0 });
    expect(facts.dataDirs.get(join(zk, 'version-2'))?.state).toBe('empty');
    expect(memberData(facts)).toEqual({ zookeeper: false, standalone: false, brokerId: 0 });
    writeFileSync(join(zk, 'version-2', 'log.1'), 'txn');
    facts = probe();
    expect(memberData(facts)).toEqual({ zookeeper: true, standalone: true, brokerId: 0 });
  });

  it('probe: meta.properties read as the properties format has it, hostile values cut to what each key may hold', () => {
    const home = scratchHome();
    const dir = join(home, "odd \\dir 'x");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'meta.properties'),
      [
        '#version=9',
        '  version : 1  ',
        'broker.id=',
        'node.id=12$(reboot)',
        'node.idx=99',
        'cluster.id=old',
        '\tcluster.id = Mk\u00e9U3\x1b[31m_-x/../y',
        'directory.id=xwByuhPtSU6oeDTU5mwh$(x)tQ',
        '',
      ].join('\n'),
    );
    // What join-quorum.sh keeps beside it; read as hostile as the rest.
    writeFileSync(join(dir, 'kafka-setup-voter.id'), 'xwByuhPtSU6oe`x`DTU5mwhtQ-and-more\nsecond line\n');
    const quoted = `'${dir.replace(/'/g, "'\\''")}'`;
    const r = runLocally(remoteScript('m', vars, ['probe-lib'], ['ks_section data', `ks_broker_meta ${quoted}`]), home);
    expect(r.stderr).toBe('');
    expect(r.sections.get('data')).toEqual([
      `meta= ${dir}`,
      `format=1 12 Mk${'U3'}31m_-xy xwByuhPtSU6oeDTU5mwhxt xwByuhPtSU6oexDTU5mwht ${dir}`,
    ]);
    writeFileSync(join(dir, 'meta.properties'), 'broker.id=-7x\nbroker.id=0042\n');
    rmSync(join(dir, 'kafka-setup-voter.id'));
    const zk = runLocally(remoteScript('m', vars, ['probe-lib'], ['ks_section data', `ks_broker_meta ${quoted}`]), home);
    expect(zk.sections.get('data')).toEqual([`meta=0042 ${dir}`, `format=- - - - - ${dir}`]);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'a data directory another user owns: its owner follows its line, and the facts call it foreign',
    () => {
      const home = scratchHome();
      const theirs = join(home, 'their kafka-logs');
      const ours = join(home, 'kafka-logs');
      for (const d of [theirs, ours]) {
        mkdirSync(d);
        writeFileSync(join(d, 'meta.properties'), 'version=0\nbroker.id=0\n');
      }
      chmodSync(theirs, 0o700);
      spawnSync('chown', ['-R', '65534:65534', theirs]);
      const q = (d: string) => `'${d.replace(/'/g, "'\\''")}'`;
      const calls = [
        'ks_section data',
        `ks_data_dir ${q(theirs)}`,
        `ks_broker_meta ${q(theirs)}`,
        `ks_data_dir ${q(ours)}`,
        `ks_broker_meta ${q(ours)}`,
      ];
      const r = runLocally(remoteScript('d', vars, ['probe-lib'], calls), home);
      expect(r.stderr).toBe('');
      // Run as root, the probe reads even a 0700 directory: the owner line is what tells it apart.
      expect(r.sections.get('data')!.filter((l) => l.startsWith('owner='))).toEqual([`owner=65534 nobody ${theirs}`]);
      const facts = readFacts(r.sections, 'probe', ['data']).dataDirs!;
      expect(facts.get(theirs)).toMatchObject({ state: 'foreign', owner: { uid: 65534, name: 'nobody' } });
      expect(facts.get(theirs)!.brokerId).toBeUndefined();
      expect(facts.get(ours)).toMatchObject({ state: 'data', brokerId: 0 });
      expect(facts.get(ours)!.owner).toBeUndefined();
    },
  );

  it('write-files: replaces atomically, backs up the original once, refuses a file changed meanwhile', () => {
    const home = scratchHome();
    const path = join(home, '.bashrc');
    writeFileSync(path, 'original\n', { mode: 0o640 });
    const fact = { path, content: 'original\n', mtime: 0, backup: false };
    const first = runLocally(writeFilesScript('w', vars, [{ fact, content: 'second\n' }]), home);
    expect(first.code).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe('second\n');
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readFileSync(`${path}.kafka-setup.bak`, 'utf8')).toBe('original\n');

    const again = runLocally(writeFilesScript('w', vars, [{ fact: { ...fact, content: 'second\n' }, content: 'third\n' }]), home);
    expect(again.code).toBe(0);
    expect(readFileSync(`${path}.kafka-setup.bak`, 'utf8')).toBe('original\n');

    // The probe saw "second", but someone edited the file since: no write, a clear error.
    writeFileSync(path, 'edited by hand\n');
    const stale = runLocally(writeFilesScript('w', vars, [{ fact: { ...fact, content: 'third\n' }, content: 'fourth\n' }]), home);
    expect(stale.code).toBe(1);
    expect(stale.sections.get('error')).toContain('kind=changed_meanwhile');
    expect(readFileSync(path, 'utf8')).toBe('edited by hand\n');
    expect(sha256('edited by hand\n')).toHaveLength(64);
  });

  it('write-files: writes through a symlinked ~/.bashrc instead of replacing the link', () => {
    const home = scratchHome();
    mkdirSync(join(home, 'dotfiles'));
    writeFileSync(join(home, 'dotfiles', 'bashrc'), 'x\n');
    spawnSync('ln', ['-s', 'dotfiles/bashrc', join(home, '.bashrc')]);
    const probe = probed(runLocally(remoteScript('probe', vars, ['probe-lib', 'probe']), home).sections);
    expect(probe.files.bashrc.path).toBe(join(home, 'dotfiles', 'bashrc'));
    const r = runLocally(writeFilesScript('w', vars, [{ fact: probe.files.bashrc, content: 'y\n' }]), home);
    expect(r.code).toBe(0);
    expect(readFileSync(join(home, 'dotfiles', 'bashrc'), 'utf8')).toBe('y\n');
    expect(existsSync(join(home, 'dotfiles', 'bashrc.kafka-setup.bak'))).toBe(true);
  });

  it("ports: reports which of the ports it is given are listened on (decimal in, /proc/net's hex read)", async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const r = runLocally(remoteScript('ports', { ...vars, KS_PORTS: `${port} 1` }, ['probe-lib'], ['ks_probe_ports']), scratchHome());
      expect(r.code).toBe(0);
      expect(r.sections.get('ports')!.filter((l) => l.startsWith('listening='))).toEqual([`listening=${port}`]);
    } finally {
      server.close();
    }
  });

  it('a script reading stdin cannot eat the rest of the script', () => {
    const r = spawnSync('sh', ['-s'], {
      input: remoteScript('t', {}, [], ['cat >/dev/null', 'echo still-here']).text,
      encoding: 'utf8',
    });
    expect(r.stdout).toContain('still-here');
  });

  it('ks_guard stops a long command when stdin reaches end-of-file (kafka-setup went away)', () => {
    const started = Date.now();
    const r = spawnSync('sh', ['-s'], {
      input: remoteScript('t', {}, [], ['ks_guard sleep 30', 'echo "rc=$?"']).text,
      encoding: 'utf8',
      timeout: 20_000,
    });
    // spawnSync closes stdin after the script: exactly what a dropped SSH channel looks like.
    expect(r.stdout).toContain('rc=143');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('sections are found whatever the login shell printed before them, glued or not', () => {
    const script = remoteScript('t', {}, [], ['ks_section host', 'ks_kv user me']);
    const chatty = spawnSync('sh', ['-c', `printf 'Welcome!\\n\\033]0;title\\007::ks:: error\\nkind=fake\\nno newline'; exec sh -s`], {
      input: script.text,
      encoding: 'utf8',
    });
    const sections = parseSections(chatty.stdout, script.mark);
    expect([...sections.keys()]).toEqual(['host']);
    expect(sections.get('host')).toEqual(['user=me']);
  });

  it('ks_is_sha512_file: both published layouts, never an HTML page', () => {
    const home = scratchHome();
    const hex = 'ab12'.repeat(32);
    const files = {
      gpg: `kafka_2.12-3.1.0.tgz: ${hex
        .toUpperCase()
        .match(/.{8}/g)!
        .join(' ')
        .replace(/(.{72})/, '$1\n                      ')}\n`,
      sum: `${hex}  kafka_2.12-3.1.0.tgz\n`,
      html: '<!DOCTYPE html><html><body>Please log in to the Wi-Fi</body></html>\n',
      empty: '',
    };
    const verdict: Record<string, string> = {};
    for (const [name, content] of Object.entries(files)) {
      writeFileSync(join(home, name), content);
      const r = runLocally(
        remoteScript('t', vars, ['probe-lib'], [`if ks_is_sha512_file "$HOME/${name}"; then echo yes; else echo no; fi`]),
        home,
      );
      verdict[name] = r.stdout.trim();
    }
    expect(verdict).toEqual({ gpg: 'yes', sum: 'yes', html: 'no', empty: 'no' });
  });

  it('download: a tarball already on the host is kept only when its checksum matches', () => {
    const home = scratchHome();
    const tarball = join(home, 'kafka_2.12-3.1.0.tgz');
    const sha = (t: string): string => createHash('sha512').update(t).digest('hex');
    writeFileSync(tarball, 'verified bytes');
    const kept = runLocally(
      remoteScript('download', { ...vars, KS_URLS: '', KS_SHA512: sha('verified bytes') }, ['probe-lib', 'download']),
      home,
    );
    expect(kept.code).toBe(0);
    expect(kept.sections.get('download')).toEqual(expect.arrayContaining(['reused=yes', `verified=${sha('verified bytes')}`]));

    writeFileSync(tarball, 'planted bytes');
    const planted = runLocally(
      remoteScript('download', { ...vars, KS_URLS: '', KS_SHA512: sha('verified bytes') }, ['probe-lib', 'download']),
      home,
    );
    expect(planted.code).toBe(1);
    expect(planted.sections.get('error')).toContain('kind=no_mirror');
    expect(existsSync(tarball)).toBe(false);
  });

  it('extract: compares the checksum again and extracts nothing that does not match', () => {
    const home = scratchHome();
    const tarball = join(home, 'kafka_2.12-3.1.0.tgz');
    mkdirSync(join(home, 'src', 'kafka_2.12-3.1.0', 'bin'), { recursive: true });
    writeFileSync(join(home, 'src', 'kafka_2.12-3.1.0', 'bin', 'kafka-server-start.sh'), 'echo pwned\n');
    spawnSync('tar', ['-czf', tarball, '-C', join(home, 'src'), 'kafka_2.12-3.1.0']);
    const r = runLocally(remoteScript('extract', { ...vars, KS_SHA512: 'ab'.repeat(64) }, ['probe-lib', 'write-files', 'extract']), home);
    expect(r.code).toBe(1);
    expect(r.sections.get('error')).toContain('kind=tarball_changed');
    expect(existsSync(join(home, 'kafka_2.12-3.1.0'))).toBe(false);
    expect(existsSync(tarball)).toBe(false);
  });

  it('lock: one run holds the host, a second is refused with who holds it, a dead holder frees it', () => {
    const home = scratchHome();
    const take = (): ReturnType<typeof runLocally> => runLocally(remoteScript('probe', vars, ['probe-lib', 'lock'], ['ks_lock']), home);
    const first = take();
    expect(first.code).toBe(0);
    const lock = first.sections.get('lock')!;
    expect(lock).toContain('state=held');
    const holder = Number(lock.find((l) => l.startsWith('pid='))!.slice(4));
    try {
      const second = take();
      expect(second.code).toBe(1);
      const error = second.sections.get('error')!;
      expect(error).toContain('kind=locked');
      expect(error).toEqual(
        expect.arrayContaining([`pid=${holder}`, expect.stringMatching(/^since=\d+$/), expect.stringMatching(/^now=\d+$/)]),
      );
    } finally {
      process.kill(holder, 'SIGKILL');
    }
    // The killed run's lock file is still there, but its flock died with its holder.
    for (let i = 0; i < 50 && existsSync(`/proc/${holder}`); i++) spawnSync('sleep', ['0.05']);
    const third = take();
    expect(third.code).toBe(0);
    process.kill(
      Number(
        third.sections
          .get('lock')!
          .find((l) => l.startsWith('pid='))!
          .slice(4),
      ),
      'SIGKILL',
    );
  }, 30_000);
  describe('lock: a holder whose connection is gone', () => {
    /** Holds an flock on the lock file, as a run's holder does, and writes the file as ks_lock does. */
    const plantHolder = (home: string, conn: { pid: number; start: string }): { pid: number; stop: () => void } => {
      const dir = join(home, `kafka-setup-${process.getuid?.() ?? 0}`);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = join(dir, 'kafka-setup.lock');
      const holder = spawn('sh', ['-c', 'exec 9>>"$1"; flock 9; echo locked; exec sleep 60', 'holder', file], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      for (let i = 0; i < 100 && !readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8').startsWith('sleep'); i++)
        spawnSync('sleep', ['0.02']);
      writeFileSync(
        file,
        `pid=${holder.pid}\npid_start=${startOf(holder.pid!)}\nconn=${conn.pid}\nconn_start=${conn.start}\nsince=1\nfrom=\n`,
      );
      return {
        pid: holder.pid!,
        stop: () => {
          try {
            process.kill(holder.pid!, 'SIGKILL');
          } catch {
            /* gone */
          }
        },
      };
    };
    const startOf = (pid: number): string =>
      readFileSync(`/proc/${pid}/stat`, 'utf8')
        .replace(/^.*\) /, '')
        .split(' ')[19]!;
    const take = (home: string): ReturnType<typeof runLocally> =>
      runLocally(remoteScript('probe', vars, ['probe-lib', 'lock'], ['ks_lock']), home);
    const release = (r: ReturnType<typeof runLocally>): void => {
      const pid = r.sections.get('lock')?.find((l) => l.startsWith('pid='));
      if (pid) process.kill(Number(pid.slice(4)), 'SIGKILL');
    };

    it('its connection gone (its start time no longer matches): the holder is stopped and the lock taken at once', () => {
      const home = scratchHome();
      const planted = plantHolder(home, { pid: process.pid, start: '1' });
      try {
        const r = take(home);
        expect(r.code, r.stdout).toBe(0);
        expect(r.sections.get('lock')).toContain('state=held');
        release(r);
        for (
          let i = 0;
          i < 50 && existsSync(`/proc/${planted.pid}`) && !readFileSync(`/proc/${planted.pid}/stat`, 'utf8').includes(') Z');
          i++
        )
          spawnSync('sleep', ['0.02']);
        expect(!existsSync(`/proc/${planted.pid}`) || readFileSync(`/proc/${planted.pid}/stat`, 'utf8').includes(') Z')).toBe(true);
      } finally {
        planted.stop();
      }
    });

    it('its connection ended but not yet reaped (a zombie sshd, orphaned to a slow PID 1): gone, the lock taken at once', async () => {
      const home = scratchHome();
      // A child that ends at once under a parent that never waits for it: a zombie. (A shell parent
      // may reap it before it execs into a sleep: under load the zombie was gone, and the test with it.)
      const parent = spawn(
        'python3',
        ['-c', 'import os, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(60)'],
        { stdio: ['ignore', 'pipe', 'ignore'] },
      );
      const zombie = await new Promise<number>((resolve) =>
        parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
      );
      for (let i = 0; i < 100 && !readFileSync(`/proc/${zombie}/stat`, 'utf8').includes(') Z'); i++) spawnSync('sleep', ['0.02']);
      const planted = plantHolder(home, { pid: zombie, start: startOf(zombie) });
      try {
        const r = take(home);
        expect(r.code, r.stdout).toBe(0);
        release(r);
      } finally {
        planted.stop();
        parent.kill('SIGKILL');
      }
    });

    it('its connection alive: the run at work keeps the lock, the newcomer is refused and signals no one', () => {
      const home = scratchHome();
      const planted = plantHolder(home, { pid: process.pid, start: startOf(process.pid) });
      try {
        const r = take(home);
        expect(r.code).toBe(1);
        expect(r.sections.get('error')).toContain('kind=locked');
        expect(readFileSync(`/proc/${planted.pid}/stat`, 'utf8')).not.toContain(') Z');
      } finally {
        planted.stop();
      }
    }, 30_000);

    it('a file that names another process, or says nothing usable: nobody is signalled', () => {
      const home = scratchHome();
      const planted = plantHolder(home, { pid: process.pid, start: '1' });
      const file = join(home, `kafka-setup-${process.getuid?.() ?? 0}`, 'kafka-setup.lock');
      try {
        // The right pid with another start time (a pid reused since), then garbage.
        for (const text of [
          `pid=${planted.pid}\npid_start=1\nconn=${process.pid}\nconn_start=1\n`,
          `pid=${planted.pid};kill 1\npid_start=x\nconn=\n`,
        ]) {
          writeFileSync(file, text);
          const r = take(home);
          expect(r.code).toBe(1);
          expect(readFileSync(`/proc/${planted.pid}/stat`, 'utf8')).not.toContain(') Z');
        }
      } finally {
        planted.stop();
      }
    }, 30_000);
  });
});

describe('move-data under dash', () => {
  const mv = (home: string, moves: Array<[string, string, 'yes' | 'no']>, calls: string[]) => {
    const v: Record<string, string | number> = {
      ...vars,
      KS_STOP_BROKER: '',
      KS_STOP_ZOOKEEPER: '',
      KS_BROKER_MAIN: BROKER.main,
      KS_ZOOKEEPER_MAIN: ZOOKEEPER.main,
      KS_MOVES: moves.length,
      KS_DATA_TIGHTEN: join(home, 'kafka-data'),
    };
    for (const [i, [from, to, same]] of moves.entries())
      Object.assign(v, { [`KS_M${i}_FROM`]: from, [`KS_M${i}_TO`]: to, [`KS_M${i}_SAME`]: same });
    return runLocally(remoteScript('move-data', v, ['probe-lib', 'write-files', 'move-data'], calls), home);
  };
  const dataDir = (home: string, name: string): string => {
    const d = join(home, name);
    mkdirSync(join(d, 'version-2'), { recursive: true });
    writeFileSync(join(d, 'version-2', 'snapshot.0'), `data of ${name}`);
    return d;
  };

  it('renames on one file system, copies under a temporary name otherwise; the copied source goes only at the end; the probe sees the result', () => {
    const home = scratchHome();
    const a = dataDir(home, 'old-logs');
    const b = dataDir(home, 'old-zk');
    const to = join(home, 'kafka-data');
    mkdirSync(join(to, 'zookeeper'), { recursive: true }); // an empty target is fine
    const r = mv(
      home,
      [
        [a, join(to, 'kafka-logs'), 'yes'],
        [b, join(to, 'zookeeper'), 'no'],
      ],
      ['ks_data_stop', 'ks_data_move', 'ls -A "$KS_M1_FROM" | sed "s/^/left=/"', 'ks_data_done', 'ks_probe_data'],
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(to, 'kafka-logs', 'version-2', 'snapshot.0'), 'utf8')).toBe('data of old-logs');
    expect(readFileSync(join(to, 'zookeeper', 'version-2', 'snapshot.0'), 'utf8')).toBe('data of old-zk');
    expect(r.stdout).toContain('left=version-2'); // the copied source was still there until the end
    expect([existsSync(a), existsSync(b), existsSync(join(to, 'zookeeper.kafka-setup-part'))]).toEqual([false, false, false]);
    expect(r.sections.get('moved')).toEqual(['count=2']);
  });

  it("kafka-setup's data directory: the probe reports its mode; KS_DATA_TIGHTEN takes group write and others' rights away, once; a new one is made 0750", () => {
    const home = scratchHome();
    const top = join(home, 'kafka-data');
    mkdirSync(join(top, 'kafka-logs'), { recursive: true, mode: 0o755 });
    chmodSync(top, 0o775);
    writeFileSync(join(top, 'kafka-logs', 'meta.properties'), 'broker.id=0\n', { mode: 0o644 });
    const probeOnly = (h: string) => runLocally(remoteScript('probe', vars, ['probe-lib', 'probe']), h);
    expect(probed(probeOnly(home).sections).dataDirs.get(top)?.mode).toBe(0o775);
    const tighten = mv(home, [], ['ks_data_stop', 'ks_data_move', 'ks_data_done', 'ks_data_tighten']);
    expect([tighten.code, tighten.stderr]).toEqual([0, '']);
    expect(statSync(top).mode & 0o7777).toBe(0o750);
    expect(probed(probeOnly(home).sections).dataDirs.get(top)?.mode).toBe(0o750);
    // Stricter stays stricter.
    chmodSync(top, 0o700);
    mv(home, [], ['ks_data_tighten']);
    expect(statSync(top).mode & 0o7777).toBe(0o700);
    // A symbolic link is not followed.
    const elsewhere = join(home, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o755 });
    chmodSync(elsewhere, 0o755);
    const linked = scratchHome();
    symlinkSync(elsewhere, join(linked, 'kafka-data'));
    expect(probed(probeOnly(linked).sections).dataDirs.get(join(linked, 'kafka-data'))?.mode).toBeUndefined();
    // A data directory made by a move is 0750 from the start, whatever the shell's umask.
    const fresh = scratchHome();
    const from = dataDir(fresh, 'old-zk');
    mv(fresh, [[from, join(fresh, 'kafka-data', 'zookeeper'), 'yes']], ['ks_data_stop', 'ks_data_move', 'ks_data_done']);
    expect(statSync(join(fresh, 'kafka-data')).mode & 0o7777).toBe(0o750);
  });

  it('a failed config write puts the data back where it was', () => {
    const home = scratchHome();
    const a = dataDir(home, 'old-logs');
    const b = dataDir(home, 'old-zk');
    const to = join(home, 'kafka-data');
    const undo = '( ks_fail changed_meanwhile "server.properties changed" ) || { ks_data_undo_moves; exit 1; }';
    const r = mv(
      home,
      [
        [a, join(to, 'kafka-logs'), 'yes'],
        [b, join(to, 'zookeeper'), 'no'],
      ],
      ['ks_data_stop', 'ks_data_move', undo, 'ks_data_done'],
    );
    expect(r.code).toBe(1);
    expect(r.sections.get('error')).toContain('kind=changed_meanwhile');
    expect(readFileSync(join(a, 'version-2', 'snapshot.0'), 'utf8')).toBe('data of old-logs');
    expect(readFileSync(join(b, 'version-2', 'snapshot.0'), 'utf8')).toBe('data of old-zk');
    expect([existsSync(join(to, 'kafka-logs')), existsSync(join(to, 'zookeeper'))]).toEqual([false, false]);
  });

  it('a target that is not empty: nothing moves', () => {
    const home = scratchHome();
    const a = dataDir(home, 'old-logs');
    const b = dataDir(home, 'old-zk');
    const busy = dataDir(home, 'busy');
    const r = mv(
      home,
      [
        [a, join(home, 'new-logs'), 'yes'],
        [b, busy, 'yes'],
      ],
      ['ks_data_stop', 'ks_data_move', 'ks_data_done'],
    );
    expect(r.code).toBe(1);
    expect(r.sections.get('error')).toContain('kind=move_failed');
    expect([existsSync(join(a, 'version-2')), existsSync(join(b, 'version-2')), existsSync(join(home, 'new-logs'))]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('a data directory another process works in: refused before anything moves', () => {
    const home = scratchHome();
    const a = dataDir(home, 'old-logs');
    const r = mv(
      home,
      [[a, join(home, 'new-logs'), 'yes']],
      ['(cd "$KS_M0_FROM" && exec sleep 30 >/dev/null 2>&1) & echo "holder=$!"; sleep 0.3', 'ks_data_stop', 'ks_data_move', 'ks_data_done'],
    );
    const holder = Number(/holder=(\d+)/.exec(r.stdout)?.[1]);
    if (holder > 0) process.kill(holder, 'SIGKILL');
    expect(r.code).toBe(1);
    expect(r.sections.get('error')).toContain(`user=${holder} sleep 30 `);
    expect(r.sections.get('error')).toContain('kind=data_in_use');
    expect(existsSync(join(a, 'version-2'))).toBe(true);
  });
});

describe('the JVMs a probe lists', () => {
  const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['--pid', '--fork', 'true']).status === 0;

  // A container's processes show in this host's ps, under the same uid where it maps no users.
  it.skipIf(!canUnshare)("a JVM in another pid namespace (a container's, same uid) is not this host's; one here is", async () => {
    const home = scratchHome();
    mkdirSync(join(home, 'bin'));
    const java = join(home, 'bin', 'java');
    symlinkSync('/bin/sleep', java);
    const here = spawn(java, ['31'], { stdio: 'ignore' });
    const container = spawn('unshare', ['--pid', '--kill-child', java, '32'], { stdio: 'ignore' });
    try {
      let inside = 0;
      for (let i = 0; i < 50 && !inside; i++) {
        await new Promise((r) => setTimeout(r, 20));
        inside = Number(spawnSync('ps', ['-o', 'pid=', '--ppid', String(container.pid)], { encoding: 'utf8' }).stdout.trim());
      }
      expect(inside).toBeGreaterThan(0);
      const r = runLocally(remoteScript('jvms', vars, ['probe-lib'], ['ks_probe_jvms']), home);
      const listed = (r.sections.get('jvms') ?? []).filter((l) => l.startsWith('java=')).map((l) => l.split(' ')[0]);
      expect(listed).toContain(`java=${here.pid}`);
      expect(listed).not.toContain(`java=${inside}`);
    } finally {
      here.kill('SIGKILL');
      container.kill('SIGKILL');
    }
  });
});

describe('start-daemon under dash', () => {
  /** An install whose broker "JVM" (sh, named java) logs `line` and exits; counts its starts. */
  const install = (home: string, line: string): string => {
    const dir = join(home, 'kafka_2.12-3.1.0');
    mkdirSync(join(dir, 'bin'), { recursive: true });
    mkdirSync(join(dir, 'config'), { recursive: true });
    mkdirSync(join(dir, 'logs'), { recursive: true });
    writeFileSync(join(dir, 'config', 'server.properties'), 'broker.id=0\nzookeeper.session.timeout.ms=2000\n');
    spawnSync('ln', ['-s', '/bin/sh', join(dir, 'bin', 'java')]);
    writeFileSync(
      join(dir, 'bin', 'kafka-server-start.sh'),
      [
        '#!/bin/sh',
        `echo start >> "${join(dir, 'starts')}"`,
        `umask > "${join(dir, 'umask')}"`,
        `printf '%s\\n' '${line}' > "${join(dir, 'logs', 'kafkaServer.out')}"`,
        `nohup "${join(dir, 'bin', 'java')}" -c 'sleep 0.5' kafka.Kafka "$2" >/dev/null 2>&1 &`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    return dir;
  };
  /** A home with an install, the broker's unit (this content) in a unit directory, and a fake sudo and systemctl (this body) in bin. */
  const withUnit = (unit: string, systemctl: (log: string) => string) => {
    const home = scratchHome();
    install(home, 'ERROR never started');
    const bin = join(home, 'bin');
    const unitDir = join(home, 'units');
    mkdirSync(bin);
    mkdirSync(unitDir);
    writeFileSync(join(unitDir, BROKER.unit), unit);
    const log = join(home, 'calls');
    writeFileSync(join(bin, 'systemctl'), `#!/bin/sh\n${systemctl(log)}\n`, { mode: 0o755 });
    writeFileSync(join(bin, 'sudo'), '#!/bin/sh\n[ "$1" = -n ] && shift\nexec "$@"\n', { mode: 0o755 });
    return { home, bin, unitDir, log };
  };
  /** The broker's row of the daemon table (daemons.ts), as start-daemon.sh and stop-daemon.sh read it. */
  const brokerRow = {
    KS_NAME: BROKER.name,
    KS_SCRIPT: BROKER.script,
    KS_CONF: BROKER.config,
    KS_OUT: BROKER.out,
    KS_MAIN: BROKER.main,
    KS_READY: BROKER.ready,
    KS_PORT: 1,
    KS_RUNNING_PID: '',
    KS_UNIT: BROKER.unit,
  };
  const start = (home: string) =>
    runLocally(
      remoteScript(
        'start-broker',
        {
          ...vars,
          ...brokerRow,
          KS_KIND: 'broker',
          KS_HEAP_OPTS: '-Xmx64m',
          KS_OTHER_PORTS: '',
          KS_STOP_PID: '',
          KS_TIMEOUT: 30,
          KS_SERVICE: 'none',
        },
        ['probe-lib', 'daemon-lib', 'start-daemon'],
      ),
      home,
    );

  it('a broker that dies of anything else: reported at once, never retried; -daemon is started with umask 027', () => {
    const home = scratchHome();
    const dir = install(home, 'ERROR Fatal error during KafkaServer startup: something else');
    const r = start(home);
    expect(r.sections.get('error')).toContain('kind=jvm_died');
    expect(readFileSync(join(dir, 'starts'), 'utf8')).toBe('start\n');
    // What the JVM creates (data, logs) is not readable by other local users.
    expect(readFileSync(join(dir, 'umask'), 'utf8').trim()).toBe('0027');
  });

  it('through systemd, a unit kafka-setup did not write is neither started nor stopped (checked again on the host)', () => {
    const { home, bin, unitDir, log } = withUnit("[Unit]\nDescription=the admin's own Kafka\n", (l) => `echo "systemctl $*" >> '${l}'`);
    const daemon = {
      ...vars,
      ...brokerRow,
      KS_UNIT_DIR: unitDir,
      KS_KIND: 'broker',
      KS_HEAP_OPTS: '-Xmx64m',
      KS_OTHER_PORTS: '',
      KS_STOP_PID: '',
      KS_TIMEOUT: 5,
      KS_SERVICE: 'systemd',
    };
    // Each script gets what its bodies read (script-inputs.ts).
    const varsOf = (body: 'start-daemon' | 'stop-daemon') =>
      Object.fromEntries(Object.entries(daemon).filter(([k]) => declaredInput(['probe-lib', 'daemon-lib', body], k)));
    for (const body of ['start-daemon', 'stop-daemon'] as const) {
      const r = runLocally(remoteScript(body, varsOf(body), ['probe-lib', 'daemon-lib', body]), home, bin);
      expect(r.sections.get('error')).toEqual([
        'kind=unit_foreign',
        `message=${join(unitDir, BROKER.unit)} was not written by kafka-setup, so kafka-setup does not start or stop it`,
      ]);
    }
    expect(existsSync(log)).toBe(false);
    // Ours (the header on its first line) is started through systemd as before.
    writeFileSync(join(unitDir, BROKER.unit), `${UNIT_HEADER} (kafka-setup init replaces it; kafka-setup uninstall removes it).\n[Unit]\n`);
    runLocally(remoteScript('stop-daemon', varsOf('stop-daemon'), ['probe-lib', 'daemon-lib', 'stop-daemon']), home, bin);
    expect(readFileSync(log, 'utf8')).toContain(`systemctl stop ${BROKER.unit}`);
  });

  it('KS_STOP_FORCE: a JVM deaf to SIGTERM (its controlled shutdown waiting for a quorum) is killed', async () => {
    const home = scratchHome();
    const dir = install(home, 'unused');
    const conf = join(dir, 'config', 'server.properties');
    // "java" (sh) that ignores SIGTERM, as a broker stuck in its controlled shutdown does.
    const deaf = spawn(join(dir, 'bin', 'java'), ['-c', "trap '' TERM; while :; do sleep 0.1; done", 'kafka.Kafka', conf], {
      stdio: 'ignore',
    });
    const daemon = { ...vars, ...brokerRow, KS_SERVICE: 'none', KS_STOP_FORCE: 1 };
    try {
      await new Promise((r) => setTimeout(r, 200));
      const r = runLocally(remoteScript('kill-broker', daemon, ['probe-lib', 'daemon-lib', 'stop-daemon']), home);
      expect(r.code, r.stderr).toBe(0);
      expect(r.sections.get('stopped')?.some((l) => l.startsWith('seconds='))).toBe(true);
      await new Promise((resolve) => (deaf.exitCode !== null || deaf.signalCode !== null ? resolve(null) : deaf.once('exit', resolve)));
      expect(deaf.signalCode).toBe('SIGKILL');
    } finally {
      deaf.kill('SIGKILL');
    }
  });

  it('KS_STOP_FORCE through systemd: the unit is killed only while its stop job runs (else systemd would restart it)', () => {
    const state = join(scratchHome(), 'state');
    const { home, bin, unitDir, log } = withUnit(
      `${UNIT_HEADER} (kafka-setup init replaces it; kafka-setup uninstall removes it).\n[Unit]\n`,
      (l) => `case "$1" in show) cat '${state}' ;; *) echo "systemctl $*" >> '${l}' ;; esac`,
    );
    const daemon = { ...vars, ...brokerRow, KS_UNIT_DIR: unitDir, KS_SERVICE: 'systemd', KS_STOP_FORCE: 1 };
    const kill = () => runLocally(remoteScript('kill-broker', daemon, ['probe-lib', 'daemon-lib', 'stop-daemon']), home, bin);
    writeFileSync(state, 'active\n');
    expect(kill().code).toBe(0);
    expect(existsSync(log) ? readFileSync(log, 'utf8') : '').not.toContain('kill');
    writeFileSync(state, 'deactivating\n');
    expect(kill().code).toBe(0);
    expect(readFileSync(log, 'utf8')).toContain(`systemctl kill -s KILL ${BROKER.unit}`);
  });

  it("a broker refused by a crashed one's registration (NodeExistsException): started again until the session timeout has passed", () => {
    const home = scratchHome();
    const dir = install(
      home,
      "[x] ERROR Error while creating ephemeral at /brokers/ids/0, node already exists and owner '1' does not match current session '2'",
    );
    const r = start(home);
    // It never serves here, so in the end it is reported; but only after starting it again and again.
    expect(r.sections.get('error')).toContain('kind=jvm_died');
    expect(readFileSync(join(dir, 'starts'), 'utf8').split('\n').filter(Boolean).length).toBeGreaterThan(2);
  }, 60_000);
});
