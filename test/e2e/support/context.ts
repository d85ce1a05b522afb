/** What the e2e global setup hands to the test files, and the helpers to read it. */
import { describe, inject } from 'vitest';
import type { E2eHost } from './host.js';

export interface E2eContext {
  /** Set when the suite cannot run here (not root, not Linux): why. */
  skip?: string;
  host?: E2eHost;
  mirror?: {
    baseUrl: string;
    good: string;
    hostile: string;
    missing: string;
    corrupt: string;
    slow: string;
    portal: string;
    stall: string;
  };
  /** Holds kafka_2.12-3.1.0.tgz and its .sha512. */
  distDir?: string;
  /** Holds kafka_2.13-VERSION.tgz and its .sha512 for each of kafka4Versions. */
  dist4Dir?: string;
  /** The Kafka 4.x versions built and served on the good mirror, e.g. ['4.1.1', '4.4.0']. */
  kafka4Versions?: string[];
  /** The repository root. */
  root?: string;
}

/** The context of a suite that runs: every field is there. */
export type ReadyE2eContext = Required<Omit<E2eContext, 'skip'>>;

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2eContext;
  }
}

/** The context, inside tests of a describeE2e block (where the suite runs, so nothing is missing). */
export function e2e(): ReadyE2eContext {
  const ctx = inject('e2e');
  if (ctx.skip) throw new Error(`the e2e suite is skipped here (${ctx.skip}): use describeE2e`);
  const { host, mirror, distDir, dist4Dir, kafka4Versions, root } = ctx;
  if (!host || !mirror || !distDir || !dist4Dir || !kafka4Versions || !root)
    throw new Error('the e2e context is incomplete: did test/e2e/global-setup.ts run?');
  return { host, mirror, distDir, dist4Dir, kafka4Versions, root };
}

/**
 * The mirror, inside tests of a describeE2e block, in either project: the e2e project's setup and the
 * parallel project's (parallel-global-setup.ts: no loopback host there) both provide it.
 */
export function e2eMirror(): NonNullable<E2eContext['mirror']> {
  const { skip, mirror } = inject('e2e');
  if (skip) throw new Error(`the e2e suite is skipped here (${skip}): use describeE2e`);
  if (!mirror) throw new Error('the e2e context has no mirror: did a global setup run?');
  return mirror;
}

/** `describe`, skipped where the global setup found that the suite cannot run (it says so, loudly). */
export function describeE2e(name: string, fn: () => void): void {
  describe.skipIf(Boolean(inject('e2e').skip))(name, fn);
}

/** "METHOD path" of every request the mirror has had since the last reset, oldest first. */
export async function mirrorRequests(): Promise<string[]> {
  const res = await fetch(`${e2e().mirror.baseUrl}/__requests`);
  if (!res.ok) throw new Error(`mirror request log: HTTP ${res.status}`);
  return (await res.json()) as string[];
}

export async function resetMirrorRequests(): Promise<void> {
  const res = await fetch(`${e2e().mirror.baseUrl}/__reset`);
  if (!res.ok) throw new Error(`mirror request log reset: HTTP ${res.status}`);
}
