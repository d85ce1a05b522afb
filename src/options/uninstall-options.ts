/** Options of `kafka-setup uninstall`: the host command's, and what to do about the data and the prompt. */
import { connectionDeclarations } from './connection-options.js';
import { type FlagsOf, toggle } from './declare.js';
import {
  type HostCommandFlags,
  type HostCommandOptions,
  hostCommandDeclarations,
  resolveHostCommandOptions,
} from './host-command-options.js';
import type { OptionDeps } from './init-options.js';

/** The connection's options, with --yes saying what it consents to here. */
export const uninstallConnectionDeclarations = {
  ...connectionDeclarations,
  yes: toggle({
    ...connectionDeclarations.yes,
    help: 'uninstall without asking; also accept and record a new host key, restrict an open key file to 0400',
  }),
} as const;

export const uninstallDeclarations = {
  ...hostCommandDeclarations,
  purgeData: toggle({
    flag: '--purge-data',
    help: "also delete the data: Kafka's and ZooKeeper's data directories, Kafka 4's kept cluster id (kept by default)",
  }),
  dryRun: toggle({ flag: '--dry-run', help: 'show what would be stopped, removed, restored and kept; change nothing' }),
} as const;

export interface UninstallFlags extends HostCommandFlags, FlagsOf<typeof uninstallDeclarations> {}

export interface UninstallOptions extends HostCommandOptions {
  purgeData: boolean;
  dryRun: boolean;
}

/** (--yes and whether a question can be asked are the connection's: o.connection.yes, .interactive.) */
export async function resolveUninstallOptions(flags: UninstallFlags, deps: OptionDeps): Promise<UninstallOptions> {
  const o = await resolveHostCommandOptions(flags, deps);
  return { ...o, purgeData: flags.purgeData === true, dryRun: flags.dryRun === true };
}
