# kafka-setup: (re)start ZooKeeper or the broker with Kafka's own -daemon scripts and wait until it
# serves; if the JVM dies, show the end of its log.
# Inputs (from the daemon table, src/kafka/daemons.ts): KS_KIND (zookeeper | broker), KS_NAME, KS_SCRIPT
# (under bin/), KS_CONF (under config/), KS_OUT (under logs/), KS_MAIN (its main class), KS_READY (a log
# line once it serves; empty: listening is enough), KS_PORT, KS_OTHER_PORTS (further ports it listens
# on, space separated, which nobody else may hold); KS_HEAP_OPTS, KS_TIMEOUT (seconds), KS_STOP_PID (a
# stale JVM of ours to stop first) or KS_RUNNING_PID (ours, still starting up), either may be empty.
ks_name=$KS_NAME ks_script=$KS_SCRIPT ks_conf=$KS_CONF ks_out=$KS_OUT ks_main=$KS_MAIN ks_ready=$KS_READY
ks_conf_path="$ks_install_dir/config/$ks_conf"
ks_log="$ks_install_dir/logs/$ks_out"

# Our JVM: the one kafka-setup saw (it may have been started by hand from the install directory),
# else a process of this user running the main class with this install's config file.
ks_our_pid() {
  if [ -n "$KS_RUNNING_PID" ] && kill -0 "$KS_RUNNING_PID" 2>/dev/null; then echo "$KS_RUNNING_PID"; return; fi
  ps -ww -o pid= -o args= -u "$(id -u)" 2>/dev/null |
    awk -v m=" $ks_main " -v c="$ks_conf_path" '$2 ~ /(^|\/)java$/ && index($0, m) && index($0, c) { print $1; exit }'
}
# Inodes of the sockets listening on a port ($1, else KS_PORT), from /proc: no ss or netstat needed.
ks_listen_inodes() {
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
    awk -v h="$(printf '%04X' "${1:-$KS_PORT}")" '$4 == "0A" { n = split($2, a, ":"); if (a[n] == h) print $10 }'
}
ks_listening() { [ -n "$(ks_listen_inodes "${1:-}")" ]; }
# Serving means listening on a socket of this very JVM, not merely "someone listens on the port".
ks_pid_listens() {
  for inode in $(ks_listen_inodes); do
    ls -l "/proc/$1/fd" 2>/dev/null | grep -qF "socket:[$inode]" && return 0
  done
  return 1
}
# Who holds a port: the socket's inode from /proc/net, then the process with that inode open
# (visible for our own processes, and for all when run as root).
ks_port_owner() {
  for inode in $(ks_listen_inodes "$1"); do
    fd=$(find /proc/[0-9]*/fd -maxdepth 1 -lname "socket:\[$inode\]" 2>/dev/null | head -n 1)
    [ -n "$fd" ] || continue
    p=${fd#/proc/}; p=${p%%/*}
    printf '%s %s\n' "$p" "$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | cut -c 1-120)"
    return 0
  done
  return 1
}
ks_fail_with_log() {
  ks_section error
  ks_kv kind "$1"
  ks_kv message "$2"
  ks_kv log "$ks_log"
  [ -f "$ks_log" ] && tail -n 25 "$ks_log" | sed 's/^/line=/'
  exit 1
}

[ -n "$KS_STOP_PID" ] && ks_stop_jvm "$KS_STOP_PID" "$ks_main" && {
  # The old JVM's socket may linger for a moment after it exits.
  i=0
  while ks_listening && [ "$i" -lt 20 ]; do sleep 0.5; i=$((i + 1)); done
}

if [ -z "$(ks_our_pid)" ]; then
  for port in $KS_PORT ${KS_OTHER_PORTS:-}; do
    ks_listening "$port" || continue
    owner=$(ks_port_owner "$port") || owner=
    ks_section error
    ks_kv kind port_busy
    ks_kv port "$port"
    ks_kv owner "$owner"
    ks_kv message "port $port is already in use by another program"
    exit 1
  done
fi

ks_start() {
  KAFKA_HEAP_OPTS=$KS_HEAP_OPTS
  export KAFKA_HEAP_OPTS
  # -daemon detaches the JVM (nohup, output to logs/*.out, written anew at each start); fd 3 must not
  # stay open in it.
  "$ks_install_dir/bin/$ks_script" -daemon "$ks_conf_path" >/dev/null 2>&1 3<&-
}
[ -n "$(ks_our_pid)" ] || ks_start

# A broker that died without closing its ZooKeeper session (kill -9, a power loss, the OOM killer)
# leaves its registration /brokers/ids/<id> behind until ZooKeeper expires that session
# (zookeeper.session.timeout.ms, 18 s by default, counted from the crash or from ZooKeeper's own
# restart); a new broker exits at once with NodeExistsException meanwhile. Such an exit is waited
# out, a few seconds at a time, for at most the session timeout and a margin.
ks_session_ms=$(ks_prop "$ks_conf_path" zookeeper.session.timeout.ms | tr -cd '0-9')
ks_zk_bound=$(( ${ks_session_ms:-18000} / 1000 + 15 ))
ks_zk_waited=0
ks_zk_node=

ks_started=$(date +%s)
ks_seen=
ks_ok=
i=0
while [ "$i" -lt $((KS_TIMEOUT * 4)) ]; do
  pid=$(ks_our_pid)
  if [ -z "$pid" ]; then
    node=
    [ -n "$ks_seen" ] && [ "$KS_KIND" = broker ] && [ "$ks_zk_waited" -lt "$ks_zk_bound" ] &&
      node=$(grep -oE 'creating ephemeral at /brokers/ids/[0-9]+, node already exists' "$ks_log" 2>/dev/null | head -n 1)
    if [ -n "$node" ]; then
      ks_zk_node=${node#creating ephemeral at }
      ks_zk_node=${ks_zk_node%%,*}
      sleep 3
      ks_zk_waited=$(( $(date +%s) - ks_started ))
      ks_seen=
      i=0
      ks_start
      continue
    fi
    [ -n "$ks_seen" ] && ks_fail_with_log jvm_died "$ks_name JVM exited during start-up"
    [ "$i" -ge 40 ] && ks_fail_with_log jvm_died "$ks_name JVM did not start"
  else
    ks_seen=$pid
    if ks_pid_listens "$pid" && { [ -z "$ks_ready" ] || grep -qF "$ks_ready" "$ks_log" 2>/dev/null; }; then ks_ok=1; break; fi
  fi
  sleep 0.25
  i=$((i + 1))
done
[ -n "$ks_ok" ] || ks_fail_with_log start_timeout "$ks_name did not serve on port $KS_PORT within $KS_TIMEOUT s"
ks_section started
ks_kv pid "$pid"
ks_kv seconds "$(( $(date +%s) - ks_started ))"
if [ -n "$ks_zk_node" ]; then
  ks_kv stale_node "$ks_zk_node"
  ks_kv stale_waited "$ks_zk_waited"
fi
ks_probe_ports
ks_probe_jvms
ks_probe_jps
