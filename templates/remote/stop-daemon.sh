# kafka-setup: stop ZooKeeper or the broker and wait until its port is closed. Needs daemon-lib.sh.
# KS_STOP_PID: our JVM as the probe saw it (may be empty); KS_SERVICE=systemd: stop KS_UNIT (as root,
# through sudo) so that systemd does not start it again; a JVM started by hand is stopped by pid.
ks_check_unit
ks_stopped_at=$(date +%s)
if [ "$KS_SERVICE" = systemd ]; then
  ks_out=$($ks_sudo systemctl stop "$KS_UNIT" 2>&1) || ks_fail service_failed "systemctl stop $KS_UNIT failed: $(printf '%s' "$ks_out" | tr '\n' ' ' | cut -c 1-300)"
fi
ks_pid=$(ks_our_pid)
[ -n "$ks_pid" ] && ks_stop_jvm "$ks_pid" "$ks_main"
ks_wait_closed 40
ks_pid=$(ks_our_pid)
[ -z "$ks_pid" ] || ks_fail jvm_alive "$ks_name (pid $ks_pid) is still running"
ks_section stopped
ks_kv seconds "$(( $(date +%s) - ks_stopped_at ))"
ks_probe_ports
ks_probe_jvms
ks_probe_services
