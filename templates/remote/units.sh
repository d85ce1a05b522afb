# kafka-setup: install, enable or remove kafka-setup's systemd units, as root through sudo.
# KS_UNIT_WRITES (how many), KS_W<i>_NAME and KS_W<i>_CONTENT (base64): unit files to write, each
# replaced atomically; KS_ENABLE: unit names to enable at boot; KS_REMOVE: unit names to stop,
# disable and remove. A unit file kafka-setup did not write is never replaced or removed.
ks_ours() { { [ ! -e "$1" ] && [ ! -L "$1" ]; } || ks_unit_ours "$1"; }

for ks_n in $KS_REMOVE; do
  ks_f="$KS_UNIT_DIR/$ks_n"
  ks_ours "$ks_f" || ks_fail unit_foreign "$ks_f was not written by kafka-setup"
  $ks_sudo systemctl disable --now "$ks_n" >/dev/null 2>&1
  $ks_sudo rm -f "$ks_f" || ks_fail unit_failed "cannot remove $ks_f"
done
ks_i=0
while [ "$ks_i" -lt "$KS_UNIT_WRITES" ]; do
  ks_n=$(ks_var "KS_W${ks_i}_NAME")
  ks_f="$KS_UNIT_DIR/$ks_n"
  ks_ours "$ks_f" || ks_fail unit_foreign "$ks_f was not written by kafka-setup"
  ks_var "KS_W${ks_i}_CONTENT" | base64 -d | $ks_sudo tee "$ks_f.kafka-setup-tmp" >/dev/null &&
    $ks_sudo chmod 644 "$ks_f.kafka-setup-tmp" && $ks_sudo mv -f "$ks_f.kafka-setup-tmp" "$ks_f" ||
    { $ks_sudo rm -f "$ks_f.kafka-setup-tmp"; ks_fail unit_failed "cannot write $ks_f"; }
  ks_i=$((ks_i + 1))
done
ks_out=$($ks_sudo systemctl daemon-reload 2>&1) || ks_fail unit_failed "systemctl daemon-reload failed: $(printf '%s' "$ks_out" | tr '\n' ' ' | cut -c 1-300)"
if [ -n "$KS_ENABLE" ]; then
  # Word splitting on purpose: unit names, from kafka-setup's own table.
  # shellcheck disable=SC2086
  ks_out=$($ks_sudo systemctl enable $KS_ENABLE 2>&1) || ks_fail unit_failed "systemctl enable failed: $(printf '%s' "$ks_out" | tr '\n' ' ' | cut -c 1-300)"
fi
ks_probe_services
ks_probe_ports
ks_probe_jvms
