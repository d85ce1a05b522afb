/**
 * `kafka-setup verify`: on the host over one SSH command (JVMs, ZooKeeper registration, logs), then
 * from this machine with a Kafka client (reachability, ApiVersions, Metadata, advertised addresses,
 * a round trip). Exit 0 only when no check fails; --json prints the same facts.
 */
import { brokerChecks } from '../checks/broker-checks.js';
import { configuredListeners, hasInternalListener, hostChecks } from '../checks/host-checks.js';
import { check, type CheckResult } from '../checks/types.js';
import { InterruptedError, UserError } from '../errors.js';
import { resolveVerifyOptions, type VerifyFlags, type VerifyOptions } from '../options/verify-options.js';
import { isInteractive } from '../options/resolve.js';
import { ProtocolError } from '../host/sections.js';
import { RemoteHost } from '../host/remote-host.js';
import { describeStats, RemoteFailure } from '../remote/session.js';
import { bootstrapAddress } from '../kafka/distribution.js';
import type { CommandIO } from './io.js';
import { openSession } from './open-session.js';
import { recogniseMoved } from './recognise.js';

/** What server.properties on the host says about the broker's listeners. */
interface HostListeners {
  configured: Array<{ host: string; port: number }>;
  internal: boolean;
}

/** The host's checks; returns what its server.properties configures. */
async function onHost(o: VerifyOptions, io: CommandIO, show: (c: CheckResult) => void): Promise<HostListeners | undefined> {
  let session;
  try {
    session = await openSession(o.connection!, io, { dryRun: false });
  } catch (err) {
    if (err instanceof InterruptedError || !(err instanceof UserError)) throw err;
    show(check('ssh', 'SSH to the host', 'fail', err.message, err.hint));
    return undefined;
  }
  try {
    const seen = await new RemoteHost(session, { options: { installDir: o.installDir }, dist: o.dist }).verify();
    for (const c of hostChecks(seen)) show(c);
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

export async function verifyCommand(flags: VerifyFlags, io: CommandIO): Promise<number> {
  const interactive = !flags.json && isInteractive(flags.interactive);
  const o = await resolveVerifyOptions(flags, {
    prompter: interactive ? io.prompter() : undefined, env: io.env, warn: (m) => io.reporter.warn(m), recognise: recogniseMoved(io, { record: true, profile: flags.profile }),
  });
  const address = bootstrapAddress(o.bootstrap.host, o.bootstrap.port);
  io.reporter.info(`kafka-setup verify: ${address}${o.connection ? `, and the host ${o.connection.user}@${o.connection.host}` : ' (from this machine only)'}`);

  const checks: CheckResult[] = [];
  const show = (c: CheckResult): void => {
    checks.push(c);
    io.reporter.check(c);
  };
  const listeners = o.connection ? await onHost(o, io, show) : undefined;
  const broker = await brokerChecks({
    ...o.bootstrap, timeoutMs: o.timeoutMs, roundtrip: o.roundtrip, configured: listeners?.configured, internalListener: listeners?.internal, onCheck: show,
    ...(io.debug ? { log: (l: string) => io.reporter.verbose(l) } : {}),
  });

  const failed = checks.filter((c) => c.status === 'fail');
  const warned = checks.filter((c) => c.status === 'warn');
  if (o.json) {
    io.reporter.json({
      ok: failed.length === 0,
      bootstrap: address,
      host: o.connection ? { host: o.connection.host, port: o.connection.port, user: o.connection.user, installDir: o.installDir } : null,
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
    hint: !o.json
      ? 'apply the fix listed under ✖ above, then run kafka-setup verify again'
      : first?.fix ? `${failed.length > 1 ? 'start with the first: ' : ''}${first.fix}` : 'read the failed checks in the JSON, then run kafka-setup verify again',
  });
}
