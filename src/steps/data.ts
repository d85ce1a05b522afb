/**
 * Step: existing data moves to where kafka-setup keeps it. A reader who followed the procedure by
 * hand has topics in Kafka's default /tmp/kafka-logs and /tmp/zookeeper (wiped at boot on some
 * systems); a re-run with another install directory changes the place too. Pointing the config at
 * an empty place would lose them from the broker, so both move, together, while both JVMs are
 * stopped, and the config that points at the new place is written in the same round trip.
 */
import { posix } from 'node:path';
import { UserError } from '../errors.js';
import { getProperty } from '../kafka/properties.js';
import { remoteScript } from '../remote/script.js';
import { brokerJvm, zookeeperJvm } from './daemons.js';
import { cleanPath as clean, mergeFacts, type HostFacts } from './facts.js';
import { writeCalls, type FileChange } from './files.js';
import { baseVars, dataDir } from './targets.js';
import type { Step, StepContext } from './types.js';

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
function currentDirs(facts: HostFacts): { kafka: string[]; zookeeper: string } {
  const server = facts.files['server.properties'].content ?? '';
  const logDirs = getProperty(server, 'log.dirs') ?? getProperty(server, 'log.dir') ?? '/tmp/kafka-logs';
  const zookeeper = getProperty(facts.files['zookeeper.properties'].content ?? '', 'dataDir') ?? '/tmp/zookeeper';
  return { kafka: logDirs.split(',').map(clean).filter((d) => d !== '' && d !== '.'), zookeeper: clean(zookeeper) };
}

export function dataPlan(ctx: StepContext): DataPlan {
  const { facts } = ctx;
  if (facts.files['server.properties'].content === undefined) return { moves: [] };
  const current = currentDirs(facts);
  const moves: DataMove[] = [];
  for (const [what, froms, to] of [
    ['Kafka', current.kafka, posix.join(dataDir(ctx), 'kafka-logs')],
    ['ZooKeeper', [current.zookeeper], posix.join(dataDir(ctx), 'zookeeper')],
  ] as const) {
    const others = froms.filter((d) => d !== to);
    const unknown = others.filter((d) => !facts.dataDirs.has(d));
    if (unknown.length > 0) {
      return {
        moves,
        problem: new UserError(`cannot tell whether ${what}'s data directory ${unknown.join(', ')} holds data (a relative or unusual path in its config file)`, {
          hint: `set it to an absolute path in ${what === 'Kafka' ? 'server.properties (log.dirs)' : 'zookeeper.properties (dataDir)'} on the host, or move its data to ${to} by hand, then run kafka-setup init again`,
        }),
      };
    }
    const unreadable = [...others, to].map((d) => facts.dataDirs.get(d)).find((d) => d?.state === 'unreadable');
    if (unreadable) {
      return {
        moves,
        problem: new UserError(`${what}'s data directory ${unreadable.path} cannot be read by ${facts.user || 'this user'}, so kafka-setup cannot tell whether it holds data to keep`, {
          hint: `if it does (a Kafka once started with sudo?), give it to this user (sudo chown -R ${facts.user || '$USER'}: ${unreadable.path}); if not, remove it; then run kafka-setup init again`,
        }),
      };
    }
    const withData = others.map((d) => facts.dataDirs.get(d)!).filter((d) => d.state === 'data');
    if (withData.length === 0) continue;
    if (withData.length > 1) {
      return {
        moves,
        problem: new UserError(`log.dirs names ${withData.length} directories that hold data (${withData.map((d) => d.path).join(', ')}); kafka-setup keeps Kafka's data in one, ${to}, and will not merge them`, {
          hint: 'keep them: merge them by hand into one directory with the broker stopped, or point log.dirs at your own layout and stop using kafka-setup for this host\'s configuration',
        }),
      };
    }
    const target = facts.dataDirs.get(to);
    if (target?.state === 'data') {
      return {
        moves,
        problem: new UserError(`both ${withData[0]!.path} (where the config points now) and ${to} (where kafka-setup keeps it) hold ${what} data; kafka-setup will not choose one`, {
          hint: `keep the one you want: move the other away (e.g. mv ${to} ${to}.old with both JVMs stopped), then run kafka-setup init again`,
        }),
      };
    }
    if (target?.state === 'other') {
      return { moves, problem: new UserError(`${to} exists and is not a directory, so ${what}'s data cannot move there`, { hint: `move it away, then run kafka-setup init again` }) };
    }
    const from = withData[0]!;
    moves.push({ what, from: from.path, to, kib: from.kib, sameDevice: target !== undefined && target.device === from.device });
  }
  const copied = moves.filter((m) => !m.sameDevice).reduce((sum, m) => sum + m.kib, 0);
  if (copied > 0 && copied + 65536 > facts.install.parentFreeKib) {
    return {
      moves,
      problem: new UserError(`the existing data (${mib(copied)}) does not fit in the ${mib(facts.install.parentFreeKib)} free beside the install directory, where it has to move`, {
        hint: 'free some disk space (or grow the volume), then run kafka-setup init again',
      }),
    };
  }
  return { moves };
}

function mib(kib: number): string {
  return kib >= 1024 * 1024 ? `${(kib / 1024 / 1024).toFixed(1)} GiB` : `${Math.max(1, Math.round(kib / 1024))} MiB`;
}

function describe(moves: DataMove[]): string {
  return moves.map((m) => `${m.what}'s data ${m.from} → ${m.to}`).join(' and ');
}

function ourJvms(ctx: StepContext): { broker: number | undefined; zookeeper: number | undefined } {
  return {
    broker: brokerJvm(ctx)?.pid,
    zookeeper: zookeeperJvm(ctx)?.pid,
  };
}

export const dataStep: Step = {
  id: 'data',
  title: 'Keep the existing data',
  check(ctx) {
    const plan = dataPlan(ctx);
    if (plan.problem) return { done: false, reason: plan.problem.message };
    if (plan.moves.length === 0) return { done: true, detail: `no data elsewhere to move into ${dataDir(ctx)}` };
    return { done: false, reason: `move ${describe(plan.moves)}` };
  },
  preflight: (ctx) => dataPlan(ctx).problem,
  plan(ctx) {
    const jvms = ourJvms(ctx);
    return [
      ...(jvms.broker ? [`kill ${jvms.broker}   (the broker, then wait for it to exit)`] : []),
      ...(jvms.zookeeper ? [`kill ${jvms.zookeeper}   (ZooKeeper, then wait for it to exit)`] : []),
      ...dataPlan(ctx).moves.map((m) => (m.sameDevice ? `mv ${m.from} ${m.to}` : `cp -a ${m.from} ${m.to} && rm -rf ${m.from}   (another file system)`)),
      'then point the config files there (next step), both JVMs start again below',
    ];
  },
  // The config edits that point at the new place travel with the move (see move-data.sh).
  carriesWrites: true,
  async apply(ctx, carried: FileChange[] = []) {
    const plan = dataPlan(ctx);
    if (plan.problem) throw plan.problem;
    const jvms = ourJvms(ctx);
    const vars: Record<string, string | number> = {
      ...baseVars(ctx),
      KS_STOP_BROKER: jvms.broker ?? '',
      KS_STOP_ZOOKEEPER: jvms.zookeeper ?? '',
      KS_MOVES: plan.moves.length,
    };
    plan.moves.forEach((m, i) => {
      vars[`KS_M${i}_FROM`] = m.from;
      vars[`KS_M${i}_TO`] = m.to;
      vars[`KS_M${i}_SAME`] = m.sameDevice ? 'yes' : 'no';
    });
    const w = writeCalls(carried);
    const writes = w.calls.length > 0 ? [`( ${w.calls.join('; ')} ) || { ks_data_undo_moves; exit 1; }`] : [];
    const script = remoteScript('move-data', { ...vars, ...w.vars }, ['probe-lib', 'write-files', 'move-data'],
      ['ks_data_stop', 'ks_data_move', ...writes, 'ks_data_done', 'ks_probe_files', 'ks_probe_data', 'ks_probe_ports', 'ks_probe_jvms']);
    const res = await ctx.session.run(script, { timeoutMs: 60 * 60_000 });
    ctx.facts = mergeFacts(ctx.facts, res.sections);
    const stopped = [jvms.broker ? 'the broker' : '', jvms.zookeeper ? 'ZooKeeper' : ''].filter(Boolean);
    const total = plan.moves.reduce((sum, m) => sum + m.kib, 0);
    return `moved ${describe(plan.moves)} (${mib(total)}${stopped.length ? `; ${stopped.join(' and ')} stopped first, started again below` : ''})`;
  },
  explain(f) {
    if (f.kind === 'data_in_use') {
      return new UserError(`Keep the existing data: ${f.fields.get('dir') ?? 'a data directory'} is in use by another program (pid ${f.fields.get('user') ?? '?'}), so it cannot move; nothing was moved`, {
        hint: 'stop that program (a Kafka or ZooKeeper started from another directory?), then run kafka-setup init again',
      });
    }
    if (f.kind === 'move_failed') {
      return new UserError(`Keep the existing data: ${f.message}; nothing was moved`, { hint: 'fix that (permissions, disk space), then run kafka-setup init again' });
    }
    return undefined;
  },
};
