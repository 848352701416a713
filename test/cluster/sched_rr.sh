#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# aisexec { sched_rr: yes }: a daemon allowed to (root or CAP_SYS_NICE) runs
# SCHED_RR at priority 99 and says so in its log; a daemon that is not
# allowed (run without CAP_SYS_NICE by setpriv, or by an ordinary user)
# logs a warning and runs with the normal policy, answering its clients.
# Without the key the daemon stays SCHED_OTHER.
. "$(dirname "$0")/lib.sh"

# policy (0 = SCHED_OTHER, 2 = SCHED_RR) and priority of a pid, /proc/PID/stat
# fields 41 and 40 (after the command name, which may hold spaces)
policy_of() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $39}'; }
rtprio_of() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $38}'; }

can_rr() { chrt -r 1 true 2>/dev/null; }

run_one() { # $1: prefix command (may be empty), $2: aisexec { } lines
	local pre=$1 lines=$2
	d="$work/n1"
	rm -rf "$d"
	mkdir -p "$d"
	conf="$d/aisexec.conf"
	one_node_conf "$conf" "$d" "" "$lines"
	export AIS_INSTANCE
	AIS_INSTANCE=$(inst 1)
	# shellcheck disable=SC2086
	$pre "$AISEXEC" -f -c "$conf" >"$d/aisexec.stderr" 2>&1 &
	daemon=$!
	for _ in $(seq 100); do
		aistool_on 1 status >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "the daemon did not start ($pre, $lines)"
}

stop_one() {
	kill -TERM "$daemon" 2>/dev/null || true
	wait "$daemon" 2>/dev/null || true
	daemon=""
}
daemon=""
trap 'rc=$?; [ -z "$daemon" ] || kill -TERM "$daemon" 2>/dev/null; wait 2>/dev/null; (exit $rc); cleanup' EXIT

step "no sched_rr key: SCHED_OTHER"
run_one "" ""
[ "$(policy_of "$daemon")" = 0 ] || fail "policy $(policy_of "$daemon") without sched_rr"
! grep -q 'SCHED_RR' "$d/aisexec.stderr" || fail "a SCHED_RR message without the key"
stop_one

if can_rr; then
	step "sched_rr: yes, allowed: SCHED_RR 99"
	run_one "" "sched_rr: yes"
	[ "$(policy_of "$daemon")" = 2 ] || fail "policy $(policy_of "$daemon"), not SCHED_RR (2)"
	[ "$(rtprio_of "$daemon")" = 99 ] || fail "real-time priority $(rtprio_of "$daemon"), not 99"
	grep -q 'running SCHED_RR priority 99' "$d/aisexec.stderr" || fail "no 'running SCHED_RR' notice"
	aistool_on 1 ring >/dev/null || fail "the SCHED_RR daemon does not answer"
	stop_one
	if command -v setpriv >/dev/null && setpriv --bounding-set=-sys_nice true 2>/dev/null; then
		notallowed="setpriv --bounding-set=-sys_nice"
	else
		notallowed=""
	fi
else
	notallowed="env" # not root: the daemon is not allowed as it is
fi

if [ -n "$notallowed" ]; then
	step "sched_rr: yes, not allowed: a warning, SCHED_OTHER, the daemon runs"
	run_one "$notallowed" "sched_rr: yes"
	[ "$(policy_of "$daemon")" = 0 ] || fail "policy $(policy_of "$daemon") though SCHED_RR was not allowed"
	grep -q 'warning cannot run SCHED_RR priority 99 (aisexec { sched_rr })' "$d/aisexec.stderr" ||
		fail "no warning about SCHED_RR"
	aistool_on 1 ring >/dev/null || fail "the daemon does not answer"
	stop_one
fi
echo "PASS"
