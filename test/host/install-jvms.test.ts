import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../src/host/facts.js';
import { asConfigured } from '../../src/host/install-jvms.js';
import { BROKER, ZOOKEEPER } from '../../src/kafka/daemons.js';

const withZk = (content: string | undefined) => ({ files: { 'zookeeper.properties': { content } } }) as unknown as Pick<HostFacts, 'files'>;

describe('a daemon as this host runs it', () => {
  it('a member of an ensemble\'s ZooKeeper also needs the election port free; a single one and the broker do not', () => {
    expect(asConfigured(ZOOKEEPER, withZk('dataDir=/d\nserver.1=10.0.0.1:2888:3888\n')).otherPorts).toEqual([3888]);
    expect(asConfigured(ZOOKEEPER, withZk('dataDir=/d\n# server.1=x:2888:3888\n')).otherPorts).toEqual([]);
    expect(asConfigured(ZOOKEEPER, withZk(undefined))).toBe(ZOOKEEPER);
    expect(asConfigured(BROKER, withZk('server.1=x:2888:3888\n'))).toBe(BROKER);
  });
});
