# The KRaft controller quorum as the controllers describe it (DescribeQuorum), through Kafka's own tool
# on the host, where the SSH server forwards no port (else kafka-setup asks it through the tunnel:
# src/host/quorum-ask.ts). Each describe starts a JVM (a second or two), so callers ask only for what
# they read: `status` (leader, epoch, voters, the largest lag) and/or `replication` (one row per voter
# and observer: lag and fetch times).
# Input: KS_CONTROLLER (host:port of the node's own controller listener).
# emits: quorum
ks_quorum_describe() {
  KAFKA_HEAP_OPTS=-Xmx128m timeout 40 "$ks_install_dir/bin/kafka-metadata-quorum.sh" --bootstrap-controller "$KS_CONTROLLER" describe "--$1" 2>&1 3<&-
}

# Whether something listens on the controller's port (/proc/net/tcp; unknown, where it is unreadable, counts
# as yes): a node that is down is said so at once, not after the tool's 40 s of retries.
ks_quorum_listening() {
  [ -r /proc/net/tcp ] || return 0
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v port="${KS_CONTROLLER##*:}" '
    BEGIN { want = sprintf("%04X", port) }
    $4 == "0A" { n = split($2, a, ":"); if (a[n] == want) found = 1 }
    END { exit found ? 0 : 1 }'
}

# A field of a tab-separated row, cut to the characters and length it may hold.
ks_quorum_field() { printf '%s\n' "$1" | cut -f "$2" | tr -cd "$3" | cut -c "1-$4"; }

ks_quorum() {
  ks_section quorum
  if [ ! -x "$ks_install_dir/bin/kafka-metadata-quorum.sh" ]; then ks_kv rc missing; return 0; fi
  if ! ks_quorum_listening; then ks_kv rc down; return 0; fi
  for ks_q_what in "$@"; do
    out=$(ks_quorum_describe "$ks_q_what")
    ks_q_rc=$?
    # The tool's output is the host's, not trusted: each value cut to what it may hold.
    if [ "$ks_q_what" = status ]; then
      ks_kv rc "$ks_q_rc"
      ks_kv leader "$(printf '%s\n' "$out" | sed -n 's/^LeaderId:[[:space:]]*//p' | head -n 1 | tr -cd '0-9-' | cut -c 1-11)"
      ks_kv epoch "$(printf '%s\n' "$out" | sed -n 's/^LeaderEpoch:[[:space:]]*//p' | head -n 1 | tr -cd '0-9' | cut -c 1-19)"
      ks_kv lag "$(printf '%s\n' "$out" | sed -n 's/^MaxFollowerLag:[[:space:]]*//p' | head -n 1 | tr -cd '0-9' | cut -c 1-19)"
      ks_kv voters "$(printf '%s\n' "$out" | sed -n 's/^CurrentVoters:[[:space:]]*//p' | head -n 1 | grep -oE '"id": ?[0-9]+' | tr -cd '0-9\n' | tr '\n' ' ' | cut -c 1-200)"
      printf '%s\n' "$out" | grep -vE '^[A-Za-z]+:' | tail -n 3 | cut -c 1-300 | sed 's/^/out=/'
    else
      ks_kv replication_rc "$ks_q_rc"
      # Rows: NodeId, DirectoryId, LogEndOffset, Lag, LastFetchTimestamp, LastCaughtUpTimestamp, Status
      # (tab-separated, padded), printed with the directory id last. At most 16 rows: a quorum has a few voters.
      printf '%s\n' "$out" | grep -E '^[0-9]+[[:space:]]' | head -n 16 | while IFS= read -r ks_q_row; do
        ks_q_dir=$(ks_quorum_field "$ks_q_row" 2 A-Za-z0-9_- 22)
        ks_kv row "$(ks_quorum_field "$ks_q_row" 1 0-9 10) $(ks_quorum_field "$ks_q_row" 3 0-9- 20) $(ks_quorum_field "$ks_q_row" 4 0-9- 20) $(ks_quorum_field "$ks_q_row" 5 0-9- 20) $(ks_quorum_field "$ks_q_row" 6 0-9- 20) $(ks_quorum_field "$ks_q_row" 7 A-Za-z 10) ${ks_q_dir:--}"
      done
      [ "$ks_q_rc" = 0 ] || printf '%s\n' "$out" | grep -vE '^[0-9]+[[:space:]]' | tail -n 3 | cut -c 1-300 | sed 's/^/out=/'
    fi
    # A controller that did not answer one describe will not answer the next: no second 40 s wait.
    [ "$ks_q_rc" = 0 ] || return 0
  done
}
