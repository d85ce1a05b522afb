/**
 * The marked ~/.bashrc block that exports KAFKA_HEAP_OPTS. It is replaced, never duplicated, and
 * always moved to the end of the file so that no hand-written KAFKA_HEAP_OPTS export can override it.
 */
import { render } from '../templates.js';

export const BLOCK_START = '# >>> kafka-setup: Kafka heap >>>';
export const BLOCK_END = '# <<< kafka-setup: Kafka heap <<<';

export function heapBlock(heapOpts: string): string {
  return render('bashrc-block.sh', { heapOpts });
}

/** Removes every marked block, with the one blank line written before it. */
export function withoutHeapBlock(text: string): string {
  const lines = text.split('\n');
  const kept: string[] = [];
  let inside = false;
  for (const line of lines) {
    if (!inside && line.trim() === BLOCK_START) {
      inside = true;
      if (kept.length > 0 && kept.at(-1) === '') kept.pop();
      continue;
    }
    if (inside) {
      if (line.trim() === BLOCK_END) inside = false;
      continue;
    }
    kept.push(line);
  }
  return kept.join('\n');
}

/** The file with exactly one block, at the end, separated by a blank line. Idempotent. */
export function withHeapBlock(text: string, block: string): string {
  let base = withoutHeapBlock(text);
  if (base !== '' && !base.endsWith('\n')) base += '\n';
  return `${base}${base === '' ? '' : '\n'}${block}`;
}
