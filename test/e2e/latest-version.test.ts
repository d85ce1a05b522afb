/**
 * `init --kafka-version latest` end to end: the built CLI reads the local mirror's listings from this
 * machine, then plans (dry run) on the real host the version it found.
 */
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';
import { hostFlags, runCli } from './support/cli.js';
import { describeE2e, e2e, mirrorRequests, resetMirrorRequests } from './support/context.js';
import { resetHost } from './support/reset.js';

describeE2e('kafka-setup init --kafka-version latest', () => {
  let dir: string;
  const run = (name: string, mirrors: string[], more: string[] = []): ReturnType<typeof runCli> =>
    runCli(
      [
        'init',
        ...hostFlags(join(dir, 'known_hosts')),
        '--kafka-version',
        'latest',
        ...mirrors.flatMap((m) => ['--mirror', m]),
        '--yes',
        ...more,
      ],
      {
        env: { XDG_CONFIG_HOME: join(dir, name) },
      },
    );

  beforeAll(async () => {
    dir = scratchDir('ks-latest-');
    // A fresh host, whatever ran before: the plan is a fresh install's.
    await resetHost(e2e().host);
  });

  it('falls through a 404 mirror, takes the newest release the next one lists, and plans it', async () => {
    const { mirror } = e2e();
    await resetMirrorRequests();
    const r = await run('good', [mirror.missing, mirror.good], ['--dry-run']);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toContain(`--kafka-version latest: 4.4.0, the newest release ${mirror.good}/ lists`);
    expect(r.stdout).toMatch(/kafka-setup init: kafka_2\.13-4\.4\.0 on /);
    expect(r.stdout).toMatch(/\[plan\] Download Kafka.*kafka_2\.13-4\.4\.0\.tgz/);
    const [missing, good] = [mirror.missing, mirror.good].map((m) => new URL(m).pathname);
    expect((await mirrorRequests()).slice(0, 2)).toEqual([`GET ${missing}/`, `GET ${good}/`]);
  });

  it('reads a hostile listing defensively: 4.1.1, its only genuine newest release', async () => {
    const { mirror } = e2e();
    const r = await run('hostile', [mirror.hostile, mirror.good], ['--dry-run']);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toContain(`--kafka-version latest: 4.1.1, the newest release ${mirror.hostile}/ lists`);
    expect(r.stdout).toMatch(/kafka-setup init: kafka_2\.13-4\.1\.1 on /);
  });

  it('with no mirror listing a release: a clear error, exit 1, nothing asked of the host', async () => {
    const { mirror } = e2e();
    const r = await run('bad', [mirror.missing, mirror.portal, mirror.stall]);
    expect(r.code, r.all).toBe(1);
    expect(r.stderr).toMatch(/error: --kafka-version latest: no mirror answered with a list of Kafka releases/);
    expect(r.stderr).toContain(`${mirror.missing}/: HTTP 404`);
    expect(r.stderr).toContain(`${mirror.portal}/: answered, but lists no release directories`);
    expect(r.stderr).toContain(`${mirror.stall}/: no answer within 10 s`);
    expect(r.stderr).toMatch(/what to do: name the version instead \(e\.g\. --kafka-version \d+\.\d+\.\d+\), or check --mirror/);
    expect(r.stdout).not.toMatch(/Connect to/);
  });

  it('refuses --sha512 beside latest: exit 2, no mirror asked', async () => {
    const { mirror } = e2e();
    await resetMirrorRequests();
    const r = await run('sha', [mirror.good], ['--sha512', 'a'.repeat(128)]);
    expect(r.code, r.all).toBe(2);
    expect(r.stderr).toMatch(/error: --sha512 cannot go with --kafka-version latest/);
    expect(await mirrorRequests()).toEqual([]);
  });
});
