/**
 * `kafka-setup logs [broker|zookeeper] [-n N] [-f]`: the last lines of the daemons' logs over one SSH
 * command, or (-f) those and every new line until Ctrl-C, which is how following ends: exit 0. Only
 * the log lines go to stdout (`kafka-setup logs > file` holds the log); warnings and errors go to stderr.
 * On a cluster's profile without --host: every member's, each line marked `[HOST] `.
 */
import { InterruptedError, UserError } from '../errors.js';
import type { HostOps, LogFile } from '../host/operations.js';
import type { KafkaMode } from '../kafka/mode.js';
import { type LogsFlags, type LogsOptions, resolveLogsOptions } from '../options/logs-options.js';
import { clusterMembers } from '../options/profile.js';
import { isInteractive } from '../options/resolve.js';
import { logLine } from '../ui/log-line.js';
import type { Reporter } from '../ui/reporter.js';
import { type Reached, resolveMembers, withEachHost } from './each-member.js';
import type { CommandIO } from './io.js';
import { recogniseMoved } from './recognise.js';
import { withHost } from './with-host.js';

/** What is wrong with a log that is not there, and what to do (`mode`: what init starts). */
export function logProblem(f: LogFile, host: string, mode: KafkaMode): UserError {
  const dir = f.path.slice(0, -`/logs/${f.daemon.out}`.length);
  switch (f.state) {
    case 'no_install':
      return new UserError(`there is no Kafka install at ${dir} on ${host}`, {
        hint: 'run kafka-setup init to set it up, or pass --install-dir with where Kafka is installed (the profile init saved knows it)',
      });
    case 'missing':
      return new UserError(`${f.daemon.name} has not been started on this host yet (no ${f.path})`, {
        hint: `run kafka-setup init, which starts ${mode.daemons.map((d) => d.name).join(' and ')}`,
      });
    default:
      return new UserError(`${f.path} on ${host} is not a file the SSH user can read`, {
        hint: `look at its owner and mode on the host (ls -l ${f.path}); kafka-setup reads the log as the SSH user`,
      });
  }
}

/**
 * Prints the logs as they arrive. One log: its lines as they are (like tail). Both: a block per log,
 * headed `==> NAME: PATH <==` (like tail's headers); following both, lines arrive interleaved, so
 * each is prefixed with its daemon instead ("broker    | …"). A log that is not there is a warning
 * when another one is shown, else the error.
 */
export async function showLogs(
  host: HostOps,
  o: Pick<LogsOptions, 'mode' | 'daemons' | 'lines' | 'follow'>,
  reporter: Reporter,
): Promise<void> {
  let shown: LogFile[] = [];
  let opened = 0;
  const several = o.daemons.length > 1;
  const width = Math.max(...o.daemons.map((d) => d.kind.length));
  /** Headings up to the block of shown[index] (a log without lines is headed too, in order). */
  const openUntil = (index: number): void => {
    for (; opened <= index; opened++)
      reporter.output([...(opened > 0 ? [''] : []), `==> ${shown[opened]!.daemon.label}: ${shown[opened]!.path} <==`]);
  };
  const files = await host.logs({
    daemons: o.daemons,
    lines: o.lines,
    follow: o.follow,
    onFiles(found) {
      shown = found.filter((f) => f.state === 'ok');
      if (shown.length === 0) return;
      for (const f of found) {
        if (f.state === 'ok') continue;
        const p = logProblem(f, host.name, o.mode);
        reporter.warn(`${p.message}: ${p.hint}`);
      }
    },
    onLine(l) {
      const text = logLine(l.text, l.cut);
      if (!several) return reporter.output([text]);
      if (o.follow) return reporter.output([`${l.daemon.kind.padEnd(width)} | ${text}`]);
      openUntil(shown.findIndex((f) => f.daemon === l.daemon));
      reporter.output([text]);
    },
  });
  const missing = files.filter((f) => f.state !== 'ok');
  if (missing.length === files.length) {
    const first = logProblem(missing[0]!, host.name, o.mode);
    // The first is the error, the others its details (a missing install is said once).
    const more = missing
      .slice(1)
      .filter((f) => f.state !== 'no_install')
      .map((f) => logProblem(f, host.name, o.mode).message);
    throw new UserError(first.message, { ...(first.hint === undefined ? {} : { hint: first.hint }), details: more });
  }
  if (several && !o.follow) openUntil(shown.length - 1);
  // tail -F does not end by itself: someone stopped it on the host.
  if (o.follow) reporter.warn(`following the log${several ? 's' : ''} ended on ${host.name}`);
}

/**
 * Every member's logs, each line marked with its host (its reporter's label). Without -f, one host
 * after another in the profile's order: each host's block stays whole and in a fixed place (side by
 * side would need every log held back until the slowest host answered, for a saving of one connection
 * time per host). With -f, all at once until Ctrl-C, each over its own connection. A host that cannot
 * be reached, or has no log to show, is said with its label and the others are still shown; the
 * labels of those that failed are returned (Ctrl-C is not a host's failure).
 */
export async function showClusterLogs(reached: ReadonlyArray<Reached<LogsOptions>>, signal: AbortSignal): Promise<string[]> {
  const failed: string[] = [];
  const one = async (m: Reached<LogsOptions>): Promise<void> => {
    try {
      if (m.host === undefined) throw m.failed;
      await showLogs(m.host, m.options, m.io.reporter);
    } catch (err) {
      if (err instanceof InterruptedError || signal.aborted) throw err;
      m.io.reporter.error(err, m.io.debug);
      failed.push(m.label);
    }
  };
  if (reached.some((m) => m.options.follow)) {
    const settled = await Promise.allSettled(reached.map(one));
    // Following ends with Ctrl-C (or a reader gone): every host's tail stops with it, which is no failure.
    const other = settled.find(
      (r): r is PromiseRejectedResult => r.status === 'rejected' && !(r.reason instanceof InterruptedError) && !signal.aborted,
    );
    if (other) throw other.reason;
  } else {
    for (const m of reached) await one(m);
  }
  return reached.filter((m) => failed.includes(m.label)).map((m) => m.label);
}

export async function logsCommand(
  daemon: string | undefined,
  flags: LogsFlags,
  io: CommandIO,
  stdout: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const interactive = isInteractive(flags.interactive);
  const saved = await clusterMembers(flags, io.env);
  const resolve = (given: LogsFlags, warn: (m: string) => void, one: boolean): Promise<LogsOptions> =>
    resolveLogsOptions(daemon, given, {
      prompter: interactive ? io.prompter() : undefined,
      env: io.env,
      warn,
      // A member is named by the profile itself: there is no moved server to recognise.
      ...(one ? { recognise: recogniseMoved(io, { record: true, profile: flags.profile }) } : {}),
    });
  const o = saved ? undefined : await resolve(flags, (m) => io.reporter.warn(m), true);
  // Whoever reads the output went away (`kafka-setup logs -f | head`): stop following, as Ctrl-C
  // does. main ignores EPIPE so that other commands finish their work; a follow would never finish.
  const readerGone = new AbortController();
  const onOutputError = (err: NodeJS.ErrnoException): void => {
    if (err.code === 'EPIPE') readerGone.abort();
  };
  stdout.on('error', onOutputError);
  const signal = AbortSignal.any([io.signal, readerGone.signal]);
  let following = false;
  let failed: string[] = [];
  try {
    if (o) {
      await withHost(o, { ...io, signal }, async (host) => {
        following = o.follow;
        await showLogs(host, o, io.reporter);
      });
    } else {
      const members = await resolveMembers(saved!, { ...io, signal }, (member, warn) => resolve({ ...flags, ...member }, warn, false));
      failed = await withEachHost(members, (reached) => {
        following = flags.follow === true;
        return showClusterLogs(reached, signal);
      });
    }
  } catch (err) {
    // Ctrl-C is how following ends: the remote tail stops with the connection (ks_guard), and this is a
    // success. So is a reader that has all it wanted (head): nobody is left to tell otherwise.
    if ((following && (err instanceof InterruptedError || signal.aborted)) || readerGone.signal.aborted) return 0;
    throw err;
  } finally {
    stdout.off('error', onOutputError);
  }
  if (failed.length > 0 && !readerGone.signal.aborted) {
    throw new UserError(`could not show the logs of ${failed.join(', ')} (of the cluster's ${saved!.length} hosts)`, {
      hint: "see each host's error above; the other hosts' logs are shown (kafka-setup logs --host HOST shows one host's)",
    });
  }
  return 0;
}
