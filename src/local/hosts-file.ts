/**
 * Editing a hosts file: one entry per alias, updated in place when the IP changes, every other byte
 * (comments, spacing, line endings) kept. Pure text in, text out; writing is hosts-write.ts.
 */
import { isIP } from 'node:net';
import { isHostName, printable } from '../options/validate.js';
import { dominantEol, joinLines, splitLines, type Line } from '../text-lines.js';

export interface HostsChange {
  text: string;
  changed: boolean;
  /** Lines as they were, and as they are now, for showing the change. */
  removed: string[];
  added: string[];
}



/** The IP and names of a line (what comes before a #), or undefined for comments and blank lines. */
function entry(text: string): { ip: string; names: string[] } | undefined {
  const fields = text.replace(/#.*$/, '').trim().split(/\s+/).filter(Boolean);
  if (fields.length < 2) return undefined;
  return { ip: fields[0]!, names: fields.slice(1) };
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Removes one name from a line, keeping the rest of it as it was. */
function withoutName(text: string, alias: string): string {
  const [body, comment] = text.includes('#') ? [text.slice(0, text.indexOf('#')), text.slice(text.indexOf('#'))] : [text, ''];
  const kept = body.replace(/(\s+)(\S+)/g, (all, _sp: string, name: string) => (same(name, alias) ? '' : all));
  return kept + comment;
}

export function aliasProblem(alias: string): string | undefined {
  if (alias === '') return 'the alias is empty';
  if (isIP(alias) !== 0) return `"${alias}" is an IP address, not a name`;
  if (!isHostName(alias)) return `"${printable(alias)}" is not a valid host name (RFC 1123: letters, digits, inner hyphens, dots)`;
  return undefined;
}

export function ipProblem(ip: string): string | undefined {
  return isIP(ip) !== 0 ? undefined : `"${printable(ip)}" is not an IPv4 or IPv6 address`;
}

/** Which IPs the file maps the alias to, in file order (the first one wins for lookups). */
export function lookupAlias(text: string, alias: string): string[] {
  return splitLines(text).flatMap((l) => {
    const e = entry(l.text);
    return e && e.names.some((n) => same(n, alias)) ? [e.ip] : [];
  });
}

/**
 * Maps the alias to the IP with exactly one entry. An entry with the same IP already there → no
 * change. A line holding only the alias gets its IP replaced in place; the alias is taken out of any
 * other line that names it; with nothing to replace, `IP<tab>alias` is appended.
 */
export function setAlias(text: string, alias: string, ip: string): HostsChange {
  const lines = splitLines(text);
  const matches = lines.map((l, i) => ({ i, e: entry(l.text) })).filter((m) => m.e?.names.some((n) => same(n, alias)));
  if (matches.length === 1 && matches[0]!.e!.ip === ip) return { text, changed: false, removed: [], added: [] };
  const eol = dominantEol(text);
  const removed: string[] = [];
  const added: string[] = [];
  let placed = false;
  const out: Line[] = [];
  for (const [i, line] of lines.entries()) {
    const m = matches.find((x) => x.i === i);
    if (!m) {
      out.push(line);
      continue;
    }
    removed.push(line.text);
    if (!placed && m.e!.names.length === 1) {
      // Only our alias on this line: change its IP where it stands, keeping spacing and comment.
      const replaced = line.text.replace(m.e!.ip, ip);
      out.push({ ...line, text: replaced });
      added.push(replaced);
      placed = true;
    } else if (m.e!.names.length > 1) {
      const rest = withoutName(line.text, alias);
      out.push({ ...line, text: rest });
      added.push(rest);
    }
  }
  if (!placed) {
    const last = out.at(-1);
    if (last && last.eol === '') out[out.length - 1] = { ...last, eol };
    const line = `${ip}\t${alias}`;
    out.push({ text: line, eol });
    added.push(line);
  }
  return { text: joinLines(out), changed: true, removed, added };
}

/** Takes the alias out: lines holding only it go, other lines lose just the name. */
export function removeAlias(text: string, alias: string): HostsChange {
  const removed: string[] = [];
  const added: string[] = [];
  const out: Line[] = [];
  for (const line of splitLines(text)) {
    const e = entry(line.text);
    if (!e || !e.names.some((n) => same(n, alias))) {
      out.push(line);
      continue;
    }
    removed.push(line.text);
    if (e.names.length > 1) {
      const rest = withoutName(line.text, alias);
      out.push({ ...line, text: rest });
      added.push(rest);
    }
  }
  const changed = removed.length > 0;
  return { text: changed ? joinLines(out) : text, changed, removed, added };
}

/** The system hosts file: /etc/hosts, or %SystemRoot%\System32\drivers\etc\hosts on Windows. */
export function systemHostsPath(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return `${env.SystemRoot ?? 'C:\\Windows'}\\System32\\drivers\\etc\\hosts`;
  return '/etc/hosts';
}
