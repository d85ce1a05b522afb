import { describe, expect, it } from 'vitest';
import { anyMember, memberIds } from '../../src/cluster/member-ids.js';
import { UsageError } from '../../src/errors.js';
import { facts } from '../support/cluster-facts.js';

const ENSEMBLE = 'server.1=10.0.0.1:2888:3888\nserver.2=10.0.0.2:2888:3888\nserver.3=10.0.0.3:2888:3888\n';
const member = (address: string, myid: number, zk = ENSEMBLE) => facts(address, { zk, myid: `${myid}\n` });
const hosts = (...labels: string[]) => labels.map((label) => ({ label, savedId: undefined }));

describe("each member's number, from the servers", () => {
  it('fresh hosts are numbered in order', () => {
    expect(memberIds(hosts('a', 'b', 'c'), [facts('10.0.0.1'), facts('10.0.0.2'), facts('10.0.0.3')])).toEqual([1, 2, 3]);
  });

  it('a member keeps its myid whatever the --host order and without a profile', () => {
    const servers = [member('10.0.0.3', 3), member('10.0.0.2', 2), member('10.0.0.1', 1)];
    expect(memberIds(hosts('c', 'b', 'a'), servers)).toEqual([3, 2, 1]);
    expect(anyMember(servers)).toBe(true);
    expect(anyMember([facts('10.0.0.1', { zk: 'dataDir=/x\n' })])).toBe(false);
  });

  it('the servers win over a profile that says otherwise; a new host gets the next free number', () => {
    const saved = [
      { id: 1, host: 'a', user: 'u', port: 22, advertisedHost: 'a' },
      { id: 2, host: 'b', user: 'u', port: 22, advertisedHost: 'b' },
      { id: 3, host: 'c', user: 'u', port: 22, advertisedHost: 'c' },
    ];
    const given = [
      { label: 'a', savedId: 2 },
      { label: 'b', savedId: 1 },
      { label: 'c', savedId: 3 },
      { label: 'd', savedId: undefined },
    ];
    expect(memberIds(given, [member('10.0.0.1', 1), member('10.0.0.2', 2), member('10.0.0.3', 3), facts('10.0.0.4')], saved)).toEqual([
      1, 2, 3, 4,
    ]);
  });

  it('a host its peers list by address, whose own config was never written, takes that number', () => {
    expect(memberIds(hosts('x', 'a', 'b'), [facts('10.0.0.3'), member('10.0.0.1', 1), member('10.0.0.2', 2)])).toEqual([3, 1, 2]);
  });

  it('a saved member at a new address is found by its own data', () => {
    const saved = [
      { id: 1, host: 'a', user: 'u', port: 22, advertisedHost: 'a' },
      { id: 2, host: 'b', user: 'u', port: 22, advertisedHost: 'b' },
      { id: 3, host: 'c', user: 'u', port: 22, advertisedHost: 'c' },
    ];
    const given = [
      { label: 'new-a', savedId: undefined },
      { label: 'b', savedId: 2 },
      { label: 'c', savedId: 3 },
    ];
    expect(memberIds(given, [member('10.0.0.1', 1), member('10.0.0.2', 2), member('10.0.0.3', 3)], saved)).toEqual([1, 2, 3]);
    // Left out for real: refused as bad input, naming the member.
    expect(() => memberIds(given.slice(1), [member('10.0.0.2', 2), member('10.0.0.3', 3)], saved)).toThrow(UsageError);
    expect(() => memberIds(given.slice(1), [facts('10.0.0.2'), facts('10.0.0.3')], saved)).toThrow(
      /a is a member of the saved cluster but not given with --host/,
    );
  });

  it('a member the servers know of must be given, profile or not', () => {
    expect(() => memberIds(hosts('a', 'b'), [member('10.0.0.1', 1), member('10.0.0.2', 2)])).toThrow(
      /a's ZooKeeper ensemble has member 3 at 10.0.0.3, which is not among the hosts given/,
    );
  });

  it('refuses two servers holding one number, and servers of two ensembles', () => {
    expect(() => memberIds(hosts('a', 'b'), [member('10.0.0.1', 1), member('10.0.0.9', 1)])).toThrow(/a and b are both ZooKeeper member 1/);
    const other = 'server.1=10.9.0.1:2888:3888\nserver.2=10.9.0.2:2888:3888\nserver.3=10.9.0.3:2888:3888\n';
    expect(() => memberIds(hosts('a', 'x'), [member('10.0.0.1', 1), member('10.9.0.2', 2, other)])).toThrow(
      /name different servers as ZooKeeper member 3 \(10.0.0.3 and 10.9.0.3\): they are not one cluster/,
    );
  });
});
