/** Runs steps in order: check, then apply and confirm with the same check, reporting each. */
import { InterruptedError, UserError } from '../errors.js';
import { RemoteFailure } from '../remote/session.js';
import type { Outcome, Reporter } from '../ui/reporter.js';
import type { Step, StepContext } from './types.js';

export interface StepReport {
  id: string;
  title: string;
  outcome: Outcome;
  detail: string;
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

export async function runSteps(steps: Step[], ctx: StepContext, reporter: Reporter, dryRun: boolean): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  for (const step of steps) {
    const active = reporter.step(step.title);
    const finish = (outcome: Outcome, detail: string, extra?: string[]): void => {
      // A failure's message follows in the error report; the step line only marks where it happened.
      active.finish(outcome, outcome === 'failed' ? '' : detail, extra);
      reports.push({ id: step.id, title: step.title, outcome, detail });
    };
    try {
      const before = step.check(ctx);
      if (before.done) {
        finish(step.confirmOnly ? 'done' : 'skipped', before.detail);
        continue;
      }
      if (dryRun) {
        finish('planned', `would: ${before.reason}`, step.plan(ctx).map((c) => `$ ${c}`));
        continue;
      }
      active.update(before.reason);
      const did = await step.apply(ctx);
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
