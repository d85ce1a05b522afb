# kafka-setup: fetch the published SHA-512 of the tarball from the first mirror that has it.
# Inputs: KS_URLS (tarball URLs, one per line, in order).
ks_fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --connect-timeout 15 --retry 2 -o "$2" "$1" 2>&1
  else
    wget -nv --timeout=15 --tries=3 -O "$2" "$1" 2>&1
  fi
}
ks_tmp=$(mktemp) || ks_fail write_failed "cannot create a temporary file"
ks_section sha512
ks_found=
ks_old_ifs=$IFS
IFS='
'
for url in $KS_URLS; do
  if msg=$(ks_guard ks_fetch "$url.sha512" "$ks_tmp"); then
    ks_kv url "$url"
    ks_kv content "$(ks_b64 "$ks_tmp")"
    ks_found=1
    break
  fi
  rc=$?
  [ "$rc" = 143 ] && { rm -f "$ks_tmp"; ks_fail interrupted "stopped while fetching $url.sha512"; }
  ks_kv tried "$url.sha512 $(printf '%s' "$msg" | tr '\n' ' ')"
done
IFS=$ks_old_ifs
rm -f "$ks_tmp"
