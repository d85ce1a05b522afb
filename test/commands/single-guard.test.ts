import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { initCommand } from '../../src/commands/init.js';
import type { CommandIO } from '../../src/commands/io.js';
import { singleInitProblem } from '../../src/commands/single-guard.js';
import { UsageError } from '../../src/errors.js';
import { profileDir, profilePath } from '../../src/options/profile.js';
import { facts } from '../support/cluster-facts.js';
import { scratchDir } from '../support/scratch.js';

const ENSEMBLE = 'server.1=10.0.0.1:2888:3888\nserver.2=10.0.0.2:2888:3888\nserver.3=10.0.0.3:2888:3888\n';
const saved = [
  { id: 1, host: 'a.example.com', user: 'u', port: 22, advertisedHost: 'a.example.com' },
  { id: 2, host: 'b.example.com', user: 'u', port: 22, advertisedHost: 'b.example.com' },
  { id: 3, host: 'c.example.com', user: 'u', port: 22, advertisedHost: 'c.example.com' },
];

describe("what a single server's init must not do", () => {
  it("make a cluster member a single node: refused with the cluster's command, from the saved cluster where it knows the members", () => {
    // The first member at a new address after an EC2 stop/start.
    const e = singleInitProblem(facts('10.0.0.1', { zk: ENSEMBLE, myid: '1' }), {
      host: 'new-a.example.com',
      user: 'u',
      port: 22,
      profileName: 'default',
      saved,
    });
    expect(e?.exitCode).toBe(2);
    expect(e?.message).toBe(
      'new-a.example.com is member 1 of a ZooKeeper ensemble of 3 (10.0.0.1, 10.0.0.2, 10.0.0.3): init on it alone would make it a single node and take it out of its cluster; nothing was changed',
    );
    expect(e?.hint).toMatch(
      /^set up its cluster instead: kafka-setup init --host u@new-a.example.com --host u@b.example.com --host u@c.example.com --profile default;/,
    );
  });

  it("without a profile (another machine, --profile x) the ensemble's addresses stand in", () => {
    const e = singleInitProblem(facts('10.0.0.2', { zk: ENSEMBLE, myid: '2' }), {
      host: 'b.example.com',
      user: 'admin',
      port: 2222,
      profileName: 'x',
      saved: undefined,
    });
    expect(e?.hint).toMatch(
      /kafka-setup init --host 10.0.0.1 --host admin@b.example.com:2222 --host 10.0.0.3 \(the ensemble lists the members' private addresses/,
    );
  });

  it("overwrite a saved cluster's profile with a single server's: refused, naming --profile", () => {
    const e = singleInitProblem(facts('10.0.0.9'), { host: 'd.example.com', user: 'u', port: 22, profileName: 'default', saved });
    expect(e?.message).toMatch(
      /profile "default" holds the cluster of a.example.com, b.example.com, c.example.com: saving d.example.com's single-server set-up would replace it/,
    );
    expect(e?.hint).toMatch(/--profile d.example.com/);
  });

  it("a single server, or a fresh one, with a single server's profile: nothing to refuse", () => {
    expect(
      singleInitProblem(facts('10.0.0.9', { zk: 'dataDir=/x\n' }), {
        host: 'd',
        user: 'u',
        port: 22,
        profileName: 'default',
        saved: undefined,
      }),
    ).toBeUndefined();
    expect(
      singleInitProblem(facts('10.0.0.9'), { host: 'd', user: 'u', port: 22, profileName: 'default', saved: undefined }),
    ).toBeUndefined();
  });
});

describe('a cluster init of other servers while the profile holds a cluster', () => {
  it('is refused before any connection, naming --profile; the profile stays as it was', async () => {
    const env = { XDG_CONFIG_HOME: scratchDir('ks-guard-') };
    const profile = {
      host: 'a.example.com',
      port: 22,
      user: 'u',
      key: '/keys/k.pem',
      knownHosts: '/kh/known_hosts',
      kafkaVersion: '3.1.0',
      scalaVersion: '2.12',
      advertisedHost: 'a.example.com',
      heap: '400m',
      installDir: '~/kafka_2.12-3.1.0',
      cluster: saved,
    };
    mkdirSync(profileDir(env), { recursive: true, mode: 0o700 });
    writeFileSync(profilePath('default', env), JSON.stringify(profile), { mode: 0o600 });
    const io: CommandIO = {
      env,
      verbose: false,
      debug: false,
      signal: new AbortController().signal,
      prompter: () => {
        throw new Error('no prompt expected');
      },
      reporter: new Proxy(
        {},
        {
          get: () => () => {
            throw new Error('nothing should be reported');
          },
        },
      ) as CommandIO['reporter'],
    };
    const err = await initCommand({ host: ['d.example.com', 'e.example.com'], interactive: false }, io).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(
      'profile "default" holds the cluster of a.example.com, b.example.com, c.example.com, and none of the hosts given is one of them: saving this cluster would replace it; nothing was changed',
    );
    expect((err as UsageError).hint).toMatch(/^pass --profile NAME/);
    expect(JSON.parse(readFileSync(profilePath('default', env), 'utf8'))).toEqual(profile);
  });
});
