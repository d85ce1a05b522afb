/** Writing files on the host: atomic, backed up once, and only over what the probe read (write-files.sh). */
import { createHash } from 'node:crypto';
import type { FileFact } from './facts.js';
import type { ScriptVars } from './script-inputs.js';

export interface FileChange {
  /** The path as the probe reported it (absolute, symlinks resolved). */
  fact: FileFact;
  content: string;
}

export function sha256(latin1: string): string {
  return createHash('sha256').update(Buffer.from(latin1, 'latin1')).digest('hex');
}

/**
 * The variables and calls that write `changes` (ks_write_file): our own code lines referencing
 * variables; the values only ever travel in the variables, quoted.
 */
export function writeCalls(changes: readonly FileChange[]): { vars: ScriptVars<'write-files'>; calls: string[] } {
  const vars: ScriptVars<'write-files'> = {};
  const calls: string[] = [];
  changes.forEach((c, i) => {
    vars[`KS_F${i}_PATH`] = c.fact.path;
    vars[`KS_F${i}_B64`] = Buffer.from(c.content, 'latin1').toString('base64');
    vars[`KS_F${i}_SHA`] = c.fact.content === undefined ? 'absent' : sha256(c.fact.content);
    calls.push(`ks_write_file "$KS_F${i}_PATH" "$KS_F${i}_B64" "$KS_F${i}_SHA"`);
  });
  return { vars, calls };
}
