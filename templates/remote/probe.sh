# kafka-setup: the whole probe, one round trip. The slower parts (sudo's check, the process table,
# the checksum download) run side by side; sections are printed in one piece each.
# KS_LOCK=1 (a run that will change the host): first take the host's lock, or stop, untouched.
if [ "${KS_LOCK:-}" = 1 ]; then ks_lock; fi
ks_probe_dir=$(mktemp -d) || ks_fail write_failed "cannot create a temporary directory"
ks_probe_host > "$ks_probe_dir/1-host" &
ks_probe_jvms > "$ks_probe_dir/2-jvms" &
# Only when Kafka is still to be installed: a finished host costs no network. A tarball left by an
# earlier run is not trusted: its checksum is compared again before it is used.
if [ -n "${KS_URLS:-}" ] && [ ! -e "$ks_install_dir" ]; then
  ks_probe_sha512 > "$ks_probe_dir/3-sha512" &
fi
ks_probe_os
ks_probe_tools
ks_probe_install
ks_probe_files
ks_probe_data
ks_probe_ports
ks_probe_services
wait
cat "$ks_probe_dir"/*
rm -rf "$ks_probe_dir"
