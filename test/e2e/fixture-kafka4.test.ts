/**
 * The Kafka 4.x test distributions, proven for real: each tarball the mirror serves extracts, formats
 * its storage, starts a KRaft broker+controller that answers the tools and kcat, and stops by pid.
 * Brokers run one after another on ephemeral ports (other suites use 9092/9093/2181). Also the
 * mirror's 4.x files and its Apache-style listings.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { describeE2e, e2e } from './support/context.js';
import { KAFKA4_VERSIONS } from './support/dist.js';
import { alive, freePort, killPids } from './support/host.js';

const tgz = (version: string): string => `kafka_2.13-${version}.tgz`;

/** Reads Apache's .sha512 as its users are told to: drop up to the first ':', all whitespace, lower-case. */
const parseSha512 = (text: string): string =>
  text
    .slice(text.indexOf(':') + 1)
    .replace(/\s+/g, '')
    .toLowerCase();

/** The environment of a shell with none of Kafka's variables: the scripts' own defaults apply. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(KAFKA_|JMX_PORT$|LOG_DIR$|CLASSPATH$|EXTRA_ARGS$)/.test(k)) env[k] = v;
  }
  return env;
}

async function run(file: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await execa(file, args, {
    reject: false,
    extendEnv: false,
    env: cleanEnv(),
    timeout: 120_000,
    ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Sets each key of a .properties text, failing if the stock file lacks it (the test would prove nothing). */
function setProperties(text: string, values: Record<string, string>): string {
  let out = text;
  for (const [key, value] of Object.entries(values)) {
    const line = new RegExp(`^${key.replace(/\./g, '\\.')}=.*$`, 'm');
    if (!line.test(out)) throw new Error(`the stock server.properties has no ${key}=`);
    out = out.replace(line, `${key}=${value}`);
  }
  return out;
}

/** Resolves when the broker prints its ready line; rejects if it exits first or takes longer than ms. */
function waitForReady(broker: ChildProcess, output: { text: string }, ms: number): Promise<void> {
  const ready = /\[KafkaRaftServer nodeId=1\] Kafka Server started/;
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      clearTimeout(timer);
      broker.stdout?.off('data', check);
      broker.off('exit', exited);
      if (err) reject(err);
      else resolve();
    };
    const check = (): void => {
      if (ready.test(output.text)) done();
    };
    const exited = (code: number | null, sig: string | null): void =>
      done(new Error(`the broker exited (${code ?? sig}) before it was ready:\n${output.text.slice(-3000)}`));
    const timer = setTimeout(() => done(new Error(`no ready line after ${ms} ms:\n${output.text.slice(-3000)}`)), ms);
    broker.stdout?.on('data', check);
    broker.once('exit', exited);
    check();
  });
}

describeE2e('Kafka 4.x test distributions', () => {
  it('are the versions the context and the good mirror name', () => {
    expect(e2e().kafka4Versions).toEqual([...KAFKA4_VERSIONS]);
  });

  for (const version of KAFKA4_VERSIONS) {
    it(`${version}: extracts, formats once, runs a KRaft broker the tools and kcat talk to, stops by pid`, async () => {
      const { dist4Dir } = e2e();
      const dir = await mkdtemp(join(tmpdir(), `kafka4-fixture-${version}-`));
      let broker: ChildProcess | undefined;
      try {
        await execa('tar', ['-xzf', join(dist4Dir, tgz(version)), '-C', dir]);
        expect(await readdir(dir)).toEqual([`kafka_2.13-${version}`]);
        const home = join(dir, `kafka_2.13-${version}`);
        const bin = (name: string): string => join(home, 'bin', name);

        const uuid = await run(bin('kafka-storage.sh'), ['random-uuid']);
        expect(uuid.code, uuid.stderr).toBe(0);
        const id = uuid.stdout.trim();
        // A cluster id is 16 random bytes in URL-safe base64 without padding.
        expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
        expect(Buffer.from(id, 'base64url')).toHaveLength(16);

        const [port, controllerPort] = [await freePort(), await freePort()];
        const data = join(dir, 'data');
        const config = join(dir, 'server.properties');
        const stock = await readFile(join(home, 'config/server.properties'), 'latin1');
        // 4.2 raised this default in the stock files; build.sh reproduces that.
        expect(stock).toMatch(
          Number(version.split('.')[1]) >= 2
            ? /^num\.recovery\.threads\.per\.data\.dir=2$/m
            : /^num\.recovery\.threads\.per\.data\.dir=1$/m,
        );
        await writeFile(
          config,
          setProperties(stock, {
            'log.dirs': data,
            listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
            'advertised.listeners': `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
            'controller.quorum.bootstrap.servers': `127.0.0.1:${controllerPort}`,
          }),
          'latin1',
        );

        const unformatted = await run(bin('kafka-storage.sh'), ['info', '-c', config]);
        expect(unformatted.code).toBe(1);
        expect(unformatted.stdout).toContain(`Found problem:\n  ${data} does not exist`);

        const format = await run(bin('kafka-storage.sh'), ['format', '-t', id, '-c', config, '--standalone']);
        expect(format.code, format.stderr).toBe(0);
        expect(format.stdout).toMatch(
          new RegExp(
            `^Formatting dynamic metadata voter directory ${data} with metadata\\.version ${version.replace(/\.\d+$/, '')}-IV\\d+\\.$`,
            'm',
          ),
        );
        const info = await run(bin('kafka-storage.sh'), ['info', '-c', config]);
        expect(info.code, info.stderr).toBe(0);
        expect(info.stdout).toContain(`Found metadata: {cluster.id=${id}, directory.id=`);

        const again = await run(bin('kafka-storage.sh'), ['format', '-t', id, '-c', config, '--standalone']);
        expect([again.code, again.stdout]).toEqual([1, '']);
        expect(again.stderr).toBe(
          `Log directory ${data} is already formatted. Use --ignore-formatted to ignore this directory and format the others.`,
        );
        const ignored = await run(bin('kafka-storage.sh'), ['format', '-t', id, '-c', config, '--standalone', '--ignore-formatted']);
        expect([ignored.code, ignored.stdout]).toEqual([0, 'All of the log directories are already formatted.']);
        // Another cluster's id is refused even with --ignore-formatted, with a stack trace.
        const other = (await run(bin('kafka-storage.sh'), ['random-uuid'])).stdout.trim();
        const foreign = await run(bin('kafka-storage.sh'), ['format', '-t', other, '-c', config, '--standalone', '--ignore-formatted']);
        expect(foreign.code).toBe(1);
        expect(foreign.stderr).toContain(
          `Exception in thread "main" java.lang.RuntimeException: Invalid cluster.id in: ${data}/meta.properties. Expected ${other}, but read ${id}`,
        );

        // Not -daemon: spawned, so this test holds the JVM's pid (the scripts exec java).
        broker = spawn(bin('kafka-server-start.sh'), [config], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
        const output = { text: '' };
        broker.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
          output.text += chunk;
        });
        broker.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
          output.text += chunk;
        });
        await waitForReady(broker, output, 90_000);
        const pid = broker.pid!;
        const args = (await execa('ps', ['-ww', '-o', 'args=', '-p', String(pid)])).stdout;
        expect(args).toMatch(/^\S*java -Xmx1G -Xms1G /);
        expect(args).toContain(` -Dlog4j2.configurationFile=${home}/bin/../config/log4j2.yaml `);
        expect(args).toContain(` kafka.Kafka ${config}`);
        expect((await execa('jps')).stdout.split('\n')).toContain(`${pid} Kafka`);
        // log4j2.yaml was read (Jackson's YAML module is on the classpath): its file appender wrote.
        expect(await readFile(join(home, 'logs/server.log'), 'utf8')).toContain('Kafka Server started');

        const bootstrap = `127.0.0.1:${port}`;
        const quorum = await run(bin('kafka-metadata-quorum.sh'), ['--bootstrap-server', bootstrap, 'describe', '--status']);
        expect(quorum.code, quorum.stderr).toBe(0);
        expect(quorum.stdout).toMatch(new RegExp(`^ClusterId:\\s+${id}$`, 'm'));
        expect(quorum.stdout).toMatch(/^LeaderId:\s+1$/m);
        expect(quorum.stdout).toContain(`"endpoints": ["CONTROLLER://127.0.0.1:${controllerPort}"]`);

        const created = await run(bin('kafka-topics.sh'), [
          '--bootstrap-server',
          bootstrap,
          '--create',
          '--topic',
          'fixture',
          '--partitions',
          '1',
          '--replication-factor',
          '1',
        ]);
        expect([created.code, created.stdout], created.stderr).toEqual([0, 'Created topic fixture.']);
        const described = await run(bin('kafka-topics.sh'), ['--bootstrap-server', bootstrap, '--describe', '--topic', 'fixture']);
        expect(described.code, described.stderr).toBe(0);
        expect(described.stdout).toMatch(/^\tTopic: fixture\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1/m);

        const produced = await run('kcat', ['-P', '-b', bootstrap, '-t', 'fixture'], `hello from ${version}\n`);
        expect(produced.code, produced.stderr).toBe(0);
        const consumed = await run('kcat', ['-C', '-b', bootstrap, '-t', 'fixture', '-o', 'beginning', '-c', '1', '-e', '-q']);
        expect([consumed.code, consumed.stdout], consumed.stderr).toEqual([0, `hello from ${version}`]);

        const exited = once(broker, 'exit');
        await killPids([pid], 30_000);
        await exited;
        expect(alive(pid)).toBe(false);
        // SIGTERM is a clean shutdown: the JVM ends as signalled (128 + 15), having said so in its log.
        expect(broker.exitCode ?? broker.signalCode).toBe(143);
        expect(output.text).toContain('[BrokerServer id=1] shut down completed');
      } finally {
        if (broker?.pid && alive(broker.pid)) await killPids([broker.pid], 30_000);
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it('serves each 4.x tarball with its Apache-style .sha512, with byte ranges', async () => {
    const { mirror, dist4Dir, kafka4Versions } = e2e();
    for (const version of kafka4Versions) {
      const published = await (await fetch(`${mirror.good}/${version}/${tgz(version)}.sha512`)).text();
      expect(published).toBe(await readFile(join(dist4Dir, `${tgz(version)}.sha512`), 'utf8'));
      expect(published).toMatch(new RegExp(`^${tgz(version).replace(/\./g, '\\.')}: [0-9A-F]{8}( [0-9A-F]{8}){5}\\n {22}[0-9A-F]{8}`));
      const res = await fetch(`${mirror.good}/${version}/${tgz(version)}`);
      expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/x-gzip']);
      const body = Buffer.from(await res.arrayBuffer());
      expect(createHash('sha512').update(body).digest('hex')).toBe(parseSha512(published));
      const part = await fetch(`${mirror.good}/${version}/${tgz(version)}`, { headers: { Range: 'bytes=100-199' } });
      expect([part.status, part.headers.get('content-range')]).toEqual([206, `bytes 100-199/${body.length}`]);
      expect(Buffer.from(await part.arrayBuffer())).toEqual(body.subarray(100, 200));
    }
    // Tarballs are served under their own version only; 4.x exists only as a Scala 2.13 build.
    expect((await fetch(`${mirror.good}/4.4.0/${tgz('4.1.1')}`)).status).toBe(404);
    expect((await fetch(`${mirror.good}/4.1.1/kafka_2.12-4.1.1.tgz`)).status).toBe(404);
  });

  it('lists the versions it serves at /good/kafka/ like Apache\'s "Index of /kafka", and redirects /good/kafka there', async () => {
    const { mirror, kafka4Versions } = e2e();
    const res = await fetch(`${mirror.good}/`);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'text/html;charset=UTF-8']);
    const html = await res.text();
    expect(html).toContain('<title>Index of /kafka</title>');
    const hrefs = [...html.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2]]);
    const versions = hrefs.map(([href]) => /^(\d+\.\d+\.\d+)\/$/.exec(href ?? '')?.[1]).filter(Boolean);
    expect(versions).toEqual(['3.1.0', ...kafka4Versions]);
    expect(hrefs).toContainEqual(['4.1.1/', '4.1.1/']);
    expect(hrefs).toContainEqual(['KEYS', 'KEYS']);
    expect(hrefs).toContainEqual(['/', 'Parent Directory']);
    expect((await fetch(`${mirror.good}/KEYS`)).status).toBe(200);

    const bare = await fetch(mirror.good, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, `${mirror.good}/`]);
    expect(await (await fetch(mirror.good)).text()).toBe(html);
  });

  it('serves a hostile listing at /hostile/kafka/, and nothing else there', async () => {
    const { mirror } = e2e();
    const html = await (await fetch(`${mirror.hostile}/`)).text();
    expect(html).toContain('<title>Index of /kafka</title>');
    for (const trap of [
      'href="4.9.9-rc1/"',
      'href="../"',
      'href="../../etc/"',
      'href="99999999999999999999.0.0/"',
      '<script>',
      'href="https://attacker.invalid/kafka/5.0.0/"',
      'href="\uff14.\uff15.\uff10/"',
      'href="4.\u0665.0/"',
      '<a href="3.1.0/">4.8.0/</a>',
    ]) {
      expect(html).toContain(trap);
    }
    // The only well-formed release directories in it: what a defensive parser may take.
    const releases = [...html.matchAll(/^<img [^>]*> <a href="(\d+\.\d+\.\d+)\/">\1\/<\/a>/gm)].map((m) => m[1]);
    expect(releases).toEqual(['3.1.0', '4.1.1']);
    expect((await fetch(`${mirror.hostile}/4.1.1/${tgz('4.1.1')}`)).status).toBe(404);
  });
});
