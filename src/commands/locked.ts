/**
 * The probe of a command that may change the host: it takes the host's lock (unless a dry run), and
 * another kafka-setup run holding it becomes one clear error.
 */
import { UserError } from '../errors.js';
import type { HostFacts } from '../host/facts.js';
import type { HostOps } from '../host/operations.js';
import { RemoteFailure } from '../remote/session.js';

/** host.probe with the lock's outcomes said: held by another run (an error), or not possible here (a warning). */
export async function lockedProbe(
  host: HostOps,
  r: { urls: string[]; lock: boolean },
  warn: (message: string) => void,
): Promise<HostFacts> {
  const { facts, lock } = await host.probe(r).catch((err: unknown) => {
    throw err instanceof RemoteFailure && err.kind === 'locked' ? lockedError(err.fields) : err;
  });
  if (lock === 'unsupported') {
    warn(
      'kafka-setup could not lock the host (no flock from util-linux, or no private runtime directory), so it cannot stop two runs from working on it at once',
    );
  }
  return facts;
}

/** Another run holds the host: who, since when, and how its lock goes away. */
function lockedError(fields: Map<string, string>): UserError {
  const since = Number(fields.get('since'));
  const now = Number(fields.get('now'));
  const when =
    Number.isFinite(since) && since > 0
      ? `started ${new Date(since * 1000)
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, ' UTC')}${Number.isFinite(now) ? `, ${Math.max(0, now - since)} s ago` : ''}`
      : 'started at an unknown time';
  const from = fields.get('from') ? ` from ${fields.get('from')}` : '';
  const conn = fields.get('conn');
  return new UserError(
    `another kafka-setup run is working on this host (${when}${from}; lock held by pid ${fields.get('pid') ?? '?'} on the host); nothing was changed`,
    {
      hint:
        'wait for that run to finish, then run again. Its lock goes away by itself when its SSH connection ends' +
        (conn ? `; if that run's machine lost its network and the connection lingers, end it on the host with: kill ${conn}` : ''),
    },
  );
}
