/**
 * Authentication: the private key (and its passphrase) as ssh2 takes them, and what a refusal means
 * to the user. The key file itself is checked earlier (src/local/key-file.ts); this only makes sure
 * a key ssh2 cannot read fails as a UserError here rather than as a throw inside the handshake.
 */
import ssh2, { type ConnectConfig } from 'ssh2';
import { UserError } from '../../errors.js';

export interface Credentials {
  user: string;
  privateKey: Buffer;
  passphrase?: string | undefined;
}

export const DEFAULT_USERS_HINT =
  'the default user depends on the image: ec2-user (Amazon Linux, RHEL, Fedora), ubuntu (Ubuntu), admin (Debian), centos, rocky; pass it with --user';

export type AuthConfig = Pick<ConnectConfig, 'username' | 'privateKey' | 'passphrase' | 'authHandler'>;

export function authConfig(c: Credentials): AuthConfig {
  const parsed = ssh2.utils.parseKey(c.privateKey, c.passphrase);
  if (parsed instanceof Error) {
    // ssh2's message names the format or the passphrase problem, never the key's content.
    throw new UserError(`the private key cannot be used: ${parsed.message}`, {
      hint: 'check --key (a PEM, OpenSSH or PPK private key) and, for an encrypted key, its passphrase',
    });
  }
  return {
    username: c.user,
    privateKey: c.privateKey,
    ...(c.passphrase === undefined ? {} : { passphrase: c.passphrase }),
    // Straight to the key: ssh2 would otherwise try "none" first, one wasted round trip.
    authHandler: ['publickey'],
  };
}

/** The host refused the key: the usual causes are the wrong --user or the wrong key pair. */
export function authRefused(err: Error & { level?: string }, at: { host: string; port: number; user: string }): UserError | undefined {
  if (err.level !== 'client-authentication') return undefined;
  return new UserError(`${at.host}:${at.port} refused the key for user "${at.user}"`, {
    hint: `check --user (${DEFAULT_USERS_HINT}) and that --key is the key pair the instance was launched with`,
  });
}
