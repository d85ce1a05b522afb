/**
 * verify, on the host: the mode's JVMs, the broker's registration in ZooKeeper (3.x) or the KRaft
 * controller quorum (4.x), recent log errors.
 */
import { brokerId, findJvm } from '../host/install-jvms.js';
import type { QuorumState, VerifyFacts } from '../host/operations.js';
import { ZOOKEEPER } from '../kafka/daemons.js';
import { type KafkaMode, ZOOKEEPER_MODE } from '../kafka/mode.js';
import { getProperty } from '../kafka/properties.js';
import { describeVoter, nodeIdOf, voterStates } from '../kafka/quorum.js';
import { type CheckResult, check } from './types.js';

const RESTART = 'run kafka-setup init: it starts whatever is stopped (and says why it could not)';

export function hostChecks(seen: VerifyFacts, mode: KafkaMode = ZOOKEEPER_MODE): CheckResult[] {
  const out: CheckResult[] = [];
  const { facts } = seen;
  const { install } = facts;
  if (install.state !== 'kafka') {
    out.push(
      check(
        'install',
        'Kafka installed on the host',
        'fail',
        `${install.path} ${install.state === 'absent' ? 'does not exist' : 'is not a Kafka installation'}`,
        'run kafka-setup init, or pass --install-dir / --profile for where Kafka is installed',
      ),
    );
    return out;
  }

  const jvms = mode.daemons.map((d) => findJvm(facts, d));
  const seenByJps = (pid: number): boolean => facts.jps?.has(pid) ?? false;
  const many = mode.daemons.length > 1;
  const title = `${mode.daemons.map((d) => d.name).join(' and ')} ${many ? 'are' : 'is'} running`;
  const missing = mode.daemons.filter((_, i) => !jvms[i]).map((d) => `${d.name} (${d.jpsName})`);
  if (missing.length === 0) {
    const jps = jvms.every((j) => seenByJps(j!.pid)) ? 'listed by jps' : `in the process table (jps does not list ${many ? 'them' : 'it'})`;
    out.push(check('jvms', title, 'pass', `${mode.daemons.map((d, i) => `${d.jpsName} (pid ${jvms[i]!.pid})`).join(' and ')}, ${jps}`));
  } else {
    out.push(check('jvms', title, 'fail', `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not running`, RESTART));
  }
  if (seen.quorum) out.push(quorumCheck(seen.quorum, jvms[0] !== undefined, nodeIdOf(facts.serverProperties)));
  if (seen.zookeeper)
    out.push(
      registeredCheck(
        seen.zookeeper,
        facts.serverProperties,
        findJvm(facts, ZOOKEEPER) !== undefined,
        findJvm(facts, mode.broker) !== undefined,
      ),
    );
  out.push(logsCheck(seen));
  return out;
}

/**
 * The controller quorum (KRaft) as this node sees it: a leader, this node (node.id of its
 * server.properties) a voter, and — where the leader described its voters — this node caught up. The
 * other voters are the cluster's check (verify-cluster.ts); on one server this node is all of them.
 */
export function quorumCheck(q: QuorumState, running: boolean, nodeId: number | undefined): CheckResult {
  const title = 'Controller quorum has a leader';
  if (!q.answered)
    return check('quorum', title, 'fail', q.reason, running ? 'read logs/controller.log and logs/server.log on the host' : RESTART);
  const own = nodeId === undefined || !q.replicas ? undefined : voterStates(q.replicas, [nodeId])[0];
  const lag =
    own && own.state !== 'missing'
      ? `; node ${describeVoter(own)}`
      : q.maxLag === undefined
        ? ''
        : `, voters behind by at most ${q.maxLag} record${q.maxLag === 1 ? '' : 's'}`;
  const detail = `leader ${q.leaderId}${q.epoch === undefined ? '' : ` (epoch ${q.epoch})`}, voters [${q.voters.join(', ')}]${lag}`;
  if (q.leaderId < 0)
    return check(
      'quorum',
      title,
      'fail',
      `no leader: ${detail}`,
      'the controllers cannot elect a leader: read logs/controller.log on the host',
    );
  if (nodeId === undefined)
    return check('quorum', title, 'warn', `${detail}; server.properties names no node.id`, 'run kafka-setup init: it writes node.id');
  if (!q.voters.includes(nodeId) && q.voters.length > 0)
    return check('quorum', title, 'warn', `${detail}: node ${nodeId} is not a voter`, 'this node was formatted for another quorum');
  if (own) {
    if (own.state === 'stalled' || own.state === 'missing')
      return check(
        'quorum',
        title,
        'fail',
        `${detail}: node ${nodeId} does not fetch from the leader`,
        "read logs/controller.log on the host: it cannot reach the leader's controller port (9094)",
      );
    if (own.state === 'catching-up')
      return check('quorum', title, 'warn', detail, 'this node is catching up with the leader: run kafka-setup verify again in a moment');
    return check('quorum', title, 'pass', detail);
  }
  // Without the leader's rows, the largest lag: on one server there is no follower to be behind.
  if ((q.maxLag ?? 0) > 0) return check('quorum', title, 'warn', detail, 'a voter is behind: run kafka-setup verify again in a moment');
  return check('quorum', title, 'pass', detail);
}

/** The broker's registration in ZooKeeper (3.x). */
function registeredCheck(
  registered: NonNullable<VerifyFacts['zookeeper']>,
  serverProperties: string | undefined,
  zk: boolean,
  broker: boolean,
): CheckResult {
  // undefined: the broker picks its own id (broker.id=-1), so any registration is its.
  const id = brokerId(serverProperties);
  const named = `broker.id=${id ?? getProperty(serverProperties ?? '', 'broker.id')?.trim()}`;
  const ids = registered.ids;
  const connect = registered.connect;
  if (registered.shell === 'missing') {
    return check('registered', 'Broker registered in ZooKeeper', 'skip', 'bin/zookeeper-shell.sh is missing on the host');
  } else if (!ids) {
    return check(
      'registered',
      'Broker registered in ZooKeeper',
      'fail',
      `ZooKeeper at ${connect} did not answer`,
      zk ? `ZooKeeper runs but does not answer on ${connect}; read its log (logs/zookeeper.out) on the host` : RESTART,
    );
  } else if (id === undefined ? ids.length === 0 : !ids.includes(id)) {
    return check(
      'registered',
      'Broker registered in ZooKeeper',
      'fail',
      `/brokers/ids is [${ids.join(', ')}], without ${named}`,
      broker
        ? 'the broker runs but is not registered: it may still be starting, or cannot reach zookeeper.connect; read logs/server.log on the host'
        : RESTART,
    );
  } else {
    return check('registered', 'Broker registered in ZooKeeper', 'pass', `/brokers/ids = [${ids.join(', ')}] at ${connect}, ${named}`);
  }
}

function logsCheck(seen: VerifyFacts): CheckResult {
  const { install } = seen.facts;

  const logLines = seen.logs.errorLines;
  const files = seen.logs.files.map((f) => f.split('/').pop());
  if (logLines.length === 0)
    return check(
      'logs',
      'Recent ERROR/FATAL log lines',
      'pass',
      `none in ${files.length > 0 ? files.join(', ') : 'the logs (no log files yet)'}`,
    );
  return check(
    'logs',
    'Recent ERROR/FATAL log lines',
    'warn',
    `${logLines.length} in ${files.join(', ')}:\n${logLines.map((l) => `  ${l}`).join('\n')}`,
    `read ${install.path}/logs on the host; errors from before the last restart may be harmless`,
  );
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
  // A KRaft controller's listener is for the quorum, never for clients.
  const controllers = (getProperty(props, 'controller.listener.names') ?? '')
    .split(',')
    .map((n) => n.trim().toUpperCase())
    .filter(Boolean);
  const brokers = all.filter((l) => !controllers.includes(l.name));
  const forClients = brokers.length > 1 && inter ? brokers.filter((l) => l.name !== inter) : brokers;
  return forClients.map(({ host, port }) => ({ host, port }));
}

/** Whether the controller reaches the broker on a listener of its own, not on the clients' address. */
export function hasInternalListener(serverProperties: string | undefined): boolean {
  const props = serverProperties ?? '';
  const inter = getProperty(props, 'inter.broker.listener.name')?.trim().toUpperCase();
  const advertised = getProperty(props, 'advertised.listeners') ?? getProperty(props, 'listeners') ?? '';
  const names = advertised
    .split(',')
    .map((l) => l.trim().split('://')[0]!.toUpperCase())
    .filter(Boolean);
  return inter !== undefined && names.includes(inter) && names.length > 1;
}
