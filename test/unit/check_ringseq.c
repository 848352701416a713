/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ring-sequence persistence (exec/ringseq.c): missing file reads 0, stored
 * values survive a writer restart, values only grow, damaged files are
 * refused, no temporary file is left behind.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "ringseq.h"

static char dir[] = "/tmp/check_ringseqXXXXXX";
static char path[256];

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ringseq", dir);
}

static void teardown(void)
{
	char tmp[300];

	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	rmdir(dir);
	strcpy(dir, "/tmp/check_ringseqXXXXXX");
}

START_TEST(test_missing_is_zero)
{
	uint64_t v = 99;

	ck_assert_int_eq(ringseq_read(path, &v), 0);
	ck_assert_uint_eq(v, 0);
}
END_TEST

START_TEST(test_store_and_read_back)
{
	struct ringseq_writer *w = NULL;
	uint64_t v = 0;
	char tmp[300];

	ck_assert_int_eq(ringseq_writer_start(path, &w), 0);
	for (uint64_t i = 1; i <= 1000; i++) {
		ringseq_writer_store(w, i * 4);
	}
	ringseq_writer_store(w, 8); /* lower values never win */
	ck_assert_int_eq(ringseq_writer_stop(w), 0);
	ck_assert_int_eq(ringseq_read(path, &v), 0);
	ck_assert_uint_eq(v, 4000);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert_int_eq(access(tmp, F_OK), -1);

	/* a second life continues from the stored value */
	ck_assert_int_eq(ringseq_writer_start(path, &w), 0);
	ringseq_writer_store(w, UINT64_C(0xfffffffffffffff0));
	ck_assert_int_eq(ringseq_writer_stop(w), 0);
	ck_assert_int_eq(ringseq_read(path, &v), 0);
	ck_assert_uint_eq(v, UINT64_C(0xfffffffffffffff0));
}
END_TEST

START_TEST(test_damaged_refused)
{
	static const char *bad[] = { "", "abc\n", "12x\n", "-5\n", "99999999999999999999999\n" };
	uint64_t v = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(bad[i], f);
		fclose(f);
		ck_assert_int_eq(ringseq_read(path, &v), -EINVAL);
		ck_assert_uint_eq(v, 7);
	}
}
END_TEST

START_TEST(test_write_error_reported)
{
	struct ringseq_writer *w = NULL;

	/* the directory vanishes: the writer reports the failure at stop */
	ck_assert_int_eq(ringseq_writer_start("/nonexistent-dir-for-check/ringseq", &w), 0);
	ringseq_writer_store(w, 5);
	ck_assert_int_eq(ringseq_writer_stop(w), -ENOENT);
}
END_TEST

/* durable: what is on disk, never what is only queued; a failed write is
 * reported and not counted as durable */
START_TEST(test_durable)
{
	struct ringseq_writer *w = NULL;
	uint64_t v = 0;
	int err = 1;

	ck_assert_int_eq(ringseq_writer_start(path, &w), 0);
	ck_assert_uint_eq(ringseq_writer_durable(w, &err), 0);
	ringseq_writer_store(w, 1000);
	for (int i = 0; i < 5000 && ringseq_writer_durable(w, &err) < 1000; i++)
		usleep(1000);
	ck_assert_uint_eq(ringseq_writer_durable(w, &err), 1000);
	ck_assert_int_eq(err, 0);
	ck_assert_int_eq(ringseq_read(path, &v), 0);
	ck_assert_uint_eq(v, 1000);
	ck_assert_int_eq(ringseq_writer_stop(w), 0);

	w = NULL;
	ck_assert_int_eq(ringseq_writer_start("/nonexistent-dir-for-check/ringseq", &w), 0);
	ringseq_writer_store(w, 7);
	for (int i = 0; i < 5000 && err == 0; i++) {
		(void)ringseq_writer_durable(w, &err);
		if (err == 0)
			usleep(1000);
	}
	ck_assert_int_eq(err, -ENOENT);
	ck_assert_uint_eq(ringseq_writer_durable(w, NULL), 0);
	ck_assert_int_eq(ringseq_writer_stop(w), -ENOENT);
}
END_TEST

/* reservations: a seq below the durable ceiling is accepted; one at or
 * above it is refused until the renewal is on disk; a failed renewal is
 * refused with the error and tried again at the next request */
START_TEST(test_reserve)
{
	struct ringseq_writer *w = NULL;
	uint64_t v = 0;

	ck_assert_int_eq(ringseq_writer_start(path, &w), 0);
	ck_assert_int_eq(ringseq_writer_reserve(w, 0), -EAGAIN);
	ck_assert_int_eq(ringseq_writer_flush(w), 0);
	ck_assert_int_eq(ringseq_read(path, &v), 0);
	ck_assert_uint_eq(v, RINGSEQ_BLOCK);
	ck_assert_int_eq(ringseq_writer_reserve(w, 4), 0);
	ck_assert_int_eq(ringseq_writer_reserve(w, RINGSEQ_BLOCK - 1), 0); /* renewal queued */
	ck_assert_int_eq(ringseq_writer_flush(w), 0);
	ck_assert_int_eq(ringseq_read(path, &v), 0);
	ck_assert_uint_eq(v, 2 * RINGSEQ_BLOCK - 1);
	ck_assert_int_eq(ringseq_writer_stop(w), 0);

	w = NULL;
	ck_assert_int_eq(ringseq_writer_start("/nonexistent-dir-for-check/ringseq", &w), 0);
	(void)ringseq_writer_reserve(w, 8);
	ck_assert_int_eq(ringseq_writer_flush(w), -ENOENT);
	ck_assert_int_eq(ringseq_writer_reserve(w, 8), -EAGAIN); /* tried again */
	ck_assert_int_eq(ringseq_writer_flush(w), -ENOENT);
	ck_assert_int_eq(ringseq_writer_reserve(w, 12), -EAGAIN);
	ck_assert_int_eq(ringseq_writer_stop(w), -ENOENT);
}
END_TEST

static Suite *ringseq_suite(void)
{
	Suite *s = suite_create("ringseq");
	TCase *tc = tcase_create("file");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_missing_is_zero);
	tcase_add_test(tc, test_reserve);
	tcase_add_test(tc, test_store_and_read_back);
	tcase_add_test(tc, test_damaged_refused);
	tcase_add_test(tc, test_write_error_reported);
	tcase_add_test(tc, test_durable);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ringseq_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
