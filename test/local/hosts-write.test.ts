import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { elevatedScript, RESULT_MARKER, type Runner, sha256, writeHostsFile } from '../../src/local/hosts-write.js';
import { scratchDir } from '../support/scratch.js';

/** A scratch hosts file with `text`, mode 0644. */
function scratchHosts(text: string): { dir: string; path: string } {
  const dir = scratchDir('ks-hosts-');
  const path = join(dir, 'hosts');
  writeFileSync(path, text);
  chmodSync(path, 0o644);
  return { dir, path };
}

const direct = { interactive: false, writable: async () => true };

describe('writing the hosts file', () => {
  it('replaces it by rename, keeping its mode, and backs up the original once', async () => {
    const { dir, path } = scratchHosts('original\n');
    const first = await writeHostsFile(path, 'second\n', { ...direct, expected: 'original\n' });
    expect(first).toEqual({ path, backup: `${path}.kafka-setup.bak`, elevated: false, inPlace: false });
    await writeHostsFile(path, 'third\n', { ...direct, expected: 'second\n' });
    expect(readFileSync(path, 'utf8')).toBe('third\n');
    expect(readFileSync(`${path}.kafka-setup.bak`, 'utf8')).toBe('original\n');
    expect(statSync(path).mode & 0o777).toBe(0o644);
    // Nothing else is left beside it.
    expect(readdirSync(dir).sort()).toEqual(['hosts', 'hosts.kafka-setup.bak']);
  });

  it('refuses to replace a file that changed since it was read, and writes nothing', async () => {
    const { dir, path } = scratchHosts('127.0.0.1 localhost\n');
    // Another program adds a line while the change is shown and confirmed.
    writeFileSync(path, '127.0.0.1 localhost\n10.9.9.9 vpn-gateway\n');
    const err = await writeHostsFile(path, '127.0.0.1 localhost\n1.2.3.4\tmy-kafka\n', {
      ...direct,
      expected: '127.0.0.1 localhost\n',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe(`${path} changed while kafka-setup was running; run again`);
    expect((err as UserError).hint).toMatch(/nothing was written/);
    expect(readFileSync(path, 'utf8')).toBe('127.0.0.1 localhost\n10.9.9.9 vpn-gateway\n');
    expect(readdirSync(dir)).toEqual(['hosts']);
  });

  it('writes through a symlinked hosts file to its target: the link stays a link', async () => {
    const dir = scratchDir('ks-hosts-');
    mkdirSync(join(dir, 'real'));
    const target = join(dir, 'real', 'hosts');
    writeFileSync(target, 'original\n');
    chmodSync(target, 0o640);
    const link = join(dir, 'hosts');
    symlinkSync('real/hosts', link);
    const w = await writeHostsFile(link, 'new\n', { ...direct, expected: 'original\n' });
    expect(w).toMatchObject({ path: target, backup: `${target}.kafka-setup.bak`, inPlace: false });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('real/hosts');
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(statSync(target).mode & 0o777).toBe(0o640);
    expect(readFileSync(`${target}.kafka-setup.bak`, 'utf8')).toBe('original\n');
  });

  it('never follows a symlink planted where the backup goes, nor at the old predictable temporary names', async () => {
    const { dir, path } = scratchHosts('original\n');
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, `${path}.kafka-setup.bak`);
    for (let pid = process.pid - 2; pid <= process.pid + 2; pid++) symlinkSync(victim, `${path}.kafka-setup-tmp.${pid}`);
    const w = await writeHostsFile(path, 'new\n', { ...direct, expected: 'original\n' });
    expect(w.backup).toBeUndefined();
    expect(readFileSync(path, 'utf8')).toBe('new\n');
    expect(lstatSync(path).isSymbolicLink()).toBe(false);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(`${path}.kafka-setup.bak`).isSymbolicLink()).toBe(true);
  });

  it('refuses a hosts file that is not a regular file, with what to do', async () => {
    const dir = scratchDir('ks-hosts-');
    const err = await writeHostsFile(dir, 'x\n', { ...direct, expected: '' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/is not a regular file/);
    expect((err as UserError).hint).toMatch(/--hosts-file/);
  });

  it('says what to do when sudo needs a password and there is no terminal', async () => {
    const calls: string[][] = [];
    const run: Runner = async (cmd, args) => {
      calls.push([cmd, ...args]);
      return { exitCode: 1, stdout: '', stderr: 'sudo: a password is required\n' };
    };
    const err = await writeHostsFile('/etc/kafka-setup-test-hosts', 'x\n', {
      interactive: false,
      expected: 'old\n',
      run,
      writable: async () => false,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/sudo needs a password/);
    expect((err as UserError).hint).toMatch(/in a terminal/);
    // The elevated writer gets the path, the SHA-256 of what was read and a file with the content, as arguments.
    expect(calls[0]!.slice(0, 6)).toEqual(['sudo', '-n', '--', process.execPath, elevatedScript(), '/etc/kafka-setup-test-hosts']);
    expect(calls[0]![6]).toBe(sha256('old\n'));
    expect(calls[0]).toHaveLength(8);
  });

  it("pauses the spinner while sudo may ask for a password on the terminal, and reports the root side's answer", async () => {
    const events: string[] = [];
    let contentSeen = '';
    const run: Runner = async (cmd, args, o) => {
      events.push(`run ${cmd} ${args[0]} interactive=${o.interactive}`);
      contentSeen = readFileSync(args.at(-1)!, 'latin1');
      expect(statSync(args.at(-1)!).mode & 0o777).toBe(0o600);
      return {
        exitCode: 1,
        stdout: `${RESULT_MARKER}${JSON.stringify({ ok: false, message: '/etc/hosts changed while kafka-setup was running; run again', hint: 'run again' })}\n`,
        stderr: '',
      };
    };
    const err = await writeHostsFile('/etc/kafka-setup-test-hosts', 'new\n', {
      interactive: true,
      expected: 'old\n',
      run,
      writable: async () => false,
      aroundSudo: async (fn) => {
        events.push('pause');
        try {
          return await fn();
        } finally {
          events.push('resume');
        }
      },
    }).catch((e: unknown) => e);
    expect(events).toEqual(['pause', 'run sudo -- interactive=true', 'resume']);
    expect(contentSeen).toBe('new\n');
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/changed while kafka-setup was running/);
  });
});

describe('the elevated writer (what root runs under sudo)', () => {
  const elevated = async (...args: string[]) => {
    const r = await execa(process.execPath, ['--import', 'tsx', elevatedScript(), ...args], { reject: false });
    const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
    return {
      code: r.exitCode,
      result: line ? (JSON.parse(line.slice(RESULT_MARKER.length)) as Record<string, unknown>) : undefined,
      stdout: r.stdout,
    };
  };

  it('compares the file with what was read too, and replaces it only then', async () => {
    const { dir, path } = scratchHosts('127.0.0.1 localhost\n10.9.9.9 vpn-gateway\n');
    const content = join(dir, 'content');
    writeFileSync(content, '127.0.0.1 localhost\n1.2.3.4\tmy-kafka\n');
    const stale = await elevated(path, sha256('127.0.0.1 localhost\n'), content);
    expect(stale.code).toBe(1);
    expect(stale.result).toMatchObject({ ok: false, message: `${path} changed while kafka-setup was running; run again` });
    expect(readFileSync(path, 'utf8')).toBe('127.0.0.1 localhost\n10.9.9.9 vpn-gateway\n');
    expect(existsSync(`${path}.kafka-setup.bak`)).toBe(false);
    // Its answer never carries the file's content.
    expect(stale.stdout).not.toContain('vpn-gateway');

    const ok = await elevated(path, sha256('127.0.0.1 localhost\n10.9.9.9 vpn-gateway\n'), content);
    expect(ok.code).toBe(0);
    expect(ok.result).toEqual({ ok: true, path, backup: `${path}.kafka-setup.bak`, inPlace: false });
    expect(readFileSync(path, 'utf8')).toBe('127.0.0.1 localhost\n1.2.3.4\tmy-kafka\n');
  });

  it('refuses to be run without its three arguments', async () => {
    const r = await elevated('/etc/hosts');
    expect(r.code).toBe(2);
  });
});
