/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpghist: a CPG client for the cluster tests that writes what it sees as a
 * history log in the text format of test/sim/checker.h, so that
 * test/sim/histcheck can check total order, extended virtual synchrony,
 * no loss, no duplicates and integrity over the logs of every node.
 *
 * It joins one group and, optionally, sends COUNT messages at RATE per
 * second (agreed, or safe for a given share), retrying on CS_ERR_TRY_AGAIN.
 * Every message carries its msgid "<nodeid>:<incarnation>:<counter>", its
 * guarantee, its length and a checksum over the whole body; receivers
 * recompute the checksum. Ring (totem) configurations come from the V1
 * model's totem confchg callback, transitional ones included (the aisexec
 * extension CPG_MODEL_V1_DELIVER_TRANSITIONAL_TOTEM_CONF), and are logged
 * as "C T" and "C R" lines where they were delivered among the messages;
 * the first line says so ("# transitional configurations: delivered"), for
 * the test scripts. Group membership changes (joined / left with their
 * reasons) go to a second log.
 *
 * SIGUSR2 makes the client leave its group (cpg_leave) and go on running.
 * SIGTERM, SIGINT or SIGUSR1 end the run: sending stops, the client keeps
 * delivering until nothing has arrived for the quiet period, writes
 * "E end" and exits 0. If the daemon goes away the log ends without an E
 * line (a crash, for the checker) and the exit status is 3.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ais/client.h>
#include <ais/cpg.h>

#define HIST_MAGIC 0x48495354u /* "HIST" */
#define HIST_EXIT_LOST 3
#define HIST_MAX_NODES 64

/** Body header of every message; the payload bytes follow. */
struct hist_body {
	uint32_t magic;
	uint32_t nodeid;
	uint32_t inc;
	uint32_t guarantee; /**< 0 agreed, 1 safe */
	uint64_t counter;
	uint32_t len;       /**< whole message, header included */
	uint32_t pad;
	uint64_t checksum;  /**< FNV-1a over the message with this field zero */
};
_Static_assert(sizeof(struct hist_body) == 40, "hist_body layout");

struct opts {
	const char *group;
	const char *log_path;
	const char *mlog_path;
	const char *done_path;
	uint32_t inc;
	uint64_t count;
	unsigned rate;
	unsigned safe_pct;
	uint32_t max_size;
	unsigned wait_members;
	unsigned quiet_ms;
	unsigned seed;
};

static struct opts opt = {
	.group = "hist",
	.inc = 1,
	.rate = 500,
	.max_size = 1024,
	.wait_members = 1,
	.quiet_ms = 2000,
	.seed = 1,
};

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t leave_requested;
static FILE *hlog;
static FILE *mlog;
static uint32_t my_nodeid;
static unsigned group_members;
static bool joined;
static uint64_t last_event_us;
static uint64_t delivered;

/* Last logged ring, to compute left/joined and to skip repeats. */
static bool have_ring;
static struct cpg_ring_id last_ring;
static uint32_t ring_members[HIST_MAX_NODES];
static size_t ring_n;
/* The transitional configuration logged since the last regular one. */
static bool have_trans;
static uint32_t trans_members[HIST_MAX_NODES];
static size_t trans_n;

static void on_signal(int sig)
{
	if (sig == SIGUSR2)
		leave_requested = 1;
	else
		stop_requested = 1;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t fnv1a(const void *buf, size_t len, uint64_t h)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t body_checksum(const uint8_t *msg, size_t len)
{
	struct hist_body b;
	uint64_t h = 0xcbf29ce484222325ull;

	memcpy(&b, msg, sizeof(b));
	b.checksum = 0;
	h = fnv1a(&b, sizeof(b), h);
	return fnv1a(msg + sizeof(b), len - sizeof(b), h);
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/** Build message `counter` into buf (at least opt.max_size bytes). */
static size_t body_build(uint8_t *buf, uint64_t counter, bool safe, uint64_t *rng)
{
	uint32_t span = opt.max_size - (uint32_t)sizeof(struct hist_body);
	uint64_t r = xorshift(rng);
	/* mostly small messages, now and then one up to the maximum */
	uint32_t len = (uint32_t)sizeof(struct hist_body) +
	               (uint32_t)((r % 10 == 0) ? (r >> 8) % (span + 1) : (r >> 8) % (span / 16 + 1));
	struct hist_body b = {
		.magic = HIST_MAGIC,
		.nodeid = my_nodeid,
		.inc = opt.inc,
		.guarantee = safe ? 1 : 0,
		.counter = counter,
		.len = len,
	};
	uint64_t fill = counter * 0x9e3779b97f4a7c15ull + my_nodeid + ((uint64_t)opt.inc << 32) + 1;

	for (uint32_t i = sizeof(b); i < len; i++)
		buf[i] = (uint8_t)(xorshift(&fill) >> 24);
	memcpy(buf, &b, sizeof(b));
	b.checksum = body_checksum(buf, len);
	memcpy(buf, &b, sizeof(b));
	return len;
}

static const char *reason_name(uint32_t reason)
{
	switch (reason) {
	case CPG_REASON_JOIN: return "join";
	case CPG_REASON_LEAVE: return "leave";
	case CPG_REASON_NODEDOWN: return "nodedown";
	case CPG_REASON_NODEUP: return "nodeup";
	case CPG_REASON_PROCDOWN: return "procdown";
	default: return "unknown";
	}
}

static void deliver_cb(cpg_handle_t handle, const struct cpg_name *group, uint32_t nodeid,
                       uint32_t pid, void *msg, size_t msg_len)
{
	struct hist_body b;
	bool ok;

	(void)handle;
	(void)group;
	(void)pid;
	last_event_us = now_us();
	delivered++;
	if (msg_len < sizeof(b)) {
		/* not one of ours: record it as an integrity failure */
		fprintf(hlog, "@%" PRIu64 " D %" PRIu32 " %" PRIu32 ":0:0 A %zu bad\n", last_event_us,
		        nodeid, nodeid, msg_len);
		return;
	}
	memcpy(&b, msg, sizeof(b));
	ok = b.magic == HIST_MAGIC && b.len == msg_len && b.checksum == body_checksum(msg, msg_len);
	fprintf(hlog, "@%" PRIu64 " D %" PRIu32 " %" PRIu32 ":%" PRIu32 ":%" PRIu64 " %c %zu %s\n",
	        last_event_us, nodeid, b.nodeid, b.inc, b.counter, b.guarantee ? 'S' : 'A', msg_len,
	        ok ? "ok" : "bad");
}

static void addr_list(FILE *f, const char *tag, const struct cpg_address *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s %" PRIu32 " %" PRIu32 " %s\n", tag, a[i].nodeid, a[i].pid,
		        reason_name(a[i].reason));
}

static void confchg_cb(cpg_handle_t handle, const struct cpg_name *group,
                       const struct cpg_address *members, size_t n_members,
                       const struct cpg_address *left, size_t n_left,
                       const struct cpg_address *joined_list, size_t n_joined)
{
	(void)handle;
	(void)group;
	last_event_us = now_us();
	group_members = (unsigned)n_members;
	for (size_t i = 0; i < n_joined; i++) {
		if (joined_list[i].nodeid == my_nodeid && joined_list[i].pid == (uint32_t)getpid())
			joined = true;
	}
	if (!mlog)
		return;
	fprintf(mlog, "@%" PRIu64 " MEMBERS", last_event_us);
	for (size_t i = 0; i < n_members; i++)
		fprintf(mlog, " %" PRIu32 "/%" PRIu32, members[i].nodeid, members[i].pid);
	fputc('\n', mlog);
	addr_list(mlog, "LEFT", left, n_left);
	addr_list(mlog, "JOINED", joined_list, n_joined);
	fflush(mlog);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static bool ids_contain(const uint32_t *ids, size_t n, uint32_t v)
{
	for (size_t i = 0; i < n; i++) {
		if (ids[i] == v)
			return true;
	}
	return false;
}

/** Print the ids of a that are not in b, comma separated. */
static void ids_print_diff(FILE *f, const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	bool first = true;

	for (size_t i = 0; i < na; i++) {
		if (ids_contain(b, nb, a[i]))
			continue;
		fprintf(f, "%s%" PRIu32, first ? "" : ",", a[i]);
		first = false;
	}
}

static void ids_print(FILE *f, const char *tag, const uint32_t *a, size_t na, const uint32_t *b,
                      size_t nb)
{
	fputs(tag, f);
	if (a)
		ids_print_diff(f, a, na, b, nb);
}

/*
 * With CPG_MODEL_V1_DELIVER_TRANSITIONAL_TOTEM_CONF the daemon delivers the
 * transitional configuration too, in order with the messages, and the log
 * gets the EVS pair: "C T" (left = previous regular - transitional), then
 * "C R" (joined = regular - transitional), as totem installed them.
 * Without a transitional one (a client started between the two) a regular
 * configuration's joined list is relative to the previous regular one.
 */
static void totem_cb(cpg_handle_t handle, struct cpg_ring_id ring, uint32_t n, const uint32_t *list)
{
	cpg_totem_confchg_type_t type = CPG_TOTEM_CONFCHG_REGULAR;
	uint32_t m[HIST_MAX_NODES];
	size_t nm = n < HIST_MAX_NODES ? n : HIST_MAX_NODES;
	bool trans;

	last_event_us = now_us();
	if (cpg_totem_confchg_type_get(handle, &type) != CS_OK)
		type = CPG_TOTEM_CONFCHG_REGULAR;
	trans = type == CPG_TOTEM_CONFCHG_TRANSITIONAL;
	if (!trans && !have_trans && have_ring && ring.nodeid == last_ring.nodeid &&
	    ring.seq == last_ring.seq)
		return; /* the initial configuration repeats the current one */
	memcpy(m, list, nm * sizeof(m[0]));
	qsort(m, nm, sizeof(m[0]), cmp_u32);
	fprintf(hlog, "@%" PRIu64 " C %c %" PRIu32 ".%" PRIu64 " m=", last_event_us, trans ? 'T' : 'R',
	        ring.nodeid, ring.seq);
	for (size_t i = 0; i < nm; i++)
		fprintf(hlog, "%s%" PRIu32, i ? "," : "", m[i]);
	if (trans) {
		/* left: previous regular - transitional; joined: none */
		ids_print(hlog, " l=", have_ring ? ring_members : NULL, ring_n, m, nm);
		fputs(" j=\n", hlog);
		memcpy(trans_members, m, nm * sizeof(m[0]));
		trans_n = nm;
		have_trans = true;
		return;
	}
	/* left: previous regular - regular (what the test scripts look for);
	 * joined: regular - transitional, or - previous regular without one */
	ids_print(hlog, " l=", have_ring ? ring_members : NULL, ring_n, m, nm);
	if (have_trans)
		ids_print(hlog, " j=", m, nm, trans_members, trans_n);
	else
		ids_print(hlog, " j=", have_ring ? m : NULL, nm, ring_members, ring_n);
	fputc('\n', hlog);
	have_trans = false;
	memcpy(ring_members, m, nm * sizeof(m[0]));
	ring_n = nm;
	last_ring = ring;
	have_ring = true;
	if (mlog) {
		fprintf(mlog, "@%" PRIu64 " RING %" PRIu32 ".%" PRIu64 " %zu\n", last_event_us, ring.nodeid,
		        ring.seq, nm);
		fflush(mlog);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: cpghist -l LOG [options]\n"
	        "  -l FILE    history log (test/sim/checker.h text format)\n"
	        "  -m FILE    group membership log (MEMBERS/JOINED/LEFT/RING lines)\n"
	        "  -g NAME    group name (default hist)\n"
	        "  -i INC     incarnation number of this node's client (default 1)\n"
	        "  -n COUNT   messages to send (default 0: only listen)\n"
	        "  -r RATE    messages per second (default 500)\n"
	        "  -s PCT     percentage sent in safe order (default 0)\n"
	        "  -z BYTES   largest message (default 1024, at least 40)\n"
	        "  -w N       start sending once the group has N members (default 1)\n"
	        "  -q MS      quiet period before 'E end' after a stop signal (default 2000)\n"
	        "  -d FILE    write the number of messages sent to FILE when all are sent\n"
	        "  -x SEED    random seed for sizes and guarantees (default 1)\n"
	        "SIGUSR2 leaves the group (cpg_leave) and keeps running.\n"
	        "SIGTERM/SIGINT/SIGUSR1 stop the run; exit 0 after 'E end', 3 if the\n"
	        "daemon went away, 1 on any other error.\n");
}

static int parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
	char *end = NULL;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_args(int argc, char **argv)
{
	uint64_t v;
	int c;

	while ((c = getopt(argc, argv, "l:m:g:i:n:r:s:z:w:q:d:x:h")) != -1) {
		switch (c) {
		case 'l': opt.log_path = optarg; continue;
		case 'm': opt.mlog_path = optarg; continue;
		case 'g': opt.group = optarg; continue;
		case 'd': opt.done_path = optarg; continue;
		case 'h': usage(stdout); exit(0);
		default: break;
		}
		if (c == '?' || parse_u64(optarg, UINT32_MAX, &v) < 0) {
			usage(stderr);
			return -EINVAL;
		}
		switch (c) {
		case 'i': opt.inc = (uint32_t)v; break;
		case 'n': opt.count = v; break;
		case 'r': opt.rate = (unsigned)v; break;
		case 's': opt.safe_pct = (unsigned)v; break;
		case 'z': opt.max_size = (uint32_t)v; break;
		case 'w': opt.wait_members = (unsigned)v; break;
		case 'q': opt.quiet_ms = (unsigned)v; break;
		case 'x': opt.seed = (unsigned)v; break;
		default: break;
		}
	}
	if (!opt.log_path || optind != argc || opt.max_size < sizeof(struct hist_body) ||
	    opt.max_size > CPG_MAX_MSG_SIZE || opt.safe_pct > 100 || opt.rate == 0 ||
	    strlen(opt.group) > CPG_MAX_NAME_LENGTH || opt.inc == 0) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/** Run callbacks that are ready. Returns CS_OK or the dispatch error. */
static cs_error_t pump(cpg_handle_t h, int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r = poll(&p, 1, timeout_ms);

	if (r < 0)
		return errno == EINTR ? CS_OK : CS_ERR_LIBRARY;
	if (r == 0)
		return CS_OK;
	cs_error_t e = cpg_dispatch(h, CS_DISPATCH_ALL);
	fflush(hlog);
	return e == CS_ERR_TRY_AGAIN ? CS_OK : e;
}

struct sender {
	uint64_t sent;
	uint64_t rng;
	uint64_t next_ms;
	uint64_t start_ms;
	uint8_t *buf;
};

/** Send the next message if it is due. CS_OK, or a fatal error. */
static cs_error_t send_due(cpg_handle_t h, struct sender *s)
{
	uint64_t now = mono_ms();

	if (now < s->next_ms)
		return CS_OK;
	bool safe = (xorshift(&s->rng) % 100) < opt.safe_pct;
	size_t len = body_build(s->buf, s->sent, safe, &s->rng);
	struct iovec iov = { .iov_base = s->buf, .iov_len = len };
	cs_error_t e = cpg_mcast_joined(h, safe ? CPG_TYPE_SAFE : CPG_TYPE_AGREED, &iov, 1);

	if (e == CS_ERR_TRY_AGAIN) {
		s->next_ms = now + 10; /* the same counter is built again */
		return CS_OK;
	}
	if (e != CS_OK)
		return e;
	fprintf(hlog, "@%" PRIu64 " S %" PRIu32 ":%" PRIu32 ":%" PRIu64 " %c %zu\n", now_us(), my_nodeid,
	        opt.inc, s->sent, safe ? 'S' : 'A', len);
	s->sent++;
	s->next_ms = s->start_ms + s->sent * 1000u / opt.rate;
	return CS_OK;
}

static void done_write(uint64_t sent)
{
	FILE *f;

	if (!opt.done_path)
		return;
	f = fopen(opt.done_path, "w");
	if (!f) {
		fprintf(stderr, "cpghist: %s: %s\n", opt.done_path, strerror(errno));
		return;
	}
	fprintf(f, "%" PRIu64 "\n", sent);
	fclose(f);
}

static int fail_lost(cs_error_t e, const char *what)
{
	fprintf(hlog, "# %s: error %d, the daemon connection is lost\n", what, (int)e);
	fclose(hlog);
	fprintf(stderr, "cpghist: %s failed with error %d (daemon gone?)\n", what, (int)e);
	return e == CS_ERR_LIBRARY || e == CS_ERR_BAD_HANDLE ? HIST_EXIT_LOST : 1;
}

/* The client's life in the group; s->buf is the caller's. */
static int run_group(cpg_handle_t h, int fd, struct sender *s)
{
	struct cpg_name name;
	bool done_written = false;
	bool started = false; /* the group once had opt.wait_members members */
	cs_error_t e;

	name.length = (uint32_t)strlen(opt.group);
	memcpy(name.value, opt.group, name.length);
	while ((e = cpg_join(h, &name)) == CS_ERR_TRY_AGAIN)
		usleep(20000);
	if (e != CS_OK)
		return fail_lost(e, "cpg_join");
	while (!stop_requested) {
		if (leave_requested == 1) {
			leave_requested = 2;
			joined = false;
			while ((e = cpg_leave(h, &name)) == CS_ERR_TRY_AGAIN)
				usleep(20000);
			if (e != CS_OK)
				return fail_lost(e, "cpg_leave");
			if (mlog) {
				fprintf(mlog, "@%" PRIu64 " LEAVE-CALLED\n", now_us());
				fflush(mlog);
			}
		}
		if (joined && group_members >= opt.wait_members)
			started = true;
		bool sending = joined && started && s->sent < opt.count;
		int timeout = 100;

		if (sending) {
			if (s->start_ms == 0)
				s->next_ms = s->start_ms = mono_ms();
			if ((e = send_due(h, s)) != CS_OK)
				return fail_lost(e, "cpg_mcast_joined");
			uint64_t now = mono_ms();
			timeout = s->next_ms > now ? (int)(s->next_ms - now) : 0;
		} else if (!done_written && started && s->sent == opt.count) {
			fflush(hlog);
			done_write(s->sent);
			done_written = true;
		}
		if ((e = pump(h, fd, timeout)) != CS_OK)
			return fail_lost(e, "cpg_dispatch");
	}
	/* Stop: deliver until nothing arrived for the quiet period. */
	last_event_us = now_us();
	while (now_us() - last_event_us < (uint64_t)opt.quiet_ms * 1000u) {
		if ((e = pump(h, fd, 50)) != CS_OK)
			return fail_lost(e, "cpg_dispatch");
	}
	fprintf(hlog, "# sent %" PRIu64 " delivered %" PRIu64 "\n", s->sent, delivered);
	fprintf(hlog, "@%" PRIu64 " E end\n", now_us());
	return 0;
}

static int run(cpg_handle_t h, int fd)
{
	struct sender s = { .rng = 0x2545f4914f6cdd1dull ^ ((uint64_t)opt.seed << 17) ^ my_nodeid };
	int r;

	s.buf = malloc(opt.max_size);
	if (!s.buf)
		return 1;
	r = run_group(h, fd, &s);
	free(s.buf);
	return r;
}

int main(int argc, char **argv)
{
	cpg_model_v1_data_t model = {
		.model = CPG_MODEL_V1,
		.cpg_deliver_fn = deliver_cb,
		.cpg_confchg_fn = confchg_cb,
		.cpg_totem_confchg_fn = totem_cb,
		.flags = CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF |
		         CPG_MODEL_V1_DELIVER_TRANSITIONAL_TOTEM_CONF,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	cpg_handle_t h;
	cs_error_t e;
	int fd, rc;

	if (parse_args(argc, argv) < 0)
		return 1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	hlog = fopen(opt.log_path, "w");
	if (!hlog) {
		fprintf(stderr, "cpghist: %s: %s\n", opt.log_path, strerror(errno));
		return 1;
	}
	if (opt.mlog_path && !(mlog = fopen(opt.mlog_path, "w"))) {
		fprintf(stderr, "cpghist: %s: %s\n", opt.mlog_path, strerror(errno));
		return 1;
	}
	e = cpg_model_initialize(&h, CPG_MODEL_V1, (cpg_model_data_t *)&model, NULL);
	if (e != CS_OK) {
		fprintf(stderr, "cpghist: cpg_model_initialize: error %d: %s\n", (int)e,
		        cpg_initialize_error_text() ? cpg_initialize_error_text() : "");
		return 1;
	}
	if ((e = cpg_local_get(h, &my_nodeid)) != CS_OK || (e = cpg_fd_get(h, &fd)) != CS_OK) {
		fprintf(stderr, "cpghist: cpg_local_get/cpg_fd_get: error %d\n", (int)e);
		return 1;
	}
	fprintf(hlog, "# transitional configurations: delivered\n");
	fprintf(hlog, "N %" PRIu32 " %" PRIu32 "\n", my_nodeid, opt.inc);
	fflush(hlog);
	rc = run(h, fd);
	if (rc != 0)
		return rc;
	fclose(hlog);
	if (mlog)
		fclose(mlog);
	cpg_finalize(h);
	return 0;
}
