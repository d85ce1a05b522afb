# kafka-setup: install a JDK (java and jps) with the host's package manager.
# Inputs: KS_PM (apt | dnf | yum), KS_PACKAGES (candidates, best first, space separated).
ks_log=$(mktemp) || ks_fail write_failed "cannot create a temporary file"
ks_tail() { tail -n 15 "$ks_log" | sed 's/^/log=/'; }

ks_installed=
ks_repaired=no
case $KS_PM in
  apt)
    # Fresh cloud images ship without package lists: refresh them once when no candidate is known.
    ks_candidate() {
      for p in $KS_PACKAGES; do
        if apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]'; then printf '%s\n' "$p"; return 0; fi
      done
      return 1
    }
    if ! pkg=$(ks_candidate); then
      ks_guard $ks_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$ks_log" 2>&1
      rc=$?
      [ "$rc" = 143 ] && ks_fail interrupted "stopped while refreshing the package lists"
      pkg=$(ks_candidate) || { ks_section error; ks_kv kind no_package; ks_kv message "none of $KS_PACKAGES is available from apt"; ks_tail; rm -f "$ks_log"; exit 1; }
    fi
    # Dpkg::Use-Pty=0: dpkg then stays in ks_guard's process group (apt runs it in a new session on a
    # pseudo-terminal otherwise), so that Ctrl-C stops it too.
    ks_apt() { ks_guard $ks_sudo env DEBIAN_FRONTEND=noninteractive "$@" >"$ks_log" 2>&1; }
    ks_apt apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 "$pkg"
    rc=$?
    [ "$rc" = 143 ] && ks_fail interrupted "stopped while installing $pkg"
    # An install stopped midway (Ctrl-C, a dropped connection, a reboot) leaves dpkg half done, and apt
    # refuses everything until `dpkg --configure -a` finishes it.
    if [ "$rc" != 0 ] && grep -q 'dpkg was interrupted' "$ks_log"; then
      ks_apt dpkg --configure -a
      rc=$?
      [ "$rc" = 143 ] && ks_fail interrupted "stopped while finishing an interrupted dpkg run"
      if [ "$rc" = 0 ]; then
        ks_repaired=yes
        ks_apt apt-get install -y -q --no-install-recommends -o Dpkg::Use-Pty=0 "$pkg"
        rc=$?
        [ "$rc" = 143 ] && ks_fail interrupted "stopped while installing $pkg"
      fi
    fi
    [ "$rc" = 0 ] && ks_installed=$pkg
    ;;
  dnf|yum)
    for pkg in $KS_PACKAGES; do
      ks_guard $ks_sudo "$KS_PM" install -y -q "$pkg" >"$ks_log" 2>&1
      rc=$?
      [ "$rc" = 143 ] && ks_fail interrupted "stopped while installing $pkg"
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
ks_probe_tools
