#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# `aisexec -t` runs every check the start runs (short of binding sockets)
# and names FILE:LINE of the key concerned; the start refuses the same
# configurations with the same message; no file the daemon opens can make
# it block (a FIFO in place of the configuration, the key or the ring-seq
# file is refused at once). No cluster is started.
. "$(dirname "$0")/lib.sh"

KEYGEN="$AIS_BUILD_DIR/tools/ais-keygen"
d="$work/n1"
mkdir -p "$d"
conf="$d/aisexec.conf"
good_key="$d/authkey"
"$KEYGEN" -k "$good_key" >/dev/null || fail "ais-keygen failed"

# write_conf KEYFILE [EXTRA_AISEXEC_LINES] [EXTRA_SECTIONS]: line numbers
# below depend on this layout (keyfile: line 5, the extra aisexec line: 16).
write_conf() {
	cat >"$conf" <<EOC
totem {
	cluster_name: ais-cluster
	transport: udpu
	secauth: on
	keyfile: $1
	nodeid: 1
	interface {
		ringnumber: 0
		bindnetaddr: 127.0.0.1
		mcastport: 5405
	}
}
aisexec {
	instance: $(inst 1)
	rundir: $d
	${2:-}
}
logging {
	to_stderr: off
	to_syslog: off
}
${3:-}
nodelist {
	node {
		nodeid: 1
		ring0_addr: 127.0.0.1
	}
}
EOC
}

# run_t: aisexec -t; run_start: aisexec -f (foreground). Both set $rc and
# $err; a hang is cut off after 30 s and fails the test.
run_t() {
	rc=0
	timeout 30 "$AISEXEC" -t -c "$conf" >"$work/out" 2>"$work/err" || rc=$?
	err=$(cat "$work/err")
	[ "$rc" != 124 ] || fail "aisexec -t hung"
}
run_start() {
	rc=0
	timeout 30 "$AISEXEC" -f -c "$conf" >"$work/out" 2>"$work/err" || rc=$?
	err=$(cat "$work/err")
	[ "$rc" != 124 ] || fail "aisexec start hung"
}
# expect_refused WHAT TEXT: both -t and the start refuse with TEXT on stderr.
expect_refused() {
	run_t
	[ "$rc" = 1 ] || fail "$1: aisexec -t accepted it (rc $rc): $err"
	grep -qF -- "$2" <<<"$err" || fail "$1: -t said: $err (expected: $2)"
	run_start
	[ "$rc" != 0 ] || fail "$1: the start accepted it"
	grep -qF -- "$2" <<<"$err" || fail "$1: the start said: $err (expected: $2)"
}

step "a good configuration passes"
write_conf "$good_key"
run_t
[ "$rc" = 0 ] || fail "good configuration refused: $err"

step "key file: missing, empty, too short, world-readable, a FIFO"
write_conf "$d/none.key"
expect_refused "missing key" "aisexec: $conf:5: cannot open key file $d/none.key"
: >"$d/empty.key"
chmod 600 "$d/empty.key"
write_conf "$d/empty.key"
expect_refused "empty key" "aisexec: $conf:5: key file $d/empty.key has 0 bytes"
head -c 15 "$good_key" >"$d/short.key"
chmod 600 "$d/short.key"
write_conf "$d/short.key"
expect_refused "short key" "aisexec: $conf:5: key file $d/short.key has 15 bytes"
cp "$good_key" "$d/open.key"
chmod 644 "$d/open.key"
write_conf "$d/open.key"
expect_refused "world-readable key" "aisexec: $conf:5: key file $d/open.key must be a regular file readable only by its owner"
mkfifo -m 600 "$d/fifo.key"
write_conf "$d/fifo.key"
expect_refused "FIFO key" "aisexec: $conf:5: key file $d/fifo.key must be a regular file"

step "unknown user and group"
write_conf "$good_key" "user: no-such-user-ais"
expect_refused "unknown user" "aisexec: $conf:16: unknown user 'no-such-user-ais'"
write_conf "$good_key" "group: no-such-group-ais"
expect_refused "unknown group" "aisexec: $conf:16: unknown group 'no-such-group-ais'"

step "a plugin that does not exist"
write_conf "$good_key" "" "service {
	name: cpg
}
service {
	name: example
	path: $d/none.so
}"
# service { path } is line 27 of the file written above
expect_refused "missing plugin" "aisexec: $conf:27: service plugin $d/none.so: No such file or directory"
# without path, a name that is not built in is NAME.so in aisexec { plugin_dir }
write_conf "$good_key" "plugin_dir: $d/plugins" "service {
	name: cpg
}
service {
	name: example
}"
expect_refused "missing plugin in plugin_dir" "aisexec: $conf:26: service plugin $d/plugins/example.so: No such file or directory"
write_conf "$good_key" "plugin_dir: plugins"
expect_refused "relative plugin_dir" "aisexec: $conf:16: plugin_dir: 'plugins' must be an absolute path"

step "a log file in a directory that does not exist, or that is a FIFO"
write_conf "$good_key"
sed -i "s|to_stderr: off|to_stderr: off\n\tto_logfile: on\n\tlogfile: $d/nodir/x.log|" "$conf"
expect_refused "log dir" "log file $d/nodir/x.log: directory $d/nodir: No such file or directory"
mkfifo "$d/log.fifo"
sed -i "s|^\tlogfile: .*|\tlogfile: $d/log.fifo|" "$conf"
expect_refused "FIFO log" "log file $d/log.fifo: not a regular file"

step "a FIFO as the configuration file"
mkfifo "$d/fifo.conf"
rc=0
timeout 30 "$AISEXEC" -t -c "$d/fifo.conf" >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" = 1 ] || fail "FIFO configuration: rc $rc"
grep -qF "$d/fifo.conf: not a regular file" "$work/err" || fail "FIFO configuration: $(cat "$work/err")"
rc=0
timeout 30 "$AISEXEC" -f -c "$d/fifo.conf" >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" = 1 ] || fail "FIFO configuration at start: rc $rc"

step "a FIFO as the ring-seq file does not hang the start"
write_conf "$good_key"
mkfifo "$d/ringseq"
rc=0
timeout 30 "$AISEXEC" -f -c "$conf" >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" != 124 ] || fail "start hung on a FIFO ring-seq file"
[ "$rc" != 0 ] || fail "start accepted a FIFO ring-seq file"

test_ok=1
echo "PASS: $test_name"
