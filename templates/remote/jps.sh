# kafka-setup: list the JVMs with jps -lvm.
ks_probe_jps
