/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one -errno -> SaAisErrorT / cs_error_t translation (<ais/error.h>),
 * used by the daemon's error replies, the engines and the client libraries:
 * every row, the sign convention, the rows on which the three tables it
 * replaced disagreed, and cs_strerror() of libaiscpg for every code.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <saAis.h>
#include <ais/corotypes.h>
#include <ais/error.h>

static const struct {
	int err;
	SaAisErrorT code;
} rows[] = {
	{ 0, SA_AIS_OK },
	{ -EAGAIN, SA_AIS_ERR_TRY_AGAIN },
	{ -ENOMEM, SA_AIS_ERR_NO_MEMORY },
	{ -EBADF, SA_AIS_ERR_BAD_HANDLE },
	{ -EINVAL, SA_AIS_ERR_INVALID_PARAM },
	{ -ETIMEDOUT, SA_AIS_ERR_TIMEOUT },
	{ -EMSGSIZE, SA_AIS_ERR_TOO_BIG },
	{ -E2BIG, SA_AIS_ERR_TOO_BIG },
	{ -ENOENT, SA_AIS_ERR_NOT_EXIST },
	{ -EEXIST, SA_AIS_ERR_EXIST },
	{ -EACCES, SA_AIS_ERR_ACCESS },
	{ -EPERM, SA_AIS_ERR_ACCESS },
	{ -EBUSY, SA_AIS_ERR_BUSY },
	{ -ENOSPC, SA_AIS_ERR_NO_SPACE },
	{ -ENOBUFS, SA_AIS_ERR_NO_RESOURCES },
	{ -EMFILE, SA_AIS_ERR_NO_RESOURCES },
	{ -ENFILE, SA_AIS_ERR_NO_RESOURCES },
	{ -EINTR, SA_AIS_ERR_INTERRUPT },
	{ -ENAMETOOLONG, SA_AIS_ERR_NAME_TOO_LONG },
	{ -ENXIO, SA_AIS_ERR_NAME_NOT_FOUND },
	{ -ENOTSUP, SA_AIS_ERR_NOT_SUPPORTED },
	{ -EOPNOTSUPP, SA_AIS_ERR_NOT_SUPPORTED },
	{ -ENOSYS, SA_AIS_ERR_NOT_SUPPORTED },
	{ -EBADMSG, SA_AIS_ERR_MESSAGE_ERROR },
	{ -ECANCELED, SA_AIS_ERR_FAILED_OPERATION },
	{ -EOVERFLOW, SA_AIS_ERR_QUEUE_FULL },
	{ -ENODATA, SA_AIS_ERR_NO_SECTIONS },
	/* the connection is gone or broke its protocol */
	{ -ENOTCONN, SA_AIS_ERR_LIBRARY },
	{ -EPIPE, SA_AIS_ERR_LIBRARY },
	{ -ECONNREFUSED, SA_AIS_ERR_LIBRARY },
	{ -ECONNRESET, SA_AIS_ERR_LIBRARY },
	{ -ESHUTDOWN, SA_AIS_ERR_LIBRARY },
	{ -EPROTO, SA_AIS_ERR_LIBRARY },
	{ -EDOM, SA_AIS_ERR_LIBRARY },
};

START_TEST(test_rows)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		SaAisErrorT got = ais_error_from_errno(rows[i].err);

		ck_assert_msg(got == rows[i].code, "-errno %d: got %d, want %d", -rows[i].err, (int)got,
		              (int)rows[i].code);
		/* a positive errno means the same */
		ck_assert_int_eq(ais_error_from_errno(-rows[i].err), rows[i].code);
	}
}
END_TEST

/* The rows on which exec/service.c, lib/ais_error.c and services/cpg.c
 * used to answer differently, depending on the path a reply took. */
START_TEST(test_former_disagreements)
{
	ck_assert_int_eq(ais_error_from_errno(-ENOTCONN), SA_AIS_ERR_LIBRARY);  /* was QUEUE_NOT_AVAILABLE in the daemon */
	ck_assert_int_eq(ais_error_from_errno(-EPROTO), SA_AIS_ERR_LIBRARY);    /* was VERSION in the daemon */
	ck_assert_int_eq(ais_error_from_errno(-EMFILE), SA_AIS_ERR_NO_RESOURCES); /* was LIBRARY in the daemon */
	ck_assert_int_eq(ais_error_from_errno(-ENODATA), SA_AIS_ERR_NO_SECTIONS); /* was CPG only */
	ck_assert_int_eq(ais_error_from_errno(-ENXIO), SA_AIS_ERR_NAME_NOT_FOUND); /* was daemon only */
}
END_TEST

START_TEST(test_cs_same_numbers)
{
	/* cs_error_t and SaAisErrorT are one table (also _Static_assert'ed
	 * in lib/corotypes.c) */
	SaAisErrorT exist = ais_error_from_errno(-EEXIST), nodata = ais_error_from_errno(-ENODATA);
	SaAisErrorT ok = ais_error_from_errno(0);

	ck_assert_int_eq((int)exist, CS_ERR_EXIST);
	ck_assert_int_eq((int)nodata, CS_ERR_NO_SECTIONS);
	ck_assert_int_eq((int)ok, CS_OK);
	ck_assert_int_eq(CS_ERR_TOO_MANY_GROUPS, 30);
	ck_assert_int_eq(CS_ERR_SECURITY, 100);
}
END_TEST

START_TEST(test_cs_strerror)
{
	static const struct {
		cs_error_t e;
		const char *name;
	} names[] = {
		{ CS_OK, "success" },
		{ CS_ERR_LIBRARY, "CS_ERR_LIBRARY" },
		{ CS_ERR_TRY_AGAIN, "CS_ERR_TRY_AGAIN" },
		{ CS_ERR_BAD_HANDLE, "CS_ERR_BAD_HANDLE" },
		{ CS_ERR_NO_SECTIONS, "CS_ERR_NO_SECTIONS" },
		{ CS_ERR_CONTEXT_NOT_FOUND, "CS_ERR_CONTEXT_NOT_FOUND" },
		{ CS_ERR_TOO_MANY_GROUPS, "CS_ERR_TOO_MANY_GROUPS" },
		{ CS_ERR_SECURITY, "CS_ERR_SECURITY" },
		{ (cs_error_t)29, "unknown error" },
		{ (cs_error_t)0, "unknown error" },
		{ (cs_error_t)-3, "unknown error" },
		{ (cs_error_t)1000, "unknown error" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ck_assert_str_eq(cs_strerror(names[i].e), names[i].name);
	/* every defined code has its own name, spelled as the enum */
	for (int e = CS_ERR_LIBRARY; e <= CS_ERR_CONTEXT_NOT_FOUND; e++)
		ck_assert(strncmp(cs_strerror((cs_error_t)e), "CS_ERR_", 7) == 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("error");
	TCase *tc = tcase_create("table");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_rows);
	tcase_add_test(tc, test_former_disagreements);
	tcase_add_test(tc, test_cs_same_numbers);
	tcase_add_test(tc, test_cs_strerror);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
