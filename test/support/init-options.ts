/** The options a step test runs init with: the seed's 3.1.0 on an EC2-like host, changed where a test says. */
import type { InitOptions } from '../../src/options/init-options.js';

export function initOptions(o: Partial<InitOptions> = {}): InitOptions {
  return {
    profile: 'default',
    host: '203.0.113.10',
    port: 22,
    user: 'ec2-user',
    keyPath: '/k.pem',
    knownHostsPath: '/kh',
    timeoutMs: 20000,
    passphraseEnv: undefined,
    yes: true,
    interactive: false,
    kafkaVersion: '3.1.0',
    scalaVersion: '2.12',
    heap: 'auto',
    advertisedHost: '203.0.113.10',
    installDir: '~/kafka_2.12-3.1.0',
    mirrors: ['https://m1/kafka'],
    sha512: undefined,
    dryRun: false,
    service: 'auto',
    ...o,
  };
}
