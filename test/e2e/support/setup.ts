/** Brings the e2e host to "set up by kafka-setup init" (fast when it already is), for test files that need a running broker. */
import { join } from 'node:path';
import { scratchDir } from '../../support/scratch.js';
import { type CliResult, hostFlags, runCli } from './cli.js';
import { e2e } from './context.js';

export interface InitializedHost {
  /** XDG_CONFIG_HOME holding the saved default profile. */
  config: string;
  knownHosts: string;
  env: Record<string, string>;
  init: CliResult;
}

export async function initializedHost(): Promise<InitializedHost> {
  const dir = scratchDir('ks-e2e-cfg-');
  const config = join(dir, 'config');
  const knownHosts = join(dir, 'known_hosts');
  const env = { XDG_CONFIG_HOME: config };
  const init = await runCli(['init', ...hostFlags(knownHosts), '--mirror', e2e().mirror.good, '--heap', '256m', '--yes'], { env });
  if (init.code !== 0) throw new Error(`kafka-setup init failed while preparing the host:\n${init.all}`);
  return { config, knownHosts, env, init };
}
