/**
 * `kafka-setup uninstall`: probe (taking the host's lock), show the plan, ask (or --yes), then one
 * remote command stops and removes everything init put on the host: 1 connection, 2 remote commands.
 * The data stays unless --purge-data; Java stays. On a cluster's profile without --host: every member
 * (see uninstallCluster).
 */
import { clusterKind, together } from '../cluster/cluster-kind.js';
import { STRANDED_TEXT, watchStranded } from '../cluster/stranded.js';
import { InterruptedError, UsageError, UserError } from '../errors.js';
import type { HostFacts } from '../host/facts.js';
import { findJvm, serviceOf } from '../host/install-jvms.js';
import type { HostOps, UninstallResult } from '../host/operations.js';
import { ourUnitFile } from '../host/unit-owner.js';
import { EVERY_KIND } from '../kafka/daemons.js';
import type { Distribution } from '../kafka/distribution.js';
import { modeOf } from '../kafka/mode.js';
import { DEFAULT_PROFILE } from '../options/connection-options.js';
import { clusterMembers, profilePath } from '../options/profile.js';
import { isInteractive } from '../options/resolve.js';
import { resolveUninstallOptions, type UninstallFlags } from '../options/uninstall-options.js';
import { RemoteFailure } from '../remote/session.js';
import { type UninstallPlan, uninstallPlan, uninstallRequest } from '../steps/uninstall-plan.js';
import type { Reporter } from '../ui/reporter.js';
import { type Reached, resolveMembers, withEachHost } from './each-member.js';
import type { CommandIO } from './io.js';
import { lockedProbe } from './locked.js';
import { recogniseMoved } from './recognise.js';
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
    const install = {
      kafka: `Kafka in ${facts.install.path}`,
      other: `${facts.install.path} is not a Kafka install`,
      absent: `nothing in ${facts.install.path}`,
    }[facts.install.state];
    active.finish(
      'done',
      `${facts.os.prettyName}, ${install}${units ? `, ${units} systemd unit${units > 1 ? 's' : ''} of kafka-setup's` : ''}`,
    );
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
  const hint =
    {
      not_kafka_data:
        'check that directory on the host: delete it yourself if you are sure, or run kafka-setup uninstall without --purge-data to keep it; nothing was changed',
      changed_meanwhile:
        'something else changed it at the same moment: run kafka-setup uninstall again (it shows the new plan); nothing was changed',
      data_in_use: 'stop the process using it, then run kafka-setup uninstall again to finish (what was removed stays removed)',
    }[err.kind] ??
    'run kafka-setup uninstall again with --verbose to see the remote command; it finishes what this run did not (what was removed stays removed)';
  return new UserError(err.message, { hint, details: err.details });
}

/** What is still there after the run, that the plan removes: nothing, or why the run did not take. */
function leftOver(plan: UninstallPlan, r: UninstallResult): string | undefined {
  const seen = { install: r.update.install!, jvms: r.update.jvms! };
  const jvm = EVERY_KIND.map((d) => findJvm(seen, d)).find((j) => j !== undefined && plan.jvms.some((p) => p.pid === j.pid));
  if (jvm) return `pid ${jvm.pid} still runs`;
  const unit = plan.units.find((u) => {
    const now = r.update.services?.units[u.daemon.kind];
    return now !== undefined && ourUnitFile(now);
  });
  if (unit) return `${unit.path} is still there`;
  if (plan.removeInstall && r.update.install?.state === 'kafka' && !r.kept.some((k) => k.endsWith(` ${plan.install.path}`)))
    return `${plan.install.path} is still there`;
  return undefined;
}

/** The host probed (with the lock unless a dry run) and what uninstall would do there. */
async function planOf(host: HostOps, o: UninstallRun, io: CommandIO): Promise<{ facts: HostFacts; plan: UninstallPlan }> {
  const facts = await inspect(host, o.dryRun, io);
  return { facts, plan: uninstallPlan(facts, { purgeData: o.purgeData, dist: o.dist }) };
}

/**
 * The plan as shown before asking: what will be done, or that nothing is there. (The blank line before
 * it is the caller's: on a cluster it stays unmarked, a label alone on a line says nothing.)
 */
function planText(host: string, facts: HostFacts, plan: UninstallPlan, dryRun: boolean): string[] {
  if (plan.nothing)
    return [`Nothing to remove: kafka-setup's Kafka is not installed on ${host} (${facts.install.path}).`, ...planLines(plan)];
  return [dryRun ? 'uninstall would:' : 'uninstall will:', ...planLines(plan)];
}

/** Runs the plan and says what was done; returns the one-line count of it ("2 JVMs stopped, …"). */
async function applyPlan(host: HostOps, plan: UninstallPlan, io: CommandIO, unmarked: Reporter): Promise<string> {
  const active = io.reporter.step('Uninstall Kafka');
  let result: UninstallResult;
  try {
    result = await host.uninstall(uninstallRequest(plan));
    const left = leftOver(plan, result);
    if (left)
      throw new UserError(`the uninstall did not take effect: ${left}`, {
        hint: 'run kafka-setup uninstall again with --verbose to see the remote command',
      });
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
  ]
    .filter(Boolean)
    .join(', ');
  active.finish('done', counts);
  // The script found, at the last moment, that something was not what the probe said: left alone.
  for (const k of result.kept) {
    const [why, ...path] = k.split(' ');
    io.reporter.warn(`${path.join(' ')} was left alone: ${why === 'symlink' ? 'it is a symbolic link' : 'it is not a Kafka install'}`);
  }
  unmarked.lines(['']);
  io.reporter.lines(doneLines(host.name, plan, result));
  return counts;
}

/** Once connected: probe, plan, ask, run, confirm, report. */
export async function runUninstall(host: HostOps, o: UninstallRun, io: CommandIO): Promise<number> {
  const { facts, plan } = await planOf(host, o, io);
  io.reporter.lines(['', ...planText(host.name, facts, plan, o.dryRun)]);
  if (plan.nothing) {
    io.reporter.lines(['', 'Nothing was changed.']);
    return 0;
  }
  if (o.dryRun) {
    io.reporter.lines(['', 'Dry run: nothing was changed.']);
    return 0;
  }
  if (!o.yes) {
    if (!o.interactive) {
      throw new UsageError(
        'pass --yes to uninstall without a prompt',
        'review the plan above, then run kafka-setup uninstall --yes (or run it in a terminal to be asked); nothing was changed',
      );
    }
    if (!(await io.prompter().confirm(`Uninstall Kafka from ${host.name} as above?`, false))) {
      io.reporter.lines(['', 'Nothing was changed (you said no).']);
      return 0;
    }
  }
  await applyPlan(host, plan, io, io.reporter);
  return 0;
}

/** How one member's uninstall ended, for the cluster's summary. */
type MemberOutcome = { label: string; state: 'done' | 'failed' | 'nothing' | 'not started'; detail: string };

function summaryLines(outcomes: readonly MemberOutcome[]): string[] {
  const width = Math.max(...outcomes.map((x) => x.label.length));
  const said = { done: 'done', failed: 'FAILED', nothing: 'nothing to remove', 'not started': 'not started (interrupted)' };
  return [
    '',
    `uninstall, host by host:`,
    ...outcomes.map((x) => `  ${x.label.padEnd(width)}  ${said[x.state]}${x.detail ? ` — ${x.detail}` : ''}`),
  ];
}

/**
 * uninstall on every member of a saved cluster: each host probed (taking its lock, held until the end)
 * and its plan shown, marked with its label; one question for the whole cluster (or --yes); then one
 * host after another (KRaft nodes all at once: see below). The order does not matter to a cluster being removed, but one at a time keeps
 * each host's lines together and the run's end clear: a host that fails is said and the others are
 * still uninstalled (the consent was for all), the summary says per host what was done, and a re-run
 * finishes what is left (a host done has nothing left to remove). A host that cannot be reached or
 * probed stops it before anything changes: the question must be asked about every host's plan.
 */
export async function uninstallCluster(
  reached: ReadonlyArray<Reached<unknown>>,
  o: UninstallRun,
  io: CommandIO,
  profile: { name: string; path: string },
): Promise<number> {
  const n = reached.length;
  const planned = await Promise.allSettled(reached.map((m) => (m.host ? planOf(m.host, o, m.io) : Promise.reject(m.failed))));
  if (io.signal.aborted) throw new InterruptedError();
  const unplanned: string[] = [];
  for (const [i, m] of reached.entries()) {
    const p = planned[i]!;
    if (p.status === 'fulfilled') {
      io.reporter.lines(['']);
      m.io.reporter.lines(planText(m.host!.name, p.value.facts, p.value.plan, o.dryRun));
    } else {
      if (p.reason instanceof InterruptedError) throw p.reason;
      m.io.reporter.error(remoteError(p.reason), io.debug);
      unplanned.push(m.label);
    }
  }
  if (unplanned.length > 0) {
    throw new UserError(
      `could not ${o.dryRun ? 'plan' : 'plan the uninstall of'} ${unplanned.join(', ')} (of the cluster's ${n} hosts): nothing was changed on any host`,
      {
        hint: "see each host's error above; run kafka-setup uninstall again once every host can be reached, or uninstall the others one at a time with --host HOST",
      },
    );
  }
  const plans = planned.map((p) => (p as PromiseFulfilledResult<{ facts: HostFacts; plan: UninstallPlan }>).value.plan);
  const todo = reached.filter((_, i) => !plans[i]!.nothing);
  if (todo.length === 0) {
    io.reporter.lines(['', `Nothing to remove on any of the cluster's ${n} hosts.`, '', 'Nothing was changed.']);
    return 0;
  }
  if (o.dryRun) {
    io.reporter.lines(['', `Dry run: nothing was changed on any of the cluster's ${n} hosts.`]);
    return 0;
  }
  if (!o.yes) {
    if (!o.interactive) {
      throw new UsageError(
        'pass --yes to uninstall the cluster without a prompt',
        `review every host's plan above, then run kafka-setup uninstall --yes (or run it in a terminal to be asked); nothing was changed`,
      );
    }
    const which = todo.length === n ? `all ${n} hosts of the cluster` : `${todo.length} of the cluster's ${n} hosts`;
    const purge = plans.some((p) => p.data.some((d) => d.purge) || p.clusterId?.purge === true)
      ? ", deleting every node's data (--purge-data: the cluster's topics and messages are gone for good)"
      : '';
    if (!(await io.prompter().confirm(`Uninstall Kafka from ${which} (${todo.map((m) => m.label).join(', ')}) as above${purge}?`, false))) {
      io.reporter.lines(['', 'Nothing was changed on any host (you said no).']);
      return 0;
    }
  }
  const outcomes: MemberOutcome[] = reached.map((m, i) => ({
    label: m.label,
    state: plans[i]!.nothing ? 'nothing' : 'not started',
    detail: '',
  }));
  const one = async (m: Reached<unknown>, i: number): Promise<void> => {
    if (plans[i]!.nothing) return;
    try {
      outcomes[i] = { label: m.label, state: 'done', detail: await applyPlan(m.host!, plans[i]!, m.io, io.reporter) };
    } catch (err) {
      if (err instanceof InterruptedError || io.signal.aborted) {
        // What was done before Ctrl-C is said, then the interruption (main says to run it again).
        outcomes[i] = { label: m.label, state: 'failed', detail: 'interrupted' };
        io.reporter.lines(summaryLines(outcomes));
        throw err;
      }
      m.io.reporter.error(err, io.debug);
      outcomes[i] = { label: m.label, state: 'failed', detail: err instanceof Error ? err.message : String(err) };
    }
  };
  // In waves (cluster-kind.ts): KRaft nodes are removed together, observers first, since a node's
  // controlled shutdown needs the quorum: one stopped after the controllers would wait out its stop timeout.
  // The quorum's voters watched as stop watches them (cluster/stranded.ts): one stranded in its
  // controlled shutdown is killed, not waited for a minute.
  const facts = planned.map((p) => (p as PromiseFulfilledResult<{ facts: HostFacts }>).value.facts);
  const mode = modeOf(o.dist);
  const kind = clusterKind(mode);
  const voters = kind.shutdownVoters(facts);
  const runningDaemons = (i: number) => mode.daemons.filter((d) => findJvm(facts[i]!, d));
  for (const wave of kind.stopWaves(facts)) {
    const watch = watchStranded({
      wave,
      voters,
      running: (i) => runningDaemons(i).length > 0,
      kill: (i) =>
        Promise.all(
          runningDaemons(i).map((d) => reached[i]!.host!.stopDaemon({ daemon: d, service: serviceOf(facts[i]!, d), force: true })),
        ),
    });
    try {
      await together(wave, async (i) => {
        await one(reached[i]!, i);
        watch.ended(i, outcomes[i]!.state === 'done');
      });
    } finally {
      await watch.settle();
    }
    for (const i of wave) {
      const x = outcomes[i]!;
      if (watch.killed(i) && x.state === 'done') outcomes[i] = { ...x, detail: `${x.detail}; ${STRANDED_TEXT}` };
    }
  }
  io.reporter.lines(summaryLines(outcomes));
  const failed = outcomes.filter((x) => x.state === 'failed').map((x) => x.label);
  if (failed.length > 0) {
    throw new UserError(`the uninstall failed on ${failed.join(', ')} (of the cluster's ${n} hosts)`, {
      hint: "see each host's error above; run kafka-setup uninstall again: it finishes what is left (the hosts done have nothing left to remove)",
    });
  }
  // The profile stays: it is the only record of the cluster (its hosts, each one's ids, which data it
  // kept), which a re-init needs to take the kept data back as it was; deleting it is the user's call.
  io.reporter.lines([
    '',
    `Kafka is uninstalled from the cluster's ${n} hosts. The profile "${profile.name}" still names them: kafka-setup init sets the cluster up again with it; to forget the cluster, delete ${profile.path}`,
  ]);
  return 0;
}

export async function uninstallCommand(flags: UninstallFlags, io: CommandIO): Promise<number> {
  const interactive = isInteractive(flags.interactive);
  const saved = await clusterMembers(flags, io.env);
  if (saved) {
    const members = await resolveMembers(saved, io, (member, warn) =>
      resolveUninstallOptions(
        { ...flags, ...member },
        {
          prompter: interactive ? io.prompter() : undefined,
          env: io.env,
          warn,
        },
      ),
    );
    const name = flags.profile ?? DEFAULT_PROFILE;
    const first = members[0]!.options;
    io.reporter.info(
      `kafka-setup uninstall: the cluster of profile "${name}", ${members.length} hosts (${members.map((m) => m.label).join(', ')}): every host's plan, one question, then ${clusterKind(modeOf(first.dist)).order.uninstall}${first.dryRun ? ' (dry run: nothing on the hosts will change)' : ''}`,
    );
    const run: UninstallRun = {
      dist: first.dist,
      purgeData: first.purgeData,
      dryRun: first.dryRun,
      yes: first.connection.yes,
      interactive: first.connection.interactive,
    };
    return withEachHost(members, (reached) => uninstallCluster(reached, run, io, { name, path: profilePath(name, io.env) }));
  }
  const o = await resolveUninstallOptions(flags, {
    prompter: interactive ? io.prompter() : undefined,
    env: io.env,
    warn: (m) => io.reporter.warn(m),
    recognise: recogniseMoved(io, { record: flags.dryRun !== true, profile: flags.profile }),
  });
  const c = o.connection;
  io.reporter.info(
    `kafka-setup uninstall: ${o.installDir} on ${c.user}@${c.host}:${c.port}${o.dryRun ? ' (dry run: nothing on the host will change)' : ''}`,
  );
  return withHost(o, io, (host) =>
    runUninstall(host, { dist: o.dist, purgeData: o.purgeData, dryRun: o.dryRun, yes: c.yes, interactive: c.interactive }, io),
  );
}
