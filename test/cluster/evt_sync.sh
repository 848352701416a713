#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Sync of the evt engine's replicated state (channels, retained events):
# three nodes publish retained events, split {1,2}|{3}, publish and clear on
# both sides (and create the same channel name on both), then merge: every
# node must hold exactly the union of both sides' retained events, and the
# same-named channels must be one; an open held on n3 is lost on {1,2}
# during the split and counted everywhere again after the merge. Then n3 is killed (its events stay on
# n1/n2), restarted (it gets them all back by sync), and its new event ids
# are above the ones it handed out before the restart.
. "$(dirname "$0")/lib.sh"
RAW="$AIS_BUILD_DIR/test/cluster/evtraw"
raw_on() { local i=$1; shift; AIS_INSTANCE="$(inst "$i")" "$RAW" "$@"; }
ids_on() { raw_on "$1" ids "$2" "" 700; }
openers_on() {
	aistool_on "$1" evt --json |
		grep -o "\"name\": \"$2\", \"id\": \"[0-9a-f]*\", \"unlinked\": [a-z]*, \"openers\": [0-9]*" |
		sed 's/.*"openers": //'
}
# Wait until node $1 counts $3 openers of channel $2 (the test clients'
# closes are agreed a little after they exit).
wait_openers() {
	for t in $(seq 100); do
		[ "$(openers_on "$1" "$2")" = "$3" ] && return 0
		sleep 0.1
	done
	fail "n$1: channel $2 has $(openers_on "$1" "$2") openers, expected $3"
}

step "start 3 nodes; retained events before the split"
cluster start 3 --fault-injection --token 1000 --timeout 60 --quiet || fail "the ring did not form"
expect_ring "1 2 3" 1 2 3 >/dev/null
raw_on 1 publish shared a 600 3 > "$work/a.ids" || fail "publish on n1"
raw_on 1 publish shared t 0 2 >/dev/null || fail "publish (not retained) on n1"
AIS_INSTANCE="$(inst 3)" "$RAW" hold shared 600 &
holder=$!
trap 'rc=$?; set +e; kill "$holder" 2>/dev/null; (exit "$rc"); cleanup' EXIT
for i in 1 2 3; do wait_openers "$i" shared 1; done
for i in 1 2 3; do
	ids_on "$i" shared > "$work/pre.$i"
	diff "$work/a.ids" "$work/pre.$i" || fail "n$i does not hold the retained events before the split"
done

step "partition {1,2} | {3}; publish and clear on both sides"
aistool_on 1 fault partition 1,2/3 || fail "fault partition failed"
wait_members 1 "1 2"
wait_members 3 "3"
wait_openers 1 shared 0
raw_on 1 publish shared b 600 2 > "$work/b.ids" || fail "publish on n1 in the split"
raw_on 3 publish shared c 600 2 > "$work/c.ids" || fail "publish on n3 in the split"
raw_on 2 publish both x 600 1 > "$work/both12.ids" || fail "create 'both' on n2"
raw_on 3 publish both y 600 1 > "$work/both3.ids" || fail "create 'both' on n3"
raw_on 3 publish only3 z 600 1 > "$work/only3.ids" || fail "create 'only3' on n3"
# n1 clears one of the old events on its side only: n3 keeps it
a1=$(head -1 "$work/a.ids")
[ "$(raw_on 1 clear shared "$a1")" = 1 ] || fail "clear on n1"
ids_on 2 shared > "$work/side12"
sort "$work/a.ids" "$work/b.ids" | grep -v "$a1" > "$work/exp12"
diff "$work/exp12" "$work/side12" || fail "side {1,2} does not hold its own events"
ids_on 3 shared > "$work/side3"
sort "$work/a.ids" "$work/c.ids" > "$work/exp3"
diff "$work/exp3" "$work/side3" || fail "side {3} does not hold its own events"

step "merge: every node holds the union"
aistool_on 1 fault clear || fail "fault clear on n1"
aistool_on 3 fault clear || fail "fault clear on n3"
cluster wait --timeout 60 || fail "the partitions did not merge"
expect_ring "1 2 3" 1 2 3 >/dev/null
sort "$work/a.ids" "$work/b.ids" "$work/c.ids" > "$work/union"
sort "$work/both12.ids" "$work/both3.ids" > "$work/bothunion"
for i in 1 2 3; do
	ids_on "$i" shared > "$work/merged.$i"
	diff "$work/union" "$work/merged.$i" || fail "n$i: shared is not the union after the merge"
	ids_on "$i" both > "$work/both.$i"
	diff "$work/bothunion" "$work/both.$i" || fail "n$i: the two 'both' channels were not merged"
	ids_on "$i" only3 > "$work/only3.$i"
	diff "$work/only3.ids" "$work/only3.$i" || fail "n$i: channel only3 missing after the merge"
done
for i in 1 2 3; do wait_openers "$i" shared 1; done
n_both=$(aistool_on 1 evt --json | grep -o '"name": *"both"' | wc -l)
[ "$n_both" = 1 ] || fail "n1 lists $n_both channels named both"

step "kill n3: its events stay; restart: it gets them all back"
cluster kill 3 || fail "kill n3"
wait_members 1 "1 2"
wait_openers 1 shared 0
ids_on 1 shared > "$work/afterkill"
diff "$work/union" "$work/afterkill" || fail "events of the dead node were lost"
cluster restart 3 || fail "restart n3"
cluster wait --timeout 60 || fail "n3 did not rejoin"
ids_on 3 shared > "$work/rejoined"
diff "$work/union" "$work/rejoined" || fail "the restarted n3 did not get the retained events"
raw_on 3 publish fresh f 0 1 > "$work/fresh.ids" || fail "publish on the restarted n3"
last=$(sort "$work/c.ids" "$work/only3.ids" "$work/both3.ids" | tail -1)
[ "$(printf '%s\n%s\n' "$last" "$(cat "$work/fresh.ids")" | sort | tail -1)" = "$(cat "$work/fresh.ids")" ] ||
	fail "n3 reused event ids after its restart ($(cat "$work/fresh.ids") <= $last)"

cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name"
