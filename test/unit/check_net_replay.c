/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transport's anti-replay window (exec/net_replay.c): numbers in order,
 * reordered within the window, duplicates, numbers older than the window,
 * jumps forward (a restarted sender), the restart epoch, and a long random
 * run against a plain model of "every number seen, and the highest".
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "net_replay.h"

static struct net_replay w;

/* Check then mark, as the transport does; returns the verdict. */
static enum net_replay_verdict feed(uint64_t seq)
{
	enum net_replay_verdict v = net_replay_check(&w, seq);

	if (v == NET_REPLAY_NEW) {
		net_replay_mark(&w, seq);
	}
	return v;
}

START_TEST(test_in_order)
{
	net_replay_init(&w);
	for (uint64_t s = 1; s <= 3000; s++) {
		ck_assert_int_eq(feed(s), NET_REPLAY_NEW);
	}
	/* the last WINDOW numbers were seen, anything before is too old */
	for (uint64_t s = 3000 - NET_REPLAY_WINDOW + 1; s <= 3000; s++) {
		ck_assert_int_eq(net_replay_check(&w, s), NET_REPLAY_SEEN);
	}
	ck_assert_int_eq(net_replay_check(&w, 3000 - NET_REPLAY_WINDOW), NET_REPLAY_OLD);
	ck_assert_int_eq(net_replay_check(&w, 1), NET_REPLAY_OLD);
	ck_assert_int_eq(net_replay_check(&w, 3001), NET_REPLAY_NEW);
}
END_TEST

START_TEST(test_reordered_within_window)
{
	net_replay_init(&w);
	ck_assert_int_eq(feed(1000), NET_REPLAY_NEW);
	/* late frames inside the window are all new once, in any order */
	for (int64_t s = 999; s >= 0; s -= 3) {
		ck_assert_int_eq(feed((uint64_t)s), NET_REPLAY_NEW);
	}
	ck_assert_int_eq(feed(1002), NET_REPLAY_NEW);
	ck_assert_int_eq(feed(1001), NET_REPLAY_NEW);
	for (int64_t s = 999; s >= 0; s -= 3) {
		ck_assert_int_eq(feed((uint64_t)s), NET_REPLAY_SEEN);
	}
	/* numbers skipped over stay acceptable */
	ck_assert_int_eq(feed(998), NET_REPLAY_NEW);
	ck_assert_int_eq(feed(998), NET_REPLAY_SEEN);
}
END_TEST

START_TEST(test_duplicate)
{
	net_replay_init(&w);
	ck_assert_int_eq(feed(7), NET_REPLAY_NEW);
	ck_assert_int_eq(feed(7), NET_REPLAY_SEEN);
	ck_assert_int_eq(feed(8), NET_REPLAY_NEW);
	ck_assert_int_eq(feed(7), NET_REPLAY_SEEN);
	ck_assert_int_eq(feed(8), NET_REPLAY_SEEN);
	/* a check alone records nothing */
	ck_assert_int_eq(net_replay_check(&w, 9), NET_REPLAY_NEW);
	ck_assert_int_eq(net_replay_check(&w, 9), NET_REPLAY_NEW);
}
END_TEST

START_TEST(test_too_old)
{
	net_replay_init(&w);
	ck_assert_int_eq(feed(5000), NET_REPLAY_NEW);
	ck_assert_int_eq(feed(5000 - NET_REPLAY_WINDOW), NET_REPLAY_OLD);
	ck_assert_int_eq(feed(5000 - NET_REPLAY_WINDOW + 1), NET_REPLAY_NEW);
	ck_assert_int_eq(feed(0), NET_REPLAY_OLD);
	/* marking an old number (not done by the transport) changes nothing */
	net_replay_mark(&w, 10);
	ck_assert_uint_eq(w.top, 5000);
	ck_assert_int_eq(net_replay_check(&w, 4999), NET_REPLAY_NEW);
}
END_TEST

/* Sliding forward forgets the slots it passes: no stale bit survives. */
START_TEST(test_slide_clears_slots)
{
	net_replay_init(&w);
	for (uint64_t s = 0; s < NET_REPLAY_WINDOW; s++) {
		ck_assert_int_eq(feed(s), NET_REPLAY_NEW);
	}
	ck_assert_int_eq(feed(1500), NET_REPLAY_NEW);
	for (uint64_t s = NET_REPLAY_WINDOW; s < 1500; s++) {
		ck_assert_int_eq(net_replay_check(&w, s), NET_REPLAY_NEW);
	}
	for (uint64_t s = 1500 - NET_REPLAY_WINDOW + 1; s < NET_REPLAY_WINDOW; s++) {
		ck_assert_int_eq(net_replay_check(&w, s), NET_REPLAY_SEEN);
	}
	ck_assert_int_eq(net_replay_check(&w, 1500 - NET_REPLAY_WINDOW), NET_REPLAY_OLD);
	/* exactly one window forward: the old top's slot is reused */
	ck_assert_int_eq(feed(1500 + NET_REPLAY_WINDOW), NET_REPLAY_NEW);
	ck_assert_int_eq(net_replay_check(&w, 1500), NET_REPLAY_OLD);
	ck_assert_int_eq(net_replay_check(&w, 1501), NET_REPLAY_NEW);
	/* one short of a window: the old top stays seen */
	ck_assert_int_eq(feed(1500 + 2 * NET_REPLAY_WINDOW - 1), NET_REPLAY_NEW);
	ck_assert_int_eq(net_replay_check(&w, 1500 + NET_REPLAY_WINDOW), NET_REPLAY_SEEN);
}
END_TEST

START_TEST(test_jump_forward)
{
	net_replay_init(&w);
	for (uint64_t s = 100; s < 200; s++) {
		ck_assert_int_eq(feed(s), NET_REPLAY_NEW);
	}
	ck_assert_int_eq(feed(1000000), NET_REPLAY_NEW);
	ck_assert_int_eq(feed(999999), NET_REPLAY_NEW);
	ck_assert_int_eq(feed(199), NET_REPLAY_OLD);
	ck_assert_int_eq(feed(1000000), NET_REPLAY_SEEN);
	ck_assert_int_eq(feed(UINT64_MAX - 1), NET_REPLAY_NEW);
	ck_assert_int_eq(feed(1000001), NET_REPLAY_OLD);
}
END_TEST

/* A sender restarts: its new epoch is above everything it sent before. */
START_TEST(test_restart)
{
	uint32_t e1 = net_replay_epoch_pick(0, 1000000), e2, e3, e4;
	uint64_t last;

	ck_assert_uint_eq(e1, 1000000);
	net_replay_init(&w);
	for (uint64_t i = 0; i < 3000; i++) {
		ck_assert_int_eq(feed(((uint64_t)e1 << 32) + i), NET_REPLAY_NEW);
	}
	last = ((uint64_t)e1 << 32) + 2999;
	/* restarted within the same second: the stored epoch wins */
	e2 = net_replay_epoch_pick(e1, 1000000);
	ck_assert_uint_gt(e2, e1);
	ck_assert_int_eq(feed((uint64_t)e2 << 32), NET_REPLAY_NEW);
	ck_assert_int_eq(feed(last), NET_REPLAY_OLD);
	ck_assert_int_eq(feed(((uint64_t)e2 << 32) + 1), NET_REPLAY_NEW);
	/* the clock stepped back: still above */
	e3 = net_replay_epoch_pick(e2, 5);
	ck_assert_uint_eq(e3, e2 + 1);
	/* the epoch file was lost: the clock moved on since */
	e4 = net_replay_epoch_pick(0, (uint64_t)e3 + 60);
	ck_assert_uint_gt(e4, e3);
	ck_assert_int_eq(feed((uint64_t)e4 << 32), NET_REPLAY_NEW);
	ck_assert_int_eq(feed((uint64_t)e3 << 32), NET_REPLAY_OLD);
	/* no epoch left */
	ck_assert_uint_eq(net_replay_epoch_pick(UINT32_MAX, 1), 0);
	ck_assert_uint_eq(net_replay_epoch_pick(UINT64_MAX, 1), 0);
	ck_assert_uint_eq(net_replay_epoch_pick(0, (uint64_t)UINT32_MAX + 1), 0);
	ck_assert_uint_eq(net_replay_epoch_pick(UINT32_MAX - 1, 1), UINT32_MAX);
}
END_TEST

/* A fresh window (a receiver that restarted) takes the first number. */
START_TEST(test_fresh_window)
{
	net_replay_init(&w);
	ck_assert_int_eq(net_replay_check(&w, 0), NET_REPLAY_NEW);
	ck_assert_int_eq(feed(123456789), NET_REPLAY_NEW);
	ck_assert_int_eq(feed(123456789), NET_REPLAY_SEEN);
}
END_TEST

/* Random arrivals (reordering, duplicates, far-behind copies) against a
 * model that remembers every number seen. */
#define MODEL_SPAN 40000
START_TEST(test_random_against_model)
{
	static bool seen[MODEL_SPAN];
	uint64_t top = 0, next = 2000;
	bool started = false;
	unsigned int rnd = 12345;

	memset(seen, 0, sizeof(seen));
	net_replay_init(&w);
	while (next < MODEL_SPAN - 10) {
		uint64_t seq;
		enum net_replay_verdict want, got;

		rnd = rnd * 1103515245u + 12345u;
		switch ((rnd >> 16) % 4) {
		case 0: /* in order */
			seq = next++;
			break;
		case 1: /* a little ahead: a gap others fill later */
			next += (rnd >> 8) % 5;
			seq = next++;
			break;
		case 2: /* late, within or just outside the window */
			seq = next - 1 - (rnd >> 4) % (NET_REPLAY_WINDOW + 200);
			break;
		default: /* a copy of something recent or old */
			seq = next - 1 - (rnd >> 6) % 1999;
			break;
		}
		if (!started || seq > top) {
			want = NET_REPLAY_NEW;
		} else if (top - seq >= NET_REPLAY_WINDOW) {
			want = NET_REPLAY_OLD;
		} else {
			want = seen[seq] ? NET_REPLAY_SEEN : NET_REPLAY_NEW;
		}
		got = feed(seq);
		ck_assert_int_eq(got, want);
		if (got == NET_REPLAY_NEW) {
			seen[seq] = true;
			if (!started || seq > top) {
				top = seq;
			}
			started = true;
		}
	}
}
END_TEST

static Suite *net_replay_suite(void)
{
	Suite *s = suite_create("net_replay");
	TCase *tc = tcase_create("window");

	tcase_add_test(tc, test_in_order);
	tcase_add_test(tc, test_reordered_within_window);
	tcase_add_test(tc, test_duplicate);
	tcase_add_test(tc, test_too_old);
	tcase_add_test(tc, test_slide_clears_slots);
	tcase_add_test(tc, test_jump_forward);
	tcase_add_test(tc, test_restart);
	tcase_add_test(tc, test_fresh_window);
	tcase_add_test(tc, test_random_against_model);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(net_replay_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
