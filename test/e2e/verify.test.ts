/**
 * `kafka-setup verify` end to end: healthy, with the broker stopped, and with advertised.listeners
 * pointing at a name that does not resolve — against the real host and broker.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, expect, it } from 'vitest';
import { hostFlags, runCli } from './support/cli.js';
import { describeE2e, e2e } from './support/context.js';
import { killPids, runAsUser } from './support/host.js';
import { type InitializedHost, initializedHost } from './support/setup.js';

async function brokerPid(): Promise<number> {
  const r = await runAsUser(e2e().host, 'jps -l');
  return Number(/^(\d+) kafka\.Kafka$/m.exec(r.stdout)?.[1]);
}

async function topics(): Promise<string> {
  return (await execa('kcat', ['-b', '127.0.0.1:9092', '-L', '-m', '15'])).stdout;
}

describeE2e('kafka-setup verify', () => {
  let h: InitializedHost;
  beforeAll(async () => {
    h = await initializedHost();
  });

  it('passes on a healthy host, prints ApiVersions like kafka-broker-api-versions.sh, and cleans up its topic', async () => {
    const r = await runCli(['verify'], { env: h.env });
    expect(r.code, r.all).toBe(0);
    for (const line of [
      '[pass] ZooKeeper and the broker are running',
      '[pass] Broker registered in ZooKeeper — /brokers/ids = [0]',
      '[pass] Port 9092 reachable from here',
      '[warn] ZooKeeper port 2181 not exposed',
      '[pass] ApiVersions',
      '[pass] Metadata — 1 broker: 0 at 127.0.0.1:9092 (controller)',
      '[pass] Advertised addresses reachable — 127.0.0.1:9092',
      '[pass] Produce/consume round trip',
      '127.0.0.1:9092 (id: 0 rack: null) -> (',
      '\tProduce(0): 0 to 9 [usable: ',
      '\tApiVersions(18): 0 to 3',
      'verify: all',
    ])
      expect(r.stdout).toContain(line);
    expect(await topics()).not.toContain('kafka-setup-verify-');
  });

  it('--json prints the same facts, and only JSON', async () => {
    const r = await runCli(['verify', '--json', '--no-roundtrip'], { env: h.env });
    expect(r.code, r.all).toBe(0);
    const json = JSON.parse(r.stdout) as {
      ok: boolean;
      checks: Array<{ id: string; status: string }>;
      brokers: Array<{ host: string; port: number }>;
      apiVersions: unknown[];
    };
    expect(json.ok).toBe(true);
    expect(json.checks.map((c) => c.id)).toEqual([
      'jvms',
      'registered',
      'logs',
      'reach',
      'zookeeper-exposed',
      'api-versions',
      'metadata',
      'advertised',
      'roundtrip',
    ]);
    expect(json.checks.find((c) => c.id === 'roundtrip')!.status).toBe('skip');
    expect(json.brokers).toEqual([expect.objectContaining({ nodeId: 0, host: '127.0.0.1', port: 9092 })]);
    expect(json.apiVersions.length).toBeGreaterThan(40);
  });

  it('shows a log line with terminal escapes (OSC 52 writes the clipboard) escaped, never raw', async () => {
    const log = '~/kafka_2.12-3.1.0/logs/server.log';
    const evil =
      '[2024-01-01 00:00:00,000] ERROR planted \\033]52;c;ZWNobyBwd25lZA==\\007 and \\302\\233 C1 CSI (kafka.server.KafkaServer)';
    const add = await runAsUser(e2e().host, `cp ${log} ${log}.ks-test && printf '%b\\n' ${JSON.stringify(evil)} >> ${log}`);
    expect(add.code, add.stderr).toBe(0);
    try {
      const r = await runCli(['verify', '--no-roundtrip'], { env: h.env });
      expect(r.code, r.all).toBe(0);
      expect(r.stdout).toMatch(/\[warn\] Recent ERROR\/FATAL log lines/);
      expect(r.stdout).toContain('ERROR planted \\x1b]52;c;ZWNobyBwd25lZA==\\x07 and \\x9b C1 CSI');
      expect(r.all).not.toMatch(/[\u001b\u0007\u009b]/);
      const j = await runCli(['verify', '--json', '--no-roundtrip'], { env: h.env });
      expect(j.all).not.toMatch(/[\u001b\u0007\u009b]/);
      const logs = (JSON.parse(j.stdout) as { checks: Array<{ id: string; detail: string }> }).checks.find((c) => c.id === 'logs')!;
      expect(logs.detail).toContain('ERROR planted \u001b]52;c;ZWNobyBwd25lZA==\u0007 and \u009b C1 CSI');
    } finally {
      await runAsUser(e2e().host, `mv ${log}.ks-test ${log}`);
    }
  });

  it.each(['24', '22'])('--json on Node %s: stdout is only JSON and stderr is empty (no TimeoutNegativeWarning)', async (major) => {
    // The binary itself (npx caches it), so that npm's own notices do not mix into stderr.
    const node = (
      await execa('npx', ['-y', `node@${major}`, '-p', 'process.execPath'], { stdin: 'ignore', timeout: 240_000 })
    ).stdout.trim();
    expect((await execa(node, ['--version'])).stdout).toMatch(new RegExp(`^v${major}\\.`));
    const r = await execa(node, [join(e2e().root, 'dist/cli.js'), 'verify', '--json'], {
      reject: false,
      stdin: 'ignore',
      env: { ...h.env, NO_COLOR: '1' },
      timeout: 240_000,
    });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout) as { ok: boolean; checks: Array<{ id: string; status: string }> };
    expect(json.ok).toBe(true);
    expect(json.checks.find((c) => c.id === 'roundtrip')!.status).toBe('pass');
  });

  it('--bootstrap without --host checks from this machine only, even with a saved profile', async () => {
    const r = await runCli(['verify', '--bootstrap', '127.0.0.1:9092', '--no-roundtrip'], { env: h.env });
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toContain('(from this machine only)');
    expect(r.stdout).not.toContain('Connect to');
  });

  it('checks from this machine alone with --bootstrap', async () => {
    const r = await runCli(['verify', '--bootstrap', '127.0.0.1:9092', '--no-roundtrip'], { env: { XDG_CONFIG_HOME: '/nonexistent' } });
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toContain('(from this machine only)');
    expect(r.stdout).not.toContain('Connect to');
  });

  it('with the broker stopped: exits non-zero and names the broker', async () => {
    await killPids([await brokerPid()]);
    const r = await runCli(['verify'], { env: h.env });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[FAIL] ZooKeeper and the broker are running — the broker (Kafka) is not running');
    expect(r.stdout).toMatch(/\[FAIL\] Port 9092 reachable from here — 127\.0\.0\.1:9092: connection refused/);
    expect(r.stdout).toMatch(/✖ ZooKeeper and the broker are running: run kafka-setup init/);
    // Ends like every failure: error: and what to do:, on stderr.
    expect(r.stderr).toMatch(
      /^error: \d+ of \d+ verify checks failed: ZooKeeper and the broker are running, .*\nwhat to do: apply the fix listed under ✖ above, then run kafka-setup verify again$/m,
    );
    const json = await runCli(['verify', '--json', '--no-roundtrip'], { env: h.env });
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { ok: boolean }).ok).toBe(false);
    expect(json.stderr).toMatch(/^error: \d+ of \d+ verify checks failed: .*\nwhat to do: start with the first: run kafka-setup init/m);
    // init brings it back, and verify agrees.
    const again = await runCli(['init'], { env: h.env });
    expect(again.stdout).toMatch(/\[done\] Start the broker — started/);
    expect((await runCli(['verify', '--no-roundtrip'], { env: h.env })).code).toBe(0);
  });

  it('with advertised.listeners set to a name that does not resolve: pinpoints advertised.listeners', async () => {
    const bad = await runCli(
      ['init', ...hostFlags(h.knownHosts), '--profile', 'invalid', '--advertised-host', 'broker.invalid', '--heap', '256m'],
      { env: h.env },
    );
    expect(bad.code, bad.all).toBe(0);
    expect(bad.stdout).toMatch(/\[done\] Start the broker — restarted \(server\.properties changed after it started\)/);
    // init itself already warns that clients here cannot use that address.
    expect(bad.stdout).toMatch(
      /warning: "broker\.invalid" does not resolve .* from this machine: clients here will reach the bootstrap address but not the broker/,
    );
    const r = await runCli(['verify', '--profile', 'invalid'], { env: h.env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\[FAIL\] Advertised addresses reachable — .*broker\.invalid:9092: "broker\.invalid" does not resolve/);
    expect(r.stdout).toContain(
      'the broker advertises broker.invalid, not the address you reach it at (127.0.0.1), so clients are sent where they cannot connect',
    );
    expect(r.stdout).toContain('otherwise set an address clients can reach, e.g. kafka-setup init --advertised-host 127.0.0.1');
    // The default profile puts it back.
    const fixed = await runCli(['init'], { env: h.env });
    expect(fixed.code, fixed.all).toBe(0);
    expect((await runCli(['verify', '--no-roundtrip'], { env: h.env })).code).toBe(0);
  });
});
