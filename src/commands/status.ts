/**
 * `kafka-setup status`: one line per JVM (running, pid, uptime, heap, ports, enabled at boot, data),
 * from one probe: one SSH connection, one remote command (the broker's metadata is asked alongside,
 * over the same connection). Exit 0 when every JVM of the install runs, 3 when one does not (as systemctl status does).
 */
import { clusterKind } from '../cluster/cluster-kind.js';
import { UserError } from '../errors.js';
import { brokerId, findJvm } from '../host/install-jvms.js';
import { judgeServing, type Serving } from '../host/serving.js';
import { modeOf } from '../kafka/mode.js';
import { memberFlags, memberLabel } from '../options/cluster-options.js';
import { resolveHostCommandOptions } from '../options/host-command-options.js';
import { clusterMembers } from '../options/profile.js';
import { isInteractive } from '../options/resolve.js';
import type { StatusFlags } from '../options/status-options.js';
import { type HostStatus, hostStatus, statusLines } from './daemon-status.js';
import type { CommandIO } from './io.js';
import { recogniseMoved } from './recognise.js';
import { withHost } from './with-host.js';

/** Exit status when a JVM is not running. */
export const EXIT_NOT_RUNNING = 3;

async function statusOf(flags: StatusFlags, io: CommandIO, cluster: boolean): Promise<HostStatus> {
  const json = flags.json === true;
  const o = await resolveHostCommandOptions(flags, {
    prompter: !json && isInteractive(flags.interactive) ? io.prompter() : undefined,
    env: io.env,
    warn: (m) => io.reporter.warn(m),
    json,
    ...(cluster ? {} : { recognise: recogniseMoved(io, { record: true, profile: flags.profile }) }),
  });
  io.reporter.info(`kafka-setup status: ${o.connection.user}@${o.connection.host}:${o.connection.port}`);
  return withHost(o, io, async (host) => {
    const early: Promise<Serving | undefined> = host.serving(undefined, 0).catch(() => undefined);
    const mode = modeOf(o.dist);
    // A KRaft cluster's node also says where it stands in the controller quorum, asked beside the
    // probe. A single server is not asked: it is its own quorum's only voter, the leader, never behind.
    const quorum = cluster && clusterKind(mode).describesQuorum ? host.quorum() : undefined;
    quorum?.catch(() => {}); // awaited below: the probe failing first must not leave it unhandled
    const { facts } = await host.probe({ urls: [], lock: false });
    const asked = await early;
    const serving =
      findJvm(facts, mode.broker) && asked ? judgeServing(asked, brokerId(facts.files['server.properties'].content)) : undefined;
    return hostStatus(facts, { host: o.connection.host, kafkaVersion: o.dist.kafkaVersion }, serving, await quorum);
  });
}

export async function statusCommand(flags: StatusFlags, io: CommandIO): Promise<number> {
  const json = flags.json === true;
  const saved = await clusterMembers(flags, io.env);
  if (!saved) {
    const status = await statusOf(flags, io, false);
    if (json) io.reporter.json(status);
    else io.reporter.lines(statusLines(status));
    return status.daemons.every((d) => d.running) ? 0 : EXIT_NOT_RUNNING;
  }
  // Every host of the saved cluster, side by side: one connection and one command each.
  const cluster = saved.map((m) => memberLabel(m, saved));
  const settled = await Promise.allSettled(
    saved.map((m, i) => statusOf({ ...flags, ...memberFlags(m) }, { ...io, reporter: io.reporter.labelled(cluster[i]!) }, true)),
  );
  const failed = settled.flatMap((r, i) => (r.status === 'rejected' ? [cluster[i]!] : []));
  for (const [i, r] of settled.entries()) if (r.status === 'rejected') io.reporter.labelled(cluster[i]!).error(r.reason, io.debug);
  if (failed.length > 0) throw new UserError(`could not read the status of ${failed.join(', ')}`, { hint: "see each host's error above" });
  const all = settled.map((r) => (r as PromiseFulfilledResult<HostStatus>).value);
  if (json) io.reporter.json({ cluster: all });
  else for (const s of all) io.reporter.lines(['', ...statusLines(s)]);
  return all.every((s) => s.daemons.every((d) => d.running)) ? 0 : EXIT_NOT_RUNNING;
}
