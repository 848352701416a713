/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * History recording and its text form: per node-incarnation event lists
 * (send, deliver, configuration change, end), the parser that reads delivery
 * logs written by the simulator or by real daemons' clients, and the writer
 * that produces them. The text format is documented in checker.h and in
 * test/sim/README.md. The properties live in checker_check.c.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checker_int.h"

#define HIST_LINE_MAX 8192
#define HIST_IDS_MAX 4096

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap) {
		return 0;
	}
	size_t ncap = *cap ? *cap : 16;
	while (ncap < need) {
		ncap *= 2;
	}
	void *n = realloc(*arr, ncap * elem);
	if (n == NULL) {
		return -ENOMEM;
	}
	*arr = n;
	*cap = ncap;
	return 0;
}

struct hist *hist_new(void)
{
	return calloc(1, sizeof(struct hist));
}

struct hist *hist_free(struct hist *h)
{
	if (h == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < h->n_incs; i++) {
		free(h->incs[i]->ev);
		free(h->incs[i]->source);
		free(h->incs[i]);
	}
	free(h->incs);
	free(h->ids);
	free(h);
	return NULL;
}

static struct hist_inc *hist_inc_find(const struct hist *h, uint32_t nodeid, uint32_t inc)
{
	for (size_t i = 0; i < h->n_incs; i++) {
		if (h->incs[i]->nodeid == nodeid && h->incs[i]->inc == inc) {
			return h->incs[i];
		}
	}
	return NULL;
}

int hist_inc_open(struct hist *h, uint32_t nodeid, uint32_t inc, struct hist_inc **ret_inc)
{
	if (nodeid == 0) {
		return -EINVAL;
	}
	if (hist_inc_find(h, nodeid, inc) != NULL) {
		return -EEXIST;
	}
	if (grow((void **)&h->incs, &h->cap_incs, h->n_incs + 1, sizeof(*h->incs)) < 0) {
		return -ENOMEM;
	}
	struct hist_inc *hi = calloc(1, sizeof(*hi));
	if (hi == NULL) {
		return -ENOMEM;
	}
	hi->h = h;
	hi->nodeid = nodeid;
	hi->inc = inc;
	h->incs[h->n_incs++] = hi;
	*ret_inc = hi;
	return 0;
}

int hist_inc_source_set(struct hist_inc *hi, const char *source)
{
	char *s = strdup(source);

	if (s == NULL) {
		return -ENOMEM;
	}
	free(hi->source);
	hi->source = s;
	return 0;
}

size_t hist_inc_count(const struct hist *h)
{
	return h->n_incs;
}

size_t hist_inc_events(const struct hist_inc *hi, enum hist_event_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < hi->n_ev; i++) {
		n += hi->ev[i].type == type;
	}
	return n;
}

void hist_convergence_set(struct hist *h, uint64_t deadline_us)
{
	h->deadline_us = deadline_us;
	h->has_deadline = true;
}

static struct hist_event *event_new(struct hist_inc *hi, uint64_t t, enum hist_event_type type)
{
	if (hi->ended) {
		return NULL;
	}
	if (grow((void **)&hi->ev, &hi->cap_ev, hi->n_ev + 1, sizeof(*hi->ev)) < 0) {
		return NULL;
	}
	struct hist_event *e = &hi->ev[hi->n_ev++];
	memset(e, 0, sizeof(*e));
	e->time_us = t;
	e->type = (uint8_t)type;
	return e;
}

int hist_send(struct hist_inc *hi, uint64_t t, const struct hist_msgid *id,
              enum hist_guarantee g, uint32_t len)
{
	if (hi->ended || (g != HIST_AGREED && g != HIST_SAFE)) {
		return -EINVAL;
	}
	struct hist_event *e = event_new(hi, t, HIST_EV_SEND);
	if (e == NULL) {
		return -ENOMEM;
	}
	e->id = *id;
	e->guarantee = (uint8_t)g;
	e->len = len;
	return 0;
}

static bool msgid_eq(const struct hist_msgid *a, const struct hist_msgid *b)
{
	return a->origin == b->origin && a->inc == b->inc && a->counter == b->counter;
}

int hist_send_retract(struct hist_inc *hi, const struct hist_msgid *id)
{
	for (size_t i = hi->n_ev; i-- > 0;) {
		struct hist_event *e = &hi->ev[i];
		if (e->type != HIST_EV_SEND) {
			continue;
		}
		if (!msgid_eq(&e->id, id)) {
			return -ENOENT;
		}
		for (size_t j = i + 1; j < hi->n_ev; j++) {
			if (hi->ev[j].type == HIST_EV_DELIVER && msgid_eq(&hi->ev[j].id, id)) {
				return -EBUSY;
			}
		}
		memmove(&hi->ev[i], &hi->ev[i + 1], (hi->n_ev - i - 1) * sizeof(*e));
		hi->n_ev--;
		return 0;
	}
	return -ENOENT;
}

int hist_deliver(struct hist_inc *hi, uint64_t t, uint32_t sender, const struct hist_msgid *id,
                 enum hist_guarantee g, uint32_t len, bool checksum_ok)
{
	if (hi->ended || (g != HIST_AGREED && g != HIST_SAFE)) {
		return -EINVAL;
	}
	struct hist_event *e = event_new(hi, t, HIST_EV_DELIVER);
	if (e == NULL) {
		return -ENOMEM;
	}
	e->sender = sender;
	e->id = *id;
	e->guarantee = (uint8_t)g;
	e->len = len;
	e->ok = checksum_ok;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Store a sorted, de-duplicated copy of ids; sets are what matter. */
static int ids_store(struct hist *h, const uint32_t *ids, size_t n, uint32_t *ret_off, uint32_t *ret_n)
{
	if (n > HIST_IDS_MAX || h->n_ids + n > UINT32_MAX) {
		return -EINVAL;
	}
	if (grow((void **)&h->ids, &h->cap_ids, h->n_ids + n, sizeof(*h->ids)) < 0) {
		return -ENOMEM;
	}
	uint32_t *dst = &h->ids[h->n_ids];
	if (n > 0) {
		memcpy(dst, ids, n * sizeof(*ids));
	}
	qsort(dst, n, sizeof(*dst), cmp_u32);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k == 0 || dst[k - 1] != dst[i]) {
			dst[k++] = dst[i];
		}
	}
	*ret_off = (uint32_t)h->n_ids;
	*ret_n = (uint32_t)k;
	h->n_ids += k;
	return 0;
}

int hist_confchg(struct hist_inc *hi, uint64_t t, enum hist_confchg_type type,
                 const struct hist_ring *ring,
                 const uint32_t *members, size_t n_members,
                 const uint32_t *left, size_t n_left,
                 const uint32_t *joined, size_t n_joined)
{
	uint32_t moff, mn, loff, ln, joff, jn;
	int rc;

	if (hi->ended || (type != HIST_TRANSITIONAL && type != HIST_REGULAR)) {
		return -EINVAL;
	}
	if ((rc = ids_store(hi->h, members, n_members, &moff, &mn)) < 0 ||
	    (rc = ids_store(hi->h, left, n_left, &loff, &ln)) < 0 ||
	    (rc = ids_store(hi->h, joined, n_joined, &joff, &jn)) < 0) {
		return rc;
	}
	struct hist_event *e = event_new(hi, t, HIST_EV_CONFCHG);
	if (e == NULL) {
		return -ENOMEM;
	}
	e->cc_type = (uint8_t)type;
	e->ring = *ring;
	e->members_off = moff;
	e->n_members = mn;
	e->left_off = loff;
	e->n_left = ln;
	e->joined_off = joff;
	e->n_joined = jn;
	return 0;
}

int hist_end(struct hist_inc *hi, uint64_t t, enum hist_end_kind kind)
{
	if (hi->ended || (kind != HIST_END_CRASH && kind != HIST_END_LEAVE && kind != HIST_END_END)) {
		return -EINVAL;
	}
	struct hist_event *e = event_new(hi, t, HIST_EV_END);
	if (e == NULL) {
		return -ENOMEM;
	}
	e->end_kind = (uint8_t)kind;
	hi->ended = true;
	return 0;
}

/* ------------------------------------------------------------------ text */

void hist_ids_format(const uint32_t *ids, size_t n, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0) {
		return;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%" PRIu32, i ? "," : "", ids[i]);
		if (w < 0) {
			return;
		}
		used += (size_t)w;
	}
}

static const char *end_kind_name(unsigned kind)
{
	switch (kind) {
	case HIST_END_CRASH:
		return "crash";
	case HIST_END_LEAVE:
		return "leave";
	case HIST_END_END:
		return "end";
	default:
		return "none";
	}
}

void hist_event_format(const struct hist *h, const struct hist_event *e, char *buf, size_t len)
{
	char ts[32] = "";
	char m[1024], l[1024], j[1024];

	if (e->time_us != HIST_TIME_NONE) {
		snprintf(ts, sizeof(ts), "@%" PRIu64 " ", e->time_us);
	}
	switch (e->type) {
	case HIST_EV_SEND:
		snprintf(buf, len, "%sS %" PRIu32 ":%" PRIu32 ":%" PRIu64 " %c %" PRIu32, ts,
		         e->id.origin, e->id.inc, e->id.counter, e->guarantee == HIST_SAFE ? 'S' : 'A',
		         e->len);
		break;
	case HIST_EV_DELIVER:
		snprintf(buf, len, "%sD %" PRIu32 " %" PRIu32 ":%" PRIu32 ":%" PRIu64 " %c %" PRIu32 " %s",
		         ts, e->sender, e->id.origin, e->id.inc, e->id.counter,
		         e->guarantee == HIST_SAFE ? 'S' : 'A', e->len, e->ok ? "ok" : "bad");
		break;
	case HIST_EV_CONFCHG:
		hist_ids_format(&h->ids[e->members_off], e->n_members, m, sizeof(m));
		hist_ids_format(&h->ids[e->left_off], e->n_left, l, sizeof(l));
		hist_ids_format(&h->ids[e->joined_off], e->n_joined, j, sizeof(j));
		snprintf(buf, len, "%sC %c %" PRIu32 ".%" PRIu64 " m=%s l=%s j=%s", ts,
		         e->cc_type == HIST_REGULAR ? 'R' : 'T', e->ring.rep, e->ring.seq, m, l, j);
		break;
	case HIST_EV_END:
		snprintf(buf, len, "%sE %s", ts, end_kind_name(e->end_kind));
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
}

int hist_inc_write(const struct hist_inc *hi, FILE *f)
{
	char line[HIST_LINE_MAX];

	if (fprintf(f, "N %" PRIu32 " %" PRIu32 "\n", hi->nodeid, hi->inc) < 0) {
		return -EIO;
	}
	for (size_t i = 0; i < hi->n_ev; i++) {
		hist_event_format(hi->h, &hi->ev[i], line, sizeof(line));
		if (fprintf(f, "%s\n", line) < 0) {
			return -EIO;
		}
	}
	return 0;
}

static int write_one(const char *path, const struct hist *h, const struct hist_inc *hi)
{
	FILE *f = fopen(path, "w");
	int rc = 0;

	if (f == NULL) {
		return -errno;
	}
	if (hi != NULL) {
		rc = hist_inc_write(hi, f);
	} else if (fprintf(f, "V %" PRIu64 "\n", h->deadline_us) < 0) {
		rc = -EIO;
	}
	if (fclose(f) != 0 && rc == 0) {
		rc = -EIO;
	}
	return rc;
}

int hist_write_dir(const struct hist *h, const char *dir)
{
	char path[PATH_MAX];
	int rc;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		return -errno;
	}
	for (size_t i = 0; i < h->n_incs; i++) {
		const struct hist_inc *hi = h->incs[i];
		snprintf(path, sizeof(path), "%s/n%" PRIu32 ".%" PRIu32 ".log", dir, hi->nodeid, hi->inc);
		if ((rc = write_one(path, h, hi)) < 0) {
			return rc;
		}
	}
	if (h->has_deadline) {
		snprintf(path, sizeof(path), "%s/converge.log", dir);
		if ((rc = write_one(path, h, NULL)) < 0) {
			return rc;
		}
	}
	return 0;
}

/* Parsing: every field is checked; the first error stops the file. */

struct parse {
	const char *name;
	unsigned line;
	char *err;
	size_t errlen;
};

static int perr(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct parse *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->errlen > 0) {
		snprintf(p->err, p->errlen, "%s:%u: %s", p->name, p->line, msg);
	}
	return -EINVAL;
}

/* Decimal without sign, whole string, <= max. */
static bool parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;

	if (*s == '\0') {
		return false;
	}
	for (; *s; s++) {
		if (*s < '0' || *s > '9') {
			return false;
		}
		unsigned d = (unsigned)(*s - '0');
		if (v > (max - d) / 10) {
			return false;
		}
		v = v * 10 + d;
	}
	*ret = v;
	return true;
}

static bool parse_u32(const char *s, uint32_t *ret)
{
	uint64_t v;

	if (!parse_u64(s, UINT32_MAX, &v)) {
		return false;
	}
	*ret = (uint32_t)v;
	return true;
}

static bool parse_msgid(char *s, struct hist_msgid *ret)
{
	char *a = strchr(s, ':');
	char *b = a ? strchr(a + 1, ':') : NULL;
	struct hist_msgid id;

	if (a == NULL || b == NULL) {
		return false;
	}
	*a = '\0';
	*b = '\0';
	if (!parse_u32(s, &id.origin) || !parse_u32(a + 1, &id.inc) ||
	    !parse_u64(b + 1, UINT64_MAX, &id.counter)) {
		return false;
	}
	*ret = id;
	return true;
}

static bool parse_guarantee(const char *s, enum hist_guarantee *ret)
{
	if (strcmp(s, "A") == 0) {
		*ret = HIST_AGREED;
	} else if (strcmp(s, "S") == 0) {
		*ret = HIST_SAFE;
	} else {
		return false;
	}
	return true;
}

/* "<key>=1,2,3" into ids (at most max). */
static bool parse_idlist(char *s, const char *key, uint32_t *ids, size_t max, size_t *ret_n)
{
	size_t klen = strlen(key), n = 0;
	char *save = NULL;

	if (strncmp(s, key, klen) != 0 || s[klen] != '=') {
		return false;
	}
	s += klen + 1;
	if (*s == '\0') {
		*ret_n = 0;
		return true;
	}
	if (s[strlen(s) - 1] == ',') {
		return false;
	}
	for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == max || !parse_u32(tok, &ids[n]) || ids[n] == 0) {
			return false;
		}
		n++;
	}
	*ret_n = n;
	return true;
}

struct idbufs {
	uint32_t m[HIST_IDS_MAX], l[HIST_IDS_MAX], j[HIST_IDS_MAX];
};

static int parse_confchg(struct parse *p, struct hist_inc *hi, uint64_t t, char **tok, int ntok,
                         struct idbufs *b)
{
	enum hist_confchg_type type;
	struct hist_ring ring;
	size_t nm, nl, nj;

	if (ntok != 6) {
		return perr(p, "C needs: C T|R <rep>.<seq> m=.. l=.. j=..");
	}
	if (strcmp(tok[1], "T") == 0) {
		type = HIST_TRANSITIONAL;
	} else if (strcmp(tok[1], "R") == 0) {
		type = HIST_REGULAR;
	} else {
		return perr(p, "configuration type must be T or R, not '%s'", tok[1]);
	}
	char *dot = strchr(tok[2], '.');
	if (dot == NULL) {
		return perr(p, "ring id must be <rep>.<seq>");
	}
	*dot = '\0';
	if (!parse_u32(tok[2], &ring.rep) || !parse_u64(dot + 1, UINT64_MAX, &ring.seq)) {
		return perr(p, "bad ring id");
	}
	if (!parse_idlist(tok[3], "m", b->m, HIST_IDS_MAX, &nm) ||
	    !parse_idlist(tok[4], "l", b->l, HIST_IDS_MAX, &nl) ||
	    !parse_idlist(tok[5], "j", b->j, HIST_IDS_MAX, &nj)) {
		return perr(p, "bad node id list (want m=1,2 l= j=2)");
	}
	if (nm == 0) {
		return perr(p, "a configuration has at least one member");
	}
	int rc = hist_confchg(hi, t, type, &ring, b->m, nm, b->l, nl, b->j, nj);
	return rc == -EINVAL ? perr(p, "event after the end of the incarnation") : rc;
}

static int parse_event(struct parse *p, struct hist_inc *hi, uint64_t t, char **tok, int ntok,
                       struct idbufs *b)
{
	struct hist_msgid id;
	enum hist_guarantee g;
	uint32_t len, sender;
	int rc;

	if (hi == NULL) {
		return perr(p, "event before any 'N <nodeid> <incarnation>' line");
	}
	if (strcmp(tok[0], "S") == 0) {
		if (ntok != 4 || !parse_msgid(tok[1], &id) || !parse_guarantee(tok[2], &g) ||
		    !parse_u32(tok[3], &len)) {
			return perr(p, "S needs: S <origin>:<inc>:<counter> A|S <len>");
		}
		rc = hist_send(hi, t, &id, g, len);
	} else if (strcmp(tok[0], "D") == 0) {
		if (ntok != 6 || !parse_u32(tok[1], &sender) || !parse_msgid(tok[2], &id) ||
		    !parse_guarantee(tok[3], &g) || !parse_u32(tok[4], &len) ||
		    (strcmp(tok[5], "ok") != 0 && strcmp(tok[5], "bad") != 0)) {
			return perr(p, "D needs: D <sender> <origin>:<inc>:<counter> A|S <len> ok|bad");
		}
		rc = hist_deliver(hi, t, sender, &id, g, len, strcmp(tok[5], "ok") == 0);
	} else if (strcmp(tok[0], "C") == 0) {
		return parse_confchg(p, hi, t, tok, ntok, b);
	} else if (strcmp(tok[0], "E") == 0) {
		enum hist_end_kind k;
		if (ntok == 2 && strcmp(tok[1], "crash") == 0) {
			k = HIST_END_CRASH;
		} else if (ntok == 2 && strcmp(tok[1], "leave") == 0) {
			k = HIST_END_LEAVE;
		} else if (ntok == 2 && strcmp(tok[1], "end") == 0) {
			k = HIST_END_END;
		} else {
			return perr(p, "E needs: E crash|leave|end");
		}
		rc = hist_end(hi, t, k);
	} else {
		return perr(p, "unknown event '%s'", tok[0]);
	}
	return rc == -EINVAL ? perr(p, "event after the end of the incarnation") : rc;
}

#define TOK_MAX 8

static int parse_line(struct parse *p, struct hist *h, char *line, struct hist_inc **cur,
                      struct idbufs *b)
{
	char *tok[TOK_MAX + 1];
	char *save = NULL;
	int ntok = 0;
	uint64_t t = HIST_TIME_NONE;

	line += strspn(line, " \t");
	if (line[0] == '#') {
		return 0;
	}
	for (char *s = strtok_r(line, " \t\r\n", &save); s; s = strtok_r(NULL, " \t\r\n", &save)) {
		if (ntok == TOK_MAX) {
			return perr(p, "too many fields");
		}
		tok[ntok++] = s;
	}
	if (ntok == 0 || tok[0][0] == '#') {
		return 0;
	}
	if (tok[0][0] == '@') {
		if (!parse_u64(tok[0] + 1, UINT64_MAX - 1, &t)) {
			return perr(p, "bad time stamp '%s'", tok[0]);
		}
		if (--ntok == 0) {
			return perr(p, "time stamp without event");
		}
		memmove(tok, tok + 1, (size_t)ntok * sizeof(*tok));
	}
	if (strcmp(tok[0], "N") == 0) {
		uint32_t node, inc;
		if (ntok != 3 || !parse_u32(tok[1], &node) || !parse_u32(tok[2], &inc) || node == 0) {
			return perr(p, "N needs: N <nodeid != 0> <incarnation>");
		}
		int rc = hist_inc_open(h, node, inc, cur);
		if (rc == -EEXIST) {
			return perr(p, "node %" PRIu32 " incarnation %" PRIu32 " appears twice", node, inc);
		}
		if (rc == 0) {
			rc = hist_inc_source_set(*cur, p->name);
		}
		return rc;
	}
	if (strcmp(tok[0], "V") == 0) {
		uint64_t d;
		if (ntok != 2 || !parse_u64(tok[1], UINT64_MAX - 1, &d)) {
			return perr(p, "V needs: V <deadline microseconds>");
		}
		if (!h->has_deadline || d < h->deadline_us) {
			hist_convergence_set(h, d);
		}
		return 0;
	}
	int rc = parse_event(p, *cur, t, tok, ntok, b);
	if (rc == 0) {
		(*cur)->ev[(*cur)->n_ev - 1].line = p->line;
	}
	return rc;
}

int hist_parse_stream(struct hist *h, FILE *f, const char *name, char *err, size_t errlen)
{
	struct parse p = { .name = name, .line = 0, .err = err, .errlen = errlen };
	struct hist_inc *cur = NULL;
	char *line = malloc(HIST_LINE_MAX);
	struct idbufs *b = malloc(sizeof(*b));
	int rc = 0;

	if (line == NULL || b == NULL) {
		free(line);
		free(b);
		return -ENOMEM;
	}
	while (rc == 0 && fgets(line, HIST_LINE_MAX, f) != NULL) {
		p.line++;
		size_t n = strlen(line);
		if (n == HIST_LINE_MAX - 1 && line[n - 1] != '\n') {
			rc = perr(&p, "line too long");
			break;
		}
		rc = parse_line(&p, h, line, &cur, b);
	}
	if (rc == 0 && ferror(f)) {
		rc = perr(&p, "read error");
	}
	free(line);
	free(b);
	return rc;
}

int hist_parse_file(struct hist *h, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		int rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	int rc = hist_parse_stream(h, f, path, err, errlen);
	fclose(f);
	return rc;
}
