# kafka-setup: move Kafka's and ZooKeeper's existing data to where kafka-setup keeps it, together and
# with both JVMs stopped (the cluster id in the broker's meta.properties and in ZooKeeper must keep
# matching), then write the config files that point there, then remove what is left at the old place.
# Nothing half-done survives: a rename is atomic; a copy to another file system goes to a temporary
# name first; a failed config write undoes the move. Signals are ignored from the first move to the
# last config write, so a Ctrl-C or a dropped connection cannot stop it half way.
# Inputs: KS_STOP_BROKER, KS_STOP_ZOOKEEPER (pids of our JVMs, or empty; KS_BROKER_MAIN and
# KS_ZOOKEEPER_MAIN, their main classes, checked before they are stopped), KS_MOVES (how many),
# KS_M<i>_FROM, KS_M<i>_TO, KS_M<i>_SAME (yes: same file system, a rename); KS_DATA_TIGHTEN:
# kafka-setup's data directory, when its mode lets other local users in (else empty).


# A process with a file open under $1, or working in it: "pid command".
ks_dir_user() {
  for p in /proc/[0-9]*; do
    case $(readlink "$p/cwd" 2>/dev/null) in "$1" | "$1"/*) ;; *)
      ls -l "$p/fd" 2>/dev/null | grep -qF -- " -> $1/" || continue ;;
    esac
    pid=${p#/proc/}
    printf '%s %s\n' "$pid" "$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null | tr -cd '[:print:]' | cut -c 1-100)"
    return 0
  done
  return 1
}

ks_data_stop() {
  [ -n "$KS_STOP_BROKER" ] && ks_stop_jvm "$KS_STOP_BROKER" "$KS_BROKER_MAIN"
  [ -n "$KS_STOP_ZOOKEEPER" ] && ks_stop_jvm "$KS_STOP_ZOOKEEPER" "$KS_ZOOKEEPER_MAIN"
  n=0
  while [ "$n" -lt "$KS_MOVES" ]; do
    from=$(ks_var "KS_M${n}_FROM")
    if user=$(ks_dir_user "$from"); then
      ks_section error
      ks_kv kind data_in_use
      ks_kv dir "$from"
      ks_kv user "$user"
      ks_kv message "$from is in use by pid $user"
      exit 1
    fi
    n=$((n + 1))
  done
}

ks_data_move() {
  trap '' HUP INT TERM PIPE
  ks_moved=0
  while [ "$ks_moved" -lt "$KS_MOVES" ]; do
    from=$(ks_var "KS_M${ks_moved}_FROM") to=$(ks_var "KS_M${ks_moved}_TO") same=$(ks_var "KS_M${ks_moved}_SAME")
    # A leftover of a copy that was cut short (a power loss): never complete, never used.
    rm -rf "$to.kafka-setup-part"
    # Made as the JVMs make theirs (umask 027): not readable by other local users.
    (umask 027 && mkdir -p "${to%/*}") && { [ ! -d "$to" ] || rmdir "$to"; } || { ks_data_undo_moves; ks_fail move_failed "cannot make room for $to (it must be absent or empty)"; }
    if [ "$same" = yes ]; then
      msg=$(mv "$from" "$to" 2>&1) || { ks_data_undo_moves; ks_fail move_failed "cannot move $from to $to: $msg"; }
    else
      msg=$(cp -a "$from" "$to.kafka-setup-part" 2>&1 && mv "$to.kafka-setup-part" "$to" 2>&1) || {
        rm -rf "$to.kafka-setup-part"
        ks_data_undo_moves
        ks_fail move_failed "cannot copy $from to $to: $(printf '%s' "$msg" | tail -n 2 | tr '\n' ' ')"
      }
    fi
    ks_moved=$((ks_moved + 1))
  done
}

# Puts back what ks_data_move did (the first $ks_moved moves), newest first.
ks_data_undo_moves() {
  while [ "$ks_moved" -gt 0 ]; do
    ks_moved=$((ks_moved - 1))
    from=$(ks_var "KS_M${ks_moved}_FROM") to=$(ks_var "KS_M${ks_moved}_TO") same=$(ks_var "KS_M${ks_moved}_SAME")
    if [ "$same" = yes ]; then mv "$to" "$from"; else rm -rf "$to"; fi
  done
}

# The config files were written: the old copies of data copied across file systems can go.
ks_data_done() {
  n=0
  while [ "$n" -lt "$KS_MOVES" ]; do
    [ "$(ks_var "KS_M${n}_SAME")" = yes ] || rm -rf "$(ks_var "KS_M${n}_FROM")"
    n=$((n + 1))
  done
  trap - HUP INT TERM PIPE
  ks_section moved
  ks_kv count "$KS_MOVES"
}

# kafka-setup's data directory (KS_DATA_TIGHTEN) made readable by this user and its group only: group
# write and every right of others go (0755 becomes 0750; a stricter mode stays as it is), which hides
# everything beneath from other local users. Checked again first: still a directory of this user's,
# not a symbolic link; nothing to do when it is already so.
ks_data_tighten() {
  d=${KS_DATA_TIGHTEN:-}
  [ -n "$d" ] && [ -d "$d" ] && [ ! -L "$d" ] && [ -O "$d" ] || return 0
  msg=$(chmod g-w,o-rwx "$d" 2>&1) || ks_fail chmod_failed "cannot change the mode of $d: $msg"
}
