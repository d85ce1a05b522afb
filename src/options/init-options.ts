/** Options of `kafka-setup init`: flags → saved profile → prompts → defaults, validated. */
import type { Prompter } from '../prompts.js';
import { resolveConnection } from './connection-options.js';
import { resolveDeclared } from './declare.js';
import { expandHostFlag } from './host-spec.js';
import { initDeclarations, type InitFlags, type InitOptions } from './init-declarations.js';
import { applicableProfile, type RecogniseMoved } from './profile.js';
import { isInteractive, type Resolver } from './resolve.js';

export type { ConnectionFlags, ConnectionOptions } from './connection-options.js';
export type { InitFlags, InitOptions } from './init-declarations.js';

export interface OptionDeps {
  prompter?: Prompter | undefined;
  env?: NodeJS.ProcessEnv;
  stdin?: { isTTY?: boolean };
  /** Where a damaged profile is reported (it is then ignored). */
  warn?: (message: string) => void;
  /** Recognises the profile's server at a new --host (see applicableProfile). */
  recognise?: RecogniseMoved | undefined;
}

export async function resolveInitOptions(given: InitFlags, deps: OptionDeps): Promise<InitOptions> {
  const flags = expandHostFlag(given);
  const env = deps.env ?? process.env;
  const r: Resolver = { interactive: isInteractive(flags.interactive, deps.stdin), prompter: deps.prompter, acceptDefaults: flags.yes === true };
  const { profile } = await applicableProfile(flags, env, deps.warn ?? (() => {}), deps.recognise);
  const conn = await resolveConnection(flags, profile, r);
  return { ...conn, ...(await resolveDeclared(initDeclarations, flags, profile, r, conn)) };
}
