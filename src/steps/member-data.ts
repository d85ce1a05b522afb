/**
 * What a host brings into a cluster: the data its ZooKeeper and its broker already hold. A ZooKeeper
 * with a database must be in the new ensemble's first quorum (else the fresh members may elect one of
 * their own, and it would then take their empty state over its own), and a broker with data keeps the
 * broker.id its log directories were written under (it refuses to start with another).
 */
import { posix } from 'node:path';
import { cleanPath, type HostFacts } from '../host/facts.js';
import { inEnsemble } from '../kafka/cluster.js';
import { getProperty } from '../kafka/properties.js';
import { currentDirs } from './data-plan.js';
import { dataDirOf } from './targets.js';

export interface MemberData {
  /** Its ZooKeeper holds a database (a snapshot or a transaction log in version-2), where its config points now or where kafka-setup keeps it. */
  zookeeper: boolean;
  /** That ZooKeeper runs alone (no server.N lines): a single server's. */
  standalone: boolean;
  /** The broker.id its log directories hold data under; 'generated' for broker.id=-1; undefined: no broker data. */
  brokerId: number | 'generated' | undefined;
}

type Seen = Pick<HostFacts, 'files' | 'dataDirs' | 'install'>;

const holds = (facts: Seen, dir: string): boolean => facts.dataDirs.get(cleanPath(dir))?.state === 'data';

export function memberData(facts: Seen): MemberData {
  const kept = posix.join(dataDirOf(facts), 'zookeeper');
  const zkConfig = facts.files['zookeeper.properties'].content;
  const installed = facts.files['server.properties'].content !== undefined;
  const current = currentDirs(facts);
  // Before extraction the shipped defaults under /tmp are someone else's, not this install's.
  const zookeeper = [...(installed ? [current.zookeeper] : []), kept].some((d) => holds(facts, posix.join(d, 'version-2')));
  const brokerData = [...(installed ? current.kafka : []), posix.join(dataDirOf(facts), 'kafka-logs')].filter((d) => holds(facts, d));
  // The id in the data itself (meta.properties) rules; server.properties names it where that is not yet written.
  const written = brokerData.map((d) => facts.dataDirs.get(cleanPath(d))?.brokerId).find((id) => id !== undefined);
  return {
    zookeeper,
    standalone: zookeeper && !inEnsemble(zkConfig),
    brokerId: brokerData.length === 0 ? undefined : (written ?? storedBrokerId(facts.files['server.properties'].content)),
  };
}

/** broker.id as server.properties gives it (Kafka's own default, -1, when unset: an id it generates). */
function storedBrokerId(serverProperties: string | undefined): number | 'generated' {
  const value = getProperty(serverProperties ?? '', 'broker.id')?.trim();
  const id = Number(value ?? '-1');
  return Number.isInteger(id) && id >= 0 ? id : 'generated';
}
