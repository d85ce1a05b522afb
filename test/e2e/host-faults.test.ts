/**
 * Faults on the host, and Ctrl-C: every one ends in a clear message and a non-zero exit, leaves the
 * host unchanged or in a state a re-run completes — and the re-run is proven to complete.
 */
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { CLI_COMMAND, hostFlags, runCli, startCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { freePort, killPids, runAsUser, userPids } from './support/host.js';
import { resetHost } from './support/reset.js';

const INSTALL = 'kafka_2.12-3.1.0';

describeE2e('faults on the host', () => {
  let env: Record<string, string>;
  let knownHosts: string;
  const init = (extra: string[] = [], mirror = e2e().mirror.good): string[] => [
    'init',
    ...hostFlags(knownHosts),
    '--mirror',
    mirror,
    '--heap',
    '256m',
    '--yes',
    ...extra,
  ];
  const home = async (): Promise<string[]> => (await runAsUser(e2e().host, 'ls -A ~')).stdout.split('\n').filter(Boolean).sort();
  const jvmPid = async (main: string): Promise<number | undefined> => {
    const m = new RegExp(`^(\\d+) ${main.replace(/\./g, '\\.')}$`, 'm').exec((await runAsUser(e2e().host, 'jps -l')).stdout);
    return m ? Number(m[1]) : undefined;
  };

  beforeAll(async () => {
    const dir = scratchDir('ks-faults-');
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
    knownHosts = join(dir, 'known_hosts');
    await resetHost(e2e().host);
  });

  it('every mirror without the release: a clear error, nothing created', async () => {
    const before = await home();
    const r = await runCli(init([], e2e().mirror.missing), { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: Download Kafka: no mirror has kafka_2.12-3.1.0.tgz.sha512, so the download cannot be verified');
    expect(r.stderr).toMatch(/\/missing\/kafka\/3\.1\.0\/kafka_2\.12-3\.1\.0\.tgz\.sha512 curl: \(22\) .*404/);
    expect(r.stderr).toMatch(/what to do: check --kafka-version and --scala-version/);
    expect(await home()).toEqual(before);
  });

  it('Ctrl-C during the download: exit 130, no partial file left, nothing left running; the next run completes', async () => {
    const { host } = e2e();
    const run = startCli(init([], e2e().mirror.slow), { env });
    // Wait until the download is under way on the host.
    for (let i = 0; i < 300 && !(await home()).some((f) => f.endsWith('.tgz.part')); i++) await sleep(100);
    expect(await home()).toContain(`${INSTALL}.tgz.part`);
    run.signal('SIGINT');
    const r = await run.result;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('kafka-setup: interrupted');
    // The remote side noticed the closed channel and stopped the download.
    await sleep(2000);
    expect((await home()).filter((f) => f.startsWith('kafka_'))).toEqual([]);
    expect((await runAsUser(host, 'ps -u "$(id -u)" -o comm=')).stdout).not.toMatch(/curl|wget/);

    const again = await runCli(init(), { env });
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toContain('[done] Download Kafka');
  });

  it('Ctrl-C while the broker starts: exit 130; the next run completes', async () => {
    const broker = await jvmPid('kafka.Kafka');
    await killPids([broker!]);
    const run = startCli(init(), { env });
    await run.waitFor(/\[(skip|done)\] Start ZooKeeper/);
    run.signal('SIGINT');
    const r = await run.result;
    expect(r.code).toBe(130);
    const again = await runCli(init(), { env });
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toMatch(/\[(done|skip)\] Start the broker/);
    expect(await jvmPid('kafka.Kafka')).toBeDefined();
  });

  // 9093: the broker's internal listener, on the host's loopback.
  it.each([
    [9092, '0.0.0.0'],
    [9093, '127.0.0.1'],
  ])('port %i held by another program: names it and its pid; the run after it is freed completes', async (port, address) => {
    const { host } = e2e();
    await killPids([(await jvmPid('kafka.Kafka'))!]);
    const before = new Set(await userPids(host));
    void runAsUser(
      host,
      `exec python3 -c "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('${address}', ${port})); s.listen(); time.sleep(600)"`,
    );
    let squatter: number | undefined;
    for (let i = 0; i < 50 && squatter === undefined; i++) {
      await sleep(100);
      squatter = (await userPids(host)).find((p) => !before.has(p));
    }
    await sleep(500);
    const r = await runCli(init(), { env });
    await killPids([squatter!]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `error: Start the broker: port ${port}${port === 9093 ? " \\(the broker's internal listener, on the host's loopback\\)" : ''} is already in use by pid ${squatter} python3`,
      ),
    );
    expect(r.stderr).toMatch(/what to do: stop that program/);
    const again = await runCli(init(), { env });
    expect(again.code, again.all).toBe(0);
  });

  it('a broker that dies right after start: the last lines of its log; fixed by hand, the next run completes', async () => {
    const { host } = e2e();
    const props = `~/${INSTALL}/config/server.properties`;
    await runAsUser(host, `sed -i 's/^num.network.threads=3$/num.network.threads=three/' ${props}`);
    const r = await runCli(init(), { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: Start the broker: the broker JVM exited during start-up/);
    expect(r.stderr).toMatch(/last lines of .*logs\/kafkaServer\.out:/);
    expect(r.stderr).toMatch(/num\.network\.threads/);
    await runAsUser(host, `sed -i 's/^num.network.threads=three$/num.network.threads=3/' ${props}`);
    const again = await runCli(init(), { env });
    expect(again.code, again.all).toBe(0);
  });

  it('server.properties edited by hand: their lines kept, only ours changed back', async () => {
    const { host } = e2e();
    const props = `~/${INSTALL}/config/server.properties`;
    await runAsUser(
      host,
      `sed -i 's/^num.partitions=1$/num.partitions=3/; s|^advertised.listeners=.*|advertised.listeners=PLAINTEXT://wrong.example:9092|' ${props} && printf '# tuned by hand\\nmessage.max.bytes=2000000\\n' >> ${props}`,
    );
    const r = await runCli(init(), { env });
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(/\[done\] Configure the broker and ZooKeeper/);
    const now = (await runAsUser(host, `cat ${props}`)).stdout;
    expect(now).toContain('num.partitions=3\n');
    expect(now).toContain('# tuned by hand\nmessage.max.bytes=2000000');
    expect(now).toContain('advertised.listeners=PLAINTEXT://127.0.0.1:9092');
    expect(now).not.toContain('wrong.example');
  });

  it('an install directory holding something else: never overwritten', async () => {
    const { host } = e2e();
    await runAsUser(host, 'mkdir -p ~/kafka-notes && echo mine > ~/kafka-notes/README');
    const r = await runCli([...init(['--install-dir', '~/kafka-notes', '--profile', 'notes'])], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error: Download Kafka: \/home\/kse2e\w+\/kafka-notes already exists and is not Kafka 3\.1\.0; kafka-setup does not overwrite it/,
    );
    expect(r.stderr).toMatch(/what to do: move it away, or choose another directory with --install-dir/);
    expect((await runAsUser(host, 'ls -A ~/kafka-notes && cat ~/kafka-notes/README')).stdout).toBe('README\nmine');
    await runAsUser(host, 'rm -rf ~/kafka-notes');
  });

  it('sudo that wants a password: detected on the host, and hosts says what to do without a terminal', async () => {
    const { host } = e2e();
    const sudoers = `/etc/sudoers.d/kafka-setup-e2e-${host.user}`;
    renameSync(sudoers, `${sudoers}.off`);
    try {
      const r = await runCli(init(['--dry-run']), { env });
      expect(r.code, r.all).toBe(0);
      expect(r.stdout).toMatch(/\[done\] Inspect the host — .*, sudo needs a password/);
      const dir = scratchDir('ks-sudo-');
      const file = join(dir, 'hosts');
      await runAsUser(host, 'true');
      const { writeFileSync, readFileSync, chmodSync } = await import('node:fs');
      chmodSync(dir, 0o755);
      writeFileSync(file, '127.0.0.1 localhost\n', { mode: 0o644 });
      const h = await runAsUser(host, `${CLI_COMMAND} hosts --alias my-kafka --ip 203.0.113.10 --hosts-file ${file}`);
      expect(h.code).toBe(1);
      expect(h.stderr).toMatch(/is not writable by this user, and sudo needs a password, which cannot be asked without a terminal/);
      expect(h.stderr).toMatch(/what to do: run the same command in a terminal/);
      expect(readFileSync(file, 'utf8')).toBe('127.0.0.1 localhost\n');
    } finally {
      renameSync(`${sudoers}.off`, sudoers);
    }
  });
});

describeE2e('a connection lost in the middle of a step', () => {
  it('is noticed by the keepalive, named with its step, and the next run completes', async () => {
    const { host, root } = e2e();
    const dir = scratchDir('ks-drop-');
    const env = { XDG_CONFIG_HOME: join(dir, 'config') };
    const knownHosts = join(dir, 'known_hosts');
    // Something for the run to do: stop the broker.
    const m = /^(\d+) kafka\.Kafka$/m.exec((await runAsUser(host, 'jps -l')).stdout);
    if (m) await killPids([Number(m[1])]);
    // The connection goes through a proxy that the test freezes: no FIN, no RST, just silence.
    const port = await freePort();
    const { spawn } = await import('node:child_process');
    const proxy = spawn('python3', [join(root, 'bench/latency-proxy.py'), String(port), String(host.sshPort), '0'], { stdio: 'ignore' });
    try {
      await sleep(500);
      const flags = hostFlags(knownHosts);
      flags[flags.indexOf('--port') + 1] = String(port);
      const run = startCli(['init', ...flags, '--mirror', e2e().mirror.good, '--heap', '256m', '--yes'], { env });
      await run.waitFor(/\[(skip|done)\] Start ZooKeeper/);
      process.kill(proxy.pid!, 'SIGSTOP');
      const r = await run.result;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error: Start the broker: lost the SSH connection to 127\.0\.0\.1: Keepalive timeout/);
      expect(r.stderr).toMatch(/running kafka-setup again continues where it stopped/);
    } finally {
      process.kill(proxy.pid!, 'SIGKILL');
    }
    const again = await runCli(['init', ...hostFlags(knownHosts), '--mirror', e2e().mirror.good, '--heap', '256m', '--yes'], { env });
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toMatch(/\[(done|skip)\] Start the broker/);
  });
});
