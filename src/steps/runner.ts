/** Runs steps in order: check, then apply and confirm with the same check, reporting each. */
import { InterruptedError, StepError, UserError } from '../errors.js';
import { RemoteFailure } from '../remote/session.js';
import type { Outcome, Reporter } from '../ui/reporter.js';
import type { Step, StepContext } from './types.js';

export interface StepReport {
  id: string;
  title: string;
  outcome: Outcome;
  detail: string;
  /** In a dry run: why this step would fail, if it would. */
  wouldFail?: UserError;
}

/** What a failure becomes for the user: the step as data, advice where the step gave none. */
export function stepFailure(step: Step, err: unknown): unknown {
  if (err instanceof InterruptedError || err instanceof StepError) return err;
  if (err instanceof RemoteFailure) {
    if (err.kind === 'interrupted') return new InterruptedError();
    return new StepError(
      step,
      new UserError(err.message, {
        details: err.details,
        hint: 'run kafka-setup init again with --verbose to see each remote command; the host is left as it was before this step',
      }),
    );
  }
  if (err instanceof UserError) return new StepError(step, err);
  return err;
}

/** Fails before any change when a pending step is bound to fail (see Step.preflight). */
function preflight(pending: Iterable<Step>, ctx: StepContext): void {
  for (const step of pending) {
    const problem = step.preflight?.(ctx);
    if (problem) throw new StepError(step, problem);
  }
}

/** Where a run of several hosts meets: a step may have to wait until every host has finished another (see init-cluster.ts). */
export interface StepHooks {
  /** Awaited before the step is checked; a rejection stops the run there, the step not started. */
  before?(step: Step, ctx: StepContext): Promise<void>;
  /** Awaited once the step has finished (done, skipped or planned); a rejection stops the run there. */
  after?(step: Step, ctx: StepContext): Promise<void>;
}

export async function runSteps(
  steps: readonly Step[],
  ctx: StepContext,
  reporter: Reporter,
  dryRun: boolean,
  hooks: StepHooks = {},
): Promise<StepReport[]> {
  // A step pending now may be done by an earlier step's round trip (its file edits travel with it):
  // it is reported as done in this run, not as skipped.
  const pending = new Set(steps.filter((s) => !s.check(ctx).done));
  if (!dryRun) preflight(pending, ctx);
  const reports: StepReport[] = [];
  for (const step of steps) {
    await hooks.before?.(step, ctx);
    const active = reporter.step(step.title);
    let finished = false;
    const finish = (outcome: Outcome, detail: string, extra?: string[], wouldFail?: UserError): void => {
      finished = true;
      // A failure's message follows in the error report; the step line only marks where it happened.
      active.finish(outcome, outcome === 'failed' ? '' : detail, extra);
      reports.push({ id: step.id, title: step.title, outcome, detail, ...(wouldFail === undefined ? {} : { wouldFail }) });
    };
    try {
      const before = step.check(ctx);
      if (before.done) {
        finish(before.confirms || (pending.has(step) && !dryRun) ? 'done' : 'skipped', before.detail);
        await hooks.after?.(step, ctx);
        continue;
      }
      if (dryRun) {
        const doomed = step.preflight?.(ctx);
        finish(
          'planned',
          doomed ? `would fail: ${doomed.message}` : `would: ${before.reason}`,
          before.wouldRun.map((c) => `$ ${c}`),
          doomed,
        );
        if (step.planned) ctx.facts = step.planned(ctx);
        await hooks.after?.(step, ctx);
        continue;
      }
      active.update(before.reason);
      ctx.progress = (text) => active.update(text);
      let did: string;
      try {
        did = await step.apply(ctx);
      } finally {
        ctx.progress = undefined;
      }
      const after = step.check(ctx);
      if (!after.done) throw new StepError(step, new UserError(`the change did not take effect (${after.reason})`));
      finish('done', did);
      await hooks.after?.(step, ctx);
    } catch (err) {
      const mapped = stepFailure(step, err);
      // A hook that fails after the step finished (a rolling restart's wait) leaves the step's line as it was.
      if (!finished)
        finish('failed', mapped instanceof InterruptedError ? 'interrupted' : mapped instanceof Error ? mapped.message : String(mapped));
      throw mapped;
    }
  }
  return reports;
}
