/**
 * A script carried by the exec request itself instead of stdin. OpenSSH opens a session channel with
 * no window: stdin can only follow the exec's reply, a round trip a bare `ssh host true` never pays
 * (on a far server, the larger part of a no-op run: bench/init-bench.ts).
 *
 * Only for a script whose values may all be shown (those --verbose prints: paths, addresses,
 * settings): a command line sits in the host's process table, where its other users can read it; a
 * script that carries a file's content goes on stdin as before. The command is one single-quoted word
 * of base64 and shell syntax, with no newline, quote, backslash or `!` in it: every login shell sshd
 * may hand it to (sh, bash, zsh, fish, csh) passes it to /bin/sh unchanged. stdin stays the channel,
 * so the script still sees end-of-file when we go away (prelude.sh).
 */
import type { RemoteScript } from './script.js';

/** The exit of an inline script on a host without `base64` (before anything ran): sent again on stdin. */
export const NO_BASE64_EXIT = 213;
/** Far below Linux's 128 KiB limit on one argument. */
const MAX_BASE64 = 96 * 1024;

export function inlineCommand(script: Pick<RemoteScript, 'text' | 'vars' | 'shown'>): string | undefined {
  if (Object.keys(script.vars).some((name) => !script.shown.includes(name))) return undefined;
  const encoded = Buffer.from(script.text, 'utf8').toString('base64');
  if (encoded.length > MAX_BASE64) return undefined;
  return `/bin/sh -c 'command -v base64 >/dev/null 2>&1 || exit ${NO_BASE64_EXIT}; eval "$(printf %s ${encoded} | base64 -d)"'`;
}
