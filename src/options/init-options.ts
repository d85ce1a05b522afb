/** Options of `kafka-setup init`: flags → saved profile → prompts → defaults, validated. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { DEFAULT_KAFKA_VERSION, DEFAULT_MIRRORS, DEFAULT_SCALA_VERSION, distName } from '../kafka/distribution.js';
import { normaliseSha512 } from '../kafka/sha512.js';
import { inspectKey, keyFileProblem, localPath } from '../local/key-file.js';
import type { Prompter } from '../prompts.js';
import { loadProfile, type Profile } from './profile.js';
import { isInteractive, resolveField, type Resolver } from './resolve.js';
import {
  heapOrAutoProblem,
  hostProblem,
  mirrorProblem,
  portProblem,
  profileNameProblem,
  remotePathProblem,
  scalaProblem,
  sha512Problem,
  timeoutProblem,
  userProblem,
  versionProblem,
} from './validate.js';

/** What commander hands over: strings as typed, nothing defaulted (defaults come last). */
export interface ConnectionFlags {
  profile?: string;
  host?: string;
  port?: string;
  user?: string;
  key?: string;
  knownHosts?: string;
  timeout?: string;
  passphraseEnv?: string;
  yes?: boolean;
  interactive?: boolean;
}

export interface InitFlags extends ConnectionFlags {
  kafkaVersion?: string;
  scalaVersion?: string;
  heap?: string;
  advertisedHost?: string;
  installDir?: string;
  mirror?: string[];
  sha512?: string;
  dryRun?: boolean;
}

export interface ConnectionOptions {
  profile: string;
  host: string;
  port: number;
  user: string;
  /** Absolute local path of the private key. */
  keyPath: string;
  knownHostsPath: string;
  timeoutMs: number;
  /** Name of the environment variable holding the key's passphrase, if any. */
  passphraseEnv: string | undefined;
  yes: boolean;
  interactive: boolean;
}

export interface InitOptions extends ConnectionOptions {
  kafkaVersion: string;
  scalaVersion: string;
  /** A size such as 400m, or 'auto' (sized from the host's memory once it is known). */
  heap: string;
  advertisedHost: string;
  /** On the host: absolute, or under ~/. */
  installDir: string;
  mirrors: string[];
  sha512: string | undefined;
  dryRun: boolean;
}

export const DEFAULT_USER = 'ec2-user';
export const DEFAULT_PORT = 22;
export const DEFAULT_TIMEOUT_S = 20;
export const DEFAULT_PROFILE = 'default';

export function defaultKnownHosts(): string {
  return join(homedir(), '.ssh', 'known_hosts');
}

/**
 * The saved profile applies when no --host is given or it names the same host: a profile's
 * advertised address or key must never leak onto another machine.
 */
export async function applicableProfile(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  /** Given: a damaged profile is reported here and ignored (see loadProfile). */
  onDamaged?: (warning: string) => void,
): Promise<{ name: string; profile: Profile | undefined }> {
  const name = flags.profile ?? DEFAULT_PROFILE;
  const problem = profileNameProblem(name);
  if (problem) throw new UsageError(`--profile: ${problem}`);
  const profile = await loadProfile(name, env, onDamaged);
  if (profile && flags.host !== undefined && flags.host.toLowerCase() !== profile.host.toLowerCase()) return { name, profile: undefined };
  return { name, profile };
}

export async function resolveConnection(
  flags: ConnectionFlags,
  profileName: string,
  profile: Profile | undefined,
  r: Resolver,
): Promise<ConnectionOptions> {
  const host = await resolveField(r, {
    flag: 'host', value: flags.host, fromProfile: profile?.host, validate: hostProblem,
    prompt: 'Host (public IP or DNS name of the server)', missingHint: 'pass --host with the public IP or DNS name of the server',
  });
  const port = await resolveField(r, { flag: 'port', value: flags.port, fromProfile: profile ? String(profile.port) : undefined, validate: portProblem, default: String(DEFAULT_PORT) });
  const user = await resolveField(r, {
    flag: 'user', value: flags.user, fromProfile: profile?.user, validate: userProblem,
    prompt: 'SSH user (ec2-user on Amazon Linux, ubuntu on Ubuntu, admin on Debian)', default: DEFAULT_USER,
  });
  const key = await resolveField(r, {
    flag: 'key', value: flags.key, fromProfile: profile?.key,
    validate: (v) => (v.trim() === '' ? 'the key path is empty' : /[\u0000-\u001f\u007f]/.test(v) ? 'the key path contains control characters' : undefined),
    checkAnswer: keyFileProblem,
    prompt: 'Private key file (.pem)', missingHint: 'pass --key with the .pem file of the key pair',
  });
  // A key given by flag or profile fails now, before the remaining questions are asked in vain.
  if (r.interactive && (flags.key !== undefined || profile?.key !== undefined)) await inspectKey(localPath(key));
  const knownHosts = await resolveField(r, {
    flag: 'known-hosts', value: flags.knownHosts, fromProfile: profile?.knownHosts,
    validate: (v) => (v.trim() === '' ? 'the known_hosts path is empty' : undefined), default: defaultKnownHosts(),
  });
  const timeout = flags.timeout ?? String(DEFAULT_TIMEOUT_S);
  const tp = timeoutProblem(timeout);
  if (tp) throw new UsageError(`--timeout: ${tp}`);
  if (flags.passphraseEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(flags.passphraseEnv)) {
    throw new UsageError('--passphrase-env: give the name of an environment variable, e.g. --passphrase-env KEY_PASSPHRASE');
  }
  return {
    profile: profileName,
    host,
    port: Number(port),
    user,
    keyPath: localPath(key),
    knownHostsPath: localPath(knownHosts),
    timeoutMs: Number(timeout) * 1000,
    passphraseEnv: flags.passphraseEnv,
    yes: flags.yes === true,
    interactive: r.interactive,
  };
}

export interface OptionDeps {
  prompter?: Prompter | undefined;
  env?: NodeJS.ProcessEnv;
  stdin?: { isTTY?: boolean };
  /** Where a damaged profile is reported (it is then ignored). */
  warn?: (message: string) => void;
}

export async function resolveInitOptions(flags: InitFlags, deps: OptionDeps): Promise<InitOptions> {
  const env = deps.env ?? process.env;
  const r: Resolver = { interactive: isInteractive(flags.interactive, deps.stdin), prompter: deps.prompter, acceptDefaults: flags.yes === true };
  const { name, profile } = await applicableProfile(flags, env, deps.warn ?? (() => {}));
  const conn = await resolveConnection(flags, name, profile, r);

  const kafkaVersion = await resolveField(r, { flag: 'kafka-version', value: flags.kafkaVersion, fromProfile: profile?.kafkaVersion, validate: versionProblem, default: DEFAULT_KAFKA_VERSION });
  const scalaVersion = await resolveField(r, { flag: 'scala-version', value: flags.scalaVersion, fromProfile: profile?.scalaVersion, validate: scalaProblem, default: DEFAULT_SCALA_VERSION });
  const advertisedHost = await resolveField(r, {
    flag: 'advertised-host', value: flags.advertisedHost, fromProfile: profile?.advertisedHost, validate: hostProblem,
    prompt: 'Address clients use to reach the broker (advertised.listeners)', default: conn.host,
  });
  const heap = await resolveField(r, {
    flag: 'heap', value: flags.heap, fromProfile: profile?.heap, validate: heapOrAutoProblem,
    prompt: 'Broker heap (e.g. 400m, 1g; auto sizes it from the host\'s memory)', default: 'auto',
  });
  const installDir = await resolveField(r, {
    flag: 'install-dir', value: flags.installDir, fromProfile: profile?.installDir, validate: remotePathProblem,
    default: `~/${distName({ kafkaVersion, scalaVersion })}`,
  });
  const mirrors = flags.mirror && flags.mirror.length > 0 ? flags.mirror : profile?.mirrors ?? [...DEFAULT_MIRRORS];
  for (const m of mirrors) {
    const p = mirrorProblem(m);
    if (p) throw new UsageError(`--mirror: ${p}`);
  }
  let sha512: string | undefined;
  if (flags.sha512 !== undefined) {
    const p = sha512Problem(flags.sha512);
    if (p) throw new UsageError(`--sha512: ${p}`);
    sha512 = normaliseSha512(flags.sha512);
  } else if (profile?.sha512 && profile.kafkaVersion === kafkaVersion && profile.scalaVersion === scalaVersion) {
    sha512 = profile.sha512;
  }
  return {
    ...conn,
    kafkaVersion,
    scalaVersion,
    heap: heap === 'auto' ? heap : heap.toLowerCase(),
    advertisedHost,
    installDir,
    mirrors: mirrors.map((m) => m.replace(/\/+$/, '')),
    sha512,
    dryRun: flags.dryRun === true,
  };
}
