/** Writing files on the host: atomic, backed up once, and only over what the probe read. */
import { createHash } from 'node:crypto';
import { remoteScript, type RemoteScript } from '../remote/script.js';
import { mergeFacts, type FileFact } from './facts.js';
import { baseVars } from './targets.js';
import type { Step, StepContext } from './types.js';

export interface FileChange {
  /** The path as the probe reported it (absolute, symlinks resolved). */
  fact: FileFact;
  content: string;
}

export function sha256(latin1: string): string {
  return createHash('sha256').update(Buffer.from(latin1, 'latin1')).digest('hex');
}

/**
 * The variables and calls that write `changes` (ks_write_file from write-files.sh): our own code
 * lines referencing variables; the values only ever travel in the variables, quoted.
 */
export function writeCalls(changes: FileChange[]): { vars: Record<string, string>; calls: string[] } {
  const vars: Record<string, string> = {};
  const calls: string[] = [];
  changes.forEach((c, i) => {
    vars[`KS_F${i}_PATH`] = c.fact.path;
    vars[`KS_F${i}_B64`] = Buffer.from(c.content, 'latin1').toString('base64');
    vars[`KS_F${i}_SHA`] = c.fact.content === undefined ? 'absent' : sha256(c.fact.content);
    calls.push(`ks_write_file "$KS_F${i}_PATH" "$KS_F${i}_B64" "$KS_F${i}_SHA"`);
  });
  return { vars, calls };
}

/** One script that writes every change, then re-reads the files for the steps to confirm. */
export function writeFilesScript(name: string, vars: Record<string, string>, changes: FileChange[]): RemoteScript {
  const w = writeCalls(changes);
  return remoteScript(name, { ...vars, ...w.vars }, ['probe-lib', 'write-files'], [...w.calls, 'ks_probe_files']);
}

/**
 * Writes the files of several steps in one round trip (each step's `writes`), and re-reads them so
 * that each step's check can confirm its own change.
 */
export async function applyWrites(steps: Step[], ctx: StepContext): Promise<string> {
  const changes = steps.flatMap((s) => s.writes?.(ctx) ?? []);
  const name = `write-${steps.map((s) => s.id).join('+')}`;
  const res = await ctx.session.run(writeFilesScript(name, baseVars(ctx), changes));
  ctx.facts = mergeFacts(ctx.facts, res.sections);
  return steps[0]?.applied?.(ctx) ?? 'written';
}
