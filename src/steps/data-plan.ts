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

/** Another user's data directory, and whose it is. */
export interface LeftDir {
  path: string;
  owner: string;
}

interface DataPlan {
  moves: DataMove[];
  /** Another user's directories the probe saw where the config pointed: another Kafka's data, left where it is. */
  left: LeftDir[];
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

/**
 * Another user's directories the probe saw where the config pointed (or Kafka's defaults): another
 * Kafka's data. Read from the probe's view, so named on the run that stops pointing there (the config
 * edits may travel with an earlier step's round trip); a directory inside one of them is not named again.
 */
function leftAlone(facts: Pick<HostFacts, 'dataDirs'>): LeftDir[] {
  const foreign = [...facts.dataDirs.values()].filter((d) => d.state === 'foreign');
  return foreign
    .filter((d) => !foreign.some((f) => d.path.startsWith(`${f.path}/`)))
    .map((d) => ({ path: d.path, owner: d.owner?.name ?? 'another user' }));
}

export function dataPlan(ctx: StepContext): DataPlan {
  const { facts } = ctx;
  const unusable = unusableStorage(ctx);
  const left = leftAlone(facts);
  if (unusable) return { moves: [], left, problem: unusable };
  if (facts.files['server.properties'].content === undefined) return { moves: [], left };
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
        left,
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
        left,
        problem: new UserError(
          `${what}'s data directory ${unreadable.path} cannot be read by ${facts.user || 'this user'}, so kafka-setup cannot tell whether it holds data to keep`,
          {
            hint: `if it does (a Kafka once started with sudo?), give it to this user (sudo chown -R ${facts.user || '$USER'}: ${unreadable.path}); if not, remove it; then run kafka-setup init again`,
          },
        ),
      };
    }
    const target = facts.dataDirs.get(to);
    const user = facts.user || 'this user';
    if (target?.state === 'foreign') {
      return {
        moves,
        left,
        problem: new UserError(
          `${to}, where kafka-setup keeps ${what}'s data, belongs to ${target.owner?.name ?? 'another user'}, not to ${user}`,
          {
            hint: `if it holds this Kafka's data, give it to ${user} (sudo chown -R ${user}: ${to}); if not, move it away; then run kafka-setup init again`,
          },
        ),
      };
    }
    const withData = others.map((d) => facts.dataDirs.get(d)!).filter((d) => d.state === 'data');
    // Root's (a Kafka once started with sudo): a rename out of /tmp (sticky) needs the owner, so say
    // so before anything is stopped, not half way.
    const rootOwned = withData.find((d) => d.owner?.uid === 0);
    if (rootOwned && user !== 'root') {
      return {
        moves,
        left,
        problem: new UserError(
          `${what}'s data directory ${rootOwned.path} holds data and belongs to root (a Kafka once started with sudo?), so ${user} cannot move it to ${to}`,
          {
            hint: `if it is this Kafka's data, give it to ${user} (sudo chown -R ${user}: ${rootOwned.path}); if it is another Kafka's, leave it and point ${setting} at ${to} on the host; then run kafka-setup init again`,
          },
        ),
      };
    }
    if (withData.length === 0) continue;
    if (withData.length > 1) {
      return {
        moves,
        left,
        problem: new UserError(
          `log.dirs names ${withData.length} directories that hold data (${withData.map((d) => d.path).join(', ')}); kafka-setup keeps Kafka's data in one, ${to}, and will not merge them`,
          {
            hint: "keep them: merge them by hand into one directory with the broker stopped, or point log.dirs at your own layout and stop using kafka-setup for this host's configuration",
          },
        ),
      };
    }
    if (target?.state === 'data') {
      return {
        moves,
        left,
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
        left,
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
      left,
      problem: new UserError(
        `the existing data (${mib(copied)}) does not fit in the ${mib(facts.install.parentFreeKib)} free beside the install directory, where it has to move`,
        {
          hint: 'free some disk space (or grow the volume), then run kafka-setup init again',
        },
      ),
    };
  }
  return { moves, left };
}

export function mib(kib: number): string {
  return kib >= 1024 * 1024 ? `${(kib / 1024 / 1024).toFixed(1)} GiB` : `${Math.max(1, Math.round(kib / 1024))} MiB`;
}
