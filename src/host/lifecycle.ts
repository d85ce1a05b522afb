/**
 * Starting and stopping a daemon of the install, shared by init's start steps and the day-two
 * commands: start (or wait for one starting), then for the mode's broker wait until it is in its own
 * metadata — a broker can listen and log "started" while its controller cannot reach it — and
 * explain what failed with what to do. The heap rule is here too: each JVM's heap from the broker's,
 * as the mode sizes it.
 */
import { UserError } from '../errors.js';
import { ELECTION_PORT } from '../kafka/cluster.js';
import type { DaemonSpec } from '../kafka/daemons.js';
import { INTERNAL_PORT } from '../kafka/distribution.js';
import { defaultHeapMib, heapOpts, xmxOf } from '../kafka/heap.js';
import { heapOptsInBlock } from '../kafka/heap-block.js';
import { INTERNAL_ADDRESS } from '../kafka/listeners.js';
import type { KafkaMode } from '../kafka/mode.js';
import { RemoteFailure } from '../remote/session.js';
import { type HostFacts, withUpdate } from './facts.js';
import { asConfigured, brokerId, findJvm } from './install-jvms.js';
import type { HostOps, Service, StartResult } from './operations.js';
import type { Serving } from './serving.js';

/** How long a started broker may take to appear in its own metadata (the controller tells it). */
export const SERVING_WAIT_MS = 30_000;

/** KAFKA_HEAP_OPTS of one of the mode's JVMs, given the broker's heap. */
export function daemonHeapOpts(mode: KafkaMode, d: DaemonSpec, brokerMib: number): string {
  return heapOpts(mode.heapMib(d, brokerMib));
}

/** The broker heap an install runs with: the ~/.bashrc block's (what init chose), else sized from memory. */
export function installedBrokerHeapMib(facts: Pick<HostFacts, 'files' | 'memKib'>, mode: KafkaMode): number {
  const block = heapOptsInBlock(facts.files.bashrc.content ?? '');
  return (block && xmxOf(block)) || defaultHeapMib(facts.memKib, mode);
}

/**
 * A failed start, explained: whose port, or the end of the JVM's log. `logDir` is the install's logs/,
 * `again` the command to run once fixed.
 */
export function explainStart(d: DaemonSpec, f: RemoteFailure, logDir: string, again: string): UserError | undefined {
  if (f.kind === 'port_busy') {
    const owner = f.fields.get('owner');
    // The port the script found taken: the daemon's own, or another it needs (the internal listener).
    const port = Number(f.fields.get('port')) || d.port;
    const what =
      port === INTERNAL_PORT
        ? " (the broker's internal listener, on the host's loopback)"
        : port === ELECTION_PORT
          ? " (ZooKeeper's election port, where the ensemble's members meet)"
          : '';
    return new UserError(
      `port ${port}${what} is already in use by ${owner ? `pid ${owner}` : 'another program (not visible to this user)'}`,
      {
        hint: `stop that program (or find it with: sudo ss -ltnp 'sport = :${port}'), then run ${again} again`,
      },
    );
  }
  if (f.kind === 'jvm_died' || f.kind === 'start_timeout') {
    const log = f.fields.get('log') ?? logDir;
    return new UserError(f.message, {
      details: f.details.filter((l) => l !== log).length > 0 ? [`last lines of ${log}:`, ...f.details.filter((l) => l !== log)] : [],
      hint: `read ${log} on the host; a heap too big for the host's memory (--heap) and a port in use are the usual causes. Run ${again} again once fixed`,
    });
  }
  if (f.kind === 'service_failed') {
    return new UserError(f.message, {
      hint: `read systemctl status ${d.unit} and journalctl -u ${d.unit} on the host, then run ${again} again`,
    });
  }
  return undefined;
}

/** A broker that runs but does not serve, and where to look. */
export function notServing(d: DaemonSpec, pid: number | undefined, serving: Serving, logDir: string, again: string): UserError {
  if (serving.state === 'unreachable') {
    return new UserError(
      `${d.name} (pid ${pid ?? '?'}) listens on ${d.port} but does not answer on its internal listener ${INTERNAL_ADDRESS}: ${serving.reason}`,
      {
        hint: `read ${logDir}/server.log on the host; port ${INTERNAL_PORT} on the host's loopback must be free for the broker and not blocked by a local firewall. Run ${again} again once fixed`,
      },
    );
  }
  const lists = serving.state === 'absent' && serving.brokers.length > 0 ? `brokers ${serving.brokers.join(', ')}` : 'no brokers';
  return new UserError(
    `${d.name} (pid ${pid ?? '?'}) runs but is not in its own metadata after ${SERVING_WAIT_MS / 1000} s (it lists ${lists}): clients could not produce or consume`,
    {
      hint: `its controller must reach it at ${INTERNAL_ADDRESS} (inter.broker.listener.name); read ${logDir}/controller.log and ${logDir}/server.log on the host. Run ${again} again once fixed`,
    },
  );
}

export interface StartAndServe {
  daemon: DaemonSpec;
  mode: KafkaMode;
  service: Service;
  heapOpts: string;
  /** A stale JVM of ours to stop first. */
  stopPid?: number | undefined;
  /** Ours, already running (perhaps still starting up): waited for, not started again. */
  runningPid?: number | undefined;
  /** What the start waits for now, while it runs. */
  onProgress?: ((text: string) => void) | undefined;
  /** It runs and listens already: nothing is sent to start it, only whether it serves is asked. */
  listening?: boolean | undefined;
  /** What the user runs once the cause is fixed: `kafka-setup init`, `kafka-setup start`. */
  again: string;
}

export interface Started {
  facts: HostFacts;
  pid: number | undefined;
  /** The mode's broker: whether it is in its own metadata (`listed`, or `unknown` when that cannot be asked). */
  serving?: Serving | undefined;
  staleNode?: StartResult['staleNode'];
}

/** Starts a daemon (or waits for it), and for the mode's broker waits until it serves; failures explained. */
export async function startAndServe(host: HostOps, facts: HostFacts, r: StartAndServe): Promise<Started> {
  const d = r.daemon;
  const logDir = `${facts.install.path}/logs`;
  let started: StartResult | undefined;
  try {
    if (!r.listening)
      started = await host.startDaemon({
        daemon: asConfigured(d, facts),
        service: r.service,
        heapOpts: r.heapOpts,
        stopPid: r.stopPid,
        runningPid: r.runningPid,
        onProgress: r.onProgress,
      });
  } catch (err) {
    throw (err instanceof RemoteFailure && explainStart(d, err, logDir, r.again)) || err;
  }
  const now = started ? withUpdate(facts, started.update) : facts;
  const pid = findJvm(now, d)?.pid;
  if (d !== r.mode.broker) return { facts: now, pid, staleNode: started?.staleNode };
  const serving = await host.serving(brokerId(now.files['server.properties'].content), SERVING_WAIT_MS);
  if (serving.state === 'absent' || serving.state === 'unreachable') throw notServing(d, pid, serving, logDir, r.again);
  return { facts: now, pid, serving, staleNode: started?.staleNode };
}
