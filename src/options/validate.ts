/**
 * Validation of every value a user can give. Each returns what is wrong (a sentence) or undefined;
 * callers turn that into a UsageError naming the flag, or into a prompt's validation message.
 */
import { isIP } from 'node:net';
import { heapProblem } from '../kafka/heap.js';
import { normaliseSha512 } from '../kafka/sha512.js';

export type Problem = string | undefined;

/** RFC 1123 host name: labels of letters, digits and inner hyphens, at most 253 characters. */
export function isHostName(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  return value
    .replace(/\.$/, '')
    .split('.')
    .every((label) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label));
}

export function hostProblem(value: string): Problem {
  if (value.trim() === '') return 'the host is empty; give the instance\'s public IP address or DNS name';
  if (isIP(value) !== 0 || isHostName(value)) return undefined;
  return `"${printable(value)}" is not a host name or IP address`;
}

export function portProblem(value: string): Problem {
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
    return `"${printable(value)}" is not a TCP port; use a number from 1 to 65535`;
  }
  return undefined;
}

/** POSIX user names (what useradd accepts), which also keeps them harmless in a shell. */
export function userProblem(value: string): Problem {
  if (/^[a-z_][a-z0-9_.-]{0,31}\$?$/i.test(value)) return undefined;
  return `"${printable(value)}" is not a valid user name (letters, digits, ".", "_" and "-", starting with a letter or "_")`;
}

export function versionProblem(value: string): Problem {
  return /^[0-9]+\.[0-9]+\.[0-9]+$/.test(value) ? undefined : `"${printable(value)}" is not a Kafka version; use X.Y.Z, e.g. 3.1.0`;
}

export function scalaProblem(value: string): Problem {
  return /^[0-9]+\.[0-9]+$/.test(value) ? undefined : `"${printable(value)}" is not a Scala version; use X.Y, e.g. 2.12 or 2.13`;
}

export { heapProblem };

export function heapOrAutoProblem(value: string): Problem {
  return value === 'auto' ? undefined : heapProblem(value);
}

export function mirrorProblem(value: string): Problem {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${printable(value)}" is not a URL; a mirror looks like https://archive.apache.org/dist/kafka`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `mirror "${printable(value)}" must be an http:// or https:// URL`;
  if (/[\s'"`$\\]/.test(value) || url.search || url.hash) return `mirror "${printable(value)}" has characters or parts (query, fragment) a mirror URL cannot have`;
  return undefined;
}

export function sha512Problem(value: string): Problem {
  return normaliseSha512(value) ? undefined : 'the --sha512 value is not a SHA-512 digest (128 hexadecimal digits)';
}

/** A path on the host: absolute or under ~/, normalised, no control characters. */
export function remotePathProblem(value: string): Problem {
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'the path contains control characters';
  if (!value.startsWith('/') && !value.startsWith('~/')) return `"${printable(value)}" must be an absolute path or start with ~/`;
  const rest = value.startsWith('~/') ? value.slice(2) : value.slice(1);
  if (rest === '' || rest.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    return `"${printable(value)}" is not a plain directory path (no empty, . or .. parts, not / or ~ itself)`;
  }
  return undefined;
}

export function profileNameProblem(value: string): Problem {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(value) ? undefined : `"${printable(value)}" is not a profile name (letters, digits, ".", "_", "-")`;
}

export function timeoutProblem(value: string): Problem {
  return /^[0-9]{1,4}$/.test(value) && Number(value) >= 1 ? undefined : `"${printable(value)}" is not a number of seconds`;
}

/** Shows control characters visibly in messages instead of echoing them to the terminal. */
export function printable(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
