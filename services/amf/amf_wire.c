/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Encoding and decoding of the AMF engine's cluster messages and of its
 * replicated state (layouts in amf_wire.h). Writers and readers move a
 * cursor over a byte buffer with explicit little-endian stores; a reader
 * that would pass the end marks the decode bad, and a bad decode fails as a
 * whole.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "amf_wire.h"

#define AMF_STATE_MAGIC 0x31464d41u /* "AMF1" */
#define AMF_STATE_VERSION 2u

/* ---- cursors ---- */

struct amf_wr {
	uint8_t *p;   /**< NULL while only measuring */
	size_t off;
	size_t cap;
	bool oom;
};

struct amf_rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool bad;
};

static bool wr_room(struct amf_wr *w, size_t n)
{
	if (w->oom)
		return false;
	if (w->off + n > w->cap) {
		size_t ncap = w->cap ? w->cap : 4096;
		uint8_t *np;

		while (ncap < w->off + n)
			ncap *= 2;
		if (ncap > AMF_STATE_MAX + 65536u) {
			w->oom = true;
			return false;
		}
		np = realloc(w->p, ncap);
		if (!np) {
			w->oom = true;
			return false;
		}
		w->p = np;
		w->cap = ncap;
	}
	return true;
}

static void wr_bytes(struct amf_wr *w, const void *b, size_t n)
{
	if (!wr_room(w, n))
		return;
	if (n)
		memcpy(w->p + w->off, b, n);
	w->off += n;
}

static void wr_u16(struct amf_wr *w, uint16_t v)
{
	v = htole16(v);
	wr_bytes(w, &v, 2);
}

static void wr_u32(struct amf_wr *w, uint32_t v)
{
	v = htole32(v);
	wr_bytes(w, &v, 4);
}

static void wr_u64(struct amf_wr *w, uint64_t v)
{
	v = htole64(v);
	wr_bytes(w, &v, 8);
}

static void rd_bytes(struct amf_rd *r, void *b, size_t n)
{
	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		if (b && n)
			memset(b, 0, n);
		return;
	}
	if (b && n)
		memcpy(b, r->p + r->off, n);
	r->off += n;
}

static uint16_t rd_u16(struct amf_rd *r)
{
	uint16_t v;

	rd_bytes(r, &v, 2);
	return le16toh(v);
}

static uint32_t rd_u32(struct amf_rd *r)
{
	uint32_t v;

	rd_bytes(r, &v, 4);
	return le32toh(v);
}

static uint64_t rd_u64(struct amf_rd *r)
{
	uint64_t v;

	rd_bytes(r, &v, 8);
	return le64toh(v);
}

/* ---- fixed buffers for messages (sizes known in advance) ---- */

static void put_u32(uint8_t *p, size_t *off, uint32_t v)
{
	v = htole32(v);
	memcpy(p + *off, &v, 4);
	*off += 4;
}

static void put_u64(uint8_t *p, size_t *off, uint64_t v)
{
	v = htole64(v);
	memcpy(p + *off, &v, 8);
	*off += 8;
}

static void put_name(uint8_t *p, size_t *off, const struct amf_wire_name *n)
{
	uint32_t len = n->len <= AMF_DN_MAX ? n->len : AMF_DN_MAX;

	put_u32(p, off, len);
	memset(p + *off, 0, AMF_DN_MAX);
	memcpy(p + *off, n->value, len);
	*off += AMF_DN_MAX;
}

static void put_hdr(uint8_t *p, size_t *off, enum amf_exec_fn fn, size_t size)
{
	put_u32(p, off, AIS_EXEC_ID(AIS_SERVICE_AMF, fn));
	put_u32(p, off, (uint32_t)size);
}

/* A name is valid when its length fits and no NUL is inside it. */
static void rd_name(struct amf_rd *r, struct amf_wire_name *n)
{
	n->len = rd_u32(r);
	if (n->len > AMF_DN_MAX)
		r->bad = true;
	rd_bytes(r, n->value, AMF_DN_MAX);
	if (r->bad) {
		n->len = 0;
		n->value[0] = '\0';
		return;
	}
	n->value[n->len] = '\0';
	if (memchr(n->value, '\0', n->len))
		r->bad = true;
}

static int rd_hdr(struct amf_rd *r, enum amf_exec_fn fn, size_t min, size_t max)
{
	uint32_t id, size;

	if (r->len < min || r->len > max)
		return -EINVAL;
	id = rd_u32(r);
	size = rd_u32(r);
	if (id != AIS_EXEC_ID(AIS_SERVICE_AMF, fn) || size != r->len)
		return -EINVAL;
	return 0;
}

static int rd_end(const struct amf_rd *r)
{
	return r->bad || r->off != r->len ? -EINVAL : 0;
}

int amf_wire_name_set(struct amf_wire_name *n, const char *s)
{
	size_t len = strlen(s);

	memset(n, 0, sizeof(*n));
	if (len > AMF_DN_MAX)
		return -ENAMETOOLONG;
	n->len = (uint32_t)len;
	memcpy(n->value, s, len);
	return 0;
}

/* ---- messages ---- */

size_t amf_wire_error_encode(uint8_t *buf, const struct amf_wire_error *m)
{
	size_t off = 0;

	put_hdr(buf, &off, AMF_EXEC_ERROR, AMF_WIRE_ERROR_SIZE);
	put_u64(buf, &off, m->ts);
	put_u32(buf, &off, m->recommended);
	put_u32(buf, &off, m->source);
	put_name(buf, &off, &m->comp);
	return off;
}

int amf_wire_error_decode(const void *msg, size_t len, struct amf_wire_error *ret)
{
	struct amf_rd r = { msg, len, 0, false };

	if (rd_hdr(&r, AMF_EXEC_ERROR, AMF_WIRE_ERROR_SIZE, AMF_WIRE_ERROR_SIZE) < 0)
		return -EINVAL;
	ret->ts = rd_u64(&r);
	ret->recommended = rd_u32(&r);
	ret->source = rd_u32(&r);
	rd_name(&r, &ret->comp);
	if (ret->recommended < AMF_REC_NO_RECOMMENDATION || ret->recommended > AMF_REC_APPLICATION_RESTART ||
	    ret->source < 1 || ret->source > 4)
		return -EINVAL;
	return rd_end(&r);
}

size_t amf_wire_result_encode(uint8_t *buf, enum amf_exec_fn fn, const struct amf_wire_result *m)
{
	size_t off = 0;

	put_hdr(buf, &off, fn, AMF_WIRE_RESULT_SIZE);
	put_u64(buf, &off, m->ts);
	put_u64(buf, &off, m->action_id);
	return off;
}

int amf_wire_result_decode(const void *msg, size_t len, struct amf_wire_result *ret)
{
	struct amf_rd r = { msg, len, 0, false };
	uint32_t id;

	if (len != AMF_WIRE_RESULT_SIZE)
		return -EINVAL;
	id = rd_u32(&r);
	if ((id != AIS_EXEC_ID(AIS_SERVICE_AMF, AMF_EXEC_DONE) && id != AIS_EXEC_ID(AIS_SERVICE_AMF, AMF_EXEC_FAILED) &&
	     id != AIS_EXEC_ID(AIS_SERVICE_AMF, AMF_EXEC_STARTUP)) ||
	    rd_u32(&r) != len)
		return -EINVAL;
	ret->ts = rd_u64(&r);
	ret->action_id = rd_u64(&r);
	return rd_end(&r);
}

size_t amf_wire_quiesced_encode(uint8_t *buf, const struct amf_wire_quiesced *m)
{
	size_t off = 0;

	put_hdr(buf, &off, AMF_EXEC_QUIESCED, AMF_WIRE_QUIESCED_SIZE);
	put_u64(buf, &off, m->ts);
	put_name(buf, &off, &m->comp);
	put_name(buf, &off, &m->csi);
	return off;
}

int amf_wire_quiesced_decode(const void *msg, size_t len, struct amf_wire_quiesced *ret)
{
	struct amf_rd r = { msg, len, 0, false };

	if (rd_hdr(&r, AMF_EXEC_QUIESCED, AMF_WIRE_QUIESCED_SIZE, AMF_WIRE_QUIESCED_SIZE) < 0)
		return -EINVAL;
	ret->ts = rd_u64(&r);
	rd_name(&r, &ret->comp);
	rd_name(&r, &ret->csi);
	return rd_end(&r);
}

size_t amf_wire_admin_encode(uint8_t *buf, const struct amf_wire_admin *m)
{
	size_t off = 0;

	put_hdr(buf, &off, AMF_EXEC_ADMIN, AMF_WIRE_ADMIN_SIZE);
	put_u64(buf, &off, m->ts);
	put_u32(buf, &off, m->op);
	put_u32(buf, &off, 0);
	put_u64(buf, &off, m->conn_id);
	put_name(buf, &off, &m->dn);
	return off;
}

int amf_wire_admin_decode(const void *msg, size_t len, struct amf_wire_admin *ret)
{
	struct amf_rd r = { msg, len, 0, false };

	if (rd_hdr(&r, AMF_EXEC_ADMIN, AMF_WIRE_ADMIN_SIZE, AMF_WIRE_ADMIN_SIZE) < 0)
		return -EINVAL;
	ret->ts = rd_u64(&r);
	ret->op = rd_u32(&r);
	(void)rd_u32(&r);
	ret->conn_id = rd_u64(&r);
	rd_name(&r, &ret->dn);
	if (ret->op < 1 || ret->op > 9 || ret->op == 8)
		return -EINVAL;
	return rd_end(&r);
}

size_t amf_wire_summary_encode(uint8_t *buf, const struct amf_wire_summary *m)
{
	size_t off = 0;

	put_hdr(buf, &off, AMF_EXEC_SUMMARY, AMF_WIRE_SUMMARY_SIZE);
	put_u32(buf, &off, m->ring.rep);
	put_u32(buf, &off, 0);
	put_u64(buf, &off, m->ring.seq);
	put_u32(buf, &off, m->enabled ? 1 : 0);
	put_u32(buf, &off, m->have_state ? 1 : 0);
	put_u32(buf, &off, m->n_trans);
	put_u32(buf, &off, m->group);
	return off;
}

int amf_wire_summary_decode(const void *msg, size_t len, struct amf_wire_summary *ret)
{
	struct amf_rd r = { msg, len, 0, false };
	uint32_t en, hs;

	if (rd_hdr(&r, AMF_EXEC_SUMMARY, AMF_WIRE_SUMMARY_SIZE, AMF_WIRE_SUMMARY_SIZE) < 0)
		return -EINVAL;
	ret->ring.rep = rd_u32(&r);
	(void)rd_u32(&r);
	ret->ring.seq = rd_u64(&r);
	en = rd_u32(&r);
	hs = rd_u32(&r);
	ret->n_trans = rd_u32(&r);
	ret->group = rd_u32(&r);
	if (en > 1 || hs > 1 || (hs && !en))
		return -EINVAL;
	ret->enabled = en;
	ret->have_state = hs;
	return rd_end(&r);
}

size_t amf_wire_state_encode(uint8_t *buf, const struct amf_wire_state *m)
{
	size_t off = 0;

	put_hdr(buf, &off, AMF_EXEC_STATE, AMF_WIRE_STATE_HDR_SIZE + m->chunk);
	put_u32(buf, &off, m->ring.rep);
	put_u32(buf, &off, 0);
	put_u64(buf, &off, m->ring.seq);
	put_u32(buf, &off, m->n_trans);
	put_u32(buf, &off, m->have_state ? 1 : 0);
	put_u32(buf, &off, m->total);
	put_u32(buf, &off, m->offset);
	put_u32(buf, &off, m->chunk);
	put_u32(buf, &off, 0);
	if (m->chunk)
		memcpy(buf + off, m->bytes, m->chunk);
	return off + m->chunk;
}

int amf_wire_state_decode(const void *msg, size_t len, struct amf_wire_state *ret)
{
	struct amf_rd r = { msg, len, 0, false };
	uint32_t hs;

	if (rd_hdr(&r, AMF_EXEC_STATE, AMF_WIRE_STATE_HDR_SIZE, AMF_WIRE_STATE_MAX_SIZE) < 0)
		return -EINVAL;
	ret->ring.rep = rd_u32(&r);
	(void)rd_u32(&r);
	ret->ring.seq = rd_u64(&r);
	ret->n_trans = rd_u32(&r);
	hs = rd_u32(&r);
	ret->total = rd_u32(&r);
	ret->offset = rd_u32(&r);
	ret->chunk = rd_u32(&r);
	(void)rd_u32(&r);
	if (r.bad || hs > 1 || ret->chunk > AMF_WIRE_STATE_CHUNK || ret->total > AMF_STATE_MAX ||
	    ret->offset > ret->total || ret->chunk > ret->total - ret->offset ||
	    len != AMF_WIRE_STATE_HDR_SIZE + (size_t)ret->chunk)
		return -EINVAL;
	ret->have_state = hs;
	ret->bytes = (const uint8_t *)msg + AMF_WIRE_STATE_HDR_SIZE;
	return 0;
}

/* ---- driver state ---- */

void amf_driver_state_clear(struct amf_driver_state *d)
{
	amf_actions_clear(&d->pending);
	for (size_t i = 0; i < d->n_started; i++)
		free(d->started[i]);
	d->n_started = 0;
}

struct amf_started *amf_driver_started_add(struct amf_driver_state *d, uint64_t id, const struct amf_action *a)
{
	struct amf_started *s;

	if (d->n_started == d->cap_started) {
		size_t ncap = d->cap_started ? d->cap_started * 2 : 16;
		struct amf_started **nv = realloc(d->started, ncap * sizeof(*nv));

		if (!nv)
			return NULL;
		d->started = nv;
		d->cap_started = ncap;
	}
	s = malloc(sizeof(*s));
	if (!s)
		return NULL;
	s->id = id;
	s->a = *a;
	d->started[d->n_started++] = s;
	return s;
}

void amf_driver_started_remove_at(struct amf_driver_state *d, size_t i)
{
	free(d->started[i]);
	memmove(&d->started[i], &d->started[i + 1], (d->n_started - i - 1) * sizeof(d->started[0]));
	d->n_started--;
}

ssize_t amf_driver_started_find(const struct amf_driver_state *d, uint64_t id)
{
	for (size_t i = 0; i < d->n_started; i++) {
		if (d->started[i]->id == id)
			return (ssize_t)i;
	}
	return -1;
}

/* ---- state blob: writing ---- */

typedef int (*amf_dn_fn)(const void *e, char *buf, size_t len);

static void wr_dn(struct amf_wr *w, int (*fn)(const void *, char *, size_t), const void *e)
{
	char dn[AMF_DN_MAX + 1];
	int n = 0;

	if (e) {
		n = fn(e, dn, sizeof(dn));
		if (n < 0) {
			w->oom = true; /* reported as -ENAMETOOLONG below */
			return;
		}
	}
	wr_u16(w, (uint16_t)n);
	wr_bytes(w, dn, (size_t)n);
}

/* Typed adapters for wr_dn(). */
static int dn_node(const void *e, char *b, size_t l) { return amf_node_dn(e, b, l); }
static int dn_app(const void *e, char *b, size_t l) { return amf_app_dn(e, b, l); }
static int dn_sg(const void *e, char *b, size_t l) { return amf_sg_dn(e, b, l); }
static int dn_su(const void *e, char *b, size_t l) { return amf_su_dn(e, b, l); }
static int dn_comp(const void *e, char *b, size_t l) { return amf_comp_dn(e, b, l); }
static int dn_si(const void *e, char *b, size_t l) { return amf_si_dn(e, b, l); }
static int dn_csi(const void *e, char *b, size_t l) { return amf_csi_dn(e, b, l); }

static void wr_action(struct amf_wr *w, const struct amf_action *a)
{
	wr_u32(w, a->kind);
	wr_u32(w, a->step);
	wr_u32(w, a->ha_state);
	wr_u32(w, a->transition);
	wr_dn(w, dn_node, a->node);
	wr_dn(w, dn_su, a->su);
	wr_dn(w, dn_si, a->si);
	wr_dn(w, dn_comp, a->comp);
	wr_dn(w, dn_csi, a->csi);
}

static uint32_t si_pos(const struct amf_si_assignment *a)
{
	uint32_t i = 0;

	for (const struct amf_si_assignment *p = a->si->assignments; p && p != a; p = p->si_next)
		i++;
	return i;
}

static uint32_t csi_pos(const struct amf_csi_assignment *a)
{
	uint32_t i = 0;

	for (const struct amf_csi_assignment *p = a->csi->assignments; p && p != a; p = p->csi_next)
		i++;
	return i;
}

int amf_state_encode(const char *config, size_t config_len, const struct amf_cluster *c,
		     const struct amf_driver_state *d, uint8_t **ret, size_t *ret_len)
{
	struct amf_wr w = { NULL, 0, 0, false };
	uint32_t n;

	if (config_len > AMF_STATE_MAX)
		return -EMSGSIZE;
	wr_u32(&w, AMF_STATE_MAGIC);
	wr_u32(&w, AMF_STATE_VERSION);
	wr_u32(&w, (uint32_t)config_len);
	wr_bytes(&w, config, config_len);
	wr_u64(&w, d->now_ms);
	wr_u64(&w, d->next_action_id);
	wr_u32(&w, d->startup_pending);
	wr_u32(&w, c->admin_state);

	wr_u32(&w, (uint32_t)c->node_count);
	for (const struct amf_node *x = c->nodes; x; x = x->next) {
		wr_dn(&w, dn_node, x);
		wr_u32(&w, x->admin_state);
		wr_u32(&w, x->oper_state);
		wr_u32(&w, x->clm_member ? 1 : 0);
		wr_u32(&w, x->clm_nodeid);
		wr_u32(&w, x->su_failover_count);
		wr_u64(&w, x->su_failover_prob_start_ms);
	}
	wr_u32(&w, (uint32_t)c->app_count);
	for (const struct amf_app *x = c->apps; x; x = x->next) {
		wr_dn(&w, dn_app, x);
		wr_u32(&w, x->admin_state);
	}
	n = 0;
	for (const struct amf_sg *x = amf_sg_next(c, NULL); x; x = amf_sg_next(c, x))
		n++;
	wr_u32(&w, n);
	for (const struct amf_sg *x = amf_sg_next(c, NULL); x; x = amf_sg_next(c, x)) {
		wr_dn(&w, dn_sg, x);
		wr_u32(&w, x->admin_state);
	}
	n = 0;
	for (const struct amf_su *x = amf_su_next(c, NULL); x; x = amf_su_next(c, x))
		n++;
	wr_u32(&w, n);
	for (const struct amf_su *x = amf_su_next(c, NULL); x; x = amf_su_next(c, x)) {
		wr_dn(&w, dn_su, x);
		wr_u32(&w, x->admin_state);
		wr_u32(&w, x->oper_state);
		wr_u32(&w, x->presence_state);
		wr_u32(&w, x->readiness_state);
		wr_u32(&w, x->restart_count);
		wr_u64(&w, x->restart_prob_start_ms);
		wr_u32(&w, x->comp_restart_count);
		wr_u64(&w, x->comp_restart_prob_start_ms);
	}
	n = 0;
	for (const struct amf_comp *x = amf_comp_next(c, NULL); x; x = amf_comp_next(c, x))
		n++;
	wr_u32(&w, n);
	for (const struct amf_comp *x = amf_comp_next(c, NULL); x; x = amf_comp_next(c, x)) {
		wr_dn(&w, dn_comp, x);
		wr_u32(&w, x->oper_state);
		wr_u32(&w, x->presence_state);
		wr_u32(&w, x->readiness_state);
		wr_u32(&w, x->restart_count);
	}
	n = 0;
	for (const struct amf_si *x = amf_si_next(c, NULL); x; x = amf_si_next(c, x))
		n++;
	wr_u32(&w, n);
	for (const struct amf_si *x = amf_si_next(c, NULL); x; x = amf_si_next(c, x)) {
		wr_dn(&w, dn_si, x);
		wr_u32(&w, x->admin_state);
		wr_u32(&w, x->assignment_state);
	}
	n = 0;
	for (const struct amf_su *x = amf_su_next(c, NULL); x; x = amf_su_next(c, x))
		for (const struct amf_si_assignment *a = x->assignments; a; a = a->su_next)
			n++;
	wr_u32(&w, n);
	for (const struct amf_su *x = amf_su_next(c, NULL); x; x = amf_su_next(c, x)) {
		for (const struct amf_si_assignment *a = x->assignments; a; a = a->su_next) {
			wr_dn(&w, dn_su, a->su);
			wr_dn(&w, dn_si, a->si);
			wr_u32(&w, a->ha_state);
			wr_u32(&w, a->requested);
			wr_u32(&w, si_pos(a));
		}
	}
	n = 0;
	for (const struct amf_comp *x = amf_comp_next(c, NULL); x; x = amf_comp_next(c, x))
		for (const struct amf_csi_assignment *a = x->assignments; a; a = a->comp_next)
			n++;
	wr_u32(&w, n);
	for (const struct amf_comp *x = amf_comp_next(c, NULL); x; x = amf_comp_next(c, x)) {
		for (const struct amf_csi_assignment *a = x->assignments; a; a = a->comp_next) {
			wr_dn(&w, dn_comp, a->comp);
			wr_dn(&w, dn_csi, a->csi);
			wr_u32(&w, a->ha_state);
			wr_u32(&w, a->requested);
			wr_u32(&w, csi_pos(a));
		}
	}
	wr_u32(&w, (uint32_t)d->pending.n);
	for (size_t i = 0; i < d->pending.n; i++)
		wr_action(&w, &d->pending.v[i]);
	wr_u32(&w, (uint32_t)d->n_started);
	for (size_t i = 0; i < d->n_started; i++) {
		wr_u64(&w, d->started[i]->id);
		wr_action(&w, &d->started[i]->a);
	}
	if (w.oom || w.off > AMF_STATE_MAX) {
		free(w.p);
		return w.off > AMF_STATE_MAX ? -EMSGSIZE : -ENOMEM;
	}
	*ret = w.p;
	*ret_len = w.off;
	return 0;
}

/* ---- state blob: reading ---- */

/* Read a dn and look it up; kind AMF_KIND_NONE accepts an empty dn as NULL. */
static void *rd_entity(struct amf_rd *r, const struct amf_cluster *c, enum amf_kind want, bool may_be_empty)
{
	char dn[AMF_DN_MAX + 1];
	uint16_t len = rd_u16(r);
	enum amf_kind kind;
	void *e;

	if (r->bad)
		return NULL;
	if (len > AMF_DN_MAX) {
		r->bad = true;
		return NULL;
	}
	rd_bytes(r, dn, len);
	if (r->bad)
		return NULL;
	if (len == 0) {
		if (!may_be_empty)
			r->bad = true;
		return NULL;
	}
	if (memchr(dn, '\0', len)) {
		r->bad = true;
		return NULL;
	}
	e = amf_find(c, dn, len, &kind);
	if (!e || kind != want) {
		r->bad = true;
		return NULL;
	}
	return e;
}

static uint32_t rd_enum(struct amf_rd *r, uint32_t lo, uint32_t hi)
{
	uint32_t v = rd_u32(r);

	if (v < lo || v > hi)
		r->bad = true;
	return v;
}

static uint32_t rd_bool(struct amf_rd *r)
{
	return rd_enum(r, 0, 1);
}

/* Counts must match the model's: the blob describes the same configuration. */
static void rd_count(struct amf_rd *r, size_t want)
{
	if (rd_u32(r) != want)
		r->bad = true;
}

static void rd_action(struct amf_rd *r, const struct amf_cluster *c, struct amf_action *a)
{
	memset(a, 0, sizeof(*a));
	a->kind = rd_enum(r, AMF_ACT_CSI_SET, AMF_ACT_CLUSTER_RESET);
	a->step = rd_u32(r);
	a->ha_state = rd_u32(r);
	if (a->ha_state != 0 && (a->ha_state < AMF_HA_ACTIVE || a->ha_state > AMF_HA_QUIESCING))
		r->bad = true;
	a->transition = rd_enum(r, AMF_TRANS_NONE, AMF_TRANS_STILL_ACTIVE);
	a->node = rd_entity(r, c, AMF_KIND_NODE, true);
	a->su = rd_entity(r, c, AMF_KIND_SU, true);
	a->si = rd_entity(r, c, AMF_KIND_SI, true);
	a->comp = rd_entity(r, c, AMF_KIND_COMP, true);
	a->csi = rd_entity(r, c, AMF_KIND_CSI, true);
	if (r->bad)
		return;
	/* what the executor and the model code dereference must be there and agree */
	switch (a->kind) {
	case AMF_ACT_CSI_SET:
	case AMF_ACT_CSI_REMOVE:
		if (!a->su || !a->si || (a->comp == NULL) != (a->csi == NULL) ||
		    (a->comp && (a->comp->su != a->su || a->csi->si != a->si)) ||
		    (a->kind == AMF_ACT_CSI_SET && a->ha_state == 0))
			r->bad = true;
		break;
	case AMF_ACT_INSTANTIATE:
	case AMF_ACT_TERMINATE:
	case AMF_ACT_CLEANUP:
		if (!a->su || !a->comp || a->comp->su != a->su)
			r->bad = true;
		break;
	case AMF_ACT_NODE_REBOOT:
		if (!a->node)
			r->bad = true;
		break;
	case AMF_ACT_CLUSTER_RESET:
		break;
	}
}

int amf_state_config(const uint8_t *blob, size_t len, const char **ret_text, size_t *ret_len)
{
	struct amf_rd r = { blob, len, 0, false };
	uint32_t clen;

	if (rd_u32(&r) != AMF_STATE_MAGIC || rd_u32(&r) != AMF_STATE_VERSION)
		return -EINVAL;
	clen = rd_u32(&r);
	if (r.bad || clen > len - r.off)
		return -EINVAL;
	*ret_text = (const char *)blob + r.off;
	*ret_len = clen;
	return 0;
}

/* An installed assignment, the SI (CSI) whose list holds it, its position there. */
struct amf_pos {
	void *a;
	const void *owner;
	uint32_t pos;
};

/*
 * Link the assignments of owner into the list at head, through the next
 * pointer at next_off in each, in the order of their positions, which must
 * be exactly 0..k-1. @return k, or -EINVAL.
 */
static ssize_t relink_by_pos(const struct amf_pos *v, size_t n, const void *owner, void *head, size_t next_off)
{
	void *const none = NULL;
	uint8_t *link = head;
	size_t total = 0;

	for (size_t j = 0; j < n; j++)
		total += v[j].owner == owner;
	memcpy(link, &none, sizeof(none));
	for (uint32_t p = 0; p < total; p++) {
		void *found = NULL;

		for (size_t j = 0; j < n; j++) {
			if (v[j].owner == owner && v[j].pos == p) {
				if (found)
					return -EINVAL;
				found = v[j].a;
			}
		}
		if (!found)
			return -EINVAL;
		memcpy(link, &found, sizeof(found));
		link = (uint8_t *)found + next_off;
		memcpy(link, &none, sizeof(none));
	}
	return (ssize_t)total;
}

/*
 * Bad positions: link every assignment into its owner's list in any order,
 * so that the lists agree with the other side's again (the model is freed
 * or replaced after a failed install, and freeing walks both lists).
 */
static void relink_any(const struct amf_pos *v, size_t n, size_t head_off, size_t next_off)
{
	void *const none = NULL;

	for (size_t i = 0; i < n; i++)
		memcpy((uint8_t *)(uintptr_t)v[i].owner + head_off, &none, sizeof(none));
	for (size_t i = 0; i < n; i++) {
		uint8_t *head = (uint8_t *)(uintptr_t)v[i].owner + head_off;

		memcpy((uint8_t *)v[i].a + next_off, head, sizeof(void *));
		memcpy(head, &v[i].a, sizeof(void *));
	}
}

/* Relink every owner's list; every assignment must be linked exactly once. */
static int relink_all(const struct amf_pos *v, size_t n, size_t head_off, size_t next_off)
{
	size_t linked = 0;

	for (size_t i = 0; i < n; i++) {
		ssize_t k;

		if (v[i].pos != 0)
			continue;
		k = relink_by_pos(v, n, v[i].owner, (uint8_t *)(uintptr_t)v[i].owner + head_off, next_off);
		if (k < 0) {
			relink_any(v, n, head_off, next_off);
			return -EINVAL;
		}
		linked += (size_t)k;
	}
	if (linked != n) {
		relink_any(v, n, head_off, next_off);
		return -EINVAL;
	}
	return 0;
}

static int install_runtime(struct amf_rd *r, struct amf_cluster *c, struct amf_driver_state *d)
{
	struct amf_pos *sis = NULL;
	struct amf_pos *csis = NULL;
	struct amf_si **si_v = NULL;
	uint32_t *si_state = NULL;
	uint32_t n, n_si;
	int ret = -EINVAL;

	struct amf_counts counts;

	amf_cluster_count(c, &counts);
	d->now_ms = rd_u64(r);
	d->next_action_id = rd_u64(r);
	d->startup_pending = rd_bool(r) != 0;
	c->admin_state = rd_enum(r, AMF_ADMIN_UNLOCKED, AMF_ADMIN_SHUTTING_DOWN);

	rd_count(r, c->node_count);
	for (size_t i = 0; i < c->node_count && !r->bad; i++) {
		struct amf_node *x = rd_entity(r, c, AMF_KIND_NODE, false);
		uint32_t v[6];

		v[0] = rd_enum(r, AMF_ADMIN_UNLOCKED, AMF_ADMIN_SHUTTING_DOWN);
		v[1] = rd_enum(r, AMF_OPER_ENABLED, AMF_OPER_DISABLED);
		v[2] = rd_bool(r);
		v[3] = rd_u32(r);
		v[4] = rd_u32(r);
		if (!x || r->bad)
			break;
		x->admin_state = v[0];
		x->oper_state = v[1];
		x->clm_member = v[2];
		x->clm_nodeid = v[3];
		x->su_failover_count = v[4];
		x->su_failover_prob_start_ms = rd_u64(r);
	}
	rd_count(r, c->app_count);
	for (size_t i = 0; i < c->app_count && !r->bad; i++) {
		struct amf_app *x = rd_entity(r, c, AMF_KIND_APP, false);
		uint32_t v = rd_enum(r, AMF_ADMIN_UNLOCKED, AMF_ADMIN_SHUTTING_DOWN);

		if (x)
			x->admin_state = v;
	}
	n = rd_u32(r);
	if (n != counts.sgs)
		r->bad = true;
	for (uint32_t i = 0; i < n && !r->bad; i++) {
		struct amf_sg *x = rd_entity(r, c, AMF_KIND_SG, false);
		uint32_t v = rd_enum(r, AMF_ADMIN_UNLOCKED, AMF_ADMIN_SHUTTING_DOWN);

		if (x)
			x->admin_state = v;
	}
	n = rd_u32(r);
	if (n != counts.sus)
		r->bad = true;
	for (uint32_t i = 0; i < n && !r->bad; i++) {
		struct amf_su *x = rd_entity(r, c, AMF_KIND_SU, false);
		uint32_t v[6];
		uint64_t t[2];

		v[0] = rd_enum(r, AMF_ADMIN_UNLOCKED, AMF_ADMIN_SHUTTING_DOWN);
		v[1] = rd_enum(r, AMF_OPER_ENABLED, AMF_OPER_DISABLED);
		v[2] = rd_enum(r, AMF_PRESENCE_UNINSTANTIATED, AMF_PRESENCE_TERMINATION_FAILED);
		v[3] = rd_enum(r, AMF_READINESS_OUT_OF_SERVICE, AMF_READINESS_STOPPING);
		v[4] = rd_u32(r);
		t[0] = rd_u64(r);
		v[5] = rd_u32(r);
		t[1] = rd_u64(r);
		if (!x || r->bad)
			break;
		x->admin_state = v[0];
		x->oper_state = v[1];
		x->presence_state = v[2];
		x->readiness_state = v[3];
		x->restart_count = v[4];
		x->restart_prob_start_ms = t[0];
		x->comp_restart_count = v[5];
		x->comp_restart_prob_start_ms = t[1];
	}
	n = rd_u32(r);
	if (n != counts.comps)
		r->bad = true;
	for (uint32_t i = 0; i < n && !r->bad; i++) {
		struct amf_comp *x = rd_entity(r, c, AMF_KIND_COMP, false);
		uint32_t v[4];

		v[0] = rd_enum(r, AMF_OPER_ENABLED, AMF_OPER_DISABLED);
		v[1] = rd_enum(r, AMF_PRESENCE_UNINSTANTIATED, AMF_PRESENCE_TERMINATION_FAILED);
		v[2] = rd_enum(r, AMF_READINESS_OUT_OF_SERVICE, AMF_READINESS_STOPPING);
		v[3] = rd_u32(r);
		if (!x || r->bad)
			break;
		x->oper_state = v[0];
		x->presence_state = v[1];
		x->readiness_state = v[2];
		x->restart_count = v[3];
	}
	/* the SIs' assignment states are set after their assignments (adding
	 * an assignment recomputes the state) */
	n_si = rd_u32(r);
	if (r->bad || n_si != counts.sis || n_si > (r->len - r->off) / 10)
		goto out;
	si_v = calloc(n_si ? n_si : 1, sizeof(*si_v));
	si_state = calloc(n_si ? n_si : 1, sizeof(*si_state));
	if (!si_v || !si_state) {
		ret = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < n_si && !r->bad; i++) {
		struct amf_si *x = rd_entity(r, c, AMF_KIND_SI, false);
		uint32_t v = rd_enum(r, AMF_ADMIN_UNLOCKED, AMF_ADMIN_SHUTTING_DOWN);

		si_state[i] = rd_enum(r, AMF_ASSIGNMENT_UNASSIGNED, AMF_ASSIGNMENT_PARTIALLY_ASSIGNED);
		if (!x || r->bad)
			break;
		x->admin_state = v;
		si_v[i] = x;
	}
	if (r->bad)
		goto out;

	/* SI assignments: created in SU list order, then the SI lists relinked */
	n = rd_u32(r);
	if (r->bad || n > (r->len - r->off) / 16)
		goto out;
	sis = calloc(n ? n : 1, sizeof(*sis));
	if (!sis) {
		ret = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct amf_su *su = rd_entity(r, c, AMF_KIND_SU, false);
		struct amf_si *si = rd_entity(r, c, AMF_KIND_SI, false);
		uint32_t ha = rd_enum(r, AMF_HA_ACTIVE, AMF_HA_QUIESCING);
		uint32_t req = rd_enum(r, AMF_HA_ACTIVE, AMF_HA_QUIESCING);
		uint32_t pos = rd_u32(r);
		struct amf_si_assignment *a, **pp;

		if (r->bad)
			goto out;
		for (a = su->assignments; a; a = a->su_next) {
			if (a->si == si) /* one assignment per (SU, SI) */
				goto out;
		}
		a = amf_si_assignment_add(su, si, ha);
		if (!a) {
			ret = -ENOMEM;
			goto out;
		}
		a->requested = req;
		/* move it from the head of the SU's list to its tail */
		su->assignments = a->su_next;
		a->su_next = NULL;
		for (pp = &su->assignments; *pp; pp = &(*pp)->su_next)
			;
		*pp = a;
		sis[i].a = a;
		sis[i].owner = si;
		sis[i].pos = pos;
	}
	if (relink_all(sis, n, offsetof(struct amf_si, assignments), offsetof(struct amf_si_assignment, si_next)) < 0)
		goto out;

	/* CSI assignments: the same, per component and per CSI */
	n = rd_u32(r);
	if (r->bad || n > (r->len - r->off) / 16)
		goto out;
	csis = calloc(n ? n : 1, sizeof(*csis));
	if (!csis) {
		ret = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct amf_comp *comp = rd_entity(r, c, AMF_KIND_COMP, false);
		struct amf_csi *csi = rd_entity(r, c, AMF_KIND_CSI, false);
		uint32_t ha = rd_enum(r, AMF_HA_ACTIVE, AMF_HA_QUIESCING);
		uint32_t req = rd_enum(r, AMF_HA_ACTIVE, AMF_HA_QUIESCING);
		uint32_t pos = rd_u32(r);
		struct amf_csi_assignment *a, **pp;

		if (r->bad)
			goto out;
		for (a = comp->assignments; a; a = a->comp_next) {
			if (a->csi == csi)
				goto out;
		}
		a = amf_csi_assignment_add(comp, csi, ha);
		if (!a) {
			ret = -ENOMEM;
			goto out;
		}
		a->requested = req;
		if (comp->assignments == a) {
			comp->assignments = a->comp_next;
			a->comp_next = NULL;
			for (pp = &comp->assignments; *pp; pp = &(*pp)->comp_next)
				;
			*pp = a;
		}
		csis[i].a = a;
		csis[i].owner = csi;
		csis[i].pos = pos;
	}
	if (relink_all(csis, n, offsetof(struct amf_csi, assignments), offsetof(struct amf_csi_assignment, csi_next)) < 0)
		goto out;

	/* the driver */
	n = rd_u32(r);
	if (r->bad || n > (r->len - r->off) / 26)
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		struct amf_action a;

		rd_action(r, c, &a);
		if (r->bad)
			goto out;
		if (amf_actions_push(&d->pending, &a) < 0) {
			ret = -ENOMEM;
			goto out;
		}
	}
	n = rd_u32(r);
	if (r->bad || n > (r->len - r->off) / 34)
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		struct amf_action a;
		uint64_t id = rd_u64(r);

		rd_action(r, c, &a);
		if (r->bad || id >= d->next_action_id || amf_driver_started_find(d, id) >= 0)
			goto out;
		if (!amf_driver_started_add(d, id, &a)) {
			ret = -ENOMEM;
			goto out;
		}
	}
	if (r->bad || r->off != r->len)
		goto out;
	for (uint32_t i = 0; i < n_si; i++)
		si_v[i]->assignment_state = si_state[i];
	ret = 0;
out:
	free(si_v);
	free(si_state);
	free(sis);
	free(csis);
	return ret;
}

int amf_state_install(const uint8_t *blob, size_t len, struct amf_cluster *model, struct amf_driver_state *d)
{
	struct amf_rd r = { blob, len, 0, false };
	const char *text;
	size_t text_len;
	int ret;

	if (len > AMF_STATE_MAX || amf_state_config(blob, len, &text, &text_len) < 0)
		return -EINVAL;
	r.off = 12 + text_len;
	ret = install_runtime(&r, model, d);
	if (ret < 0)
		amf_driver_state_clear(d);
	return ret;
}
