# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Helpers for the Event service cluster tests (sourced after lib.sh): run
# evtctl on a node, start background subscribers and wait until their
# subscription is in place, and read what they delivered. Every background
# client is killed by the EXIT trap before the cluster is stopped.

EVTCTL="$AIS_BUILD_DIR/test/cluster/evtctl"
if [ ! -x "$EVTCTL" ]; then
	echo "ERROR: $EVTCTL is not built (make -C test/cluster check builds it)" >&2
	exit 99
fi

evt_pids=()

evt_cleanup() {
	local rc=$? p
	set +e
	for p in "${evt_pids[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	for p in "${evt_pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	(exit "$rc")
	cleanup
}
trap 'evt_rc=$?; set +e; (exit "$evt_rc"); evt_cleanup' EXIT

evt_fail() {
	local f
	for f in "$work"/evt.*; do
		[ -s "$f" ] || continue
		echo "=== $f (last 10 lines)" >&2
		tail -n 10 "$f" >&2
	done
	fail "$@"
}

# evtctl_on I ARGS...: run evtctl on node I in the foreground.
evtctl_on() {
	local i=$1
	shift
	AIS_INSTANCE="$(inst "$i")" "$EVTCTL" "$@"
}

# evt_pub I NAME ARGS...: publish on node I; output in $work/evt.NAME.pub.
evt_pub() {
	local i=$1 name=$2
	shift 2
	evtctl_on "$i" pub "$@" >"$work/evt.$name.pub" 2>"$work/evt.$name.err" ||
		evt_fail "publisher $name on n$i failed: $(cat "$work/evt.$name.err")"
}

# evt_sub_start I NAME ARGS...: a background subscriber on node I writing to
# $work/evt.NAME.out; returns once it printed READY.
evt_sub_start() {
	local i=$1 name=$2 p t
	shift 2
	AIS_INSTANCE="$(inst "$i")" "$EVTCTL" sub "$@" >"$work/evt.$name.out" 2>"$work/evt.$name.err" &
	p=$!
	evt_pids+=("$p")
	eval "evt_pid_$name=$p"
	for ((t = 0; t < 300; t++)); do
		grep -q '^READY$' "$work/evt.$name.out" 2>/dev/null && return 0
		kill -0 "$p" 2>/dev/null || evt_fail "subscriber $name on n$i exited: $(cat "$work/evt.$name.err")"
		sleep 0.1
	done
	evt_fail "subscriber $name on n$i did not subscribe within 30s"
}

# evt_sub_wait NAME [LIMIT_S]: wait for a background subscriber to exit 0.
evt_sub_wait() {
	local name=$1 limit=${2:-60} p t
	eval "p=\$evt_pid_$name"
	for ((t = 0; t < limit * 10; t++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$p" 2>/dev/null && evt_fail "subscriber $name still running after ${limit}s"
	wait "$p" || evt_fail "subscriber $name failed: $(cat "$work/evt.$name.err")"
}

# evt_late I NAME ARGS...: a subscriber that exits once nothing arrived for
# 1 s (the retained events a new subscription gets); output in evt.NAME.out.
evt_late() {
	local i=$1 name=$2
	shift 2
	evtctl_on "$i" sub -q 1000 "$@" >"$work/evt.$name.out" 2>"$work/evt.$name.err" ||
		evt_fail "late subscriber $name on n$i failed: $(cat "$work/evt.$name.err")"
}

# evt_late_on "NODES" NAME ARGS...: evt_late on every node of NODES at once,
# outputs in evt.NAME<i>.out.
evt_late_on() {
	local nodes=$1 name=$2 i p pids=()
	shift 2
	for i in $nodes; do
		evt_late "$i" "$name$i" "$@" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || evt_fail "a late subscriber ($name) failed"; done
}

# The data fields ("TAG:SEQ") a subscriber delivered, sorted, one per line.
evt_data() { awk '$1 == "E" { print $NF }' "$work/evt.$1.out" | sort; }
# The event ids a publisher got, in order.
evt_ids() { awk '$1 == "P" { print $2 }' "$work/evt.$1.pub"; }

# evt_expect NAME "TAG:SEQ ...": the subscriber delivered exactly these.
evt_expect() {
	local name=$1 want got
	want=$(printf '%s\n' $2 | sort)
	got=$(evt_data "$name")
	[ "$got" = "$want" ] || evt_fail "subscriber $name delivered [$(echo $got)], expected [$(echo $want)]"
}

# seqs TAG FROM TO: "TAG:FROM ... TAG:TO"
seqs() { local s; for ((s = $2; s <= $3; s++)); do printf '%s:%d ' "$1" "$s"; done; }

# Every event id a subscriber delivered is distinct, and each publisher tag's
# sequence numbers arrive in increasing order (per-publisher order).
evt_check_order() {
	local name=$1
	awk '$1 == "E" {
		if (seen[$3]++) { print "duplicate event id " $3; bad = 1 }
		split($NF, a, ":"); t = a[1]; s = a[2] + 0
		if (t in last && s <= last[t]) { print "out of order: " $NF " after " t ":" last[t]; bad = 1 }
		last[t] = s
	} END { exit bad }' "$work/evt.$name.out" || evt_fail "subscriber $name: order or duplicates"
}
daemon_pid() { cat "$work/n$1/ais-cluster.pid"; }
