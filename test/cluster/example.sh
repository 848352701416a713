#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The example plugin engine (services/example.so) over 3 real daemons that
# load it with `service { name: example path: ... }` next to cfg and cpg.
# A watcher on every node and concurrent adds from every node: every watcher
# sees the same notifications in the same order, every add's answer is one
# of them, and every node reads the same total. Then a partition {1}/{2,3}
# with conflicting adds on both sides; after `fault clear` on both sides
# and sync, every node holds one identical table: the partition holding
# node 1 wins a name both sides changed, a name only one side knew is
# adopted. A killed (SIGKILL) client's connection and subscription are
# freed (the connection count drops, the next notifications go to the
# others) and no daemon logs an error.
. "$(dirname "$0")/lib.sh"
ADDS=${ADDS:-20}

EXAMPLE_CLIENT="$AIS_BUILD_DIR/services/example_client"
PLUGIN="$AIS_BUILD_DIR/services/.libs/example.so"
for b in "$EXAMPLE_CLIENT" "$PLUGIN"; do
	if [ ! -e "$b" ]; then
		echo "ERROR: $b is not built (make -C services example.la example_client)" >&2
		exit 99
	fi
done

client_pids=()
ex_cleanup() {
	local rc=$? p
	set +e # under errexit the (exit "$rc") below would end the trap early
	for p in "${client_pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	for p in "${client_pids[@]}"; do wait "$p" 2>/dev/null || true; done
	(exit "$rc")
	cleanup
}
trap ex_cleanup EXIT

ex_fail() {
	local f
	for f in "$work"/watch.*.out "$work"/watch.*.err "$work"/add.*.err; do
		[ -s "$f" ] || continue
		echo "=== $f (last 10 lines)" >&2
		tail -n 10 "$f" >&2
	done
	fail "$@"
}

ex() { local i=$1; shift; AIS_INSTANCE="$(inst "$i")" "$EXAMPLE_CLIENT" "$@"; }

# ex_get I NAME: the value node I holds for NAME (fails the test if none).
ex_get() {
	local out
	out=$(ex "$1" get "$2" 2>&1) || ex_fail "get $2 on n$1 failed: $out"
	[[ "$out" =~ ^$2\ (-?[0-9]+)$ ]] || ex_fail "get $2 on n$1 printed '$out'"
	echo "${BASH_REMATCH[1]}"
}

# wait_value I NAME VALUE: until node I holds VALUE for NAME (a change made
# through another node is applied here when the ring delivers it here).
wait_value() {
	local i=$1 name=$2 want=$3 t v=""
	for ((t = 0; t < 300; t++)); do
		v=$(ex "$i" get "$name" 2>/dev/null) || v=""
		[ "$v" = "$name $want" ] && return 0
		sleep 0.1
	done
	ex_fail "n$i reads '${v:-no value}' for $name, expected $want"
}

# The example service's field FIELD in `aistool services --json` on node I.
service_field() {
	aistool_on "$1" services --json | grep -o '{"name": "example"[^}]*}' |
		grep -o "\"$2\": *[0-9]*" | grep -o '[0-9]*$'
}

# wait_synced I...: until those nodes report no sync running.
wait_synced() {
	local i t
	for i in "$@"; do
		for ((t = 0; t < 300; t++)); do
			aistool_on "$i" status --json | grep -q '"sync_in_progress": false' && continue 2
			sleep 0.2
		done
		ex_fail "n$i: sync still running after 60s"
	done
}

# watch_start I TAG COUNT: a watcher of "apples" on node I (COUNT events);
# waits until it is subscribed. Its pid is in $watch_pid.
watch_start() {
	local i=$1 tag=$2 n=$3 t
	# the client itself, not a subshell around it: its pid is the one killed
	AIS_INSTANCE="$(inst "$i")" "$EXAMPLE_CLIENT" watch apples "$n" \
		>"$work/watch.$tag.out" 2>"$work/watch.$tag.err" &
	watch_pid=$!
	client_pids+=("$watch_pid")
	for ((t = 0; t < 300; t++)); do
		grep -qx watching "$work/watch.$tag.out" 2>/dev/null && return 0
		kill -0 "$watch_pid" 2>/dev/null || ex_fail "watcher $tag exited before subscribing"
		sleep 0.1
	done
	ex_fail "watcher $tag did not subscribe within 30s"
}

step "configs for 3 nodes with cfg, cpg and the example plugin"
# ais-cluster writes and checks the configs and picks the port; it has no
# service option, so the nodes are stopped, the service blocks appended and
# the nodes started again on the same configs.
cluster start 3 --fault-injection --token 1000 --quiet || fail "the ring did not form"
cluster stop --quiet || fail "stop reported an error"
for i in 1 2 3; do
	{
		echo "service {"
		echo "	name: cfg"
		echo "}"
		echo "service {"
		echo "	name: cpg"
		echo "}"
		echo "service {"
		echo "	name: example"
		echo "	path: $PLUGIN"
		echo "}"
	} >>"$work/n$i/aisexec.conf"
	out=$("$AISEXEC" -t -c "$work/n$i/aisexec.conf" 2>&1) || fail "aisexec -t rejected n$i's config: $out"
	rm -f "$work/n$i/aisexec.log" "$work/n$i/aisexec.stderr"
done

step "start them"
for i in 1 2 3; do cluster restart "$i" --quiet || fail "n$i did not join"; done
ring=$(expect_ring "1 2 3" 1 2 3)
for i in 1 2 3; do
	grep -q 'service engine loaded: example (id 7)' "$work/n$i/aisexec.log" ||
		fail "n$i did not log loading the example engine"
	[ "$(service_field "$i" id)" = 7 ] || fail "n$i does not list the example service"
done

step "a watcher on every node; $ADDS adds of 1 / 10 / 100 from n1 / n2 / n3 at once"
total=$((3 * ADDS))
for i in 1 2 3; do watch_start "$i" "$i" "$total"; done
add_pids=()
for i in 1 2 3; do
	(
		d=$((10 ** (i - 1)))
		for ((k = 0; k < ADDS; k++)); do
			ex "$i" add apples "$d" || exit 1
		done
	) >"$work/add.$i.out" 2>"$work/add.$i.err" &
	add_pids+=("$!")
	client_pids+=("$!")
done
for i in 1 2 3; do
	wait "${add_pids[$((i - 1))]}" || ex_fail "an add on n$i failed"
done
for i in 1 2 3; do
	p=${client_pids[$((i - 1))]}
	wait "$p" || ex_fail "watcher on n$i exited with an error"
done
want=$((ADDS * 111))
for i in 1 2 3; do
	[ "$(ex_get "$i" apples)" = "$want" ] || ex_fail "n$i reads apples $(ex_get "$i" apples), expected $want"
	n=$(grep -c '^apples ' "$work/watch.$i.out" || true)
	[ "$n" = "$total" ] || ex_fail "watcher on n$i got $n notifications, expected $total"
	grep -q ' lost 0$' "$work/watch.$i.out" || ex_fail "watcher on n$i lost notifications"
	! grep -v -E '^(watching|apples -?[0-9]+ delta -?[0-9]+ node [0-9]+ lost 0)$' "$work/watch.$i.out" ||
		ex_fail "watcher on n$i printed an unexpected line"
	# the delta tells the node: node i adds 10^(i-1)
	if awk '$1 == "apples" && $4 != 10 ^ ($6 - 1) { bad = 1 } END { exit !bad }' "$work/watch.$i.out"; then
		ex_fail "watcher on n$i: a delta does not match its node"
	fi
done
cmp -s "$work/watch.1.out" "$work/watch.2.out" && cmp -s "$work/watch.1.out" "$work/watch.3.out" ||
	ex_fail "the watchers saw different orders: $(diff "$work/watch.1.out" "$work/watch.2.out" | head -n 5)"
# The values run from the first delta to the total, each the sum so far.
awk '$1 == "apples" { s += $4; if ($2 != s) exit 1 }' "$work/watch.1.out" ||
	ex_fail "the notified values are not the running sum"
# Every add's answer is the value after exactly that add.
for i in 1 2 3; do
	while read -r _ v; do
		grep -q "^apples $v delta $((10 ** (i - 1))) node $i " "$work/watch.1.out" ||
			ex_fail "n$i's add answered $v, which no notification from n$i carries"
	done <"$work/add.$i.out"
	[ "$(wc -l <"$work/add.$i.out")" = "$ADDS" ] || ex_fail "n$i printed $(wc -l <"$work/add.$i.out") answers"
done
client_pids=()

step "partition {1}/{2,3}; conflicting adds on both sides"
aistool_on 1 fault partition 1/2,3 || fail "fault partition failed"
wait_members 1 "1"
wait_members 2 "2 3"
wait_members 3 "2 3"
wait_synced 1 2 3
ex 1 add apples 5 >/dev/null || ex_fail "add on n1 (alone) failed"
ex 1 add only1 7 >/dev/null || ex_fail "add only1 on n1 failed"
ex 2 add apples 1000 >/dev/null || ex_fail "add on n2 failed"
ex 3 add only23 9 >/dev/null || ex_fail "add only23 on n3 failed"
wait_value 1 apples $((want + 5))
wait_value 1 only1 7
for i in 2 3; do
	wait_value "$i" apples $((want + 1000))
	wait_value "$i" only23 9
	! ex "$i" get only1 >/dev/null 2>&1 || ex_fail "n$i knows only1 before the merge"
done
! ex 1 get only23 >/dev/null 2>&1 || ex_fail "n1 knows only23 before the merge"

step "fault clear on both sides: merge and sync"
aistool_on 1 fault clear || fail "fault clear on n1 failed"
aistool_on 2 fault clear || fail "fault clear on n2 failed"
cluster wait --quiet || fail "the partitions did not merge"
ring2=$(expect_ring "1 2 3" 1 2 3)
wait_synced 1 2 3
for i in 1 2 3; do
	wait_value "$i" apples $((want + 5)) # n1's side wins
	wait_value "$i" only1 7
	wait_value "$i" only23 9
	aistool_on "$i" dump | grep -E '^ *(apples|only1|only23) = ' | sed 's/^ *//' >"$work/dump.$i" ||
		ex_fail "aistool dump on n$i shows no counters"
done
cmp -s "$work/dump.1" "$work/dump.2" && cmp -s "$work/dump.1" "$work/dump.3" ||
	ex_fail "the nodes dump different tables: $(paste "$work/dump.1" "$work/dump.2" "$work/dump.3")"
[ "$(wc -l <"$work/dump.1")" = 3 ] || ex_fail "dump lists $(wc -l <"$work/dump.1") of the 3 counters"
ex 2 add apples 1 >/dev/null || ex_fail "add on n2 after the merge failed"
for i in 1 2 3; do wait_value "$i" apples $((want + 6)); done

step "a killed client's state is freed"
base=$(service_field 2 connections)
watch_start 2 killed 0
watch_start 2 kept 1
[ "$(service_field 2 connections)" = $((base + 2)) ] ||
	ex_fail "n2 counts $(service_field 2 connections) example connections, expected $((base + 2))"
killed_pid=${client_pids[-2]}
kept_pid=${client_pids[-1]}
kill -KILL "$killed_pid"
wait "$killed_pid" 2>/dev/null || true
for ((t = 0; t < 300; t++)); do
	[ "$(service_field 2 connections)" = $((base + 1)) ] && break
	sleep 0.1
done
[ "$(service_field 2 connections)" = $((base + 1)) ] ||
	ex_fail "n2 still counts $(service_field 2 connections) example connections after the kill"
# A notification now walks n2's subscribers: the killed one must be gone
# from them (the daemon survives, the other watcher gets its event).
ex 1 add apples 1 >/dev/null || ex_fail "add after the kill failed"
wait "$kept_pid" || ex_fail "the remaining watcher on n2 failed"
grep -qx "apples $((want + 7)) delta 1 node 1 lost 0" "$work/watch.kept.out" ||
	ex_fail "the remaining watcher on n2 did not get the notification"
wait_value 2 apples $((want + 7))
client_pids=()

step "stop; no daemon logged an error"
cluster stop --quiet || fail "stop reported an error"
for i in 1 2 3; do
	if grep -E '\] +(emerg|alert|crit|error) ' "$work/n$i/aisexec.log"; then
		fail "n$i logged errors (above)"
	fi
done
test_ok=1
echo "PASS: $test_name (rings $ring -> $ring2)"
