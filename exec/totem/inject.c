/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The failure injector behind include/ais/inject.h: one rule per injection
 * point, parsed from a specification, and counters. It lives with the totem
 * library, the lowest layer every program links, so that any module compiled
 * with AIS_FAULT_INJECTION finds it; it never logs (the daemon says at start
 * which rules are active) and never allocates.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ais/inject.h>

enum inject_mode {
	INJECT_OFF = 0,
	INJECT_NTH,   /* the n-th call */
	INJECT_FROM,  /* the n-th call and all later ones */
	INJECT_EVERY, /* every n-th call */
	INJECT_PROB,  /* each call with probability prob */
};

struct inject_rule {
	enum inject_mode mode;
	uint64_t n;
	uint64_t threshold; /* prob scaled to 2^53 */
	uint64_t rng;
	int error;
	bool wait_ready;
	struct ais_inject_stats stats;
};

static struct inject_rule inject_rules[AIS_INJECT_POINTS];
static bool inject_is_ready;

static const char *const inject_names[AIS_INJECT_POINTS] = {
	[AIS_INJECT_ALLOC] = "alloc",
	[AIS_INJECT_SENDMSG] = "sendmsg",
	[AIS_INJECT_RECVMSG] = "recvmsg",
	[AIS_INJECT_IPC_SEND] = "ipc_send",
	[AIS_INJECT_WRITE] = "write",
};

static const int inject_default_errno[AIS_INJECT_POINTS] = {
	[AIS_INJECT_ALLOC] = ENOMEM,
	[AIS_INJECT_SENDMSG] = ENOBUFS,
	[AIS_INJECT_RECVMSG] = ENOMEM,
	[AIS_INJECT_IPC_SEND] = EAGAIN,
	[AIS_INJECT_WRITE] = ENOSPC,
};

static const struct {
	const char *name;
	int value;
} inject_errnos[] = {
	{ "EAGAIN", EAGAIN }, { "ENOBUFS", ENOBUFS }, { "ENOMEM", ENOMEM }, { "EIO", EIO },
	{ "ENOSPC", ENOSPC }, { "EINTR", EINTR },     { "EPIPE", EPIPE },   { "ENOTCONN", ENOTCONN },
	{ "EPERM", EPERM },   { "ECONNREFUSED", ECONNREFUSED },
};

const char *ais_inject_point_name(enum ais_inject_point point)
{
	return (unsigned)point < AIS_INJECT_POINTS ? inject_names[point] : "?";
}

static uint64_t inject_next_random(struct inject_rule *r)
{
	uint64_t x = r->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	r->rng = x;
	return x >> 11; /* 53 bits */
}

bool ais_inject_check(enum ais_inject_point point)
{
	struct inject_rule *r;
	bool fail = false;

	if ((unsigned)point >= AIS_INJECT_POINTS) {
		return false;
	}
	r = &inject_rules[point];
	if (r->mode == INJECT_OFF || (r->wait_ready && !inject_is_ready)) {
		return false;
	}
	r->stats.calls++;
	switch (r->mode) {
	case INJECT_NTH:
		fail = r->stats.calls == r->n;
		break;
	case INJECT_FROM:
		fail = r->stats.calls >= r->n;
		break;
	case INJECT_EVERY:
		fail = r->stats.calls % r->n == 0;
		break;
	case INJECT_PROB:
		fail = inject_next_random(r) < r->threshold;
		break;
	case INJECT_OFF:
		break;
	}
	if (fail) {
		r->stats.failed++;
		errno = r->error;
	}
	return fail;
}

__attribute__((format(printf, 3, 4))) static int inject_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int inject_parse_u64(const char *text, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (*text < '0' || *text > '9') {
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0') {
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

static int inject_parse_errno(const char *text, int *ret)
{
	uint64_t v;

	for (size_t i = 0; i < sizeof(inject_errnos) / sizeof(inject_errnos[0]); i++) {
		if (strcmp(text, inject_errnos[i].name) == 0) {
			*ret = inject_errnos[i].value;
			return 0;
		}
	}
	if (inject_parse_u64(text, &v) < 0 || v == 0 || v > 4095) {
		return -EINVAL;
	}
	*ret = (int)v;
	return 0;
}

/* One "key=value" (or "ready") of a rule. */
static int inject_parse_option(struct inject_rule *r, char *opt, char *err, size_t errlen)
{
	char *eq = strchr(opt, '=');
	const char *val;
	uint64_t n;

	if (strcmp(opt, "ready") == 0) {
		r->wait_ready = true;
		return 0;
	}
	if (eq == NULL) {
		return inject_error(err, errlen, "fault injection: \"%s\" is not KEY=VALUE", opt);
	}
	*eq = '\0';
	val = eq + 1;
	if (strcmp(opt, "prob") == 0) {
		char *end;
		errno = 0;
		double p = strtod(val, &end);
		if (errno != 0 || *end != '\0' || end == val || !(p > 0.0 && p <= 1.0)) {
			return inject_error(err, errlen, "fault injection: prob=%s is not in (0, 1]", val);
		}
		r->mode = INJECT_PROB;
		r->threshold = p >= 1.0 ? UINT64_C(1) << 53 : (uint64_t)(p * (double)(UINT64_C(1) << 53));
		return 0;
	}
	if (strcmp(opt, "errno") == 0) {
		if (inject_parse_errno(val, &r->error) < 0) {
			return inject_error(err, errlen, "fault injection: unknown errno=%s", val);
		}
		return 0;
	}
	if (inject_parse_u64(val, &n) < 0) {
		return inject_error(err, errlen, "fault injection: %s needs a number", opt);
	}
	if (strcmp(opt, "seed") == 0) {
		r->rng = n != 0 ? n : 1;
		return 0;
	}
	if (n == 0) {
		return inject_error(err, errlen, "fault injection: %s must be at least 1", opt);
	}
	r->n = n;
	if (strcmp(opt, "nth") == 0) {
		r->mode = INJECT_NTH;
	} else if (strcmp(opt, "from") == 0) {
		r->mode = INJECT_FROM;
	} else if (strcmp(opt, "every") == 0) {
		r->mode = INJECT_EVERY;
	} else {
		return inject_error(err, errlen, "fault injection: unknown key \"%s\"", opt);
	}
	return 0;
}

/* One "point:opts" into rules[]. */
static int inject_parse_rule(struct inject_rule *rules, char *text, char *err, size_t errlen)
{
	char *colon = strchr(text, ':');
	char *opt, *save = NULL;
	int point = -1;
	struct inject_rule r;

	if (colon == NULL) {
		return inject_error(err, errlen, "fault injection: \"%s\" is not POINT:OPTIONS", text);
	}
	*colon = '\0';
	for (int i = 0; i < AIS_INJECT_POINTS; i++) {
		if (strcmp(text, inject_names[i]) == 0) {
			point = i;
		}
	}
	if (point < 0) {
		return inject_error(err, errlen, "fault injection: unknown point \"%s\"", text);
	}
	memset(&r, 0, sizeof(r));
	r.rng = 1;
	r.error = inject_default_errno[point];
	for (opt = strtok_r(colon + 1, ",", &save); opt != NULL; opt = strtok_r(NULL, ",", &save)) {
		int rc = inject_parse_option(&r, opt, err, errlen);
		if (rc < 0) {
			return rc;
		}
	}
	if (r.mode == INJECT_OFF) {
		return inject_error(err, errlen, "fault injection: %s has no nth, from, every or prob",
				    inject_names[point]);
	}
	rules[point] = r;
	return 0;
}

int ais_inject_configure(const char *spec, char *err, size_t errlen)
{
	struct inject_rule rules[AIS_INJECT_POINTS];
	char text[512];
	char *rule, *save = NULL;

	memset(rules, 0, sizeof(rules));
	if (spec != NULL) {
		if (strlen(spec) >= sizeof(text)) {
			return inject_error(err, errlen, "fault injection: %s", "specification too long");
		}
		strcpy(text, spec);
		for (rule = strtok_r(text, "; ", &save); rule != NULL; rule = strtok_r(NULL, "; ", &save)) {
			int rc = inject_parse_rule(rules, rule, err, errlen);
			if (rc < 0) {
				return rc;
			}
		}
	}
	memcpy(inject_rules, rules, sizeof(rules));
	inject_is_ready = false;
	return 0;
}

void ais_inject_reset(void)
{
	memset(inject_rules, 0, sizeof(inject_rules));
	inject_is_ready = false;
}

bool ais_inject_active(void)
{
	for (int i = 0; i < AIS_INJECT_POINTS; i++) {
		if (inject_rules[i].mode != INJECT_OFF) {
			return true;
		}
	}
	return false;
}

void ais_inject_ready(void)
{
	inject_is_ready = true;
}

struct ais_inject_stats ais_inject_stats(enum ais_inject_point point)
{
	struct ais_inject_stats none = { 0, 0 };

	return (unsigned)point < AIS_INJECT_POINTS ? inject_rules[point].stats : none;
}
