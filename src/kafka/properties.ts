/**
 * A comment-preserving editor for Java `.properties` files (Kafka's server.properties and
 * zookeeper.properties). Only the values of the keys we set change; every other byte — comments,
 * blank lines, ordering, separators, line endings — stays as it was.
 */
import { dominantEol, joinLines, type Line, splitLines } from '../text-lines.js';

interface Entry {
  key: string; // unescaped
  first: number; // index of its first line
  last: number; // index of its last line (continuations)
  prefix: string; // the first line up to where the value starts (indent, key, separator)
  value: string; // unescaped value
}

function isComment(text: string): boolean {
  return /^[ \t\f]*[#!]/.test(text);
}

/** True when a line ends in an odd number of backslashes, i.e. continues on the next line. */
function continues(text: string): boolean {
  const m = /\\+$/.exec(text);
  return m !== null && m[0].length % 2 === 1;
}

function unescapeProperty(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_all, esc: string) => {
    if (esc.length === 5) return String.fromCharCode(parseInt(esc.slice(1), 16));
    return { t: '\t', n: '\n', r: '\r', f: '\f' }[esc] ?? esc;
  });
}

/** Splits a logical line into key text, separator and value text, following java.util.Properties. */
function splitEntry(logical: string): { keyText: string; prefixLen: number; valueText: string } {
  let i = 0;
  while (i < logical.length && ' \t\f'.includes(logical[i]!)) i++;
  const keyStart = i;
  while (i < logical.length) {
    const c = logical[i]!;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if ('=: \t\f'.includes(c)) break;
    i++;
  }
  const keyText = logical.slice(keyStart, Math.min(i, logical.length));
  while (i < logical.length && ' \t\f'.includes(logical[i]!)) i++;
  if (i < logical.length && '=:'.includes(logical[i]!)) i++;
  while (i < logical.length && ' \t\f'.includes(logical[i]!)) i++;
  return { keyText, prefixLen: i, valueText: logical.slice(i) };
}

function parse(lines: Line[]): Entry[] {
  const entries: Entry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.text;
    if (text.trim() === '' || isComment(text)) continue;
    const first = i;
    // Join continuation lines: drop the trailing backslash and the next line's leading whitespace.
    let logical = text;
    while (continues(logical) && i + 1 < lines.length) {
      i++;
      logical = logical.slice(0, -1) + lines[i]!.text.replace(/^[ \t\f]+/, '');
    }
    const { keyText, prefixLen, valueText } = splitEntry(logical);
    // The value is rewritten on one line; keep the first line's indent, key and separator when the
    // separator ends on that line (anything else would be a key split over lines: rare and odd).
    const firstText = lines[first]!.text;
    const room = first === i ? firstText.length : firstText.length - 1;
    const prefix = prefixLen <= room ? firstText.slice(0, prefixLen) : `${keyText}=`;
    entries.push({ key: unescapeProperty(keyText), first, last: i, prefix, value: unescapeProperty(valueText) });
  }
  return entries;
}

/** Escapes a value for writing: backslashes, a leading space, control characters, non-Latin-1. */
export function escapeValue(value: string): string {
  let out = '';
  for (const [idx, ch] of [...value].entries()) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\f') out += '\\f';
    else if (ch === ' ' && idx === 0) out += '\\ ';
    else if (code > 0xff) {
      for (const unit of ch.split('')) out += `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out;
}

function escapeKey(key: string): string {
  return escapeValue(key).replace(/[=: #!]/g, (c) => `\\${c}`);
}

/** The value of `key` (the last occurrence wins, as in Java), or undefined. */
export function getProperty(text: string, key: string): string | undefined {
  return parse(splitLines(text))
    .filter((e) => e.key === key)
    .at(-1)?.value;
}

/** A commented-out example of the key, e.g. `#advertised.listeners=PLAINTEXT://your.host.name:9092`. */
function commentedIndex(lines: Line[], key: string): number {
  let found = -1;
  lines.forEach((line, idx) => {
    const m = /^[ \t\f]*[#!][ \t\f]*(.*)$/.exec(line.text);
    if (m && m[1] !== '' && unescapeProperty(splitEntry(m[1]!).keyText) === key) found = idx;
  });
  return found;
}

/**
 * Sets each key to its value. An existing entry keeps its key spelling and separator and only its
 * value changes (all occurrences, so the file never says two things); a missing key goes right after
 * its commented-out example when there is one, else at the end. Returns the text unchanged (the same
 * string) when every key already has its value.
 */
export function setProperties(text: string, changes: ReadonlyArray<readonly [string, string]>): string {
  let lines = splitLines(text);
  const eol = dominantEol(text);
  let changed = false;
  for (const [key, value] of changes) {
    const entries = parse(lines).filter((e) => e.key === key);
    if (entries.length > 0) {
      // Replace from the bottom so earlier indexes stay valid.
      for (const e of [...entries].reverse()) {
        if (e.value === value) continue;
        const replacement: Line = { text: e.prefix + escapeValue(value), eol: lines[e.last]!.eol };
        lines = [...lines.slice(0, e.first), replacement, ...lines.slice(e.last + 1)];
        changed = true;
      }
      continue;
    }
    const at = commentedIndex(lines, key);
    const insertAt = at >= 0 ? at + 1 : lines.length;
    const prev = lines[insertAt - 1];
    if (prev && prev.eol === '') lines[insertAt - 1] = { ...prev, eol };
    const newLine: Line = { text: `${escapeKey(key)}=${escapeValue(value)}`, eol };
    lines = [...lines.slice(0, insertAt), newLine, ...lines.slice(insertAt)];
    changed = true;
  }
  return changed ? joinLines(lines) : text;
}
