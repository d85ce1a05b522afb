/**
 * Saved profiles: what a successful init used, so that verify and hosts (and a re-run of init) need
 * no flags. One JSON file per profile in $XDG_CONFIG_HOME/kafka-setup (default ~/.config/kafka-setup),
 * mode 0600. The key's path is saved, never its contents.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';

export interface Profile {
  host: string;
  port: number;
  user: string;
  key: string;
  knownHosts: string;
  kafkaVersion: string;
  scalaVersion: string;
  installDir: string;
  heap: string;
  advertisedHost: string;
  mirrors?: string[];
  sha512?: string;
  savedAt?: string;
}

export function profileDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'kafka-setup');
}

export function profilePath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(profileDir(env), `${name}.json`);
}

const STRING_FIELDS = ['host', 'user', 'key', 'knownHosts', 'kafkaVersion', 'scalaVersion', 'installDir', 'heap', 'advertisedHost'] as const;

/** What is wrong with a parsed profile, or undefined. */
function profileProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'it is not a JSON object';
  const v = value as Record<string, unknown>;
  const missing = STRING_FIELDS.filter((f) => typeof v[f] !== 'string');
  if (missing.length > 0) return `"${missing[0]}" is ${v[missing[0]!] === undefined ? 'missing' : 'not a string'}`;
  if (typeof v.port !== 'number') return `"port" is ${v.port === undefined ? 'missing' : 'not a number'}`;
  if (v.mirrors !== undefined && !(Array.isArray(v.mirrors) && v.mirrors.every((m) => typeof m === 'string'))) return '"mirrors" is not a list of URLs';
  if (v.sha512 !== undefined && typeof v.sha512 !== 'string') return '"sha512" is not a string';
  return undefined;
}

/**
 * The saved profile, or undefined when there is none. A damaged one (not JSON, wrong types) is handed
 * to onDamaged (what is wrong, what to do) and ignored, so that flags alone still work; without
 * onDamaged it is an error, for callers that cannot go on without it.
 */
export async function loadProfile(name: string, env: NodeJS.ProcessEnv = process.env, onDamaged?: (warning: string) => void): Promise<Profile | undefined> {
  const path = profilePath(name, env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    const why = `cannot read the saved profile ${path}: ${(err as Error).message}`;
    if (onDamaged) {
      onDamaged(`${why}; ignoring it (check its permissions)`);
      return undefined;
    }
    throw new UserError(why, { hint: 'check its permissions, or delete it and run kafka-setup init with your flags' });
  }
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

/**
 * Written to a temporary file and renamed, so a reader never sees half a profile; left alone when
 * nothing but the time would change, so a no-op run changes no file.
 */
export async function saveProfile(name: string, profile: Profile, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = profileDir(env);
  const path = profilePath(name, env);
  const previous = await loadProfile(name, env).catch(() => undefined);
  if (previous && JSON.stringify({ ...previous, savedAt: undefined }) === JSON.stringify({ ...profile, savedAt: undefined })) return path;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ ...profile, savedAt: new Date().toISOString() }, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, path);
  return path;
}
