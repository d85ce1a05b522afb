/**
 * package.json's `engines.node` must not admit a Node version that a runtime dependency (direct or
 * transitive, as installed from the lockfile) rejects: npm would install kafka-setup there and a
 * dependency would break at run time. It is also no narrower than they are: exactly the intersection.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeSupported, SUPPORTED_NODE } from '../../src/node-support.js';
import { boundaries, compare, satisfies, show, type Version } from './node-range.js';

const root = new URL('../../', import.meta.url);
const readJson = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(path, root), 'utf8')) as Record<string, unknown>;

const pkg = readJson('package.json') as { engines?: { node?: string } };
const lock = readJson('package-lock.json') as {
  packages: Record<string, { dev?: boolean; devOptional?: boolean; engines?: { node?: string } }>;
};

interface Dependency {
  name: string;
  node: string;
}

/** Runtime packages of the lockfile (not dev-only), with `engines.node` from what is installed. */
function runtimeDependencies(): Dependency[] {
  const deps: Dependency[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev || entry.devOptional) continue;
    const manifest = new URL(`${path}/package.json`, root);
    // An optional dependency for another platform may be absent; the lockfile still says its range.
    const installed = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { engines?: { node?: string } }) : entry;
    const node = installed.engines?.node;
    if (node) deps.push({ name: path.replace(/^.*node_modules\//, ''), node });
  }
  return deps;
}

/** Node versions where the ranges can disagree: every version they name, its neighbours, and a grid. */
function candidates(ranges: string[]): Version[] {
  const grid: Version[] = [];
  for (let major = 10; major <= 30; major++) for (let minor = 0; minor <= 30; minor++) grid.push([major, minor, 0]);
  const all = [...grid, ...ranges.flatMap(boundaries)];
  const seen = new Set<string>();
  return all.filter((v) => !seen.has(show(v)) && seen.add(show(v))).sort(compare);
}

/** Versions `declared` admits that some dependency rejects, e.g. "22.0.0 (@inquirer/core: ^22.13.0 …)". */
function admittedButRejected(declared: string, deps: Dependency[]): string[] {
  return candidates([declared, ...deps.map((d) => d.node)])
    .filter((v) => satisfies(v, declared))
    .flatMap((v) => {
      const against = deps.filter((d) => !satisfies(v, d.node));
      return against.length
        ? [
            `${show(v)} (${against
              .map((d) => `${d.name}: ${d.node}`)
              .slice(0, 3)
              .join('; ')})`,
          ]
        : [];
    });
}

/** Versions every dependency accepts that `declared` leaves out. */
function acceptedButExcluded(declared: string, deps: Dependency[]): string[] {
  return candidates([declared, ...deps.map((d) => d.node)])
    .filter((v) => !satisfies(v, declared) && deps.every((d) => satisfies(v, d.node)))
    .map(show);
}

const deps = runtimeDependencies();
const declared = pkg.engines?.node ?? '';

describe('engines.node', () => {
  it('is declared, and the lockfile says the same', () => {
    expect(declared).not.toBe('');
    expect(lock.packages['']?.engines?.node).toBe(declared);
  });

  it('reads the runtime dependencies that matter (not dev tools)', () => {
    const names = deps.map((d) => d.name);
    for (const n of ['@inquirer/core', 'commander', 'execa', 'ora', 'ssh2', 'kafkajs', 'chalk', 'mute-stream']) expect(names).toContain(n);
    expect(names).not.toContain('vitest');
    expect(names).not.toContain('vite');
  });

  it('admits no Node version that a runtime dependency rejects', () => {
    expect(admittedButRejected(declared, deps)).toEqual([]);
  });

  it('leaves out no Node version that every runtime dependency accepts (it is the intersection)', () => {
    expect(acceptedButExcluded(declared, deps)).toEqual([]);
  });

  it('would have caught the old ">=20.17" (Node 22.0 to 22.12, which @inquirer rejects)', () => {
    const bad = admittedButRejected('>=20.17', deps);
    expect(bad.some((b) => b.startsWith('22.0.0 ') && b.includes('@inquirer/'))).toBe(true);
    expect(bad.some((b) => b.startsWith('22.12.0 ') && b.includes('@inquirer/'))).toBe(true);
    expect(bad.some((b) => b.startsWith('22.13.0 '))).toBe(false);
  });

  it("is what the CLI's own check admits (src/node-support.ts), at every version either names and on a grid", () => {
    expect(SUPPORTED_NODE).toBe(declared);
    const differ = candidates([declared])
      .filter((v) => nodeSupported(show(v)) !== satisfies(v, declared))
      .map(show);
    expect(differ).toEqual([]);
  });

  it.each([
    ['20.17.0', false],
    ['20.20.2', false],
    ['22.12.0', false],
    ['22.13.0', true],
    ['23.4.0', false],
    ['24.0.0', true],
    ['26.1.0', true],
  ] as const)('Node %s: %s', (v, ok) => {
    const version = v.split('.').map(Number) as unknown as Version;
    expect(satisfies(version, declared)).toBe(ok);
  });
});

describe('the range reader', () => {
  it.each([
    ['^20.17.0', '20.99.0', true],
    ['^20.17.0', '21.0.0', false],
    ['>= 12', '12.0.0', true],
    ['>=18.20', '18.19.9', false],
    ['~1.2.3', '1.2.9', true],
    ['~1.2.3', '1.3.0', false],
    ['>20', '20.9.9', false],
    ['>20', '21.0.0', true],
    ['<=20.1', '20.1.7', true],
    ['<=20.1', '20.2.0', false],
    ['^10 || ^12 || >=14', '13.0.0', false],
    ['*', '1.0.0', true],
    ['>=16 <20', '19.9.0', true],
    ['>=16 <20', '20.0.0', false],
    ['20.17.0', '20.17.1', false],
  ])('%s admits %s: %s', (range, v, ok) => {
    expect(satisfies(v.split('.').map(Number) as unknown as Version, range)).toBe(ok);
  });

  it('refuses syntax it does not know rather than guessing', () => {
    expect(() => satisfies([20, 0, 0], '1.0.0 - 2.0.0')).toThrow(/unsupported/);
    expect(() => satisfies([20, 0, 0], '>=20.0.0-rc.1')).toThrow(/unsupported/);
  });
});
