/**
 * `kafka-setup verify`: on the host over one SSH command (JVMs, ZooKeeper registration, logs), then
 * from this machine with a Kafka client (reachability, ApiVersions, Metadata, advertised addresses,
 * a round trip). Exit 0 only when no check fails; --json prints the same facts. On a cluster profile:
 * verify-cluster.ts.
 */
import { brokerChecks } from '../checks/broker-checks.js';
import type { CheckResult } from '../checks/types.js';
import { bootstrapAddress } from '../kafka/distribution.js';
import { modeOf } from '../kafka/mode.js';
import { clusterMembers } from '../options/profile.js';
import { isInteractive } from '../options/resolve.js';
import { resolveVerifyOptions, type VerifyFlags } from '../options/verify-options.js';
import type { CommandIO } from './io.js';
import { recogniseMoved } from './recognise.js';
import { verifyCluster } from './verify-cluster.js';
import { onHost, verdict } from './verify-parts.js';

export async function verifyCommand(flags: VerifyFlags, io: CommandIO): Promise<number> {
  const cluster = flags.bootstrap === undefined ? await clusterMembers(flags, io.env) : undefined;
  if (cluster) return verifyCluster(flags, cluster, io);
  const interactive = !flags.json && isInteractive(flags.interactive);
  const o = await resolveVerifyOptions(flags, {
    prompter: interactive ? io.prompter() : undefined,
    env: io.env,
    warn: (m) => io.reporter.warn(m),
    recognise: recogniseMoved(io, { record: true, profile: flags.profile }),
  });
  const address = bootstrapAddress(o.bootstrap.host, o.bootstrap.port);
  io.reporter.info(
    `kafka-setup verify: ${address}${o.connection ? `, and the host ${o.connection.user}@${o.connection.host}` : ' (from this machine only)'}`,
  );

  const checks: CheckResult[] = [];
  const show = (c: CheckResult): void => {
    checks.push(c);
    io.reporter.check(c);
  };
  const listeners = o.connection ? await onHost(o, io, show) : undefined;
  const broker = await brokerChecks({
    ...o.bootstrap,
    timeoutMs: o.timeoutMs,
    roundtrip: o.roundtrip,
    configured: listeners?.configured,
    internalListener: listeners?.internal,
    onCheck: show,
    privatePort: modeOf(o.dist).privatePort,
    ...(io.debug ? { log: (l: string) => io.reporter.verbose(l) } : {}),
  });

  return verdict(io, o.json, checks, broker, {
    bootstrap: address,
    host: o.connection ? { host: o.connection.host, port: o.connection.port, user: o.connection.user, installDir: o.installDir } : null,
  });
}
