#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Corosync's CPG cases against libaiscpg and a live daemon: cpgcases (built
# from Corosync names through the compatibility headers) checks what every
# call returns for bad handles, bad arguments, each join/leave state,
# dispatch with nothing pending and finalize in a callback, then kills the
# daemon and checks every call after its death.
. "$(dirname "$0")/lib.sh"
CASES="$AIS_BUILD_DIR/test/cluster/cpgcases"
[ -x "$CASES" ] || { echo "ERROR: $CASES is not built" >&2; exit 99; }

one_node_start

step "the cases (cpgcases kills the daemon for the last part)"
"$CASES" "$daemon" >"$work/cases.out" 2>&1 || { cat "$work/cases.out"; fail "cpgcases failed"; }
cat "$work/cases.out"
wait "$daemon" 2>/dev/null || true
test_ok=1
