#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# failover.sh: failure detection time of aisexec and Corosync side by side,
# real daemons with the same totem settings in the same network namespaces
# as compare-corosync.sh (bench/lib.sh: namespace aisfI holds node I,
# 10.77.0.I/24 on a veth into the bridge of namespace aisf-br; nothing is
# configured in the root namespace and no traffic leaves the namespaces).
#
# For every token timeout in TOKENS and cluster size in NODES, REPS times,
# alternating which system goes first, each system (aisexec udpu, Corosync
# udpu) is started with
#     token: T   token_coefficient: TOKEN_COEFF   consensus: 1.2 * T
# (everything else at the defaults, which are the same on both), and once all
# nodes are in one ring these cases run in turn (CASES):
#   kill      kill -9 the daemon of the highest node id; restarted afterwards
#   kill-low  kill -9 the daemon of node 1, the lowest id (ring representative)
#   leave     SIGTERM to the daemon of the highest node id (clean leave)
#   merge     cut the highest node id off the network (its bridge port stops
#             forwarding: no interface changes state on any node), wait until
#             both sides have formed their rings ("cut"), then heal ("merge")
# Every node runs bench/cpgwatch (one source, built against libaiscpg and
# against Corosync's libcpg): it joins a CPG group and stamps each totem
# configuration (cpg_totem_confchg_fn; both systems deliver it once the new
# ring is synchronised) and each group change with CLOCK_MONOTONIC. The
# fault is injected by cpgwatch -K (clock read just before kill()) or right
# after cpgwatch -N (link changes). Measured per node: time from the fault
# to the first totem configuration with exactly the expected members; per
# repetition the slowest node counts ("every survivor has the new ring").
# The tables give the median over REPS with min..max, the ratio
# aisexec / Corosync, and how many totem configurations a node saw up to
# the expected one (1 = it went straight to the right ring). A second table
# splits the time into phases from the daemons' logs (hires timestamps):
# token declared lost, new ring formed, synchronisation finished.
#
# Environment:
#   TOKENS="1000 3000"     token timeouts (ms)
#   NODES="3 5 9"          cluster sizes
#   CASES="kill kill-low leave merge"
#   REPS=3                 repetitions (median reported)
#   TOKEN_COEFF=0          token_coefficient on both systems
#   SETTLE=2               seconds of quiet after the ring is whole again
#   CS_SCHED_RR=yes        Corosync's system.sched_rr;  CS_FLAGS=  extra flags
#   LOG_DEBUG=off          logging.debug of both systems (on: for reading the
#                          logs of a run; it adds work to every event)
#   AIS_BUILD_DIR          aisexec build tree (default: current directory if
#                          it holds exec/aisexec, else the source tree)
#   WORK=/tmp/ais-failover scratch directory (configs, logs, watcher output,
#                          raw results; the daemons' logs are kept per run)
#   SKIP_APT=1             never call apt-get
# Needs root (namespaces, Corosync). See docs/PERFORMANCE.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

TOKENS=${TOKENS:-"1000 3000"}
NODES=${NODES:-"3 5 9"}
CASES=${CASES:-"kill kill-low leave merge"}
REPS=${REPS:-3}
TOKEN_COEFF=${TOKEN_COEFF:-0}
SETTLE=${SETTLE:-2}
CS_SCHED_RR=${CS_SCHED_RR:-yes}
CS_FLAGS=${CS_FLAGS:-}
W=${WORK:-/tmp/ais-failover}
NS=aisf
PORT=5405
ME=failover.sh
LOG_TIMESTAMP=hires
GROUP=failover

# --- prerequisites ------------------------------------------------------------

need_pkgs corosync libcpg-dev libcorosync-common-dev iproute2 util-linux
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, corosync)"

ais_build_locate cpgwatch
WATCH_AIS=$AIS_BUILD_DIR/bench/cpgwatch
for c in $CASES; do
	case $c in kill | kill-low | leave | merge) ;; *) die "unknown case '$c'" ;; esac
done
maxn=0
for n in $NODES; do
	{ [ "$n" -ge 3 ] && [ "$n" -le 64 ]; } || die "node counts must be 3..64 (got $n)"
	[ "$n" -gt "$maxn" ] && maxn=$n
done

mkdir -p "$W"
W=$(cd "$W" && pwd)
RES=$W/results
rm -rf "$RES" "$W/run"
mkdir -p "$RES" "$W/run"
WATCH_CS=$W/cpgwatch-corosync
# the same source, built against Corosync's libcpg
${CC:-cc} -O2 -g -DWITH_COROSYNC -I"$AIS_BUILD_DIR" -o "$WATCH_CS" "$here/cpgwatch.c" -lcpg ||
	die "cannot build cpgwatch against corosync (libcpg-dev)"

# --- namespaces, daemons, watchers --------------------------------------------

WPIDS=()

stop_watchers() {
	local p
	for p in "${WPIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${WPIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	WPIDS=()
}

cleanup() {
	stop_watchers
	stop_pids
	ns_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ns_setup "$maxn"

SYSTEM=""
CELL=""

# node_start I: (re)start the daemon of node I, and its watcher once the
# daemon answers
node_start() {
	local i=$1
	if [ "$SYSTEM" = aisexec ]; then
		ais_node_start "$i"
	else
		cs_node_start "$i" udpu
	fi
}

watch_start() {
	local i=$1 k
	for ((k = 0; k < 100; k++)); do
		if [ "$SYSTEM" = aisexec ]; then
			ip netns exec "$NS$i" "$AISTOOL" -i "${NS}n$i" status >/dev/null 2>&1 && break
		else
			ip netns exec "$NS$i" corosync-cmapctl -g runtime.votequorum.this_node_id \
				>/dev/null 2>&1 && break
		fi
		sleep 0.1
	done
	if [ "$SYSTEM" = aisexec ]; then
		ip netns exec "$NS$i" env AIS_INSTANCE="${NS}n$i" "$WATCH_AIS" -g "$GROUP" -T 7200 \
			>>"$CELL/watch.n$i" 2>>"$CELL/watch.err" &
	else
		ip netns exec "$NS$i" "$WATCH_CS" -g "$GROUP" -T 7200 \
			>>"$CELL/watch.n$i" 2>>"$CELL/watch.err" &
	fi
	WPIDS[i]=$!
}

watch_stop() {
	local i=$1
	if [ -n "${WPIDS[$i]:-}" ]; then
		kill -TERM "${WPIDS[$i]}" 2>/dev/null || true
		wait "${WPIDS[$i]}" 2>/dev/null || true
		unset "WPIDS[$i]"
	fi
}

# last_event I KIND: the last event of KIND in node I's watcher output as
# "ring n sorted-members" (ring is "-" for cpg events)
last_event() {
	awk -v k="kind=$2" '$3 == k { last = $0 } END { print last }' "$CELL/watch.n$1" 2>/dev/null |
		awk '{ r = "-"; n = ""; m = ""
			for (f = 1; f <= NF; f++) {
				if ($f ~ /^ring=/) r = substr($f, 6)
				if ($f ~ /^n=/) n = substr($f, 3)
				if ($f ~ /^members=/) m = substr($f, 9)
			}
			if (n != "") print r, n, m }' |
		{ read -r r n m || exit 0; echo "$r $n $(echo "$m" | tr ',' '\n' | sort -n | paste -sd,)"; }
}

# converged NODES EXPECTED: every node in NODES (space separated) has the
# totem configuration EXPECTED (comma list, sorted), one ring id among them,
# and a group of as many members
converged() {
	local nodes=$1 want=$2 i t c rings="" cnt
	cnt=$(echo "$want" | tr ',' '\n' | wc -l)
	for i in $nodes; do
		t=$(last_event "$i" totem)
		[ -n "$t" ] || return 1
		[ "${t#* * }" = "$want" ] || return 1
		rings+="${t%% *} "
		c=$(last_event "$i" cpg)
		[ -n "$c" ] || return 1
		[ "$(echo "$c" | awk '{ print $2 }')" = "$cnt" ] || return 1
	done
	[ "$(echo "$rings" | tr ' ' '\n' | sed '/^$/d' | sort -u | wc -l)" = 1 ]
}

# wait_converged NODES EXPECTED SECS
wait_converged() {
	local k
	for ((k = 0; k < $3 * 5; k++)); do
		converged "$1" "$2" && return 0
		sleep 0.2
	done
	return 1
}

all_nodes() { seq -s' ' 1 "$N"; }
members_but() { seq 1 "$N" | grep -vx "$1" | paste -sd,; }

cluster_start() {
	local i
	CELL=$W/run/t$TOKEN-n$N-r$REP-$SYSTEM
	mkdir -p "$CELL"
	CS_DIR=$CELL
	AIS_DIR=$CELL
	if [ "$SYSTEM" = aisexec ]; then ais_start; else cs_start udpu; fi
	for ((i = 1; i <= N; i++)); do watch_start "$i"; done
	wait_converged "$(all_nodes)" "$(seq -s, 1 "$N")" 60 ||
		die "$SYSTEM: watchers did not see one $N-node ring in 60 s ($CELL)"
	sleep "$SETTLE"
}

cluster_stop() {
	stop_watchers
	stop_pids
}

# measure T0 NODES EXPECTED LIMIT_S OUT: wait until every node in NODES has
# installed the totem configuration EXPECTED after T0 (monotonic ns), at most
# LIMIT_S seconds, then write one line per node to OUT:
#   node ms_to_ring configurations_seen ms_to_group
# ("-" where the event never came) and print the summary
#   slowest_ms fastest_ms max_configurations slowest_group_ms
measure() {
	local t0=$1 nodes=$2 want=$3 limit=$4 out=$5 k i pending
	# polling only decides when to stop waiting: the times come from the
	# watchers' own stamps, so a slow poll keeps the machine quiet
	for ((k = 0; k < limit * 5; k++)); do
		pending=0
		for i in $nodes; do
			# shellcheck disable=SC2046
			set -- $(node_result "$t0" "$i" "$want")
			if [ "$2" = - ] || [ "$4" = - ]; then pending=1; break; fi
		done
		[ "$pending" = 0 ] && break
		sleep 0.2
	done
	: >"$out"
	for i in $nodes; do node_result "$t0" "$i" "$want" >>"$out"; done
	awk '{ if ($2 == "-") miss = 1; else { if (max == "" || $2 + 0 > max + 0) max = $2
						 if (min == "" || $2 + 0 < min + 0) min = $2 }
	       if ($3 + 0 > cf + 0) cf = $3
	       if ($4 == "-") gmiss = 1; else if (g == "" || $4 + 0 > g + 0) g = $4 }
	     END { if (miss) max = "-"; if (gmiss) g = "-"
		   printf "%s %s %d %s\n", max, (min == "" ? "-" : min), cf, g }' "$out"
}

# node_result T0 I EXPECTED: "I ms_to_ring configurations ms_to_group"
node_result() {
	awk -v t0="$1" -v node="$2" -v want="$3" '
		function field(k,   f) { for (f = 1; f <= NF; f++) if (index($f, k "=") == 1) return substr($f, length(k) + 2); return "" }
		function sorted(s,   a, n, i, j, x, o) {
			n = split(s, a, ",")
			for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]; a[j + 1] = x }
			o = ""; for (i = 1; i <= n; i++) o = o (i > 1 ? "," : "") a[i]; return o }
		BEGIN { ring = "-"; grp = "-"; seen = 0; cnt = split(want, tmp, ",") }
		{ t = field("t") }
		t == "" || t + 0 <= t0 + 0 { next }
		$3 == "kind=totem" && ring == "-" { seen++; if (sorted(field("members")) == want) ring = sprintf("%.1f", (t - t0) / 1e6) }
		$3 == "kind=cpg" && grp == "-" && field("n") == cnt { grp = sprintf("%.1f", (t - t0) / 1e6) }
		END { printf "%s %s %d %s\n", node, ring, seen, grp }' "$CELL/watch.n$2"
}

# --- the cases ----------------------------------------------------------------

LIMIT=0
clocks() { "$WATCH_AIS" -N; }

# fault_kill SIG NODE CASE: kill the daemon of NODE, measure, restart it
fault_kill() {
	local sig=$1 v=$2 c=$3 pid t0 real s
	pid=${NODE_PID[$v]}
	read -r t0 real < <("$WATCH_AIS" -K "$sig" "$pid")
	echo "$c $REP $t0 $real node=$v sig=$sig" >>"$CELL/faults"
	s=$(measure "$t0" "$(all_nodes | tr ' ' '\n' | grep -vx "$v" | paste -sd' ')" \
		"$(members_but "$v")" "$LIMIT" "$RES/raw-$SYSTEM-t$TOKEN-n$N-$c-$REP")
	echo "$s" >"$RES/$SYSTEM-t$TOKEN-n$N-$c-$REP"
	log "t=$TOKEN n=$N rep $REP $SYSTEM $c: slowest/fastest ms, configurations, group ms: $s"
	pid_stop "$pid"
	# a killed daemon leaves its libqb blackbox and IPC files in /dev/shm;
	# their names carry its pid
	rm -rf /dev/shm/qb-*-"$pid"-blackbox-* /dev/shm/qb-"$pid"-*
	watch_stop "$v"
	node_start "$v"
	watch_start "$v"
	wait_converged "$(all_nodes)" "$(seq -s, 1 "$N")" 60 || return 1
	sleep "$SETTLE"
}

port_state() { bridge -n "$NS-br" link set dev "v$1" state "$2"; }

fault_merge() {
	local v=$N t0 real s rest
	rest=$(all_nodes | tr ' ' '\n' | grep -vx "$v" | paste -sd' ')
	read -r t0 real < <(clocks)
	port_state "$v" 0 # disabled: the bridge drops what comes in or would go out there
	echo "cut $REP $t0 $real node=$v" >>"$CELL/faults"
	s=$(measure "$t0" "$rest" "$(members_but "$v")" "$LIMIT" "$RES/raw-$SYSTEM-t$TOKEN-n$N-cut-$REP")
	echo "$s" >"$RES/$SYSTEM-t$TOKEN-n$N-cut-$REP"
	log "t=$TOKEN n=$N rep $REP $SYSTEM cut: $s"
	if ! wait_converged "$v" "$v" "$LIMIT"; then
		log "$SYSTEM: node $v alone did not form its own ring"
	fi
	sleep "$SETTLE"
	read -r t0 real < <(clocks)
	port_state "$v" 3 # forwarding
	echo "merge $REP $t0 $real node=$v" >>"$CELL/faults"
	s=$(measure "$t0" "$(all_nodes)" "$(seq -s, 1 "$N")" "$LIMIT" "$RES/raw-$SYSTEM-t$TOKEN-n$N-merge-$REP")
	echo "$s" >"$RES/$SYSTEM-t$TOKEN-n$N-merge-$REP"
	log "t=$TOKEN n=$N rep $REP $SYSTEM merge: $s"
	wait_converged "$(all_nodes)" "$(seq -s, 1 "$N")" 60 || return 1
	sleep "$SETTLE"
}

run_cases() {
	local c
	for c in $CASES; do
		case $c in
		kill) fault_kill 9 "$N" kill ;;
		kill-low) fault_kill 9 1 kill-low ;;
		leave) fault_kill 15 "$N" leave ;;
		merge) fault_merge ;;
		esac || {
			log "$SYSTEM t=$TOKEN n=$N rep $REP: the ring did not become whole again after $c;" \
				"remaining cases of this run skipped (logs: $CELL)"
			return 0
		}
	done
}

t_start=$(date +%s)
for TOKEN in $TOKENS; do
	CONSENSUS=$((TOKEN * 12 / 10))
	TOTEM_OPTS=$(printf 'token: %s\ntoken_coefficient: %s\nconsensus: %s' "$TOKEN" "$TOKEN_COEFF" "$CONSENSUS")
	# generous: a few rounds of token loss and consensus, plus start-up slack
	LIMIT=$(((4 * (TOKEN + CONSENSUS)) / 1000 + 20))
	for N in $NODES; do
		for ((REP = 1; REP <= REPS; REP++)); do
			if [ $((REP % 2)) = 1 ]; then order="aisexec corosync"; else order="corosync aisexec"; fi
			for SYSTEM in $order; do
				log "t=$TOKEN n=$N rep $REP: $SYSTEM starting ($(($(date +%s) - t_start)) s elapsed)"
				cluster_start
				run_cases
				cluster_stop
			done
		done
	done
done
t_total=$(($(date +%s) - t_start))

# --- phases, from the daemons' logs -------------------------------------------

# node_phases LOG SYSTEM REAL_NS: in one daemon log (hires timestamps, libqb
# stamps them in 4 ms steps, a little late), ms from the fault at REAL_NS (CLOCK_REALTIME)
# until this node declared the token lost, formed its first new ring and
# finished synchronisation, and how many rings it formed up to then:
# "lost ring sync rings" ("-" for what it did not log within 60 s)
node_phases() {
	awk -v real="$3" -v sys="$2" '
		BEGIN {
			split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mn, " ")
			for (k = 1; k <= 12; k++) mon[mn[k]] = k
			t0 = real / 1e9; yr = strftime("%Y", int(t0))
			lost = ring = sync = "-"; rings = 0
			if (sys == "aisexec") { re_lost = "entering GATHER: token lost"; re_ring = "] *notice new ring"; re_sync = "sync complete" }
			else { re_lost = "A processor failed"; re_ring = "A new membership"; re_sync = "Completed service synchronization" }
		}
		{
			split($3, hms, ":")
			t = mktime(yr " " mon[$1] " " $2 " " hms[1] " " hms[2] " 0") + hms[3]
			if (t < t0 - 0.010) next         # coarse stamps lag a tick or two
			if (t > t0 + 60) exit
			d = t < t0 ? 0 : sprintf("%.0f", (t - t0) * 1000)
		}
		$0 ~ re_lost && lost == "-" && ring == "-" { lost = d }
		$0 ~ re_ring { rings++; if (ring == "-") ring = d }
		$0 ~ re_sync && ring != "-" { sync = d; exit }
		END { print lost, ring, sync, rings }' "$1"
}

# phases: for every fault of every run, over the nodes that stay (all nodes
# for a merge): the first node to declare the token lost, the last to form
# the new ring, the last to finish synchronisation, the most rings one node
# formed; written to $RES/phases-SYSTEM-tTOKEN-nN-CASE-REP
phases() {
	local cell b sys tok n c rep real node f i
	for cell in "$W"/run/*; do
		[ -f "$cell/faults" ] || continue
		b=${cell##*/}
		sys=${b##*-}
		tok=${b%%-*}
		n=$(echo "$b" | cut -d- -f2)
		while read -r c rep _ real node _; do
			for f in "$cell"/n*/aisexec.log "$cell"/n*/corosync.log; do
				[ -f "$f" ] || continue
				i=${f%/*}
				i=${i##*/n}
				[ "$c" != merge ] && [ "node=$i" = "$node" ] && continue
				node_phases "$f" "$sys" "$real"
			done | awk '{ if ($1 != "-" && (l == "" || $1 + 0 < l + 0)) l = $1
				      if ($2 == "-") rm = 1; else if (r == "" || $2 + 0 > r + 0) r = $2
				      if ($3 == "-") sm = 1; else if (s == "" || $3 + 0 > s + 0) s = $3
				      if ($4 + 0 > k + 0) k = $4 }
				    END { print (l == "" ? "-" : l), (rm ? "-" : r), (sm ? "-" : s), k + 0 }' \
				>"$RES/phases-$sys-$tok-$n-$c-$rep"
		done <"$cell/faults"
	done
}
phases

# --- tables -------------------------------------------------------------------

# vals SYS TOKEN N CASE COL: column COL of every repetition
vals() { for ((r = 1; r <= REPS; r++)); do awk -v c="$5" '{ print $c }' "$RES/$1-t$2-n$3-$4-$r" 2>/dev/null || echo -; done; }
cell() {
	local v m
	v=$(vals "$@")
	m=$(echo "$v" | median)
	echo "$m [$(echo "$v" | grep -v '^-$' | sort -g | sed -n '1p;$p' | paste -sd' ' | sed 's/ /../')]" |
		sed 's/ \[\]//'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
maxcol() { vals "$@" | grep -v '^-$' | sort -g | tail -n 1; }
misses() { vals "$@" | grep -c '^-$' || true; }

echo "Failure detection, aisexec $(cd "$here/.." && git describe --always --dirty 2>/dev/null || echo '?')" \
	"vs Corosync $(dpkg-query -W -f='${Version}' corosync 2>/dev/null) udpu, in network namespaces," \
	"$(nproc) CPUs; token_coefficient $TOKEN_COEFF, consensus 1.2 x token; median of $REPS" \
	"alternating repetitions [min..max]; total ${t_total}s; raw results: $RES"
echo "ms from the fault to the moment the slowest node delivered the new totem configuration to its"
echo "CPG client; conf = most totem configurations one node saw up to that one (1 = straight there);"
echo "group = same for the CPG group change; ratio = aisexec / Corosync"
for TOKEN in $TOKENS; do
	echo
	echo "token $TOKEN ms, consensus $((TOKEN * 12 / 10)) ms"
	echo "| case | nodes | aisexec ms | Corosync ms | ratio | conf (ais / cs) | group ms (ais / cs) | missed (ais / cs) |"
	echo "|---|---:|---:|---:|---:|:---:|---:|:---:|"
	for c in $CASES; do
		[ "$c" = merge ] && cs_list="cut merge" || cs_list=$c
		for cc in $cs_list; do
			for N in $NODES; do
				a=$(vals aisexec "$TOKEN" "$N" "$cc" 1 | median)
				b=$(vals corosync "$TOKEN" "$N" "$cc" 1 | median)
				echo "| $cc | $N | $(cell aisexec "$TOKEN" "$N" "$cc" 1) | $(cell corosync "$TOKEN" "$N" "$cc" 1) |" \
					"$(ratio "$a" "$b") | $(maxcol aisexec "$TOKEN" "$N" "$cc" 3) / $(maxcol corosync "$TOKEN" "$N" "$cc" 3) |" \
					"$(vals aisexec "$TOKEN" "$N" "$cc" 4 | median) / $(vals corosync "$TOKEN" "$N" "$cc" 4 | median) |" \
					"$(misses aisexec "$TOKEN" "$N" "$cc" 1) / $(misses corosync "$TOKEN" "$N" "$cc" 1) |"
			done
		done
	done
done

# pvals SYS TOKEN N CASE COL: column COL of the phases of every repetition
pvals() { for ((r = 1; r <= REPS; r++)); do awk -v c="$5" '{ print $c }' "$RES/phases-$1-t$2-n$3-$4-$r" 2>/dev/null || echo -; done; }
pcell() { echo "$(pvals "$@" 1 | median) / $(pvals "$@" 2 | median) / $(pvals "$@" 3 | median)"; }

echo
echo "From the daemons' logs, ms after the fault (median of $REPS): the first node to declare the token"
echo "lost / the last to form the new ring / the last to finish synchronisation; rings = most new"
echo "rings one node formed up to then (the most over the repetitions)"
for TOKEN in $TOKENS; do
	echo
	echo "token $TOKEN ms, consensus $((TOKEN * 12 / 10)) ms"
	echo "| case | nodes | aisexec lost / ring / sync | Corosync lost / ring / sync | rings (ais / cs) |"
	echo "|---|---:|---:|---:|:---:|"
	for c in $CASES; do
		[ "$c" = merge ] && cs_list="cut merge" || cs_list=$c
		for cc in $cs_list; do
			for N in $NODES; do
				echo "| $cc | $N | $(pcell aisexec "$TOKEN" "$N" "$cc") | $(pcell corosync "$TOKEN" "$N" "$cc") |" \
					"$(pvals aisexec "$TOKEN" "$N" "$cc" 4 | sort -g | tail -n 1) /" \
					"$(pvals corosync "$TOKEN" "$N" "$cc" 4 | sort -g | tail -n 1) |"
			done
		done
	done
done
