# kafka-setup: one run at a time per host user. The lock is an flock on kafka-setup.lock in the user's
# runtime directory, held by a small background process for as long as this SSH connection lives, so
# it is released when the run ends — or is killed, or loses its connection: a dead run's lock is
# never left behind (the kernel drops an flock with its last holder). The file itself only says who
# holds it. Nothing is written to the home directory: a run that changes nothing leaves it untouched.
# Usage: ks_lock (prints a "lock" section; fails with kind=locked when another run holds it).

# $XDG_RUNTIME_DIR (/run/user/UID, which logind gives SSH sessions), else a private directory of
# ours in /tmp — never one someone else created or a link.
ks_lock_dir() {
  if [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR" ] && [ ! -L "$XDG_RUNTIME_DIR" ] && [ -O "$XDG_RUNTIME_DIR" ]; then
    printf '%s\n' "$XDG_RUNTIME_DIR"
    return 0
  fi
  d="${TMPDIR:-/tmp}/kafka-setup-$(id -u)"
  mkdir -m 700 "$d" 2>/dev/null
  [ -d "$d" ] && [ ! -L "$d" ] && [ -O "$d" ] || return 1
  printf '%s\n' "$d"
}

ks_conn_pid() {
  # The connection's sshd process: the nearest ancestor named sshd* (it exits when the connection
  # closes). Without one (a local test run), our parent.
  p=$$
  while [ "$p" -gt 1 ] 2>/dev/null; do
    case $(cat "/proc/$p/comm" 2>/dev/null) in sshd*) printf '%s\n' "$p"; return 0 ;; esac
    p=$(sed -e 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d ' ' -f 2)
    [ -n "$p" ] || break
  done
  printf '%s\n' "$PPID"
}

# A process's start time (clock ticks since boot): a pid the kernel hands to a later process has
# another. Nothing for a process that has ended: a zombie (Z) keeps its entry until its parent reaps
# it, which for an orphaned sshd is PID 1, and some inits take seconds to.
ks_started() {
  ks_pst=$(sed -e 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
  case $ks_pst in Z* | X* | x*) return 0 ;; esac
  printf '%s\n' "$ks_pst" | cut -d ' ' -f 20
}

# The lock is held, but the connection of the run that holds it is gone (that run ended, was killed or
# lost its network): its holder would notice within half a second; it is stopped now instead, so that
# a run right after another does not wait for that poll. Only the holder the file names, and only the
# very process (its start time), is signalled; a file being written, or anything but numbers, is left be.
ks_lock_reap() {
  ks_lh= ks_lhs= ks_lc= ks_lcs=
  while IFS='=' read -r k v; do
    case $v in '' | *[!0-9]*) continue ;; esac
    case $k in pid) ks_lh=$v ;; pid_start) ks_lhs=$v ;; conn) ks_lc=$v ;; conn_start) ks_lcs=$v ;; esac
  done < "$ks_lockfile"
  [ -n "$ks_lh" ] && [ -n "$ks_lhs" ] && [ -n "$ks_lc" ] && [ -n "$ks_lcs" ] || return 0
  [ "$(ks_started "$ks_lc")" = "$ks_lcs" ] && return 0
  [ "$(ks_started "$ks_lh")" = "$ks_lhs" ] && kill "$ks_lh" 2>/dev/null
  return 0
}

ks_lock() {
  ks_section lock
  # (A failed `exec` redirection would end the script: test the file first. Never through a link.)
  if ! command -v flock >/dev/null 2>&1 || ! ks_lockdir=$(ks_lock_dir); then
    ks_kv state unsupported
    return 0
  fi
  ks_lockfile="$ks_lockdir/kafka-setup.lock"
  if [ -L "$ks_lockfile" ] || ! ( : >>"$ks_lockfile" ) 2>/dev/null; then
    ks_kv state unsupported
    return 0
  fi
  exec 9>>"$ks_lockfile"
  # Held by a run whose connection is gone: its holder is stopped at once. Otherwise wait a little,
  # for a run that is just finishing, not for one that is really at work.
  flock -n 9 || ks_lock_reap
  if ! flock -w 3 9; then
    exec 9>&-
    ks_section error
    ks_kv kind locked
    ks_kv message "another kafka-setup run is working on this host"
    while IFS='=' read -r k v; do
      case $k in
        pid) ks_kv pid "$v" ;;
        since) ks_kv since "$v" ;;
        from) ks_kv from "$v" ;;
        conn) ks_kv conn "$v" ;;
      esac
    done < "$ks_lockfile"
    ks_kv now "$(date +%s)"
    exit 1
  fi
  ks_conn=$(ks_conn_pid)
  # Its start time too: a pid the kernel hands to another process later must not keep the lock.
  ks_conn_born=$(ks_started "$ks_conn")
  # The holder keeps fd 9 (and so the lock) until the connection's sshd is gone; every other fd is
  # closed so that the SSH channel can finish. Started from a command substitution so that it is not
  # our child: the scripts' own `wait` must not wait for it.
  ks_holder=$(
    (
      trap '' HUP
      while [ -n "$ks_conn_born" ] && [ "$(ks_started "$ks_conn")" = "$ks_conn_born" ]; do sleep 0.5 9>&- 2>/dev/null || sleep 1 9>&-; done
    ) </dev/null >/dev/null 2>&1 3<&- &
    echo $!
  )
  exec 9>&-
  printf 'pid=%s\npid_start=%s\nconn=%s\nconn_start=%s\nsince=%s\nfrom=%s\n' "$ks_holder" "$(ks_started "$ks_holder")" "$ks_conn" "$ks_conn_born" "$(date +%s)" "${SSH_CLIENT:+${SSH_CLIENT%% *}}" > "$ks_lockfile"
  ks_kv state held
  ks_kv file "$ks_lockfile"
  ks_kv pid "$ks_holder"
}
