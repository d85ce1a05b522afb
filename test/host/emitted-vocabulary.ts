/**
 * What the shell scripts in templates/remote/ print, read from their text: for each section, the keys
 * its lines carry. A helper function that prints lines of a section opened by its caller names that
 * section in a `# emits: NAME` comment inside it or on the line above it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REMOTE_TEMPLATES = join(import.meta.dirname, '../../templates/remote');

/** Section name → keys (a key `*` stands for keys chosen at run time, e.g. tool names). */
export type Emitted = Map<string, Set<string>>;

function add(out: Emitted, section: string | undefined, key: string, where: string): void {
  if (section === undefined) throw new Error(`${where}: key ${key} printed outside any section`);
  if (!out.has(section)) out.set(section, new Set());
  out.get(section)!.add(key);
}

export function emittedVocabulary(dir = REMOTE_TEMPLATES): Emitted {
  const out: Emitted = new Map();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.sh'))
    .sort()) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    let topLevel: string | undefined;
    let inFunction = false;
    let current: string | undefined;
    let beforeError: string | undefined;
    lines.forEach((line, i) => {
      const where = `${file}:${i + 1}`;
      const code = line.replace(/^\s*#.*$/, '');
      const emits = /^\s*# emits: ([a-z0-9_]+)\s*$/.exec(line);
      if (emits) current = emits[1];
      if (/^[a-z_][a-z0-9_]*\(\)\s*\{/.test(line)) {
        if (!inFunction) topLevel = current;
        inFunction = !/\}\s*$/.test(line);
        // The comment right above the function may name the section it prints into.
        current = /^\s*# emits: ([a-z0-9_]+)\s*$/.exec(lines[i - 1] ?? '')?.[1];
      }
      // Statements in order of appearance on the line (one-line functions hold several).
      const tokens = code.matchAll(
        /\bexit\b|ks_section\s+("[a-z0-9_]+ \$[^"]*"|[a-z0-9_]+)|ks_fail_with_log\b|ks_fail\s+[a-z_]+|ks_kv\s+("?\$?[A-Za-z0-9_]+"?)|printf ['"]([a-z_]+)=|print "([a-z_]+)=|sed (?:'s\/\^\/|"s\|\^\|)([a-z_]+)=|\$\{ks_\w+\}([a-z_]+)=/g,
      );
      for (const t of tokens) {
        const [whole, section, kvKey, printfKey, awkKey, sedKey, accKey] = t;
        if (whole === 'exit') {
          // An error section ends the script: what follows the branch is printed into the section before it.
          if (current === 'error') current = beforeError;
        } else if (section !== undefined) {
          if (section === 'error') beforeError = current;
          // `"file $1"`, `"unit ${…}"`: a section with an instance, named by its first word.
          current = section.replace(/^"/, '').split(' ')[0]!;
          if (!out.has(current)) out.set(current, new Set());
        } else if (whole.startsWith('ks_fail_with_log')) for (const k of ['kind', 'message', 'log', 'line']) add(out, 'error', k, where);
        else if (whole.startsWith('ks_fail')) for (const k of ['kind', 'message']) add(out, 'error', k, where);
        else if (kvKey !== undefined) add(out, current, kvKey.includes('$') ? '*' : kvKey.replace(/"/g, ''), where);
        else if (printfKey !== undefined && !/>\s*"?\$/.test(code)) add(out, current, printfKey, where);
        else if (awkKey !== undefined) add(out, current, awkKey, where);
        else if (sedKey !== undefined) add(out, current, sedKey, where);
        else if (accKey !== undefined) add(out, 'error', accKey, where);
      }
      if (line === '}' && inFunction) {
        inFunction = false;
        current = topLevel;
      }
    });
  }
  return out;
}
