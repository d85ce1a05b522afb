/**
 * `kafka-setup init --host A --host B --host C`: the same steps as a single host, on every host at once,
 * each host's lines marked with its name. The hosts meet twice: once all are probed (each tells the
 * address the others reach it at, so every config names the whole ensemble), and before any broker
 * starts (a broker needs a ZooKeeper quorum, so every ZooKeeper is started first). A host that fails
 * stops the others at the next meeting point, never halfway through a step.
 */
import { UserError } from '../errors.js';
import type { HostFacts } from '../host/facts.js';
import { replication, selfOf, zookeeperConnect, type ClusterView } from '../kafka/cluster.js';
import { BROKER_PORT, bootstrapAddress, distName } from '../kafka/distribution.js';
import { formatHeap } from '../kafka/heap.js';
import { tcpConnect } from '../local/net.js';
import { clusterHosts, memberLabel, type ClusterHost, type SavedMember } from '../options/cluster-options.js';
import { resolveInitOptions, type InitFlags, type InitOptions } from '../options/init-options.js';
import { profileOf, profilePath, saveProfile, type Profile } from '../options/profile.js';
import { isInteractive } from '../options/resolve.js';
import type { Session } from '../remote/session.js';
import { memberData, type MemberData } from '../steps/member-data.js';
import { javaStep } from '../steps/java.js';
import type { StepHooks } from '../steps/runner.js';
import type { Step, StepContext } from '../steps/types.js';
import { findJvm } from '../host/install-jvms.js';
import { BROKER, ZOOKEEPER } from '../kafka/daemons.js';
import { notInQuorum, notWhole, outOfQuorum, QUORUM_WAIT_MS, untilInQuorum, untilWhole, WHOLE_WAIT_MS } from './cluster-health.js';
import type { HostOps } from '../host/operations.js';
import { ensembleOf } from '../steps/server-role.js';
import { brokerHeapMib, internalAddress, serviceMode } from '../steps/targets.js';
import type { Reporter } from '../ui/reporter.js';
import { Meeting, Turn } from './meeting-points.js';
import { anyMember, memberIds } from './member-ids.js';
import { plannedReplication, replicateTopics } from './replicate-topics.js';
import { dryRunVerdict, REACH_TIMEOUT_MS, runOnHost, unreachableWarning, type HostRun } from './init-host.js';
import type { CommandIO } from './io.js';
import { openSession } from './open-session.js';

/**
 * A JVM this step would stop and start again: one that ran when the host was probed (not only now: a
 * JVM stopped by something else since, as a unit depending on another, still takes its turn).
 */
function restarts(step: Step, ctx: StepContext, probed: HostFacts): boolean {
  const d = step.id === 'zookeeper' ? ZOOKEEPER : step.id === 'broker' ? BROKER : undefined;
  return d !== undefined && !ctx.options.dryRun && findJvm(probed, d) !== undefined && !step.check(ctx).done;
}

/**
 * Whether the ensemble's membership changes in this run: some server's ZooKeeper config lists other
 * members than the cluster will have. A ZooKeeper restarted into a new membership cannot rejoin the
 * members still running the old one, so no restart may wait for its quorum then.
 */
export function membershipChanges(facts: readonly HostFacts[], view: ClusterView): boolean {
  const key = (es: ReadonlyArray<{ id: number; address: string }>): string => es.map((e) => `${e.id}=${e.address}`).sort().join(',');
  return facts.some((f) => key(ensembleOf(f.files['zookeeper.properties'].content)) !== key(view.members));
}

/** What a membership change means for availability, said once before it happens (and by a dry run). */
export function membershipNote(facts: readonly HostFacts[], view: ClusterView): string | undefined {
  if (!membershipChanges(facts, view) || !facts.some((f) => findJvm(f, ZOOKEEPER) !== undefined)) return undefined;
  const before = new Set(facts.flatMap((f) => ensembleOf(f.files['zookeeper.properties'].content).map((e) => `${e.id}=${e.address}`)));
  return `the ZooKeeper ensemble's membership changes (${before.size > 0 ? `${before.size} listed` : 'a single server'} → ${view.members.length} members): ` +
    'a ZooKeeper restarted into the new list cannot rejoin members still on the old one, so the running ZooKeepers restart without waiting for ' +
    'each other\'s quorum and the ensemble may have none for a few seconds; brokers still restart one at a time, each after the cluster is whole';
}

interface Member {
  index: number;
  /** How its lines are marked: the host, with its port when several share the name. */
  label: string;
  options: InitOptions;
  reporter: Reporter;
}

/**
 * The view of the cluster of the member at index `self`, from every member's probe: each member's
 * number as its server holds it (member-ids.ts), its broker.id and its private address.
 */
export function viewOf(
  members: readonly { label: string; savedId: number | undefined; brokerId?: number | undefined }[],
  facts: readonly HostFacts[],
  self: number,
  saved?: readonly SavedMember[],
): ClusterView {
  const addresses = facts.map((f, i) => {
    const a = f.serverAddress;
    if (a === undefined) {
      throw new UserError(`${members[i]!.label} did not tell the address it was reached on (SSH_CONNECTION is not set in its SSH sessions)`, {
        hint: 'the cluster\'s members reach each other at that address; connect to each host directly (not through a jump host or a shell that clears the environment)',
      });
    }
    return a;
  });
  for (const [i, a] of addresses.entries()) {
    const j = addresses.indexOf(a);
    if (j !== i) {
      throw new UserError(`${members[j]!.label} and ${members[i]!.label} were both reached at ${a}: they cannot be two members of one cluster`, {
        hint: 'give each host of the cluster its own address (on EC2: one instance per --host)',
      });
    }
  }
  const ids = memberIds(members, facts, saved);
  const brokerIds = brokerIdsOf(members.map((m, i) => ({ ...m, id: ids[i]! })), facts.map(memberData));
  return { self: ids[self]!, members: members.map((_, i) => ({ id: ids[i]!, brokerId: brokerIds[i]!, address: addresses[i]! })) };
}

/**
 * Each member's broker.id: the one its data was written under (a single server's 0), else the saved
 * one, else its id, or the next free one where that is taken. Refused: data of two clusters (two
 * single servers' ZooKeepers, or one beside an ensemble's), and two brokers' data under one id.
 */
export function brokerIdsOf(members: readonly { id: number; label: string; brokerId?: number | undefined }[], data: readonly MemberData[]): number[] {
  const labels = (is: number[]): string => is.map((i) => members[i]!.label).join(' and ');
  const alone = data.flatMap((d, i) => (d.standalone ? [i] : []));
  const ensemble = data.flatMap((d, i) => (d.zookeeper && !d.standalone ? [i] : []));
  if (alone.length > 1 || (alone.length === 1 && ensemble.length > 0)) {
    const holders = [...alone, ...ensemble];
    throw new UserError(`${labels(holders)} each hold ZooKeeper data of their own (${alone.length > 1 ? 'single servers' : 'a single server and a cluster\'s members'}): one cluster can keep only one of them`, {
      hint: `keep the data of one: run kafka-setup uninstall --purge-data --host HOST on the others (their topics go), then the cluster init again; or set up the cluster without ${alone.length > 1 ? 'all but one of them' : members[alone[0]!]!.label}`,
    });
  }
  const generated = data.findIndex((d) => d.brokerId === 'generated');
  if (generated >= 0) {
    throw new UserError(`${members[generated]!.label}'s broker holds data under a broker.id it generated itself, which kafka-setup cannot read`, {
      hint: 'set broker.id in its config/server.properties to the one in meta.properties of its log directory, then run the cluster init again',
    });
  }
  const kept = data.map((d) => (typeof d.brokerId === 'number' ? d.brokerId : undefined));
  for (const [i, id] of kept.entries()) {
    const j = id === undefined ? -1 : kept.indexOf(id);
    if (j !== i && j >= 0) {
      throw new UserError(`the brokers of ${labels([j, i])} both hold data as broker.id ${id}: they come from different clusters`, {
        hint: `keep the data of one: run kafka-setup uninstall --purge-data --host HOST on the other, then the cluster init again`,
      });
    }
  }
  const wanted = members.map((m, i) => kept[i] ?? m.brokerId ?? m.id);
  const taken = new Set(kept.filter((id): id is number => id !== undefined));
  let next = Math.max(...wanted, ...taken);
  return wanted.map((id, i) => {
    if (kept[i] !== undefined) return id;
    if (taken.has(id)) id = ++next;
    taken.add(id);
    return id;
  });
}

/**
 * Whether this member's ZooKeeper starts only after those holding a database, one at a time: when it
 * has none, and the members without one are a majority of the ensemble (a single server becoming the
 * first of three). Started side by side, those could elect one of their own before the one with data
 * is heard, and it would then take their empty state over its own; started one by one after it, each
 * finds it running with the newest transaction, and every election picks it. Where the members with
 * data are at least half (a cluster growing), every quorum holds one of them, whose vote wins over a
 * fresh one's: the new ZooKeepers start beside the others' restarts, as their config needs them to.
 */
export function joinsSeeded(facts: readonly HostFacts[], index: number): boolean {
  const data = facts.map(memberData);
  const fresh = data.filter((d) => !d.zookeeper).length;
  return !data[index]!.zookeeper && fresh < data.length && fresh > data.length / 2;
}

async function resolveMembers(flags: InitFlags & { hosts: string[]; advertisedHosts: string[] }, saved: readonly SavedMember[] | undefined, io: CommandIO): Promise<{ hosts: ClusterHost[]; members: Member[] }> {
  const hosts = clusterHosts(flags.hosts, flags.advertisedHosts, saved);
  const first = hosts[0]!;
  const interactive = isInteractive(flags.interactive);
  // The options every host shares (key, heap, mirrors, …), resolved once: through the first host, so a
  // profile saved for it (or for the cluster) applies.
  const shared = await resolveInitOptions(
    { ...flags, host: first.host, ...(first.user !== undefined && flags.user === undefined ? { user: first.user } : {}), ...(first.port !== undefined && flags.port === undefined ? { port: String(first.port) } : {}),
      // Per host (below): never asked once for all.
      advertisedHost: first.advertisedHost ?? first.host },
    { prompter: interactive ? io.prompter() : undefined, env: io.env, warn: (m) => io.reporter.warn(m) },
  );
  const members = hosts.map((h, index): Member => {
    const options: InitOptions = { ...shared, host: h.host, user: h.user ?? shared.user, port: h.port ?? shared.port, advertisedHost: h.advertisedHost ?? h.host };
    const l = memberLabel(h, hosts);
    return { index, label: l, options, reporter: io.reporter.labelled(l) };
  });
  return { hosts, members };
}

function summary(runs: readonly HostRun[], members: readonly Member[], profileFile: string | undefined): string[] {
  const view = runs[0]!.ctx.cluster!;
  const r = replication(view.members.length);
  const bootstrap = members.map((m) => bootstrapAddress(m.options.advertisedHost)).join(',');
  const lines = runs.map((run, i) => {
    const changed = run.reports.filter((x) => x.outcome === 'done' && x.id !== 'jps').length;
    const how = serviceMode(run.ctx) === 'systemd' ? 'systemd units' : '-daemon JVMs';
    return `  broker ${selfOf(run.ctx.cluster!).brokerId}   ${bootstrapAddress(members[i]!.options.advertisedHost)}   internal ${internalAddress(run.ctx)}   heap -Xmx${formatHeap(brokerHeapMib(run.ctx))}   ${how}   ` +
      `(${changed === 0 ? 'nothing needed to change' : `${changed} step${changed > 1 ? 's' : ''} changed the host`})`;
  });
  const first = runs[0]!.ctx;
  return [
    '',
    `Kafka ${first.dist.kafkaVersion} runs on ${runs.length} hosts, one cluster:`,
    ...lines,
    `  bootstrap servers   ${bootstrap}`,
    `  ZooKeeper ensemble  ${zookeeperConnect(view)}`,
    `  replication         default.replication.factor=${r.factor}, min.insync.replicas=${r.minInsync} (offsets and transactions: ${r.factor})`,
    // Each host's own path: the users (and so their homes) may differ.
    `  installed in        ${new Set(runs.map((r) => r.ctx.facts.install.path)).size === 1 ? first.facts.install.path : `${first.options.installDir} on each host`}`,
    ...(profileFile ? [`  profile saved       ${profileFile}`] : []),
    '',
    'Next:',
    `  kcat -b ${bootstrap} -L`,
    `  kafka-topics.sh --bootstrap-server ${bootstrap} --create --topic events --partitions 3 --replication-factor ${r.factor}`,
  ];
}

/** What the profile keeps of a cluster: the first member's connection as the profile's own, and every member. */
function clusterProfile(runs: readonly HostRun[], members: readonly Member[]): Profile {
  const heaps = runs.map((r) => brokerHeapMib(r.ctx));
  const first = members[0]!.options;
  return {
    ...profileOf(first),
    // The smallest heap sized: a re-run applies one heap to every host, and it must fit all of them.
    heap: first.heap === 'auto' ? formatHeap(Math.min(...heaps)) : first.heap,
    cluster: members.map((m, i) => ({ id: runs[i]!.ctx.cluster!.self, brokerId: selfOf(runs[i]!.ctx.cluster!).brokerId, host: m.options.host, user: m.options.user, port: m.options.port, advertisedHost: m.options.advertisedHost })),
  };
}

/**
 * Every topic short of the cluster's replicas gets more, not only Kafka's own, on the first cluster
 * init of these servers (none of them a member before: the servers tell, not the profile), where a
 * single server's topics come along; and on its retry (`replicateAll`: the saved profile says that
 * replication did not finish).
 */
export async function initClusterCommand(flags: InitFlags & { hosts: string[]; advertisedHosts: string[] }, saved: readonly SavedMember[] | undefined, io: CommandIO, replicateAll = false): Promise<number> {
  const { hosts, members } = await resolveMembers(flags, saved, io);
  const o = members[0]!.options;
  io.reporter.info(
    `kafka-setup init: ${distName(o)} on ${members.length} hosts, one cluster: ${members.map((m) => `${m.options.user}@${m.options.host}:${m.options.port}`).join(', ')}` +
      `${o.dryRun ? ' (dry run: nothing on the hosts will change)' : ''}`,
  );
  const probed = new Meeting<HostFacts>(members.length, 'the cluster was configured');
  // Every host's preflight passes before any host changes anything: a doomed cluster init changes nothing.
  const checked = new Meeting<true>(members.length, 'any host was changed');
  const zookeepers = new Meeting<true>(members.length, 'the brokers were started');
  // ZooKeepers with a database (a single server's becoming the first member) run before any without:
  // the fresh ones then find it in every election, and it leads them (see joinsSeeded).
  const seeded = new Meeting<true>(members.length, 'the new ZooKeepers were started');
  const sessions: Array<Session | undefined> = members.map(() => undefined);
  const turn = new Turn();
  const released: Array<(() => void) | undefined> = members.map(() => undefined);
  // Every host's operations, known once all have passed the first step: a restart asks the others.
  const ops: Array<HostOps | undefined> = members.map(() => undefined);
  // Each restart's place in the rules: whether the ensemble's quorum can be waited for (see membershipChanges).
  const steady = async (ctx: StepContext): Promise<boolean> => !membershipChanges(await probed.wait(), ctx.cluster!);
  /** Before stopping a running ZooKeeper: every other member's is in the quorum (else this one's loss could lose it). */
  const othersInQuorum = async (m: Member): Promise<void> => {
    for (const [j, other] of ops.entries()) {
      if (j === m.index || !other) continue;
      const q = await untilInQuorum(other, QUORUM_WAIT_MS);
      if (!q.ok) throw outOfQuorum(members[j]!.label, q, `restarting ${m.label}'s ZooKeeper now could lose the ensemble's quorum, so it was not stopped`);
    }
  };
  const hooks = (m: Member): StepHooks => ({
    async before(step, ctx) {
      if (step.id === javaStep.id) {
        ops[m.index] = ctx.host;
        await checked.arrive(m.index, true);
      }
      // A broker needs a quorum of ZooKeepers: every host's must run first.
      if (step.id === 'broker') await zookeepers.wait();
      if (step.id === 'zookeeper' && !ctx.options.dryRun && joinsSeeded(await probed.wait(), m.index)) {
        await seeded.arrive(m.index, true);
        released[m.index] = await turn.take();
      } else if (restarts(step, ctx, (await probed.wait())[m.index]!)) {
        released[m.index] = await turn.take();
        try {
          // Stopped only while the cluster can spare it: the other ZooKeepers in their quorum, or
          // every broker registered and every partition fully replicated.
          if (step.id === 'zookeeper' && (await steady(ctx))) await othersInQuorum(m);
          if (step.id === 'broker') {
            const w = await untilWhole(ctx.host, members.length, WHOLE_WAIT_MS);
            if (!w.ok) throw notWhole(m.label, w, `restarting ${m.label}'s broker now could take partitions offline, so it was not stopped`);
          }
        } catch (err) {
          turn.fail(m.label);
          released[m.index]!();
          released[m.index] = undefined;
          throw err;
        }
      }
    },
    async after(step, ctx) {
      const release = released[m.index];
      if (release) {
        released[m.index] = undefined;
        try {
          // A restarted broker has caught up (every partition fully replicated) before the next one stops.
          if (step.id === 'broker') {
            const w = await untilWhole(ctx.host, members.length, WHOLE_WAIT_MS, ctx.progress);
            if (!w.ok) throw notWhole(m.label, w, `not within ${WHOLE_WAIT_MS / 60_000} minutes of this broker's restart; no other broker was restarted`);
          }
          // A restarted ZooKeeper is back in its quorum before the next one stops (an unchanged
          // ensemble: one restarted into a new membership cannot rejoin the old one's members).
          if (step.id === 'zookeeper' && (await steady(ctx))) {
            const q = await untilInQuorum(ctx.host, QUORUM_WAIT_MS);
            if (!q.ok) throw notInQuorum(m.label, q, 'no other ZooKeeper was restarted');
          }
        } catch (err) {
          // Before the turn is handed on: whoever waits for it must find the failure, not the turn.
          turn.fail(m.label);
          throw err;
        } finally {
          release();
        }
      }
      if (step.id === 'zookeeper') {
        void seeded.arrive(m.index, true);
        void zookeepers.arrive(m.index, true);
      }
    },
  });
  const runMember = async (m: Member): Promise<HostRun> => {
    const hio: CommandIO = { ...io, reporter: m.reporter };
    try {
      const session = sessions[m.index] ?? (await openSession(m.options, hio, { dryRun: m.options.dryRun }));
      sessions[m.index] = session;
      return await runOnHost(m.options, hio, session, {
        view: async (facts) => {
          const all = await probed.arrive(m.index, facts);
          try {
            const view = viewOf(hosts.map((h, i) => ({ savedId: h.savedId, brokerId: h.brokerId, label: members[i]!.label })), all, m.index, saved);
            const note = m.index === 0 ? membershipNote(all, view) : undefined;
            if (note) io.reporter.warn(note);
            return view;
          } catch (err) {
            // Every host finds the same: the first says why, the others only that they stopped.
            if (m.index === 0) throw err;
            throw new UserError(`stopped before the cluster was configured: see ${members[0]!.label}'s error above`);
          }
        },
        hooks: hooks(m),
      });
    } catch (err) {
      probed.fail(m.label);
      checked.fail(m.label);
      seeded.fail(m.label);
      zookeepers.fail(m.label);
      turn.fail(m.label);
      released[m.index]?.();
      throw err;
    }
  };
  try {
    // A question on the terminal (a new host key, a key file to restrict) is asked for one host at a time.
    if (o.interactive) {
      for (const m of members) {
        try {
          sessions[m.index] = await openSession(m.options, { ...io, reporter: m.reporter }, { dryRun: m.options.dryRun });
        } catch (err) {
          m.reporter.error(err, io.debug);
          throw new UserError(`init stopped: could not connect to ${m.label}`, { hint: 'fix that (its error is above) and run the same command again' });
        }
      }
    }
    const settled = await Promise.allSettled(members.map(runMember));
    const failed = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ m: members[i]!, err: s.reason as unknown }] : []));
    if (failed.length > 0) {
      // The hosts stopped by another's failure say so in one line; the failures themselves in full.
      for (const { m, err } of failed) m.reporter.error(err, io.debug);
      const first = failed.filter(({ err }) => !(err instanceof UserError && err.message.startsWith('stopped before')));
      // Bad input found on the servers (a member left out) is still bad input: exit 2, nothing changed.
      const codes = new Set(first.map(({ err }) => (err instanceof UserError ? err.exitCode : 1)));
      throw new UserError(`init failed on ${first.map(({ m }) => m.label).join(', ') || failed.map(({ m }) => m.label).join(', ')} (${failed.length} of ${members.length} hosts did not finish)`, {
        hint: 'see each host\'s error above; run the same command again once fixed: what is done on every host is kept, and a host that is right is left alone',
        ...(codes.size === 1 ? { exitCode: [...codes][0]! } : {}),
      });
    }
    const runs = settled.map((s) => (s as PromiseFulfilledResult<HostRun>).value);
    // The first cluster init of these servers (none was a member before this run), or its retry.
    const userTopics = replicateAll || !anyMember(await probed.wait());
    if (o.dryRun) {
      const verdicts = runs.map((r) => dryRunVerdict(r.reports));
      const doomed = verdicts.flatMap((v, i) => (v.doomed ? [{ m: members[i]!, err: v.doomed }] : []));
      for (const { m, err } of doomed) m.reporter.error(err, io.debug);
      if (doomed.length > 0) throw new UserError(`dry run: init would fail on ${doomed.map(({ m }) => m.label).join(', ')}`, { hint: 'fix what each host\'s error says (this was a dry run: nothing was changed)' });
      const pending = verdicts.reduce((n, v) => n + v.pending, 0);
      const replicas = plannedReplication(runs, { userTopics });
      io.reporter.lines(['', pending === 0 && !replicas ? 'Dry run: the cluster is already set up; init would change nothing.'
        : `Dry run: init would run ${pending} steps across ${members.length} hosts${replicas ? `, ${replicas}` : ''}; nothing was changed.`]);
      return 0;
    }
    // A single server's topics on the run that made it a member; Kafka's own whenever they are short.
    const replicated = await replicateTopics(runs, { userTopics }, io.reporter).then(() => undefined, (err: unknown) => err);
    // Until that has worked, the profile says so, and the next run tries again.
    const profile: Profile = { ...clusterProfile(runs, members), ...(replicated !== undefined && userTopics ? { replicateAll: true as const } : {}) };
    const savedFile = await saveProfile(o.profile, profile, io.env).catch((err: Error) => {
      io.reporter.warn(`could not save the profile ${profilePath(o.profile, io.env)}: ${err.message}`);
      return undefined;
    });
    io.reporter.lines(summary(runs, members, savedFile));
    if (replicated !== undefined) throw replicated;
    // Clients here must reach every broker (the metadata sends them to each), not only one.
    for (const [i, run] of runs.entries()) {
      const early = await run.reachEarly;
      const reach = early.ok ? early : await tcpConnect(members[i]!.options.advertisedHost, BROKER_PORT, REACH_TIMEOUT_MS);
      const warning = unreachableWarning(run.ctx, reach);
      if (warning) members[i]!.reporter.warn(warning);
    }
    return 0;
  } finally {
    for (const s of sessions) s?.close();
  }
}
