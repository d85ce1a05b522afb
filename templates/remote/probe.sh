# kafka-setup: the whole probe, one round trip.
ks_probe_os
ks_probe_tools
ks_probe_host
ks_probe_install
ks_probe_files
ks_probe_ports
ks_probe_jvms
