# kafka-setup verify: everything checked on the host, in one round trip — the JVMs (process table
# and jps), the broker's registration in ZooKeeper (3.x), and recent ERROR/FATAL log lines. The
# KRaft controller quorum (4.x) is asked beside it (RemoteHost.quorum).
# Inputs: KS_VERIFY_MODE (zookeeper or kraft); KS_ZOOKEEPER_CONNECT (zookeeper.connect when
# server.properties leaves it unset).
ks_probe_install
ks_probe_ports
ks_probe_jvms
ks_probe_jps
ks_file_fact server.properties "$ks_install_dir/config/server.properties"

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
