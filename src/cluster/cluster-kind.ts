/**
 * How a cluster of each kind of quorum is operated, as values the day-two commands ask for. KRaft
 * nodes start and stop all at once: a node's start waits for a majority of controllers, and its
 * controlled shutdown needs one, so a node stopped after the others would wait out its stop timeout
 * for a quorum already gone. So the nodes that only observe the quorum stop first, all at once, and the
 * controllers after them, all at once. ZooKeeper's and the brokers go one host at a time, in the mode's order.
 */
import type { HostFacts } from '../host/facts.js';
import type { KafkaMode } from '../kafka/mode.js';
import { votingServers } from './kraft-members.js';

export interface ClusterKind {
  /** The JVMs of every host start and stop at once. */
  together: boolean;
  /** A node's status says where it stands in the quorum (DescribeQuorum). */
  describesQuorum: boolean;
  /** How start, stop and uninstall go, as the command says before it begins. */
  order: { start: string; stop: string; uninstall: string };
  /** The hosts (indexes) in the waves they stop in: each wave's hosts at once, one wave after another. */
  stopWaves(facts: readonly HostFacts[]): number[][];
  /**
   * Which hosts vote in a quorum their own controlled shutdown needs (KRaft's controllers); undefined
   * where none does (3.x: a broker's controlled shutdown needs ZooKeeper, which stops after it).
   */
  shutdownVoters(facts: readonly HostFacts[]): boolean[] | undefined;
}

const oneByOne = (facts: readonly HostFacts[]): number[][] => facts.map((_, i) => [i]);

/** Observers, then controllers: an observer's controlled shutdown needs the controllers still there. */
function observersThenControllers(facts: readonly HostFacts[]): number[][] {
  const voting = votingServers(facts);
  const all = facts.map((_, i) => i);
  return [all.filter((i) => !voting[i]), all.filter((i) => voting[i])].filter((wave) => wave.length > 0);
}

const KINDS: Record<KafkaMode['clusterQuorum'], ClusterKind> = {
  ensemble: {
    together: false,
    describesQuorum: false,
    order: { start: 'every ZooKeeper, then every broker', stop: 'every broker, then every ZooKeeper', uninstall: 'one host after another' },
    stopWaves: oneByOne,
    shutdownVoters: () => undefined,
  },
  controllers: {
    together: true,
    describesQuorum: true,
    order: {
      start: 'every node at once (each waits for a majority of controllers)',
      stop: "every node at once, the quorum's observers before its controllers (a node's controlled shutdown needs the quorum)",
      uninstall: "every node at once, the quorum's observers before its controllers (a node's controlled shutdown needs the quorum)",
    },
    stopWaves: observersThenControllers,
    shutdownVoters: votingServers,
  },
};

export function clusterKind(mode: Pick<KafkaMode, 'clusterQuorum'>): ClusterKind {
  return KINDS[mode.clusterQuorum];
}

/** `work` for each of these at once; the first failure is thrown once all have ended. */
export async function together<T>(which: readonly T[], work: (x: T, i: number) => Promise<void>): Promise<void> {
  const settled = await Promise.allSettled(which.map(work));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
