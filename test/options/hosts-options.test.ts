import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { EXIT_USAGE, UsageError } from '../../src/errors.js';
import { resolveHostsOptions } from '../../src/options/hosts-options.js';
import type { Prompter } from '../../src/prompts.js';

const noTty = { env: {}, stdin: { isTTY: false } };

async function refusal(p: Promise<unknown>): Promise<UsageError> {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UsageError);
  expect((err as UsageError).exitCode).toBe(EXIT_USAGE);
  expect((err as UsageError).hint).toBeTruthy();
  return err as UsageError;
}

describe('options of kafka-setup hosts', () => {
  it.each(['localhost', 'ip6-loopback', 'kafka.localhost', hostname()])(
    'refuses --alias %j with the reason and what to do',
    async (alias) => {
      const err = await refusal(resolveHostsOptions({ alias, ip: '203.0.113.10' }, noTty));
      expect(err.message).toMatch(/^--alias: .*re-pointing it would break programs on this machine/);
      expect(err.hint).toMatch(/--alias my-kafka/);
    },
  );

  it('asks again at the prompt when the answer is a reserved name', async () => {
    const seen: Array<string | undefined> = [];
    const prompter: Prompter = {
      input: async (_m, o) => {
        for (const answer of ['localhost', 'my-kafka']) {
          const problem = await o?.validate?.(answer);
          seen.push(problem);
          if (!problem) return answer;
        }
        throw new Error('no valid answer');
      },
      confirm: async () => true,
      secret: async () => '',
    };
    const o = await resolveHostsOptions({ ip: '203.0.113.10' }, { env: {}, prompter, stdin: { isTTY: true } });
    expect(o.alias).toBe('my-kafka');
    expect(seen[0]).toMatch(/"localhost" is a standard name/);
  });

  it('gives every bad flag a hint', async () => {
    await refusal(resolveHostsOptions({ alias: 'my-kafka', ip: '1.2.3.4 evil' }, noTty));
    await refusal(resolveHostsOptions({ alias: 'my-kafka', ip: '1.2.3.4', hostsFile: '  ' }, noTty));
    await refusal(resolveHostsOptions({ alias: 'my-kafka', profile: '../etc' }, noTty));
    await refusal(resolveHostsOptions({ alias: 'my-kafka' }, { env: { XDG_CONFIG_HOME: '/nonexistent-ks' }, stdin: { isTTY: false } }));
  });
});
