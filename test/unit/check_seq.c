/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the 32-bit wrap-around sequence arithmetic (seq.h) and of
 * the srp queues (srp_queue.c): sort-queue storing, duplicates, aru
 * advance, window bounds and garbage collection across the wrap, the
 * bounded send queue, and the node-id set helpers.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "srp_int.h"

START_TEST(test_seq_compare)
{
	ck_assert(seq_lt(1, 2));
	ck_assert(!seq_lt(2, 1));
	ck_assert(seq_lt(0xfffffff0U, 0x10U));
	ck_assert(seq_gt(0x10U, 0xfffffff0U));
	ck_assert(seq_le(5, 5));
	ck_assert(seq_ge(0, 0xffffffffU));
	ck_assert_uint_eq(seq_max(0xfffffffeU, 3), 3);
	ck_assert_uint_eq(seq_min(0xfffffffeU, 3), 0xfffffffeU);
	ck_assert_int_eq(seq_diff(2, 0xffffffffU), 3);
	ck_assert_int_eq(seq_diff(0xffffffffU, 2), -3);
}
END_TEST

static void ring_new(struct srp_ring *r, uint32_t start)
{
	struct totem_ring_id id = { 1, 4 };
	totem_nodeid_t m[2] = { 1, 2 };

	ck_assert_int_eq(srp_ring_init(r, &id, m, 2, start), 0);
}

START_TEST(test_ring_store_wrap)
{
	struct srp_ring r;
	const uint32_t start = 0xfffffffdU;
	char b = 'x';

	ring_new(&r, start);
	ck_assert_uint_eq(r.aru, start);
	/* out of order: start+2 first, then start+1 closes the gap */
	ck_assert_int_eq(srp_ring_store(&r, start + 2U, 2, TOTEM_AGREED, 0, &b, 1), 1);
	ck_assert_uint_eq(r.aru, start);
	ck_assert_uint_eq(r.high_seq, start + 2U);
	ck_assert_int_eq(srp_ring_store(&r, start + 1U, 1, TOTEM_SAFE, 0, &b, 1), 1);
	ck_assert_uint_eq(r.aru, start + 2U);
	/* duplicates and the base itself are refused */
	ck_assert_int_eq(srp_ring_store(&r, start + 1U, 1, TOTEM_AGREED, 0, &b, 1), 0);
	ck_assert_int_eq(srp_ring_store(&r, start, 1, TOTEM_AGREED, 0, &b, 1), 0);
	for (uint32_t s = start + 3U; s != 5U; s++) {
		ck_assert_int_eq(srp_ring_store(&r, s, 1, TOTEM_AGREED, 0, &b, 1), 1);
	}
	ck_assert_uint_eq(r.aru, 4U);
	ck_assert_ptr_nonnull(srp_ring_get(&r, 0));
	ck_assert_int_eq(srp_ring_get(&r, start + 1U)->guarantee, TOTEM_SAFE);
	/* window: base + SLOTS does not fit, base + SLOTS - 1 does */
	ck_assert(!srp_ring_fits(&r, start + SRP_QUEUE_SLOTS));
	ck_assert(srp_ring_fits(&r, start + SRP_QUEUE_SLOTS - 1U));
	ck_assert_int_eq(srp_ring_store(&r, start + SRP_QUEUE_SLOTS, 1, TOTEM_AGREED, 0, &b, 1), 0);
	srp_ring_gc(&r, 2);
	ck_assert_uint_eq(r.base, 2);
	ck_assert_ptr_null(srp_ring_get(&r, 1));
	ck_assert_ptr_nonnull(srp_ring_get(&r, 3));
	ck_assert(srp_ring_fits(&r, 2U + SRP_QUEUE_SLOTS - 1U));
	srp_ring_free(&r);
}
END_TEST

START_TEST(test_sendq_bounded)
{
	struct srp_sendq q;
	int v = 7;

	ck_assert_int_eq(srp_sendq_init(&q, 3), 0);
	for (int i = 0; i < 3; i++) {
		v = i;
		ck_assert_int_eq(srp_sendq_push(&q, &v, sizeof(v), TOTEM_AGREED), 0);
	}
	ck_assert_int_eq(srp_sendq_push(&q, &v, sizeof(v), TOTEM_AGREED), -EAGAIN);
	for (int i = 0; i < 3; i++) {
		struct srp_sendq_item *it = srp_sendq_peek(&q);

		ck_assert_ptr_nonnull(it);
		ck_assert_int_eq(*(int *)it->data, i);
		srp_sendq_pop(&q);
		v = 100 + i;    /* refill the freed slot: the ring wraps */
		ck_assert_int_eq(srp_sendq_push(&q, &v, sizeof(v), TOTEM_SAFE), 0);
	}
	ck_assert_int_eq(srp_sendq_push(&q, &v, sizeof(v), TOTEM_AGREED), -EAGAIN);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(*(int *)srp_sendq_peek(&q)->data, 100 + i);
		ck_assert_int_eq(srp_sendq_peek(&q)->guarantee, TOTEM_SAFE);
		srp_sendq_pop(&q);
	}
	ck_assert_ptr_null(srp_sendq_peek(&q));
	srp_sendq_free(&q);
}
END_TEST

START_TEST(test_sets)
{
	totem_nodeid_t a[TOTEM_PROCESSORS_MAX], b[TOTEM_PROCESSORS_MAX];
	size_t na = 0, nb = 0;
	char buf[32];

	ck_assert(srp_set_add(a, &na, 5));
	ck_assert(srp_set_add(a, &na, 1));
	ck_assert(srp_set_add(a, &na, 3));
	ck_assert(!srp_set_add(a, &na, 3));
	ck_assert(!srp_set_add(a, &na, 0));
	ck_assert_uint_eq(na, 3);
	ck_assert_uint_eq(a[0], 1);
	ck_assert_uint_eq(a[2], 5);
	srp_set_add(b, &nb, 3);
	srp_set_add(b, &nb, 5);
	ck_assert(srp_set_subset(b, nb, a, na));
	ck_assert(!srp_set_subset(a, na, b, nb));
	srp_set_add(b, &nb, 1);
	ck_assert(srp_set_equal(a, na, b, nb));
	srp_set_remove(b, &nb, 3);
	ck_assert(!srp_set_equal(a, na, b, nb));
	srp_set_format(a, na, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1 3 5");
	for (totem_nodeid_t id = 10; id < 200; id++) {
		srp_set_add(a, &na, id);
	}
	ck_assert_uint_eq(na, TOTEM_PROCESSORS_MAX);
}
END_TEST

START_TEST(test_config)
{
	struct totem_config c;
	char err[160];

	totem_config_defaults(&c);
	c.nodeid = 1;
	c.node_count = 5;
	totem_config_finish(&c);
	ck_assert_uint_eq(c.token_effective, 3000 + 3 * 650);
	ck_assert_uint_eq(c.token_retransmit, 4950U * 5U / 21U);
	ck_assert_uint_eq(c.consensus, 4950U * 12U / 10U);
	ck_assert_uint_eq(c.hold, c.token_retransmit * 8U / 10U - 10U);
	ck_assert_int_eq(totem_config_validate(&c, err, sizeof(err)), 0);
	c.consensus = 40;
	ck_assert_int_eq(totem_config_validate(&c, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "consensus (40) must be greater than join (50)");
	totem_config_finish(&c);
	c.consensus = 5940;
	c.max_messages = 60;
	ck_assert_int_eq(totem_config_validate(&c, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "max_messages (60)"));
	c.max_messages = 17;
	c.netmtu = 100;
	ck_assert_int_eq(totem_config_validate(&c, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "netmtu (100)"));
	c.netmtu = 9000;
	ck_assert_int_eq(totem_config_validate(&c, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "window_size (50)"));
	c.netmtu = 1500;
	c.nodeid = 0;
	ck_assert_int_eq(totem_config_validate(&c, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "nodeid"));
	/* small token: retransmit floor of 30 ms */
	totem_config_defaults(&c);
	c.nodeid = 1;
	c.token = 100;
	totem_config_finish(&c);
	ck_assert_uint_eq(c.token_retransmit, 30);
	ck_assert_int_eq(totem_config_validate(&c, err, sizeof(err)), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("seq");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_seq_compare);
	tcase_add_test(tc, test_ring_store_wrap);
	tcase_add_test(tc, test_sendq_bounded);
	tcase_add_test(tc, test_sets);
	tcase_add_test(tc, test_config);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
