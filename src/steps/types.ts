/**
 * A step of the host procedure: `check` decides from the facts alone whether it is done (the same
 * answer serves --dry-run, the re-run fast path and confirmation), `apply` changes the host and
 * refreshes the facts it touched. Steps never prompt and never print.
 */
import type { UserError } from '../errors.js';
import type { Distribution } from '../kafka/distribution.js';
import type { InitOptions } from '../options/init-options.js';
import type { RemoteFailure, Session } from '../remote/session.js';
import type { HostFacts } from './facts.js';
import type { FileChange } from './files.js';

export type Check = { done: true; detail: string } | { done: false; reason: string };

export interface StepContext {
  readonly options: InitOptions;
  readonly session: Session;
  readonly dist: Distribution;
  facts: HostFacts;
  /** Set by the runner while a step applies: live progress for its spinner (e.g. what it waits for). */
  progress?: ((text: string) => void) | undefined;
}

export interface Step {
  id: string;
  title: string;
  /** A check-only step (it confirms, changes nothing): reported as done, never as skipped. */
  confirmOnly?: boolean;
  check(ctx: StepContext): Check;
  /**
   * Makes the change; returns what it did, in a few words. A step that `carriesWrites` also makes
   * the given file writes of the steps after it, in the same round trip, after its own work.
   */
  apply(ctx: StepContext, carried?: FileChange[]): Promise<string>;
  carriesWrites?: boolean;
  /**
   * What would make apply fail for sure (no package manager, no disk, …), checked for every pending
   * step before any step changes anything, so a doomed run changes nothing.
   */
  preflight?(ctx: StepContext): UserError | undefined;
  /** The commands apply would run on the host, for --dry-run. */
  plan(ctx: StepContext): string[];
  /**
   * For steps that only write files: the writes, and what was done once they are written. The runner
   * writes a run of such steps in one round trip, then confirms and reports each on its own.
   */
  writes?(ctx: StepContext): FileChange[];
  applied?(ctx: StepContext): string;
  /** Turns a failure the remote script reported into advice, when the step knows better. */
  explain?(failure: RemoteFailure, ctx: StepContext): UserError | undefined;
}
