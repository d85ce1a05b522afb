/**
 * Where the existing data of the mode's stores (Kafka's; ZooKeeper's on 3.x) has to move, decided from
 * the facts: the directories the config files name now, and where kafka-setup keeps the data (beside
 * the install).
 */
import { posix } from 'node:path';
import { UserError } from '../errors.js';
import { cleanPath as clean, type HostFacts } from '../host/facts.js';
import type { DataStore } from '../kafka/mode.js';
import { getProperty } from '../kafka/properties.js';
import { dataDir, modeFor } from './targets.js';
import type { StepContext } from './types.js';

export interface DataMove {
  what: 'Kafka' | 'ZooKeeper';
  from: string;
  to: string;
  kib: number;
  /** Same file system: a rename; else a copy, then the old copy is removed. */
  sameDevice: boolean;
}

interface DataPlan {
  moves: DataMove[];
  problem?: UserError;
}

/** The data directories the config files name now (Kafka's shipped defaults when unset). */
export function currentDirs(facts: Pick<HostFacts, 'files'>): { kafka: string[]; zookeeper: string } {
  const server = facts.files['server.properties'].content ?? '';
  const logDirs = getProperty(server, 'log.dirs') ?? getProperty(server, 'log.dir') ?? '/tmp/kafka-logs';
  const zookeeper = getProperty(facts.files['zookeeper.properties'].content ?? '', 'dataDir') ?? '/tmp/zookeeper';
  return {
    kafka: logDirs
      .split(',')
      .map(clean)
      .filter((d) => d !== '' && d !== '.'),
    zookeeper: clean(zookeeper),
  };
}

/** The directories a store's config file names now (its shipped default when unset), as the probe keys them. */
export function storeDirs(store: DataStore, facts: Pick<HostFacts, 'files'>): string[] {
  const files = {
    'server.properties': facts.files['server.properties'].content,
    'zookeeper.properties': facts.files['zookeeper.properties'].content,
  };
  return store
    .current(files)
    .map(clean)
    .filter((d) => d !== '' && d !== '.');
}

/**
 * A log directory the mode's broker cannot use (the other mode's storage): kafka-setup's own place,
 * known before extraction, and where the config points now.
 */
function unusableStorage(ctx: StepContext): UserError | undefined {
  const { facts } = ctx;
  const mode = modeFor(ctx);
  for (const store of mode.dataStores) {
    const now = facts.files['server.properties'].content === undefined ? [] : storeDirs(store, facts);
    for (const d of [posix.join(dataDir(ctx), store.dir), ...now]) {
      const f = facts.dataDirs.get(d)?.format;
      const p = f && mode.unusableStorage(f, d, ctx.dist.kafkaVersion);
      if (p) return new UserError(p.problem, { hint: p.hint });
    }
  }
  return undefined;
}

export function dataPlan(ctx: StepContext): DataPlan {
  const { facts } = ctx;
  const unusable = unusableStorage(ctx);
  if (unusable) return { moves: [], problem: unusable };
  if (facts.files['server.properties'].content === undefined) return { moves: [] };
  const moves: DataMove[] = [];
  for (const store of modeFor(ctx).dataStores) {
    const { what, setting } = store;
    const froms = storeDirs(store, facts);
    const to = posix.join(dataDir(ctx), store.dir);
    const others = froms.filter((d) => d !== to);
    const unknown = others.filter((d) => !facts.dataDirs.has(d));
    if (unknown.length > 0) {
      return {
        moves,
        problem: new UserError(
          `cannot tell whether ${what}'s data directory ${unknown.join(', ')} holds data (a relative or unusual path in its config file)`,
          {
            hint: `set it to an absolute path in ${setting} on the host, or move its data to ${to} by hand, then run kafka-setup init again`,
          },
        ),
      };
    }
    const unreadable = [...others, to].map((d) => facts.dataDirs.get(d)).find((d) => d?.state === 'unreadable');
    if (unreadable) {
      return {
        moves,
        problem: new UserError(
          `${what}'s data directory ${unreadable.path} cannot be read by ${facts.user || 'this user'}, so kafka-setup cannot tell whether it holds data to keep`,
          {
            hint: `if it does (a Kafka once started with sudo?), give it to this user (sudo chown -R ${facts.user || '$USER'}: ${unreadable.path}); if not, remove it; then run kafka-setup init again`,
          },
        ),
      };
    }
    const withData = others.map((d) => facts.dataDirs.get(d)!).filter((d) => d.state === 'data');
    if (withData.length === 0) continue;
    if (withData.length > 1) {
      return {
        moves,
        problem: new UserError(
          `log.dirs names ${withData.length} directories that hold data (${withData.map((d) => d.path).join(', ')}); kafka-setup keeps Kafka's data in one, ${to}, and will not merge them`,
          {
            hint: "keep them: merge them by hand into one directory with the broker stopped, or point log.dirs at your own layout and stop using kafka-setup for this host's configuration",
          },
        ),
      };
    }
    const target = facts.dataDirs.get(to);
    if (target?.state === 'data') {
      return {
        moves,
        problem: new UserError(
          `both ${withData[0]!.path} (where the config points now) and ${to} (where kafka-setup keeps it) hold ${what} data; kafka-setup will not choose one`,
          {
            hint: `keep the one you want: move the other away (e.g. mv ${to} ${to}.old with both JVMs stopped), then run kafka-setup init again`,
          },
        ),
      };
    }
    if (target?.state === 'other') {
      return {
        moves,
        problem: new UserError(`${to} exists and is not a directory, so ${what}'s data cannot move there`, {
          hint: `move it away, then run kafka-setup init again`,
        }),
      };
    }
    const from = withData[0]!;
    moves.push({ what, from: from.path, to, kib: from.kib, sameDevice: target !== undefined && target.device === from.device });
  }
  const copied = moves.filter((m) => !m.sameDevice).reduce((sum, m) => sum + m.kib, 0);
  if (copied > 0 && copied + 65536 > facts.install.parentFreeKib) {
    return {
      moves,
      problem: new UserError(
        `the existing data (${mib(copied)}) does not fit in the ${mib(facts.install.parentFreeKib)} free beside the install directory, where it has to move`,
        {
          hint: 'free some disk space (or grow the volume), then run kafka-setup init again',
        },
      ),
    };
  }
  return { moves };
}

export function mib(kib: number): string {
  return kib >= 1024 * 1024 ? `${(kib / 1024 / 1024).toFixed(1)} GiB` : `${Math.max(1, Math.round(kib / 1024))} MiB`;
}
