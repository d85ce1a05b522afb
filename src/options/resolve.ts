/**
 * The precedence every command follows for a value: its flag, then the saved profile, then a prompt
 * (only when interactive, and with --yes only for a value that has no default), then the default. A
 * value that is still missing is a usage error naming the flag. Flags are validated here, so nothing
 * invalid gets past option resolution; a wrong answer at a prompt is refused there and asked again.
 */
import { UsageError } from '../errors.js';
import type { Prompter } from '../prompts.js';
import type { Problem } from './validate.js';

export interface Resolver {
  interactive: boolean;
  prompter: Prompter | undefined;
  /** --yes: take the defaults, ask only for what has none. */
  acceptDefaults?: boolean;
}

export interface Field {
  flag: string;
  value: string | undefined;
  fromProfile?: string | undefined;
  validate: (v: string) => Problem;
  /** A slower look at a prompt's answer (e.g. that a file exists); a problem asks the question again. */
  checkAnswer?: (v: string) => Promise<Problem>;
  /** Asked when interactive and neither flag nor profile gave a value. */
  prompt?: string;
  default?: string | undefined;
  /** Why a missing required value matters, for the error. */
  missingHint?: string;
}

export async function resolveField(r: Resolver, f: Field): Promise<string> {
  if (f.value !== undefined) {
    const problem = f.validate(f.value);
    if (problem) throw new UsageError(`--${f.flag}: ${problem}`);
    return f.value;
  }
  if (f.fromProfile !== undefined && f.validate(f.fromProfile) === undefined) return f.fromProfile;
  const ask = r.interactive && r.prompter && f.prompt && !(r.acceptDefaults && f.default !== undefined);
  if (ask && r.prompter && f.prompt) {
    const check = f.checkAnswer;
    return r.prompter.input(f.prompt, {
      ...(f.default === undefined ? {} : { default: f.default }),
      validate: check ? async (v) => f.validate(v) ?? (await check(v)) : f.validate,
    });
  }
  if (f.default !== undefined) return f.default;
  throw new UsageError(
    `missing --${f.flag}`,
    `${f.missingHint ?? `pass --${f.flag}`}; or run kafka-setup in a terminal to be asked for it`,
  );
}

/** `interactive = flag ?? stdin is a TTY`: every prompt is gated on this one switch. */
export function isInteractive(flag: boolean | undefined, stdin: { isTTY?: boolean } = process.stdin): boolean {
  return flag ?? stdin.isTTY === true;
}
