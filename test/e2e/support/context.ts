/** What the global setup hands to the e2e test files. */
import { describe, inject } from 'vitest';
import type { E2eHost } from './host.js';

export interface E2eContext {
  skip?: string;
  host?: E2eHost;
  mirror?: { baseUrl: string; good: string; missing: string; corrupt: string };
  distDir?: string;
  /** The repository root. */
  root?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2eContext;
  }
}

export function e2e(): Required<Omit<E2eContext, 'skip'>> {
  const ctx = inject('e2e');
  if (!ctx.host || !ctx.mirror || !ctx.distDir || !ctx.root) throw new Error('the e2e context is missing: did the global setup run?');
  return ctx as Required<Omit<E2eContext, 'skip'>>;
}

/** `describe`, skipped (loudly, by the global setup) where the suite cannot run. */
export const describeE2e = (name: string, fn: () => void): void => {
  describe.skipIf(Boolean(inject('e2e').skip))(name, fn);
};

export async function mirrorRequests(): Promise<string[]> {
  const res = await fetch(`${e2e().mirror.baseUrl}/__requests`);
  return (await res.json()) as string[];
}

export async function resetMirrorRequests(): Promise<void> {
  await fetch(`${e2e().mirror.baseUrl}/__reset`);
}
