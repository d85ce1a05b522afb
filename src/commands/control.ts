/**
 * `kafka-setup stop | start | restart`: in the mode's order (on 3.x the broker stops before ZooKeeper
 * and starts after it), each waiting until its state is reached — its port closed, or serving as `init` checks it —
 * and saying how long that took (the reporter times each step). Through the units where kafka-setup installed them, else with the
 * -daemon scripts and the heap of the ~/.bashrc block. One SSH connection.
 */

import {
  notCaughtUp,
  notInQuorum,
  notWhole,
  outOfQuorum,
  QUORUM_WAIT_MS,
  quorumAtRisk,
  stopRisk,
  untilCaughtUp,
  untilInQuorum,
  untilWhole,
  WHOLE_WAIT_MS,
} from '../cluster/cluster-health.js';
import { clusterKind, together } from '../cluster/cluster-kind.js';
import { STRANDED_TEXT, watchStranded } from '../cluster/stranded.js';
import { UserError } from '../errors.js';
import { type HostFacts, withUpdate } from '../host/facts.js';
import { findJvm, serviceOf } from '../host/install-jvms.js';
import { daemonHeapOpts, installedBrokerHeapMib, startAndServe } from '../host/lifecycle.js';
import type { HostOps } from '../host/operations.js';
import { BROKER, type DaemonSpec, ZOOKEEPER } from '../kafka/daemons.js';
import { distName } from '../kafka/distribution.js';
import { type KafkaMode, modeOf } from '../kafka/mode.js';
import { nodeIdOf } from '../kafka/quorum.js';
import { memberFlags, memberLabel } from '../options/cluster-options.js';
import type { ControlAction, ControlFlags } from '../options/control-options.js';
import { type HostCommandOptions, resolveHostCommandOptions } from '../options/host-command-options.js';
import { clusterMembers } from '../options/profile.js';
import { isInteractive } from '../options/resolve.js';
import type { CommandIO } from './io.js';
import { lockedProbe } from './locked.js';
import { recogniseMoved } from './recognise.js';
import { withHost } from './with-host.js';

const title = (verb: string, d: DaemonSpec): string => `${verb} ${d.name}`;

/** `killed`: whether the stop was helped along with SIGKILL (stopWave), said in its line. */
async function stop(host: HostOps, facts: HostFacts, d: DaemonSpec, io: CommandIO, killed?: () => boolean): Promise<HostFacts> {
  const active = io.reporter.step(title('Stop', d));
  const jvm = findJvm(facts, d);
  const service = serviceOf(facts, d);
  const unitActive = service === 'systemd' && ['active', 'activating', 'reloading'].includes(facts.services.units[d.kind].active ?? '');
  if (!jvm && !unitActive) {
    active.finish('skipped', 'not running');
    return facts;
  }
  try {
    const r = await host.stopDaemon({ daemon: d, service });
    const how = killed?.() ? `, ${STRANDED_TEXT}` : '';
    active.finish(
      'done',
      `stopped${service === 'systemd' ? ` ${d.unit}` : ''}${jvm ? ` (pid ${jvm.pid})` : ''}${how}; port ${d.port} closed`,
    );
    return withUpdate(facts, r.update);
  } catch (err) {
    active.finish('failed', '');
    throw err;
  }
}

async function start(host: HostOps, facts: HostFacts, d: DaemonSpec, io: CommandIO, mode: KafkaMode): Promise<HostFacts> {
  const active = io.reporter.step(title('Start', d));
  const jvm = findJvm(facts, d);
  const service = serviceOf(facts, d);
  const running = jvm !== undefined && facts.listening.has(d.port);
  try {
    // A running JVM is only asked whether it serves; one still starting up is waited for, not started twice.
    const s = await startAndServe(host, facts, {
      daemon: d,
      mode,
      service,
      heapOpts: daemonHeapOpts(mode, d, installedBrokerHeapMib(facts, mode)),
      runningPid: jvm?.pid,
      listening: running,
      onProgress: (text) => active.update(text),
      again: 'kafka-setup start',
    });
    const how = running
      ? 'already running'
      : jvm
        ? 'was starting; ready'
        : `started${service === 'systemd' ? ` ${d.unit}` : ' with -daemon'}`;
    const where = !s.serving
      ? `listening on ${d.port}`
      : s.serving.state === 'unknown'
        ? `listening on ${d.port} (metadata not checked: ${s.serving.reason})`
        : `serving on ${d.port}, in its own metadata`;
    active.finish(running ? 'skipped' : 'done', `${how}: pid ${s.pid ?? '?'}, ${where}`);
    return s.facts;
  } catch (err) {
    active.finish('failed', '');
    throw err;
  }
}

interface Member {
  label: string;
  io: CommandIO;
  options: HostCommandOptions;
}

/** Runs `work` with a connection to every member, opened one after another (a host-key question at a time). */
async function withHosts<T>(members: readonly Member[], work: (hosts: HostOps[]) => Promise<T>): Promise<T> {
  const open = (i: number, hosts: HostOps[]): Promise<T> =>
    i === members.length ? work(hosts) : withHost(members[i]!.options, members[i]!.io, (h) => open(i + 1, [...hosts, h]));
  return open(0, []);
}

async function probed(host: HostOps, m: Member): Promise<HostFacts> {
  // Like init, a run that changes the host holds its lock: two runs never start or stop at once.
  const facts = await lockedProbe(host, { urls: [], lock: true }, (w) => m.io.reporter.warn(w));
  if (facts.install.state !== 'kafka') {
    throw new UserError(`there is no ${distName(m.options.dist)} install at ${facts.install.path} on ${m.options.connection.host}`, {
      hint: 'run kafka-setup init first, or pass --install-dir (or --profile) for the install you mean',
    });
  }
  return facts;
}

/** A rolling restart's pause: the cluster whole again (every broker back, caught up) before the next host. */
async function waitWhole(host: HostOps, m: Member, size: number): Promise<void> {
  const active = m.io.reporter.step('Wait for the cluster to be whole');
  const w = await untilWhole(host, size, WHOLE_WAIT_MS, (t) => active.update(t));
  if (!w.ok) {
    active.finish('failed', '');
    throw notWhole(m.label, w, `not within ${WHOLE_WAIT_MS / 60_000} minutes; the next hosts were not restarted`);
  }
  active.finish('done', w.detail);
}

const runs = (f: HostFacts, d: DaemonSpec): boolean => findJvm(f, d) !== undefined && f.listening.has(d.port);

/**
 * Before stopping a member's ZooKeeper: every other member's is in the quorum, so that this one's
 * loss leaves a majority. Asked once: a restart never waits for a member it did not start itself.
 */
async function othersInQuorum(hosts: readonly HostOps[], members: readonly Member[], i: number): Promise<void> {
  for (const [j, other] of hosts.entries()) {
    if (j === i) continue;
    const q = await untilInQuorum(other, 0);
    if (!q.ok)
      throw outOfQuorum(
        members[j]!.label,
        q,
        `stopping ${members[i]!.label}'s ZooKeeper now could lose the ensemble's quorum, so it was not restarted`,
      );
  }
}

/**
 * A cluster's restart, without ever taking down what the cluster depends on. First what is down is
 * started, everywhere, stopping nothing (a healthy ZooKeeper is never stopped while another is out);
 * then each JVM that was running is restarted one host at a time, each host only once the other
 * ZooKeepers are in their quorum and the cluster is whole, and waited for until it is whole again.
 */
async function rollingRestart(hosts: readonly HostOps[], members: readonly Member[], facts: HostFacts[], mode: KafkaMode): Promise<void> {
  const daemons = mode.daemons;
  const running = facts.map((f) => daemons.filter((d) => runs(f, d)));
  const healing = hosts.flatMap((_, i) => (running[i]!.length < daemons.length ? [i] : []));
  for (const d of [ZOOKEEPER, BROKER]) {
    for (const i of healing) {
      if (running[i]!.includes(d)) continue;
      facts[i] = await start(hosts[i]!, facts[i]!, d, members[i]!.io, mode);
      if (d === ZOOKEEPER) {
        const q = await untilInQuorum(hosts[i]!, QUORUM_WAIT_MS);
        if (!q.ok) throw notInQuorum(members[i]!.label, q, 'no running JVM was restarted');
      }
    }
  }
  // The cluster cannot be whole before every host that was down is back.
  const lastHealed = healing.at(-1);
  if (lastHealed !== undefined) await waitWhole(hosts[lastHealed]!, members[lastHealed]!, hosts.length);
  for (const [i, host] of hosts.entries()) {
    const m = members[i]!;
    const again = running[i]!;
    if (again.length === 0) continue;
    const before = await untilWhole(host, hosts.length, 0);
    if (!before.ok) throw notWhole(m.label, before, `restarting ${m.label} now could take partitions offline, so it was not restarted`);
    if (again.includes(ZOOKEEPER)) await othersInQuorum(hosts, members, i);
    for (const d of [BROKER, ZOOKEEPER]) if (again.includes(d)) facts[i] = await stop(host, facts[i]!, d, m.io);
    if (again.includes(ZOOKEEPER)) {
      facts[i] = await start(host, facts[i]!, ZOOKEEPER, m.io, mode);
      // Back in the quorum before anything else stops: two ZooKeepers out at once lose three's quorum.
      const q = await untilInQuorum(host, QUORUM_WAIT_MS);
      if (!q.ok) throw notInQuorum(m.label, q, 'the next hosts were not restarted');
    }
    if (again.includes(BROKER)) facts[i] = await start(host, facts[i]!, BROKER, m.io, mode);
    await waitWhole(host, m, hosts.length);
  }
}

/** Starts `d` on these hosts at once (a KRaft node waits for a majority of controllers); the first failure is thrown once all have ended. */
async function startTogether(
  hosts: readonly HostOps[],
  members: readonly Member[],
  facts: HostFacts[],
  which: readonly number[],
  d: DaemonSpec,
  mode: KafkaMode,
): Promise<void> {
  await together(which, async (i) => {
    facts[i] = await start(hosts[i]!, facts[i]!, d, members[i]!.io, mode);
  });
}

/** Each host's KRaft node id (node.id of its server.properties): what the quorum calls it. */
function nodeIds(members: readonly Member[], facts: readonly HostFacts[]): number[] {
  return facts.map((f, i) => {
    const id = nodeIdOf(f.files['server.properties'].content);
    if (id === undefined) {
      throw new UserError(
        `server.properties on ${members[i]!.label} names no node.id: kafka-setup cannot tell which voter of the quorum it is, so nothing was restarted`,
        {
          hint: "run kafka-setup init with the cluster's --host list: it writes node.id",
        },
      );
    }
    return id;
  });
}

/** Until every voter is caught up, asked through this host's controller. */
async function waitCaughtUp(host: HostOps, m: Member): Promise<void> {
  const active = m.io.reporter.step('Wait for every controller to catch up');
  const q = await untilCaughtUp(host, QUORUM_WAIT_MS, (t) => active.update(t));
  if (!q.ok) {
    active.finish('failed', '');
    throw notCaughtUp(m.label, q, 'the next hosts were not restarted');
  }
  active.finish('done', q.detail);
}

/**
 * A KRaft cluster's restart: what is down is started first, all at once (a node's start waits for a
 * majority of controllers), stopping nothing; then each node that was running is restarted one at a
 * time, only once every other voter is up and caught up and the cluster is whole — so that its loss
 * never costs the quorum — and waited for until every voter has caught up and the cluster is whole again.
 */
async function rollingRestartKraft(
  hosts: readonly HostOps[],
  members: readonly Member[],
  facts: HostFacts[],
  mode: KafkaMode,
): Promise<void> {
  const ids = nodeIds(members, facts);
  const running = facts.map((f) => mode.daemons.every((d) => runs(f, d)));
  const healing = hosts.flatMap((_, i) => (running[i] ? [] : [i]));
  for (const d of mode.daemons) await startTogether(hosts, members, facts, healing, d, mode);
  const lastHealed = healing.at(-1);
  if (lastHealed !== undefined) {
    await waitCaughtUp(hosts[lastHealed]!, members[lastHealed]!);
    await waitWhole(hosts[lastHealed]!, members[lastHealed]!, hosts.length);
  }
  for (const [i, host] of hosts.entries()) {
    if (!running[i]) continue;
    const m = members[i]!;
    const before = await untilWhole(host, hosts.length, 0);
    if (!before.ok) throw notWhole(m.label, before, `restarting ${m.label} now could take partitions offline, so it was not restarted`);
    const risk = stopRisk(await untilCaughtUp(host, 0), ids[i]!);
    if (risk) throw quorumAtRisk(m.label, risk, `${m.label} was not restarted`);
    for (const d of [...mode.daemons].reverse()) facts[i] = await stop(host, facts[i]!, d, m.io);
    for (const d of mode.daemons) facts[i] = await start(host, facts[i]!, d, m.io, mode);
    await waitCaughtUp(host, m);
    await waitWhole(host, m, hosts.length);
  }
}

/** How a cluster of each mode restarts without ever losing its quorum or a partition. */
const ROLL: Record<KafkaMode['clusterQuorum'], typeof rollingRestart> = { ensemble: rollingRestart, controllers: rollingRestartKraft };

/** One wave's hosts stopped at once; the quorum's voters watched for one stranded (cluster/stranded.ts). */
async function stopWave(
  wave: readonly number[],
  d: DaemonSpec,
  hosts: readonly HostOps[],
  members: readonly Member[],
  facts: HostFacts[],
  voters: readonly boolean[] | undefined,
): Promise<void> {
  const running = new Set(wave.filter((i) => findJvm(facts[i]!, d)));
  const watch = watchStranded({
    wave,
    voters,
    running: (i) => running.has(i),
    kill: (i) => hosts[i]!.stopDaemon({ daemon: d, service: serviceOf(facts[i]!, d), force: true }),
  });
  try {
    await together(wave, async (i) => {
      facts[i] = await stop(hosts[i]!, facts[i]!, d, members[i]!.io, () => watch.killed(i));
      watch.ended(i, true);
    });
  } finally {
    await watch.settle();
  }
}

/**
 * On a cluster, in the mode's order: stop stops every broker, then every ZooKeeper (3.x), or every
 * node (4.x); start starts every ZooKeeper, then every broker (a broker needs a quorum), or every
 * KRaft node at once (each waits for a majority of controllers, which one by one would never come);
 * restart starts what is down, then rolls, so that a restart never takes the cluster down.
 */
async function controlCluster(action: ControlAction, members: readonly Member[]): Promise<void> {
  const mode = modeOf(members[0]!.options.dist);
  await withHosts(members, async (hosts) => {
    const facts: HostFacts[] = [];
    for (const [i, host] of hosts.entries()) facts.push(await probed(host, members[i]!));
    if (action === 'stop') {
      // In waves (cluster-kind.ts): KRaft nodes stop together, observers first, since a node's controlled
      // shutdown needs the quorum: one stopped after the controllers would wait out its stop timeout.
      const waves = clusterKind(mode).stopWaves(facts);
      const voters = clusterKind(mode).shutdownVoters(facts);
      for (const d of [...mode.daemons].reverse()) for (const wave of waves) await stopWave(wave, d, hosts, members, facts, voters);
      return;
    }
    if (action === 'start') {
      const all = hosts.map((_, i) => i);
      for (const d of mode.daemons) {
        if (clusterKind(mode).together) await startTogether(hosts, members, facts, all, d, mode);
        else for (const i of all) facts[i] = await start(hosts[i]!, facts[i]!, d, members[i]!.io, mode);
      }
      return;
    }
    await ROLL[mode.clusterQuorum](hosts, members, facts, mode);
  });
}

export async function controlCommand(action: ControlAction, flags: ControlFlags, io: CommandIO): Promise<number> {
  const began = Date.now();
  const done = (): number => {
    io.reporter.lines(['', `kafka-setup ${action}: done in ${((Date.now() - began) / 1000).toFixed(1)} s.`]);
    return 0;
  };
  const saved = await clusterMembers(flags, io.env);
  if (saved) {
    const cluster = saved.map((m) => memberLabel(m, saved));
    const members: Member[] = [];
    for (const [i, m] of saved.entries()) {
      const reporter = io.reporter.labelled(cluster[i]!);
      const options = await resolveHostCommandOptions(
        { ...flags, ...memberFlags(m) },
        { prompter: isInteractive(flags.interactive) ? io.prompter() : undefined, env: io.env, warn: (w) => reporter.warn(w) },
      );
      members.push({ label: cluster[i]!, io: { ...io, reporter }, options });
    }
    const kind = clusterKind(modeOf(members[0]!.options.dist));
    const how = action === 'restart' ? 'one host at a time, each waiting until the cluster is whole again' : kind.order[action];
    io.reporter.info(
      `kafka-setup ${action}: the cluster of profile "${flags.profile ?? 'default'}", ${cluster.length} hosts (${cluster.join(', ')}): ${how}`,
    );
    await controlCluster(action, members);
    return done();
  }
  const o = await resolveHostCommandOptions(flags, {
    prompter: isInteractive(flags.interactive) ? io.prompter() : undefined,
    env: io.env,
    warn: (m) => io.reporter.warn(m),
    recognise: recogniseMoved(io, { record: true, profile: flags.profile }),
  });
  io.reporter.info(`kafka-setup ${action}: ${o.connection.user}@${o.connection.host}:${o.connection.port}`);
  const member: Member = { label: o.connection.host, io, options: o };
  return withHost(o, io, async (host) => {
    let facts = await probed(host, member);
    const mode = modeOf(o.dist);
    if (action !== 'start') for (const d of [...mode.daemons].reverse()) facts = await stop(host, facts, d, io);
    if (action !== 'stop') for (const d of mode.daemons) facts = await start(host, facts, d, io, mode);
    return done();
  });
}
