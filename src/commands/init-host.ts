/**
 * init on one host: connect, probe (one round trip), run the steps. Shared by a single server's init
 * (init.ts) and a cluster's (init-cluster.ts), where each host's run meets the others'.
 */
import { UsageError, UserError } from '../errors.js';
import { type HostFacts, type OsInfo, UNKNOWN_SYSTEM } from '../host/facts.js';
import { brokerId, brokerJvm } from '../host/install-jvms.js';
import type { HostOps } from '../host/operations.js';
import { RemoteHost } from '../host/remote-host.js';
import { judgeServing } from '../host/serving.js';
import type { ClusterView } from '../kafka/cluster.js';
import { BROKER_PORT, bootstrapAddress } from '../kafka/distribution.js';
import { type KafkaMode, modeOf, ZOOKEEPER_MODE } from '../kafka/mode.js';
import { type Reach, tcpConnect } from '../local/net.js';
import type { InitOptions } from '../options/init-options.js';
import { scalaForVersionProblem } from '../options/validate.js';
import { describeStats, type Session } from '../remote/session.js';
import { tarballUrls } from '../steps/download.js';
import { initSteps } from '../steps/plan.js';
import { runSteps, type StepHooks, type StepReport } from '../steps/runner.js';
import { modeFor } from '../steps/targets.js';
import type { StepContext } from '../steps/types.js';
import type { CommandIO } from './io.js';
import { lockedProbe } from './locked.js';

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
    const facts = await lockedProbe(host, { urls: o.sha512 ? [] : tarballUrls({ options: o, dist }), lock: !o.dryRun }, (m) =>
      io.reporter.warn(m),
    );
    const sudo = { root: 'root', yes: 'passwordless sudo', password: 'sudo needs a password', missing: 'no sudo' }[facts.sudo];
    active.finish('done', `${facts.os.prettyName}, ${gib(facts.memKib)} memory, ${gib(facts.install.parentFreeKib)} free, ${sudo}`);
    return facts;
  } catch (err) {
    active.finish('failed', '');
    throw err;
  }
}

/**
 * Connected as root (--user root, or a profile's), the JVMs run as root, units and -daemon alike: a
 * flaw in Kafka or ZooKeeper, or in a client they talk to, would hold the whole host.
 */
export function rootWarning(facts: Pick<HostFacts, 'user' | 'sudo'>, mode: KafkaMode = ZOOKEEPER_MODE): string | undefined {
  if (facts.user !== 'root' && facts.sudo !== 'root') return undefined;
  const jvms = mode.daemons.map((d) => d.name).join(' and ');
  return (
    `you are connected as root, so ${jvms} will run as root; connect as the instance's default user instead ` +
    '(--user ec2-user on Amazon Linux, ubuntu on Ubuntu, admin on Debian): kafka-setup uses its passwordless sudo for what needs root'
  );
}

/**
 * Systems whose successor is known for certain, by os-release ID and VERSION_ID: the warning names
 * it. Every other system's gets the generic words.
 */
const SUCCESSORS: readonly { id: string; versionId: string; successor: string }[] = [
  { id: 'amzn', versionId: '2', successor: 'Amazon Linux 2023' },
];

/**
 * The host's system is past its os-release SUPPORT_END (the day after it, in UTC, on this machine's
 * clock): one line saying so. Not an error: the host is set up all the same.
 */
export function supportEndedWarning(os: OsInfo, now: Date): string | undefined {
  if (!os.supportEnd || os.supportEnd >= now.toISOString().slice(0, 10)) return undefined;
  const name = os.prettyName === UNKNOWN_SYSTEM ? 'this system' : os.prettyName;
  const next = SUCCESSORS.find((s) => s.id === os.id && s.versionId === os.versionId)?.successor;
  return `${name}'s support ended on ${os.supportEnd} (os-release SUPPORT_END): it gets no security fixes${next ? `; ${next} is its successor` : ''}`;
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
  return (
    `${address} is not reachable from this machine (${reach.reason}); the host is set up, but clients here cannot connect. ` +
    `Add an inbound rule to the instance's security group: type Custom TCP, port ${BROKER_PORT}, source ${source}; then check with: kafka-setup verify`
  );
}

/** A Scala build the Kafka version does not have (4.x: 2.13 only) is bad input, refused before any host is asked, on one server or a cluster. */
export function refuseScala(dist: { kafkaVersion: string; scalaVersion: string }): void {
  const scala = scalaForVersionProblem(dist.kafkaVersion, dist.scalaVersion);
  if (scala)
    throw new UsageError(
      `--scala-version: ${scala}`,
      'leave --scala-version out (it follows --kafka-version), or give one it names; nothing was changed',
    );
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

/**
 * Connect, probe and run the steps on one host (the session is closed by the caller's `close`).
 * `refuse`: for a single server, what the probe shows it must not be done to (see single-guard.ts).
 */
export async function runOnHost(
  options: InitOptions,
  io: CommandIO,
  session: Session,
  cluster?: ClusterRendezvous,
  refuse?: (facts: HostFacts) => UserError | undefined,
): Promise<HostRun> {
  const dist = { kafkaVersion: options.kafkaVersion, scalaVersion: options.scalaVersion };
  // Asked side by side with the probe, so that a run that changes nothing costs no extra round
  // trip: is a running broker in its own metadata, and is it reachable from here?
  const host = new RemoteHost(session, { options, dist });
  const servingEarly = host.serving(undefined, 0);
  const reachEarly = tcpConnect(options.advertisedHost, BROKER_PORT, REACH_TIMEOUT_MS);
  const facts = await probe(host, options, io);
  const refused = refuse?.(facts);
  if (refused) throw refused;
  const ended = supportEndedWarning(facts.os, new Date());
  if (ended) io.reporter.warn(ended);
  const root = rootWarning(facts, modeOf(options));
  if (root) io.reporter.warn(root);
  const broker = brokerJvm(facts);
  if (broker) facts.serving = { ...judgeServing(await servingEarly, brokerId(facts.files['server.properties'].content)), pid: broker.pid };
  const view = cluster ? await cluster.view(facts) : undefined;
  const ctx: StepContext = { options, host, dist, facts, cluster: view };
  const reports = await runSteps([...initSteps(modeFor(ctx), ctx.cluster !== undefined)], ctx, io.reporter, options.dryRun, cluster?.hooks);
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
