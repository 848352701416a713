#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# sim-cost.sh: CPU cost of the protocol, counted by callgrind on the totem
# simulator (test/sim/totemsim: N totem instances over pg + srp in one process,
# simulated network, virtual time), so the numbers do not depend on how busy
# the machine is. For each offered load and node count: one run with a fixed
# seed, no faults and a fixed timeline (--token-coefficient 0 keeps the
# timeline the same for every node count), then
#   Ir/deliv     all instructions of the run / deliveries (the last line of
#                totemsim: delivered = sum over nodes, i.e. messages x nodes)
#   totem Ir/deliv  the same for the self cost of the functions in exec/totem
#                (pg, srp, wire: the protocol; not the simulator, checker, libc)
#   Ir/msg       all instructions / distinct messages (delivered / N)
#   totem Ir/msg protocol instructions / distinct message (all nodes together)
#   rotations    token receptions (calls of srp_token_recv) / N
#   msgs/rot     distinct messages per token rotation
#   frames/rot   data frames sent (calls of srp_msg_send, originals and
#                retransmissions; pg packs small messages into frames) per rotation
#   dgrams/msg   datagrams the simulated network carried / distinct message
# totemsim does not print token rotations itself: they come from the callgrind
# call counts.
#
# Environment: NODES="3 5 9 16" SEED=1 DURATION=10 LOADS="300 3000" (messages
# per second offered by all nodes together, split evenly), SIZES=16:1200
# (--msg-size), SIM_ARGS (more totemsim options, e.g. "--accelerated-window 0"),
# TOTEMSIM (default $AIS_BUILD_DIR/test/sim/totemsim),
# OUT (callgrind files and totemsim output; default a new scratch directory).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NODES=${NODES:-"3 5 9 16"}
SEED=${SEED:-1}
DURATION=${DURATION:-10}
LOADS=${LOADS:-"300 3000"}
SIZES=${SIZES:-16:1200}
SIM_ARGS=${SIM_ARGS:-}

if [ -z "${AIS_BUILD_DIR:-}" ]; then
	if [ -x "$PWD/test/sim/totemsim" ]; then AIS_BUILD_DIR=$PWD; else AIS_BUILD_DIR=$here/..; fi
fi
SIM=${TOTEMSIM:-$AIS_BUILD_DIR/test/sim/totemsim}
[ -x "$SIM" ] || { echo "sim-cost.sh: $SIM missing (make -C test/sim totemsim)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "sim-cost.sh: valgrind missing (apt-get install valgrind)" >&2; exit 1; }
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/ais-simcost.XXXXXX")}
mkdir -p "$OUT"

# calls FILE FUNCTION: how often FUNCTION was called (callgrind "calls=" lines
# below a "cfn=" naming it; names are compressed to "(id)" after first use)
calls() {
	awk -v want="$2" '
		/^c?fn=\(/ {
			id = $0; sub(/^c?fn=/, "", id); nm = id
			sub(/\).*/, ")", id); sub(/^\([0-9]+\) ?/, "", nm)
			if (nm != "") name[id] = nm
			if ($0 ~ /^cfn=/) cur = id
			next
		}
		/^calls=/ { if (name[cur] == want) { n = $0; sub(/^calls=/, "", n); sub(/ .*/, "", n); s += n } }
		END { printf "%d\n", s }' "$1"
}

# totem_ir FILE: self instructions of the functions defined in exec/totem/
totem_ir() {
	callgrind_annotate --threshold=100 --inclusive=no --auto=no "$1" 2>/dev/null |
		awk '/exec\/totem\/[a-z_]*\.[ch]:/ { v = $1; gsub(/,/, "", v); s += v } END { printf "%d\n", s }'
}

total_ir() { sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$1" | head -n 1; }

echo "totemsim protocol cost: seed $SEED, no faults, ${DURATION}s timeline (--token-coefficient 0)," \
	"message sizes $SIZES${SIM_ARGS:+, $SIM_ARGS}; valgrind $(valgrind --version | sed 's/valgrind-//'); raw: $OUT"
for load in $LOADS; do
	echo
	echo "offered load: $load messages/s in total (split over the nodes)"
	echo "| nodes | messages | deliveries | Ir/deliv | totem Ir/deliv | Ir/msg | totem Ir/msg | rotations | msgs/rot | frames/rot | dgrams/msg | checker |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|"
	for n in $NODES; do
		rate=$(awk -v t="$load" -v n="$n" 'BEGIN { printf "%.3f", t / n }')
		cg=$OUT/callgrind-$load-$n.out
		txt=$OUT/totemsim-$load-$n.txt
		rc=0
		valgrind --tool=callgrind --callgrind-out-file="$cg" "$SIM" --nodes "$n" --seed "$SEED" \
			--duration "$DURATION" --rate "$rate" --msg-size "$SIZES" --token-coefficient 0 \
			--verbose $SIM_ARGS >"$txt" 2>"$OUT/valgrind-$load-$n.txt" || rc=$?
		last=$(grep '^totemsim: seed=' "$txt" | tail -n 1)
		deliv=$(echo "$last" | tr ' ' '\n' | sed -n 's/^delivered=//p')
		viol=$(echo "$last" | tr ' ' '\n' | sed -n 's/^violations=//p')
		if [ -z "$deliv" ] || [ "$deliv" = 0 ]; then
			echo "| $n | totemsim failed (rc $rc), see $txt ||||||||||"
			continue
		fi
		ir=$(total_ir "$cg")
		tir=$(totem_ir "$cg")
		tok=$(calls "$cg" srp_token_recv)
		frames=$(calls "$cg" srp_msg_send)
		dgrams=$(sed -n 's/^network: events [0-9]* sent \([0-9]*\).*/\1/p' "$txt")
		awk -v n="$n" -v d="$deliv" -v ir="$ir" -v tir="$tir" -v tok="$tok" -v fr="$frames" \
			-v dg="$dgrams" -v ok="$([ "$viol" = 0 ] && [ "$rc" = 0 ] && echo yes || echo "NO($viol)")" 'BEGIN {
			m = d / n; rot = tok / n
			printf "| %d | %.0f | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f | %.2f | %.1f | %s |\n",
				n, m, d, ir / d, tir / d, ir / m, tir / m, rot, rot ? m / rot : 0, rot ? fr / rot : 0,
				m ? dg / m : 0, ok }'
	done
done
