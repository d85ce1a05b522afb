/**
 * `--host [user@]host[:port]`, as ssh and scp take it. Split here, before anything else reads the
 * flags, so that the rest of the tool (the profile above all) only ever sees a plain host.
 */
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import { hostProblem, portProblem, printable, userProblem } from './validate.js';

export interface HostSpec {
  host: string;
  user?: string;
  port?: number;
}

const EXAMPLE = 'e.g. --host admin@203.0.113.10:2222, or [2001:db8::1]:2222 for an IPv6 address with a port';

/** Parses [user@]host[:port]; a problem string (no flag prefix) when it is not one. */
export function parseHostSpec(text: string): HostSpec | { problem: string } {
  // The last @, as ssh splits it: a user name cannot contain one, so anything before it is the user.
  const at = text.lastIndexOf('@');
  const user = at < 0 ? undefined : text.slice(0, at);
  const rest = at < 0 ? text : text.slice(at + 1);
  let host: string;
  let port: string | undefined;
  if (rest.startsWith('[')) {
    const m = /^\[([^\]]*)\](?::(.*))?$/.exec(rest);
    if (!m) {
      return {
        problem: rest.includes(']')
          ? `"${printable(rest)}" is not [host] or [host]:port`
          : `"${printable(rest)}" has no closing "]"; write an IPv6 address with a port as [2001:db8::1]:2222`,
      };
    }
    host = m[1]!;
    port = m[2];
  } else if (rest.indexOf(':') !== rest.lastIndexOf(':')) {
    // Several colons and no brackets: a bare IPv6 address, which cannot carry a port (ssh reads it so too).
    if (isIP(rest) !== 6) return { problem: `"${printable(rest)}" is not an IPv6 address; write one with a port as [2001:db8::1]:2222` };
    host = rest;
  } else {
    const colon = rest.indexOf(':');
    host = colon < 0 ? rest : rest.slice(0, colon);
    port = colon < 0 ? undefined : rest.slice(colon + 1);
  }
  const problem =
    (user === undefined ? undefined : userProblem(user)) ?? hostProblem(host) ?? (port === undefined ? undefined : portProblem(port));
  if (problem) return { problem };
  return { host, ...(user === undefined ? {} : { user }), ...(port === undefined ? {} : { port: Number(port) }) };
}

/** Flags with a `host` spec split into host/user/port flags (strings, as commander gives them); UsageError on a conflict. */
export function expandHostFlag<F extends { host?: string; user?: string; port?: string }>(flags: F): F {
  if (flags.host === undefined) return flags;
  const spec = parseHostSpec(flags.host);
  if ('problem' in spec) throw new UsageError(`--host: ${spec.problem}`, `give --host as [user@]host[:port], ${EXAMPLE}`);
  // A value given both ways must agree; an invalid --user or --port is left to its own flag's message.
  if (spec.user !== undefined && flags.user !== undefined && userProblem(flags.user) === undefined && flags.user !== spec.user) {
    throw new UsageError(
      `--host says user "${spec.user}" but --user says "${printable(flags.user)}"`,
      'give the user once: in --host (user@host) or with --user',
    );
  }
  if (spec.port !== undefined && flags.port !== undefined && portProblem(flags.port) === undefined && Number(flags.port) !== spec.port) {
    throw new UsageError(
      `--host says port ${spec.port} but --port says ${Number(flags.port)}`,
      'give the port once: in --host (host:port) or with --port',
    );
  }
  return {
    ...flags,
    host: spec.host,
    ...(spec.user !== undefined && flags.user === undefined ? { user: spec.user } : {}),
    ...(spec.port !== undefined && flags.port === undefined ? { port: String(spec.port) } : {}),
  };
}
