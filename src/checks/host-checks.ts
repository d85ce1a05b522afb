/** verify, on the host: the JVMs, the broker's registration in ZooKeeper, recent log errors. */
import { brokerId, brokerJvm, zookeeperJvm } from '../host/install-jvms.js';
import type { VerifyFacts } from '../host/operations.js';
import { getProperty } from '../kafka/properties.js';
import { check, type CheckResult } from './types.js';

const RESTART = 'run kafka-setup init: it starts whatever is stopped (and says why it could not)';

export function hostChecks(seen: VerifyFacts): CheckResult[] {
  const out: CheckResult[] = [];
  const { facts } = seen;
  const { install } = facts;
  if (install.state !== 'kafka') {
    out.push(check('install', 'Kafka installed on the host', 'fail', `${install.path} ${install.state === 'absent' ? 'does not exist' : 'is not a Kafka installation'}`,
      'run kafka-setup init, or pass --install-dir / --profile for where Kafka is installed'));
    return out;
  }

  const zk = zookeeperJvm(facts);
  const broker = brokerJvm(facts);
  const seenByJps = (pid: number): boolean => facts.jps?.has(pid) ?? false;
  const missing = [zk ? '' : 'ZooKeeper (QuorumPeerMain)', broker ? '' : 'the broker (Kafka)'].filter(Boolean);
  if (missing.length === 0) {
    const jps = seenByJps(zk!.pid) && seenByJps(broker!.pid) ? 'listed by jps' : 'in the process table (jps does not list them)';
    out.push(check('jvms', 'ZooKeeper and the broker are running', 'pass', `QuorumPeerMain (pid ${zk!.pid}) and Kafka (pid ${broker!.pid}), ${jps}`));
  } else {
    out.push(check('jvms', 'ZooKeeper and the broker are running', 'fail', `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not running`, RESTART));
  }

  // undefined: the broker picks its own id (broker.id=-1), so any registration is its.
  const id = brokerId(facts.serverProperties);
  const named = `broker.id=${id ?? getProperty(facts.serverProperties ?? '', 'broker.id')?.trim()}`;
  const ids = seen.zookeeper.ids;
  const connect = seen.zookeeper.connect;
  if (seen.zookeeper.shell === 'missing') {
    out.push(check('registered', 'Broker registered in ZooKeeper', 'skip', 'bin/zookeeper-shell.sh is missing on the host'));
  } else if (!ids) {
    out.push(check('registered', 'Broker registered in ZooKeeper', 'fail', `ZooKeeper at ${connect} did not answer`,
      zk ? `ZooKeeper runs but does not answer on ${connect}; read its log (logs/zookeeper.out) on the host` : RESTART));
  } else if (id === undefined ? ids.length === 0 : !ids.includes(id)) {
    out.push(check('registered', 'Broker registered in ZooKeeper', 'fail', `/brokers/ids is [${ids.join(', ')}], without ${named}`,
      broker ? 'the broker runs but is not registered: it may still be starting, or cannot reach zookeeper.connect; read logs/server.log on the host' : RESTART));
  } else {
    out.push(check('registered', 'Broker registered in ZooKeeper', 'pass', `/brokers/ids = [${ids.join(', ')}] at ${connect}, ${named}`));
  }

  const logLines = seen.logs.errorLines;
  const files = seen.logs.files.map((f) => f.split('/').pop());
  if (logLines.length === 0) {
    out.push(check('logs', 'Recent ERROR/FATAL log lines', 'pass', `none in ${files.length > 0 ? files.join(', ') : 'the logs (no log files yet)'}`));
  } else {
    out.push(check('logs', 'Recent ERROR/FATAL log lines', 'warn', `${logLines.length} in ${files.join(', ')}:\n${logLines.map((l) => `  ${l}`).join('\n')}`,
      `read ${install.path}/logs on the host; errors from before the last restart may be harmless`));
  }
  return out;
}

/**
 * The addresses clients are told to use: advertised.listeners (else listeners) of server.properties,
 * as host:port pairs — without the inter-broker listener when there are others (kafka-setup's
 * internal one is on the host's loopback, for the controller, not for clients).
 */
export function configuredListeners(serverProperties: string | undefined): Array<{ host: string; port: number }> {
  const props = serverProperties ?? '';
  const value = getProperty(props, 'advertised.listeners') ?? getProperty(props, 'listeners') ?? '';
  const all = value
    .split(',')
    .map((l) => /^([A-Za-z0-9_]+):\/\/(\[[^\]]+\]|[^:]*):(\d+)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null && m[2] !== '')
    .map((m) => ({ name: m[1]!.toUpperCase(), host: m[2]!.replace(/^\[|\]$/g, ''), port: Number(m[3]) }));
  const inter = getProperty(props, 'inter.broker.listener.name')?.trim().toUpperCase();
  const forClients = all.length > 1 && inter ? all.filter((l) => l.name !== inter) : all;
  return forClients.map(({ host, port }) => ({ host, port }));
}

/** Whether the controller reaches the broker on a listener of its own, not on the clients' address. */
export function hasInternalListener(serverProperties: string | undefined): boolean {
  const props = serverProperties ?? '';
  const inter = getProperty(props, 'inter.broker.listener.name')?.trim().toUpperCase();
  const advertised = getProperty(props, 'advertised.listeners') ?? getProperty(props, 'listeners') ?? '';
  const names = advertised.split(',').map((l) => l.trim().split('://')[0]!.toUpperCase()).filter(Boolean);
  return inter !== undefined && names.includes(inter) && names.length > 1;
}
