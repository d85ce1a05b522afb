/** Host names as RFC 1123 defines them: what a --host and a hosts-file alias may be. */

/** Labels of letters, digits and inner hyphens, at most 253 characters. */
export function isHostName(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  return value
    .replace(/\.$/, '')
    .split('.')
    .every((label) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label));
}
