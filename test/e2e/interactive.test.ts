/** `kafka-setup init` in a real terminal: every missing value is asked, and so is the new host key. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { quote } from '../../src/remote/shell.js';
import { scratchDir } from '../support/scratch.js';
import { describeE2e, e2e } from './support/context.js';
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
      `cd ${quote(root)} && XDG_CONFIG_HOME=${quote(dir)} NO_COLOR=1 node dist/cli.js init --port ${host.sshPort} --known-hosts ${quote(knownHosts)} --mirror ${quote(mirror.good)}`,
    );
    await term.waitFor(/Host \(public IP or DNS name of the server\)/);
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
    expect(execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${host.sshPort}`, '-f', knownHosts], { encoding: 'utf8' })).toMatch(/ ssh-ed25519 /);
    expect(JSON.parse(readFileSync(join(dir, 'kafka-setup', 'default.json'), 'utf8'))).toMatchObject({ user: host.user, heap: '256m', advertisedHost: '127.0.0.1' });
    expect(await jvmList(host)).toMatch(/kafka\.Kafka/);
  });

  it('Ctrl-C at a prompt stops cleanly with exit 130, and says how to continue', async () => {
    const { root } = e2e();
    const dir = scratchDir('ks-tty-');
    const t = new Terminal();
    try {
      await t.start(`cd ${quote(root)} && XDG_CONFIG_HOME=${quote(dir)} NO_COLOR=1 node dist/cli.js init`);
      await t.waitFor(/Host \(public IP or DNS name of the server\)/);
      await t.key('C-c');
      const done = await t.waitFor(/EXIT=\d+/);
      expect(done).toContain('EXIT=130');
      expect(done).toContain('kafka-setup: interrupted');
    } finally {
      await t.close();
    }
  });
});
