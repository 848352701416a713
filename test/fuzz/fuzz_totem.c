/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for the Totem SRP wire codec and receive path: the input is
 * handed to every wire_*_decode() function, then to srp_recv() of two live
 * instances (one driven to OPERATIONAL in a ring of its own, one left in
 * GATHER), first whole and then cut into records of [u16 length][frame]
 * interleaved with timer runs and sends, so frames reach every state. The
 * ops are no-ops that only count sends; the timers live in a small table
 * fired by hand.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "srp.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_TIMERS 64

struct fz_timer {
	uint64_t id;
	totem_timer_fn fn;
	void *data;
};

struct fz {
	struct fz_timer timers[FZ_TIMERS];
	uint64_t next_id;
	uint64_t now;
	uint64_t sends;
};

static int fz_mcast(void *ctx, const void *buf, size_t len)
{
	struct fz *f = ctx;

	(void)buf;
	(void)len;
	f->sends++;
	return 0;
}

static int fz_ucast(void *ctx, totem_nodeid_t to, const void *buf, size_t len)
{
	(void)to;
	return fz_mcast(ctx, buf, len);
}

static uint64_t fz_now(void *ctx)
{
	struct fz *f = ctx;

	return f->now;
}

static int fz_timer_add(void *ctx, uint32_t ms, totem_timer_fn fn, void *data, uint64_t *ret)
{
	struct fz *f = ctx;

	(void)ms;
	for (int i = 0; i < FZ_TIMERS; i++) {
		if (f->timers[i].id == 0) {
			f->timers[i].id = ++f->next_id;
			f->timers[i].fn = fn;
			f->timers[i].data = data;
			*ret = f->timers[i].id;
			return 0;
		}
	}
	abort();        /* srp keeps a handful of timers at most */
}

static void fz_timer_del(void *ctx, uint64_t handle)
{
	struct fz *f = ctx;

	for (int i = 0; i < FZ_TIMERS; i++) {
		if (f->timers[i].id == handle) {
			f->timers[i].id = 0;
		}
	}
}

static uint32_t fz_random(void *ctx)
{
	(void)ctx;
	return 4;
}

/* Fire the oldest pending timer; false when none. */
static bool fz_fire_one(struct fz *f)
{
	int best = -1;

	for (int i = 0; i < FZ_TIMERS; i++) {
		if (f->timers[i].id != 0 && (best < 0 || f->timers[i].id < f->timers[best].id)) {
			best = i;
		}
	}
	if (best < 0) {
		return false;
	}
	struct fz_timer t = f->timers[best];

	f->timers[best].id = 0;
	f->now += 1000;
	t.fn(t.data);
	return true;
}

static void fz_deliver(void *ctx, totem_nodeid_t sender, const void *msg, size_t len,
                       enum totem_guarantee g)
{
	(void)ctx;
	(void)sender;
	(void)msg;
	(void)len;
	(void)g;
}

static void fz_confchg(void *ctx, enum totem_confchg_type type, const totem_nodeid_t *m, size_t nm,
                       const totem_nodeid_t *l, size_t nl, const totem_nodeid_t *j, size_t nj,
                       const struct totem_ring_id *rid)
{
	(void)ctx;
	(void)type;
	(void)m;
	(void)nm;
	(void)l;
	(void)nl;
	(void)j;
	(void)nj;
	(void)rid;
}

static const struct totem_transport_ops fz_net = { fz_mcast, fz_ucast };
static const struct totem_clock_ops fz_clock = { fz_now, fz_timer_add, fz_timer_del, fz_random, NULL };
static const struct srp_callbacks fz_cb = { fz_deliver, fz_confchg, NULL, NULL };

static srp_t *fz_instance(struct fz *f, totem_nodeid_t id, bool operational)
{
	struct totem_config cfg;
	srp_t *srp;

	totem_config_defaults(&cfg);
	cfg.nodeid = id;
	totem_config_finish(&cfg);
	srp = srp_create(&cfg, 0, &fz_net, &fz_clock, &fz_cb, f);
	if (srp == NULL) {
		abort();
	}
	/* a lone node forms its own ring 1.4 once the first join period ends */
	for (int i = 0; operational && i < 200 && srp_state_get(srp) != SRP_STATE_OPERATIONAL; i++) {
		fz_fire_one(f);
	}
	return srp;
}

static void fz_decode_all(const uint8_t *data, size_t size)
{
	union {
		struct wire_token t;
		struct wire_mcast m;
		struct wire_join j;
		struct wire_commit c;
		struct wire_header h;
	} u;

	(void)wire_header_decode(data, size, &u.h);
	(void)wire_token_decode(data, size, &u.t);
	(void)wire_mcast_decode(data, size, &u.m);
	(void)wire_join_decode(data, size, &u.j);
	(void)wire_commit_decode(data, size, &u.c);
	(void)wire_merge_detect_decode(data, size, &u.h);
	(void)wire_hold_cancel_decode(data, size, &u.h);
	(void)wire_leave_decode(data, size, &u.h);
}

static void fz_feed(struct fz *f, srp_t *srp, const uint8_t *data, size_t size)
{
	size_t off = 0;
	uint32_t msg = 0;

	srp_recv(srp, data, size);
	while (off + 2 <= size) {
		size_t len = (size_t)data[off] | ((size_t)data[off + 1] << 8);

		off += 2;
		if (len & 0x8000U) {
			/* control record: run timers, queue a message */
			for (size_t k = 0; k < (len & 7U); k++) {
				fz_fire_one(f);
			}
			(void)srp_mcast(srp, &msg, sizeof(msg), (len & 8U) ? TOTEM_SAFE : TOTEM_AGREED);
			msg++;
			continue;
		}
		if (len > size - off) {
			len = size - off;
		}
		srp_recv(srp, data + off, len);
		off += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz *f = calloc(1, sizeof(*f));
	srp_t *a, *b;

	if (f == NULL) {
		return 0;
	}
	fz_decode_all(data, size);
	a = fz_instance(f, 1, true);
	fz_feed(f, a, data, size);
	a = srp_destroy(a);
	memset(f, 0, sizeof(*f));
	b = fz_instance(f, 1, false);
	fz_feed(f, b, data, size);
	b = srp_destroy(b);
	for (int i = 0; i < FZ_TIMERS; i++) {
		if (f->timers[i].id != 0) {
			abort();        /* srp_destroy must cancel every timer */
		}
	}
	free(f);
	(void)a;
	(void)b;
	return 0;
}
