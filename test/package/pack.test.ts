/**
 * What `npm pack` ships, built fresh in a scratch copy (the working tree's dist/ may be stale or
 * absent): the compiled CLI, the templates it reads at run time, README, LICENSE and package.json,
 * and nothing that points elsewhere: no source maps (src/ is not shipped, so they would resolve to
 * nothing), no sources, no tests.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../support/scratch.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Files under `base`/`dir`, as paths relative to `base` ("templates/remote/lock.sh"). */
function filesUnder(base: string, dir: string): string[] {
  return readdirSync(join(base, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(base, join(e.parentPath, e.name)).split('\\').join('/'));
}

let packed: string[] = [];
let stage = '';

beforeAll(() => {
  stage = scratchDir('ks-pack-');
  // The same compiler and configuration as `npm run build` (which prepack runs), into the copy.
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(stage, 'dist')],
    { stdio: 'pipe' },
  );
  for (const f of ['package.json', 'README.md', 'LICENSE', 'templates']) cpSync(join(root, f), join(stage, f), { recursive: true });
  // Scripts off: prepack would rebuild into the copy's dist from a src/ the copy does not have.
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: stage,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  packed = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path).sort();
}, 120_000);

describe('npm pack', () => {
  it('ships README, LICENSE, package.json, every template, and a compiled file for every source file', () => {
    for (const f of ['README.md', 'LICENSE', 'package.json', 'dist/cli.js', 'dist/main.js']) expect(packed).toContain(f);
    for (const t of filesUnder(root, 'templates')) expect(packed).toContain(t);
    const sources = filesUnder(root, 'src').filter((f) => f.endsWith('.ts'));
    expect(sources.length).toBeGreaterThan(10);
    for (const s of sources) expect(packed).toContain(s.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js'));
  });

  it('ships nothing else: no source maps, no sources, no tests', () => {
    expect(packed.filter((f) => !/^(dist\/.*\.js|templates\/.+|README\.md|LICENSE|package\.json)$/.test(f))).toEqual([]);
    expect(packed.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('no compiled file refers to a source map', () => {
    const js = filesUnder(stage, 'dist');
    expect(js.length).toBeGreaterThan(10);
    for (const f of js) expect(readFileSync(join(stage, f), 'utf8'), f).not.toMatch(/sourceMappingURL/);
  });

  it('the bin is the compiled CLI with a node shebang, and packing builds first', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      scripts: Record<string, string>;
      license: string;
    };
    expect(pkg.bin['kafka-setup']).toBe('dist/cli.js');
    expect(readFileSync(join(stage, 'dist/cli.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    expect(pkg.scripts.prepack).toBe('npm run build');
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toContain('Copyright (c) 2026 kafka-setup contributors');
  });
});
