/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the process-group packing layer (exec/totem/pg_pack.c)
 * without srp: messages go through pg_packer into frames, the frames go
 * through pg_asm, and what comes out must be the messages that went in,
 * byte for byte, in order, with their sender and guarantee. Also: frame
 * counts (packing density, admission count = actual count), reassembly
 * across senders, discarding on configuration changes and on out-of-sequence
 * fragments, and rejection of malformed frames.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "pg_pack.h"
#include "pg_wire.h"

/* ---- frames emitted by a packer ---- */

struct frame {
	uint8_t *data;
	size_t len;
	enum totem_guarantee guarantee;
};

struct frame_list {
	struct frame *v;
	size_t n, cap;
	int fail;       /* emit returns this when non-zero */
};

static int frames_emit(void *ctx, const void *frame, size_t len, enum totem_guarantee g)
{
	struct frame_list *fl = ctx;

	if (fl->fail != 0) {
		return fl->fail;
	}
	if (fl->n == fl->cap) {
		fl->cap = fl->cap ? fl->cap * 2 : 16;
		fl->v = realloc(fl->v, fl->cap * sizeof(*fl->v));
		ck_assert_ptr_nonnull(fl->v);
	}
	fl->v[fl->n].data = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(fl->v[fl->n].data);
	memcpy(fl->v[fl->n].data, frame, len);
	fl->v[fl->n].len = len;
	fl->v[fl->n].guarantee = g;
	fl->n++;
	return 0;
}

static void frames_free(struct frame_list *fl)
{
	for (size_t i = 0; i < fl->n; i++) {
		free(fl->v[i].data);
	}
	free(fl->v);
	memset(fl, 0, sizeof(*fl));
}

/* ---- messages delivered by an assembler ---- */

struct msg {
	totem_nodeid_t sender;
	uint8_t *data;
	size_t len;
	enum totem_guarantee guarantee;
};

struct msg_list {
	struct msg *v;
	size_t n, cap;
};

static void msgs_deliver(void *ctx, totem_nodeid_t sender, const void *data, size_t len,
                         enum totem_guarantee g)
{
	struct msg_list *ml = ctx;

	if (ml->n == ml->cap) {
		ml->cap = ml->cap ? ml->cap * 2 : 16;
		ml->v = realloc(ml->v, ml->cap * sizeof(*ml->v));
		ck_assert_ptr_nonnull(ml->v);
	}
	ml->v[ml->n].data = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(ml->v[ml->n].data);
	if (len > 0) {
		memcpy(ml->v[ml->n].data, data, len);
	}
	ml->v[ml->n].len = len;
	ml->v[ml->n].sender = sender;
	ml->v[ml->n].guarantee = g;
	ml->n++;
}

static void msgs_free(struct msg_list *ml)
{
	for (size_t i = 0; i < ml->n; i++) {
		free(ml->v[i].data);
	}
	free(ml->v);
	memset(ml, 0, sizeof(*ml));
}

/* Message bytes are a function of (tag, index) so any misplacement shows. */
static uint8_t *pattern(size_t len, uint32_t tag)
{
	uint8_t *b = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(b);
	for (size_t i = 0; i < len; i++) {
		b[i] = (uint8_t)((i * 131u) ^ (i >> 8) ^ (tag * 17u));
	}
	return b;
}

static void msg_check(const struct msg *m, totem_nodeid_t sender, size_t len, uint32_t tag,
                      enum totem_guarantee g)
{
	uint8_t *want = pattern(len, tag);

	ck_assert_uint_eq(m->sender, sender);
	ck_assert_uint_eq(m->len, len);
	ck_assert_int_eq(m->guarantee, g);
	ck_assert(len == 0 || memcmp(m->data, want, len) == 0);
	free(want);
}

/*
 * Pack one message, checking that the admission count (frames needed)
 * equals what the packer really used: the frames emitted during the add,
 * plus the one left open; and that pg_packer_frames_bound() is at least that.
 */
static void pack_one(struct pg_packer *p, struct frame_list *fl, size_t len, uint32_t tag,
                     enum totem_guarantee g)
{
	uint8_t *buf = pattern(len, tag);
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	uint32_t needed = pg_packer_frames_needed(p, len, g);
	size_t before = fl->n;

	/* the O(1) bound never undercounts, for either guarantee */
	ck_assert_uint_ge(pg_packer_frames_bound(p, len), needed);
	ck_assert_uint_ge(pg_packer_frames_bound(p, len),
	                  pg_packer_frames_needed(p, len, g == TOTEM_SAFE ? TOTEM_AGREED : TOTEM_SAFE));
	ck_assert_int_eq(pg_packer_add(p, &iov, 1, g, frames_emit, fl), 0);
	ck_assert_uint_eq(needed, (fl->n - before) + (pg_packer_pending(p) ? 1 : 0));
	free(buf);
}

static void frames_feed(pg_asm_t *a, totem_nodeid_t sender, const struct frame_list *fl,
                        size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		ck_assert_int_eq(pg_asm_frame(a, sender, fl->v[i].data, fl->v[i].len,
		                              fl->v[i].guarantee), 0);
	}
}

static const size_t mtus[] = { PG_PAYLOAD_MIN, 200, 1024, 1400, 8952, 65000 };
#define N_MTUS (sizeof(mtus) / sizeof(mtus[0]))

START_TEST(test_packer_init_limits)
{
	struct pg_packer p;

	ck_assert_int_eq(pg_packer_init(&p, PG_PAYLOAD_MIN - 1), -EINVAL);
	ck_assert_int_eq(pg_packer_init(&p, PG_PAYLOAD_MIN), 0);
	ck_assert(!pg_packer_pending(&p));
	pg_packer_fini(&p);
}
END_TEST

/* Each size alone (packed then flushed), for every MTU. */
START_TEST(test_roundtrip_boundaries)
{
	for (size_t m = 0; m < N_MTUS; m++) {
		size_t pm = mtus[m];
		const size_t sizes[] = {
			0, 1, pm - 9, pm - 8, pm - 7, pm - 1, pm, pm + 1,
			2 * pm - 1, 2 * pm, 2 * pm + 1, 5 * pm + 3,
		};
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			struct pg_packer p;
			struct frame_list fl = { 0 };
			struct msg_list ml = { 0 };
			pg_asm_t *a = pg_asm_create(PG_MSG_SIZE_DEFAULT, msgs_deliver, &ml);

			ck_assert_int_eq(pg_packer_init(&p, pm), 0);
			pack_one(&p, &fl, sizes[s], (uint32_t)s, TOTEM_AGREED);
			ck_assert_int_eq(pg_packer_flush(&p, frames_emit, &fl), 0);
			ck_assert(!pg_packer_pending(&p));
			for (size_t i = 0; i < fl.n; i++) {
				ck_assert_uint_le(fl.v[i].len, pm);
			}
			/* whole when it fits one frame (header + item header), else fragments */
			if (sizes[s] + PG_FRAME_HDR_SIZE + PG_ITEM_HDR_SIZE <= pm) {
				ck_assert_uint_eq(fl.n, 1);
				ck_assert_uint_eq(p.fragments, 0);
			} else {
				ck_assert_uint_ge(fl.n, 2);
				ck_assert_uint_eq(p.fragments, fl.n);
			}
			frames_feed(a, 7, &fl, 0, fl.n);
			ck_assert_uint_eq(ml.n, 1);
			msg_check(&ml.v[0], 7, sizes[s], (uint32_t)s, TOTEM_AGREED);
			ck_assert_uint_eq(pg_asm_pending(a), 0);
			pg_asm_destroy(a);
			pg_packer_fini(&p);
			frames_free(&fl);
			msgs_free(&ml);
		}
	}
}
END_TEST

/* All boundary sizes back to back in one stream: fragments start in frames
 * that already hold messages and end in frames that go on holding more. */
START_TEST(test_roundtrip_stream)
{
	for (size_t m = 0; m < N_MTUS; m++) {
		size_t pm = mtus[m];
		const size_t sizes[] = {
			3, pm - 1, 0, pm, 17, pm + 1, 2 * pm - 1, 1, 2 * pm, 2 * pm + 1, 5, pm - 8,
		};
		const size_t n = sizeof(sizes) / sizeof(sizes[0]);
		struct pg_packer p;
		struct frame_list fl = { 0 };
		struct msg_list ml = { 0 };
		pg_asm_t *a = pg_asm_create(PG_MSG_SIZE_DEFAULT, msgs_deliver, &ml);

		ck_assert_int_eq(pg_packer_init(&p, pm), 0);
		for (size_t s = 0; s < n; s++) {
			pack_one(&p, &fl, sizes[s], (uint32_t)s, TOTEM_SAFE);
		}
		ck_assert_int_eq(pg_packer_flush(&p, frames_emit, &fl), 0);
		frames_feed(a, 3, &fl, 0, fl.n);
		ck_assert_uint_eq(ml.n, n);
		for (size_t s = 0; s < n; s++) {
			msg_check(&ml.v[s], 3, sizes[s], (uint32_t)s, TOTEM_SAFE);
		}
		ck_assert_uint_eq(p.msgs, n);
		pg_asm_destroy(a);
		pg_packer_fini(&p);
		frames_free(&fl);
		msgs_free(&ml);
	}
}
END_TEST

START_TEST(test_many_tiny)
{
	const size_t pm = 1400, n = 1000, sz = 10;
	struct pg_packer p;
	struct frame_list fl = { 0 };
	struct msg_list ml = { 0 };
	pg_asm_t *a = pg_asm_create(PG_MSG_SIZE_DEFAULT, msgs_deliver, &ml);

	ck_assert_int_eq(pg_packer_init(&p, pm), 0);
	for (size_t i = 0; i < n; i++) {
		pack_one(&p, &fl, sz, (uint32_t)i, TOTEM_AGREED);
	}
	ck_assert_int_eq(pg_packer_flush(&p, frames_emit, &fl), 0);
	/* 14 bytes an item, 1396 bytes an frame: 99 items a frame, 11 frames */
	ck_assert_uint_eq(fl.n, (n + 98) / 99);
	ck_assert_uint_eq(p.fragments, 0);
	ck_assert_uint_eq(p.msgs_packed, n - fl.n);
	frames_feed(a, 1, &fl, 0, fl.n);
	ck_assert_uint_eq(ml.n, n);
	for (size_t i = 0; i < n; i++) {
		msg_check(&ml.v[i], 1, sz, (uint32_t)i, TOTEM_AGREED);
	}
	pg_asm_destroy(a);
	pg_packer_fini(&p);
	frames_free(&fl);
	msgs_free(&ml);
}
END_TEST

/* More zero-length messages than the 16-bit item count holds in one frame. */
START_TEST(test_item_count_cap)
{
	const size_t pm = 300000, n = 70000;
	struct pg_packer p;
	struct frame_list fl = { 0 };
	struct msg_list ml = { 0 };
	pg_asm_t *a = pg_asm_create(PG_MSG_SIZE_DEFAULT, msgs_deliver, &ml);

	ck_assert_int_eq(pg_packer_init(&p, pm), 0);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(pg_packer_add(&p, NULL, 0, TOTEM_AGREED, frames_emit, &fl), 0);
	}
	ck_assert_int_eq(pg_packer_flush(&p, frames_emit, &fl), 0);
	ck_assert_uint_eq(fl.n, 2);
	ck_assert_uint_eq(pg_le16_get(fl.v[0].data + 2), PG_FRAME_ITEMS_MAX);
	ck_assert_int_eq(pg_frame_walk(fl.v[0].data, fl.v[0].len, PG_MSG_SIZE_DEFAULT, NULL, NULL),
	                 PG_FRAME_ITEMS_MAX);
	frames_feed(a, 1, &fl, 0, fl.n);
	ck_assert_uint_eq(ml.n, n);
	pg_asm_destroy(a);
	pg_packer_fini(&p);
	frames_free(&fl);
	msgs_free(&ml);
}
END_TEST

/* 1 MiB through small and large frames, given as a three-piece iovec. */
START_TEST(test_one_mib)
{
	const size_t len = 1048576;
	const size_t pms[] = { 1400, 65000 };

	for (size_t m = 0; m < 2; m++) {
		struct pg_packer p;
		struct frame_list fl = { 0 };
		struct msg_list ml = { 0 };
		pg_asm_t *a = pg_asm_create(PG_MSG_SIZE_DEFAULT, msgs_deliver, &ml);
		uint8_t *buf = pattern(len, 99);
		struct iovec iov[3] = {
			{ .iov_base = buf, .iov_len = 10 },
			{ .iov_base = buf + 10, .iov_len = 0 },
			{ .iov_base = buf + 10, .iov_len = len - 10 },
		};

		ck_assert_int_eq(pg_packer_init(&p, pms[m]), 0);
		pack_one(&p, &fl, 5, 1, TOTEM_AGREED);
		uint32_t needed = pg_packer_frames_needed(&p, len, TOTEM_AGREED);
		size_t before = fl.n;
		ck_assert_int_eq(pg_packer_add(&p, iov, 3, TOTEM_AGREED, frames_emit, &fl), 0);
		ck_assert_uint_eq(needed, fl.n - before + (pg_packer_pending(&p) ? 1 : 0));
		pack_one(&p, &fl, 6, 2, TOTEM_AGREED);
		ck_assert_int_eq(pg_packer_flush(&p, frames_emit, &fl), 0);
		ck_assert_uint_ge(fl.n, len / pms[m]);
		frames_feed(a, 9, &fl, 0, fl.n);
		ck_assert_uint_eq(ml.n, 3);
		msg_check(&ml.v[0], 9, 5, 1, TOTEM_AGREED);
		msg_check(&ml.v[1], 9, len, 99, TOTEM_AGREED);
		msg_check(&ml.v[2], 9, 6, 2, TOTEM_AGREED);
		free(buf);
		pg_asm_destroy(a);
		pg_packer_fini(&p);
		frames_free(&fl);
		msgs_free(&ml);
	}
}
END_TEST

/* A message above the assembler's limit is refused by the decoder. */
START_TEST(test_over_max)
{
	struct pg_packer p;
	struct frame_list fl = { 0 };
	struct msg_list ml = { 0 };
	pg_asm_t *a = pg_asm_create(1000, msgs_deliver, &ml);

	ck_assert_int_eq(pg_packer_init(&p, 1400), 0);
	pack_one(&p, &fl, 1001, 1, TOTEM_AGREED);
	ck_assert_int_eq(pg_packer_flush(&p, frames_emit, &fl), 0);
	ck_assert_int_eq(pg_asm_frame(a, 1, fl.v[0].data, fl.v[0].len, TOTEM_AGREED), -EBADMSG);
	frames_free(&fl);
	pack_one(&p, &fl, 3000, 2, TOTEM_AGREED);
	ck_assert_int_eq(pg_packer_flush(&p, frames_emit, &fl), 0);
	ck_assert_int_eq(pg_asm_frame(a, 1, fl.v[0].data, fl.v[0].len, TOTEM_AGREED), -EBADMSG);
	ck_assert_uint_eq(ml.n, 0);
	pg_asm_destroy(a);
	pg_packer_fini(&p);
	frames_free(&fl);
	msgs_free(&ml);
}
END_TEST

START_TEST(test_guarantee_separation)
{
	struct pg_packer p;
	struct frame_list fl = { 0 };
	struct msg_list ml = { 0 };
	pg_asm_t *a = pg_asm_create(PG_MSG_SIZE_DEFAULT, msgs_deliver, &ml);
	const enum totem_guarantee gs[] = { TOTEM_AGREED, TOTEM_AGREED, TOTEM_SAFE,
	                                    TOTEM_AGREED, TOTEM_SAFE, TOTEM_SAFE };

	ck_assert_int_eq(pg_packer_init(&p, 1400), 0);
	for (size_t i = 0; i < 6; i++) {
		pack_one(&p, &fl, 20, (uint32_t)i, gs[i]);
	}
	ck_assert_int_eq(pg_packer_flush(&p, frames_emit, &fl), 0);
	ck_assert_uint_eq(fl.n, 4);
	ck_assert_int_eq(fl.v[0].guarantee, TOTEM_AGREED);
	ck_assert_int_eq(fl.v[1].guarantee, TOTEM_SAFE);
	ck_assert_int_eq(fl.v[2].guarantee, TOTEM_AGREED);
	ck_assert_int_eq(fl.v[3].guarantee, TOTEM_SAFE);
	frames_feed(a, 2, &fl, 0, fl.n);
	ck_assert_uint_eq(ml.n, 6);
	for (size_t i = 0; i < 6; i++) {
		msg_check(&ml.v[i], 2, 20, (uint32_t)i, gs[i]);
	}
	pg_asm_destroy(a);
	pg_packer_fini(&p);
	frames_free(&fl);
	msgs_free(&ml);
}
END_TEST

/* Random sizes and guarantees: the admission count always matches. */
START_TEST(test_frames_needed_random)
{
	struct pg_packer p;
	struct frame_list fl = { 0 };
	struct msg_list ml = { 0 };
	pg_asm_t *a = pg_asm_create(PG_MSG_SIZE_DEFAULT, msgs_deliver, &ml);
	unsigned seed = 12345;
	size_t sizes[400];
	enum totem_guarantee gs[400];

	ck_assert_int_eq(pg_packer_init(&p, 300), 0);
	for (size_t i = 0; i < 400; i++) {
		seed = seed * 1103515245u + 12345u;
		unsigned r = (seed >> 8) % 1000;
		sizes[i] = r < 700 ? r % 40 : r < 950 ? r % 400 : (size_t)r * 7;
		gs[i] = (seed >> 20) % 5 == 0 ? TOTEM_SAFE : TOTEM_AGREED;
		pack_one(&p, &fl, sizes[i], (uint32_t)i, gs[i]);
	}
	ck_assert_int_eq(pg_packer_flush(&p, frames_emit, &fl), 0);
	frames_feed(a, 4, &fl, 0, fl.n);
	ck_assert_uint_eq(ml.n, 400);
	for (size_t i = 0; i < 400; i++) {
		msg_check(&ml.v[i], 4, sizes[i], (uint32_t)i, gs[i]);
	}
	pg_asm_destroy(a);
	pg_packer_fini(&p);
	frames_free(&fl);
	msgs_free(&ml);
}
END_TEST

/* Three senders' fragmented messages interleaved frame by frame. */
START_TEST(test_interleaved_senders)
{
	struct pg_packer p[3];
	struct frame_list fl[3] = { { 0 } };
	struct msg_list ml = { 0 };
	pg_asm_t *a = pg_asm_create(PG_MSG_SIZE_DEFAULT, msgs_deliver, &ml);
	const size_t len[3] = { 10000, 7777, 12345 };

	for (uint32_t s = 0; s < 3; s++) {
		ck_assert_int_eq(pg_packer_init(&p[s], 500), 0);
		pack_one(&p[s], &fl[s], len[s], 100 + s, TOTEM_AGREED);
		pack_one(&p[s], &fl[s], 30, 200 + s, TOTEM_AGREED);
		ck_assert_int_eq(pg_packer_flush(&p[s], frames_emit, &fl[s]), 0);
	}
	for (size_t i = 0; i < 30; i++) {
		for (uint32_t s = 0; s < 3; s++) {
			if (i < fl[s].n) {
				frames_feed(a, s + 1, &fl[s], i, i + 1);
			}
		}
		ck_assert_uint_le(pg_asm_pending(a), 3);
	}
	ck_assert_uint_eq(ml.n, 6);
	/* per sender: big one first, then the small one */
	for (uint32_t s = 0; s < 3; s++) {
		int seen = 0;
		for (size_t i = 0; i < ml.n; i++) {
			if (ml.v[i].sender != s + 1) {
				continue;
			}
			if (seen++ == 0) {
				msg_check(&ml.v[i], s + 1, len[s], 100 + s, TOTEM_AGREED);
			} else {
				msg_check(&ml.v[i], s + 1, 30, 200 + s, TOTEM_AGREED);
			}
		}
		ck_assert_int_eq(seen, 2);
		pg_packer_fini(&p[s]);
		frames_free(&fl[s]);
	}
	ck_assert_uint_eq(pg_asm_pending(a), 0);
	pg_asm_destroy(a);
	msgs_free(&ml);
}
END_TEST

/* A transitional configuration drops only the leaver's assembly; a regular
 * one drops all; complete messages and the others are untouched. */
START_TEST(test_confchg_discard)
{
	struct pg_packer p[3];
	struct frame_list fl[3] = { { 0 } };
	struct msg_list ml = { 0 };
	pg_asm_t *a = pg_asm_create(PG_MSG_SIZE_DEFAULT, msgs_deliver, &ml);
	struct pg_asm_stats st;

	for (uint32_t s = 0; s < 3; s++) {
		ck_assert_int_eq(pg_packer_init(&p[s], 400), 0);
		pack_one(&p[s], &fl[s], 11, 10 + s, TOTEM_AGREED);    /* a whole one first */
		pack_one(&p[s], &fl[s], 3000, 20 + s, TOTEM_AGREED);
		ck_assert_int_eq(pg_packer_flush(&p[s], frames_emit, &fl[s]), 0);
		ck_assert_uint_ge(fl[s].n, 8);
		frames_feed(a, s + 1, &fl[s], 0, 4);
	}
	ck_assert_uint_eq(ml.n, 3);
	ck_assert_uint_eq(pg_asm_pending(a), 3);
	const totem_nodeid_t members[] = { 1, 3 };
	ck_assert_uint_eq(pg_asm_discard_except(a, members, 2), 1);
	ck_assert_uint_eq(pg_asm_pending(a), 2);
	for (uint32_t s = 0; s < 3; s++) {
		frames_feed(a, s + 1, &fl[s], 4, fl[s].n);
	}
	ck_assert_uint_eq(ml.n, 5);
	msg_check(&ml.v[3], 1, 3000, 20, TOTEM_AGREED);
	msg_check(&ml.v[4], 3, 3000, 22, TOTEM_AGREED);
	pg_asm_stats_get(a, &st);
	ck_assert_uint_eq(st.assemblies_discarded, 1);
	ck_assert_uint_eq(st.fragments_orphaned, fl[1].n - 4);

	/* sender 2's next message assembles fine */
	frames_free(&fl[1]);
	pack_one(&p[1], &fl[1], 2000, 30, TOTEM_AGREED);
	ck_assert_int_eq(pg_packer_flush(&p[1], frames_emit, &fl[1]), 0);
	frames_feed(a, 2, &fl[1], 0, fl[1].n);
	ck_assert_uint_eq(ml.n, 6);
	msg_check(&ml.v[5], 2, 2000, 30, TOTEM_AGREED);

	/* regular configuration: every partial assembly goes */
	for (uint32_t s = 0; s < 3; s++) {
		frames_free(&fl[s]);
		pack_one(&p[s], &fl[s], 5000, 40 + s, TOTEM_AGREED);
		ck_assert_int_eq(pg_packer_flush(&p[s], frames_emit, &fl[s]), 0);
		frames_feed(a, s + 1, &fl[s], 0, 2);
	}
	ck_assert_uint_eq(pg_asm_pending(a), 3);
	ck_assert_uint_eq(pg_asm_discard_all(a), 3);
	ck_assert_uint_eq(pg_asm_pending(a), 0);
	ck_assert_int_eq(pg_asm_discard_sender(a, 1), 0);
	ck_assert_uint_eq(ml.n, 6);
	pg_asm_stats_get(a, &st);
	ck_assert_uint_eq(st.assemblies_discarded, 4);
	for (uint32_t s = 0; s < 3; s++) {
		pg_packer_fini(&p[s]);
		frames_free(&fl[s]);
	}
	pg_asm_destroy(a);
	msgs_free(&ml);
}
END_TEST

/* A skipped or repeated fragment drops the assembly; the next message works. */
START_TEST(test_out_of_sequence)
{
	struct pg_packer p;
	struct frame_list fl = { 0 };
	struct msg_list ml = { 0 };
	pg_asm_t *a = pg_asm_create(PG_MSG_SIZE_DEFAULT, msgs_deliver, &ml);
	struct pg_asm_stats st;

	ck_assert_int_eq(pg_packer_init(&p, 256), 0);
	pack_one(&p, &fl, 2000, 1, TOTEM_AGREED);   /* frames 0..8 */
	pack_one(&p, &fl, 1500, 2, TOTEM_AGREED);
	pack_one(&p, &fl, 1500, 3, TOTEM_AGREED);
	ck_assert_int_eq(pg_packer_flush(&p, frames_emit, &fl), 0);
	size_t n = fl.n;
	/* 236 message bytes a frame: message 1 fills frames 0..7 and ends in 8,
	 * where message 2 starts; message 3 starts in frame 15 */
	ck_assert_uint_eq(n, 22);

	/* skip frame 1 */
	frames_feed(a, 5, &fl, 0, 1);
	frames_feed(a, 5, &fl, 2, 5);
	pg_asm_stats_get(a, &st);
	ck_assert_uint_eq(st.assemblies_discarded, 1);
	ck_assert_uint_eq(st.fragments_orphaned, 3);
	ck_assert_uint_eq(pg_asm_pending(a), 0);
	/* repeat frame 5 while (no) assembly: still orphans; then the rest */
	frames_feed(a, 5, &fl, 5, 6);
	frames_feed(a, 5, &fl, 5, n);
	/* message 1 lost, messages 2 and 3 whole */
	ck_assert_uint_eq(ml.n, 2);
	msg_check(&ml.v[0], 5, 1500, 2, TOTEM_AGREED);
	msg_check(&ml.v[1], 5, 1500, 3, TOTEM_AGREED);

	/* a repeated middle fragment of a running assembly is a mismatch too */
	frames_free(&fl);
	msgs_free(&ml);
	pack_one(&p, &fl, 1000, 4, TOTEM_AGREED);
	pack_one(&p, &fl, 100, 5, TOTEM_AGREED);
	ck_assert_int_eq(pg_packer_flush(&p, frames_emit, &fl), 0);
	frames_feed(a, 5, &fl, 0, 2);
	frames_feed(a, 5, &fl, 1, fl.n);
	ck_assert_uint_eq(ml.n, 1);
	msg_check(&ml.v[0], 5, 100, 5, TOTEM_AGREED);

	/* a guarantee change inside an assembly is a mismatch */
	frames_free(&fl);
	msgs_free(&ml);
	pack_one(&p, &fl, 1000, 6, TOTEM_AGREED);
	ck_assert_int_eq(pg_packer_flush(&p, frames_emit, &fl), 0);
	ck_assert_int_eq(pg_asm_frame(a, 5, fl.v[0].data, fl.v[0].len, TOTEM_AGREED), 0);
	ck_assert_int_eq(pg_asm_frame(a, 5, fl.v[1].data, fl.v[1].len, TOTEM_SAFE), 0);
	frames_feed(a, 5, &fl, 2, fl.n);
	ck_assert_uint_eq(ml.n, 0);

	/* a whole message inside an assembly ends it */
	frames_free(&fl);
	pack_one(&p, &fl, 1000, 7, TOTEM_AGREED);
	ck_assert_int_eq(pg_packer_flush(&p, frames_emit, &fl), 0);
	frames_feed(a, 5, &fl, 0, 1);
	ck_assert_uint_eq(pg_asm_pending(a), 1);
	{
		struct frame_list one = { 0 };
		pack_one(&p, &one, 8, 8, TOTEM_AGREED);
		ck_assert_int_eq(pg_packer_flush(&p, frames_emit, &one), 0);
		frames_feed(a, 5, &one, 0, 1);
		frames_free(&one);
	}
	ck_assert_uint_eq(pg_asm_pending(a), 0);
	ck_assert_uint_eq(ml.n, 1);
	msg_check(&ml.v[0], 5, 8, 8, TOTEM_AGREED);

	pg_asm_destroy(a);
	pg_packer_fini(&p);
	frames_free(&fl);
	msgs_free(&ml);
}
END_TEST

/* ---- malformed frames ---- */

static size_t put_item(uint8_t *b, uint32_t len_kind)
{
	pg_le32_put(b, len_kind);
	return 4;
}

static size_t put_frag(uint8_t *b, uint32_t len, uint32_t msg_no, uint32_t total, uint32_t off)
{
	pg_le32_put(b, len | PG_ITEM_FRAG);
	pg_le32_put(b + 4, msg_no);
	pg_le32_put(b + 8, total);
	pg_le32_put(b + 12, off);
	return 16;
}

static void put_hdr(uint8_t *b, uint8_t version, uint8_t flags, uint16_t count)
{
	b[0] = version;
	b[1] = flags;
	pg_le16_put(b + 2, count);
}

static void expect_bad(pg_asm_t *a, const struct msg_list *ml, const uint8_t *b, size_t len)
{
	struct pg_asm_stats before, after;

	pg_asm_stats_get(a, &before);
	ck_assert_int_eq(pg_frame_walk(b, len, 1000, NULL, NULL), -EBADMSG);
	ck_assert_int_eq(pg_asm_frame(a, 1, b, len, TOTEM_AGREED), -EBADMSG);
	pg_asm_stats_get(a, &after);
	ck_assert_uint_eq(after.frames_bad, before.frames_bad + 1);
	ck_assert_uint_eq(ml->n, 0);
}

START_TEST(test_malformed)
{
	struct msg_list ml = { 0 };
	pg_asm_t *a = pg_asm_create(1000, msgs_deliver, &ml);
	uint8_t b[2048];
	size_t n;

	memset(b, 0xab, sizeof(b));
	expect_bad(a, &ml, b, 0);
	expect_bad(a, &ml, NULL, 0);
	put_hdr(b, 1, 0, 1);
	expect_bad(a, &ml, b, 3);                       /* short header */
	expect_bad(a, &ml, b, 4);                       /* count 1, no item */
	put_hdr(b, 2, 0, 1);
	n = 4 + put_item(b + 4, 2);
	expect_bad(a, &ml, b, n + 2);                   /* unknown version */
	put_hdr(b, 1, 1, 1);
	expect_bad(a, &ml, b, n + 2);                   /* flags set */
	put_hdr(b, 1, 0, 0);
	expect_bad(a, &ml, b, 4);                       /* count 0 */
	put_hdr(b, 1, 0, 3);
	n = 4 + put_item(b + 4, 2) + 2;
	expect_bad(a, &ml, b, n);                       /* count exceeds items */
	put_hdr(b, 1, 0, 1);
	expect_bad(a, &ml, b, n + 1);                   /* trailing byte */
	expect_bad(a, &ml, b, n - 1);                   /* truncated payload */
	expect_bad(a, &ml, b, 6);                       /* truncated item header */
	n = 4 + put_item(b + 4, 1001);
	expect_bad(a, &ml, b, n + 1001);                /* whole item > max */
	n = 4 + put_item(b + 4, 900);
	expect_bad(a, &ml, b, 64);                      /* length > frame */
	n = 4 + put_item(b + 4, 0x7fffffff);
	expect_bad(a, &ml, b, 64);                      /* length > max and frame */
	n = 4 + put_frag(b + 4, 10, 1, 1001, 0);
	expect_bad(a, &ml, b, n + 10);                  /* total > max */
	n = 4 + put_frag(b + 4, 10, 1, 100, 95);
	expect_bad(a, &ml, b, n + 10);                  /* beyond total */
	n = 4 + put_frag(b + 4, 10, 1, 100, 0xfffffffb);
	expect_bad(a, &ml, b, n + 10);                  /* offset wraps */
	n = 4 + put_frag(b + 4, 0, 1, 100, 0);
	expect_bad(a, &ml, b, n);                       /* empty fragment */
	n = 4 + put_frag(b + 4, 10, 1, 100, 0);
	expect_bad(a, &ml, b, 4 + 10);                  /* truncated fragment header */
	/* a good item followed by a bad one: nothing of the frame is delivered */
	put_hdr(b, 1, 0, 2);
	n = 4 + put_item(b + 4, 3) + 3;
	n += put_item(b + n, 500);
	expect_bad(a, &ml, b, n + 10);
	ck_assert_uint_eq(pg_asm_pending(a), 0);

	/* the assembler still works */
	put_hdr(b, 1, 0, 2);
	n = 4 + put_item(b + 4, 3);
	memcpy(b + n, "abc", 3);
	n += 3;
	n += put_frag(b + n, 2, 9, 4, 0);
	memcpy(b + n, "de", 2);
	n += 2;
	ck_assert_int_eq(pg_asm_frame(a, 1, b, n, TOTEM_AGREED), 0);
	put_hdr(b, 1, 0, 1);
	n = 4 + put_frag(b + 4, 2, 9, 4, 2);
	memcpy(b + n, "fg", 2);
	ck_assert_int_eq(pg_asm_frame(a, 1, b, n + 2, TOTEM_AGREED), 0);
	ck_assert_uint_eq(ml.n, 2);
	ck_assert_uint_eq(ml.v[0].len, 3);
	ck_assert(memcmp(ml.v[0].data, "abc", 3) == 0);
	ck_assert_uint_eq(ml.v[1].len, 4);
	ck_assert(memcmp(ml.v[1].data, "defg", 4) == 0);
	/* sender 0 is nobody */
	ck_assert_int_eq(pg_asm_frame(a, 0, b, n + 2, TOTEM_AGREED), -EBADMSG);
	pg_asm_destroy(a);
	msgs_free(&ml);
}
END_TEST

/* The packer keeps its open frame when flushing fails, and reports emit errors. */
START_TEST(test_emit_errors)
{
	struct pg_packer p;
	struct frame_list fl = { 0 };
	uint8_t buf[600] = { 0 };
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };

	ck_assert_int_eq(pg_packer_init(&p, 256), 0);
	ck_assert_int_eq(pg_packer_add(&p, &iov, 1, TOTEM_AGREED, frames_emit, &fl), 0);
	ck_assert(pg_packer_pending(&p));
	fl.fail = -EAGAIN;
	ck_assert_int_eq(pg_packer_flush(&p, frames_emit, &fl), -EAGAIN);
	ck_assert(pg_packer_pending(&p));
	ck_assert_int_eq(pg_packer_add(&p, &iov, 1, TOTEM_AGREED, frames_emit, &fl), -EAGAIN);
	fl.fail = 0;
	ck_assert_int_eq(pg_packer_flush(&p, frames_emit, &fl), 0);
	ck_assert(!pg_packer_pending(&p));
	ck_assert_int_eq(pg_packer_flush(&p, frames_emit, &fl), 0);
	pg_packer_fini(&p);
	frames_free(&fl);
}
END_TEST


#ifdef PG_TEST_SRP
/*
 * pg over the real srp: three nodes in one process on a lossless in-memory
 * network and a virtual clock. Virtual time only orders events; no assertion
 * depends on how long anything takes.
 */
#include "pg.h"

#define NODES 3
#define TIMERS_MAX 256
#define RUN_LIMIT_US (600ULL * 1000 * 1000)

struct packet {
	struct packet *next;
	int from, to;           /* to = -1: every node but from */
	size_t len;
	uint8_t data[];
};

struct vtimer {
	uint64_t handle;        /* 0 = free */
	uint64_t due_us;
	totem_timer_fn fn;
	void *data;
};

struct node {
	int idx;
	pg_t *pg;
	struct msg_list ml;
	size_t regular_members; /* members of the last regular configuration */
	size_t confchgs;
	int group;              /* partition group: packets cross only within one */
	size_t trans_at;        /* messages delivered when the last transitional came */
};

static struct node nodes[NODES];
static struct packet *pkt_head, *pkt_tail;
static struct vtimer vtimers[TIMERS_MAX];
static uint64_t vnow_us, vtimer_next_handle;

static void pkt_push(int from, int to, const void *buf, size_t len)
{
	struct packet *p = malloc(sizeof(*p) + len);

	ck_assert_ptr_nonnull(p);
	p->next = NULL;
	p->from = from;
	p->to = to;
	p->len = len;
	memcpy(p->data, buf, len);
	if (pkt_tail != NULL) {
		pkt_tail->next = p;
	} else {
		pkt_head = p;
	}
	pkt_tail = p;
}

/* pg must hand the host's own ctx to the host's ops, never its own. */
static const struct node *node_of(const void *ctx)
{
	for (int i = 0; i < NODES; i++) {
		if (ctx == &nodes[i]) {
			return &nodes[i];
		}
	}
	ck_abort_msg("an op got a ctx that is not the host's");
	return NULL;
}

static int net_mcast(void *ctx, const void *buf, size_t len)
{
	const struct node *n = node_of(ctx);

	pkt_push(n->idx, -1, buf, len);
	return 0;
}

static int net_ucast(void *ctx, totem_nodeid_t to, const void *buf, size_t len)
{
	const struct node *n = node_of(ctx);

	if (to < 1 || to > NODES) {
		return -EHOSTUNREACH;
	}
	pkt_push(n->idx, (int)to - 1, buf, len);
	return 0;
}

static uint64_t clk_now(void *ctx)
{
	(void)node_of(ctx);
	return vnow_us;
}

static int clk_timer_add(void *ctx, uint32_t ms, totem_timer_fn fn, void *data,
                         uint64_t *ret_handle)
{
	(void)node_of(ctx);
	for (size_t i = 0; i < TIMERS_MAX; i++) {
		if (vtimers[i].handle == 0) {
			vtimers[i].handle = ++vtimer_next_handle;
			vtimers[i].due_us = vnow_us + (uint64_t)ms * 1000;
			vtimers[i].fn = fn;
			vtimers[i].data = data;
			*ret_handle = vtimers[i].handle;
			return 0;
		}
	}
	return -ENOMEM;
}

static void clk_timer_del(void *ctx, uint64_t handle)
{
	(void)node_of(ctx);
	for (size_t i = 0; i < TIMERS_MAX && handle != 0; i++) {
		if (vtimers[i].handle == handle) {
			vtimers[i].handle = 0;
		}
	}
}

static uint32_t clk_random(void *ctx)
{
	static uint32_t x = 2463534242u;

	(void)node_of(ctx);
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

static const struct totem_transport_ops net_ops = { .mcast = net_mcast, .ucast = net_ucast };
static const struct totem_clock_ops clk_ops = {
	.now_us = clk_now, .timer_add = clk_timer_add, .timer_del = clk_timer_del,
	.random = clk_random,
};

static void node_deliver(void *ctx, totem_nodeid_t sender, const void *msg, size_t len,
                         enum totem_guarantee g)
{
	struct node *n = ctx;

	msgs_deliver(&n->ml, sender, msg, len, g);
}

static void node_confchg(void *ctx, enum totem_confchg_type type,
                         const totem_nodeid_t *members, size_t n_members,
                         const totem_nodeid_t *left, size_t n_left,
                         const totem_nodeid_t *joined, size_t n_joined,
                         const struct totem_ring_id *ring_id)
{
	struct node *n = ctx;

	n->confchgs++;
	if (type == TOTEM_CONFCHG_REGULAR) {
		n->regular_members = n_members;
	} else {
		n->trans_at = n->ml.n;
	}
}

static const struct pg_callbacks node_cb = { .deliver = node_deliver, .confchg = node_confchg };

/* One event: a datagram if any is queued, else the earliest timer. */
static bool sim_step(void)
{
	if (pkt_head != NULL) {
		struct packet *p = pkt_head;
		pkt_head = p->next;
		if (pkt_head == NULL) {
			pkt_tail = NULL;
		}
		for (int i = 0; i < NODES; i++) {
			if (((p->to == -1 && i != p->from) || p->to == i) && nodes[i].pg != NULL &&
			    nodes[i].group == nodes[p->from].group) {
				srp_recv(pg_srp(nodes[i].pg), p->data, p->len);
			}
		}
		free(p);
		return true;
	}
	struct vtimer *t = NULL;
	for (size_t i = 0; i < TIMERS_MAX; i++) {
		if (vtimers[i].handle != 0 && (t == NULL || vtimers[i].due_us < t->due_us)) {
			t = &vtimers[i];
		}
	}
	if (t == NULL) {
		return false;
	}
	if (t->due_us > vnow_us) {
		vnow_us = t->due_us;
	}
	totem_timer_fn fn = t->fn;
	void *data = t->data;
	t->handle = 0;
	fn(data);
	return true;
}

typedef bool (*sim_cond_fn)(void);

static bool sim_run_until(sim_cond_fn cond)
{
	uint64_t limit = vnow_us + RUN_LIMIT_US;

	while (!cond()) {
		if (vnow_us > limit || !sim_step()) {
			return false;
		}
	}
	return true;
}

static bool ring_formed(void)
{
	for (int i = 0; i < NODES; i++) {
		if (nodes[i].regular_members != NODES ||
		    srp_state_get(pg_srp(nodes[i].pg)) != SRP_STATE_OPERATIONAL) {
			return false;
		}
	}
	return true;
}

static size_t sim_expect;

static bool all_delivered(void)
{
	for (int i = 0; i < NODES; i++) {
		if (nodes[i].ml.n < sim_expect) {
			return false;
		}
	}
	return true;
}

static void sim_setup(void)
{
	struct totem_config cfg;
	char err[128];

	memset(vtimers, 0, sizeof(vtimers));
	vnow_us = 1000000;
	for (int i = 0; i < NODES; i++) {
		totem_config_defaults(&cfg);
		cfg.nodeid = (totem_nodeid_t)i + 1;
		cfg.node_count = NODES;
		totem_config_finish(&cfg);
		ck_assert_int_eq(totem_config_validate(&cfg, err, sizeof(err)), 0);
		memset(&nodes[i], 0, sizeof(nodes[i]));
		nodes[i].idx = i;
		nodes[i].pg = pg_create(&cfg, 0, &net_ops, &clk_ops, &node_cb, &nodes[i]);
		ck_assert_ptr_nonnull(nodes[i].pg);
	}
	ck_assert(sim_run_until(ring_formed));
}

static void sim_teardown(void)
{
	for (int i = 0; i < NODES; i++) {
		nodes[i].pg = pg_destroy(nodes[i].pg);
		msgs_free(&nodes[i].ml);
	}
	memset(vtimers, 0, sizeof(vtimers));
	while (pkt_head != NULL) {
		struct packet *p = pkt_head;
		pkt_head = p->next;
		free(p);
	}
	pkt_tail = NULL;
}

static int sim_send(int node, size_t len, uint32_t tag, enum totem_guarantee g)
{
	uint8_t *buf = pattern(len, tag);
	uint32_t hdr = tag;
	struct iovec iov[2] = {
		{ .iov_base = &hdr, .iov_len = 0 },     /* an empty piece on the way */
		{ .iov_base = buf, .iov_len = len },
	};
	int rc = pg_mcast(nodes[node].pg, iov, 2, g);

	free(buf);
	return rc;
}

/* Every node delivers the same messages in the same order, byte-exact. */
static void sim_check_same(const size_t *len, const uint32_t *tag, const int *from,
                           const enum totem_guarantee *g, size_t n)
{
	for (int i = 0; i < NODES; i++) {
		ck_assert_uint_eq(nodes[i].ml.n, n);
		for (size_t k = 0; k < n; k++) {
			ck_assert_uint_eq(nodes[i].ml.v[k].sender, nodes[0].ml.v[k].sender);
			ck_assert_uint_eq(nodes[i].ml.v[k].len, nodes[0].ml.v[k].len);
			ck_assert(memcmp(nodes[i].ml.v[k].data, nodes[0].ml.v[k].data,
			                 nodes[0].ml.v[k].len) == 0);
		}
	}
	/* each sender's own messages in its order */
	for (int s = 0; s < NODES; s++) {
		size_t k = 0;
		for (size_t m = 0; m < n; m++) {
			if (from[m] != s) {
				continue;
			}
			while (k < n && nodes[0].ml.v[k].sender != (totem_nodeid_t)s + 1) {
				k++;
			}
			ck_assert_uint_lt(k, n);
			msg_check(&nodes[0].ml.v[k], (totem_nodeid_t)s + 1, len[m], tag[m], g[m]);
			k++;
		}
	}
}

START_TEST(test_srp_mixed_sizes)
{
	const size_t sizes[] = { 0, 1, 100, 1391, 1392, 1393, 5000, 300000, 1048576, 7 };
	size_t len[64];
	uint32_t tag[64];
	int from[64];
	enum totem_guarantee g[64];
	size_t n = 0;
	struct pg_stats st;

	sim_setup();
	ck_assert_int_eq(sim_send(0, PG_MSG_SIZE_DEFAULT + 1, 1, TOTEM_AGREED), -EMSGSIZE);
	ck_assert(!pg_send_ok(nodes[0].pg, PG_MSG_SIZE_DEFAULT + 1));
	ck_assert(pg_send_ok(nodes[0].pg, PG_MSG_SIZE_DEFAULT));
	/* the default configuration takes a CPG message: 152-byte header + 1 MiB */
	ck_assert(pg_send_ok(nodes[0].pg, 152 + 1048576));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (int s = 0; s < NODES; s++) {
			len[n] = sizes[i];
			tag[n] = (uint32_t)n;
			from[n] = s;
			g[n] = (i + (size_t)s) % 3 == 0 ? TOTEM_SAFE : TOTEM_AGREED;
			if (sizes[i] >= 300000 && s != 1) {
				continue;       /* keep the big ones to one sender */
			}
			ck_assert(pg_send_ok(nodes[s].pg, len[n]));
			ck_assert_int_eq(sim_send(s, len[n], tag[n], g[n]), 0);
			n++;
		}
	}
	sim_expect = n;
	ck_assert(sim_run_until(all_delivered));
	sim_check_same(len, tag, from, g, n);
	pg_stats_get(nodes[1].pg, &st);
	ck_assert_uint_gt(st.fragments_tx, 750);
	ck_assert_uint_eq(st.msgs_rx, n);
	ck_assert_uint_eq(st.frames_bad, 0);
	ck_assert_uint_eq(st.assemblies_discarded, 0);
	sim_teardown();
}
END_TEST

/* Tiny messages share frames and a lone one leaves on the next token. */
START_TEST(test_srp_packing_and_flush)
{
	struct pg_stats st;

	sim_setup();
	for (uint32_t i = 0; i < 500; i++) {
		ck_assert_int_eq(sim_send(2, 12, i, TOTEM_AGREED), 0);
	}
	sim_expect = 500;
	ck_assert(sim_run_until(all_delivered));
	pg_stats_get(nodes[2].pg, &st);
	ck_assert_uint_eq(st.msgs_tx, 500);
	ck_assert_uint_le(st.frames_tx, 10);
	ck_assert_uint_ge(st.msgs_packed, 490);
	for (uint32_t i = 0; i < 500; i++) {
		msg_check(&nodes[0].ml.v[i], 3, 12, i, TOTEM_AGREED);
	}
	ck_assert_int_eq(sim_send(0, 3, 777, TOTEM_SAFE), 0);
	sim_expect = 501;
	ck_assert(sim_run_until(all_delivered));
	for (int i = 0; i < NODES; i++) {
		msg_check(&nodes[i].ml.v[500], 1, 3, 777, TOTEM_SAFE);
	}
	sim_teardown();
}
END_TEST

/* All or nothing: fill the send queue with 1 MiB messages until -EAGAIN;
 * every accepted message arrives whole, the refused one not at all. */
START_TEST(test_srp_eagain)
{
	size_t accepted = 0;
	int rc;
	struct pg_stats st;

	sim_setup();
	while ((rc = sim_send(0, 1048576, (uint32_t)accepted, TOTEM_AGREED)) == 0) {
		accepted++;
		ck_assert_uint_lt(accepted, 100);
	}
	ck_assert_int_eq(rc, -EAGAIN);
	ck_assert_uint_ge(accepted, 1);
	ck_assert(!pg_send_ok(nodes[0].pg, 1048576));
	ck_assert(pg_send_ok(nodes[0].pg, 10));
	ck_assert_uint_ge(pg_queue_level(nodes[0].pg), 50);
	pg_stats_get(nodes[0].pg, &st);
	ck_assert_uint_eq(st.mcast_eagain, 1);
	ck_assert_uint_eq(st.msgs_tx, accepted);
	sim_expect = accepted;
	ck_assert(sim_run_until(all_delivered));
	for (int i = 0; i < NODES; i++) {
		ck_assert_uint_eq(nodes[i].ml.n, accepted);
		for (size_t k = 0; k < accepted; k++) {
			msg_check(&nodes[i].ml.v[k], 1, 1048576, (uint32_t)k, TOTEM_AGREED);
		}
	}
	ck_assert(pg_send_ok(nodes[0].pg, 1048576));
	ck_assert_uint_lt(pg_queue_level(nodes[0].pg), 50);
	sim_teardown();
}
END_TEST

/* Nodes 0 and 1 run a ring of the two of them and node 2 is gone. */
static bool pair_formed(void)
{
	for (int i = 0; i < 2; i++) {
		if (nodes[i].regular_members != 2 ||
		    srp_state_get(pg_srp(nodes[i].pg)) != SRP_STATE_OPERATIONAL) {
			return false;
		}
	}
	return true;
}

static bool pair_delivered(void)
{
	return pair_formed() && nodes[0].ml.n >= sim_expect && nodes[1].ml.n >= sim_expect;
}

static uint64_t node_mcast_tx(int i)
{
	struct srp_stats st;

	srp_stats_get(pg_srp(nodes[i].pg), &st);
	return st.mcast_tx;
}

/*
 * A message accepted by pg_mcast() is never lost to a configuration change:
 * node 0 sends a message of ~215 frames, which takes many token visits;
 * after its first frames went out node 2 crashes. Nodes 0 and 1 form a new
 * ring and both deliver the message, whole, once: its sender restarts it
 * there, since the old-ring fragments cannot complete in the new ring.
 */
START_TEST(test_srp_cut_by_confchg)
{
	const size_t len = 300000;
	struct pg_stats st;

	sim_setup();
	ck_assert_int_eq(sim_send(0, len, 42, TOTEM_AGREED), 0);
	ck_assert_int_eq(sim_send(0, 100, 43, TOTEM_AGREED), 0);
	while (node_mcast_tx(0) < 20) {
		ck_assert(sim_step());
	}
	ck_assert_uint_eq(nodes[0].ml.n, 0);
	nodes[2].pg = pg_destroy(nodes[2].pg);
	nodes[2].group = -1;
	sim_expect = 2;
	ck_assert(sim_run_until(pair_delivered));
	for (int i = 0; i < 2; i++) {
		ck_assert_uint_eq(nodes[i].ml.n, 2);
		msg_check(&nodes[i].ml.v[0], 1, len, 42, TOTEM_AGREED);
		msg_check(&nodes[i].ml.v[1], 1, 100, 43, TOTEM_AGREED);
	}
	pg_stats_get(nodes[0].pg, &st);
	ck_assert_uint_eq(st.msgs_restarted, 1);
	ck_assert_uint_eq(st.frames_backlog, 0);
	ck_assert_uint_eq(pg_queue_level(nodes[0].pg), 0);
	sim_teardown();
}
END_TEST

static int sim_send_prio(int node, size_t len, uint32_t tag, enum totem_guarantee g)
{
	uint8_t *buf = pattern(len, tag);
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	int rc = pg_mcast_prio(nodes[node].pg, &iov, 1, g);

	free(buf);
	return rc;
}

static uint64_t sim_until_us;

static bool sim_time_reached(void)
{
	return vnow_us >= sim_until_us;
}

/*
 * The priority lane: messages queued after a normal backlog are delivered
 * before it, every lane keeps its order, and a held normal lane originates
 * nothing until released (the priority lane goes on meanwhile).
 */
START_TEST(test_srp_prio_lane)
{
	struct pg_stats st;

	sim_setup();
	for (uint32_t i = 0; i < 20; i++) {
		ck_assert_int_eq(sim_send(0, 5000, i, TOTEM_AGREED), 0);
	}
	for (uint32_t i = 0; i < 3; i++) {
		ck_assert_int_eq(sim_send_prio(0, 200, 100 + i, i == 1 ? TOTEM_SAFE : TOTEM_AGREED),
		                 0);
	}
	sim_expect = 23;
	ck_assert(sim_run_until(all_delivered));
	for (int n = 0; n < NODES; n++) {
		ck_assert_uint_eq(nodes[n].ml.n, 23);
		for (uint32_t i = 0; i < 3; i++) {
			msg_check(&nodes[n].ml.v[i], 1, 200, 100 + i,
			          i == 1 ? TOTEM_SAFE : TOTEM_AGREED);
		}
		for (uint32_t i = 0; i < 20; i++) {
			msg_check(&nodes[n].ml.v[3 + i], 1, 5000, i, TOTEM_AGREED);
		}
	}

	/* held: only the priority lane moves, then the release lets the rest go */
	pg_normal_hold(nodes[1].pg, true);
	ck_assert_int_eq(sim_send(1, 3000, 200, TOTEM_AGREED), 0);
	ck_assert_int_eq(sim_send(1, 10, 201, TOTEM_SAFE), 0);
	ck_assert_int_eq(sim_send_prio(1, 50, 300, TOTEM_AGREED), 0);
	sim_expect = 24;
	ck_assert(sim_run_until(all_delivered));
	sim_until_us = vnow_us + 3000000;
	ck_assert(sim_run_until(sim_time_reached));
	pg_stats_get(nodes[1].pg, &st);
	ck_assert_uint_gt(st.frames_backlog, 0);
	for (int n = 0; n < NODES; n++) {
		ck_assert_uint_eq(nodes[n].ml.n, 24);
		msg_check(&nodes[n].ml.v[23], 2, 50, 300, TOTEM_AGREED);
	}
	pg_normal_hold(nodes[1].pg, false);
	sim_expect = 26;
	ck_assert(sim_run_until(all_delivered));
	for (int n = 0; n < NODES; n++) {
		ck_assert_uint_eq(nodes[n].ml.n, 26);
		msg_check(&nodes[n].ml.v[24], 2, 3000, 200, TOTEM_AGREED);
		msg_check(&nodes[n].ml.v[25], 2, 10, 201, TOTEM_SAFE);
	}
	pg_stats_get(nodes[1].pg, &st);
	ck_assert_uint_eq(st.frames_backlog, 0);
	sim_teardown();
}
END_TEST

static bool node2_alone(void)
{
	return nodes[2].regular_members == 1 &&
	       srp_state_get(pg_srp(nodes[2].pg)) == SRP_STATE_OPERATIONAL;
}

/*
 * EVS safe delivery across a partition: node 2 holds every frame of node 0's
 * SAFE message and has delivered its first fragments when it is cut off
 * alone. Its recovery delivers the rest of the old ring after the
 * transitional configuration {2}, which no longer lists the sender; the
 * message must still complete there (node 0 may have delivered it in the
 * regular configuration already).
 */
START_TEST(test_srp_safe_across_partition)
{
	const size_t len = 100000;
	struct pg_stats st, st0;
	struct srp_stats ss, ss0;

	sim_setup();
	ck_assert_int_eq(sim_send(0, len, 7, TOTEM_SAFE), 0);
	for (;;) {
		ck_assert(sim_step());
		pg_stats_get(nodes[0].pg, &st0);
		srp_stats_get(pg_srp(nodes[0].pg), &ss0);
		srp_stats_get(pg_srp(nodes[2].pg), &ss);
		pg_stats_get(nodes[2].pg, &st);
		if (st0.frames_backlog == 0 && ss0.send_queue_len == 0 && ss0.mcast_tx > 40 &&
		    ss.mcast_rx >= ss0.mcast_tx && st.fragments_rx > 0) {
			break;
		}
	}
	/* every frame is at node 2; the first fragments are delivered already */
	ck_assert_uint_gt(st.fragments_rx, 0);
	ck_assert_uint_eq(st.msgs_rx, 0);
	nodes[2].group = 1;
	ck_assert(sim_run_until(node2_alone));
	ck_assert_uint_eq(nodes[2].ml.n, 1);
	msg_check(&nodes[2].ml.v[0], 1, len, 7, TOTEM_SAFE);
	/* in the transitional configuration, after it was announced */
	ck_assert_uint_eq(nodes[2].trans_at, 0);
	sim_teardown();
}
END_TEST
#endif /* PG_TEST_SRP */

static Suite *pg_suite(void)
{
	Suite *s = suite_create("pg");
	TCase *tc = tcase_create("pack");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_packer_init_limits);
	tcase_add_test(tc, test_roundtrip_boundaries);
	tcase_add_test(tc, test_roundtrip_stream);
	tcase_add_test(tc, test_many_tiny);
	tcase_add_test(tc, test_item_count_cap);
	tcase_add_test(tc, test_one_mib);
	tcase_add_test(tc, test_over_max);
	tcase_add_test(tc, test_guarantee_separation);
	tcase_add_test(tc, test_frames_needed_random);
	tcase_add_test(tc, test_interleaved_senders);
	tcase_add_test(tc, test_confchg_discard);
	tcase_add_test(tc, test_out_of_sequence);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_emit_errors);
	suite_add_tcase(s, tc);
#ifdef PG_TEST_SRP
	TCase *tc_srp = tcase_create("srp");
	tcase_set_timeout(tc_srp, 120);
	tcase_add_test(tc_srp, test_srp_mixed_sizes);
	tcase_add_test(tc_srp, test_srp_packing_and_flush);
	tcase_add_test(tc_srp, test_srp_eagain);
	tcase_add_test(tc_srp, test_srp_cut_by_confchg);
	tcase_add_test(tc_srp, test_srp_prio_lane);
	tcase_add_test(tc_srp, test_srp_safe_across_partition);
	suite_add_tcase(s, tc_srp);
#endif
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
