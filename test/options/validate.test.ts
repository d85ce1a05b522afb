import { describe, expect, it } from 'vitest';
import { mirrorProblem, remotePathProblem, scalaForVersionProblem, scalaProblem, versionProblem } from '../../src/options/validate.js';

describe('Kafka and Scala versions kafka-setup can set up', () => {
  it.each(['3.0.0', '3.1.0', '3.7.2', '3.9.1'])('accepts the ZooKeeper-based release %s', (v) => {
    expect(versionProblem(v)).toBeUndefined();
  });

  it.each(['4.0.0', '4.1.1', '4.4.0', '4.10.2'])('accepts the KRaft release %s', (v) => {
    expect(versionProblem(v)).toBeUndefined();
  });

  it('refuses a major it does not know', () => {
    for (const v of ['5.0.0', '10.0.0'])
      expect(versionProblem(v)).toMatch(/^Kafka .*: kafka-setup sets up Kafka 3\.0\.0 to 4\.x; it does not know Kafka \d+ yet$/);
  });

  it('holds the Scala build to the version: 4.x is 2.13 only', () => {
    expect(scalaForVersionProblem('4.1.1', '2.13')).toBeUndefined();
    expect(scalaForVersionProblem('3.1.0', '2.12')).toBeUndefined();
    expect(scalaForVersionProblem('4.1.1', '2.12')).toBe('Kafka 4.1.1 is built for Scala 2.13 only, not 2.12');
  });

  it('refuses 2.x and older, and a 3.x minor that does not exist', () => {
    expect(versionProblem('2.8.2')).toMatch(/Java 17/);
    expect(versionProblem('0.10.2')).toMatch(/3\.0\.0 to 4\.x/);
    expect(versionProblem('3.10.0')).toMatch(/ends with 3\.9/);
    expect(versionProblem('4.x')).toMatch(/is not a Kafka version/);
  });

  it('accepts Scala 2.12 and 2.13 only', () => {
    expect(scalaProblem('2.12')).toBeUndefined();
    expect(scalaProblem('2.13')).toBeUndefined();
    expect(scalaProblem('2.11')).toMatch(/2\.12 and 2\.13 only/);
    expect(scalaProblem('3.3')).toMatch(/2\.12 and 2\.13 only/);
    expect(scalaProblem('x')).toMatch(/not a Scala version/);
  });
});

describe('install directories on the host', () => {
  it.each(['~/kafka_2.12-3.1.0', '/opt/kafka', '/srv/data/kafka+3.1.0', '~/a/b_c/d.e'])('accepts %s', (p) => {
    expect(remotePathProblem(p)).toBeUndefined();
  });

  it.each([
    ['~/my kafka', /whitespace/],
    ['/opt/kafka\tx', /whitespace/],
    ['/opt/ka\\fka', /"\\"/],
    ["/opt/it's", /"'"/],
    ['/opt/"k"', /"""/],
    ['/opt/$HOME', /"\$"/],
    ['/opt/`id`', /"`"/],
    ['/opt/a;b', /";"/],
    ['/opt/a&b', /"&"/],
    ['/opt/a|b', /"\|"/],
    ['/opt/k*', /"\*"/],
    ['/opt/k?', /"\?"/],
    ['/opt/k[1]', /"\[", "\]"/],
    ['/opt/a:b', /":"/],
    ['/opt/a,b', /","/],
    ['/opt/é', /"é"/],
    ['/opt/a\u001b]52;c;x\u0007', /\\x1b/],
    ['/opt/~x', /"~"/],
  ])('refuses %j, naming what is wrong', (p, why) => {
    const problem = remotePathProblem(p);
    expect(problem).toMatch(why);
    expect(problem).toMatch(/use only letters, digits/);
  });

  it('still refuses relative paths and . or .. parts', () => {
    expect(remotePathProblem('kafka')).toMatch(/absolute path or start with ~\//);
    expect(remotePathProblem('~/../etc')).toMatch(/not a plain directory path/);
  });
});

describe('mirror URLs', () => {
  it('accepts plain http(s) base URLs', () => {
    expect(mirrorProblem('https://archive.apache.org/dist/kafka')).toBeUndefined();
    expect(mirrorProblem('http://127.0.0.1:8080/good/kafka')).toBeUndefined();
  });

  it('refuses credentials without repeating them', () => {
    for (const m of [
      'https://user:s3cret@mirror.example/kafka',
      'https://token@mirror.example/kafka',
      'https://:s3cret@mirror.example/kafka',
    ]) {
      const p = mirrorProblem(m);
      expect(p).toMatch(/credentials/);
      expect(p).not.toContain('s3cret');
    }
  });

  it('refuses control characters, whitespace and non-ASCII', () => {
    for (const m of [
      'https://mirror.example/kafka\u001b]52;c;x\u0007',
      'https://mirror.example/ka fka',
      'https://mirror.example/kafka\n',
      'https://mirrоr.example/kafka',
      'https://mirror.example/\u009b',
    ]) {
      const p = mirrorProblem(m);
      expect(p).toMatch(/spaces, control or non-ASCII/);
      expect(p).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
  });
});
