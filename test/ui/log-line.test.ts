import { describe, expect, it } from 'vitest';
import { CUT_MARKER, logLine, MAX_LOG_LINE } from '../../src/ui/log-line.js';

/** Anything that acts on a terminal: C0 (tab and newline included), DEL, C1, bidi and line separators. */
const ACTIVE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

describe('a log line made fit for a terminal', () => {
  it('shows escape sequences, carriage returns, C1 and bidi controls escaped, never raw', () => {
    const hostile = 'a\u001b]52;c;ZWNobw==\u0007b \u001b[2Jc\rd\u009b31m e\u202ef\u0000g\u2028h\u007f';
    const shown = logLine(hostile);
    expect(shown).not.toMatch(ACTIVE);
    expect(shown).toBe('a\\x1b]52;c;ZWNobw==\\x07b \\x1b[2Jc\\x0dd\\x9b31m e\\u202ef\\x00g\\u2028h\\x7f');
  });

  it('turns tabs into spaces up to the next 8-column stop, counting columns as shown', () => {
    expect(logLine('\tat kafka.Kafka.main(Kafka.scala:1)')).toBe('        at kafka.Kafka.main(Kafka.scala:1)');
    expect(logLine('ab\tc')).toBe('ab      c');
    // The escape takes 4 columns on screen: the tab stop counts them.
    expect(logLine('\u001b\tx')).toBe('\\x1b    x');
  });

  it('cuts a long line at MAX_LOG_LINE characters, with a marker, whole characters only', () => {
    expect(logLine('x'.repeat(MAX_LOG_LINE))).toBe('x'.repeat(MAX_LOG_LINE));
    expect(logLine('x'.repeat(MAX_LOG_LINE + 1))).toBe(`${'x'.repeat(MAX_LOG_LINE)}${CUT_MARKER}`);
    const emoji = logLine('😀'.repeat(MAX_LOG_LINE + 5));
    expect(emoji).toBe(`${'😀'.repeat(MAX_LOG_LINE)}${CUT_MARKER}`);
    // Cut before escaping: an escape is never cut in half, and the shown line stays bounded.
    expect(logLine('\u001b'.repeat(MAX_LOG_LINE * 2))).toBe(`${'\\x1b'.repeat(MAX_LOG_LINE)}${CUT_MARKER}`);
  });

  it('marks a line the host cut already, and keeps what invalid UTF-8 became', () => {
    expect(logLine('abc', true)).toBe(`abc${CUT_MARKER}`);
    expect(logLine('bad \ufffd\ufffd bytes')).toBe('bad \ufffd\ufffd bytes');
    expect(logLine('')).toBe('');
  });
});
