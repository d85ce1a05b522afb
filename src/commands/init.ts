/** `kafka-setup init`: options → key → connection → probe → steps → summary and saved profile. */
import { UsageError } from '../errors.js';
import { BROKER_PORT, bootstrapAddress, distName, LATEST_KNOWN_KAFKA } from '../kafka/distribution.js';
import { formatHeap } from '../kafka/heap.js';
import { resolveHost, tcpConnect } from '../local/net.js';
import { DEFAULT_PROFILE } from '../options/connection-options.js';
import { parseHostSpec } from '../options/host-spec.js';
import { type InitFlags, resolveInitOptions } from '../options/init-options.js';
import { loadProfile, profileOf, profilePath, saveProfile } from '../options/profile.js';
import { isInteractive } from '../options/resolve.js';
import type { StepReport } from '../steps/runner.js';
import { advertisedListener, brokerHeapMib, modeFor, serviceMode } from '../steps/targets.js';
import type { StepContext } from '../steps/types.js';
import { initClusterCommand } from './init-cluster.js';
import { dryRunVerdict, REACH_TIMEOUT_MS, refuseScala, runOnHost, unreachableWarning } from './init-host.js';
import type { CommandIO } from './io.js';
import { openSession } from './open-session.js';
import { recogniseMoved } from './recognise.js';
import { singleInitProblem } from './single-guard.js';

function summary(ctx: StepContext, reports: StepReport[], profileFile: string | undefined): string[] {
  const changed = reports.filter((r) => r.outcome === 'done' && r.id !== 'jps').length;
  const bootstrap = bootstrapAddress(ctx.options.advertisedHost);
  return [
    '',
    `Kafka ${ctx.dist.kafkaVersion} is running on ${ctx.options.host} (${changed === 0 ? 'nothing needed to change' : `${changed} step${changed > 1 ? 's' : ''} changed the host`}).`,
    `  bootstrap server   ${bootstrap}   (advertised.listeners=${advertisedListener(ctx)})`,
    `  installed in       ${ctx.facts.install.path}   heap -Xmx${formatHeap(brokerHeapMib(ctx))}`,
    serviceMode(ctx) === 'systemd'
      ? `  runs as            ${modeFor(ctx)
          .daemons.map((d) => d.unit)
          .join(', ')}   (systemd, started at boot)`
      : '  runs as            -daemon JVMs   (not started at boot: kafka-setup start after a reboot)',
    ...(profileFile ? [`  profile saved      ${profileFile}`] : []),
    '',
    'Next:',
    '  kafka-setup verify                    check the broker from this machine',
    '  kafka-setup status                    one line per JVM (also stop, start, restart, logs)',
    "  kafka-setup hosts --alias my-kafka    name it in this machine's hosts file",
    `${`  kcat -b ${bootstrap} -L`.padEnd(40)}list the cluster's metadata`,
    ...(modeFor(ctx).id === 'zookeeper'
      ? [
          '',
          `Kafka ${ctx.dist.kafkaVersion} (3.x, with ZooKeeper) is past its end of life; Kafka 4 runs without ZooKeeper (KRaft), in one JVM: kafka-setup init --kafka-version ${LATEST_KNOWN_KAFKA} (on a new server, or after uninstall --purge-data: it cannot read 3.x data)`,
        ]
      : []),
  ];
}

/** init's flags as the command line gives them: --host and --advertised-host may be repeated (a cluster). */
export type InitArgs = Omit<InitFlags, 'host' | 'advertisedHost'> & { host?: string | string[]; advertisedHost?: string | string[] };

const listOf = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The first question of an init without --host or profile: one server, or several (a cluster). */
const HOSTS_PROMPT = 'Host (public IP or DNS name of the server, as [user@]host[:port]; several, separated by spaces, make a cluster)';

function hostsAnswerProblem(answer: string): string | undefined {
  const parts = answer
    .trim()
    .split(/[\s,]+/)
    .filter(Boolean);
  if (parts.length === 0) return "give the server's address";
  for (const p of parts) {
    const spec = parseHostSpec(p);
    if ('problem' in spec) return `${p}: ${spec.problem}`;
  }
  return undefined;
}

export async function initCommand(args: InitArgs, io: CommandIO): Promise<number> {
  const hosts = listOf(args.host);
  const advertisedHosts = listOf(args.advertisedHost);
  // The saved profile may be a cluster's: a re-run without --host sets up the whole cluster again, and
  // one of its hosts alone is never turned into a single node. A damaged profile is ignored here (and
  // reported by the options); one that is unsafe, or an invalid --profile, stops the command.
  const profile = await loadProfile(args.profile ?? DEFAULT_PROFILE, io.env, () => {});
  if (hosts.length === 0 && !profile && isInteractive(args.interactive)) {
    const answer = await io.prompter().input(HOSTS_PROMPT, { validate: hostsAnswerProblem });
    hosts.push(
      ...answer
        .trim()
        .split(/[\s,]+/)
        .filter(Boolean),
    );
  }
  const flags: InitFlags = { ...args, host: hosts[0], advertisedHost: advertisedHosts[0] };
  if (hosts.length > 1) {
    // The saved cluster applies (its ids, its members) when it shares a host with this one, as a
    // single server's profile applies to its own host only.
    const named = hosts.map((h) => parseHostSpec(h)).flatMap((s) => ('problem' in s ? [] : [s.host.toLowerCase()]));
    const saved = profile?.cluster?.some((m) => named.includes(m.host.toLowerCase())) ? profile.cluster : undefined;
    // The saved cluster is the only record of it here: another cluster's init never overwrites it.
    if (profile?.cluster && !saved) {
      throw new UsageError(
        `profile "${flags.profile ?? DEFAULT_PROFILE}" holds the cluster of ${profile.cluster.map((m) => m.host).join(', ')}, and none of the hosts given is one of them: saving this cluster would replace it; nothing was changed`,
        "pass --profile NAME to keep this cluster's settings apart; for the saved cluster at new addresses, give at least one member at its saved address (the others are recognised by their own data)",
      );
    }
    return initClusterCommand({ ...flags, hosts, advertisedHosts }, saved, io, saved !== undefined && profile?.replicateAll === true);
  }
  if (profile?.cluster) {
    const spec = hosts[0] === undefined ? undefined : parseHostSpec(hosts[0]);
    const named = spec && !('problem' in spec) ? spec.host.toLowerCase() : undefined;
    if (named === undefined)
      return initClusterCommand({ ...flags, hosts: [], advertisedHosts }, profile.cluster, io, profile.replicateAll === true);
    if (profile.cluster.some((m) => m.host.toLowerCase() === named)) {
      throw new UsageError(
        `${hosts[0]} is a member of the cluster in profile "${flags.profile ?? DEFAULT_PROFILE}": init on it alone would make it a single node`,
        `run kafka-setup init without --host to set up the whole cluster again, or give every member: ${profile.cluster.map((m) => `--host ${m.host}`).join(' ')}`,
      );
    }
  }
  if (advertisedHosts.length > 1)
    throw new UsageError(
      `--advertised-host is given ${advertisedHosts.length} times for one host`,
      'give it once (several are for a cluster: one per --host)',
    );
  const interactive = isInteractive(flags.interactive);
  const options = await resolveInitOptions(flags, {
    prompter: interactive ? io.prompter() : undefined,
    env: io.env,
    warn: (m) => io.reporter.warn(m),
    info: (m) => io.reporter.info(m),
    signal: io.signal,
    recognise: recogniseMoved(io, { record: flags.dryRun !== true, profile: flags.profile }),
  });
  const dist = { kafkaVersion: options.kafkaVersion, scalaVersion: options.scalaVersion };
  refuseScala(dist);
  io.reporter.info(
    `kafka-setup init: ${distName(dist)} on ${options.user}@${options.host}:${options.port}${options.dryRun ? ' (dry run: nothing on the host will change)' : ''}`,
  );
  const session = await openSession(options, io, { dryRun: options.dryRun });
  try {
    // Decided from the server: a cluster member is never made a single node, and a saved cluster's
    // profile is never replaced by a single server's.
    const guard = { host: options.host, user: options.user, port: options.port, profileName: options.profile, saved: profile?.cluster };
    const { ctx, reports, reachEarly } = await runOnHost(options, io, session, undefined, (facts) => singleInitProblem(facts, guard));
    if (options.dryRun) {
      const { pending, doomed } = dryRunVerdict(reports);
      if (doomed) throw doomed;
      io.reporter.lines([
        '',
        pending === 0
          ? 'Dry run: the host is already set up; init would change nothing.'
          : `Dry run: init would run ${pending} step${pending > 1 ? 's' : ''}; nothing was changed.`,
      ]);
      return 0;
    }
    const heap = formatHeap(brokerHeapMib(ctx));
    // The heap saved is the one sized for this host, so that a re-run keeps it.
    const saved = await saveProfile(options.profile, { ...profileOf(options), heap }, io.env).catch((err: Error) => {
      io.reporter.warn(`could not save the profile ${profilePath(options.profile, io.env)}: ${err.message}`);
      return undefined;
    });
    io.reporter.lines(summary(ctx, reports, saved));
    // The most common mistake in the field: an advertised address clients cannot use.
    const advertised = await resolveHost(options.advertisedHost);
    if (!advertised.ok) {
      io.reporter.warn(
        `${advertised.reason} from this machine: clients here will reach the bootstrap address but not the broker; kafka-setup verify shows what to set`,
      );
      return 0;
    }
    // The second most common: a security group without the broker's port. The host is set up all
    // the same, so this warns and exits 0.
    const early = await reachEarly;
    const reach = early.ok ? early : await tcpConnect(options.advertisedHost, BROKER_PORT, REACH_TIMEOUT_MS);
    const unreachable = unreachableWarning(ctx, reach);
    if (unreachable) io.reporter.warn(unreachable);
    return 0;
  } finally {
    session.close();
  }
}
