import { describe, expect, it } from 'vitest';
import type { HostFacts, UnitFact } from '../../src/host/facts.js';
import { asConfigured, serviceOf } from '../../src/host/install-jvms.js';
import { unitOwner, unitSource } from '../../src/host/unit-owner.js';
import { BROKER, ZOOKEEPER } from '../../src/kafka/daemons.js';

const withZk = (content: string | undefined) => ({ files: { 'zookeeper.properties': { content } } }) as unknown as Pick<HostFacts, 'files'>;

describe('a daemon as this host runs it', () => {
  it("a member of an ensemble's ZooKeeper also needs the election port free; a single one and the broker do not", () => {
    expect(asConfigured(ZOOKEEPER, withZk('dataDir=/d\nserver.1=10.0.0.1:2888:3888\n')).otherPorts).toEqual([3888]);
    expect(asConfigured(ZOOKEEPER, withZk('dataDir=/d\n# server.1=x:2888:3888\n')).otherPorts).toEqual([]);
    expect(asConfigured(ZOOKEEPER, withZk(undefined))).toBe(ZOOKEEPER);
    expect(asConfigured(BROKER, withZk('server.1=x:2888:3888\n'))).toBe(BROKER);
  });
});

describe("whose unit it is (only kafka-setup's own is ever started, stopped or removed)", () => {
  const path = '/etc/systemd/system/kafka-broker.service';
  const ours = '# Written by kafka-setup (kafka-setup init replaces it; kafka-setup uninstall removes it).\n[Unit]\n';
  const unit = (o: Partial<UnitFact>): UnitFact => ({
    name: 'kafka-broker.service',
    path,
    content: undefined,
    enabled: 'enabled',
    active: 'active',
    pid: 300,
    ...o,
  });
  const facts = (u: UnitFact, systemd = true) => ({
    services: {
      systemd,
      units: { broker: u, zookeeper: unit({ name: 'kafka-zookeeper.service', path: '/etc/systemd/system/kafka-zookeeper.service' }) },
    },
  });

  it('ours: the header on the first line; or, the file gone, systemd still loads it from that very path', () => {
    expect(unitOwner(unit({ content: ours }))).toBe('ours');
    expect(unitOwner(unit({ content: undefined, fragment: path }))).toBe('ours');
    expect(unitOwner(unit({ content: undefined }))).toBe('none');
  });

  it("foreign: a file without the header (also further down), a package's unit elsewhere, a masked one", () => {
    expect(unitOwner(unit({ content: '[Unit]\nDescription=mine\n' }))).toBe('foreign');
    expect(unitOwner(unit({ content: `[Unit]\n${ours}` }))).toBe('foreign');
    expect(unitOwner(unit({ fragment: '/usr/lib/systemd/system/kafka-broker.service' }))).toBe('foreign');
    expect(unitSource(unit({ fragment: '/usr/lib/systemd/system/kafka-broker.service' }))).toBe(
      '/usr/lib/systemd/system/kafka-broker.service',
    );
    expect(unitOwner(unit({ fragment: '/dev/null' }))).toBe('foreign');
  });

  it("serviceOf: through systemd only with kafka-setup's own unit file; someone else's means pids and -daemon", () => {
    expect(serviceOf(facts(unit({ content: ours })), BROKER)).toBe('systemd');
    expect(serviceOf(facts(unit({ content: ours }), false), BROKER)).toBe('none');
    expect(serviceOf(facts(unit({ content: '[Unit]\nDescription=mine\n' })), BROKER)).toBe('none');
    expect(serviceOf(facts(unit({ fragment: '/usr/lib/systemd/system/kafka-broker.service' })), BROKER)).toBe('none');
    // A remnant without its file is nothing to start or stop through.
    expect(serviceOf(facts(unit({ fragment: path })), BROKER)).toBe('none');
  });
});
