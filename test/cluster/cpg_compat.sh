#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A program written for Corosync's CPG builds unchanged and behaves the same:
# cscpg.c (Corosync names only) is compiled here with
# `pkg-config --cflags --libs aiscpg-compat` from the build tree, then runs
# on 3 nodes: join, messages, leave, a killed process, a killed node, a
# partition and its heal. Each step checks the confchg reasons (JOIN, LEAVE,
# PROCDOWN, NODEDOWN, NODEUP) and the totem confchg callback.
. "$(dirname "$0")/lib.sh"

step "build cscpg with pkg-config aiscpg-compat"
export PKG_CONFIG_PATH="$AIS_BUILD_DIR/lib${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
flags=$(pkg-config --cflags --libs aiscpg-compat) || fail "pkg-config aiscpg-compat failed"
# shellcheck disable=SC2086 # flag lists
${CC:-cc} -Wall -Werror ${AIS_PROG_CFLAGS:-} -o "$work/cscpg" "$AIS_SRCDIR/test/cluster/cscpg.c" \
	$flags ${AIS_PROG_LDFLAGS:-} || fail "cscpg does not build from Corosync names"
# the compatibility headers are not on the plain include path: <corosync/cpg.h>
# resolves only through aiscpg-compat (unless a real Corosync is installed)
if [ ! -e /usr/include/corosync/cpg.h ]; then
	! echo '#include <corosync/cpg.h>' | ${CC:-cc} -E -I"$AIS_SRCDIR/include" - >/dev/null 2>&1 ||
		fail "<corosync/cpg.h> found without aiscpg-compat"
fi
export LD_LIBRARY_PATH="$AIS_BUILD_DIR/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

step "start 3 nodes"
cluster start 3 --fault-injection --token 1000 --quiet || fail "the ring did not form"

pids=()
declare -A cs_pid
trap 'rc=$?; for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; (exit $rc); cleanup' EXIT
# cs_start I: cscpg on node I, commands through a FIFO, output in cs.I.log
cs_start() {
	local i=$1
	rm -f "$work/cs.$i.in"
	mkfifo "$work/cs.$i.in"
	AIS_INSTANCE=$(inst "$i") "$work/cscpg" compat-group <"$work/cs.$i.in" >>"$work/cs.$i.log" 2>&1 &
	cs_pid[$i]=$!
	pids+=($!)
	eval "exec {fd_$i}>\"$work/cs.$i.in\""
}
cs_cmd() { local v="fd_$1"; echo "$2" >&"${!v}"; }
# cs_wait I PATTERN [N]: until cs.I.log has N (default 1) lines matching PATTERN
cs_wait() {
	local i=$1 pat=$2 n=${3:-1}
	for _ in $(seq 300); do
		[ "$(grep -c -E -- "$pat" "$work/cs.$i.log" 2>/dev/null)" -ge "$n" ] && return 0
		sleep 0.1
	done
	echo "=== cs.$i.log" >&2
	cat "$work/cs.$i.log" >&2
	fail "n$i: no${n:+ $n} line(s) matching '$pat'"
}
pid_of() { echo "${cs_pid[$1]}"; }

for i in 1 2 3; do cs_start "$i"; done
for i in 1 2 3; do cs_wait "$i" "^ready node=$i\$"; done

step "join: every member sees the others join with reason JOIN"
cs_cmd 1 join
cs_wait 1 "joined=1:$(pid_of 1):JOIN"
cs_cmd 2 join
cs_wait 1 "joined=2:$(pid_of 2):JOIN"
cs_cmd 3 join
for i in 1 2 3; do cs_wait "$i" "^confchg members=.*joined=3:$(pid_of 3):JOIN"; done
# CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF: the totem configuration comes
# once the join is delivered, as in Corosync
for i in 1 2 3; do cs_wait "$i" '^totem ring=[0-9a-f]+\.[0-9a-f]+ members=1,2,3$'; done
cs_cmd 3 members
cs_wait 3 "^members list=1:$(pid_of 1),2:$(pid_of 2),3:$(pid_of 3)$"

step "messages: one sender, every member delivers in order"
for m in a b c; do cs_cmd 2 "send msg-$m"; done
for i in 1 2 3; do cs_wait "$i" "^deliver from=2:$(pid_of 2) msg-c$"; done
for i in 1 2 3; do
	[ "$(grep '^deliver' "$work/cs.$i.log" | tr '\n' ' ')" = "$(grep '^deliver' "$work/cs.1.log" | tr '\n' ' ')" ] ||
		fail "n$i delivered another sequence than n1"
done

step "leave: reason LEAVE"
cs_cmd 3 leave
cs_wait 1 "left=3:$(pid_of 3):LEAVE"
cs_wait 2 "left=3:$(pid_of 3):LEAVE"
cs_cmd 3 join
cs_wait 1 "joined=3:$(pid_of 3):JOIN"

step "kill -9 of a member process: reason PROCDOWN"
old2=$(pid_of 2)
kill -KILL "$old2"
cs_wait 1 "left=2:$old2:PROCDOWN"
cs_wait 3 "left=2:$old2:PROCDOWN"
cs_start 2
cs_wait 2 "^ready node=2\$" 2
cs_cmd 2 join
cs_wait 1 "joined=2:$(pid_of 2):JOIN"

step "kill -9 of a node: reason NODEDOWN and a totem confchg without it"
cluster kill 3 >/dev/null || fail "cannot kill n3"
cs_wait 1 "left=3:$(pid_of 3):NODEDOWN"
cs_wait 2 "left=3:$(pid_of 3):NODEDOWN"
cs_wait 1 '^totem ring=[0-9a-f]+\.[0-9a-f]+ members=1,2$'
# the program on the killed node sees its daemon go: dispatch fails with
# CS_ERR_LIBRARY and it exits
old3=$(pid_of 3)
cs_wait 3 '^error cpg_dispatch CS_ERR_LIBRARY$'
! wait "$old3" || fail "cscpg on the killed node exited 0"
mv "$work/cs.3.log" "$work/cs.3.old.log"
cluster restart 3 >/dev/null || fail "n3 did not come back"
cs_wait 1 '^totem ring=[0-9a-f]+\.[0-9a-f]+ members=1,2,3$' 2
cs_start 3
cs_wait 3 "^ready node=3\$"
cs_cmd 3 join
cs_wait 1 "joined=3:$(pid_of 3):JOIN" 1

step "partition n1 n2 | n3: NODEDOWN on both sides; heal: NODEUP"
aistool_on 1 fault partition "1,2/3" >/dev/null || fail "fault partition failed"
wait_members 1 "1 2"
wait_members 3 "3"
cs_wait 1 "left=3:$(pid_of 3):NODEDOWN"
cs_wait 3 "left=1:$(pid_of 1):NODEDOWN"
cs_wait 3 '^totem ring=[0-9a-f]+\.[0-9a-f]+ members=3$'
for i in 1 2 3; do aistool_on "$i" fault clear >/dev/null || fail "fault clear on n$i failed"; done
cluster wait --timeout 60 --quiet || fail "the rings did not merge"
cs_wait 1 "joined=3:$(pid_of 3):NODEUP"
cs_wait 3 "joined=.*1:$(pid_of 1):NODEUP"
cs_wait 3 '^totem ring=[0-9a-f]+\.[0-9a-f]+ members=1,2,3$' 2
cs_cmd 1 "send after-heal"
for i in 1 2 3; do cs_wait "$i" "^deliver from=1:$(pid_of 1) after-heal$"; done

step "no call failed; clean finalize"
for i in 1 2 3; do cs_cmd "$i" quit; done
for i in 1 2 3; do wait "$(pid_of "$i")" || fail "cscpg on n$i exited with an error"; done
! grep -h '^error' "$work"/cs.[0-9].log || fail "a call failed"
cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name"
