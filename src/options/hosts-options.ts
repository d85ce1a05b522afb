/** Options of `kafka-setup hosts`: the alias, the IP (default: the profile's host, resolved), the file. */
import { UsageError, UserError } from '../errors.js';
import { resolveHost } from '../local/net.js';
import { aliasProblem, ipProblem, systemHostsPath } from '../local/hosts-file.js';
import type { Prompter } from '../prompts.js';
import { applicableProfile } from './init-options.js';
import { isInteractive, resolveField } from './resolve.js';

export interface HostsFlags {
  alias?: string;
  ip?: string;
  hostsFile?: string;
  remove?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  profile?: string;
  interactive?: boolean;
}

export interface HostsOptions {
  alias: string;
  /** Undefined with --remove. */
  ip: string | undefined;
  path: string;
  system: boolean;
  remove: boolean;
  dryRun: boolean;
  yes: boolean;
  interactive: boolean;
}

export async function resolveHostsOptions(
  flags: HostsFlags,
  deps: { prompter?: Prompter | undefined; env?: NodeJS.ProcessEnv; stdin?: { isTTY?: boolean } },
): Promise<HostsOptions> {
  const interactive = isInteractive(flags.interactive, deps.stdin);
  const r = { interactive, prompter: deps.prompter };
  // Everything is validated before anything is read or written.
  const alias = await resolveField(r, { flag: 'alias', value: flags.alias, validate: aliasProblem, prompt: 'Alias (the name to give the broker, e.g. my-kafka)', missingHint: 'pass --alias NAME, e.g. --alias my-kafka' });
  let ip: string | undefined;
  if (flags.ip !== undefined) {
    const p = ipProblem(flags.ip);
    if (p) throw new UsageError(`--ip: ${p}`);
    ip = flags.ip;
  } else if (!flags.remove) {
    const { profile } = await applicableProfile({ ...(flags.profile === undefined ? {} : { profile: flags.profile }) }, deps.env ?? process.env);
    if (!profile) throw new UsageError('missing --ip, and there is no saved profile to take the host from', 'pass --ip with the broker\'s public IP address, or run kafka-setup init first');
    const resolved = await resolveHost(profile.host);
    if (!resolved.ok) throw new UserError(`the profile's host ${profile.host} does not resolve: ${resolved.reason}`, { hint: 'pass --ip explicitly' });
    ip = resolved.addresses.find((a) => !a.includes(':')) ?? resolved.addresses[0]!;
  }
  const path = flags.hostsFile ?? systemHostsPath();
  if (path.trim() === '' || /[\u0000-\u001f]/.test(path)) throw new UsageError('--hosts-file: not a usable path');
  return {
    alias,
    ip,
    path,
    system: flags.hostsFile === undefined,
    remove: flags.remove === true,
    dryRun: flags.dryRun === true,
    yes: flags.yes === true,
    interactive,
  };
}
