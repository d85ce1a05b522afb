# kafka-setup: download the tarball to a .part file, verify its SHA-512, and only then give it its
# real name; a partial or corrupt download is never taken for a complete one. A tarball already at
# that name (an earlier run's, or anyone's) is kept only when its checksum matches now.
# Inputs: KS_URLS (one per line, in order), KS_SHA512 (expected, lower-case hex), KS_TARBALL.
ks_tarball=$(ks_path "$KS_TARBALL")
ks_part="$ks_tarball.part"
mkdir -p "${ks_tarball%/*}" || ks_fail write_failed "cannot create ${ks_tarball%/*}"
ks_section download
ks_done=
if [ -f "$ks_tarball" ] && [ ! -L "$ks_tarball" ]; then
  actual=$(sha512sum < "$ks_tarball" | cut -d ' ' -f 1)
  if [ "$actual" = "$KS_SHA512" ]; then
    ks_kv reused yes
    ks_kv bytes "$(wc -c < "$ks_tarball" | tr -d ' ')"
    ks_done=1
  else
    ks_kv discarded "$ks_tarball"
  fi
fi
if [ -z "$ks_done" ]; then rm -f "$ks_tarball" || ks_fail write_failed "cannot remove $ks_tarball"; fi
ks_tried=
ks_old_ifs=$IFS
IFS='
'
for url in $KS_URLS; do
  [ -n "$ks_done" ] && break
  rm -f "$ks_part"
  ks_start=$(date +%s)
  if msg=$(ks_fetch "$url" "$ks_part"); then
    actual=$(sha512sum < "$ks_part" | cut -d ' ' -f 1)
    if [ "$actual" != "$KS_SHA512" ]; then
      rm -f "$ks_part"
      ks_section error
      ks_kv kind checksum_mismatch
      ks_kv message "the tarball from $url does not match its SHA-512 checksum; it was deleted"
      ks_kv url "$url"
      ks_kv actual "$actual"
      exit 1
    fi
    mv -f "$ks_part" "$ks_tarball" || ks_fail write_failed "cannot rename $ks_part"
    ks_kv url "$url"
    ks_kv bytes "$(wc -c < "$ks_tarball" | tr -d ' ')"
    ks_kv seconds "$(( $(date +%s) - ks_start ))"
    ks_done=1
    break
  fi
  rc=$?
  rm -f "$ks_part"
  [ "$rc" = 143 ] && ks_fail interrupted "stopped while downloading $url"
  ks_kv tried "$url $(printf '%s' "$msg" | tr '\n' ' ')"
  ks_tried="${ks_tried}line=$url: $(printf '%s' "$msg" | tr '\n' ' ')
"
done
IFS=$ks_old_ifs
if [ -z "$ks_done" ]; then
  ks_section error
  ks_kv kind no_mirror
  ks_kv message "no mirror could deliver the tarball"
  printf '%s' "$ks_tried"
  exit 1
fi
ks_kv verified "$KS_SHA512"
ks_probe_install
ks_predict_config "$ks_tarball"
