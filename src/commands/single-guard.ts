/**
 * What a single server's init must not do, judged from the server itself before any step runs: turn a
 * cluster member into a single node (whatever the profile says: a typo, another terminal, another
 * machine, `--profile x`, or the member at a new address after an EC2 stop/start), or overwrite a
 * saved cluster profile — the only record of the cluster on this machine — with a single server's.
 */
import { UsageError } from '../errors.js';
import type { HostFacts } from '../host/facts.js';
import type { SavedMember } from '../options/cluster-options.js';
import { describeMember, serverRole } from '../steps/server-role.js';

export interface SingleGuardContext {
  /** The host as given (--host or the profile's), and how to reach it. */
  host: string;
  user: string;
  port: number;
  profileName: string;
  /** The saved profile's cluster, if it is a cluster's. */
  saved: readonly SavedMember[] | undefined;
}

/** `[user@]host[:port]` as --host takes it (IPv6 in brackets where a port follows). */
function spec(m: { host: string; user?: string; port?: number }): string {
  const host = m.port !== undefined && m.port !== 22 && m.host.includes(':') ? `[${m.host}]` : m.host;
  return `${m.user ? `${m.user}@` : ''}${host}${m.port !== undefined && m.port !== 22 ? `:${m.port}` : ''}`;
}

/** The hosts to give a cluster init for this member's cluster: the saved ones where the profile knows them, else the ensemble's addresses. */
function clusterFlags(
  role: Extract<ReturnType<typeof serverRole>, { kind: 'member' }>,
  c: SingleGuardContext,
): { flags: string; known: boolean } {
  const saved = c.saved ?? [];
  const known = role.ensemble.length > 0 && role.ensemble.every((e) => e.id === role.myid || saved.some((m) => m.id === e.id));
  const self = spec(c);
  const hosts = role.ensemble.map((e) => (e.id === role.myid ? self : known ? spec(saved.find((m) => m.id === e.id)!) : e.address));
  return { flags: (hosts.length > 0 ? hosts : [self]).map((h) => `--host ${h}`).join(' '), known };
}

export function singleInitProblem(facts: HostFacts, c: SingleGuardContext): UsageError | undefined {
  const role = serverRole(facts);
  if (role.kind === 'member') {
    const { flags, known } = clusterFlags(role, c);
    return new UsageError(
      `${c.host} is ${describeMember(role)}: init on it alone would make it a single node and take it out of its cluster; nothing was changed`,
      `set up its cluster instead: kafka-setup init ${flags}${c.saved && known ? ` --profile ${c.profileName}` : ''}` +
        `${known ? '' : " (the ensemble lists the members' private addresses: give each at the address this machine reaches it at)"}; each member is recognised by its own data`,
    );
  }
  if (c.saved) {
    return new UsageError(
      `profile "${c.profileName}" holds the cluster of ${c.saved.map((m) => m.host).join(', ')}: saving ${c.host}'s single-server set-up would replace it; nothing was changed`,
      `pass --profile NAME to keep this server's settings apart from the cluster's (e.g. --profile ${
        c.host
          .replace(/[^A-Za-z0-9_.-]/g, '-')
          .replace(/^[^A-Za-z0-9]+/, '')
          .slice(0, 64) || 'single'
      })`,
    );
  }
  return undefined;
}
