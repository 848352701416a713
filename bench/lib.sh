# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Shared by the benchmark scripts (sourced, not run): the CPG scenarios of
# run.sh and compare-corosync.sh, and below them the network namespaces and
# the daemon start-up of compare-corosync.sh and failover.sh.
#
# For the scenarios the caller defines
#   node_run I PROGRAM ARGS...   run PROGRAM in the context of node I
#                                (instance variable, network namespace...)
# and sets CPGB (the cpgbench binary to use), DUR, LATN, LATIV, and
# BENCH_N, the number of nodes 1..BENCH_N taking part (default 3).
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
	for ((i = 1; i <= ${BENCH_N:-3}; i++)); do
		if ! grep -q '^RESULT' "$f.n$i" 2>/dev/null; then
			out+="n$i:noresult,"
		elif [ "$(res "$f.n$i" timed_out)" != 0 ]; then
			out+="n$i:$(res "$f.n$i" stop),"
		fi
	done
	echo "${out%,}"
}

ms() { awk -v v="$1" 'BEGIN { if (v == "") print "-"; else printf "%.2f", v / 1000 }'; }

# (a) one sender on n1, receivers on n2..nBENCH_N.
# Prints: msgs/s MB/s ok p50_ms p99_ms tryagain daemon_cpu_us_per_msg
# CPU time (user + system, clock ticks) used so far by the daemons in PIDS
# (every thread); "-" when the caller keeps no PIDS.
daemons_cpu_ticks() {
	local p t=0
	[ "${#PIDS[@]}" -gt 0 ] 2>/dev/null || { echo -; return; }
	for p in "${PIDS[@]}"; do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}

# Daemon CPU microseconds per delivered message between ticks $1 and $2
# for $3 messages ("-" when unknown).
cpu_per_msg() {
	if [ "$1" = - ] || [ "$2" = - ] || [ -z "$3" ] || [ "$3" = 0 ]; then echo -; return; fi
	awk -v a="$1" -v b="$2" -v m="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) * 1e6 / hz / m }'
}

scen_a() {
	local s=$1 f=$2 i sent h1 ok=yes nb=${BENCH_N:-3} cpu0
	rm -f "$f".n*
	cpu0=$(daemons_cpu_ticks)
	BG_PIDS=()
	for ((i = 2; i <= nb; i++)); do bg_bench "$i" "$f.n$i" -r -S 1 -T $((DUR + 30)); done
	bg_bench 1 "$f.n1" -s "$s" -t "$DUR" -w "$nb" -S 1 -T $((DUR + 30))
	bg_wait
	sent=$(res "$f.n1" sent)
	h1=$(res "$f.n1" order_hash)
	if [ -z "$sent" ] || [ "$(res "$f.n1" timed_out)" != 0 ]; then
		echo "- - NO($(why "$f")) - - -"
		return
	fi
	for ((i = 1; i <= nb; i++)); do
		[ "$(res "$f.n$i" deliv_all)" = "$sent" ] || ok=NO
		[ "$(res "$f.n$i" order_hash)" = "$h1" ] || ok=NO
		[ "$(res "$f.n$i" fifo_err)" = 0 ] || ok=NO
	done
	echo "$(res "$f.n1" own_msgs_s) $(res "$f.n1" own_MBps) $ok" \
		"$(ms "$(res "$f.n1" lat_us_p50)") $(ms "$(res "$f.n1" lat_us_p99)") $(res "$f.n1" tryagain)" \
		"$(cpu_per_msg "$cpu0" "$(daemons_cpu_ticks)" "$sent")"
}

# (b) senders on n1..nBENCH_N at once.
# Prints: aggregate_msgs/s aggregate_MB/s per-sender(n1/n2/...) ok daemon_cpu_us_per_msg
# (daemon CPU: all daemons in PIDS, per message sent in the cluster)
scen_b() {
	local s=$1 f=$2 i total=0 d agg aggmb per ok=yes hashes nb=${BENCH_N:-3} cpu0
	rm -f "$f".n*
	cpu0=$(daemons_cpu_ticks)
	BG_PIDS=()
	for ((i = 1; i <= nb; i++)); do
		bg_bench "$i" "$f.n$i" -s "$s" -t "$DUR" -w "$nb" -S "$nb" -T $((DUR + 30))
	done
	bg_wait
	for ((i = 1; i <= nb; i++)); do
		d=$(res "$f.n$i" sent)
		if [ -z "$d" ] || [ "$(res "$f.n$i" timed_out)" != 0 ]; then
			echo "- - - NO($(why "$f"))"
			return
		fi
		total=$((total + d))
	done
	for ((i = 1; i <= nb; i++)); do
		[ "$(res "$f.n$i" deliv_all)" = "$total" ] || ok=NO
		[ "$(res "$f.n$i" fifo_err)" = 0 ] || ok=NO
	done
	hashes=$(for ((i = 1; i <= nb; i++)); do res "$f.n$i" order_hash; done | sort -u | wc -l)
	[ "$hashes" = 1 ] || ok=NO
	agg=$(for ((i = 1; i <= nb; i++)); do res "$f.n$i" all_msgs_s; done | awk '{ s += $1 } END { printf "%.0f", s / NR }')
	aggmb=$(for ((i = 1; i <= nb; i++)); do res "$f.n$i" all_MBps; done | awk '{ s += $1 } END { printf "%.2f", s / NR }')
	per=$(for ((i = 1; i <= nb; i++)); do res "$f.n$i" own_msgs_s; done | paste -sd/)
	echo "$agg $aggmb $per $ok $(cpu_per_msg "$cpu0" "$(daemons_cpu_ticks)" "$total")"
}

# (c) latency: one sender on n1, one message every LATIV us, LATN messages,
# receivers on n2..nBENCH_N.
# Prints: p50_us p90_us p99_us max_us ok
scen_c() {
	local s=$1 f=$2 i h1 ok=yes nb=${BENCH_N:-3}
	rm -f "$f".n*
	BG_PIDS=()
	for ((i = 2; i <= nb; i++)); do bg_bench "$i" "$f.n$i" -r -S 1; done
	bg_bench 1 "$f.n1" -L -s "$s" -n "$LATN" -i "$LATIV" -w "$nb" -S 1
	bg_wait
	h1=$(res "$f.n1" order_hash)
	if [ -z "$h1" ] || [ "$(res "$f.n1" timed_out)" != 0 ]; then
		echo "- - - - NO($(why "$f"))"
		return
	fi
	for ((i = 1; i <= nb; i++)); do
		[ "$(res "$f.n$i" deliv_all)" = "$LATN" ] || ok=NO
		[ "$(res "$f.n$i" order_hash)" = "$h1" ] || ok=NO
	done
	echo "$(res "$f.n1" lat_us_p50) $(res "$f.n1" lat_us_p90) $(res "$f.n1" lat_us_p99)" \
		"$(res "$f.n1" lat_us_max) $ok"
}

# The commit of the source tree the scripts are in, "-dirty" when tracked
# files outside docs/ differ from it (the make targets write their results
# into docs/perf during the run). "?" outside git.
src_commit() {
	local top=$here/.. c
	c=$(git -C "$top" rev-parse --short HEAD 2>/dev/null) || { echo "?"; return; }
	git -C "$top" diff --quiet HEAD -- . ':(exclude)docs' 2>/dev/null || c+=-dirty
	echo "$c"
}

# results_setup NAME: make the scratch directory W absolute, empty RES=W/results
# (raw results) and RESULTS (the medians as RESULT lines, default
# W/NAME.results; an absolute path from here on)
results_setup() {
	mkdir -p "$W"
	W=$(cd "$W" && pwd)
	RES=$W/results
	rm -rf "$RES"
	mkdir -p "$RES"
	RESULTS=${RESULTS:-$W/$1.results}
	mkdir -p "$(dirname "$RESULTS")"
	: >"$RESULTS"
	RESULTS=$(cd "$(dirname "$RESULTS")" && pwd)/$(basename "$RESULTS")
}

# Columns of per-repetition result lines: RES/NAME-1 .. RES/NAME-REPS hold
# one line of space-separated fields each (RES and REPS set by the caller).
# rep_col NAME COL: column COL of every repetition, one a line
rep_col() { local r; for ((r = 1; r <= REPS; r++)); do awk -v c="$2" '{ print $c }' "$RES/$1-$r"; done; }
# the median over the repetitions
rep_median() { rep_col "$1" "$2" | median; }
# all the values (the spread behind the median), space separated
rep_spread() { rep_col "$1" "$2" | paste -sd' '; }
# yes if every repetition checked out, else NO(k/REPS)
rep_ok() {
	local bad
	bad=$(rep_col "$1" "$2" | grep -vc '^yes$' || true)
	if [ "$bad" = 0 ]; then echo yes; else echo "NO($bad/$REPS)"; fi
}

# median of the numbers on stdin ("-" lines are skipped; "-" if none)
median() {
	grep -v '^-$' | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# --- namespaces and daemons (compare-corosync.sh, failover.sh) ----------------
#
# Node I lives in network namespace $NS$I: eth0 is a veth into the bridge br0
# of namespace $NS-br (port vI), address 10.77.0.I/24. Nothing is configured
# in the root namespace and no traffic leaves the namespaces. The caller sets
#   ME            its name, for messages
#   NS            namespace prefix;  W  scratch directory (absolute)
#   N             nodes in the cluster being started (nodes 1..N)
#   PORT          aisexec's UDP port
#   CS_SCHED_RR   Corosync's system.sched_rr (yes/no);  CS_FLAGS  extra flags
#   AIS_SCHED_RR  aisexec { sched_rr } (default: as CS_SCHED_RR, so both
#                 systems are scheduled alike)
#   TOTEM_OPTS    extra "key: value" lines for the totem section of both
#                 systems (empty: their defaults)
#   AIS_TOTEM_OPTS  more such lines for aisexec only (e.g. "token_pace: 1000")
#   LOG_TIMESTAMP logging.timestamp of both systems (on, or hires for ms)
#   LOG_DEBUG     logging.debug of both systems (default off)
#   CRYPTO        on: Corosync with crypto_cipher aes256 + crypto_hash sha256
#                 and keyfile CS_KEYFILE (knet only), aisexec with secauth on
#                 and keyfile AIS_KEYFILE; default off (no crypto on either)
#   AIS_TRANSPORT aisexec's transport, udpu (default) or udp (multicast)
#   MCASTADDR     multicast group of transport udp (default 239.255.77.1)
#   CS_DIR AIS_DIR  per-node directories nI of each system go under these
# Every daemon pid is in PIDS (stop_pids stops them all) and node I's current
# daemon in NODE_PID[I]; ns_setup records the namespaces it made in CREATED
# and ns_cleanup deletes them.

die() { echo "${ME:-bench}: $*" >&2; exit 1; }
log() { echo "# $*" >&2; }

CREATED=()
PIDS=()
# shellcheck disable=SC2034 # read by failover.sh
NODE_PID=()

# need_pkgs PKG...: install what is missing with apt-get (root only; SKIP_APT=1
# never calls apt-get)
need_pkgs() {
	local p need="" apt_line
	for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"; done
	[ -z "$need" ] && return 0
	apt_line="apt-get install -y --no-install-recommends$need"
	if [ "$(id -u)" != 0 ] || [ -n "${SKIP_APT:-}" ]; then
		die "missing packages; install them with: $apt_line"
	fi
	log "installing:$need"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $apt_line -qq >/dev/null
}

# ns_setup COUNT: the bridge namespace and nodes 1..COUNT
ns_setup() {
	local count=$1 n i
	for n in "$NS-br" $(seq -f "$NS%g" 1 "$count"); do
		if ip netns list | grep -qw "^$n"; then
			die "network namespace $n exists (a previous run still going? remove it: ip netns del $n)"
		fi
	done
	ip netns add "$NS-br"
	CREATED+=("$NS-br")
	# no IGMP snooping: the bridge floods multicast to every port, so
	# transport udp works without a querier
	ip -n "$NS-br" link add br0 type bridge mcast_snooping 0
	ip -n "$NS-br" link set lo up
	ip -n "$NS-br" link set br0 up
	for ((i = 1; i <= count; i++)); do
		ip netns add "$NS$i"
		CREATED+=("$NS$i")
		ip -n "$NS$i" link add eth0 type veth peer name v$i netns "$NS-br"
		ip -n "$NS-br" link set v$i master br0
		ip -n "$NS-br" link set v$i up
		ip -n "$NS$i" link set lo up
		ip -n "$NS$i" addr add 10.77.0.$i/24 dev eth0
		ip -n "$NS$i" link set eth0 up
		# multicast (transport udp) leaves through eth0: there is no
		# default route in the namespace
		ip -n "$NS$i" route add 224.0.0.0/4 dev eth0
	done
}

ns_cleanup() {
	local i
	for ((i = ${#CREATED[@]} - 1; i >= 0; i--)); do ip netns del "${CREATED[$i]}" 2>/dev/null || true; done
	CREATED=()
}

# pid_stop PID: SIGTERM, SIGKILL after 10 s, reap
pid_stop() {
	local p=$1 t
	kill -TERM "$p" 2>/dev/null || true
	for ((t = 0; t < 100; t++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$p" 2>/dev/null; then
		echo "$ME: pid $p still runs 10 s after SIGTERM; killing it" >&2
		kill -KILL "$p" 2>/dev/null || true
	fi
	wait "$p" 2>/dev/null || true
}

stop_pids() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do pid_stop "$p"; done
	PIDS=()
	NODE_PID=()
}

# --- Corosync -----------------------------------------------------------------

# The totem lines of Corosync for transport T: crypto (knet only) and the
# multicast group of udp
cs_totem_extra() {
	if [ "${CRYPTO:-off}" = on ]; then
		printf '\tcrypto_cipher: aes256\n\tcrypto_hash: sha256\n\tkeyfile: %s\n' "$CS_KEYFILE"
	else
		printf '\tcrypto_cipher: none\n\tcrypto_hash: none\n'
	fi
	if [ "$1" = udp ]; then
		printf '\tinterface {\n\t\tlinknumber: 0\n\t\tmcastaddr: %s\n\t\tmcastport: %s\n\t}\n' \
			"${MCASTADDR:-239.255.77.1}" "$PORT"
	fi
}

cs_config() { # node transport
	local i=$1 t=$2 d=$CS_DIR/n$1 j
	cat <<EOC
totem {
	version: 2
	cluster_name: aisbench
	transport: $t
$(cs_totem_extra "$t")
${TOTEM_OPTS:+$(printf '%s\n' "$TOTEM_OPTS" | sed 's/^/\t/')
}}
nodelist {
EOC
	for ((j = 1; j <= N; j++)); do
		printf '\tnode {\n\t\tring0_addr: 10.77.0.%d\n\t\tnodeid: %d\n\t\tname: n%d\n\t}\n' "$j" "$j" "$j"
	done
	cat <<EOC
}
quorum {
	provider: corosync_votequorum
}
system {
	state_dir: $d/lib
	sched_rr: $CS_SCHED_RR
}
logging {
	to_logfile: yes
	logfile: $d/corosync.log
	to_stderr: no
	to_syslog: no
	timestamp: ${LOG_TIMESTAMP:-on}
	debug: ${LOG_DEBUG:-off}
}
EOC
}

# cs_node_start I TRANSPORT: (re)start Corosync on node I; its log is kept
cs_node_start() {
	local i=$1 t=$2 d=$CS_DIR/n$1
	mkdir -p "$d/lib" "$d/run"
	cs_config "$i" "$t" >"$d/corosync.conf"
	ip netns exec "$NS$i" corosync -t -c "$d/corosync.conf" >/dev/null ||
		die "corosync -t rejected $d/corosync.conf"
	# corosync locks /run/corosync.pid: a private mount namespace per node
	# with the node's own directory over /run. exec keeps $! = corosync.
	# shellcheck disable=SC2086
	ip netns exec "$NS$i" unshare -m --propagation private \
		sh -c "mount --bind '$d/run' /run && exec corosync -f $CS_FLAGS -c '$d/corosync.conf'" \
		>>"$d/stdout.log" 2>&1 &
	PIDS+=("$!")
	# shellcheck disable=SC2034 # read by failover.sh
	NODE_PID[i]=$!
}

cs_start() { # transport
	local t=$1 i k ok
	for ((i = 1; i <= N; i++)); do
		rm -rf "$CS_DIR/n$i"
		cs_node_start "$i" "$t"
	done
	for ((k = 0; k < 120; k++)); do
		ok=0
		for ((i = 1; i <= N; i++)); do
			if ip netns exec "$NS$i" corosync-quorumtool -s 2>/dev/null |
				grep -qE "^Total votes:[[:space:]]+$N\$"; then
				ok=$((ok + 1))
			fi
		done
		[ "$ok" = "$N" ] && return 0
		sleep 0.5
	done
	die "corosync ($t) did not form a $N-node ring in 60 s (logs: $CS_DIR/n*/corosync.log)"
}

# --- aisexec ------------------------------------------------------------------

ais_config() {
	local i=$1 d=$AIS_DIR/n$1 j crypto mcast=""
	if [ "${CRYPTO:-off}" = on ]; then
		crypto=$(printf '\tsecauth: on\n\tkeyfile: %s' "$AIS_KEYFILE")
	else
		crypto=$(printf '\tcrypto_cipher: none\n\tcrypto_hash: none')
	fi
	[ "${AIS_TRANSPORT:-udpu}" != udp ] || mcast=$(printf '\t\tmcastaddr: %s\n' "${MCASTADDR:-239.255.77.1}")
	cat <<EOC
totem {
	cluster_name: aisbench
	transport: ${AIS_TRANSPORT:-udpu}
	nodeid: $i
$crypto
${TOTEM_OPTS:+$(printf '%s\n' "$TOTEM_OPTS" | sed 's/^/\t/')
}${AIS_TOTEM_OPTS:+$(printf '%s\n' "$AIS_TOTEM_OPTS" | sed 's/^/\t/')
}	interface {
		ringnumber: 0
		bindnetaddr: 10.77.0.$i
${mcast:+$mcast
}		mcastport: $PORT
	}
}
nodelist {
EOC
	for ((j = 1; j <= N; j++)); do
		printf '\tnode {\n\t\tnodeid: %d\n\t\tring0_addr: 10.77.0.%d\n\t\tname: n%d\n\t}\n' "$j" "$j" "$j"
	done
	cat <<EOC
}
logging {
	to_stderr: off
	to_syslog: off
	to_logfile: on
	logfile: $d/aisexec.log
	timestamp: ${LOG_TIMESTAMP:-on}
	debug: ${LOG_DEBUG:-off}
}
aisexec {
	instance: ${NS}n$i
	rundir: $d
	sched_rr: ${AIS_SCHED_RR:-${CS_SCHED_RR:-yes}}
}
EOC
}

# ais_node_start I: (re)start aisexec on node I; its log is kept
ais_node_start() {
	local i=$1 d=$AIS_DIR/n$1
	mkdir -p "$d"
	ais_config "$i" >"$d/aisexec.conf"
	ip netns exec "$NS$i" "$AISEXEC" -t -c "$d/aisexec.conf" >/dev/null ||
		die "aisexec -t rejected $d/aisexec.conf"
	ip netns exec "$NS$i" env AIS_INSTANCE="${NS}n$i" "$AISEXEC" -f -c "$d/aisexec.conf" \
		</dev/null >>"$d/stderr.log" 2>&1 &
	PIDS+=("$!")
	# shellcheck disable=SC2034 # read by failover.sh
	NODE_PID[i]=$!
}

ais_start() {
	local i k ok ids
	for ((i = 1; i <= N; i++)); do
		rm -rf "$AIS_DIR/n$i"
		ais_node_start "$i"
	done
	for ((k = 0; k < 120; k++)); do
		ok=0
		for ((i = 1; i <= N; i++)); do
			ids=$(ip netns exec "$NS$i" "$AISTOOL" -i "${NS}n$i" members --json 2>/dev/null |
				grep -o '"nodeid": *[0-9]*' | grep -o '[0-9]*$' | sort -n | paste -sd, || true)
			[ "$ids" = "$(seq -s, 1 "$N")" ] && ok=$((ok + 1))
		done
		[ "$ok" = "$N" ] && return 0
		sleep 0.5
	done
	die "aisexec did not form a $N-node ring in 60 s (logs: $AIS_DIR/n*/aisexec.log)"
}

# ais_build_locate CLIENT: set AIS_BUILD_DIR (default: the current build
# tree, else the one beside this script), AISEXEC and AISTOOL, and check
# that they and bench/CLIENT are built.
ais_build_locate() {
	local f
	if [ -z "${AIS_BUILD_DIR:-}" ]; then
		if [ -x "$PWD/exec/aisexec" ]; then AIS_BUILD_DIR=$PWD; else AIS_BUILD_DIR=$here/..; fi
	fi
	AIS_BUILD_DIR=$(cd "$AIS_BUILD_DIR" && pwd)
	AISEXEC=$AIS_BUILD_DIR/exec/aisexec
	AISTOOL=$AIS_BUILD_DIR/tools/aistool
	for f in "$AISEXEC" "$AISTOOL" "$AIS_BUILD_DIR/bench/$1"; do
		[ -x "$f" ] || die "$f missing (build aisexec first: make, make -C bench)"
	done
}
