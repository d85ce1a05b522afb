# kafka-setup: what the host looks like. Each ks_probe_* prints one section; the probe runs all of
# them in one round trip, and each step re-runs the ones it changed to confirm its work.
# Inputs: KS_INSTALL, KS_TARBALL, KS_CORE_JAR, KS_TOPDIR, KS_BASHRC, KS_PORTS.

ks_install_dir=$(ks_path "$KS_INSTALL")

# Fetch a URL to a file with curl, else wget, guarded; prints the tool's error on failure. A mirror
# that accepts and then stalls must not hold the run: bounded connect time, and a transfer slower
# than 1 KiB/s for 15 s is abandoned, so the next mirror gets its turn (no retries: the next mirror
# is the retry). $3, if given, bounds the whole transfer in seconds (small files), $4 its size in
# bytes (default 1 GiB: an endless answer must not fill a small disk), $5 a file for the response
# headers (curl only). Only http(s), also after
# redirects.
ks_fetch() {
  ks_url=$1 ks_out=$2 ks_max=${3:-} ks_bytes=${4:-1073741824} ks_hdrs=${5:-}
  if command -v curl >/dev/null 2>&1; then
    if [ -n "$ks_max" ]; then set -- --max-time "$ks_max"; else set --; fi
    # The response headers as they arrive, for the download's progress (its Content-Length).
    if [ -n "$ks_hdrs" ]; then set -- "$@" -D "$ks_hdrs"; fi
    ks_guard curl -fsSL --proto =http,https --proto-redir =http,https --connect-timeout 10 \
      --speed-limit 1024 --speed-time 15 --max-filesize "$ks_bytes" "$@" -o "$ks_out" -- "$ks_url" 2>&1
  else
    if [ -n "$ks_max" ]; then set -- "--timeout=$ks_max"; else set -- --read-timeout=15; fi
    ks_guard wget -nv --connect-timeout=10 --tries=1 "$@" -O "$ks_out" -- "$ks_url" 2>&1
  fi
}

# Whether a file is a published SHA-512 checksum: "<file>: <128 hex digits in groups>" (gpg
# --print-md) or "<128 hex>  <file>" (sha512sum). A captive portal's HTML page is not.
ks_is_sha512_file() {
  [ "$(wc -c < "$1" | tr -d ' ')" -le 4096 ] || return 1
  grep -qiE '^[0-9a-f]{128}[[:space:]]+[*]?[^[:space:]]+[[:space:]]*$' "$1" && return 0
  sed -e '1s/^[^:]*://' "$1" | tr -d ' \t\r\n' | grep -qixE '[0-9a-f]{128}'
}

ks_is_kafka() { [ -f "$1/$KS_CORE_JAR" ] && [ -f "$1/bin/kafka-server-start.sh" ] && [ -f "$1/config/server.properties" ]; }

ks_probe_os() {
  ks_section os
  if [ -r /etc/os-release ]; then grep -E '^(ID|ID_LIKE|VERSION_ID|PRETTY_NAME|SUPPORT_END)=' /etc/os-release; fi
}

ks_probe_tools() {
  ks_section tools
  for t in java jps curl wget tar gzip sha512sum sha256sum base64; do
    p=$(command -v "$t" 2>/dev/null) && ks_kv "$t" "$p"
  done
  # A JDK whose jps is not on PATH (some alternatives setups): use the one beside java.
  if ! command -v jps >/dev/null 2>&1 && command -v java >/dev/null 2>&1; then
    j=$(readlink -f "$(command -v java)")
    [ -x "${j%/*}/jps" ] && ks_kv jps "${j%/*}/jps"
  fi
  # Java's packages an interrupted install left unfinished: its binaries may be in place already.
  u=$(ks_java_unfinished)
  [ -n "$u" ] && ks_kv dpkg_unfinished "$u"
  return 0
}

# Java's Debian packages that dpkg has not finished (unpacked, half-configured, awaiting a trigger),
# space separated: an install stopped midway (Ctrl-C, a dropped connection) leaves them so.
ks_java_unfinished() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  dpkg-query -W -f='${db:Status-Status} ${Package}\n' 'openjdk-*' ca-certificates-java java-common 'default-j*' 2>/dev/null |
    awk '$1 ~ /^(half-installed|unpacked|half-configured|triggers-awaited|triggers-pending)$/ && $2 ~ /^(openjdk-|ca-certificates-java$|java-common$|default-j)/ { printf "%s%s", s, $2; s = " " }'
}

ks_probe_host() {
  ks_section host
  ks_kv home "$HOME"
  ks_kv user "$(id -un)"
  # Our address as the host sees it (behind NAT, the public one): what a security group rule needs.
  ks_conn=${SSH_CONNECTION:-}
  ks_kv client "${ks_conn%% *}"
  # And the address the host was reached on (on EC2 the private one, behind the public IP's NAT):
  # where the other members of a cluster reach it.
  ks_rest=${ks_conn#* * }
  ks_kv server "${ks_rest%% *}"
  ks_kv arch "$(uname -m)"
  ks_kv mem_kib "$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>/dev/null)"
  ks_kv swap_kib "$(awk '/^SwapTotal:/ { print $2 }' /proc/meminfo 2>/dev/null)"
  if [ "$(id -u)" = 0 ]; then ks_kv sudo root
  elif ! command -v sudo >/dev/null 2>&1; then ks_kv sudo missing
  elif sudo -n true 2>/dev/null; then ks_kv sudo yes
  else ks_kv sudo password
  fi
}

ks_probe_install() {
  ks_section install
  ks_kv path "$ks_install_dir"
  d=${ks_install_dir%/*}
  while [ -n "$d" ] && [ ! -d "$d" ]; do d=${d%/*}; done
  [ -n "$d" ] || d=/
  ks_kv parent_free_kib "$(df -Pk "$d" 2>/dev/null | awk 'NR == 2 { print $4 }')"
  if [ -w "$d" ]; then ks_kv parent_writable yes; else ks_kv parent_writable no; fi
  if [ -e "$ks_install_dir" ]; then
    if ks_is_kafka "$ks_install_dir"; then ks_kv state kafka; else ks_kv state other; fi
  else
    ks_kv state absent
  fi
  if [ -f "$(ks_path "$KS_TARBALL")" ]; then ks_kv tarball yes; else ks_kv tarball no; fi
}

# A file's content (base64), mtime and whether its one-time backup exists (with its SHA-256, so that
# uninstall can tell whether removing kafka-setup's block gives back exactly the original).
ks_file_fact() {
  f=$2
  [ -L "$f" ] && f=$(readlink -f "$f")
  ks_section "file $1"
  ks_kv path "$f"
  if [ -f "$f" ]; then
    ks_kv mtime "$(date -r "$f" +%s.%N 2>/dev/null || stat -c %Y "$f")"
    ks_kv content "$(ks_b64 "$f")"
  fi
  if [ -e "$2.kafka-setup.bak" ]; then ks_kv backup yes; else ks_kv backup no; fi
  if [ -f "$2.kafka-setup.bak" ]; then ks_kv backup_sha256 "$(sha256sum < "$2.kafka-setup.bak" | cut -d ' ' -f 1)"; fi
}

# The config files as extraction will create them, read from the verified tarball, so that their
# edits can travel with the extraction in one round trip.
ks_predict_config() {
  ks_pc=$(mktemp -d) || return 0
  if tar -xzf "$1" -C "$ks_pc" "$KS_TOPDIR/config/server.properties" "$KS_TOPDIR/config/zookeeper.properties" 2>/dev/null; then
    for f in server.properties zookeeper.properties; do
      ks_section "file $f"
      ks_kv path "$ks_install_dir/config/$f"
      ks_kv content "$(ks_b64 "$ks_pc/$KS_TOPDIR/config/$f")"
      ks_kv backup no
    done
  fi
  rm -rf "$ks_pc"
}

ks_probe_files() {
  ks_file_fact bashrc "$(ks_path "$KS_BASHRC")"
  ks_file_fact server.properties "$ks_install_dir/config/server.properties"
  ks_file_fact zookeeper.properties "$ks_install_dir/config/zookeeper.properties"
  # ZooKeeper's id in an ensemble, in its data directory (kafka-data beside the install: dataDir()).
  ks_file_fact myid "${ks_install_dir%/*}/kafka-data/zookeeper/myid"
}

# The last value of a simple `key=value` line of a .properties file ($2: the key, dots allowed).
ks_prop() {
  grep -E "^[[:space:]]*$(printf '%s' "$2" | sed 's/\./\\./g')[[:space:]]*[=:]" "$1" 2>/dev/null | tail -n 1 |
    sed -E 's/^[^=:]*[=:][[:space:]]*//; s/[[:space:]]+$//'
}

# One data directory: state (absent, empty, data, other, unreadable), size in KiB, the device it is on
# (or its nearest existing parent's), then the path (last: it may hold spaces).
# emits: data
ks_data_dir() {
  d=$1
  if [ -L "$d" ] || { [ -e "$d" ] && [ ! -d "$d" ]; }; then st=other
  elif [ ! -e "$d" ]; then st=absent
  # Someone else's (a Kafka once started with sudo leaves root's /tmp/kafka-logs): not "empty".
  elif [ ! -r "$d" ] || [ ! -x "$d" ]; then st=unreadable
  elif [ -z "$(ls -A "$d" 2>/dev/null)" ]; then st=empty
  else st=data
  fi
  kib=0
  # The size matters only for what may have to move ($2 = nosize: kafka-setup's own place).
  [ "$st" = data ] && [ "${2:-}" != nosize ] && kib=$(du -sk "$d" 2>/dev/null | cut -f 1)
  p=$d
  while [ -n "$p" ] && [ ! -e "$p" ]; do p=${p%/*}; done
  printf 'dir=%s %s %s %s\n' "$st" "${kib:-0}" "$(stat -c %d "${p:-/}" 2>/dev/null || echo 0)" "$d"
  ks_data_owner "$d"
}

# Who owns a data directory ($1) that is not this user's: uid, name, path. The default places are in
# /tmp, shared by every user of the host: another user's /tmp/kafka-logs is another Kafka's data.
# emits: data
ks_data_owner() {
  [ -d "$1" ] && [ ! -L "$1" ] && [ ! -O "$1" ] || return 0
  printf 'owner=%s %s %s\n' "$(stat -c %u "$1" 2>/dev/null | tr -cd '0-9' | cut -c 1-10)" \
    "$(stat -c %U "$1" 2>/dev/null | tr -cd 'A-Za-z0-9._-' | cut -c 1-32)" "$1"
}

# ZooKeeper's database in a dataDir ($1/version-2): "data" once it holds a snapshot or a transaction
# log, which a member must bring into a new ensemble's first quorum. A member that never joined one has
# only its epoch files (and myid beside): no data.
# emits: data
ks_zk_db() {
  st=absent
  if [ -d "$1/version-2" ] && [ ! -r "$1/version-2" ]; then st=unreadable
  elif [ -d "$1/version-2" ]; then
    st=empty
    for f in "$1"/version-2/snapshot.* "$1"/version-2/log.*; do [ -e "$f" ] && { st=data; break; }; done
  fi
  printf 'dir=%s 0 0 %s\n' "$st" "$1/version-2"
  ks_data_owner "$1/version-2"
}

# The broker.id a log directory's data was written under (its meta.properties), digits only; and how
# it was formatted: meta.properties' version (0: by a ZooKeeper-mode broker, 1: by kafka-storage.sh
# for KRaft), node.id, cluster.id and directory.id, and the directory id kafka-setup saw the quorum
# take as a voter (kafka-setup-voter.id, written there by join-quorum.sh: it goes with the storage),
# each cut to the characters it may have ("-" when unset).
# emits: data
ks_broker_meta() {
  [ -r "$1/meta.properties" ] || return 0
  # One awk for the keys, as ks_prop reads each (the last line that sets it, the value trimmed):
  # a probe runs on every re-run, and a process per key and filter cost ~25 forks per directory.
  # The directory through the environment: awk -v would turn its backslashes into escapes.
  ks_meta_voter=-
  [ -f "$1/kafka-setup-voter.id" ] && [ ! -L "$1/kafka-setup-voter.id" ] &&
    ks_meta_voter=$(head -c 100 "$1/kafka-setup-voter.id" | head -n 1 | tr -cd 'A-Za-z0-9_-' | cut -c 1-22)
  ks_meta_dir=$1 ks_meta_voter=${ks_meta_voter:--} awk '
    function set(key, re) { if ($0 ~ ("^[[:space:]]*" re "[[:space:]]*[=:]")) { v = $0; sub(/^[^=:]*[=:][[:space:]]*/, "", v); sub(/[[:space:]]+$/, "", v); val[key] = v } }
    function only(key, bad, n,   v) { v = val[key]; gsub(bad, "", v); return substr(v, 1, n) }
    function dash(v) { return v == "" ? "-" : v }
    { set("broker", "broker\\.id"); set("version", "version"); set("node", "node\\.id"); set("cluster", "cluster\\.id"); set("directory", "directory\\.id") }
    END {
      dir = ENVIRON["ks_meta_dir"]
      printf "meta=%s %s\n", only("broker", "[^0-9-]", 11), dir
      printf "format=%s %s %s %s %s %s\n", dash(only("version", "[^0-9]", 3)), dash(only("node", "[^0-9]", 10)), dash(only("cluster", "[^A-Za-z0-9_-]", 64)), dash(only("directory", "[^A-Za-z0-9_-]", 22)), ENVIRON["ks_meta_voter"], dir
    }' "$1/meta.properties" 2>/dev/null
}

# The cluster id kafka-setup keeps on the host for KRaft ($1/cluster.id, written once before the
# first format): the characters a cluster id may have, or nothing.
# emits: data
ks_kept_cluster_id() {
  [ -f "$1/cluster.id" ] && [ ! -L "$1/cluster.id" ] || return 0
  printf 'cluster_id=%s\n' "$(head -c 200 "$1/cluster.id" | head -n 1 | tr -cd 'A-Za-z0-9_-' | cut -c 1-64)"
}

# The permission bits (octal) of kafka-setup's data directory ($1), when it is a directory of this
# user's: the data step makes it 0750 once, so that other local users cannot read the data beneath.
# emits: data
ks_data_mode() {
  [ -d "$1" ] && [ ! -L "$1" ] && [ -O "$1" ] || return 0
  printf 'mode=%s %s\n' "$(stat -c %a "$1" 2>/dev/null)" "$1"
}

# Where Kafka's and ZooKeeper's data is now (the directories their config files name; the shipped
# defaults under /tmp before extraction, 3.x's and 4.x's) and where kafka-setup keeps it (beside the install: the
# kafka-data directory itself, with its mode, then its two).
ks_probe_data() {
  ks_section data
  ks_sp="$ks_install_dir/config/server.properties"
  ks_zp="$ks_install_dir/config/zookeeper.properties"
  if [ -f "$ks_sp" ]; then
    v=$(ks_prop "$ks_sp" log.dirs)
    [ -n "$v" ] || v=$(ks_prop "$ks_sp" log.dir)
    ks_old_ifs=$IFS
    IFS=,
    for d in ${v:-/tmp/kafka-logs}; do
      IFS=$ks_old_ifs
      d=$(printf '%s' "$d" | sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//')
      if [ "$d" = "${ks_install_dir%/*}/kafka-data/kafka-logs" ]; then ks_data_dir "$d" nosize; else ks_data_dir "$d"; fi
      ks_broker_meta "$d"
    done
    IFS=$ks_old_ifs
  else
    # The shipped defaults: 3.x's, and 4.x's (KRaft).
    ks_data_dir /tmp/kafka-logs
    ks_broker_meta /tmp/kafka-logs
    ks_data_dir /tmp/kraft-combined-logs
    ks_broker_meta /tmp/kraft-combined-logs
  fi
  v=
  [ -f "$ks_zp" ] && v=$(ks_prop "$ks_zp" dataDir)
  v=${v:-/tmp/zookeeper}
  if [ "$v" = "${ks_install_dir%/*}/kafka-data/zookeeper" ]; then ks_data_dir "$v" nosize; else ks_data_dir "$v"; fi
  ks_data_dir "${ks_install_dir%/*}/kafka-data" nosize
  ks_data_mode "${ks_install_dir%/*}/kafka-data"
  ks_kept_cluster_id "${ks_install_dir%/*}/kafka-data"
  ks_data_dir "${ks_install_dir%/*}/kafka-data/kafka-logs" nosize
  ks_broker_meta "${ks_install_dir%/*}/kafka-data/kafka-logs"
  ks_data_dir "${ks_install_dir%/*}/kafka-data/zookeeper" nosize
  ks_zk_db "$v"
  ks_zk_db "${ks_install_dir%/*}/kafka-data/zookeeper"
}

# Which of the install's ports (KS_PORTS, decimal, space separated) are listened on, from /proc: no ss
# or netstat needed (/proc/net names ports in hex).
ks_probe_ports() {
  ks_section ports
  ks_kv now "$(date +%s)"
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v ports="$KS_PORTS" '
    BEGIN { n = split(ports, p, " "); for (i = 1; i <= n; i++) want[sprintf("%04X", p[i])] = p[i] }
    $4 == "0A" { n = split($2, a, ":"); if (a[n] in want) seen[want[a[n]]] = 1 }
    END { for (port in seen) print "listening=" port }'
}

# The JVMs of this user, from the process table: pid, seconds since start, full command line, and
# working directory. Cheap (no JVM starts), so every probe can afford it.
# Whether process $1 is this host's own: in this shell's pid namespace. A container's processes show
# in ps here too, under the same uid where the container maps no users, with the same paths where it
# mounts them: they are another host's, never ours to take for our JVM, count or stop. Where this
# shell's own namespace cannot be read (no /proc/PID/ns), every process counts, as before.
ks_own_pidns=$(readlink "/proc/$$/ns/pid" 2>/dev/null) || ks_own_pidns=
ks_this_host() {
  [ -n "$ks_own_pidns" ] || return 0
  [ "$(readlink "/proc/$1/ns/pid" 2>/dev/null)" = "$ks_own_pidns" ]
}

ks_probe_jvms() {
  ks_section jvms
  ks_kv now "$(date +%s)"
  # Start times to the hundredth of a second (boot time from /proc/uptime, start ticks from
  # /proc/PID/stat): a config edited a moment after a JVM started must count as newer than it.
  ks_boot=$(awk -v now="$(date +%s.%N)" '{ printf "%.2f", now - $1 }' /proc/uptime 2>/dev/null)
  ks_hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
  ps -ww -u "$(id -u)" -o pid= -o etimes= -o args= 2>/dev/null | awk '$3 ~ /(^|\/)java$/' | while read -r pid e cmd; do
    ks_this_host "$pid" || continue
    printf 'java=%s %s %s\n' "$pid" "$e" "$cmd"
    c=$(readlink "/proc/$pid/cwd" 2>/dev/null) && printf 'cwd=%s %s\n' "$pid" "$c"
    [ -n "$ks_boot" ] && sed -e 's/.*) //' "/proc/$pid/stat" 2>/dev/null |
      awk -v p="$pid" -v b="$ks_boot" -v hz="$ks_hz" '{ printf "start=%s %.2f\n", p, b + $20 / hz }'
  done
}

# Whether the unit file $1 is kafka-setup's: a file whose first line starts with KS_UNIT_HEADER.
# kafka-setup stops, starts, disables, replaces or removes no other unit (see src/host/unit-owner.ts).
ks_unit_ours() {
  [ -f "$1" ] || return 1
  ks_first=$(head -n 1 "$1" 2>/dev/null) || return 1
  case $ks_first in "$KS_UNIT_HEADER"*) return 0 ;; esac
  return 1
}

# Where systemd loaded unit $1 from (empty when it does not know the unit).
ks_unit_fragment() { systemctl show -p FragmentPath "$1" 2>/dev/null | sed -n 's/^FragmentPath=//p'; }

# Whether systemd runs the host (the test systemd itself uses), and the state of kafka-setup's units
# (KS_UNITS: kind=unit pairs, space separated): their file as installed, enabled at boot, active, main
# pid, and where systemd loaded the unit from (a unit of that name may be a package's, elsewhere).
ks_probe_services() {
  ks_section systemd
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then ks_sd=running; else ks_sd=none; fi
  ks_kv state "$ks_sd"
  for ks_u in $KS_UNITS; do
    ks_section "unit ${ks_u%%=*}"
    ks_kv name "${ks_u#*=}"
    ks_f="$KS_UNIT_DIR/${ks_u#*=}"
    ks_kv path "$ks_f"
    [ -f "$ks_f" ] && ks_kv content "$(ks_b64 "$ks_f")"
    [ "$ks_sd" = running ] || continue
    # One call per unit; `--value` is too new for some systemd versions, so Key=Value is parsed here.
    systemctl show -p UnitFileState -p ActiveState -p MainPID -p FragmentPath "${ks_u#*=}" 2>/dev/null | awk -F = '
      $1 == "FragmentPath" && $2 != "" { print "fragment=" substr($0, 14) }
      $1 == "UnitFileState" { print "enabled=" $2 }
      $1 == "ActiveState" { print "active=" $2 }
      $1 == "MainPID" && $2 != "0" { print "pid=" $2 }'
  done
}

# Stops a JVM kafka-setup identified as ours ($1), after checking it still runs that main class ($2),
# in case it exited and the pid was reused: SIGTERM (a clean shutdown), SIGKILL after 60 s.
ks_stop_jvm() {
  ps -ww -o args= -p "$1" 2>/dev/null | grep -qF " $2 " || return 1
  kill "$1" 2>/dev/null
  i=0
  while kill -0 "$1" 2>/dev/null && [ "$i" -lt 120 ]; do sleep 0.5; i=$((i + 1)); done
  kill -0 "$1" 2>/dev/null && kill -9 "$1" 2>/dev/null
  while kill -0 "$1" 2>/dev/null && [ "$i" -lt 140 ]; do sleep 0.5; i=$((i + 1)); done
  return 0
}

ks_jps() {
  if command -v jps >/dev/null 2>&1; then jps "$@"
  elif command -v java >/dev/null 2>&1; then j=$(readlink -f "$(command -v java)"); "${j%/*}/jps" "$@"
  else return 127
  fi
}

# jps -lvm, the JDK's own view (what the seed notes check with), after starting a JVM.
ks_probe_jps() {
  ks_section jps
  ks_jps -lvm 2>/dev/null | grep -v 'sun.tools.jps.Jps' | sed 's/^/jps=/'
}

# The .sha512 published beside the tarball, from the first mirror that has it (KS_URLS: tarball URLs,
# one per line). The probe runs it only when Kafka still has to be downloaded, so a finished host
# costs no network.
ks_probe_sha512() {
  ks_section sha512
  ks_tmp=$(mktemp) || return 0
  ks_old_ifs=$IFS
  IFS='
'
  for url in $KS_URLS; do
    if msg=$(ks_fetch "$url.sha512" "$ks_tmp" 10 65536); then
      if ks_is_sha512_file "$ks_tmp"; then
        ks_kv url "$url"
        ks_kv content "$(ks_b64 "$ks_tmp")"
        break
      fi
      ks_kv tried "$url.sha512 answered, but with $(wc -c < "$ks_tmp" | tr -d ' ') bytes that are not a SHA-512 checksum file (an error page or a captive portal?)"
      continue
    fi
    [ "$?" = 143 ] && { rm -f "$ks_tmp"; ks_fail interrupted "stopped while fetching $url.sha512"; }
    ks_kv tried "$url.sha512 $(printf '%s' "$msg" | tr '\n' ' ')"
  done
  IFS=$ks_old_ifs
  rm -f "$ks_tmp"
}
