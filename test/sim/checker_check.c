/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The properties of extended virtual synchrony (Moser, Amir, Melliar-Smith,
 * Agarwal, ICDCS 1994; REFERENCE 1.8) checked over a recorded history.
 *
 * Messages and configurations are interned (sorted, de-duplicated) so that
 * every delivery and configuration change becomes a node of one graph; each
 * incarnation's deliveries are a path through it. Total order is checked
 * pairwise (the common part of two incarnations' paths must agree) and then
 * globally (the union of all paths must be acyclic). The per-configuration
 * properties work on segments: the messages an incarnation delivered between
 * one configuration change and the next.
 *
 * Where the brief of a property could be read more strongly than EVS
 * guarantees (a message delivered in agreed order by p just before p is
 * partitioned away need not reach anyone else), the check follows the EVS
 * definition: obligations hold among incarnations that install the same pair
 * of consecutive configurations, or that both reach the end of a quiesced
 * run in the same configuration.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "checker_int.h"

#define CONTEXT_EVENTS 2
#define LIVE_MAX 4096

struct mref {
	int32_t m;   /* message index */
	uint32_t ev; /* event index of the delivery */
};

struct seg {
	int32_t cfg;       /* configuration installed at ev_start */
	int32_t next_cfg;  /* the one installed at ev_next, -1 when the incarnation ended */
	size_t ev_start;   /* the C event */
	size_t ev_next;    /* next C event, or n_ev */
	struct mref *msgs; /* first deliveries in this segment, sorted by m */
	size_t n_msgs;
};

struct incx {
	const struct hist_inc *hi;
	int32_t *g;        /* per event: message index (S, D), n_msgs + cfg (C), or -1 */
	bool *first;       /* per event: first delivery of that message here */
	struct seg *segs;
	size_t n_segs;
	uint8_t end_kind;
	int32_t *path;     /* graph nodes in delivery order (first occurrences) */
	uint32_t *path_ev;
	size_t n_path;
};

struct cfgk {
	uint8_t type;
	struct hist_ring ring;
	uint32_t off, n;   /* members in h->ids */
	uint32_t ex_x, ex_ev; /* an incarnation/event that installed it */
};

struct segref {
	uint32_t x, s;
};

struct chk {
	const struct hist *h;
	struct hist_report *r;
	size_t used;
	struct incx *x;
	size_t n_x;
	struct hist_msgid *msgs;
	size_t n_msgs;
	int32_t *send_x;   /* per message: incarnation that sent it, or -1 */
	uint32_t *send_ev;
	uint8_t *guar;     /* per message: guarantee of the first event naming it */
	struct cfgk *cfgs;
	size_t n_cfgs;
	size_t *cs_off;    /* per configuration: its segments, cs[cs_off[c] .. cs_off[c+1]) */
	struct segref *cs;
};

static const char *const prop_names[HIST_P_COUNT] = {
	[HIST_P_NONE] = "none",
	[HIST_P_ORDER] = "order",
	[HIST_P_EVS] = "evs",
	[HIST_P_SELF] = "self-delivery",
	[HIST_P_NOLOSS] = "no-loss",
	[HIST_P_DUP] = "duplicate",
	[HIST_P_SAFE] = "safe",
	[HIST_P_RINGSEQ] = "ring-seq",
	[HIST_P_CONVERGE] = "convergence",
	[HIST_P_INTEGRITY] = "integrity",
};

const char *hist_property_name(enum hist_property p)
{
	return (unsigned)p < HIST_P_COUNT ? prop_names[p] : "unknown";
}

/* ------------------------------------------------------------- reporting */

static void rp(struct chk *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void rp(struct chk *c, const char *fmt, ...)
{
	va_list ap;
	size_t cap = sizeof(c->r->text);

	if (c->used >= cap - 1) {
		return;
	}
	va_start(ap, fmt);
	int w = vsnprintf(c->r->text + c->used, cap - c->used, fmt, ap);
	va_end(ap);
	if (w > 0) {
		c->used += (size_t)w;
		if (c->used > cap - 1) {
			c->used = cap - 1;
		}
	}
}

/* Count a violation; true when it is the first one, which the caller then
 * describes. */
static bool violation(struct chk *c, enum hist_property p)
{
	c->r->violations++;
	c->r->per_property[p]++;
	if (c->r->violations != 1) {
		return false;
	}
	c->r->first = p;
	rp(c, "violation [%s]: ", hist_property_name(p));
	return true;
}

static const char *mid(const struct hist_msgid *id, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu32 ":%" PRIu32 ":%" PRIu64, id->origin, id->inc, id->counter);
	return buf;
}

static const char *mname(const struct chk *c, int32_t m, char *buf, size_t len)
{
	return mid(&c->msgs[m], buf, len);
}

static void rp_event(struct chk *c, size_t x, size_t ev, const char *label)
{
	const struct hist_inc *hi = c->x[x].hi;
	char line[1024], where[512] = "";

	if (ev >= hi->n_ev) {
		rp(c, "\n  %s: node %" PRIu32 " inc %" PRIu32 ": (end of record, no E event)", label,
		   hi->nodeid, hi->inc);
		return;
	}
	hist_event_format(c->h, &hi->ev[ev], line, sizeof(line));
	if (hi->source != NULL && hi->ev[ev].line > 0) {
		snprintf(where, sizeof(where), " (%s:%" PRIu32 ")", hi->source, hi->ev[ev].line);
	}
	rp(c, "\n  %s: node %" PRIu32 " inc %" PRIu32 " event #%zu%s: %s", label, hi->nodeid, hi->inc,
	   ev, where, line);
}

static void rp_context(struct chk *c, size_t x, size_t ev)
{
	const struct hist_inc *hi = c->x[x].hi;
	size_t from = ev > CONTEXT_EVENTS ? ev - CONTEXT_EVENTS : 0;
	char line[1024];

	rp(c, "\n  context of node %" PRIu32 " inc %" PRIu32 ":", hi->nodeid, hi->inc);
	for (size_t i = from; i < hi->n_ev && i <= ev + CONTEXT_EVENTS; i++) {
		hist_event_format(c->h, &hi->ev[i], line, sizeof(line));
		rp(c, "\n    %s #%zu %s", i == ev ? ">" : " ", i, line);
	}
}

static const char *cfg_desc(const struct chk *c, int32_t cfg, char *buf, size_t len)
{
	const struct cfgk *k = &c->cfgs[cfg];
	char m[1024];

	hist_ids_format(&c->h->ids[k->off], k->n, m, sizeof(m));
	snprintf(buf, len, "%s %" PRIu32 ".%" PRIu64 " {%s}",
	         k->type == HIST_REGULAR ? "regular" : "transitional", k->ring.rep, k->ring.seq, m);
	return buf;
}

static const char *node_name(const struct chk *c, size_t x, char *buf, size_t len)
{
	snprintf(buf, len, "node %" PRIu32 " inc %" PRIu32, c->x[x].hi->nodeid, c->x[x].hi->inc);
	return buf;
}

/* ------------------------------------------------------------- interning */

static int cmp_msgid(const void *a, const void *b)
{
	const struct hist_msgid *x = a, *y = b;

	if (x->origin != y->origin) {
		return x->origin < y->origin ? -1 : 1;
	}
	if (x->inc != y->inc) {
		return x->inc < y->inc ? -1 : 1;
	}
	return (x->counter > y->counter) - (x->counter < y->counter);
}

static const struct hist *cmp_h; /* for qsort of configurations */

static int cmp_cfg(const void *a, const void *b)
{
	const struct cfgk *x = a, *y = b;

	if (x->type != y->type) {
		return x->type < y->type ? -1 : 1;
	}
	if (x->ring.rep != y->ring.rep) {
		return x->ring.rep < y->ring.rep ? -1 : 1;
	}
	if (x->ring.seq != y->ring.seq) {
		return x->ring.seq < y->ring.seq ? -1 : 1;
	}
	if (x->n != y->n) {
		return x->n < y->n ? -1 : 1;
	}
	int d = memcmp(&cmp_h->ids[x->off], &cmp_h->ids[y->off], x->n * sizeof(uint32_t));
	return d;
}

static int cmp_incx(const void *a, const void *b)
{
	const struct incx *x = a, *y = b;

	if (x->hi->nodeid != y->hi->nodeid) {
		return x->hi->nodeid < y->hi->nodeid ? -1 : 1;
	}
	return (x->hi->inc > y->hi->inc) - (x->hi->inc < y->hi->inc);
}

static int32_t msg_find(const struct chk *c, const struct hist_msgid *id)
{
	const struct hist_msgid *f = bsearch(id, c->msgs, c->n_msgs, sizeof(*id), cmp_msgid);

	return f ? (int32_t)(f - c->msgs) : -1;
}

static int32_t x_find(const struct chk *c, uint32_t nodeid, uint32_t inc)
{
	size_t lo = 0, hi = c->n_x;

	while (lo < hi) {
		size_t mi = (lo + hi) / 2;
		const struct hist_inc *h = c->x[mi].hi;
		if (h->nodeid < nodeid || (h->nodeid == nodeid && h->inc < inc)) {
			lo = mi + 1;
		} else {
			hi = mi;
		}
	}
	if (lo < c->n_x && c->x[lo].hi->nodeid == nodeid && c->x[lo].hi->inc == inc) {
		return (int32_t)lo;
	}
	return -1;
}

static int intern_msgs(struct chk *c)
{
	size_t n = 0;

	for (size_t x = 0; x < c->n_x; x++) {
		n += c->x[x].hi->n_ev;
	}
	c->msgs = malloc((n ? n : 1) * sizeof(*c->msgs));
	if (c->msgs == NULL) {
		return -ENOMEM;
	}
	for (size_t x = 0; x < c->n_x; x++) {
		const struct hist_inc *hi = c->x[x].hi;
		for (size_t i = 0; i < hi->n_ev; i++) {
			if (hi->ev[i].type == HIST_EV_SEND || hi->ev[i].type == HIST_EV_DELIVER) {
				c->msgs[c->n_msgs++] = hi->ev[i].id;
			}
		}
	}
	qsort(c->msgs, c->n_msgs, sizeof(*c->msgs), cmp_msgid);
	size_t k = 0;
	for (size_t i = 0; i < c->n_msgs; i++) {
		if (k == 0 || cmp_msgid(&c->msgs[k - 1], &c->msgs[i]) != 0) {
			c->msgs[k++] = c->msgs[i];
		}
	}
	c->n_msgs = k;
	c->send_x = malloc((k ? k : 1) * sizeof(*c->send_x));
	c->send_ev = malloc((k ? k : 1) * sizeof(*c->send_ev));
	c->guar = malloc(k ? k : 1);
	if (c->send_x == NULL || c->send_ev == NULL || c->guar == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < k; i++) {
		c->send_x[i] = -1;
		c->guar[i] = 0xff;
	}
	return 0;
}

static int intern_cfgs(struct chk *c)
{
	size_t n = 0;

	for (size_t x = 0; x < c->n_x; x++) {
		n += hist_inc_events(c->x[x].hi, HIST_EV_CONFCHG);
	}
	c->cfgs = malloc((n ? n : 1) * sizeof(*c->cfgs));
	if (c->cfgs == NULL) {
		return -ENOMEM;
	}
	for (size_t x = 0; x < c->n_x; x++) {
		const struct hist_inc *hi = c->x[x].hi;
		for (size_t i = 0; i < hi->n_ev; i++) {
			const struct hist_event *e = &hi->ev[i];
			if (e->type == HIST_EV_CONFCHG) {
				c->cfgs[c->n_cfgs++] = (struct cfgk){ .type = e->cc_type, .ring = e->ring,
				                                      .off = e->members_off, .n = e->n_members,
				                                      .ex_x = (uint32_t)x, .ex_ev = (uint32_t)i };
			}
		}
	}
	cmp_h = c->h;
	qsort(c->cfgs, c->n_cfgs, sizeof(*c->cfgs), cmp_cfg);
	size_t k = 0;
	for (size_t i = 0; i < c->n_cfgs; i++) {
		if (k == 0 || cmp_cfg(&c->cfgs[k - 1], &c->cfgs[i]) != 0) {
			c->cfgs[k++] = c->cfgs[i];
		}
	}
	c->n_cfgs = k;
	return 0;
}

static int32_t cfg_find(const struct chk *c, const struct hist_event *e)
{
	struct cfgk key = { .type = e->cc_type, .ring = e->ring, .off = e->members_off, .n = e->n_members };

	cmp_h = c->h;
	const struct cfgk *f = bsearch(&key, c->cfgs, c->n_cfgs, sizeof(key), cmp_cfg);
	return f ? (int32_t)(f - c->cfgs) : -1;
}

static int cmp_mref(const void *a, const void *b)
{
	const struct mref *x = a, *y = b;

	return (x->m > y->m) - (x->m < y->m);
}

static const struct mref *seg_has(const struct seg *s, int32_t m)
{
	struct mref key = { .m = m };

	return bsearch(&key, s->msgs, s->n_msgs, sizeof(key), cmp_mref);
}

/* Per incarnation: graph index of every event, first deliveries, segments,
 * delivery path. stamp is a per-message scratch array. */
static int build_incx(struct chk *c, size_t xi, uint32_t *stamp, uint32_t *gstamp)
{
	struct incx *x = &c->x[xi];
	const struct hist_inc *hi = x->hi;
	size_t n = hi->n_ev ? hi->n_ev : 1;
	size_t ncc = hist_inc_events(hi, HIST_EV_CONFCHG);

	x->g = malloc(n * sizeof(*x->g));
	x->first = calloc(n, sizeof(*x->first));
	x->segs = calloc(ncc ? ncc : 1, sizeof(*x->segs));
	x->path = malloc(n * sizeof(*x->path));
	x->path_ev = malloc(n * sizeof(*x->path_ev));
	if (x->g == NULL || x->first == NULL || x->segs == NULL || x->path == NULL || x->path_ev == NULL) {
		return -ENOMEM;
	}
	x->end_kind = HIST_END_NONE;
	for (size_t i = 0; i < hi->n_ev; i++) {
		const struct hist_event *e = &hi->ev[i];
		x->g[i] = -1;
		if (e->type == HIST_EV_SEND || e->type == HIST_EV_DELIVER) {
			int32_t m = msg_find(c, &e->id);
			x->g[i] = m;
			if (c->guar[m] == 0xff) {
				c->guar[m] = e->guarantee;
			}
			if (e->type == HIST_EV_DELIVER && stamp[m] != xi + 1) {
				stamp[m] = (uint32_t)xi + 1;
				x->first[i] = true;
			}
		} else if (e->type == HIST_EV_CONFCHG) {
			x->g[i] = (int32_t)c->n_msgs + cfg_find(c, e);
			struct seg *s = &x->segs[x->n_segs];
			if (x->n_segs > 0) {
				s[-1].next_cfg = x->g[i] - (int32_t)c->n_msgs;
				s[-1].ev_next = i;
			}
			s->cfg = x->g[i] - (int32_t)c->n_msgs;
			s->next_cfg = -1;
			s->ev_start = i;
			s->ev_next = hi->n_ev;
			x->n_segs++;
		} else if (e->type == HIST_EV_END) {
			x->end_kind = e->end_kind;
		}
		/* the path: first deliveries and first installs of each graph node */
		if ((e->type == HIST_EV_DELIVER && x->first[i]) ||
		    (e->type == HIST_EV_CONFCHG && gstamp[x->g[i]] != xi + 1)) {
			gstamp[x->g[i]] = (uint32_t)xi + 1;
			x->path[x->n_path] = x->g[i];
			x->path_ev[x->n_path++] = (uint32_t)i;
		}
	}
	for (size_t s = 0; s < x->n_segs; s++) {
		struct seg *sg = &x->segs[s];
		size_t cnt = 0;
		for (size_t i = sg->ev_start; i < sg->ev_next; i++) {
			cnt += hi->ev[i].type == HIST_EV_DELIVER && x->first[i];
		}
		sg->msgs = malloc((cnt ? cnt : 1) * sizeof(*sg->msgs));
		if (sg->msgs == NULL) {
			return -ENOMEM;
		}
		for (size_t i = sg->ev_start; i < sg->ev_next; i++) {
			if (hi->ev[i].type == HIST_EV_DELIVER && x->first[i]) {
				sg->msgs[sg->n_msgs++] = (struct mref){ .m = x->g[i], .ev = (uint32_t)i };
			}
		}
		qsort(sg->msgs, sg->n_msgs, sizeof(*sg->msgs), cmp_mref);
	}
	return 0;
}

static int build_cfg_segs(struct chk *c)
{
	size_t total = 0;

	c->cs_off = calloc(c->n_cfgs + 1, sizeof(*c->cs_off));
	if (c->cs_off == NULL) {
		return -ENOMEM;
	}
	for (size_t x = 0; x < c->n_x; x++) {
		for (size_t s = 0; s < c->x[x].n_segs; s++) {
			c->cs_off[c->x[x].segs[s].cfg + 1]++;
			total++;
		}
	}
	for (size_t i = 0; i < c->n_cfgs; i++) {
		c->cs_off[i + 1] += c->cs_off[i];
	}
	c->cs = malloc((total ? total : 1) * sizeof(*c->cs));
	size_t *fill = calloc(c->n_cfgs + 1, sizeof(*fill));
	if (c->cs == NULL || fill == NULL) {
		free(fill);
		return -ENOMEM;
	}
	for (size_t x = 0; x < c->n_x; x++) {
		for (size_t s = 0; s < c->x[x].n_segs; s++) {
			int32_t cfg = c->x[x].segs[s].cfg;
			c->cs[c->cs_off[cfg] + fill[cfg]++] = (struct segref){ (uint32_t)x, (uint32_t)s };
		}
	}
	free(fill);
	return 0;
}

/* ------------------------------------------------------------ properties */

/* First element of a (sorted) missing from b (sorted), or 0. */
static uint32_t ids_not_in(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	size_t j = 0;

	for (size_t i = 0; i < na; i++) {
		while (j < nb && b[j] < a[i]) {
			j++;
		}
		if (j == nb || b[j] != a[i]) {
			return a[i];
		}
	}
	return 0;
}

/* Is list == a minus b (all sorted)? */
static bool ids_is_diff(const uint32_t *list, size_t nl, const uint32_t *a, size_t na,
                        const uint32_t *b, size_t nb)
{
	size_t k = 0, j = 0;

	for (size_t i = 0; i < na; i++) {
		while (j < nb && b[j] < a[i]) {
			j++;
		}
		if (j < nb && b[j] == a[i]) {
			continue;
		}
		if (k == nl || list[k] != a[i]) {
			return false;
		}
		k++;
	}
	return k == nl;
}

static bool ids_has(const uint32_t *a, size_t n, uint32_t v)
{
	return ids_not_in(&v, 1, a, n) == 0;
}

static void check_confchg(struct chk *c, size_t x, size_t i, const struct hist_event *prev_r,
                          const struct hist_event *last_cc, const struct hist_event *next_r)
{
	const struct hist_inc *hi = c->x[x].hi;
	const uint32_t *ids = c->h->ids;
	const struct hist_event *e = &hi->ev[i];
	const uint32_t *m = &ids[e->members_off];
	uint32_t bad;

	if (!ids_has(m, e->n_members, hi->nodeid)) {
		if (violation(c, HIST_P_EVS)) {
			rp(c, "configuration does not include the node that installed it");
			rp_event(c, x, i, "configuration");
		}
		return;
	}
	if (e->cc_type == HIST_TRANSITIONAL) {
		if (last_cc != NULL && last_cc->cc_type == HIST_TRANSITIONAL) {
			if (violation(c, HIST_P_EVS)) {
				rp(c, "two transitional configurations in a row");
				rp_context(c, x, i);
			}
		}
		if (prev_r != NULL) {
			const uint32_t *pm = &ids[prev_r->members_off];
			if ((bad = ids_not_in(m, e->n_members, pm, prev_r->n_members)) != 0) {
				if (violation(c, HIST_P_EVS)) {
					rp(c, "transitional member %" PRIu32 " was not in the previous regular configuration", bad);
					rp_context(c, x, i);
				}
			} else if (!ids_is_diff(&ids[e->left_off], e->n_left, pm, prev_r->n_members, m, e->n_members)) {
				if (violation(c, HIST_P_EVS)) {
					rp(c, "left list is not (previous regular members - transitional members)");
					rp_context(c, x, i);
				}
			}
		}
		if (next_r != NULL &&
		    (bad = ids_not_in(m, e->n_members, &ids[next_r->members_off], next_r->n_members)) != 0) {
			if (violation(c, HIST_P_EVS)) {
				rp(c, "transitional member %" PRIu32 " is not in the next regular configuration", bad);
				rp_context(c, x, i);
			}
		}
		return;
	}
	if (last_cc != NULL && last_cc->cc_type == HIST_REGULAR) {
		if (violation(c, HIST_P_EVS)) {
			rp(c, "regular configuration not preceded by its transitional configuration");
			rp_context(c, x, i);
		}
	} else if (last_cc != NULL &&
	           !ids_is_diff(&ids[e->joined_off], e->n_joined, m, e->n_members,
	                        &ids[last_cc->members_off], last_cc->n_members)) {
		if (violation(c, HIST_P_EVS)) {
			rp(c, "joined list is not (regular members - transitional members)");
			rp_context(c, x, i);
		}
	}
}

static void check_structure(struct chk *c)
{
	for (size_t x = 0; x < c->n_x; x++) {
		const struct hist_inc *hi = c->x[x].hi;
		const struct hist_event *prev_r = NULL, *last_cc = NULL;
		bool reported_early = false;
		for (size_t i = 0; i < hi->n_ev; i++) {
			const struct hist_event *e = &hi->ev[i];
			if (e->type == HIST_EV_DELIVER && last_cc == NULL && !reported_early) {
				reported_early = true;
				if (violation(c, HIST_P_EVS)) {
					rp(c, "message delivered before any configuration was installed");
					rp_event(c, x, i, "delivery");
				}
			}
			if (e->type != HIST_EV_CONFCHG) {
				continue;
			}
			const struct hist_event *next_r = NULL;
			if (e->cc_type == HIST_TRANSITIONAL) {
				for (size_t j = i + 1; j < hi->n_ev; j++) {
					if (hi->ev[j].type == HIST_EV_CONFCHG) {
						next_r = hi->ev[j].cc_type == HIST_REGULAR ? &hi->ev[j] : NULL;
						break;
					}
				}
			}
			check_confchg(c, x, i, prev_r, last_cc, next_r);
			last_cc = e;
			if (e->cc_type == HIST_REGULAR) {
				prev_r = e;
			}
		}
	}
	/* one regular ring id names one member set everywhere */
	for (size_t k = 1; k < c->n_cfgs; k++) {
		const struct cfgk *a = &c->cfgs[k - 1], *b = &c->cfgs[k];
		if (a->type == HIST_REGULAR && b->type == HIST_REGULAR && a->ring.rep == b->ring.rep &&
		    a->ring.seq == b->ring.seq && violation(c, HIST_P_EVS)) {
			rp(c, "two different member sets installed as regular ring %" PRIu32 ".%" PRIu64,
			   a->ring.rep, a->ring.seq);
			rp_event(c, a->ex_x, a->ex_ev, "one");
			rp_event(c, b->ex_x, b->ex_ev, "other");
		}
	}
}

static void check_integrity_send(struct chk *c, size_t x, size_t i)
{
	const struct hist_inc *hi = c->x[x].hi;
	const struct hist_event *e = &hi->ev[i];
	int32_t m = c->x[x].g[i];
	char b[64];

	if (e->id.origin != hi->nodeid || e->id.inc != hi->inc) {
		if (violation(c, HIST_P_INTEGRITY)) {
			rp(c, "message %s sent by another node-incarnation's id", mid(&e->id, b, sizeof(b)));
			rp_event(c, x, i, "send");
		}
		return;
	}
	if (c->send_x[m] >= 0) {
		if (violation(c, HIST_P_INTEGRITY)) {
			rp(c, "message id %s sent twice", mid(&e->id, b, sizeof(b)));
			rp_event(c, (size_t)c->send_x[m], c->send_ev[m], "first send");
			rp_event(c, x, i, "second send");
		}
		return;
	}
	c->send_x[m] = (int32_t)x;
	c->send_ev[m] = (uint32_t)i;
}

static void check_integrity_deliver(struct chk *c, size_t x, size_t i)
{
	const struct hist_event *e = &c->x[x].hi->ev[i];
	int32_t m = c->x[x].g[i];
	char b[64];

	if (!e->ok) {
		if (violation(c, HIST_P_INTEGRITY)) {
			rp(c, "payload checksum mismatch in %s", mid(&e->id, b, sizeof(b)));
			rp_event(c, x, i, "delivery");
		}
		return;
	}
	if (e->sender != e->id.origin) {
		if (violation(c, HIST_P_INTEGRITY)) {
			rp(c, "delivered with sender %" PRIu32 " but the message id names %" PRIu32, e->sender,
			   e->id.origin);
			rp_event(c, x, i, "delivery");
		}
		return;
	}
	if (x_find(c, e->id.origin, e->id.inc) < 0) {
		return; /* the sender's record is not part of this history */
	}
	if (c->send_x[m] < 0) {
		if (violation(c, HIST_P_INTEGRITY)) {
			rp(c, "delivered %s, which its sender never sent", mid(&e->id, b, sizeof(b)));
			rp_event(c, x, i, "delivery");
		}
		return;
	}
	const struct hist_event *s = &c->x[c->send_x[m]].hi->ev[c->send_ev[m]];
	if (s->len != e->len || s->guarantee != e->guarantee) {
		if (violation(c, HIST_P_INTEGRITY)) {
			rp(c, "%s delivered with size/guarantee other than sent", mid(&e->id, b, sizeof(b)));
			rp_event(c, x, i, "delivery");
			rp_event(c, (size_t)c->send_x[m], c->send_ev[m], "send");
		}
	}
}

static void check_integrity(struct chk *c)
{
	for (size_t x = 0; x < c->n_x; x++) {
		const struct hist_inc *hi = c->x[x].hi;
		for (size_t i = 0; i < hi->n_ev; i++) {
			if (hi->ev[i].type == HIST_EV_SEND) {
				check_integrity_send(c, x, i);
			}
		}
	}
	for (size_t x = 0; x < c->n_x; x++) {
		const struct hist_inc *hi = c->x[x].hi;
		for (size_t i = 0; i < hi->n_ev; i++) {
			if (hi->ev[i].type == HIST_EV_DELIVER) {
				check_integrity_deliver(c, x, i);
			}
		}
	}
}

static void check_dup(struct chk *c, uint32_t *first_ev)
{
	char b[64], n[64];

	for (size_t x = 0; x < c->n_x; x++) {
		const struct incx *ix = &c->x[x];
		for (size_t i = 0; i < ix->hi->n_ev; i++) {
			if (ix->hi->ev[i].type != HIST_EV_DELIVER) {
				continue;
			}
			if (ix->first[i]) {
				first_ev[ix->g[i]] = (uint32_t)i;
			} else if (violation(c, HIST_P_DUP)) {
				rp(c, "%s delivered %s twice", node_name(c, x, n, sizeof(n)),
				   mid(&ix->hi->ev[i].id, b, sizeof(b)));
				rp_event(c, x, first_ev[ix->g[i]], "first");
				rp_event(c, x, i, "again");
			}
		}
	}
}

static void check_ringseq(struct chk *c)
{
	size_t px = 0, pev = 0, rx = 0, rev = 0;
	bool have_prev = false, have_reg = false;

	for (size_t x = 0; x < c->n_x; x++) {
		const struct hist_inc *hi = c->x[x].hi;

		if (x == 0 || c->x[x - 1].hi->nodeid != hi->nodeid) {
			have_prev = have_reg = false;
		}
		for (size_t i = 0; i < hi->n_ev; i++) {
			const struct hist_event *e = &hi->ev[i];
			if (e->type != HIST_EV_CONFCHG) {
				continue;
			}
			if (have_prev && e->ring.seq < c->x[px].hi->ev[pev].ring.seq) {
				if (violation(c, HIST_P_RINGSEQ)) {
					rp(c, "ring sequence went backwards on node %" PRIu32, hi->nodeid);
					rp_event(c, px, pev, "before");
					rp_event(c, x, i, "after");
				}
			} else if (e->cc_type == HIST_REGULAR && have_reg &&
			           e->ring.seq <= c->x[rx].hi->ev[rev].ring.seq) {
				if (violation(c, HIST_P_RINGSEQ)) {
					rp(c, "regular ring sequence did not increase on node %" PRIu32, hi->nodeid);
					rp_event(c, rx, rev, "before");
					rp_event(c, x, i, "after");
				}
			}
			px = x;
			pev = i;
			have_prev = true;
			if (e->cc_type == HIST_REGULAR) {
				rx = x;
				rev = i;
				have_reg = true;
			}
		}
	}
}

static void gname(const struct chk *c, int32_t g, char *buf, size_t len)
{
	if (g < (int32_t)c->n_msgs) {
		char b[64];
		snprintf(buf, len, "message %s", mname(c, g, b, sizeof(b)));
	} else {
		cfg_desc(c, g - (int32_t)c->n_msgs, buf, len);
	}
}

/* Pairwise: the common part of two incarnations' paths is in the same order. */
static int check_order_pairs(struct chk *c, size_t n_g)
{
	size_t *off = calloc(n_g + 1, sizeof(*off));
	size_t total = 0;

	if (off == NULL) {
		return -ENOMEM;
	}
	for (size_t x = 0; x < c->n_x; x++) {
		for (size_t p = 0; p < c->x[x].n_path; p++) {
			off[c->x[x].path[p] + 1]++;
			total++;
		}
	}
	for (size_t g = 0; g < n_g; g++) {
		off[g + 1] += off[g];
	}
	struct occ { uint32_t x, pos; } *occ = malloc((total ? total : 1) * sizeof(*occ));
	size_t *fill = calloc(n_g, sizeof(*fill));
	int64_t *last = malloc((c->n_x ? c->n_x : 1) * sizeof(*last));
	if (occ == NULL || fill == NULL || last == NULL) {
		free(off);
		free(occ);
		free(fill);
		free(last);
		return -ENOMEM;
	}
	for (size_t x = 0; x < c->n_x; x++) {
		for (size_t p = 0; p < c->x[x].n_path; p++) {
			int32_t g = c->x[x].path[p];
			occ[off[g] + fill[g]++] = (struct occ){ (uint32_t)x, (uint32_t)p };
		}
	}
	for (size_t q = 0; q < c->n_x; q++) {
		const struct incx *qx = &c->x[q];
		for (size_t x = 0; x < c->n_x; x++) {
			last[x] = -1;
		}
		for (size_t pos = 0; pos < qx->n_path; pos++) {
			int32_t g = qx->path[pos];
			for (size_t k = off[g]; k < off[g + 1]; k++) {
				size_t p = occ[k].x;
				if (p == q) {
					continue;
				}
				if ((int64_t)occ[k].pos > last[p]) {
					last[p] = occ[k].pos;
					continue;
				}
				if (violation(c, HIST_P_ORDER)) {
					char a[1100], b[1100], n1[64], n2[64];
					int32_t gb = c->x[p].path[last[p]];
					gname(c, g, a, sizeof(a));
					gname(c, gb, b, sizeof(b));
					rp(c, "%s delivered %s before %s; %s delivered them the other way round",
					   node_name(c, p, n1, sizeof(n1)), a, b, node_name(c, q, n2, sizeof(n2)));
					rp_event(c, p, c->x[p].path_ev[occ[k].pos], "first at p");
					rp_event(c, p, c->x[p].path_ev[last[p]], "then at p");
					rp_event(c, q, qx->path_ev[pos], "later at q");
				}
			}
		}
	}
	free(off);
	free(occ);
	free(fill);
	free(last);
	return 0;
}

/* Globally: the union of all paths is acyclic (Kahn). */
static int check_order_global(struct chk *c, size_t n_g)
{
	size_t n_e = 0;

	for (size_t x = 0; x < c->n_x; x++) {
		n_e += c->x[x].n_path ? c->x[x].n_path - 1 : 0;
	}
	size_t *off = calloc(n_g + 1, sizeof(*off));
	uint32_t *indeg = calloc(n_g ? n_g : 1, sizeof(*indeg));
	int32_t *adj = malloc((n_e ? n_e : 1) * sizeof(*adj));
	int32_t *queue = malloc((n_g ? n_g : 1) * sizeof(*queue));
	size_t *fill = calloc(n_g ? n_g : 1, sizeof(*fill));
	int rc = -ENOMEM;

	if (off == NULL || indeg == NULL || adj == NULL || queue == NULL || fill == NULL) {
		goto out;
	}
	for (size_t x = 0; x < c->n_x; x++) {
		for (size_t p = 1; p < c->x[x].n_path; p++) {
			off[c->x[x].path[p - 1] + 1]++;
			indeg[c->x[x].path[p]]++;
		}
	}
	for (size_t g = 0; g < n_g; g++) {
		off[g + 1] += off[g];
	}
	for (size_t x = 0; x < c->n_x; x++) {
		for (size_t p = 1; p < c->x[x].n_path; p++) {
			int32_t a = c->x[x].path[p - 1];
			adj[off[a] + fill[a]++] = c->x[x].path[p];
		}
	}
	size_t head = 0, tail = 0;
	for (size_t g = 0; g < n_g; g++) {
		if (indeg[g] == 0) {
			queue[tail++] = (int32_t)g;
		}
	}
	while (head < tail) {
		int32_t g = queue[head++];
		for (size_t k = off[g]; k < off[g + 1]; k++) {
			if (--indeg[adj[k]] == 0) {
				queue[tail++] = adj[k];
			}
		}
	}
	if (tail < n_g && violation(c, HIST_P_ORDER)) {
		size_t left = 0;
		rp(c, "deliveries of all nodes do not fit one total order; caught in a cycle:");
		for (size_t g = 0; g < n_g && left < 8; g++) {
			if (indeg[g] > 0) {
				char b[1100];
				gname(c, (int32_t)g, b, sizeof(b));
				rp(c, "\n  %s", b);
				left++;
			}
		}
	}
	rc = 0;
out:
	free(off);
	free(indeg);
	free(adj);
	free(queue);
	free(fill);
	return rc;
}

static void check_self(struct chk *c, uint32_t *stamp, uint32_t *dev)
{
	char b[64], n[64];

	for (size_t x = 0; x < c->n_x; x++) {
		const struct incx *ix = &c->x[x];
		for (size_t i = 0; i < ix->hi->n_ev; i++) {
			if (ix->hi->ev[i].type == HIST_EV_DELIVER && ix->first[i]) {
				stamp[ix->g[i]] = (uint32_t)x + 1;
				dev[ix->g[i]] = (uint32_t)i;
			}
		}
		if (ix->end_kind != HIST_END_END) {
			continue; /* crashed or left: exempt */
		}
		for (size_t i = 0; i < ix->hi->n_ev; i++) {
			const struct hist_event *e = &ix->hi->ev[i];
			if (e->type != HIST_EV_SEND) {
				continue;
			}
			int32_t m = ix->g[i];
			if (stamp[m] == x + 1 && dev[m] > i) {
				continue;
			}
			if (violation(c, HIST_P_SELF)) {
				rp(c, "%s sent %s and %s", node_name(c, x, n, sizeof(n)), mid(&e->id, b, sizeof(b)),
				   stamp[m] == x + 1 ? "delivered it before sending it" : "never delivered it");
				rp_event(c, x, i, "send");
				rp_event(c, x, ix->hi->n_ev - 1, "end");
				rp_context(c, x, i);
			}
		}
	}
}

/* How the segment that follows segment s ends, as an obligation for q. */
static bool seg_exempt(const struct incx *ix, size_t s)
{
	return s + 1 == ix->n_segs && ix->end_kind != HIST_END_END;
}

static void report_missing(struct chk *c, enum hist_property p, size_t px, const struct mref *mr,
                           size_t qx, size_t qs, const char *why)
{
	char n1[64], n2[64], b[64], cd[1100];
	const struct seg *sg = &c->x[qx].segs[qs];

	if (!violation(c, p)) {
		return;
	}
	rp(c, "%s did not deliver %s, which %s delivered in %s (%s)", node_name(c, qx, n1, sizeof(n1)),
	   mname(c, mr->m, b, sizeof(b)), node_name(c, px, n2, sizeof(n2)),
	   cfg_desc(c, sg->cfg, cd, sizeof(cd)), why);
	rp_event(c, px, mr->ev, "delivered at");
	rp_event(c, qx, sg->ev_start, "missing at, from");
	rp_event(c, qx, sg->ev_next, "until");
}

static void check_safe_seg(struct chk *c, size_t px, const struct seg *ps, const struct mref *mr)
{
	int32_t cfg = ps->cfg;

	for (size_t k = c->cs_off[cfg]; k < c->cs_off[cfg + 1]; k++) {
		size_t qx = c->cs[k].x, qs = c->cs[k].s;
		const struct incx *q = &c->x[qx];
		if (qx == px || seg_has(&q->segs[qs], mr->m) || seg_exempt(q, qs)) {
			continue;
		}
		if (c->cfgs[cfg].type == HIST_REGULAR && qs + 1 < q->n_segs &&
		    c->cfgs[q->segs[qs + 1].cfg].type == HIST_TRANSITIONAL &&
		    (seg_has(&q->segs[qs + 1], mr->m) || seg_exempt(q, qs + 1))) {
			continue;
		}
		report_missing(c, HIST_P_SAFE, px, mr, qx, qs,
		               "a safe message; the node did not crash or leave before its next change");
	}
}

static void check_safe(struct chk *c)
{
	for (size_t x = 0; x < c->n_x; x++) {
		for (size_t s = 0; s < c->x[x].n_segs; s++) {
			const struct seg *sg = &c->x[x].segs[s];
			for (size_t k = 0; k < sg->n_msgs; k++) {
				if (c->guar[sg->msgs[k].m] == HIST_SAFE) {
					check_safe_seg(c, x, sg, &sg->msgs[k]);
				}
			}
		}
	}
}

/* Did p (segment ps) and q (segment qs) of the same configuration leave it
 * together: same next configuration, or both at the end of the run? */
static bool moved_together(const struct chk *c, size_t px, size_t ps, size_t qx, size_t qs)
{
	const struct seg *a = &c->x[px].segs[ps], *b = &c->x[qx].segs[qs];

	if (a->next_cfg >= 0) {
		return a->next_cfg == b->next_cfg;
	}
	return b->next_cfg < 0 && c->x[px].end_kind == HIST_END_END && c->x[qx].end_kind == HIST_END_END;
}

static void check_noloss(struct chk *c)
{
	for (size_t cfg = 0; cfg < c->n_cfgs; cfg++) {
		if (c->cfgs[cfg].type != HIST_REGULAR) {
			continue;
		}
		for (size_t i = c->cs_off[cfg]; i < c->cs_off[cfg + 1]; i++) {
			size_t px = c->cs[i].x, ps = c->cs[i].s;
			const struct seg *a = &c->x[px].segs[ps];
			for (size_t j = c->cs_off[cfg]; j < c->cs_off[cfg + 1]; j++) {
				size_t qx = c->cs[j].x, qs = c->cs[j].s;
				if (qx == px || !moved_together(c, px, ps, qx, qs)) {
					continue;
				}
				const struct incx *q = &c->x[qx];
				for (size_t k = 0; k < a->n_msgs; k++) {
					int32_t m = a->msgs[k].m;
					if (seg_has(&q->segs[qs], m) ||
					    (qs + 1 < q->n_segs && seg_has(&q->segs[qs + 1], m))) {
						continue;
					}
					report_missing(c, HIST_P_NOLOSS, px, &a->msgs[k], qx, qs,
					               a->next_cfg >= 0 ? "both moved on to the same next configuration"
					                                : "both were still running at the end");
				}
			}
		}
	}
}

static void check_agreement(struct chk *c)
{
	for (size_t cfg = 0; cfg < c->n_cfgs; cfg++) {
		for (size_t i = c->cs_off[cfg]; i < c->cs_off[cfg + 1]; i++) {
			size_t px = c->cs[i].x, ps = c->cs[i].s;
			const struct seg *a = &c->x[px].segs[ps];
			if (a->next_cfg < 0) {
				continue;
			}
			for (size_t j = c->cs_off[cfg]; j < c->cs_off[cfg + 1]; j++) {
				size_t qx = c->cs[j].x, qs = c->cs[j].s;
				const struct seg *b = &c->x[qx].segs[qs];
				if (qx == px || b->next_cfg != a->next_cfg) {
					continue;
				}
				for (size_t k = 0; k < a->n_msgs; k++) {
					if (!seg_has(b, a->msgs[k].m)) {
						char cd[1100], why[1200];
						cfg_desc(c, a->next_cfg, cd, sizeof(cd));
						snprintf(why, sizeof(why), "both then installed %s", cd);
						report_missing(c, HIST_P_EVS, px, &a->msgs[k], qx, qs, why);
					}
				}
			}
		}
	}
}

static void check_converge(struct chk *c)
{
	uint32_t live[LIVE_MAX];
	size_t n_live = 0;
	int32_t ring = -1;
	size_t ring_x = 0;

	if (!c->h->has_deadline) {
		return;
	}
	for (size_t x = 0; x < c->n_x; x++) {
		if (c->x[x].end_kind == HIST_END_END && n_live < LIVE_MAX &&
		    (n_live == 0 || live[n_live - 1] != c->x[x].hi->nodeid)) {
			live[n_live++] = c->x[x].hi->nodeid;
		}
	}
	for (size_t x = 0; x < c->n_x; x++) {
		const struct incx *ix = &c->x[x];
		char n1[64], cd[1100], lv[1024];
		if (ix->end_kind != HIST_END_END) {
			continue;
		}
		const struct seg *last = ix->n_segs ? &ix->segs[ix->n_segs - 1] : NULL;
		const struct cfgk *k = last ? &c->cfgs[last->cfg] : NULL;
		const char *why = NULL;
		if (last == NULL) {
			why = "never installed a configuration";
		} else if (k->type != HIST_REGULAR) {
			why = "ends in a transitional configuration";
		} else if (k->n != n_live || memcmp(&c->h->ids[k->off], live, n_live * sizeof(*live)) != 0) {
			why = "ends in a ring that is not exactly the live nodes";
		} else if (ring >= 0 && ring != last->cfg) {
			why = "ends in another ring than the other live nodes";
		} else if (ix->hi->ev[last->ev_start].time_us != HIST_TIME_NONE &&
		           ix->hi->ev[last->ev_start].time_us > c->h->deadline_us) {
			why = "installed the final ring after the deadline";
		}
		if (why == NULL) {
			if (ring < 0) {
				ring = last->cfg;
				ring_x = x;
			}
			continue;
		}
		if (violation(c, HIST_P_CONVERGE)) {
			hist_ids_format(live, n_live, lv, sizeof(lv));
			rp(c, "%s %s (live nodes {%s}, deadline @%" PRIu64 ")", node_name(c, x, n1, sizeof(n1)), why,
			   lv, c->h->deadline_us);
			if (last != NULL) {
				rp(c, "\n  its last configuration: %s", cfg_desc(c, last->cfg, cd, sizeof(cd)));
				rp_event(c, x, last->ev_start, "installed");
			}
			if (ring >= 0) {
				rp(c, "\n  %s ends in %s", node_name(c, ring_x, n1, sizeof(n1)),
				   cfg_desc(c, ring, cd, sizeof(cd)));
			}
		}
	}
}

static void chk_free(struct chk *c)
{
	for (size_t x = 0; x < c->n_x; x++) {
		struct incx *ix = &c->x[x];
		for (size_t s = 0; s < ix->n_segs; s++) {
			free(ix->segs[s].msgs);
		}
		free(ix->g);
		free(ix->first);
		free(ix->segs);
		free(ix->path);
		free(ix->path_ev);
	}
	free(c->x);
	free(c->msgs);
	free(c->send_x);
	free(c->send_ev);
	free(c->guar);
	free(c->cfgs);
	free(c->cs_off);
	free(c->cs);
}

static int run_checks(struct chk *c)
{
	size_t n_g = c->n_msgs + c->n_cfgs;
	uint32_t *s1 = calloc(n_g ? n_g : 1, sizeof(*s1));
	uint32_t *s2 = calloc(n_g ? n_g : 1, sizeof(*s2));
	int rc = -ENOMEM;

	if (s1 == NULL || s2 == NULL) {
		goto out;
	}
	for (size_t x = 0; x < c->n_x; x++) {
		if ((rc = build_incx(c, x, s1, s2)) < 0) {
			goto out;
		}
	}
	if ((rc = build_cfg_segs(c)) < 0) {
		goto out;
	}
	check_structure(c);
	check_integrity(c);
	check_dup(c, s1);
	check_ringseq(c);
	if ((rc = check_order_pairs(c, n_g)) < 0) {
		goto out;
	}
	if (c->r->per_property[HIST_P_ORDER] == 0 && (rc = check_order_global(c, n_g)) < 0) {
		goto out;
	}
	memset(s1, 0, n_g * sizeof(*s1));
	check_self(c, s1, s2);
	check_safe(c);
	check_noloss(c);
	check_agreement(c);
	check_converge(c);
	rc = 0;
out:
	free(s1);
	free(s2);
	return rc;
}

int hist_check(const struct hist *h, struct hist_report *ret_report)
{
	struct hist_report r = { 0 };
	struct chk c = { .h = h, .r = &r };
	int rc;

	c.x = calloc(h->n_incs ? h->n_incs : 1, sizeof(*c.x));
	if (c.x == NULL) {
		return -ENOMEM;
	}
	c.n_x = h->n_incs;
	for (size_t i = 0; i < h->n_incs; i++) {
		c.x[i].hi = h->incs[i];
	}
	qsort(c.x, c.n_x, sizeof(*c.x), cmp_incx);
	if ((rc = intern_msgs(&c)) < 0 || (rc = intern_cfgs(&c)) < 0 || (rc = run_checks(&c)) < 0) {
		chk_free(&c);
		return rc;
	}
	chk_free(&c);
	*ret_report = r;
	return (int)r.violations;
}
