/** The options of `kafka-setup status`: those of every host command, and --json. */
import { type FlagsOf, toggle } from './declare.js';
import { type HostCommandFlags, hostCommandDeclarations } from './host-command-options.js';

export const statusDeclarations = {
  ...hostCommandDeclarations,
  json: toggle({ flag: '--json', help: 'print the status as JSON on stdout (nothing else)' }),
} as const;

export interface StatusFlags extends HostCommandFlags, FlagsOf<typeof statusDeclarations> {}
