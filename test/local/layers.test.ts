/** local/ sits below options/: it may use the shared leaf modules, never a layer above it. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = join(import.meta.dirname, '../../src/local');
const ABOVE = /from '\.\.\/(options|commands|steps|checks|prompts|main|cli|program)[./]/;

describe('src/local imports', () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith('.ts')))('%s imports nothing from a layer above', (file) => {
    const imports = readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => /^import /.test(l));
    expect(imports.filter((l) => ABOVE.test(l))).toEqual([]);
  });
});
