/** Options of `kafka-setup init`: flags → saved profile → prompts → defaults, validated. */
import { fetchPage, type Page } from '../local/fetch-page.js';
import type { Prompter } from '../prompts.js';
import { resolveConnection } from './connection-options.js';
import { resolveDeclared } from './declare.js';
import { expandHostFlag } from './host-spec.js';
import { type InitFlags, type InitOptions, initDeclarations } from './init-declarations.js';
import { LATEST, LISTING_MAX_BYTES, LISTING_TIMEOUT_MS, latestFlagsProblem, latestText, resolveLatest } from './latest-version.js';
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
  /** Where the version `--kafka-version latest` became is said. */
  info?: (message: string) => void;
  /** Reads a mirror's listing (for `latest`); default: fetchPage from this machine, bounded. */
  fetchPage?: (url: string) => Promise<Page>;
  /** Ctrl-C, which stops a listing's fetch. */
  signal?: AbortSignal | undefined;
}

export async function resolveInitOptions(given: InitFlags, deps: OptionDeps): Promise<InitOptions> {
  const flags = expandHostFlag(given);
  const conflict = latestFlagsProblem(flags);
  if (conflict) throw conflict;
  const env = deps.env ?? process.env;
  const r: Resolver = {
    interactive: isInteractive(flags.interactive, deps.stdin),
    prompter: deps.prompter,
    acceptDefaults: flags.yes === true,
  };
  const { profile } = await applicableProfile(flags, env, deps.warn ?? (() => {}), deps.recognise);
  const conn = await resolveConnection(flags, profile, r);
  const kafkaVersion = flags.kafkaVersion === LATEST ? await latestVersion(flags, profile, r, deps) : flags.kafkaVersion;
  // From here on, latest is the version it resolved to, as if typed: the Scala build and install
  // directory follow it, and the profile saves it (a re-run keeps it).
  return { ...conn, ...(await resolveDeclared(initDeclarations, { ...flags, kafkaVersion }, profile, r, conn)) };
}

/**
 * After the connection's flags (and its questions), before anything on the host. The other init values
 * are checked after it: their defaults (Scala build, install directory) follow from the version.
 */
async function latestVersion(
  flags: InitFlags,
  profile: Readonly<Record<string, unknown>> | undefined,
  r: Resolver,
  deps: OptionDeps,
): Promise<string> {
  // The mirrors as the download will use them: flags, else the profile's, else the defaults.
  const { mirrors } = await resolveDeclared({ mirrors: initDeclarations.mirrors }, flags, profile, r);
  const read =
    deps.fetchPage ??
    ((url: string) => fetchPage(url, { timeoutMs: LISTING_TIMEOUT_MS, maxBytes: LISTING_MAX_BYTES, signal: deps.signal }));
  const latest = await resolveLatest(mirrors, read);
  deps.info?.(latestText(latest));
  return latest.version;
}
