/** Runs steps in order: check, then apply and confirm with the same check, reporting each. */
import { InterruptedError, UserError } from '../errors.js';
import { RemoteFailure } from '../remote/session.js';
import type { Outcome, Reporter } from '../ui/reporter.js';
import { applyWrites } from './files.js';
import type { Step, StepContext } from './types.js';

export interface StepReport {
  id: string;
  title: string;
  outcome: Outcome;
  detail: string;
  /** In a dry run: why this step would fail, if it would. */
  wouldFail?: UserError;
}

export function failureToUserError(step: Step, err: unknown, ctx: StepContext): unknown {
  if (err instanceof InterruptedError) return err;
  if (err instanceof RemoteFailure) {
    if (err.kind === 'interrupted') return new InterruptedError();
    const explained = step.explain?.(err, ctx);
    if (explained) return explained;
    return new UserError(`${step.title}: ${err.message}`, {
      details: err.details,
      hint: 'run kafka-setup init again with --verbose to see each remote command; the host is left as it was before this step',
    });
  }
  if (err instanceof UserError && !err.message.startsWith(step.title)) {
    return new UserError(`${step.title}: ${err.message}`, { ...(err.hint === undefined ? {} : { hint: err.hint }), exitCode: err.exitCode, details: err.details });
  }
  return err;
}

/** The pending file-writing steps after `at`, up to the next pending step of another kind: written in the same round trip. */
function writeFollowers(steps: readonly Step[], at: number, ctx: StepContext): Step[] {
  const followers: Step[] = [];
  for (const next of steps.slice(at + 1)) {
    // A step with nothing to do does not stand between: its neighbours' writes can still travel.
    if (next.check(ctx).done) continue;
    if (!next.writes) break;
    followers.push(next);
  }
  return followers;
}

/** Fails before any change when a pending step is bound to fail (see Step.preflight). */
function preflight(steps: readonly Step[], ctx: StepContext): void {
  for (const step of steps) {
    if (!step.preflight || step.check(ctx).done) continue;
    const problem = step.preflight(ctx);
    if (problem) {
      throw new UserError(`${step.title}: ${problem.message}`, { ...(problem.hint === undefined ? {} : { hint: problem.hint }), details: problem.details });
    }
  }
}

export async function runSteps(steps: readonly Step[], ctx: StepContext, reporter: Reporter, dryRun: boolean): Promise<StepReport[]> {
  if (!dryRun) preflight(steps, ctx);
  const reports: StepReport[] = [];
  // Steps whose files were written together with an earlier step's: confirmed when their turn comes.
  const writtenEarlier = new Set<Step>();
  for (const [index, step] of steps.entries()) {
    const active = reporter.step(step.title);
    const finish = (outcome: Outcome, detail: string, extra?: string[], wouldFail?: UserError): void => {
      // A failure's message follows in the error report; the step line only marks where it happened.
      active.finish(outcome, outcome === 'failed' ? '' : detail, extra);
      reports.push({ id: step.id, title: step.title, outcome, detail, ...(wouldFail === undefined ? {} : { wouldFail }) });
    };
    try {
      let did: string;
      if (writtenEarlier.has(step)) {
        did = step.applied?.(ctx) ?? 'written';
      } else {
        const before = step.check(ctx);
        if (before.done) {
          finish(step.confirmOnly ? 'done' : 'skipped', before.detail);
          continue;
        }
        if (dryRun) {
          const doomed = step.preflight?.(ctx);
          finish('planned', doomed ? `would fail: ${doomed.message}` : `would: ${before.reason}`, step.plan(ctx).map((c) => `$ ${c}`), doomed);
          continue;
        }
        active.update(before.reason);
        // File writes of the steps that follow travel with this step's round trip when they can.
        const followers = step.writes || step.carriesWrites ? writeFollowers(steps, index, ctx) : [];
        for (const f of followers) writtenEarlier.add(f);
        ctx.progress = (text) => active.update(text);
        try {
          if (step.writes) did = await applyWrites([step, ...followers], ctx);
          else did = await step.apply(ctx, followers.flatMap((f) => f.writes!(ctx)));
        } finally {
          ctx.progress = undefined;
        }
      }
      const after = step.check(ctx);
      if (!after.done) throw new UserError(`${step.title}: the change did not take effect (${after.reason})`);
      finish('done', did);
    } catch (err) {
      const mapped = failureToUserError(step, err, ctx);
      finish('failed', mapped instanceof InterruptedError ? 'interrupted' : mapped instanceof Error ? mapped.message.replace(`${step.title}: `, '') : String(mapped));
      throw mapped;
    }
  }
  return reports;
}
