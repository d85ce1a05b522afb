/**
 * ZooKeeper's own answer to `srvr` (the one four-letter command it allows by default): its "Mode" —
 * leader, follower or standalone. Asked through the SSH connection (a forward to the host's 2181),
 * so that it works where the security group keeps 2181 closed to this machine, as it should.
 */
import { connect } from 'node:net';
import { ZOOKEEPER_PORT } from '../kafka/distribution.js';
import type { LocalForward, Session } from '../remote/session.js';

export type ZookeeperMode = { mode: string } | { mode?: undefined; reason: string };

export async function askZookeeperMode(session: Session, timeoutMs: number): Promise<ZookeeperMode> {
  if (!session.forward) return { reason: 'this connection cannot forward ports' };
  let fwd: LocalForward;
  try {
    fwd = await session.forward(ZOOKEEPER_PORT);
  } catch (err) {
    return { reason: `no local port for the SSH tunnel: ${(err as Error).message}` };
  }
  const port = fwd.port;
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      let text = '';
      // Not half-closed: through the tunnel, the end of our side could reach ZooKeeper before it answered.
      const socket = connect({ host: '127.0.0.1', port }, () => socket.write('srvr'));
      socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
      // Bounded: a few hundred bytes is the whole answer.
      socket.on('data', (d: Buffer) => {
        if (text.length < 4096) text += d.toString('latin1');
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
    });
    const mode = /^Mode: ([a-z-]+)\s*$/m.exec(answer)?.[1];
    if (mode) return { mode };
    const refused = fwd.lastError();
    return {
      reason: refused
        ? `127.0.0.1:${ZOOKEEPER_PORT} on the host: ${refused.message.toLowerCase()}`
        : /not currently serving/.test(answer)
          ? 'it is not serving (no quorum)'
          : 'it did not answer srvr',
    };
  } catch (err) {
    return { reason: (err as Error).message };
  } finally {
    fwd.close();
  }
}
