# kafka-setup: the whole probe, one round trip. The slower parts (sudo's check, the process table,
# the checksum download) run side by side; sections are printed in one piece each.
ks_probe_dir=$(mktemp -d) || ks_fail write_failed "cannot create a temporary directory"
ks_probe_host > "$ks_probe_dir/1-host" &
ks_probe_jvms > "$ks_probe_dir/2-jvms" &
# Only when Kafka is still to be downloaded: a finished host costs no network.
if [ -n "${KS_URLS:-}" ] && [ ! -e "$ks_install_dir" ] && [ ! -f "$(ks_path "$KS_TARBALL")" ]; then
  ks_probe_sha512 > "$ks_probe_dir/3-sha512" &
fi
ks_probe_os
ks_probe_tools
ks_probe_install
ks_probe_files
# Downloaded by an earlier, interrupted run but not extracted: what the config files will be.
if [ ! -e "$ks_install_dir" ] && [ -f "$(ks_path "$KS_TARBALL")" ]; then ks_predict_config "$(ks_path "$KS_TARBALL")"; fi
ks_probe_ports
wait
cat "$ks_probe_dir"/*
rm -rf "$ks_probe_dir"
