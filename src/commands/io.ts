/** What a command gets from main: the terminal (reporter, prompts) and the Ctrl-C signal. */
import type { Prompter } from '../prompts.js';
import type { Reporter } from '../ui/reporter.js';

export interface CommandIO {
  reporter: Reporter;
  /** Created on first use; only called when the command is interactive. */
  prompter: () => Prompter;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  verbose: boolean;
  debug: boolean;
}
