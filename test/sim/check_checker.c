/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of the history checker: a valid hand-made history of three nodes
 * (a crash, a transitional configuration, a restart) passes; each mutation of
 * it that breaks one property is caught and named. Every history goes
 * through the text format (parsed from memory), and again after being
 * written to log files and read back, so the text path is tested with it.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checker.h"

/*
 * The valid history. "[name]" lines are only present in mutation name,
 * "[!name]" lines are absent from it.
 */
static const char *const scenario[] = {
	"# three nodes; node 3 crashes, 1 and 2 move on together",
	"N 1 1",
	"@1000 C R 1.4 m=1,2,3 l= j=1,2,3",
	"@1100 S 1:1:1 A 100",
	"@1200 D 1 1:1:1 A 100 ok",
	"[!integrity]@1300 D 2 2:1:1 S 200 ok",
	"[integrity]@1300 D 2 2:1:1 S 200 bad",
	"@1400 D 3 3:1:1 A 50 ok",
	"@1500 S 1:1:2 S 70",
	"[!notrans]@2000 C T 1.8 m=1,2 l=3 j=",
	"@2000 D 1 1:1:2 S 70 ok",
	"@2000 C R 1.8 m=1,2 l= j=",
	"@2100 S 1:1:3 A 10",
	"@2200 D 1 1:1:3 A 10 ok",
	"[dup]@2300 D 1 1:1:3 A 10 ok",
	"[self]@2400 S 1:1:4 A 10",
	"@9000 E end",
	"",
	"N 2 1",
	"@1000 C R 1.4 m=1,2,3 l= j=1,2,3",
	"@1050 S 2:1:1 S 200",
	"[order]@1300 D 2 2:1:1 S 200 ok",
	"@1200 D 1 1:1:1 A 100 ok",
	"[!order]@1300 D 2 2:1:1 S 200 ok",
	"[!noloss]@1400 D 3 3:1:1 A 50 ok",
	"[!evs]@2000 C T 1.8 m=1,2 l=3 j=",
	"[evs]@2000 C T 1.8 m=1,2,4 l=3 j=",
	"@2000 D 1 1:1:2 S 70 ok",
	"@2000 C R 1.8 m=1,2 l= j=",
	"@2200 D 1 1:1:3 A 10 ok",
	"@9000 E end",
	"",
	"N 3 1",
	"@1000 C R 1.4 m=1,2,3 l= j=1,2,3",
	"@1100 S 3:1:1 A 50",
	"@1200 D 1 1:1:1 A 100 ok",
	"[!safe]@1300 D 2 2:1:1 S 200 ok",
	"@1400 D 3 3:1:1 A 50 ok",
	"@1500 S 3:1:2 A 30",
	"[safe]@1900 C T 3.8 m=3 l=1,2 j=",
	"[safe]@1900 C R 3.8 m=3 l= j=",
	"@1950 E crash",
	"",
	"N 3 2",
	"[!ringseq]@5000 C R 3.9 m=3 l= j=3",
	"[ringseq]@5000 C R 3.3 m=3 l= j=3",
	"[!converge]@6000 E leave",
	"[converge]@6000 E end",
	"V 8000",
};

/* Text of the scenario under one mutation ("" = the valid history). */
static char *scenario_text(const char *mutation)
{
	size_t cap = 16384, used = 0;
	char *out = malloc(cap);

	ck_assert_ptr_nonnull(out);
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(scenario) / sizeof(scenario[0]); i++) {
		const char *l = scenario[i];
		if (l[0] == '[') {
			bool neg = l[1] == '!';
			const char *name = l + 1 + neg;
			const char *close = strchr(name, ']');
			ck_assert_ptr_nonnull(close);
			bool match = strlen(mutation) == (size_t)(close - name) &&
			             strncmp(name, mutation, (size_t)(close - name)) == 0;
			if (match == neg) {
				continue;
			}
			l = close + 1;
		}
		int w = snprintf(out + used, cap - used, "%s\n", l);
		ck_assert_int_gt(w, 0);
		used += (size_t)w;
		ck_assert_uint_lt(used, cap);
	}
	return out;
}

static struct hist *parse_text(const char *text)
{
	struct hist *h = hist_new();
	char err[512] = "";
	FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");

	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_nonnull(f);
	int rc = hist_parse_stream(h, f, "scenario", err, sizeof(err));
	fclose(f);
	ck_assert_msg(rc == 0, "parse failed: %s", err);
	return h;
}

/* Write h as log files, read them back into a new history. */
static struct hist *round_trip(const struct hist *h)
{
	char dir[] = "/tmp/check_checker.XXXXXX";
	char path[512], err[512] = "";
	struct hist *h2 = hist_new();
	struct dirent *d;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(hist_write_dir(h, dir), 0);
	DIR *dp = opendir(dir);
	ck_assert_ptr_nonnull(dp);
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		ck_assert_msg(hist_parse_file(h2, path, err, sizeof(err)) == 0, "%s", err);
		unlink(path);
	}
	closedir(dp);
	rmdir(dir);
	return h2;
}

static void expect(const char *mutation, enum hist_property prop)
{
	char *text = scenario_text(mutation);
	struct hist *h = parse_text(text);
	struct hist_report r, r2;

	int n = hist_check(h, &r);
	ck_assert_int_ge(n, 0);
	if (prop == HIST_P_NONE) {
		ck_assert_msg(n == 0, "valid history rejected:\n%s", r.text);
	} else {
		ck_assert_msg(n > 0, "mutation '%s' not caught", mutation);
		ck_assert_msg(r.first == prop, "mutation '%s': expected [%s], got:\n%s", mutation,
		              hist_property_name(prop), r.text);
		ck_assert_ptr_nonnull(strstr(r.text, hist_property_name(prop)));
		ck_assert_ptr_nonnull(strstr(r.text, "node "));
	}
	struct hist *h2 = round_trip(h);
	ck_assert_int_eq(hist_check(h2, &r2), n);
	ck_assert_int_eq(r2.first, r.first);
	hist_free(h2);
	hist_free(h);
	free(text);
}

START_TEST(test_valid)
{
	expect("", HIST_P_NONE);
}
END_TEST

START_TEST(test_reordered)
{
	expect("order", HIST_P_ORDER);
}
END_TEST

START_TEST(test_missing)
{
	expect("noloss", HIST_P_NOLOSS);
}
END_TEST

START_TEST(test_twice)
{
	expect("dup", HIST_P_DUP);
}
END_TEST

START_TEST(test_wrong_transitional)
{
	expect("evs", HIST_P_EVS);
}
END_TEST

START_TEST(test_no_transitional)
{
	expect("notrans", HIST_P_EVS);
}
END_TEST

START_TEST(test_self)
{
	expect("self", HIST_P_SELF);
}
END_TEST

START_TEST(test_safe)
{
	expect("safe", HIST_P_SAFE);
}
END_TEST

START_TEST(test_ringseq)
{
	expect("ringseq", HIST_P_RINGSEQ);
}
END_TEST

START_TEST(test_converge)
{
	expect("converge", HIST_P_CONVERGE);
}
END_TEST

START_TEST(test_integrity)
{
	expect("integrity", HIST_P_INTEGRITY);
}
END_TEST

/* Same transitional and next regular configuration, different sets
 * delivered in the transitional one. */
START_TEST(test_agreement)
{
	const char *text = "N 1 1\n"
	                   "C R 1.2 m=1,2 l= j=1,2\n"
	                   "S 1:1:1 A 5\n"
	                   "C T 1.3 m=1,2 l= j=\n"
	                   "D 1 1:1:1 A 5 ok\n"
	                   "C R 1.3 m=1,2 l= j=\n"
	                   "E end\n"
	                   "N 2 1\n"
	                   "C R 1.2 m=1,2 l= j=1,2\n"
	                   "C T 1.3 m=1,2 l= j=\n"
	                   "C R 1.3 m=1,2 l= j=\n"
	                   "E end\n";
	struct hist *h = parse_text(text);
	struct hist_report r;

	ck_assert_int_gt(hist_check(h, &r), 0);
	ck_assert_msg(r.first == HIST_P_EVS, "%s", r.text);
	ck_assert_ptr_nonnull(strstr(r.text, "both then installed regular 1.3"));
	hist_free(h);
}
END_TEST

/* Pairwise consistent, globally cyclic: a -> b at 1, b -> c at 2, c -> a at 3. */
START_TEST(test_cycle)
{
	const char *text = "N 1 1\nC R 1.1 m=1 l= j=1\nD 9 9:1:1 A 1 ok\nD 9 9:1:2 A 1 ok\n"
	                   "N 2 1\nC R 2.1 m=2 l= j=2\nD 9 9:1:2 A 1 ok\nD 9 9:1:3 A 1 ok\n"
	                   "N 3 1\nC R 3.1 m=3 l= j=3\nD 9 9:1:3 A 1 ok\nD 9 9:1:1 A 1 ok\n";
	struct hist *h = parse_text(text);
	struct hist_report r;

	ck_assert_int_gt(hist_check(h, &r), 0);
	ck_assert_msg(r.first == HIST_P_ORDER, "%s", r.text);
	ck_assert_ptr_nonnull(strstr(r.text, "cycle"));
	hist_free(h);
}
END_TEST

/* A message delivered in agreed order by a node that is then partitioned
 * away need not reach the others (EVS; not a loss). */
START_TEST(test_partition_agreed_ok)
{
	const char *text = "N 1 1\nC R 1.2 m=1,2 l= j=1,2\nS 1:1:1 A 5\nD 1 1:1:1 A 5 ok\n"
	                   "C T 1.3 m=1 l=2 j=\nC R 1.3 m=1 l= j=\nE end\n"
	                   "N 2 1\nC R 1.2 m=1,2 l= j=1,2\n"
	                   "C T 2.3 m=2 l=1 j=\nC R 2.3 m=2 l= j=\nE end\n";
	struct hist *h = parse_text(text);
	struct hist_report r;

	ck_assert_msg(hist_check(h, &r) == 0, "%s", r.text);
	hist_free(h);
}
END_TEST

/* The in-memory API, then the file writer and parser. */
START_TEST(test_api)
{
	struct hist *h = hist_new();
	struct hist_inc *a, *b;
	struct hist_report r;
	const uint32_t m[] = { 2, 1 };
	const struct hist_ring ring = { 1, 7 };
	const struct hist_msgid id = { 1, 1, 42 }, id2 = { 1, 1, 43 };

	ck_assert_int_eq(hist_inc_open(h, 1, 1, &a), 0);
	ck_assert_int_eq(hist_inc_open(h, 2, 1, &b), 0);
	ck_assert_int_eq(hist_inc_open(h, 2, 1, &b), -EEXIST);
	ck_assert_int_eq(hist_inc_open(h, 0, 1, &b), -EINVAL);
	ck_assert_int_eq(hist_confchg(a, 10, HIST_REGULAR, &ring, m, 2, NULL, 0, m, 2), 0);
	ck_assert_int_eq(hist_confchg(b, 10, HIST_REGULAR, &ring, m, 2, NULL, 0, m, 2), 0);
	ck_assert_int_eq(hist_send(a, 20, &id, HIST_SAFE, 3), 0);
	ck_assert_int_eq(hist_send(a, 21, &id2, HIST_AGREED, 3), 0);
	ck_assert_int_eq(hist_send_retract(a, &id), -ENOENT);
	ck_assert_int_eq(hist_send_retract(a, &id2), 0);
	ck_assert_int_eq(hist_deliver(a, 30, 1, &id, HIST_SAFE, 3, true), 0);
	ck_assert_int_eq(hist_deliver(b, 30, 1, &id, HIST_SAFE, 3, true), 0);
	ck_assert_int_eq(hist_end(a, 40, HIST_END_END), 0);
	ck_assert_int_eq(hist_end(b, 40, HIST_END_END), 0);
	ck_assert_int_eq(hist_deliver(b, 50, 1, &id, HIST_SAFE, 3, true), -EINVAL);
	hist_convergence_set(h, 100);
	ck_assert_msg(hist_check(h, &r) == 0, "%s", r.text);
	ck_assert_uint_eq(hist_inc_events(a, HIST_EV_SEND), 1);

	struct hist *h2 = round_trip(h);
	ck_assert_uint_eq(hist_inc_count(h2), 2);
	ck_assert_msg(hist_check(h2, &r) == 0, "%s", r.text);
	hist_free(h2);

	/* the deadline is enforced: installed at 10, deadline 5 */
	hist_convergence_set(h, 5);
	ck_assert_int_gt(hist_check(h, &r), 0);
	ck_assert_int_eq(r.first, HIST_P_CONVERGE);
	hist_free(h);
}
END_TEST

static void expect_parse_error(const char *text, const char *what)
{
	struct hist *h = hist_new();
	char err[512] = "";
	FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(hist_parse_stream(h, f, "t", err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, what) != NULL, "error '%s' lacks '%s'", err, what);
	fclose(f);
	hist_free(h);
}

START_TEST(test_parse_errors)
{
	expect_parse_error("D 1 1:1:1 A 5 ok\n", "t:1:");
	expect_parse_error("N 1 1\nD 1 1:1 A 5 ok\n", "t:2:");
	expect_parse_error("N 1 1\nD 1 1:1:1 X 5 ok\n", "t:2:");
	expect_parse_error("N 1 1\nD 1 1:1:1 A -5 ok\n", "t:2:");
	expect_parse_error("N 1 1\nD 1 1:1:1 A 5 maybe\n", "t:2:");
	expect_parse_error("N 1 1\nC Q 1.1 m=1 l= j=\n", "t:2:");
	expect_parse_error("N 1 1\nC R 1.1 m=1, l= j=\n", "t:2:");
	expect_parse_error("N 1 1\nC R 1 m=1 l= j=\n", "t:2:");
	expect_parse_error("N 1 1\nC R 1.1 m= l= j=\n", "t:2:");
	expect_parse_error("N 1 1\nE end\nS 1:1:1 A 5\n", "t:3:");
	expect_parse_error("N 1 1\nN 1 1\n", "appears twice");
	expect_parse_error("N 0 1\n", "t:1:");
	expect_parse_error("N 1 1\n@12x S 1:1:1 A 5\n", "t:2:");
	expect_parse_error("N 1 1\nS 1:1:99999999999999999999999 A 5\n", "t:2:");
	expect_parse_error("N 1 1\nZ\n", "unknown event");
}
END_TEST

static Suite *checker_suite(void)
{
	Suite *s = suite_create("checker");
	TCase *tc = tcase_create("properties");

	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_reordered);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_twice);
	tcase_add_test(tc, test_wrong_transitional);
	tcase_add_test(tc, test_no_transitional);
	tcase_add_test(tc, test_self);
	tcase_add_test(tc, test_safe);
	tcase_add_test(tc, test_ringseq);
	tcase_add_test(tc, test_converge);
	tcase_add_test(tc, test_integrity);
	tcase_add_test(tc, test_agreement);
	tcase_add_test(tc, test_cycle);
	tcase_add_test(tc, test_partition_agreed_ok);
	tcase_add_test(tc, test_api);
	tcase_add_test(tc, test_parse_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(checker_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
