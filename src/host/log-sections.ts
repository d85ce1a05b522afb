/**
 * What logs.sh prints, read through the declared vocabulary: a `logfile <kind>` section per log asked
 * for, then the `tail` section's lines (`line=KIND TEXT`, `cut=KIND TEXT`), which arrive streamed.
 */
import type { DaemonSpec } from '../kafka/daemons.js';
import type { Sections } from '../remote/script.js';
import type { LogFile, LogLine } from './operations.js';
import { requireSection } from './sections.js';
import type { KeyOf } from './vocabulary.js';

const STATES: ReadonlySet<string> = new Set<LogFile['state']>(['ok', 'missing', 'unreadable', 'no_install']);

/** The `logfile` sections' lines, as streamed ([section name, line] in order), one LogFile per daemon. */
export function readLogFiles(lines: ReadonlyArray<readonly [string, string]>, daemons: readonly DaemonSpec[]): LogFile[] {
  const sections: Sections = new Map();
  for (const [name, line] of lines) sections.set(name, [...(sections.get(name) ?? []), line]);
  return daemons.map((daemon) => {
    const s = requireSection(sections, 'logs', 'logfile', daemon.kind);
    const state = s.get('state') ?? '';
    return { daemon, path: s.get('path') ?? '', state: STATES.has(state) ? (state as LogFile['state']) : 'unreadable' };
  });
}

const LINE_KEYS: ReadonlyArray<KeyOf<'tail'>> = ['line', 'cut'];

/** One line of the `tail` section; undefined for anything else (never a line of another daemon). */
export function readLogLine(line: string, daemons: readonly DaemonSpec[]): LogLine | undefined {
  const eq = line.indexOf('=');
  const key = line.slice(0, eq);
  if (eq < 0 || !LINE_KEYS.includes(key as KeyOf<'tail'>)) return undefined;
  const rest = line.slice(eq + 1);
  const space = rest.indexOf(' ');
  const daemon = daemons.find((d) => d.kind === (space < 0 ? rest : rest.slice(0, space)));
  if (!daemon || space < 0) return undefined;
  return { daemon, text: rest.slice(space + 1), cut: key === 'cut' };
}
