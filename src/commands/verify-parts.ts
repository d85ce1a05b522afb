/** What verify does on one host and how it ends: shared by verify on one server and on a cluster. */
import type { BrokerCheckReport } from '../checks/broker-checks.js';
import { configuredListeners, hasInternalListener, hostChecks } from '../checks/host-checks.js';
import { type CheckResult, check } from '../checks/types.js';
import { InterruptedError, UserError } from '../errors.js';
import type { QuorumState } from '../host/operations.js';
import { RemoteHost } from '../host/remote-host.js';
import { ProtocolError } from '../host/sections.js';
import type { ZookeeperMode } from '../host/zookeeper-mode.js';
import { modeOf } from '../kafka/mode.js';
import { nodeIdOf } from '../kafka/quorum.js';
import type { VerifyOptions } from '../options/verify-options.js';
import { describeStats, RemoteFailure } from '../remote/session.js';
import type { CommandIO } from './io.js';
import { openSession } from './open-session.js';

/** What server.properties on the host says about the broker's listeners. */
export interface HostListeners {
  configured: Array<{ host: string; port: number }>;
  internal: boolean;
}

/** What a cluster's checks need of each host: ZooKeeper's mode (3.x), or the KRaft quorum as this node's controller described it (4.x). */
export type QuorumAnswer = { zk: ZookeeperMode } | { kraft: QuorumState; nodeId: number | undefined };

/**
 * The host's checks; returns what its server.properties configures. `quorum`, given, also gets the
 * host's answer about its quorum (a cluster's quorum check): ZooKeeper's mode, asked over the same
 * connection, or the KRaft quorum verify's own round trip already described.
 */
export async function onHost(
  o: VerifyOptions,
  io: CommandIO,
  show: (c: CheckResult) => void,
  quorum?: (said: QuorumAnswer) => void,
): Promise<HostListeners | undefined> {
  let session: Awaited<ReturnType<typeof openSession>>;
  try {
    session = await openSession(o.connection!, io, { dryRun: false });
  } catch (err) {
    if (err instanceof InterruptedError || !(err instanceof UserError)) throw err;
    show(check('ssh', 'SSH to the host', 'fail', err.message, err.hint));
    return undefined;
  }
  try {
    const host = new RemoteHost(session, { options: { installDir: o.installDir }, dist: o.dist });
    const mode = modeOf(o.dist);
    const seen = await host.verify(mode);
    for (const c of hostChecks(seen, mode)) show(c);
    if (quorum)
      quorum(seen.quorum ? { kraft: seen.quorum, nodeId: nodeIdOf(seen.facts.serverProperties) } : { zk: await host.zookeeperMode() });
    return { configured: configuredListeners(seen.facts.serverProperties), internal: hasInternalListener(seen.facts.serverProperties) };
  } catch (err) {
    if (!(err instanceof RemoteFailure || err instanceof UserError || err instanceof ProtocolError)) throw err;
    show(check('host', 'Checks on the host', 'fail', err.message, 'run kafka-setup verify --verbose to see the remote command'));
    return undefined;
  } finally {
    io.reporter.verbose(`ssh: ${describeStats(session.stats)}`);
    session.close();
  }
}

/** verify's ending, alone or on a cluster: the summary (or the JSON document), and exit 0 only when no check failed. */
export function verdict(
  io: CommandIO,
  json: boolean,
  checks: CheckResult[],
  broker: BrokerCheckReport,
  about: Record<string, unknown>,
): number {
  const failed = checks.filter((c) => c.status === 'fail');
  const warned = checks.filter((c) => c.status === 'warn');
  if (json) {
    io.reporter.json({
      ok: failed.length === 0,
      ...about,
      checks,
      brokers: broker.answer?.brokers ?? [],
      controllerId: broker.answer?.controllerId ?? null,
      clusterId: broker.answer?.clusterId ?? null,
      apiVersions: broker.answer?.apiVersions ?? [],
    });
  } else {
    if (broker.apiVersionsText.length > 0) io.reporter.lines(['', ...broker.apiVersionsText]);
    const passed = checks.filter((c) => c.status === 'pass').length;
    io.reporter.lines([
      '',
      failed.length === 0
        ? `verify: all ${passed} checks passed${warned.length ? ` (${warned.length} warning${warned.length > 1 ? 's' : ''})` : ''}${checks.some((c) => c.status === 'skip') ? ', some skipped' : ''}.`
        : `verify: ${failed.length} of ${checks.length} checks failed.`,
      ...[...failed, ...warned].flatMap((c) => (c.fix ? [`  ${c.status === 'fail' ? '✖' : '⚠'} ${c.title}: ${c.fix}`] : [])),
    ]);
  }
  if (failed.length === 0) return 0;
  // Printed by main like every other failure (on stderr, so --json's stdout stays JSON).
  const first = failed.find((c) => c.fix);
  throw new UserError(`${failed.length} of ${checks.length} verify checks failed: ${failed.map((c) => c.title).join(', ')}`, {
    hint: !json
      ? 'apply the fix listed under ✖ above, then run kafka-setup verify again'
      : first?.fix
        ? `${failed.length > 1 ? 'start with the first: ' : ''}${first.fix}`
        : 'read the failed checks in the JSON, then run kafka-setup verify again',
  });
}
