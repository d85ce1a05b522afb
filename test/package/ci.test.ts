/** CI runs exactly the README's test command, and that command covers Node 20, 22 and 24. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the test command', () => {
  it('.ci/run ends by running the README\'s test command, npm test', () => {
    const commands = read('.ci/run').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
    expect(commands.at(-1)).toBe('npm test');
    expect(read('README.md')).toMatch(/```sh\nnpm test\n```/);
  });

  it('npm test runs the whole suite here, then the unit tests on Node 22 and 24', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.test).toBe('npm run build && vitest run && node scripts/test-other-nodes.mjs');
    const other = read('scripts/test-other-nodes.mjs');
    expect(other).toContain("const MAJORS = ['22', '24'];");
    expect(other).toContain("'run', '--project', 'unit'");
  });
});
