import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../../src/kafka/client.js';

const require = createRequire(import.meta.url);
const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: { scheduleCheckPendingRequests(this: unknown): void } };

afterEach(() => {
  vi.restoreAllMocks();
});

describe("kafkajs's throttle check (tulios/kafkajs#1751)", () => {
  it('is never scheduled with a negative delay, which Node 24 reports as TimeoutNegativeWarning on stderr', () => {
    const delays: number[] = [];
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((_fn: () => void, ms?: number) => {
      delays.push(ms ?? 0);
      return 0 as unknown as NodeJS.Timeout;
    }) as typeof setTimeout);
    // Not throttled (throttledUntil in the past), nothing pending: kafkajs computes a negative delay.
    RequestQueue.prototype.scheduleCheckPendingRequests.call({
      throttledUntil: -1,
      throttleCheckTimeoutId: null,
      pending: [],
      checkPendingRequests() {},
    });
    // Throttled for a while: that delay is kept; pending while not throttled: kafkajs's 10 ms.
    RequestQueue.prototype.scheduleCheckPendingRequests.call({
      throttledUntil: Date.now() + 5000,
      throttleCheckTimeoutId: null,
      pending: [],
      checkPendingRequests() {},
    });
    RequestQueue.prototype.scheduleCheckPendingRequests.call({
      throttledUntil: -1,
      throttleCheckTimeoutId: null,
      pending: [{}],
      checkPendingRequests() {},
    });
    expect(delays[0]).toBe(0);
    expect(delays[1]).toBeGreaterThan(4000);
    expect(delays[2]).toBe(10);
  });
});
