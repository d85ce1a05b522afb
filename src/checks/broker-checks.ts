/**
 * verify, from this machine: can a client here reach the broker, does it answer as Kafka, does it
 * advertise addresses this machine can reach, and does a message go round? No Java needed.
 */
import { apiName, formatApiVersions } from '../kafka/api-versions.js';
import { askBootstrap, type BootstrapAnswer, roundTrip } from '../kafka/client.js';
import { bootstrapAddress } from '../kafka/distribution.js';
import { type PrivatePort, ZOOKEEPER_MODE } from '../kafka/mode.js';
import { resolveHost, tcpConnect } from '../local/net.js';
import { type CheckResult, check } from './types.js';

export interface BrokerCheckOptions {
  host: string;
  port: number;
  timeoutMs: number;
  roundtrip: boolean;
  /** advertised.listeners as server.properties on the host says, when verify could read it. */
  configured?: Array<{ host: string; port: number }> | undefined;
  /** Whether server.properties gives the controller a listener of its own (undefined: not known). */
  internalListener?: boolean | undefined;
  /** kafkajs's log, with --verbose. */
  log?: ((line: string) => void) | undefined;
  /** The round trip's topic replicas (a cluster's replication factor; default 1). */
  replication?: number;
  /** Called as each check completes, so the reporter can show progress. */
  onCheck?: (c: CheckResult) => void;
  /** The mode's port that must not be reachable from here (default: ZooKeeper's). */
  privatePort?: PrivatePort | undefined;
  /** Whether the Metadata answer's controller is the cluster's (the mode's metadataNamesController; default yes). */
  namesController?: boolean | undefined;
}

export interface BrokerCheckReport {
  checks: CheckResult[];
  answer: BootstrapAnswer | undefined;
  apiVersionsText: string[];
}

function fixAdvertised(bootstrapHost: string, advertised: ReadonlyArray<{ host: string }> = []): string {
  const other = advertised.find((a) => a.host.toLowerCase() !== bootstrapHost.toLowerCase());
  if (other) {
    return (
      `the broker advertises ${other.host}, not the address you reach it at (${bootstrapHost}), so clients are sent where they cannot connect. ` +
      `If the server's address changed (an EC2 stop/start gives it a new public IP), run kafka-setup init --host ${bootstrapHost}: it rewrites advertised.listeners and restarts the broker; ` +
      `otherwise set an address clients can reach, e.g. kafka-setup init --advertised-host ${bootstrapHost}`
    );
  }
  return `clients connect to the bootstrap address, then to the address each broker advertises, so that one must work from where clients run. Set advertised.listeners=PLAINTEXT://${bootstrapAddress(bootstrapHost)} with: kafka-setup init --advertised-host ${bootstrapHost}`;
}

/**
 * A broker lists no brokers when its controller cannot reach it. Without a listener of its own, the
 * controller uses the advertised address — on EC2 the public IP, which the instance cannot reach when
 * the security group allows 9092 only from the user's IP.
 */
function notInMetadataFix(o: BrokerCheckOptions): string {
  const advertised = o.configured?.[0] ? bootstrapAddress(o.configured[0].host, o.configured[0].port) : 'its advertised address';
  if (o.internalListener === false) {
    return (
      `its controller reaches it at ${advertised}, the same address clients use, and the host cannot reach that address itself (a security group that allows ${o.port} only from your IP does this). ` +
      "Run kafka-setup init: it gives the controller a listener of its own on the host's loopback (inter.broker.listener.name=INTERNAL, 127.0.0.1:9093), and restarts the broker"
    );
  }
  return 'it may still be starting (wait a few seconds and run verify again); otherwise its controller cannot reach it: read logs/controller.log and logs/server.log on the host';
}

export async function brokerChecks(o: BrokerCheckOptions): Promise<BrokerCheckReport> {
  const checks: CheckResult[] = [];
  const add = (c: CheckResult): void => {
    checks.push(c);
    o.onCheck?.(c);
  };
  const address = bootstrapAddress(o.host, o.port);
  const report: BrokerCheckReport = { checks, answer: undefined, apiVersionsText: [] };

  const reach = await tcpConnect(o.host, o.port, o.timeoutMs);
  if (!reach.ok) {
    const fix =
      reach.code === 'ECONNREFUSED'
        ? `nothing listens on ${address}: the broker is down or listens elsewhere; run kafka-setup init (and kafka-setup verify with --profile) to start it`
        : reach.code === 'ENOTFOUND' || reach.code === 'EAI_AGAIN'
          ? `check the address (--bootstrap or the profile's host)`
          : `open inbound TCP ${o.port} from your IP in the instance's security group (and any firewall on the way)`;
    add(check('reach', `Port ${o.port} reachable from here`, 'fail', `${address}: ${reach.reason}`, fix));
    for (const [id, title] of [
      ['api-versions', 'ApiVersions'],
      ['metadata', 'Metadata'],
      ['advertised', 'Advertised addresses reachable'],
      ['roundtrip', 'Produce/consume round trip'],
    ] as const) {
      add(check(id, title, 'skip', `${address} is not reachable`));
    }
    return report;
  }
  add(check('reach', `Port ${o.port} reachable from here`, 'pass', `${address} accepted a connection in ${reach.ms} ms`));

  const p = o.privatePort ?? ZOOKEEPER_MODE.privatePort;
  const exposed = await tcpConnect(o.host, p.port, Math.min(o.timeoutMs, 3000));
  const title = `${p.name.replace(/^the /, '').replace(/^./, (c) => c.toUpperCase())} port ${p.port} not exposed`;
  add(
    exposed.ok
      ? check(
          p.id,
          title,
          'warn',
          `${bootstrapAddress(o.host, p.port)} accepts connections from here`,
          `${p.name.replace(/^./, (c) => c.toUpperCase())} has no authentication here: allow inbound ${p.port} only from inside your network (security group), never from the internet`,
        )
      : check(p.id, title, 'pass', `${bootstrapAddress(o.host, p.port)}: ${exposed.reason}`),
  );

  let answer: BootstrapAnswer;
  try {
    answer = await askBootstrap(o.host, o.port, o.timeoutMs);
  } catch (err) {
    add(
      check(
        'api-versions',
        'ApiVersions',
        'fail',
        `${address} accepted the connection but did not answer as a Kafka broker: ${(err as Error).message}`,
        `check that ${o.port} is the broker's PLAINTEXT listener (not TLS/SASL, not another program)`,
      ),
    );
    for (const [id, title] of [
      ['metadata', 'Metadata'],
      ['advertised', 'Advertised addresses reachable'],
      ['roundtrip', 'Produce/consume round trip'],
    ] as const) {
      add(check(id, title, 'skip', 'no Kafka answer at the bootstrap address'));
    }
    return report;
  }
  report.answer = answer;
  const self = answer.brokers.find((b) => b.host === o.host && b.port === o.port) ?? answer.brokers[0];
  report.apiVersionsText = formatApiVersions(address, self?.nodeId, self?.rack ?? null, answer.apiVersions);
  const top = (key: number): string => {
    const v = answer.apiVersions.find((a) => a.apiKey === key);
    return v ? `${apiName(key)} v${v.minVersion}–${v.maxVersion}` : `${apiName(key)} missing`;
  };
  add(check('api-versions', 'ApiVersions', 'pass', `${answer.apiVersions.length} APIs (${top(0)}, ${top(1)}, ${top(3)})`));

  const described = answer.brokers
    .map(
      (b) =>
        `${b.nodeId} at ${bootstrapAddress(b.host, b.port)}${o.namesController !== false && b.nodeId === answer.controllerId ? ' (controller)' : ''}`,
    )
    .join(', ');
  add(
    answer.brokers.length > 0
      ? check(
          'metadata',
          'Metadata',
          'pass',
          `${answer.brokers.length} broker${answer.brokers.length > 1 ? 's' : ''}: ${described}; cluster ${answer.clusterId}`,
        )
      : check(
          'metadata',
          'Metadata',
          'fail',
          'the broker lists no brokers in its metadata: it is not in its own metadata, so nothing can be produced or consumed',
          notInMetadataFix(o),
        ),
  );

  // What clients will be told to connect to: the metadata's brokers, or — when the broker lists none,
  // as happens when even its own controller cannot reach the advertised address — server.properties.
  const advertised =
    answer.brokers.length > 0
      ? answer.brokers.map((b) => ({ label: `broker ${b.nodeId} advertises`, host: b.host, port: b.port }))
      : (o.configured ?? []).map((a) => ({ label: 'server.properties advertises', host: a.host, port: a.port }));
  const unreachable: string[] = [];
  for (const a of advertised) {
    const name = await resolveHost(a.host);
    if (!name.ok) {
      unreachable.push(`${a.label} ${bootstrapAddress(a.host, a.port)}: ${name.reason}`);
      continue;
    }
    const r = await tcpConnect(a.host, a.port, o.timeoutMs);
    if (!r.ok) unreachable.push(`${a.label} ${bootstrapAddress(a.host, a.port)}: ${r.reason}`);
  }
  const advertisedOk = unreachable.length === 0 && answer.brokers.length > 0;
  add(
    advertisedOk
      ? check('advertised', 'Advertised addresses reachable', 'pass', advertised.map((a) => bootstrapAddress(a.host, a.port)).join(', '))
      : check(
          'advertised',
          'Advertised addresses reachable',
          'fail',
          unreachable.join('; ') || 'the broker advertises no address (its metadata lists no brokers)',
          unreachable.length > 0
            ? fixAdvertised(o.host, advertised)
            : answer.brokers.length === 0
              ? notInMetadataFix(o)
              : fixAdvertised(o.host),
        ),
  );

  if (!o.roundtrip) {
    add(check('roundtrip', 'Produce/consume round trip', 'skip', 'skipped (--no-roundtrip)'));
  } else if (!advertisedOk) {
    add(check('roundtrip', 'Produce/consume round trip', 'skip', 'clients cannot reach the advertised address, so it would fail'));
  } else {
    try {
      const rt = await roundTrip(address, Math.max(o.timeoutMs, 60_000), o.log, o.replication ?? 1);
      add(
        check(
          'roundtrip',
          'Produce/consume round trip',
          rt.deleted ? 'pass' : 'warn',
          `1 message through topic ${rt.topic}${(o.replication ?? 1) > 1 ? ` (${o.replication} replicas, acks=all)` : ''}: produced in ${rt.produceMs} ms, read back in ${rt.consumeMs} ms; ${rt.deleted ? 'topic deleted' : 'the topic could not be deleted'}`,
          rt.deleted ? undefined : `delete it by hand: bin/kafka-topics.sh --bootstrap-server ${address} --delete --topic ${rt.topic}`,
        ),
      );
    } catch (err) {
      const replicas = o.replication ?? 1;
      const short = replicas > answer.brokers.length;
      add(
        check(
          'roundtrip',
          'Produce/consume round trip',
          'fail',
          short
            ? `${(err as Error).message}: a topic with ${replicas} replicas needs ${replicas} brokers, and ${answer.brokers.length} are registered`
            : (err as Error).message,
          short
            ? 'start the missing brokers (see the checks above), then run verify again'
            : 'read logs/server.log on the host; a full disk or a broker still starting are common causes',
        ),
      );
    }
  }
  return report;
}
