#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The fault mixes of seeds.sh with token pacing on (token_pace 3000 us: in
# the simulator a hop takes 300 +/- 200 us, so a pace of 3 ms holds the
# token on rings of up to about ten nodes), the small-message runs offered
# enough load to make the ring busy (seeds.sh --pace), on seeds neither the
# classic nor the accelerated run uses. SIM_SEEDS_PACE sets the count
# (default: half of SIM_SEEDS, the classic run's count).
#
#   seeds_pace.sh [seeds.sh options]
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "$here/seeds.sh" --count "${SIM_SEEDS_PACE:-$(( ${SIM_SEEDS:-500} / 2 ))}" --first 300001 --pace 3000 "$@"
