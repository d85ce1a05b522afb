/** The error of a command that found another kafka-setup run holding the host's lock. */
import { UserError } from '../errors.js';

/** Another run holds the host: who, since when, and how its lock goes away. */
export function lockedError(fields: Map<string, string>): UserError {
  const since = Number(fields.get('since'));
  const now = Number(fields.get('now'));
  const when = Number.isFinite(since) && since > 0
    ? `started ${new Date(since * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}${Number.isFinite(now) ? `, ${Math.max(0, now - since)} s ago` : ''}`
    : 'started at an unknown time';
  const from = fields.get('from') ? ` from ${fields.get('from')}` : '';
  const conn = fields.get('conn');
  return new UserError(`another kafka-setup run is working on this host (${when}${from}; lock held by pid ${fields.get('pid') ?? '?'} on the host); nothing was changed`, {
    hint: 'wait for that run to finish, then run again. Its lock goes away by itself when its SSH connection ends' +
      (conn ? `; if that run's machine lost its network and the connection lingers, end it on the host with: kill ${conn}` : ''),
  });
}
