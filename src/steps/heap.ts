/** Step: KAFKA_HEAP_OPTS in ~/.bashrc, for the user's own shells (the start steps pass it directly). */
import { UserError } from '../errors.js';
import { formatHeap, heapOpts } from '../kafka/heap.js';
import { heapBlock, withHeapBlock, type BlockEdit } from '../kafka/heap-block.js';
import { applyWrites } from './files.js';
import { BASHRC, brokerHeapMib, memoryFitProblem } from './targets.js';
import type { Step, StepContext } from './types.js';

function desired(ctx: StepContext): BlockEdit {
  return withHeapBlock(ctx.facts.files.bashrc.content ?? '', heapBlock(heapOpts(brokerHeapMib(ctx))));
}

function wanted(ctx: StepContext): string {
  const edit = desired(ctx);
  // preflight refuses a damaged block before anything changes; reaching this is a bug.
  if (!edit.ok) throw new Error(`heap step applied despite: ${edit.problem}`);
  return edit.text;
}

export const heapStep: Step = {
  id: 'heap',
  title: 'Set the Kafka heap in ~/.bashrc',
  check(ctx) {
    // Never done while the heap does not fit, even when ~/.bashrc and the running JVMs already have it:
    // a re-run must stop at the preflight (before any change) rather than keep JVMs the OOM killer ends.
    const tooBig = memoryFitProblem(ctx);
    if (tooBig) return { done: false, reason: tooBig.message };
    const opts = heapOpts(brokerHeapMib(ctx));
    const edit = desired(ctx);
    if (!edit.ok) return { done: false, reason: `repair ~/.bashrc by hand: ${edit.problem}` };
    if (ctx.facts.files.bashrc.content === edit.text) return { done: true, detail: `KAFKA_HEAP_OPTS="${opts}" is already set` };
    return { done: false, reason: `set KAFKA_HEAP_OPTS="${opts}" (heap ${formatHeap(brokerHeapMib(ctx))})` };
  },
  preflight(ctx) {
    const tooBig = memoryFitProblem(ctx);
    if (tooBig) return tooBig;
    const edit = desired(ctx);
    return edit.ok ? undefined : new UserError(edit.problem, { hint: edit.hint });
  },
  plan(ctx) {
    return [`write ${BASHRC} with the kafka-setup block at its end: export KAFKA_HEAP_OPTS="${heapOpts(brokerHeapMib(ctx))}" (backup: ${BASHRC}.kafka-setup.bak)`];
  },
  writes: (ctx) => [{ fact: ctx.facts.files.bashrc, content: wanted(ctx) }],
  applied: (ctx) => `KAFKA_HEAP_OPTS="${heapOpts(brokerHeapMib(ctx))}" in ${ctx.facts.files.bashrc.path}`,
  apply: (ctx) => applyWrites([heapStep], ctx),
};
