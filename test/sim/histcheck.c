/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * histcheck FILE...: read delivery logs in the text format of checker.h (one
 * file per node-incarnation, or per node with N lines marking incarnations),
 * check every extended-virtual-synchrony property over them, print the first
 * violation with its context and exit 1, or print a summary and exit 0.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: histcheck [--converge-by MICROSECONDS] FILE...\n"
	           "  Checks delivery logs (format: test/sim/README.md). Exit 0 when every\n"
	           "  property holds, 1 on a violation or an unreadable log.\n");
}

static int parse_deadline(const char *s, uint64_t *ret)
{
	char *end = NULL;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-') {
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct hist *h = hist_new();
	struct hist_report r;
	char err[1024];
	int files = 0;

	if (h == NULL) {
		fprintf(stderr, "histcheck: out of memory\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("histcheck (" PACKAGE_NAME ") " PACKAGE_VERSION "\n");
			hist_free(h);
			return 0;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			hist_free(h);
			return 0;
		}
		if (strcmp(argv[i], "--converge-by") == 0) {
			uint64_t d;
			if (i + 1 == argc || parse_deadline(argv[i + 1], &d) < 0) {
				usage(stderr);
				hist_free(h);
				return 1;
			}
			hist_convergence_set(h, d);
			i++;
			continue;
		}
		if (hist_parse_file(h, argv[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "histcheck: %s\n", err);
			hist_free(h);
			return 1;
		}
		files++;
	}
	if (files == 0) {
		usage(stderr);
		hist_free(h);
		return 1;
	}
	int rc = hist_check(h, &r);
	if (rc < 0) {
		fprintf(stderr, "histcheck: %s\n", strerror(-rc));
		hist_free(h);
		return 1;
	}
	if (rc > 0) {
		printf("%s\n", r.text);
		printf("histcheck: %u violation(s):", r.violations);
		for (int p = 1; p < HIST_P_COUNT; p++) {
			if (r.per_property[p] > 0) {
				printf(" %s=%u", hist_property_name((enum hist_property)p), r.per_property[p]);
			}
		}
		printf("\n");
		hist_free(h);
		return 1;
	}
	printf("histcheck: %zu incarnation(s) in %d file(s), no violation\n", hist_inc_count(h), files);
	hist_free(h);
	return 0;
}
