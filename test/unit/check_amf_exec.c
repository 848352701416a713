/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the AMF executor's pure parts (amf_exec_util.h): the
 * invocation table (unique numbers, an owner can only find its own
 * entries, removal by owner and by predicate) and the protection group
 * difference (added, removed, changed, unchanged members; CHANGES versus
 * CHANGES_ONLY; a random comparison with a naive model).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amf_exec_util.h"

START_TEST(test_inv_unique_and_owned)
{
	struct amf_inv_table t = { 0 };
	struct amf_inv *a = amf_inv_add(&t, 7, 1, NULL), *b = amf_inv_add(&t, 8, 2, NULL);
	struct amf_inv *c = amf_inv_add(&t, 7, 3, NULL);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_ne(a->invocation, b->invocation);
	ck_assert_uint_ne(a->invocation, c->invocation);
	ck_assert_uint_ne(b->invocation, c->invocation);
	ck_assert_uint_ne(a->invocation, 0);
	ck_assert_uint_eq(t.n, 3);
	/* only the owner finds an entry */
	ck_assert_ptr_eq(amf_inv_find(&t, 7, a->invocation), a);
	ck_assert_ptr_null(amf_inv_find(&t, 8, a->invocation));
	ck_assert_ptr_eq(amf_inv_find(&t, 8, b->invocation), b);
	ck_assert_ptr_null(amf_inv_find(&t, 7, b->invocation));
	ck_assert_ptr_null(amf_inv_find(&t, 7, 12345));
	ck_assert_ptr_null(amf_inv_find(&t, 7, 0));
	amf_inv_remove(&t, a);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_ptr_null(amf_inv_find(&t, 7, 1));
	ck_assert_ptr_eq(amf_inv_find(&t, 7, c->invocation), c);
	amf_inv_clear(&t);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_ptr_null(t.head);
}
END_TEST

START_TEST(test_inv_numbers_not_reused)
{
	struct amf_inv_table t = { 0 };
	uint64_t last = 0;

	for (int i = 0; i < 1000; i++) {
		struct amf_inv *inv = amf_inv_add(&t, 1, 0, NULL);

		ck_assert_ptr_nonnull(inv);
		ck_assert_uint_gt(inv->invocation, last);
		last = inv->invocation;
		if (i % 2)
			amf_inv_remove(&t, inv);
	}
	ck_assert_uint_eq(t.n, 500);
	amf_inv_clear(&t);
}
END_TEST

static bool kind_is(const struct amf_inv *inv, void *ctx)
{
	return inv->kind == *(int *)ctx;
}

START_TEST(test_inv_remove_if)
{
	struct amf_inv_table t = { 0 };
	int two = 2;

	for (int i = 0; i < 12; i++)
		amf_inv_add(&t, (uint64_t)(i % 3) + 1, i % 4, NULL);
	ck_assert_uint_eq(amf_inv_remove_if(&t, 1, NULL, NULL), 4);
	ck_assert_uint_eq(t.n, 8);
	for (struct amf_inv *inv = t.head; inv; inv = inv->next)
		ck_assert_uint_ne(inv->owner, 1);
	/* owners 2 and 3, kind 2: i = 2 (owner 3), 6 (owner 1, gone), 10 (owner 2) */
	ck_assert_uint_eq(amf_inv_remove_if(&t, UINT64_MAX, kind_is, &two), 2);
	ck_assert_uint_eq(t.n, 6);
	amf_inv_clear(&t);
}
END_TEST

static struct amf_pg_entry E(const char *comp, uint32_t ha, uint32_t rd, uint32_t rank)
{
	struct amf_pg_entry e;

	memset(&e, 0, sizeof(e));
	snprintf(e.comp, sizeof(e.comp), "%s", comp);
	e.ha_state = ha;
	e.readiness = rd;
	e.rank = rank;
	return e;
}

START_TEST(test_pg_diff_cases)
{
	struct amf_pg_entry old[3] = { E("a", 1, 1, 1), E("b", 2, 1, 2), E("c", 2, 1, 3) };
	struct amf_pg_entry cur[3] = { E("a", 3, 1, 1), E("b", 2, 1, 2), E("d", 2, 1, 4) };
	struct amf_pg_change out[6];
	size_t n, changed;

	/* CHANGES: every current member, then the removed one */
	n = amf_pg_diff(old, 3, cur, 3, false, out, &changed);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(changed, 3);
	ck_assert_str_eq(out[0].member->comp, "a");
	ck_assert_int_eq(out[0].change, AMF_PG_STATE_CHANGE);
	ck_assert_uint_eq(out[0].member->ha_state, 3);
	ck_assert_str_eq(out[1].member->comp, "b");
	ck_assert_int_eq(out[1].change, AMF_PG_NO_CHANGE);
	ck_assert_str_eq(out[2].member->comp, "d");
	ck_assert_int_eq(out[2].change, AMF_PG_ADDED);
	ck_assert_str_eq(out[3].member->comp, "c");
	ck_assert_int_eq(out[3].change, AMF_PG_REMOVED);
	ck_assert_uint_eq(out[3].member->ha_state, 2); /* the state it had */

	/* CHANGES_ONLY: b is left out */
	n = amf_pg_diff(old, 3, cur, 3, true, out, &changed);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(changed, 3);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_ne(out[i].change, AMF_PG_NO_CHANGE);

	/* nothing changed: no callback due */
	n = amf_pg_diff(old, 3, old, 3, false, out, &changed);
	ck_assert_uint_eq(changed, 0);
	ck_assert_uint_eq(n, 3);
	n = amf_pg_diff(old, 3, old, 3, true, out, &changed);
	ck_assert_uint_eq(n, 0);

	/* readiness and rank changes are state changes too */
	cur[1] = E("b", 2, 4, 2);
	n = amf_pg_diff(old, 3, cur, 2, true, out, &changed);
	ck_assert_uint_eq(changed, 3); /* a changed, b readiness, c removed */

	/* empty groups */
	n = amf_pg_diff(NULL, 0, NULL, 0, false, out, &changed);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(changed, 0);
	n = amf_pg_diff(NULL, 0, cur, 1, true, out, &changed);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(out[0].change, AMF_PG_ADDED);
	n = amf_pg_diff(old, 2, NULL, 0, false, out, &changed);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(out[0].change, AMF_PG_REMOVED);
	ck_assert_int_eq(out[1].change, AMF_PG_REMOVED);
}
END_TEST

/* random groups against a direct count of what changed */
START_TEST(test_pg_diff_random)
{
	srand(42u + (unsigned)_i);
	for (int round = 0; round < 500; round++) {
		struct amf_pg_entry old[8], cur[8];
		struct amf_pg_change out[16];
		size_t n_old = 0, n_cur = 0, n, changed, expect = 0, removed = 0;
		bool in_old[8] = { false }, in_cur[8] = { false };
		uint32_t ha_old[8], ha_cur[8];
		char name[8];

		for (int m = 0; m < 8; m++) {
			snprintf(name, sizeof(name), "m%d", m);
			ha_old[m] = 1 + (uint32_t)(rand() % 4);
			ha_cur[m] = rand() % 3 ? ha_old[m] : 1 + (uint32_t)(rand() % 4);
			if (rand() % 2) {
				in_old[m] = true;
				old[n_old++] = E(name, ha_old[m], 1, 1);
			}
			if (rand() % 2) {
				in_cur[m] = true;
				cur[n_cur++] = E(name, ha_cur[m], 1, 1);
			}
			if (in_old[m] != in_cur[m] || (in_old[m] && ha_old[m] != ha_cur[m]))
				expect++;
			if (in_old[m] && !in_cur[m])
				removed++;
		}
		n = amf_pg_diff(old, n_old, cur, n_cur, true, out, &changed);
		ck_assert_uint_eq(changed, expect);
		ck_assert_uint_eq(n, expect);
		n = amf_pg_diff(old, n_old, cur, n_cur, false, out, &changed);
		ck_assert_uint_eq(changed, expect);
		ck_assert_uint_eq(n, n_cur + removed);
		for (size_t i = 0; i < n; i++) {
			int m = atoi(out[i].member->comp + 1);

			switch (out[i].change) {
			case AMF_PG_ADDED:
				ck_assert(in_cur[m] && !in_old[m]);
				break;
			case AMF_PG_REMOVED:
				ck_assert(in_old[m] && !in_cur[m]);
				break;
			case AMF_PG_STATE_CHANGE:
				ck_assert(in_old[m] && in_cur[m] && ha_old[m] != ha_cur[m]);
				ck_assert_uint_eq(out[i].member->ha_state, ha_cur[m]);
				break;
			default:
				ck_assert(in_old[m] && in_cur[m] && ha_old[m] == ha_cur[m]);
				break;
			}
		}
	}
}
END_TEST

static Suite *amf_exec_suite(void)
{
	Suite *s = suite_create("amf_exec");
	TCase *tc = tcase_create("util");

	tcase_add_test(tc, test_inv_unique_and_owned);
	tcase_add_test(tc, test_inv_numbers_not_reused);
	tcase_add_test(tc, test_inv_remove_if);
	tcase_add_test(tc, test_pg_diff_cases);
	tcase_add_loop_test(tc, test_pg_diff_random, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(amf_exec_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
