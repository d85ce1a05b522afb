/** Each remote script body reads only the inputs declared for it (script-inputs.ts), and reads every one it declares. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCalls } from '../../src/host/file-writes.js';
import { remoteScript } from '../../src/host/script.js';
import { BASE_INPUTS, declaredInput, RUNS_WITH, SCRIPT_INPUTS, type ScriptBody } from '../../src/host/script-inputs.js';
import { REMOTE_TEMPLATES } from './emitted-vocabulary.js';

/** A body's code without its comments (a comment may name a variable it describes). */
function code(body: string): string {
  return readFileSync(join(REMOTE_TEMPLATES, `${body}.sh`), 'utf8')
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, ''))
    .join('\n');
}

/** The KS_ variables a body reads: `$KS_X`, `${KS_X…}`, and numbered ones read by name (`ks_var "KS_M${n}_FROM"` → KS_M#_FROM). */
function reads(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/\$\{?(KS_[A-Z0-9_]+)/g)) out.add(m[1]!);
  for (const m of text.matchAll(/"(KS_[A-Z_]+?)\$\{?[a-z_0-9]+\}?(_[A-Z0-9_]+)"/g)) out.add(`${m[1]}#${m[2]}`);
  return out;
}

const bodies = Object.keys(SCRIPT_INPUTS) as ScriptBody[];

describe('remote script inputs: the templates and script-inputs.ts agree', () => {
  it('declares every body in templates/remote, and nothing else', () => {
    expect(
      readdirSync(REMOTE_TEMPLATES)
        .filter((f) => f.endsWith('.sh'))
        .map((f) => f.slice(0, -3))
        .sort(),
    ).toEqual([...bodies].sort());
  });

  it.each(bodies)('%s reads only what it, the base, probe-lib and the bodies it runs with declare', (body) => {
    const known = [body, 'probe-lib', ...(RUNS_WITH[body] ?? [])] as ScriptBody[];
    const undeclared = [...reads(code(body))].filter(
      (v) => v !== 'KS_MARK' && !v.endsWith('_') && declaredInput(known, v.replace('#', '0')) === undefined,
    );
    expect(undeclared).toEqual([]);
  });

  it.each(bodies.filter((b) => b !== 'write-files'))('%s reads every input it declares', (body) => {
    const text = reads(code(body));
    const unread = Object.keys(SCRIPT_INPUTS[body]).filter((k) => !text.has(k));
    expect(unread).toEqual([]);
  });

  it("write-files' inputs are read by the ks_write_file calls that go with them", () => {
    const w = writeCalls([{ fact: { path: '/p', content: undefined, mtime: undefined, backup: false }, content: 'x' }]);
    for (const k of Object.keys(SCRIPT_INPUTS['write-files'])) expect(w.calls.join('\n')).toContain(`$${k.replace('#', '0')}`);
    expect(code('write-files')).toMatch(/^ks_write_file\(\) \{/m);
  });

  it('the base inputs are read by the library every script carries, or by a body', () => {
    const all = new Set(bodies.flatMap((b) => [...reads(code(b))]));
    expect(Object.keys(BASE_INPUTS).filter((k) => !all.has(k))).toEqual([]);
  });

  it('refuses to send a variable no body of the script declares, and shows only what is declared shown', () => {
    expect(() => remoteScript('probe', { KS_LOCK: '1', ...({ KS_SECRET: 'x' } as object) }, ['probe-lib', 'probe'])).toThrow(
      /KS_SECRET not declared as an input of probe-lib, probe/,
    );
    const s = remoteScript('write', { KS_F0_PATH: '/p', KS_F0_B64: 'c2VjcmV0', KS_F0_SHA: 'absent', KS_INSTALL: '~/k' }, [
      'probe-lib',
      'write-files',
    ]);
    expect(s.shown).toEqual(['KS_INSTALL']);
  });
});
