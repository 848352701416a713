#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The daemon is valgrind-clean (check-long only: slow). Node 1's aisexec
# runs under valgrind memcheck (definite leaks count as errors), nodes 2
# and 3 natively. CPG traffic goes through node 1: a cpghist sender on
# every node, a listener on n1 killed with SIGKILL mid-stream, node 3
# killed and restarted with a new sender while the others go on. Then node
# 1 is stopped with SIGTERM and the test fails if valgrind reported any
# error or definite leak (or did not get to its leak check). histcheck
# checks the clients' logs as in the other CPG tests. Then the SA services
# through node 1: a CLM watcher, Event service subscribers (one killed
# while events flood towards it), retained events left in place at exit.
#
# ais-cluster starts the daemons through $AISEXEC: a wrapper in the test
# directory puts valgrind in front of node 1's daemon only. Exit status 77
# (skipped) when valgrind is not installed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpglib.sh"
. "$(dirname "$0")/evtlib.sh"
# cpglib's EXIT trap re-raises the status with (exit "$rc"), which errexit
# turns into the end of the trap before the cluster is stopped: run it with
# errexit off, keeping the status.
trap 'xt_rc=$?; set +e; for p in "${evt_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done; (exit "$xt_rc"); cpg_cleanup' EXIT
MSGS=${MSGS:-400}
RATE=${RATE:-40}
VALGRIND=${VALGRIND:-valgrind}

if ! command -v "$VALGRIND" >/dev/null; then
	echo "SKIP: $VALGRIND not found"
	test_ok=1
	exit 77
fi

step "node 1 under valgrind, nodes 2 and 3 native"
real_aisexec=$AISEXEC
vg_log="$work/n1/valgrind.%p.log"
{
	echo "#!/bin/sh"
	echo "# written by $test_name: node 1's daemon (aisexec -f -c .../n1/aisexec.conf) under valgrind"
	echo "case \" \$* \" in"
	echo "*' -f '*' $work/n1/aisexec.conf '*)"
	printf '\texec %q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \\\n' "$(command -v "$VALGRIND")"
	printf '\t\t--show-leak-kinds=definite --num-callers=30 --log-file=%q %q "$@" ;;\n' "$vg_log" "$real_aisexec"
	echo "esac"
	printf 'exec %q "$@"\n' "$real_aisexec"
} >"$work/aisexec-vg"
chmod +x "$work/aisexec-vg"
AISEXEC="$work/aisexec-vg"
export AISEXEC

cluster start 3 --timeout 180 --quiet || fail "the ring did not form"
ring1=$(expect_ring "1 2 3" 1 2 3)
vpid=$(daemon_pid 1)
grep -q 'valgrind\|memcheck' "/proc/$vpid/cmdline" 2>/dev/null || ls "$work"/n1/valgrind.*.log >/dev/null 2>&1 ||
	fail "n1's daemon (pid $vpid) is not running under valgrind"

step "a sender on every node ($MSGS messages at $RATE/s), a listener on n1"
for i in 1 2 3; do hist_start "$i" 1 -n "$MSGS" -r "$RATE" -s 20 -z 8192 -w 4; done
hist_start 1 2
hist_wait_members 1 2 4
hist_wait_sent 1 1 $((MSGS / 5))

step "SIGKILL the listener on n1; the others see it go"
{
	kill -KILL "$(hist_pid 1 2)"
	wait "$(hist_pid 1 2)" || true
} 2>/dev/null
rm -f "$work/hist.1.2.log" # a client killed by a signal: no history to check
memb_wait 2 1 "LEFT 1 $(hist_pid 1 2) procdown"

step "kill -9 n3 mid-stream, restart it with a new sender"
cluster kill 3 --quiet || fail "kill failed"
hist_reap 3 1 3
cluster wait --timeout 120 --quiet || fail "n1 and n2 did not re-form"
ring2=$(expect_ring "1 2" 1 2)
cluster restart 3 --timeout 120 --quiet || fail "n3 did not come back"
ring3=$(expect_ring "1 2 3" 1 2 3)
hist_start 3 2 -n $((MSGS / 4)) -r "$RATE" -z 8192
for i in 1 2; do hist_wait_done "$i" 1 300; done
hist_wait_done 3 2 300

step "stop the clients; histcheck"
hist_stop_all 1.1 2.1 3.2
check_histories

step "CLM and EVT through n1: watcher, subscribers, a killed subscriber, retained events"
CLM_WATCH="$AIS_BUILD_DIR/services/clm_watch"
AIS_INSTANCE="$(inst 1)" "$CLM_WATCH" --once >"$work/clm.once" 2>&1 || fail "clm_watch --once on n1 failed: $(cat "$work/clm.once")"
grep -q '^view .* members 3 ' "$work/clm.once" || fail "clm_watch on n1: $(cat "$work/clm.once")"
evt_sub_start 1 vgsub -c vg -n 200 -w 240000
evt_sub_start 1 vgdoomed -c vg -s 2 -H -w 240000
evt_pub 2 vgpub -c vg -n 200 -t vg -z 1024
{ kill -KILL "$evt_pid_vgdoomed"; wait "$evt_pid_vgdoomed"; } 2>/dev/null || true
evt_sub_wait vgsub 240
evt_expect vgsub "$(seqs vg 1 200)"
evt_pub 1 vgret -c vgret -n 5 -t keep -r 600000 -P keep
evt_late 3 vglate -c vgret
evt_expect vglate "$(seqs keep 1 5)"

step "SIGTERM n1 and wait for valgrind's report"
kill -TERM "$vpid"
for ((t = 0; t < 1200; t++)); do
	kill -0 "$vpid" 2>/dev/null || break
	sleep 0.1
done
! kill -0 "$vpid" 2>/dev/null || fail "n1 (pid $vpid) did not exit within 120 s of SIGTERM"
cluster stop --quiet || fail "stop reported an error"

shopt -s nullglob
logs=("$work"/n1/valgrind.*.log)
[ "${#logs[@]}" = 1 ] || fail "expected one valgrind log for n1, found ${#logs[@]}"
vlog=${logs[0]}
grep -q 'ERROR SUMMARY:' "$vlog" || fail "valgrind did not finish its report: $(tail -n 20 "$vlog")"
grep -Eq 'All heap blocks were freed|LEAK SUMMARY:' "$vlog" || fail "valgrind ran no leak check: $(tail -n 20 "$vlog")"
if ! grep -q 'ERROR SUMMARY: 0 errors' "$vlog"; then
	echo "=== $vlog" >&2
	grep -v '^==[0-9]*== *$' "$vlog" | tail -n 80 >&2
	fail "valgrind reported errors or definite leaks in n1's daemon"
fi
grep -E 'definitely lost|ERROR SUMMARY' "$vlog" | sed 's/^==[0-9]*== *//'
test_ok=1
echo "PASS: $test_name (rings $ring1 -> $ring2 -> $ring3)"
