# kafka-setup: fetch the published SHA-512 of the tarball (when the probe did not).
# Inputs: KS_URLS (tarball URLs, one per line, in order).
ks_probe_sha512
