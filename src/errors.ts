/** Exit codes: 1 = the operation failed, 2 = bad input (usage), 130 = interrupted (Ctrl-C). */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/**
 * An error the user can act on: what happened, and what to do about it. Anything else that escapes
 * is a bug in kafka-setup and is reported as such (stack trace only with --debug).
 */
export class UserError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;
  /** Extra lines shown under the message, e.g. the last lines of a log. */
  readonly details: string[];

  constructor(message: string, opts: { hint?: string; exitCode?: number; details?: string[] } = {}) {
    super(message);
    this.name = 'UserError';
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? EXIT_FAILURE;
    this.details = opts.details ?? [];
  }
}

/** Bad flags, bad values, missing values: exit 2. */
export class UsageError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: EXIT_USAGE, ...(hint === undefined ? {} : { hint }) });
    this.name = 'UsageError';
  }
}

/** The user pressed Ctrl-C (or cancelled a prompt). */
export class InterruptedError extends Error {
  constructor() {
    super('interrupted');
    this.name = 'InterruptedError';
  }
}

/** A step of the host procedure failed: the step travels as data, the message says what happened. */
export class StepError extends UserError {
  constructor(
    readonly step: { id: string; title: string },
    cause: UserError,
  ) {
    super(cause.message, { ...(cause.hint === undefined ? {} : { hint: cause.hint }), exitCode: cause.exitCode, details: cause.details });
    this.name = 'StepError';
  }

  /** As the user reads it: the step's title, then what happened. */
  get headline(): string {
    return `${this.step.title}: ${this.message}`;
  }
}
