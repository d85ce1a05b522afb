/**
 * The systemd units of an install's JVMs (templates/systemd/kafka-daemon.service): each runs Kafka's
 * own start script in the foreground as the SSH user, with the heap in Environment=; on 3.x the broker
 * wants ZooKeeper and starts after it, and keeps running while ZooKeeper restarts.
 */
import { posix } from 'node:path';
import { render } from '../templates.js';
import type { DaemonSpec } from './daemons.js';

export interface UnitValues {
  /** Absolute install directory (as the host resolved ~/). */
  installPath: string;
  user: string;
  heapOpts: string;
}

/**
 * One word of a unit file's command line or assignment, quoted for systemd: inside double quotes,
 * backslash and quote escaped, `$` and `%` doubled (systemd would expand them).
 */
export function unitWord(value: string): string {
  return `"${value
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/\$/g, '$$$$')
    .replace(/%/g, '%%')}"`;
}

/** A unit name systemd accepts as is: nothing in ours needs escaping, and nothing else gets here. */
function unitName(d: DaemonSpec): string {
  if (!/^[A-Za-z0-9:_.@-]+\.service$/.test(d.unit)) throw new Error(`not a unit name: ${d.unit}`);
  return d.unit;
}

/** Why these values cannot go into a unit file, if they cannot. */
export function unitValuesProblem(v: UnitValues): string | undefined {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(v.user))
    return `the user name "${v.user.replace(/[^\x20-\x7e]/g, '?')}" cannot go into a systemd unit`;
  if (/[\u0000-\u001f\u007f]/.test(v.installPath)) return 'the install path contains control characters';
  return undefined;
}

/** `wants`: the unit to start first (the mode's: ZooKeeper's for the broker on 3.x, none on KRaft). */
export function unitFile(d: DaemonSpec, v: UnitValues, wants?: DaemonSpec): string {
  const problem = unitValuesProblem(v);
  if (problem) throw new Error(problem);
  const dep = wants ? unitName(wants) : undefined;
  return render('systemd/kafka-daemon.service', {
    description: d.unitDescription,
    after: dep ? ` ${dep}` : '',
    // Wants=, not Requires=: starting the broker starts ZooKeeper (first: After=), but stopping or
    // restarting ZooKeeper through systemd leaves the broker running, as the broker itself rides out a
    // ZooKeeper member's absence; with Requires= a member's ZooKeeper restart took its broker down too.
    wants: dep ? `Wants=${dep}\n` : '',
    user: v.user,
    // A plain path (no quoting in WorkingDirectory=), only % is special.
    workdir: v.installPath.replace(/%/g, '%%'),
    heapEnv: unitWord(`KAFKA_HEAP_OPTS=${v.heapOpts}`),
    script: unitWord(posix.join(v.installPath, 'bin', d.script)),
    config: unitWord(posix.join(v.installPath, 'config', d.config)),
    out: unitWord(posix.join(v.installPath, 'logs', d.out)),
  });
}
