/**
 * ssh2's generateKeyPairSync, retried: about one ed25519 pair in 256 cannot be parsed back (it strips
 * the public key's leading zero bytes: mscdex/ssh2#1513, #1390), which failed a test now and then.
 */
import ssh2 from 'ssh2';

type Options = Parameters<typeof ssh2.utils.generateKeyPairSync>[1];

export function sshKeyPair(type: 'ed25519' | 'rsa', options?: Options & { passphrase?: string }): { private: string; public: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair =
      type === 'rsa'
        ? ssh2.utils.generateKeyPairSync('rsa', { bits: 2048, ...options })
        : ssh2.utils.generateKeyPairSync('ed25519', options);
    if (!(ssh2.utils.parseKey(pair.public) instanceof Error) && !(ssh2.utils.parseKey(pair.private, options?.passphrase) instanceof Error))
      return pair;
  }
  throw new Error(`ssh2 made no readable ${type} key pair in 20 attempts`);
}
