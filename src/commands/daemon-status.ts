/**
 * What `status` says of each daemon, from the probe's facts alone (one remote command): running or
 * not, pid, uptime, heap, ports, enabled at boot, data usage; and the lines that show it.
 */
import type { HostFacts } from '../host/facts.js';
import { findJvm, serviceOf } from '../host/install-jvms.js';
import type { QuorumState, Service } from '../host/operations.js';
import type { Serving } from '../host/serving.js';
import { ourUnitFile } from '../host/unit-owner.js';
import type { DaemonSpec } from '../kafka/daemons.js';
import { formatHeap, xmxOf } from '../kafka/heap.js';
import { type KafkaMode, modeOf } from '../kafka/mode.js';
import { nodeIdOf, voterStates } from '../kafka/quorum.js';
import { mib, storeDirs } from '../steps/data-plan.js';

export interface DaemonStatus {
  kind: DaemonSpec['kind'];
  name: string;
  running: boolean;
  pid: number | null;
  uptimeS: number | null;
  heap: string | null;
  /** Its ports that are listened on. */
  listening: number[];
  service: Service;
  unit: { name: string; enabled: boolean; active: string | null } | null;
  data: Array<{ path: string; kib: number | null }>;
  /** The mode's broker only: whether it is in its own metadata, when that could be asked. */
  serving?: string;
}

/** A KRaft cluster node's place in the controller quorum, as the leader describes it (status on a cluster profile). */
export type QuorumStatus =
  | {
      role: 'leader' | 'follower' | 'observer' | 'absent';
      nodeId: number | null;
      leaderId: number;
      lag: number | null;
      fetchedAgoMs: number | null;
      caughtUp: boolean | null;
    }
  | { role: null; reason: string };

export interface HostStatus {
  host: string;
  installDir: string;
  kafkaVersion: string | null;
  daemons: DaemonStatus[];
  /** Only on a KRaft cluster (additive in --json). */
  quorum?: QuorumStatus;
}

/** Where node `nodeId` stands in the quorum the leader described. */
export function quorumStatus(q: QuorumState, nodeId: number | undefined): QuorumStatus {
  if (!q.answered) return { role: null, reason: q.reason };
  const row = nodeId === undefined ? undefined : q.replicas?.find((r) => r.id === nodeId);
  const state = row && row.status !== 'observer' && nodeId !== undefined ? voterStates(q.replicas!, [nodeId])[0] : undefined;
  return {
    role: row?.status ?? 'absent',
    nodeId: nodeId ?? null,
    leaderId: q.leaderId,
    lag: row?.lag ?? null,
    fetchedAgoMs: state && state.state !== 'missing' ? (state.fetchAgoMs ?? null) : null,
    caughtUp: state ? state.state === 'caught-up' : null,
  };
}

function quorumLine(q: QuorumStatus): string {
  if (q.role === null) return `  quorum  not described: ${q.reason}`;
  const who =
    q.role === 'absent'
      ? `node ${q.nodeId ?? '(no node.id)'} NOT in the quorum's answer`
      : `${q.role}${q.nodeId === null ? '' : ` (node ${q.nodeId})`}`;
  const lag =
    q.role === 'leader' || q.lag === null
      ? ''
      : `   lag ${q.lag}${q.fetchedAgoMs === null ? '' : `, fetched ${(q.fetchedAgoMs / 1000).toFixed(1)} s ago`}${q.caughtUp === false ? ' (NOT caught up)' : ''}`;
  return `  quorum  ${who}   leader ${q.leaderId}${lag}`;
}

/** The data of the mode's stores this daemon writes (KRaft has no ZooKeeper dataDir to show). */
function dataOf(facts: HostFacts, d: DaemonSpec, mode: KafkaMode): DaemonStatus['data'] {
  if (facts.files['server.properties'].content === undefined) return [];
  return mode.dataStores
    .filter((s) => s.kind === d.kind)
    .flatMap((s) => storeDirs(s, facts))
    .map((path) => {
      const fact = facts.dataDirs.get(path);
      return { path, kib: fact && (fact.state === 'data' || fact.state === 'empty') ? fact.kib : null };
    });
}

function servingText(s: Serving): string {
  switch (s.state) {
    case 'listed':
      return 'in its own metadata';
    case 'absent':
      return 'NOT in its own metadata: clients cannot produce or consume (kafka-setup verify says why)';
    case 'unreachable':
      return `not answering on its internal listener (${s.reason})`;
    default:
      return `metadata not checked (${s.reason})`;
  }
}

export function hostStatus(
  facts: HostFacts,
  o: { host: string; kafkaVersion: string },
  serving: Serving | undefined,
  quorum?: QuorumState,
): HostStatus {
  const now = Math.floor(Date.now() / 1000);
  // The host's clock, where the probe read it: uptime must not depend on this machine's clock.
  const hostNow = facts.hostNow ?? now;
  const mode = modeOf(o);
  return {
    host: o.host,
    installDir: facts.install.path,
    kafkaVersion: facts.install.state === 'kafka' ? o.kafkaVersion : null,
    daemons: mode.daemons.map((d): DaemonStatus => {
      const jvm = findJvm(facts, d);
      const unit = facts.services.units[d.kind];
      const service = serviceOf(facts, d);
      const xmx = jvm ? xmxOf(jvm.args) : undefined;
      return {
        kind: d.kind,
        name: d.label,
        running: jvm !== undefined,
        pid: jvm?.pid ?? null,
        uptimeS: jvm ? Math.max(0, Math.round(hostNow - jvm.started)) : null,
        heap: xmx === undefined ? null : formatHeap(xmx),
        listening: [d.port, ...d.otherPorts].filter((p) => jvm !== undefined && facts.listening.has(p)),
        service,
        unit: !ourUnitFile(unit) ? null : { name: unit.name, enabled: unit.enabled === 'enabled', active: unit.active ?? null },
        data: dataOf(facts, d, mode),
        ...(d === mode.broker && jvm && serving ? { serving: servingText(serving) } : {}),
      };
    }),
    ...(quorum ? { quorum: quorumStatus(quorum, nodeIdOf(facts.files['server.properties'].content)) } : {}),
  };
}

export function uptime(s: number): string {
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

function boot(d: DaemonStatus): string {
  if (!d.unit) return d.service === 'none' ? 'not started at boot (-daemon)' : 'no unit';
  return `${d.unit.name}, ${d.unit.enabled ? 'enabled at boot' : 'NOT enabled at boot'}`;
}

export function statusLines(s: HostStatus): string[] {
  const width = Math.max(...s.daemons.map((d) => d.name.length));
  const lines = s.daemons.map((d) => {
    const name = d.name.padEnd(width);
    const data = d.data.map((x) => `${x.path}${x.kib === null ? ' (absent)' : ` ${mib(x.kib)}`}`).join(', ');
    if (!d.running)
      return `  ${name}  not running   ${boot(d)}${d.unit?.active === 'failed' ? ' (the unit failed: kafka-setup logs shows why)' : ''}${data ? `   data ${data}` : ''}`;
    return [
      `  ${name}  running`,
      `pid ${d.pid}`,
      `up ${uptime(d.uptimeS ?? 0)}`,
      `heap ${d.heap ? `-Xmx${d.heap}` : 'default'}`,
      `listening ${d.listening.length ? d.listening.join(', ') : 'on nothing yet'}`,
      boot(d),
      ...(data ? [`data ${data}`] : []),
      ...(d.serving ? [d.serving] : []),
    ].join('   ');
  });
  return [
    `Kafka ${s.kafkaVersion ?? '(not installed)'} in ${s.installDir} on ${s.host}`,
    ...lines,
    ...(s.quorum ? [quorumLine(s.quorum)] : []),
  ];
}
