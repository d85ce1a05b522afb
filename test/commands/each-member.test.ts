/**
 * logs and uninstall on a saved cluster's profile, through the commands: without --host every member
 * is acted on, each resolved with its own connection and marked with its label (no "acts on … only"
 * warning); with --host, that member alone. The key file is missing, so no connection is made: each
 * member fails at its first step, which is all these tests need to see who was acted on.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CommandIO } from '../../src/commands/io.js';
import { logsCommand } from '../../src/commands/logs.js';
import { uninstallCommand } from '../../src/commands/uninstall.js';
import { UserError } from '../../src/errors.js';
import { profilePath } from '../../src/options/profile.js';
import { captureReporter } from '../support/capture-reporter.js';
import { scratchDir } from '../support/scratch.js';

const member = (id: number, host: string) => ({ id, host, user: 'ubuntu', port: 22, advertisedHost: host });

function setup(): { io: CommandIO; out: () => string; err: () => string } {
  const dir = scratchDir('ks-each-member-');
  const env = { XDG_CONFIG_HOME: dir };
  const path = profilePath('default', env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(
    path,
    JSON.stringify({
      host: '10.0.0.1',
      port: 22,
      user: 'ubuntu',
      key: `${dir}/missing.pem`,
      knownHosts: `${dir}/known_hosts`,
      kafkaVersion: '3.1.0',
      scalaVersion: '2.12',
      advertisedHost: '10.0.0.1',
      heap: '400m',
      installDir: '~/kafka_2.12-3.1.0',
      mirrors: ['https://archive.apache.org/dist/kafka'],
      cluster: [member(1, '10.0.0.1'), member(2, '10.0.0.2'), member(3, '10.0.0.3')],
    }),
    { mode: 0o600 },
  );
  const { reporter, out, err } = captureReporter();
  return {
    io: {
      reporter,
      prompter: () => {
        throw new Error('no prompt');
      },
      signal: new AbortController().signal,
      env,
      verbose: false,
      debug: false,
    },
    out,
    err,
  };
}

async function failure(p: Promise<unknown>): Promise<UserError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof UserError)) throw new Error(`expected a UserError, got ${String(e)}`);
  return e;
}

describe('logs and uninstall on a cluster profile', () => {
  it('logs without --host: every member tried, each error marked with its host, the failed named at the end; no "acts on … only" warning', async () => {
    const t = setup();
    const err = await failure(logsCommand(undefined, { interactive: false }, t.io, new PassThrough()));
    expect(err.message).toBe("could not show the logs of 10.0.0.1, 10.0.0.2, 10.0.0.3 (of the cluster's 3 hosts)");
    for (const h of ['10.0.0.1', '10.0.0.2', '10.0.0.3'])
      expect(t.err()).toMatch(new RegExp(`^\\[${h.replace(/\./g, '\\.')}\\] error: `, 'm'));
    expect(t.out() + t.err()).not.toMatch(/acts on/);
  });

  it('uninstall without --host: every member planned before anything changes, each marked; no "acts on … only" warning', async () => {
    const t = setup();
    const err = await failure(uninstallCommand({ interactive: false, yes: true }, t.io));
    expect(err.message).toBe(
      "could not plan the uninstall of 10.0.0.1, 10.0.0.2, 10.0.0.3 (of the cluster's 3 hosts): nothing was changed on any host",
    );
    expect(t.out()).toContain('kafka-setup uninstall: the cluster of profile "default", 3 hosts (10.0.0.1, 10.0.0.2, 10.0.0.3)');
    for (const h of ['10.0.0.1', '10.0.0.2', '10.0.0.3'])
      expect(t.err()).toMatch(new RegExp(`^\\[${h.replace(/\./g, '\\.')}\\] error: `, 'm'));
    expect(t.out() + t.err()).not.toMatch(/acts on/);
  });

  it('--host H, a member: that member alone, as on a single host (its error unmarked)', async () => {
    const t = setup();
    await failure(uninstallCommand({ interactive: false, yes: true, host: '10.0.0.2' }, t.io));
    expect(t.out()).toContain('kafka-setup uninstall: ~/kafka_2.12-3.1.0 on ubuntu@10.0.0.2:22');
    expect(t.out() + t.err()).not.toMatch(/10\.0\.0\.[13]|^\[/m);
    const l = setup();
    await failure(logsCommand(undefined, { interactive: false, host: '10.0.0.3' }, l.io, new PassThrough()));
    expect(l.err()).not.toMatch(/^\[|could not show the logs of/m);
  });
});
