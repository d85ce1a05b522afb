/** `kafka-setup init` in a real terminal: every missing value is asked, and so is the new host key. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { quote } from '../../src/remote/shell.js';
import { scratchDir } from '../support/scratch.js';
import { CLI_COMMAND } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { killPids } from './support/host.js';
import { resetHost } from './support/reset.js';
import { jvmList } from './support/snapshot.js';
import { Terminal } from './support/tmux.js';

describeE2e('kafka-setup init, answered at its prompts', () => {
  const term = new Terminal();
  afterAll(() => term.close());

  it('asks for host, user, key, advertised address, heap and the host key, then sets the host up', async () => {
    const { host, mirror, root } = e2e();
    const dir = scratchDir('ks-tty-');
    const knownHosts = join(dir, 'known_hosts');
    await term.start(
      `cd ${quote(root)} && XDG_CONFIG_HOME=${quote(dir)} NO_COLOR=1 ${CLI_COMMAND} init --port ${host.sshPort} --known-hosts ${quote(knownHosts)} --mirror ${quote(mirror.good)}`,
    );
    await term.waitFor(/Host \(public IP or DNS name of the server/);
    await term.type('127.0.0.1');
    await term.waitFor(/SSH user .*\(ec2-user\)/);
    await term.type(host.user);
    await term.waitFor(/Private key file \(\.pem\)/);
    await term.type(host.keyPath);
    await term.waitFor(/Address clients use to reach the broker .*\(127\.0\.0\.1\)/);
    await term.type(''); // the default: the host connected to
    await term.waitFor(/Broker heap .*\(auto\)/);
    await term.type('256m');
    const question = await term.waitFor(/Trust it and continue connecting\?/);
    expect(question).toMatch(/can't be established/);
    expect(host.hostKeyFingerprints.some((fp) => question.includes(fp))).toBe(true);
    await term.type('y');
    const done = await term.waitFor(/EXIT=\d+/, 240_000);
    expect(done, done).toContain('EXIT=0');
    expect(done).toMatch(/Kafka 3\.1\.0 is running on 127\.0\.0\.1/);
    expect(done).toMatch(/✔ Check with jps/);
    expect(execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${host.sshPort}`, '-f', knownHosts], { encoding: 'utf8' })).toMatch(
      / ssh-ed25519 /,
    );
    expect(JSON.parse(readFileSync(join(dir, 'kafka-setup', 'default.json'), 'utf8'))).toMatchObject({
      user: host.user,
      heap: '256m',
      advertisedHost: '127.0.0.1',
    });
    expect(await jvmList(host)).toMatch(/kafka\.Kafka/);
  });

  it('Ctrl-C at a prompt stops cleanly with exit 130, and says how to continue', async () => {
    const { root } = e2e();
    const dir = scratchDir('ks-tty-');
    const t = new Terminal();
    try {
      await t.start(`cd ${quote(root)} && XDG_CONFIG_HOME=${quote(dir)} NO_COLOR=1 ${CLI_COMMAND} init`);
      await t.waitFor(/Host \(public IP or DNS name of the server/);
      await t.key('C-c');
      const done = await t.waitFor(/EXIT=\d+/);
      expect(done).toContain('EXIT=130');
      expect(done).toContain('kafka-setup: interrupted');
    } finally {
      await t.close();
    }
  });

  it.each([
    ['with every value given (--yes): no prompt before', true],
    ['after a prompt (the host key), which took stdin and gave it back', false],
  ])('Ctrl-C typed while a spinner runs stops the run with exit 130, %s', async (_, yes) => {
    const { host, mirror, root } = e2e();
    await resetHost(host); // Kafka to download: a long spinner, from the slow mirror
    const dir = scratchDir('ks-tty-');
    const pidFile = join(dir, 'cli.pid');
    const t = new Terminal();
    try {
      // exec keeps the pid the shell wrote down: the CLI's own, for the clean-up below.
      await t.start(
        `cd ${quote(root)} && XDG_CONFIG_HOME=${quote(dir)} NO_COLOR=1 sh -c 'echo $$ >"$0"; exec "$@"' ${quote(pidFile)} ${CLI_COMMAND} init --host 127.0.0.1 --port ${host.sshPort} --user ${host.user} --key ${quote(host.keyPath)} --known-hosts ${quote(join(dir, 'known_hosts'))} --mirror ${quote(mirror.slow)} --heap 256m --advertised-host 127.0.0.1${yes ? ' --yes' : ''}`,
      );
      if (!yes) {
        await t.waitFor(/Trust it and continue connecting\?/);
        await t.type('y');
      }
      await t.waitFor(/Download Kafka/);
      await new Promise((r) => setTimeout(r, 1500));
      const before = await t.screen();
      expect(before, before).not.toMatch(/EXIT=/);
      await t.key('C-c');
      const done = await t.waitFor(/EXIT=\d+/, 60_000);
      expect(done, done).toContain('EXIT=130');
      expect(done).toContain('kafka-setup: interrupted');
      expect(done).toMatch(/what to do: run the same command again to continue/);
      expect(done).not.toMatch(/Kafka 3\.1\.0 is running/);
    } finally {
      // If the test failed with the CLI still running, stop it (by its pid) before the terminal goes.
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
      const ours = pid > 0 && existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dist/cli.js');
      if (ours) await killPids([pid], 5000);
      await t.close();
    }
  });
});
