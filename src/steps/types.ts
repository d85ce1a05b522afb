/**
 * A step of the host procedure: `check` decides from the facts alone whether it is done (the same
 * answer serves --dry-run, the re-run fast path and confirmation), `apply` changes the host through
 * the host operations and merges the facts they re-read. Steps never prompt and never print.
 */
import type { UserError } from '../errors.js';
import type { HostFacts } from '../host/facts.js';
import type { HostOps } from '../host/operations.js';
import type { ClusterView } from '../kafka/cluster.js';
import type { Distribution } from '../kafka/distribution.js';
import type { InitOptions } from '../options/init-options.js';

export type Check =
  /** `confirms`: the step's work is this check (jps): passing is its result, not a reason to skip it. */
  | { done: true; detail: string; confirms?: boolean }
  /** `wouldRun`: the commands apply would run, shown by --dry-run. */
  | { done: false; reason: string; wouldRun: string[] };

export interface StepContext {
  readonly options: InitOptions;
  readonly host: HostOps;
  readonly dist: Distribution;
  facts: HostFacts;
  /** In a cluster: this host's id and every member's private address (undefined: a single node). */
  readonly cluster?: ClusterView | undefined;
  /** Set by the runner while a step applies: live progress for its spinner (e.g. what it waits for). */
  progress?: ((text: string) => void) | undefined;
}

export interface Step {
  id: string;
  title: string;
  check(ctx: StepContext): Check;
  /** Makes the change; returns what it did, in a few words. Failures are UserErrors with advice. */
  apply(ctx: StepContext): Promise<string>;
  /**
   * What would make apply fail for sure (no package manager, no disk, …), checked for every pending
   * step before any step changes anything, so a doomed run changes nothing.
   */
  preflight?(ctx: StepContext): UserError | undefined;
  /**
   * A dry run's facts once this step had applied, as far as later steps' checks read them: a config
   * it would write makes the running JVM stale, so the dry run shows the restart that follows.
   */
  planned?(ctx: StepContext): HostFacts;
}
