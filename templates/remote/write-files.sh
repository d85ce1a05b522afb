# kafka-setup: replace files atomically (write a temporary file, then rename), keeping a one-time
# backup of each original, and only if the file is still what kafka-setup read a moment ago.
# Usage: ks_write_file PATH CONTENT_BASE64 EXPECTED_SHA256|absent
ks_write_file() {
  ks_t=$(ks_path "$1")
  ks_bak="$ks_t.kafka-setup.bak"
  [ -L "$ks_t" ] && ks_t=$(readlink -f "$ks_t")
  if [ -e "$ks_t" ]; then ks_cur=$(sha256sum < "$ks_t" | cut -d ' ' -f 1); else ks_cur=absent; fi
  [ "$ks_cur" = "$3" ] || ks_fail changed_meanwhile "$ks_t changed while kafka-setup was running; run kafka-setup again"
  if [ -e "$ks_t" ] && [ ! -e "$ks_bak" ]; then
    cp -p "$ks_t" "$ks_bak.tmp$$" && mv -f "$ks_bak.tmp$$" "$ks_bak" || { rm -f "$ks_bak.tmp$$"; ks_fail write_failed "cannot back up $ks_t"; }
  fi
  # A file new to the host (ZooKeeper's myid) may come before its directory (made at ZooKeeper's first
  # start): made as ZooKeeper would make it (umask 027), not readable by other local users.
  [ -e "$ks_t" ] || [ -d "${ks_t%/*}" ] || (umask 027 && mkdir -p "${ks_t%/*}") || ks_fail write_failed "cannot create ${ks_t%/*}"
  ks_new="$ks_t.kafka-setup-tmp.$$"
  printf '%s' "$2" | base64 -d > "$ks_new" || { rm -f "$ks_new"; ks_fail write_failed "cannot write $ks_new"; }
  [ -e "$ks_t" ] && chmod --reference="$ks_t" "$ks_new" 2>/dev/null
  mv -f "$ks_new" "$ks_t" || { rm -f "$ks_new"; ks_fail write_failed "cannot replace $ks_t"; }
}
