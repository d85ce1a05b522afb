/**
 * Step (KRaft): the node's storage formatted once, before its first start, with the cluster id the host
 * keeps (format-storage.sh). A formatted log directory is never formatted again; one formatted for
 * another cluster or node, one that holds data but no meta.properties, and ZooKeeper-mode data (3.x,
 * which KRaft cannot read) are refused before any step changes the host.
 */
import { posix } from 'node:path';
import { UserError } from '../errors.js';
import { type DataDirFact, withUpdate } from '../host/facts.js';
import type { FormatRequest } from '../host/operations.js';
import { selfOf } from '../kafka/cluster.js';
import { newClusterId } from '../kafka/cluster-id.js';
import { initialControllers, votersOf, votes } from '../kafka/kraft-quorum.js';
import { KRAFT_NODE_ID } from '../kafka/mode-kraft.js';
import { RemoteFailure } from '../remote/session.js';
import { dataDir, logDir } from './targets.js';
import type { Check, Step, StepContext } from './types.js';

const again = 'then run kafka-setup init again';

/** This server's node id: a cluster member's own, else a single server's. */
function nodeId(ctx: StepContext): number {
  return ctx.cluster ? selfOf(ctx.cluster).id : KRAFT_NODE_ID;
}

/** The cluster id this node must keep: a cluster's, decided once for every node; else the host's own. */
function wantedClusterId(ctx: StepContext): string | undefined {
  return ctx.cluster?.clusterId ?? ctx.facts.keptClusterId;
}

/**
 * How this node meets the quorum: a single server alone; a new cluster's voter, every voter alike;
 * else it joins a quorum that exists (an observer first: a voter that lost its storage takes its
 * vote back once it runs, steps/voter.ts).
 */
function quorumOf(ctx: StepContext, clusterId: string): FormatRequest['quorum'] {
  if (!ctx.cluster) return { kind: 'standalone' };
  return votes(ctx.cluster, nodeId(ctx)) && !ctx.cluster.quorumFormed
    ? { kind: 'voter', initialControllers: initialControllers(ctx.cluster, clusterId) }
    : { kind: 'observer' };
}

function quorumFlag(q: FormatRequest['quorum']): string {
  return q.kind === 'voter'
    ? `--initial-controllers ${q.initialControllers}`
    : q.kind === 'observer'
      ? '--no-initial-controllers'
      : '--standalone';
}

/** "node 2 of 3 voters", "node 4, observing the 3 voters", "node 3, joining the quorum to vote again among its 3 voters" (a cluster's member). */
function roleText(ctx: StepContext): string {
  if (!ctx.cluster) return '';
  const n = votersOf(ctx.cluster).length;
  if (!votes(ctx.cluster, nodeId(ctx))) return `, node ${nodeId(ctx)}, observing the ${n} voters`;
  const formatted = ctx.facts.dataDirs.get(logDir(ctx))?.format !== undefined;
  if (!ctx.cluster.quorumFormed || formatted) return `, node ${nodeId(ctx)} of ${n} voters`;
  // A first voter whose storage was lost comes back; any other takes a vote it never had.
  return ctx.cluster.controllers?.includes(nodeId(ctx))
    ? `, node ${nodeId(ctx)}, joining the quorum to vote again among its ${n} voters`
    : `, node ${nodeId(ctx)}, joining the quorum to vote once started (${n} voters)`;
}

/**
 * ZooKeeper-mode data on this host, wherever the probe looked: a 3.x broker's log directory (beside
 * the install, or the seed's /tmp/kafka-logs), or a ZooKeeper database (beside the install, or the
 * seed's /tmp/zookeeper) — a 3.x set up by hand, as the seed's notes do, counts as much as ours.
 */
function zookeeperData(ctx: StepContext): string | undefined {
  for (const d of ctx.facts.dataDirs.values()) {
    if (d.format?.version === 0 || (d.brokerId !== undefined && d.format?.version === undefined)) return d.path;
    if (posix.basename(d.path) === 'version-2' && d.state === 'data') return posix.dirname(d.path);
  }
  return undefined;
}

/** Why this host's storage cannot be formatted or used as it is, if so. */
function problem(ctx: StepContext): UserError | undefined {
  const zk = zookeeperData(ctx);
  if (zk) {
    // kafka-setup's own data goes with uninstall; a 3.x set up by hand (in /tmp) is the user's to move.
    const ours = zk.startsWith(`${dataDir(ctx)}/`);
    const afresh = ours
      ? 'kafka-setup uninstall --purge-data (deletes them), then init again'
      : `stop that Kafka and move ${zk} away, then init again`;
    return new UserError(
      `${zk} holds the data of a ZooKeeper-based Kafka (3.x); Kafka ${ctx.dist.kafkaVersion} runs without ZooKeeper (KRaft) and cannot read it. Nothing was changed`,
      {
        hint: `keep that Kafka: run kafka-setup init with --kafka-version 3.x (the version it runs${ours ? '' : '; init takes it over and keeps its data'}); or start afresh without its topics: ${afresh}. kafka-setup does not migrate ZooKeeper metadata to KRaft`,
      },
    );
  }
  const logs = ctx.facts.dataDirs.get(logDir(ctx));
  if (!logs) return undefined;
  if (logs.state === 'other' || logs.state === 'unreadable' || logs.state === 'foreign') {
    const why = {
      other: 'is not a directory',
      unreadable: `cannot be read by ${ctx.facts.user || 'this user'}`,
      foreign: `belongs to ${logs.owner?.name ?? 'another user'}, not to ${ctx.facts.user || 'this user'}`,
    }[logs.state];
    return new UserError(`${logs.path} ${why}, so Kafka's storage cannot be formatted there`, { hint: `move it away, ${again}` });
  }
  const f = logs.format;
  if (!f) {
    return logs.state === 'data'
      ? new UserError(
          `${logs.path} holds files but no meta.properties: it was not formatted by kafka-storage.sh, and kafka-setup will not format over it`,
          { hint: `move it away (mv ${logs.path} ${logs.path}.old), ${again}` },
        )
      : undefined;
  }
  if (f.nodeId !== nodeId(ctx)) {
    return new UserError(`${logs.path} is formatted for node ${f.nodeId ?? '(none)'}, and this server is node ${nodeId(ctx)}`, {
      hint: `it is another node's storage: move it away (mv ${logs.path} ${logs.path}.old), ${again}`,
    });
  }
  return otherCluster(ctx, logs);
}

function otherCluster(ctx: StepContext, logs: DataDirFact): UserError | undefined {
  const kept = wantedClusterId(ctx);
  const have = logs.format?.clusterId;
  if (kept === undefined || have === kept) return undefined;
  return new UserError(
    `${logs.path} is formatted for cluster ${have ?? '(none)'}, and this server's Kafka is cluster ${kept} (${ctx.cluster ? "the cluster's" : `kept in ${posix.join(dataDir(ctx), 'cluster.id')}`})`,
    {
      hint: `if ${logs.path} is another cluster's storage, move it away (mv ${logs.path} ${logs.path}.old) and run init again to format it for ${kept}; if it is this server's own, put ${have} in ${posix.join(dataDir(ctx), 'cluster.id')}, ${again}`,
    },
  );
}

function check(ctx: StepContext): Check {
  const id = wantedClusterId(ctx);
  const wouldRun = [
    `bin/kafka-storage.sh format --cluster-id=${id ?? '<a new id>'} --config config/server.properties ${quorumFlag(quorumOf(ctx, id ?? '<a new id>'))}   (in a new directory, renamed to ${logDir(ctx)})`,
  ];
  const p = problem(ctx);
  if (p) return { done: false, reason: p.message, wouldRun: [] };
  const f = ctx.facts.dataDirs.get(logDir(ctx))?.format;
  if (f && ctx.facts.keptClusterId !== undefined)
    return { done: true, detail: `${logDir(ctx)}: cluster ${f.clusterId}${ctx.cluster ? roleText(ctx) : `, node ${f.nodeId}`}` };
  if (f)
    return {
      done: false,
      reason: `keep the cluster id ${f.clusterId} of ${logDir(ctx)} on the host`,
      wouldRun: [`write ${posix.join(dataDir(ctx), 'cluster.id')}`],
    };
  if (ctx.facts.files['server.properties'].content === undefined)
    return { done: false, reason: 'format the storage (once Kafka is configured)', wouldRun };
  return { done: false, reason: `format ${logDir(ctx)} for ${id ? `cluster ${id}` : 'a new cluster'}${roleText(ctx)}`, wouldRun };
}

function explain(f: RemoteFailure): UserError | undefined {
  if (f.kind === 'cluster_mismatch') {
    return new UserError(f.message, {
      hint: `it changed while init ran: move ${f.fields.get('dir') ?? 'it'} away if it is another cluster's storage, ${again}`,
    });
  }
  if (f.kind === 'format_failed') {
    return new UserError(`${f.message}; nothing was formatted`, {
      details: f.details,
      hint: `fix what it says (Java, the config), ${again}`,
    });
  }
  return undefined;
}

export const formatStep: Step = {
  id: 'format',
  title: 'Format the storage (KRaft)',
  check,
  preflight: problem,
  async apply(ctx) {
    const p = problem(ctx);
    if (p) throw p;
    // Said as planned: once formatted, a voter that joins reads like any other.
    const role = roleText(ctx);
    let r: Awaited<ReturnType<StepContext['host']['formatStorage']>>;
    try {
      // The id to keep when the host keeps none: the storage's own, once formatted (the file was lost), else a new one.
      const formatted = ctx.facts.dataDirs.get(logDir(ctx))?.format?.clusterId;
      const clusterId = wantedClusterId(ctx) ?? formatted ?? newClusterId();
      r = await ctx.host.formatStorage({ dataDir: dataDir(ctx), logDir: logDir(ctx), clusterId, quorum: quorumOf(ctx, clusterId) });
    } catch (err) {
      throw (err instanceof RemoteFailure && explain(err)) || err;
    }
    ctx.facts = withUpdate(ctx.facts, r.update);
    return r.formatted ? `formatted ${logDir(ctx)} for cluster ${r.clusterId}${role}` : `cluster ${r.clusterId} kept on the host`;
  },
};
