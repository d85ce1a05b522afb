/**
 * `kafka-setup verify` on a cluster profile: each host's checks (over its own SSH connection, lines
 * marked with the host), then the cluster's: the ensemble has one leader (3.x) or the controller
 * quorum has one leader, the members as its voters and every voter caught up (4.x), every broker is registered,
 * no partition is under-replicated, and a message goes round with acks=all through a topic replicated
 * on every broker it can be (up to three).
 */
import { brokerChecks } from '../checks/broker-checks.js';
import { type CheckResult, check } from '../checks/types.js';
import type { QuorumState } from '../host/operations.js';
import type { ZookeeperMode } from '../host/zookeeper-mode.js';
import { replication } from '../kafka/cluster.js';
import { modeOf } from '../kafka/mode.js';
import { describeVoter, STALE_FETCH_MS, voterStates } from '../kafka/quorum.js';
import { replicasByTopic } from '../kafka/replicas.js';
import { tcpConnect } from '../local/net.js';
import { memberFlags, memberLabel, type SavedMember } from '../options/cluster-options.js';
import { isInteractive } from '../options/resolve.js';
import { resolveVerifyOptions, type VerifyFlags } from '../options/verify-options.js';
import type { CommandIO } from './io.js';
import { onHost, type QuorumAnswer, verdict } from './verify-parts.js';

/** Exactly one leader, every other member a follower. */
export function ensembleCheck(modes: ReadonlyArray<{ host: string; zk: ZookeeperMode }>): CheckResult {
  const said = modes.map(({ host, zk }) => `${host}: ${zk.mode ?? zk.reason}`).join(', ');
  const leaders = modes.filter(({ zk }) => zk.mode === 'leader').length;
  const followers = modes.filter(({ zk }) => zk.mode === 'follower').length;
  if (leaders === 1 && followers === modes.length - 1) return check('ensemble', 'ZooKeeper ensemble has one leader', 'pass', said);
  return check(
    'ensemble',
    'ZooKeeper ensemble has one leader',
    'fail',
    said,
    leaders > 1
      ? 'more than one leader: the servers do not share one ensemble; run kafka-setup init (without --host) so that every zookeeper.properties lists the same servers'
      : 'no quorum: a majority of the ZooKeepers must run and reach each other on 2888 and 3888 (security group: allow them between the servers); kafka-setup status shows which are down',
  );
}

/**
 * The KRaft controller quorum, from what each host's controller said: one leader agreed by all that
 * answered, the voters exactly the members' node ids, and every voter caught up as the leader sees it
 * (kafka/quorum.ts: a voter without a fetch for STALE_FETCH_MS is down or cut off; one fetching but
 * not caught up lately is catching up, a warning).
 */
export function controllerQuorumCheck(
  said: ReadonlyArray<{ host: string; quorum: QuorumState }>,
  memberIds: readonly number[],
): CheckResult {
  const id = 'controller-quorum';
  const title = 'Controller quorum: one leader, its voters members and caught up';
  const answered = said.flatMap(({ host, quorum: q }) => (q.answered ? [{ host, q }] : []));
  const silent = said.filter(({ quorum: q }) => !q.answered).map(({ host }) => host);
  const unanswered = silent.length > 0 ? `; no answer through ${silent.join(', ')}` : '';
  if (answered.length === 0) {
    return check(
      id,
      title,
      'fail',
      `no controller described the quorum${unanswered}`,
      'a majority of the nodes must run and reach each other on 9094 (security group: allow it between the servers); kafka-setup status shows which are down',
    );
  }
  const leaders = [...new Set(answered.map(({ q }) => q.leaderId))];
  const each = answered
    .map(({ host, q }) => `${host}: leader ${q.leaderId}${q.epoch === undefined ? '' : ` (epoch ${q.epoch})`}`)
    .join(', ');
  if (leaders.length > 1) {
    return check(
      id,
      title,
      'fail',
      `the nodes name different leaders: ${each}`,
      'an election may be under way: run kafka-setup verify again in a moment; if it stays so, the nodes were formatted for different quorums (controller.quorum.bootstrap.servers)',
    );
  }
  if (leaders[0]! < 0)
    return check(
      id,
      title,
      'fail',
      `no leader: ${each}${unanswered}`,
      'a majority of the nodes must run and reach each other on 9094; read logs/controller.log on the hosts',
    );
  // Every answer is the leader's: the one with rows (any) says how each voter keeps up.
  const q = answered.find(({ q: a }) => a.replicas !== undefined)?.q ?? answered[0]!.q;
  const want = [...memberIds].sort((a, b) => a - b);
  const voters = [...q.voters].sort((a, b) => a - b);
  let head = `leader ${leaders[0]}${q.epoch === undefined ? '' : ` (epoch ${q.epoch})`}, voters [${voters.join(', ')}]`;
  // Three (or five) members vote; a cluster grown past them has brokers that observe the quorum.
  const extra = voters.filter((v) => !want.includes(v));
  const observers = want.filter((m) => !voters.includes(m));
  if (extra.length > 0 || voters.length === 0) {
    return check(
      id,
      title,
      'fail',
      `${head}; the members are [${want.join(', ')}]: ${voters.length === 0 ? 'no voters' : `${extra.join(', ')} not members`}${unanswered}`,
      "the quorum is not the profile's cluster: run kafka-setup init with the same --host list the cluster was made with",
    );
  }
  if (observers.length > 0) head += `, observers [${observers.join(', ')}]`;
  if (!q.replicas)
    return check(
      id,
      title,
      'warn',
      `${head}; the leader did not describe its voters' replication${unanswered}`,
      'run kafka-setup verify again in a moment',
    );
  const states = voterStates(q.replicas, voters);
  const detail = `${head}; ${states.map(describeVoter).join('; ')}${unanswered}`;
  const gone = states.filter((s) => s.state === 'missing' || s.state === 'stalled');
  if (gone.length > 0) {
    return check(
      id,
      title,
      'fail',
      detail,
      `voter ${gone.map((s) => s.id).join(', ')} has not fetched from the leader for ${STALE_FETCH_MS / 1000} s: start it (kafka-setup start) or read its logs/controller.log; ${gone.length >= 2 ? 'the quorum has no voter to spare' : 'one more down and the quorum is lost'}`,
    );
  }
  if (states.some((s) => s.state === 'catching-up'))
    return check(id, title, 'warn', detail, 'a voter is catching up with the leader: run kafka-setup verify again in a moment');
  return check(id, title, 'pass', detail);
}

/** The cluster's quorum check, ZooKeeper's or KRaft's, from the hosts' answers. */
function quorumCheck(said: ReadonlyArray<{ host: string; said: QuorumAnswer }>, members: readonly SavedMember[]): CheckResult {
  const kraft = said.flatMap(({ host, said: s }) => ('kraft' in s ? [{ host, quorum: s.kraft }] : []));
  if (kraft.length > 0) return controllerQuorumCheck(kraft, members.map(brokerOf));
  return ensembleCheck(said.flatMap(({ host, said: s }) => ('zk' in s ? [{ host, zk: s.zk }] : [])));
}

/** A member's broker.id: the saved one, else its id (profiles from before a single server could join). */
const brokerOf = (m: SavedMember): number => m.brokerId ?? m.id;

/** Topics with fewer copies than the cluster keeps (a single server's, from before it grew): not highly available. */
export function copiesCheck(topics: ReadonlyArray<{ name: string; replicas: number }>, factor: number): CheckResult {
  const thin = topics.filter((t) => t.replicas < factor).sort((a, b) => a.name.localeCompare(b.name));
  const title = `Every topic has ${factor} replicas`;
  if (thin.length === 0) return check('copies', title, 'pass', topics.length === 0 ? 'no topics yet' : `all ${topics.length} topics`);
  const named =
    thin
      .slice(0, 5)
      .map((t) => `${t.name} (${t.replicas})`)
      .join(', ') + (thin.length > 5 ? `, and ${thin.length - 5} more` : '');
  return check(
    'copies',
    title,
    'warn',
    `${thin.length} of ${topics.length} topics have fewer: ${named}; a broker that holds their only copy takes them down with it`,
    'topics made before the cluster grew keep their replicas: add replicas with kafka-reassign-partitions.sh (README: "From one server to a cluster")',
  );
}

export async function verifyCluster(flags: VerifyFlags, members: readonly SavedMember[], io: CommandIO): Promise<number> {
  const interactive = !flags.json && isInteractive(flags.interactive);
  io.reporter.info(
    `kafka-setup verify: the cluster of profile "${flags.profile ?? 'default'}", ${members.length} hosts (${members.map((m) => m.host).join(', ')})`,
  );
  const checks: CheckResult[] = [];
  const said: Array<{ host: string; said: QuorumAnswer }> = [];
  let first: Awaited<ReturnType<typeof resolveVerifyOptions>> | undefined;
  for (const m of members) {
    const label = memberLabel(m, members);
    const reporter = io.reporter.labelled(label);
    const o = await resolveVerifyOptions(
      { ...flags, ...memberFlags(m) },
      { prompter: interactive ? io.prompter() : undefined, env: io.env, warn: (w) => reporter.warn(w) },
    );
    first ??= o;
    const show = (c: CheckResult): void => {
      checks.push({ ...c, title: `${label}: ${c.title}` });
      reporter.check(c);
    };
    await onHost(o, { ...io, reporter }, show, (s) => said.push({ host: label, said: s }));
  }
  const show = (c: CheckResult): void => {
    checks.push(c);
    io.reporter.check(c);
  };
  if (said.length > 0) show(quorumCheck(said, members));
  const o = first!;
  // Asked of the first broker that accepts a connection: one that is down must not hide the others.
  let bootstrap = o.bootstrap;
  for (const m of members) {
    const b = { host: m.advertisedHost, port: o.bootstrap.port };
    if ((await tcpConnect(b.host, b.port, Math.min(o.timeoutMs, 3000))).ok) {
      bootstrap = b;
      break;
    }
  }
  const broker = await brokerChecks({
    ...bootstrap,
    timeoutMs: o.timeoutMs,
    roundtrip: o.roundtrip,
    replication: replication(members.length).factor,
    onCheck: show,
    privatePort: modeOf(o.dist).privatePort,
    namesController: modeOf(o.dist).metadataNamesController,
    ...(io.debug ? { log: (l: string) => io.reporter.verbose(l) } : {}),
  });
  const answer = broker.answer;
  if (answer) {
    const listed = new Set(answer.brokers.map((b) => b.nodeId));
    const missing = members.filter((m) => !listed.has(brokerOf(m)));
    show(
      missing.length === 0
        ? check('registered', 'Every broker registered', 'pass', `brokers ${members.map(brokerOf).join(', ')} in the metadata`)
        : check(
            'registered',
            'Every broker registered',
            'fail',
            `missing: ${missing.map((m) => `broker ${brokerOf(m)} (${m.host})`).join(', ')}`,
            `start it: kafka-setup start --host ${missing[0]!.host} (kafka-setup logs broker --host ${missing[0]!.host} shows why it stopped)`,
          ),
    );
    show(
      answer.underReplicated === 0
        ? check(
            'replicated',
            'No under-replicated partitions',
            'pass',
            answer.partitions === 0 ? 'no partitions yet (no topic)' : `all ${answer.partitions} partitions have every replica in sync`,
          )
        : check(
            'replicated',
            'No under-replicated partitions',
            'fail',
            `${answer.underReplicated} of ${answer.partitions} partitions have replicas out of sync (or no leader)`,
            'a broker is down or catching up: wait and run verify again, or start the missing broker; until then acks=all producers may fail (min.insync.replicas)',
          ),
    );
    show(copiesCheck(replicasByTopic(answer.assignment), replication(members.length).factor));
  } else {
    for (const [id, title] of [
      ['registered', 'Every broker registered'],
      ['replicated', 'No under-replicated partitions'],
    ] as const) {
      show(
        check(
          id,
          title,
          'fail',
          'no broker of the cluster answered from here',
          'kafka-setup status shows which JVMs run; start them with kafka-setup start',
        ),
      );
    }
  }
  return verdict(io, o.json, checks, broker, {
    cluster: members.map((m) => ({ id: brokerOf(m), host: m.host })),
    bootstrap: `${bootstrap.host}:${bootstrap.port}`,
  });
}
