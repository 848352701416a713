# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Helpers for the CPG cluster tests (sourced after lib.sh): start and stop
# cpghist clients on chosen nodes, wait for their progress, read their
# group membership logs, and check the history logs with test/sim/histcheck.
# Every client started here is killed by the EXIT trap, before the cluster
# is stopped.

CPGHIST="$AIS_BUILD_DIR/test/cluster/cpghist"
HISTCHECK="$AIS_BUILD_DIR/test/sim/histcheck"
for b in "$CPGHIST" "$HISTCHECK"; do
	if [ ! -x "$b" ]; then
		echo "ERROR: $b is not built (make -C test/cluster check builds it)" >&2
		exit 99
	fi
done

cpg_pids=()

cpg_cleanup() {
	local rc=$? p
	set +e
	for p in "${cpg_pids[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	for p in "${cpg_pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	(exit "$rc")
	cleanup
}
trap cpg_cleanup EXIT

# Log tails of every client as well as of every daemon.
cpg_fail() {
	local f
	for f in "$work"/hist.*.log "$work"/memb.*.log "$work"/hist.*.err; do
		[ -s "$f" ] || continue
		echo "=== $f (last 15 lines)" >&2
		tail -n 15 "$f" >&2
	done
	fail "$@"
}

# hist_start I INC [cpghist options]: a cpghist client on node I, incarnation
# INC, logging to $work/hist.I.INC.log (membership: memb.I.INC.log).
hist_start() {
	local i=$1 inc=$2 p
	shift 2
	AIS_INSTANCE="$(inst "$i")" "$CPGHIST" -l "$work/hist.$i.$inc.log" -m "$work/memb.$i.$inc.log" \
		-i "$inc" -d "$work/done.$i.$inc" -x "$((i * 100 + inc))" "$@" \
		2>"$work/hist.$i.$inc.err" &
	p=$!
	cpg_pids+=("$p")
	eval "hist_pid_${i}_${inc}=$p"
}

hist_pid() { eval "echo \${hist_pid_$1_$2:-}"; }

# hist_wait_done I INC [LIMIT_S]: wait until that client has sent everything.
hist_wait_done() {
	local i=$1 inc=$2 limit=${3:-120} t
	for ((t = 0; t < limit * 10; t++)); do
		[ -s "$work/done.$i.$inc" ] && return 0
		kill -0 "$(hist_pid "$i" "$inc")" 2>/dev/null || cpg_fail "cpghist n$i.$inc exited before it had sent everything"
		sleep 0.1
	done
	cpg_fail "cpghist n$i.$inc did not finish sending within ${limit}s"
}

# The number of messages that client has sent / delivered so far.
hist_count() {
	local n
	n=$(grep -c "^@[0-9]* $3 " "$work/hist.$1.$2.log" 2>/dev/null || true)
	echo "${n:-0}"
}
hist_sent() { hist_count "$1" "$2" S; }
hist_delivered() { hist_count "$1" "$2" D; }

# hist_wait_sent I INC COUNT: wait until that client has sent COUNT messages.
hist_wait_sent() {
	local i=$1 inc=$2 n=$3 t
	for ((t = 0; t < 600; t++)); do
		[ "$(hist_sent "$i" "$inc")" -ge "$n" ] && return 0
		kill -0 "$(hist_pid "$i" "$inc")" 2>/dev/null || cpg_fail "cpghist n$i.$inc exited early"
		sleep 0.1
	done
	cpg_fail "cpghist n$i.$inc did not send $n messages within 60s"
}

# hist_wait_joined I INC N: wait until that client sees N members in its group.
hist_wait_members() {
	local i=$1 inc=$2 n=$3 t last
	for ((t = 0; t < 600; t++)); do
		last=$(grep ' MEMBERS' "$work/memb.$i.$inc.log" 2>/dev/null | tail -n 1 || true)
		if [ -n "$last" ] && [ "$(echo "$last" | wc -w)" -eq $((n + 2)) ]; then return 0; fi
		sleep 0.1
	done
	cpg_fail "cpghist n$i.$inc did not see $n group members within 60s (last: $last)"
}

# hist_stop I INC [EXPECTED_RC]: SIGTERM the client, wait for it to exit with
# EXPECTED_RC (default 0: it wrote "E end").
hist_stop() {
	local i=$1 inc=$2 want=${3:-0} p rc=0
	p=$(hist_pid "$i" "$inc")
	kill -TERM "$p" 2>/dev/null || true
	wait "$p" || rc=$?
	[ "$rc" = "$want" ] || cpg_fail "cpghist n$i.$inc exited with $rc, expected $want"
}

# hist_reap I INC EXPECTED_RC: wait for a client that ends by itself.
hist_reap() {
	local i=$1 inc=$2 want=$3 p rc=0
	p=$(hist_pid "$i" "$inc")
	wait "$p" || rc=$?
	[ "$rc" = "$want" ] || cpg_fail "cpghist n$i.$inc exited with $rc, expected $want"
}

# Stop every listed "I.INC" client at once (they wait for quiet in parallel).
hist_stop_all() {
	local x p rc
	for x in "$@"; do
		kill -TERM "$(hist_pid "${x%.*}" "${x#*.}")" 2>/dev/null || true
	done
	for x in "$@"; do
		p=$(hist_pid "${x%.*}" "${x#*.}")
		rc=0
		wait "$p" || rc=$?
		[ "$rc" = 0 ] || cpg_fail "cpghist n$x exited with $rc, expected 0 after SIGTERM"
	done
}

# cpghist logs the transitional configurations the daemon delivers (aisexec's
# CPG_MODEL_V1_DELIVER_TRANSITIONAL_TOTEM_CONF; such a log says so in its
# first line): histcheck reads those logs as they are. A log without them
# (regular configurations only) is checked through a copy in which each
# regular configuration after the first is preceded by the transitional
# configuration it implies (previous members that are still members, with
# the new ring id, nothing delivered in it).
HIST_TRANS_MARK='# transitional configurations: delivered'

hist_logs_for_check() {
	local f d="$work/histcheck-input" all=1
	for f in "$work"/hist.*.log; do
		head -n 1 "$f" | grep -qxF "$HIST_TRANS_MARK" || all=0
	done
	if [ "$all" = 1 ]; then
		echo "$work/hist.*.log"
		return 0
	fi
	mkdir -p "$d"
	for f in "$work"/hist.*.log; do
		if head -n 1 "$f" | grep -qxF "$HIST_TRANS_MARK"; then
			cp "$f" "$d/$(basename "$f")"
			continue
		fi
		awk '
		function ids(s, arr,   n, i, a) { delete arr; n = split(s, a, ","); for (i = 1; i <= n; i++) if (a[i] != "") arr[a[i]] = 1 }
		$2 == "C" && $3 == "R" {
			m = $5; sub("^m=", "", m)
			if (have) {
				ids(prev, P); ids(m, M); t = ""; l = ""
				for (k = 1; k <= maxid; k++) {
					if (!(k in P)) continue
					if (k in M) t = t (t == "" ? "" : ",") k; else l = l (l == "" ? "" : ",") k
				}
				print $1 " C T " $4 " m=" t " l=" l " j="
			}
			have = 1; prev = m; print; next
		}
		{ print }' maxid=64 "$f" >"$d/$(basename "$f")"
	done
	echo "$d/hist.*.log"
}

# Check every history log of this test; on a violation fail with the report.
check_histories() {
	local out rc=0 args
	args=$(hist_logs_for_check)
	# shellcheck disable=SC2086
	out=$("$HISTCHECK" $args 2>&1) || rc=$?
	echo "$out" | tail -n 3
	[ "$rc" = 0 ] || cpg_fail "histcheck found a violation:
$out"
}

# expect_delivered I INC N: that client delivered exactly N messages, all ok.
expect_delivered() {
	local n
	n=$(hist_delivered "$1" "$2")
	[ "$n" = "$3" ] || cpg_fail "n$1.$2 delivered $n messages, expected $3"
	if grep -q '^@[0-9]* D .* bad$' "$work/hist.$1.$2.log"; then
		cpg_fail "n$1.$2 delivered a message with a bad checksum: $(grep -m1 ' bad$' "$work/hist.$1.$2.log")"
	fi
}

# memb_has I INC REGEX [LIMIT_S]: wait until that client's membership log
# has a line matching REGEX (JOINED/LEFT NODEID PID REASON, MEMBERS ...).
memb_wait() {
	local i=$1 inc=$2 re=$3 limit=${4:-60} t
	for ((t = 0; t < limit * 10; t++)); do
		grep -Eq "$re" "$work/memb.$i.$inc.log" 2>/dev/null && return 0
		sleep 0.1
	done
	cpg_fail "n$i.$inc: no membership event matching '$re' within ${limit}s"
}

daemon_pid() { cat "$work/n$1/ais-cluster.pid"; }

# hist_wait_delivered I INC N [LIMIT_S]: wait until that client delivered N.
hist_wait_delivered() {
	local i=$1 inc=$2 n=$3 limit=${4:-60} t
	for ((t = 0; t < limit * 10; t++)); do
		[ "$(hist_delivered "$i" "$inc")" -ge "$n" ] && return 0
		sleep 0.1
	done
	cpg_fail "n$i.$inc delivered $(hist_delivered "$i" "$inc") messages, not $n, within ${limit}s"
}
