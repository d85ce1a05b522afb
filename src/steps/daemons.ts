/**
 * Steps: ZooKeeper, then the broker, started with Kafka's own `-daemon` scripts and the heap passed
 * explicitly (non-interactive SSH shells do not read ~/.bashrc). A running JVM of ours is restarted
 * only when it is stale: its config file changed after it started, its heap is not the chosen one,
 * or (for the broker) ZooKeeper was restarted after it.
 */
import { UserError } from '../errors.js';
import { BROKER_PORT, INTERNAL_PORT, ZOOKEEPER_PORT } from '../kafka/distribution.js';
import { formatHeap, heapOpts, xmxOf } from '../kafka/heap.js';
import { getProperty } from '../kafka/properties.js';
import { keyValues, remoteScript } from '../remote/script.js';
import type { RemoteFailure } from '../remote/session.js';
import { mergeFacts, type HostFacts, type JvmFact } from './facts.js';
import { waitServing } from './serving.js';
import { baseVars, bootstrapAddress, brokerHeapMib, INTERNAL_ADDRESS, installPath, zookeeperHeapMib } from './targets.js';
import type { Check, Step, StepContext } from './types.js';

export const ZOOKEEPER_MAIN = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';
export const BROKER_MAIN = 'kafka.Kafka';

interface Daemon {
  kind: 'zookeeper' | 'broker';
  name: string;
  main: string;
  config: 'zookeeper.properties' | 'server.properties';
  port: number;
  /** Further ports it listens on, which nobody else may hold. */
  otherPorts: number[];
  script: string;
  heapMib(ctx: StepContext): number;
  timeoutS: number;
}

const ZOOKEEPER: Daemon = {
  kind: 'zookeeper', name: 'ZooKeeper', main: ZOOKEEPER_MAIN, config: 'zookeeper.properties', port: ZOOKEEPER_PORT, otherPorts: [],
  script: 'zookeeper-server-start.sh', heapMib: zookeeperHeapMib, timeoutS: 60,
};
const BROKER: Daemon = {
  kind: 'broker', name: 'the broker', main: BROKER_MAIN, config: 'server.properties', port: BROKER_PORT, otherPorts: [INTERNAL_PORT],
  script: 'kafka-server-start.sh', heapMib: brokerHeapMib, timeoutS: 120,
};

/**
 * Our JVM: this main class, started with this install's config file — given absolute (as we start
 * it) or relative to the JVM's working directory (as the seed notes do, from the install directory).
 */
export function findJvm(ctx: { facts: HostFacts }, main: string, config: string): JvmFact | undefined {
  const install = ctx.facts.install.path;
  const path = `${install}/config/${config}`;
  return ctx.facts.jvms.find((j) => {
    if (j.mainClass !== main) return false;
    const args = ` ${j.args} `;
    if (args.includes(` ${path} `)) return true;
    return j.cwd === install && (args.includes(` config/${config} `) || args.includes(` ./config/${config} `));
  });
}

/** This install's broker and ZooKeeper JVMs, when running. */
export const brokerJvm = (ctx: { facts: HostFacts }): JvmFact | undefined => findJvm(ctx, BROKER_MAIN, 'server.properties');
export const zookeeperJvm = (ctx: { facts: HostFacts }): JvmFact | undefined => findJvm(ctx, ZOOKEEPER_MAIN, 'zookeeper.properties');

function staleness(ctx: StepContext, d: Daemon, jvm: JvmFact): string | undefined {
  const mtime = ctx.facts.files[d.config].mtime;
  if (mtime !== undefined && mtime > jvm.started) return `${d.config} changed after it started`;
  const xmx = xmxOf(jvm.args);
  const want = d.heapMib(ctx);
  if (xmx !== want) return `it runs with ${xmx === undefined ? 'the default heap' : `-Xmx${formatHeap(xmx)}`}, not -Xmx${formatHeap(want)}`;
  if (d.kind === 'broker') {
    const zk = zookeeperJvm(ctx);
    if (zk && zk.started > jvm.started) return 'ZooKeeper was restarted after it';
  }
  return undefined;
}

function daemonCheck(ctx: StepContext, d: Daemon): Check {
  const jvm = findJvm(ctx, d.main, d.config);
  if (!jvm) return { done: false, reason: `start ${d.name}` };
  const stale = staleness(ctx, d, jvm);
  if (stale) return { done: false, reason: `restart ${d.name}: ${stale}` };
  if (!ctx.facts.listening.has(d.port)) return { done: false, reason: `wait for ${d.name} (pid ${jvm.pid}) to listen on ${d.port}` };
  const serving = ctx.facts.serving;
  if (d.kind === 'broker' && serving?.pid === jvm.pid && (serving.state === 'absent' || serving.state === 'unreachable')) {
    return { done: false, reason: `wait for the broker (pid ${jvm.pid}) to appear in its own metadata` };
  }
  return { done: true, detail: `running (pid ${jvm.pid}, -Xmx${formatHeap(d.heapMib(ctx))}), listening on ${d.port}` };
}

/** broker.id of server.properties; undefined when the broker picks its own (-1, or unset). */
export function brokerId(ctx: { facts: HostFacts }): number | undefined {
  const id = Number(getProperty(ctx.facts.files['server.properties'].content ?? '', 'broker.id')?.trim() ?? '0');
  return Number.isInteger(id) && id >= 0 ? id : undefined;
}

/** How long a started broker may take to appear in its own metadata (the controller tells it). */
const SERVING_WAIT_MS = 30_000;

function notServing(ctx: StepContext, pid: number | undefined, serving: NonNullable<HostFacts['serving']>): UserError {
  const log = `${installPath(ctx)}/logs`;
  if (serving.state === 'unreachable') {
    return new UserError(`Start the broker: the broker (pid ${pid ?? '?'}) listens on ${BROKER_PORT} but does not answer on its internal listener ${INTERNAL_ADDRESS}: ${serving.reason}`, {
      hint: `read ${log}/server.log on the host; port ${INTERNAL_PORT} on the host's loopback must be free for the broker and not blocked by a local firewall. Run kafka-setup init again once fixed`,
    });
  }
  return new UserError(`Start the broker: the broker (pid ${pid ?? '?'}) runs but is not in its own metadata after ${SERVING_WAIT_MS / 1000} s (it lists ${serving.state === 'absent' && serving.brokers.length > 0 ? `brokers ${serving.brokers.join(', ')}` : 'no brokers'}): clients could not produce or consume`, {
    hint: `its controller must reach it at ${INTERNAL_ADDRESS} (inter.broker.listener.name); read ${log}/controller.log and ${log}/server.log on the host. Run kafka-setup init again once fixed`,
  });
}

function explainDaemon(d: Daemon, f: RemoteFailure, ctx: StepContext): UserError | undefined {
  const title = d.kind === 'zookeeper' ? 'Start ZooKeeper' : 'Start the broker';
  if (f.kind === 'port_busy') {
    const owner = f.fields.get('owner');
    // The port the script found taken: the daemon's own, or another it needs (the internal listener).
    const port = Number(f.fields.get('port')) || d.port;
    const what = port === INTERNAL_PORT ? ' (the broker\'s internal listener, on the host\'s loopback)' : '';
    return new UserError(`${title}: port ${port}${what} is already in use by ${owner ? `pid ${owner}` : 'another program (not visible to this user)'}`, {
      hint: `stop that program (or find it with: sudo ss -ltnp 'sport = :${port}'), then run kafka-setup init again`,
    });
  }
  if (f.kind === 'jvm_died' || f.kind === 'start_timeout') {
    const log = f.fields.get('log') ?? `${installPath(ctx)}/logs`;
    return new UserError(`${title}: ${f.message}`, {
      details: f.details.filter((l) => l !== log).length > 0 ? [`last lines of ${log}:`, ...f.details.filter((l) => l !== log)] : [],
      hint: `read ${log} on the host; a heap too big for the host's memory (--heap) and a port in use are the usual causes. Run kafka-setup init again once fixed`,
    });
  }
  return undefined;
}

function daemonStep(d: Daemon): Step {
  return {
    id: d.kind,
    title: d.kind === 'zookeeper' ? 'Start ZooKeeper' : 'Start the broker',
    check: (ctx) => daemonCheck(ctx, d),
    plan(ctx) {
      const jvm = findJvm(ctx, d.main, d.config);
      return [
        ...(jvm ? [`kill ${jvm.pid}   (the running ${d.name}, then wait for it to exit)`] : []),
        `KAFKA_HEAP_OPTS="${heapOpts(d.heapMib(ctx))}" ${ctx.options.installDir}/bin/${d.script} -daemon ${ctx.options.installDir}/config/${d.config}`,
        `wait until it listens on ${d.port}${d.kind === 'broker' ? ' and logs "started (kafka.server.KafkaServer)"' : ''}`,
      ];
    },
    async apply(ctx) {
      const jvm = findJvm(ctx, d.main, d.config);
      const stale = jvm ? staleness(ctx, d, jvm) : undefined;
      const res = await ctx.session.run(
        remoteScript(`start-${d.kind}`, {
          ...baseVars(ctx),
          KS_KIND: d.kind,
          KS_HEAP_OPTS: heapOpts(d.heapMib(ctx)),
          KS_PORT: d.port,
          KS_OTHER_PORTS: d.otherPorts.join(' '),
          KS_STOP_PID: jvm && stale ? String(jvm.pid) : '',
          KS_RUNNING_PID: jvm && !stale ? String(jvm.pid) : '',
          KS_TIMEOUT: d.timeoutS,
        }, ['probe-lib', 'start-daemon']),
        { timeoutMs: (d.timeoutS + 90) * 1000 },
      );
      ctx.facts = mergeFacts(ctx.facts, res.sections);
      const now = findJvm(ctx, d.main, d.config);
      const started = keyValues(res.sections.get('started'));
      const notes: string[] = [];
      const staleNode = started.get('stale_node');
      if (staleNode) notes.push(`waited ${started.get('stale_waited') ?? '?'} s for ZooKeeper to drop ${staleNode}, left registered by a broker that stopped without shutting down`);
      let where = ` on ${d.port}`;
      if (d.kind === 'broker') {
        where = ` at ${bootstrapAddress(ctx.options.advertisedHost)}`;
        const serving = await waitServing(ctx.session, brokerId(ctx), SERVING_WAIT_MS);
        ctx.facts.serving = { ...serving, pid: now?.pid };
        if (serving.state === 'absent' || serving.state === 'unreachable') throw notServing(ctx, now?.pid, ctx.facts.serving);
        if (serving.state === 'listed') where += `, in its own metadata${serving.controllerId === brokerId(ctx) ? ' as the controller' : ''}`;
        else if (serving.state === 'unknown') notes.push(`its metadata was not checked: ${serving.reason}`);
      }
      return `${stale ? `restarted (${stale})` : 'started'}: pid ${now?.pid ?? '?'}, serving${where}${notes.length ? ` (${notes.join('; ')})` : ''}`;
    },
    explain: (f, ctx) => explainDaemon(d, f, ctx),
  };
}

export const zookeeperStep = daemonStep(ZOOKEEPER);
export const brokerStep = daemonStep(BROKER);

/**
 * The seed's last check, `jps`: both JVMs must be there. jps itself (it starts a JVM, slow on a small
 * instance) runs when something was started in this run, or when the process table is not enough;
 * a re-run that changed nothing relies on the probe's process table.
 */
export const jpsStep: Step = {
  id: 'jps',
  title: 'Check with jps',
  confirmOnly: true,
  check(ctx) {
    const zk = zookeeperJvm(ctx);
    const broker = brokerJvm(ctx);
    if (!zk || !broker) {
      return { done: false, reason: `jps -lvm (${[zk ? '' : 'QuorumPeerMain', broker ? '' : 'Kafka'].filter(Boolean).join(' and ')} not running)` };
    }
    const jps = ctx.facts.jps;
    const how = !jps
      ? 'in the process table (jps ran when they started)'
      : jps.has(zk.pid) && jps.has(broker.pid)
        ? 'listed by jps -lvm'
        : 'in the process table, but jps does not list them (is /tmp/hsperfdata_<user> writable?)';
    return { done: true, detail: `QuorumPeerMain (pid ${zk.pid}) and Kafka (pid ${broker.pid}) are running, ${how}` };
  },
  plan: () => ['jps -lvm'],
  async apply(ctx) {
    const res = await ctx.session.run(remoteScript('jps', baseVars(ctx), ['probe-lib', 'jps']));
    ctx.facts = mergeFacts(ctx.facts, res.sections);
    return 'QuorumPeerMain and Kafka are running';
  },
};
