# kafka-setup: download the tarball to a .part file, verify its SHA-512, and only then give it its
# real name; a partial or corrupt download is never taken for a complete one. A tarball already at
# that name (an earlier run's, or anyone's) is kept only when its checksum matches now.
# Inputs: KS_URLS (one per line, in order), KS_SHA512 (expected, lower-case hex), KS_TARBALL.
ks_tarball=$(ks_path "$KS_TARBALL")
ks_part="$ks_tarball.part"
ks_headers="$ks_tarball.headers"
mkdir -p "${ks_tarball%/*}" || ks_fail write_failed "cannot create ${ks_tarball%/*}"
# How far the transfer is, for the progress line: "downloaded BYTES of TOTAL" (TOTAL 0: not known yet).
ks_download_seen() {
  ks_b=$(wc -c < "$ks_part" 2>/dev/null) || ks_b=0
  # The latest response's length, never a redirect's (3xx): its headers come first, sometimes alone
  # for a moment before the next response's, and its own length is not the file's.
  ks_t=$(awk '/^HTTP\// { t = 0; moved = ($2 ~ /^3/) } tolower($1) == "content-length:" && !moved { t = $2 + 0 } END { print t + 0 }' "$ks_headers" 2>/dev/null) || ks_t=0
  printf 'downloaded %s of %s\n' "$(printf '%s' "$ks_b" | tr -cd 0-9)" "${ks_t:-0}"
}
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
  rm -f "$ks_part" "$ks_headers"
  ks_start=$(date +%s)
  # While it runs, a progress line a second; the download section resumes after them.
  ks_watch_start ks_download_seen
  msg=$(ks_fetch "$url" "$ks_part" '' '' "$ks_headers")
  rc=$?
  ks_watch_stop
  rm -f "$ks_headers"
  # Cleaned up before anything is printed: after a Ctrl-C the next write may be the script's last.
  if [ "$rc" != 0 ]; then
    rm -f "$ks_part"
    [ "$rc" = 143 ] && ks_fail interrupted "stopped while downloading $url"
  fi
  ks_section download
  if [ "$rc" = 0 ]; then
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
