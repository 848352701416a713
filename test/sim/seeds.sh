#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run totemsim over many seeds with mixed faults, two at a time, and print a
# summary plus the replay command of every failing seed. Exit 1 if any fails.
#
#   seeds.sh [--count N] [--first SEED] [--jobs J] [--long] [--keep FILE] [--accel W] [--pace US]
#
# The parameters of run i (nodes 2..16, one seed in 25 24..32, loss, duplication, reordering,
# partitions, crashes, leaves, fail-to-receive, safe share, message sizes, sequence start near
# 2^32) are a pure function of its seed, so a failure replays from the line
# printed. --long: 5000 seeds over the same space (make check-long).
# --accel W: every run with --accelerated-window W (the Accelerated Ring;
# 0 = classic); without it totemsim uses the totem default.
# --pace US: every run with --token-pace US (token pacing), and the runs
# of up to 8 nodes with small messages (16:*) offered 200 msgs/s per node
# instead of 20: a node paces only while its own rate would put 1.5
# messages or more into a visit every US (at 20 msgs/s it never would).
# Environment: TOTEMSIM (default ./totemsim next to this script's build dir).
set -u
sim=${TOTEMSIM:-./totemsim}

# Internal: run one simulation with the given arguments, print one line.
if [ "${SEEDS_ONE:-}" = 1 ]; then
	out=$("$sim" "$@" 2>&1)
	rc=$?
	last=$(printf '%s\n' "$out" | tail -n 1)
	if [ $rc -eq 0 ]; then
		printf 'PASS %s\n' "$last"
	else
		first_v=$(printf '%s\n' "$out" | grep -m1 -E '^violation|^simulator:|^totemsim: (bad|the|checker)' || true)
		printf 'FAIL rc=%s %s | %s | replay: %s %s\n' "$rc" "$last" "$first_v" "$sim" "$*"
	fi
	exit 0
fi


count=${SIM_SEEDS:-500}
first=1
jobs=2
dur_base=24
keep=
accel=
pace=

while [ $# -gt 0 ]; do
	case "$1" in
	--count) count=$2; shift 2 ;;
	--first) first=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--long) count=5000; shift ;;
	--keep) keep=$2; shift 2 ;;
	--accel) accel=$2; shift 2 ;;
	--pace) pace=$2; shift 2 ;;
	*) echo "usage: $0 [--count N] [--first SEED] [--jobs J] [--long] [--keep FILE] [--accel W] [--pace US]" >&2; exit 2 ;;
	esac
done



if [ ! -x "$sim" ]; then
	echo "seeds.sh: $sim not found (build it first, or set TOTEMSIM)" >&2
	exit 2
fi

# Deterministic parameters for one seed.
params() {
	local s=$1 h
	h=$(( (s * 2654435761 + 12345) % 4294967296 ))
	pick() { local -a a=("$@"); echo "${a[$(( h % ${#a[@]} ))]}"; h=$(( (h * 1103515245 + 12345) % 2147483648 )); }
	local nodes loss dup reorder parts crashes leaves deaf safe size seq dur rate
	# 2-16 nodes; one seed in 25 has 24-32
	if [ $(( s % 25 )) -eq 24 ]; then
		nodes=$(( 24 + (s / 25) % 9 ))
	else
		nodes=$(( 2 + s % 15 ))
	fi
	loss=$(pick 0 0 1 2 5 10 20 25); h=$(( h / 7 + s ))
	dup=$(pick 0 0 0 1 5); h=$(( h / 5 + s * 3 ))
	reorder=$(pick 0 0 2 10 20); h=$(( h / 4 + s * 7 ))
	parts=$(pick 0 1 1 2 3 4); h=$(( h / 5 + s * 11 ))
	crashes=$(pick 0 1 1 2 3); h=$(( h / 6 + s * 13 ))
	leaves=$(pick 0 0 1 2); h=$(( h / 5 + s * 17 ))
	deaf=$(pick 0 0 0 0 0 1 2); h=$(( h / 7 + s * 31 ))
	safe=$(pick 0 0 10 50 100); h=$(( h / 5 + s * 19 ))
	size=$(pick 16:1200 16:1200 16:1200 16:200 16:6000 1000:20000 1000:60000); h=$(( h / 6 + s * 23 ))
	seq=$(pick 0 0 0 0 4294967000 4294967290); h=$(( h / 6 + s * 29 ))
	dur=$(( dur_base + nodes * 2 + (h % 10) ))
	# rings above 8 nodes share 160 msgs/s of up to 20 KB: the load stays
	# within what a big ring carries by the end of the run, and 500 seeds
	# within the CI budget (membership is what the big rings are here for)
	rate=20
	if [ "$nodes" -gt 8 ]; then
		rate=$(( 160 / nodes ))
		[ "$size" = 1000:60000 ] && size=1000:20000
	fi
	if [ -n "$pace" ] && [ "${size%%:*}" = 16 ] && [ "$nodes" -le 8 ]; then
		rate=200
	fi
	echo "--nodes $nodes --seed $s --duration $dur --loss $loss --dup $dup --reorder $reorder" \
	     "--partitions $parts --crashes $crashes --leaves $leaves --fail-recv $deaf" \
	     "--safe $safe --msg-size $size" \
	     "--seq-start $seq --rate $rate${accel:+ --accelerated-window $accel}${pace:+ --token-pace $pace}"
}

results=$(mktemp)
trap 'rm -f "$results"' EXIT
start=$(date +%s)
for ((i = 0; i < count; i++)); do
	params $(( first + i ))
done | SEEDS_ONE=1 TOTEMSIM="$sim" xargs -P "$jobs" -L 1 "$0" > "$results"
end=$(date +%s)

ran=$(wc -l < "$results")
failed=$(grep -c '^FAIL' "$results")
delivered=$(sed -n 's/.*delivered=\([0-9]*\).*/\1/p' "$results" | awk '{s += $1} END {print s + 0}')
[ -n "$keep" ] && cp "$results" "$keep"
grep '^FAIL' "$results" | sort -t= -k3 -n | head -n 50
if [ "$failed" -gt 0 ]; then
	echo "seeds.sh: failures by first violation:"
	grep '^FAIL' "$results" |
		sed -e 's/.*| violation \[\([a-z-]*\)\].*/\1/' \
		    -e 's/.*| simulator: [^:]*: \([a-z ]*\).*/simulator: \1/' \
		    -e 's/^FAIL .*/other/' | sort | uniq -c
fi
echo "seeds.sh: seeds run=$ran failed=$failed messages delivered=$delivered time=$(( end - start ))s"
[ "$ran" -eq "$count" ] || { echo "seeds.sh: only $ran of $count runs reported" >&2; exit 1; }
[ "$failed" -eq 0 ]
