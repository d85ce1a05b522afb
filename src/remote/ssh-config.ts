/**
 * The one OpenSSH client setting kafka-setup follows when it records a host key: HashKnownHosts
 * (Debian and Ubuntu turn it on in /etc/ssh/ssh_config), so a recorded line does not reveal the
 * host's name when the user's ssh would not have. First value obtained wins, as in ssh_config(5);
 * `Match` blocks cannot be evaluated here and are skipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { patternsMatch, wildcardMatch } from './known-hosts.js';

/** Files an `Include` names: relative paths are under ~/.ssh (user) or /etc/ssh (system); `*` globs in the last part. */
function included(arg: string, base: string): string[] {
  const path = arg.startsWith('~/') ? join(homedir(), arg.slice(2)) : isAbsolute(arg) ? arg : join(base, arg);
  const name = basename(path);
  if (!/[*?]/.test(name)) return [path];
  try {
    return readdirSync(dirname(path))
      .filter((f) => wildcardMatch(name, f))
      .sort()
      .map((f) => join(dirname(path), f));
  } catch {
    return [];
  }
}

function valueIn(file: string, base: string, host: string, depth: number): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let applies = true;
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z]+)(?:\s*=\s*|\s+)(.*?)\s*$/.exec(raw);
    if (!m || raw.trim().startsWith('#')) continue;
    const key = m[1]!.toLowerCase();
    const args = m[2]!.split(/\s+/).filter(Boolean);
    if (key === 'host') applies = patternsMatch(args, host);
    else if (key === 'match') applies = false;
    else if (!applies) continue;
    else if (key === 'include' && depth < 8) {
      for (const arg of args) {
        for (const f of included(arg, base)) {
          const v = valueIn(f, base, host, depth + 1);
          if (v !== undefined) return v;
        }
      }
    } else if (key === 'hashknownhosts') return args[0]?.toLowerCase();
  }
  return undefined;
}

/** Whether the user's ssh would hash the host names it records in known_hosts. */
export function hashKnownHosts(host: string, files = { user: join(homedir(), '.ssh', 'config'), system: '/etc/ssh/ssh_config' }): boolean {
  const value = valueIn(files.user, dirname(files.user), host, 0) ?? valueIn(files.system, dirname(files.system), host, 0);
  return value === 'yes';
}
