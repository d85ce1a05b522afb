/**
 * Just enough of npm's semver ranges to judge Node versions against `engines.node` (the `semver`
 * package is not installed): `||`, space-separated comparators, `^`, `~`, `>=`, `>`, `<=`, `<`, `=`,
 * partial versions (`20`, `18.20`) and `*` / `x`. Anything else throws, so a new syntax in a
 * dependency fails the test loudly instead of being misread.
 */
export type Version = readonly [number, number, number];

export function parseVersion(text: string): Version {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`not a version: ${text}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export const show = (v: Version): string => v.join('.');

/** [low, high): the versions a comparator admits. `high` undefined = no upper bound. */
interface Interval {
  low: Version;
  high: Version | undefined;
}

const ANY: Interval = { low: [0, 0, 0], high: undefined };

function comparator(token: string, range: string): Interval {
  const m = /^(\^|~|>=|<=|>|<|=)?v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?$/.exec(token);
  if (!m) throw new Error(`unsupported range syntax "${token}" in "${range}"`);
  const op = m[1] ?? '';
  const parts = [m[2], m[3], m[4]].filter((p): p is string => p !== undefined && !/^[xX*]$/.test(p)).map(Number);
  if (parts.length === 0) return ANY;
  const [major = 0, minor = 0, patch = 0] = parts;
  const v: Version = [major, minor, patch];
  // The first version past the given prefix: 20 → 21.0.0, 20.17 → 20.18.0, 20.17.1 → 20.17.2.
  const next = (n: number): Version => (n === 1 ? [major + 1, 0, 0] : n === 2 ? [major, minor + 1, 0] : [major, minor, patch + 1]);
  switch (op) {
    case '^':
      if (major === 0) throw new Error(`unsupported range syntax "${token}" in "${range}" (caret on 0.x)`);
      return { low: v, high: [major + 1, 0, 0] };
    case '~':
      return { low: v, high: parts.length === 1 ? [major + 1, 0, 0] : [major, minor + 1, 0] };
    case '>=':
      return { low: v, high: undefined };
    case '>':
      return { low: next(parts.length), high: undefined };
    case '<':
      return { low: [0, 0, 0], high: v };
    case '<=':
      return { low: [0, 0, 0], high: next(parts.length) };
    default:
      return { low: v, high: next(parts.length) };
  }
}

/** Whether `version` satisfies the npm range `range`. */
export function satisfies(version: Version, range: string): boolean {
  return range.split('||').some((set) => {
    if (/\s-\s/.test(set)) throw new Error(`unsupported range syntax (hyphen range) in "${range}"`);
    // `>= 12` is `>=12`: npm allows a space after the operator.
    const tokens = set
      .trim()
      .replace(/(\^|~|>=|<=|>|<|=)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean);
    return tokens.every((t) => {
      const { low, high } = comparator(t, range);
      return compare(version, low) >= 0 && (high === undefined || compare(version, high) < 0);
    });
  });
}

/** Every version a range names, and its neighbours: where two ranges can disagree. */
export function boundaries(range: string): Version[] {
  const out: Version[] = [];
  for (const m of range.matchAll(/(\d+)(?:\.(\d+))?(?:\.(\d+))?/g)) {
    const [a, b, c] = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
    out.push([a, b, c], [a, b, c + 1], [a, b + 1, 0], [a + 1, 0, 0]);
    if (c > 0) out.push([a, b, c - 1]);
    if (b > 0) out.push([a, b - 1, 0], [a, b - 1, 99]);
    if (a > 0) out.push([a - 1, 99, 99]);
  }
  return out;
}
