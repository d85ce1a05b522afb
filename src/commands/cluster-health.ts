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
