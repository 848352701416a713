#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Allocation and send failures inside one daemon: n3 runs exec/aisexec-inject
# (the daemon built with failure injection) with AIS_INJECT making a share of
# its allocations fail and every tenth UDP send fail, once it is up, while a
# cpghist sender runs on every node. n3 must survive or exit cleanly with an
# error in its log (never a crash: no signal, no crash blackbox, no
# sanitizer report); n1 and n2 must keep a clean history (histcheck) and
# deliver every message of theirs. n3 must have logged that injection was
# active and, when it stops, how many calls were made to fail (so a no-op
# injector fails this test). A second round restarts n3 with failing client
# sends (a response that cannot be sent disconnects its client), receives
# and file writes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpglib.sh"
MSGS=${MSGS:-400}
SEED=${SEED:-$((RANDOM + 1))}
PROB=${PROB:-0.02}
INJECT_SPEC="alloc:prob=$PROB,seed=$SEED,ready;sendmsg:every=10,ready"
INJECT_SPEC2="ipc_send:every=5,ready;recvmsg:every=7,ready;write:every=3,ready"
AISEXEC_INJECT="$AIS_BUILD_DIR/exec/aisexec-inject"
[ -x "$AISEXEC_INJECT" ] || { echo "ERROR: $AISEXEC_INJECT is not built" >&2; exit 99; }

step "start 3 nodes"
cluster start 3 --token 1000 --quiet || fail "the ring did not form"
expect_ring "1 2 3" 1 2 3 >/dev/null

# n3 is running, or it stopped cleanly (sets n3_alive); never a crash.
n3_check() {
	# by its pid: a client connection to n3 may itself be refused
	n3_alive=0
	if kill -0 "$(cat "$work/n3/ais-cluster.pid" 2>/dev/null)" 2>/dev/null; then n3_alive=1; fi
	[ ! -e "$work/n3/blackbox-crash.fdata" ] || fail "n3 crashed (blackbox-crash.fdata written)"
	if grep -E -q "crash|Segmentation|Aborted|assertion" "$work/n3/aisexec.stderr" 2>/dev/null; then
		fail "n3 crashed: $(tail -n 5 "$work/n3/aisexec.stderr")"
	fi
	if [ "$n3_alive" = 0 ]; then
		# a clean exit went through the shutdown: its log ends with it,
		# after the error that caused it
		tail -n 1 "$work/n3/aisexec.log" | grep -q "aisexec stopped" ||
			fail "n3 died without a clean shutdown: $(tail -n 3 "$work/n3/aisexec.log")"
		echo "note: n3 exited: $( (grep -E ' crit ' "$work/n3/aisexec.log" ||
			grep -E ' error ' "$work/n3/aisexec.log") | tail -n 1)"
	fi
}

# restart n3 as aisexec-inject with AIS_INJECT=$1; it may leave again at
# once (cleanly) when a failure hits its first sync
n3_restart() {
	step "restart n3 with AIS_INJECT=\"$1\""
	if ! AISEXEC="$AISEXEC_INJECT" AIS_INJECT="$1" cluster restart 3 --timeout 30 --quiet 2>"$work/restart.err"; then
		n3_check
		[ "$n3_alive" = 0 ] || fail "n3 did not come back with injection: $(cat "$work/restart.err")"
		cluster wait --timeout 30 --quiet || fail "n1 and n2 did not re-form without n3"
	fi
	grep -q "fault injection active: AIS_INJECT=$1" "$work/n3/aisexec.log" ||
		fail "n3 did not log that fault injection is active"
}

# round INC: a sender on every node (client incarnation INC); n1 and n2 must
# deliver each other's messages, n3 must be alive or have shut down cleanly
# (sets n3_alive); histcheck over n1 and n2.
round() {
	local inc=$1 i j n t
	step "round $inc: a sender on every node ($MSGS messages each)"
	# n1 and n2 start sending once both are in the group (n3's client
	# joins after them: it must not stand in for one of them)
	for i in 1 2; do hist_start "$i" "$inc" -n "$MSGS" -r 200 -s 20 -z 4096 -w 2; done
	for i in 1 2; do hist_wait_members "$i" "$inc" 2; done
	hist_start 3 "$inc" -n "$MSGS" -r 200 -s 20 -z 4096 -w 1
	for i in 1 2; do hist_wait_done "$i" "$inc" 120; done
	# n3's client may be refused memory or lose its daemon: give it the
	# time the others took, no more
	for ((t = 0; t < 100; t++)); do
		[ -s "$work/done.3.$inc" ] || ! kill -0 "$(hist_pid 3 "$inc")" 2>/dev/null && break
		sleep 0.1
	done

	step "round $inc: n1 and n2 deliver each other's messages"
	# whatever n3 did, n1 and n2 never failed: every message of theirs
	# reaches both
	for i in 1 2; do
		for j in 1 2; do
			for ((t = 0; t < 600; t++)); do
				n=$(grep -c "^@[0-9]* D [0-9]* $j:$inc:" "$work/hist.$i.$inc.log" || true)
				[ "${n:-0}" -ge "$MSGS" ] && break
				sleep 0.1
			done
			[ "${n:-0}" -ge "$MSGS" ] || cpg_fail "n$i delivered only ${n:-0} of n$j's $MSGS messages"
		done
	done

	step "round $inc: n3 survived or exited cleanly"
	n3_check

	step "round $inc: stop the clients; histcheck over n1 and n2"
	kill -KILL "$(hist_pid 3 "$inc")" 2>/dev/null || true
	hist_stop_all "1.$inc" "2.$inc"
	mkdir -p "$work/n3-clients"
	mv "$work"/hist.3.*.log "$work/n3-clients/" 2>/dev/null || true
	check_histories
}

# n3's count of failures at point $1 (from the stop lines in its log) > 0
injected() {
	grep -E -q "fault injection: $1 failed [1-9][0-9]* of" "$work/n3/aisexec.log" ||
		fail "n3 made no $1 call fail: $(grep 'fault injection' "$work/n3/aisexec.log")"
}

n3_restart "$INJECT_SPEC"
round 1
r1_alive=$n3_alive
n3_restart "$INJECT_SPEC2"
[ "$r1_alive" = 0 ] || { injected alloc; injected sendmsg; }
round 2

step "stop; n3 counted its injected failures"
cluster stop --quiet || fail "stop reported an error"
if [ "$n3_alive" = 1 ]; then
	injected ipc_send
	injected recvmsg
fi
grep "fault injection:" "$work/n3/aisexec.log" | sed 's/^.*fault injection:/note: n3:/'
test_ok=1
echo "PASS: $test_name (seed $SEED; n3 $([ "$r1_alive" = 1 ] && echo survived || echo exited cleanly)" \
	"round 1, $([ "$n3_alive" = 1 ] && echo survived || echo exited cleanly) round 2)"
