/**
 * Runs one command: builds its terminal (reporter, prompts), turns Ctrl-C into a clean stop, and maps
 * what it throws to an exit code — UserError → its code with advice, anything else → a bug report.
 */

import type { CommandIO } from './commands/io.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED, InterruptedError, UserError } from './errors.js';
import { createPrompter, type Prompter } from './prompts.js';
import { createReporter, wantsColor, wantsLiveOutput } from './ui/reporter.js';

export interface GlobalFlags {
  verbose?: boolean;
  debug?: boolean;
  /** Human output off: the command prints its own data on stdout (JSON, log lines); the rest goes to stderr. */
  json?: boolean;
  /** The command's name, for the hints of its errors. */
  command?: string;
}

/**
 * A reader that goes away (`kafka-setup --help | head -1`) makes the next write fail with EPIPE, an
 * 'error' event that would crash with a stack trace. Nobody is left to read it: drop the output and
 * let the command end with its own exit code (a host setup is not abandoned halfway because a pager
 * closed; Ctrl-C is the way to stop it).
 */
export function ignoreClosedOutput(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') return;
      throw err;
    });
  }
}

export async function runCommand(g: GlobalFlags, command: (io: CommandIO) => Promise<number>): Promise<void> {
  const controller = new AbortController();
  const tty = wantsLiveOutput(process.stdout);
  const reporter = createReporter({
    tty,
    ...(tty && !g.json ? { ora: (await import('ora')).default } : {}),
    color: wantsColor(process.stdout),
    verbose: g.verbose === true || g.debug === true,
    quiet: g.json === true,
    command: g.command,
  });
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts += 1;
    // A second Ctrl-C does not wait for the clean-up.
    if (interrupts > 1) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  let prompter: Prompter | undefined;
  const io: CommandIO = {
    reporter,
    prompter: () => (prompter ??= createPrompter(controller.signal)),
    signal: controller.signal,
    env: process.env,
    verbose: g.verbose === true || g.debug === true,
    debug: g.debug === true,
  };
  let code: number;
  try {
    code = await command(io);
  } catch (err) {
    if (err instanceof InterruptedError || controller.signal.aborted) {
      reporter.interrupted();
      code = EXIT_INTERRUPTED;
    } else {
      reporter.error(err, g.debug === true);
      code = err instanceof UserError ? err.exitCode : EXIT_FAILURE;
    }
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  process.exitCode = code;
}
