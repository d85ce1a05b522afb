/**
 * The inputs of each remote script body (templates/remote/NAME.sh), declared once, as vocabulary.ts
 * declares what they print: the variables a body reads, and whether --verbose may show a value
 * (`hidden`: it may carry a file's content or a unit's, never shown). `#` stands for an index:
 * lists travel as numbered variables (KS_F0_PATH, KS_F1_PATH, …). The base inputs are every
 * script's (target.ts). test/host/script-inputs.test.ts reads the templates and fails when a body
 * reads a variable it does not declare, or declares one it never reads; remoteScript refuses to
 * send a variable no body of the script declares.
 */

type Shown = 'shown' | 'hidden';

/** What target.ts gives every script: where the install is, for the probe functions they share. */
export const BASE_INPUTS = {
  KS_INSTALL: 'shown',
  KS_TARBALL: 'shown',
  KS_CORE_JAR: 'shown',
  KS_TOPDIR: 'shown',
  KS_BASHRC: 'shown',
  KS_PORTS: 'shown',
  KS_UNITS: 'shown',
  KS_UNIT_DIR: 'shown',
  KS_UNIT_HEADER: 'shown',
} as const satisfies Record<string, Shown>;

export const SCRIPT_INPUTS = {
  prelude: {},
  'probe-lib': { KS_URLS: 'shown' },
  lock: {},
  probe: { KS_URLS: 'shown', KS_LOCK: 'shown' },
  'install-java': { KS_PM: 'shown', KS_PACKAGES: 'shown', KS_PM_LOCKS: 'shown', KS_PM_PIDFILES: 'shown', KS_PM_WAIT: 'shown' },
  'fetch-sha512': {},
  download: { KS_URLS: 'shown', KS_SHA512: 'shown' },
  extract: { KS_SHA512: 'shown' },
  // Read by the ks_write_file calls that go with them (file-writes.ts).
  'write-files': { 'KS_F#_PATH': 'hidden', 'KS_F#_B64': 'hidden', 'KS_F#_SHA': 'hidden' },
  'move-data': {
    KS_STOP_BROKER: 'shown',
    KS_STOP_ZOOKEEPER: 'shown',
    KS_BROKER_MAIN: 'shown',
    KS_ZOOKEEPER_MAIN: 'shown',
    KS_MOVES: 'shown',
    KS_DATA_TIGHTEN: 'shown',
    'KS_M#_FROM': 'shown',
    'KS_M#_TO': 'shown',
    'KS_M#_SAME': 'shown',
  },
  'format-storage': {
    KS_DATA_DIR: 'shown',
    KS_LOG_DIR: 'shown',
    KS_CLUSTER_ID: 'shown',
    KS_QUORUM: 'shown',
    KS_INITIAL_CONTROLLERS: 'shown',
  },
  // The daemon table's row (daemons.ts): start-daemon.sh and stop-daemon.sh always run with daemon-lib.sh.
  'daemon-lib': {
    KS_NAME: 'shown',
    KS_SCRIPT: 'shown',
    KS_CONF: 'shown',
    KS_OUT: 'shown',
    KS_MAIN: 'shown',
    KS_READY: 'shown',
    KS_PORT: 'shown',
    KS_SERVICE: 'shown',
    KS_UNIT: 'shown',
    KS_RUNNING_PID: 'shown',
  },
  'start-daemon': { KS_KIND: 'shown', KS_OTHER_PORTS: 'shown', KS_HEAP_OPTS: 'shown', KS_STOP_PID: 'shown', KS_TIMEOUT: 'shown' },
  'stop-daemon': { KS_STOP_FORCE: 'shown' },
  units: { KS_UNIT_WRITES: 'shown', KS_ENABLE: 'shown', KS_REMOVE: 'shown', 'KS_W#_NAME': 'shown', 'KS_W#_CONTENT': 'hidden' },
  jps: {},
  verify: { KS_VERIFY_MODE: 'shown', KS_ZOOKEEPER_CONNECT: 'shown' },
  quorum: { KS_CONTROLLER: 'shown' },
  'join-quorum': {
    KS_NODE_ID: 'shown',
    KS_DIRECTORY_ID: 'shown',
    KS_LOG_DIR: 'shown',
    KS_CONTROLLERS: 'shown',
    KS_REMOVE_DIRECTORY: 'shown',
    KS_ADD: 'shown',
  },
  uninstall: {
    KS_UN_UNITS: 'shown',
    KS_UN_SYSTEMD: 'shown',
    KS_UN_STOP: 'shown',
    KS_UN_INSTALL: 'shown',
    KS_UN_TARBALL: 'shown',
    KS_UN_PURGE: 'shown',
    KS_UN_DATA_PARENT: 'shown',
    KS_UN_CLUSTER_ID_FILE: 'shown',
    KS_UN_CLUSTER_ID: 'shown',
    KS_UN_BASHRC: 'shown',
    KS_UN_BASHRC_SHA: 'hidden',
    KS_UN_BACKUP_SHA: 'hidden',
    KS_UN_BASHRC_B64: 'hidden',
    'KS_UN_P#_DIR': 'shown',
    'KS_UN_P#_KIND': 'shown',
    'KS_UN_P#_OURS': 'shown',
  },
  logs: { KS_LOGS: 'shown', KS_LINES: 'shown', KS_FOLLOW: 'shown' },
} as const satisfies Record<string, Record<string, Shown>>;

export type ScriptBody = keyof typeof SCRIPT_INPUTS;

/** Bodies that only ever run after others, and read those others' inputs too (besides probe-lib, in every script). */
export const RUNS_WITH: Partial<Record<ScriptBody, readonly ScriptBody[]>> = {
  'start-daemon': ['daemon-lib'],
  'stop-daemon': ['daemon-lib'],
  uninstall: ['move-data'],
};

/** `KS_F#_PATH` as the names it stands for: `KS_F${number}_PATH`. */
type Expanded<K> = K extends `${infer A}#${infer B}` ? `${A}${number}${B}` : K;

/** Each body's inputs, together (distributed: `keyof (A | B)` would be only what both declare). */
type InputKeys<B> = B extends ScriptBody ? keyof (typeof SCRIPT_INPUTS)[B] : never;

/** The variables a script of these bodies may be sent. */
export type ScriptVars<B extends ScriptBody> = Partial<Record<Expanded<InputKeys<B> | keyof typeof BASE_INPUTS>, string | number>>;

/** A declared name's pattern: `KS_F#_PATH` matches KS_F0_PATH, KS_F12_PATH. */
function pattern(declared: string): RegExp {
  return new RegExp(`^${declared.replace('#', '[0-9]+')}$`);
}

/** How a variable of these bodies is declared: shown, hidden, or undefined when none declares it. */
export function declaredInput(bodies: readonly ScriptBody[], name: string): Shown | undefined {
  const tables: ReadonlyArray<Readonly<Record<string, Shown>>> = [BASE_INPUTS, ...bodies.map((b) => SCRIPT_INPUTS[b])];
  for (const t of tables) for (const [k, v] of Object.entries(t)) if (pattern(k).test(name)) return v;
  return undefined;
}
