#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Long run (make check-long): ROUNDS times kill a node (SIGKILL, or SIGTERM
# through `aistool shutdown` every other round), check that the others
# re-form without it, restart it and check that all NODES merge again.
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-20}
NODES=${NODES:-5}
all=$(seq -s ' ' 1 "$NODES")

step "start $NODES nodes"
cluster start "$NODES" --timeout 120 || fail "the ring did not form"
# shellcheck disable=SC2086
expect_ring "$all" $all >/dev/null

for ((r = 1; r <= ROUNDS; r++)); do
	victim=$(((r * 7) % NODES + 1))
	rest=$(echo "$all" | tr ' ' '\n' | grep -vx "$victim" | tr '\n' ' ' | sed 's/ $//')
	if ((r % 2)); then
		step "round $r/$ROUNDS: kill n$victim"
		cluster kill "$victim" >/dev/null || fail "kill $victim"
	else
		step "round $r/$ROUNDS: aistool shutdown on n$victim"
		pid=$(cat "$work/n$victim/ais-cluster.pid")
		aistool_on "$victim" shutdown >/dev/null || fail "shutdown of n$victim refused"
		for ((t = 0; t < 300; t++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		! kill -0 "$pid" 2>/dev/null || fail "n$victim (pid $pid) did not exit after aistool shutdown"
	fi
	cluster wait --timeout 120 --quiet || fail "round $r: the others did not re-form"
	# shellcheck disable=SC2086
	expect_ring "$rest" $rest >/dev/null
	cluster restart "$victim" --timeout 120 --quiet || fail "round $r: n$victim did not rejoin"
	# shellcheck disable=SC2086
	expect_ring "$all" $all >/dev/null
done
cluster stop || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name ($ROUNDS rounds on $NODES nodes)"
