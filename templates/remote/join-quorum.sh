# kafka-setup: make this KRaft node, running as an observer, a voter of its cluster's controller quorum
# (KIP-853). The quorum holds one voter per node id: the voter this id had on storage that is gone
# (KS_REMOVE_DIRECTORY) is removed first, then the node adds itself (add-controller reads its node id,
# directory id and controller endpoint from its own config and storage). The quorum's own answer
# confirms it, and the directory id it took is kept beside meta.properties (kafka-setup-voter.id,
# written whole by a rename), so the next probe knows without asking the quorum. A run interrupted
# anywhere leaves the quorum in a state the next run reads again: nothing here is assumed.
# Inputs: KS_NODE_ID, KS_DIRECTORY_ID (this node's storage's), KS_LOG_DIR, KS_CONTROLLERS (the voters'
# controller listeners, host:port,…), KS_REMOVE_DIRECTORY (the lost voter's directory id, or empty),
# KS_ADD (1: add it; 0: the quorum names it already, only confirm and keep that).

ks_jq_started=$(date +%s)

# kafka-metadata-quorum.sh against the voters, through ks_guard: a Ctrl-C (the channel closing) stops it.
ks_jq_tool() {
  ks_guard env KAFKA_HEAP_OPTS=-Xmx128m timeout 60 "$ks_install_dir/bin/kafka-metadata-quorum.sh" --bootstrap-controller "$KS_CONTROLLERS" "$@" 2>&1
}

# Whether the quorum names this node, with this storage, as a voter (its row's status Leader or Follower).
ks_jq_is_voter() {
  ks_jq_tool describe --replication | awk -v id="$KS_NODE_ID" -v dir="$KS_DIRECTORY_ID" '
    $1 == id && $2 == dir && ($NF == "Leader" || $NF == "Follower") { found = 1 }
    END { exit found ? 0 : 1 }'
}

# A failure, with the tool's last lines (the host's text: kafka-setup makes it visible), the config
# warnings the tool prints for server.properties' broker settings left out.
# emits: error
ks_jq_failed() {
  ks_section error
  ks_kv kind quorum_change_failed
  ks_kv message "$1"
  printf '%s\n' "$2" | grep -v "supplied but isn't a known config" | grep -v '^[[:space:]]*$' | tail -n 6 | cut -c 1-300 | sed 's/^/line=/'
  exit 1
}

ks_jq_removed=
if [ -n "$KS_REMOVE_DIRECTORY" ]; then
  ks_say "removing the lost voter $KS_NODE_ID (directory $KS_REMOVE_DIRECTORY)"
  ks_jq_out=$(ks_jq_tool remove-controller --controller-id "$KS_NODE_ID" --controller-directory-id "$KS_REMOVE_DIRECTORY")
  ks_jq_rc=$?
  # A run stopped after the removal finds it done: the quorum no longer names that voter.
  if [ "$ks_jq_rc" -ne 0 ] && ! printf '%s\n' "$ks_jq_out" | grep -q 'VOTER_NOT_FOUND\|is not a voter'; then
    ks_jq_failed "removing the lost voter $KS_NODE_ID (directory $KS_REMOVE_DIRECTORY) failed with status $ks_jq_rc" "$ks_jq_out"
  fi
  ks_jq_removed=$KS_REMOVE_DIRECTORY
fi

# The leader takes a new voter only once it has caught up: a node just started may need a few tries.
ks_jq_try=1
while [ "$KS_ADD" = 1 ]; do
  ks_say "adding node $KS_NODE_ID (directory $KS_DIRECTORY_ID) as a voter, try $ks_jq_try"
  ks_jq_out=$(ks_jq_tool --command-config "$ks_install_dir/config/server.properties" add-controller)
  ks_jq_rc=$?
  [ "$ks_jq_rc" -eq 0 ] && break
  # Added by an earlier try whose answer was lost: the quorum says so.
  ks_jq_is_voter && break
  [ "$ks_jq_try" -ge 6 ] && ks_jq_failed "add-controller failed with status $ks_jq_rc ($ks_jq_try tries)" "$ks_jq_out"
  ks_jq_try=$((ks_jq_try + 1))
  sleep 5
done

ks_jq_try=1
until ks_jq_is_voter; do
  [ "$ks_jq_try" -ge 10 ] && ks_jq_failed "the quorum took add-controller, yet does not name node $KS_NODE_ID (directory $KS_DIRECTORY_ID) as a voter" ""
  ks_jq_try=$((ks_jq_try + 1))
  sleep 2
done

ks_jq_kept="$KS_LOG_DIR/kafka-setup-voter.id"
ks_jq_tmp="$ks_jq_kept.kafka-setup-tmp.$$"
{ ( umask 027 && printf '%s\n' "$KS_DIRECTORY_ID" > "$ks_jq_tmp" ) && mv -f "$ks_jq_tmp" "$ks_jq_kept"; } || {
  rm -f "$ks_jq_tmp"
  ks_fail write_failed "node $KS_NODE_ID is a voter now, but $ks_jq_kept could not be written (the next run asks the quorum again)"
}
ks_section joined
ks_kv removed "$ks_jq_removed"
ks_kv seconds "$(( $(date +%s) - ks_jq_started ))"
ks_probe_data
