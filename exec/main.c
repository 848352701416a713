/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * aisexec: the per-node daemon (DESIGN section 2, layer 6). Reads the
 * configuration, sets up logging, the run directory and pid file, builds the
 * stack bottom-up on one libqb main loop (transport, pg/srp, service
 * engines, sync, IPC), drops privileges, and runs the loop. SIGTERM/SIGINT
 * leave the ring first, then stop the engines (asking again while one
 * answers -EBUSY), close IPC and exit 0. No protocol logic lives here.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <qb/qbloop.h>
#include <qb/qbutil.h>
#include <ais/inject.h>
#include <ais/ipc.h>
#include <ais/log.h>

#include "ais_config.h"
#include "crypto.h"
#include "daemon.h"
#include "ipc.h"
#include "logsys.h"
#include "net.h"
#include "ringseq.h"
#include "runtime.h"
#include "service.h"
#include "start_check.h"
#include "sync.h"
#include "timers.h"
#include "../services/amf/amf_check.h"

AIS_LOG_SUBSYS("MAIN");

#define MAIN_LEAVE_GRACE_MS 100
#define MAIN_STOP_RETRY_MS 100
#define MAIN_STOP_TRIES_MAX 50

struct exec_runtime exec_rt;

static struct {
	const char *config_path;
	bool foreground;
	bool test_only;
	bool verbose;
} arg;

static struct {
	int pidfile_fd;
	char pidfile[AIS_CONFIG_PATH_MAX + 1];
	uint64_t sched_timer;
	uint64_t sched_last_us;
	uint32_t sched_period_ms;
	uint32_t sched_threshold_ms;
	struct logsys_ratelimit sched_rl;
	bool sync_scheduled;
	uint64_t sync_timer;
	uint64_t sync_tokens_start;   /* tokens received when the regular confchg came */
	unsigned stop_tries;
	int exit_status;
	int signal_fd;
} main_state = {
	.pidfile_fd = -1,
	.signal_fd = -1,
	.sched_rl = LOGSYS_RATELIMIT_INIT(60000, 3),
};

static void main_usage(FILE *f)
{
	fprintf(f,
		"Usage: aisexec [-f] [-c FILE] [-t] [-v] [-h]\n"
		"Run the aisexec cluster executive on this node.\n\n"
		"  -f, --foreground   stay in the foreground (default: daemonize)\n"
		"  -c, --config FILE  configuration file (default: $AIS_CONFIG, else %s)\n"
		"  -t, --test         check the configuration (and the AMF file when\n"
		"                     amf { mode: enabled }), pick this node, print\n"
		"                     \"configuration OK\" or the errors, and exit 0/1\n"
		"  -v, --verbose      with -t: also print the effective configuration\n"
		"                     and a summary of the AMF model;\n"
		"                     otherwise: debug logging\n"
		"  -h, --help         show this help and exit\n"
		"  -V, --version      show the version and exit\n\n"
		"Environment: AIS_INSTANCE names the instance when the configuration\n"
		"does not (aisexec { instance }); AIS_CONFIG names the configuration file.\n"
		"Signals: SIGTERM/SIGINT leave the ring and exit 0; SIGUSR2 writes the\n"
		"log blackbox into the run directory.\n",
		AIS_CONFIG_FILE_DEFAULT);
#ifdef AIS_FAULT_INJECTION
	fprintf(f,
		"\nThis build injects failures: AIS_INJECT=\"POINT:KEY=VALUE,...[;...]\" makes\n"
		"calls fail on purpose. POINT: alloc, sendmsg, recvmsg, ipc_send, write;\n"
		"KEY: nth=N (the N-th call), from=N (the N-th and later), every=N,\n"
		"prob=P with seed=S, errno=NAME, and ready (count only once started).\n"
		"Example: AIS_INJECT=\"alloc:prob=0.01,seed=3;sendmsg:every=10\".\n");
#endif
}

/* The failure injection rules of AIS_INJECT (builds with AIS_FAULT_INJECTION). */
static int main_inject_setup(void)
{
#ifdef AIS_FAULT_INJECTION
	const char *spec = getenv("AIS_INJECT");
	char err[256] = "";

	if (spec != NULL && ais_inject_configure(spec, err, sizeof(err)) < 0) {
		fprintf(stderr, "aisexec: AIS_INJECT: %s\n", err);
		return -EINVAL;
	}
#endif
	return 0;
}

static void main_inject_log(bool stopping)
{
	if (!ais_inject_active()) {
		return;
	}
	if (!stopping) {
		ais_log(LOG_WARNING, "fault injection active: AIS_INJECT=%s", getenv("AIS_INJECT"));
		return;
	}
	for (int i = 0; i < AIS_INJECT_POINTS; i++) {
		struct ais_inject_stats st = ais_inject_stats((enum ais_inject_point)i);
		if (st.calls > 0) {
			ais_log(LOG_NOTICE, "fault injection: %s failed %" PRIu64 " of %" PRIu64 " calls",
				ais_inject_point_name((enum ais_inject_point)i), st.failed, st.calls);
		}
	}
}

static int main_args_parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "test", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	arg.config_path = getenv("AIS_CONFIG");
	if (arg.config_path == NULL || arg.config_path[0] == '\0') {
		arg.config_path = AIS_CONFIG_FILE_DEFAULT;
	}
	while ((c = getopt_long(argc, argv, "fc:tvhV", opts, NULL)) != -1) {
		switch (c) {
		case 'f': arg.foreground = true; break;
		case 'c': arg.config_path = optarg; break;
		case 't': arg.test_only = true; break;
		case 'v': arg.verbose = true; break;
		case 'h': main_usage(stdout); exit(EXIT_SUCCESS);
		case 'V': printf("aisexec (" PACKAGE_NAME ") " PACKAGE_VERSION "\n"); exit(EXIT_SUCCESS);
		default: main_usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "aisexec: unexpected argument '%s'\n", argv[optind]);
		main_usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/* Where `service { name: NAME }` without a path is loaded from (NAME.so):
 * aisexec { plugin_dir } of the config, else the directory the build set. */
static const char *main_plugin_dir(const struct ais_config *cfg)
{
	return cfg->aisexec.plugin_dir != NULL ? cfg->aisexec.plugin_dir : AIS_PLUGIN_DIR;
}

static int main_instance_pick(const struct ais_config *cfg, char *err, size_t errlen)
{
	const char *inst = cfg->aisexec.instance;

	if (inst == NULL || inst[0] == '\0') {
		inst = getenv(AIS_INSTANCE_ENV);
	}
	if (inst == NULL) {
		inst = "";
	}
	if (strlen(inst) > AIS_CONFIG_INSTANCE_MAX) {
		snprintf(err, errlen, "instance name \"%s\" is longer than %d characters", inst,
			 AIS_CONFIG_INSTANCE_MAX);
		return -EINVAL;
	}
	for (const char *p = inst; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.')) {
			snprintf(err, errlen, "instance name \"%s\" may only hold letters, digits, '-', '_', '.'", inst);
			return -EINVAL;
		}
	}
	snprintf(exec_rt.instance, sizeof(exec_rt.instance), "%s", inst);
	return 0;
}

/* ---- totem callbacks -------------------------------------------------- */

/* The deliveries of a transport entry point are done: their IPC events go
 * now, one batch per client, not after the loop's next passes. */
static void main_net_end(void *ctx)
{
	(void)ctx;
	ipc_batch_flush_all();
}

static void main_net_recv(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	if (exec_rt.pg != NULL) {
		srp_recv(pg_srp(exec_rt.pg), buf, len);
	}
}

static void main_deliver(void *ctx, totem_nodeid_t sender, const void *msg, size_t len,
			 enum totem_guarantee guarantee)
{
	(void)ctx;
	(void)guarantee;
	service_exec_deliver(msg, len, sender);
}

static void main_nodes_format(char *buf, size_t len, const totem_nodeid_t *nodes, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	if (n == 0) {
		snprintf(buf, len, "none");
		return;
	}
	for (size_t i = 0; i < n && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%u", i > 0 ? " " : "", nodes[i]);
		if (w < 0) {
			break;
		}
		off += (size_t)w;
	}
}

/* Tokens this node has handled (its visits), for the sync log line. */
static uint64_t main_tokens_received(void)
{
	struct srp_stats s;

	if (exec_rt.pg == NULL) {
		return 0;
	}
	srp_stats_get(pg_srp(exec_rt.pg), &s);
	return s.tokens_received;
}

static void main_confchg(void *ctx, enum totem_confchg_type type,
			 const totem_nodeid_t *members, size_t n_members,
			 const totem_nodeid_t *left, size_t n_left,
			 const totem_nodeid_t *joined, size_t n_joined,
			 const struct totem_ring_id *ring_id)
{
	struct ais_ring_id rid = { .rep = ring_id->rep, .seq = ring_id->seq };
	enum ais_confchg_type t = type == TOTEM_CONFCHG_REGULAR ? AIS_CONFCHG_REGULAR : AIS_CONFCHG_TRANSITIONAL;
	char m[512], l[256], j[256];

	(void)ctx;
	main_nodes_format(m, sizeof(m), members, n_members);
	main_nodes_format(l, sizeof(l), left, n_left);
	main_nodes_format(j, sizeof(j), joined, n_joined);
	if (t == AIS_CONFCHG_REGULAR) {
		size_t n = n_members < TOTEM_PROCESSORS_MAX ? n_members : TOTEM_PROCESSORS_MAX;
		exec_rt.ring_id = rid;
		exec_rt.n_members = n;
		memcpy(exec_rt.members, members, n * sizeof(members[0]));
		ais_log(LOG_NOTICE, "ring %u/%" PRIu64 " formed: %zu members [%s], joined [%s], left [%s]",
			rid.rep, rid.seq, n_members, m, j, l);
		main_state.sync_tokens_start = main_tokens_received();
	} else {
		ais_log(LOG_INFO, "transitional configuration: [%s], left [%s]", m, l);
	}
	service_confchg(t, members, n_members, left, n_left, joined, n_joined, &rid);
	if (exec_rt.sync != NULL) {
		if (exec_rt.pg != NULL) {
			pg_normal_hold(exec_rt.pg, true);
		}
		sync_confchg(exec_rt.sync, t, members, n_members, &rid);
	}
}

/* srp asks before it forms a ring: refuse seqs the disk does not cover. */
static int main_ring_seq_store(void *ctx, uint64_t ring_seq)
{
	static uint64_t last_log_ms;
	static int last_r;
	uint64_t now = qb_util_nano_current_get() / QB_TIME_NS_IN_MSEC;
	int r;

	(void)ctx;
	if (exec_rt.ringseq == NULL) {
		return 0;
	}
	r = ringseq_writer_reserve(exec_rt.ringseq, ring_seq);
	if (r < 0 && r != -EAGAIN && (r != last_r || now - last_log_ms >= 10000)) {
		ais_log(LOG_CRIT, "cannot save the ring sequence in %s/ringseq: %s; this node stays out of "
			"ring %" PRIu64 " (a restart could reuse its id) until the file can be written",
			exec_rt.rundir, strerror(-r), ring_seq);
		last_log_ms = now;
	} else if (r == 0 && last_r < 0 && last_r != -EAGAIN) {
		ais_log(LOG_NOTICE, "the ring sequence is saved again");
	}
	if (r != -EAGAIN) {
		last_r = r;
	}
	return r;
}

static void main_shutdown_job(void *data)
{
	(void)data;
	exec_shutdown_request();
}

/* Messages this node accepted are lost: the others would wait for them (a
 * sync barrier, a join list) for ever. Fail this node instead: leave, once
 * out of srp's token callback that reported it. */
static void main_frame_lost(void *ctx, size_t len, int err)
{
	(void)ctx;
	if (exec_rt.shutting_down || main_state.exit_status == EXIT_FAILURE) {
		return;
	}
	ais_log(LOG_CRIT, "a %zu byte frame of accepted messages was lost (%s): leaving the cluster", len,
		strerror(-err));
	main_state.exit_status = EXIT_FAILURE;
	if (qb_loop_job_add(exec_rt.loop, QB_LOOP_HIGH, NULL, main_shutdown_job) != 0) {
		exec_shutdown_request();
	}
}

static const struct pg_callbacks main_pg_callbacks = {
	.deliver = main_deliver,
	.confchg = main_confchg,
	.ring_seq_store = main_ring_seq_store,
	.frame_lost = main_frame_lost,
};


/* ---- sync host -------------------------------------------------------- */

static int main_sync_mcast(void *ctx, const void *msg, size_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)msg, .iov_len = len };

	(void)ctx;
	if (exec_rt.pg == NULL || exec_rt.shutting_down) {
		return -ENOTCONN;
	}
	return pg_mcast_prio(exec_rt.pg, &iov, 1, TOTEM_AGREED);
}

/* Application traffic waits in pg's normal lane until sync is done (sync.h). */
static void main_sync_completed(void *ctx, const struct ais_ring_id *ring_id)
{
	(void)ctx;
	if (ring_id != NULL) {
		ais_log(LOG_INFO, "sync of ring %u/%" PRIu64 " took %" PRIu64 " token visits", ring_id->rep,
			ring_id->seq, main_tokens_received() - main_state.sync_tokens_start);
	}
	if (exec_rt.pg != NULL) {
		pg_normal_hold(exec_rt.pg, false);
	}
}

static void main_sync_fire(void *data)
{
	(void)data;
	main_state.sync_scheduled = false;
	if (exec_rt.sync != NULL) {
		sync_run(exec_rt.sync);
	}
}

static void main_sync_schedule(void *ctx, uint32_t delay_ms)
{
	(void)ctx;
	if (main_state.sync_scheduled) {
		return;
	}
	if (timers_add(exec_rt.timers, delay_ms, main_sync_fire, NULL, &main_state.sync_timer) == 0) {
		main_state.sync_scheduled = true;
	}
}

static const struct sync_host_ops main_sync_ops = {
	.mcast = main_sync_mcast,
	.schedule = main_sync_schedule,
	.engine_get = service_engine_get,
	.completed = main_sync_completed,
};

/* ---- scheduling watchdog ---------------------------------------------- */

static void main_sched_check(void *data)
{
	uint64_t now = logsys_now_us();
	uint64_t gap_ms = (now - main_state.sched_last_us) / 1000;
	uint64_t suppressed = 0;

	(void)data;
	if (main_state.sched_threshold_ms > 0 && gap_ms > main_state.sched_threshold_ms &&
	    logsys_ratelimit_ok(&main_state.sched_rl, now, &suppressed)) {
		ais_log(LOG_WARNING, "main process was not scheduled for %" PRIu64 " ms (threshold %u ms); "
			"token timeout may be hit", gap_ms, main_state.sched_threshold_ms);
	}
	main_state.sched_last_us = now;
	(void)timers_add(exec_rt.timers, main_state.sched_period_ms, main_sched_check, NULL,
			 &main_state.sched_timer);
}

static void main_sched_start(const struct totem_config *tc)
{
	uint32_t token = tc->token_effective != 0 ? tc->token_effective : tc->token;

	main_state.sched_period_ms = token / 4 > 10 ? token / 4 : 10;
	main_state.sched_threshold_ms = (uint32_t)((uint64_t)token * tc->token_warning / 100);
	if (main_state.sched_threshold_ms > 0 && main_state.sched_threshold_ms < main_state.sched_period_ms) {
		main_state.sched_threshold_ms = main_state.sched_period_ms + 1;
	}
	main_state.sched_last_us = logsys_now_us();
	(void)timers_add(exec_rt.timers, main_state.sched_period_ms, main_sched_check, NULL,
			 &main_state.sched_timer);
}

/* ---- shutdown --------------------------------------------------------- */

static void main_stop_engines(void *data)
{
	(void)data;
	if (main_state.stop_tries == 0) {
		ipc_stop(); /* clients first: lib_exit_fn runs while engines still stand */
	}
	if (service_stop_step() == -EBUSY && ++main_state.stop_tries < MAIN_STOP_TRIES_MAX) {
		uint64_t h;

		(void)timers_add(exec_rt.timers, MAIN_STOP_RETRY_MS, main_stop_engines, NULL, &h);
		return;
	}
	if (main_state.stop_tries >= MAIN_STOP_TRIES_MAX) {
		ais_log(LOG_WARNING, "some service engines were still busy; stopping anyway");
	}
	qb_loop_stop(exec_rt.loop);
}

void exec_shutdown_request(void)
{
	uint64_t h;

	if (exec_rt.shutting_down) {
		return;
	}
	exec_rt.shutting_down = true;
	ais_log(LOG_NOTICE, "shutting down: leaving the ring");
	if (exec_rt.pg != NULL) {
		srp_leave(pg_srp(exec_rt.pg));
	}
	/* keep the loop running briefly so the leave frames go out and are repeated */
	if (timers_add(exec_rt.timers, MAIN_LEAVE_GRACE_MS, main_stop_engines, NULL, &h) < 0) {
		main_stop_engines(NULL);
	}
}

/* ---- signals ----------------------------------------------------------
 * SIGTERM, SIGINT and SIGUSR2 are blocked in every thread (before any thread
 * is created) and read from a signalfd polled by the loop. libqb's signal
 * source is not used: it allocates a job per delivered signal that only
 * running the job frees, and neither qb_loop_signal_del nor qb_loop_destroy
 * frees one still queued, so a signal arriving in the loop pass that stops
 * the loop (a second SIGTERM during shutdown) leaked it. The signalfd keeps
 * no per-signal state. */

static void main_signals_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGUSR2);
}

static int main_signals_block(void)
{
	sigset_t set;

	main_signals_set(&set);
	return -pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static void main_signal_handle(int sig)
{
	char path[AIS_CONFIG_PATH_MAX + 1];

	if (sig == SIGUSR2) {
		(void)admin_blackbox_dump(path, sizeof(path));
		return;
	}
	ais_log(LOG_NOTICE, "got signal %d", sig);
	exec_shutdown_request();
}

static int32_t main_signal_dispatch(int32_t fd, int32_t revents, void *data)
{
	struct signalfd_siginfo si;
	ssize_t n;

	(void)revents;
	(void)data;
	for (;;) {
		n = read(fd, &si, sizeof(si));
		if (n == (ssize_t)sizeof(si)) {
			main_signal_handle((int)si.ssi_signo);
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else {
			if (n < 0 && errno != EAGAIN) {
				ais_log(LOG_ERR, "reading the signal descriptor failed: %s", strerror(errno));
			}
			return 0;
		}
	}
}

static int main_signals_setup(void)
{
	sigset_t set;
	int fd;
	int r;

	signal(SIGPIPE, SIG_IGN);
	main_signals_set(&set);
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	r = qb_loop_poll_add(exec_rt.loop, QB_LOOP_HIGH, fd, POLLIN, NULL, main_signal_dispatch);
	if (r != 0) {
		close(fd);
		return r < 0 ? r : -EIO;
	}
	main_state.signal_fd = fd;
	return 0;
}

static void main_signals_stop(void)
{
	if (main_state.signal_fd >= 0) {
		(void)qb_loop_poll_del(exec_rt.loop, main_state.signal_fd);
		close(main_state.signal_fd);
		main_state.signal_fd = -1;
	}
}

/* ---- start-up and tear-down ------------------------------------------- */

/* Loopback: 127.0.0.0/8 or ::1. */
static bool main_addr_is_loopback(const struct ais_addr *a)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };

	if (a->family == AF_INET) {
		return a->bytes[0] == 127;
	}
	return a->family == AF_INET6 && memcmp(a->bytes, v6_loopback, sizeof(v6_loopback)) == 0;
}

/* Without authentication anyone who can reach the port can forge frames:
 * say so loudly when that port is on a real network (docs/SECURITY.md). */
static void main_warn_unauthenticated(const struct ais_config *cfg)
{
	const struct ais_addr *a = NULL;

	if (cfg->crypto_hash != AIS_HASH_NONE) {
		return;
	}
	if (cfg->local_node >= 0 && (size_t)cfg->local_node < cfg->node_count) {
		a = &cfg->nodes[cfg->local_node].ring0_addr;
	} else {
		a = &cfg->iface.bindnetaddr;
	}
	if (main_addr_is_loopback(a)) {
		return;
	}
	ais_log(LOG_WARNING, "*** the ring runs WITHOUT authentication on a network address: anyone who can "
		"send to UDP port %u can forge membership and messages ***", cfg->iface.mcastport);
	ais_log(LOG_WARNING, "*** create a key with ais-keygen and set totem { secauth: on } on every node "
		"(docs/SECURITY.md) ***");
}

static int main_crypto_start(const struct ais_config *cfg, char *err, size_t errlen)
{
	uint8_t key[CRYPTO_KEY_MAX];
	size_t keylen = 0;
	int r;

	if (cfg->crypto_hash != AIS_HASH_NONE || cfg->crypto_cipher != AIS_CIPHER_NONE) {
		const char *path = cfg->keyfile != NULL ? cfg->keyfile : AIS_CONFIG_KEYFILE_DEFAULT;
		r = crypto_key_load(path, key, sizeof(key), &keylen, err, errlen);
		if (r < 0) {
			return r;
		}
	}
	r = crypto_create(cfg->crypto_cipher, cfg->crypto_hash, keylen > 0 ? key : NULL, keylen,
			  &exec_rt.crypto, err, errlen);
	memset(key, 0, sizeof(key));
	if (r == 0) {
		ais_log(LOG_INFO, "frame protection: %s", crypto_ops(exec_rt.crypto)->name);
		main_warn_unauthenticated(cfg);
	}
	return r;
}

/* <rundir>/<name> into buf; -ENAMETOOLONG when it does not fit. */
static int main_rundir_path(char *buf, size_t len, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", exec_rt.rundir, name);

	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

static int main_ringseq_start(uint64_t *ret_seq, char *err, size_t errlen)
{
	char path[AIS_CONFIG_PATH_MAX + 32];
	int r;

	if (main_rundir_path(path, sizeof(path), "ringseq") < 0) {
		snprintf(err, errlen, "run directory path too long");
		return -ENAMETOOLONG;
	}
	r = ringseq_read(path, ret_seq);
	if (r < 0) {
		int n = snprintf(err, errlen, "cannot read ring sequence file %.512s: %s (remove it only if no "
				 "other node can remember a higher ring)", path, strerror(-r));
		(void)n;
		return r;
	}
	r = ringseq_writer_start(path, &exec_rt.ringseq);
	if (r < 0) {
		snprintf(err, errlen, "cannot start the ring sequence writer: %s", strerror(-r));
		return r;
	}
	/* Reserve the first block before joining anything: a node that cannot
	 * save its ring sequence does not start. */
	(void)ringseq_writer_reserve(exec_rt.ringseq, *ret_seq);
	r = ringseq_writer_flush(exec_rt.ringseq);
	if (r < 0) {
		snprintf(err, errlen, "cannot save the ring sequence file %.512s: %s", path, strerror(-r));
	}
	return r;
}

/* Replay protection: the frame sequence epoch kept in <rundir>/txepoch. */
static int main_net_seq_start(char *err, size_t errlen)
{
	char path[AIS_CONFIG_PATH_MAX + 32];

	if (main_rundir_path(path, sizeof(path), "txepoch") < 0) {
		snprintf(err, errlen, "run directory path too long");
		return -ENAMETOOLONG;
	}
	return net_seq_start(exec_rt.net, path, err, errlen);
}

/*
 * The seed of the fault filter's generator (which frames a drop, dup or
 * delay rule hits). Nodes must not share it, or their random choices would
 * be the same. Without the kernel's entropy (getentropy fails only on a
 * kernel without getrandom or a seccomp filter refusing it) the seed comes
 * from the node id, the pid and the clocks: the filter needs variety, not
 * secrecy, so the daemon starts anyway.
 */
static uint64_t main_fault_seed(const struct ais_config *cfg)
{
	uint64_t seed = 0;
	struct timespec rt = {0};
	struct timespec mono = {0};

	if (getentropy(&seed, sizeof(seed)) == 0 && seed != 0) {
		return seed;
	}
	ais_log(cfg->fault_injection ? LOG_WARNING : LOG_DEBUG,
		"no kernel entropy for the fault filter's seed (%s): using the node id, pid and clocks",
		strerror(errno));
	(void)clock_gettime(CLOCK_REALTIME, &rt);
	(void)clock_gettime(CLOCK_MONOTONIC, &mono);
	seed = ((uint64_t)cfg->totem.nodeid << 32) ^ (uint64_t)getpid();
	seed ^= (uint64_t)rt.tv_sec * UINT64_C(1000000007) + (uint64_t)rt.tv_nsec;
	seed ^= ((uint64_t)mono.tv_nsec << 21) ^ (uint64_t)mono.tv_sec;
	/* splitmix64 finaliser: spread the few varying bits over all 64 */
	seed += UINT64_C(0x9e3779b97f4a7c15);
	seed = (seed ^ (seed >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	seed = (seed ^ (seed >> 27)) * UINT64_C(0x94d049bb133111eb);
	return seed ^ (seed >> 31);
}

static int main_stack_start(struct ais_config *cfg, char *err, size_t errlen)
{
	struct totem_config tc;
	uint64_t ring_seq = 0;
	int r;

	exec_rt.loop = qb_loop_create();
	if (exec_rt.loop == NULL) {
		snprintf(err, errlen, "cannot create the main loop");
		return -ENOMEM;
	}
	r = timers_create(exec_rt.loop, QB_LOOP_MED, &exec_rt.timers);
	if (r < 0) {
		snprintf(err, errlen, "cannot create the timers: %s", strerror(-r));
		return r;
	}
	r = main_ringseq_start(&ring_seq, err, errlen);
	if (r == 0) {
		r = main_crypto_start(cfg, err, errlen);
	}
	if (r < 0) {
		return r;
	}
	fault_filter_init(&exec_rt.fault, cfg->totem.nodeid, cfg->fault_injection, main_fault_seed(cfg));
	r = net_create(cfg, exec_rt.loop, exec_rt.crypto, &exec_rt.fault, main_net_recv, NULL,
		       &exec_rt.net, err, errlen);
	if (r < 0) {
		return r;
	}
	net_end_hook_set(exec_rt.net, main_net_end, NULL);
	r = main_net_seq_start(err, errlen);
	if (r < 0) {
		return r;
	}
	tc = cfg->totem;
	tc.netmtu = tc.netmtu > net_overhead(exec_rt.net) ? tc.netmtu - (uint32_t)net_overhead(exec_rt.net) : 0;
	r = totem_config_validate(&tc, err, errlen);
	if (r < 0) {
		return r;
	}
	r = service_load(cfg, service_builtins, service_builtin_count, main_plugin_dir(cfg), err, errlen);
	if (r < 0) {
		return r;
	}
	exec_rt.sync = sync_create(&main_sync_ops, NULL);
	if (exec_rt.sync == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	service_sync_attach(exec_rt.sync);
	/* ctx reaches both the transport/clock ops (which need the net instance)
	 * and our callbacks (which use exec_rt and ignore it) */
	exec_rt.pg = pg_create(&tc, ring_seq, &net_transport_ops, &net_clock_ops, &main_pg_callbacks,
	                       exec_rt.net);
	if (exec_rt.pg == NULL) {
		snprintf(err, errlen, "cannot create the totem stack: out of memory");
		return -ENOMEM;
	}
	ais_log(LOG_INFO, "node %u (%s transport, ring seq %" PRIu64 ", instance \"%s\") starting",
		cfg->totem.nodeid, cfg->transport == AIS_TRANSPORT_UDP ? "udp" : "udpu", ring_seq, exec_rt.instance);
	r = service_start_all(&exec_api, err, errlen);
	if (r < 0) {
		return r;
	}
	main_sched_start(&tc);
	return ipc_start(err, errlen);
}

static void main_stack_stop(void)
{
	int r;

	ipc_stop();
	if (main_state.stop_tries == 0) {
		(void)service_stop_step();
	}
	exec_rt.pg = pg_destroy(exec_rt.pg);
	service_sync_attach(NULL);
	exec_rt.sync = sync_destroy(exec_rt.sync);
	service_unload_all();
	exec_rt.net = net_destroy(exec_rt.net);
	exec_rt.crypto = crypto_destroy(exec_rt.crypto);
	crypto_fini();
	r = ringseq_writer_stop(exec_rt.ringseq);
	exec_rt.ringseq = NULL;
	if (r < 0) {
		ais_log(LOG_ERR, "writing the ring sequence file failed: %s", strerror(-r));
	}
	exec_rt.timers = timers_destroy(exec_rt.timers);
	if (exec_rt.loop != NULL) {
		main_signals_stop();
		qb_loop_destroy(exec_rt.loop);
		exec_rt.loop = NULL;
	}
}

static int main_process_setup(struct ais_config *cfg, char *err, size_t errlen)
{
	char path[AIS_CONFIG_PATH_MAX + 1];
	int r;

	r = daemon_rundir_resolve(cfg, exec_rt.instance, exec_rt.rundir, sizeof(exec_rt.rundir));
	if (r < 0) {
		snprintf(err, errlen, "run directory path too long");
		return r;
	}
	r = daemon_rundir_prepare(exec_rt.rundir, err, errlen);
	if (r < 0) {
		return r;
	}
	if (!arg.foreground) {
		r = daemon_detach();
		if (r < 0) {
			snprintf(err, errlen, "cannot daemonize: %s", strerror(-r));
			return r;
		}
		logsys_after_fork();
	}
	if (main_rundir_path(main_state.pidfile, sizeof(main_state.pidfile), "aisexec.pid") < 0 ||
	    main_rundir_path(path, sizeof(path), "blackbox-crash.fdata") < 0) {
		main_state.pidfile[0] = '\0';
		snprintf(err, errlen, "run directory path too long");
		return -ENAMETOOLONG;
	}
	r = daemon_pidfile_take(main_state.pidfile, &main_state.pidfile_fd, err, errlen);
	if (r < 0) {
		main_state.pidfile[0] = '\0';
		return r;
	}
	logsys_crash_handlers_install(path);
	return 0;
}

/* aisexec { sched_rr: yes }: not getting it is no reason not to run (a
 * daemon started by a user, a container without CAP_SYS_NICE) */
static void main_sched_rr(void)
{
	int prio = 0;
	int r = daemon_sched_rr_set(&prio);

	if (r < 0) {
		ais_log(LOG_WARNING, "cannot run SCHED_RR priority %d (aisexec { sched_rr }): %s; "
			"running with the normal scheduler", prio, strerror(-r));
	} else {
		ais_log(LOG_NOTICE, "running SCHED_RR priority %d", prio);
	}
}

static int main_run(struct ais_config *cfg)
{
	char err[1024] = "";
	int r;

	if (arg.verbose && cfg->logging.debug == AIS_LOG_DEBUG_OFF) {
		cfg->logging.debug = AIS_LOG_DEBUG_ON;
	}
	if (!arg.foreground) {
		cfg->logging.to_stderr = true; /* until start-up is over */
	}
	r = logsys_configure(cfg, err, sizeof(err));
	if (r == 0) {
		main_inject_log(false);
		r = main_process_setup(cfg, err, sizeof(err));
	}
	if (r == 0 && main_signals_block() < 0) {
		snprintf(err, sizeof(err), "cannot block signals");
		r = -EIO;
	}
	if (r == 0 && cfg->aisexec.sched_rr) {
		main_sched_rr(); /* before the privilege drop, which may lose CAP_SYS_NICE */
	}
	if (r == 0) {
		exec_rt.start_us = logsys_now_us();
		r = main_stack_start(cfg, err, sizeof(err));
	}
	if (r == 0) {
		r = daemon_privileges_drop(cfg->aisexec.user, cfg->aisexec.group, exec_rt.rundir, err, sizeof(err));
	}
	if (r == 0 && main_signals_setup() < 0) {
		snprintf(err, sizeof(err), "cannot install signal handlers");
		r = -EIO;
	}
	if (r < 0) {
		ais_log(LOG_ERR, "cannot start: %s", err);
		main_stack_stop();
		daemon_ready(1);
		return EXIT_FAILURE;
	}
	ais_log(LOG_NOTICE, "aisexec %s started (pid %d, run directory %s)", PACKAGE_VERSION,
		(int)getpid(), exec_rt.rundir);
	ais_inject_ready(); /* the rules marked "ready" count from here */
	if (!arg.foreground) {
		logsys_stderr_off(); /* stderr is /dev/null from here on */
		daemon_ready(0);
		daemon_stdio_close();
	}
	qb_loop_run(exec_rt.loop);
	main_stack_stop();
	main_inject_log(true);
	ais_log(LOG_NOTICE, "aisexec stopped");
	return main_state.exit_status;
}

int main(int argc, char **argv)
{
	static struct ais_config cfg;
	char err[1024] = "";
	int status;
	int r;

	if (main_args_parse(argc, argv) < 0 || main_inject_setup() < 0) {
		return EXIT_FAILURE;
	}
	logsys_init("aisexec");
	r = ais_config_parse_file(arg.config_path, &cfg, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "aisexec: %s\n", err);
		logsys_fini();
		return EXIT_FAILURE;
	}
	r = ais_config_pick_node(&cfg, NULL, err, sizeof(err));
	if (r == 0) {
		r = main_instance_pick(&cfg, err, sizeof(err));
	}
	if (r < 0) {
		fprintf(stderr, "aisexec: %s: %s\n", arg.config_path, err);
		ais_config_free(&cfg);
		logsys_fini();
		return EXIT_FAILURE;
	}
	/* Everything the start would refuse, short of binding sockets: -t and
	 * the start agree. */
	if (start_check(&cfg, arg.config_path, main_plugin_dir(&cfg), stderr) > 0) {
		ais_config_free(&cfg);
		logsys_fini();
		return EXIT_FAILURE;
	}
	if (arg.test_only) {
		/* The AMF file is checked here only; the AMF engine loads it itself. */
		if (cfg.amf.mode == AIS_AMF_ENABLED &&
		    amf_config_check(arg.config_path, cfg.amf.file, arg.verbose, stdout, stderr) < 0) {
			ais_config_free(&cfg);
			logsys_fini();
			return EXIT_FAILURE;
		}
		printf("configuration OK\n");
		status = EXIT_SUCCESS;
		if (arg.verbose && ais_config_dump(&cfg, stdout) < 0) {
			status = EXIT_FAILURE;
		}
		ais_config_free(&cfg);
		logsys_fini();
		return status;
	}
	exec_rt.cfg = &cfg;
	snprintf(exec_rt.config_path, sizeof(exec_rt.config_path), "%s", arg.config_path);
	status = main_run(&cfg);
	if (main_state.pidfile[0] != '\0') {
		(void)unlink(main_state.pidfile);
		close(main_state.pidfile_fd);
	}
	exec_rt.cfg = NULL;
	ais_config_free(&cfg);
	logsys_fini();
	return status;
}
