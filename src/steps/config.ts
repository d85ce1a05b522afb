/**
 * Step: server.properties (listeners, advertised.listeners, log.dirs) and zookeeper.properties (dataDir),
 * edited in place: every other line and comment stays, and the originals are backed up once.
 */
import { posix } from 'node:path';
import { type HostFacts, withUpdate } from '../host/facts.js';
import { EXTERNAL_LISTENER } from '../kafka/distribution.js';
import { getProperty } from '../kafka/properties.js';
import { configEdits, configSettings } from './edits.js';
import { advertisedListener, dataDir, modeFor } from './targets.js';
import type { Step, StepContext } from './types.js';

/** In a cluster: which member this host is. */
function member(ctx: StepContext): string {
  return ctx.cluster ? `; ${modeFor(ctx).memberText(ctx.cluster)}` : '';
}

function describe(settings: Array<[string, string]>): string {
  return settings.map(([k, v]) => `${k}=${v}`).join(', ');
}

/** The client listener server.properties advertises now, when it is not the one wanted (e.g. the server's old address). */
function staleAdvertised(ctx: StepContext): string | undefined {
  const now = getProperty(ctx.facts.files['server.properties'].content ?? '', 'advertised.listeners');
  const external = now
    ?.split(',')
    .map((l) => l.trim())
    .find((l) => l.startsWith(`${EXTERNAL_LISTENER}://`));
  return external !== undefined && external !== advertisedListener(ctx) ? external : undefined;
}

function wouldRun(ctx: StepContext): string[] {
  // ZooKeeper and the broker create their data directories themselves at start-up.
  return configSettings(ctx).map(([file, settings]) => `edit config/${file}: ${describe(settings)} (backup: ${file}.kafka-setup.bak)`);
}

export const configStep: Step = {
  id: 'config',
  // Named by the mode (plan.ts).
  title: 'Configure Kafka',
  check(ctx) {
    if (ctx.facts.files['server.properties'].content === undefined) {
      return { done: false, reason: 'set advertised.listeners and data directories (once Kafka is extracted)', wouldRun: wouldRun(ctx) };
    }
    const pending = configEdits(ctx);
    if (pending.length === 0) return { done: true, detail: `${advertisedListener(ctx)}, data in ${dataDir(ctx)}${member(ctx)}` };
    const stale = staleAdvertised(ctx);
    const why = stale ? `: advertised.listeners names ${stale}, not ${advertisedListener(ctx)}` : '';
    return {
      done: false,
      reason: `update ${pending.map((c) => posix.basename(c.fact.path)).join(' and ')}${why}`,
      wouldRun: wouldRun(ctx),
    };
  },
  planned(ctx) {
    const edits = configEdits(ctx);
    const files = Object.fromEntries(
      Object.entries(ctx.facts.files).map(([name, fact]) => {
        const edit = edits.find((e) => e.fact === fact);
        // Written after any JVM now running started: its restart is due (daemons.ts).
        return [name, edit ? { ...fact, content: edit.content, mtime: Number.MAX_SAFE_INTEGER } : fact];
      }),
    ) as HostFacts['files'];
    return { ...ctx.facts, files };
  },
  async apply(ctx) {
    const stale = staleAdvertised(ctx);
    ctx.facts = withUpdate(ctx.facts, await ctx.host.writeFiles(configEdits(ctx)));
    // Said outright: after an EC2 stop/start this is the line that makes the broker reachable again.
    return `${stale ? `advertised.listeners ${stale} → ${advertisedListener(ctx)}` : advertisedListener(ctx)}, data in ${dataDir(ctx)}${member(ctx)}`;
  },
};
