/**
 * One systemd host for a describe block, as the files of the parallel project use it: started in
 * beforeAll with the e2e mirror relayed to it, stopped in afterAll, and the CLI's own scratch
 * configuration and known_hosts. The values are read through the returned object once beforeAll ran.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { scratchDir } from '../../support/scratch.js';
import { type CliResult, runCli } from './cli.js';
import { e2eMirror } from './context.js';
import { nspawnMirror, run, type SystemdHost } from './nspawn-host.js';

export interface SystemdTarget {
  /** The host; throws when it did not start. */
  the(): SystemdHost;
  /** The mirror's URL as the host reaches it (a relay on the bridge). */
  readonly mirror: string;
  /** The CLI's environment: a scratch XDG_CONFIG_HOME, so no profile of this machine's is read. */
  readonly env: Record<string, string>;
  readonly knownHosts: string;
  /** The CLI with the target's environment, its wall time told (as "kafka-setup LABEL in N s"). */
  cli(args: string[], label?: string): Promise<CliResult>;
  /** A command as root on the host; its output, trimmed; a failure throws. */
  root(command: string): Promise<string>;
}

/** A re-run of init on the target (its profile saved) changes nothing, over one connection and one command; verify passes. */
export async function expectNoOpRerun(t: SystemdTarget, alsoSays: string[] = []): Promise<void> {
  const again = await t.cli(['init', '--verbose'], 'init (no-op)');
  expect(again.code, again.all).toBe(0);
  expect(again.stdout).toMatch(/^\[skip\] Install Java — java and jps found \(\/usr\/bin\/java\)$/m);
  expect(again.stdout).toContain('(nothing needed to change)');
  expect(again.all).toMatch(/ssh: 1 connection, 1 remote command/);
  for (const line of alsoSays) expect(again.stdout).toContain(line);
  const verify = await t.cli(['verify']);
  expect(verify.code, verify.all).toBe(0);
}

export function useSystemdTarget(opts: {
  /** For errors: "the AL2 host". */
  name: string;
  /** The scratch directory's prefix. */
  scratch: string;
  start: () => Promise<SystemdHost>;
  stop: (host: SystemdHost) => Promise<void>;
  /** Told how long the boot took. */
  say?: (line: string) => void;
}): SystemdTarget {
  let host: SystemdHost | undefined;
  let relay: Awaited<ReturnType<typeof nspawnMirror>>['relay'] | undefined;
  let mirror = '';
  let env: Record<string, string> = {};
  let knownHosts = '';

  beforeAll(async () => {
    const dir = scratchDir(opts.scratch);
    env = { XDG_CONFIG_HOME: join(dir, 'config') };
    knownHosts = join(dir, 'known_hosts');
    const started = Date.now();
    host = await opts.start();
    opts.say?.(`up in ${((Date.now() - started) / 1000).toFixed(1)} s (boot to ssh ${(host.bootMs / 1000).toFixed(1)} s)`);
    ({ relay, url: mirror } = await nspawnMirror(e2eMirror().good));
  }, 10 * 60_000);

  afterAll(async () => {
    await relay?.close();
    if (host) await opts.stop(host);
  });

  return {
    the: (): SystemdHost => {
      if (!host) throw new Error(`${opts.name} did not start`);
      return host;
    },
    get mirror() {
      return mirror;
    },
    get env() {
      return env;
    },
    get knownHosts() {
      return knownHosts;
    },
    cli: async (args, label = args[0] ?? 'kafka-setup') => {
      const started = Date.now();
      const r = await runCli(args, { env, timeoutMs: 10 * 60_000 });
      opts.say?.(`kafka-setup ${label} in ${((Date.now() - started) / 1000).toFixed(1)} s (exit ${r.code})`);
      return r;
    },
    root: async (command) => {
      if (!host) throw new Error(`${opts.name} did not start`);
      const r = await run(host, command);
      if (r.code !== 0) throw new Error(`${command}: exit ${r.code}: ${r.stderr}`);
      return r.stdout.trim();
    },
  };
}
