/**
 * Editing a hosts file: one entry per alias, updated in place when the IP changes, every other byte
 * (comments, spacing, line endings) kept. Pure text in, text out; writing is hosts-write.ts.
 */
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { isHostName } from '../host-name.js';
import { dominantEol, joinLines, type Line, splitLines } from '../text-lines.js';
import { visible as printable } from '../visible.js';

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

/** The names of a line other than the alias (a line may even repeat it: `1.2.3.4 k K`). */
const othersThan = (e: { names: string[] }, alias: string): string[] => e.names.filter((n) => !same(n, alias));

/** Removes one name from a line, keeping the rest of it as it was. */
function withoutName(text: string, alias: string): string {
  const [body, comment] = text.includes('#') ? [text.slice(0, text.indexOf('#')), text.slice(text.indexOf('#'))] : [text, ''];
  const kept = body.replace(/(\s+)(\S+)/g, (all, _sp: string, name: string) => (same(name, alias) ? '' : all));
  return kept + comment;
}

/**
 * Names that belong to this machine or to the stock lines of a hosts file (Debian's ip6-*, RHEL's
 * localhost4/6, macOS's broadcasthost): re-pointing one breaks local services, so none is ever an alias.
 */
const RESERVED = new Set([
  'localhost',
  'localhost.localdomain',
  'localhost4',
  'localhost4.localdomain4',
  'localhost6',
  'localhost6.localdomain6',
  'ip6-localhost',
  'ip6-loopback',
  'ip6-localnet',
  'ip6-mcastprefix',
  'ip6-allnodes',
  'ip6-allrouters',
  'ip6-allhosts',
  'broadcasthost',
]);

/** Why the name is reserved, or undefined. `machine` is this machine's host name (os.hostname()). */
export function reservedName(name: string, machine: string = hostname()): string | undefined {
  const n = name.toLowerCase().replace(/\.$/, '');
  const own = machine.toLowerCase().replace(/\.$/, '');
  if (RESERVED.has(n)) return `"${n}" is a standard name of this machine's hosts file`;
  // RFC 6761: every name under .localhost is loopback.
  if (n.endsWith('.localhost')) return `"${n}" is under .localhost, which always means this machine (RFC 6761)`;
  if (own !== '' && (n === own || n === own.split('.')[0])) return `"${n}" is this machine's own host name`;
  return undefined;
}

export function aliasProblem(alias: string, machine?: string): string | undefined {
  if (alias === '') return 'the alias is empty';
  if (isIP(alias) !== 0) return `"${alias}" is an IP address, not a name`;
  if (!isHostName(alias)) return `"${printable(alias)}" is not a valid host name (RFC 1123: letters, digits, inner hyphens, dots)`;
  const reserved = reservedName(alias, machine);
  if (reserved) return `${reserved}; re-pointing it would break programs on this machine, so choose another alias (e.g. my-kafka)`;
  return undefined;
}

/**
 * A name the file lists on the same line as a reserved name (e.g. the machine's FQDN on Debian's
 * `127.0.1.1 host.example.com host` line) is another name of this machine: refused just the same.
 */
export function aliasOfThisMachine(text: string, alias: string, machine?: string): string | undefined {
  for (const l of splitLines(text)) {
    const e = entry(l.text);
    if (!e?.names.some((n) => same(n, alias))) continue;
    const other = e.names.find((n) => !same(n, alias) && reservedName(n, machine) !== undefined);
    if (other) return `the hosts file lists "${alias}" on the line of "${other}" (${e.ip}), so it names this machine`;
  }
  return undefined;
}

export function ipProblem(ip: string): string | undefined {
  return isIP(ip) !== 0 ? undefined : `"${printable(ip)}" is not an IPv4 or IPv6 address`;
}

/** Which IPs the file maps the alias to, in file order (the first one wins for lookups). */
export function lookupAlias(text: string, alias: string): string[] {
  return splitLines(text).flatMap((l) => {
    const e = entry(l.text);
    return e?.names.some((n) => same(n, alias)) ? [e.ip] : [];
  });
}

/**
 * Maps the alias to the IP with exactly one entry. An entry with the same IP already there → no
 * change. The first line holding only the alias gets its IP replaced in place; the alias is taken out
 * of every other line naming it. When it only shared lines with other names, `IP<tab>alias` goes right
 * after the first of them (where the alias was); when it was nowhere, at the end.
 */
export function setAlias(text: string, alias: string, ip: string): HostsChange {
  const lines = splitLines(text);
  const matches = lines.map((l, i) => ({ i, e: entry(l.text) })).filter((m) => m.e?.names.some((n) => same(n, alias)));
  if (matches.length === 1 && matches[0]!.e!.ip === ip) return { text, changed: false, removed: [], added: [] };
  const eol = dominantEol(text);
  const fresh = `${ip}\t${alias}`;
  const removed: string[] = [];
  const added: string[] = [];
  // Replaced in place if a line holds only the alias; otherwise inserted after the first shared line.
  const alone = matches.find((m) => othersThan(m.e!, alias).length === 0);
  const anchor = alone ?? matches[0];
  const out: Line[] = [];
  for (const [i, line] of lines.entries()) {
    const m = matches.find((x) => x.i === i);
    if (!m) {
      out.push(line);
      continue;
    }
    removed.push(line.text);
    if (m === alone) {
      // Only our alias on this line: change its IP where it stands, keeping spacing and comment.
      const replaced = line.text.replace(m.e!.ip, ip);
      out.push({ ...line, text: replaced });
      added.push(replaced);
    } else if (othersThan(m.e!, alias).length > 0) {
      const rest = withoutName(line.text, alias);
      out.push({ ...line, text: rest });
      added.push(rest);
      if (m === anchor) {
        // The line had no ending (last line of the file): the new one gets the file's, and so does it.
        out[out.length - 1] = { ...out[out.length - 1]!, eol: line.eol || eol };
        out.push({ text: fresh, eol: line.eol });
        added.push(fresh);
      }
    }
  }
  if (!anchor) {
    const last = out.at(-1);
    if (last && last.eol === '') out[out.length - 1] = { ...last, eol };
    out.push({ text: fresh, eol });
    added.push(fresh);
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
    if (!e?.names.some((n) => same(n, alias))) {
      out.push(line);
      continue;
    }
    removed.push(line.text);
    if (othersThan(e, alias).length > 0) {
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
