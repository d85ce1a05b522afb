/**
 * The releases an Apache mirror lists: its "Index of /kafka" page links each release's directory
 * (`<a href="4.1.1/">`). The page is hostile input as far as this module knows: only a link that is
 * exactly a plain release directory counts — ASCII digits, three parts, no leading zeros, nothing
 * before or after (no scheme, host, `..`, query, fragment or pre-release suffix) — so the worst a
 * page can do is list a version that does not exist there, which the download then reports.
 */
import { linkTargets } from '../html-links.js';

/** At most four digits a part: every number stays exact, and a 20-digit "release" is not one. */
const RELEASE_DIR = /^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})\/$/;

/** Orders X.Y.Z versions numerically (4.10.0 after 4.9.0). */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if (x![i] !== y![i]) return (x![i] ?? 0) - (y![i] ?? 0);
  return 0;
}

/** The versions whose release directories the page links to, each once, newest first. */
export function listedReleases(html: string): string[] {
  const versions = new Set(linkTargets(html).flatMap((href) => (RELEASE_DIR.test(href) ? [href.slice(0, -1)] : [])));
  return [...versions].sort((a, b) => compareVersions(b, a));
}
