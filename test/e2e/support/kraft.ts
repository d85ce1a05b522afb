/** Messages through kcat from this machine, and (KRaft) a re-run that changed nothing: what several e2e files check on their hosts. */
import { execa } from 'execa';
import { expect } from 'vitest';

export const literally = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function produce(bootstrap: string, topic: string, text: string): Promise<void> {
  await execa('kcat', ['-b', bootstrap, '-P', '-t', topic, '-m', '60'], { input: `${text}\n`, timeout: 120_000 });
}

/** A topic's messages; right after a (re)start the broker may not know its partitions for a few seconds: retried. */
export async function consume(bootstrap: string, topic: string): Promise<string[]> {
  const started = Date.now();
  for (;;) {
    const r = await execa('kcat', ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-m', '30'], {
      timeout: 60_000,
      reject: false,
    });
    if (r.exitCode === 0 && r.stdout.trim()) return r.stdout.trim().split('\n');
    if (Date.now() - started > 90_000) throw new Error(`kcat could not read ${topic} from ${bootstrap} for 90 s: ${r.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** A re-run that changed nothing: the only steps done are the connection, the probe and jps. */
export function changedNothing(stdout: string): void {
  expect(stdout).toContain('nothing needed to change');
  expect(stdout.match(/^\[done\] .*/gm)).toEqual([
    expect.stringMatching(/^\[done\] Connect to /),
    expect.stringMatching(/^\[done\] Inspect the host /),
    expect.stringMatching(/^\[done\] Check with jps /),
  ]);
  expect(stdout).toMatch(/\[skip\] Format the storage \(KRaft\) — .*kafka-logs: cluster [A-Za-z0-9_-]{22}, node 1/);
}
