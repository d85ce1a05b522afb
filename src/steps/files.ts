/** Writing files on the host: atomic, backed up once, and only over what the probe read. */
import { createHash } from 'node:crypto';
import { remoteScript, type RemoteScript } from '../remote/script.js';
import type { FileFact } from './facts.js';

export interface FileChange {
  /** The path as the probe reported it (absolute, symlinks resolved). */
  fact: FileFact;
  content: string;
}

export function sha256(latin1: string): string {
  return createHash('sha256').update(Buffer.from(latin1, 'latin1')).digest('hex');
}

/**
 * One script that writes every change. `before` and `after` are lines of our own code (they may use
 * variables, never user input) run around the writes, e.g. creating directories, then re-probing.
 */
export function writeFilesScript(
  name: string,
  vars: Record<string, string>,
  changes: FileChange[],
  around: { before?: string[]; after?: string[] } = {},
): RemoteScript {
  const fileVars: Record<string, string> = {};
  const writes: string[] = [];
  changes.forEach((c, i) => {
    fileVars[`KS_F${i}_PATH`] = c.fact.path;
    fileVars[`KS_F${i}_B64`] = Buffer.from(c.content, 'latin1').toString('base64');
    fileVars[`KS_F${i}_SHA`] = c.fact.content === undefined ? 'absent' : sha256(c.fact.content);
    writes.push(`ks_write_file "$KS_F${i}_PATH" "$KS_F${i}_B64" "$KS_F${i}_SHA"`);
  });
  return remoteScript(name, { ...vars, ...fileVars }, ['probe-lib', 'write-files'], [
    ...(around.before ?? []),
    ...writes,
    ...(around.after ?? []),
  ]);
}
