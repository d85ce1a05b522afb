/**
 * The download's progress text: bytes so far of the total, the rate over the last few seconds (a
 * mirror that slows down shows it), and the time left at that rate. Fed by download.sh's samples,
 * about one a second; the clock is this machine's, so no host clock is trusted.
 */
import type { TransferProgress } from '../host/operations.js';

/** The rate is measured over this much of the latest samples. */
const WINDOW_MS = 5_000;

export function transferMeter(now: () => number = Date.now): (p: TransferProgress) => string {
  const samples: { at: number; bytes: number }[] = [];
  return (p) => {
    const at = now();
    samples.push({ at, bytes: p.bytes });
    // Keep one sample older than the window as the base, so the rate spans the whole window.
    while (samples.length > 2 && at - samples[1]!.at >= WINDOW_MS) samples.shift();
    const base = samples[0]!;
    const rate = at > base.at && p.bytes >= base.bytes ? ((p.bytes - base.bytes) * 1000) / (at - base.at) : undefined;
    const parts = [
      p.total > 0 && p.bytes <= p.total
        ? `${size(p.bytes, p.total)} of ${size(p.total, p.total)} (${Math.floor((p.bytes * 100) / p.total)}%)`
        : `${size(p.bytes, p.bytes)} so far`,
    ];
    if (rate !== undefined) {
      parts.push(`${size(rate, rate)}/s`);
      if (p.total > p.bytes && rate > 0) parts.push(`${duration((p.total - p.bytes) / rate)} left`);
    }
    return parts.join(', ');
  };
}

/** In the unit that suits `scale` (the larger figure of a pair, so "0.5 of 86.4 MiB" shares one unit). */
function size(bytes: number, scale: number): string {
  if (scale >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (scale >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${Math.round(bytes)} B`;
}

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}
