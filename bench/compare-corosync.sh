#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# compare-corosync.sh: aisexec and Corosync side by side on this machine, in
# one invocation. Three network namespaces aisb1..aisb3 (eth0 = veth to a
# bridge in namespace aisb-br, 10.77.0.N/24; nothing is configured in the
# root namespace and no traffic leaves the namespaces) host one node each.
# For each repetition the script starts a 3-node Corosync with each of its
# transports in turn (udpu, udp = IP multicast, knet), runs the scenarios
# with cpgbench built against Corosync's libcpg and stops it, and starts a
# 3-node aisexec (udpu) in the same namespaces and runs the same scenarios
# with the same cpgbench source built against libaiscpg. The order of the
# systems alternates between repetitions; every table reports the median of
# the repetitions per system and the ratio aisexec / best Corosync transport
# of that row, naming it (throughput: > 1 means aisexec is faster; latency:
# > 1 means aisexec is slower). With CRYPTO=on both encrypt: Corosync knet
# (its only transport with crypto) with aes256 + sha256 and a key from
# corosync-keygen, aisexec udpu with secauth on and a key from ais-keygen.
# Needs root (namespaces, Corosync).
#
# Scenarios (as in run.sh): (a) one sender on n1, receivers on n2,n3;
# (b) senders on n1,n2,n3 at once; (c) latency, one message every LATIV us;
# (e) the IPC round trip alone (cpgbench -Q: cpg_local_get() in a loop on n1).
# SCENARIOS="a b c e" picks them. Every run checks delivered counts, per-sender FIFO and equal order hashes.
#
# Environment:
#   DUR=5 SIZES="64 1024 16384 65536" LATSIZES="64 1024" LATN=5000 LATIV=1000
#   REPS=3                 alternating repetitions (median reported)
#   CS_TRANSPORTS="udpu udp knet"  Corosync transports to measure; each row's
#                          ratio is against the best of them in that row
#   CRYPTO=off             on: encrypted traffic on both systems (Corosync
#                          knet only: CS_TRANSPORTS defaults to knet)
#   AIS_TRANSPORT=udpu     aisexec's transport (udpu or udp)
#   AIS_SCHED_RR=$CS_SCHED_RR  aisexec { sched_rr }: both systems alike by default
#   CS_SCHED_RR=yes        Corosync's system.sched_rr: "no" runs it without
#                          SCHED_RR (corosync 3 has no -p flag)
#   CS_FLAGS=              extra corosync command-line flags
#   AIS_TOTEM_OPTS=        extra "key: value" lines for aisexec's totem
#                          section (e.g. "token_pace: 1000")
#   AIS_BUILD_DIR          aisexec build tree (default: current directory if
#                          it holds exec/aisexec, else the source tree)
#   WORK=/tmp/ais-compare  scratch directory (configs, logs, raw results)
#   SKIP_APT=1             never call apt-get
#   RESULTS=$WORK/compare.results  the medians as RESULT lines (bench/plot.sh
#                          draws them)
#   TABLE=$WORK/compare.md the tables (also printed)
#   UDPRAW_SIZE=1024       per repetition, the raw UDP rate n1 -> n2 between
#                          the namespaces with datagrams of this size
#                          (bench/udprate), set against aisexec's msgs/s of
#                          that size; "" skips it
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

DUR=${DUR:-5}
SIZES=${SIZES:-"64 1024 16384 65536"}
LATSIZES=${LATSIZES:-"64 1024"}
LATN=${LATN:-5000}
LATIV=${LATIV:-1000}
REPS=${REPS:-3}
CRYPTO=${CRYPTO:-off}
case $CRYPTO in on | off) ;; *) echo "compare-corosync.sh: CRYPTO must be on or off" >&2; exit 2 ;; esac
if [ "$CRYPTO" = on ]; then CS_TRANSPORTS=${CS_TRANSPORTS:-knet}; else CS_TRANSPORTS=${CS_TRANSPORTS:-"udpu udp knet"}; fi
AIS_TRANSPORT=${AIS_TRANSPORT:-udpu}
CS_FLAGS=${CS_FLAGS:-}
CS_SCHED_RR=${CS_SCHED_RR:-yes}
SCENARIOS=${SCENARIOS:-"a b c e"}
UDPRAW_SIZE=${UDPRAW_SIZE-1024}
W=${WORK:-/tmp/ais-compare}
NS=aisb
N=3
PORT=5405

ME=compare-corosync.sh

# --- prerequisites ------------------------------------------------------------

[ "$(id -u)" = 0 ] || die "needs root (network namespaces, corosync); run it with sudo"
need_pkgs corosync libcpg-dev libcorosync-common-dev iproute2 util-linux
for t in $CS_TRANSPORTS; do
	case $t in
	udpu | udp) [ "$CRYPTO" = off ] || die "CRYPTO=on: Corosync has crypto only with knet, not $t" ;;
	knet) ;;
	*) die "unknown Corosync transport '$t' (udpu, udp, knet)" ;;
	esac
done
case $AIS_TRANSPORT in udpu | udp) ;; *) die "AIS_TRANSPORT must be udpu or udp" ;; esac

ais_build_locate cpgbench
CPGB_AIS=$AIS_BUILD_DIR/bench/cpgbench

commit=$(src_commit)
results_setup compare

CS_KEYFILE=$W/corosync-authkey
AIS_KEYFILE=$W/ais-authkey
if [ "$CRYPTO" = on ]; then
	rm -f "$CS_KEYFILE" "$AIS_KEYFILE"
	corosync-keygen -k "$CS_KEYFILE" >/dev/null || die "corosync-keygen -k $CS_KEYFILE failed"
	[ -x "$AIS_BUILD_DIR/tools/ais-keygen" ] || die "$AIS_BUILD_DIR/tools/ais-keygen missing (make)"
	"$AIS_BUILD_DIR/tools/ais-keygen" -k "$AIS_KEYFILE" >/dev/null || die "ais-keygen -k $AIS_KEYFILE failed"
fi
CPGB_CS=$W/cpgbench-corosync
# the same source, built against Corosync's libcpg
${CC:-cc} -O2 -g -DWITH_COROSYNC -I"$AIS_BUILD_DIR" -o "$CPGB_CS" "$here/cpgbench.c" -lcpg ||
	die "cannot build cpgbench against corosync (libcpg-dev)"

# --- namespaces and daemons (bench/lib.sh) -----------------------------------

CS_DIR=$W/cs
AIS_DIR=$W/ais
TOTEM_OPTS=""
LOG_TIMESTAMP=on

cleanup() {
	stop_pids
	ns_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ns_setup "$N"

# --- one system, all scenarios ------------------------------------------------

# multicast IP packets every node received, "n1 n2 n3": IpExt InMcastPkts
# of its namespace (a node's own packets looped back are not counted; the
# veth counters do not count multicast)
mcast_rx() {
	local i
	for ((i = 1; i <= N; i++)); do
		# shellcheck disable=SC2016 # awk's own variables
		ip netns exec "$NS$i" awk '/^IpExt:/ { if (!h) { for (k = 2; k <= NF; k++) c[$k] = k; h = 1 }
			else print $c["InMcastPkts"] }' /proc/net/netstat
	done | paste -sd' '
}

# After a run over IP multicast (Corosync udp, aisexec udp): every node must
# have received multicast packets from the others (the delivery checks of
# the scenarios then show that the data went through: that transport sends
# messages to the group address only); the counts go to $RES/mcast-SYS-REP
mcast_check() { # system rep before
	local sys=$1 rep=$2 after d i=0 a before
	case $sys in corosync-udp | aisexec) ;; *) return 0 ;; esac
	[ "$sys" != aisexec ] || [ "$AIS_TRANSPORT" = udp ] || return 0
	after=$(mcast_rx)
	read -r -a before <<<"$3"
	d=""
	for a in $after; do d+="$((a - before[i])) "; i=$((i + 1)); done
	echo "${d% }" >"$RES/mcast-$sys-$rep"
	log "rep $rep $sys: multicast packets received per node: ${d% }"
	for a in $d; do [ "$a" -gt 0 ] || die "$sys: a node received no multicast packets (per node: $d)"; done
}

SYSTEM=""
node_run() {
	local i=$1
	shift
	if [ "$SYSTEM" = aisexec ]; then
		ip netns exec "$NS$i" env AIS_INSTANCE="${NS}n$i" "$@"
	else
		ip netns exec "$NS$i" "$@"
	fi
}

run_all() { # system rep
	local sys=$1 rep=$2 s
	SYSTEM=$sys
	if [ "$sys" = aisexec ]; then
		CPGB=$CPGB_AIS
		ais_start
	else
		CPGB=$CPGB_CS
		cs_start "${sys#corosync-}"
	fi
	log "rep $rep: $sys up"
	mcast_before=$(mcast_rx)
	case " $SCENARIOS " in *" a "*)
		for s in $SIZES; do
			scen_a "$s" "$RES/raw-$sys-a-$s-$rep" >"$RES/$sys-a-$s-$rep"
			log "rep $rep $sys (a) $s: $(cat "$RES/$sys-a-$s-$rep")"
		done ;;
	esac
	case " $SCENARIOS " in *" b "*)
		for s in $SIZES; do
			scen_b "$s" "$RES/raw-$sys-b-$s-$rep" >"$RES/$sys-b-$s-$rep"
			log "rep $rep $sys (b) $s: $(cat "$RES/$sys-b-$s-$rep")"
		done ;;
	esac
	case " $SCENARIOS " in *" c "*)
		for s in $LATSIZES; do
			scen_c "$s" "$RES/raw-$sys-c-$s-$rep" >"$RES/$sys-c-$s-$rep"
			log "rep $rep $sys (c) $s: $(cat "$RES/$sys-c-$s-$rep")"
		done ;;
	esac
	case " $SCENARIOS " in *" e "*)
		node_run 1 "$CPGB" -Q -t "$DUR" >"$RES/raw-$sys-e-$rep" 2>&1 || true
		sed -n 's/.* calls_s=\([0-9]*\).*/\1/p' "$RES/raw-$sys-e-$rep" | grep . >"$RES/$sys-e-0-$rep" ||
			echo - >"$RES/$sys-e-0-$rep"
		log "rep $rep $sys (e) IPC round trips/s: $(cat "$RES/$sys-e-0-$rep")" ;;
	esac
	mcast_check "$sys" "$rep" "$mcast_before"
	stop_pids
}

# The raw UDP rate n1 -> n2 (bench/udprate, 32 datagrams per sendmmsg /
# recvmmsg) with no daemon running: the ceiling of the path.
udp_raw() { # rep
	local r=$1 port=$((PORT + 200)) rpid
	ip netns exec "${NS}2" "$AIS_BUILD_DIR/bench/udprate" recv 10.77.0.2 "$port" "$DUR" \
		>"$RES/raw-udprate-recv-$r" &
	rpid=$!
	sleep 0.5
	ip netns exec "${NS}1" "$AIS_BUILD_DIR/bench/udprate" send 10.77.0.2 "$port" "$UDPRAW_SIZE" "$DUR" \
		>"$RES/raw-udprate-send-$r" || true
	wait "$rpid" || true
	sed -n 's/.* dgrams_s=\([0-9]*\).*/\1/p' "$RES/raw-udprate-recv-$r" | grep . >"$RES/udpraw-$r" ||
		echo - >"$RES/udpraw-$r"
	log "rep $r raw UDP $UDPRAW_SIZE B n1 -> n2: $(cat "$RES/udpraw-$r") datagrams/s"
}
if [ -n "$UDPRAW_SIZE" ] && [ ! -x "$AIS_BUILD_DIR/bench/udprate" ]; then
	die "$AIS_BUILD_DIR/bench/udprate missing (make -C bench)"
fi

SYSTEMS="aisexec"
for t in $CS_TRANSPORTS; do SYSTEMS="$SYSTEMS corosync-$t"; done

t_start=$(date +%s)
for ((rep = 1; rep <= REPS; rep++)); do
	# alternate the order so that slow drifts of the machine hit both
	if [ $((rep % 2)) = 1 ]; then order=$(echo "$SYSTEMS" | tr ' ' '\n' | tac | paste -sd' '); else order=$SYSTEMS; fi
	for sys in $order; do run_all "$sys" "$rep"; done
	[ -z "$UDPRAW_SIZE" ] || udp_raw "$rep"
done
t_total=$(($(date +%s) - t_start))

# --- tables -------------------------------------------------------------------

# field SYS SCEN SIZE COL: the median over the repetitions of column COL;
# spread: the values behind it; okcol: yes if every repetition checked out
field() { rep_median "$1-$2-$3" "$4"; }
spread() { rep_spread "$1-$2-$3" "$4"; }
okcol() { rep_ok "$1-$2-$3" "$4"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
# best SCEN SIZE COL max|min: the Corosync transport with the highest
# (throughput) or lowest (latency) median of COL in this row, "-" if none
# has a value
best() {
	local t v order=-g
	[ "$4" != max ] || order=-gr
	for t in $CSS; do
		v=$(field "$t" "$1" "$2" "$3")
		[ "$v" = - ] || echo "$v $t"
	done | sort "$order" | head -n 1 | awk '{ print $2 }' | grep . || echo -
}
bestval() { if [ "$1" = - ]; then echo -; else field "$1" "$2" "$3" "$4"; fi; }
oks() { local t out; out=$(okcol aisexec "$1" "$2" "$3"); for t in $CSS; do out+=" / $(okcol "$t" "$1" "$2" "$3")"; done; echo "$out"; }
short() { echo "${1#corosync-}"; }

CSS=${SYSTEMS#aisexec }
hdr_cs() { local t; for t in $CSS; do printf ' Corosync %s |' "$(short "$t")"; done; }
hdr_al() { local t; for t in $CSS; do printf -- '---:|'; done; }
cs_version=$(dpkg-query -W -f='${Version}' corosync 2>/dev/null || echo '?')
if [ "$CRYPTO" = on ]; then
	crypto_txt="crypto on: aisexec $AIS_TRANSPORT secauth (aes256 + sha256, key from ais-keygen), Corosync knet crypto_cipher aes256 + crypto_hash sha256 (key from corosync-keygen)"
else
	crypto_txt="crypto off"
fi

{
	echo "# compare-corosync.sh commit=$commit date=$(date -u +%Y-%m-%dT%H:%M:%SZ) corosync=$cs_version" \
		"crypto=$CRYPTO ais_transport=$AIS_TRANSPORT cs_transports=\"$CS_TRANSPORTS\" reps=$REPS dur=$DUR" \
		"latn=$LATN lativ=$LATIV cpus=$(nproc) load=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
	for sys in $SYSTEMS; do
		case " $SCENARIOS " in *" a "*) for s in $SIZES; do
			echo "RESULT bench=compare crypto=$CRYPTO system=$sys scen=a size=$s msgs_s=$(field "$sys" a "$s" 1)" \
				"MBps=$(field "$sys" a "$s" 2) ok=$(okcol "$sys" a "$s" 3) reps=$REPS"
		done ;; esac
		case " $SCENARIOS " in *" b "*) for s in $SIZES; do
			echo "RESULT bench=compare crypto=$CRYPTO system=$sys scen=b size=$s msgs_s=$(field "$sys" b "$s" 1)" \
				"MBps=$(field "$sys" b "$s" 2) ok=$(okcol "$sys" b "$s" 4) reps=$REPS"
		done ;; esac
		case " $SCENARIOS " in *" c "*) for s in $LATSIZES; do
			echo "RESULT bench=compare crypto=$CRYPTO system=$sys scen=c size=$s p50_us=$(field "$sys" c "$s" 1)" \
				"p90_us=$(field "$sys" c "$s" 2) p99_us=$(field "$sys" c "$s" 3) max_us=$(field "$sys" c "$s" 4)" \
				"ok=$(okcol "$sys" c "$s" 5) reps=$REPS"
		done ;; esac
		case " $SCENARIOS " in *" e "*)
			echo "RESULT bench=compare crypto=$CRYPTO system=$sys scen=e calls_s=$(field "$sys" e 0 1) reps=$REPS"
		;; esac
	done
	if [ -n "$UDPRAW_SIZE" ]; then
		echo "RESULT bench=compare crypto=$CRYPTO system=udp-raw size=$UDPRAW_SIZE" \
			"dgrams_s=$(rep_median udpraw 1) reps=$REPS"
	fi
} >"$RESULTS"

TABLE=${TABLE:-$W/compare.md}
exec 3>&1 >"$TABLE"
echo "aisexec ($AIS_TRANSPORT, commit $commit) vs Corosync $cs_version (${CS_TRANSPORTS// /, }), 3 nodes in" \
	"network namespaces, $crypto_txt, $(nproc) CPUs; median of $REPS alternating repetitions; ${DUR}s per" \
	"throughput run; total ${t_total}s; raw results: $RES; medians as RESULT lines: $RESULTS"
echo
echo "ratio = aisexec / the best Corosync transport of the row (named in \"best\"); the values behind each median in brackets;"
echo "ok = every node delivered every message, per-sender FIFO, one total order (aisexec / $(for t in $CSS; do printf '%s / ' "$(short "$t")"; done | sed 's| / $||'))"
for sys in $SYSTEMS; do
	case $sys in corosync-udp) ;; aisexec) [ "$AIS_TRANSPORT" = udp ] || continue ;; *) continue ;; esac
	echo
	echo "$sys went over IP multicast: multicast packets n1 n2 n3 received from the others (InMcastPkts) per repetition:" \
		"$(for ((r = 1; r <= REPS; r++)); do printf '[%s] ' "$(cat "$RES/mcast-$sys-$r")"; done)"
done

case " $SCENARIOS " in *" a "*)
	echo
	echo "(a) one sender (n1), receivers on n2,n3 -- msgs/s (MB/s), AGREED"
	echo
	echo "| size | aisexec |$(hdr_cs) best | ratio | ok | own-msg latency p50/p99 ms, aisexec | same, best | daemon CPU us/msg, aisexec / best |"
	echo "|---:|---:|$(hdr_al):---|---:|:---:|---:|---:|---:|"
	for s in $SIZES; do
		b=$(best a "$s" 1 max)
		line="| $s | $(field aisexec a "$s" 1) ($(field aisexec a "$s" 2)) [$(spread aisexec a "$s" 1)] |"
		for t in $CSS; do line+=" $(field "$t" a "$s" 1) ($(field "$t" a "$s" 2)) [$(spread "$t" a "$s" 1)] |"; done
		line+=" $(short "$b") | $(ratio "$(field aisexec a "$s" 1)" "$(bestval "$b" a "$s" 1)") |"
		line+=" $(oks a "$s" 3) |"
		line+=" $(field aisexec a "$s" 4) / $(field aisexec a "$s" 5) | $(bestval "$b" a "$s" 4) / $(bestval "$b" a "$s" 5) |"
		line+=" $(field aisexec a "$s" 7) / $(bestval "$b" a "$s" 7) |"
		echo "$line"
	done ;;
esac

case " $SCENARIOS " in *" b "*)
	echo
	echo "(b) senders on n1,n2,n3 at once -- aggregate msgs/s delivered per node (MB/s)"
	echo
	echo "| size | aisexec |$(hdr_cs) best | ratio | ok | daemon CPU us/msg, aisexec / best |"
	echo "|---:|---:|$(hdr_al):---|---:|:---:|---:|"
	for s in $SIZES; do
		b=$(best b "$s" 1 max)
		line="| $s | $(field aisexec b "$s" 1) ($(field aisexec b "$s" 2)) [$(spread aisexec b "$s" 1)] |"
		for t in $CSS; do line+=" $(field "$t" b "$s" 1) ($(field "$t" b "$s" 2)) [$(spread "$t" b "$s" 1)] |"; done
		line+=" $(short "$b") | $(ratio "$(field aisexec b "$s" 1)" "$(bestval "$b" b "$s" 1)") |"
		line+=" $(oks b "$s" 4) | $(field aisexec b "$s" 5) / $(bestval "$b" b "$s" 5) |"
		echo "$line"
	done ;;
esac

case " $SCENARIOS " in *" c "*)
	echo
	echo "(c) latency, one sender on n1, 1 msg / ${LATIV} us, ${LATN} msgs -- us, p50 / p90 / p99 (max)"
	echo
	echo "| size | aisexec |$(hdr_cs) best p50 | ratio p50 | best p99 | ratio p99 | ok |"
	echo "|---:|---:|$(hdr_al):---|---:|:---|---:|:---:|"
	for s in $LATSIZES; do
		b=$(best c "$s" 1 min)
		b99=$(best c "$s" 3 min)
		line="| $s | $(field aisexec c "$s" 1) / $(field aisexec c "$s" 2) / $(field aisexec c "$s" 3) ($(field aisexec c "$s" 4)) |"
		for t in $CSS; do
			line+=" $(field "$t" c "$s" 1) / $(field "$t" c "$s" 2) / $(field "$t" c "$s" 3) ($(field "$t" c "$s" 4)) |"
		done
		line+=" $(short "$b") | $(ratio "$(field aisexec c "$s" 1)" "$(bestval "$b" c "$s" 1)") |"
		line+=" $(short "$b99") | $(ratio "$(field aisexec c "$s" 3)" "$(bestval "$b99" c "$s" 3)") |"
		line+=" $(oks c "$s" 5) |"
		echo "$line"
	done ;;
esac

if [ -n "$UDPRAW_SIZE" ]; then
	s=$UDPRAW_SIZE
	raw=$(rep_median udpraw 1)
	a_m=-; b_m=-
	case " $SCENARIOS " in *" a "*) case " $SIZES " in *" $s "*) a_m=$(field aisexec a "$s" 1) ;; esac ;; esac
	case " $SCENARIOS " in *" b "*) case " $SIZES " in *" $s "*) b_m=$(field aisexec b "$s" 1) ;; esac ;; esac
	echo
	echo "(d) the path's ceiling: raw UDP datagrams of $s B per second n1 -> n2 between the namespaces" \
		"(bench/udprate, no daemon running) against aisexec's $s B msgs/s"
	echo
	echo "| size | raw UDP datagrams/s | aisexec (a) one sender msgs/s | ratio | aisexec (b) three senders, msgs/s delivered | ratio |"
	echo "|---:|---:|---:|---:|---:|---:|"
	echo "| $s | $raw [$(rep_spread udpraw 1)] | $a_m | $(ratio "$a_m" "$raw") | $b_m | $(ratio "$b_m" "$raw") |"
fi

case " $SCENARIOS " in *" e "*)
	b=$(best e 0 1 max)
	s=1024
	a_m=-
	case " $SCENARIOS " in *" a "*) case " $SIZES " in *" $s "*) a_m=$(field aisexec a "$s" 1) ;; esac ;; esac
	echo
	echo "(e) the IPC round trip alone: one process on n1 calls cpg_local_get() for ${DUR}s (cpgbench -Q) --" \
		"calls/s; every cpg_mcast_joined() is such a round trip, so this bounds one sending process"
	echo
	echo "| aisexec |$(hdr_cs) best | ratio | aisexec (a) $s B msgs/s / its round trips/s |"
	echo "|---:|$(hdr_al):---|---:|---:|"
	line="| $(field aisexec e 0 1) [$(spread aisexec e 0 1)] |"
	for t in $CSS; do line+=" $(field "$t" e 0 1) [$(spread "$t" e 0 1)] |"; done
	line+=" $(short "$b") | $(ratio "$(field aisexec e 0 1)" "$(bestval "$b" e 0 1)") |"
	line+=" $(ratio "$a_m" "$(field aisexec e 0 1)") |"
	echo "$line" ;;
esac

exec >&3 3>&-
cat "$TABLE"
