/**
 * The connection of the day-two commands: the key, the SSH session, the typed host operations over
 * it; the session is closed however the work ends.
 */
import { RemoteHost } from '../host/remote-host.js';
import type { HostCommandOptions } from '../options/host-command-options.js';
import { describeStats } from '../remote/session.js';
import type { CommandIO } from './io.js';
import { openSession } from './open-session.js';

export async function withHost<T>(o: HostCommandOptions, io: CommandIO, work: (host: RemoteHost) => Promise<T>): Promise<T> {
  const session = await openSession(o.connection, io, { dryRun: false });
  try {
    return await work(new RemoteHost(session, { options: { installDir: o.installDir }, dist: o.dist }));
  } finally {
    io.reporter.verbose(`ssh: ${describeStats(session.stats)}`);
    session.close();
  }
}
