/**
 * A server that moved: an EC2 stop/start gives the instance a new public address but keeps its host
 * key. When --host names another address than the saved profile's, the new address's host key is
 * fetched (a handshake without authentication, like ssh-keyscan) and compared with the key
 * known_hosts records for the profile's address: the same key means the same server, moved.
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

/** The host key `host` offers, asking for `algorithms` first; undefined when it cannot be had. */
function scanHostKey(host: string, port: number, algorithms: string[], timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const client = new ssh2.Client();
    let key: Buffer | undefined;
    let settled = false;
    const done = (): void => {
      if (settled) return;
      settled = true;
      client.end();
      resolve(key);
    };
    client.on('error', done);
    client.on('close', done);
    try {
      client.connect({
        host, port, username: 'kafka-setup', readyTimeout: timeoutMs,
        algorithms: { serverHostKey: algorithms as ssh2.ServerHostKeyAlgorithm[] },
        // The key is all this wants: refusing it ends the handshake before any authentication.
        hostVerifier: (k: Buffer) => {
          key = k;
          return false;
        },
      });
    } catch {
      done();
    }
  });
}

/** The fingerprint of the server's key when `host` is the profile's server at a new address; else undefined. */
export async function sameServerMoved(q: MoveQuestion): Promise<string | undefined> {
  const known = await loadKnownHosts(q.knownHostsPath).catch(() => '');
  const types = knownKeyTypes(known, q.was.host, q.was.port);
  if (types.length === 0) return undefined;
  const key = await scanHostKey(q.host, q.port, hostKeyAlgorithms(types), q.timeoutMs);
  if (!key || checkHostKey(known, q.was.host, q.was.port, key).kind !== 'known') return undefined;
  // Trusted as much as the old address was: recorded for the new one, so the connection is not asked about it.
  if (q.record && checkHostKey(known, q.host, q.port, key).kind === 'unknown') {
    await recordHostKey(q.knownHostsPath, q.host, q.port, key, { hash: q.hashKnownHosts });
  }
  return fingerprint(key);
}
