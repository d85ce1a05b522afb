/**
 * Text from a host, a file or a user can hold terminal control sequences: ESC starts them (OSC 52
 * writes the clipboard, others retitle the window or hide text), C1 bytes start them without ESC, CR
 * and backspace overwrite what is shown, bidi overrides reorder it. Shown as \xNN / \uNNNN instead,
 * they cannot act on the terminal.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
const CONTROL_AND_NEWLINE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of text: every control character (newline included) shown escaped; tabs kept. */
export function visible(text: string): string {
  return text.replace(CONTROL_AND_NEWLINE, escapeChar);
}

/** Several lines: newlines kept (the caller lays the lines out), every other control character escaped. */
export function visibleLines(text: string): string {
  return text.replace(CONTROL, escapeChar);
}

/**
 * JSON for a terminal: JSON.stringify escapes C0 but leaves DEL, C1 and the bidi/line separators as
 * they are; those become \uNNNN too, which any JSON parser reads back as the same string.
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
