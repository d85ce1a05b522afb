/** Step: KAFKA_HEAP_OPTS in ~/.bashrc, for the user's own shells (the start steps pass it directly). */
import { formatHeap, heapOpts } from '../kafka/heap.js';
import { heapBlock, withHeapBlock } from '../kafka/heap-block.js';
import { applyWrites } from './files.js';
import { BASHRC, brokerHeapMib } from './targets.js';
import type { Step, StepContext } from './types.js';

function desired(ctx: StepContext): string {
  return withHeapBlock(ctx.facts.files.bashrc.content ?? '', heapBlock(heapOpts(brokerHeapMib(ctx))));
}

export const heapStep: Step = {
  id: 'heap',
  title: 'Set the Kafka heap in ~/.bashrc',
  check(ctx) {
    const opts = heapOpts(brokerHeapMib(ctx));
    if (ctx.facts.files.bashrc.content === desired(ctx)) return { done: true, detail: `KAFKA_HEAP_OPTS="${opts}" is already set` };
    return { done: false, reason: `set KAFKA_HEAP_OPTS="${opts}" (heap ${formatHeap(brokerHeapMib(ctx))})` };
  },
  plan(ctx) {
    return [`write ${BASHRC} with the kafka-setup block at its end: export KAFKA_HEAP_OPTS="${heapOpts(brokerHeapMib(ctx))}" (backup: ${BASHRC}.kafka-setup.bak)`];
  },
  writes: (ctx) => [{ fact: ctx.facts.files.bashrc, content: desired(ctx) }],
  applied: (ctx) => `KAFKA_HEAP_OPTS="${heapOpts(brokerHeapMib(ctx))}" in ${ctx.facts.files.bashrc.path}`,
  apply: (ctx) => applyWrites([heapStep], ctx),
};
