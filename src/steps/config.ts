/**
 * Step: server.properties (listeners, advertised.listeners, log.dirs) and zookeeper.properties (dataDir),
 * edited in place: every other line and comment stays, and the originals are backed up once.
 */
import { posix } from 'node:path';
import { setProperties } from '../kafka/properties.js';
import { applyWrites, type FileChange } from './files.js';
import { advertisedListener, dataDir, listenerSettings } from './targets.js';
import type { Step, StepContext } from './types.js';

export function serverSettings(ctx: StepContext): Array<[string, string]> {
  return [
    ...listenerSettings(ctx),
    ['log.dirs', posix.join(dataDir(ctx), 'kafka-logs')],
  ];
}

export function zookeeperSettings(ctx: StepContext): Array<[string, string]> {
  return [['dataDir', posix.join(dataDir(ctx), 'zookeeper')]];
}

/** The files that differ from what they should be, with their new content. */
function changes(ctx: StepContext): FileChange[] {
  const out: FileChange[] = [];
  const pairs = [
    ['server.properties', serverSettings(ctx)],
    ['zookeeper.properties', zookeeperSettings(ctx)],
  ] as const;
  for (const [name, settings] of pairs) {
    const fact = ctx.facts.files[name];
    if (fact.content === undefined) continue;
    const content = setProperties(fact.content, settings);
    if (content !== fact.content) out.push({ fact, content });
  }
  return out;
}

function describe(settings: Array<[string, string]>): string {
  return settings.map(([k, v]) => `${k}=${v}`).join(', ');
}

export const configStep: Step = {
  id: 'config',
  title: 'Configure the broker and ZooKeeper',
  check(ctx) {
    const { files } = ctx.facts;
    if (files['server.properties'].content === undefined) return { done: false, reason: 'set advertised.listeners and data directories (once Kafka is extracted)' };
    const pending = changes(ctx);
    if (pending.length === 0) return { done: true, detail: `${advertisedListener(ctx)}, data in ${dataDir(ctx)}` };
    return { done: false, reason: `update ${pending.map((c) => posix.basename(c.fact.path)).join(' and ')}` };
  },
  plan(ctx) {
    // ZooKeeper and the broker create their data directories themselves at start-up.
    return [
      `edit config/server.properties: ${describe(serverSettings(ctx))} (backup: server.properties.kafka-setup.bak)`,
      `edit config/zookeeper.properties: ${describe(zookeeperSettings(ctx))} (backup: zookeeper.properties.kafka-setup.bak)`,
    ];
  },
  writes: changes,
  applied: (ctx) => `${advertisedListener(ctx)}, data in ${dataDir(ctx)}`,
  apply: (ctx) => applyWrites([configStep], ctx),
};
