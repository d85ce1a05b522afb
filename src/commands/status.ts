/**
 * `kafka-setup status`: one line per JVM (running, pid, uptime, heap, ports, enabled at boot, data),
 * from one probe: one SSH connection, one remote command (the broker's metadata is asked alongside,
 * over the same connection). Exit 0 when both run, 3 when one does not (as systemctl status does).
 */
import { brokerId, brokerJvm } from '../host/install-jvms.js';
import { judgeServing, type Serving } from '../host/serving.js';
import { resolveHostCommandOptions } from '../options/host-command-options.js';
import type { StatusFlags } from '../options/status-options.js';
import { isInteractive } from '../options/resolve.js';
import { hostStatus, statusLines } from './daemon-status.js';
import { recogniseMoved } from './recognise.js';
import type { CommandIO } from './io.js';
import { withHost } from './with-host.js';

/** Exit status when a JVM is not running. */
export const EXIT_NOT_RUNNING = 3;

export async function statusCommand(flags: StatusFlags, io: CommandIO): Promise<number> {
  const json = flags.json === true;
  const o = await resolveHostCommandOptions(flags, {
    prompter: !json && isInteractive(flags.interactive) ? io.prompter() : undefined, env: io.env, warn: (m) => io.reporter.warn(m), json,
    recognise: recogniseMoved(io, { record: true, profile: flags.profile }),
  });
  io.reporter.info(`kafka-setup status: ${o.connection.user}@${o.connection.host}:${o.connection.port}`);
  return withHost(o, io, async (host) => {
    const early: Promise<Serving | undefined> = host.serving(undefined, 0).catch(() => undefined);
    const { facts } = await host.probe({ urls: [], lock: false });
    const asked = await early;
    const serving = brokerJvm(facts) && asked ? judgeServing(asked, brokerId(facts.files['server.properties'].content)) : undefined;
    const status = hostStatus(facts, { host: o.connection.host, kafkaVersion: o.dist.kafkaVersion }, serving);
    if (json) io.reporter.json(status);
    else io.reporter.lines(statusLines(status));
    return status.daemons.every((d) => d.running) ? 0 : EXIT_NOT_RUNNING;
  });
}
