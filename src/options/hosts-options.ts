/** Options of `kafka-setup hosts`: the alias, the IP (default: the profile's host, resolved), the file. */
import { UsageError, UserError } from '../errors.js';
import { resolveHost } from '../local/net.js';
import { aliasProblem, ipProblem, systemHostsPath } from '../local/hosts-file.js';
import type { Prompter } from '../prompts.js';
import { applicableProfile } from './init-options.js';
import { isInteractive, resolveField } from './resolve.js';
import { profileNameProblem } from './validate.js';

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
  if (flags.profile !== undefined) {
    const p = profileNameProblem(flags.profile);
    if (p) throw new UsageError(`--profile: ${p}`, 'pass the name of a saved profile (e.g. --profile default), or --ip instead; nothing was changed');
  }
  if (flags.alias !== undefined) {
    const p = aliasProblem(flags.alias);
    if (p) throw new UsageError(`--alias: ${p}`, 'pass --alias with a plain host name of your own, e.g. --alias my-kafka; nothing was changed');
  }
  const alias = await resolveField(r, { flag: 'alias', value: flags.alias, validate: aliasProblem, prompt: 'Alias (the name to give the broker, e.g. my-kafka)', missingHint: 'pass --alias NAME, e.g. --alias my-kafka' });
  let ip: string | undefined;
  if (flags.ip !== undefined) {
    const p = ipProblem(flags.ip);
    if (p) throw new UsageError(`--ip: ${p}`, 'pass the broker\'s address, e.g. --ip 203.0.113.10 (or 2001:db8::10); nothing was changed');
    ip = flags.ip;
  } else if (!flags.remove) {
    const { profile } = await applicableProfile({ ...(flags.profile === undefined ? {} : { profile: flags.profile }) }, deps.env ?? process.env);
    if (!profile) throw new UsageError('missing --ip, and there is no saved profile to take the host from', 'pass --ip with the broker\'s public IP address, or run kafka-setup init first');
    const resolved = await resolveHost(profile.host);
    if (!resolved.ok) throw new UserError(`the profile's host ${profile.host} does not resolve: ${resolved.reason}`, { hint: 'pass --ip explicitly' });
    ip = resolved.addresses.find((a) => !a.includes(':')) ?? resolved.addresses[0]!;
  }
  const path = flags.hostsFile ?? systemHostsPath();
  if (path.trim() === '' || /[\u0000-\u001f]/.test(path)) throw new UsageError('--hosts-file: not a usable path', 'pass the path of a hosts file, or leave --hosts-file out to edit the system one');
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
