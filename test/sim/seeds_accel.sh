#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The fault mixes of seeds.sh with the Accelerated Ring on (accelerated_window
# 17 = max_messages: every new frame of a visit follows the token), on seeds
# the classic run of seeds.sh does not use. SIM_SEEDS_ACCEL sets the count
# (default: half of SIM_SEEDS, the classic run's count).
#
#   seeds_accel.sh [seeds.sh options]
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "$here/seeds.sh" --count "${SIM_SEEDS_ACCEL:-$(( ${SIM_SEEDS:-500} / 2 ))}" --first 100001 --accel 17 "$@"
