/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The deterministic test world of srp_harness.h: a virtual clock, a timer
 * list, and a datagram network with latency, seeded loss and partitions.
 * Time only advances when the world runs; nothing here sleeps.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srp_harness.h"
#include "wire.h"

struct h_packet {
	struct h_packet *next;
	uint64_t due_us;
	uint64_t order;
	int to;
	size_t len;
	uint8_t buf[];
};

struct h_timer {
	struct h_timer *next;
	uint64_t id;
	uint64_t due_us;
	uint64_t order;
	int owner;
	totem_timer_fn fn;
	void *data;
};

static uint32_t h_rand(struct h_world *w)
{
	w->rng = w->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(w->rng >> 33);
}

static void h_event(struct h_node *n, const char *text)
{
	if (n->n_events == n->cap_events) {
		n->cap_events = n->cap_events ? n->cap_events * 2 : 1024;
		n->events = realloc(n->events, n->cap_events * H_EVENT_LEN);
		if (n->events == NULL) {
			abort();
		}
	}
	snprintf(n->events[n->n_events++], H_EVENT_LEN, "%s", text);
}

static void packet_queue(struct h_world *w, int to, const void *buf, size_t len)
{
	struct h_packet *p, **pp;
	struct wire_header hdr;

	if (w->loss_permille > 0 && h_rand(w) % 1000U < w->loss_permille) {
		return;
	}
	if (w->nodes[to].deaf && wire_header_decode(buf, len, &hdr) == 0 && hdr.type == WIRE_MCAST) {
		return;
	}
	p = malloc(sizeof(*p) + len);
	if (p == NULL) {
		abort();
	}
	p->due_us = w->now_us + w->latency_us + h_rand(w) % 20U;
	p->order = w->event_seq++;
	p->to = to;
	p->len = len;
	memcpy(p->buf, buf, len);
	for (pp = &w->packets; *pp != NULL && (*pp)->due_us <= p->due_us; pp = &(*pp)->next) {
	}
	p->next = *pp;
	*pp = p;
}

static int net_mcast(void *ctx, const void *buf, size_t len)
{
	struct h_node *n = ctx;
	struct h_world *w = n->w;

	for (int i = 0; i < w->n; i++) {
		if (i != n->idx && w->nodes[i].alive && w->nodes[i].group == n->group) {
			packet_queue(w, i, buf, len);
		}
	}
	return 0;
}

static int net_ucast(void *ctx, totem_nodeid_t to, const void *buf, size_t len)
{
	struct h_node *n = ctx;
	struct h_world *w = n->w;

	if (len > 3 && ((const uint8_t *)buf)[3] == WIRE_TOKEN) {
		n->token_sends++;
	}
	for (int i = 0; i < w->n; i++) {
		if (w->nodes[i].id == to && w->nodes[i].alive && w->nodes[i].group == n->group) {
			packet_queue(w, i, buf, len);
		}
	}
	return 0;
}

static uint64_t clk_now(void *ctx)
{
	struct h_node *n = ctx;

	return n->w->now_us;
}

static int clk_add_at(void *ctx, uint64_t us, totem_timer_fn fn, void *data, uint64_t *ret)
{
	struct h_node *n = ctx;
	struct h_world *w = n->w;
	struct h_timer *t = calloc(1, sizeof(*t)), **pp;

	if (t == NULL) {
		return -ENOMEM;
	}
	t->id = ++w->next_timer_id;
	t->due_us = w->now_us + us;
	t->order = w->event_seq++;
	t->owner = n->idx;
	t->fn = fn;
	t->data = data;
	for (pp = &w->timers; *pp != NULL && (*pp)->due_us <= t->due_us; pp = &(*pp)->next) {
	}
	t->next = *pp;
	*pp = t;
	*ret = t->id;
	return 0;
}

static int clk_add(void *ctx, uint32_t ms, totem_timer_fn fn, void *data, uint64_t *ret)
{
	return clk_add_at(ctx, (uint64_t)ms * 1000U, fn, data, ret);
}

static int clk_add_us(void *ctx, uint32_t us, totem_timer_fn fn, void *data, uint64_t *ret)
{
	return clk_add_at(ctx, us, fn, data, ret);
}

static void clk_del(void *ctx, uint64_t handle)
{
	struct h_node *n = ctx;
	struct h_timer **pp;

	for (pp = &n->w->timers; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->id == handle) {
			struct h_timer *t = *pp;

			*pp = t->next;
			free(t);
			return;
		}
	}
}

static uint32_t clk_random(void *ctx)
{
	struct h_node *n = ctx;

	return h_rand(n->w);
}

static void cb_deliver(void *ctx, totem_nodeid_t sender, const void *msg, size_t len,
                       enum totem_guarantee g)
{
	struct h_node *n = ctx;
	char line[H_EVENT_LEN];
	uint32_t v[2] = { 0, 0 };

	if (len == sizeof(v)) {
		memcpy(v, msg, sizeof(v));
	}
	snprintf(line, sizeof(line), "M %u %u/%u %s", sender, v[0], v[1], g == TOTEM_SAFE ? "S" : "A");
	h_event(n, line);
	n->delivered++;
}

static void set_text(char *buf, size_t len, const totem_nodeid_t *s, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off + 12 < len; i++) {
		off += (size_t)snprintf(buf + off, len - off, "%s%u", i ? "," : "", s[i]);
	}
}

static void cb_confchg(void *ctx, enum totem_confchg_type type, const totem_nodeid_t *m, size_t nm,
                       const totem_nodeid_t *l, size_t nl, const totem_nodeid_t *j, size_t nj,
                       const struct totem_ring_id *rid)
{
	struct h_node *n = ctx;
	char line[H_EVENT_LEN], a[40], b[40], c[40];

	set_text(a, sizeof(a), m, nm);
	set_text(b, sizeof(b), l, nl);
	set_text(c, sizeof(c), j, nj);
	snprintf(line, sizeof(line), "%s m=%s l=%s j=%s r=%u.%llu",
	         type == TOTEM_CONFCHG_REGULAR ? "REG" : "TRANS", a, b, c, rid->rep,
	         (unsigned long long)rid->seq);
	h_event(n, line);
}

static int cb_ring_seq(void *ctx, uint64_t seq)
{
	struct h_node *n = ctx;

	if (n->ring_seq_refuse) {
		return -ENOSPC; /* a full disk: the node must stay out */
	}
	if (seq < n->ring_seq_stored) {
		abort();        /* the ring seq must never go backwards */
	}
	n->ring_seq_stored = seq;
	return 0;
}

static const struct totem_transport_ops h_net = { net_mcast, net_ucast };
static const struct totem_clock_ops h_clock = { clk_now, clk_add, clk_del, clk_random, clk_add_us };
/*
 * A layer above that holds upper_pending frames itself and hands srp only
 * what srp_origination_budget() allows, inside the callback (as pg does).
 * Frames handed over on an earlier visit must all have been originated.
 */
static void cb_token_received(void *ctx)
{
	struct h_node *n = ctx;
	struct srp_stats st;
	uint32_t b;

	if (n->upper_pending == 0) {
		return;
	}
	srp_stats_get(n->srp, &st);
	if (st.send_queue_len != 0) {
		n->upper_violations++;
	}
	b = srp_origination_budget(n->srp);
	if (b > n->upper_budget_max) {
		n->upper_budget_max = b;
	}
	for (; b > 0 && n->upper_pending > 0; b--) {
		if (h_send(n->w, n->idx, TOTEM_AGREED) != 0) {
			n->upper_violations++;
			break;
		}
		n->upper_pending--;
	}
	srp_backlog_set(n->srp, n->upper_pending);
}

static const struct srp_callbacks h_cb = { cb_deliver, cb_confchg, cb_ring_seq, cb_token_received };

void h_world_init(struct h_world *w, int n, uint32_t seq_start)
{
	char err[160];

	memset(w, 0, sizeof(*w));
	w->n = n;
	w->latency_us = 200;
	w->rng = 12345;
	w->now_us = 1000000;
	totem_config_defaults(&w->cfg);
	w->cfg.token = 1000;
	w->cfg.node_count = (uint32_t)n;
	w->cfg.seq_start = seq_start;
	totem_config_finish(&w->cfg);
	w->cfg.nodeid = 1;
	if (totem_config_validate(&w->cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "bad test config: %s\n", err);
		abort();
	}
	for (int i = 0; i < n; i++) {
		w->nodes[i].w = w;
		w->nodes[i].idx = i;
		w->nodes[i].id = (totem_nodeid_t)(i + 1);
	}
}

void h_node_start(struct h_world *w, int idx)
{
	struct h_node *n = &w->nodes[idx];
	struct totem_config cfg = w->cfg;

	cfg.nodeid = n->id;
	n->alive = true;
	n->srp = srp_create(&cfg, n->ring_seq_stored, &h_net, &h_clock, &h_cb, n);
	if (n->srp == NULL) {
		abort();
	}
}

void h_node_crash(struct h_world *w, int idx)
{
	struct h_node *n = &w->nodes[idx];

	n->srp = srp_destroy(n->srp);
	n->alive = false;
	for (struct h_timer *t = w->timers; t != NULL; t = t->next) {
		if (t->owner == idx) {
			abort();        /* srp_destroy must cancel every timer */
		}
	}
}

void h_world_free(struct h_world *w)
{
	for (int i = 0; i < w->n; i++) {
		if (w->nodes[i].srp != NULL) {
			h_node_crash(w, i);
		}
		free(w->nodes[i].events);
	}
	while (w->packets != NULL) {
		struct h_packet *p = w->packets;

		w->packets = p->next;
		free(p);
	}
	while (w->timers != NULL) {
		struct h_timer *t = w->timers;

		w->timers = t->next;
		free(t);
	}
}

/* Run one event due at or before end_us; false when none. */
static bool h_step(struct h_world *w, uint64_t end_us)
{
	struct h_packet *p = w->packets;
	struct h_timer *t = w->timers;
	bool take_packet;

	if (p != NULL && p->due_us > end_us) {
		p = NULL;
	}
	if (t != NULL && t->due_us > end_us) {
		t = NULL;
	}
	if (p == NULL && t == NULL) {
		return false;
	}
	take_packet = p != NULL && (t == NULL || p->due_us < t->due_us ||
	                            (p->due_us == t->due_us && p->order < t->order));
	if (take_packet) {
		w->packets = p->next;
		w->now_us = p->due_us;
		if (w->nodes[p->to].alive && w->nodes[p->to].srp != NULL) {
			srp_recv(w->nodes[p->to].srp, p->buf, p->len);
		}
		free(p);
	} else {
		w->timers = t->next;
		w->now_us = t->due_us;
		t->fn(t->data);
		free(t);
	}
	return true;
}

void h_run_for(struct h_world *w, uint64_t ms)
{
	uint64_t end = w->now_us + ms * 1000U;

	while (h_step(w, end)) {
	}
	w->now_us = end;
}

bool h_run_until(struct h_world *w, uint64_t max_ms, bool (*pred)(struct h_world *w, void *arg),
                 void *arg)
{
	uint64_t end = w->now_us + max_ms * 1000U;

	while (!pred(w, arg)) {
		if (!h_step(w, end)) {
			w->now_us = end;
			return pred(w, arg);
		}
	}
	return true;
}

/* Every live node OPERATIONAL in one ring of *arg members. */
bool h_all_operational_with(struct h_world *w, void *arg)
{
	int want = *(int *)arg;
	struct totem_ring_id first = { 0, 0 };
	bool have = false;

	for (int i = 0; i < w->n; i++) {
		struct h_node *n = &w->nodes[i];
		struct totem_ring_id rid;

		if (!n->alive) {
			continue;
		}
		if (srp_state_get(n->srp) != SRP_STATE_OPERATIONAL ||
		    srp_members_get(n->srp, &rid, NULL, 0) != (size_t)want) {
			return false;
		}
		if (have && (rid.rep != first.rep || rid.seq != first.seq)) {
			return false;
		}
		first = rid;
		have = true;
	}
	return have;
}

int h_send(struct h_world *w, int idx, enum totem_guarantee g)
{
	struct h_node *n = &w->nodes[idx];
	uint32_t v[2] = { n->id, n->next_counter };
	int r = srp_mcast(n->srp, v, sizeof(v), g);

	if (r == 0) {
		n->next_counter++;
	}
	return r;
}

size_t h_find_event(const struct h_node *n, const char *prefix, size_t from)
{
	for (size_t i = from; i < n->n_events; i++) {
		if (strncmp(n->events[i], prefix, strlen(prefix)) == 0) {
			return i;
		}
	}
	return (size_t)-1;
}

size_t h_count_msgs(const struct h_node *n, size_t from)
{
	size_t c = 0;

	for (size_t i = from; i < n->n_events; i++) {
		c += n->events[i][0] == 'M';
	}
	return c;
}
