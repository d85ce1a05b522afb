import { describe, expect, it } from 'vitest';
import { describeMember, ensembleOf, myidOf, serverRole } from '../../src/steps/server-role.js';
import { facts } from '../support/cluster-facts.js';

const HOME = '/home/ec2-user';
const ZK_DB = [`${HOME}/kafka-data/zookeeper/version-2`];

describe('what a server says it is', () => {
  it('reads the ensemble of server.N lines: ids and addresses, IPv6 in brackets; anything else is left out', () => {
    const zk = [
      'dataDir=/x',
      'server.2 = 10.0.0.2:2888:3888',
      'server.1=10.0.0.1:2888:3888:participant;2181',
      'server.3=[2001:db8::3]:2888:3888',
      'server.4=$(reboot):2888:3888',
      'server.0=10.0.0.9:2888:3888',
      'server.999=10.0.0.9:1:2',
      '#server.5=10.0.0.5:2888:3888',
      'server.1=10.0.0.7:2888:3888',
    ].join('\r\n');
    expect(ensembleOf(zk)).toEqual([
      { id: 1, address: '10.0.0.1' },
      { id: 2, address: '10.0.0.2' },
      { id: 3, address: '2001:db8::3' },
    ]);
    expect(ensembleOf(undefined)).toEqual([]);
  });

  it('takes myid only as ZooKeeper would: a number of 1..255 alone', () => {
    expect([myidOf('2\n'), myidOf(' 17 '), myidOf('0'), myidOf('256'), myidOf('2 3'), myidOf('\u001b[2J2'), myidOf(undefined)]).toEqual([
      2,
      17,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("a member by its config, or by a myid beside a ZooKeeper database where the config is not this install's", () => {
    const member = facts('10.0.0.2', { zk: 'server.1=10.0.0.1:2888:3888\nserver.2=10.0.0.2:2888:3888\n', myid: '2\n' });
    expect(serverRole(member)).toEqual({
      kind: 'member',
      myid: 2,
      ensemble: [
        { id: 1, address: '10.0.0.1' },
        { id: 2, address: '10.0.0.2' },
      ],
    });
    expect(describeMember(serverRole(member) as Extract<ReturnType<typeof serverRole>, { kind: 'member' }>)).toBe(
      'member 2 of a ZooKeeper ensemble of 2 (10.0.0.1, 10.0.0.2)',
    );
    // Another version's install: this one's config is not there, the data is.
    expect(serverRole(facts('10.0.0.2', { data: ZK_DB, zk: undefined, server: undefined, myid: '3' }))).toEqual({
      kind: 'member',
      myid: 3,
      ensemble: [],
    });
    // A myid without a database is a first start that failed: not a member yet.
    expect(serverRole(facts('10.0.0.2', { myid: '3' })).kind).toBe('none');
    expect(serverRole(facts('10.0.0.2', { zk: 'dataDir=/x\n' })).kind).toBe('single');
    expect(serverRole(facts('10.0.0.2')).kind).toBe('none');
  });
});
