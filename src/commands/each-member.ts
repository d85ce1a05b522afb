/**
 * A command that acts on every member of a saved cluster, one by one where it must and reporting per
 * host: each member's options resolved as `--host HOST --port PORT` (the profile then applies with that
 * member's user, port and address), its lines marked with its label, its connection its own.
 */
import { InterruptedError } from '../errors.js';
import type { HostOps } from '../host/operations.js';
import { RemoteHost } from '../host/remote-host.js';
import { memberFlags, memberLabel, type SavedMember } from '../options/cluster-options.js';
import type { HostCommandOptions } from '../options/host-command-options.js';
import { describeStats, type Session } from '../remote/session.js';
import type { Reporter } from '../ui/reporter.js';
import type { CommandIO } from './io.js';
import { openSession } from './open-session.js';

/** One member of the cluster as a command resolved it. */
export interface Member<O> {
  label: string;
  /** The command's io, its reporter marking every line with the label. */
  io: CommandIO;
  options: O;
}

/** A member once connecting was tried: its host, or why it could not be reached. */
export type Reached<O> = Member<O> & ({ host: HostOps; failed?: undefined } | { host?: undefined; failed: unknown });

/** Each saved member's options, resolved one after another (a question at a time), warnings marked with its label. */
export async function resolveMembers<O>(
  saved: readonly SavedMember[],
  io: CommandIO,
  resolve: (member: { host: string; port: string }, warn: (m: string) => void) => Promise<O>,
): Promise<Array<Member<O>>> {
  const members: Array<Member<O>> = [];
  for (const m of saved) {
    const label = memberLabel(m, saved);
    const reporter: Reporter = io.reporter.labelled(label);
    members.push({ label, io: { ...io, reporter }, options: await resolve(memberFlags(m), (w) => reporter.warn(w)) });
  }
  return members;
}

/**
 * Runs `work` with a connection to each member, opened one after another (a host-key question at a
 * time). A member that cannot be reached is handed over with its error, for the command to say it and
 * go on with the others; Ctrl-C ends it all. Every session is closed however the work ends.
 */
export async function withEachHost<O extends HostCommandOptions, T>(
  members: ReadonlyArray<Member<O>>,
  work: (reached: Array<Reached<O>>) => Promise<T>,
): Promise<T> {
  const open: Array<{ session: Session; reporter: Reporter }> = [];
  try {
    const reached: Array<Reached<O>> = [];
    for (const m of members) {
      try {
        const session = await openSession(m.options.connection, m.io, { dryRun: false });
        open.push({ session, reporter: m.io.reporter });
        reached.push({ ...m, host: new RemoteHost(session, { options: { installDir: m.options.installDir }, dist: m.options.dist }) });
      } catch (err) {
        if (err instanceof InterruptedError || m.io.signal.aborted) throw err;
        reached.push({ ...m, failed: err });
      }
    }
    return await work(reached);
  } finally {
    for (const { session, reporter } of open) {
      reporter.verbose(`ssh: ${describeStats(session.stats)}`);
      session.close();
    }
  }
}
