/**
 * The voters of a quorum their own controlled shutdown needs (KRaft's controllers), stopped at once by
 * stop or uninstall, ask for it together and are answered together, within seconds; a node that
 * missed that moment (slow to act on SIGTERM, or its answer lost with a voter that left) waits for a
 * quorum that can no longer form, until Kafka's or systemd's own timeout (a minute or two). So once
 * one voter has stopped, the others have STRANDED_GRACE_MS to follow; then they are killed, as Kafka's
 * own system tests do: a killed JVM loses nothing the kernel already holds, and its next start checks
 * its logs.
 */

/** How long the voters still stopping are given once one has stopped, before they are killed. */
export const STRANDED_GRACE_MS = 15_000;

/** What a stranded node's line says of it. */
export const STRANDED_TEXT = `killed ${STRANDED_GRACE_MS / 1000} s after another voter had stopped (its controlled shutdown needs a quorum that was going)`;

export interface StrandedWatch {
  /** Host i's stop ended: `stopped` when its JVM is gone (a failed one starts no clock, and is never killed). */
  ended(i: number, stopped: boolean): void;
  /** Whether host i was killed. */
  killed(i: number): boolean;
  /** Once the wave has ended: the timer cleared, the kills awaited. */
  settle(): Promise<void>;
}

/**
 * A watch over one wave of hosts stopping at once. It acts only when the wave is the whole quorum
 * (`voters`: which hosts vote; undefined where no controlled shutdown needs its peers), and only a
 * voter that was `running` starts the clock when it stops (one already down says nothing of the others).
 */
export function watchStranded(o: {
  wave: readonly number[];
  voters: readonly boolean[] | undefined;
  running: (i: number) => boolean;
  kill: (i: number) => Promise<unknown>;
}): StrandedWatch {
  const quorum = o.voters?.filter(Boolean).length ?? 0;
  const watched = quorum > 1 && o.wave.length === quorum && o.wave.every((i) => o.voters?.[i]);
  const pending = new Set(o.wave);
  const killed = new Set<number>();
  const kills: Promise<unknown>[] = [];
  let timer: NodeJS.Timeout | undefined;
  const killPending = (): void => {
    for (const i of pending) {
      killed.add(i);
      kills.push(o.kill(i).catch(() => {}));
    }
  };
  return {
    ended(i, stopped) {
      pending.delete(i);
      if (watched && stopped && o.running(i) && pending.size > 0 && !timer) timer = setTimeout(killPending, STRANDED_GRACE_MS);
    },
    killed: (i) => killed.has(i),
    async settle() {
      clearTimeout(timer);
      await Promise.allSettled(kills);
    },
  };
}
