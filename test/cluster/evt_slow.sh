#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A subscriber that stops dispatching while a publisher floods its
# channel: the daemon's memory stays bounded (the subscriber's queue in the
# engine has a fixed bound), the events beyond it are dropped, and when the
# subscriber reads again it gets what was queued plus exactly one
# SA_EVT_LOST_EVENT notice (event id 1, highest priority). A second,
# fast subscriber on the same node loses nothing. Then subscribers are
# killed (SIGKILL) while events flood towards them, several rounds: the
# daemon must drop them cleanly (the engine's disconnect of a client that
# is already gone once freed the connection twice; the sanitizer build and
# the daemon's survival catch it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/evtlib.sh"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
MSGS=${MSGS:-4000}
SIZE=${SIZE:-4096}
# The engine queue holds at most 1000 events (+ a window of 32) of SIZE
# bytes, about 4 MiB; without that bound the held subscriber's MSGS events
# would take some 16 MiB: the bound below sits between the two.
RSS_BOUND_KIB=${RSS_BOUND_KIB:-12288}

rss_of() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

step "start 2 nodes"
cluster start 2 --quiet || fail "the ring did not form"
expect_ring "1 2" 1 2 >/dev/null
dpid=$(daemon_pid 2)

step "a slow subscriber (holding) and a fast one on n2"
evt_sub_start 2 slow -c flood -s 1 -H -q 3000 -w 120000
evt_sub_start 2 fast -c flood -s 2 -n "$MSGS" -w 120000
rss0=$(rss_of "$dpid")

step "n1 publishes $MSGS events of $SIZE bytes"
evt_pub 1 flood -c flood -n "$MSGS" -t f -z "$SIZE"
evt_sub_wait fast 120
evt_expect fast "$(seqs f 1 "$MSGS")"
rss1=$(rss_of "$dpid")
[ $((rss1 - rss0)) -lt "$RSS_BOUND_KIB" ] ||
	evt_fail "n2's RSS grew by $((rss1 - rss0)) KiB (bound $RSS_BOUND_KIB) while the subscriber held"

step "the slow subscriber reads: queued events and one lost-event notice"
kill -USR1 "$evt_pid_slow"
evt_sub_wait slow 120
lost=$(awk '$1 == "E" && $3 == 1' "$work/evt.slow.out" | wc -l)
[ "$lost" = 1 ] || evt_fail "the slow subscriber got $lost lost-event notices, expected 1"
awk '$1 == "E" && $3 == 1 { exit !($4 == 0 && $7 ~ /SA_EVT_LOST_EVENT_PATTERN/) }' "$work/evt.slow.out" ||
	evt_fail "lost-event notice has the wrong priority or pattern: $(awk '$1 == "E" && $3 == 1' "$work/evt.slow.out")"
got=$(awk '$1 == "E" && $3 != 1' "$work/evt.slow.out" | wc -l)
[ "$got" -ge 500 ] && [ "$got" -lt "$MSGS" ] || evt_fail "the slow subscriber got $got events (expected between 500 and $MSGS)"
awk '$1 == "E" && $3 != 1' "$work/evt.slow.out" >"$work/evt.slowdata.out"
evt_check_order slowdata

step "subscribers killed while events flood towards them"
for round in 1 2 3 4 5; do
	for k in 1 2 3; do evt_sub_start 2 "doomed$round$k" -c doomed -s "$k" -H -w 120000; done
	evt_pub 1 "doomedpub$round" -c doomed -n 300 -t "d$round" -z 2048 &
	dpub=$!
	sleep 0.2
	for k in 1 2 3; do
		eval "p=\$evt_pid_doomed$round$k"
		{ kill -KILL "$p"; wait "$p"; } 2>/dev/null || true
	done
	wait "$dpub" || evt_fail "the publisher failed in round $round"
done
kill -0 "$dpid" 2>/dev/null || evt_fail "n2's daemon died"
evt_pub 1 alive -c alive -n 1 -t alive -r 60000
evt_late 2 alivecheck -c alive
evt_expect alivecheck "alive:1"

cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name ($got of $MSGS delivered to the slow subscriber, RSS +$((rss1 - rss0)) KiB)"
