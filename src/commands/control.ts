/**
 * `kafka-setup stop | start | restart`: in order (the broker stops before ZooKeeper and starts after
 * it), each waiting until its state is reached — its port closed, or serving as `init` checks it —
 * and saying how long that took (the reporter times each step). Through the units where kafka-setup installed them, else with the
 * -daemon scripts and the heap of the ~/.bashrc block. One SSH connection.
 */
import { UserError } from '../errors.js';
import { withUpdate, type HostFacts } from '../host/facts.js';
import { brokerId, findJvm, serviceOf } from '../host/install-jvms.js';
import type { HostOps } from '../host/operations.js';
import { BROKER, ZOOKEEPER, type DaemonSpec } from '../kafka/daemons.js';
import { distName } from '../kafka/distribution.js';
import { heapOptsInBlock } from '../kafka/heap-block.js';
import { defaultHeapMib, heapOpts, xmxOf, zookeeperHeapFor } from '../kafka/heap.js';
import type { ControlAction, ControlFlags } from '../options/control-options.js';
import { resolveHostCommandOptions } from '../options/host-command-options.js';
import { isInteractive } from '../options/resolve.js';
import { RemoteFailure } from '../remote/session.js';
import { explainStart } from '../steps/daemons.js';
import type { CommandIO } from './io.js';
import { lockedProbe } from './locked.js';
import { recogniseMoved } from './recognise.js';
import { withHost } from './with-host.js';

/** How long a started broker may take to appear in its own metadata, as in init. */
const SERVING_WAIT_MS = 30_000;

/** The heap a -daemon start passes: the ~/.bashrc block's (what init chose), else sized from memory. */
function daemonHeapOpts(facts: HostFacts, d: DaemonSpec): string {
  const block = heapOptsInBlock(facts.files.bashrc.content ?? '');
  const brokerMib = (block && xmxOf(block)) || defaultHeapMib(facts.memKib);
  return d.kind === 'broker' ? (block ?? heapOpts(brokerMib)) : heapOpts(zookeeperHeapFor(brokerMib));
}

const title = (verb: string, d: DaemonSpec): string => `${verb} ${d.kind === 'broker' ? 'the broker' : 'ZooKeeper'}`;

async function stop(host: HostOps, facts: HostFacts, d: DaemonSpec, io: CommandIO): Promise<HostFacts> {
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
    active.finish('done', `stopped${service === 'systemd' ? ` ${d.unit}` : ''}${jvm ? ` (pid ${jvm.pid})` : ''}; port ${d.port} closed`);
    return withUpdate(facts, r.update);
  } catch (err) {
    active.finish('failed', '');
    throw err;
  }
}

async function start(host: HostOps, facts: HostFacts, d: DaemonSpec, io: CommandIO): Promise<HostFacts> {
  const active = io.reporter.step(title('Start', d));
  const jvm = findJvm(facts, d);
  const service = serviceOf(facts, d);
  const running = jvm !== undefined && facts.listening.has(d.port);
  try {
    let now = facts;
    let how = 'already running';
    if (!running) {
      // A JVM still starting up is waited for, not started twice.
      const r = await host.startDaemon({ daemon: d, service, heapOpts: daemonHeapOpts(facts, d), stopPid: undefined, runningPid: jvm?.pid });
      now = withUpdate(facts, r.update);
      how = jvm ? 'was starting; ready' : `started${service === 'systemd' ? ` ${d.unit}` : ' with -daemon'}`;
    }
    const pid = findJvm(now, d)?.pid;
    let where = `listening on ${d.port}`;
    if (d.kind === 'broker') {
      const serving = await host.serving(brokerId(now.files['server.properties'].content), SERVING_WAIT_MS);
      if (serving.state === 'absent' || serving.state === 'unreachable') {
        throw new UserError(`the broker (pid ${pid ?? '?'}) runs but is not in its own metadata after ${SERVING_WAIT_MS / 1000} s: clients could not produce or consume`, {
          hint: 'kafka-setup verify names the cause; kafka-setup logs broker shows its log',
        });
      }
      where = serving.state === 'unknown' ? `listening on ${d.port} (metadata not checked: ${serving.reason})` : `serving on ${d.port}, in its own metadata`;
    }
    active.finish(running ? 'skipped' : 'done', `${how}: pid ${pid ?? '?'}, ${where}`);
    return now;
  } catch (err) {
    active.finish('failed', '');
    throw (err instanceof RemoteFailure && explainStart(d, err, `${facts.install.path}/logs`, 'kafka-setup start')) || err;
  }
}

export async function controlCommand(action: ControlAction, flags: ControlFlags, io: CommandIO): Promise<number> {
  const o = await resolveHostCommandOptions(flags, {
    prompter: isInteractive(flags.interactive) ? io.prompter() : undefined, env: io.env, warn: (m) => io.reporter.warn(m),
    recognise: recogniseMoved(io, { record: true, profile: flags.profile }),
  });
  io.reporter.info(`kafka-setup ${action}: ${o.connection.user}@${o.connection.host}:${o.connection.port}`);
  const began = Date.now();
  return withHost(o, io, async (host) => {
    // Like init, a run that changes the host holds its lock: two runs never start or stop at once.
    let facts = await lockedProbe(host, { urls: [], lock: true }, (m) => io.reporter.warn(m));
    if (facts.install.state !== 'kafka') {
      throw new UserError(`there is no ${distName(o.dist)} install at ${facts.install.path} on ${o.connection.host}`, {
        hint: 'run kafka-setup init first, or pass --install-dir (or --profile) for the install you mean',
      });
    }
    if (action !== 'start') for (const d of [BROKER, ZOOKEEPER]) facts = await stop(host, facts, d, io);
    if (action !== 'stop') for (const d of [ZOOKEEPER, BROKER]) facts = await start(host, facts, d, io);
    io.reporter.lines(['', `kafka-setup ${action}: done in ${((Date.now() - began) / 1000).toFixed(1)} s.`]);
    return 0;
  });
}
