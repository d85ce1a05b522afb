# kafka-setup: (re)start ZooKeeper or the broker, as its systemd unit or with Kafka's own -daemon
# scripts, and wait until it serves; if the JVM dies, show the end of its log. Needs daemon-lib.sh.
# Inputs (from the daemon table, src/kafka/daemons.ts): KS_KIND (zookeeper | broker), KS_NAME, KS_SCRIPT
# (under bin/), KS_CONF (under config/), KS_OUT (under logs/), KS_MAIN (its main class), KS_READY (a log
# line once it serves; empty: listening is enough), KS_PORT, KS_OTHER_PORTS (further ports it listens
# on, space separated, which nobody else may hold); KS_HEAP_OPTS, KS_TIMEOUT (seconds), KS_STOP_PID (a
# stale JVM of ours to stop first) or KS_RUNNING_PID (ours, still starting up), either may be empty;
# KS_SERVICE: systemd (started as KS_UNIT, through sudo) or none (Kafka's -daemon scripts).

# A stale JVM of ours: the unit's own is stopped by systemd (the broker's unit only Wants= ZooKeeper's,
# so a ZooKeeper restart leaves the broker running); one started by hand is stopped by pid, to be
# handed to the unit.
ks_stop_stale() {
  if [ "$KS_SERVICE" = systemd ] && [ "$(ks_unit_pid)" = "$KS_STOP_PID" ]; then
    $ks_sudo systemctl stop "$KS_UNIT" 2>/dev/null
  else
    ks_stop_jvm "$KS_STOP_PID" "$ks_main"
  fi
}

ks_check_unit
[ -n "$KS_STOP_PID" ] && ks_stop_stale && ks_wait_closed 20

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
  if [ "$KS_SERVICE" = systemd ]; then
    ks_log_mark=$(wc -c < "$ks_log" 2>/dev/null || echo 0)
    # A unit that failed before (or is waiting to restart) starts afresh.
    $ks_sudo systemctl reset-failed "$KS_UNIT" >/dev/null 2>&1
    ks_out=$($ks_sudo systemctl start "$KS_UNIT" 2>&1 3<&-) || ks_fail service_failed "systemctl start $KS_UNIT failed: $(printf '%s' "$ks_out" | tr '\n' ' ' | cut -c 1-300)"
    return 0
  fi
  KAFKA_HEAP_OPTS=$KS_HEAP_OPTS
  export KAFKA_HEAP_OPTS
  # -daemon detaches the JVM (nohup, output to logs/*.out, written anew at each start); fd 3 must not
  # stay open in it. umask 027, as the unit's UMask=: the data and logs it creates are not readable
  # by other local users.
  ( umask 027 && exec "$ks_install_dir/bin/$ks_script" -daemon "$ks_conf_path" >/dev/null 2>&1 3<&- )
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
ks_waiting=
# What the loop waits for, as a progress line when it changes.
ks_await() {
  [ "$1" = "$ks_waiting" ] && return 0
  ks_waiting=$1
  ks_say "$1"
}
i=0
while [ "$i" -lt $((KS_TIMEOUT * 4)) ]; do
  pid=$(ks_our_pid)
  if [ -z "$pid" ]; then
    node=
    [ -n "$ks_seen" ] && [ "$KS_KIND" = broker ] && [ "$ks_zk_waited" -lt "$ks_zk_bound" ] &&
      node=$(ks_log_since | grep -oE 'creating ephemeral at /brokers/ids/[0-9]+, node already exists' | head -n 1)
    if [ -n "$node" ]; then
      ks_zk_node=${node#creating ephemeral at }
      ks_zk_node=${ks_zk_node%%,*}
      ks_await "waiting for ZooKeeper to expire the crashed broker's $ks_zk_node (up to ${ks_zk_bound} s)"
      sleep 3
      ks_zk_waited=$(( $(date +%s) - ks_started ))
      ks_seen=
      i=0
      ks_start
      continue
    fi
    [ -n "$ks_seen" ] && ks_fail_with_log jvm_died "$ks_name JVM exited during start-up"
    [ "$i" -ge 40 ] && ks_fail_with_log jvm_died "$ks_name JVM did not start"
    ks_await "waiting for the $ks_name JVM to start"
  else
    ks_seen=$pid
    if ks_pid_listens "$pid"; then
      if [ -z "$ks_ready" ] || ks_log_since | grep -qF "$ks_ready"; then ks_ok=1; break; fi
      ks_await "waiting for $ks_name (pid $pid) to say in its log that it has started"
    else
      ks_await "waiting for $ks_name (pid $pid) to listen on port $KS_PORT"
    fi
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
ks_probe_services
