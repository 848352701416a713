#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# A five-node totem ring in the simulator, in virtual time: one node crashes
# and comes back, the ring is partitioned and merges again; every
# configuration change is printed as each node delivers it, then the
# per-node totals and the checker's verdict. Fixed seed: the run is the same
# every time. Used by `./quickstart demo`.
#
#   demo.sh [BUILD_DIR_OF_TEST_SIM]   (default: the current directory)
set -euo pipefail

dir=${1:-.}
sim="$dir/totemsim"
[ -x "$sim" ] || { echo "demo.sh: $sim not built (run make first)" >&2; exit 2; }

args=(--nodes 5 --seed 6 --duration 40 --crashes 1 --partitions 1 --loss 1
      --rate 50 --msg-size 16:1200 --safe 20 --print-confchg)

echo "Five simulated nodes: a crash and restart, a partition and its merge,"
echo "1% packet loss, 50 messages/s per node (20% safe). Virtual time in brackets."
echo "  $sim ${args[*]}"
echo
set +e
"$sim" "${args[@]}" 2>&1 | sed -e 's/^node \([0-9]*\): /  totals node \1: /'
rc=${PIPESTATUS[0]}
set -e
echo
if [ "$rc" -eq 0 ]; then
	echo "Every property of extended virtual synchrony held (see test/sim/README.md)."
else
	echo "The checker found a violation (above), with the command that replays it."
fi
exit "$rc"
