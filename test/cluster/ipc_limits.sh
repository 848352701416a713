#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# IPC connection limits: an allowed user cannot open more than
# ipc_max_connections_per_uid connections, nobody more than
# ipc_max_connections in all; a refused client gets a clear error (not a
# hang, not a library failure) that names the limit, from aistool and from
# programs on the libraries (cpg_chat, clm_watch), root keeps its way in
# while the per-user limit holds, and closed connections free their places.
. "$(dirname "$0")/lib.sh"

command -v setpriv >/dev/null || { echo "SKIP: setpriv missing"; test_ok=1; exit 77; }
nobody_uid=$(id -u nobody 2>/dev/null) || { echo "SKIP: no user nobody"; test_ok=1; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (to run clients as nobody)"; test_ok=1; exit 77; }
WATCH="$AIS_BUILD_DIR/services/clm_watch"

d="$work/n1"
mkdir -p "$d"
chmod 755 "$work" "$d"
conf="$d/aisexec.conf"
one_node_conf "$conf" "$d" "" "ipc_allow_uid: $nobody_uid
	ipc_max_connections: 6
	ipc_max_connections_per_uid: 3" "to_stderr: off
	to_syslog: off
	to_logfile: on
	logfile: $d/aisexec.log"
export AIS_INSTANCE
AIS_INSTANCE=$(inst 1)
"$AISEXEC" -f -c "$conf" >"$d/aisexec.stderr" 2>&1 &
daemon=$!
holders=()
# the holders run behind libtool wrappers: end their children too
holders_stop() {
	local p
	[ "${#holders[@]}" -gt 0 ] || return 0
	for p in "${holders[@]}"; do
		pkill -KILL -P "$p" 2>/dev/null || true
		kill -KILL "$p" 2>/dev/null || true
	done
	wait "${holders[@]}" 2>/dev/null || true
	holders=()
}
trap 'rc=$?; holders_stop; kill -TERM $daemon 2>/dev/null; wait 2>/dev/null; (exit $rc); cleanup' EXIT
for _ in $(seq 100); do
	aistool_on 1 status >/dev/null 2>&1 && break
	sleep 0.1
done
aistool_on 1 status >/dev/null || fail "the daemon did not start"
as_nobody() { setpriv --reuid="$nobody_uid" --regid="$(id -g nobody)" --clear-groups "$@"; }

# hold ID [nobody]: a clm_watch holding one connection, output in $work/hold.ID
hold() {
	if [ "${2:-}" = nobody ]; then
		as_nobody "$WATCH" -n >"$work/hold.$1" 2>&1 &
	else
		"$WATCH" -n >"$work/hold.$1" 2>&1 &
	fi
	holders+=($!)
}
# conns N: wait until the daemon counts N connections over every service
conns() {
	local want=$1 t n
	for ((t = 0; t < 100; t++)); do
		n=$(aistool_on 1 services --json 2>/dev/null | grep -o '"connections": *[0-9]*' | grep -o '[0-9]*$' |
			awk '{ s += $1 } END { print s + 0 }')
		# aistool's own connection counts while it asks
		[ "$n" = $((want + 1)) ] && return 0
		sleep 0.1
	done
	fail "the daemon counts $n connections, expected $want (+1 for aistool)"
}

step "nobody holds 3 connections; the 4th is refused with a clear error"
for i in 1 2 3; do hold "n$i" nobody; done
conns 3
per_uid="aisexec refused the connection: too many connections for uid $nobody_uid (its limit per user, aisexec { ipc_max_connections_per_uid })"
rc=0
out=$(as_nobody "$AISTOOL" -i "$(inst 1)" status 2>&1) || rc=$?
[ "$rc" != 0 ] || fail "a 4th connection of nobody was accepted"
[ "$out" = "aistool: $per_uid (ais-$(inst 1)-cfg)" ] || fail "aistool as nobody, unclear refusal: $out"
# the libraries give programs the same reason (cpg_initialize_error_text(),
# saClmInitializeErrorText())
rc=0
out=$(as_nobody "$AIS_BUILD_DIR/services/cpg_chat" refused </dev/null 2>&1) || rc=$?
[ "$rc" != 0 ] || fail "cpg_chat as nobody was accepted"
[ "$out" = "error: initialize: $per_uid (ais-$(inst 1)-cpg)" ] || fail "cpg_chat as nobody, unclear refusal: $out"
rc=0
out=$(as_nobody "$WATCH" --once 2>&1) || rc=$?
[ "$rc" != 0 ] || fail "clm_watch as nobody was accepted"
[ "$out" = "clm_watch: saClmInitialize: $per_uid (ais-$(inst 1)-clm)" ] || fail "clm_watch as nobody, unclear refusal: $out"
grep -q "refused a cfg client with uid $nobody_uid: the user has 3 connections" "$d/aisexec.log" ||
	fail "the refusal is not logged"

step "root still gets in; the total limit (6) holds for everyone"
aistool_on 1 status >/dev/null || fail "root refused under nobody's limit"
hold r1
hold r2
conns 5
# the 6th prints the current membership once it is connected
"$WATCH" >"$work/hold.r3" 2>&1 &
holders+=($!)
for ((t = 0; t < 100; t++)); do
	[ -s "$work/hold.r3" ] && break
	sleep 0.1
done
[ -s "$work/hold.r3" ] || fail "the 6th connection (clm_watch) printed no membership"
grep -q 'saClmInitialize' "$work/hold.r3" && fail "the 6th connection was refused: $(cat "$work/hold.r3")"
total="aisexec refused the connection: too many connections in all (its limit, aisexec { ipc_max_connections })"
rc=0
out=$(aistool_on 1 status 2>&1) || rc=$?
[ "$rc" != 0 ] || fail "a 7th connection was accepted"
[ "$out" = "aistool: $total (ais-$(inst 1)-cfg)" ] || fail "aistool, unclear refusal: $out"
rc=0
out=$("$AIS_BUILD_DIR/services/cpg_chat" refused </dev/null 2>&1) || rc=$?
[ "$rc" != 0 ] || fail "a 7th connection (cpg_chat) was accepted"
[ "$out" = "error: initialize: $total (ais-$(inst 1)-cpg)" ] || fail "cpg_chat, unclear refusal: $out"
grep -q "refused a cfg client with uid 0: 6 connections open" "$d/aisexec.log" ||
	fail "the refusal over the total limit is not logged"

step "closed connections free their places"
holders_stop
conns 0
aistool_on 1 status >/dev/null || fail "still refused after the holders closed"
as_nobody "$AISTOOL" -i "$(inst 1)" status >/dev/null || fail "nobody still refused after its holders closed"

test_ok=1
echo "PASS: $test_name"
