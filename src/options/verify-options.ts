/** Options of `kafka-setup verify`: the profile or the connection flags, or --bootstrap alone. */
import { UsageError } from '../errors.js';
import { BROKER_PORT, DEFAULT_KAFKA_VERSION, DEFAULT_SCALA_VERSION, distName, type Distribution } from '../kafka/distribution.js';
import { applicableProfile, resolveConnection, type ConnectionFlags, type ConnectionOptions, type OptionDeps } from './init-options.js';
import { isInteractive, type Resolver } from './resolve.js';
import { hostProblem, portProblem, printable, remotePathProblem } from './validate.js';

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
  const problem = (m ? undefined : `"${printable(value)}" is not HOST:PORT`) ?? hostProblem(host) ?? portProblem(port);
  if (problem) throw new UsageError(`--bootstrap: ${problem}`, 'e.g. --bootstrap 203.0.113.10:9092');
  return { host, port: Number(port) };
}

export async function resolveVerifyOptions(flags: VerifyFlags, deps: OptionDeps): Promise<VerifyOptions> {
  const env = deps.env ?? process.env;
  const r: Resolver = { interactive: isInteractive(flags.json ? false : flags.interactive, deps.stdin), prompter: deps.prompter, acceptDefaults: flags.yes === true };
  // --bootstrap without --host: the checks from this machine only, as the help says, profile or not.
  const localOnly = flags.bootstrap !== undefined && flags.host === undefined;
  const bootstrap = flags.bootstrap !== undefined ? parseBootstrap(flags.bootstrap) : undefined;
  const dirProblem = flags.installDir === undefined ? undefined : remotePathProblem(flags.installDir);
  if (dirProblem) throw new UsageError(`--install-dir: ${dirProblem}`);
  const { name, profile } = localOnly ? { name: '', profile: undefined } : await applicableProfile(flags, env, deps.warn ?? (() => {}));
  const connection = localOnly ? undefined : await resolveConnection(flags, name, profile, r);
  const dist = { kafkaVersion: profile?.kafkaVersion ?? DEFAULT_KAFKA_VERSION, scalaVersion: profile?.scalaVersion ?? DEFAULT_SCALA_VERSION };
  const installDir = flags.installDir ?? profile?.installDir ?? `~/${distName(dist)}`;
  const problem = remotePathProblem(installDir);
  if (problem) throw new UsageError(`the install directory of profile "${name}": ${problem}`, 'pass --install-dir with where Kafka is installed on the host');
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
