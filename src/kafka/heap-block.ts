/**
 * The marked ~/.bashrc block that exports KAFKA_HEAP_OPTS. It is replaced, never duplicated, and
 * always moved to the end of the file so that no hand-written KAFKA_HEAP_OPTS export can override it.
 * Only what is provably ours is ever removed: a damaged or hand-edited block is refused, not guessed.
 */
import { render, template } from '../templates.js';

export const BLOCK_START = '# >>> kafka-setup: Kafka heap >>>';
export const BLOCK_END = '# <<< kafka-setup: Kafka heap <<<';

export function heapBlock(heapOpts: string): string {
  return render('bashrc-block.sh', { heapOpts });
}

/** The edited file, or why kafka-setup will not touch it (with 1-based line numbers). */
export type BlockEdit = { ok: true; text: string } | { ok: false; problem: string; hint: string };

/** The comment lines of our template: any version of the block carries exactly these. */
function templateComments(): Set<string> {
  return new Set(
    template('bashrc-block.sh')
      .split('\n')
      .filter((l) => l.startsWith('#') && l !== BLOCK_START && l !== BLOCK_END),
  );
}

const OUR_EXPORT = /^export KAFKA_HEAP_OPTS="[-A-Za-z0-9:+=. ]*"$/;

const REPAIR_HINT =
  `open ~/.bashrc on the host, move your own lines out from between "${BLOCK_START}" and "${BLOCK_END}" ` +
  '(or delete what remains of the block), then run kafka-setup init again; nothing was changed';

/** Removes every marked block (and the blank line written before it) when all of them are ours. */
export function withoutHeapBlock(text: string): BlockEdit {
  const lines = text.split('\n');
  const comments = templateComments();
  const kept: string[] = [];
  let openedAt = -1;
  // The first line inside the open block that is not ours: reported once the block's end is seen,
  // since a block that never ends is the more useful thing to say.
  let foreignAt = -1;
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (openedAt < 0) {
      if (trimmed === BLOCK_START) {
        openedAt = i;
        if (kept.length > 0 && kept.at(-1)!.replace(/\r$/, '') === '') kept.pop();
      } else if (trimmed === BLOCK_END) {
        return { ok: false, problem: `~/.bashrc line ${i + 1} ends a kafka-setup block that never started`, hint: REPAIR_HINT };
      } else {
        kept.push(raw);
      }
      continue;
    }
    if (trimmed === BLOCK_END) {
      if (foreignAt >= 0) {
        return {
          ok: false,
          problem: `~/.bashrc line ${foreignAt + 1}, inside the kafka-setup block, was not written by kafka-setup`,
          hint: REPAIR_HINT,
        };
      }
      openedAt = -1;
    } else if (trimmed === BLOCK_START) {
      return {
        ok: false,
        problem: `~/.bashrc line ${openedAt + 1} starts a kafka-setup block that never ends (another starts at line ${i + 1})`,
        hint: REPAIR_HINT,
      };
    } else if (foreignAt < 0 && !comments.has(line.trimEnd()) && !OUR_EXPORT.test(line.trim())) {
      foreignAt = i;
    }
  }
  if (openedAt >= 0) {
    return { ok: false, problem: `~/.bashrc line ${openedAt + 1} starts a kafka-setup block that never ends`, hint: REPAIR_HINT };
  }
  return { ok: true, text: kept.join('\n') };
}

/** The file with exactly one block, at the end, separated by a blank line. Idempotent. */
export function withHeapBlock(text: string, block: string): BlockEdit {
  const without = withoutHeapBlock(text);
  if (!without.ok) return without;
  let base = without.text;
  if (base !== '' && !base.endsWith('\n')) base += '\n';
  return { ok: true, text: `${base}${base === '' ? '' : '\n'}${block}` };
}

/** The heap options kafka-setup's block exports, if the text has the block. */
export function heapOptsInBlock(text: string): string | undefined {
  const start = text.indexOf(BLOCK_START);
  if (start < 0) return undefined;
  const m = /^export KAFKA_HEAP_OPTS="([-A-Za-z0-9:+=. ]*)"$/m.exec(text.slice(start));
  return m?.[1];
}
