import { describe, expect, it } from 'vitest';
import { Meeting, Turn } from '../../src/cluster/meeting-points.js';
import { brokerIdsOf, joinsSeeded } from '../../src/cluster/zookeeper-membership.js';
import { viewOf } from '../../src/commands/init-cluster.js';
import { UserError } from '../../src/errors.js';
import { replication } from '../../src/kafka/cluster.js';
import { clusterHosts, memberLabel, savedClusterProblem, savedMemberFor } from '../../src/options/cluster-options.js';
import { memberData } from '../../src/steps/member-data.js';

import { facts, HOME, SINGLE } from '../support/cluster-facts.js';

describe('the hosts of a cluster', () => {
  it('takes [user@]host[:port] each, numbered in order', () => {
    expect(clusterHosts(['admin@10.0.0.1', '10.0.0.2:2222', 'ubuntu@[2001:db8::3]:22'], [], undefined)).toEqual([
      { savedId: undefined, brokerId: undefined, host: '10.0.0.1', user: 'admin', port: undefined, advertisedHost: undefined },
      { savedId: undefined, brokerId: undefined, host: '10.0.0.2', user: undefined, port: 2222, advertisedHost: undefined },
      { savedId: undefined, brokerId: undefined, host: '2001:db8::3', user: 'ubuntu', port: 22, advertisedHost: undefined },
    ]);
  });

  it('names the saved member each host is; a member left out is judged once the servers are asked', () => {
    const saved = [
      { id: 1, host: 'a', user: 'admin', port: 22, advertisedHost: 'a.example.com' },
      { id: 2, host: 'b', user: 'admin', port: 22, advertisedHost: 'b' },
    ];
    expect(clusterHosts(['b', 'a', 'c'], [], saved).map((h) => [h.host, h.savedId, h.user, h.advertisedHost])).toEqual([
      ['b', 2, 'admin', 'b'],
      ['a', 1, 'admin', 'a.example.com'],
      ['c', undefined, undefined, undefined],
    ]);
    expect(clusterHosts(['a', 'c'], [], saved).map((h) => h.savedId)).toEqual([1, undefined]);
    expect(clusterHosts([], [], saved).map((h) => h.host)).toEqual(['a', 'b']);
  });

  it('members sharing an address are told apart by their SSH port (as behind one NAT)', () => {
    const saved = [
      { id: 1, host: 'h', user: 'a', port: 2201, advertisedHost: '10.0.0.1' },
      { id: 2, host: 'h', user: 'b', port: 2202, advertisedHost: '10.0.0.2' },
    ];
    expect(clusterHosts(['h:2202', 'h:2201'], [], saved).map((x) => [x.savedId, x.user, x.advertisedHost])).toEqual([
      [2, 'b', '10.0.0.2'],
      [1, 'a', '10.0.0.1'],
    ]);
    expect(savedMemberFor(saved, 'H', 2202)?.id).toBe(2);
    expect(savedMemberFor(saved, 'h', undefined)).toBeUndefined();
    expect(memberLabel(saved[0]!, saved)).toBe('h:2201');
  });

  it('advertised addresses: HOST=ADDRESS, or one per host in order; anything else is a usage error', () => {
    expect(clusterHosts(['a', 'b'], ['b=kafka-b.example.com'], undefined).map((h) => h.advertisedHost)).toEqual([
      undefined,
      'kafka-b.example.com',
    ]);
    expect(clusterHosts(['a', 'b'], ['pa', 'pb'], undefined).map((h) => h.advertisedHost)).toEqual(['pa', 'pb']);
    expect(() => clusterHosts(['a', 'b'], ['pa'], undefined)).toThrow(/given 1 time for 2 hosts/);
    expect(() => clusterHosts(['a', 'b'], ['z=pz'], undefined)).toThrow(/z is not one of the --host values/);
    expect(() => clusterHosts(['a', 'b'], ['a=bad host'], undefined)).toThrow(UserError);
  });

  it('refuses a host given twice and a host that is not one', () => {
    expect(() => clusterHosts(['a', 'A'], [], undefined)).toThrow(/given twice/);
    expect(() => clusterHosts(['a', 'b;reboot'], [], undefined)).toThrow(/--host b;reboot/);
  });

  it('a damaged saved cluster is named', () => {
    expect(savedClusterProblem([{ id: 1, host: 'a', user: 'u', port: 22, advertisedHost: 'a' }])).toMatch(/not a list of hosts/);
    expect(
      savedClusterProblem([
        { id: 0, host: 'a', user: 'u', port: 22, advertisedHost: 'a' },
        { id: 2, host: 'b', user: 'u', port: 22, advertisedHost: 'b' },
      ]),
    ).toMatch(/\{id, host/);
    expect(savedClusterProblem(undefined)).toBeUndefined();
  });
});

describe('the cluster view', () => {
  const members = [
    { savedId: undefined, label: 'a' },
    { savedId: undefined, label: 'b' },
  ];
  it('each member at the address its sshd was reached on', () => {
    expect(viewOf(members, [facts('10.0.0.1'), facts('10.0.0.2')], 1)).toEqual({
      self: 2,
      members: [
        { id: 1, brokerId: 1, address: '10.0.0.1' },
        { id: 2, brokerId: 2, address: '10.0.0.2' },
      ],
    });
  });
  it('refuses two members at one address, and a member that did not tell', () => {
    expect(() => viewOf(members, [facts('10.0.0.1'), facts('10.0.0.1')], 0)).toThrow(/a and b were both reached at 10.0.0.1/);
    expect(() => viewOf(members, [facts('10.0.0.1'), facts(undefined)], 0)).toThrow(/b did not tell the address/);
  });
  it('a single server with data keeps its broker.id; the others are numbered around it', () => {
    const three = [
      { savedId: undefined, label: 'a' },
      { savedId: undefined, label: 'b' },
      { savedId: undefined, label: 'c' },
    ];
    const ids = [
      { id: 1, label: 'a' },
      { id: 2, label: 'b' },
      { id: 3, label: 'c' },
    ];
    const seed = facts('10.0.0.1', { data: SINGLE, meta: { [`${HOME}/kafka-data/kafka-logs`]: 0 } });
    expect(viewOf(three, [seed, facts('10.0.0.2'), facts('10.0.0.3')], 0).members.map((m) => [m.id, m.brokerId])).toEqual([
      [1, 0],
      [2, 2],
      [3, 3],
    ]);
    // Data under an id another member would take: that member gets the next free one.
    const two = facts('10.0.0.2', { data: SINGLE, meta: { [`${HOME}/kafka-data/kafka-logs`]: 2 } });
    expect(viewOf(three, [facts('10.0.0.1'), two, facts('10.0.0.3')], 0).members.map((m) => m.brokerId)).toEqual([1, 2, 3]);
    expect(brokerIdsOf(ids, [memberData(facts('x')), memberData(facts('y')), memberData(two)])).toEqual([1, 3, 2]);
    // The data's own id rules over server.properties and the saved one.
    const moved = facts('10.0.0.1', { data: SINGLE, server: 'broker.id=7\n', meta: { [`${HOME}/kafka-data/kafka-logs`]: 5 } });
    expect(brokerIdsOf([{ id: 1, label: 'a', brokerId: 9 }], [memberData(moved)])).toEqual([5]);
    // Saved ids stand for members without data (a re-run before their broker first started).
    expect(
      brokerIdsOf(
        [
          { id: 1, label: 'a', brokerId: 0 },
          { id: 2, label: 'b' },
        ],
        [memberData(facts('x')), memberData(facts('y'))],
      ),
    ).toEqual([0, 2]);
  });
  it("refuses the data of two clusters, and two brokers' data under one id", () => {
    const three = [
      { savedId: undefined, label: 'a' },
      { savedId: undefined, label: 'b' },
      { savedId: undefined, label: 'c' },
    ];
    const single = (a: string) => facts(a, { data: SINGLE });
    expect(() => viewOf(three, [single('10.0.0.1'), single('10.0.0.2'), facts('10.0.0.3')], 0)).toThrow(
      /a and b each hold ZooKeeper data of their own \(single servers\)/,
    );
    const member = facts('10.0.0.2', { data: SINGLE, zk: 'server.2=10.0.0.2:2888:3888\n', myid: '2\n' });
    expect(() => viewOf(three, [single('10.0.0.1'), member, facts('10.0.0.3')], 0)).toThrow(
      /a and b each hold ZooKeeper data of their own \(a single server and a cluster's members\)/,
    );
    const brokerOnly = (a: string, id: number) =>
      facts(a, { data: [`${HOME}/kafka-data/kafka-logs`], zk: `server.${id}=${a}:2888:3888\n` });
    expect(() => viewOf(three, [brokerOnly('10.0.0.1', 1), brokerOnly('10.0.0.2', 2), facts('10.0.0.3')], 0)).toThrow(
      /the brokers of a and b both hold data as broker.id 0/,
    );
    const generated = facts('10.0.0.1', { data: [`${HOME}/kafka-data/kafka-logs`], server: 'broker.id=-1\n' });
    expect(() => viewOf(three, [generated, facts('10.0.0.2'), facts('10.0.0.3')], 0)).toThrow(
      /a's broker holds data under a broker.id it generated itself/,
    );
  });
  it('ZooKeepers without a database start after those with one, one by one, where they alone would be a quorum', () => {
    const data = [facts('a', { data: SINGLE }), facts('b'), facts('c')];
    expect([0, 1, 2].map((i) => joinsSeeded(data, i))).toEqual([false, true, true]);
    expect([0, 1].map((i) => joinsSeeded([facts('a'), facts('b')], i))).toEqual([false, false]);
    // Growing: the members with data are at least half, so every quorum holds one; the new start beside the restarts.
    const member = (a: string) => facts(a, { data: SINGLE, zk: 'server.1=x:2888:3888\n' });
    expect([0, 1, 2, 3].map((i) => joinsSeeded([member('a'), member('b'), member('c'), facts('d')], i))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect([0, 1].map((i) => joinsSeeded([facts('a', { data: SINGLE }), facts('b')], i))).toEqual([false, false]);
    expect([0, 1, 2, 3].map((i) => joinsSeeded([member('a'), facts('b'), facts('c'), facts('d')], i))).toEqual([false, true, true, true]);
    // A myid alone is no database: a member whose first start failed is still fresh.
    const myidOnly = facts('a', { data: [`${HOME}/kafka-data/zookeeper`] });
    expect(memberData(myidOnly)).toEqual({ zookeeper: false, standalone: false, brokerId: undefined });
    expect(memberData(data[0]!)).toEqual({ zookeeper: true, standalone: true, brokerId: 0 });
  });
  it('replication fits the size', () => {
    expect([1, 2, 3, 5].map(replication)).toEqual([
      { factor: 1, minInsync: 1 },
      { factor: 2, minInsync: 1 },
      { factor: 3, minInsync: 2 },
      { factor: 3, minInsync: 2 },
    ]);
  });
});

describe('meeting points', () => {
  it('resolves once all arrived; one failure stops everyone who waits', async () => {
    const m = new Meeting<number>(2, 'the brokers were started');
    const first = m.arrive(0, 10);
    await expect(m.arrive(1, 20)).resolves.toEqual([10, 20]);
    await expect(first).resolves.toEqual([10, 20]);
    const n = new Meeting<number>(3, 'the brokers were started');
    const waiting = n.arrive(0, 1);
    n.fail('c');
    await expect(waiting).rejects.toThrow('stopped before the brokers were started: c failed');
    await expect(n.wait()).rejects.toThrow(UserError);
  });
});

describe('one restart at a time', () => {
  it('hands the turn on in order; after a failure nobody gets it', async () => {
    const turn = new Turn();
    const order: string[] = [];
    const a = await turn.take();
    const b = turn.take().then((release) => {
      order.push('b');
      return release;
    });
    order.push('a');
    a();
    (await b)();
    expect(order).toEqual(['a', 'b']);
    const c = await turn.take();
    const d = turn.take();
    turn.fail('host-c');
    c();
    await expect(d).rejects.toThrow('stopped before its turn: host-c failed');
  });
});
