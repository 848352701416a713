/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the client-library core that need no server: the handle
 * database (lifetime, reference counts, stale/forged/foreign handles, no
 * value reuse, thread safety) and the -errno -> SaAisErrorT table.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <qb/qbmap.h>

#include <ais/service.h>

#include "../../lib/ais_client.h"

struct thing {
	int value;
	int *destroyed_counter;
};

static void thing_destructor(void *instance)
{
	struct thing *t = instance;

	if (t->destroyed_counter != NULL) {
		(*t->destroyed_counter)++;
	}
}

START_TEST(test_hdb_lifecycle)
{
	AIS_HDB_DECLARE(db, AIS_HDB_TAG(AIS_SERVICE_EXAMPLE, 0));
	int destroyed = 0;
	struct thing *t, *t2;
	uint64_t h;
	void *p;

	ck_assert_int_eq(ais_hdb_create(&db, sizeof(*t), thing_destructor, &h, &p), 0);
	t = p;
	ck_assert_uint_ne(h, 0);
	ck_assert_int_eq(t->value, 0); /* zeroed */
	ck_assert_uint_eq((uintptr_t)p % _Alignof(max_align_t), 0);
	t->value = 42;
	t->destroyed_counter = &destroyed;

	ck_assert_int_eq(ais_hdb_get(&db, h, &p), 0);
	t2 = p;
	ck_assert_ptr_eq(t2, t);
	ck_assert_int_eq(t2->value, 42);

	/* destroy while a reference is held: later gets fail, instance lives */
	ck_assert_int_eq(ais_hdb_destroy(&db, h), 0);
	ck_assert_int_eq(destroyed, 0);
	ck_assert_int_eq(ais_hdb_get(&db, h, &p), -EBADF);
	ck_assert_int_eq(ais_hdb_destroy(&db, h), -EBADF); /* finalize twice */
	ck_assert_int_eq(t2->value, 42);

	/* last put runs the destructor exactly once */
	ck_assert_int_eq(ais_hdb_put(&db, h), 0);
	ck_assert_int_eq(destroyed, 1);
	ck_assert_int_eq(ais_hdb_put(&db, h), -EBADF);
	ck_assert_int_eq(ais_hdb_get(&db, h, &p), -EBADF);
	ck_assert_int_eq(ais_hdb_destroy(&db, h), -EBADF);
}
END_TEST

START_TEST(test_hdb_forged)
{
	AIS_HDB_DECLARE(db, AIS_HDB_TAG(AIS_SERVICE_EXAMPLE, 1));
	uint64_t h;
	void *p;

	ck_assert_int_eq(ais_hdb_create(&db, 16, NULL, &h, NULL), 0);
	ck_assert_int_eq(ais_hdb_get(&db, 0, &p), -EBADF);
	ck_assert_int_eq(ais_hdb_get(&db, UINT64_MAX, &p), -EBADF);
	/* libqb's wildcard check value must not work as a master key */
	ck_assert_int_eq(ais_hdb_get(&db, (h & 0xffffffffULL) | 0xffffffff00000000ULL, &p), -EBADF);
	ck_assert_int_eq(ais_hdb_get(&db, qb_hdb_nocheck_convert((uint32_t)(h & 0xfffff)), &p), -EBADF);
	/* every single-bit change of a valid handle is rejected */
	for (int bit = 0; bit < 64; bit++) {
		ck_assert_int_eq(ais_hdb_get(&db, h ^ (UINT64_C(1) << bit), &p), -EBADF);
		ck_assert_int_eq(ais_hdb_put(&db, h ^ (UINT64_C(1) << bit)), -EBADF);
		ck_assert_int_eq(ais_hdb_destroy(&db, h ^ (UINT64_C(1) << bit)), -EBADF);
	}
	ck_assert_int_eq(ais_hdb_get(&db, h, &p), 0);
	ck_assert_int_eq(ais_hdb_put(&db, h), 0);
	ck_assert_int_eq(ais_hdb_destroy(&db, h), 0);
	ck_assert_int_eq(ais_hdb_get(&db, h, NULL), -EINVAL);
}
END_TEST

START_TEST(test_hdb_cross_db)
{
	AIS_HDB_DECLARE(cpg_db, AIS_HDB_TAG(AIS_SERVICE_CPG, 0));
	AIS_HDB_DECLARE(evt_db, AIS_HDB_TAG(AIS_SERVICE_EVT, 0));
	AIS_HDB_DECLARE(evt_chan_db, AIS_HDB_TAG(AIS_SERVICE_EVT, 1));
	uint64_t hc, he, hch;
	void *p;

	/* same slot, same generation in each database: values still differ */
	ck_assert_int_eq(ais_hdb_create(&cpg_db, 8, NULL, &hc, NULL), 0);
	ck_assert_int_eq(ais_hdb_create(&evt_db, 8, NULL, &he, NULL), 0);
	ck_assert_int_eq(ais_hdb_create(&evt_chan_db, 8, NULL, &hch, NULL), 0);
	ck_assert_uint_ne(hc, he);
	ck_assert_uint_ne(he, hch);
	ck_assert_int_eq(ais_hdb_get(&evt_db, hc, &p), -EBADF);
	ck_assert_int_eq(ais_hdb_get(&cpg_db, he, &p), -EBADF);
	ck_assert_int_eq(ais_hdb_get(&evt_db, hch, &p), -EBADF);
	ck_assert_int_eq(ais_hdb_get(&evt_chan_db, he, &p), -EBADF);
	ck_assert_int_eq(ais_hdb_destroy(&cpg_db, he), -EBADF);
	ck_assert_int_eq(ais_hdb_destroy(&cpg_db, hc), 0);
	ck_assert_int_eq(ais_hdb_destroy(&evt_db, he), 0);
	ck_assert_int_eq(ais_hdb_destroy(&evt_chan_db, hch), 0);
}
END_TEST

START_TEST(test_hdb_no_reuse)
{
	AIS_HDB_DECLARE(db, AIS_HDB_TAG(AIS_SERVICE_CLM, 0));
	qb_map_t *seen = qb_hashtable_create(200000);
	static char key_store[100000][24];
	uint64_t keep[4];
	uint64_t h;
	void *p;

	/* a few long-lived handles so slots are mixed */
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(ais_hdb_create(&db, 8, NULL, &keep[i], NULL), 0);
	}
	for (int i = 0; i < 100000; i++) {
		ck_assert_int_eq(ais_hdb_create(&db, 8, NULL, &h, NULL), 0);
		snprintf(key_store[i], sizeof(key_store[i]), "%016llx", (unsigned long long)h);
		ck_assert_ptr_null(qb_map_get(seen, key_store[i]));
		qb_map_put(seen, key_store[i], key_store[i]);
		ck_assert_int_eq(ais_hdb_destroy(&db, h), 0);
		ck_assert_int_eq(ais_hdb_get(&db, h, &p), -EBADF);
	}
	ck_assert_uint_eq(qb_map_count_get(seen), 100000);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(ais_hdb_get(&db, keep[i], &p), 0);
		ck_assert_int_eq(ais_hdb_put(&db, keep[i]), 0);
		ck_assert_int_eq(ais_hdb_destroy(&db, keep[i]), 0);
	}
	qb_map_destroy(seen);
}
END_TEST

static int iterate_count(uint64_t handle, void *instance, void *ctx)
{
	struct ais_hdb *db = ((void **)ctx)[0];
	int *count = ((void **)ctx)[1];
	struct thing *t = instance;

	(*count)++;
	if (t->value == 1) {
		/* destroying the current handle from the walk is allowed */
		ck_assert_int_eq(ais_hdb_destroy(db, handle), 0);
	}
	return 0;
}

START_TEST(test_hdb_iterate)
{
	AIS_HDB_DECLARE(db, AIS_HDB_TAG(AIS_SERVICE_AMF, 0));
	uint64_t h[6];
	int count = 0;
	void *ctx[2] = { &db, &count };
	void *p;

	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(ais_hdb_create(&db, sizeof(struct thing), NULL, &h[i], &p), 0);
		((struct thing *)p)->value = i % 2;
	}
	ck_assert_int_eq(ais_hdb_destroy(&db, h[0]), 0);
	ck_assert_int_eq(ais_hdb_iterate(&db, iterate_count, ctx), 0);
	ck_assert_int_eq(count, 5);
	count = 0;
	ck_assert_int_eq(ais_hdb_iterate(&db, iterate_count, ctx), 0);
	ck_assert_int_eq(count, 2); /* the odd ones were destroyed by the walk */
	ck_assert_int_eq(ais_hdb_get(&db, h[1], &p), -EBADF);
	ck_assert_int_eq(ais_hdb_get(&db, h[2], &p), 0);
	ck_assert_int_eq(ais_hdb_put(&db, h[2]), 0);
}
END_TEST

static struct ais_hdb thread_db = AIS_HDB_INITIALIZER(AIS_HDB_TAG(AIS_SERVICE_CKPT, 0));
static int thread_destroyed;
static pthread_mutex_t thread_destroyed_lock = PTHREAD_MUTEX_INITIALIZER;

static void thread_destructor(void *instance)
{
	(void)instance;
	pthread_mutex_lock(&thread_destroyed_lock);
	thread_destroyed++;
	pthread_mutex_unlock(&thread_destroyed_lock);
}

static void *hdb_thread(void *arg)
{
	uint64_t shared = *(uint64_t *)arg;
	void *p;

	for (int i = 0; i < 20000; i++) {
		uint64_t h;

		if (ais_hdb_create(&thread_db, 32, thread_destructor, &h, NULL) != 0 ||
		    ais_hdb_get(&thread_db, h, &p) != 0 ||
		    ais_hdb_destroy(&thread_db, h) != 0 ||
		    ais_hdb_put(&thread_db, h) != 0 ||
		    ais_hdb_get(&thread_db, h, &p) != -EBADF) {
			return (void *)1;
		}
		if (ais_hdb_get(&thread_db, shared, &p) != 0 ||
		    ais_hdb_put(&thread_db, shared) != 0) {
			return (void *)1;
		}
	}
	return NULL;
}

START_TEST(test_hdb_threads)
{
	pthread_t th[4];
	uint64_t shared;
	void *ret;

	ck_assert_int_eq(ais_hdb_create(&thread_db, 8, thread_destructor, &shared, NULL), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_create(&th[i], NULL, hdb_thread, &shared), 0);
	}
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(th[i], &ret), 0);
		ck_assert_ptr_null(ret);
	}
	ck_assert_int_eq(thread_destroyed, 4 * 20000);
	ck_assert_int_eq(ais_hdb_destroy(&thread_db, shared), 0);
	ck_assert_int_eq(thread_destroyed, 4 * 20000 + 1);
}
END_TEST

START_TEST(test_sa_values)
{
	SaNameT name;

	/* numeric contract of saAis.h */
	ck_assert_int_eq(SA_AIS_OK, 1);
	ck_assert_int_eq(SA_AIS_ERR_BAD_HANDLE, 9);
	ck_assert_int_eq(SA_AIS_ERR_TOO_BIG, 26);
	ck_assert_int_eq(SA_AIS_ERR_UNAVAILABLE, 31);
	ck_assert_int_eq(SA_AIS_ERR_DEPLOYMENT, 40);
	ck_assert_int_eq(SA_DISPATCH_BLOCKING, AIS_DISPATCH_BLOCKING);
	ck_assert_int_eq(SA_DISPATCH_ONE, AIS_DISPATCH_ONE);
	ck_assert_int_eq(SA_DISPATCH_ALL, AIS_DISPATCH_ALL);
	ck_assert(SA_TIME_END == INT64_MAX);
	ck_assert_uint_eq(sizeof(SaNameT), 258);
	ck_assert_uint_eq(sizeof(SaVersionT), 3);
	ck_assert_uint_eq(sizeof(SaSelectionObjectT), 8);

	memset(&name, 0, sizeof(name));
	ck_assert_int_eq(ais_name_check(NULL), -EINVAL);
	name.length = SA_MAX_NAME_LENGTH;
	ck_assert_int_eq(ais_name_check(&name), 0);
	name.length = SA_MAX_NAME_LENGTH + 1;
	ck_assert_int_eq(ais_name_check(&name), -ENAMETOOLONG);
}
END_TEST

static Suite *lib_hdb_suite(void)
{
	Suite *s = suite_create("lib_hdb");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_hdb_lifecycle);
	tcase_add_test(tc, test_hdb_forged);
	tcase_add_test(tc, test_hdb_cross_db);
	tcase_add_test(tc, test_hdb_no_reuse);
	tcase_add_test(tc, test_hdb_iterate);
	tcase_add_test(tc, test_hdb_threads);
	tcase_add_test(tc, test_sa_values);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lib_hdb_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
