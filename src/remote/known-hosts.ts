/**
 * OpenSSH known_hosts handling for ssh2, which otherwise accepts any host key. Supports plain and
 * hashed (`|1|salt|hash`) host fields, `[host]:port` names, wildcard and negated patterns, and
 * `@revoked` markers; `@cert-authority` lines are ignored (ssh2 does not do host certificates).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export type HostKeyStatus =
  | { kind: 'known' }
  | { kind: 'unknown'; knownTypes: string[] }
  | { kind: 'changed'; knownFingerprints: string[]; lines: number[] }
  | { kind: 'revoked'; lines: number[] };

interface KnownHostLine {
  lineNo: number;
  marker: '' | '@revoked' | '@cert-authority';
  hosts: string;
  keyType: string;
  key: Buffer;
}

/** The name OpenSSH records: `host` on port 22, `[host]:port` elsewhere. */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** `SHA256:…`, as `ssh-keygen -lf` and OpenSSH's prompt print it. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of an SSH public key blob (`ssh-ed25519`, `ssh-rsa`, …). */
export function keyType(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

function parseLines(text: string): KnownHostLine[] {
  const out: KnownHostLine[] = [];
  text.split(/\r?\n/).forEach((raw, idx) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostLine['marker'] = '';
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostLine['marker'];
    const [hosts, type, b64] = fields;
    if (!hosts || !type || !b64) return;
    out.push({ lineNo: idx + 1, marker, hosts, keyType: type, key: Buffer.from(b64, 'base64') });
  });
  return out;
}

/** `*` and `?` wildcards, case-insensitive, as OpenSSH matches names. */
export function wildcardMatch(pattern: string, name: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

function hashedMatch(field: string, name: string): boolean {
  const m = /^\|1\|([^|]+)\|([^|]+)$/.exec(field);
  if (!m) return false;
  const hmac = createHmac('sha1', Buffer.from(m[1]!, 'base64')).update(name).digest('base64');
  return hmac === m[2];
}

/**
 * OpenSSH pattern lists (known_hosts host fields, ssh_config `Host`): any negated pattern that
 * matches vetoes; else any positive match.
 */
export function patternsMatch(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const pat of patterns) {
    if (pat.startsWith('!')) {
      if (wildcardMatch(pat.slice(1), name)) return false;
    } else if (wildcardMatch(pat, name)) matched = true;
  }
  return matched;
}

function hostsMatch(hosts: string, name: string): boolean {
  return hosts.startsWith('|') ? hashedMatch(hosts, name) : patternsMatch(hosts.split(','), name);
}

export function checkHostKey(text: string, host: string, port: number, keyBlob: Buffer): HostKeyStatus {
  const name = knownHostsName(host, port);
  const mine = parseLines(text).filter((l) => l.marker !== '@cert-authority' && hostsMatch(l.hosts, name));
  const revoked = parseLines(text).filter((l) => l.marker === '@revoked' && l.key.equals(keyBlob));
  if (revoked.length > 0) return { kind: 'revoked', lines: revoked.map((l) => l.lineNo) };
  const plain = mine.filter((l) => l.marker === '');
  if (plain.some((l) => l.key.equals(keyBlob))) return { kind: 'known' };
  const type = keyType(keyBlob);
  const sameType = plain.filter((l) => l.keyType === type);
  if (sameType.length > 0) {
    return { kind: 'changed', knownFingerprints: sameType.map((l) => fingerprint(l.key)), lines: sameType.map((l) => l.lineNo) };
  }
  return { kind: 'unknown', knownTypes: [...new Set(plain.map((l) => l.keyType))] };
}

/** Key types already recorded for the host, so the handshake can ask for one of those first. */
export function knownKeyTypes(text: string, host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  return [
    ...new Set(
      parseLines(text)
        .filter((l) => l.marker === '' && hostsMatch(l.hosts, name))
        .map((l) => l.keyType),
    ),
  ];
}

const ALGORITHMS_BY_TYPE: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};
const DEFAULT_ORDER = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/**
 * Host key algorithms in the order to offer them: those of already-known key types first (as OpenSSH
 * does), so a host known by its ECDSA key is not reported as new because it also has an ed25519 key.
 */
export function hostKeyAlgorithms(knownTypes: string[]): string[] {
  const first = knownTypes.flatMap((t) => ALGORITHMS_BY_TYPE[t] ?? []);
  return [...new Set([...first, ...DEFAULT_ORDER])];
}

/** `|1|salt|hmac` of a host name, as ssh writes it with HashKnownHosts yes. */
export function hashedName(name: string, salt: Buffer = randomBytes(20)): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

export function knownHostLine(host: string, port: number, keyBlob: Buffer, opts: { hash?: boolean } = {}): string {
  const name = knownHostsName(host, port);
  return `${opts.hash ? hashedName(name) : name} ${keyType(keyBlob)} ${keyBlob.toString('base64')}`;
}

/** A known_hosts file that cannot be used, said so the user can act on it. */
export class KnownHostsFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'KnownHostsFileError';
  }
}

function fileProblem(path: string, err: unknown): KnownHostsFileError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason =
    code === 'EISDIR'
      ? 'it is a directory, not a known_hosts file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENOTDIR'
          ? 'a part of the path is not a directory'
          : (err as Error).message;
  return new KnownHostsFileError(path, reason);
}

export async function readKnownHosts(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw fileProblem(path, err);
  }
}

/** Appends the host's key, creating the file (and a 0700 ~/.ssh) when needed, as OpenSSH does. */
export async function recordHostKey(
  path: string,
  host: string,
  port: number,
  keyBlob: Buffer,
  opts: { hash?: boolean } = {},
): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const existing = await readKnownHosts(path);
    const sep = existing === '' || existing.endsWith('\n') ? '' : '\n';
    await appendFile(path, `${sep}${knownHostLine(host, port, keyBlob, opts)}\n`, { mode: 0o600 });
  } catch (err) {
    throw err instanceof KnownHostsFileError ? err : fileProblem(path, err);
  }
}
