#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Retained events across the cluster: a subscriber that comes later, on any
# node, gets the matching retained events; they survive the death of their
# publisher's node; they expire on time everywhere; a clear removes them
# everywhere; a node that restarts receives them through sync; event ids
# are never reused after a restart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/evtlib.sh"

step "start 3 nodes"
cluster start 3 --token 1000 --quiet || fail "the ring did not form"
expect_ring "1 2 3" 1 2 3 >/dev/null

step "n1 publishes: 5 kept for 10 min, 3 kept for 3 s, 2 not retained"
evt_pub 1 keep -c ret -n 5 -t keep -r 600000 -P keep
evt_pub 1 short -c ret -n 3 -t short -r 3000 -P short
evt_pub 1 none -c ret -n 2 -t none -P none
evt_late 2 late1 -c ret -f prefix:keep &
l1=$!
evt_late 3 late1b -c ret -f exact:none
wait "$l1" || evt_fail "late subscriber late1 failed"
evt_expect late1 "$(seqs keep 1 5)"
evt_expect late1b ""

step "after 3 s the short ones are gone on every node"
sleep 4
evt_late_on "1 2 3" exp -c ret
for i in 1 2 3; do evt_expect "exp$i" "$(seqs keep 1 5)"; done

step "kill -9 n1 (the publisher's node): the retained events stay"
cluster kill 1 --quiet || fail "kill failed"
cluster wait --timeout 60 --quiet || fail "the survivors did not re-form"
expect_ring "2 3" 2 3 >/dev/null
evt_late 3 afterkill -c ret
evt_expect afterkill "$(seqs keep 1 5)"

step "clear keep:1 on n2: gone everywhere"
id1=$(evt_ids keep | head -n 1)
evtctl_on 2 clear -c ret "$id1" 2>"$work/evt.clear.err" || evt_fail "clear failed: $(cat "$work/evt.clear.err")"
evtctl_on 3 clear -c ret "$id1" 2>"$work/evt.clear2.err" && evt_fail "a second clear of $id1 succeeded"
grep -q 'error 12' "$work/evt.clear2.err" || evt_fail "second clear: $(cat "$work/evt.clear2.err") (want NOT_EXIST 12)"
evt_late_on "2 3" clr -c ret
for i in 2 3; do evt_expect "clr$i" "$(seqs keep 2 5)"; done

step "restart n1: it receives the retained events through sync"
cluster restart 1 --quiet || fail "restart failed"
cluster wait --timeout 60 --quiet || fail "the ring did not re-form"
expect_ring "1 2 3" 1 2 3 >/dev/null
evt_late 1 restarted -c ret
evt_expect restarted "$(seqs keep 2 5)"

step "ids published after the restart are new"
evt_pub 1 again -c ret -n 5 -t again -r 600000 -P again
old=$( (evt_ids keep; evt_ids short; evt_ids none) | sort)
new=$(evt_ids again | sort)
dup=$(comm -12 <(echo "$old") <(echo "$new"))
[ -z "$dup" ] || evt_fail "event ids reused after the restart: $dup"
all=$(printf '%s\n%s\n' "$old" "$new" | sort | uniq -d)
[ -z "$all" ] || evt_fail "duplicate event ids: $all"
evt_late_on "1 2 3" fin -c ret
for i in 1 2 3; do evt_expect "fin$i" "$(seqs keep 2 5) $(seqs again 1 5)"; done

cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name"
