/**
 * `kafka-setup init --host A --host B --host C`: the same steps as a single host, on every host at once,
 * each host's lines marked with its name. The hosts meet twice: once all are probed (each tells the
 * address the others reach it at, so every config names the whole ensemble), and before any broker
 * starts (a broker needs a ZooKeeper quorum, so every ZooKeeper is started first). A host that fails
 * stops the others at the next meeting point, never halfway through a step.
 */

import { notWhole, untilWhole, WHOLE_WAIT_MS } from '../cluster/cluster-health.js';
import { freshClusterId, type Membership, membershipOf } from '../cluster/cluster-membership.js';
import { Meeting, Turn } from '../cluster/meeting-points.js';
import { plannedReplication, replicateTopics } from '../cluster/replicate-topics.js';
import { UserError } from '../errors.js';
import type { HostFacts } from '../host/facts.js';
import { findJvm } from '../host/install-jvms.js';
import type { HostOps } from '../host/operations.js';
import { type ClusterView, replication, selfOf } from '../kafka/cluster.js';
import { BROKER_PORT, bootstrapAddress, distName } from '../kafka/distribution.js';
import { formatHeap } from '../kafka/heap.js';
import { modeOf, ZOOKEEPER_MODE } from '../kafka/mode.js';
import { tcpConnect } from '../local/net.js';
import { type ClusterHost, clusterHosts, memberLabel, type SavedMember } from '../options/cluster-options.js';
import { type InitFlags, type InitOptions, resolveInitOptions } from '../options/init-options.js';
import { type Profile, profileOf, profilePath, saveProfile } from '../options/profile.js';
import { isInteractive } from '../options/resolve.js';
import type { Session } from '../remote/session.js';
import { javaStep } from '../steps/java.js';
import type { StepHooks } from '../steps/runner.js';
import { brokerHeapMib, internalAddress, modeFor, serviceMode } from '../steps/targets.js';
import type { Step, StepContext } from '../steps/types.js';
import { voterStep } from '../steps/voter.js';
import type { Reporter } from '../ui/reporter.js';
import { dryRunVerdict, type HostRun, REACH_TIMEOUT_MS, refuseScala, runOnHost, unreachableWarning } from './init-host.js';
import type { CommandIO } from './io.js';
import { openSession } from './open-session.js';

/**
 * A JVM this step would stop and start again: one that ran when the host was probed (not only now: a
 * JVM stopped by something else since, as a unit depending on another, still takes its turn).
 */
function restarts(step: Step, ctx: StepContext, probed: HostFacts): boolean {
  const d = modeFor(ctx).daemons.find((x) => x.kind === step.id);
  return d !== undefined && !ctx.options.dryRun && findJvm(probed, d) !== undefined && !step.check(ctx).done;
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
 * number as its server holds it (the mode's membership: member-ids.ts, kraft-members.ts), its broker
 * id, its private address, and (KRaft) the cluster id every member is formatted with; `fresh` is the
 * id made once for this run, used where the servers hold none.
 */
export function viewOf(
  members: readonly { label: string; savedId: number | undefined; brokerId?: number | undefined }[],
  facts: readonly HostFacts[],
  self: number,
  saved?: readonly SavedMember[],
  membership: Membership = membershipOf(ZOOKEEPER_MODE),
  fresh = '',
): ClusterView {
  const addresses = facts.map((f, i) => {
    const a = f.serverAddress;
    if (a === undefined) {
      throw new UserError(
        `${members[i]!.label} did not tell the address it was reached on (SSH_CONNECTION is not set in its SSH sessions)`,
        {
          hint: "the cluster's members reach each other at that address; connect to each host directly (not through a jump host or a shell that clears the environment)",
        },
      );
    }
    return a;
  });
  for (const [i, a] of addresses.entries()) {
    const j = addresses.indexOf(a);
    if (j !== i) {
      throw new UserError(
        `${members[j]!.label} and ${members[i]!.label} were both reached at ${a}: they cannot be two members of one cluster`,
        {
          hint: 'give each host of the cluster its own address (on EC2: one instance per --host)',
        },
      );
    }
  }
  const { ids, brokerIds, voters, controllers, quorumFormed } = membership.ids(members, facts, saved);
  const clusterId = membership.clusterId(members, facts, fresh);
  return {
    self: ids[self]!,
    members: members.map((_, i) => ({ id: ids[i]!, brokerId: brokerIds[i]!, address: addresses[i]! })),
    ...(clusterId === undefined ? {} : { clusterId }),
    ...(voters === undefined ? {} : { voters }),
    ...(controllers === undefined ? {} : { controllers }),
    ...(quorumFormed === undefined ? {} : { quorumFormed }),
  };
}

async function resolveMembers(
  flags: InitFlags & { hosts: string[]; advertisedHosts: string[] },
  saved: readonly SavedMember[] | undefined,
  io: CommandIO,
): Promise<{ hosts: ClusterHost[]; members: Member[] }> {
  const hosts = clusterHosts(flags.hosts, flags.advertisedHosts, saved);
  const first = hosts[0]!;
  const interactive = isInteractive(flags.interactive);
  // The options every host shares (key, heap, mirrors, …), resolved once: through the first host, so a
  // profile saved for it (or for the cluster) applies.
  const shared = await resolveInitOptions(
    {
      ...flags,
      host: first.host,
      ...(first.user !== undefined && flags.user === undefined ? { user: first.user } : {}),
      ...(first.port !== undefined && flags.port === undefined ? { port: String(first.port) } : {}),
      // Per host (below): never asked once for all.
      advertisedHost: first.advertisedHost ?? first.host,
    },
    { prompter: interactive ? io.prompter() : undefined, env: io.env, warn: (m) => io.reporter.warn(m) },
  );
  const members = hosts.map((h, index): Member => {
    const options: InitOptions = {
      ...shared,
      host: h.host,
      user: h.user ?? shared.user,
      port: h.port ?? shared.port,
      advertisedHost: h.advertisedHost ?? h.host,
    };
    const l = memberLabel(h, hosts);
    return { index, label: l, options, reporter: io.reporter.labelled(l) };
  });
  return { hosts, members };
}

function summary(runs: readonly HostRun[], members: readonly Member[], profileFile: string | undefined, membership: Membership): string[] {
  const view = runs[0]!.ctx.cluster!;
  const r = replication(view.members.length);
  const [quorumName, quorumValue] = membership.quorum(view);
  const bootstrap = members.map((m) => bootstrapAddress(m.options.advertisedHost)).join(',');
  const lines = runs.map((run, i) => {
    const changed = run.reports.filter((x) => x.outcome === 'done' && x.id !== 'jps').length;
    const how = serviceMode(run.ctx) === 'systemd' ? 'systemd units' : '-daemon JVMs';
    return (
      `  broker ${selfOf(run.ctx.cluster!).brokerId}   ${bootstrapAddress(members[i]!.options.advertisedHost)}   internal ${internalAddress(run.ctx)}   heap -Xmx${formatHeap(brokerHeapMib(run.ctx))}   ${how}   ` +
      `(${changed === 0 ? 'nothing needed to change' : `${changed} step${changed > 1 ? 's' : ''} changed the host`})`
    );
  });
  const first = runs[0]!.ctx;
  return [
    '',
    `Kafka ${first.dist.kafkaVersion} runs on ${runs.length} hosts, one cluster:`,
    ...lines,
    `  bootstrap servers   ${bootstrap}`,
    `  ${quorumName.padEnd(20)}${quorumValue}`,
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
    cluster: members.map((m, i) => ({
      id: runs[i]!.ctx.cluster!.self,
      brokerId: selfOf(runs[i]!.ctx.cluster!).brokerId,
      host: m.options.host,
      user: m.options.user,
      port: m.options.port,
      advertisedHost: m.options.advertisedHost,
    })),
  };
}

/**
 * Every topic short of the cluster's replicas gets more, not only Kafka's own, on the first cluster
 * init of these servers (none of them a member before: the servers tell, not the profile), where a
 * single server's topics come along; and on its retry (`replicateAll`: the saved profile says that
 * replication did not finish).
 */
export async function initClusterCommand(
  flags: InitFlags & { hosts: string[]; advertisedHosts: string[] },
  saved: readonly SavedMember[] | undefined,
  io: CommandIO,
  replicateAll = false,
): Promise<number> {
  const { hosts, members } = await resolveMembers(flags, saved, io);
  const o = members[0]!.options;
  refuseScala(o);
  io.reporter.info(
    `kafka-setup init: ${distName(o)} on ${members.length} hosts, one cluster: ${members.map((m) => `${m.options.user}@${m.options.host}:${m.options.port}`).join(', ')}` +
      `${o.dryRun ? ' (dry run: nothing on the hosts will change)' : ''}`,
  );
  const probed = new Meeting<HostFacts>(members.length, 'the cluster was configured');
  // Every host's preflight passes before any host changes anything: a doomed cluster init changes nothing.
  const checked = new Meeting<true>(members.length, 'any host was changed');
  const mode = modeOf(o);
  const membership = membershipOf(mode);
  const fresh = freshClusterId();
  // Where every host waits for all the others (the mode's: ZooKeepers before brokers; KRaft's formats).
  const barriers = membership.barriers.map((b) => ({ ...b, meeting: new Meeting<true>(members.length, b.what) }));
  // Members with data start (or restart) before any without: fresh ZooKeepers then find the seeded one
  // in every election, and it leads them; a fresh KRaft node finds the quorum where the configs say,
  // a single server's controller moved off its loopback first (see joinsSeeded).
  const seeded = new Meeting<true>(members.length, 'the new members were started');
  const sessions: Array<Session | undefined> = members.map(() => undefined);
  const turn = new Turn();
  const released: Array<(() => void) | undefined> = members.map(() => undefined);
  // Every host's operations, known once all have passed the first step: a restart asks the others.
  const ops: Array<HostOps | undefined> = members.map(() => undefined);
  // Each restart's place in the rules: whether the ensemble's quorum can be waited for (see membershipChanges).
  const steady = async (ctx: StepContext): Promise<boolean> => !membership.changes(await probed.wait(), ctx.cluster!);
  // The brokers a restart finds registered: not those of members held back until the restarts are
  // done (where the quorum step is the broker's: a KRaft node joining waits for a single server's restart).
  const registered = async (): Promise<number> => {
    const all = await probed.wait();
    return members.filter((_, j) => !(membership.quorumStep === 'broker' && membership.joinsSeeded(all, j))).length;
  };
  const others = (m: Member): Array<{ label: string; host: HostOps }> =>
    ops.flatMap((host, j) => (j === m.index || !host ? [] : [{ label: members[j]!.label, host }]));
  const hooks = (m: Member): StepHooks => ({
    async before(step, ctx) {
      if (step.id === javaStep.id) {
        ops[m.index] = ctx.host;
        await checked.arrive(m.index, true);
      }
      for (const b of barriers) if (b.before === step.id) await b.meeting.wait();
      // The quorum takes one change of voters at a time: one node takes its vote after another.
      if (step.id === voterStep.id && !ctx.options.dryRun && !step.check(ctx).done) {
        released[m.index] = await turn.take();
        return;
      }
      if (step.id === membership.quorumStep && !ctx.options.dryRun && membership.joinsSeeded(await probed.wait(), m.index)) {
        await seeded.arrive(m.index, true);
        if (membership.joinsOneAtATime) released[m.index] = await turn.take();
      } else if (restarts(step, ctx, (await probed.wait())[m.index]!)) {
        released[m.index] = await turn.take();
        try {
          // Stopped only while the cluster can spare it: the other ZooKeepers in their quorum, or
          // every broker registered and every partition fully replicated.
          if (step.id === membership.quorumStep && (await steady(ctx)))
            await membership.beforeStop({ label: m.label, host: ctx.host, id: ctx.cluster!.self }, others(m));
          if (step.id === 'broker') {
            const w = await untilWhole(ctx.host, await registered(), WHOLE_WAIT_MS);
            if (!w.ok)
              throw notWhole(m.label, w, `restarting ${m.label}'s broker now could take partitions offline, so it was not stopped`);
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
            const w = await untilWhole(ctx.host, await registered(), WHOLE_WAIT_MS, ctx.progress);
            if (!w.ok)
              throw notWhole(
                m.label,
                w,
                `not within ${WHOLE_WAIT_MS / 60_000} minutes of this broker's restart; no other broker was restarted`,
              );
          }
          // A restarted member is back in its quorum before the next one stops (an unchanged
          // membership: a ZooKeeper restarted into a new one cannot rejoin the old one's members).
          if (step.id === membership.quorumStep && (await steady(ctx)))
            await membership.afterStart({ label: m.label, host: ctx.host }, ctx.progress);
        } catch (err) {
          // Before the turn is handed on: whoever waits for it must find the failure, not the turn.
          turn.fail(m.label);
          throw err;
        } finally {
          release();
        }
      }
      if (step.id === membership.quorumStep) void seeded.arrive(m.index, true);
      for (const b of barriers) if (b.after === step.id) void b.meeting.arrive(m.index, true);
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
            const view = viewOf(
              hosts.map((h, i) => ({ savedId: h.savedId, brokerId: h.brokerId, label: members[i]!.label })),
              all,
              m.index,
              saved,
              membership,
              fresh,
            );
            const note = m.index === 0 ? membership.note(all, view) : undefined;
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
      for (const b of barriers) b.meeting.fail(m.label);
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
          throw new UserError(`init stopped: could not connect to ${m.label}`, {
            hint: 'fix that (its error is above) and run the same command again',
          });
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
      throw new UserError(
        `init failed on ${first.map(({ m }) => m.label).join(', ') || failed.map(({ m }) => m.label).join(', ')} (${failed.length} of ${members.length} hosts did not finish)`,
        {
          hint: "see each host's error above; run the same command again once fixed: what is done on every host is kept, and a host that is right is left alone",
          ...(codes.size === 1 ? { exitCode: [...codes][0]! } : {}),
        },
      );
    }
    const runs = settled.map((s) => (s as PromiseFulfilledResult<HostRun>).value);
    // The first cluster init of these servers (none was a member before this run), or its retry.
    const userTopics = replicateAll || !membership.anyMember(await probed.wait());
    if (o.dryRun) {
      const verdicts = runs.map((r) => dryRunVerdict(r.reports));
      const doomed = verdicts.flatMap((v, i) => (v.doomed ? [{ m: members[i]!, err: v.doomed }] : []));
      for (const { m, err } of doomed) m.reporter.error(err, io.debug);
      if (doomed.length > 0)
        throw new UserError(`dry run: init would fail on ${doomed.map(({ m }) => m.label).join(', ')}`, {
          hint: "fix what each host's error says (this was a dry run: nothing was changed)",
        });
      const pending = verdicts.reduce((n, v) => n + v.pending, 0);
      const replicas = plannedReplication(runs, { userTopics });
      io.reporter.lines([
        '',
        pending === 0 && !replicas
          ? 'Dry run: the cluster is already set up; init would change nothing.'
          : `Dry run: init would run ${pending} steps across ${members.length} hosts${replicas ? `, ${replicas}` : ''}; nothing was changed.`,
      ]);
      return 0;
    }
    // A single server's topics on the run that made it a member; Kafka's own whenever they are short.
    const replicated = await replicateTopics(runs, { userTopics }, io.reporter).then(
      () => undefined,
      (err: unknown) => err,
    );
    // Until that has worked, the profile says so, and the next run tries again.
    const profile: Profile = {
      ...clusterProfile(runs, members),
      ...(replicated !== undefined && userTopics ? { replicateAll: true as const } : {}),
    };
    const savedFile = await saveProfile(o.profile, profile, io.env).catch((err: Error) => {
      io.reporter.warn(`could not save the profile ${profilePath(o.profile, io.env)}: ${err.message}`);
      return undefined;
    });
    io.reporter.lines(summary(runs, members, savedFile, membership));
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
