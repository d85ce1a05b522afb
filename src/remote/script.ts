/**
 * Remote scripts: a fixed prelude, quoted variable assignments, then one or more bodies from
 * templates/remote/. Scripts print their findings as sections (`::ks:<nonce>:: NAME` then lines),
 * which `parseSections` reads back.
 */
import { randomBytes } from 'node:crypto';
import { template } from '../templates.js';
import { assignments } from './shell.js';

export interface RemoteScript {
  /** Short name for logs, e.g. `probe` or `download`. */
  name: string;
  text: string;
  /** The variables as passed (never printed: some carry file contents). */
  vars: Record<string, string>;
  /**
   * This script's section marker, with a nonce nobody else can print: the user's login shell may
   * print anything before our output (a chatty ~/.bashrc), even without a newline or looking like
   * our own sections.
   */
  mark: string;
}

/**
 * `calls` are extra lines of our own code run after the bodies; they may reference variables but are
 * never built from user input (values only ever travel in `vars`, quoted).
 */
export function remoteScript(name: string, vars: Record<string, string | number>, bodies: string[], calls: string[] = []): RemoteScript {
  const asStrings = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)]));
  const mark = `::ks:${randomBytes(8).toString('hex')}::`;
  // The whole script is one brace group: the shell parses all of it before running any of it, so
  // nothing a command reads from stdin can be taken from the script text (see prelude.sh).
  const text = [
    '{',
    `KS_MARK='${mark}'`,
    template('remote/prelude.sh'),
    assignments(asStrings),
    ...bodies.map((b) => template(`remote/${b}.sh`)),
    ...calls,
    '}',
    '',
  ].join('\n');
  return { name, text, vars: asStrings, mark };
}

export type Sections = Map<string, string[]>;

/** The marker of hand-written section text (tests, fixtures); real scripts carry a nonce. */
export const PLAIN_MARK = '::ks::';

/**
 * The sections after `mark`. Whatever precedes the first marker — on its own lines or glued to the
 * marker's line — is not ours and is ignored.
 */
export function parseSections(stdout: string, mark: string = PLAIN_MARK): Sections {
  const sections: Sections = new Map();
  const header = `${mark} `;
  let current: string[] | undefined;
  for (const raw of stdout.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const at = line.indexOf(header);
    if (at >= 0) {
      current = [];
      sections.set(line.slice(at + header.length).trim(), current);
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
