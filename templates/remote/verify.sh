# kafka-setup verify: everything checked on the host, in one round trip — the JVMs (process table
# and jps), the broker's registration in ZooKeeper (3.x) or the KRaft controller quorum's state (4.x),
# and recent ERROR/FATAL log lines.
# Inputs: KS_VERIFY_MODE (zookeeper or kraft); KS_ZOOKEEPER_CONNECT (zookeeper.connect when
# server.properties leaves it unset); KS_CONTROLLER (host:port of the node's controller listener).
ks_probe_install
ks_probe_ports
ks_probe_jvms
ks_probe_jps
ks_file_fact server.properties "$ks_install_dir/config/server.properties"

# The quorum as the controller describes it (DescribeQuorum), through Kafka's own tool on the host: the
# controller listener is on the host's loopback, unreachable from here by design.
ks_verify_quorum() {
  ks_section quorum
  if [ ! -x "$ks_install_dir/bin/kafka-metadata-quorum.sh" ]; then ks_kv rc missing; return 0; fi
  out=$(KAFKA_HEAP_OPTS=-Xmx128m timeout 40 "$ks_install_dir/bin/kafka-metadata-quorum.sh" --bootstrap-controller "$KS_CONTROLLER" describe --status 2>&1 3<&-)
  ks_kv rc "$?"
  # Each value cut to what it may hold: the tool's output is the host's, not trusted.
  ks_kv leader "$(printf '%s\n' "$out" | sed -n 's/^LeaderId:[[:space:]]*//p' | head -n 1 | tr -cd '0-9-' | cut -c 1-11)"
  ks_kv epoch "$(printf '%s\n' "$out" | sed -n 's/^LeaderEpoch:[[:space:]]*//p' | head -n 1 | tr -cd '0-9' | cut -c 1-19)"
  ks_kv lag "$(printf '%s\n' "$out" | sed -n 's/^MaxFollowerLag:[[:space:]]*//p' | head -n 1 | tr -cd '0-9' | cut -c 1-19)"
  ks_kv voters "$(printf '%s\n' "$out" | sed -n 's/^CurrentVoters:[[:space:]]*//p' | head -n 1 | grep -oE '"id": ?[0-9]+' | tr -cd '0-9\n' | tr '\n' ' ' | cut -c 1-200)"
  printf '%s\n' "$out" | grep -vE '^[A-Za-z]+:' | tail -n 3 | cut -c 1-300 | sed 's/^/out=/'
}

# The brokers registered in ZooKeeper (3.x).
ks_verify_zookeeper() {
  ks_section zookeeper
  ks_zk=$(ks_prop "$ks_install_dir/config/server.properties" zookeeper.connect)
  ks_zk=${ks_zk:-$KS_ZOOKEEPER_CONNECT}
  ks_kv connect "$ks_zk"
  if [ -x "$ks_install_dir/bin/zookeeper-shell.sh" ]; then
    # A small heap, and a bound: zookeeper-shell retries for ever when ZooKeeper is down.
    out=$(KAFKA_HEAP_OPTS=-Xmx128m timeout 20 "$ks_install_dir/bin/zookeeper-shell.sh" "$ks_zk" ls /brokers/ids 2>&1)
    ks_kv rc "$?"
    ks_kv ids "$(printf '%s\n' "$out" | grep -E '^\[[0-9, ]*\]$' | tail -n 1)"
    printf '%s\n' "$out" | grep -vE '^\[[0-9, ]*\]$' | tail -n 3 | sed 's/^/out=/'
  else
    ks_kv rc missing
  fi
}

if [ "$KS_VERIFY_MODE" = kraft ]; then
  ks_verify_quorum
  ks_verify_logs="server.log controller.log"
else
  ks_verify_zookeeper
  ks_verify_logs="server.log zookeeper.out"
fi

ks_section logs
for f in $ks_verify_logs; do
  [ -f "$ks_install_dir/logs/$f" ] || continue
  ks_kv file "$ks_install_dir/logs/$f"
  grep -E '^\[[^]]*\] (ERROR|FATAL) ' "$ks_install_dir/logs/$f" | tail -n 5 | cut -c 1-300 | sed "s|^|line=$f: |"
done
