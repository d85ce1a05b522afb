# kafka-setup: remove what init put on the host, in one round trip, in this order: check everything
# it will touch (nothing changes if a check fails), stop the broker then ZooKeeper, or Kafka 4's one
# JVM (their systemd units, disabled and removed, each only if it still carries kafka-setup's header;
# or their JVMs by pid), delete the data directories asked for (and the KRaft cluster id), remove
# the install directory and what init left beside it, and put ~/.bashrc back. From the first removal
# to the last, signals are ignored: a Ctrl-C or a dropped connection cannot leave a half-removed
# install that a second run would no longer recognise. Every part is skipped when already done, so
# an interrupted run is finished by the next.
# Inputs: KS_UN_UNITS (unit names, broker first), KS_UN_SYSTEMD (running|none), KS_UN_STOP (pid=main
# pairs, broker first), KS_UN_INSTALL and KS_UN_TARBALL (1: remove), KS_UN_PURGE (how many data
# directories), KS_UN_P<i>_DIR, KS_UN_P<i>_KIND (kafka|zookeeper), KS_UN_P<i>_OURS (yes: where init
# keeps it), KS_UN_CLUSTER_ID_FILE and KS_UN_CLUSTER_ID (the KRaft cluster id kept beside the data, to
# delete; empty: none), KS_UN_DATA_PARENT, KS_UN_BASHRC (restore|drop-backup|strip|delete or empty),
# KS_UN_BASHRC_SHA, KS_UN_BACKUP_SHA, KS_UN_BASHRC_B64; and probe-lib's KS_INSTALL, KS_TARBALL,
# KS_BASHRC, KS_UNIT_DIR, KS_UNIT_HEADER. Uses ks_dir_user (move-data.sh).

# Each entry of directory $1, dot files included (unmatched patterns are skipped by the caller).
ks_un_entries() { for e in "$1"/* "$1"/.[!.]* "$1"/..?*; do [ -e "$e" ] || [ -L "$e" ] && printf '%s\n' "$e"; done; }

# Whether $1 holds Kafka's log data and nothing else: meta.properties (required unless $2 = yes, the
# place init keeps it), the broker's checkpoint files, and partition directories (topic-N, or their
# -delete/-future renames) of segment files; on KRaft also the metadata log (__cluster_metadata-0,
# with its snapshots and the quorum's state), the bootstrap.checkpoint some releases' format writes
# (4.1.1's does, 4.4.0's not) and the voter's directory id join-quorum.sh keeps there (kafka-setup-voter.id).
# A file of anyone else's fails the check.
ks_un_kafka_only() {
  [ "$2" = yes ] || [ -f "$1/meta.properties" ] || return 1
  ks_un_entries "$1" | while IFS= read -r e; do
    n=${e##*/}
    if [ -L "$e" ]; then exit 1
    elif [ -d "$e" ]; then
      case $n in *-[0-9]*) ;; *) exit 1 ;; esac
      ks_un_entries "$e" | while IFS= read -r f; do
        [ -f "$f" ] && [ ! -L "$f" ] || exit 1
        case ${f##*/} in
          *.log | *.index | *.timeindex | *.snapshot | *.txnindex | *.deleted | *.cleaned | *.swap | *.tmp | leader-epoch-checkpoint | partition.metadata) ;;
          *.checkpoint | *.checkpoint.part | quorum-state) [ "$n" = __cluster_metadata-0 ] || exit 1 ;;
          *) exit 1 ;;
        esac
      done || exit 1
    elif [ -f "$e" ]; then
      case $n in meta.properties | .lock | *-checkpoint | *-checkpoint.tmp | .kafka_cleanshutdown | bootstrap.checkpoint | bootstrap.checkpoint.tmp | kafka-setup-voter.id | kafka-setup-voter.id.kafka-setup-tmp.*) ;; *) exit 1 ;; esac
    else exit 1
    fi
  done
}

# Whether $1 is a ZooKeeper data directory and nothing else: version-2 (required unless $2 = yes)
# holding snapshots, transaction logs and epochs; myid and the pid file beside it.
ks_un_zookeeper_only() {
  [ "$2" = yes ] || { [ -d "$1/version-2" ] && [ ! -L "$1/version-2" ]; } || return 1
  ks_un_entries "$1" | while IFS= read -r e; do
    [ -L "$e" ] && exit 1
    case ${e##*/} in
      version-2) [ -d "$e" ] || exit 1 ;;
      myid | zookeeper_server.pid) [ -f "$e" ] || exit 1 ;;
      *) exit 1 ;;
    esac
  done || return 1
  [ -d "$1/version-2" ] || return 0
  ks_un_entries "$1/version-2" | while IFS= read -r f; do
    [ -f "$f" ] && [ ! -L "$f" ] || exit 1
    case ${f##*/} in snapshot.* | log.* | acceptedEpoch | currentEpoch | *.tmp) ;; *) exit 1 ;; esac
  done
}

# A data directory to purge ($1: index): absent (done already), or a real directory holding only its
# kind of data; anything else stops the run before any change.
ks_un_check_purge() {
  d=$(ks_var "KS_UN_P${1}_DIR") kind=$(ks_var "KS_UN_P${1}_KIND") ours=$(ks_var "KS_UN_P${1}_OURS")
  [ -e "$d" ] || [ -L "$d" ] || return 0
  case $d in /?*) ;; *) ks_un_refuse "$d" "it is not an absolute path" ;; esac
  [ -d "$d" ] && [ ! -L "$d" ] || ks_un_refuse "$d" "it is not a directory (or is a symbolic link)"
  [ "$d" != "$HOME" ] || ks_un_refuse "$d" "it is the home directory"
  if [ "$kind" = kafka ]; then
    ks_un_kafka_only "$d" "$ours" || ks_un_refuse "$d" "it holds files that are not Kafka's log data (a Kafka data directory has meta.properties, checkpoint files and topic-partition directories only)"
  else
    ks_un_zookeeper_only "$d" "$ours" || ks_un_refuse "$d" "it holds files that are not ZooKeeper's data (a ZooKeeper data directory has version-2, and myid, only)"
  fi
}

# The kept cluster id to delete: absent (done already), or still a file holding the id the probe read
# (read as the probe reads it); anything else stops the run before any change.
ks_un_check_cluster_id() {
  f=$KS_UN_CLUSTER_ID_FILE
  [ -n "$f" ] || return 0
  [ -e "$f" ] || [ -L "$f" ] || return 0
  [ -f "$f" ] && [ ! -L "$f" ] && [ "$(head -c 200 "$f" | head -n 1 | tr -cd 'A-Za-z0-9_-' | cut -c 1-64)" = "$KS_UN_CLUSTER_ID" ] ||
    ks_fail changed_meanwhile "$f changed while kafka-setup was running; run kafka-setup uninstall again"
}

ks_un_refuse() {
  ks_section error
  ks_kv kind not_kafka_data
  ks_kv dir "$1"
  ks_kv message "refusing to delete $1: $2"
  exit 1
}

# The SHA-256 of a file, or "absent".
ks_un_sha() { if [ -e "$1" ]; then sha256sum < "$1" | cut -d ' ' -f 1; else echo absent; fi; }

ks_un_check_bashrc() {
  [ -n "$KS_UN_BASHRC" ] || return 0
  [ "$(ks_un_sha "$ks_un_rc")" = "$KS_UN_BASHRC_SHA" ] || ks_fail changed_meanwhile "$ks_un_rc changed while kafka-setup was running; run kafka-setup uninstall again"
  case $KS_UN_BASHRC in restore | drop-backup)
    [ -f "$ks_un_bak" ] && [ "$(ks_un_sha "$ks_un_bak")" = "$KS_UN_BACKUP_SHA" ] ||
      ks_fail changed_meanwhile "$ks_un_bak changed while kafka-setup was running; run kafka-setup uninstall again" ;;
  esac
}

# The units to act on (KS_UN_UNITS), each checked again before any change (the host may have changed
# since the probe): still kafka-setup's when its file carries kafka-setup's header or, its file gone
# (an interrupted run), systemd still has it loaded from that very file. One that is now anyone
# else's stops the run before any change (a re-run leaves it alone, and says so); one with nothing
# left of it is done already. Sets ks_un_mine.
ks_un_check_units() {
  ks_un_mine=
  for u in $KS_UN_UNITS; do
    f="$KS_UNIT_DIR/$u"
    if [ -e "$f" ] || [ -L "$f" ]; then
      ks_unit_ours "$f" || ks_fail changed_meanwhile "left alone: $f was not written by kafka-setup (it was replaced while kafka-setup was running); nothing was changed"
    else
      [ "$KS_UN_SYSTEMD" = running ] || continue
      fr=$(ks_unit_fragment "$u")
      [ -n "$fr" ] || continue
      [ "$fr" = "$f" ] || ks_fail changed_meanwhile "left alone: $u (from $fr) was not written by kafka-setup; nothing was changed"
    fi
    ks_un_mine="$ks_un_mine $u"
  done
}

# emits: uninstalled
ks_un_stop() {
  for u in $ks_un_mine; do
    if [ "$KS_UN_SYSTEMD" = running ] && [ -f "$KS_UNIT_DIR/$u" ]; then
      # disable --now waits for the stop to finish (the broker first: it needs ZooKeeper to shut down cleanly).
      msg=$($ks_sudo systemctl disable --now "$u" 2>&1) ||
        ks_fail unit_failed "could not stop and disable $u: $(printf '%s' "$msg" | tail -n 2 | tr '\n' ' ')"
    elif [ "$KS_UN_SYSTEMD" = running ]; then
      # Only systemd's memory of it is left (an interrupted run removed its file): stopped, if it runs.
      $ks_sudo systemctl stop "$u" >/dev/null 2>&1
    else
      # No systemd running (a container, a rescue system): its enablement links go all the same.
      $ks_sudo systemctl disable "$u" >/dev/null 2>&1
    fi
    ks_kv unit "$u"
  done
  for u in $ks_un_mine; do
    msg=$($ks_sudo rm -f -- "$KS_UNIT_DIR/$u" 2>&1) || ks_fail unit_failed "could not remove $KS_UNIT_DIR/$u: $msg"
  done
  if [ -n "$ks_un_mine" ] && [ "$KS_UN_SYSTEMD" = running ]; then
    $ks_sudo systemctl daemon-reload 2>/dev/null
    for u in $ks_un_mine; do $ks_sudo systemctl reset-failed "$u" 2>/dev/null; done
  fi
  for p in $KS_UN_STOP; do
    if ks_stop_jvm "${p%%=*}" "${p#*=}"; then
      kill -0 "${p%%=*}" 2>/dev/null && ks_fail stop_failed "pid ${p%%=*} (${p#*=}) did not stop, even after SIGKILL"
      ks_kv stopped "${p%%=*}"
    fi
  done
}

# emits: uninstalled
ks_un_purge() {
  n=0
  while [ "$n" -lt "$KS_UN_PURGE" ]; do
    d=$(ks_var "KS_UN_P${n}_DIR")
    n=$((n + 1))
    [ -e "$d" ] || continue
    if user=$(ks_dir_user "$d"); then
      ks_section error
      ks_kv kind data_in_use
      ks_kv dir "$d"
      ks_kv user "$user"
      ks_kv message "$d is in use by pid $user, so it was not deleted"
      exit 1
    fi
    msg=$(rm -rf -- "$d" 2>&1) || ks_fail remove_failed "could not delete $d: $(printf '%s' "$msg" | tail -n 2 | tr '\n' ' ')"
    ks_kv purged "$d"
  done
  # The cluster id only once the data formatted with it is gone: a run stopped above keeps both.
  if [ -n "$KS_UN_CLUSTER_ID_FILE" ] && [ -f "$KS_UN_CLUSTER_ID_FILE" ]; then
    rm -f -- "$KS_UN_CLUSTER_ID_FILE" || ks_fail remove_failed "could not delete $KS_UN_CLUSTER_ID_FILE"
    ks_kv removed "$KS_UN_CLUSTER_ID_FILE"
  fi
  # kafka-setup's own data directory, once nothing is left in it.
  [ -n "$KS_UN_DATA_PARENT" ] && [ -d "$KS_UN_DATA_PARENT" ] && rmdir "$KS_UN_DATA_PARENT" 2>/dev/null && ks_kv removed "$KS_UN_DATA_PARENT"
  return 0
}

# emits: uninstalled
ks_un_install() {
  d=$ks_install_dir
  if [ "$KS_UN_INSTALL" = 1 ] && { [ -e "$d" ] || [ -L "$d" ]; }; then
    case $d in
      / | "$HOME" | "${HOME%/*}") ks_kv kept "not_kafka $d" ;;
      *)
        if [ -L "$d" ]; then ks_kv kept "symlink $d"
        elif ! ks_is_kafka "$d"; then ks_kv kept "not_kafka $d"
        else
          msg=$(rm -rf -- "$d" 2>&1) || ks_fail remove_failed "could not remove $d: $(printf '%s' "$msg" | tail -n 2 | tr '\n' ' ')"
          ks_kv removed "$d"
        fi ;;
    esac
  fi
  if [ "$KS_UN_INSTALL" = 1 ] || [ "$KS_UN_TARBALL" = 1 ]; then
    t=$(ks_path "$KS_TARBALL")
    # The tarball, and what an interrupted download or extraction of init's left (their names are init's).
    for f in "$t" "$t.part" "$t.headers" "${d%/*}"/.kafka-setup-extract.*; do
      [ -e "$f" ] || continue
      rm -rf -- "$f" && ks_kv removed "$f"
    done
  fi
  return 0
}

# Atomic replacement of ~/.bashrc (its target) by $1, keeping its mode.
ks_un_replace() {
  chmod --reference="$ks_un_rc" "$1" 2>/dev/null
  mv -f "$1" "$ks_un_rc" || { rm -f "$1"; ks_fail write_failed "could not replace $ks_un_rc"; }
}

# emits: uninstalled
ks_un_bashrc() {
  [ -n "$KS_UN_BASHRC" ] || return 0
  new="$ks_un_rc.kafka-setup-tmp.$$"
  case $KS_UN_BASHRC in
    restore)
      # The backup itself goes back (byte for byte), with the file's current mode, by rename; the
      # backup goes only once the file is back (an interrupted run leaves a drop-backup for the next).
      cp -p "$ks_un_bak" "$new" || { rm -f "$new"; ks_fail write_failed "could not copy $ks_un_bak"; }
      ks_un_replace "$new"
      rm -f "$ks_un_bak" ;;
    drop-backup) rm -f "$ks_un_bak" ;;
    strip)
      printf '%s' "$KS_UN_BASHRC_B64" | base64 -d > "$new" || { rm -f "$new"; ks_fail write_failed "could not write $new"; }
      ks_un_replace "$new" ;;
    delete) rm -f "$ks_un_rc" || ks_fail write_failed "could not remove $ks_un_rc" ;;
  esac
  ks_kv bashrc "$KS_UN_BASHRC"
}

# ~/.bashrc is edited where a symlink points (as write-files.sh does); its backup sits beside the link.
ks_un_link=$(ks_path "$KS_BASHRC")
ks_un_bak="$ks_un_link.kafka-setup.bak"
ks_un_rc=$ks_un_link
[ -L "$ks_un_rc" ] && ks_un_rc=$(readlink -f "$ks_un_rc")

ks_un_check_bashrc
ks_un_check_units
ks_un_i=0
while [ "$ks_un_i" -lt "$KS_UN_PURGE" ]; do ks_un_check_purge "$ks_un_i"; ks_un_i=$((ks_un_i + 1)); done
ks_un_check_cluster_id

ks_section uninstalled
ks_un_stop
trap '' HUP INT TERM PIPE
ks_un_purge
ks_un_install
ks_un_bashrc
trap - HUP INT TERM PIPE
