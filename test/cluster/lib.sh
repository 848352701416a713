# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Shared helpers for the cluster tests (sourced, not run). A test script
# sources this file, then drives a real cluster through `cluster ...`
# (ais-cluster with this test's own directory and instance prefix) and
# checks what the daemons report with aistool. See README.md.
set -euo pipefail

: "${AIS_BUILD_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
AIS_BUILD_DIR=$(cd "$AIS_BUILD_DIR" && pwd)
export AIS_BUILD_DIR
: "${AIS_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

test_name=$(basename "$0" .sh)
AIS_CLUSTER="$AIS_SRCDIR/tools/ais-cluster"
AISTOOL="$AIS_BUILD_DIR/tools/aistool"
AISEXEC="$AIS_BUILD_DIR/exec/aisexec"
export AISTOOL AISEXEC

for b in "$AISEXEC" "$AISTOOL"; do
	if [ ! -x "$b" ]; then
		echo "ERROR: $b is not built" >&2
		exit 99 # hard error for the automake test driver
	fi
done

# A directory and an instance prefix of our own, so that tests can run in
# parallel (make -j check) without sharing IPC names, ports or files.
work=$(mktemp -d "${TMPDIR:-/tmp}/ais-$test_name.XXXXXX")
prefix="${test_name:0:8}$$-"
test_ok=0

cluster() { "$AIS_CLUSTER" --dir "$work" --prefix "$prefix" "$@"; }
inst() { echo "${prefix}n$1"; }
aistool_on() { local i=$1; shift; "$AISTOOL" -i "$(inst "$i")" "$@"; }

step() { echo "--- $*"; }

log_tails() {
	local d
	for d in "$work"/n*; do
		[ -d "$d" ] || continue
		echo "=== $d/aisexec.log (last 30 lines)"
		tail -n 30 "$d/aisexec.log" 2>/dev/null || echo "(no log)"
		if [ -s "$d/aisexec.stderr" ]; then
			echo "=== $d/aisexec.stderr"
			tail -n 10 "$d/aisexec.stderr"
		fi
	done
}

# Prints to stderr: fail may run inside $(...), whose stdout is captured.
fail() {
	echo "FAIL ($test_name): $*" >&2
	log_tails >&2
	exit 1
}

# True when the daemon is built with AddressSanitizer. Its allocator keeps
# freed memory (quarantine, per-size caches) and ignores malloc_trim, so RSS
# bounds mean nothing there; LeakSanitizer checks for leaks at exit instead.
# (ldd's whole output is read first: with pipefail, grep -q quitting at the
# first match could fail the pipeline when ldd gets SIGPIPE.)
sanitizer_build() { case "$(ldd "$AISEXEC" 2>/dev/null)" in *libasan*) return 0 ;; *) return 1 ;; esac; }

# Sanitizer or valgrind reports in any daemon's stderr fail the test.
sanitizer_reports() {
	grep -l -E 'ERROR: (Address|Leak|Thread|UndefinedBehavior)Sanitizer|runtime error:|==[0-9]+== (Invalid|Conditional)' \
		"$work"/n*/aisexec.stderr 2>/dev/null
}

cleanup() {
	local rc=$? f
	if [ -f "$work/cluster.env" ]; then
		cluster stop --quiet >/dev/null 2>&1 || true
	fi
	for f in $(sanitizer_reports); do
		echo "FAIL ($test_name): sanitizer report in $f:" >&2
		head -n 40 "$f" >&2
		rc=1
	done
	if [ "$test_ok" = 1 ] && [ "$rc" = 0 ]; then
		rm -rf "$work"
	else
		echo "($test_name: logs kept in $work)"
	fi
	exit "$rc"
}
trap cleanup EXIT
# bash runs no EXIT trap when a signal kills it: turn the usual ones (make
# interrupted, a CI timeout) into an exit, so the daemons are always stopped.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# Write a one-node aisexec.conf to $1 for a daemon started by the test itself
# (node id 1 on 127.0.0.1, a random port, instance n1, rundir $2); extra
# lines: $3 in totem { }, $4 in aisexec { }, $5 the logging { } body
# (default: to stderr only).
one_node_conf() {
	cat >"$1" <<EOC
totem {
	cluster_name: ais-cluster
	transport: udpu
	${3:-}
	interface {
		ringnumber: 0
		bindnetaddr: 127.0.0.1
		mcastport: $((20000 + RANDOM % 10000))
	}
}
nodelist {
	node {
		nodeid: 1
		ring0_addr: 127.0.0.1
	}
}
aisexec {
	instance: $(inst 1)
	rundir: $2
	${4:-}
}
logging {
	${5:-to_stderr: on
	to_syslog: off}
}
EOC
}

# Start one daemon of our own on node 1 (one_node_conf; $1: extra lines in
# aisexec { }) in $work/n1, its log in $d/aisexec.stderr; sets d, conf,
# daemon and AIS_INSTANCE, and waits until it answers. An EXIT trap stops
# $daemon before lib.sh's cleanup (a caller may set its own instead).
one_node_start() {
	d="$work/n1"
	mkdir -p "$d"
	conf="$d/aisexec.conf"
	one_node_conf "$conf" "$d" "" "${1:-}"
	export AIS_INSTANCE
	AIS_INSTANCE=$(inst 1)
	"$AISEXEC" -f -c "$conf" >"$d/aisexec.stderr" 2>&1 &
	daemon=$!
	trap 'rc=$?; kill -TERM $daemon 2>/dev/null || true; wait $daemon 2>/dev/null || true; (exit $rc); cleanup' EXIT
	for _ in $(seq 100); do
		aistool_on 1 status >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "the daemon did not start"
}

# A counter of `aistool ring --json` on node $1: ring_stat I NAME.
ring_stat() { aistool_on "$1" ring --json | grep -o "\"$2\": *[0-9]*" | grep -o '[0-9]*$'; }

# Fields of `aistool members --json` on node i.
members_json() { aistool_on "$1" members --json; }
ring_of() { members_json "$1" | sed -n 's/.*"ring_id": *"\([^"]*\)".*/\1/p'; }
ids_of() {
	members_json "$1" | grep -o '"nodeid": *[0-9]*' | grep -o '[0-9]*$' | sort -n | tr '\n' ' ' | sed 's/ $//'
}

# Check that the text is one JSON object (with python3 when present).
is_json_object() {
	if command -v python3 >/dev/null; then
		python3 -c 'import json,sys; o=json.load(sys.stdin); sys.exit(0 if isinstance(o, dict) else 1)'
	else
		local t
		t=$(cat)
		[[ "$t" == \{*\} ]]
	fi
}

# Every node in "$2..." reports ring $1 (non-empty) with members "$ids".
expect_ring() {
	local ids=$1 ring="" r i
	shift
	for i in "$@"; do
		r=$(ring_of "$i") || fail "aistool members on n$i failed"
		[ -n "$r" ] || fail "n$i reports no ring id"
		[ -z "$ring" ] || [ "$r" = "$ring" ] || fail "n$i reports ring $r, another node ring $ring"
		ring=$r
		[ "$(ids_of "$i")" = "$ids" ] || fail "n$i reports members '$(ids_of "$i")', expected '$ids'"
	done
	echo "$ring"
}

# expect_ring for a ring under a drop rule: there it may form again while
# the nodes are asked one after the other (a token lost to the rule, a
# legitimate new ring, not a split), so ask again until every node reports
# one ring with members "$1" or 60 s have passed.
expect_ring_settled() {
	local ids=$1 ring r i t ok
	shift
	for ((t = 0; t < 120; t++)); do
		ok=1
		ring=""
		for i in "$@"; do
			r=$(ring_of "$i" 2>/dev/null) || r=""
			if [ -z "$r" ] || { [ -n "$ring" ] && [ "$r" != "$ring" ]; } ||
				[ "$(ids_of "$i" 2>/dev/null)" != "$ids" ]; then
				ok=0
				break
			fi
			ring=$r
		done
		if [ "$ok" = 1 ]; then
			echo "$ring"
			return 0
		fi
		sleep 0.5
	done
	fail "nodes $* did not settle on one ring with members '$ids' within 60 s"
}

# Wait (up to $3 seconds, default 60) until node $1 reports members "$2".
wait_members() {
	local i=$1 ids=$2 limit=${3:-60} t
	for ((t = 0; t < limit * 5; t++)); do
		[ "$(ids_of "$i" 2>/dev/null)" = "$ids" ] && return 0
		sleep 0.2
	done
	fail "n$i did not reach members '$ids' within ${limit}s (now '$(ids_of "$i" 2>/dev/null)')"
}
