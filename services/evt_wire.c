/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Encoding and decoding of the evt engine's cluster messages, and the
 * validators of client requests' variable parts (see evt_wire.h). Writers
 * and readers move a cursor over a byte buffer with explicit little-endian
 * stores; a reader that would pass the end fails the whole decode.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

#include "evt_wire.h"

struct evt_wr {
	uint8_t *p;
	size_t off;
};

struct evt_rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool bad;
};

static void wr_u32(struct evt_wr *w, uint32_t v)
{
	v = htole32(v);
	memcpy(w->p + w->off, &v, 4);
	w->off += 4;
}

static void wr_u64(struct evt_wr *w, uint64_t v)
{
	v = htole64(v);
	memcpy(w->p + w->off, &v, 8);
	w->off += 8;
}

static void wr_bytes(struct evt_wr *w, const void *b, size_t n)
{
	if (n)
		memcpy(w->p + w->off, b, n);
	w->off += n;
}

static void wr_zero(struct evt_wr *w, size_t n)
{
	memset(w->p + w->off, 0, n);
	w->off += n;
}

static void wr_name(struct evt_wr *w, const struct ais_evt_name *n)
{
	uint32_t len = n->length <= 256 ? n->length : 256;

	wr_u32(w, len);
	wr_bytes(w, n->value, len);
	wr_zero(w, 256 - len);
}

static void wr_hdr(struct evt_wr *w, enum evt_exec_fn fn, size_t size)
{
	wr_u32(w, AIS_EXEC_ID(AIS_SERVICE_EVT, fn));
	wr_u32(w, (uint32_t)size);
}

static bool rd_need(struct evt_rd *r, size_t n)
{
	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return false;
	}
	return true;
}

static uint32_t rd_u32(struct evt_rd *r)
{
	uint32_t v = 0;

	if (!rd_need(r, 4))
		return 0;
	memcpy(&v, r->p + r->off, 4);
	r->off += 4;
	return le32toh(v);
}

static uint64_t rd_u64(struct evt_rd *r)
{
	uint64_t v = 0;

	if (!rd_need(r, 8))
		return 0;
	memcpy(&v, r->p + r->off, 8);
	r->off += 8;
	return le64toh(v);
}

static const uint8_t *rd_bytes(struct evt_rd *r, size_t n)
{
	const uint8_t *b;

	if (!rd_need(r, n))
		return NULL;
	b = r->p + r->off;
	r->off += n;
	return b;
}

static void rd_name(struct evt_rd *r, struct ais_evt_name *n)
{
	uint32_t len = rd_u32(r);
	const uint8_t *b = rd_bytes(r, 256);

	memset(n, 0, sizeof(*n));
	if (!b || len > 256) {
		r->bad = true;
		return;
	}
	n->length = (uint16_t)len;
	memcpy(n->value, b, len);
}

static void rd_init(struct evt_rd *r, const void *buf, size_t len)
{
	r->p = buf;
	r->len = len;
	r->off = 0;
	r->bad = false;
}

/* Header check: id is ours with function fn, size equals len. */
static bool rd_hdr(struct evt_rd *r, enum evt_exec_fn fn)
{
	uint32_t id = rd_u32(r);
	uint32_t size = rd_u32(r);

	if (r->bad || id != AIS_EXEC_ID(AIS_SERVICE_EVT, fn) || size != r->len) {
		r->bad = true;
		return false;
	}
	return true;
}

static int rd_end(const struct evt_rd *r)
{
	return !r->bad && r->off == r->len ? 0 : -EBADMSG;
}

bool evt_name_valid(const struct ais_evt_name *name)
{
	return name->length <= 256;
}

int evt_name_cmp(const struct ais_evt_name *a, const struct ais_evt_name *b)
{
	if (a->length != b->length)
		return a->length < b->length ? -1 : 1;
	return a->length ? memcmp(a->value, b->value, a->length) : 0;
}

/* ---- fixed messages ------------------------------------------------------- */

size_t evt_wire_open_encode(uint8_t *buf, const struct evt_wire_open *m)
{
	struct evt_wr w = { buf, 0 };

	wr_hdr(&w, EVT_EXEC_OPEN, EVT_WIRE_OPEN_SIZE);
	wr_u64(&w, m->conn_id);
	wr_u32(&w, m->open_id);
	wr_u32(&w, m->flags);
	wr_u64(&w, m->new_chan_id);
	wr_name(&w, &m->name);
	return w.off;
}

int evt_wire_open_decode(const void *buf, size_t len, struct evt_wire_open *ret)
{
	struct evt_rd r;

	rd_init(&r, buf, len);
	memset(ret, 0, sizeof(*ret));
	rd_hdr(&r, EVT_EXEC_OPEN);
	ret->conn_id = rd_u64(&r);
	ret->open_id = rd_u32(&r);
	ret->flags = rd_u32(&r);
	ret->new_chan_id = rd_u64(&r);
	rd_name(&r, &ret->name);
	if (ret->flags > 7)
		return -EBADMSG;
	return rd_end(&r);
}

size_t evt_wire_close_encode(uint8_t *buf, const struct evt_wire_close *m)
{
	struct evt_wr w = { buf, 0 };

	wr_hdr(&w, EVT_EXEC_CLOSE, EVT_WIRE_CLOSE_SIZE);
	wr_u64(&w, m->conn_id);
	wr_u32(&w, m->open_id);
	wr_u32(&w, 0);
	return w.off;
}

int evt_wire_close_decode(const void *buf, size_t len, struct evt_wire_close *ret)
{
	struct evt_rd r;

	rd_init(&r, buf, len);
	memset(ret, 0, sizeof(*ret));
	rd_hdr(&r, EVT_EXEC_CLOSE);
	ret->conn_id = rd_u64(&r);
	ret->open_id = rd_u32(&r);
	(void)rd_u32(&r);
	return rd_end(&r);
}

size_t evt_wire_unlink_encode(uint8_t *buf, const struct evt_wire_unlink *m)
{
	struct evt_wr w = { buf, 0 };

	wr_hdr(&w, EVT_EXEC_UNLINK, EVT_WIRE_UNLINK_SIZE);
	wr_u64(&w, m->conn_id);
	wr_name(&w, &m->name);
	return w.off;
}

int evt_wire_unlink_decode(const void *buf, size_t len, struct evt_wire_unlink *ret)
{
	struct evt_rd r;

	rd_init(&r, buf, len);
	memset(ret, 0, sizeof(*ret));
	rd_hdr(&r, EVT_EXEC_UNLINK);
	ret->conn_id = rd_u64(&r);
	rd_name(&r, &ret->name);
	return rd_end(&r);
}

size_t evt_wire_clear_encode(uint8_t *buf, const struct evt_wire_clear *m)
{
	struct evt_wr w = { buf, 0 };

	wr_hdr(&w, EVT_EXEC_CLEAR, EVT_WIRE_CLEAR_SIZE);
	wr_u64(&w, m->conn_id);
	wr_u32(&w, m->open_id);
	wr_u32(&w, 0);
	wr_u64(&w, m->event_id);
	return w.off;
}

int evt_wire_clear_decode(const void *buf, size_t len, struct evt_wire_clear *ret)
{
	struct evt_rd r;

	rd_init(&r, buf, len);
	memset(ret, 0, sizeof(*ret));
	rd_hdr(&r, EVT_EXEC_CLEAR);
	ret->conn_id = rd_u64(&r);
	ret->open_id = rd_u32(&r);
	(void)rd_u32(&r);
	ret->event_id = rd_u64(&r);
	return rd_end(&r);
}

/* ---- event body ----------------------------------------------------------- */

size_t evt_wire_body_size(const struct evt_wire_event *ev)
{
	size_t n = EVT_WIRE_BODY_FIXED;

	for (uint32_t i = 0; i < ev->n_patterns && i < AIS_EVT_PATTERNS_MAX; i++)
		n += 8 + AIS_EVT_PAD(ev->patterns[i].len);
	return n + ev->data_len;
}

static void wr_body(struct evt_wr *w, const struct evt_wire_event *ev)
{
	uint32_t np = ev->n_patterns <= AIS_EVT_PATTERNS_MAX ? ev->n_patterns : AIS_EVT_PATTERNS_MAX;

	wr_u64(w, ev->event_id);
	wr_u64(w, (uint64_t)ev->publish_time);
	wr_u64(w, (uint64_t)ev->retention_ns);
	wr_u32(w, ev->priority);
	wr_u32(w, np);
	wr_u32(w, ev->data_len);
	wr_u32(w, 0);
	wr_name(w, &ev->publisher);
	for (uint32_t i = 0; i < np; i++) {
		uint32_t l = ev->patterns[i].len;

		wr_u32(w, l);
		wr_u32(w, 0);
		wr_bytes(w, ev->patterns[i].bytes, l);
		wr_zero(w, AIS_EVT_PAD(l) - l);
	}
	wr_bytes(w, ev->data, ev->data_len);
}

static void rd_body(struct evt_rd *r, struct evt_wire_event *ev)
{
	ev->event_id = rd_u64(r);
	ev->publish_time = (int64_t)rd_u64(r);
	ev->retention_ns = (int64_t)rd_u64(r);
	ev->priority = rd_u32(r);
	ev->n_patterns = rd_u32(r);
	ev->data_len = rd_u32(r);
	(void)rd_u32(r);
	rd_name(r, &ev->publisher);
	if (r->bad || ev->priority > 3 || ev->n_patterns > AIS_EVT_PATTERNS_MAX ||
	    ev->data_len > AIS_EVT_DATA_MAX || ev->retention_ns < 0 ||
	    ev->retention_ns > AIS_EVT_RETENTION_MAX) {
		r->bad = true;
		return;
	}
	for (uint32_t i = 0; i < ev->n_patterns; i++) {
		uint32_t l = rd_u32(r);

		(void)rd_u32(r);
		if (r->bad || l > AIS_EVT_PATTERN_MAX) {
			r->bad = true;
			return;
		}
		ev->patterns[i].len = l;
		ev->patterns[i].bytes = rd_bytes(r, AIS_EVT_PAD(l));
	}
	ev->data = rd_bytes(r, ev->data_len);
}

size_t evt_wire_publish_size(const struct evt_wire_event *ev)
{
	return EVT_WIRE_HDR_SIZE + 16 + evt_wire_body_size(ev);
}

size_t evt_wire_publish_encode(uint8_t *buf, const struct evt_wire_publish *m)
{
	struct evt_wr w = { buf, 0 };

	wr_hdr(&w, EVT_EXEC_PUBLISH, evt_wire_publish_size(&m->ev));
	wr_u64(&w, m->conn_id);
	wr_u32(&w, m->open_id);
	wr_u32(&w, 0);
	wr_body(&w, &m->ev);
	return w.off;
}

int evt_wire_publish_decode(const void *buf, size_t len, struct evt_wire_publish *ret)
{
	struct evt_rd r;

	rd_init(&r, buf, len);
	memset(ret, 0, sizeof(*ret));
	rd_hdr(&r, EVT_EXEC_PUBLISH);
	ret->conn_id = rd_u64(&r);
	ret->open_id = rd_u32(&r);
	(void)rd_u32(&r);
	rd_body(&r, &ret->ev);
	return rd_end(&r);
}

/* ---- sync ------------------------------------------------------------------ */

static void wr_ring(struct evt_wr *w, const struct evt_wire_ring *ring)
{
	wr_u32(w, ring->rep);
	wr_u64(w, ring->seq);
}

static void rd_ring(struct evt_rd *r, struct evt_wire_ring *ring)
{
	ring->rep = rd_u32(r);
	ring->seq = rd_u64(r);
}

size_t evt_wire_sync_event_size(const struct evt_wire_event *ev)
{
	return EVT_WIRE_HDR_SIZE + 20 + evt_wire_body_size(ev);
}

size_t evt_wire_sync_event_encode(uint8_t *buf, const struct evt_wire_sync_event *m)
{
	struct evt_wr w = { buf, 0 };

	wr_hdr(&w, EVT_EXEC_SYNC_EVENT, evt_wire_sync_event_size(&m->ev));
	wr_ring(&w, &m->ring);
	wr_u64(&w, m->chan_id);
	wr_body(&w, &m->ev);
	return w.off;
}

int evt_wire_sync_event_decode(const void *buf, size_t len, struct evt_wire_sync_event *ret)
{
	struct evt_rd r;

	rd_init(&r, buf, len);
	memset(ret, 0, sizeof(*ret));
	rd_hdr(&r, EVT_EXEC_SYNC_EVENT);
	rd_ring(&r, &ret->ring);
	ret->chan_id = rd_u64(&r);
	rd_body(&r, &ret->ev);
	return rd_end(&r);
}

size_t evt_wire_sync_list_hdr_encode(uint8_t *buf, enum evt_exec_fn fn,
                                     const struct evt_wire_ring *ring, uint32_t count)
{
	struct evt_wr w = { buf, 0 };
	size_t entry = fn == EVT_EXEC_SYNC_CHANNELS ? EVT_WIRE_SYNC_CHAN_SIZE : EVT_WIRE_SYNC_OPENER_SIZE;

	wr_hdr(&w, fn, EVT_WIRE_SYNC_HDR_SIZE + (size_t)count * entry);
	wr_ring(&w, ring);
	wr_u32(&w, count);
	wr_u32(&w, 0);
	return w.off;
}

size_t evt_wire_sync_chan_encode(uint8_t *buf, const struct evt_wire_sync_chan *c)
{
	struct evt_wr w = { buf, 0 };

	wr_u64(&w, c->chan_id);
	wr_u32(&w, c->unlinked);
	wr_u32(&w, 0);
	wr_name(&w, &c->name);
	return w.off;
}

size_t evt_wire_sync_opener_encode(uint8_t *buf, const struct evt_wire_sync_opener *o)
{
	struct evt_wr w = { buf, 0 };

	wr_u64(&w, o->chan_id);
	wr_u32(&w, o->unlinked);
	wr_u32(&w, o->flags);
	wr_u64(&w, o->conn_id);
	wr_u32(&w, o->open_id);
	wr_u32(&w, 0);
	wr_name(&w, &o->name);
	return w.off;
}

int evt_wire_sync_list_decode(const void *buf, size_t len, enum evt_exec_fn fn,
                              struct evt_wire_sync_list *ret)
{
	struct evt_rd r;
	size_t entry = fn == EVT_EXEC_SYNC_CHANNELS ? EVT_WIRE_SYNC_CHAN_SIZE : EVT_WIRE_SYNC_OPENER_SIZE;

	if (fn != EVT_EXEC_SYNC_CHANNELS && fn != EVT_EXEC_SYNC_OPENERS)
		return -EINVAL;
	rd_init(&r, buf, len);
	memset(ret, 0, sizeof(*ret));
	rd_hdr(&r, fn);
	rd_ring(&r, &ret->ring);
	ret->count = rd_u32(&r);
	(void)rd_u32(&r);
	if (r.bad || ret->count > EVT_WIRE_SYNC_BATCH)
		return -EBADMSG;
	ret->entries = rd_bytes(&r, (size_t)ret->count * entry);
	return rd_end(&r);
}

int evt_wire_sync_chan_get(const struct evt_wire_sync_list *l, uint32_t i, struct evt_wire_sync_chan *ret)
{
	struct evt_rd r;

	if (i >= l->count)
		return -EINVAL;
	rd_init(&r, l->entries + (size_t)i * EVT_WIRE_SYNC_CHAN_SIZE, EVT_WIRE_SYNC_CHAN_SIZE);
	ret->chan_id = rd_u64(&r);
	ret->unlinked = rd_u32(&r);
	(void)rd_u32(&r);
	rd_name(&r, &ret->name);
	if (ret->unlinked > 1)
		return -EBADMSG;
	return rd_end(&r);
}

int evt_wire_sync_opener_get(const struct evt_wire_sync_list *l, uint32_t i,
                             struct evt_wire_sync_opener *ret)
{
	struct evt_rd r;

	if (i >= l->count)
		return -EINVAL;
	rd_init(&r, l->entries + (size_t)i * EVT_WIRE_SYNC_OPENER_SIZE, EVT_WIRE_SYNC_OPENER_SIZE);
	ret->chan_id = rd_u64(&r);
	ret->unlinked = rd_u32(&r);
	ret->flags = rd_u32(&r);
	ret->conn_id = rd_u64(&r);
	ret->open_id = rd_u32(&r);
	(void)rd_u32(&r);
	rd_name(&r, &ret->name);
	if (ret->unlinked > 1 || ret->flags > 7)
		return -EBADMSG;
	return rd_end(&r);
}

/* ---- client requests --------------------------------------------------------- */

/* One host-order item of a request's variable part: two u32 (the length is
 * the first when len_first, else the second; the other is *ret_other), then
 * the bytes padded to AIS_EVT_ALIGN. */
static int evt_req_item(const uint8_t *p, size_t len, size_t *off, bool len_first, uint32_t *ret_len,
                        uint32_t *ret_other, const uint8_t **ret_bytes)
{
	uint32_t a, b;

	if (len - *off < 8)
		return -EINVAL;
	memcpy(&a, p + *off, 4);
	memcpy(&b, p + *off + 4, 4);
	*off += 8;
	*ret_len = len_first ? a : b;
	*ret_other = len_first ? b : a;
	if (*ret_len > AIS_EVT_PATTERN_MAX || AIS_EVT_PAD(*ret_len) > len - *off)
		return -EINVAL;
	*ret_bytes = p + *off;
	*off += AIS_EVT_PAD(*ret_len);
	return 0;
}

int evt_req_publish_parse(const void *msg, size_t len, uint32_t *ret_open_id, struct evt_wire_event *ret)
{
	struct ais_evt_req_publish req;
	const uint8_t *p = msg;
	size_t off = sizeof(req);

	memset(ret, 0, sizeof(*ret));
	if (len < sizeof(req))
		return -EINVAL;
	memcpy(&req, msg, sizeof(req));
	if (req.header.size < 0 || (size_t)req.header.size != len)
		return -EINVAL;
	if (req.data_len > AIS_EVT_DATA_MAX)
		return -EMSGSIZE;
	if (req.priority > 3 || req.retention_ns < 0 || req.n_patterns > AIS_EVT_PATTERNS_MAX ||
	    !evt_name_valid(&req.publisher))
		return -EINVAL;
	if (req.retention_ns > AIS_EVT_RETENTION_MAX)
		return -EMSGSIZE;
	for (uint32_t i = 0; i < req.n_patterns; i++) {
		uint32_t plen, pad;

		/* struct ais_evt_blob: len first, pad second */
		if (evt_req_item(p, len, &off, true, &plen, &pad, &ret->patterns[i].bytes) < 0)
			return -EINVAL;
		ret->patterns[i].len = plen;
	}
	/* the data may be padded to AIS_EVT_ALIGN like the other items */
	if (len - off != req.data_len && len - off != AIS_EVT_PAD((size_t)req.data_len))
		return -EINVAL;
	*ret_open_id = req.open_id;
	ret->priority = req.priority;
	ret->retention_ns = req.retention_ns;
	ret->n_patterns = req.n_patterns;
	ret->data_len = req.data_len;
	ret->publisher = req.publisher;
	memset(ret->publisher.pad, 0, sizeof(ret->publisher.pad));
	ret->data = p + off;
	return 0;
}

int evt_req_subscribe_parse(const void *msg, size_t len, struct ais_evt_req_subscribe *ret_fixed,
                            struct evt_filter *filters)
{
	const uint8_t *p = msg;
	size_t off = sizeof(*ret_fixed);

	if (len < sizeof(*ret_fixed))
		return -EINVAL;
	memcpy(ret_fixed, msg, sizeof(*ret_fixed));
	if (ret_fixed->header.size < 0 || (size_t)ret_fixed->header.size != len ||
	    ret_fixed->n_filters > AIS_EVT_PATTERNS_MAX)
		return -EINVAL;
	for (uint32_t i = 0; i < ret_fixed->n_filters; i++) {
		uint32_t type, flen;

		/* struct ais_evt_filter: type first, len second */
		if (evt_req_item(p, len, &off, false, &flen, &type, &filters[i].pat.bytes) < 0)
			return -EINVAL;
		if (type < EVT_FILTER_PREFIX || type > EVT_FILTER_PASS_ALL)
			return -EINVAL;
		filters[i].type = type;
		filters[i].pat.len = flen;
	}
	return off == len ? 0 : -EINVAL;
}
