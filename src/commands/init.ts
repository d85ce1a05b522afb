/** `kafka-setup init`: options → key → connection → probe → steps → summary and saved profile. */
import { distName } from '../kafka/distribution.js';
import { formatHeap } from '../kafka/heap.js';
import { resolveInitOptions, type InitFlags, type InitOptions } from '../options/init-options.js';
import { loadProfile, profileOf, profilePath, saveProfile } from '../options/profile.js';
import { DEFAULT_PROFILE } from '../options/connection-options.js';
import { parseHostSpec } from '../options/host-spec.js';
import { isInteractive } from '../options/resolve.js';
import type { HostFacts } from '../host/facts.js';
import { brokerId, brokerJvm } from '../host/install-jvms.js';
import type { HostOps } from '../host/operations.js';
import { RemoteHost } from '../host/remote-host.js';
import { judgeServing } from '../host/serving.js';
import { describeStats, type Session } from '../remote/session.js';
import { UsageError, UserError } from '../errors.js';
import { resolveHost, tcpConnect, type Reach } from '../local/net.js';
import { bootstrapAddress, BROKER_PORT } from '../kafka/distribution.js';
import { tarballUrls } from '../steps/download.js';
import { initSteps } from '../steps/plan.js';
import { runSteps, type StepHooks, type StepReport } from '../steps/runner.js';
import { advertisedListener, brokerHeapMib, serviceMode } from '../steps/targets.js';
import type { ClusterView } from '../kafka/cluster.js';
import { DAEMONS } from '../kafka/daemons.js';
import type { StepContext } from '../steps/types.js';
import type { CommandIO } from './io.js';
import { lockedProbe } from './locked.js';
import { recogniseMoved } from './recognise.js';
import { openSession } from './open-session.js';

function gib(kib: number): string {
  return `${(kib / 1024 / 1024).toFixed(1)} GiB`;
}

/** Step 3: everything the steps decide from, in one round trip. */
export async function probe(host: HostOps, o: InitOptions, io: CommandIO): Promise<HostFacts> {
  const active = io.reporter.step('Inspect the host');
  try {
    const dist = { kafkaVersion: o.kafkaVersion, scalaVersion: o.scalaVersion };
    // The mirrors let the probe fetch the published checksum when Kafka is still to be downloaded;
    // a run that changes the host takes the host's lock first (a dry run changes nothing).
    const facts = await lockedProbe(host, { urls: o.sha512 ? [] : tarballUrls({ options: o, dist }), lock: !o.dryRun }, (m) => io.reporter.warn(m));
    const sudo = { root: 'root', yes: 'passwordless sudo', password: 'sudo needs a password', missing: 'no sudo' }[facts.sudo];
    active.finish('done', `${facts.os.prettyName}, ${gib(facts.memKib)} memory, ${gib(facts.install.parentFreeKib)} free, ${sudo}`);
    return facts;
  } catch (err) {
    active.finish('failed', '');
    throw err;
  }
}

function summary(ctx: StepContext, reports: StepReport[], profileFile: string | undefined): string[] {
  const changed = reports.filter((r) => r.outcome === 'done' && r.id !== 'jps').length;
  const bootstrap = bootstrapAddress(ctx.options.advertisedHost);
  return [
    '',
    `Kafka ${ctx.dist.kafkaVersion} is running on ${ctx.options.host} (${changed === 0 ? 'nothing needed to change' : `${changed} step${changed > 1 ? 's' : ''} changed the host`}).`,
    `  bootstrap server   ${bootstrap}   (advertised.listeners=${advertisedListener(ctx)})`,
    `  installed in       ${ctx.facts.install.path}   heap -Xmx${formatHeap(brokerHeapMib(ctx))}`,
    serviceMode(ctx) === 'systemd'
      ? `  runs as            ${DAEMONS.map((d) => d.unit).join(', ')}   (systemd, started at boot)`
      : '  runs as            -daemon JVMs   (not started at boot: kafka-setup start after a reboot)',
    ...(profileFile ? [`  profile saved      ${profileFile}`] : []),
    '',
    'Next:',
    '  kafka-setup verify                    check the broker from this machine',
    '  kafka-setup status                    one line per JVM (also stop, start, restart, logs)',
    '  kafka-setup hosts --alias my-kafka    name it in this machine\'s hosts file',
    `  kcat -b ${bootstrap} -L`.padEnd(40) + "list the cluster's metadata",
  ];
}

/** The final reachability check waits at most this long: a closed security group drops packets. */
export const REACH_TIMEOUT_MS = 1000;

/** The warning for a broker this machine cannot reach, with the inbound rule that fixes it. */
export function unreachableWarning(ctx: StepContext, reach: Reach): string | undefined {
  if (reach.ok) return undefined;
  const address = bootstrapAddress(ctx.options.advertisedHost);
  const source = ctx.facts.clientAddress
    ? `${ctx.facts.clientAddress}/${ctx.facts.clientAddress.includes(':') ? 128 : 32} (this machine's address, as the host sees it)`
    : 'your IP ("My IP" in the console)';
  return `${address} is not reachable from this machine (${reach.reason}); the host is set up, but clients here cannot connect. ` +
    `Add an inbound rule to the instance's security group: type Custom TCP, port ${BROKER_PORT}, source ${source}; then check with: kafka-setup verify`;
}

/** How one host of a cluster meets the others (see init-cluster.ts): the cluster once every host is probed, and the step hooks. */
export interface ClusterRendezvous {
  /** Resolves once every host has been probed, with this host's view of the cluster. */
  view(facts: HostFacts): Promise<ClusterView>;
  hooks: StepHooks;
}

/** One host's run: its context and step reports, and the early question whether clients here reach it. */
export interface HostRun {
  ctx: StepContext;
  reports: StepReport[];
  reachEarly: Promise<Reach>;
}

/** Connect, probe and run the steps on one host (the session is closed by the caller's `close`). */
export async function runOnHost(options: InitOptions, io: CommandIO, session: Session, cluster?: ClusterRendezvous): Promise<HostRun> {
  const dist = { kafkaVersion: options.kafkaVersion, scalaVersion: options.scalaVersion };
  // Asked side by side with the probe, so that a run that changes nothing costs no extra round
  // trip: is a running broker in its own metadata, and is it reachable from here?
  const host = new RemoteHost(session, { options, dist });
  const servingEarly = host.serving(undefined, 0);
  const reachEarly = tcpConnect(options.advertisedHost, BROKER_PORT, REACH_TIMEOUT_MS);
  const facts = await probe(host, options, io);
  const broker = brokerJvm(facts);
  if (broker) facts.serving = { ...judgeServing(await servingEarly, brokerId(facts.files['server.properties'].content)), pid: broker.pid };
  const view = cluster ? await cluster.view(facts) : undefined;
  const ctx: StepContext = { options, host, dist, facts, cluster: view };
  const reports = await runSteps([...initSteps], ctx, io.reporter, options.dryRun, cluster?.hooks);
  io.reporter.verbose(`ssh: ${describeStats(session.stats)}`);
  return { ctx, reports, reachEarly };
}

/** A dry run's verdict: the error of the step that would fail, else how many steps would run. */
export function dryRunVerdict(reports: StepReport[]): { pending: number; doomed?: UserError } {
  const pending = reports.filter((r) => r.outcome === 'planned').length;
  const why = reports.find((r) => r.wouldFail !== undefined);
  if (!why?.wouldFail) return { pending };
  // A dry run can gate a script: it fails when the real run would.
  return {
    pending,
    doomed: new UserError(`dry run: init would fail at "${why.title}": ${why.wouldFail.message}`, {
      hint: `${why.wouldFail.hint ?? 'fix that first'} (this was a dry run: nothing was changed)`,
      details: why.wouldFail.details,
    }),
  };
}

/** init's flags as the command line gives them: --host and --advertised-host may be repeated (a cluster). */
export type InitArgs = Omit<InitFlags, 'host' | 'advertisedHost'> & { host?: string | string[]; advertisedHost?: string | string[] };

const listOf = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export async function initCommand(args: InitArgs, io: CommandIO): Promise<number> {
  const hosts = listOf(args.host);
  const advertisedHosts = listOf(args.advertisedHost);
  const flags: InitFlags = { ...args, host: hosts[0], advertisedHost: advertisedHosts[0] };
  if (hosts.length > 1) return (await import('./init-cluster.js')).initClusterCommand({ ...flags, hosts, advertisedHosts }, undefined, io);
  // The saved profile may be a cluster's: a re-run without --host sets up the whole cluster again, and
  // one of its hosts alone is never turned into a single node.
  const profile = await loadProfile(flags.profile ?? DEFAULT_PROFILE, io.env, () => {}).catch(() => undefined);
  if (profile?.cluster) {
    const spec = hosts[0] === undefined ? undefined : parseHostSpec(hosts[0]);
    const named = spec && !('problem' in spec) ? spec.host.toLowerCase() : undefined;
    if (named === undefined) return (await import('./init-cluster.js')).initClusterCommand({ ...flags, hosts: [], advertisedHosts }, profile.cluster, io);
    if (profile.cluster.some((m) => m.host.toLowerCase() === named)) {
      throw new UsageError(
        `${hosts[0]} is a member of the cluster in profile "${flags.profile ?? DEFAULT_PROFILE}": init on it alone would make it a single node`,
        `run kafka-setup init without --host to set up the whole cluster again, or give every member: ${profile.cluster.map((m) => `--host ${m.host}`).join(' ')}`,
      );
    }
  }
  if (advertisedHosts.length > 1) throw new UsageError(`--advertised-host is given ${advertisedHosts.length} times for one host`, 'give it once (several are for a cluster: one per --host)');
  const interactive = isInteractive(flags.interactive);
  const options = await resolveInitOptions(flags, {
    prompter: interactive ? io.prompter() : undefined, env: io.env, warn: (m) => io.reporter.warn(m),
    recognise: recogniseMoved(io, { record: flags.dryRun !== true, profile: flags.profile }),
  });
  const dist = { kafkaVersion: options.kafkaVersion, scalaVersion: options.scalaVersion };
  io.reporter.info(
    `kafka-setup init: ${distName(dist)} on ${options.user}@${options.host}:${options.port}${options.dryRun ? ' (dry run: nothing on the host will change)' : ''}`,
  );
  const session = await openSession(options, io, { dryRun: options.dryRun });
  try {
    const { ctx, reports, reachEarly } = await runOnHost(options, io, session);
    if (options.dryRun) {
      const { pending, doomed } = dryRunVerdict(reports);
      if (doomed) throw doomed;
      io.reporter.lines(['', pending === 0 ? 'Dry run: the host is already set up; init would change nothing.' : `Dry run: init would run ${pending} step${pending > 1 ? 's' : ''}; nothing was changed.`]);
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
      io.reporter.warn(`${advertised.reason} from this machine: clients here will reach the bootstrap address but not the broker; kafka-setup verify shows what to set`);
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
