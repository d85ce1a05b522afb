/**
 * The remote scripts, run through the local dash exactly as sshd would run them (`sh -s`, script on
 * stdin), in a scratch HOME: they parse, print sections the TypeScript side reads, and edit files
 * the way the steps expect.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { parseSections, remoteScript, type RemoteScript } from '../../src/remote/script.js';
import { mergeFacts } from '../../src/steps/facts.js';
import { sha256, writeFilesScript } from '../../src/steps/files.js';

const vars = { KS_INSTALL: '~/kafka_2.12-3.1.0', KS_TARBALL: '~/kafka_2.12-3.1.0.tgz', KS_CORE_JAR: 'libs/kafka_2.12-3.1.0.jar', KS_TOPDIR: 'kafka_2.12-3.1.0', KS_BASHRC: '~/.bashrc' };

function runLocally(script: RemoteScript, home: string): { code: number; stdout: string; stderr: string; sections: ReturnType<typeof parseSections> } {
  const r = spawnSync('sh', ['-s'], { input: script.text, env: { PATH: process.env.PATH, HOME: home, TMPDIR: home }, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, sections: parseSections(r.stdout, script.mark) };
}

function scratchHome(): string {
  return scratchDir('ks-home-');
}

describe('remote scripts under dash', () => {
  it('probe: reports the host in sections mergeFacts understands', () => {
    const home = scratchHome();
    writeFileSync(join(home, '.bashrc'), 'alias ll="ls -l"\n');
    const r = runLocally(remoteScript('probe', vars, ['probe-lib', 'probe']), home);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const facts = mergeFacts(undefined, r.sections);
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
    const probe = (): string => mergeFacts(undefined, runLocally(remoteScript('probe', vars, ['probe-lib', 'probe']), home).sections).install.state;
    expect(probe()).toBe('other');
    mkdirSync(join(dir, 'libs'));
    mkdirSync(join(dir, 'config'));
    for (const f of ['libs/kafka_2.12-3.1.0.jar', 'bin/kafka-server-start.sh', 'config/server.properties']) writeFileSync(join(dir, f), '');
    expect(probe()).toBe('kafka');
  });

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
    const probe = mergeFacts(undefined, runLocally(remoteScript('probe', vars, ['probe-lib', 'probe']), home).sections);
    expect(probe.files.bashrc.path).toBe(join(home, 'dotfiles', 'bashrc'));
    const r = runLocally(writeFilesScript('w', vars, [{ fact: probe.files.bashrc, content: 'y\n' }]), home);
    expect(r.code).toBe(0);
    expect(readFileSync(join(home, 'dotfiles', 'bashrc'), 'utf8')).toBe('y\n');
    expect(existsSync(join(home, 'dotfiles', 'bashrc.kafka-setup.bak'))).toBe(true);
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
    const chatty = spawnSync('sh', ['-c', `printf 'Welcome!\\n\\033]0;title\\007::ks:: error\\nkind=fake\\nno newline'; exec sh -s`], { input: script.text, encoding: 'utf8' });
    const sections = parseSections(chatty.stdout, script.mark);
    expect([...sections.keys()]).toEqual(['host']);
    expect(sections.get('host')).toEqual(['user=me']);
  });

  it('ks_is_sha512_file: both published layouts, never an HTML page', () => {
    const home = scratchHome();
    const hex = 'ab12'.repeat(32);
    const files = {
      gpg: `kafka_2.12-3.1.0.tgz: ${hex.toUpperCase().match(/.{8}/g)!.join(' ').replace(/(.{72})/, '$1\n                      ')}\n`,
      sum: `${hex}  kafka_2.12-3.1.0.tgz\n`,
      html: '<!DOCTYPE html><html><body>Please log in to the Wi-Fi</body></html>\n',
      empty: '',
    };
    const verdict: Record<string, string> = {};
    for (const [name, content] of Object.entries(files)) {
      writeFileSync(join(home, name), content);
      const r = runLocally(remoteScript('t', vars, ['probe-lib'], [`if ks_is_sha512_file "$HOME/${name}"; then echo yes; else echo no; fi`]), home);
      verdict[name] = r.stdout.trim();
    }
    expect(verdict).toEqual({ gpg: 'yes', sum: 'yes', html: 'no', empty: 'no' });
  });

  it('download: a tarball already on the host is kept only when its checksum matches', () => {
    const home = scratchHome();
    const tarball = join(home, 'kafka_2.12-3.1.0.tgz');
    const sha = (t: string): string => createHash('sha512').update(t).digest('hex');
    writeFileSync(tarball, 'verified bytes');
    const kept = runLocally(remoteScript('download', { ...vars, KS_URLS: '', KS_SHA512: sha('verified bytes') }, ['probe-lib', 'download']), home);
    expect(kept.code).toBe(0);
    expect(kept.sections.get('download')).toEqual(expect.arrayContaining(['reused=yes', `verified=${sha('verified bytes')}`]));

    writeFileSync(tarball, 'planted bytes');
    const planted = runLocally(remoteScript('download', { ...vars, KS_URLS: '', KS_SHA512: sha('verified bytes') }, ['probe-lib', 'download']), home);
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
      expect(error).toEqual(expect.arrayContaining([`pid=${holder}`, expect.stringMatching(/^since=\d+$/), expect.stringMatching(/^now=\d+$/)]));
    } finally {
      process.kill(holder, 'SIGKILL');
    }
    // The killed run's lock file is still there, but its flock died with its holder.
    for (let i = 0; i < 50 && existsSync(`/proc/${holder}`); i++) spawnSync('sleep', ['0.05']);
    const third = take();
    expect(third.code).toBe(0);
    process.kill(Number(third.sections.get('lock')!.find((l) => l.startsWith('pid='))!.slice(4)), 'SIGKILL');
  }, 30_000);
});
