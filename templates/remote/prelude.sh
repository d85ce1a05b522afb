# kafka-setup: prelude of every script run on the host. The script arrives on stdin of `sh -s` as one
# { ... } group, so the shell has read all of it before running any of it.
# Keep the SSH channel's stdin on fd 3: it reaches end-of-file when kafka-setup goes away (Ctrl-C, a
# dropped connection), which ks_guard uses to stop long commands. Everything else reads /dev/null,
# so no command waits for input.
exec 3<&0 </dev/null
set -u
umask 022
LC_ALL=C
export LC_ALL

# Findings go to stdout as sections: "$KS_MARK NAME" followed by lines (mostly key=value). KS_MARK
# carries a nonce, so nothing the login shell prints before us can pass for a section.
ks_section() { printf '%s %s\n' "$KS_MARK" "$1"; }
ks_kv() { printf '%s=%s\n' "$1" "$2"; }

# Report a failure kafka-setup knows how to explain (by KIND) and stop.
ks_fail() {
  ks_section error
  ks_kv kind "$1"
  shift
  ks_kv message "$*"
  exit 1
}

# Expand a leading ~/ (paths are passed quoted, so the shell never expands them itself).
ks_path() {
  case $1 in
    '~') printf '%s\n' "$HOME" ;;
    '~/'*) printf '%s/%s\n' "$HOME" "${1#??}" ;;
    *) printf '%s\n' "$1" ;;
  esac
}

ks_b64() { base64 < "$1" | tr -d '\n'; }

# The value of the variable named $1: lists of values travel as numbered variables (KS_M0_FROM, …).
ks_var() { eval "printf '%s' \"\${$1}\""; }

# A progress line (what the script does now), in one write: it never splits another's lines.
ks_say() {
  ks_pline=$(ks_section progress; ks_kv text "$1")
  printf '%s\n' "$ks_pline"
}

# Progress while a long command runs, on the output the script already sends (no extra round trip):
# ks_watch_start FUNCTION calls FUNCTION every second in the background and prints its first line as
# a progress section whenever it changed; ks_watch_stop ends that before the script prints anything
# else. Each section goes out in one write, so stopping the loop never leaves half of one.
ks_watch_start() {
  (
    ks_last=
    # $$ is the script's own shell (a subshell keeps it): once the script is gone (a dropped
    # connection), so is the loop, which would otherwise go on, printing nothing, for ever.
    while kill -0 "$$" 2>/dev/null; do
      ks_now=$("$1" 2>/dev/null | head -n 1 | tr -cd '[:print:]' | cut -c 1-200)
      if [ -n "$ks_now" ] && [ "$ks_now" != "$ks_last" ]; then
        ks_say "$ks_now"
        ks_last=$ks_now
      fi
      # Not holding the channel's output: a sleep left running for a moment after the loop is stopped
      # would keep sshd waiting for it before the command could end.
      sleep 1 >/dev/null
    done
  ) 3<&- 2>/dev/null &
  ks_watcher=$!
}
ks_watch_stop() {
  [ -n "${ks_watcher:-}" ] || return 0
  kill "$ks_watcher" 2>/dev/null
  wait "$ks_watcher" 2>/dev/null
  ks_watcher=
  return 0
}

# Run a long command so that it is stopped when kafka-setup disconnects; without this it would go on
# after the SSH channel closes. Returns the command's status (143 when stopped). It must be a program,
# not a shell function: the process stopped is the one started here.
# The command gets its own process group (setsid), so that what it started stops too: apt-get's dpkg
# and its maintainer scripts, not only apt-get. A command run through sudo is root's: the user may
# signal sudo, which relays to its command alone, not the command's children; so root signals the
# group, through sudo.
ks_guard() {
  if [ "$1" = sudo ]; then ks_as='sudo -n'; else ks_as=env; fi
  if command -v setsid >/dev/null 2>&1; then setsid "$@" 3<&- & else "$@" 3<&- & fi
  ks_job=$!
  (
    while IFS= read -r _ <&3; do :; done
    ks_stop_job
    # Whatever in the group ignored SIGTERM (never a lone pid: by then it may be another process's).
    # Detached, because this watcher is itself stopped once the job ends.
    (sleep 5; $ks_as kill -s KILL -- "-$ks_job") </dev/null >/dev/null 2>&1 3<&- &
  ) &
  ks_watch=$!
  wait "$ks_job"
  ks_rc=$?
  kill "$ks_watch" 2>/dev/null
  wait "$ks_watch" 2>/dev/null # reaps it quietly (no "Terminated" on stderr)
  return "$ks_rc"
}
# SIGTERM to the job's process group, else (no setsid, no kill program) to the job alone.
ks_stop_job() {
  $ks_as kill -s TERM -- "-$ks_job" 2>/dev/null || $ks_as kill -s TERM "$ks_job" 2>/dev/null || kill -s TERM "$ks_job" 2>/dev/null
}

# Run as root: directly when we are root, else through passwordless sudo (never a password prompt).
# Used unquoted on purpose ($ks_sudo apt-get …), so that ks_guard gets a program.
if [ "$(id -u)" = 0 ]; then ks_sudo=; else ks_sudo='sudo -n'; fi
