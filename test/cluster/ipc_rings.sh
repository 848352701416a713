#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Each service's IPC rings are sized to its largest message
# (struct ais_service_engine.ipc_buffer_size): with N connections open to a
# service, what the daemon maps per connection (its /proc/PID/maps entries
# of the connection's /dev/shm/qb-* files: three rings, each a data file of
# the ring size plus a page and a 12 KiB header) is at most the size stated
# in include/ais/ipc_<service>.h, and clm costs less than a quarter of the
# old default. The largest legal messages still go through: a publish of
# AIS_EVT_DATA_MAX bytes with every pattern, received back, and a cfg dump.
. "$(dirname "$0")/lib.sh"

N=${N:-20}
CONNS="$AIS_BUILD_DIR/test/cluster/ipcconns"
daemon=
holder=
trap 'rc=$?; [ -z "$holder" ] || kill "$holder" 2>/dev/null; [ -z "$daemon" ] || kill -TERM $daemon 2>/dev/null; wait 2>/dev/null; (exit $rc); cleanup' EXIT
one_node_start "ipc_max_connections_per_uid: 1000
	ipc_max_connections: 1000"

# size_of MACRO HEADER: the value of a "#define MACRO (a * b + ...)" line
size_of() {
	local v
	v=$(sed -n "s/^#define $1 \(([0-9 *+]*)\).*/\1/p" "$AIS_SRCDIR/include/ais/$2")
	[ -n "$v" ] || fail "no $1 in include/ais/$2"
	echo $((v))
}
default=$(size_of AIS_IPC_MSG_MAX ipc.h)

# shm_of SERVICE: "<connections> <file bytes per connection> <mapped bytes per connection>"
shm_of() {
	python3 - "$daemon" "$AIS_INSTANCE-$1" <<'EOP'
import sys
pid, name = sys.argv[1], sys.argv[2]
files, mapped, conns = {}, 0, set()
for line in open('/proc/%s/maps' % pid):
    f = line.split()
    if len(f) < 6 or '/qb-' not in f[5]:
        continue
    base = f[5].rsplit('/', 1)[1]
    if not (base.endswith('-' + name + '-data') or base.endswith('-' + name + '-header')):
        continue
    a, b = (int(x, 16) for x in f[0].split('-'))
    mapped += b - a
    files[f[5]] = max(files.get(f[5], 0), b - a)
    conns.add(f[5].rsplit('/', 1)[0])
n = max(len(conns), 1)
print(len(conns), sum(files.values()) // n, mapped // n)
EOP
}

# hold SERVICE: N connections held by ipcconns (coprocess HOLD)
hold() {
	coproc HOLD { exec "$CONNS" "$1" "$N"; }
	holder=$HOLD_PID
	read -r line <&"${HOLD[0]}" || fail "ipcconns $1 $N did not open its connections"
	[ "$line" = "opened $N" ] || fail "ipcconns $1: $line"
}
release() {
	echo >&"${HOLD[1]}"
	read -r line <&"${HOLD[0]}" || true
	wait "$holder" 2>/dev/null || true
	holder=
}

for spec in clm:AIS_CLM_IPC_BUFFER_SIZE:ipc_clm.h cfg:AIS_CFG_IPC_BUFFER_SIZE:ipc_cfg.h \
	evt:AIS_EVT_IPC_BUFFER_SIZE:ipc_evt.h cpg:AIS_IPC_MSG_MAX:ipc.h amf:AIS_IPC_MSG_MAX:ipc.h; do
	IFS=: read -r svc macro header <<<"$spec"
	size=$(size_of "$macro" "$header")
	# three rings: data file (size + a page, rounded to pages) and header
	bound=$((3 * (((size + 4096 + 4095) / 4096) * 4096 + 12288)))
	step "$svc: $N connections map at most $bound bytes each (rings of $size bytes)"
	hold "$svc"
	read -r n files mapped <<<"$(shm_of "$svc")"
	echo "$svc: $n connections, $files bytes of shm files and $mapped bytes mapped per connection"
	# aistool is not running: the daemon maps exactly ours
	[ "$n" = "$N" ] || fail "$svc: the daemon maps rings of $n connections, expected $N"
	[ "$files" -le "$bound" ] || fail "$svc: $files bytes of rings per connection, more than $bound"
	# every data file is mapped twice (the ring wraps through a second mapping)
	[ "$mapped" -le $((2 * bound)) ] || fail "$svc: $mapped bytes mapped per connection, more than $((2 * bound))"
	if [ "$svc" = clm ]; then
		old=$((3 * (default + 4096)))
		[ "$files" -lt $((old / 4)) ] || fail "clm connections cost $files bytes, not less than a quarter of $old"
	fi
	release
done

step "the largest messages go through the smaller rings"
pats=()
for i in $(seq 32); do pats+=("$(printf "p%02d%0252d" "$i" 0)"); done
data_max=$(sed -n 's/^#define AIS_EVT_DATA_MAX (\([0-9 *]*\)).*/\1/p' "$AIS_SRCDIR/include/ais/ipc_evt.h")
data_max=$((data_max))
"$AIS_BUILD_DIR/services/evt_pub" -c ipc-rings -s "$data_max" -r 600000 "${pats[@]}" >"$work/pub.out" 2>&1 ||
	fail "a publish of $data_max bytes with 32 patterns failed: $(cat "$work/pub.out")"
grep -q '^published ' "$work/pub.out" || fail "evt_pub printed no event id"
"$AIS_BUILD_DIR/services/evt_sub" -c ipc-rings -n 1 -t 60 >"$work/sub.out" 2>&1 ||
	fail "the retained event of $data_max bytes was not delivered: $(cat "$work/sub.out")"
aistool_on 1 dump >"$work/dump.out" || fail "aistool dump failed"
grep -q '== cfg\|== aisexec' "$work/dump.out" || fail "the dump has no text"

test_ok=1
echo "PASS: $test_name"
