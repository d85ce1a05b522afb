/**
 * The file edits of the host procedure, computed from the facts: the heap block in ~/.bashrc, and the
 * settings of the mode's config files (server.properties; zookeeper.properties on 3.x). A step that makes a round trip writes the
 * edits still due with it (`editsDueNow`): explicitly, as an argument of its host operation.
 */
import type { FileChange } from '../host/file-writes.js';
import { heapOpts } from '../kafka/heap.js';
import { type BlockEdit, heapBlock, withHeapBlock } from '../kafka/heap-block.js';
import type { ConfigFile } from '../kafka/mode.js';
import { setProperties } from '../kafka/properties.js';
import { dataPlan } from './data-plan.js';
import { brokerHeapMib, modeFor, placement } from './targets.js';
import type { StepContext } from './types.js';

export function desiredBashrc(ctx: StepContext): BlockEdit {
  return withHeapBlock(ctx.facts.files.bashrc.content ?? '', heapBlock(heapOpts(brokerHeapMib(ctx))));
}

/** The ~/.bashrc edit, if one is due (none while the block is damaged: the heap step refuses that). */
export function heapEdits(ctx: StepContext): FileChange[] {
  const edit = desiredBashrc(ctx);
  if (!edit.ok || edit.text === ctx.facts.files.bashrc.content) return [];
  return [{ fact: ctx.facts.files.bashrc, content: edit.text }];
}

/** The mode's config files and the settings each should have here. */
export function configSettings(ctx: StepContext): ReadonlyArray<readonly [ConfigFile, Array<[string, string]>]> {
  return modeFor(ctx).settings(placement(ctx));
}

/** ZooKeeper's myid in a cluster: its number in the ensemble, alone on a line (a mode with ZooKeeper only). */
export function myidContent(ctx: StepContext): string | undefined {
  return ctx.cluster && modeFor(ctx).daemons.some((d) => d.kind === 'zookeeper') ? `${ctx.cluster.self}\n` : undefined;
}

/** The config files that differ from what they should be, with their new content. */
export function configEdits(ctx: StepContext): FileChange[] {
  const out: FileChange[] = [];
  for (const [name, settings] of configSettings(ctx)) {
    const fact = ctx.facts.files[name];
    if (fact.content === undefined) continue;
    const content = setProperties(fact.content, settings);
    if (content !== fact.content) out.push({ fact, content });
  }
  const myid = myidContent(ctx);
  // Written once the config exists (with it), like the settings it goes with.
  if (myid !== undefined && ctx.facts.files['server.properties'].content !== undefined && ctx.facts.files.myid.content !== myid) {
    out.push({ fact: ctx.facts.files.myid, content: myid });
  }
  return out;
}

/**
 * The edits a round trip made now may carry: the heap block, and the config — unless existing data
 * must move first, in which case the data step writes the config together with the move.
 */
export function editsDueNow(ctx: StepContext): FileChange[] {
  const data = dataPlan(ctx);
  const configCanGo = data.moves.length === 0 && data.problem === undefined;
  return [...heapEdits(ctx), ...(configCanGo ? configEdits(ctx) : [])];
}
