/** Text as lines that remember their own line ending, so that editors can keep every other byte. */

export interface Line {
  /** Without its line ending. */
  text: string;
  /** '\n', '\r\n', '\r', or '' on a last line without one. */
  eol: string;
}

export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const re = /([^\r\n]*)(\r\n|\n|\r|$)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0] === '' && m.index >= text.length) break;
    lines.push({ text: m[1]!, eol: m[2]! });
    if (m[2] === '') break;
  }
  return lines;
}

export function joinLines(lines: readonly Line[]): string {
  return lines.map((l) => l.text + l.eol).join('');
}

/** The line ending new lines should get: CRLF when the text already uses it. */
export function dominantEol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}
