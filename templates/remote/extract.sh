# kafka-setup: unpack the tarball into a temporary directory beside the install directory, check it,
# then rename it into place: the install directory either does not exist or is complete. Only bytes
# whose SHA-512 matches KS_SHA512 right now are extracted (the download step compared it too, but
# the file may have been replaced since).
# Inputs: KS_INSTALL, KS_TARBALL, KS_SHA512, KS_TOPDIR (the tarball's top directory), KS_CORE_JAR.
ks_tarball=$(ks_path "$KS_TARBALL")
ks_parent=${ks_install_dir%/*}
if [ -e "$ks_install_dir" ]; then
  ks_is_kafka "$ks_install_dir" || ks_fail not_kafka "$ks_install_dir exists but is not Kafka ($KS_CORE_JAR is missing); it was left untouched"
else
  mkdir -p "$ks_parent" || ks_fail write_failed "cannot create $ks_parent"
  [ -f "$ks_tarball" ] && [ ! -L "$ks_tarball" ] || ks_fail no_tarball "$ks_tarball is missing; run kafka-setup init again to download it"
  ks_sum=$(sha512sum < "$ks_tarball" | cut -d ' ' -f 1)
  if [ -z "$KS_SHA512" ] || [ "$ks_sum" != "$KS_SHA512" ]; then
    rm -f "$ks_tarball"
    ks_fail tarball_changed "$ks_tarball no longer matches the checksum verified a moment ago; it was deleted and nothing was extracted"
  fi
  # Leftovers of an interrupted run.
  for old in "$ks_parent"/.kafka-setup-extract.*; do [ -d "$old" ] && rm -rf "$old"; done
  ks_tmp=$(mktemp -d "$ks_parent/.kafka-setup-extract.XXXXXX") || ks_fail write_failed "cannot create a directory in $ks_parent"
  msg=$(ks_guard tar -xzf "$ks_tarball" -C "$ks_tmp" 2>&1)
  rc=$?
  if [ "$rc" != 0 ]; then
    rm -rf "$ks_tmp"
    [ "$rc" = 143 ] && ks_fail interrupted "stopped while extracting"
    ks_fail extract_failed "tar could not extract $ks_tarball: $(printf '%s' "$msg" | tail -n 3 | tr '\n' ' ')"
  fi
  if ! ks_is_kafka "$ks_tmp/$KS_TOPDIR"; then
    rm -rf "$ks_tmp"
    ks_fail bad_tarball "$ks_tarball does not hold $KS_TOPDIR/ with bin/, config/ and $KS_CORE_JAR"
  fi
  mv "$ks_tmp/$KS_TOPDIR" "$ks_install_dir" || { rm -rf "$ks_tmp"; ks_fail write_failed "cannot move the extracted files to $ks_install_dir"; }
  rm -rf "$ks_tmp"
  # The tarball has served its purpose; on a small instance its ~90 MB matter.
  rm -f "$ks_tarball"
fi
ks_probe_install
ks_probe_files
