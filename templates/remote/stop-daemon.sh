# kafka-setup: stop ZooKeeper or the broker and wait until its port is closed. Needs daemon-lib.sh.
# KS_STOP_PID: our JVM as the probe saw it (may be empty); KS_SERVICE=systemd: stop KS_UNIT (as root,
# through sudo) so that systemd does not start it again; a JVM started by hand is stopped by pid.
# KS_STOP_FORCE=1: beside a stop already under way, kill the JVM (SIGKILL): a KRaft node whose
# controlled shutdown waits for a quorum that has gone (see control.ts).
ks_check_unit
ks_stopped_at=$(date +%s)
if [ -n "${KS_STOP_FORCE:-}" ]; then
  # Through systemd only while its stop job runs (deactivating): killed otherwise, the unit would be
  # restarted (Restart=on-failure).
  if [ "$KS_SERVICE" = systemd ]; then
    [ "$(systemctl show -p ActiveState --value "$KS_UNIT" 2>/dev/null)" = deactivating ] &&
      $ks_sudo systemctl kill -s KILL "$KS_UNIT" >/dev/null 2>&1
  else
    ks_pid=$(ks_our_pid)
    [ -n "$ks_pid" ] && ps -ww -o args= -p "$ks_pid" 2>/dev/null | grep -qF " $ks_main " && kill -9 "$ks_pid" 2>/dev/null
  fi
  # The stop under way says how it ended; this only helps it along.
  ks_wait_closed 10
else
  if [ "$KS_SERVICE" = systemd ]; then
    ks_out=$($ks_sudo systemctl stop "$KS_UNIT" 2>&1) || ks_fail service_failed "systemctl stop $KS_UNIT failed: $(printf '%s' "$ks_out" | tr '\n' ' ' | cut -c 1-300)"
  fi
  ks_pid=$(ks_our_pid)
  [ -n "$ks_pid" ] && ks_stop_jvm "$ks_pid" "$ks_main"
  ks_wait_closed 40
  ks_pid=$(ks_our_pid)
  [ -z "$ks_pid" ] || ks_fail jvm_alive "$ks_name (pid $ks_pid) is still running"
fi
ks_section stopped
ks_kv seconds "$(( $(date +%s) - ks_stopped_at ))"
ks_probe_ports
ks_probe_jvms
ks_probe_services
