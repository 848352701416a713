#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A clean shutdown with CPG clients connected logs no errors: on a 2-node
# ring, cpghist clients on n1 join one group (some sending when the stop
# comes, one with a message of its own still going through), then n1 is
# stopped with `aistool shutdown` and, after a restart, with SIGTERM. Each
# time the daemon exits 0, its clients see the connection end (exit 3, no
# crash report of their own), and n1's log has no error or warning line from
# the shutdown; n2 logs n1's departure as a normal leave.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpglib.sh"

# The log lines of node $1 at warning level or worse written since line $2.
bad_lines() {
	tail -n +"$(($2 + 1))" "$work/n$1/aisexec.log" | grep -E '\] +(emerg|alert|crit|error|warning) ' || true
}

step "start 2 nodes"
cluster start 2 --quiet || fail "the ring did not form"
expect_ring "1 2" 1 2 >/dev/null

round=0
for how in aistool SIGTERM; do
	round=$((round + 1))
	step "round $round: 3 cpghist clients on n1 (2 sending), 1 on n2"
	hist_start 1 "${round}1" -n 1000000 -r 200 -w 3
	hist_start 1 "${round}2" -n 1000000 -r 200 -w 3
	hist_start 1 "${round}3" -n 0 -w 3
	hist_start 2 "$round" -n 0 -w 3
	for x in "${round}1" "${round}2" "${round}3"; do hist_wait_members 1 "$x" 4; done
	hist_wait_members 2 "$round" 4
	hist_wait_delivered 1 "${round}3" 50
	lines1=$(wc -l <"$work/n1/aisexec.log")
	pid1=$(daemon_pid 1)

	step "round $round: stop n1 with $how while its clients send"
	if [ "$how" = aistool ]; then
		aistool_on 1 shutdown >/dev/null || fail "aistool shutdown refused"
	else
		kill -TERM "$pid1"
	fi
	for x in "${round}1" "${round}2" "${round}3"; do hist_reap 1 "$x" 3; done
	for ((t = 0; t < 300; t++)); do kill -0 "$pid1" 2>/dev/null || break; sleep 0.1; done
	! kill -0 "$pid1" 2>/dev/null || fail "n1 (pid $pid1) did not exit after $how"
	wait_members 2 "2"
	bad=$(bad_lines 1 "$lines1")
	[ -z "$bad" ] || fail "n1 logged errors or warnings while shutting down ($how):
$bad"
	memb_wait 2 "$round" "^LEFT 1 "
	hist_stop 2 "$round"
	step "round $round: restart n1"
	cluster restart 1 --quiet || fail "n1 did not restart"
	cluster wait --timeout 60 --quiet || fail "n1 did not rejoin"
done
cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name"
