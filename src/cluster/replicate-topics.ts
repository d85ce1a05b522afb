/**
 * The last part of a cluster init: topics with fewer replicas than the cluster keeps get more, asked
 * of the controller through its host's SSH connection, and waited for until every new copy is in
 * sync. Kafka's internal topics always (the brokers' config asks for more than they have once a
 * cluster grew); every other topic only on the first cluster init of these hosts, where a single
 * server's topics (one copy each) would otherwise die with its broker. A topic a user made with fewer
 * replicas in a running cluster is theirs, and left alone.
 */
import { UserError } from '../errors.js';
import type { Serving } from '../host/serving.js';
import { replication, selfOf } from '../kafka/cluster.js';
import { describePlan, INTERNAL_TOPICS, type PartitionReplicas, planInSync, raisePlan } from '../kafka/replicas.js';
import { memberData } from '../steps/member-data.js';
import type { StepReport } from '../steps/runner.js';
import type { StepContext } from '../steps/types.js';
import type { Reporter } from '../ui/reporter.js';
import { WHOLE_WAIT_MS } from './cluster-health.js';

/** One host's run of a cluster init, as far as replication needs it: its context and what its steps did. */
export interface ClusterRun {
  ctx: StepContext;
  reports: readonly StepReport[];
}

const assignmentOf = (s: Serving | undefined): PartitionReplicas[] | undefined =>
  s && (s.state === 'listed' || s.state === 'absent') ? s.assignment : undefined;

export interface ReplicateOptions {
  /** Every topic, not only Kafka's internal ones (the first cluster init of these hosts). */
  userTopics: boolean;
  waitMs?: number;
}

/** A dry run's word on it: what would get more replicas, from the metadata asked before the steps (brokers as planned). */
export function plannedReplication(runs: readonly ClusterRun[], o: ReplicateOptions): string | undefined {
  const first = runs[0]!.ctx;
  const view = first.cluster!;
  const { factor } = replication(view.members.length);
  const assignment = assignmentOf(first.facts.serving);
  if (!assignment) return undefined;
  const plan = raisePlan(
    assignment,
    view.members.map((m) => m.brokerId),
    factor,
    wantedTopics(o),
  );
  return plan.length === 0 ? undefined : `then give ${describePlan(plan)} ${factor} replicas`;
}

const wantedTopics =
  (o: ReplicateOptions) =>
  (topic: string): boolean =>
    INTERNAL_TOPICS.includes(topic) || (o.userTopics && !topic.startsWith('__'));

/** Raises what needs raising; prints one step line when there is something to do. */
export async function replicateTopics(runs: readonly ClusterRun[], o: ReplicateOptions, reporter: Reporter): Promise<void> {
  const first = runs[0]!.ctx;
  const size = first.cluster!.members.length;
  const { factor } = replication(size);
  // Brokers that held no data before this run hold no topics worth a question (a fresh cluster).
  if (!runs.some((r) => memberData(r.ctx.facts).brokerId !== undefined || r.ctx.facts.serving !== undefined)) return;
  const changed = runs.some((r) => r.reports.some((x) => x.outcome === 'done' && x.id !== 'jps'));
  // A run that changed nothing asks nothing more: the metadata asked before the steps stands.
  const early = changed ? undefined : first.facts.serving;
  const asked = early ?? (await first.host.serving(undefined, 0));
  const assignment = assignmentOf(asked);
  if (!assignment || asked.state === 'unknown' || asked.state === 'unreachable') return;
  const plan = raisePlan(assignment, asked.brokers, factor, wantedTopics(o));
  if (plan.length === 0) return;
  const title = plan.some((p) => !INTERNAL_TOPICS.includes(p.topic))
    ? "Replicate the single server's topics"
    : "Replicate Kafka's internal topics";
  const active = reporter.step(title);
  try {
    const controller = runs.find((r) => selfOf(r.ctx.cluster!).brokerId === asked.controllerId);
    if (!controller)
      throw new UserError(`the controller, broker ${asked.controllerId}, is not a member of this cluster`, {
        hint: "kafka-setup verify shows the cluster's brokers",
      });
    active.update(`${describePlan(plan)} → ${factor} replicas`);
    await controller.ctx.host.reassign(plan);
    const started = Date.now();
    const waitMs = o.waitMs ?? WHOLE_WAIT_MS;
    for (;;) {
      const now = assignmentOf(await first.host.serving(undefined, 0));
      const inSync = now ? planInSync(plan, now) : 0;
      if (inSync === plan.length) break;
      active.update(`${describePlan(plan)} → ${factor} replicas: ${inSync} of ${plan.length} partitions in sync`);
      if (Date.now() - started > waitMs) {
        throw new UserError(`the new replicas of ${describePlan(plan)} were not in sync within ${waitMs / 60_000} minutes`, {
          hint: 'Kafka goes on copying in the background; kafka-setup verify shows when every topic has its replicas',
        });
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    active.finish('done', `${describePlan(plan)} → ${factor} replicas, every new copy in sync`);
  } catch (err) {
    active.finish('failed', '');
    throw err instanceof UserError
      ? err
      : new UserError(`could not give ${describePlan(plan)} more replicas: ${(err as Error).message}`, {
          hint: 'the cluster is set up and serves; run the same command again to retry, or add replicas with kafka-reassign-partitions.sh',
        });
  }
}
