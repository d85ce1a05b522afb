/**
 * `kafka-setup uninstall`: probe (taking the host's lock), show the plan, ask (or --yes), then one
 * remote command stops and removes everything init put on the host: 1 connection, 2 remote commands.
 * The data stays unless --purge-data; Java stays.
 */
import { InterruptedError, UsageError, UserError } from '../errors.js';
import type { HostFacts } from '../host/facts.js';
import { findJvm } from '../host/install-jvms.js';
import type { HostOps, UninstallResult } from '../host/operations.js';
import { ourUnitFile } from '../host/unit-owner.js';
import { EVERY_KIND } from '../kafka/daemons.js';
import type { Distribution } from '../kafka/distribution.js';
import { isInteractive } from '../options/resolve.js';
import { resolveUninstallOptions, type UninstallFlags } from '../options/uninstall-options.js';
import { RemoteFailure } from '../remote/session.js';
import { uninstallPlan, uninstallRequest, type UninstallPlan } from '../steps/uninstall-plan.js';
import { lockedProbe } from './locked.js';
import { recogniseMoved } from './recognise.js';
import type { CommandIO } from './io.js';
import { doneLines, planLines } from './uninstall-text.js';
import { withHost } from './with-host.js';

/** What the run needs once connected. */
export interface UninstallRun {
  dist: Distribution;
  purgeData: boolean;
  dryRun: boolean;
  yes: boolean;
  /** Whether the confirmation can be asked. */
  interactive: boolean;
}

async function inspect(host: HostOps, dryRun: boolean, io: CommandIO): Promise<HostFacts> {
  const active = io.reporter.step('Inspect the host');
  try {
    // Like init: a run that changes the host holds the host's lock (a dry run changes nothing).
    const facts = await lockedProbe(host, { urls: [], lock: !dryRun }, (m) => io.reporter.warn(m));
    const units = Object.values(facts.services.units).filter(ourUnitFile).length;
    const install = { kafka: `Kafka in ${facts.install.path}`, other: `${facts.install.path} is not a Kafka install`, absent: `nothing in ${facts.install.path}` }[facts.install.state];
    active.finish('done', `${facts.os.prettyName}, ${install}${units ? `, ${units} systemd unit${units > 1 ? 's' : ''} of kafka-setup's` : ''}`);
    return facts;
  } catch (err) {
    active.finish('failed', '');
    throw err;
  }
}

/** A failure of the remote script, as the user reads it: what happened, and that a re-run finishes. */
function remoteError(err: unknown): unknown {
  if (!(err instanceof RemoteFailure)) return err;
  if (err.kind === 'interrupted') return new InterruptedError();
  const hint = {
    not_kafka_data: 'check that directory on the host: delete it yourself if you are sure, or run kafka-setup uninstall without --purge-data to keep it; nothing was changed',
    changed_meanwhile: 'something else changed it at the same moment: run kafka-setup uninstall again (it shows the new plan); nothing was changed',
    data_in_use: 'stop the process using it, then run kafka-setup uninstall again to finish (what was removed stays removed)',
  }[err.kind] ?? 'run kafka-setup uninstall again with --verbose to see the remote command; it finishes what this run did not (what was removed stays removed)';
  return new UserError(err.message, { hint, details: err.details });
}

/** What is still there after the run, that the plan removes: nothing, or why the run did not take. */
function leftOver(plan: UninstallPlan, r: UninstallResult): string | undefined {
  const seen = { install: r.update.install!, jvms: r.update.jvms! };
  const jvm = EVERY_KIND.map((d) => findJvm(seen, d)).find((j) => j !== undefined && plan.jvms.some((p) => p.pid === j.pid));
  if (jvm) return `pid ${jvm.pid} still runs`;
  const unit = plan.units.find((u) => { const now = r.update.services?.units[u.daemon.kind]; return now !== undefined && ourUnitFile(now); });
  if (unit) return `${unit.path} is still there`;
  if (plan.removeInstall && r.update.install?.state === 'kafka' && !r.kept.some((k) => k.endsWith(` ${plan.install.path}`))) return `${plan.install.path} is still there`;
  return undefined;
}

/** Once connected: probe, plan, ask, run, confirm, report. */
export async function runUninstall(host: HostOps, o: UninstallRun, io: CommandIO): Promise<number> {
  const facts = await inspect(host, o.dryRun, io);
  const plan = uninstallPlan(facts, { purgeData: o.purgeData, dist: o.dist });
  if (plan.nothing) {
    io.reporter.lines(['', `Nothing to remove: kafka-setup's Kafka is not installed on ${host.name} (${facts.install.path}).`, ...planLines(plan), '', 'Nothing was changed.']);
    return 0;
  }
  io.reporter.lines(['', o.dryRun ? 'uninstall would:' : 'uninstall will:', ...planLines(plan)]);
  if (o.dryRun) {
    io.reporter.lines(['', 'Dry run: nothing was changed.']);
    return 0;
  }
  if (!o.yes) {
    if (!o.interactive) {
      throw new UsageError('pass --yes to uninstall without a prompt', 'review the plan above, then run kafka-setup uninstall --yes (or run it in a terminal to be asked); nothing was changed');
    }
    if (!(await io.prompter().confirm(`Uninstall Kafka from ${host.name} as above?`, false))) {
      io.reporter.lines(['', 'Nothing was changed (you said no).']);
      return 0;
    }
  }
  const active = io.reporter.step('Uninstall Kafka');
  let result: UninstallResult;
  try {
    result = await host.uninstall(uninstallRequest(plan));
    const left = leftOver(plan, result);
    if (left) throw new UserError(`the uninstall did not take effect: ${left}`, { hint: 'run kafka-setup uninstall again with --verbose to see the remote command' });
  } catch (err) {
    active.finish('failed', '');
    throw remoteError(err);
  }
  const counts = [
    result.units.length ? `${result.units.length} unit${result.units.length > 1 ? 's' : ''} removed` : '',
    result.stopped.length ? `${result.stopped.length} JVM${result.stopped.length > 1 ? 's' : ''} stopped` : '',
    result.removed.length ? `${result.removed.length} path${result.removed.length > 1 ? 's' : ''} removed` : '',
    result.purged.length ? `${result.purged.length} data director${result.purged.length > 1 ? 'ies' : 'y'} deleted` : '',
    result.bashrc ? `~/.bashrc ${result.bashrc === 'restore' ? 'restored' : result.bashrc === 'strip' ? 'edited' : 'done'}` : '',
  ].filter(Boolean);
  active.finish('done', counts.join(', '));
  // The script found, at the last moment, that something was not what the probe said: left alone.
  for (const k of result.kept) {
    const [why, ...path] = k.split(' ');
    io.reporter.warn(`${path.join(' ')} was left alone: ${why === 'symlink' ? 'it is a symbolic link' : 'it is not a Kafka install'}`);
  }
  io.reporter.lines(doneLines(host.name, plan, result));
  return 0;
}

export async function uninstallCommand(flags: UninstallFlags, io: CommandIO): Promise<number> {
  const interactive = isInteractive(flags.interactive);
  const o = await resolveUninstallOptions(flags, {
    prompter: interactive ? io.prompter() : undefined, env: io.env, warn: (m) => io.reporter.warn(m),
    recognise: recogniseMoved(io, { record: flags.dryRun !== true, profile: flags.profile }),
  });
  const c = o.connection;
  io.reporter.info(`kafka-setup uninstall: ${o.installDir} on ${c.user}@${c.host}:${c.port}${o.dryRun ? ' (dry run: nothing on the host will change)' : ''}`);
  return withHost(o, io, (host) => runUninstall(host, { dist: o.dist, purgeData: o.purgeData, dryRun: o.dryRun, yes: c.yes, interactive: c.interactive }, io));
}
