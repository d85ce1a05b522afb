# kafka-setup: the JVMs, as the process table and jps -lvm see them.
ks_probe_jvms
ks_probe_jps
