/** Which JVMs in the process table are this install's broker and ZooKeeper, and the broker's id. */
import { ELECTION_PORT, inEnsemble } from '../kafka/cluster.js';
import { BROKER, type DaemonSpec, ZOOKEEPER } from '../kafka/daemons.js';
import { getProperty } from '../kafka/properties.js';
import type { HostFacts, JvmFact } from './facts.js';
import type { Service } from './operations.js';
import { ourUnitFile } from './unit-owner.js';

type Seen = Pick<HostFacts, 'install' | 'jvms'>;

/**
 * Our JVM: this main class, started with this install's config file — given absolute (as we start
 * it) or relative to the JVM's working directory (as the seed notes do, from the install directory).
 */
export function findJvm(facts: Seen, d: DaemonSpec): JvmFact | undefined {
  const install = facts.install.path;
  const path = `${install}/config/${d.config}`;
  return facts.jvms.find((j) => {
    if (j.mainClass !== d.main) return false;
    const args = ` ${j.args} `;
    if (args.includes(` ${path} `)) return true;
    return j.cwd === install && (args.includes(` config/${d.config} `) || args.includes(` ./config/${d.config} `));
  });
}

export const brokerJvm = (facts: Seen): JvmFact | undefined => findJvm(facts, BROKER);
export const zookeeperJvm = (facts: Seen): JvmFact | undefined => findJvm(facts, ZOOKEEPER);

/**
 * The daemon as it runs on this host: a member of an ensemble (server.N lines) also needs ZooKeeper's
 * election port, which nobody else may hold (else it runs, and never finds its quorum).
 */
export function asConfigured(d: DaemonSpec, facts: Pick<HostFacts, 'files'>): DaemonSpec {
  if (d.kind !== 'zookeeper' || !inEnsemble(facts.files['zookeeper.properties'].content)) return d;
  return { ...d, otherPorts: [...d.otherPorts, ELECTION_PORT] };
}

/**
 * broker.id of server.properties (a KRaft node's node.id, which it is then); undefined when the broker
 * picks its own (-1).
 */
export function brokerId(serverProperties: string | undefined): number | undefined {
  const props = serverProperties ?? '';
  const id = Number((getProperty(props, 'broker.id') ?? getProperty(props, 'node.id'))?.trim() ?? '0');
  return Number.isInteger(id) && id >= 0 ? id : undefined;
}

/**
 * How a daemon is run now: through kafka-setup's unit where systemd runs the host and the unit is
 * installed. A unit of the same name that kafka-setup did not write is not ours to start or stop:
 * the JVM is then handled by pid and with the -daemon scripts.
 */
export function serviceOf(facts: Pick<HostFacts, 'services'>, d: DaemonSpec): Service {
  return facts.services.systemd && ourUnitFile(facts.services.units[d.kind]) ? 'systemd' : 'none';
}
