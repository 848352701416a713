#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A slow consumer: a CPG member that stops reading while the group is
# flooded. The policy (services/cpg_group.c, exec/ipc.h): the daemon puts a
# client's events into its libqb event ring (about 1.1 MiB), then into a
# per-connection queue bounded in bytes (each event counts its length plus
# 64): past IPC_OUTQ_HIGH_BYTES (4 MiB) a client that has taken nothing for
# IPC_OUTQ_STALL_MS (5 s) is refused, and nobody gets past
# IPC_OUTQ_MAX_BYTES (16 MiB); when an event is refused,
# event_send returns -ENOBUFS and the cpg engine disconnects the client
# (logged "client pid P does not read its events: disconnecting it",
# counted as a slow consumer in `aistool dump`) rather than queue without
# bound or let it silently miss messages. Observed: the other members see
# it leave with CPG_REASON_PROCDOWN; its next call fails with
# CS_ERR_LIBRARY and its selection object shows a hangup (POLLHUP); the
# daemon's VmRSS rises by about the queue bound while the client is stuck
# and stays flat afterwards.
#
# Here cpgslow joins on n1 and never dispatches; a cpghist listener on n1
# and n3 and a flooder on n2 (MSGS messages up to 64 KiB, as fast as the
# ring takes them). Checked: n1's VmRSS, sampled during the flood, stops
# growing once the slow client is gone (the growth from a warm-up point to
# the end stays under RSS_BOUND_KIB while at least four times that is
# delivered through n1 meanwhile) and never rises more than the queue bound
# plus RSS_BOUND_KIB above its size before the flood; the slow client is
# disconnected as above; the listeners and the flooder see it leave with
# procdown; every fast client delivers every message (histcheck).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpglib.sh"
# cpglib's EXIT trap re-raises the status with (exit "$rc"), which errexit
# turns into the end of the trap before the cluster is stopped: run it with
# errexit off, keeping the status.
trap 'xt_rc=$?; set +e; (exit "$xt_rc"); cpg_cleanup' EXIT
MSGS=${MSGS:-20000}
# AddressSanitizer keeps freed memory in quarantine, which the RSS bound below
# would count: keep the quarantine small in sanitizer builds.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
WARM=${WARM:-2000}
RSS_BOUND_KIB=${RSS_BOUND_KIB:-8192}

CPGSLOW="$AIS_BUILD_DIR/test/cluster/cpgslow"
if [ ! -x "$CPGSLOW" ]; then
	echo "ERROR: $CPGSLOW is not built (make -C test/cluster check builds it)" >&2
	exit 99
fi

rss_of() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

step "start 3 nodes"
cluster start 3 --quiet || fail "the ring did not form"
ring=$(expect_ring "1 2 3" 1 2 3)
dpid=$(daemon_pid 1)

step "cpgslow joins on n1 and stops reading"
AIS_INSTANCE="$(inst 1)" "$CPGSLOW" -r "$work/slow.ready" >"$work/slow.out" 2>"$work/slow.err" &
slow_pid=$!
cpg_pids+=("$slow_pid")
for ((t = 0; t < 600; t++)); do
	[ -s "$work/slow.ready" ] && break
	kill -0 "$slow_pid" 2>/dev/null || cpg_fail "cpgslow exited: $(cat "$work/slow.err")"
	sleep 0.1
done
[ "$(cat "$work/slow.ready" 2>/dev/null)" = "joined 1 $slow_pid" ] || cpg_fail "cpgslow did not join within 60s"

step "listeners on n1 and n3, a flooder on n2 ($MSGS messages)"
hist_start 1 1
hist_start 3 1
hist_wait_members 1 1 3
hist_wait_members 3 1 3
rss0=$(rss_of "$dpid")
# sample n1's VmRSS (KiB) while the flood runs; "mark" lines are appended
# by this script at the warm-up point
(while kill -0 "$dpid" 2>/dev/null; do rss_of "$dpid" || true; sleep 0.05; done) >>"$work/rss.log" 2>/dev/null &
cpg_pids+=("$!")
hist_start 2 1 -n "$MSGS" -r 1000000 -z 65536 -w 4

step "the slow client is disconnected; the others see it leave"
memb_wait 1 1 "LEFT 1 $slow_pid procdown" 120
memb_wait 3 1 "LEFT 1 $slow_pid procdown" 60
memb_wait 2 1 "LEFT 1 $slow_pid procdown" 60
grep -q "client pid $slow_pid does not read its events: disconnecting it" "$work/n1/aisexec.log" ||
	cpg_fail "n1 did not log the slow-consumer disconnect of pid $slow_pid"
rss_disc=$(rss_of "$dpid")
d_disc=$(hist_delivered 1 1)
[ "$d_disc" -lt $((MSGS - 2 * WARM)) ] || cpg_fail "the flood was nearly over ($d_disc of $MSGS) before the slow client went; raise MSGS"

step "VmRSS of n1 from a warm-up point to the end of the flood"
hist_wait_delivered 1 1 $((d_disc + WARM)) 120
d_warm=$(hist_delivered 1 1)
rss_warm=$(rss_of "$dpid")
echo mark >>"$work/rss.log"
hist_wait_done 2 1 120
hist_wait_delivered 1 1 "$MSGS" 120
rss_final=$(rss_of "$dpid")
rss_max=$(awk '$1 == "mark" { on = 1; next } on && $1 > m { m = $1 } END { print m + 0 }' "$work/rss.log")
[ "$rss_max" -ge "$rss_final" ] || rss_max=$rss_final
# bytes delivered through n1 after the warm-up point (field 6 of a D line)
after_kib=$(awk -v skip="$d_warm" '$2 == "D" { if (++n > skip) b += $6 } END { printf "%d", b / 1024 }' "$work/hist.1.1.log")
rss_peak=$(awk '$1 != "mark" && $1 > m { m = $1 } END { print m + 0 }' "$work/rss.log")
echo "n1 VmRSS KiB: joined $rss0, peak $rss_peak, slow client gone $rss_disc, warm $rss_warm, max after warm $rss_max, final $rss_final;" \
	"$((MSGS - d_warm)) messages ($after_kib KiB) delivered after warm-up"
[ "$after_kib" -ge $((4 * RSS_BOUND_KIB)) ] ||
	cpg_fail "only $after_kib KiB went through n1 after warm-up: the RSS check could not fail; raise MSGS"
[ $((rss_max - rss_warm)) -lt "$RSS_BOUND_KIB" ] ||
	cpg_fail "n1's VmRSS grew by $((rss_max - rss_warm)) KiB after warm-up (bound $RSS_BOUND_KIB KiB)"
# over the whole flood: at most the slow client's bounded queue (16 MiB) more
[ $((rss_peak - rss0)) -lt $((16384 + RSS_BOUND_KIB)) ] ||
	cpg_fail "n1's VmRSS peaked $((rss_peak - rss0)) KiB above its size before the flood"

step "the slow client's next call fails"
kill -USR1 "$slow_pid"
rc=0
wait "$slow_pid" || rc=$?
cat "$work/slow.out"
[ "$rc" = 0 ] || cpg_fail "cpgslow exited $rc: its connection still works ($(tr '\n' ' ' <"$work/slow.out"))"
grep -Eq '^mcast (2|9)$' "$work/slow.out" || cpg_fail "cpgslow's mcast did not fail with CS_ERR_LIBRARY/BAD_HANDLE"
aistool_on 1 dump | grep -q ', 1 slow consumers' || cpg_fail "n1's dump does not count one slow consumer"

step "stop the fast clients; every one delivered every message"
hist_stop_all 1.1 2.1 3.1
for i in 1 2 3; do expect_delivered "$i" 1 "$MSGS"; done
check_histories
cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name (ring $ring)"
