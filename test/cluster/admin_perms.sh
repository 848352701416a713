#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A user the configuration does not allow is refused with the reason
# ("access denied by aisexec: uid N ... is not allowed", from aistool and
# from a program on libaiscpg). A non-root user the configuration allows
# (ipc_allow_uid) may read state but not change the daemon or fill its disk: `aistool dump` prints the
# state without writing a blackbox file, shutdown and fault requests are
# refused; root's dumps rotate (the run directory keeps the last 5).
. "$(dirname "$0")/lib.sh"

command -v setpriv >/dev/null || { echo "SKIP: setpriv missing"; test_ok=1; exit 77; }
nobody_uid=$(id -u nobody 2>/dev/null) || { echo "SKIP: no user nobody"; test_ok=1; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (to run a client as nobody)"; test_ok=1; exit 77; }

d="$work/n1"
mkdir -p "$d"
chmod 755 "$work" "$d"
conf="$d/aisexec.conf"
one_node_conf "$conf" "$d" "fault_injection: on" "ipc_allow_uid: $nobody_uid" "to_stderr: off
	to_syslog: off
	to_logfile: on
	logfile: $d/aisexec.log"
"$AISEXEC" -f -c "$conf" >"$d/aisexec.stderr" 2>&1 &
daemon=$!
# stop the daemon, then lib.sh's cleanup (sanitizer reports, logs) with the test's status
trap 'rc=$?; kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; (exit $rc); cleanup' EXIT
for _ in $(seq 100); do
	aistool_on 1 status >/dev/null 2>&1 && break
	sleep 0.1
done
aistool_on 1 status >/dev/null || fail "the daemon did not start"
as_nobody() { setpriv --reuid="$nobody_uid" --regid="$(id -g nobody)" --clear-groups "$AISTOOL" -i "$(inst 1)" "$@"; }
dumps() { find "$d" -maxdepth 1 -name 'blackbox-[0-9]*.fdata' | wc -l; }

step "a user the configuration does not allow is refused, and told why"
stranger=4242
denied="access denied by aisexec: uid $stranger (gid $stranger) is not allowed (aisexec { ipc_allow_uid, ipc_allow_gid })"
as_stranger() { setpriv --reuid=$stranger --regid=$stranger --clear-groups "$@"; }
rc=0
out=$(as_stranger "$AISTOOL" -i "$(inst 1)" status 2>&1) || rc=$?
[ "$rc" != 0 ] || fail "uid $stranger was let in"
[ "$out" = "aistool: $denied (ais-$(inst 1)-cfg)" ] || fail "aistool as uid $stranger, unclear refusal: $out"
rc=0
out=$(AIS_INSTANCE="$(inst 1)" as_stranger "$AIS_BUILD_DIR/services/cpg_chat" denied </dev/null 2>&1) || rc=$?
[ "$rc" != 0 ] || fail "cpg_chat as uid $stranger was let in"
[ "$out" = "error: initialize: $denied (ais-$(inst 1)-cpg)" ] || fail "cpg_chat as uid $stranger, unclear refusal: $out"
grep -q "refused a cfg client with uid $stranger gid $stranger (not allowed)" "$d/aisexec.log" ||
	fail "the refusal is not logged"

step "nobody may read"
as_nobody status >/dev/null || fail "nobody cannot read status"

step "nobody's dump prints state but writes no file"
before=$(dumps)
out=$(as_nobody dump 2>&1) || true
grep -q "blackbox not written: only root or the daemon's user may write one" <<<"$out" || fail "dump as nobody: $out"
[ "$(dumps)" = "$before" ] || fail "a dump by nobody wrote a file"

step "nobody may not shut down or inject faults"
if as_nobody shutdown >/dev/null 2>&1; then fail "nobody shut the daemon down"; fi
if as_nobody fault drop 10 >/dev/null 2>&1; then fail "nobody injected a fault"; fi
aistool_on 1 status >/dev/null || fail "the daemon is gone"
grep -q "refused shutdown from pid [0-9]* uid $nobody_uid" "$d/aisexec.log" || fail "refusal not logged"

step "root's dumps rotate: the last 5 stay"
for _ in $(seq 8); do
	aistool_on 1 dump >/dev/null || fail "dump as root failed"
	sleep 0.01
done
[ "$(dumps)" = 5 ] || fail "$(dumps) blackbox files kept, not 5"

test_ok=1
echo "PASS: $test_name"
