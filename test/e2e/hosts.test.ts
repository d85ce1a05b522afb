/**
 * `kafka-setup hosts` end to end: a scratch hosts file (idempotency, update, remove, refused
 * injections), the real /etc/hosts of this machine with a unique alias, and the sudo path as a
 * non-root user.
 */
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { quote } from '../../src/remote/shell.js';
import { scratchDir } from '../support/scratch.js';
import { CLI_COMMAND, runCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { runAsUser } from './support/host.js';
import { initializedHost } from './support/setup.js';
import { Terminal } from './support/tmux.js';

const ORIGINAL = '# hosts of a laptop\r\n127.0.0.1\tlocalhost\r\n::1 localhost ip6-localhost\r\n10.1.2.3 printer # the office one\r\n';

describeE2e('kafka-setup hosts', () => {
  it('adds, keeps, updates and removes one entry in a scratch file, keeping every other byte', async () => {
    const file = join(scratchDir('ks-hosts-'), 'hosts');
    writeFileSync(file, ORIGINAL);
    const args = ['hosts', '--alias', 'my-kafka', '--hosts-file', file];

    const add = await runCli([...args, '--ip', '203.0.113.10']);
    expect(add.code, add.all).toBe(0);
    expect(readFileSync(file, 'latin1')).toBe(`${ORIGINAL}203.0.113.10\tmy-kafka\r\n`);
    expect(readFileSync(`${file}.kafka-setup.bak`, 'latin1')).toBe(ORIGINAL);

    const mtime = statSync(file).mtimeMs;
    const again = await runCli([...args, '--ip', '203.0.113.10']);
    expect(again.stdout).toContain('[skip] Update');
    expect(statSync(file).mtimeMs).toBe(mtime);

    const moved = await runCli([...args, '--ip', '198.51.100.7']);
    expect(moved.stdout).toContain('  - 203.0.113.10\tmy-kafka');
    expect(moved.stdout).toContain('  + 198.51.100.7\tmy-kafka');
    expect(readFileSync(file, 'latin1')).toBe(`${ORIGINAL}198.51.100.7\tmy-kafka\r\n`);

    const dry = await runCli([...args, '--remove', '--dry-run']);
    expect(dry.stdout).toContain('[plan] Update');
    expect(readFileSync(file, 'latin1')).toBe(`${ORIGINAL}198.51.100.7\tmy-kafka\r\n`);

    const removed = await runCli([...args, '--remove']);
    expect(removed.code).toBe(0);
    expect(readFileSync(file, 'latin1')).toBe(ORIGINAL);
    expect(readFileSync(`${file}.kafka-setup.bak`, 'latin1')).toBe(ORIGINAL);
  });

  it('refuses injection attempts before touching anything', async () => {
    const file = join(scratchDir('ks-hosts-'), 'hosts');
    writeFileSync(file, ORIGINAL);
    const attempts: Array<[string, string]> = [
      ['evil host', '1.2.3.4'],
      ['evil\thost', '1.2.3.4'],
      ['evil\nhost', '1.2.3.4'],
      ['evil#x', '1.2.3.4'],
      ['-evil', '1.2.3.4'],
      ['$(touch /tmp/ks-pwned)', '1.2.3.4'],
      ['evil\u0007', '1.2.3.4'],
      ['ok', '1.2.3.4 evil'],
      ['ok', '1.2.3.4\n5.6.7.8 evil'],
      ['ok', '1.2.3.4#'],
    ];
    for (const [alias, ip] of attempts) {
      const r = await runCli(['hosts', `--alias=${alias}`, `--ip=${ip}`, '--hosts-file', file]);
      expect(r.code, `${JSON.stringify([alias, ip])}: ${r.all}`).toBe(2);
      expect(r.stderr).toMatch(/error: --(alias|ip): /);
    }
    expect(readFileSync(file, 'latin1')).toBe(ORIGINAL);
    expect(existsSync(`${file}.kafka-setup.bak`)).toBe(false);
    expect(existsSync('/tmp/ks-pwned')).toBe(false);
  });

  it("refuses aliases that would re-point this machine's own names, exit 2, before touching anything", async () => {
    const own = hostname();
    const file = join(scratchDir('ks-hosts-'), 'hosts');
    const debian = `${ORIGINAL}127.0.1.1\t${own}.example.test ${own}\r\n`;
    writeFileSync(file, debian);
    const cases: Array<[string, RegExp]> = [
      ['localhost', /"localhost" is a standard name of this machine's hosts file/],
      ['LocalHost.', /"localhost" is a standard name/],
      ['ip6-localhost', /standard name/],
      ['ip6-loopback', /standard name/],
      ['localhost.localdomain', /standard name/],
      ['broadcasthost', /standard name/],
      ['ip6-allnodes', /standard name/],
      ['kafka.localhost', /under \.localhost, which always means this machine/],
      [own, /this machine's own host name/],
      [`${own}.example.test`, new RegExp(`lists "${own}\\.example\\.test" on the line of "${own}" \\(127\\.0\\.1\\.1\\)`)],
    ];
    for (const [alias, why] of cases) {
      for (const extra of [['--ip', '203.0.113.10'], ['--remove']]) {
        const r = await runCli(['hosts', '--alias', alias, ...extra, '--hosts-file', file]);
        expect(r.code, `${alias}: ${r.all}`).toBe(2);
        expect(r.stderr).toMatch(why);
        expect(r.stderr).toMatch(/what to do: .*(choose another alias|--alias my-kafka)/);
      }
    }
    expect(readFileSync(file, 'latin1')).toBe(debian);
    expect(readdirSync(join(file, '..'))).toEqual(['hosts']);
  });

  it('moves the alias off a shared line when its IP changes, the new entry right after that line', async () => {
    const file = join(scratchDir('ks-hosts-'), 'hosts');
    writeFileSync(file, `${ORIGINAL}10.0.0.5 db my-kafka cache\r\n10.0.0.9 nas\r\n`);
    const r = await runCli(['hosts', '--alias', 'my-kafka', '--ip', '198.51.100.7', '--hosts-file', file]);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toContain('  - 10.0.0.5 db my-kafka cache\n  + 10.0.0.5 db cache\n  + 198.51.100.7\tmy-kafka\n');
    expect(r.stdout).toContain('updated my-kafka to 198.51.100.7');
    expect(readFileSync(file, 'latin1')).toBe(`${ORIGINAL}10.0.0.5 db cache\r\n198.51.100.7\tmy-kafka\r\n10.0.0.9 nas\r\n`);
  });

  it('writes through a symlinked hosts file to its target: the link stays a link', async () => {
    const dir = scratchDir('ks-hosts-');
    mkdirSync(join(dir, 'real'));
    const target = join(dir, 'real', 'hosts');
    writeFileSync(target, ORIGINAL, { mode: 0o640 });
    const link = join(dir, 'hosts');
    symlinkSync(target, link);
    const r = await runCli(['hosts', '--alias', 'my-kafka', '--ip', '203.0.113.10', '--hosts-file', link]);
    expect(r.code, r.all).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(r.stdout).toContain(`written to ${target}, where the symlink points`);
    expect(readFileSync(target, 'latin1')).toBe(`${ORIGINAL}203.0.113.10\tmy-kafka\r\n`);
    expect(statSync(target).mode & 0o777).toBe(0o640);
    expect(readFileSync(`${target}.kafka-setup.bak`, 'latin1')).toBe(ORIGINAL);
    expect(readdirSync(dir).sort()).toEqual(['hosts', 'real']);
  });

  it('says what to do when --hosts-file is missing or a directory', async () => {
    const dir = scratchDir('ks-hosts-');
    for (const path of [join(dir, 'absent'), dir]) {
      const r = await runCli(['hosts', '--alias', 'my-kafka', '--ip', '203.0.113.10', '--hosts-file', path]);
      expect(r.code, r.all).toBe(1);
      expect(r.stderr).toMatch(
        /error: cannot read .*: (no such file|it is a directory)\nwhat to do: point --hosts-file at an existing hosts file/,
      );
    }
  });

  describeE2e('with a line written by another program while the question is open', () => {
    const term = new Terminal();
    afterAll(() => term.close());

    it("refuses to write (as this user and through sudo), keeping the other program's line", async () => {
      const { host } = e2e();
      const dir = scratchDir('ks-hosts-race-');
      chmodSync(dir, 0o755);
      const file = join(dir, 'hosts');
      const cli = `${CLI_COMMAND} hosts --alias my-kafka --ip 203.0.113.10 --hosts-file ${quote(file)}`;
      const asUser = `runuser -u ${host.user} -- env HOME=${quote(host.home)} PATH=/usr/local/bin:/usr/bin:/bin ${cli}`;
      for (const [who, command] of [
        ['root', cli],
        ['the user, with sudo', asUser],
      ] as const) {
        writeFileSync(file, ORIGINAL, { mode: 0o644 });
        await term.close();
        await term.start(`NO_COLOR=1 ${command}`);
        await term.waitFor(/Write this change to .*\?/);
        appendFileSync(file, '10.9.9.9 vpn-gateway\r\n');
        await term.type('y');
        const screen = await term.waitFor(/EXIT=\d+/);
        expect(screen, who).toContain('EXIT=1');
        expect(screen.replace(/\n/g, ''), who).toContain(`error: ${file} changed while kafka-setup was running; run again`);
        expect(screen, who).toMatch(/what to do: .*nothing was written/);
        expect(readFileSync(file, 'latin1'), who).toBe(`${ORIGINAL}10.9.9.9 vpn-gateway\r\n`);
        expect(readdirSync(dir), who).toEqual(['hosts']);
        expect(statSync(file).uid).toBe(0);
      }
    });
  });

  describeE2e('when sudo asks for a password on the terminal', () => {
    const term = new Terminal();
    afterAll(() => term.close());

    it('stops the spinner and lets sudo read the password from the terminal', async () => {
      const { host } = e2e();
      const dir = scratchDir('ks-hosts-pw-');
      chmodSync(dir, 0o755);
      mkdirSync(join(dir, 'bin'), { mode: 0o755 });
      mkdirSync(join(dir, 'etc'), { mode: 0o755 });
      // A sudo that asks for a password like the real one, but reads it from its stdin: it only gets the
      // keystrokes if kafka-setup hands over the terminal and nothing else (a spinner) reads them.
      writeFileSync(
        join(dir, 'bin', 'sudo'),
        [
          '#!/bin/sh',
          'printf "[sudo] password for %s: " "$(id -un)" >&2',
          'stty -echo 2>/dev/null; IFS= read -r pw; stty echo 2>/dev/null; echo >&2',
          '[ "$pw" = "opensesame42" ] || { echo "Sorry, wrong password (got ${#pw} characters)." >&2; exit 1; }',
          'exec /usr/bin/sudo -n "$@"',
          '',
        ].join('\n'),
        { mode: 0o755 },
      );
      const file = join(dir, 'etc', 'hosts');
      writeFileSync(file, ORIGINAL, { mode: 0o644 });
      await term.start(
        `runuser -u ${host.user} -- env HOME=${quote(host.home)} PATH=${quote(`${join(dir, 'bin')}:/usr/local/bin:/usr/bin:/bin`)} ` +
          `${CLI_COMMAND} hosts --alias my-kafka --ip 203.0.113.10 --yes --hosts-file ${quote(file)}`,
      );
      const prompt = await term.waitFor(/\[sudo\] password for /);
      expect(prompt).toContain(`[sudo] password for ${host.user}: `);
      // Typed slowly, as a person does: a spinner redrawing meanwhile would swallow keystrokes.
      for (const ch of 'opensesame42') {
        await term.key(ch);
        await new Promise((r) => setTimeout(r, 60));
      }
      await term.type('');
      const screen = await term.waitFor(/EXIT=\d+/);
      expect(screen, screen).toContain('EXIT=0');
      expect(screen).toMatch(/Update .*hosts — added 203\.0\.113\.10 my-kafka \(with sudo, backup: /);
      expect(screen).not.toContain('opensesame42');
      expect(readFileSync(file, 'latin1')).toBe(`${ORIGINAL}203.0.113.10\tmy-kafka\r\n`);
    });
  });

  it('elevates with sudo when the file is not writable, keeping owner and mode', async () => {
    const { host } = e2e();
    const dir = scratchDir('ks-hosts-root-');
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'etc'), { mode: 0o755 });
    const file = join(dir, 'etc', 'hosts');
    writeFileSync(file, ORIGINAL, { mode: 0o644 });
    const r = await runAsUser(host, `${CLI_COMMAND} hosts --alias my-kafka --ip 203.0.113.10 --hosts-file ${file}`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('(with sudo, backup: ');
    expect(readFileSync(file, 'latin1')).toBe(`${ORIGINAL}203.0.113.10\tmy-kafka\r\n`);
    const st = statSync(file);
    expect([st.uid, st.mode & 0o777]).toEqual([0, 0o644]);
    expect(readFileSync(`${file}.kafka-setup.bak`, 'latin1')).toBe(ORIGINAL);
  });

  describeE2e('on the real /etc/hosts', () => {
    const alias = `ks-e2e-${randomBytes(3).toString('hex')}`;
    let before: Buffer;
    let hadBackup: boolean;
    beforeAll(async () => {
      await initializedHost();
      before = readFileSync('/etc/hosts');
      hadBackup = existsSync('/etc/hosts.kafka-setup.bak');
    });
    afterAll(() => {
      // Leave the machine as it was, whatever happened.
      if (!readFileSync('/etc/hosts').equals(before)) writeFileSync('/etc/hosts', before);
      if (!hadBackup) rmSync('/etc/hosts.kafka-setup.bak', { force: true });
    });

    it('names the broker: getent and kcat use the alias; removing it restores the file', async () => {
      const add = await runCli(['hosts', '--alias', alias, '--ip', '127.0.0.1']);
      expect(add.code, add.all).toBe(0);
      expect(add.stdout).toContain(`[done] Resolve ${alias} on this machine — ${alias} resolves to 127.0.0.1`);
      expect((await execa('getent', ['hosts', alias])).stdout).toMatch(new RegExp(`^127\\.0\\.0\\.1\\s+${alias}$`));
      const meta = await execa('kcat', ['-b', `${alias}:9092`, '-L', '-m', '15']);
      expect(meta.stdout).toMatch(/broker 0 at 127\.0\.0\.1:9092/);

      const rm = await runCli(['hosts', '--alias', alias, '--remove']);
      expect(rm.code, rm.all).toBe(0);
      expect(rm.stdout).toContain(`${alias} no longer resolves`);
      expect((await execa('getent', ['hosts', alias], { reject: false })).exitCode).not.toBe(0);
      expect(readFileSync('/etc/hosts').equals(before)).toBe(true);
    });
  });
});
