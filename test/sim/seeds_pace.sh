#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The fault mixes of seeds.sh with token pacing on (token_pace 10000 us: in
# the simulator a hop takes 300 +/- 200 us, so a pace of 10 ms holds the
# token on rings of up to about 30 nodes; at 200 msgs/s per node a visit
# every 10 ms carries 2 messages, above the pacing threshold of 1.5), the
# small-message runs of up to 8 nodes offered that load (seeds.sh --pace),
# on seeds neither the classic nor the accelerated run uses. SIM_SEEDS_PACE sets the count
# (default: half of SIM_SEEDS, the classic run's count).
#
#   seeds_pace.sh [seeds.sh options]
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "$here/seeds.sh" --count "${SIM_SEEDS_PACE:-$(( ${SIM_SEEDS:-500} / 2 ))}" --first 300001 --pace 10000 "$@"
