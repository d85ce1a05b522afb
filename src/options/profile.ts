/**
 * Saved profiles: what a successful init used, so that verify and hosts (and a re-run of init) need
 * no flags. One JSON file per profile in $XDG_CONFIG_HOME/kafka-setup (default ~/.config/kafka-setup),
 * mode 0600. The key's path is saved, never its contents.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError, UserError } from '../errors.js';
import { localPath } from '../local/key-file.js';
import { type SavedMember, savedClusterProblem, savedMemberFor } from './cluster-options.js';
import { connectionDeclarations, DEFAULT_PROFILE } from './connection-options.js';
import { type SavedBy, savedFields, savedValues } from './declare.js';
import { type InitOptions, initDeclarations } from './init-declarations.js';
import { checkProfileDir, readProfileFile, UnsafeProfileError, writeProfileFile } from './profile-file.js';
import { hostProblem, printable, profileNameProblem } from './validate.js';

/** What a profile holds: every declared option with a profile key (see declare.ts), and when it was saved. */
export type Profile = SavedBy<typeof connectionDeclarations> &
  SavedBy<typeof initDeclarations> & {
    savedAt?: string;
    /** A cluster's members (host, user, port and advertisedHost above are its first member's). */
    cluster?: SavedMember[];
    /** The first cluster init could not give a single server's topics the cluster's replicas: the next one does. */
    replicateAll?: true;
  };

const FIELDS = savedFields(connectionDeclarations, initDeclarations);

/** The profile init saves for these options (the heap: the one it sized, given by the caller). */
export function profileOf(o: InitOptions): Profile {
  return { ...savedValues(connectionDeclarations, o), ...savedValues(initDeclarations, o) };
}

export function profileDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'kafka-setup');
}

export function profilePath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(profileDir(env), `${name}.json`);
}

/**
 * What is wrong with a parsed profile, or undefined: each field's type, then its value held to its
 * flag's rule (a hand-edited profile gets no further than the command line would).
 */
function profileProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'it is not a JSON object';
  const v = value as Record<string, unknown>;
  for (const f of FIELDS) {
    const x = v[f.key];
    if (x === undefined) {
      if (f.optional) continue;
      return `"${f.key}" is missing`;
    }
    const fits = f.list ? Array.isArray(x) && x.every((m) => typeof m === 'string') : typeof x === (f.number ? 'number' : 'string');
    if (!fits) return `"${f.key}" is not ${f.what ?? (f.list ? 'a list' : f.number ? 'a number' : 'a string')}`;
    const values: string[] = f.list ? (x as string[]) : [String(x)];
    const problem = values.map(f.validate).find((p) => p !== undefined);
    // Printable: a validator may quote the value, and the file's content never reaches the terminal as it is.
    if (problem) return `"${f.key}": ${printable(problem)}`;
  }
  if (v.replicateAll !== undefined && v.replicateAll !== true) return '"replicateAll" is not true';
  return savedClusterProblem(v.cluster);
}

/**
 * The saved profile, or undefined when there is none. A damaged one (not JSON, wrong types, a value its
 * flag would refuse) is handed to onDamaged (what is wrong, what to do) and ignored, so that flags alone
 * still work; without onDamaged it is an error, for callers that cannot go on without it. A profile
 * (or directory) someone else could have written is always an error, UnsafeProfileError: see
 * profile-file.ts. So is an invalid name, which would name a file elsewhere.
 */
export async function loadProfile(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  onDamaged?: (warning: string) => void,
): Promise<Profile | undefined> {
  const badName = profileNameProblem(name);
  if (badName) throw new UsageError(`--profile: ${badName}`);
  const path = profilePath(name, env);
  let text: string | undefined;
  try {
    await checkProfileDir(profileDir(env));
    text = await readProfileFile(path);
  } catch (err) {
    if (err instanceof UnsafeProfileError) throw err;
    const why = `cannot read the saved profile ${path}: ${(err as Error).message}`;
    if (onDamaged) {
      onDamaged(`${why}; ignoring it (check its permissions)`);
      return undefined;
    }
    throw new UserError(why, { hint: 'check its permissions, or delete it and run kafka-setup init with your flags' });
  }
  if (text === undefined) return undefined;
  let parsed: unknown;
  let problem: string | undefined;
  try {
    parsed = JSON.parse(text);
    problem = profileProblem(parsed);
  } catch {
    // Not the parser's message: it quotes the file's content.
    problem = 'it is not valid JSON';
  }
  if (problem === undefined) return parsed as Profile;
  if (onDamaged) {
    onDamaged(`ignoring the saved profile ${path}: ${problem}; delete it, or run kafka-setup init with your flags to write it anew`);
    return undefined;
  }
  throw new UserError(`the saved profile ${path} is damaged: ${problem}`, {
    hint: `delete it (rm '${path}') and run kafka-setup init again with your flags; it will be written anew`,
  });
}

/** The same fields and values, whatever their order (profiles written before the declarations had another), the time aside. */
function sameContent(a: Profile, b: Profile): boolean {
  const canonical = (p: Profile): string =>
    JSON.stringify(
      Object.entries({ ...p, savedAt: undefined })
        .filter(([, x]) => x !== undefined)
        .sort(([x], [y]) => (x < y ? -1 : 1)),
    );
  return canonical(a) === canonical(b);
}

/**
 * Written to a temporary file and renamed, so a reader never sees half a profile (see
 * writeProfileFile: nothing planted is followed); left alone when nothing but the time would change, so
 * a no-op run changes no file. A damaged profile is replaced; an unsafe one (or directory) is refused.
 */
export async function saveProfile(name: string, profile: Profile, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const path = profilePath(name, env);
  const previous = await loadProfile(name, env).catch((err: unknown) => {
    if (err instanceof UnsafeProfileError) throw err;
    return undefined;
  });
  if (previous && sameContent(previous, profile)) return path;
  await writeProfileFile(profileDir(env), path, `${JSON.stringify({ ...profile, savedAt: new Date().toISOString() }, null, 2)}\n`);
  return path;
}

/** Asks whether `host` is the profile's server at a new address (same host key); its fingerprint if so. */
export type RecogniseMoved = (q: {
  host: string;
  port: number;
  was: { host: string; port: number };
  knownHostsPath: string;
}) => Promise<string | undefined>;

/**
 * The saved profile applies when no --host is given or it names the same host: a profile's
 * advertised address or key must never leak onto another machine. One exception: the profile's own
 * server at a new address (an EC2 stop/start), recognised by its host key (`recognise`); the profile
 * then applies with the new address, and an advertised address that followed the old one follows it.
 */
export async function applicableProfile(
  flags: { profile?: string; host?: string; port?: string; knownHosts?: string },
  env: NodeJS.ProcessEnv,
  /** Given: a damaged profile is reported here and ignored (see loadProfile); so is a cluster profile read for one host. */
  onDamaged?: (warning: string) => void,
  recognise?: RecogniseMoved,
): Promise<{ name: string; profile: Profile | undefined; moved?: { from: string; fingerprint: string } }> {
  const name = flags.profile ?? DEFAULT_PROFILE;
  const problem = profileNameProblem(name);
  if (problem) throw new UsageError(`--profile: ${problem}`);
  const profile = await loadProfile(name, env, onDamaged);
  if (profile?.cluster && flags.host === undefined) {
    onDamaged?.(
      `profile "${name}" is a cluster of ${profile.cluster.length} hosts: this command acts on ${profile.host} only; pass --host to choose another (${profile.cluster.map((m) => m.host).join(', ')})`,
    );
  }
  if (!profile || flags.host === undefined) return { name, profile };
  // A member of the saved cluster: the profile applies with that member's connection and address.
  const member = savedMemberFor(profile.cluster, flags.host, flags.port === undefined ? undefined : Number(flags.port));
  if (member)
    return {
      name,
      profile: { ...profile, host: member.host, user: member.user, port: member.port, advertisedHost: member.advertisedHost },
    };
  if (flags.host.toLowerCase() === profile.host.toLowerCase()) return { name, profile };
  const port = Number(flags.port ?? profile.port);
  if (!recognise || hostProblem(flags.host) || !Number.isInteger(port) || port < 1 || port > 65535) return { name, profile: undefined };
  const knownHostsPath = flags.knownHosts !== undefined ? localPath(flags.knownHosts) : profile.knownHosts;
  const fingerprint = await recognise({ host: flags.host, port, was: { host: profile.host, port: profile.port }, knownHostsPath });
  if (!fingerprint) return { name, profile: undefined };
  const followed = profile.advertisedHost.toLowerCase() === profile.host.toLowerCase();
  return {
    name,
    profile: { ...profile, host: flags.host, ...(followed ? { advertisedHost: flags.host } : {}) },
    moved: { from: profile.host, fingerprint },
  };
}

/**
 * The hosts of the saved cluster, when the command names no --host and its profile is a cluster's: a
 * command that acts on the whole cluster runs once per host, as `--host HOST` (the profile then applies
 * with that member's user, port and address); undefined otherwise.
 */
export async function clusterMembers(
  flags: { profile?: string; host?: string },
  env: NodeJS.ProcessEnv,
): Promise<SavedMember[] | undefined> {
  if (flags.host !== undefined) return undefined;
  const name = flags.profile ?? DEFAULT_PROFILE;
  if (profileNameProblem(name)) return undefined;
  // Not caught: with onDamaged, loading throws only for a profile that must stop the command (unsafe).
  const profile = await loadProfile(name, env, () => {});
  return profile?.cluster;
}
