/**
 * Whether a cluster is whole: every broker registered and no partition under-replicated (nor without
 * a leader), asked of one broker through its host's SSH connection. A rolling restart waits for it
 * before the next host, so that a restart never takes a partition below its replicas twice over.
 */
import { UserError } from '../errors.js';
import type { HostOps } from '../host/operations.js';
import type { Serving } from '../host/serving.js';

/** How long a restarted broker may take to catch up before the next host is touched. */
export const WHOLE_WAIT_MS = 5 * 60_000;

export interface Whole {
  ok: boolean;
  /** What was seen last, in a few words. */
  detail: string;
  waitedMs: number;
}

function judge(s: Serving, size: number): { ok: boolean; detail: string } {
  if (s.state === 'unknown' || s.state === 'unreachable') return { ok: false, detail: `its metadata could not be read: ${s.reason}` };
  const partitions = s.partitions ?? 0;
  const under = s.underReplicated ?? 0;
  const ok = s.brokers.length >= size && under === 0;
  return { ok, detail: `${s.brokers.length} of ${size} brokers registered, ${under} of ${partitions} partitions under-replicated` };
}

/** Asks until the cluster is whole or `waitMs` has passed (0: ask once). */
export async function untilWhole(host: Pick<HostOps, 'serving'>, size: number, waitMs: number, progress?: (text: string) => void): Promise<Whole> {
  const started = Date.now();
  for (;;) {
    const seen = judge(await host.serving(undefined, 0), size);
    const waitedMs = Date.now() - started;
    if (seen.ok || waitedMs >= waitMs) return { ...seen, waitedMs };
    progress?.(seen.detail);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export function notWhole(label: string, w: Whole, what: string): UserError {
  return new UserError(`the cluster is not whole (${w.detail}, asked through ${label}): ${what}`, {
    hint: 'kafka-setup status shows every host, kafka-setup logs broker --host HOST its log; run the same command again once every broker is back and caught up',
  });
}

/** How long a restarted ZooKeeper may take to rejoin its ensemble: initLimit (10 ticks of 2 s), three times over. */
export const QUORUM_WAIT_MS = 60_000;

/**
 * Asks until this host's ZooKeeper is in its ensemble's quorum again (leader or follower), so that a
 * rolling restart never has two ZooKeepers out at once. A host that cannot be asked (no port
 * forwarding) is not waited for: the brokers' wait (untilWhole) still stands.
 */
export async function untilInQuorum(host: Pick<HostOps, 'zookeeperMode'>, waitMs: number): Promise<{ ok: boolean; detail: string; waitedMs: number }> {
  const started = Date.now();
  for (;;) {
    const z = await host.zookeeperMode();
    const waitedMs = Date.now() - started;
    if (z.mode === 'leader' || z.mode === 'follower') return { ok: true, detail: z.mode, waitedMs };
    if (z.mode === undefined && /cannot forward|does not allow|no local port/.test(z.reason)) return { ok: true, detail: `not asked: ${z.reason}`, waitedMs };
    const detail = z.mode === undefined ? z.reason : `mode ${z.mode}`;
    if (waitedMs >= waitMs) return { ok: false, detail, waitedMs };
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function notInQuorum(label: string, q: { detail: string }, what: string): UserError {
  return new UserError(`ZooKeeper on ${label} did not rejoin its ensemble within ${QUORUM_WAIT_MS / 1000} s (${q.detail}): ${what}`, {
    hint: `kafka-setup logs zookeeper --host ${label} shows why (a member unreachable on 2888/3888?); run the same command again once it is back`,
  });
}

/** Another member's ZooKeeper out of its quorum, found before stopping one: stopping now could lose the quorum. */
export function outOfQuorum(label: string, q: { detail: string; waitedMs: number }, what: string): UserError {
  return new UserError(`ZooKeeper on ${label} is not in its ensemble's quorum (${q.detail}${q.waitedMs >= 1000 ? `, after ${Math.round(q.waitedMs / 1000)} s` : ''}): ${what}`, {
    hint: `start it first (kafka-setup start, or kafka-setup logs zookeeper --host ${label} to see why it is out), then run the same command again`,
  });
}
