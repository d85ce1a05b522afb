# kafka-setup: format a KRaft node's storage (kafka-storage.sh format), once, with the cluster id kept
# on the host. The id is kept first ($KS_DATA_DIR/cluster.id, written whole by a rename), so a run
# interrupted after that formats with the same id, whatever the profile says. The format itself runs
# in a fresh directory beside the log directory and is renamed into place only once complete: an
# interruption leaves no half-formatted log directory, and the next run removes what it left.
# Inputs: KS_DATA_DIR (kafka-setup's data directory), KS_LOG_DIR (the log directory, under it),
# KS_CLUSTER_ID (the id to keep when none is kept yet; in a cluster, the one it must keep),
# KS_QUORUM (standalone: one server; voter: one of a new cluster's voters, KS_INITIAL_CONTROLLERS
# naming them all, id@host:port:directory-id,…; observer: a node joining a quorum that exists).

ks_fmt_started=$(date +%s)
ks_fmt_kept="$KS_DATA_DIR/cluster.id"
( umask 027 && mkdir -p "$KS_DATA_DIR" ) || ks_fail write_failed "cannot create $KS_DATA_DIR"

if [ -f "$ks_fmt_kept" ] && [ ! -L "$ks_fmt_kept" ]; then
  ks_fmt_id=$(head -c 200 "$ks_fmt_kept" | head -n 1 | tr -cd 'A-Za-z0-9_-')
else
  ks_fmt_id=$KS_CLUSTER_ID
  ks_fmt_tmp="$ks_fmt_kept.kafka-setup-tmp.$$"
  { ( umask 027 && printf '%s\n' "$ks_fmt_id" > "$ks_fmt_tmp" ) && mv -f "$ks_fmt_tmp" "$ks_fmt_kept"; } || {
    rm -f "$ks_fmt_tmp"
    ks_fail write_failed "cannot write $ks_fmt_kept"
  }
fi
[ -n "$ks_fmt_id" ] || ks_fail format_failed "$ks_fmt_kept holds no cluster id"
# A cluster's nodes share one id: one that keeps another (written since the probe) is not formatted.
if [ "$KS_QUORUM" != standalone ] && [ "$ks_fmt_id" != "$KS_CLUSTER_ID" ]; then
  ks_section error
  ks_kv kind cluster_mismatch
  ks_kv dir "$ks_fmt_kept"
  ks_kv actual "$ks_fmt_id"
  ks_kv message "$ks_fmt_kept keeps cluster $ks_fmt_id, not the cluster's $KS_CLUSTER_ID"
  exit 1
fi
case $KS_QUORUM in
  voter) set -- --initial-controllers "$KS_INITIAL_CONTROLLERS" ;;
  observer) set -- --no-initial-controllers ;;
  *) set -- --standalone ;;
esac

ks_fmt_now=no
if [ -f "$KS_LOG_DIR/meta.properties" ]; then
  ks_fmt_have=$(ks_prop "$KS_LOG_DIR/meta.properties" cluster.id | tr -cd 'A-Za-z0-9_-')
  if [ "$ks_fmt_have" != "$ks_fmt_id" ]; then
    ks_section error
    ks_kv kind cluster_mismatch
    ks_kv dir "$KS_LOG_DIR"
    ks_kv actual "$ks_fmt_have"
    ks_kv message "$KS_LOG_DIR is formatted for cluster $ks_fmt_have, not for this host's cluster $ks_fmt_id"
    exit 1
  fi
else
  # What an interrupted run left: only kafka-setup makes directories of this name.
  rm -rf "$KS_LOG_DIR".formatting.* 2>/dev/null
  ks_fmt_dir=$(mktemp -d "$KS_LOG_DIR.formatting.XXXXXX") || ks_fail write_failed "cannot create a directory beside $KS_LOG_DIR"
  ks_fmt_conf=$(mktemp "$ks_fmt_dir.properties.XXXXXX") || { rm -rf "$ks_fmt_dir"; ks_fail write_failed "cannot write a temporary config beside $KS_LOG_DIR"; }
  # The node's config, its log directories pointed at the new directory alone.
  grep -vE '^[[:space:]]*(log\.dirs?|metadata\.log\.dir)[[:space:]]*[=:]' "$ks_install_dir/config/server.properties" > "$ks_fmt_conf"
  printf '\nlog.dirs=%s\n' "$ks_fmt_dir" >> "$ks_fmt_conf"
  # Through ks_guard: a Ctrl-C (the channel closing) stops the tool, so nothing is formatted after the user left.
  ks_fmt_out=$(umask 027 && ks_guard "$ks_install_dir/bin/kafka-storage.sh" format --cluster-id="$ks_fmt_id" --config "$ks_fmt_conf" "$@" 2>&1)
  ks_fmt_rc=$?
  rm -f "$ks_fmt_conf"
  if [ "$ks_fmt_rc" -ne 0 ] || [ ! -f "$ks_fmt_dir/meta.properties" ]; then
    rm -rf "$ks_fmt_dir"
    ks_section error
    ks_kv kind format_failed
    ks_kv message "kafka-storage.sh format failed with status $ks_fmt_rc"
    printf '%s\n' "$ks_fmt_out" | tail -n 15 | cut -c 1-300 | sed 's/^/line=/'
    exit 1
  fi
  # Into place, uninterrupted: an empty directory there (made by hand, or by a broker that failed) goes first.
  trap '' INT HUP TERM
  [ -d "$KS_LOG_DIR" ] && [ ! -L "$KS_LOG_DIR" ] && rmdir "$KS_LOG_DIR" 2>/dev/null
  mv "$ks_fmt_dir" "$KS_LOG_DIR" || { rm -rf "$ks_fmt_dir"; ks_fail write_failed "cannot move the formatted directory to $KS_LOG_DIR (does it hold files?)"; }
  trap - INT HUP TERM
  ks_fmt_now=yes
fi
ks_section formatted
ks_kv cluster_id "$ks_fmt_id"
ks_kv formatted "$ks_fmt_now"
ks_kv seconds "$(( $(date +%s) - ks_fmt_started ))"
ks_probe_data
