/**
 * Steps: ZooKeeper, then the broker, started with Kafka's own `-daemon` scripts and the heap passed
 * explicitly (non-interactive SSH shells do not read ~/.bashrc). A running JVM of ours is restarted
 * only when it is stale: its config file changed after it started, its heap is not the chosen one,
 * or (for the broker) ZooKeeper was restarted after it.
 */
import { UserError } from '../errors.js';
import { BROKER_PORT, ZOOKEEPER_PORT } from '../kafka/distribution.js';
import { formatHeap, heapOpts, xmxOf } from '../kafka/heap.js';
import { remoteScript } from '../remote/script.js';
import type { RemoteFailure } from '../remote/session.js';
import { mergeFacts, type HostFacts, type JvmFact } from './facts.js';
import { baseVars, bootstrapAddress, brokerHeapMib, installPath, zookeeperHeapMib } from './targets.js';
import type { Check, Step, StepContext } from './types.js';

export const ZOOKEEPER_MAIN = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';
export const BROKER_MAIN = 'kafka.Kafka';

interface Daemon {
  kind: 'zookeeper' | 'broker';
  name: string;
  main: string;
  config: 'zookeeper.properties' | 'server.properties';
  port: number;
  script: string;
  heapMib(ctx: StepContext): number;
  timeoutS: number;
}

const ZOOKEEPER: Daemon = {
  kind: 'zookeeper', name: 'ZooKeeper', main: ZOOKEEPER_MAIN, config: 'zookeeper.properties', port: ZOOKEEPER_PORT,
  script: 'zookeeper-server-start.sh', heapMib: zookeeperHeapMib, timeoutS: 60,
};
const BROKER: Daemon = {
  kind: 'broker', name: 'the broker', main: BROKER_MAIN, config: 'server.properties', port: BROKER_PORT,
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

function staleness(ctx: StepContext, d: Daemon, jvm: JvmFact): string | undefined {
  const mtime = ctx.facts.files[d.config].mtime;
  if (mtime !== undefined && mtime > jvm.started) return `${d.config} changed after it started`;
  const xmx = xmxOf(jvm.args);
  const want = d.heapMib(ctx);
  if (xmx !== want) return `it runs with ${xmx === undefined ? 'the default heap' : `-Xmx${formatHeap(xmx)}`}, not -Xmx${formatHeap(want)}`;
  if (d.kind === 'broker') {
    const zk = findJvm(ctx, ZOOKEEPER_MAIN, 'zookeeper.properties');
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
  return { done: true, detail: `running (pid ${jvm.pid}, -Xmx${formatHeap(d.heapMib(ctx))}), listening on ${d.port}` };
}

function explainDaemon(d: Daemon, f: RemoteFailure, ctx: StepContext): UserError | undefined {
  const title = d.kind === 'zookeeper' ? 'Start ZooKeeper' : 'Start the broker';
  if (f.kind === 'port_busy') {
    const owner = f.fields.get('owner');
    return new UserError(`${title}: port ${d.port} is already in use by ${owner ? `pid ${owner}` : 'another program (not visible to this user)'}`, {
      hint: `stop that program (or find it with: sudo ss -ltnp 'sport = :${d.port}'), then run kafka-setup init again`,
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
          KS_STOP_PID: jvm && stale ? String(jvm.pid) : '',
          KS_RUNNING_PID: jvm && !stale ? String(jvm.pid) : '',
          KS_TIMEOUT: d.timeoutS,
        }, ['probe-lib', 'start-daemon']),
        { timeoutMs: (d.timeoutS + 90) * 1000 },
      );
      ctx.facts = mergeFacts(ctx.facts, res.sections);
      const now = findJvm(ctx, d.main, d.config);
      const where = d.kind === 'broker' ? ` at ${bootstrapAddress(ctx.options.advertisedHost)}` : ` on ${d.port}`;
      return `${stale ? `restarted (${stale})` : 'started'}: pid ${now?.pid ?? '?'}, serving${where}`;
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
    const zk = findJvm(ctx, ZOOKEEPER_MAIN, 'zookeeper.properties');
    const broker = findJvm(ctx, BROKER_MAIN, 'server.properties');
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
