/** The options of every command that connects to the host (init, verify, and the day-two commands), declared once. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { inspectKey, keyFileProblem, localPath } from '../local/key-file.js';
import { type FlagsOf, type Resolved, resolveDeclared, toggle, value } from './declare.js';
import type { Resolver } from './resolve.js';
import { hostProblem, portProblem, profileNameProblem, timeoutProblem, userProblem } from './validate.js';

export const DEFAULT_PROFILE = 'default';

export function defaultKnownHosts(): string {
  return join(homedir(), '.ssh', 'known_hosts');
}

const seconds = (v: string): number => Number(v) * 1000;

export const connectionDeclarations = {
  // Read first, by applicableProfile: it names the profile the others are read from. Not saved.
  profile: value({
    flag: '--profile <name>',
    help: 'saved profile to read and write',
    default: DEFAULT_PROFILE,
    validate: profileNameProblem,
    parse: String,
  }),
  host: value({
    flag: '--host <host>',
    help: 'the server as [user@]host[:port], as ssh takes it: its public IP address or DNS name, optionally with the SSH user and port',
    validate: hostProblem,
    parse: String,
    prompt: 'Host (public IP or DNS name of the server)',
    missingHint: 'pass --host with the public IP or DNS name of the server',
    saved: { key: 'host' },
  }),
  port: value({
    flag: '--port <port>',
    help: 'SSH port',
    default: '22',
    validate: portProblem,
    parse: Number,
    saved: { key: 'port', number: true },
  }),
  user: value({
    flag: '--user <user>',
    help: 'SSH user: ec2-user (Amazon Linux), ubuntu (Ubuntu), admin (Debian)',
    default: 'ec2-user',
    validate: userProblem,
    parse: String,
    prompt: 'SSH user (ec2-user on Amazon Linux, ubuntu on Ubuntu, admin on Debian)',
    saved: { key: 'user' },
  }),
  /** Absolute local path of the private key. */
  keyPath: value({
    flag: '--key <path>',
    help: 'private key file (.pem) of the key pair',
    validate: (v) =>
      v.trim() === '' ? 'the key path is empty' : /[\u0000-\u001f\u007f]/.test(v) ? 'the key path contains control characters' : undefined,
    checkAnswer: keyFileProblem,
    // A key given by flag or profile fails now, before the remaining questions are asked in vain.
    checkGiven: (v) => inspectKey(localPath(v)),
    prompt: 'Private key file (.pem)',
    missingHint: 'pass --key with the .pem file of the key pair',
    parse: localPath,
    saved: { key: 'key' },
  }),
  knownHostsPath: value({
    flag: '--known-hosts <path>',
    help: 'known_hosts file to check and record the host key in',
    default: () => defaultKnownHosts(),
    shown: '~/.ssh/known_hosts',
    validate: (v) => (v.trim() === '' ? 'the known_hosts path is empty' : undefined),
    parse: localPath,
    saved: { key: 'knownHosts' },
  }),
  /** Name of the environment variable holding the key's passphrase, if any. */
  passphraseEnv: value({
    flag: '--passphrase-env <var>',
    help: "environment variable holding the key's passphrase, for encrypted keys without a terminal",
    optional: true,
    parse: String,
    validate: (v) =>
      /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? undefined : 'give the name of an environment variable, e.g. --passphrase-env KEY_PASSPHRASE',
  }),
  timeoutMs: value({
    flag: '--timeout <seconds>',
    help: 'give up connecting after this many seconds',
    default: '20',
    validate: timeoutProblem,
    parse: seconds,
  }),
  yes: toggle({
    flag: '-y, --yes',
    help: 'take the defaults without asking (only values without a default are asked); consent in advance: accept and record a new host key, restrict an open key file to 0400',
  }),
  interactive: toggle({
    flag: '--no-interactive',
    help: 'never prompt; a missing value is an error (default when stdin is not a terminal)',
    hiddenPositive: 'prompt even when stdin is not a terminal',
    from: (_flag, r) => r.interactive,
  }),
} as const;

/** What commander hands over: strings as typed, nothing defaulted (defaults come last). */
export type ConnectionFlags = FlagsOf<typeof connectionDeclarations>;
export interface ConnectionOptions extends Resolved<typeof connectionDeclarations> {}

/** The connection, from flags and the applicable profile (see applicableProfile). */
export function resolveConnection(
  flags: ConnectionFlags,
  profile: Readonly<Record<string, unknown>> | undefined,
  r: Resolver,
): Promise<ConnectionOptions> {
  return resolveDeclared(connectionDeclarations, flags, profile, r);
}
