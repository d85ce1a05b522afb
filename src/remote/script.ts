/**
 * Remote scripts: a fixed prelude, quoted variable assignments, then one or more bodies from
 * templates/remote/. Scripts print their findings as sections (`::ks:: NAME` then lines), which
 * `parseSections` reads back.
 */
import { template } from '../templates.js';
import { assignments } from './shell.js';

export interface RemoteScript {
  /** Short name for logs, e.g. `probe` or `download`. */
  name: string;
  text: string;
  /** The variables as passed, for --verbose (values that are secrets are never passed at all). */
  vars: Record<string, string>;
}

/**
 * `calls` are extra lines of our own code run after the bodies; they may reference variables but are
 * never built from user input (values only ever travel in `vars`, quoted).
 */
export function remoteScript(name: string, vars: Record<string, string | number>, bodies: string[], calls: string[] = []): RemoteScript {
  const asStrings = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)]));
  // The whole script is one brace group: the shell parses all of it before running any of it, so
  // nothing a command reads from stdin can be taken from the script text (see prelude.sh).
  const text = [
    '{',
    template('remote/prelude.sh'),
    assignments(asStrings),
    ...bodies.map((b) => template(`remote/${b}.sh`)),
    ...calls,
    '}',
    '',
  ].join('\n');
  return { name, text, vars: asStrings };
}

export type Sections = Map<string, string[]>;

const MARK = '::ks:: ';

export function parseSections(stdout: string): Sections {
  const sections: Sections = new Map();
  let current: string[] | undefined;
  for (const line of stdout.split('\n')) {
    if (line.startsWith(MARK)) {
      const name = line.slice(MARK.length).trim();
      current = [];
      sections.set(name, current);
    } else if (current && line !== '') {
      current.push(line);
    }
  }
  return sections;
}

/** `key=value` lines of a section (the first `=` splits). */
export function keyValues(lines: readonly string[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of lines ?? []) {
    const i = line.indexOf('=');
    if (i > 0) map.set(line.slice(0, i), line.slice(i + 1));
  }
  return map;
}
