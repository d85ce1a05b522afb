/**
 * Steps: the mode's JVMs in order (ZooKeeper, then the broker; or Kafka 4's one node), started as their systemd units (see units.ts) or with Kafka's
 * own `-daemon` scripts and the heap passed explicitly (non-interactive SSH shells do not read
 * ~/.bashrc). A running JVM of ours is restarted only when it is stale: its config file changed after
 * it started, its heap is not the chosen one, or (for the broker on 3.x) ZooKeeper was restarted after it.
 * Under systemd, a JVM started by hand (by an earlier version, or by the seed's commands) is stopped
 * once and handed to its unit: the data stays where the config says.
 */
import { type JvmFact, withUpdate } from '../host/facts.js';
import { brokerId, findJvm } from '../host/install-jvms.js';
import { startAndServe } from '../host/lifecycle.js';
import { ourUnitFile } from '../host/unit-owner.js';
import type { DaemonSpec } from '../kafka/daemons.js';
import { bootstrapAddress } from '../kafka/distribution.js';
import { formatHeap, heapOpts, xmxOf } from '../kafka/heap.js';
import { daemonHeapMib, modeFor, serviceMode } from './targets.js';
import type { Check, Step, StepContext } from './types.js';

function staleness(ctx: StepContext, d: DaemonSpec, jvm: JvmFact): string | undefined {
  const mtime = ctx.facts.files[d.config].mtime;
  if (mtime !== undefined && mtime > jvm.started) return `${d.config} changed after it started`;
  const xmx = xmxOf(jvm.args);
  const want = daemonHeapMib(ctx, d);
  if (xmx !== want) return `it runs with ${xmx === undefined ? 'the default heap' : `-Xmx${formatHeap(xmx)}`}, not -Xmx${formatHeap(want)}`;
  const wanted = modeFor(ctx).wants(d);
  const first = wanted && findJvm(ctx.facts, wanted);
  if (wanted && first && first.started > jvm.started) return `${wanted.name} was restarted after it`;
  return undefined;
}

/** A JVM of ours that systemd does not run, while it should: started by hand, to be handed over. */
function byHand(ctx: StepContext, d: DaemonSpec, jvm: JvmFact): boolean {
  return serviceMode(ctx) === 'systemd' && ctx.facts.services.units[d.kind].pid !== jvm.pid;
}

function wouldRun(ctx: StepContext, d: DaemonSpec): string[] {
  const jvm = findJvm(ctx.facts, d);
  const systemd = serviceMode(ctx) === 'systemd';
  const unit = ctx.facts.services.units[d.kind];
  const underUnit = jvm !== undefined && unit.pid === jvm.pid && ourUnitFile(unit);
  return [
    ...(jvm
      ? [
          underUnit
            ? `sudo systemctl stop ${d.unit}   (the running ${d.name})`
            : `kill ${jvm.pid}   (the running ${d.name}, then wait for it to exit)`,
        ]
      : []),
    systemd
      ? `sudo systemctl start ${d.unit}`
      : `KAFKA_HEAP_OPTS="${heapOpts(daemonHeapMib(ctx, d))}" ${ctx.options.installDir}/bin/${d.script} -daemon ${ctx.options.installDir}/config/${d.config}`,
    `wait until it listens on ${d.port}${d.ready ? ` and logs "${d.ready}"` : ''}`,
  ];
}

function daemonCheck(ctx: StepContext, d: DaemonSpec): Check {
  const jvm = findJvm(ctx.facts, d);
  const pending = (reason: string): Check => ({ done: false, reason, wouldRun: wouldRun(ctx, d) });
  if (!jvm) return pending(`start ${d.name}${serviceMode(ctx) === 'systemd' ? ` (${d.unit})` : ''}`);
  if (byHand(ctx, d, jvm))
    return pending(`hand ${d.name} (pid ${jvm.pid}, not started by systemd) to ${d.unit}: stop it once, start the unit`);
  const stale = staleness(ctx, d, jvm);
  if (stale) return pending(`restart ${d.name}: ${stale}`);
  if (!ctx.facts.listening.has(d.port)) return pending(`wait for ${d.name} (pid ${jvm.pid}) to listen on ${d.port}`);
  const serving = ctx.facts.serving;
  if (d === modeFor(ctx).broker && serving?.pid === jvm.pid && (serving.state === 'absent' || serving.state === 'unreachable')) {
    return pending(`wait for ${d.name} (pid ${jvm.pid}) to appear in its own metadata`);
  }
  const how = serviceMode(ctx) === 'systemd' ? `as ${d.unit}, ` : '';
  return { done: true, detail: `running (${how}pid ${jvm.pid}, -Xmx${formatHeap(daemonHeapMib(ctx, d))}), listening on ${d.port}` };
}

async function start(ctx: StepContext, d: DaemonSpec): Promise<string> {
  const jvm = findJvm(ctx.facts, d);
  const handOver = jvm !== undefined && byHand(ctx, d, jvm);
  const stale = jvm ? (handOver ? `handed to ${d.unit}` : staleness(ctx, d, jvm)) : undefined;
  const mode = modeFor(ctx);
  const started = await startAndServe(ctx.host, ctx.facts, {
    daemon: d,
    mode,
    service: serviceMode(ctx),
    heapOpts: heapOpts(daemonHeapMib(ctx, d)),
    stopPid: jvm && stale ? jvm.pid : undefined,
    runningPid: jvm && !stale ? jvm.pid : undefined,
    onProgress: ctx.progress,
    again: 'kafka-setup init',
  });
  ctx.facts = started.facts;
  const notes: string[] = [];
  if (started.staleNode) {
    notes.push(
      `waited ${started.staleNode.waitedS ?? '?'} s for ZooKeeper to drop ${started.staleNode.node}, left registered by a broker that stopped without shutting down`,
    );
  }
  let where = ` on ${d.port}`;
  if (started.serving) {
    const id = brokerId(ctx.facts.files['server.properties'].content);
    ctx.facts.serving = { ...started.serving, pid: started.pid };
    where = ` at ${bootstrapAddress(ctx.options.advertisedHost)}`;
    if (started.serving.state === 'listed')
      // A single KRaft node is the controller; in a KRaft cluster the answer names any broker.
      where += `, in its own metadata${(modeFor(ctx).metadataNamesController || !ctx.cluster) && started.serving.controllerId === id ? ' as the controller' : ''}`;
    else if (started.serving.state === 'unknown') notes.push(`its metadata was not checked: ${started.serving.reason}`);
  }
  const as = serviceMode(ctx) === 'systemd' ? ` as ${d.unit}` : '';
  const what = handOver
    ? `handed to ${d.unit} (stopped once, started again by systemd)`
    : stale
      ? `restarted${as} (${stale})`
      : `started${as}`;
  return `${what}: pid ${started.pid ?? '?'}, serving${where}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

export function daemonStep(d: DaemonSpec): Step {
  return { id: d.kind, title: `Start ${d.name}`, check: (ctx) => daemonCheck(ctx, d), apply: (ctx) => start(ctx, d) };
}

/**
 * The seed's last check, `jps`: every JVM of the mode must be there (QuorumPeerMain and Kafka on 3.x,
 * Kafka alone on 4.x). jps itself (it starts a JVM, slow on a small instance) runs when something was
 * started in this run, or when the process table is not enough; a re-run that changed nothing relies
 * on the probe's process table.
 */
export const jpsStep: Step = {
  id: 'jps',
  title: 'Check with jps',
  check(ctx) {
    const daemons = modeFor(ctx).daemons;
    const jvms = daemons.map((d) => findJvm(ctx.facts, d));
    const missing = daemons.filter((_, i) => !jvms[i]).map((d) => d.jpsName);
    if (missing.length > 0) return { done: false, reason: `jps -lvm (${missing.join(' and ')} not running)`, wouldRun: ['jps -lvm'] };
    const jps = ctx.facts.jps;
    const how = !jps
      ? `in the process table (jps ran when ${jvms.length > 1 ? 'they' : 'it'} started)`
      : jvms.every((j) => jps.has(j!.pid))
        ? 'listed by jps -lvm'
        : `in the process table, but jps does not list ${jvms.length > 1 ? 'them' : 'it'} (is /tmp/hsperfdata_<user> writable?)`;
    const named = daemons.map((d, i) => `${d.jpsName} (pid ${jvms[i]!.pid})`).join(' and ');
    return { done: true, confirms: true, detail: `${named} ${jvms.length > 1 ? 'are' : 'is'} running, ${how}` };
  },
  async apply(ctx) {
    ctx.facts = withUpdate(ctx.facts, await ctx.host.jps());
    const daemons = modeFor(ctx).daemons;
    return `${daemons.map((d) => d.jpsName).join(' and ')} ${daemons.length > 1 ? 'are' : 'is'} running`;
  },
};
