/**
 * Step (a KRaft cluster's member): the node votes in the controller quorum where the members' configs
 * say it does. The quorum knows a voter by its node id and its storage's directory id: the first
 * voters' ids are derived once (kraft-quorum.ts), so their storage tells that they vote with no
 * question asked. A voter whose storage was lost comes back formatted afresh, under a new directory
 * id, as an observer (format.ts); once it runs, this step removes the voter its id had on the lost
 * storage and adds it again (KIP-853), after checking that the other voters can carry the quorum
 * meanwhile. What the quorum took is kept beside the storage, so later runs need not ask.
 */
import { UserError } from '../errors.js';
import { withUpdate } from '../host/facts.js';
import { selfOf } from '../kafka/cluster.js';
import { controllerBootstrap, directoryIdOf, votersOf, votes } from '../kafka/kraft-quorum.js';
import { unsafeToStop } from '../kafka/quorum.js';
import { RemoteFailure } from '../remote/session.js';
import { logDir } from './targets.js';
import type { Check, Step, StepContext } from './types.js';

const again = 'then run kafka-setup init again';

function wouldRun(ctx: StepContext): string[] {
  return [
    `bin/kafka-metadata-quorum.sh --bootstrap-controller ${controllerBootstrap(ctx.cluster!)} describe --replication   (the voter this node id had on lost storage, if any, is removed: remove-controller)`,
    `bin/kafka-metadata-quorum.sh --bootstrap-controller ${controllerBootstrap(ctx.cluster!)} --command-config config/server.properties add-controller`,
  ];
}

function check(ctx: StepContext): Check {
  const c = ctx.cluster;
  if (!c) return { done: true, detail: 'a single server is its own quorum' };
  const id = selfOf(c).id;
  const n = votersOf(c).length;
  if (!votes(c, id)) return { done: true, detail: `node ${id} observes the ${n}-voter quorum as a broker` };
  const f = ctx.facts.dataDirs.get(logDir(ctx))?.format;
  if (!f) {
    return c.quorumFormed
      ? {
          done: false,
          // A voter the configs named lost its storage; any other takes a vote it never had.
          reason: c.controllers?.includes(id)
            ? `node ${id} takes its vote back once formatted afresh and started`
            : `node ${id} takes its vote once formatted and started`,
          wouldRun: wouldRun(ctx),
        }
      : { done: true, detail: `node ${id}: one of the ${n} first voters (formatted with them)` };
  }
  const dir = f.directoryId;
  // Kafka 4 always writes one; without it there is nothing to ask the quorum about.
  if (dir === undefined) return { done: true, detail: `node ${id}: one of the ${n} voters (its storage names no directory id)` };
  if (c.clusterId !== undefined && dir === directoryIdOf(c.clusterId, id))
    return { done: true, detail: `node ${id}: one of the ${n} voters, as first formatted (directory ${dir})` };
  if (f.voterDirectoryId === dir) return { done: true, detail: `node ${id}: one of the ${n} voters, under directory ${dir}` };
  return {
    done: false,
    reason: `node ${id}'s storage (directory ${dir}) is not one the quorum was first formatted with: the quorum is asked whether it votes under it, and takes it as a voter where not`,
    wouldRun: wouldRun(ctx),
  };
}

function explain(f: RemoteFailure): UserError | undefined {
  if (f.kind !== 'quorum_change_failed') return undefined;
  return new UserError(f.message, {
    details: f.details,
    hint: `the quorum's voters are as the message says (kafka-setup verify shows them); fix what the tool said (a voter down, the controller port 9094 not reachable between the hosts), ${again}`,
  });
}

export const voterStep: Step = {
  id: 'voter',
  title: 'Vote in the controller quorum (KRaft)',
  check,
  async apply(ctx) {
    const c = ctx.cluster!;
    const id = selfOf(c).id;
    const dir = ctx.facts.dataDirs.get(logDir(ctx))?.format?.directoryId;
    if (dir === undefined) throw new UserError(`node ${id}'s storage is not formatted: it cannot vote yet`, { hint: again });
    ctx.progress?.('asking the quorum for its voters');
    const q = await ctx.host.quorum();
    if (!q.answered || !q.replicas) {
      throw new UserError(`node ${id} cannot take its vote: ${q.answered ? "the quorum's leader did not describe its voters" : q.reason}`, {
        hint: `a voter joins a quorum that has a leader: start the other nodes (kafka-setup start), ${again}`,
      });
    }
    const voter = (r: (typeof q.replicas)[number]): boolean => r.id === id && r.status !== 'observer';
    const mine = q.replicas.find((r) => voter(r) && r.directoryId === dir);
    const lost = q.replicas.find((r) => voter(r) && r.directoryId !== dir);
    if (lost) {
      // Until it is added again, the other voters alone are the quorum: every one of them must be there.
      const risk = unsafeToStop(q.replicas, q.voters, id);
      if (risk) {
        throw new UserError(
          `node ${id}'s lost voter was not removed: the other voters would be the whole quorum until it votes again, and ${risk}`,
          { hint: `start the voter that is out first (kafka-setup start), or wait until it has caught up (kafka-setup verify), ${again}` },
        );
      }
    }
    let r: Awaited<ReturnType<StepContext['host']['joinQuorum']>>;
    try {
      r = await ctx.host.joinQuorum({
        nodeId: id,
        directoryId: dir,
        logDir: logDir(ctx),
        controllers: controllerBootstrap(c),
        removeDirectoryId: mine ? undefined : lost?.directoryId,
        add: !mine,
        onProgress: ctx.progress,
      });
    } catch (err) {
      throw (err instanceof RemoteFailure && explain(err)) || err;
    }
    ctx.facts = withUpdate(ctx.facts, r.update);
    if (mine) return `node ${id} already votes under directory ${dir}`;
    return `node ${id} votes under directory ${dir}${r.removed ? `, its lost voter (directory ${r.removed}) removed` : ''}`;
  },
};
