/**
 * A server that moved: an EC2 stop/start gives the instance a new public address but keeps its host
 * key. When --host names another address than the saved profile's, the new address's host key is
 * compared with the key known_hosts records for the profile's address: a key exchange without
 * authentication (like ssh-keyscan, but to its end, where the server proves it holds the key). The
 * same key, proven, means the same server, moved.
 */
import ssh2 from 'ssh2';
import { checkHostKey, fingerprint, hostKeyAlgorithms, knownKeyTypes, recordHostKey } from '../known-hosts.js';
import { loadKnownHosts } from './host-key.js';

export interface MoveQuestion {
  /** The address given now. */
  host: string;
  port: number;
  /** The profile's address, known in known_hosts. */
  was: { host: string; port: number };
  knownHostsPath: string;
  timeoutMs: number;
  /** Record the key for the new address too (not in a dry run). */
  record: boolean;
  hashKnownHosts: boolean;
}

/**
 * The host key `host` proves to hold, when it is one `wanted` takes: a key exchange without
 * authentication (asking for `algorithms` first). A key merely offered proves nothing (anyone can
 * copy a public key): ssh2 calls hostVerifier before it checks the server's signature, and emits
 * 'handshake' only once that signature verified with the offered key (lib/protocol/kex.js finish()).
 * Undefined when the key is not wanted or not proven (signature refused, connection dropped, time up).
 */
function provenHostKey(
  host: string,
  port: number,
  algorithms: string[],
  timeoutMs: number,
  wanted: (key: Buffer) => boolean,
): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const client = new ssh2.Client();
    let offered: Buffer | undefined;
    let settled = false;
    const done = (key?: Buffer): void => {
      if (settled) return;
      settled = true;
      // After the key exchange, a goodbye; before it, nothing to say one with (end() can throw).
      if (key) client.end();
      else client.destroy();
      resolve(key);
    };
    client.on('error', () => done());
    client.on('close', () => done());
    // Proven: stop before authentication (ssh2 asks for the ssh-userauth service next).
    client.once('handshake', () => done(offered));
    try {
      client.connect({
        host,
        port,
        username: 'kafka-setup',
        readyTimeout: timeoutMs,
        algorithms: { serverHostKey: algorithms as ssh2.ServerHostKeyAlgorithm[] },
        hostVerifier: (k: Buffer) => {
          if (!wanted(k)) return false;
          offered = k;
          return true;
        },
      });
    } catch {
      done();
    }
  });
}

/**
 * The fingerprint of the server's key when `host` is the profile's server at a new address (it proved
 * it holds the key known_hosts records for the profile's address); else undefined.
 */
export async function sameServerMoved(q: MoveQuestion): Promise<string | undefined> {
  const known = await loadKnownHosts(q.knownHostsPath).catch(() => '');
  const types = knownKeyTypes(known, q.was.host, q.was.port);
  if (types.length === 0) return undefined;
  const key = await provenHostKey(
    q.host,
    q.port,
    hostKeyAlgorithms(types),
    q.timeoutMs,
    (k) => checkHostKey(known, q.was.host, q.was.port, k).kind === 'known',
  );
  if (!key) return undefined;
  // Trusted as much as the old address was: recorded for the new one, so the connection is not asked about it.
  if (q.record && checkHostKey(known, q.host, q.port, key).kind === 'unknown') {
    await recordHostKey(q.knownHostsPath, q.host, q.port, key, { hash: q.hashKnownHosts });
  }
  return fingerprint(key);
}
