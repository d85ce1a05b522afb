# kafka-setup logs: the last lines of the daemons' logs, or (KS_FOLLOW=1) those and every line added
# after, until kafka-setup goes away.
# Inputs: KS_LOGS ("KIND=FILE ..." under the install's logs/, in order), KS_LINES, KS_FOLLOW.

# First what is there, for every log asked for, so that kafka-setup can explain what is not.
set --
for ks_l in $KS_LOGS; do
  ks_kind=${ks_l%%=*}
  ks_f=$ks_install_dir/logs/${ks_l#*=}
  ks_section "logfile $ks_kind"
  ks_kv path "$ks_f"
  if [ ! -d "$ks_install_dir" ]; then ks_kv state no_install
  elif [ ! -e "$ks_f" ]; then ks_kv state missing
  elif [ ! -f "$ks_f" ] || [ ! -r "$ks_f" ]; then ks_kv state unreadable
  else
    ks_kv state ok
    set -- "$@" "$ks_kind" "$ks_f"
  fi
done
[ "$#" -gt 0 ] || exit 0

ks_section tail
# Each log line as line=KIND TEXT; one longer than 4000 bytes as cut=KIND and its first 4000 bytes
# (a binary file must not flood the connection). awk flushes every line: into a pipe, output would
# otherwise wait for a full buffer, which a followed log may take hours to fill. Each line is one
# string with its newline (ORS empty), so one write(2) — mawk -W interactive writes every piece of a
# print apart — and under 4096 bytes (PIPE_BUF): the lines of two followed logs never mix.
ks_logs_awk='BEGIN { ORS = "" } { if (length($0) > 4000) print "cut=" k " " substr($0, 1, 4000) "\n"; else print "line=" k " " $0 "\n"; fflush() }'
# mawk (Debian's and Ubuntu's awk) also reads a pipe a block at a time, so a new line would wait for
# the next 4 KiB of log: -W interactive makes it read lines. gawk and busybox awk read what is there.
case $(awk -W version 2>&1 </dev/null) in mawk*) ks_awk_read='-W interactive' ;; *) ks_awk_read= ;; esac
if [ -n "$KS_FOLLOW" ]; then
  # tail -F follows the file by name: a log rotated or recreated by a restart is picked up again.
  # Under ks_guard (its own process group), every tail and awk stops when kafka-setup goes away.
  ks_guard sh -c '
    n=$1 prog=$2 read=$3
    shift 3
    while [ "$#" -gt 0 ]; do
      tail -n "$n" -F -- "$2" | awk $read -v k="$1" "$prog" &
      shift 2
    done
    wait' sh "$KS_LINES" "$ks_logs_awk" "$ks_awk_read" "$@"
else
  while [ "$#" -gt 0 ]; do
    tail -n "$KS_LINES" -- "$2" | awk -v k="$1" "$ks_logs_awk"
    shift 2
  done
fi
