/**
 * The sections the remote scripts print, and the keys their lines carry: declared once. The parsers
 * read sections only through these names (type-checked), and test/host/vocabulary.test.ts reads the
 * shell scripts and fails when they print a section or key not declared here, or when a declared one
 * is printed nowhere.
 */

/** A section whose keys are chosen at run time (tool names). */
export const ANY_KEY = '*';

export const VOCABULARY = {
  /** Copied from /etc/os-release. */
  os: ['ID', 'ID_LIKE', 'VERSION_ID', 'PRETTY_NAME', 'SUPPORT_END'],
  /** Tool name = its path. */
  tools: [ANY_KEY],
  host: ['home', 'user', 'client', 'server', 'arch', 'mem_kib', 'swap_kib', 'sudo'],
  install: ['path', 'parent_free_kib', 'parent_writable', 'state', 'tarball'],
  /** `file <name>`: one per file kafka-setup edits (bashrc, server.properties, zookeeper.properties, myid). */
  file: ['path', 'mtime', 'content', 'backup', 'backup_sha256'],
  data: ['dir', 'meta', 'format', 'cluster_id', 'mode', 'owner'],
  /** What format-storage.sh did: the cluster id, and whether it formatted now. */
  formatted: ['cluster_id', 'formatted', 'seconds'],
  ports: ['now', 'listening'],
  jvms: ['now', 'java', 'cwd', 'start'],
  jps: ['jps'],
  sha512: ['url', 'content', 'tried'],
  download: ['reused', 'bytes', 'discarded', 'url', 'seconds', 'tried', 'verified'],
  installed: ['package', 'repaired_dpkg', 'keystore_aside', 'reinstalled', 'waited', 'waited_pid', 'waited_name', 'waited_lock'],
  lock: ['state', 'file', 'pid'],
  moved: ['count'],
  started: ['pid', 'seconds', 'stale_node', 'stale_waited'],
  stopped: ['seconds'],
  zookeeper: ['connect', 'rc', 'ids', 'out'],
  /**
   * The KRaft controller quorum as kafka-metadata-quorum.sh describes it: `describe --status` (rc …
   * voters) and `describe --replication` (replication_rc, and `row=ID LEO LAG FETCH_MS CAUGHT_UP_MS STATUS`).
   */
  quorum: ['rc', 'leader', 'epoch', 'lag', 'voters', 'out', 'replication_rc', 'row'],
  /** What join-quorum.sh did: the lost voter's directory id it removed (or nothing), and its time. */
  joined: ['removed', 'seconds'],
  logs: ['file', 'line'],
  /** Whether systemd runs the host: `running` or `none`. */
  systemd: ['state'],
  /** `unit <kind>`: kafka-setup's systemd unit of ZooKeeper or the broker. */
  unit: ['name', 'path', 'content', 'enabled', 'active', 'pid', 'fragment'],
  /** What uninstall.sh did: units disabled, JVMs stopped, paths removed or kept, what became of ~/.bashrc. */
  uninstalled: ['unit', 'stopped', 'removed', 'purged', 'kept', 'bashrc'],
  /** `logfile <kind>`: a daemon's log as `logs` found it (state: ok, missing, unreadable, no_install). */
  logfile: ['path', 'state'],
  /** The lines of `logs`: `line=KIND TEXT`, or `cut=KIND TEXT` for one the host cut at 4000 bytes. */
  tail: ['line', 'cut'],
  /** Live progress of a long script (install-java.sh), read while it runs. */
  progress: ['text'],
  /** A failure kafka-setup can explain: `kind` and `message`, then fields of that kind. */
  error: [
    'kind',
    'message',
    'line',
    'log',
    'url',
    'actual',
    'waited',
    'pid',
    'name',
    'command',
    'age',
    'lock',
    'since',
    'from',
    'conn',
    'now',
    'dir',
    'user',
    'port',
    'owner',
  ],
} as const satisfies Record<string, readonly string[]>;

export type SectionName = keyof typeof VOCABULARY;
export type KeyOf<S extends SectionName> = (typeof VOCABULARY)[S][number];
