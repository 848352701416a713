/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon's timer sets (exec/timers.c: the protocol's clock and the
 * executive's timers) on a real libqb loop: deadline order and add order
 * among equal deadlines,
 * cancel before and after firing, handles never reused, callbacks that add
 * and cancel timers while the set is dispatching, and that re-arming a timer
 * to a later deadline does not touch the timerfd.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <check.h>
#include <qb/qbloop.h>
#include <qb/qbutil.h>

#include "timers.h"

#define LOG_MAX 64
/* A run that never finishes stops here; the tests then fail on what ran. */
#define SAFETY_NS (10ULL * QB_TIME_NS_IN_SEC)

static qb_loop_t *loop;
static struct timers *timers;
static int fired_log[LOG_MAX];
static size_t n_fired;
static qb_loop_timer_handle safety;
static bool safety_fired;
static size_t stop_after;   /**< record() stops the loop after this many */

struct tag {
	int id;
	uint64_t other;   /**< a handle this timer's callback cancels */
	bool add_child;   /**< this callback adds a 0 ms timer with id + 100 */
	bool stop;        /**< this callback stops the loop */
	size_t fired_before_child; /**< n_fired when the child was added */
};

static void record(void *data);

static void safety_fire(void *data)
{
	(void)data;
	safety_fired = true;
	qb_loop_stop(loop);
}

static void setup(void)
{
	loop = qb_loop_create();
	ck_assert_ptr_nonnull(loop);
	ck_assert_int_eq(timers_create(loop, QB_LOOP_HIGH, &timers), 0);
	n_fired = 0;
	stop_after = 0;
	safety_fired = false;
	ck_assert_int_eq(qb_loop_timer_add(loop, QB_LOOP_LOW, SAFETY_NS, NULL, safety_fire, &safety), 0);
}

static void teardown(void)
{
	timers = timers_destroy(timers);
	if (!safety_fired) {
		(void)qb_loop_timer_del(loop, safety);
	}
	qb_loop_destroy(loop);
}

static struct tag child_tags[LOG_MAX];

static void record(void *data)
{
	struct tag *t = data;
	uint64_t h;

	if (n_fired < LOG_MAX) {
		fired_log[n_fired++] = t->id;
	}
	if (t->other != 0) {
		(void)timers_del(timers, t->other);
	}
	if (t->add_child) {
		struct tag *c = &child_tags[t->id % LOG_MAX];
		*c = (struct tag){ .id = t->id + 100, .stop = true };
		t->fired_before_child = n_fired;
		ck_assert_int_eq(timers_add(timers, 0, record, c, &h), 0);
	}
	if (t->stop || n_fired == stop_after) {
		qb_loop_stop(loop);
	}
}

/* Add times are a few microseconds apart; deadline order equals the order of
 * ms only when all adds took less than the smallest gap between ms values,
 * so the order is asserted only then (the set of fired timers always). */
static uint64_t add_phase_start;

static void add_phase_begin(void)
{
	add_phase_start = qb_util_nano_current_get();
}

static bool add_phase_within(uint32_t gap_ms)
{
	return qb_util_nano_current_get() - add_phase_start < (uint64_t)gap_ms * QB_TIME_NS_IN_MSEC;
}

START_TEST(test_deadline_order)
{
	struct tag a = { .id = 30 }, b = { .id = 10 }, c = { .id = 20 }, d = { .id = 11 };
	uint64_t h[4];
	bool ordered;

	add_phase_begin();
	ck_assert_int_eq(timers_add(timers, 30, record, &a, &h[0]), 0);
	ck_assert_int_eq(timers_add(timers, 10, record, &b, &h[1]), 0);
	ck_assert_int_eq(timers_add(timers, 20, record, &c, &h[2]), 0);
	/* same ms as b, added later: fires after b (its deadline is not earlier) */
	ck_assert_int_eq(timers_add(timers, 10, record, &d, &h[3]), 0);
	ordered = add_phase_within(10);
	for (int i = 0; i < 4; i++) {
		ck_assert_uint_ne(h[i], 0);
		for (int j = 0; j < i; j++) {
			ck_assert_uint_ne(h[i], h[j]);
		}
	}
	ck_assert_uint_eq(timers_pending(timers), 4);
	stop_after = 4;
	qb_loop_run(loop);
	ck_assert(!safety_fired);
	ck_assert_uint_eq(n_fired, 4);
	ck_assert_uint_eq(timers_pending(timers), 0);
	/* b before d always: equal ms, b added first */
	for (size_t i = 0; i < n_fired; i++) {
		if (fired_log[i] == 11) {
			ck_assert_int_eq(fired_log[0] == 10 || fired_log[1] == 10 || fired_log[2] == 10, 1);
			for (size_t j = i; j < n_fired; j++) {
				ck_assert_int_ne(fired_log[j], 10);
			}
		}
	}
	if (ordered) {
		ck_assert_int_eq(fired_log[0], 10);
		ck_assert_int_eq(fired_log[1], 11);
		ck_assert_int_eq(fired_log[2], 20);
		ck_assert_int_eq(fired_log[3], 30);
	}
}
END_TEST

START_TEST(test_equal_deadline_fifo)
{
	struct tag t[8];
	uint64_t h;

	/* 0 ms timers added in one go: one dispatch, in add order */
	for (int i = 0; i < 8; i++) {
		t[i] = (struct tag){ .id = i, .stop = i == 7 };
		ck_assert_int_eq(timers_add(timers, 0, record, &t[i], &h), 0);
	}
	qb_loop_run(loop);
	ck_assert_uint_eq(n_fired, 8);
	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(fired_log[i], i);
	}
}
END_TEST

START_TEST(test_cancel)
{
	struct tag a = { .id = 1 }, b = { .id = 2, .stop = true }, c = { .id = 3 };
	uint64_t ha, hb, hc;
	struct timers_stats st;

	ck_assert_int_eq(timers_add(timers, 5, record, &a, &ha), 0);
	ck_assert_int_eq(timers_add(timers, 20, record, &b, &hb), 0);
	ck_assert_int_eq(timers_add(timers, 10, record, &c, &hc), 0);
	(void)timers_del(timers, ha); /* the earliest: the timerfd fires with nothing due */
	(void)timers_del(timers, hc);
	(void)timers_del(timers, hc); /* twice: no-op */
	(void)timers_del(timers, 0);
	ck_assert_uint_eq(timers_pending(timers), 1);
	qb_loop_run(loop);
	ck_assert(!safety_fired);
	ck_assert_uint_eq(n_fired, 1);
	ck_assert_int_eq(fired_log[0], 2);
	(void)timers_del(timers, hb); /* already fired: no-op */
	timers_stats_get(timers, &st);
	ck_assert_uint_eq(st.added, 3);
	ck_assert_uint_eq(st.cancelled, 2);
	ck_assert_uint_eq(st.fired, 1);
	ck_assert_uint_eq(timers_pending(timers), 0);
}
END_TEST

START_TEST(test_cancel_from_callback)
{
	/* both due in the same dispatch; a's callback cancels b */
	struct tag b = { .id = 2 }, a = { .id = 1 }, c = { .id = 3, .stop = true };
	uint64_t ha, hb, hc;

	ck_assert_int_eq(timers_add(timers, 0, record, &a, &ha), 0);
	ck_assert_int_eq(timers_add(timers, 0, record, &b, &hb), 0);
	a.other = hb;
	ck_assert_int_eq(timers_add(timers, 2, record, &c, &hc), 0);
	qb_loop_run(loop);
	ck_assert_uint_eq(n_fired, 2);
	ck_assert_int_eq(fired_log[0], 1);
	ck_assert_int_eq(fired_log[1], 3);
}
END_TEST

START_TEST(test_add_from_callback)
{
	/* a 0 ms timer added by a callback runs after the callbacks already due */
	struct tag a = { .id = 1, .add_child = true }, b = { .id = 2 };
	uint64_t h;

	ck_assert_int_eq(timers_add(timers, 0, record, &a, &h), 0);
	ck_assert_int_eq(timers_add(timers, 0, record, &b, &h), 0);
	qb_loop_run(loop);
	ck_assert(!safety_fired);
	ck_assert_uint_eq(n_fired, 3);
	ck_assert_int_eq(fired_log[0], 1);
	ck_assert_int_eq(fired_log[1], 2);
	ck_assert_int_eq(fired_log[2], 101);
	ck_assert_uint_eq(a.fired_before_child, 1);
}
END_TEST

START_TEST(test_rearm_later_is_free)
{
	/* the token-visit pattern: cancel and re-add at the same interval */
	struct tag loss = { .id = 1, .stop = true }, early = { .id = 2 };
	uint64_t h, prev, he;
	struct timers_stats st;

	ck_assert_int_eq(timers_add(timers, 3000, record, &loss, &h), 0);
	for (int i = 0; i < 1000; i++) {
		prev = h;
		(void)timers_del(timers, h);
		ck_assert_int_eq(timers_add(timers, 3000, record, &loss, &h), 0);
		ck_assert_uint_gt(h, prev); /* never reused */
	}
	timers_stats_get(timers, &st);
	ck_assert_uint_eq(st.arms, 1);
	ck_assert_uint_eq(timers_pending(timers), 1);
	/* an earlier deadline re-arms the timerfd */
	ck_assert_int_eq(timers_add(timers, 0, record, &early, &he), 0);
	timers_stats_get(timers, &st);
	ck_assert_uint_eq(st.arms, 2);
	(void)timers_del(timers, h);
	loss.id = 3;
	ck_assert_int_eq(timers_add(timers, 1, record, &loss, &h), 0);
	qb_loop_run(loop);
	ck_assert(!safety_fired);
	ck_assert_uint_eq(n_fired, 2);
	ck_assert_int_eq(fired_log[0], 2);
	ck_assert_int_eq(fired_log[1], 3);
}
END_TEST

START_TEST(test_destroy_pending)
{
	struct tag a = { .id = 1 };
	uint64_t h;

	ck_assert_int_eq(timers_add(timers, 0, record, &a, &h), 0);
	ck_assert_int_eq(timers_add(timers, 50, record, &a, &h), 0);
	ck_assert_int_eq(timers_add(timers, 0, NULL, &a, &h), -EINVAL);
	timers = timers_destroy(timers);
	ck_assert_ptr_null(timers);
	/* the timerfd is gone too: only the safety timer would end the run,
	 * so stop from a timer of our own */
	ck_assert_int_eq(qb_loop_timer_add(loop, QB_LOOP_HIGH, 20 * QB_TIME_NS_IN_MSEC, NULL,
					   safety_fire, &h), 0);
	qb_loop_run(loop);
	ck_assert_uint_eq(n_fired, 0);
	safety_fired = false;
}
END_TEST

START_TEST(test_many_timers)
{
	/* more than the initial heap capacity, added in a scrambled order */
	static struct tag t[40];
	uint64_t h[40];
	bool seen[40] = { false };
	bool ordered;

	add_phase_begin();
	for (int i = 0; i < 40; i++) {
		int ms = (i * 7) % 40;
		t[i] = (struct tag){ .id = ms };
		ck_assert_int_eq(timers_add(timers, (uint32_t)ms, record, &t[i], &h[i]), 0);
	}
	for (int i = 0; i < 40; i++) {
		if (t[i].id % 2 == 1 && t[i].id != 39) {
			(void)timers_del(timers, h[i]);
		}
	}
	ordered = add_phase_within(1);
	ck_assert_uint_eq(timers_pending(timers), 21);
	stop_after = 21;
	qb_loop_run(loop);
	ck_assert(!safety_fired);
	ck_assert_uint_eq(n_fired, 21);
	for (size_t i = 0; i < n_fired; i++) {
		ck_assert(fired_log[i] % 2 == 0 || fired_log[i] == 39);
		ck_assert(!seen[fired_log[i]]);
		seen[fired_log[i]] = true;
		if (ordered && i + 1 < n_fired) {
			ck_assert_int_lt(fired_log[i], fired_log[i + 1]);
		}
	}
}
END_TEST

static int hook_depth, hook_begins, hook_ends, depth_in_callback;

static void hook_begin(void *ctx)
{
	ck_assert_ptr_eq(ctx, &hook_depth);
	hook_depth++;
	hook_begins++;
}

static void hook_end(void *ctx)
{
	ck_assert_ptr_eq(ctx, &hook_depth);
	hook_depth--;
	hook_ends++;
}

static void record_depth(void *data)
{
	depth_in_callback = hook_depth;
	record(data);
}

START_TEST(test_dispatch_hooks)
{
	/* both due in one dispatch: one begin, one end, callbacks between */
	struct tag a = { .id = 1 }, b = { .id = 2, .stop = true };
	uint64_t h;

	hook_depth = hook_begins = hook_ends = depth_in_callback = 0;
	timers_hooks_set(timers, hook_begin, hook_end, &hook_depth);
	ck_assert_int_eq(timers_add(timers, 0, record_depth, &a, &h), 0);
	ck_assert_int_eq(timers_add(timers, 0, record_depth, &b, &h), 0);
	qb_loop_run(loop);
	ck_assert(!safety_fired);
	ck_assert_uint_eq(n_fired, 2);
	ck_assert_int_eq(depth_in_callback, 1);
	ck_assert_int_eq(hook_begins, 1);
	ck_assert_int_eq(hook_ends, 1);
	ck_assert_int_eq(hook_depth, 0);
}
END_TEST

static Suite *timers_suite(void)
{
	Suite *s = suite_create("timers");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_deadline_order);
	tcase_add_test(tc, test_equal_deadline_fifo);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_cancel_from_callback);
	tcase_add_test(tc, test_add_from_callback);
	tcase_add_test(tc, test_rearm_later_is_free);
	tcase_add_test(tc, test_destroy_pending);
	tcase_add_test(tc, test_many_timers);
	tcase_add_test(tc, test_dispatch_hooks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(timers_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
