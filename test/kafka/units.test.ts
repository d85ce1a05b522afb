import { describe, expect, it } from 'vitest';
import { UNIT_HEADER } from '../../src/host/unit-owner.js';
import { BROKER, ZOOKEEPER } from '../../src/kafka/daemons.js';
import { unitFile, unitValuesProblem, unitWord } from '../../src/kafka/units.js';

describe('systemd unit files', () => {
  it('quotes every word systemd would otherwise expand or split: $, %, quotes, backslashes, spaces', () => {
    expect(unitWord('/home/a b/kafka')).toBe('"/home/a b/kafka"');
    expect(unitWord('/x/$HOME/%h/"q"/\\n')).toBe('"/x/$$HOME/%%h/\\"q\\"/\\\\n"');
  });

  it('the broker wants ZooKeeper (not Requires=: a ZooKeeper restart leaves it running) and starts after it; both run the start script in the foreground as the user', () => {
    const v = { installPath: '/home/admin/kafka_2.12-3.1.0', user: 'admin', heapOpts: '-Xmx400m -Xms400m' };
    const broker = unitFile(BROKER, v, ZOOKEEPER);
    expect(broker).toMatch(/^# Written by kafka-setup/);
    expect(broker.startsWith(UNIT_HEADER)).toBe(true);
    // What the JVM creates (data, logs) is not readable by other local users: in [Service], where systemd reads it.
    const service = broker.slice(broker.indexOf('\n[Service]\n'), broker.indexOf('\n[Install]\n'));
    expect(service.split('\n')).toContain('UMask=0027');
    expect(broker).toContain('\nWants=kafka-zookeeper.service\n');
    expect(broker).not.toContain('Requires=');
    expect(broker).toContain('\nAfter=network-online.target kafka-zookeeper.service\n');
    expect(broker).toContain('\nUser=admin\n');
    expect(broker).toContain('\nEnvironment="KAFKA_HEAP_OPTS=-Xmx400m -Xms400m"\n');
    expect(broker).toContain(
      '\nExecStart=/bin/sh -c \'mkdir -p "$${2%%/*}" && exec "$$0" "$$1" >> "$$2" 2>&1\' "/home/admin/kafka_2.12-3.1.0/bin/kafka-server-start.sh" "/home/admin/kafka_2.12-3.1.0/config/server.properties" "/home/admin/kafka_2.12-3.1.0/logs/kafkaServer.out"\n',
    );
    expect(broker).toContain('\nWantedBy=multi-user.target\n');
    const zk = unitFile(ZOOKEEPER, v);
    expect(zk).not.toMatch(/Requires=|Wants=kafka/);
    expect(zk).toContain(
      '/bin/zookeeper-server-start.sh" "/home/admin/kafka_2.12-3.1.0/config/zookeeper.properties" "/home/admin/kafka_2.12-3.1.0/logs/zookeeper.out"',
    );
  });

  it('a % in the install path cannot become a specifier; a user name or path that cannot go in a unit is refused', () => {
    const unit = unitFile(BROKER, { installPath: '/srv/k%i', user: 'admin', heapOpts: '-Xmx1g -Xms1g' });
    expect(unit).toContain('\nWorkingDirectory=/srv/k%%i\n');
    expect(unit).toContain('"/srv/k%%i/bin/kafka-server-start.sh"');
    expect(unitValuesProblem({ installPath: '/x', user: 'ad min', heapOpts: '' })).toMatch(/cannot go into a systemd unit/);
    expect(unitValuesProblem({ installPath: '/x', user: 'admin\nExecStartPre=/bin/evil', heapOpts: '' })).toMatch(
      /cannot go into a systemd unit/,
    );
    expect(unitValuesProblem({ installPath: '/x\ny', user: 'admin', heapOpts: '' })).toMatch(/control characters/);
    expect(() => unitFile(BROKER, { installPath: '/x', user: 'a b', heapOpts: '' })).toThrow();
  });
});
