/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtual-time network and timers for the simulator. Events live in a pool of
 * slots; a binary min-heap of slot numbers orders them by (time, insertion
 * number), so simultaneous events run in the order they were scheduled and
 * every run replays from its seed. A handle names a slot and its generation,
 * so deleting a timer that already fired is harmless. Datagrams are
 * reference-counted and shared by the copies of one multicast.
 *
 * The random generator is xoshiro256** seeded through splitmix64: fast,
 * good enough for fault injection, and identical on every platform.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "simnet.h"

struct pkt {
	uint32_t refs;
	size_t len;
	unsigned char data[];
};

enum ev_kind {
	EV_FREE = 0,
	EV_TIMER = 1,
	EV_PACKET = 2,
};

struct ev {
	uint64_t when;
	uint64_t order;     /* insertion number: ties run first-scheduled first */
	simnet_fn fn;       /* EV_TIMER */
	void *data;
	struct pkt *pkt;    /* EV_PACKET */
	uint32_t src, dst;
	uint32_t owner, epoch;
	uint32_t gen;
	uint32_t heap_pos;
	uint8_t kind;
};

struct port {
	simnet_recv_fn fn;
	void *ctx;
	uint32_t epoch;     /* bumped at attach and detach */
	uint32_t group;
	bool attached;
};

struct simnet {
	uint64_t now;
	uint64_t order;
	uint64_t rng[4];
	struct simnet_params p;
	uint32_t n_nodes;
	struct port ports[SIMNET_NODES_MAX + 1];
	struct ev *ev;      /* slot pool */
	uint32_t n_ev, cap_ev;
	uint32_t *free_slots;
	uint32_t n_free;
	uint32_t *heap;     /* slot numbers */
	uint32_t n_heap;
	struct simnet_stats stats;
	uint32_t current;   /* node whose timer or datagram runs, 0 if none */
	simnet_filter_fn filter;
	void *filter_ctx;
};

/* ---------------------------------------------------------------- random */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t simnet_random(simnet_t *net)
{
	uint64_t *s = net->rng;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t simnet_random_below(simnet_t *net, uint64_t n)
{
	/* rejection sampling keeps it uniform */
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t r;

	do {
		r = simnet_random(net);
	} while (r >= limit);
	return r % n;
}

bool simnet_chance(simnet_t *net, uint32_t ppm)
{
	return ppm > 0 && simnet_random_below(net, 1000000) < ppm;
}

/* ------------------------------------------------------------------ heap */

static bool ev_before(const simnet_t *net, uint32_t a, uint32_t b)
{
	const struct ev *x = &net->ev[a], *y = &net->ev[b];

	return x->when < y->when || (x->when == y->when && x->order < y->order);
}

static void heap_set(simnet_t *net, uint32_t pos, uint32_t slot)
{
	net->heap[pos] = slot;
	net->ev[slot].heap_pos = pos;
}

static void heap_up(simnet_t *net, uint32_t pos)
{
	uint32_t slot = net->heap[pos];

	while (pos > 0) {
		uint32_t parent = (pos - 1) / 2;
		if (!ev_before(net, slot, net->heap[parent])) {
			break;
		}
		heap_set(net, pos, net->heap[parent]);
		pos = parent;
	}
	heap_set(net, pos, slot);
}

static void heap_down(simnet_t *net, uint32_t pos)
{
	uint32_t slot = net->heap[pos];

	for (;;) {
		uint32_t l = 2 * pos + 1, r = l + 1, best = l;
		if (l >= net->n_heap) {
			break;
		}
		if (r < net->n_heap && ev_before(net, net->heap[r], net->heap[l])) {
			best = r;
		}
		if (!ev_before(net, net->heap[best], slot)) {
			break;
		}
		heap_set(net, pos, net->heap[best]);
		pos = best;
	}
	heap_set(net, pos, slot);
}

static void heap_remove(simnet_t *net, uint32_t pos)
{
	uint32_t last = net->heap[--net->n_heap];

	if (pos == net->n_heap) {
		return;
	}
	heap_set(net, pos, last);
	heap_up(net, pos);
	heap_down(net, net->ev[last].heap_pos);
}

/* Take a slot and put it in the heap at `when`; NULL on out-of-memory. */
static struct ev *ev_new(simnet_t *net, uint64_t when, uint32_t *ret_slot)
{
	uint32_t slot;

	if (net->n_free > 0) {
		slot = net->free_slots[--net->n_free];
	} else {
		if (net->n_ev == net->cap_ev) {
			uint32_t ncap = net->cap_ev ? net->cap_ev * 2 : 1024;
			struct ev *e = realloc(net->ev, ncap * sizeof(*e));
			if (e == NULL) {
				return NULL;
			}
			net->ev = e;
			uint32_t *h = realloc(net->heap, ncap * sizeof(*h));
			if (h == NULL) {
				return NULL;
			}
			net->heap = h;
			uint32_t *f = realloc(net->free_slots, ncap * sizeof(*f));
			if (f == NULL) {
				return NULL;
			}
			net->free_slots = f;
			net->cap_ev = ncap;
		}
		slot = net->n_ev++;
		net->ev[slot].gen = 0;
	}
	struct ev *e = &net->ev[slot];
	uint32_t gen = e->gen;
	memset(e, 0, sizeof(*e));
	e->gen = gen;
	e->when = when;
	e->order = net->order++;
	net->heap[net->n_heap] = slot;
	e->heap_pos = net->n_heap++;
	heap_up(net, e->heap_pos);
	*ret_slot = slot;
	return e;
}

static void pkt_unref(struct pkt *p)
{
	if (p != NULL && --p->refs == 0) {
		free(p);
	}
}

static void ev_release(simnet_t *net, uint32_t slot)
{
	struct ev *e = &net->ev[slot];

	pkt_unref(e->pkt);
	e->pkt = NULL;
	e->kind = EV_FREE;
	e->gen++;
	net->free_slots[net->n_free++] = slot;
}

/* ------------------------------------------------------------- lifecycle */

simnet_t *simnet_create(uint64_t seed, uint32_t n_nodes, const struct simnet_params *params)
{
	if (n_nodes == 0 || n_nodes > SIMNET_NODES_MAX) {
		return NULL;
	}
	simnet_t *net = calloc(1, sizeof(*net));
	if (net == NULL) {
		return NULL;
	}
	uint64_t x = seed;
	for (int i = 0; i < 4; i++) {
		net->rng[i] = splitmix64(&x);
	}
	net->n_nodes = n_nodes;
	simnet_params_set(net, params);
	return net;
}

simnet_t *simnet_destroy(simnet_t *net)
{
	if (net == NULL) {
		return NULL;
	}
	for (uint32_t i = 0; i < net->n_heap; i++) {
		pkt_unref(net->ev[net->heap[i]].pkt);
	}
	free(net->ev);
	free(net->heap);
	free(net->free_slots);
	free(net);
	return NULL;
}

void simnet_params_set(simnet_t *net, const struct simnet_params *params)
{
	net->p = *params;
	if (net->p.delay_us == 0) {
		net->p.delay_us = 1;
	}
}

void simnet_filter_set(simnet_t *net, simnet_filter_fn fn, void *ctx)
{
	net->filter = fn;
	net->filter_ctx = ctx;
}

uint32_t simnet_current(const simnet_t *net)
{
	return net->current;
}

uint64_t simnet_now(const simnet_t *net)
{
	return net->now;
}

size_t simnet_pending(const simnet_t *net)
{
	return net->n_heap;
}

void simnet_stats_get(const simnet_t *net, struct simnet_stats *ret_stats)
{
	*ret_stats = net->stats;
}

static bool node_valid(const simnet_t *net, uint32_t nodeid)
{
	return nodeid >= 1 && nodeid <= net->n_nodes;
}

int simnet_attach(simnet_t *net, uint32_t nodeid, simnet_recv_fn fn, void *ctx)
{
	if (!node_valid(net, nodeid) || fn == NULL) {
		return -EINVAL;
	}
	struct port *p = &net->ports[nodeid];
	if (p->attached) {
		return -EBUSY;
	}
	p->fn = fn;
	p->ctx = ctx;
	p->epoch++;
	p->attached = true;
	return 0;
}

void simnet_detach(simnet_t *net, uint32_t nodeid)
{
	if (node_valid(net, nodeid) && net->ports[nodeid].attached) {
		net->ports[nodeid].attached = false;
		net->ports[nodeid].epoch++;
	}
}

bool simnet_attached(const simnet_t *net, uint32_t nodeid)
{
	return node_valid(net, nodeid) && net->ports[nodeid].attached;
}

void simnet_group_set(simnet_t *net, uint32_t nodeid, uint32_t group)
{
	if (node_valid(net, nodeid)) {
		net->ports[nodeid].group = group;
	}
}

uint32_t simnet_group(const simnet_t *net, uint32_t nodeid)
{
	return node_valid(net, nodeid) ? net->ports[nodeid].group : 0;
}

/* ---------------------------------------------------------------- timers */

int simnet_timer_add(simnet_t *net, uint32_t owner, uint64_t delay_us, simnet_fn fn, void *data,
                     uint64_t *ret_handle)
{
	uint32_t slot;

	if (fn == NULL || (owner != 0 && !node_valid(net, owner))) {
		return -EINVAL;
	}
	struct ev *e = ev_new(net, net->now + delay_us, &slot);
	if (e == NULL) {
		return -ENOMEM;
	}
	e->kind = EV_TIMER;
	e->fn = fn;
	e->data = data;
	e->owner = owner;
	e->epoch = owner ? net->ports[owner].epoch : 0;
	*ret_handle = ((uint64_t)e->gen << 32) | ((uint64_t)slot + 1);
	return 0;
}

void simnet_timer_del(simnet_t *net, uint64_t handle)
{
	uint64_t low = handle & UINT32_MAX;

	if (low == 0 || low > net->n_ev) {
		return;
	}
	uint32_t slot = (uint32_t)(low - 1);
	struct ev *e = &net->ev[slot];
	if (e->kind != EV_TIMER || e->gen != (uint32_t)(handle >> 32)) {
		return;
	}
	heap_remove(net, e->heap_pos);
	ev_release(net, slot);
}

/* --------------------------------------------------------------- packets */

static bool cut(const simnet_t *net, uint32_t a, uint32_t b)
{
	return net->ports[a].group != net->ports[b].group;
}

static int copy_schedule(simnet_t *net, struct pkt *p, uint32_t from, uint32_t to)
{
	uint32_t slot;
	uint64_t delay = net->p.delay_us;

	if (net->p.jitter_us > 0) {
		delay += simnet_random_below(net, (uint64_t)net->p.jitter_us + 1);
	}
	if (simnet_chance(net, net->p.reorder_ppm)) {
		net->stats.reordered++;
		delay += simnet_random_below(net, (uint64_t)net->p.reorder_us + 1);
	}
	struct ev *e = ev_new(net, net->now + delay, &slot);
	if (e == NULL) {
		return -ENOMEM;
	}
	e->kind = EV_PACKET;
	e->pkt = p;
	e->src = from;
	e->dst = to;
	p->refs++;
	return 0;
}

static int send_one(simnet_t *net, struct pkt *p, uint32_t from, uint32_t to)
{
	net->stats.sent++;
	if (cut(net, from, to)) {
		net->stats.cut++;
		return 0;
	}
	if (net->filter != NULL && net->filter(net->filter_ctx, from, to, p->data, p->len)) {
		net->stats.filtered++;
		return 0;
	}
	if (simnet_chance(net, net->p.loss_ppm)) {
		net->stats.lost++;
		return 0;
	}
	int rc = copy_schedule(net, p, from, to);
	if (rc == 0 && simnet_chance(net, net->p.dup_ppm)) {
		net->stats.duplicated++;
		rc = copy_schedule(net, p, from, to);
	}
	return rc;
}

int simnet_send(simnet_t *net, uint32_t from, uint32_t to, const void *buf, size_t len)
{
	if (!node_valid(net, from) || (to != 0 && (!node_valid(net, to) || to == from))) {
		return -EINVAL;
	}
	struct pkt *p = malloc(sizeof(*p) + len);
	if (p == NULL) {
		return -ENOMEM;
	}
	p->refs = 1;
	p->len = len;
	if (len > 0) {
		memcpy(p->data, buf, len);
	}
	int rc = 0;
	if (to != 0) {
		rc = send_one(net, p, from, to);
	} else {
		for (uint32_t n = 1; n <= net->n_nodes && rc == 0; n++) {
			if (n != from) {
				rc = send_one(net, p, from, n);
			}
		}
	}
	pkt_unref(p);
	return rc;
}

/* ------------------------------------------------------------------- run */

static void ev_run(simnet_t *net, uint32_t slot)
{
	struct ev e = net->ev[slot];

	/* the slot is free before the callback runs: it may schedule more */
	net->ev[slot].pkt = NULL;
	ev_release(net, slot);
	net->stats.events++;
	if (e.kind == EV_TIMER) {
		if (e.owner != 0 && (!net->ports[e.owner].attached || net->ports[e.owner].epoch != e.epoch)) {
			net->stats.stray_timers++;
			return;
		}
		net->current = e.owner;
		e.fn(e.data);
		net->current = 0;
		return;
	}
	struct port *p = &net->ports[e.dst];
	if (!p->attached) {
		net->stats.unreachable++;
	} else if (cut(net, e.src, e.dst)) {
		net->stats.cut++;
	} else {
		net->stats.delivered++;
		net->current = e.dst;
		p->fn(p->ctx, e.src, e.pkt->data, e.pkt->len);
		net->current = 0;
	}
	pkt_unref(e.pkt);
}

uint64_t simnet_run(simnet_t *net, uint64_t until_us, uint64_t max_events)
{
	uint64_t n = 0;

	while (net->n_heap > 0) {
		uint32_t slot = net->heap[0];
		if (net->ev[slot].when > until_us) {
			break;
		}
		if (max_events != 0 && n == max_events) {
			return n;
		}
		net->now = net->ev[slot].when;
		heap_remove(net, 0);
		ev_run(net, slot);
		n++;
	}
	if (until_us > net->now) {
		net->now = until_us;
	}
	return n;
}

void simnet_run_until(simnet_t *net, uint64_t until_us)
{
	(void)simnet_run(net, until_us, 0);
}
