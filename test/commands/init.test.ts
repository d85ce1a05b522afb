import { describe, expect, it } from 'vitest';
import { initCommand } from '../../src/commands/init.js';
import type { CommandIO } from '../../src/commands/io.js';
import { UsageError } from '../../src/errors.js';
import { scratchDir } from '../support/scratch.js';

/** A command's IO that fails on any prompt or output: what is tested is refused before either. */
const silentIo = (): CommandIO => ({
  env: { XDG_CONFIG_HOME: scratchDir('ks-init-') }, verbose: false, debug: false, signal: new AbortController().signal,
  prompter: () => { throw new Error('no prompt expected'); },
  reporter: new Proxy({}, { get: () => () => { throw new Error('nothing should be reported'); } }) as CommandIO['reporter'],
});

describe('init --kafka-version latest', () => {
  it('for a cluster: refused before any mirror or host is asked (the latest release is a 4.x, one server so far)', async () => {
    const err = await initCommand({ host: ['a.example.com', 'b.example.com'], kafkaVersion: 'latest', interactive: false }, silentIo()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(/^--kafka-version latest: kafka-setup sets up Kafka 4 \(KRaft\) on one server so far/);
  });
});
