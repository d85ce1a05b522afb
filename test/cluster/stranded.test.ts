/** The watch over a wave of KRaft voters stopping at once: one stranded in its controlled shutdown is killed, not waited for. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { STRANDED_GRACE_MS, watchStranded } from '../../src/cluster/stranded.js';

describe('watchStranded', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const watch = (o: { wave?: number[]; voters?: boolean[] | undefined; running?: number[] } = {}) => {
    const kills: number[] = [];
    const w = watchStranded({
      wave: o.wave ?? [0, 1, 2],
      voters: 'voters' in o ? o.voters : [true, true, true],
      running: (i) => (o.running ?? [0, 1, 2]).includes(i),
      kill: async (i) => {
        kills.push(i);
      },
    });
    return { w, kills };
  };

  it('once one running voter has stopped, the others still stopping after the grace are killed, and only they', async () => {
    const { w, kills } = watch();
    w.ended(0, true);
    vi.advanceTimersByTime(STRANDED_GRACE_MS - 1);
    w.ended(1, true);
    expect(kills).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(kills).toEqual([2]);
    await w.settle();
    expect([0, 1, 2].map((i) => w.killed(i))).toEqual([false, false, true]);
  });

  it('no clock: every voter stopped in time; the first to end was not running, or failed; a wave that is not the whole quorum; no quorum to need', async () => {
    type Watch = ReturnType<typeof watch>['w'];
    const cases: Array<{ run: (w: Watch) => void; o: Parameters<typeof watch>[0] }> = [
      {
        run: (w) => {
          for (const i of [0, 1, 2]) w.ended(i, true);
        },
        o: {},
      },
      { run: (w) => w.ended(0, true), o: { running: [1, 2] } },
      { run: (w) => w.ended(0, false), o: {} },
      { run: (w) => w.ended(0, true), o: { wave: [0, 1], voters: [true, true, true] } },
      { run: (w) => w.ended(0, true), o: { voters: undefined } },
      { run: (w) => w.ended(0, true), o: { wave: [0], voters: [true] } },
    ];
    for (const c of cases) {
      const { w, kills } = watch(c.o);
      c.run(w);
      vi.advanceTimersByTime(STRANDED_GRACE_MS * 2);
      await w.settle();
      expect(kills, JSON.stringify(c.o)).toEqual([]);
    }
  });

  it('settle clears the clock: nothing is killed once the wave has ended', async () => {
    const { w, kills } = watch();
    w.ended(0, true);
    await w.settle();
    vi.advanceTimersByTime(STRANDED_GRACE_MS * 2);
    expect(kills).toEqual([]);
  });
});
