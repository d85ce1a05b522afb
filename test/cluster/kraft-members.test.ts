import { describe, expect, it } from 'vitest';
import { clusterKind } from '../../src/cluster/cluster-kind.js';
import { membershipOf } from '../../src/cluster/cluster-membership.js';
import {
  anyKraftMember,
  clusterIdOf,
  kraftBootstrap,
  kraftMemberIds,
  kraftNode,
  kraftVoters,
  quorumFormed,
  votingServers,
} from '../../src/cluster/kraft-members.js';
import { UsageError, UserError } from '../../src/errors.js';
import type { HostFacts } from '../../src/host/facts.js';
import { directoryIdOf } from '../../src/kafka/kraft-quorum.js';
import { KRAFT_MODE } from '../../src/kafka/mode.js';

const HOME = '/home/ec2-user';
const LOGS = `${HOME}/kafka-data/kafka-logs`;
const A = 'tvz45AyKhMRbOhpz8_5ovg';
const B = 'MkU3OEVBNTcwNTJENDM2Qk';
const QUORUM = 'controller.quorum.bootstrap.servers=10.0.0.1:9094,10.0.0.2:9094,10.0.0.3:9094\n';
const file = (content: string | undefined) => ({ path: '', content, mtime: undefined, backup: false });

/** A probed host as the KRaft membership reads it: its address, config, formatted storage, kept id, a running node. */
function node(
  address: string,
  o: {
    id?: number;
    config?: string;
    formatted?: { nodeId: number; clusterId: string; directoryId?: string; voterDirectoryId?: string };
    kept?: string;
    running?: boolean;
  } = {},
): HostFacts {
  const config = o.config ?? (o.id === undefined ? undefined : `process.roles=broker,controller\nnode.id=${o.id}\n${QUORUM}`);
  return {
    serverAddress: address,
    install: { path: `${HOME}/kafka_2.13-4.4.0` },
    files: { 'server.properties': file(config), 'zookeeper.properties': file(undefined), myid: file(undefined) },
    dataDirs: new Map(
      o.formatted ? [[LOGS, { path: LOGS, state: 'data', kib: 1, device: '1', format: { version: 1, ...o.formatted } }]] : [],
    ),
    keptClusterId: o.kept ?? o.formatted?.clusterId,
    jvms: o.running
      ? [{ pid: 100, started: 1, mainClass: 'kafka.Kafka', args: `${HOME}/kafka_2.13-4.4.0/config/server.properties`, cwd: undefined }]
      : [],
  } as unknown as HostFacts;
}
/** A single server's node (formatted --standalone: a directory id of its own; its controller on the loopback). */
const STANDALONE = 'SSSSSSSSSSSSSSSSSSSSSS';
const single = (address: string, running = true) =>
  node(address, {
    config: 'process.roles=broker,controller\nnode.id=1\ncontroller.quorum.bootstrap.servers=127.0.0.1:9094\n',
    formatted: { nodeId: 1, clusterId: A, directoryId: STANDALONE },
    running,
  });
const hosts = (...labels: string[]) => labels.map((label) => ({ label, savedId: undefined }));
/** A first voter's node: formatted with the others (--initial-controllers), under its derived directory id. */
const formatted = (address: string, id: number, running = true, clusterId = A) =>
  node(address, { id, formatted: { nodeId: id, clusterId, directoryId: directoryIdOf(clusterId, id) }, running });

describe("a KRaft cluster's node ids, from the servers", () => {
  it('fresh hosts are numbered in order; nothing is a member yet', () => {
    const fresh = [node('10.0.0.1'), node('10.0.0.2'), node('10.0.0.3')];
    expect(kraftMemberIds(hosts('a', 'b', 'c'), fresh)).toEqual([1, 2, 3]);
    expect(anyKraftMember(fresh)).toBe(false);
  });

  it('a node keeps the id of its formatted storage whatever the --host order, profile or config says', () => {
    const servers = [
      formatted('10.0.0.3', 3),
      formatted('10.0.0.2', 2),
      node('10.0.0.1', {
        config: `process.roles=broker,controller\nnode.id=7\n${QUORUM}`,
        formatted: { nodeId: 1, clusterId: A },
        running: true,
      }),
    ];
    const saved = [
      { id: 3, host: 'c', user: 'u', port: 22, advertisedHost: 'c' },
      { id: 1, host: 'b', user: 'u', port: 22, advertisedHost: 'b' },
      { id: 2, host: 'a', user: 'u', port: 22, advertisedHost: 'a' },
    ];
    expect(
      kraftMemberIds(
        [
          { label: 'c', savedId: 1 },
          { label: 'b', savedId: 2 },
          { label: 'a', savedId: 3 },
        ],
        servers,
        saved,
      ),
    ).toEqual([3, 2, 1]);
    expect(anyKraftMember(servers)).toBe(true);
  });

  it('a run stopped between two formats: the unformatted nodes keep the ids their configs were written with', () => {
    const servers = [node('10.0.0.3', { id: 3 }), node('10.0.0.2', { id: 2, kept: A }), formatted('10.0.0.1', 1, false)];
    expect(kraftMemberIds(hosts('c', 'b', 'a'), servers)).toEqual([3, 2, 1]);
    expect(clusterIdOf(hosts('c', 'b', 'a'), servers.map(kraftNode), B)).toBe(A);
  });

  it('refuses a member left out, two nodes with one id, and a voter that lost its storage and its config beside a quorum that runs', () => {
    expect(() => kraftMemberIds(hosts('a', 'b'), [formatted('10.0.0.1', 1), formatted('10.0.0.2', 2)])).toThrow(UsageError);
    expect(() => kraftMemberIds(hosts('a', 'b'), [formatted('10.0.0.1', 1), formatted('10.0.0.2', 2)])).toThrow(
      /a's config lists a controller at 10.0.0.3, which is not among the hosts given/,
    );
    expect(() =>
      kraftMemberIds(hosts('a', 'b', 'c'), [formatted('10.0.0.1', 1), formatted('10.0.0.2', 1), formatted('10.0.0.3', 3)]),
    ).toThrow(/a and b are both KRaft node 1/);
    // Without its config, the id the quorum knows it by is gone too: not guessed.
    const bare = [formatted('10.0.0.1', 1), formatted('10.0.0.2', 2), node('10.0.0.3')];
    expect(() => kraftMemberIds(hosts('a', 'b', 'c'), bare)).toThrow(
      /c has neither KRaft storage nor a cluster config, yet the cluster's quorum runs and names it as a voter/,
    );
  });

  it('a voter that lost its storage beside a quorum that runs keeps its id and its vote; the quorum is formed, so it joins it', () => {
    const wiped = [formatted('10.0.0.1', 1), formatted('10.0.0.2', 2), node('10.0.0.3', { id: 3 })];
    expect(kraftMemberIds(hosts('a', 'b', 'c'), wiped)).toEqual([1, 2, 3]);
    expect(kraftVoters(wiped, [1, 2, 3])).toEqual([1, 2, 3]);
    expect(quorumFormed(wiped)).toBe(true);
    // Nothing runs: a first init stopped between two formats (the rest formatted as first voters).
    const stopped = [formatted('10.0.0.1', 1, false), formatted('10.0.0.2', 2, false), node('10.0.0.3', { id: 3 })];
    expect(quorumFormed(stopped)).toBe(false);
  });

  it("refuses a single server beside another cluster's members whose configs do not name it", () => {
    const quorum = 'controller.quorum.bootstrap.servers=10.0.0.2:9094,10.0.0.3:9094,10.0.0.4:9094\n';
    const other = [2, 3, 4].map((id) =>
      node(`10.0.0.${id}`, {
        config: `process.roles=broker,controller\nnode.id=${id}\n${quorum}`,
        formatted: { nodeId: id, clusterId: A, directoryId: directoryIdOf(A, id) },
        running: true,
      }),
    );
    expect(() => kraftMemberIds(hosts('a', 'b', 'c', 'd'), [single('10.0.0.1'), ...other])).toThrow(
      /a runs Kafka 4 as a single server, and the other hosts are already members of a cluster whose controllers do not include it/,
    );
  });

  it("a config's quorum is read as hostile: entries that are no address or host name are left out", () => {
    const odd = node('10.0.0.1', {
      config:
        'process.roles=broker,controller\nnode.id=1\ncontroller.quorum.bootstrap.servers=10.0.0.1:9094,\u001b[31mevil:9094,[::1:9094,10.0.0.2:9094\n',
    });
    expect(kraftNode(odd).peers).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(kraftNode(odd).configuredId).toBe(1);
  });

  it('a saved member not given and not found among the servers is refused', () => {
    const saved = [
      { id: 1, host: 'a', user: 'u', port: 22, advertisedHost: 'a' },
      { id: 2, host: 'b', user: 'u', port: 22, advertisedHost: 'b' },
    ];
    expect(() =>
      kraftMemberIds(
        [
          { label: 'a', savedId: 1 },
          { label: 'x', savedId: undefined },
        ],
        [node('10.0.0.1'), node('10.0.0.9')],
        saved,
      ),
    ).toThrow(/b is a member of the saved cluster but not given/);
  });
});

describe("a KRaft cluster's voters", () => {
  it('a new cluster: all of up to three, then three, five from five on', () => {
    const fresh = (n: number) => Array.from({ length: n }, (_, i) => node(`10.0.0.${i + 1}`));
    expect(kraftVoters(fresh(3), [1, 2, 3])).toEqual([1, 2, 3]);
    expect(kraftVoters(fresh(4), [4, 3, 2, 1])).toEqual([1, 2, 3]);
    expect(kraftVoters(fresh(5), [1, 2, 3, 4, 5])).toEqual([1, 2, 3, 4, 5]);
    expect(kraftVoters(fresh(7), [1, 2, 3, 4, 5, 6, 7])).toEqual([1, 2, 3, 4, 5]);
  });

  it('a cluster that grows keeps its voters: the new node joins as a broker observing the quorum, whatever the --host order', () => {
    const grown = [node('10.0.0.4'), formatted('10.0.0.3', 3), formatted('10.0.0.1', 1), formatted('10.0.0.2', 2)];
    const ids = kraftMemberIds(hosts('d', 'c', 'a', 'b'), grown);
    expect(ids).toEqual([4, 3, 1, 2]);
    expect(kraftVoters(grown, ids)).toEqual([1, 2, 3]);
    // Its config written, its storage not yet: it is still not a voter (its config does not name itself).
    const observer = node('10.0.0.4', { id: 4 });
    expect(kraftVoters([formatted('10.0.0.1', 1), formatted('10.0.0.2', 2), formatted('10.0.0.3', 3), observer], [1, 2, 3, 4])).toEqual([
      1, 2, 3,
    ]);
  });
});

describe('a KRaft cluster grown to five servers: five voters, the first three named by every config', () => {
  const D = 'DDDDDDDDDDDDDDDDDDDDDD';
  const E = 'EEEEEEEEEEEEEEEEEEEEEE';
  const observer = (address: string, id: number, voter?: string) =>
    node(address, { id, formatted: { nodeId: id, clusterId: A, directoryId: voter ?? D, voterDirectoryId: voter }, running: true });
  const first = () => [formatted('10.0.0.1', 1), formatted('10.0.0.2', 2), formatted('10.0.0.3', 3)];

  it('a fifth server: the two observers with the lowest ids are to vote; the configs keep naming the first three', () => {
    const five = [...first(), observer('10.0.0.4', 4), node('10.0.0.5')];
    const ids = kraftMemberIds(hosts('a', 'b', 'c', 'd', 'e'), five);
    expect(ids).toEqual([1, 2, 3, 4, 5]);
    expect(kraftVoters(five, ids)).toEqual([1, 2, 3, 4, 5]);
    expect(kraftBootstrap(five, ids)).toEqual([1, 2, 3]);
    // The servers say who votes now: the fourth node not yet.
    expect(votingServers(five)).toEqual([true, true, true, false, false]);
  });

  it('once the quorum took them, their storage says so: they vote, whatever the --host order; a sixth server observes', () => {
    const six = [node('10.0.0.6'), observer('10.0.0.5', 5, E), ...first(), observer('10.0.0.4', 4, D)];
    const ids = kraftMemberIds(hosts('f', 'e', 'a', 'b', 'c', 'd'), six);
    expect(ids).toEqual([6, 5, 1, 2, 3, 4]);
    expect(kraftVoters(six, ids)).toEqual([1, 2, 3, 4, 5]);
    expect(kraftBootstrap(six, ids)).toEqual([1, 2, 3]);
    expect(votingServers(six)).toEqual([false, true, true, true, true, true]);
    expect(clusterKind({ clusterQuorum: 'controllers' }).stopWaves(six)).toEqual([[0], [1, 2, 3, 4, 5]]);
  });

  it('the run that adds voters says so once, with what the quorum then survives; the next run says nothing', () => {
    const five = [...first(), observer('10.0.0.4', 4), node('10.0.0.5')];
    const ids = [1, 2, 3, 4, 5];
    const view = {
      self: 1,
      members: ids.map((id) => ({ id, brokerId: id, address: `10.0.0.${id}` })),
      voters: kraftVoters(five, ids),
      controllers: kraftBootstrap(five, ids),
      quorumFormed: quorumFormed(five),
    };
    const kraft = membershipOf(KRAFT_MODE);
    expect(kraft.note(five, view)).toBe(
      'nodes 4 and 5 join the controller quorum as voters once started (add-controller), one at a time: 5 voters, so the quorum survives 2 servers down',
    );
    const taken = [...first(), observer('10.0.0.4', 4, D), observer('10.0.0.5', 5, E)];
    expect(kraft.note(taken, view)).toBeUndefined();
  });

  it('an added voter that lost its storage (and with it what the quorum took): the lowest observer is to vote again, its own id first', () => {
    const five = [...first(), node('10.0.0.4', { id: 4 }), observer('10.0.0.5', 5, E)];
    expect(kraftVoters(five, kraftMemberIds(hosts('a', 'b', 'c', 'd', 'e'), five))).toEqual([1, 2, 3, 4, 5]);
  });

  it('an added voter that lost its storage beside an observer with a lower id: its own place comes back to it, not to the observer', () => {
    // Voters 1, 2, 3 (first), 5 and 6 (added); node 4 observes; node 6 lost its storage, its config kept.
    const six = [...first(), observer('10.0.0.4', 4), observer('10.0.0.5', 5, E), node('10.0.0.6', { id: 6 })];
    expect(kraftVoters(six, kraftMemberIds(hosts('a', 'b', 'c', 'd', 'e', 'f'), six))).toEqual([1, 2, 3, 5, 6]);
  });
});

describe('a single KRaft server becomes the first member of a cluster', () => {
  const three = () => [single('10.0.0.1'), node('10.0.0.2'), node('10.0.0.3')];

  it('keeps its node id, cluster id and quorum: it votes, the new nodes join that quorum and take their votes once started', () => {
    const servers = three();
    expect(kraftNode(servers[0]!).single).toBe(true);
    const ids = kraftMemberIds(hosts('a', 'b', 'c'), servers);
    expect(ids).toEqual([1, 2, 3]);
    expect(clusterIdOf(hosts('a', 'b', 'c'), servers.map(kraftNode), B)).toBe(A);
    expect(kraftVoters(servers, ids)).toEqual([1, 2, 3]);
    // No config names controllers yet: the first voters are written (controllerBootstrap's default).
    expect(kraftBootstrap(servers, ids)).toBeUndefined();
    expect(votingServers(servers)).toEqual([true, false, false]);
    // Its storage says the quorum exists, running or not: the new nodes are never formatted as first voters.
    expect(quorumFormed(servers)).toBe(true);
    expect(quorumFormed([single('10.0.0.1', false), node('10.0.0.2'), node('10.0.0.3')])).toBe(true);
    expect(anyKraftMember(servers)).toBe(false);
    // The new nodes start after its restart; it starts (or restarts) first.
    expect(servers.map((_, i) => membershipOf(KRAFT_MODE).joinsSeeded(servers, i))).toEqual([false, true, true]);
  });

  it('its id is a voter whatever the others are numbered', () => {
    const servers = [node('10.0.0.2'), single('10.0.0.1'), node('10.0.0.3'), node('10.0.0.4')];
    expect(kraftVoters(servers, [0, 1, 2, 3])).toEqual([0, 1, 2]);
    expect(kraftVoters(servers, [7, 9, 2, 3])).toEqual([2, 3, 9]);
  });

  it('the run says once that it restarts into the cluster and that the new nodes take their votes', () => {
    const servers = three();
    const ids = [1, 2, 3];
    const view = {
      self: 1,
      members: ids.map((id) => ({ id, brokerId: id, address: `10.0.0.${id}` })),
      voters: kraftVoters(servers, ids),
      quorumFormed: quorumFormed(servers),
    };
    expect(membershipOf(KRAFT_MODE).note(servers, view)).toBe(
      "node 1, a single server until now, restarts once into the cluster's config (its controller moves off the loopback to its private address), so its clients lose it for a few seconds; the new nodes start after it; " +
        'nodes 2 and 3 join the controller quorum as voters once started (add-controller), one at a time: 3 voters, so the quorum survives 1 server down',
    );
  });

  it('a run stopped midway (configs written, the new nodes not formatted): nothing is taken for a lost voter; the next run goes on', () => {
    const rewritten = node('10.0.0.1', { id: 1, formatted: { nodeId: 1, clusterId: A, directoryId: STANDALONE }, running: true });
    const midway = [rewritten, node('10.0.0.2', { id: 2 }), node('10.0.0.3')];
    expect(kraftMemberIds(hosts('a', 'b', 'c'), midway)).toEqual([1, 2, 3]);
    expect(quorumFormed(midway)).toBe(true);
    expect(kraftBootstrap(midway, [1, 2, 3])).toEqual([1, 2, 3]);
    // Once grown, every controller's storage says it votes: a node that lost storage and config is refused.
    const voted = (address: string, id: number, dir: string) =>
      node(address, { id, formatted: { nodeId: id, clusterId: A, directoryId: dir, voterDirectoryId: dir }, running: true });
    const grown = [voted('10.0.0.1', 1, STANDALONE), voted('10.0.0.2', 2, 'BBBBBBBBBBBBBBBBBBBBBB'), node('10.0.0.3')];
    expect(() => kraftMemberIds(hosts('a', 'b', 'c'), grown)).toThrow(/c has neither KRaft storage nor a cluster config/);
  });
});

describe("a KRaft cluster's one id", () => {
  it("the formatted nodes' id, else the kept one, else the run's new one", () => {
    expect(clusterIdOf(hosts('a', 'b'), [node('10.0.0.1'), node('10.0.0.2')].map(kraftNode), B)).toBe(B);
    expect(clusterIdOf(hosts('a', 'b'), [node('10.0.0.1', { kept: A }), node('10.0.0.2')].map(kraftNode), B)).toBe(A);
  });

  it('refuses nodes formatted for different clusters, and different kept ids', () => {
    const two = [formatted('10.0.0.1', 1, true, A), formatted('10.0.0.2', 2, true, B)].map(kraftNode);
    expect(() => clusterIdOf(hosts('a', 'b'), two, 'x')).toThrow(UserError);
    expect(() => clusterIdOf(hosts('a', 'b'), two, 'x')).toThrow(
      new RegExp(`the nodes are formatted for different clusters: a for ${A}, b for ${B}`),
    );
    expect(() => clusterIdOf(hosts('a', 'b'), [node('10.0.0.1', { kept: A }), node('10.0.0.2', { kept: B })].map(kraftNode), 'x')).toThrow(
      /keep different KRaft cluster ids/,
    );
  });
});

describe('the order a KRaft cluster stops in', () => {
  const kraft = clusterKind({ clusterQuorum: 'controllers' });

  it('three voters: one wave, all at once', () => {
    const servers = [formatted('10.0.0.1', 1), formatted('10.0.0.2', 2), formatted('10.0.0.3', 3)];
    expect(votingServers(servers)).toEqual([true, true, true]);
    expect(kraft.stopWaves(servers)).toEqual([[0, 1, 2]]);
  });

  it('a fourth node observing the quorum stops before the controllers, wherever it is in the profile', () => {
    const servers = [formatted('10.0.0.9', 4), formatted('10.0.0.1', 1), formatted('10.0.0.2', 2), formatted('10.0.0.3', 3)];
    expect(votingServers(servers)).toEqual([false, true, true, true]);
    expect(kraft.stopWaves(servers)).toEqual([[0], [1, 2, 3]]);
  });

  it('nodes whose configs name no quorum (nothing installed yet) stop in the first wave; ZooKeeper clusters one host at a time', () => {
    const servers = [node('10.0.0.1'), node('10.0.0.2')];
    expect(kraft.stopWaves(servers)).toEqual([[0, 1]]);
    expect(clusterKind({ clusterQuorum: 'ensemble' }).stopWaves(servers)).toEqual([[0], [1]]);
  });
});
