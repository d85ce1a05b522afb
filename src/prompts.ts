/**
 * The only module that talks to inquirer. Commands receive a Prompter, so tests can replace it; a
 * cancelled prompt (Ctrl-C, Esc) becomes an InterruptedError, not a crash. inquirer is loaded on the
 * first question: runs that ask nothing (flags, a profile, CI) do not pay for it.
 */
import { InterruptedError } from './errors.js';
import { visible, visibleLines } from './visible.js';

export interface Prompter {
  /** validate returns what is wrong with an answer (shown, and the question asked again), or undefined. */
  input(
    message: string,
    opts?: { default?: string; validate?: (v: string) => string | undefined | Promise<string | undefined> },
  ): Promise<string>;
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
  secret(message: string): Promise<string>;
}

function cancelled(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError');
}

async function guard<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (cancelled(err)) throw new InterruptedError();
    throw err;
  }
}

const inquirer = (): Promise<typeof import('@inquirer/prompts')> => import('@inquirer/prompts');

export function createPrompter(signal?: AbortSignal): Prompter {
  const ctx = signal ? { signal } : {};
  return {
    async input(message, opts = {}) {
      const { input } = await inquirer();
      return guard(
        input(
          {
            // Questions and refusals quote what was typed or found: shown, never obeyed (see visible.ts).
            message: visibleLines(message),
            ...(opts.default === undefined ? {} : { default: opts.default }),
            validate: async (v: string) => {
              const problem = await opts.validate?.(v.trim());
              return problem === undefined ? true : visible(problem);
            },
          },
          ctx,
        ),
      ).then((v) => v.trim());
    },
    async confirm(message, defaultValue) {
      const { confirm } = await inquirer();
      return guard(confirm({ message: visibleLines(message), default: defaultValue }, ctx));
    },
    async secret(message) {
      const { password } = await inquirer();
      return guard(password({ message: visibleLines(message), mask: true }, ctx));
    },
  };
}
