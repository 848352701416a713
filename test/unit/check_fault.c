/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault-injection filter decisions (exec/fault.c): the configuration gate,
 * argument checks, partitions by node and their healing, drop rates
 * restricted to nodes, the message-frame rule, and the statistics the filter
 * keeps.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include <check.h>

#include "fault.h"

static struct fault_filter f;

START_TEST(test_refused_unless_allowed)
{
	uint32_t nodes[] = { 2 };

	fault_filter_init(&f, 1, false, 42);
	ck_assert_int_eq(fault_filter_drop_set(&f, 50, NULL, 0), -EPERM);
	ck_assert_int_eq(fault_filter_partition_set(&f, (uint32_t[]){ 1 }, 1, nodes, 1), -EPERM);
	ck_assert_int_eq(fault_filter_duplicate_set(&f, 5), -EPERM);
	ck_assert_int_eq(fault_filter_delay_set(&f, 5, 10), -EPERM);
	ck_assert_int_eq(fault_filter_mcast_drop_set(&f, 50, NULL, 0), -EPERM);
	ck_assert_int_eq(fault_filter_heal(&f), -EPERM);
	ck_assert_int_eq(fault_filter_clear(&f), -EPERM);
	ck_assert(!fault_filter_active(&f));
	ck_assert_int_eq(fault_filter_decide(&f, 2), FAULT_PASS);
}
END_TEST

START_TEST(test_bad_arguments)
{
	uint32_t zero[] = { 0 };
	uint32_t a[] = { 1, 2 }, b[] = { 3 };

	fault_filter_init(&f, 1, true, 42);
	ck_assert_int_eq(fault_filter_drop_set(&f, 101, NULL, 0), -EINVAL);
	ck_assert_int_eq(fault_filter_drop_set(&f, 10, zero, 1), -EINVAL);
	ck_assert_int_eq(fault_filter_drop_set(&f, 10, a, FAULT_NODES_MAX + 1), -EINVAL);
	/* self in neither group, or in both */
	ck_assert_int_eq(fault_filter_partition_set(&f, b, 1, (uint32_t[]){ 4 }, 1), -EINVAL);
	ck_assert_int_eq(fault_filter_partition_set(&f, a, 2, (uint32_t[]){ 1 }, 1), -EINVAL);
	ck_assert_int_eq(fault_filter_delay_set(&f, 10, 0), -EINVAL);
	ck_assert_int_eq(fault_filter_delay_set(&f, 10, 10001), -EINVAL);
	ck_assert_int_eq(fault_filter_duplicate_set(&f, 200), -EINVAL);
	ck_assert_int_eq(fault_filter_mcast_drop_set(&f, 101, NULL, 0), -EINVAL);
	ck_assert_int_eq(fault_filter_mcast_drop_set(&f, 10, zero, 1), -EINVAL);
	ck_assert(!fault_filter_active(&f));
}
END_TEST

START_TEST(test_partition)
{
	uint32_t a[] = { 1, 2 }, b[] = { 3, 4 };

	fault_filter_init(&f, 2, true, 42);
	ck_assert_int_eq(fault_filter_partition_set(&f, a, 2, b, 2), 0);
	ck_assert(fault_filter_active(&f));
	for (int i = 0; i < 100; i++) {
		ck_assert_int_eq(fault_filter_decide(&f, 1), FAULT_PASS);
		ck_assert_int_eq(fault_filter_decide(&f, 3), FAULT_DROP);
		ck_assert_int_eq(fault_filter_decide(&f, 4), FAULT_DROP);
		/* a node in no group is outside ours too */
		ck_assert_int_eq(fault_filter_decide(&f, 9), FAULT_DROP);
		/* an IP multicast send cannot be judged by node */
		ck_assert_int_eq(fault_filter_decide(&f, 0), FAULT_PASS);
	}
	ck_assert_uint_eq(f.stats.dropped, 300);
	ck_assert_int_eq(fault_filter_clear(&f), 0);
	ck_assert(!fault_filter_active(&f));
	ck_assert_int_eq(fault_filter_decide(&f, 3), FAULT_PASS);
}
END_TEST

START_TEST(test_drop_all_and_none)
{
	fault_filter_init(&f, 1, true, 7);
	ck_assert_int_eq(fault_filter_drop_set(&f, 100, NULL, 0), 0);
	for (uint32_t n = 2; n < 50; n++) {
		ck_assert_int_eq(fault_filter_decide(&f, n), FAULT_DROP);
	}
	ck_assert_int_eq(fault_filter_drop_set(&f, 0, NULL, 0), 0);
	ck_assert(!fault_filter_active(&f));
	for (uint32_t n = 2; n < 50; n++) {
		ck_assert_int_eq(fault_filter_decide(&f, n), FAULT_PASS);
	}
}
END_TEST

START_TEST(test_drop_only_chosen_nodes)
{
	uint32_t nodes[] = { 3 };
	unsigned dropped = 0;

	fault_filter_init(&f, 1, true, 99);
	ck_assert_int_eq(fault_filter_drop_set(&f, 50, nodes, 1), 0);
	for (int i = 0; i < 2000; i++) {
		ck_assert_int_eq(fault_filter_decide(&f, 2), FAULT_PASS);
		dropped += fault_filter_decide(&f, 3) == FAULT_DROP;
	}
	/* a seeded generator: about half, never all or none */
	ck_assert_uint_gt(dropped, 800);
	ck_assert_uint_lt(dropped, 1200);
	ck_assert_uint_eq(f.stats.dropped, dropped);
}
END_TEST

START_TEST(test_same_seed_same_decisions)
{
	struct fault_filter g;
	uint32_t nodes[] = { 2 };

	fault_filter_init(&f, 1, true, 1234);
	fault_filter_init(&g, 1, true, 1234);
	ck_assert_int_eq(fault_filter_drop_set(&f, 30, nodes, 1), 0);
	ck_assert_int_eq(fault_filter_drop_set(&g, 30, nodes, 1), 0);
	for (int i = 0; i < 500; i++) {
		ck_assert_int_eq(fault_filter_decide(&f, 2), fault_filter_decide(&g, 2));
	}
}
END_TEST

START_TEST(test_duplicate_and_delay)
{
	fault_filter_init(&f, 1, true, 5);
	ck_assert_int_eq(fault_filter_duplicate_set(&f, 100), 0);
	ck_assert_int_eq(fault_filter_decide(&f, 2), FAULT_DUPLICATE);
	ck_assert_int_eq(fault_filter_duplicate_set(&f, 0), 0);
	ck_assert_int_eq(fault_filter_delay_set(&f, 100, 20), 0);
	ck_assert_int_eq(fault_filter_decide(&f, 2), FAULT_DELAY);
	ck_assert_uint_eq(f.delay_ms, 20);
	ck_assert_uint_eq(f.stats.duplicated, 1);
	ck_assert_uint_eq(f.stats.delayed, 1);
	/* drop wins over duplicate and delay */
	ck_assert_int_eq(fault_filter_drop_set(&f, 100, NULL, 0), 0);
	ck_assert_int_eq(fault_filter_decide(&f, 2), FAULT_DROP);
}
END_TEST

START_TEST(test_heal_keeps_other_rules)
{
	uint32_t a[] = { 1 }, b[] = { 2, 3 };

	fault_filter_init(&f, 1, true, 11);
	ck_assert_int_eq(fault_filter_drop_set(&f, 100, b, 1), 0);
	ck_assert_int_eq(fault_filter_partition_set(&f, a, 1, b, 2), 0);
	ck_assert_int_eq(fault_filter_decide(&f, 3), FAULT_DROP);
	ck_assert_int_eq(fault_filter_heal(&f), 0);
	ck_assert(fault_filter_active(&f));
	/* 3 is reachable again, the drop rule for 2 still stands */
	ck_assert_int_eq(fault_filter_decide(&f, 3), FAULT_PASS);
	ck_assert_int_eq(fault_filter_decide(&f, 2), FAULT_DROP);
	/* healing without a partition changes nothing */
	ck_assert_int_eq(fault_filter_heal(&f), 0);
	ck_assert_int_eq(fault_filter_decide(&f, 2), FAULT_DROP);
}
END_TEST

START_TEST(test_mcast_drop_by_frame)
{
	uint32_t me[] = { 3 }, other[] = { 2 };

	fault_filter_init(&f, 3, true, 17);
	ck_assert_int_eq(fault_filter_mcast_drop_set(&f, 100, me, 1), 0);
	ck_assert(fault_filter_active(&f));
	for (int i = 0; i < 100; i++) {
		/* messages are lost, tokens and membership frames pass */
		ck_assert_int_eq(fault_filter_decide_recv(&f, 1, FAULT_FRAME_MCAST), FAULT_DROP);
		ck_assert_int_eq(fault_filter_decide_recv(&f, 1, FAULT_FRAME_OTHER), FAULT_PASS);
		/* the rule is about receiving: sending is untouched */
		ck_assert_int_eq(fault_filter_decide(&f, 1), FAULT_PASS);
	}
	ck_assert_uint_eq(f.stats.dropped, 100);

	/* a rule naming another node does nothing here */
	ck_assert_int_eq(fault_filter_mcast_drop_set(&f, 100, other, 1), 0);
	ck_assert(!fault_filter_active(&f));
	ck_assert_int_eq(fault_filter_decide_recv(&f, 1, FAULT_FRAME_MCAST), FAULT_PASS);

	/* no nodes: every node, here too; a partition still judges by node */
	ck_assert_int_eq(fault_filter_mcast_drop_set(&f, 100, NULL, 0), 0);
	ck_assert_int_eq(fault_filter_decide_recv(&f, 1, FAULT_FRAME_MCAST), FAULT_DROP);
	ck_assert_int_eq(fault_filter_partition_set(&f, (uint32_t[]){ 1, 3 }, 2, other, 1), 0);
	ck_assert_int_eq(fault_filter_decide_recv(&f, 2, FAULT_FRAME_OTHER), FAULT_DROP);
	ck_assert_int_eq(fault_filter_decide_recv(&f, 1, FAULT_FRAME_OTHER), FAULT_PASS);
	ck_assert_int_eq(fault_filter_clear(&f), 0);
	ck_assert(!fault_filter_active(&f));
	ck_assert_int_eq(fault_filter_decide_recv(&f, 1, FAULT_FRAME_MCAST), FAULT_PASS);
}
END_TEST

static Suite *fault_suite(void)
{
	Suite *s = suite_create("fault");
	TCase *tc = tcase_create("filter");

	tcase_add_test(tc, test_refused_unless_allowed);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_partition);
	tcase_add_test(tc, test_drop_all_and_none);
	tcase_add_test(tc, test_drop_only_chosen_nodes);
	tcase_add_test(tc, test_same_seed_same_decisions);
	tcase_add_test(tc, test_duplicate_and_delay);
	tcase_add_test(tc, test_heal_keeps_other_rules);
	tcase_add_test(tc, test_mcast_drop_by_frame);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fault_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
