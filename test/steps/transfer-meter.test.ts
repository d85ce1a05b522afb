import { describe, expect, it } from 'vitest';
import { transferMeter } from '../../src/steps/transfer-meter.js';

const MiB = 1024 * 1024;

describe('the download meter', () => {
  it('bytes of the total, then the rate over the last seconds and the time left at that rate', () => {
    let t = 0;
    const meter = transferMeter(() => t);
    expect(meter({ bytes: 0, total: 86 * MiB })).toBe('0.0 MiB of 86.0 MiB (0%)');
    t = 1000;
    expect(meter({ bytes: 2 * MiB, total: 86 * MiB })).toBe('2.0 MiB of 86.0 MiB (2%), 2.0 MiB/s, 42 s left');
    t = 2000;
    expect(meter({ bytes: 4 * MiB, total: 86 * MiB })).toBe('4.0 MiB of 86.0 MiB (4%), 2.0 MiB/s, 41 s left');
  });

  it('a mirror that slows down shows it within the window (5 s), and minutes once the wait is long', () => {
    let t = 0;
    const meter = transferMeter(() => t);
    let bytes = 0;
    for (; t <= 10_000; t += 1000, bytes += MiB) meter({ bytes, total: 86 * MiB });
    for (; t <= 20_000; t += 1000, bytes += 100 * 1024) meter({ bytes, total: 86 * MiB });
    expect(meter({ bytes, total: 86 * MiB })).toBe('12.0 MiB of 86.0 MiB (13%), 100 KiB/s, 13 min left');
  });

  it('without a total (the server did not say): bytes so far and the rate', () => {
    let t = 0;
    const meter = transferMeter(() => t);
    expect(meter({ bytes: 512, total: 0 })).toBe('512 B so far');
    t = 1000;
    expect(meter({ bytes: 300 * 1024, total: 0 })).toBe('300 KiB so far, 300 KiB/s');
  });

  it('figures the host got wrong (more bytes than the total, bytes going back) give no rate and no percentage', () => {
    let t = 0;
    const meter = transferMeter(() => t);
    meter({ bytes: 5 * MiB, total: 10 * MiB });
    t = 1000;
    expect(meter({ bytes: 20 * MiB, total: 10 * MiB })).toBe('20.0 MiB so far, 15.0 MiB/s');
    t = 2000;
    expect(meter({ bytes: 1 * MiB, total: 10 * MiB })).toBe('1.0 MiB of 10.0 MiB (10%)');
  });
});
