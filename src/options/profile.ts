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

function asProfile(value: unknown): Profile | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (!STRING_FIELDS.every((f) => typeof v[f] === 'string')) return undefined;
  if (typeof v.port !== 'number') return undefined;
  if (v.mirrors !== undefined && !(Array.isArray(v.mirrors) && v.mirrors.every((m) => typeof m === 'string'))) return undefined;
  return v as unknown as Profile;
}

export async function loadProfile(name: string, env: NodeJS.ProcessEnv = process.env): Promise<Profile | undefined> {
  const path = profilePath(name, env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`cannot read the profile ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const profile = asProfile(parsed);
  if (!profile) {
    throw new UserError(`the saved profile ${path} is damaged (not the JSON kafka-setup writes)`, {
      hint: `delete it (rm '${path}') and run kafka-setup init again with your flags; it will be written anew`,
    });
  }
  return profile;
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
