/**
 * ssh2 first asks the server whether it would take the key, and signs only once it says yes: a round
 * trip OpenSSH's way of logging in pays too, which on a far server is a tenth of a no-op run
 * (bench/init-bench.ts). A key file can sign at once: RFC 4252 §7 allows the signed request first,
 * and a refusal is the same failure either way.
 *
 * This reaches into ssh2's Protocol object (stable across ssh2 1.x). Where it is not as expected,
 * nothing changes and ssh2 asks first as it always did; the unit tests
 * (test/remote/session-connect.test.ts) fail loudly then, so an upgrade cannot lose this silently.
 */
import type ssh2 from 'ssh2';

type Sign = (data: Buffer, done: (signature: Buffer) => void) => void;
interface SigningKey {
  sign(data: Buffer, hash?: string): Buffer | Error;
}
interface Protocol {
  authPK(user: string, key: unknown, keyAlgo?: string, sign?: Sign): void;
}

/** The hash each signature algorithm names (RFC 8332); other key types choose their own. */
const HASHES: Record<string, string> = { 'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512', 'ssh-rsa': 'sha1' };

/** Right after `conn.connect()` (which makes ssh2's Protocol object). Says whether it could. */
export function signAtOnce(conn: ssh2.Client): boolean {
  const proto = (conn as unknown as { _protocol?: Partial<Protocol> })._protocol;
  const authPK = proto?.authPK;
  if (!proto || typeof authPK !== 'function') return false;
  proto.authPK = function (this: Protocol, user, key, keyAlgo, signer) {
    const signing = key as Partial<SigningKey> | undefined;
    if (signer !== undefined || typeof keyAlgo === 'function' || typeof signing?.sign !== 'function') {
      authPK.call(this, user, key, keyAlgo, signer);
      return;
    }
    authPK.call(this, user, key, keyAlgo, (data, done) => {
      const signature = signing.sign!(data, keyAlgo === undefined ? undefined : HASHES[keyAlgo]);
      // A key that cannot sign: asked the usual way, so ssh2 reports it as it always has.
      if (signature instanceof Error) authPK.call(this, user, key, keyAlgo);
      else done(signature);
    });
  };
  return true;
}
