/**
 * Apache publishes `<file>.sha512` as `gpg --print-md SHA512` output: `<file>: ` followed by the
 * digest in upper-case groups of eight hex digits, wrapped over several lines. Some releases use the
 * `sha512sum` layout instead (`<hex>  <file>`). Both are accepted.
 */
const HEX128 = /^[0-9a-f]{128}$/;

export function parseSha512File(text: string): string {
  const trimmed = text.trim();
  const sumLayout = /^([0-9a-fA-F]{128})\s+\*?\S+$/.exec(trimmed);
  const digest = sumLayout
    ? sumLayout[1]!.toLowerCase()
    : trimmed
        .slice(trimmed.indexOf(':') + 1)
        .replace(/\s+/g, '')
        .toLowerCase();
  if (!HEX128.test(digest)) {
    throw new Error('not a SHA-512 checksum file (expected "<file>: <128 hex digits>")');
  }
  return digest;
}

/** Normalises a digest typed by a user (`--sha512`): spaces and case do not matter. */
export function normaliseSha512(value: string): string | undefined {
  const digest = value.replace(/\s+/g, '').toLowerCase();
  return HEX128.test(digest) ? digest : undefined;
}
