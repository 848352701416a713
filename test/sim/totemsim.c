/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * totemsim: N totem instances (pg over srp) in one process, on the simulated
 * network of simnet.c, in virtual time. Faults (loss, duplication,
 * reordering, partitions, crashes with restart, clean leaves with rejoin)
 * happen in the first part of the run; the rest is fault-free and long
 * enough for the ring to converge (the bound comes from the totem timeouts),
 * then the load stops and the run drains. Every send, delivery,
 * configuration change and end goes into a history that checker.c judges.
 * All randomness comes from the one seed, so a run replays exactly.
 *
 * The command line is a contract (see README.md); the last line printed is
 *   totemsim: seed=S nodes=N delivered=D confchgs=C violations=V
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <qb/qblog.h>

#include "checker.h"
#include "pg.h"
#include "simnet.h"
#include "srp.h"
#include "wire.h"

#define MSG_HDR 16u        /* nodeid, incarnation, counter, checksum */
#define US_PER_MS UINT64_C(1000)
#define US_PER_S UINT64_C(1000000)
#define SLICE_US (100 * US_PER_MS)
/* A normal 100 ms of 9 busy nodes runs a few thousand events. */
#define SLICE_EVENTS_MAX 500000u

enum node_state {
	NODE_DOWN = 0,
	NODE_UP = 1,
	NODE_LEAVING = 2,
};

struct sim;

struct node {
	struct sim *sim;
	uint32_t nodeid;
	enum node_state state;
	uint32_t inc;              /* current (or last) incarnation, from 1 */
	pg_t *pg;
	struct hist_inc *hi;
	uint64_t ring_seq_stored;
	uint32_t counter;          /* messages accepted in this incarnation */
	uint64_t load_timer;
	bool pend;                 /* a message refused with -EAGAIN waits */
	uint32_t pend_size;
	enum totem_guarantee pend_g;
	uint64_t sent, delivered, confchgs, eagain; /* over all incarnations */
	uint64_t tokens, paced;                     /* token visits, of them paced */
	struct totem_ring_id ring;
	totem_nodeid_t members[TOTEM_PROCESSORS_MAX];
	size_t n_members;
	bool in_regular;
	bool alive_at_end;
	bool deaf;                 /* fail-to-receive fault: MCASTs to it dropped */
};

struct opts {
	uint32_t nodes;
	uint64_t seed;
	double duration;
	double loss, dup, reorder, safe;
	uint32_t partitions, crashes, leaves, fail_recv;
	uint32_t size_min, size_max;
	double rate;
	uint32_t token, token_coefficient;
	bool have_token, have_coefficient;
	uint32_t seq_start;
	uint32_t accel;
	bool have_accel;
	uint32_t pace;
	bool have_pace;
	uint32_t delay_us, jitter_us, reorder_us;
	const char *log_dir;
	bool print_confchg;
	bool verbose;
	bool debug;
};

struct sim {
	struct opts o;
	struct totem_config cfg;
	simnet_t *net;
	struct simnet_params faulty, clean;
	struct hist *h;
	struct node nodes[SIMNET_NODES_MAX + 1];
	uint8_t *buf;              /* payload scratch, size_max bytes */
	uint64_t fault_end, deadline, load_end, run_end, bound;
	uint64_t anomalies;        /* contract breaches seen by the simulator */
	char anomaly[512];
	uint64_t ctx_breaches;     /* ops called with a ctx that is not ours */
	uint64_t fault_events;     /* crashes, restarts, leaves, partitions, heals */
	uint64_t rings;            /* regular rings formed (counted at their rep) */
	uint64_t rings_quiet;      /* of which formed after the faults ended */
	uint64_t last_install;     /* time of the last regular installation */
	bool failed;               /* out of memory or an unexpected error */
	bool stopped;              /* stopped early: no convergence check */
};

/* ----------------------------------------------------------------- output */

static void say(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct sim *s, const char *fmt, ...)
{
	va_list ap;
	uint64_t now = simnet_now(s->net);

	printf("[%4" PRIu64 ".%06" PRIu64 "] ", now / US_PER_S, now % US_PER_S);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void anomaly(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void anomaly(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (s->anomalies++ == 0) {
		va_start(ap, fmt);
		vsnprintf(s->anomaly, sizeof(s->anomaly), fmt, ap);
		va_end(ap);
	}
}

static void ids_str(const totem_nodeid_t *ids, size_t n, char *buf, size_t len)
{
	uint32_t tmp[TOTEM_PROCESSORS_MAX];

	for (size_t i = 0; i < n && i < TOTEM_PROCESSORS_MAX; i++) {
		tmp[i] = ids[i];
	}
	hist_ids_format(tmp, n < TOTEM_PROCESSORS_MAX ? n : TOTEM_PROCESSORS_MAX, buf, len);
}

/* --------------------------------------------------------------- payload */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t sum_mix(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= UINT64_C(0x9e3779b97f4a7c15);
	return h ^ (h >> 31);
}

/*
 * A checksum over the length, the id fields and the body (not the checksum
 * field itself), eight bytes at a time: every delivered byte is summed, and
 * a byte-wise hash made this half of the simulator's time.
 */
static uint32_t payload_sum(const uint8_t *p, size_t len)
{
	uint64_t h = sum_mix(UINT64_C(0xcbf29ce484222325), (uint64_t)len);
	uint64_t w;
	size_t i;

	memcpy(&w, p, 8);
	h = sum_mix(h, w);
	h = sum_mix(h, get32(p + 8));
	for (i = MSG_HDR; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = sum_mix(h, w);
	}
	if (i < len) {
		w = 0;
		memcpy(&w, p + i, len - i);
		h = sum_mix(h, w ^ ((uint64_t)(len - i) << 56));
	}
	return (uint32_t)(h ^ (h >> 32));
}

static void payload_build(uint8_t *p, size_t len, uint32_t nodeid, uint32_t inc, uint32_t counter)
{
	uint64_t x = ((uint64_t)nodeid << 40) ^ ((uint64_t)inc << 24) ^ counter;

	put32(p, nodeid);
	put32(p + 4, inc);
	put32(p + 8, counter);
	for (size_t i = MSG_HDR; i < len; i += 8) {
		x = x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
		memcpy(p + i, &x, len - i < 8 ? len - i : 8);
	}
	put32(p + 12, payload_sum(p, len));
}

/* ------------------------------------------------------- ops and callbacks */

static struct sim *the_sim;        /* one simulation per process */
static struct node *node_creating; /* the node inside pg_create() */

/*
 * The node an op or callback is for. The contract (srp.h, pg.h) is that ctx
 * is the host's own pointer; should a layer hand its own instance pointer
 * to the ops instead, the node is found by that instance, so the run goes
 * on and the breach is reported once.
 */
static struct node *node_of(void *ctx)
{
	struct sim *s = the_sim;

	for (uint32_t i = 1; i <= s->o.nodes; i++) {
		if (ctx == &s->nodes[i]) {
			return ctx;
		}
	}
	if (s->ctx_breaches++ == 0) {
		fprintf(stderr, "totemsim: an op or callback got ctx %s instead of the host's ctx\n",
		        "of the protocol's own instance");
	}
	for (uint32_t i = 1; i <= s->o.nodes; i++) {
		if (s->nodes[i].pg != NULL && ctx == (void *)s->nodes[i].pg) {
			return &s->nodes[i];
		}
	}
	return node_creating;
}

static int op_mcast(void *ctx, const void *buf, size_t len)
{
	struct node *n = node_of(ctx);

	return simnet_send(n->sim->net, n->nodeid, 0, buf, len);
}

static int op_ucast(void *ctx, totem_nodeid_t to, const void *buf, size_t len)
{
	struct node *n = node_of(ctx);

	if (to == n->nodeid) {
		return -EINVAL;
	}
	return simnet_send(n->sim->net, n->nodeid, to, buf, len);
}

static uint64_t op_now(void *ctx)
{
	struct node *n = node_of(ctx);

	return simnet_now(n->sim->net);
}

static int op_timer_add(void *ctx, uint32_t ms, totem_timer_fn fn, void *data, uint64_t *ret_handle)
{
	struct node *n = node_of(ctx);

	return simnet_timer_add(n->sim->net, n->nodeid, (uint64_t)ms * US_PER_MS, fn, data, ret_handle);
}

static int op_timer_add_us(void *ctx, uint32_t us, totem_timer_fn fn, void *data, uint64_t *ret_handle)
{
	struct node *n = node_of(ctx);

	return simnet_timer_add(n->sim->net, n->nodeid, us, fn, data, ret_handle);
}

static void op_timer_del(void *ctx, uint64_t handle)
{
	struct node *n = node_of(ctx);

	simnet_timer_del(n->sim->net, handle);
}

static uint32_t op_random(void *ctx)
{
	struct node *n = node_of(ctx);

	return (uint32_t)simnet_random(n->sim->net);
}

static const struct totem_transport_ops sim_transport = {
	.mcast = op_mcast,
	.ucast = op_ucast,
};

static const struct totem_clock_ops sim_clock = {
	.now_us = op_now,
	.timer_add = op_timer_add,
	.timer_del = op_timer_del,
	.random = op_random,
	.timer_add_us = op_timer_add_us,
};

static void cb_deliver(void *ctx, totem_nodeid_t sender, const void *msg, size_t len,
                       enum totem_guarantee g)
{
	struct node *n = node_of(ctx);
	struct sim *s = n->sim;
	struct hist_msgid id = { 0, 0, 0 };
	bool ok = false;

	if (len >= MSG_HDR && len <= UINT32_MAX) {
		const uint8_t *p = msg;
		id.origin = get32(p);
		id.inc = get32(p + 4);
		id.counter = get32(p + 8);
		ok = get32(p + 12) == payload_sum(p, len);
	}
	n->delivered++;
	int rc = hist_deliver(n->hi, simnet_now(s->net), sender, &id,
	                      g == TOTEM_SAFE ? HIST_SAFE : HIST_AGREED,
	                      len > UINT32_MAX ? UINT32_MAX : (uint32_t)len, ok);
	if (rc < 0) {
		s->failed = true;
	}
}

static void cb_confchg(void *ctx, enum totem_confchg_type type,
                       const totem_nodeid_t *members, size_t n_members,
                       const totem_nodeid_t *left, size_t n_left,
                       const totem_nodeid_t *joined, size_t n_joined,
                       const struct totem_ring_id *ring_id)
{
	struct node *n = node_of(ctx);
	struct sim *s = n->sim;
	const struct hist_ring ring = { ring_id->rep, ring_id->seq };
	uint32_t m[TOTEM_PROCESSORS_MAX], l[TOTEM_PROCESSORS_MAX], j[TOTEM_PROCESSORS_MAX];

	if (n_members > TOTEM_PROCESSORS_MAX || n_left > TOTEM_PROCESSORS_MAX ||
	    n_joined > TOTEM_PROCESSORS_MAX) {
		anomaly(s, "node %" PRIu32 ": configuration change with more than %d ids", n->nodeid,
		        TOTEM_PROCESSORS_MAX);
		return;
	}
	for (size_t i = 0; i < n_members; i++) {
		m[i] = members[i];
	}
	for (size_t i = 0; i < n_left; i++) {
		l[i] = left[i];
	}
	for (size_t i = 0; i < n_joined; i++) {
		j[i] = joined[i];
	}
	n->confchgs++;
	if (hist_confchg(n->hi, simnet_now(s->net), type == TOTEM_CONFCHG_REGULAR ? HIST_REGULAR : HIST_TRANSITIONAL,
	                 &ring, m, n_members, l, n_left, j, n_joined) < 0) {
		s->failed = true;
	}
	n->ring = *ring_id;
	n->in_regular = type == TOTEM_CONFCHG_REGULAR;
	if (n->in_regular) {
		s->last_install = simnet_now(s->net);
		if (ring_id->rep == n->nodeid) {
			s->rings++;
			s->rings_quiet += s->last_install >= s->fault_end;
		}
	}
	memcpy(n->members, members, n_members * sizeof(*members));
	n->n_members = n_members;
	if (s->o.print_confchg) {
		char mb[512], lb[512], jb[512];
		ids_str(members, n_members, mb, sizeof(mb));
		ids_str(left, n_left, lb, sizeof(lb));
		ids_str(joined, n_joined, jb, sizeof(jb));
		say(s, "node %" PRIu32 "/%" PRIu32 " %-12s ring %" PRIu32 ".%" PRIu64 " members {%s} left {%s} joined {%s}",
		    n->nodeid, n->inc, type == TOTEM_CONFCHG_REGULAR ? "regular" : "transitional",
		    ring_id->rep, ring_id->seq, mb, lb, jb);
	}
}

static int cb_ring_seq_store(void *ctx, uint64_t ring_seq)
{
	struct node *n = node_of(ctx);

	if (ring_seq < n->ring_seq_stored) {
		anomaly(n->sim, "node %" PRIu32 " stored ring seq %" PRIu64 " after %" PRIu64, n->nodeid,
		        ring_seq, n->ring_seq_stored);
	}
	n->ring_seq_stored = ring_seq;
	return 0;
}

static const struct pg_callbacks sim_pg_cb = {
	.deliver = cb_deliver,
	.confchg = cb_confchg,
	.ring_seq_store = cb_ring_seq_store,
};

static void on_datagram(void *ctx, uint32_t from, const void *buf, size_t len)
{
	struct node *n = node_of(ctx);

	if (n->pg != NULL) {
		srp_recv(pg_srp(n->pg), buf, len);
	}
}

/* ------------------------------------------------------------------- load */

static void load_tick(void *data);

static void load_schedule(struct node *n, uint64_t delay_us)
{
	struct sim *s = n->sim;

	if (simnet_timer_add(s->net, 0, delay_us, load_tick, n, &n->load_timer) < 0) {
		s->failed = true;
	}
}

static uint64_t load_interval(struct sim *s)
{
	uint64_t mean = (uint64_t)((double)US_PER_S / s->o.rate);

	return 1 + simnet_random_below(s->net, 2 * mean + 1);
}

static void load_send(struct node *n)
{
	struct sim *s = n->sim;

	if (!n->pend) {
		n->pend_size = s->o.size_min +
		               (uint32_t)simnet_random_below(s->net, (uint64_t)s->o.size_max - s->o.size_min + 1);
		n->pend_g = simnet_chance(s->net, (uint32_t)(s->o.safe * 10000.0)) ? TOTEM_SAFE : TOTEM_AGREED;
	}
	struct hist_msgid id = { n->nodeid, n->inc, (uint64_t)n->counter + 1 };
	payload_build(s->buf, n->pend_size, n->nodeid, n->inc, n->counter + 1);
	struct iovec iov = { .iov_base = s->buf, .iov_len = n->pend_size };
	/* recorded first: a delivery could in principle come back at once */
	if (hist_send(n->hi, simnet_now(s->net), &id, n->pend_g == TOTEM_SAFE ? HIST_SAFE : HIST_AGREED,
	              n->pend_size) < 0) {
		s->failed = true;
		return;
	}
	int rc = pg_mcast(n->pg, &iov, 1, n->pend_g);
	if (rc == 0) {
		n->counter++;
		n->sent++;
		n->pend = false;
		return;
	}
	if (hist_send_retract(n->hi, &id) < 0) {
		anomaly(s, "node %" PRIu32 ": pg_mcast refused (%d) a message it already delivered",
		        n->nodeid, rc);
	}
	if (rc == -EAGAIN) {
		n->eagain++;
		n->pend = true;
	} else {
		anomaly(s, "node %" PRIu32 ": pg_mcast(%" PRIu32 " bytes) failed: %s", n->nodeid,
		        n->pend_size, strerror(-rc));
		n->pend = false;
	}
}

static void load_tick(void *data)
{
	struct node *n = data;
	struct sim *s = n->sim;

	n->load_timer = 0;
	if (n->state != NODE_UP || simnet_now(s->net) >= s->load_end) {
		return;
	}
	load_send(n);
	/* after -EAGAIN, retry soon with the same message */
	load_schedule(n, n->pend ? 5 * US_PER_MS + simnet_random_below(s->net, 20 * US_PER_MS) : load_interval(s));
}

/* -------------------------------------------------------------- lifecycle */

static int node_start(struct node *n)
{
	struct sim *s = n->sim;
	struct totem_config cfg = s->cfg;
	int rc;

	n->inc++;
	n->counter = 0;
	n->pend = false;
	n->in_regular = false;
	n->n_members = 0;
	if ((rc = hist_inc_open(s->h, n->nodeid, n->inc, &n->hi)) < 0) {
		return rc;
	}
	if ((rc = simnet_attach(s->net, n->nodeid, on_datagram, n)) < 0) {
		return rc;
	}
	cfg.nodeid = n->nodeid;
	node_creating = n;
	n->pg = pg_create(&cfg, n->ring_seq_stored, &sim_transport, &sim_clock, &sim_pg_cb, n);
	node_creating = NULL;
	if (n->pg == NULL) {
		simnet_detach(s->net, n->nodeid);
		return -ENOMEM;
	}
	n->state = NODE_UP;
	load_schedule(n, load_interval(s));
	return 0;
}

static void node_stop(struct node *n, enum hist_end_kind kind)
{
	struct sim *s = n->sim;

	simnet_timer_del(s->net, n->load_timer);
	n->load_timer = 0;
	if (hist_end(n->hi, simnet_now(s->net), kind) < 0) {
		s->failed = true;
	}
	n->state = NODE_DOWN;
	if (n->pg != NULL) {
		struct srp_stats ss;

		srp_stats_get(pg_srp(n->pg), &ss);
		n->tokens += ss.tokens_received;
		n->paced += ss.token_paced;
	}
	n->pg = pg_destroy(n->pg);
	simnet_detach(s->net, n->nodeid);
}

static void restart_ev(void *data)
{
	struct node *n = data;
	struct sim *s = n->sim;

	if (n->state != NODE_DOWN) {
		return;
	}
	if (s->o.print_confchg || s->o.verbose) {
		say(s, "restart node %" PRIu32 " (incarnation %" PRIu32 ", ring seq %" PRIu64 ")", n->nodeid,
		    n->inc + 1, n->ring_seq_stored);
	}
	s->fault_events++;
	if (node_start(n) < 0) {
		s->failed = true;
	}
}

/* Schedule a restart within [lo, hi) µs from now, but never after the faults end. */
static void restart_later(struct node *n, uint64_t lo, uint64_t hi)
{
	struct sim *s = n->sim;
	uint64_t now = simnet_now(s->net), h;
	uint64_t when = now + lo + simnet_random_below(s->net, hi - lo);

	if (when > s->fault_end) {
		when = s->fault_end > now ? s->fault_end : now;
	}
	if (simnet_timer_add(s->net, 0, when - now, restart_ev, n, &h) < 0) {
		s->failed = true;
	}
}

static size_t nodes_up(struct sim *s, struct node **ret_list)
{
	size_t k = 0;

	for (uint32_t i = 1; i <= s->o.nodes; i++) {
		if (s->nodes[i].state == NODE_UP) {
			ret_list[k++] = &s->nodes[i];
		}
	}
	return k;
}

static void crash_ev(void *data)
{
	struct sim *s = data;
	struct node *up[SIMNET_NODES_MAX];
	size_t k = nodes_up(s, up);

	if (k < 2) {
		return; /* keep one node running */
	}
	struct node *n = up[simnet_random_below(s->net, k)];
	bool again = simnet_chance(s->net, 750000);
	if (s->o.print_confchg || s->o.verbose) {
		say(s, "crash node %" PRIu32 "%s", n->nodeid, again ? "" : " (stays down)");
	}
	s->fault_events++;
	node_stop(n, HIST_END_CRASH);
	if (again) {
		restart_later(n, 200 * US_PER_MS, 5 * US_PER_S);
	}
}

static void leave_done_ev(void *data)
{
	struct node *n = data;
	struct sim *s = n->sim;

	if (n->state != NODE_LEAVING) {
		return;
	}
	node_stop(n, HIST_END_LEAVE);
	if (simnet_chance(s->net, 500000)) {
		restart_later(n, 200 * US_PER_MS, 4 * US_PER_S);
	}
}

static void leave_ev(void *data)
{
	struct sim *s = data;
	struct node *up[SIMNET_NODES_MAX];
	size_t k = nodes_up(s, up);
	uint64_t h;

	if (k < 2) {
		return;
	}
	struct node *n = up[simnet_random_below(s->net, k)];
	if (s->o.print_confchg || s->o.verbose) {
		say(s, "node %" PRIu32 " leaves", n->nodeid);
	}
	simnet_timer_del(s->net, n->load_timer);
	n->load_timer = 0;
	n->state = NODE_LEAVING;
	s->fault_events++;
	srp_leave(pg_srp(n->pg));
	if (simnet_timer_add(s->net, 0, 50 * US_PER_MS + simnet_random_below(s->net, 250 * US_PER_MS),
	                     leave_done_ev, n, &h) < 0) {
		s->failed = true;
	}
}

/* Fail-to-receive: the node keeps getting tokens (and membership frames)
 * but no data frame reaches it, so its aru stays behind. */
static bool deaf_filter(void *ctx, uint32_t from, uint32_t to, const void *buf, size_t len)
{
	struct sim *s = ctx;
	struct wire_header hdr;

	(void)from;
	return s->nodes[to].deaf && wire_header_decode(buf, len, &hdr) == 0 && hdr.type == WIRE_MCAST;
}

static void hear_ev(void *data)
{
	struct node *n = data;
	struct sim *s = n->sim;

	if (!n->deaf) {
		return;
	}
	n->deaf = false;
	s->fault_events++;
	if (s->o.print_confchg || s->o.verbose) {
		say(s, "node %" PRIu32 " receives data frames again", n->nodeid);
	}
}

static void deaf_ev(void *data)
{
	struct sim *s = data;
	struct node *up[SIMNET_NODES_MAX];
	size_t k = nodes_up(s, up);
	uint64_t now = simnet_now(s->net), h, end;

	if (k < 2) {
		return;
	}
	struct node *n = up[simnet_random_below(s->net, k)];
	end = now + 2 * US_PER_S + simnet_random_below(s->net, 4 * US_PER_S);
	if (end > s->fault_end) {
		end = s->fault_end > now ? s->fault_end : now;
	}
	n->deaf = true;
	s->fault_events++;
	if (s->o.print_confchg || s->o.verbose) {
		say(s, "node %" PRIu32 " stops receiving data frames (tokens pass) until %.3f s", n->nodeid,
		    (double)end / 1e6);
	}
	if (simnet_timer_add(s->net, 0, end - now, hear_ev, n, &h) < 0) {
		s->failed = true;
	}
}

static void heal_ev(void *data)
{
	struct sim *s = data;

	bool was = false;

	for (uint32_t i = 1; i <= s->o.nodes; i++) {
		was = was || simnet_group(s->net, i) != 0;
		simnet_group_set(s->net, i, 0);
	}
	s->fault_events += was;
	if (was && (s->o.print_confchg || s->o.verbose)) {
		say(s, "partition heals");
	}
}

/* Split the live nodes into 2 or 3 non-empty groups (down nodes land
 * somewhere too, for when they come back). */
static void partition_ev(void *data)
{
	struct sim *s = data;
	struct node *up[SIMNET_NODES_MAX];
	size_t k = nodes_up(s, up);
	uint32_t groups = k >= 3 && simnet_chance(s->net, 400000) ? 3 : 2;
	char desc[1024] = "";
	size_t used = 0;

	if (k < 2) {
		return;
	}
	/* shuffle the live nodes; the first `groups` seed one group each */
	for (size_t i = k; i > 1; i--) {
		size_t j = simnet_random_below(s->net, i);
		struct node *t = up[i - 1];
		up[i - 1] = up[j];
		up[j] = t;
	}
	for (size_t i = 0; i < k; i++) {
		uint32_t g = i < groups ? (uint32_t)i : (uint32_t)simnet_random_below(s->net, groups);
		simnet_group_set(s->net, up[i]->nodeid, g + 1);
	}
	for (uint32_t i = 1; i <= s->o.nodes; i++) {
		if (s->nodes[i].state != NODE_UP) {
			simnet_group_set(s->net, i, 1 + (uint32_t)simnet_random_below(s->net, groups));
		}
	}
	for (uint32_t g = 1; g <= groups; g++) {
		used += (size_t)snprintf(desc + used, sizeof(desc) - used, " {");
		bool first = true;
		for (uint32_t i = 1; i <= s->o.nodes && used < sizeof(desc); i++) {
			if (simnet_group(s->net, i) == g) {
				used += (size_t)snprintf(desc + used, sizeof(desc) - used, "%s%" PRIu32, first ? "" : ",", i);
				first = false;
			}
		}
		used += (size_t)snprintf(desc + used, sizeof(desc) - used, "}");
	}
	s->fault_events++;
	if (s->o.print_confchg || s->o.verbose) {
		say(s, "partition:%s", desc);
	}
}

static void faults_end_ev(void *data)
{
	struct sim *s = data;

	simnet_params_set(s->net, &s->clean);
	heal_ev(s);
	for (uint32_t i = 1; i <= s->o.nodes; i++) {
		hear_ev(&s->nodes[i]);
	}
	if (s->o.print_confchg || s->o.verbose) {
		say(s, "faults end; every live node must be in one ring by %.3f s",
		    (double)s->deadline / (double)US_PER_S);
	}
}

static int at(struct sim *s, uint64_t when, simnet_fn fn, void *data)
{
	uint64_t h;

	return simnet_timer_add(s->net, 0, when, fn, data, &h);
}

/* Place every fault in [fault_start, fault_end). */
static int faults_schedule(struct sim *s)
{
	uint64_t start = 200 * US_PER_MS;
	uint64_t last = s->fault_end > start + 1500 * US_PER_MS ? s->fault_end - 1500 * US_PER_MS : start + 1;
	int rc = 0;

	for (uint32_t i = 0; i < s->o.crashes && rc == 0; i++) {
		rc = at(s, start + simnet_random_below(s->net, last - start), crash_ev, s);
	}
	for (uint32_t i = 0; i < s->o.fail_recv && rc == 0; i++) {
		rc = at(s, start + simnet_random_below(s->net, last - start), deaf_ev, s);
	}
	for (uint32_t i = 0; i < s->o.leaves && rc == 0; i++) {
		rc = at(s, start + simnet_random_below(s->net, last - start), leave_ev, s);
	}
	if (s->o.partitions > 0) {
		uint64_t slot = (s->fault_end - start) / s->o.partitions;
		for (uint32_t i = 0; i < s->o.partitions && rc == 0 && slot > 4; i++) {
			uint64_t p = start + i * slot + simnet_random_below(s->net, slot / 2);
			uint64_t d = slot / 4 + simnet_random_below(s->net, slot / 4);
			rc = at(s, p, partition_ev, s);
			if (rc == 0) {
				rc = at(s, p + d, heal_ev, s);
			}
		}
	}
	if (rc == 0) {
		rc = at(s, s->fault_end, faults_end_ev, s);
	}
	return rc;
}

/* ------------------------------------------------------------ the run */

static void timeline(struct sim *s)
{
	const struct totem_config *c = &s->cfg;
	/* the schedule: load until consensus + 2 token + ... after the faults */
	uint64_t load_ms = (uint64_t)c->consensus + 2 * (uint64_t)c->token_effective + 10 * (uint64_t)c->join +
	                   2 * (uint64_t)c->merge + 1000;
	/* the convergence bound of docs/membership.md: a token timeout to see
	 * the last loss, a consensus period for the rounds running when the
	 * faults stopped and one for the rounds they touched, then formation */
	uint64_t bound_ms = 2 * (uint64_t)c->consensus + (uint64_t)c->token_effective + 10 * (uint64_t)c->join +
	                    2 * (uint64_t)c->merge + 1000;
	uint64_t drain = 2 * US_PER_S + (uint64_t)c->token_effective * US_PER_MS;
	uint64_t total = (uint64_t)(s->o.duration * (double)US_PER_S);
	uint64_t tail;

	s->bound = bound_ms * US_PER_MS;
	tail = load_ms * US_PER_MS + drain;
	s->fault_end = total > tail + US_PER_S ? total - tail : US_PER_S;
	s->deadline = s->fault_end + s->bound;
	s->run_end = s->fault_end + tail;
	s->load_end = s->run_end - drain;
	if (s->deadline > s->run_end) {
		s->deadline = s->run_end;
	}
}

static int config_make(struct sim *s)
{
	char err[256];

	totem_config_defaults(&s->cfg);
	s->cfg.token = s->o.have_token ? s->o.token : 1000;
	if (s->o.have_coefficient) {
		s->cfg.token_coefficient = s->o.token_coefficient;
	}
	s->cfg.seq_start = s->o.seq_start;
	if (s->o.have_accel) {
		s->cfg.accelerated_window = s->o.accel;
	}
	if (s->o.have_pace) {
		s->cfg.token_pace = s->o.pace;
	}
	if (s->o.fail_recv > 0) {
		/* a deprived node gives up after 100 rotations, within its fault */
		s->cfg.fail_recv_const = 100;
	}
	s->cfg.node_count = s->o.nodes;
	s->cfg.nodeid = 1;
	if (s->o.size_max > s->cfg.max_msg_size) {
		s->cfg.max_msg_size = s->o.size_max;
	}
	totem_config_finish(&s->cfg);
	if (totem_config_validate(&s->cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "totemsim: bad totem configuration: %s\n", err);
		return -EINVAL;
	}
	return 0;
}

static void print_nodes(struct sim *s)
{
	for (uint32_t i = 1; i <= s->o.nodes; i++) {
		struct node *n = &s->nodes[i];
		char mb[512];
		ids_str(n->members, n->n_members, mb, sizeof(mb));
		printf("node %" PRIu32 ": incarnations %" PRIu32 " sent %" PRIu64 " delivered %" PRIu64
		       " confchgs %" PRIu64 " eagain %" PRIu64 " tokens %" PRIu64 " paced %" PRIu64
		       " %s ring %" PRIu32 ".%" PRIu64 " {%s}\n",
		       n->nodeid, n->inc, n->sent, n->delivered, n->confchgs, n->eagain, n->tokens, n->paced,
		       n->alive_at_end ? "up" : "down", n->ring.rep, n->ring.seq, mb);
	}
}

static int sim_run(struct sim *s)
{
	int rc;

	for (uint32_t i = 1; i <= s->o.nodes; i++) {
		s->nodes[i].sim = s;
		s->nodes[i].nodeid = i;
		if ((rc = node_start(&s->nodes[i])) < 0) {
			return rc;
		}
	}
	if ((rc = faults_schedule(s)) < 0) {
		return rc;
	}
	/* run in slices so an internal failure or an event storm stops the run */
	for (uint64_t t = 0; t < s->run_end && !s->failed;) {
		t = t + SLICE_US < s->run_end ? t + SLICE_US : s->run_end;
		if (simnet_run(s->net, t, SLICE_EVENTS_MAX) == SLICE_EVENTS_MAX) {
			anomaly(s, "event storm: more than %u events within 100 ms of virtual time "
			        "before %.1f s (a livelock); run stopped", SLICE_EVENTS_MAX,
			        (double)t / 1e6);
			if (s->o.print_confchg || s->o.verbose) {
				say(s, "event storm, run stopped");
			}
			s->stopped = true;
			break;
		}
	}
	for (uint32_t i = 1; i <= s->o.nodes; i++) {
		struct node *n = &s->nodes[i];
		if (n->state == NODE_UP) {
			/* a run stopped early did not quiesce: its logs end like a crash */
			n->alive_at_end = !s->stopped;
			node_stop(n, s->stopped ? HIST_END_CRASH : HIST_END_END);
		} else if (n->state == NODE_LEAVING) {
			node_stop(n, HIST_END_LEAVE);
		}
	}
	if (!s->stopped) {
		hist_convergence_set(s->h, s->deadline);
	}
	return s->failed ? -ENOMEM : 0;
}

/* -------------------------------------------------------- command line */

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: totemsim --nodes N --seed S --duration SECONDS [options]\n"
	        "  --loss PCT --dup PCT --reorder PCT   datagram faults while faults last\n"
	        "  --partitions K --crashes K --leaves K  membership faults\n"
	        "  --fail-recv K         K times a node gets tokens but no data frames for 2-6 s\n"
	        "                        (fail_recv_const is then 100 rotations)\n"
	        "  --safe PCT            share of messages sent with the safe guarantee\n"
	        "  --msg-size MIN:MAX    message sizes in bytes (default 16:1200, MIN >= 16)\n"
	        "  --rate N              messages per second per node (default 20)\n"
	        "  --token MS            token timeout (default 1000)\n"
	        "  --token-coefficient MS  added per node beyond 2 (default 650)\n"
	        "  --seq-start N         first message seq of every ring (e.g. 4294967000)\n"
	        "  --accelerated-window N  frames per visit sent after the token (default: the\n"
	        "                        totem default; 0 = classic ring)\n"
	        "  --token-pace US       token pacing bound in us (default: the totem default;\n"
	        "                        0 = off)\n"
	        "  --delay-us N --jitter-us N --reorder-us N  network timing (300/200/20000)\n"
	        "  --log-dir DIR         write per-node delivery logs (histcheck format)\n"
	        "  --print-confchg       print configuration changes and faults as they happen\n"
	        "  --verbose             also print per-node totals and network counters\n"
	        "  --debug               protocol debug log on stderr\n");
}

static bool arg_u32(const char *s, uint32_t *ret)
{
	char *end = NULL;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v > UINT32_MAX) {
		return false;
	}
	*ret = (uint32_t)v;
	return true;
}

static bool arg_u64(const char *s, uint64_t *ret)
{
	char *end = NULL;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-') {
		return false;
	}
	*ret = v;
	return true;
}

static bool arg_pct(const char *s, double *ret)
{
	char *end = NULL;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= 0.0 && v <= 100.0)) {
		return false;
	}
	*ret = v;
	return true;
}

static bool arg_size(const char *s, uint32_t *ret_min, uint32_t *ret_max)
{
	char buf[64];
	char *colon;

	if (strlen(s) >= sizeof(buf)) {
		return false;
	}
	strcpy(buf, s);
	colon = strchr(buf, ':');
	if (colon == NULL) {
		return false;
	}
	*colon = '\0';
	return arg_u32(buf, ret_min) && arg_u32(colon + 1, ret_max) && *ret_min >= MSG_HDR &&
	       *ret_min <= *ret_max;
}

enum {
	OPT_NODES = 256, OPT_SEED, OPT_DURATION, OPT_LOSS, OPT_DUP, OPT_REORDER, OPT_PARTITIONS,
	OPT_CRASHES, OPT_LEAVES, OPT_FAIL_RECV, OPT_SAFE, OPT_SIZE, OPT_RATE, OPT_TOKEN, OPT_COEFF, OPT_SEQ,
	OPT_ACCEL, OPT_PACE, OPT_DELAY, OPT_JITTER, OPT_REORDER_US, OPT_LOGDIR, OPT_CONFCHG, OPT_VERBOSE, OPT_DEBUG, OPT_HELP,
};

static const struct option long_opts[] = {
	{ "nodes", required_argument, NULL, OPT_NODES },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "loss", required_argument, NULL, OPT_LOSS },
	{ "dup", required_argument, NULL, OPT_DUP },
	{ "reorder", required_argument, NULL, OPT_REORDER },
	{ "partitions", required_argument, NULL, OPT_PARTITIONS },
	{ "crashes", required_argument, NULL, OPT_CRASHES },
	{ "leaves", required_argument, NULL, OPT_LEAVES },
	{ "fail-recv", required_argument, NULL, OPT_FAIL_RECV },
	{ "safe", required_argument, NULL, OPT_SAFE },
	{ "msg-size", required_argument, NULL, OPT_SIZE },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "token", required_argument, NULL, OPT_TOKEN },
	{ "token-coefficient", required_argument, NULL, OPT_COEFF },
	{ "seq-start", required_argument, NULL, OPT_SEQ },
	{ "accelerated-window", required_argument, NULL, OPT_ACCEL },
	{ "token-pace", required_argument, NULL, OPT_PACE },
	{ "delay-us", required_argument, NULL, OPT_DELAY },
	{ "jitter-us", required_argument, NULL, OPT_JITTER },
	{ "reorder-us", required_argument, NULL, OPT_REORDER_US },
	{ "log-dir", required_argument, NULL, OPT_LOGDIR },
	{ "print-confchg", no_argument, NULL, OPT_CONFCHG },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* 0 ok, 1 bad usage, 2 help */
static int opts_parse(struct opts *o, int argc, char **argv)
{
	bool have_nodes = false, have_seed = false, have_duration = false;
	int c;

	*o = (struct opts){ .size_min = 16, .size_max = 1200, .rate = 20.0,
		            .delay_us = 300, .jitter_us = 200, .reorder_us = 20000 };
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		bool ok = true;
		switch (c) {
		case OPT_NODES: ok = arg_u32(optarg, &o->nodes) && o->nodes >= 1 && o->nodes <= SIMNET_NODES_MAX; have_nodes = true; break;
		case OPT_SEED: ok = arg_u64(optarg, &o->seed); have_seed = true; break;
		case OPT_DURATION: {
			char *end = NULL;
			o->duration = strtod(optarg, &end);
			ok = end != optarg && *end == '\0' && o->duration > 0.0 && o->duration < 1e6;
			have_duration = true;
			break;
		}
		case OPT_LOSS: ok = arg_pct(optarg, &o->loss); break;
		case OPT_DUP: ok = arg_pct(optarg, &o->dup); break;
		case OPT_REORDER: ok = arg_pct(optarg, &o->reorder); break;
		case OPT_SAFE: ok = arg_pct(optarg, &o->safe); break;
		case OPT_PARTITIONS: ok = arg_u32(optarg, &o->partitions) && o->partitions <= 1000; break;
		case OPT_CRASHES: ok = arg_u32(optarg, &o->crashes) && o->crashes <= 1000; break;
		case OPT_LEAVES: ok = arg_u32(optarg, &o->leaves) && o->leaves <= 1000; break;
		case OPT_FAIL_RECV: ok = arg_u32(optarg, &o->fail_recv) && o->fail_recv <= 1000; break;
		case OPT_SIZE: ok = arg_size(optarg, &o->size_min, &o->size_max); break;
		case OPT_RATE: {
			char *end = NULL;
			o->rate = strtod(optarg, &end);
			ok = end != optarg && *end == '\0' && o->rate > 0.0 && o->rate <= 100000.0;
			break;
		}
		case OPT_TOKEN: ok = arg_u32(optarg, &o->token); o->have_token = true; break;
		case OPT_COEFF: ok = arg_u32(optarg, &o->token_coefficient); o->have_coefficient = true; break;
		case OPT_SEQ: ok = arg_u32(optarg, &o->seq_start); break;
		case OPT_ACCEL: ok = arg_u32(optarg, &o->accel) && o->accel <= 100000; o->have_accel = true; break;
		case OPT_PACE: ok = arg_u32(optarg, &o->pace) && o->pace <= 100000; o->have_pace = true; break;
		case OPT_DELAY: ok = arg_u32(optarg, &o->delay_us) && o->delay_us >= 1; break;
		case OPT_JITTER: ok = arg_u32(optarg, &o->jitter_us); break;
		case OPT_REORDER_US: ok = arg_u32(optarg, &o->reorder_us); break;
		case OPT_LOGDIR: o->log_dir = optarg; break;
		case OPT_CONFCHG: o->print_confchg = true; break;
		case OPT_VERBOSE: o->verbose = true; break;
		case OPT_DEBUG: o->debug = true; break;
		case OPT_HELP: return 2;
		default: return 1;
		}
		if (!ok) {
			fprintf(stderr, "totemsim: bad value for --%s: %s\n", long_opts[c - OPT_NODES].name, optarg);
			return 1;
		}
	}
	if (optind != argc || !have_nodes || !have_seed || !have_duration) {
		return 1;
	}
	return 0;
}

/* --debug: every protocol log line with the virtual time and its node. */
static void log_line(int32_t target, struct qb_log_callsite *cs, struct timespec *ts, const char *msg)
{
	uint64_t now = the_sim->net != NULL ? simnet_now(the_sim->net) : 0;
	uint32_t node = the_sim->net != NULL ? simnet_current(the_sim->net) : 0;

	(void)target;
	(void)cs;
	(void)ts;
	fprintf(stderr, "[%4" PRIu64 ".%06" PRIu64 "] n%-2" PRIu32 " %s\n", now / US_PER_S, now % US_PER_S,
	        node, msg);
}

static void log_setup(bool debug)
{
	int32_t t;

	qb_log_init("totemsim", LOG_USER, LOG_DEBUG);
	qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_FALSE);
	qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_FALSE);
	if (debug) {
		t = qb_log_custom_open(log_line, NULL, NULL, NULL);
		if (t >= 0) {
			qb_log_ctl(t, QB_LOG_CONF_ENABLED, QB_TRUE);
			qb_log_filter_ctl(t, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", LOG_DEBUG);
		}
	}
}

static void replay_line(int argc, char **argv)
{
	printf("replay:");
	for (int i = 0; i < argc; i++) {
		printf(" %s", argv[i]);
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	static struct sim s;
	struct hist_report r = { 0 };

	the_sim = &s;
	int prc = opts_parse(&s.o, argc, argv);

	if (prc != 0) {
		usage(prc == 2 ? stdout : stderr);
		return prc == 2 ? 0 : 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_setup(s.o.debug);
	if (config_make(&s) < 0) {
		return 2;
	}
	s.faulty = (struct simnet_params){ .loss_ppm = (uint32_t)(s.o.loss * 10000.0),
		                           .dup_ppm = (uint32_t)(s.o.dup * 10000.0),
		                           .reorder_ppm = (uint32_t)(s.o.reorder * 10000.0),
		                           .delay_us = s.o.delay_us, .jitter_us = s.o.jitter_us,
		                           .reorder_us = s.o.reorder_us };
	s.clean = (struct simnet_params){ .delay_us = s.o.delay_us, .jitter_us = s.o.jitter_us };
	s.net = simnet_create(s.o.seed, s.o.nodes, &s.faulty);
	if (s.net != NULL) {
		simnet_filter_set(s.net, deaf_filter, &s);
	}
	s.h = hist_new();
	s.buf = malloc(s.o.size_max);
	if (s.net == NULL || s.h == NULL || s.buf == NULL) {
		fprintf(stderr, "totemsim: out of memory\n");
		return 2;
	}
	timeline(&s);
	printf("totemsim: starting seed=%" PRIu64 " nodes=%" PRIu32 " token=%" PRIu32 "ms (effective %" PRIu32
	       "ms, consensus %" PRIu32 "ms) faults until %.3fs, converge by %.3fs, load until %.3fs, end %.3fs\n",
	       s.o.seed, s.o.nodes, s.cfg.token, s.cfg.token_effective, s.cfg.consensus,
	       (double)s.fault_end / 1e6, (double)s.deadline / 1e6, (double)s.load_end / 1e6,
	       (double)s.run_end / 1e6);
	int rc = sim_run(&s);
	if (rc < 0) {
		fprintf(stderr, "totemsim: the simulation failed: %s\n", strerror(-rc));
		anomaly(&s, "simulation failed: %s", strerror(-rc));
	}
	/* membership churn (docs/membership.md): a fault costs a few rings */
	uint64_t quiet_max = 4 * (uint64_t)s.o.nodes + 8;
	uint64_t total_max = 8 * (s.fault_events + s.o.nodes);
	if (!s.stopped && s.rings_quiet > quiet_max) {
		anomaly(&s, "membership churn: %" PRIu64 " rings formed after the faults ended (bound %" PRIu64 ")",
		        s.rings_quiet, quiet_max);
	} else if (!s.stopped && s.rings > total_max) {
		anomaly(&s, "membership churn: %" PRIu64 " rings formed for %" PRIu64 " fault events (bound %"
		        PRIu64 ")", s.rings, s.fault_events, total_max);
	}
	int v = hist_check(s.h, &r);
	if (v < 0) {
		fprintf(stderr, "totemsim: checker: %s\n", strerror(-v));
		return 2;
	}
	uint64_t delivered = 0, confchgs = 0;
	for (uint32_t i = 1; i <= s.o.nodes; i++) {
		delivered += s.nodes[i].delivered;
		confchgs += s.nodes[i].confchgs;
	}
	if (s.o.verbose || s.o.print_confchg) {
		print_nodes(&s);
	}
	if (s.o.verbose) {
		printf("membership: %" PRIu64 " fault events, %" PRIu64 " rings formed (%.1f per event), %"
		       PRIu64 " after the faults ended; last installation at %.3f s, %.3f s after the "
		       "faults ended (bound %.3f s)\n",
		       s.fault_events, s.rings, (double)s.rings / (double)(s.fault_events ? s.fault_events : 1),
		       s.rings_quiet, (double)s.last_install / 1e6,
		       s.last_install > s.fault_end ? (double)(s.last_install - s.fault_end) / 1e6 : 0.0,
		       (double)s.bound / 1e6);
	}
	if (s.o.verbose) {
		struct simnet_stats st;
		simnet_stats_get(s.net, &st);
		printf("network: events %" PRIu64 " sent %" PRIu64 " delivered %" PRIu64 " lost %" PRIu64
		       " duplicated %" PRIu64 " reordered %" PRIu64 " cut %" PRIu64 " unreachable %" PRIu64 "\n",
		       st.events, st.sent, st.delivered, st.lost, st.duplicated, st.reordered, st.cut,
		       st.unreachable);
	}
	struct simnet_stats st;
	simnet_stats_get(s.net, &st);
	if (st.stray_timers > 0) {
		anomaly(&s, "%" PRIu64 " timer(s) of destroyed instances were never deleted", st.stray_timers);
	}
	if (s.o.log_dir != NULL && (rc = hist_write_dir(s.h, s.o.log_dir)) < 0) {
		fprintf(stderr, "totemsim: cannot write logs to %s: %s\n", s.o.log_dir, strerror(-rc));
	}
	if (v > 0) {
		printf("%s\n", r.text);
		printf("checker: %d violation(s):", v);
		for (int p = 1; p < HIST_P_COUNT; p++) {
			if (r.per_property[p] > 0) {
				printf(" %s=%u", hist_property_name((enum hist_property)p), r.per_property[p]);
			}
		}
		printf("\n");
	}
	if (s.ctx_breaches > 0) {
		fprintf(stderr, "totemsim: warning: %" PRIu64 " op call(s) with a ctx other than the one "
		        "given to pg_create()\n", s.ctx_breaches);
	}
	if (s.anomalies > 0) {
		printf("simulator: %" PRIu64 " contract breach(es), first: %s\n", s.anomalies, s.anomaly);
	}
	uint64_t violations = (uint64_t)v + s.anomalies;
	if (violations > 0) {
		replay_line(argc, argv);
	}
	for (uint32_t i = 1; i <= s.o.nodes; i++) {
		s.nodes[i].pg = pg_destroy(s.nodes[i].pg);
	}
	hist_free(s.h);
	simnet_destroy(s.net);
	free(s.buf);
	qb_log_fini();
	printf("totemsim: seed=%" PRIu64 " nodes=%" PRIu32 " delivered=%" PRIu64 " confchgs=%" PRIu64
	       " rings=%" PRIu64 " faults=%" PRIu64 " quiet_rings=%" PRIu64 " violations=%" PRIu64 "\n",
	       s.o.seed, s.o.nodes, delivered, confchgs, s.rings, s.fault_events, s.rings_quiet,
	       violations);
	return violations == 0 ? 0 : 1;
}
