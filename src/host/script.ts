/**
 * Assembling a remote script: a fixed prelude, quoted variable assignments, then one or more bodies
 * from templates/remote/, then calls. Only the operations of src/host/ build scripts.
 */
import { randomBytes } from 'node:crypto';
import type { RemoteScript } from '../remote/script.js';
import { assignments } from '../remote/shell.js';
import { template } from '../templates.js';
import { declaredInput, type ScriptBody, type ScriptVars } from './script-inputs.js';

/**
 * `calls` are extra lines of our own code run after the bodies; they may reference variables but are
 * never built from user input (values only ever travel in `vars`, quoted).
 */
export function remoteScript<const B extends ScriptBody>(
  name: string,
  vars: ScriptVars<NoInfer<B>>,
  bodies: readonly B[],
  calls: string[] = [],
): RemoteScript {
  const entries = Object.entries(vars).filter((e): e is [string, string | number] => e[1] !== undefined);
  // A variable no body reads is a mistake here, not input: caught before anything runs.
  const stray = entries.map(([k]) => k).filter((k) => declaredInput(bodies, k) === undefined);
  if (stray.length > 0)
    throw new Error(
      `remote script ${name}: ${stray.join(', ')} not declared as an input of ${bodies.join(', ') || 'the prelude'} (script-inputs.ts)`,
    );
  const asStrings = Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
  const mark = `::ks:${randomBytes(8).toString('hex')}::`;
  // The whole script is one brace group: the shell parses all of it before running any of it, so
  // nothing a command reads from stdin can be taken from the script text (see prelude.sh).
  const text = [
    '{',
    `KS_MARK='${mark}'`,
    template('remote/prelude.sh'),
    assignments(asStrings),
    ...bodies.map((b) => template(`remote/${b}.sh`)),
    ...calls,
    '}',
    '',
  ].join('\n');
  // --verbose shows only what is declared shown: a hidden value may carry a file's content.
  return { name, text, vars: asStrings, mark, shown: Object.keys(asStrings).filter((k) => declaredInput(bodies, k) === 'shown') };
}
