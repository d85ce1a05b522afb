# kafka-setup: what starting and stopping ZooKeeper or the broker share: finding our JVM, its
# listening sockets, its log, its unit. Inputs as for start-daemon.sh (the daemon table's variables).
ks_name=$KS_NAME ks_script=$KS_SCRIPT ks_conf=$KS_CONF ks_out=$KS_OUT ks_main=$KS_MAIN ks_ready=$KS_READY
ks_conf_path="$ks_install_dir/config/$ks_conf"
ks_log="$ks_install_dir/logs/$ks_out"

# Our JVM: the one kafka-setup saw (it may have been started by hand from the install directory),
# else a process of this user and this host (not a container's) running the main class with this
# install's config file.
ks_our_pid() {
  if [ -n "${KS_RUNNING_PID:-}" ] && kill -0 "$KS_RUNNING_PID" 2>/dev/null; then echo "$KS_RUNNING_PID"; return; fi
  ps -ww -o pid= -o args= -u "$(id -u)" 2>/dev/null |
    awk -v m=" $ks_main " -v c="$ks_conf_path" '$2 ~ /(^|\/)java$/ && index($0, m) && index($0, c) { print $1 }' |
    while read -r p; do ks_this_host "$p" && { echo "$p"; break; }; done
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
# What the log gained since this script started the JVM: a unit appends to it, -daemon rewrites it.
ks_log_mark=0
ks_log_since() {
  [ -f "$ks_log" ] || return 0
  if [ "$(wc -c < "$ks_log")" -lt "$ks_log_mark" ]; then cat "$ks_log"; else tail -c +"$((ks_log_mark + 1))" "$ks_log"; fi
}
ks_fail_with_log() {
  ks_section error
  ks_kv kind "$1"
  ks_kv message "$2"
  ks_kv log "$ks_log"
  ks_log_since | tail -n 25 | sed 's/^/line=/'
  exit 1
}
ks_unit_pid() { systemctl show -p MainPID "$KS_UNIT" 2>/dev/null | sed -n 's/^MainPID=//p'; }
# Waits (at most $1 half-seconds) until nothing listens on KS_PORT: a socket may linger for a moment
# after its JVM exits.
ks_wait_closed() {
  ks_w=0
  while ks_listening && [ "$ks_w" -lt "$1" ]; do sleep 0.5; ks_w=$((ks_w + 1)); done
}
# Through systemd, only kafka-setup's own unit is started or stopped: its header is checked again here
# (the host may have changed since the probe); a unit of that name that is anyone else's is left alone.
ks_check_unit() {
  [ "$KS_SERVICE" = systemd ] || return 0
  ks_unit_ours "$KS_UNIT_DIR/$KS_UNIT" ||
    ks_fail unit_foreign "$KS_UNIT_DIR/$KS_UNIT was not written by kafka-setup, so kafka-setup does not start or stop it"
}
