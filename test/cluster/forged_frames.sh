#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Forged membership frames without secauth: a JOIN, LEAVE or commit token
# sent in a member's name from another address, a JOIN listing 64
# processors (more than the nodelist), and a commit token naming a node
# outside the nodelist are all dropped and counted (aistool ring:
# rx_implausible, frames_implausible); the ring does not change. Before,
# one such JOIN held the ring in GATHER and a forged LEAVE or commit token
# forced a membership change.
. "$(dirname "$0")/lib.sh"

FRAMEGEN="$AIS_BUILD_DIR/test/cluster/framegen"

step "start 3 nodes (no secauth)"
cluster start 3 --timeout 60 || fail "the ring did not form"
ring0=$(expect_ring "1 2 3" 1 2 3)
port=$(sed -n 's/^PORT=//p' "$work/cluster.env")
before=$(ring_stat 1 memb_changes)
forge() { "$FRAMEGEN" "$@" --to "127.0.0.1:$port" --cluster ais-cluster --count 5 || fail "framegen $*"; }

step "frames in node 2's name from another address"
forge join --from 127.0.0.9 --sender 2 --procs 1-3
forge leave --from 127.0.0.9 --sender 2
forge commit --from 127.0.0.9 --sender 2 --procs 2,3
[ "$(ring_stat 1 rx_implausible)" -ge 15 ] || fail "forged-address frames not counted: $(aistool_on 1 ring --json)"

step "a JOIN listing 64 processors and a commit token naming an unknown node, from node 3's address"
forge join --from 127.0.0.3 --sender 3 --procs 1-64
forge commit --from 127.0.0.3 --sender 3 --procs 3,50
[ "$(ring_stat 1 frames_implausible)" -ge 10 ] || fail "implausible frames not counted: $(aistool_on 1 ring --json)"

step "the ring did not change"
sleep 3
[ "$(ring_stat 1 memb_changes)" = "$before" ] || fail "membership changed: $before -> $(ring_stat 1 memb_changes)"
ring1=$(expect_ring "1 2 3" 1 2 3)
[ "$ring1" = "$ring0" ] || fail "ring changed: $ring0 -> $ring1"

test_ok=1
echo "PASS: $test_name"
