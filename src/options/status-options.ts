/** The options of `kafka-setup status`: those of every host command, and --json. */
import { toggle, type FlagsOf } from './declare.js';
import { hostCommandDeclarations, type HostCommandFlags } from './host-command-options.js';

export const statusDeclarations = {
  ...hostCommandDeclarations,
  json: toggle({ flag: '--json', help: 'print the status as JSON on stdout (nothing else)' }),
} as const;

export interface StatusFlags extends HostCommandFlags, FlagsOf<typeof statusDeclarations> {}
