/**
 * Options of the day-two commands (status, stop, start, restart, logs, uninstall): the connection,
 * and where Kafka is on the host, from the flags, else the profile `init` saved.
 */
import { UsageError } from '../errors.js';
import { DEFAULT_KAFKA_VERSION, DEFAULT_SCALA_VERSION, type Distribution, distName } from '../kafka/distribution.js';
import { type ConnectionFlags, type ConnectionOptions, resolveConnection } from './connection-options.js';
import { type FlagsOf, value } from './declare.js';
import { expandHostFlag } from './host-spec.js';
import type { OptionDeps } from './init-options.js';
import { applicableProfile } from './profile.js';
import { isInteractive, type Resolver } from './resolve.js';
import { remotePathProblem } from './validate.js';

const DEFAULT_DIST: Distribution = { kafkaVersion: DEFAULT_KAFKA_VERSION, scalaVersion: DEFAULT_SCALA_VERSION };

export const installDirDeclaration = value({
  flag: '--install-dir <path>',
  help: "Kafka's directory on the host",
  shown: `the profile's, else ~/${distName(DEFAULT_DIST)}`,
  validate: remotePathProblem,
  parse: String,
});

export const hostCommandDeclarations = { installDir: installDirDeclaration } as const;

export interface HostCommandFlags extends ConnectionFlags, FlagsOf<typeof hostCommandDeclarations> {}

/** Where Kafka is on the host, as every host operation needs it (an InstallTarget). */
export interface InstallLocation {
  installDir: string;
  dist: Distribution;
}

export interface HostCommandOptions extends InstallLocation {
  connection: ConnectionOptions;
}

/** The install directory and distribution: --install-dir, else the profile's, else init's default. */
export function installLocation(
  flagDir: string | undefined,
  profile: Readonly<Record<string, unknown>> | undefined,
  profileName: string,
): InstallLocation {
  if (flagDir !== undefined) {
    const p = remotePathProblem(flagDir);
    if (p) throw new UsageError(`--install-dir: ${p}`);
  }
  const saved = (k: string): string | undefined => (typeof profile?.[k] === 'string' ? (profile[k] as string) : undefined);
  const dist = {
    kafkaVersion: saved('kafkaVersion') ?? DEFAULT_DIST.kafkaVersion,
    scalaVersion: saved('scalaVersion') ?? DEFAULT_DIST.scalaVersion,
  };
  const installDir = flagDir ?? saved('installDir') ?? `~/${distName(dist)}`;
  const problem = remotePathProblem(installDir);
  if (problem)
    throw new UsageError(
      `the install directory of profile "${profileName}": ${problem}`,
      'pass --install-dir with where Kafka is installed on the host',
    );
  return { installDir, dist };
}

export async function resolveHostCommandOptions(
  given: HostCommandFlags,
  deps: OptionDeps & { json?: boolean },
): Promise<HostCommandOptions> {
  const flags = expandHostFlag(given);
  const env = deps.env ?? process.env;
  const r: Resolver = {
    interactive: isInteractive(deps.json ? false : flags.interactive, deps.stdin),
    prompter: deps.prompter,
    acceptDefaults: flags.yes === true,
  };
  const { name, profile } = await applicableProfile(flags, env, deps.warn ?? (() => {}), deps.recognise);
  const location = installLocation(flags.installDir, profile, name);
  const connection = await resolveConnection(flags, profile, r);
  return { connection, ...location };
}
