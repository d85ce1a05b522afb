/**
 * What a server says it is, read from its own files: a cluster member (its ZooKeeper's `server.N`
 * lines and its `myid`), a single server, or nothing of ours yet. The servers, not the saved profile,
 * are the truth about a cluster: a lost profile, another machine or another `--host` order must
 * never renumber a member or turn it into a single node.
 */
import { isIP } from 'node:net';
import type { HostFacts } from '../host/facts.js';
import { isHostName } from '../host-name.js';
import { inEnsemble, MAX_MEMBERS } from '../kafka/cluster.js';
import { memberData } from './member-data.js';

/** One `server.N=ADDRESS:2888:3888` line of an ensemble. */
export interface EnsembleEntry {
  id: number;
  address: string;
}

export type ServerRole =
  | { kind: 'none' }
  | { kind: 'single' }
  | {
      kind: 'member';
      /** Its ZooKeeper's myid, when the file holds one (1..255). */
      myid: number | undefined;
      /** The ensemble as its config lists it (the readable lines), by id. */
      ensemble: EnsembleEntry[];
    };

type Seen = Pick<HostFacts, 'files' | 'dataDirs' | 'install'>;

const SERVER_LINE = /^[ \t\f]*server\.(\d{1,3})[ \t\f]*[=:][ \t\f]*(.*)$/;

/** The address of a `server.N` value (`ADDRESS:2888:3888[:role][;client]`, IPv6 in brackets), if it is one. */
function addressOf(value: string): string | undefined {
  const v = value.trim();
  const address = v.startsWith('[') ? v.slice(1, v.indexOf(']')) : v.slice(0, v.indexOf(':') < 0 ? v.length : v.indexOf(':'));
  return isIP(address) !== 0 || isHostName(address) ? address : undefined;
}

/** The ensemble of a zookeeper.properties; lines that are not an id and an address are left out. */
export function ensembleOf(zookeeperProperties: string | undefined): EnsembleEntry[] {
  const out: EnsembleEntry[] = [];
  for (const line of (zookeeperProperties ?? '').split(/\r?\n|\r/)) {
    const m = SERVER_LINE.exec(line);
    const id = Number(m?.[1]);
    const address = m ? addressOf(m[2]!) : undefined;
    if (!m || address === undefined || id < 1 || id > MAX_MEMBERS || out.some((e) => e.id === id)) continue;
    out.push({ id, address });
  }
  return out.sort((a, b) => a.id - b.id);
}

/** myid as ZooKeeper reads it: a number alone (1..255); anything else is not one. */
export function myidOf(content: string | undefined): number | undefined {
  const m = /^\s*(\d{1,3})\s*$/.exec(content ?? '');
  const id = Number(m?.[1]);
  return m && id >= 1 && id <= MAX_MEMBERS ? id : undefined;
}

export function serverRole(facts: Seen): ServerRole {
  const config = facts.files['zookeeper.properties'].content;
  const myid = myidOf(facts.files.myid.content);
  // The install's config says it; where another version's install holds it (not visible to this
  // run), a myid beside ZooKeeper's database does: only a member's data has one.
  if (inEnsemble(config) || (myid !== undefined && memberData(facts).zookeeper)) {
    return { kind: 'member', myid, ensemble: ensembleOf(config) };
  }
  return config !== undefined || memberData(facts).zookeeper ? { kind: 'single' } : { kind: 'none' };
}

/** "member 2 of 3 (10.0.0.1, 10.0.0.2, 10.0.0.3)", as messages name a member. */
export function describeMember(role: Extract<ServerRole, { kind: 'member' }>): string {
  const of =
    role.ensemble.length > 0
      ? ` of a ZooKeeper ensemble of ${role.ensemble.length} (${role.ensemble.map((e) => e.address).join(', ')})`
      : ' of a ZooKeeper ensemble';
  return `${role.myid === undefined ? 'a member' : `member ${role.myid}`}${of}`;
}
