# kafka-setup: install a JDK (java and jps) with the host's package manager.
# Inputs: KS_PM (apt | dnf | yum), KS_PACKAGES (candidates, best first, space separated),
# KS_PM_LOCKS (files the package manager locks with fcntl), KS_PM_PIDFILES (files holding the pid of
# a running yum or dnf), KS_PM_WAIT (seconds we wait, in all, for another package manager to finish).
ks_log=$(mktemp) || ks_fail write_failed "cannot create a temporary file"
# emits: error
ks_tail() { tail -n 15 "$ks_log" | sed 's/^/log=/'; }

# --- Another package manager at work -------------------------------------------------------------
# In the first minutes after boot, cloud-init and unattended-upgrades (yum/dnf: cloud-init, dnf-automatic)
# hold the package manager's locks. We wait for them, naming who we wait for, within KS_PM_WAIT.

# What we are doing now, for the step's spinner; a wait shows itself, then what it held up again.
ks_doing=
ks_progress() { ks_doing=$1; ks_say "$1"; }

# Printable ASCII only, cut: a process's name and command line are whatever it chose.
ks_printable() { tr '\000' ' ' | tr -cd '[:print:]' | cut -c "1-$1" | sed 's/ *$//'; }

# The pid holding an fcntl (POSIX) lock on FILE, from /proc/locks: dpkg, apt and rpm lock with fcntl,
# not flock, and minimal images have neither fuser nor lsof. /proc/locks names a file by its
# device (major:minor, in hex) and inode. The pid is 0 or -1 when the kernel cannot say (a holder in
# another pid namespace, an open-file-description lock). A process waiting for the lock has "->".
ks_fcntl_holder() {
  ks_st=$(stat -L -c '%d %i' "$1" 2>/dev/null) || return 1
  ks_dev=${ks_st% *}
  ks_id=$(printf '%02x:%02x:%s' $(( (ks_dev >> 8) & 4095 )) $(( (ks_dev & 255) | ((ks_dev >> 12) & 1048320) )) "${ks_st#* }")
  awk -v id="$ks_id" '$2 != "->" && $6 == id { print $5; found = 1; exit } END { exit !found }' /proc/locks 2>/dev/null
}

# "PID FILE" of the first lock held by someone else; fails when all are free.
ks_pm_holder() {
  for ks_f in ${KS_PM_LOCKS:-}; do
    ks_p=$(ks_fcntl_holder "$ks_f") && { printf '%s %s\n' "$ks_p" "$ks_f"; return 0; }
  done
  # yum and dnf 4 write their pid into these while they run (a dead pid is a stale file they ignore too).
  for ks_f in ${KS_PM_PIDFILES:-}; do
    [ -f "$ks_f" ] || continue
    ks_p=$(head -c 20 "$ks_f" 2>/dev/null | tr -cd 0-9)
    [ -n "$ks_p" ] && [ "$ks_p" -gt 0 ] 2>/dev/null && [ "$ks_p" != "$$" ] && [ -d "/proc/$ks_p" ] && { printf '%s %s\n' "$ks_p" "$ks_f"; return 0; }
  done
  return 1
}

# Seconds since process PID started (from its start time in clock ticks since boot).
ks_proc_age() {
  ks_start=$(sed -e 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d ' ' -f 20)
  ks_hz=$(getconf CLK_TCK 2>/dev/null) || ks_hz=100
  ks_up=$(cut -d . -f 1 /proc/uptime)
  [ -n "$ks_start" ] && [ -n "$ks_up" ] && echo $(( ks_up - ks_start / ks_hz ))
}

ks_pm_waited=0
ks_pm_deadline=$(( $(date +%s) + ${KS_PM_WAIT:-600} ))
ks_pm_for_pid=
ks_pm_for_name=
ks_pm_for_lock=

# Fails the script with kind=pm_busy, naming the holder (PID FILE), or none when apt alone saw it.
ks_pm_busy() {
  ks_section error
  ks_kv kind pm_busy
  ks_kv message "another process holds the package manager's lock"
  ks_kv waited "$ks_pm_waited"
  if [ -n "${1:-}" ] && [ "$1" -gt 0 ] 2>/dev/null; then
    ks_kv pid "$1"
    ks_kv name "$(ks_printable 32 2>/dev/null < "/proc/$1/comm")"
    ks_kv command "$(ks_printable 200 2>/dev/null < "/proc/$1/cmdline")"
    ks_kv age "$(ks_proc_age "$1")"
  fi
  [ -n "${2:-}" ] && ks_kv lock "$2"
  [ -s "$ks_log" ] && ks_tail
  rm -f "$ks_log"
  exit 1
}

# Returns once no other process holds a lock; fails with pm_busy at the deadline, or interrupted.
ks_pm_wait() {
  ks_h=$(ks_pm_holder) || return 0
  ks_since=$(date +%s)
  while :; do
    ks_hpid=${ks_h%% *}
    ks_hname=$(ks_printable 32 2>/dev/null < "/proc/$ks_hpid/comm")
    # (No pid: a holder in another pid namespace, or an open-file-description lock.)
    if [ "$ks_hpid" -gt 0 ] 2>/dev/null; then ks_hwho="${ks_hname:-another process} (pid $ks_hpid)"; else ks_hwho='another process'; ks_hname=; fi
    if [ -z "$ks_pm_for_lock" ]; then ks_pm_for_pid=$ks_hpid; ks_pm_for_name=$ks_hname; ks_pm_for_lock=${ks_h#* }; fi
    ks_now=$(date +%s)
    if [ "$ks_now" -ge "$ks_pm_deadline" ]; then
      ks_pm_waited=$(( ks_pm_waited + ks_now - ks_since ))
      ks_pm_busy "$ks_hpid" "${ks_h#* }"
    fi
    ks_say "waiting for $ks_hwho to release ${ks_h#* } ($(( ks_pm_waited + ks_now - ks_since )) s)"
    # Through ks_guard: a Ctrl-C (the SSH channel closing) ends the wait at once.
    ks_guard sleep 2
    [ "$?" = 143 ] && ks_fail interrupted "stopped while waiting for $ks_hwho to finish"
    ks_h=$(ks_pm_holder) || break
  done
  ks_pm_waited=$(( ks_pm_waited + $(date +%s) - ks_since ))
  [ -n "$ks_doing" ] && ks_say "$ks_doing"
  return 0
}

# The package manager's phase, read from its output (ks_log) every second while it runs, for the
# progress line: apt's "N newly installed", its "Get:N" lines and dpkg's "Unpacking"/"Setting up"
# lines; dnf's and yum's transaction lines. (Not apt's APT::Status-Fd: with it on the output,
# ca-certificates-java's postinst fails with an I/O error, and Java with it.)
ks_pm_phase() {
  awk '
    / newly installed, / { split($0, w, " "); total = w[3] + 0 }
    /^Get:[0-9]+ / {
      g = substr($1, 5) + 0
      phase = total > 0 ? sprintf("downloading package %d of %d", g, total) : sprintf("refreshing the package lists (file %d)", g)
    }
    /^Unpacking / { u++; pkg = $2; sub(/:.*/, "", pkg); phase = sprintf("unpacking %s (%d of %d)", pkg, u, total) }
    /^Setting up / { c++; pkg = $3; sub(/:.*/, "", pkg); phase = sprintf("configuring %s (%d of %d)", pkg, c, total) }
    /^Install +[0-9]+ Packages?/ { split($0, w, " "); total = w[2] + 0 }
    /^\([0-9]+\/[0-9]+\): / { split(substr($0, 2), n, /[\/)]/); phase = sprintf("downloading package %d of %d", n[1], n[2]) }
    /^ +(Installing|Upgrading|Reinstalling|Verifying|Running scriptlet) *: / {
      k = $0; sub(/^ +/, "", k); sub(/ *:.*/, "", k); split($NF, n, "/")
      if (n[2] + 0 > 0) phase = sprintf("%s package %d of %d", (k == "Running scriptlet" ? "configuring" : tolower(k)), n[1], n[2])
    }
    END { if (phase != "") print phase }
  ' "$ks_log" 2>/dev/null
}

# apt and dpkg's own words when they could not take a lock (someone took it between our look and theirs).
ks_apt_locked() { grep -q -e 'Could not get lock' -e 'Unable to acquire the dpkg frontend lock' -e 'Unable to lock' -e 'locked by another process' "$ks_log"; }

ks_installed=
ks_reinstalled=
ks_repaired=no
ks_keystore=
case $KS_PM in
  apt)
    # Fresh cloud images ship without package lists: refresh them once when no candidate is known.
    ks_candidate() {
      for p in $KS_PACKAGES; do
        if apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]'; then printf '%s\n' "$p"; return 0; fi
      done
      return 1
    }
    # Dpkg::Use-Pty=0: dpkg then stays in ks_guard's process group (apt runs it in a new session on a
    # pseudo-terminal otherwise), so that Ctrl-C stops it too.
    # We wait for the locks to be free first; should someone take them between our look and apt's,
    # apt waits DPkg::Lock::Timeout for them (apt 1.9.11 and later; older apt ignores it), and if
    # that is not enough either, we wait again, within the same deadline.
    ks_apt() {
      while :; do
        ks_pm_wait
        ks_watch_start ks_pm_phase
        ks_guard $ks_sudo env DEBIAN_FRONTEND=noninteractive "$@" >"$ks_log" 2>&1
        ks_apt_rc=$?
        ks_watch_stop
        if [ "$ks_apt_rc" = 0 ] || [ "$ks_apt_rc" = 143 ] || ! ks_apt_locked; then return "$ks_apt_rc"; fi
        [ "$(date +%s)" -lt "$ks_pm_deadline" ] || ks_pm_busy
        ks_since=$(date +%s)
        ks_guard sleep 2
        [ "$?" = 143 ] && ks_fail interrupted "stopped while waiting for the package manager's lock"
        ks_pm_waited=$(( ks_pm_waited + $(date +%s) - ks_since ))
      done
    }
    ks_apt_get() { ks_apt apt-get -q -o DPkg::Lock::Timeout=60 "$@"; }
    # Java's keystore is built by ca-certificates-java's trigger, in place: stopped midway (Ctrl-C, a
    # dropped connection) it leaves a truncated /etc/ssl/certs/java/cacerts, which every later
    # configure fails to open, so Java never installs. Its unfinished first import (the "fresh" list,
    # removed once the import is done) marks such a file: it is moved aside (kept) and built again.
    ks_keystore_aside() {
      [ -f /var/lib/ca-certificates-java/fresh ] && [ -f /etc/ssl/certs/java/cacerts ] || return 0
      [ "$(dpkg-query -W -f='${Status}' ca-certificates-java 2>/dev/null)" = 'install ok installed' ] && return 0
      ks_progress "setting aside Java's keystore, left half-written by an interrupted install"
      $ks_sudo mv -f /etc/ssl/certs/java/cacerts /etc/ssl/certs/java/cacerts.kafka-setup-partial && ks_keystore=/etc/ssl/certs/java/cacerts.kafka-setup-partial
    }
    ks_keystore_aside
    # Java's packages that an interrupted run left unfinished: apt's --fix-broken finishes them with ours.
    ks_fix=
    if [ -n "$(ks_java_unfinished)" ]; then ks_fix=--fix-broken; ks_repaired=fixed; fi
    if ! pkg=$(ks_candidate); then
      ks_progress "refreshing the package lists"
      ks_apt_get update
      rc=$?
      [ "$rc" = 143 ] && ks_fail interrupted "stopped while refreshing the package lists"
      pkg=$(ks_candidate) || { ks_section error; ks_kv kind no_package; ks_kv message "none of $KS_PACKAGES is available from apt"; ks_tail; rm -f "$ks_log"; exit 1; }
    fi
    ks_progress "installing $pkg"
    ks_apt_get install -y $ks_fix --no-install-recommends -o Dpkg::Use-Pty=0 "$pkg"
    rc=$?
    [ "$rc" = 143 ] && ks_fail interrupted "stopped while installing $pkg"
    # An install stopped midway (Ctrl-C, a dropped connection, a reboot) leaves dpkg half done, and apt
    # refuses everything until `dpkg --configure -a` finishes it.
    if [ "$rc" != 0 ] && grep -q 'dpkg was interrupted' "$ks_log"; then
      ks_keystore_aside
      ks_progress "finishing an interrupted install (dpkg --configure -a)"
      ks_apt dpkg --configure -a
      rc=$?
      [ "$rc" = 143 ] && ks_fail interrupted "stopped while finishing an interrupted dpkg run"
      # dpkg cannot configure a package whose dependencies apt had not unpacked yet when it was stopped
      # ("dependency problems - leaving unconfigured"): apt's --fix-broken brings them in along with ours.
      ks_repaired=yes
      ks_progress "installing $pkg"
      ks_apt_get install -y --fix-broken --no-install-recommends -o Dpkg::Use-Pty=0 "$pkg"
      rc=$?
      [ "$rc" = 143 ] && ks_fail interrupted "stopped while installing $pkg"
    fi
    [ "$rc" = 0 ] && ks_installed=$pkg
    ;;
  dnf|yum)
    # yum and dnf wait for each other by themselves, silently and without end: we wait first, within
    # the deadline and saying for whom. (A holder that appears after our look is waited for by them.)
    ks_java_ok() { command -v java >/dev/null 2>&1 && command -v jps >/dev/null 2>&1; }
    for pkg in $KS_PACKAGES; do
      ks_pm_wait
      ks_progress "installing $pkg"
      # Not -q: its transaction lines are the progress; unbuffered, so they reach the log as they come.
      ks_watch_start ks_pm_phase
      ks_guard $ks_sudo env PYTHONUNBUFFERED=1 "$KS_PM" install -y "$pkg" >"$ks_log" 2>&1
      rc=$?
      ks_watch_stop
      [ "$rc" = 143 ] && ks_fail interrupted "stopped while installing $pkg"
      # Where rpm records each package as it goes (a BerkeleyDB rpmdb: Amazon Linux 2, RHEL 7; the
      # sqlite one of AL2023 commits a transaction whole), a transaction stopped midway (Ctrl-C, a
      # dropped connection) leaves packages whose %post never ran: the one that makes the java and
      # jps links. yum and dnf call them installed and do nothing; a reinstall runs it again.
      if [ "$rc" = 0 ] && ! ks_java_ok; then
        ks_family=$(rpm -qa --qf '%{NAME}\n' "${pkg%-devel}*" 2>/dev/null | sort | tr '\n' ' ' | sed 's/ *$//')
        if [ -n "$ks_family" ]; then
          ks_pm_wait
          ks_progress "finishing an interrupted install ($KS_PM reinstall $ks_family)"
          ks_guard $ks_sudo "$KS_PM" reinstall -y -q $ks_family >"$ks_log" 2>&1
          rc=$?
          [ "$rc" = 143 ] && ks_fail interrupted "stopped while reinstalling $ks_family"
          ks_reinstalled=$ks_family
        fi
      fi
      if [ "$rc" = 0 ] && command -v java >/dev/null 2>&1; then ks_installed=$pkg; break; fi
    done
    ;;
esac

if [ -z "$ks_installed" ]; then
  ks_section error
  ks_kv kind install_failed
  ks_kv message "$KS_PM could not install any of: $KS_PACKAGES"
  ks_tail
  rm -f "$ks_log"
  exit 1
fi
rm -f "$ks_log"
ks_section installed
ks_kv package "$ks_installed"
ks_kv repaired_dpkg "$ks_repaired"
[ -n "$ks_keystore" ] && ks_kv keystore_aside "$ks_keystore"
[ -n "$ks_reinstalled" ] && ks_kv reinstalled "$ks_reinstalled"
if [ -n "$ks_pm_for_lock" ]; then
  ks_kv waited "$ks_pm_waited"
  ks_kv waited_pid "$ks_pm_for_pid"
  ks_kv waited_name "$ks_pm_for_name"
  ks_kv waited_lock "$ks_pm_for_lock"
fi
ks_probe_tools
