#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# `aisexec -t` with amf { mode: enabled file: ... }: no cluster is started.
# The shipped conf/amf.conf.example passes ("configuration OK", and -v
# prints the model summary); broken AMF files fail with exit status 1 and
# FILE:LINE: reason on stderr; a FIFO in place of the file is refused
# without blocking; with mode: disabled the AMF file is not read.
. "$(dirname "$0")/lib.sh"

mkdir -p "$work/n1"
conf="$work/n1/aisexec.conf"
write_conf() { # $1: amf mode, $2: amf file
	cat >"$conf" <<EOC
totem {
	cluster_name: ais-cluster
	transport: udpu
	nodeid: 1
	interface {
		ringnumber: 0
		bindnetaddr: 127.0.0.1
		mcastport: 5405
	}
}
nodelist {
	node {
		nodeid: 1
		ring0_addr: 127.0.0.1
		name: n1
	}
	node {
		nodeid: 2
		ring0_addr: 127.0.0.2
		name: n2
	}
	node {
		nodeid: 3
		ring0_addr: 127.0.0.3
		name: n3
	}
}
logging {
	to_stderr: off
	to_syslog: off
}
aisexec {
	instance: $(inst 1)
	rundir: $work/n1
}
amf {
	mode: $1
	file: $2
}
EOC
}

# Runs aisexec -t (with extra args); sets $rc, $out and $err. A hang is
# cut off after 60 s and fails the test (aisexec -t must never wait).
run_t() {
	rc=0
	timeout 60 "$AISEXEC" -t "$@" -c "$conf" >"$work/out" 2>"$work/err" || rc=$?
	[ "$rc" != 124 ] || fail "aisexec -t $* hung"
	out=$(cat "$work/out")
	err=$(cat "$work/err")
}

step "the shipped example, by a path relative to aisexec.conf"
cp "$AIS_SRCDIR/conf/amf.conf.example" "$work/n1/amf.conf"
write_conf enabled amf.conf
run_t
[ "$rc" = 0 ] || fail "example rejected (rc $rc): $err"
[ "$out" = "configuration OK" ] || fail "unexpected output: $out"
[ -z "$err" ] || fail "unexpected stderr: $err"

step "-v prints the AMF model summary"
run_t -v
[ "$rc" = 0 ] || fail "aisexec -t -v failed (rc $rc): $err"
grep -q "^configuration OK$" <<<"$out" || fail "no 'configuration OK': $out"
grep -q "^amf: cluster demo: 3 nodes, 2 applications, 2 service groups, 5 service units, 5 components" <<<"$out" ||
	fail "no model counts: $out"
grep -q "^amf: redundancy models: 2n 1, nplusm 1, nway 0, nwayactive 0, noredundancy 0$" <<<"$out" ||
	fail "no redundancy models: $out"
grep -q "^amf: safSg=web-2n,safApp=web: 2n, 2 service units, 1 service instances$" <<<"$out" ||
	fail "no web-2n line: $out"
grep -q "^amf: node n3: CLM node n3$" <<<"$out" || fail "no node line: $out"

step "an unknown redundancy model and an unknown hosting node"
amf="$work/n1/amf.conf"
sed -e 's/saAmfSGRedundancyModel = 2n/saAmfSGRedundancyModel = 3n/' \
	-e 's/saAmfSUHostedByNode = n3/saAmfSUHostedByNode = n4/' \
	"$AIS_SRCDIR/conf/amf.conf.example" >"$amf"
l_model=$(grep -n "saAmfSGRedundancyModel = 3n" "$amf" | cut -d: -f1)
l_host=$(grep -n "saAmfSUHostedByNode = n4" "$amf" | cut -d: -f1)
run_t
[ "$rc" = 1 ] || fail "broken file accepted (rc $rc): $out"
grep -q "configuration OK" <<<"$out" && fail "'configuration OK' printed for a broken file"
grep -qF "aisexec: $amf:$l_model: saAmfSGRedundancyModel: unknown value '3n'" <<<"$err" ||
	fail "no model error at line $l_model: $err"
grep -qF "aisexec: $amf:$l_host: saAmfSUHostedByNode 'n4' names no safAmfNode" <<<"$err" ||
	fail "no hosting error at line $l_host: $err"

step "a 2n service group with one service unit, and an unclosed block"
printf '%s\n' "safAmfCluster = c {" \
	"	safAmfNode = a {" "		saAmfNodeClmNode = n1" "	}" \
	"	safApp = x {" "		safSg = g {" "			saAmfSGRedundancyModel = 2n" \
	"			safSu = u {" "				saAmfSUHostedByNode = a" \
	"				safComp = p {" "					saAmfCompCategory = sa_aware" \
	"					saAmfCompCapability = x_active_or_y_standby" \
	"					saAmfCompInstantiateCmd = /bin/true" "					saAmfCompCleanupCmd = /bin/true" \
	"				}" "			}" "		}" "	}" >"$amf"
run_t
[ "$rc" = 1 ] || fail "broken file accepted (rc $rc)"
grep -qF "aisexec: $amf:7: safSg 'g': redundancy model 2n needs at least 2 service units, it has 1" <<<"$err" ||
	fail "no 2n error: $err"
grep -qF "aisexec: $amf:1: block safAmfCluster is not closed at the end of the file" <<<"$err" ||
	fail "no unclosed-block error: $err"

step "a missing file and a FIFO"
write_conf enabled "$work/n1/none.conf"
run_t
[ "$rc" = 1 ] || fail "missing file accepted"
grep -qF "aisexec: $work/n1/none.conf: cannot open: " <<<"$err" || fail "no open error: $err"
mkfifo "$work/n1/fifo.conf"
write_conf enabled "$work/n1/fifo.conf"
run_t
[ "$rc" = 1 ] || fail "FIFO accepted"
grep -qF "aisexec: $work/n1/fifo.conf: not a regular file" <<<"$err" || fail "no FIFO error: $err"

step "mode: disabled does not read the file"
write_conf disabled "$work/n1/none.conf"
run_t
[ "$rc" = 0 ] && [ "$out" = "configuration OK" ] || fail "disabled AMF: rc $rc, $out $err"

test_ok=1
echo "PASS: $test_name"
