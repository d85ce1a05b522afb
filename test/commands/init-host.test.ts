import { describe, expect, it } from 'vitest';
import { rootWarning, supportEndedWarning, unreachableWarning } from '../../src/commands/init-host.js';
import type { HostFacts } from '../../src/host/facts.js';
import { KRAFT_MODE } from '../../src/kafka/mode.js';
import type { InitOptions } from '../../src/options/init-options.js';
import type { StepContext } from '../../src/steps/types.js';

function ctx(client: string | undefined): StepContext {
  // Only what the warning reads: the address the host saw (the probe keeps only IP addresses).
  const facts = {
    home: '/home/ec2-user',
    clientAddress: client !== undefined && /^[0-9a-f.:]+$/.test(client) ? client : undefined,
  } as HostFacts;
  return {
    options: { advertisedHost: '203.0.113.10' } as InitOptions,
    facts,
    host: undefined as never,
    dist: { kafkaVersion: '3.1.0', scalaVersion: '2.12' },
  };
}

describe('the end of init: reachable from here?', () => {
  it('names the exact inbound rule, with the address the host saw this machine connect from', () => {
    const w = unreachableWarning(ctx('198.51.100.7'), {
      ok: false,
      code: 'ETIMEDOUT',
      reason: 'no answer within 1 s (a firewall or security group dropping the packets)',
    });
    expect(w).toBe(
      '203.0.113.10:9092 is not reachable from this machine (no answer within 1 s (a firewall or security group dropping the packets)); the host is set up, but clients here cannot connect. ' +
        "Add an inbound rule to the instance's security group: type Custom TCP, port 9092, source 198.51.100.7/32 (this machine's address, as the host sees it); then check with: kafka-setup verify",
    );
  });

  it('an IPv6 client gets /128; an address the host did not tell (or told garbage) falls back to "your IP"', () => {
    const down = { ok: false as const, code: 'ECONNREFUSED', reason: 'connection refused' };
    expect(unreachableWarning(ctx('2001:db8::7'), down)).toContain('source 2001:db8::7/128');
    expect(unreachableWarning(ctx(undefined), down)).toContain('source your IP ("My IP" in the console)');
    expect(unreachableWarning(ctx('$(reboot)\u001b[2J'), down)).toContain('source your IP ("My IP" in the console)');
  });

  it('says nothing when the broker answered', () => {
    expect(unreachableWarning(ctx('198.51.100.7'), { ok: true, ms: 12 })).toBeUndefined();
  });
});

describe('connected as root', () => {
  it('one warning: the JVMs will run as root, and which user to connect as instead', () => {
    const w = rootWarning({ user: 'root', sudo: 'root' });
    expect(w).toBe(
      "you are connected as root, so ZooKeeper and the broker will run as root; connect as the instance's default user instead " +
        '(--user ec2-user on Amazon Linux, ubuntu on Ubuntu, admin on Debian): kafka-setup uses its passwordless sudo for what needs root',
    );
    // uid 0 under another name is root all the same.
    expect(rootWarning({ user: 'toor', sudo: 'root' })).toBe(w);
    expect(rootWarning({ user: 'ec2-user', sudo: 'yes' })).toBeUndefined();
    expect(rootWarning({ user: 'root', sudo: 'root' }, KRAFT_MODE)).toMatch(
      /^you are connected as root, so Kafka \(broker and controller\) will run as root;/,
    );
  });
});

describe('a system past its end of support (os-release SUPPORT_END)', () => {
  const al2 = { id: 'amzn', versionId: '2', idLike: ['centos', 'rhel', 'fedora'], prettyName: 'Amazon Linux 2', supportEnd: '2026-06-30' };
  const at = (iso: string): Date => new Date(iso);

  it('Amazon Linux 2 after 2026-06-30: one line, with its successor', () => {
    expect(supportEndedWarning(al2, at('2026-12-07T10:00:00Z'))).toBe(
      "Amazon Linux 2's support ended on 2026-06-30 (os-release SUPPORT_END): it gets no security fixes; Amazon Linux 2023 is its successor",
    );
    expect(supportEndedWarning(al2, at('2026-07-01T00:00:00Z'))).toMatch(/^Amazon Linux 2's support ended on 2026-06-30/);
  });

  it('not before the day is past (in UTC), and not without a date', () => {
    expect(supportEndedWarning(al2, at('2026-06-30T23:59:59Z'))).toBeUndefined();
    expect(supportEndedWarning(al2, at('2025-01-01T00:00:00Z'))).toBeUndefined();
    expect(supportEndedWarning({ ...al2, supportEnd: undefined }, at('2030-01-01T00:00:00Z'))).toBeUndefined();
    const al2023 = {
      id: 'amzn',
      versionId: '2023',
      idLike: ['fedora'],
      prettyName: 'Amazon Linux 2023.6.20241010',
      supportEnd: '2028-03-15',
    };
    expect(supportEndedWarning(al2023, at('2026-12-07T10:00:00Z'))).toBeUndefined();
  });

  it('another system gets the generic words: no successor is guessed', () => {
    const fedora = { id: 'fedora', versionId: '38', idLike: [], prettyName: 'Fedora Linux 38 (Container Image)', supportEnd: '2024-05-14' };
    expect(supportEndedWarning(fedora, at('2026-12-07T10:00:00Z'))).toBe(
      "Fedora Linux 38 (Container Image)'s support ended on 2024-05-14 (os-release SUPPORT_END): it gets no security fixes",
    );
    // Amazon Linux 2023 past its own end has no successor we know of; nor has a system without a name.
    expect(
      supportEndedWarning(
        { id: 'amzn', versionId: '2023', idLike: ['fedora'], prettyName: 'Amazon Linux 2023', supportEnd: '2028-03-15' },
        at('2029-01-01T00:00:00Z'),
      ),
    ).toBe("Amazon Linux 2023's support ended on 2028-03-15 (os-release SUPPORT_END): it gets no security fixes");
    expect(
      supportEndedWarning(
        { id: '', versionId: '', idLike: [], prettyName: 'an unknown system', supportEnd: '2020-01-01' },
        at('2026-12-07T10:00:00Z'),
      ),
    ).toBe("this system's support ended on 2020-01-01 (os-release SUPPORT_END): it gets no security fixes");
  });
});
