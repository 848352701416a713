/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of the simulator's virtual-time core: timer order and cancellation,
 * datagram delay, loss, duplication, partitions, detached receivers, stray
 * timers, and replay of the same run from the same seed.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "simnet.h"

static const struct simnet_params clean = { .delay_us = 100, .jitter_us = 50 };

struct log {
	simnet_t *net;
	uint64_t t[64];
	int what[64];
	size_t n;
};

struct tmark {
	struct log *log;
	int id;
};

static void on_timer(void *data)
{
	struct tmark *m = data;

	ck_assert_uint_lt(m->log->n, 64);
	m->log->t[m->log->n] = simnet_now(m->log->net);
	m->log->what[m->log->n++] = m->id;
}

START_TEST(test_timers)
{
	simnet_t *net = simnet_create(1, 3, &clean);
	struct log log = { .net = net };
	struct tmark m[5];
	uint64_t h[5];
	const uint64_t delay[5] = { 300, 100, 200, 100, 50 };

	for (int i = 0; i < 5; i++) {
		m[i] = (struct tmark){ &log, i };
		ck_assert_int_eq(simnet_timer_add(net, 0, delay[i], on_timer, &m[i], &h[i]), 0);
		ck_assert(h[i] != 0);
	}
	simnet_timer_del(net, h[2]);
	simnet_timer_del(net, 0);
	simnet_run_until(net, 150);
	ck_assert_uint_eq(simnet_now(net), 150);
	ck_assert_uint_eq(log.n, 3);
	/* 50 first, then the two at 100 in the order they were added */
	ck_assert_int_eq(log.what[0], 4);
	ck_assert_int_eq(log.what[1], 1);
	ck_assert_int_eq(log.what[2], 3);
	ck_assert_uint_eq(log.t[1], 100);
	simnet_timer_del(net, h[1]); /* already fired: ignored */
	simnet_run_until(net, 1000);
	ck_assert_uint_eq(log.n, 4);
	ck_assert_int_eq(log.what[3], 0);
	ck_assert_uint_eq(log.t[3], 300);
	ck_assert_uint_eq(simnet_pending(net), 0);
	simnet_destroy(net);
}
END_TEST

struct rx {
	simnet_t *net;
	uint32_t node;
	unsigned count;
	uint64_t last_t;
	uint32_t last_from;
	char last[32];
};

static void on_recv(void *ctx, uint32_t from, const void *buf, size_t len)
{
	struct rx *r = ctx;

	r->count++;
	r->last_t = simnet_now(r->net);
	r->last_from = from;
	ck_assert_uint_lt(len, sizeof(r->last));
	memcpy(r->last, buf, len);
	r->last[len] = '\0';
}

static void attach_all(simnet_t *net, struct rx *rx, uint32_t n)
{
	for (uint32_t i = 1; i <= n; i++) {
		rx[i] = (struct rx){ .net = net, .node = i };
		ck_assert_int_eq(simnet_attach(net, i, on_recv, &rx[i]), 0);
	}
}

START_TEST(test_mcast_ucast)
{
	simnet_t *net = simnet_create(2, 4, &clean);
	struct rx rx[5];

	attach_all(net, rx, 4);
	ck_assert_int_eq(simnet_attach(net, 1, on_recv, &rx[1]), -EBUSY);
	ck_assert_int_eq(simnet_send(net, 2, 0, "hello", 5), 0);
	ck_assert_int_eq(simnet_send(net, 3, 3, "x", 1), -EINVAL);
	ck_assert_int_eq(simnet_send(net, 1, 9, "x", 1), -EINVAL);
	simnet_run_until(net, 99);
	ck_assert_uint_eq(rx[1].count, 0);
	simnet_run_until(net, 150);
	ck_assert_uint_eq(rx[1].count, 1);
	ck_assert_uint_eq(rx[2].count, 0);
	ck_assert_uint_eq(rx[3].count, 1);
	ck_assert_uint_eq(rx[4].count, 1);
	ck_assert_str_eq(rx[4].last, "hello");
	ck_assert_uint_eq(rx[4].last_from, 2);
	ck_assert_uint_ge(rx[4].last_t, 100);
	ck_assert_int_eq(simnet_send(net, 4, 1, "u", 1), 0);
	simnet_run_until(net, 1000);
	ck_assert_uint_eq(rx[1].count, 2);
	ck_assert_str_eq(rx[1].last, "u");
	ck_assert_uint_eq(rx[3].count, 1);
	simnet_destroy(net);
}
END_TEST

START_TEST(test_faults)
{
	struct simnet_params p = clean;
	struct simnet_stats st;
	struct rx rx[4];

	p.loss_ppm = 1000000;
	simnet_t *net = simnet_create(3, 3, &p);
	attach_all(net, rx, 3);
	for (int i = 0; i < 10; i++) {
		ck_assert_int_eq(simnet_send(net, 1, 0, "a", 1), 0);
	}
	simnet_run_until(net, 10000);
	ck_assert_uint_eq(rx[2].count + rx[3].count, 0);
	simnet_stats_get(net, &st);
	ck_assert_uint_eq(st.lost, 20);

	p.loss_ppm = 0;
	p.dup_ppm = 1000000;
	simnet_params_set(net, &p);
	ck_assert_int_eq(simnet_send(net, 1, 2, "d", 1), 0);
	simnet_run_until(net, 20000);
	ck_assert_uint_eq(rx[2].count, 2);

	p.dup_ppm = 0;
	simnet_params_set(net, &p);
	simnet_group_set(net, 3, 1);
	ck_assert_int_eq(simnet_send(net, 1, 0, "p", 1), 0);
	simnet_run_until(net, 30000);
	ck_assert_uint_eq(rx[2].count, 3);
	ck_assert_uint_eq(rx[3].count, 0);
	/* a partition that starts while a datagram is in flight cuts it too */
	simnet_group_set(net, 3, 0);
	ck_assert_int_eq(simnet_send(net, 1, 3, "q", 1), 0);
	simnet_group_set(net, 3, 2);
	simnet_run_until(net, 40000);
	ck_assert_uint_eq(rx[3].count, 0);
	simnet_group_set(net, 3, 0);

	/* detached: datagrams are unreachable, its timers are stray */
	struct log log = { .net = net };
	struct tmark m = { &log, 7 };
	uint64_t h;
	ck_assert_int_eq(simnet_timer_add(net, 3, 10, on_timer, &m, &h), 0);
	simnet_detach(net, 3);
	ck_assert(!simnet_attached(net, 3));
	ck_assert_int_eq(simnet_send(net, 1, 3, "z", 1), 0);
	simnet_run_until(net, 50000);
	ck_assert_uint_eq(log.n, 0);
	simnet_stats_get(net, &st);
	ck_assert_uint_eq(st.stray_timers, 1);
	ck_assert_uint_eq(st.unreachable, 1);
	ck_assert_uint_eq(st.cut, 2);
	simnet_destroy(net);
}
END_TEST

/* The arrival times of 200 datagrams under loss, jitter and reordering. */
static void trace(uint64_t seed, uint64_t *out, size_t n)
{
	struct simnet_params p = { .loss_ppm = 300000, .dup_ppm = 100000, .reorder_ppm = 200000,
		                   .delay_us = 100, .jitter_us = 80, .reorder_us = 5000 };
	simnet_t *net = simnet_create(seed, 2, &p);
	struct rx rx[3];

	attach_all(net, rx, 2);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(simnet_send(net, 1, 2, "r", 1), 0);
		simnet_run_until(net, (i + 1) * 20);
		out[i] = rx[2].count * 1000003 + rx[2].last_t;
	}
	simnet_destroy(net);
}

START_TEST(test_replay)
{
	uint64_t a[200], b[200], c[200];

	trace(42, a, 200);
	trace(42, b, 200);
	trace(43, c, 200);
	ck_assert(memcmp(a, b, sizeof(a)) == 0);
	ck_assert(memcmp(a, c, sizeof(a)) != 0);

	simnet_t *n1 = simnet_create(9, 1, &clean), *n2 = simnet_create(9, 1, &clean);
	unsigned hist[10] = { 0 };
	for (int i = 0; i < 10000; i++) {
		uint64_t v = simnet_random_below(n1, 10);
		ck_assert_uint_eq(v, simnet_random_below(n2, 10));
		hist[v]++;
	}
	for (int i = 0; i < 10; i++) {
		ck_assert_uint_gt(hist[i], 800); /* roughly uniform */
	}
	simnet_destroy(n1);
	simnet_destroy(n2);
}
END_TEST

static Suite *simnet_suite(void)
{
	Suite *s = suite_create("simnet");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_timers);
	tcase_add_test(tc, test_mcast_ucast);
	tcase_add_test(tc, test_faults);
	tcase_add_test(tc, test_replay);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(simnet_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
