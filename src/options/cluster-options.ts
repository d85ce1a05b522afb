/**
 * The hosts of a cluster init: every `--host [user@]host[:port]` (or the saved cluster's), the address
 * each advertises to clients, and the saved member each one is. Their numbers (ZooKeeper's myid, the
 * broker.id) are decided once the servers have been asked: see commands/member-ids.ts.
 */
import { UsageError } from '../errors.js';
import { MAX_MEMBERS } from '../kafka/cluster.js';
import { parseHostSpec } from './host-spec.js';
import { hostProblem, portProblem, printable, userProblem } from './validate.js';

/** A member as the profile keeps it. */
export interface SavedMember {
  id: number;
  /** Absent: the id (profiles before a single server could join kept no other). */
  brokerId?: number | undefined;
  host: string;
  user: string;
  port: number;
  advertisedHost: string;
}

/**
 * A member as this run resolves it before any server is asked: user and port undefined where the
 * shared --user/--port (or defaults) apply. Its number comes from the servers (member-ids.ts).
 */
export interface ClusterHost {
  /** The saved member's id, when the profile knows this host (by host and port). */
  savedId: number | undefined;
  /** The saved member's broker.id (undefined: new, or the id). */
  brokerId: number | undefined;
  host: string;
  user: string | undefined;
  port: number | undefined;
  /** Undefined: the host itself. */
  advertisedHost: string | undefined;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * The saved member a --host names: the same host and port (members may share an address and differ in
 * their SSH port, as behind one NAT); without a port, the host's only member, or its member on 22.
 */
export function savedMemberFor(saved: readonly SavedMember[] | undefined, host: string, port: number | undefined): SavedMember | undefined {
  const named = (saved ?? []).filter((m) => same(m.host, host));
  if (port !== undefined) return named.find((m) => m.port === port);
  return named.length === 1 ? named[0] : named.find((m) => m.port === 22);
}

/**
 * `--advertised-host` in a cluster: `HOST=ADDRESS` for the hosts whose clients use another address
 * (a public DNS name), or one address per --host in the same order.
 */
function advertisedFor(hosts: readonly string[], given: readonly string[]): Array<string | undefined> {
  if (given.length === 0) return hosts.map(() => undefined);
  const pairs = given.map((g) => {
    const eq = g.indexOf('=');
    return eq < 0 ? undefined : ([g.slice(0, eq), g.slice(eq + 1)] as const);
  });
  if (pairs.every((p) => p === undefined)) {
    if (given.length !== hosts.length) {
      throw new UsageError(
        `--advertised-host is given ${given.length} time${given.length > 1 ? 's' : ''} for ${hosts.length} hosts`,
        'give one per --host, in the same order, or name the host: --advertised-host HOST=ADDRESS',
      );
    }
    return given.map((g) => g);
  }
  const out: Array<string | undefined> = hosts.map(() => undefined);
  for (const [i, p] of pairs.entries()) {
    if (!p)
      throw new UsageError(
        `--advertised-host "${printable(given[i]!)}": in a cluster, name the host it is for`,
        'write --advertised-host HOST=ADDRESS, HOST as in --host',
      );
    const at = hosts.findIndex((h) => same(h, p[0]));
    if (at < 0)
      throw new UsageError(
        `--advertised-host ${printable(p[0])}=…: ${printable(p[0])} is not one of the --host values (${hosts.join(', ')})`,
        'name a host exactly as --host gives it',
      );
    out[at] = p[1];
  }
  return out;
}

/** The cluster's hosts, from the --host values (specs) or, with none, the saved cluster. */
export function clusterHosts(
  specs: readonly string[],
  advertised: readonly string[],
  saved: readonly SavedMember[] | undefined,
): ClusterHost[] {
  if (specs.length === 0 && saved) {
    return saved.map((m) => ({
      savedId: m.id,
      brokerId: m.brokerId,
      host: m.host,
      user: m.user,
      port: m.port,
      advertisedHost:
        advertisedFor(
          saved.map((s) => s.host),
          advertised,
        )[saved.indexOf(m)] ?? m.advertisedHost,
    }));
  }
  const parsed = specs.map((s) => {
    const p = parseHostSpec(s);
    if ('problem' in p)
      throw new UsageError(`--host ${printable(s)}: ${p.problem}`, 'give each host as [user@]host[:port], e.g. --host admin@203.0.113.10');
    return p;
  });
  const names = parsed.map((p) => p.host);
  for (const [i, p] of parsed.entries()) {
    const twice = parsed.findIndex((q) => same(q.host, p.host) && (q.port ?? 22) === (p.port ?? 22));
    if (twice !== i) throw new UsageError(`--host ${printable(p.host)} is given twice`, 'give each host of the cluster once');
  }
  if (parsed.length > MAX_MEMBERS)
    throw new UsageError(
      `${parsed.length} hosts: kafka-setup sets up at most ${MAX_MEMBERS} members in a cluster (ZooKeeper's myid is 1..255)`,
      'give fewer hosts',
    );
  const ads = advertisedFor(names, advertised);
  for (const a of ads) {
    const problem = a === undefined ? undefined : hostProblem(a);
    if (problem) throw new UsageError(`--advertised-host: ${problem}`);
  }
  // A saved member left out is judged once the servers have been asked (member-ids.ts): it may be
  // one of these hosts at a new address.
  return parsed.map((p, i) => {
    const was = savedMemberFor(saved, p.host, p.port);
    return {
      savedId: was?.id,
      brokerId: was?.brokerId,
      host: p.host,
      user: p.user ?? was?.user,
      port: p.port ?? was?.port,
      advertisedHost: ads[i] ?? was?.advertisedHost,
    };
  });
}

const isBrokerId = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 2 ** 31 - 1;

/**
 * What is wrong with one saved member (said after `"cluster" host N`), its values held to their flags'
 * rules (--port, --user, --host, --advertised-host): a hand-edited profile gets no further than the
 * command line would.
 */
function savedMemberProblem(m: unknown): string | undefined {
  const x = m as Partial<Record<keyof SavedMember, unknown>>;
  if (
    typeof m !== 'object' ||
    m === null ||
    typeof x.host !== 'string' ||
    typeof x.user !== 'string' ||
    typeof x.advertisedHost !== 'string' ||
    !Number.isInteger(x.id) ||
    (x.id as number) < 1 ||
    (x.id as number) > MAX_MEMBERS ||
    !Number.isInteger(x.port)
  ) {
    return ' is not {id, host, user, port, advertisedHost}';
  }
  if (x.brokerId !== undefined && !isBrokerId(x.brokerId)) return ' has a brokerId that is not a broker.id (0 or more)';
  const problem = (
    [
      ['port', portProblem(String(x.port))],
      ['user', userProblem(x.user)],
      ['host', hostProblem(x.host)],
      ['advertisedHost', hostProblem(x.advertisedHost)],
    ] as const
  ).find(([, p]) => p !== undefined);
  return problem && `, "${problem[0]}": ${problem[1]}`;
}

/** The first member whose key an earlier one has, and both places in the list, as "hosts 1 and 3". */
function twice(members: readonly SavedMember[], key: (m: SavedMember) => string): { member: SavedMember; places: string } | undefined {
  const keys = members.map(key);
  const i = keys.findIndex((k, at) => keys.indexOf(k) !== at);
  return i < 0 ? undefined : { member: members[i]!, places: `hosts ${keys.indexOf(keys[i]!) + 1} and ${i + 1}` };
}

/**
 * What is wrong with a profile's `cluster` value, or undefined. Besides each member's values, no two
 * members may share an id (ZooKeeper's myid), a broker.id or a server (host and SSH port): any of these
 * would set up one server twice, or two servers as one.
 */
export function savedClusterProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length < 2) return '"cluster" is not a list of hosts';
  for (const [i, m] of (value as unknown[]).entries()) {
    const problem = savedMemberProblem(m);
    // Printable: a validator may quote the value, and the file's content never reaches the terminal as it is.
    if (problem) return `"cluster" host ${i + 1}${printable(problem)}`;
  }
  const members = value as SavedMember[];
  const id = twice(members, (m) => String(m.id));
  if (id) return `"cluster" gives id ${id.member.id} to ${id.places}`;
  const broker = twice(members, (m) => String(m.brokerId ?? m.id));
  if (broker)
    return `"cluster" gives broker id ${broker.member.brokerId ?? broker.member.id} to ${broker.places} (a host without "brokerId" has its id)`;
  const server = twice(members, (m) => `${m.host.toLowerCase()}:${m.port}`);
  if (server)
    return `"cluster" names one server twice: ${server.places} are both ${printable(server.member.host)} port ${server.member.port}`;
  return undefined;
}

/** How a member's lines are marked: its host, with the port when another member shares the host. */
export function memberLabel(m: { host: string; port?: number | undefined }, all: ReadonlyArray<{ host: string }>): string {
  return all.filter((x) => same(x.host, m.host)).length > 1 ? `${m.host}:${m.port ?? 22}` : m.host;
}

/** The flags that name one saved member: its host and its SSH port. */
export function memberFlags(m: SavedMember): { host: string; port: string } {
  return { host: m.host, port: String(m.port) };
}
