#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Event delivery across 3 nodes: subscribers with different filters on
# every node, publishers on every node at once. Every subscriber must get
# exactly the events its filters match (prefix, suffix, exact, pass-all,
# several filters, missing patterns treated as empty), each once, each
# publisher's events in publish order. Then priority: a subscriber that is
# not dispatching while low-priority events pile up gets later
# high-priority events before the low ones still queued.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/evtlib.sh"
N=${N:-40}

step "start 3 nodes"
cluster start 3 --quiet || fail "the ring did not form"
expect_ring "1 2 3" 1 2 3 >/dev/null

step "subscribers with different filters on every node"
evt_sub_start 2 pfx -c flt -s 1 -f prefix:a. -n $((N * 3)) -w 60000
evt_sub_start 3 exact -c flt -s 2 -f exact:b.x -n $((N * 3)) -w 60000
evt_sub_start 3 all -c flt -s 3 -n $((N * 9)) -w 60000
evt_sub_start 1 two -c flt -s 4 -f suffix:.x -f prefix:z -n $((N * 3)) -w 60000
evt_sub_start 1 passall -c flt -s 5 -f all -f all -n $((N * 9)) -w 60000

step "publishers on every node at once"
# A: pattern a.1 (prefix a.); B: b.x zz (exact b.x; suffix .x + prefix z);
# C: c.x only (suffix .x, but the missing second pattern is empty: no z)
pubs=()
for i in 1 2 3; do
	evt_pub "$i" "a$i" -c flt -n "$N" -t "a$i" -P a.1 -R 200 &
	pubs+=($!)
	evt_pub "$i" "b$i" -c flt -n "$N" -t "b$i" -P b.x -P zz -R 200 &
	pubs+=($!)
done
for p in "${pubs[@]}"; do wait "$p" || evt_fail "a publisher failed"; done
for i in 1 2 3; do evt_pub "$i" "c$i" -c flt -n "$N" -t "c$i" -P c.x; done

step "every subscriber got exactly its events, in order"
for s in pfx exact all two passall; do evt_sub_wait "$s" 60; evt_check_order "$s"; done
want_a="" want_b=""
for i in 1 2 3; do want_a+="$(seqs "a$i" 1 "$N") "; want_b+="$(seqs "b$i" 1 "$N") "; done
evt_expect pfx "$want_a"
evt_expect exact "$want_b"
# suffix .x on pattern 0 and prefix z on pattern 1: b (b.x, zz) matches;
# c (c.x and a missing second pattern, which counts as empty) does not
evt_expect two "$want_b"
want_all=""
for i in 1 2 3; do want_all+="$(seqs "a$i" 1 "$N") $(seqs "b$i" 1 "$N") $(seqs "c$i" 1 "$N") "; done
evt_expect all "$want_all"
evt_expect passall "$want_all"

step "priority: high-priority events overtake queued low-priority ones"
evt_sub_start 2 prio -c prio -s 9 -H -n 205 -w 60000
evt_pub 1 lo -c prio -n 200 -t lo -p 3
evt_pub 1 hi -c prio -n 5 -t hi -p 0
sleep 1 # both batches reached n2's engine
kill -USR1 "$evt_pid_prio"
evt_sub_wait prio 60
evt_check_order prio
pos_hi=$(awk '$1 == "E" { n++ } $NF == "hi:5" { print n }' "$work/evt.prio.out")
pos_lo=$(awk '$1 == "E" { n++ } $NF == "lo:200" { print n }' "$work/evt.prio.out")
[ -n "$pos_hi" ] && [ -n "$pos_lo" ] || evt_fail "prio subscriber missed hi:5 or lo:200"
[ "$pos_hi" -lt "$pos_lo" ] || evt_fail "hi:5 delivered at $pos_hi, after lo:200 at $pos_lo"
awk '$1 == "E" && $NF ~ /^hi/ && $4 != 0 { exit 1 }' "$work/evt.prio.out" || evt_fail "hi events not priority 0"

cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name (hi:5 at $pos_hi, lo:200 at $pos_lo)"
