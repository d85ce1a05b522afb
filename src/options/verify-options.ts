/** Options of `kafka-setup verify`: the profile or the connection flags, or --bootstrap alone. */
import { UsageError } from '../errors.js';
import { BROKER_PORT, DEFAULT_KAFKA_VERSION, DEFAULT_SCALA_VERSION, distName, type Distribution } from '../kafka/distribution.js';
import type { Prompter } from '../prompts.js';
import { applicableProfile, resolveConnection, type ConnectionFlags, type ConnectionOptions } from './init-options.js';
import { isInteractive, type Resolver } from './resolve.js';
import { hostProblem, portProblem, remotePathProblem } from './validate.js';

export interface VerifyFlags extends ConnectionFlags {
  bootstrap?: string;
  installDir?: string;
  roundtrip?: boolean;
  json?: boolean;
}

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

/** `host:port`, `[v6]:port`, or a bare host (port 9092). */
export function parseBootstrap(value: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(value) ?? /^([^:]+)(?::(\d+))?$/.exec(value);
  const host = m?.[1] ?? '';
  const port = m?.[2] ?? String(BROKER_PORT);
  const problem = (m ? undefined : `"${value}" is not HOST:PORT`) ?? hostProblem(host) ?? portProblem(port);
  if (problem) throw new UsageError(`--bootstrap: ${problem}`, 'e.g. --bootstrap 203.0.113.10:9092');
  return { host, port: Number(port) };
}

export async function resolveVerifyOptions(
  flags: VerifyFlags,
  deps: { prompter?: Prompter | undefined; env?: NodeJS.ProcessEnv; stdin?: { isTTY?: boolean } },
): Promise<VerifyOptions> {
  const env = deps.env ?? process.env;
  const r: Resolver = { interactive: isInteractive(flags.json ? false : flags.interactive, deps.stdin), prompter: deps.prompter };
  const { name, profile } = await applicableProfile(flags, env);
  const localOnly = flags.bootstrap !== undefined && flags.host === undefined && profile === undefined;
  const connection = localOnly ? undefined : await resolveConnection(flags, name, profile, r);
  const dist = { kafkaVersion: profile?.kafkaVersion ?? DEFAULT_KAFKA_VERSION, scalaVersion: profile?.scalaVersion ?? DEFAULT_SCALA_VERSION };
  const installDir = flags.installDir ?? profile?.installDir ?? `~/${distName(dist)}`;
  const problem = remotePathProblem(installDir);
  if (problem) throw new UsageError(`--install-dir: ${problem}`);
  return {
    connection,
    installDir,
    dist,
    bootstrap: flags.bootstrap !== undefined ? parseBootstrap(flags.bootstrap) : { host: connection!.host, port: BROKER_PORT },
    roundtrip: flags.roundtrip !== false,
    json: flags.json === true,
    timeoutMs: connection?.timeoutMs ?? 10_000,
  };
}
