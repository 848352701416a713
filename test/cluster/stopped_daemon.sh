#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A stopped daemon (SIGSTOP) accepts IPC connections in the kernel but
# never answers: aistool and `ais-cluster status|wait` must still end, with
# a clear error, within the client library's stated connect bound
# (AIS_CLIENT_CONNECT_TIMEOUT_MS, 10 s; $AIS_CONNECT_TIMEOUT_MS replaces it,
# as ais-cluster does with 2 s for its polls), and work again once the
# daemon continues.
. "$(dirname "$0")/lib.sh"

step "start 1 node"
cluster start 1 --timeout 60 || fail "the node did not start"
pid=$(cat "$work/n1/ais-cluster.pid") || fail "no pid file"

step "stop it: aistool status ends with a clear error"
kill -STOP "$pid"
rc=0
out=$(AIS_CONNECT_TIMEOUT_MS=3000 timeout 45 "$AISTOOL" -i "$(inst 1)" status 2>&1) || rc=$?
[ "$rc" != 124 ] || { kill -CONT "$pid"; fail "aistool status hung on a stopped daemon"; }
[ "$rc" != 0 ] || { kill -CONT "$pid"; fail "aistool status succeeded on a stopped daemon"; }
grep -q "did not answer within 3000 ms" <<<"$out" || { kill -CONT "$pid"; fail "unclear error: $out"; }

step "ais-cluster status and wait end too"
rc=0
timeout 60 "$AIS_CLUSTER" --dir "$work" --prefix "$prefix" status >/dev/null 2>&1 || rc=$?
[ "$rc" != 124 ] || { kill -CONT "$pid"; fail "ais-cluster status hung"; }
rc=0
timeout 90 "$AIS_CLUSTER" --dir "$work" --prefix "$prefix" wait --timeout 5 >/dev/null 2>&1 || rc=$?
[ "$rc" != 124 ] || { kill -CONT "$pid"; fail "ais-cluster wait hung"; }
[ "$rc" != 0 ] || { kill -CONT "$pid"; fail "ais-cluster wait reported a stopped node ready"; }

step "continue it: everything answers again"
kill -CONT "$pid"
aistool_on 1 status >/dev/null || fail "aistool status fails after SIGCONT"
cluster wait --timeout 30 || fail "ais-cluster wait fails after SIGCONT"

test_ok=1
echo "PASS: $test_name"
