/**
 * Validation of every value a user can give. Each returns what is wrong (a sentence) or undefined;
 * callers turn that into a UsageError naming the flag, or into a prompt's validation message.
 */
import { isIP } from 'node:net';
import { isHostName } from '../host-name.js';
import { heapProblem } from '../kafka/heap.js';
import { modeOf } from '../kafka/mode.js';
import { normaliseSha512 } from '../kafka/sha512.js';
import { visible } from '../visible.js';

export type Problem = string | undefined;

export function hostProblem(value: string): Problem {
  if (value.trim() === '') return "the host is empty; give the instance's public IP address or DNS name";
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

/**
 * The Kafka releases kafka-setup can set up, all on the Java 17 the Java step installs: the 3.x line
 * with ZooKeeper, and the 4.x line with KRaft. 2.x predates Java 17 support (added in 3.0).
 */
export function versionProblem(value: string): Problem {
  const m = /^([0-9]{1,4})\.([0-9]{1,4})\.([0-9]{1,4})$/.exec(value);
  if (!m) return `"${printable(value)}" is not a Kafka version; use X.Y.Z, e.g. 3.1.0 or 4.1.1`;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major > 4) return `Kafka ${value}: kafka-setup sets up Kafka 3.0.0 to 4.x; it does not know Kafka ${major} yet`;
  if (major < 3)
    return `Kafka ${value}: kafka-setup sets up Kafka 3.0.0 to 4.x; Kafka ${major}.x predates Java 17 support (added in 3.0), use 3.0.0 or later`;
  if (major === 3 && minor > 9) return `Kafka ${value} does not exist: the 3.x line ends with 3.9; use 3.9.1 or earlier, or 4.x`;
  return undefined;
}

/** Kafka 3.x is built for Scala 2.12 and 2.13, 4.x for 2.13 only (checked with the version: scalaForVersionProblem). */
export function scalaProblem(value: string): Problem {
  if (!/^[0-9]+\.[0-9]+$/.test(value)) return `"${printable(value)}" is not a Scala version; use X.Y, e.g. 2.12 or 2.13`;
  if (value !== '2.12' && value !== '2.13') return `Scala ${value}: Kafka is built for Scala 2.12 and 2.13 only`;
  return undefined;
}

/** Whether a Kafka version was built for this Scala version (4.x: 2.13 only). */
export function scalaForVersionProblem(kafkaVersion: string, scala: string): Problem {
  const builds = modeOf({ kafkaVersion }).scalaVersions;
  return builds.includes(scala) ? undefined : `Kafka ${kafkaVersion} is built for Scala ${builds.join(' and ')} only, not ${scala}`;
}

export { heapProblem };

export function heapOrAutoProblem(value: string): Problem {
  return value === 'auto' ? undefined : heapProblem(value);
}

/**
 * A mirror is printed in the output and saved in the profile: credentials in it would leak there, and
 * anything beyond printable ASCII (spaces, control characters, look-alike letters) has no place in a
 * download URL a shell will see.
 */
export function mirrorProblem(value: string): Problem {
  if (!/^[\x21-\x7e]+$/.test(value))
    return `mirror "${printable(value)}" contains spaces, control or non-ASCII characters; give a plain http(s) URL`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${printable(value)}" is not a URL; a mirror looks like https://archive.apache.org/dist/kafka`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `mirror "${printable(value)}" must be an http:// or https:// URL`;
  // The URL itself is not repeated: it holds the secret.
  if (url.username !== '' || url.password !== '' || /^[a-z]+:\/\/[^/]*@/i.test(value)) {
    return 'the mirror URL contains credentials (user:password@); they would be printed and saved in the profile — use a mirror that needs none';
  }
  if (/[\s'"`$\\]/.test(value) || url.search || url.hash)
    return `mirror "${printable(value)}" has characters or parts (query, fragment) a mirror URL cannot have`;
  return undefined;
}

export function sha512Problem(value: string): Problem {
  return normaliseSha512(value) ? undefined : 'the --sha512 value is not a SHA-512 digest (128 hexadecimal digits)';
}

/**
 * A directory on the host: absolute or under ~/, normalised, and made of letters, digits and . _ + - /
 * only. Kafka's own scripts break on more: kafka-run-class.sh builds CLASSPATH with ":" and expands
 * paths unquoted in places (spaces, quotes, $, `, ;, &, |, globs), log.dirs is a comma-separated list,
 * and .properties files treat backslashes as escapes. An allow-list refuses them all up front.
 */
export function remotePathProblem(value: string): Problem {
  if (!value.startsWith('/') && !value.startsWith('~/')) return `"${printable(value)}" must be an absolute path or start with ~/`;
  const bad = [...new Set(value.replace(/^~\//, '').replace(/[A-Za-z0-9._+/-]/g, ''))];
  if (bad.length > 0) {
    return `"${printable(value)}" contains ${bad
      .map((ch) => (/\s/.test(ch) ? 'whitespace' : `"${printable(ch)}"`))
      .filter((x, i, all) => all.indexOf(x) === i)
      .join(', ')}, which Kafka's scripts and config files do not handle; use only letters, digits, ".", "_", "+", "-" and "/"`;
  }
  const rest = value.startsWith('~/') ? value.slice(2) : value.slice(1);
  if (rest === '' || rest.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    return `"${printable(value)}" is not a plain directory path (no empty, . or .. parts, not / or ~ itself)`;
  }
  return undefined;
}

export function profileNameProblem(value: string): Problem {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(value)
    ? undefined
    : `"${printable(value)}" is not a profile name (letters, digits, ".", "_", "-")`;
}

export function timeoutProblem(value: string): Problem {
  return /^[0-9]{1,4}$/.test(value) && Number(value) >= 1 ? undefined : `"${printable(value)}" is not a number of seconds`;
}

/** Shows control characters visibly in messages instead of echoing them to the terminal. */
export function printable(value: string): string {
  return visible(value);
}
