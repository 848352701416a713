/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the failure injector (exec/totem/inject.c) and, with it, of
 * the out-of-memory paths of the totem queues: this program compiles the pg
 * packing/assembly and the srp queues with AIS_FAULT_INJECTION and runs each
 * operation with allocation 1, 2, 3, ... failing until it runs through with
 * no failure at all (the SQLite way). After each round the operation must
 * have returned a clean error or its full result, the structures must be
 * consistent, and everything must be freed (the sanitizer build reports
 * leaks).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ais/inject.h>

#include "pg_pack.h"
#include "srp_int.h"

/* No loop below needs this many rounds; reaching it means one never ends. */
#define ROUNDS_MAX 1000

/* Arm "alloc:nth=n". */
static void alloc_fail_nth(unsigned n)
{
	char spec[64];

	snprintf(spec, sizeof(spec), "alloc:nth=%u", n);
	ck_assert_int_eq(ais_inject_configure(spec, NULL, 0), 0);
}

/* ---- the injector ------------------------------------------------------ */

START_TEST(test_inject_modes)
{
	char err[128];

	ais_inject_reset();
	ck_assert(!ais_inject_active());
	ck_assert(!ais_inject_check(AIS_INJECT_ALLOC));

	ck_assert_int_eq(ais_inject_configure("alloc:nth=3", err, sizeof(err)), 0);
	ck_assert(ais_inject_active());
	for (int i = 1; i <= 6; i++) {
		errno = 0;
		bool f = ais_inject_check(AIS_INJECT_ALLOC);
		ck_assert_int_eq(f, i == 3);
		ck_assert_int_eq(errno, f ? ENOMEM : 0);
	}
	ck_assert_uint_eq(ais_inject_stats(AIS_INJECT_ALLOC).calls, 6);
	ck_assert_uint_eq(ais_inject_stats(AIS_INJECT_ALLOC).failed, 1);
	/* other points are untouched */
	ck_assert(!ais_inject_check(AIS_INJECT_SENDMSG));
	ck_assert_uint_eq(ais_inject_stats(AIS_INJECT_SENDMSG).calls, 0);

	ck_assert_int_eq(ais_inject_configure("sendmsg:every=2,errno=EPERM;write:from=2", err, sizeof(err)), 0);
	for (int i = 1; i <= 6; i++) {
		errno = 0;
		bool f = ais_inject_check(AIS_INJECT_SENDMSG);
		ck_assert_int_eq(f, i % 2 == 0);
		ck_assert_int_eq(errno, f ? EPERM : 0);
		ck_assert_int_eq(ais_inject_check(AIS_INJECT_WRITE), i >= 2);
	}
	ck_assert_int_eq(errno, ENOSPC); /* write's default error */

	/* prob: reproducible for a seed, and roughly the asked rate */
	unsigned hits[2] = { 0, 0 };
	for (int round = 0; round < 2; round++) {
		ck_assert_int_eq(ais_inject_configure("recvmsg:prob=0.25,seed=7", err, sizeof(err)), 0);
		for (int i = 0; i < 4000; i++) {
			hits[round] += ais_inject_check(AIS_INJECT_RECVMSG);
		}
	}
	ck_assert_uint_eq(hits[0], hits[1]);
	ck_assert_uint_gt(hits[0], 800);
	ck_assert_uint_lt(hits[0], 1200);

	/* ready: nothing is counted before ais_inject_ready() */
	ck_assert_int_eq(ais_inject_configure("ipc_send:nth=1,ready", err, sizeof(err)), 0);
	ck_assert(!ais_inject_check(AIS_INJECT_IPC_SEND));
	ais_inject_ready();
	errno = 0;
	ck_assert(ais_inject_check(AIS_INJECT_IPC_SEND));
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert(!ais_inject_check(AIS_INJECT_IPC_SEND));

	/* the wrappers */
	ck_assert_int_eq(ais_inject_configure("alloc:nth=2", err, sizeof(err)), 0);
	void *p = ais_malloc(8);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_null(ais_realloc(p, 64));
	char *s = ais_strdup("x");
	ck_assert_str_eq(s, "x");
	free(s);
	free(p);

	ais_inject_reset();
	ck_assert(!ais_inject_active());
	ck_assert(!ais_inject_check(AIS_INJECT_WRITE));
}
END_TEST

START_TEST(test_inject_spec_errors)
{
	static const char *const bad[] = {
		"alloc", "alloc:", "heap:nth=1", "alloc:nth=0", "alloc:nth=x", "alloc:nth=-1",
		"alloc:prob=0", "alloc:prob=1.5", "alloc:prob=x", "alloc:seed=3", "alloc:nth=1,size=3",
		"sendmsg:every=2,errno=EWHAT", "sendmsg:every=2,errno=0", "alloc:nth", "alloc:every=2;x:y=1",
	};
	char err[128];

	ck_assert_int_eq(ais_inject_configure("alloc:nth=5", NULL, 0), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(ais_inject_configure(bad[i], err, sizeof(err)) == -EINVAL, "%s accepted", bad[i]);
		ck_assert_msg(err[0] != '\0', "%s: no reason given", bad[i]);
	}
	/* a refused specification keeps the rules in force */
	for (int i = 1; i <= 5; i++) {
		ck_assert_int_eq(ais_inject_check(AIS_INJECT_ALLOC), i == 5);
	}
	char longspec[600];
	memset(longspec, 'a', sizeof(longspec) - 1);
	longspec[sizeof(longspec) - 1] = '\0';
	ck_assert_int_eq(ais_inject_configure(longspec, err, sizeof(err)), -EINVAL);
	/* several rules, spaces as separators, numeric errno */
	ck_assert_int_eq(ais_inject_configure("alloc:every=4 sendmsg:nth=1,errno=5", err, sizeof(err)), 0);
	errno = 0;
	ck_assert(ais_inject_check(AIS_INJECT_SENDMSG));
	ck_assert_int_eq(errno, 5);
	ck_assert_int_eq(ais_inject_configure("", err, sizeof(err)), 0);
	ck_assert(!ais_inject_active());
	ck_assert_int_eq(ais_inject_configure(NULL, err, sizeof(err)), 0);
	ck_assert(!ais_inject_active());
}
END_TEST

/* ---- pg packing and assembly under allocation failure -------------------- */

#define PG_PAYLOAD 256
#define PG_FRAMES_MAX 64
#define PG_MSG_LEN 1000 /* fragmented over several frames */

struct pg_frames {
	uint8_t data[PG_FRAMES_MAX][PG_PAYLOAD];
	size_t len[PG_FRAMES_MAX];
	size_t n;
};

static int pg_collect(void *ctx, const void *frame, size_t len, enum totem_guarantee g)
{
	struct pg_frames *f = ctx;

	(void)g;
	ck_assert_uint_lt(f->n, PG_FRAMES_MAX);
	ck_assert_uint_le(len, PG_PAYLOAD);
	memcpy(f->data[f->n], frame, len);
	f->len[f->n++] = len;
	return 0;
}

struct pg_got {
	unsigned msgs;
	unsigned big;
	unsigned bad;
};

static uint8_t pg_msg[PG_MSG_LEN];

static void pg_deliver(void *ctx, totem_nodeid_t sender, const void *msg, size_t len, enum totem_guarantee g)
{
	struct pg_got *got = ctx;

	(void)g;
	got->msgs++;
	if (sender == 2 && len == PG_MSG_LEN && memcmp(msg, pg_msg, len) == 0) {
		got->big++;
	} else if (!(sender == 2 && len == 5 && memcmp(msg, "small", 5) == 0)) {
		got->bad++;
	}
}

/*
 * One round: pack a small message and a fragmented one from node 2, then
 * assemble them. Returns true when no allocation failed in the round.
 */
static bool pg_round(void)
{
	static struct pg_frames frames;
	struct pg_packer p;
	struct pg_got got = { 0, 0, 0 };
	struct pg_asm_stats st;
	struct iovec small = { .iov_base = (void *)(uintptr_t) "small", .iov_len = 5 };
	struct iovec big = { .iov_base = pg_msg, .iov_len = PG_MSG_LEN };
	pg_asm_t *a;
	int r;

	frames.n = 0;
	r = pg_packer_init(&p, PG_PAYLOAD);
	if (r < 0) {
		ck_assert_int_eq(r, -ENOMEM);
		ck_assert_ptr_null(p.frame);
		return ais_inject_stats(AIS_INJECT_ALLOC).failed == 0;
	}
	ck_assert_int_eq(pg_packer_add(&p, &small, 1, TOTEM_AGREED, pg_collect, &frames), 0);
	ck_assert_int_eq(pg_packer_add(&p, &big, 1, TOTEM_AGREED, pg_collect, &frames), 0);
	ck_assert_int_eq(pg_packer_flush(&p, pg_collect, &frames), 0);
	pg_packer_fini(&p);
	ck_assert_uint_gt(frames.n, 3);

	a = pg_asm_create(PG_MSG_SIZE_DEFAULT, pg_deliver, &got);
	if (a == NULL) {
		return false;
	}
	for (size_t i = 0; i < frames.n; i++) {
		ck_assert_int_eq(pg_asm_frame(a, 2, frames.data[i], frames.len[i], TOTEM_AGREED), 0);
	}
	pg_asm_stats_get(a, &st);
	/* never a wrong or partial message: the whole one, or a counted loss */
	ck_assert_uint_eq(got.bad, 0);
	ck_assert_uint_eq(got.msgs, got.big + 1);
	if (got.big == 0) {
		ck_assert_uint_gt(st.fragments_orphaned, 0);
	}
	/* nothing is left half assembled */
	ck_assert_uint_eq(pg_asm_pending(a), 0);
	pg_asm_destroy(a);
	return got.big == 1 && ais_inject_stats(AIS_INJECT_ALLOC).failed == 0;
}

START_TEST(test_pg_alloc_failures)
{
	unsigned n;

	for (size_t i = 0; i < PG_MSG_LEN; i++) {
		pg_msg[i] = (uint8_t)(i * 7 + 1);
	}
	for (n = 1; n < ROUNDS_MAX; n++) {
		alloc_fail_nth(n);
		if (pg_round()) {
			break;
		}
	}
	/* packer buffer, assembler, assembly buffer: each was made to fail */
	ck_assert_uint_ge(n, 4);
	ck_assert_uint_lt(n, ROUNDS_MAX);
	ais_inject_reset();
}
END_TEST

/* ---- srp queues under allocation failure ----------------------------------- */

static bool srp_queue_round(void)
{
	struct totem_ring_id rid = { .rep = 1, .seq = 4 };
	totem_nodeid_t members[] = { 1, 2 };
	struct srp_sendq q;
	struct srp_ring ring;
	unsigned pushed = 0, stored = 0;
	int r;

	r = srp_sendq_init(&q, 4);
	if (r < 0) {
		ck_assert_int_eq(r, -ENOMEM);
		ck_assert_ptr_null(q.items);
		srp_sendq_free(&q);
		return false;
	}
	for (int i = 0; i < 3; i++) {
		r = srp_sendq_push(&q, "frame", 5, 0);
		ck_assert(r == 0 || r == -ENOMEM);
		pushed += r == 0;
		ck_assert_uint_eq(q.count, pushed); /* a failed push leaves no trace */
	}
	for (struct srp_sendq_item *it; (it = srp_sendq_peek(&q)) != NULL; srp_sendq_pop(&q)) {
		ck_assert_uint_eq(it->len, 5);
		ck_assert_int_eq(memcmp(it->data, "frame", 5), 0);
	}
	srp_sendq_free(&q);

	r = srp_ring_init(&ring, &rid, members, 2, 10);
	if (r < 0) {
		ck_assert_int_eq(r, -ENOMEM);
		return false;
	}
	for (uint32_t seq = 11; seq <= 14; seq++) {
		r = srp_ring_store(&ring, seq, 2, 0, 0, "msg", 3);
		ck_assert(r == 1 || r == -ENOMEM);
		if (r == 1) {
			stored++;
		} else {
			/* not held: it is missing, and the aru stops before it */
			ck_assert_ptr_null(srp_ring_get(&ring, seq));
			ck_assert(seq_lt(ring.aru, seq));
			/* the retransmission is stored */
			ck_assert_int_eq(srp_ring_store(&ring, seq, 2, 0, 0, "msg", 3), 1);
			stored++;
		}
	}
	ck_assert_uint_eq(stored, 4);
	ck_assert_uint_eq(ring.aru, 14);
	srp_ring_gc(&ring, 12);
	ck_assert_ptr_null(srp_ring_get(&ring, 12));
	ck_assert_ptr_nonnull(srp_ring_get(&ring, 13));
	srp_ring_free(&ring);
	return pushed == 3 && ais_inject_stats(AIS_INJECT_ALLOC).failed == 0;
}

START_TEST(test_srp_queue_alloc_failures)
{
	unsigned n;

	for (n = 1; n < ROUNDS_MAX; n++) {
		alloc_fail_nth(n);
		if (srp_queue_round()) {
			break;
		}
	}
	ck_assert_uint_ge(n, 6);
	ck_assert_uint_lt(n, ROUNDS_MAX);
	/* every allocation failing at once: still clean */
	ck_assert_int_eq(ais_inject_configure("alloc:from=1", NULL, 0), 0);
	ck_assert(!srp_queue_round());
	ck_assert(!pg_round());
	ais_inject_reset();
}
END_TEST

static Suite *inject_suite(void)
{
	Suite *s = suite_create("inject");
	TCase *tc = tcase_create("injector");

	tcase_add_test(tc, test_inject_modes);
	tcase_add_test(tc, test_inject_spec_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("oom");
	tcase_add_test(tc, test_pg_alloc_failures);
	tcase_add_test(tc, test_srp_queue_alloc_failures);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(inject_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
