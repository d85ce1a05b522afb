/**
 * Step: existing data moves to where kafka-setup keeps it, and that place is not readable by other
 * local users (0750: an install made before kafka-setup set a umask has it 0755, tightened once). A reader who followed the procedure by
 * hand has topics in Kafka's default /tmp/kafka-logs and /tmp/zookeeper (wiped at boot on some
 * systems); a re-run with another install directory changes the place too. Pointing the config at
 * an empty place would lose them from the broker, so both move, together, while both JVMs are
 * stopped, and the config that points at the new place is written in the same round trip.
 */
import { UserError } from '../errors.js';
import { withUpdate } from '../host/facts.js';
import { brokerJvm, zookeeperJvm } from '../host/install-jvms.js';
import { RemoteFailure } from '../remote/session.js';
import { type DataMove, dataPlan, type LeftDir, mib } from './data-plan.js';
import { configEdits } from './edits.js';
import { dataDir } from './targets.js';
import type { Step, StepContext } from './types.js';

const octal = (mode: number): string => `0${(mode & 0o7777).toString(8)}`;

/**
 * kafka-setup's data directory, when its mode lets other local users read it (or its group write
 * it): 0750 or stricter is done. Only one the probe saw as this user's own directory has a mode.
 */
function looseData(ctx: StepContext): { path: string; mode: number; tight: number } | undefined {
  const path = dataDir(ctx);
  const mode = ctx.facts.dataDirs.get(path)?.mode;
  return mode !== undefined && (mode & 0o027) !== 0 ? { path, mode, tight: mode & ~0o027 } : undefined;
}

/** Another user's directories where the config pointed: named, so that the user knows they stay. */
const leftText = (left: LeftDir[]): string => left.map((l) => `; ${l.path} left where it is (${l.owner}'s, not this install's)`).join('');

const tightenText = (l: { path: string; mode: number; tight: number }): string => `${l.path} mode ${octal(l.mode)} → ${octal(l.tight)}`;

function describe(moves: DataMove[]): string {
  return moves.map((m) => `${m.what}'s data ${m.from} → ${m.to}`).join(' and ');
}

function ourJvms(ctx: StepContext): { broker: number | undefined; zookeeper: number | undefined } {
  return { broker: brokerJvm(ctx.facts)?.pid, zookeeper: zookeeperJvm(ctx.facts)?.pid };
}

function wouldRun(ctx: StepContext): string[] {
  const moves = dataPlan(ctx).moves;
  const loose = looseData(ctx);
  const tighten = loose
    ? [`chmod g-w,o-rwx ${loose.path}   (${octal(loose.mode)} → ${octal(loose.tight)}: other local users cannot read the data)`]
    : [];
  if (moves.length === 0) return tighten;
  const jvms = ourJvms(ctx);
  return [
    ...(jvms.broker ? [`kill ${jvms.broker}   (the broker, then wait for it to exit)`] : []),
    ...(jvms.zookeeper ? [`kill ${jvms.zookeeper}   (ZooKeeper, then wait for it to exit)`] : []),
    ...moves.map((m) => (m.sameDevice ? `mv ${m.from} ${m.to}` : `cp -a ${m.from} ${m.to} && rm -rf ${m.from}   (another file system)`)),
    ...tighten,
    'then point the config files there (next step), both JVMs start again below',
  ];
}

function explain(f: RemoteFailure): UserError | undefined {
  if (f.kind === 'data_in_use') {
    return new UserError(
      `${f.fields.get('dir') ?? 'a data directory'} is in use by another program (pid ${f.fields.get('user') ?? '?'}), so it cannot move; nothing was moved`,
      {
        hint: 'stop that program (a Kafka or ZooKeeper started from another directory?), then run kafka-setup init again',
      },
    );
  }
  if (f.kind === 'move_failed')
    return new UserError(`${f.message}; nothing was moved`, {
      hint: 'fix that (permissions, disk space), then run kafka-setup init again',
    });
  return undefined;
}

export const dataStep: Step = {
  id: 'data',
  title: 'Keep the existing data',
  check(ctx) {
    const plan = dataPlan(ctx);
    if (plan.problem) return { done: false, reason: plan.problem.message, wouldRun: [] };
    const loose = looseData(ctx);
    if (plan.moves.length === 0 && !loose)
      return { done: true, detail: `no data elsewhere to move into ${dataDir(ctx)}${leftText(plan.left)}` };
    const tighten = loose ? `make ${loose.path} unreadable by other local users (mode ${octal(loose.mode)} → ${octal(loose.tight)})` : '';
    return {
      done: false,
      reason: [plan.moves.length > 0 ? `move ${describe(plan.moves)}` : '', tighten].filter(Boolean).join('; '),
      wouldRun: wouldRun(ctx),
    };
  },
  preflight: (ctx) => dataPlan(ctx).problem,
  async apply(ctx) {
    const plan = dataPlan(ctx);
    if (plan.problem) throw plan.problem;
    const loose = looseData(ctx);
    // Only a move stops the JVMs: a chmod of the directory does not disturb them.
    const moving = plan.moves.length > 0;
    const stop = moving ? ourJvms(ctx) : { broker: undefined, zookeeper: undefined };
    try {
      // The config edits that point at the new place travel with the move (see move-data.sh).
      ctx.facts = withUpdate(
        ctx.facts,
        await ctx.host.moveData({ stop, moves: plan.moves, alsoWrite: moving ? configEdits(ctx) : [], tighten: loose?.path }),
      );
    } catch (err) {
      throw (err instanceof RemoteFailure && explain(err)) || err;
    }
    const tightened = loose ? tightenText(loose) : '';
    if (!moving) return `${tightened}${leftText(plan.left)}`;
    const stopped = [stop.broker ? 'the broker' : '', stop.zookeeper ? 'ZooKeeper' : ''].filter(Boolean);
    const total = plan.moves.reduce((sum, m) => sum + m.kib, 0);
    return `moved ${describe(plan.moves)} (${mib(total)}${stopped.length ? `; ${stopped.join(' and ')} stopped first, started again below` : ''})${tightened ? `; ${tightened}` : ''}${leftText(plan.left)}`;
  },
};
