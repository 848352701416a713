# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Scenarios shared by run.sh and compare-corosync.sh (sourced, not run).
# The caller defines
#   node_run I PROGRAM ARGS...   run PROGRAM in the context of node I
#                                (instance variable, network namespace...)
# and sets CPGB (the cpgbench binary to use), DUR, LATN, LATIV.
# Every scenario writes the raw "RESULT key=value" lines of each process to
# PREFIX.nI and prints one line of space-separated fields (see each function);
# a field that could not be measured is "-".

# kv KEY: the value of KEY=... in the key=value words on stdin
kv() { tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }
# res FILE KEY: KEY of the RESULT line in FILE ("" if there is none)
res() { { grep -h "^RESULT" "$1" 2>/dev/null || true; } | kv "$2"; }

# Start a cpgbench on node I in the background, output to FILE; the pid is
# appended to BG_PIDS. Only these pids are waited for (the caller may have
# daemons of its own running in the background).
bg_bench() {
	local i=$1 f=$2
	shift 2
	node_run "$i" "$CPGB" "$@" >"$f" 2>&1 &
	BG_PIDS+=("$!")
}

bg_wait() {
	local p
	for p in "${BG_PIDS[@]}"; do wait "$p" || true; done
	BG_PIDS=()
}

# why: "nI:REASON" for every process that did not finish normally
why() {
	local f=$1 i out=""
	for i in 1 2 3; do
		if ! grep -q '^RESULT' "$f.n$i" 2>/dev/null; then
			out+="n$i:noresult,"
		elif [ "$(res "$f.n$i" timed_out)" != 0 ]; then
			out+="n$i:$(res "$f.n$i" stop),"
		fi
	done
	echo "${out%,}"
}

ms() { awk -v v="$1" 'BEGIN { if (v == "") print "-"; else printf "%.2f", v / 1000 }'; }

# (a) one sender on n1, receivers on n2 and n3.
# Prints: msgs/s MB/s ok p50_ms p99_ms tryagain
scen_a() {
	local s=$1 f=$2 i sent h1 ok=yes
	rm -f "$f".n*
	BG_PIDS=()
	for i in 2 3; do bg_bench "$i" "$f.n$i" -r -S 1 -T $((DUR + 30)); done
	bg_bench 1 "$f.n1" -s "$s" -t "$DUR" -w 3 -S 1 -T $((DUR + 30))
	bg_wait
	sent=$(res "$f.n1" sent)
	h1=$(res "$f.n1" order_hash)
	if [ -z "$sent" ] || [ "$(res "$f.n1" timed_out)" != 0 ]; then
		echo "- - NO($(why "$f")) - - -"
		return
	fi
	for i in 1 2 3; do
		[ "$(res "$f.n$i" deliv_all)" = "$sent" ] || ok=NO
		[ "$(res "$f.n$i" order_hash)" = "$h1" ] || ok=NO
		[ "$(res "$f.n$i" fifo_err)" = 0 ] || ok=NO
	done
	echo "$(res "$f.n1" own_msgs_s) $(res "$f.n1" own_MBps) $ok" \
		"$(ms "$(res "$f.n1" lat_us_p50)") $(ms "$(res "$f.n1" lat_us_p99)") $(res "$f.n1" tryagain)"
}

# (b) senders on n1, n2 and n3 at once.
# Prints: aggregate_msgs/s aggregate_MB/s per-sender(n1/n2/n3) ok
scen_b() {
	local s=$1 f=$2 i total=0 d agg aggmb per ok=yes hashes
	rm -f "$f".n*
	BG_PIDS=()
	for i in 1 2 3; do bg_bench "$i" "$f.n$i" -s "$s" -t "$DUR" -w 3 -S 3 -T $((DUR + 30)); done
	bg_wait
	for i in 1 2 3; do
		d=$(res "$f.n$i" sent)
		if [ -z "$d" ] || [ "$(res "$f.n$i" timed_out)" != 0 ]; then
			echo "- - - NO($(why "$f"))"
			return
		fi
		total=$((total + d))
	done
	for i in 1 2 3; do
		[ "$(res "$f.n$i" deliv_all)" = "$total" ] || ok=NO
		[ "$(res "$f.n$i" fifo_err)" = 0 ] || ok=NO
	done
	hashes=$(for i in 1 2 3; do res "$f.n$i" order_hash; done | sort -u | wc -l)
	[ "$hashes" = 1 ] || ok=NO
	agg=$(for i in 1 2 3; do res "$f.n$i" all_msgs_s; done | awk '{ s += $1 } END { printf "%.0f", s / NR }')
	aggmb=$(for i in 1 2 3; do res "$f.n$i" all_MBps; done | awk '{ s += $1 } END { printf "%.2f", s / NR }')
	per=$(for i in 1 2 3; do res "$f.n$i" own_msgs_s; done | paste -sd/)
	echo "$agg $aggmb $per $ok"
}

# (c) latency: one sender on n1, one message every LATIV us, LATN messages,
# receivers on n2 and n3.
# Prints: p50_us p90_us p99_us max_us ok
scen_c() {
	local s=$1 f=$2 i h1 ok=yes
	rm -f "$f".n*
	BG_PIDS=()
	for i in 2 3; do bg_bench "$i" "$f.n$i" -r -S 1; done
	bg_bench 1 "$f.n1" -L -s "$s" -n "$LATN" -i "$LATIV" -w 3 -S 1
	bg_wait
	h1=$(res "$f.n1" order_hash)
	if [ -z "$h1" ] || [ "$(res "$f.n1" timed_out)" != 0 ]; then
		echo "- - - - NO($(why "$f"))"
		return
	fi
	for i in 1 2 3; do
		[ "$(res "$f.n$i" deliv_all)" = "$LATN" ] || ok=NO
		[ "$(res "$f.n$i" order_hash)" = "$h1" ] || ok=NO
	done
	echo "$(res "$f.n1" lat_us_p50) $(res "$f.n1" lat_us_p90) $(res "$f.n1" lat_us_p99)" \
		"$(res "$f.n1" lat_us_max) $ok"
}

# median of the numbers on stdin ("-" lines are skipped; "-" if none)
median() {
	grep -v '^-$' | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
