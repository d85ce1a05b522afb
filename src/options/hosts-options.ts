/** Options of `kafka-setup hosts`: the alias, the IP (default: the profile's host, resolved), the file. */
import { UsageError, UserError } from '../errors.js';
import { aliasProblem, ipProblem, systemHostsPath } from '../local/hosts-file.js';
import { resolveHost } from '../local/net.js';
import type { Prompter } from '../prompts.js';
import { connectionDeclarations } from './connection-options.js';
import { type FlagsOf, longName, toggle, value } from './declare.js';
import { applicableProfile } from './profile.js';
import { isInteractive, resolveField } from './resolve.js';

/** The options of `kafka-setup hosts` (it does not connect: --profile, --yes, --no-interactive mean less here). */
export const hostsDeclarations = {
  alias: value({
    flag: '--alias <name>',
    help: 'the name to give the broker, e.g. my-kafka',
    validate: aliasProblem,
    parse: String,
    prompt: 'Alias (the name to give the broker, e.g. my-kafka)',
    missingHint: 'pass --alias NAME, e.g. --alias my-kafka',
  }),
  ip: value({
    flag: '--ip <address>',
    help: 'IPv4 or IPv6 address',
    shown: "the saved profile's host, resolved",
    validate: ipProblem,
    parse: String,
  }),
  hostsFile: value({
    flag: '--hosts-file <path>',
    help: 'the file to edit',
    shown: '/etc/hosts; on Windows %SystemRoot%\\System32\\drivers\\etc\\hosts',
    validate: (v) => (v.trim() === '' || /[\u0000-\u001f]/.test(v) ? 'not a usable path' : undefined),
    parse: String,
  }),
  remove: toggle({ flag: '--remove', help: 'remove the alias instead' }),
  dryRun: toggle({ flag: '--dry-run', help: 'show the change; write nothing' }),
  yes: toggle({ ...connectionDeclarations.yes, help: 'write without asking' }),
  profile: value({ ...connectionDeclarations.profile, help: 'saved profile to take the IP from' }),
  interactive: toggle({
    ...connectionDeclarations.interactive,
    help: 'never ask (default when stdin is not a terminal)',
    hiddenPositive: 'ask even when stdin is not a terminal',
  }),
} as const;

export type HostsFlags = FlagsOf<typeof hostsDeclarations>;

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
  const d = hostsDeclarations;
  if (flags.profile !== undefined) {
    const p = d.profile.validate(flags.profile);
    if (p)
      throw new UsageError(
        `--profile: ${p}`,
        'pass the name of a saved profile (e.g. --profile default), or --ip instead; nothing was changed',
      );
  }
  if (flags.alias !== undefined) {
    const p = d.alias.validate(flags.alias);
    if (p)
      throw new UsageError(`--alias: ${p}`, 'pass --alias with a plain host name of your own, e.g. --alias my-kafka; nothing was changed');
  }
  const alias = await resolveField(r, {
    flag: longName(d.alias),
    value: flags.alias,
    validate: d.alias.validate,
    prompt: d.alias.prompt,
    missingHint: d.alias.missingHint,
  });
  let ip: string | undefined;
  if (flags.ip !== undefined) {
    const p = d.ip.validate(flags.ip);
    if (p) throw new UsageError(`--ip: ${p}`, "pass the broker's address, e.g. --ip 203.0.113.10 (or 2001:db8::10); nothing was changed");
    ip = flags.ip;
  } else if (!flags.remove) {
    const { profile } = await applicableProfile(
      { ...(flags.profile === undefined ? {} : { profile: flags.profile }) },
      deps.env ?? process.env,
    );
    if (!profile)
      throw new UsageError(
        'missing --ip, and there is no saved profile to take the host from',
        "pass --ip with the broker's public IP address, or run kafka-setup init first",
      );
    const resolved = await resolveHost(profile.host);
    if (!resolved.ok)
      throw new UserError(`the profile's host ${profile.host} does not resolve: ${resolved.reason}`, { hint: 'pass --ip explicitly' });
    ip = resolved.addresses.find((a) => !a.includes(':')) ?? resolved.addresses[0]!;
  }
  const path = flags.hostsFile ?? systemHostsPath();
  const pathProblem = d.hostsFile.validate(path);
  if (pathProblem)
    throw new UsageError(`--hosts-file: ${pathProblem}`, 'pass the path of a hosts file, or leave --hosts-file out to edit the system one');
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
