/** Options of `kafka-setup verify`: the profile or the connection flags, or --bootstrap alone. */
import { UsageError } from '../errors.js';
import { BROKER_PORT, type Distribution } from '../kafka/distribution.js';
import { type ConnectionFlags, type ConnectionOptions, resolveConnection } from './connection-options.js';
import { type FlagsOf, toggle, value } from './declare.js';
import { installDirDeclaration, installLocation } from './host-command-options.js';
import { expandHostFlag } from './host-spec.js';
import type { OptionDeps } from './init-options.js';
import { applicableProfile } from './profile.js';
import { isInteractive, type Resolver } from './resolve.js';
import { hostProblem, portProblem, printable } from './validate.js';

/** What verify adds to the connection's options (its resolution is below: it depends on which are given). */
export const verifyDeclarations = {
  bootstrap: value({
    flag: '--bootstrap <host:port>',
    help: 'broker address to check from here; alone, only the checks from this machine run',
    shown: `the host, port ${BROKER_PORT}`,
    validate: (v) => parseBootstrapProblem(v),
    parse: String,
  }),
  installDir: installDirDeclaration,
  roundtrip: toggle({ flag: '--no-roundtrip', help: 'skip the produce/consume round trip on a temporary topic' }),
  json: toggle({ flag: '--json', help: 'print the results as JSON on stdout (nothing else)' }),
} as const;

export interface VerifyFlags extends ConnectionFlags, FlagsOf<typeof verifyDeclarations> {}

export interface VerifyOptions {
  /** Undefined: only the checks from this machine (--bootstrap without a host or profile). */
  connection: ConnectionOptions | undefined;
  installDir: string;
  dist: Distribution;
  bootstrap: { host: string; port: number };
  roundtrip: boolean;
  json: boolean;
  timeoutMs: number;
}

function splitBootstrap(value: string): { host: string; port: string; problem: string | undefined } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(value) ?? /^([^:]+)(?::(\d+))?$/.exec(value);
  const host = m?.[1] ?? '';
  const port = m?.[2] ?? String(BROKER_PORT);
  return { host, port, problem: (m ? undefined : `"${printable(value)}" is not HOST:PORT`) ?? hostProblem(host) ?? portProblem(port) };
}

function parseBootstrapProblem(value: string): string | undefined {
  return splitBootstrap(value).problem;
}

/** `host:port`, `[v6]:port`, or a bare host (port 9092). */
export function parseBootstrap(value: string): { host: string; port: number } {
  const { host, port, problem } = splitBootstrap(value);
  if (problem) throw new UsageError(`--bootstrap: ${problem}`, 'e.g. --bootstrap 203.0.113.10:9092');
  return { host, port: Number(port) };
}

export async function resolveVerifyOptions(given: VerifyFlags, deps: OptionDeps): Promise<VerifyOptions> {
  const flags = expandHostFlag(given);
  const env = deps.env ?? process.env;
  const r: Resolver = {
    interactive: isInteractive(flags.json ? false : flags.interactive, deps.stdin),
    prompter: deps.prompter,
    acceptDefaults: flags.yes === true,
  };
  // --bootstrap without --host: the checks from this machine only, as the help says, profile or not.
  const localOnly = flags.bootstrap !== undefined && flags.host === undefined;
  const bootstrap = flags.bootstrap !== undefined ? parseBootstrap(flags.bootstrap) : undefined;
  if (flags.installDir !== undefined) installLocation(flags.installDir, undefined, '');
  const { name, profile } = localOnly
    ? { name: '', profile: undefined }
    : await applicableProfile(flags, env, deps.warn ?? (() => {}), deps.recognise);
  const connection = localOnly ? undefined : await resolveConnection(flags, profile, r);
  const { installDir, dist } = installLocation(flags.installDir, profile, name);
  return {
    connection,
    installDir,
    dist,
    bootstrap: bootstrap ?? { host: connection!.host, port: BROKER_PORT },
    roundtrip: flags.roundtrip !== false,
    json: flags.json === true,
    timeoutMs: connection?.timeoutMs ?? 10_000,
  };
}
