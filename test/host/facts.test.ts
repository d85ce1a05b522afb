import { describe, expect, it } from 'vitest';
import { type HostFacts, parseJavaCommand, readFacts, withUpdate } from '../../src/host/facts.js';
import { ProtocolError } from '../../src/host/sections.js';
import { parseSections } from '../../src/remote/script.js';

const kafka =
  '/usr/lib/jvm/java-17-openjdk-amd64/bin/java -Xmx400m -Xms400m -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true -Dkafka.logs.dir=/home/ec2-user/kafka_2.12-3.1.0/bin/../logs -Dlog4j.configuration=file:/home/ec2-user/kafka_2.12-3.1.0/bin/../config/log4j.properties -cp /home/ec2-user/kafka_2.12-3.1.0/bin/../libs/a.jar:/home/ec2-user/kafka_2.12-3.1.0/bin/../libs/b.jar kafka.Kafka /home/ec2-user/kafka_2.12-3.1.0/config/server.properties';

describe('JVMs from the process table', () => {
  it('reads a java command line as jps -lvm shows it: main class, its arguments, then JVM options', () => {
    const p = parseJavaCommand(kafka.split(' '));
    expect(p.mainClass).toBe('kafka.Kafka');
    expect(p.args.startsWith('/home/ec2-user/kafka_2.12-3.1.0/config/server.properties -Xmx400m -Xms400m')).toBe(true);
    expect(p.args).not.toContain('libs/a.jar');
    expect(parseJavaCommand(['java', '-jar', 'app.jar', 'x']).mainClass).toBe('app.jar');
    expect(parseJavaCommand(['java', '-classpath', 'c', 'Main']).mainClass).toBe('Main');
  });

  it('merges the probe sections, with start times from elapsed seconds', () => {
    const facts = withUpdate(
      { files: {} } as HostFacts,
      readFacts(
        parseSections(`::ks:: jvms\nnow=1000\njava=42 30 ${kafka}\ncwd=42 /home/ec2-user\n::ks:: ports\nlistening=9092\n`),
        'probe',
        ['jvms', 'ports'],
      ),
    );
    expect(facts.jvms).toEqual([expect.objectContaining({ pid: 42, started: 970, mainClass: 'kafka.Kafka', cwd: '/home/ec2-user' })]);
    expect(facts.listening).toEqual(new Set([9092]));
    expect(facts.jps).toBeUndefined();
    const withJps = withUpdate(facts, readFacts(parseSections('::ks:: jps\njps=42 kafka.Kafka /x -Xmx400m\n'), 'jps', ['jps']));
    expect(withJps.jps).toEqual(new Set([42]));
    expect(withJps.jvms).toBe(facts.jvms);
  });

  it('prefers the precise start time, so an edit a fraction of a second after the start counts as newer', () => {
    const facts = readFacts(
      parseSections(
        `::ks:: jvms\nnow=1000\njava=42 0 ${kafka}\nstart=42 999.37\n::ks:: file server.properties\npath=/x\nmtime=999.812345678\n`,
      ),
      'download',
      ['jvms', 'predictedConfig'],
    );
    expect(facts.jvms![0]!.started).toBe(999.37);
    expect(facts.files!['server.properties']!.mtime! > facts.jvms![0]!.started).toBe(true);
  });
});

describe('a section the operation needs', () => {
  it('missing: an error naming the script and the section, never empty defaults', () => {
    const sections = parseSections('::ks:: os\nID=debian\n::ks:: tools\n');
    expect(() => readFacts(sections, 'probe', ['os', 'tools', 'host'])).toThrow(ProtocolError);
    expect(() => readFacts(sections, 'probe', ['os', 'tools', 'host'])).toThrow('the probe script on the host printed no host section');
    expect(() => readFacts(sections, 'probe', ['files'])).toThrow('printed no file bashrc section');
    // Present but empty is fine: a host without any of the tools.
    expect(readFacts(sections, 'probe', ['tools']).tools).toEqual(new Map());
  });
});

/** The data section as a probe prints it, read as the facts read it. */
const data = (lines: string[]) => readFacts(parseSections(`${['::ks:: data', ...lines].join('\n')}\n`), 'probe', ['data']);

describe('how a log directory was formatted, and the cluster id the host keeps (KRaft)', () => {
  it('reads meta.properties\' version, node.id, cluster.id and directory.id, and the voter kafka-setup saw; "-" for unset', () => {
    const u = data([
      'dir=data 0 2049 /h/kafka-data/kafka-logs',
      'format=1 1 tvz45AyKhMRbOhpz8_5ovg xwByuhPtSU6oeDTU5mwhtQ xwByuhPtSU6oeDTU5mwhtQ /h/kafka-data/kafka-logs',
      'dir=data 0 2049 /tmp/kafka-logs',
      'format=0 - - - - /tmp/kafka-logs',
      'cluster_id=tvz45AyKhMRbOhpz8_5ovg',
    ]);
    expect(u.dataDirs!.get('/h/kafka-data/kafka-logs')!.format).toEqual({
      version: 1,
      nodeId: 1,
      clusterId: 'tvz45AyKhMRbOhpz8_5ovg',
      directoryId: 'xwByuhPtSU6oeDTU5mwhtQ',
      voterDirectoryId: 'xwByuhPtSU6oeDTU5mwhtQ',
    });
    expect(u.dataDirs!.get('/tmp/kafka-logs')!.format).toEqual({
      version: 0,
      nodeId: undefined,
      clusterId: undefined,
      directoryId: undefined,
      voterDirectoryId: undefined,
    });
    expect(u.keptClusterId).toBe('tvz45AyKhMRbOhpz8_5ovg');
  });

  it('trusts nothing odd: a line for a directory not probed, out-of-range numbers, a kept id that is not a cluster id', () => {
    const u = data([
      'dir=data 0 2049 /d',
      'format=1 9999999999 abc short - /d',
      'format=1 1 abc - - /elsewhere',
      'dir=data 0 2049 /e',
      'format=1 1 a$b - - /e',
      'cluster_id=not-22-chars',
    ]);
    expect(u.dataDirs!.get('/d')!.format).toEqual({
      version: 1,
      nodeId: undefined,
      clusterId: 'abc',
      directoryId: undefined,
      voterDirectoryId: undefined,
    });
    expect(u.dataDirs!.get('/e')!.format).toBeUndefined();
    expect(u.dataDirs!.has('/elsewhere')).toBe(false);
    expect(u.keptClusterId).toBeUndefined();
  });
});

describe('data directories another user owns (the defaults are in /tmp, which every user shares)', () => {
  it("another user's is foreign, whatever it holds: no size, no broker id, no format kept", () => {
    const u = data([
      'dir=data 2048 2049 /tmp/kafka-logs',
      'meta=0 /tmp/kafka-logs',
      'format=0 - - - - /tmp/kafka-logs',
      'owner=30001 kse2eu7g93d /tmp/kafka-logs',
      'dir=unreadable 0 2049 /tmp/zookeeper',
      'owner=30002  /tmp/zookeeper',
    ]);
    expect(u.dataDirs!.get('/tmp/kafka-logs')).toEqual({
      path: '/tmp/kafka-logs',
      state: 'foreign',
      kib: 0,
      device: '2049',
      owner: { uid: 30001, name: 'kse2eu7g93d' },
    });
    expect(u.dataDirs!.get('/tmp/zookeeper')).toMatchObject({ state: 'foreign', owner: { uid: 30002, name: 'uid 30002' } });
  });

  it("root's stays what it holds (a Kafka once started with sudo), with its owner named", () => {
    const u = data(['dir=data 2048 2049 /tmp/kafka-logs', 'meta=0 /tmp/kafka-logs', 'owner=0 root /tmp/kafka-logs']);
    expect(u.dataDirs!.get('/tmp/kafka-logs')).toMatchObject({ state: 'data', kib: 2048, brokerId: 0, owner: { uid: 0, name: 'root' } });
  });

  it('trusts nothing odd: a name with other characters, a directory not probed, an absent one', () => {
    const u = data([
      'dir=data 1 2049 /a',
      'owner=30001 bad$name /a',
      'owner=30001 bob /elsewhere',
      'dir=absent 0 2049 /b',
      'owner=30001 bob /b',
    ]);
    expect(u.dataDirs!.get('/a')!.state).toBe('data');
    expect(u.dataDirs!.has('/elsewhere')).toBe(false);
    expect(u.dataDirs!.get('/b')!.state).toBe('absent');
  });
});

describe("os-release's SUPPORT_END (os-release(5))", () => {
  const os = (lines: string[]) => readFacts(parseSections(`${['::ks:: os', 'ID="amzn"', ...lines].join('\n')}\n`), 'probe', ['os']).os!;

  it('reads a date, quoted as Amazon Linux writes it or bare as Fedora does', () => {
    expect(os(['SUPPORT_END="2026-06-30"']).supportEnd).toBe('2026-06-30');
    expect(os(['SUPPORT_END=2024-05-14']).supportEnd).toBe('2024-05-14');
    expect(os(["SUPPORT_END='2028-03-15'"]).supportEnd).toBe('2028-03-15');
    expect(os(['SUPPORT_END=2028-02-29']).supportEnd).toBe('2028-02-29');
    expect(os([]).supportEnd).toBeUndefined();
  });

  it("ignores anything but a strict, real date: the host's text is not trusted", () => {
    for (const v of [
      '',
      '""',
      '2026-6-30',
      '2026-06-30T00:00:00Z',
      ' 2026-06-30',
      '2026-06-30 ',
      '"2026-06-30',
      '2026-02-30',
      '2027-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-06-00',
      '0099-01-01',
      '+02026-06-30',
      '20260630',
      'June 30, 2026',
      '٢٠٢٦-٠٦-٣٠',
      '$(reboot)',
      '2026-06-30; rm -rf /',
      '\u001b[2J2026-06-30',
    ]) {
      expect(os([`SUPPORT_END=${v}`]).supportEnd, v).toBeUndefined();
    }
  });

  it('the last line wins, as when the file is sourced', () => {
    expect(os(['SUPPORT_END=2025-06-30', 'SUPPORT_END="2026-06-30"']).supportEnd).toBe('2026-06-30');
  });
});
