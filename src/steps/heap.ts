/** Step: KAFKA_HEAP_OPTS in ~/.bashrc, for the user's own shells (the start steps pass it directly). */
import { UserError } from '../errors.js';
import { withUpdate } from '../host/facts.js';
import { BASHRC } from '../host/target.js';
import { formatHeap, heapOpts } from '../kafka/heap.js';
import { desiredBashrc, editsDueNow } from './edits.js';
import { brokerHeapMib, memoryFitProblem } from './targets.js';
import type { Step } from './types.js';

export const heapStep: Step = {
  id: 'heap',
  title: 'Set the Kafka heap in ~/.bashrc',
  check(ctx) {
    const opts = heapOpts(brokerHeapMib(ctx));
    const wouldRun = [
      `write ${BASHRC} with the kafka-setup block at its end: export KAFKA_HEAP_OPTS="${opts}" (backup: ${BASHRC}.kafka-setup.bak)`,
    ];
    // Never done while the heap does not fit, even when ~/.bashrc and the running JVMs already have it:
    // a re-run must stop at the preflight (before any change) rather than keep JVMs the OOM killer ends.
    const tooBig = memoryFitProblem(ctx);
    if (tooBig) return { done: false, reason: tooBig.message, wouldRun };
    const edit = desiredBashrc(ctx);
    if (!edit.ok) return { done: false, reason: `repair ~/.bashrc by hand: ${edit.problem}`, wouldRun };
    if (ctx.facts.files.bashrc.content === edit.text)
      return { done: true, detail: `KAFKA_HEAP_OPTS="${opts}" in ${ctx.facts.files.bashrc.path}` };
    return { done: false, reason: `set KAFKA_HEAP_OPTS="${opts}" (heap ${formatHeap(brokerHeapMib(ctx))})`, wouldRun };
  },
  preflight(ctx) {
    const tooBig = memoryFitProblem(ctx);
    if (tooBig) return tooBig;
    const edit = desiredBashrc(ctx);
    return edit.ok ? undefined : new UserError(edit.problem, { hint: edit.hint });
  },
  async apply(ctx) {
    // The config edits due too travel in the same round trip.
    ctx.facts = withUpdate(ctx.facts, await ctx.host.writeFiles(editsDueNow(ctx)));
    return `KAFKA_HEAP_OPTS="${heapOpts(brokerHeapMib(ctx))}" in ${ctx.facts.files.bashrc.path}`;
  },
};
