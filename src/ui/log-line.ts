/**
 * A line of a log from the host, made fit for a terminal: the log is anyone's text (a client id, a
 * topic name, a request logged verbatim), so escape sequences, carriage returns and the like are
 * shown escaped (see visible.ts), tabs become spaces (Java's stack traces indent with them), and a
 * line longer than MAX_LOG_LINE characters is cut with a marker.
 */
import { visible } from '../visible.js';

export const MAX_LOG_LINE = 4000;
export const CUT_MARKER = ' … [long line cut]';

/** Tabs to spaces, to the next multiple of 8 columns, as a terminal would lay them out. */
function expandTabs(text: string): string {
  if (!text.includes('\t')) return text;
  let out = '';
  for (const ch of text) out += ch === '\t' ? ' '.repeat(8 - (out.length % 8)) : ch;
  return out;
}

/**
 * `cutByHost`: the host already cut it (at 4000 bytes), so it gets the marker whatever its length now.
 * Cut first (never inside an escape shown as \xNN), tabs expanded last (at the columns shown).
 */
export function logLine(text: string, cutByHost = false, max = MAX_LOG_LINE): string {
  const chars = [...text];
  const cut = cutByHost || chars.length > max;
  const kept = chars.length > max ? chars.slice(0, max).join('') : text;
  return expandTabs(visible(kept)) + (cut ? CUT_MARKER : '');
}
