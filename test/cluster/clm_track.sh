#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# CLM track callbacks across membership changes on 3 nodes. A clm_watch
# (SA_TRACK_CHANGES, current membership first) runs on every node and a
# SA_TRACK_CHANGES_ONLY watcher on n1; then n3 leaves cleanly (SIGTERM), n2
# is killed (SIGKILL) and restarted. Checked from the watchers' logs:
#   - the views each watcher saw, with the change code, name and id of every
#     node (NO_CHANGE/JOINED/LEFT, members first, then the nodes that left);
#   - view numbers strictly increase in every log;
#   - every watcher saw the same views as n1's for as long as it ran;
#   - the restarted n2 has a new bootTimestamp (and a new initial view);
#   - the CHANGES_ONLY watcher saw only the changed nodes, in the same views.
# Last, n2 is killed and restarted at once: whether the others notice the
# death before it is back or only in the same configuration change, they
# report it as LEFT in one view and JOINED in the next.
. "$(dirname "$0")/lib.sh"
WATCH="$AIS_BUILD_DIR/services/clm_watch"
[ -x "$WATCH" ] || { echo "ERROR: $WATCH is not built" >&2; exit 99; }

watch_pids=()
clm_cleanup() {
	local rc=$? p
	set +e
	for p in "${watch_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${watch_pids[@]}"; do wait "$p" 2>/dev/null; done
	(exit "$rc")
	cleanup
}
trap clm_cleanup EXIT

clm_fail() {
	local f
	for f in "$work"/watch.*.log; do
		echo "=== $f" >&2
		cat "$f" >&2
	done
	fail "$@"
}

# watch_start NAME NODE [clm_watch options]
watch_start() {
	local name=$1 i=$2
	shift 2
	AIS_INSTANCE="$(inst "$i")" "$WATCH" "$@" >"$work/watch.$name.log" 2>&1 &
	watch_pids+=($!)
}

# The views of a log, one line each: "<view> <members> <change>,<name>,<id> ..."
views() {
	awk '$1 == "view" { printf "%s %s", $2, $4; for (i = 5; i <= NF; i++) { split($i, f, ","); printf " %s,%s,%s", f[1], f[2], f[3] } printf "\n" }' \
		"$work/watch.$1.log"
}
# The shape of the views: the same without the view numbers.
shapes() { views "$1" | cut -d' ' -f2-; }

# wait_views NAME COUNT: until the log holds COUNT views.
wait_views() {
	local t
	for ((t = 0; t < 300; t++)); do
		[ "$(views "$1" | wc -l)" -ge "$2" ] && return 0
		sleep 0.2
	done
	clm_fail "watcher $1 did not see $2 view(s) within 60 s"
}

# boot timestamp of node id $2 in view line $3 (1-based) of log $1
boot_of() {
	awk -v id="$2" -v n="$3" '$1 == "view" && ++k == n { for (i = 5; i <= NF; i++) { split($i, f, ","); if (f[3] == id) print f[5] } }' \
		"$work/watch.$1.log"
}

step "start 3 nodes and the watchers"
cluster start 3 --token 1000 --quiet || fail "the ring did not form"
for i in 1 2 3; do watch_start "n$i" "$i"; done
watch_start delta 1 --changes-only --no-current
for i in 1 2 3; do wait_views "n$i" 1; done
for i in 1 2 3; do
	[ "$(shapes "n$i" | head -n 1)" = "3 NO_CHANGE,n1,1 NO_CHANGE,n2,2 NO_CHANGE,n3,3" ] ||
		clm_fail "n$i: the first view is not the 3-node membership"
done
grep -q '^tracking$' "$work/watch.delta.log" || sleep 1

step "n3 leaves (SIGTERM)"
kill -TERM "$(cat "$work/n3/ais-cluster.pid")"
wait_views n1 2
wait_views n2 2

step "n2 is killed (SIGKILL)"
cluster kill 2 --quiet
wait_views n1 3

step "n2 restarts"
cluster restart 2 --quiet || fail "n2 did not come back"
wait_views n1 4
wait_views delta 3
sleep 1 # let any further view arrive, so the checks below see it

step "check the views"
expected_n1="3 NO_CHANGE,n1,1 NO_CHANGE,n2,2 NO_CHANGE,n3,3
2 NO_CHANGE,n1,1 NO_CHANGE,n2,2 LEFT,n3,3
1 NO_CHANGE,n1,1 LEFT,n2,2
2 NO_CHANGE,n1,1 JOINED,n2,2"
[ "$(shapes n1)" = "$expected_n1" ] || clm_fail "n1 saw views
$(shapes n1)
expected
$expected_n1"
expected_delta="2 LEFT,n3,3
1 LEFT,n2,2
2 JOINED,n2,2"
[ "$(shapes delta)" = "$expected_delta" ] || clm_fail "the CHANGES_ONLY watcher saw
$(shapes delta)
expected
$expected_delta"
[ "$(views delta | cut -d' ' -f1)" = "$(views n1 | tail -n 3 | cut -d' ' -f1)" ] ||
	clm_fail "the CHANGES_ONLY watcher's view numbers differ from the CHANGES watcher's"
for w in n1 n2 n3 delta; do
	views "$w" | awk '{ if (NR > 1 && $1 <= prev) { print "view " $1 " after " prev; bad = 1 } prev = $1 } END { exit bad }' ||
		clm_fail "watcher $w: view numbers do not strictly increase"
done
# every watcher saw exactly n1's views while it ran (the whole lines: view
# numbers, boot timestamps and initial views included)
for w in n2 n3; do
	n=$(grep -c '^view ' "$work/watch.$w.log")
	[ "$(grep '^view ' "$work/watch.$w.log")" = "$(grep '^view ' "$work/watch.n1.log" | head -n "$n")" ] ||
		clm_fail "watcher $w saw other views than n1's watcher"
done
[ "$(shapes n2)" = "$(shapes n1 | head -n 2)" ] || clm_fail "n2's watcher did not see n3 leave"
[ "$(shapes n3)" = "$(shapes n1 | head -n 1)" ] || clm_fail "n3's watcher saw more than the first view"
old_boot=$(boot_of n1 2 1)
new_boot=$(boot_of n1 2 4)
[ -n "$old_boot" ] && [ -n "$new_boot" ] || clm_fail "no boot timestamps for n2"
[ "$new_boot" != "$old_boot" ] || clm_fail "the restarted n2 kept its bootTimestamp $old_boot"
[ "$new_boot" -gt "$old_boot" ] || clm_fail "the restarted n2's bootTimestamp $new_boot is before $old_boot"
echo "n2 bootTimestamp $old_boot -> $new_boot"

step "n2 is killed and restarted at once"
cluster kill 2 --quiet
cluster restart 2 --quiet || fail "n2 did not come back"
wait_views n1 6
wait_views delta 5
sleep 1
[ "$(shapes n1 | tail -n +5)" = "1 NO_CHANGE,n1,1 LEFT,n2,2
2 NO_CHANGE,n1,1 JOINED,n2,2" ] || clm_fail "n1 did not see n2 leave and join again"
[ "$(shapes delta | tail -n +4)" = "1 LEFT,n2,2
2 JOINED,n2,2" ] || clm_fail "the CHANGES_ONLY watcher did not see n2 leave and join again"
views n1 | awk '{ if (NR > 1 && $1 <= prev) bad = 1; prev = $1 } END { exit bad }' ||
	clm_fail "n1: view numbers do not strictly increase"
[ "$(boot_of n1 2 6)" -gt "$new_boot" ] || clm_fail "n2's second restart kept its bootTimestamp"

step "the restarted node agrees"
watch_start n2b 2 --once
for ((t = 0; t < 100; t++)); do
	[ "$(views n2b | wc -l)" -ge 1 ] && break
	sleep 0.1
done
[ "$(views n2b)" = "$(views n1 | tail -n 1 | sed 's/JOINED/NO_CHANGE/g')" ] ||
	clm_fail "n2 reports $(views n2b), n1's last view is $(views n1 | tail -n 1)"
test_ok=1
echo "PASS: $test_name"
