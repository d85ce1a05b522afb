/**
 * Assembling a remote script: a fixed prelude, quoted variable assignments, then one or more bodies
 * from templates/remote/, then calls. Only the operations of src/host/ build scripts.
 */
import { randomBytes } from 'node:crypto';
import { assignments } from '../remote/shell.js';
import type { RemoteScript } from '../remote/script.js';
import { template } from '../templates.js';

/**
 * Variables --verbose may show. Deny by default: a variable may carry a file's content (base64 or
 * not), which never reaches the terminal.
 */
const SHOWN_VARS: readonly string[] = [
  'KS_INSTALL', 'KS_TARBALL', 'KS_CORE_JAR', 'KS_TOPDIR', 'KS_BASHRC', 'KS_PORTS', 'KS_URLS', 'KS_SHA512', 'KS_PM', 'KS_PACKAGES',
  'KS_KIND', 'KS_NAME', 'KS_SCRIPT', 'KS_CONF', 'KS_OUT', 'KS_MAIN', 'KS_READY', 'KS_PORT', 'KS_TIMEOUT', 'KS_STOP_PID', 'KS_RUNNING_PID',
  'KS_HEAP_OPTS', 'KS_PM_LOCKS', 'KS_PM_PIDFILES', 'KS_PM_WAIT', 'KS_OTHER_PORTS', 'KS_STOP_BROKER', 'KS_STOP_ZOOKEEPER',
  'KS_BROKER_MAIN', 'KS_ZOOKEEPER_MAIN', 'KS_MOVES', 'KS_DATA_TIGHTEN', 'KS_LOCK', 'KS_ZOOKEEPER_CONNECT', 'KS_UNITS', 'KS_UNIT_DIR', 'KS_UNIT_HEADER', 'KS_SERVICE', 'KS_UNIT', 'KS_UNIT_WRITES', 'KS_ENABLE', 'KS_REMOVE',
  // uninstall (not KS_UN_BASHRC_B64: the file's content)
  'KS_UN_UNITS', 'KS_UN_SYSTEMD', 'KS_UN_STOP', 'KS_UN_INSTALL', 'KS_UN_TARBALL', 'KS_UN_PURGE', 'KS_UN_DATA_PARENT', 'KS_UN_CLUSTER_ID_FILE', 'KS_UN_CLUSTER_ID', 'KS_UN_BASHRC',
  'KS_LOGS', 'KS_LINES', 'KS_FOLLOW',
  'KS_DATA_DIR', 'KS_LOG_DIR', 'KS_CLUSTER_ID',
];

/**
 * `calls` are extra lines of our own code run after the bodies; they may reference variables but are
 * never built from user input (values only ever travel in `vars`, quoted).
 */
export function remoteScript(name: string, vars: Record<string, string | number>, bodies: string[], calls: string[] = []): RemoteScript {
  const asStrings = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)]));
  const mark = `::ks:${randomBytes(8).toString('hex')}::`;
  // The whole script is one brace group: the shell parses all of it before running any of it, so
  // nothing a command reads from stdin can be taken from the script text (see prelude.sh).
  const text = [
    '{',
    `KS_MARK='${mark}'`,
    template('remote/prelude.sh'),
    assignments(asStrings),
    ...bodies.map((b) => template(`remote/${b}.sh`)),
    ...calls,
    '}',
    '',
  ].join('\n');
  return { name, text, vars: asStrings, mark, shown: SHOWN_VARS.filter((k) => k in asStrings) };
}

