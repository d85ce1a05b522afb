/**
 * Hostile hosts, files and mirrors, on the real sshd host: a chatty ~/.bashrc, a planted tarball,
 * two runs at once, a damaged ~/.bashrc block, secrets in --verbose, mirrors that lie or stall,
 * a host key of a new type, an unusable known_hosts, a dry run that would fail.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeEach, expect, it } from 'vitest';
import { BLOCK_START } from '../../src/kafka/heap-block.js';
import { scratchDir } from '../support/scratch.js';
import { hostFlags, runCli, startCli } from './support/cli.js';
import { describeE2e, e2e, mirrorRequests, resetMirrorRequests } from './support/context.js';
import { runAsUser, sshClientArgs } from './support/host.js';
import { resetHost } from './support/reset.js';

const INSTALL = 'kafka_2.12-3.1.0';

describeE2e('hostile hosts, files and mirrors', () => {
  let env: Record<string, string>;
  let knownHosts: string;
  const init = (extra: string[] = [], mirrors = [e2e().mirror.good]): string[] => [
    'init',
    ...hostFlags(knownHosts),
    ...mirrors.flatMap((m) => ['--mirror', m]),
    '--heap',
    '256m',
    '--yes',
    ...extra,
  ];
  const bashrc = async (): Promise<string> => (await runAsUser(e2e().host, 'cat ~/.bashrc')).stdout;

  beforeEach(async () => {
    const dir = scratchDir('ks-hostile-');
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
    knownHosts = join(dir, 'known_hosts');
    await resetHost(e2e().host);
  });

  it('a ~/.bashrc that prints before its interactive guard (banner, title escape without newline, our own marker) does not confuse init or verify', async () => {
    const { host } = e2e();
    const chatty = [
      'echo "Welcome to $(hostname)!"',
      "printf '\\033]0;my-box\\007'",
      "printf '::ks:: error\\nkind=forged\\n'",
      "printf 'no newline here'",
      '',
    ].join('\n');
    const path = join(host.home, '.bashrc');
    writeFileSync(path, chatty + readFileSync(path, 'utf8'));
    // The login shell really does print it for an ssh command (Debian's bash reads ~/.bashrc).
    expect(execFileSync('ssh', [...sshClientArgs(host), 'true'], { encoding: 'utf8' })).toContain('Welcome to');
    const r = await runCli(init(), { env });
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toContain('[done] Extract Kafka');
    expect(await bashrc()).toContain('echo "Welcome to $(hostname)!"');
    const again = await runCli(init(), { env });
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toMatch(/nothing needed to change/);
    const v = await runCli(['verify', ...hostFlags(knownHosts), '--no-roundtrip'], { env });
    expect(v.code, v.all).toBe(0);
  });

  it('a tarball planted at the download path is never extracted or run: downloaded anew and verified', async () => {
    const { host } = e2e();
    const marker = `/tmp/ks-planted-${host.user}`;
    await runAsUser(
      host,
      [
        `rm -f ${marker}; d=$(mktemp -d) && mkdir -p $d/${INSTALL}/bin $d/${INSTALL}/config $d/${INSTALL}/libs`,
        `printf '#!/bin/sh\\ntouch ${marker}\\n' > $d/${INSTALL}/bin/kafka-server-start.sh && cp $d/${INSTALL}/bin/kafka-server-start.sh $d/${INSTALL}/bin/zookeeper-server-start.sh`,
        `chmod +x $d/${INSTALL}/bin/*.sh && : > $d/${INSTALL}/libs/${INSTALL}.jar && : > $d/${INSTALL}/config/server.properties && : > $d/${INSTALL}/config/zookeeper.properties`,
        `tar -czf ~/${INSTALL}.tgz -C $d ${INSTALL} && rm -rf $d`,
      ].join(' && '),
    );
    const r = await runCli(init(), { env });
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(/\[done\] Download Kafka — [0-9.]+ MiB from .*SHA-512 verified/);
    expect((await runAsUser(host, `test -e ${marker} && echo RAN || echo clean`)).stdout.trim()).toBe('clean');
    expect((await runAsUser(host, `grep -c touch ~/${INSTALL}/bin/kafka-server-start.sh || true`)).stdout.trim()).toBe('0');
  });

  it("two runs at once: the second says who holds the host and changes nothing; a killed run's lock does not block the next", async () => {
    const { host } = e2e();
    const first = startCli(init([], [e2e().mirror.slow]), { env });
    try {
      await first.waitFor(/Download Kafka|Install Java/);
      for (let i = 0; i < 100 && !(await runAsUser(host, `ls ~/${INSTALL}.tgz.part 2>/dev/null`)).stdout; i++) await sleep(100);
      const before = (await runAsUser(host, 'ls -A ~ | sort')).stdout;
      const second = await runCli(init(), { env });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(
        /error: another kafka-setup run is working on this host \(started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, \d+ s ago from 127\.0\.0\.1; lock held by pid \d+ on the host\); nothing was changed/,
      );
      expect(second.stderr).toMatch(/what to do: wait for that run to finish/);
      expect((await runAsUser(host, 'ls -A ~ | sort')).stdout).toBe(before);
    } finally {
      // kill -9: no clean-up of any kind on the client side.
      first.signal('SIGKILL');
      await first.result;
    }
    const third = await runCli(init(), { env });
    expect(third.code, third.all).toBe(0);
    expect(third.stdout).toContain('[done] Start the broker');
  });

  it('a kafka-setup block without its end marker: refused before any change, ~/.bashrc byte for byte as it was', async () => {
    const { host } = e2e();
    await runAsUser(
      host,
      `printf '\\n%s\\nexport KAFKA_HEAP_OPTS="-Xmx1g"\\nexport GITHUB_TOKEN=ghp_keepme\\nalias k=kubectl\\n' '${BLOCK_START}' >> ~/.bashrc`,
    );
    const before = await bashrc();
    const r = await runCli(init(), { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: Set the Kafka heap in ~\/\.bashrc: ~\/\.bashrc line \d+ starts a kafka-setup block that never ends/);
    expect(r.stderr).toMatch(/what to do: open ~\/\.bashrc on the host/);
    expect(await bashrc()).toBe(before);
    expect((await runAsUser(host, `ls -A ~`)).stdout).not.toContain(INSTALL);
  });

  it('--verbose and --debug never print file contents, in any encoding', async () => {
    const { host } = e2e();
    await runAsUser(host, `printf 'export GITHUB_TOKEN=ghp_s3cr3tT0k3nValue\\n' >> ~/.bashrc`);
    const content = await bashrc();
    const r = await runCli(init(['--verbose', '--debug']), { env });
    expect(r.code, r.all).toBe(0);
    expect(r.all).toMatch(/remote probe .*→ exit 0/);
    expect(r.all).not.toContain('ghp_s3cr3t');
    // Any run of 16 base64 characters of the file, at any of the three alignments.
    for (let shift = 0; shift < 3; shift++) {
      const b64 = Buffer.from(content.slice(shift)).toString('base64');
      for (let i = 0; i + 16 <= b64.length - 4; i += 16) expect(r.all).not.toContain(b64.slice(i, i + 16));
    }
  });

  it('mirrors: a captive portal and a mirror that never answers fall through within seconds; all bad, each one is listed', async () => {
    const { mirror } = e2e();
    await resetMirrorRequests();
    const started = Date.now();
    const r = await runCli(init([], [mirror.portal, mirror.stall, mirror.good]), { env });
    expect(r.code, r.all).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    const requests = await mirrorRequests();
    expect(requests.slice(0, 3)).toEqual([
      `GET /portal/kafka/3.1.0/${INSTALL}.tgz.sha512`,
      `GET /stall/kafka/3.1.0/${INSTALL}.tgz.sha512`,
      `GET /good/kafka/3.1.0/${INSTALL}.tgz.sha512`,
    ]);
    expect(r.stdout).toMatch(/\[done\] Download Kafka — .* from .*\/good\/kafka/);

    await resetHost(e2e().host);
    const bad = await runCli(init([], [mirror.portal, mirror.stall]), { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /portal\/kafka\/3\.1\.0\/kafka_2\.12-3\.1\.0\.tgz\.sha512 answered, but with \d+ bytes that are not a SHA-512 checksum file/,
    );
    expect(bad.stderr).toMatch(/stall\/kafka\/3\.1\.0\/kafka_2\.12-3\.1\.0\.tgz\.sha512 curl: \(28\)/);
  });

  it('a dry run that would fail exits non-zero and names the step', async () => {
    const { host } = e2e();
    await runAsUser(host, `mkdir -p ~/${INSTALL} && echo mine > ~/${INSTALL}/notes.txt`);
    const r = await runCli(init(['--dry-run']), { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\[plan\] Download Kafka — would fail: .* is not Kafka/);
    expect(r.stderr).toMatch(/error: dry run: init would fail at "Download Kafka"/);
    expect((await runAsUser(host, `cat ~/${INSTALL}/notes.txt`)).stdout).toBe('mine');
  });

  it('a host known by another key type: --yes is not consent; a known_hosts that is a directory is a clear error', async () => {
    const { host } = e2e();
    const dir = scratchDir('ks-kh-');
    const impostor = join(dir, 'impostor');
    execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-b', '384', '-N', '', '-f', impostor]);
    writeFileSync(knownHosts, `[127.0.0.1]:${host.sshPort} ${readFileSync(`${impostor}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    const before = readFileSync(knownHosts, 'utf8');
    const r = await runCli(init(), { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error: 127\.0\.0\.1:\d+ is known in .* by its ecdsa-sha2-nistp384 key, but now offers another: ssh-ed25519 SHA256:/,
    );
    expect(r.stderr).toMatch(/--yes does not accept|run again in a terminal and answer yes/);
    expect(readFileSync(knownHosts, 'utf8')).toBe(before);

    const asDir = join(dir, 'kh-dir');
    mkdirSync(asDir);
    const d = await runCli(['init', ...hostFlags(asDir), '--mirror', e2e().mirror.good, '--yes'], { env });
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/error: cannot use the known_hosts file .*kh-dir: it is a directory/);
    expect(d.stderr).toMatch(/what to do: pass --known-hosts with the path of a file/);
    expect(d.all).not.toMatch(/internal error|a bug/i);
  });
});
