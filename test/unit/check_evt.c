/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The evt engine's pure modules: the filter matcher (services/evt_filter.c)
 * against the AIS-API.md 2.3 table, the cluster message codec and request
 * validators (evt_wire.c: round trips and rejection of every malformed
 * form), the delivery queue (evt_dq.c: bounds, window, credit, priority,
 * one lost-event notice per overflow episode) and the event-id reservation
 * (evt_idres.c).
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "evt_dq.h"
#include "evt_filter.h"
#include "evt_idres.h"
#include "evt_wire.h"

/* ---- filters ------------------------------------------------------------------- */

static struct evt_bytes B(const char *s)
{
	struct evt_bytes b = { (const uint8_t *)s, s ? (uint32_t)strlen(s) : 0 };

	return b;
}

static struct evt_filter F(uint32_t type, const char *s)
{
	struct evt_filter f = { type, B(s) };

	return f;
}

START_TEST(test_filter_one)
{
	static const struct {
		uint32_t type;
		const char *filter;
		const char *pattern;
		bool match;
	} t[] = {
		{ EVT_FILTER_PREFIX, "ab", "abc", true },
		{ EVT_FILTER_PREFIX, "ab", "ab", true },
		{ EVT_FILTER_PREFIX, "ab", "a", false },
		{ EVT_FILTER_PREFIX, "ab", "xab", false },
		{ EVT_FILTER_PREFIX, "", "", true },
		{ EVT_FILTER_PREFIX, "", "anything", true },
		{ EVT_FILTER_SUFFIX, "bc", "abc", true },
		{ EVT_FILTER_SUFFIX, "bc", "bcx", false },
		{ EVT_FILTER_SUFFIX, "abc", "bc", false },
		{ EVT_FILTER_SUFFIX, "", "x", true },
		{ EVT_FILTER_EXACT, "abc", "abc", true },
		{ EVT_FILTER_EXACT, "abc", "abcd", false },
		{ EVT_FILTER_EXACT, "abc", "ab", false },
		{ EVT_FILTER_EXACT, "", "", true },
		{ EVT_FILTER_EXACT, "", "a", false },
		{ EVT_FILTER_PASS_ALL, "zzz", "abc", true },
		{ EVT_FILTER_PASS_ALL, "", "", true },
		{ 0, "", "", false },
		{ 5, "a", "a", false },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct evt_filter f = F(t[i].type, t[i].filter);
		struct evt_bytes p = B(t[i].pattern);

		ck_assert_msg(evt_filter_match_one(&f, &p) == t[i].match, "row %zu", i);
	}
}
END_TEST

START_TEST(test_filter_arrays)
{
	struct evt_filter f2[2] = { F(EVT_FILTER_PREFIX, "a"), F(EVT_FILTER_EXACT, "b") };
	struct evt_filter fe[2] = { F(EVT_FILTER_PREFIX, "a"), F(EVT_FILTER_EXACT, "") };
	struct evt_filter fpa[2] = { F(EVT_FILTER_PREFIX, "a"), F(EVT_FILTER_PASS_ALL, "q") };
	struct evt_bytes p1[1] = { B("ax") };
	struct evt_bytes p2[2] = { B("ax"), B("b") };
	struct evt_bytes p3[3] = { B("ax"), B("b"), B("ignored") };
	struct evt_bytes p2bad[2] = { B("ax"), B("bb") };

	/* 0 filters match everything, even no patterns */
	ck_assert(evt_filter_match(NULL, 0, NULL, 0));
	ck_assert(evt_filter_match(NULL, 0, p3, 3));
	/* every filter must match its pattern */
	ck_assert(evt_filter_match(f2, 2, p2, 2));
	ck_assert(!evt_filter_match(f2, 2, p2bad, 2));
	/* extra patterns are ignored */
	ck_assert(evt_filter_match(f2, 2, p3, 3));
	/* missing patterns are empty: exact "b" fails, exact "" and pass-all match */
	ck_assert(!evt_filter_match(f2, 2, p1, 1));
	ck_assert(evt_filter_match(fe, 2, p1, 1));
	ck_assert(evt_filter_match(fpa, 2, p1, 1));
	ck_assert(!evt_filter_match(f2, 1, NULL, 0));
}
END_TEST

/* ---- wire ----------------------------------------------------------------------- */

static void name_set(struct ais_evt_name *n, const char *s)
{
	memset(n, 0, sizeof(*n));
	n->length = (uint16_t)strlen(s);
	memcpy(n->value, s, n->length);
}

static void ev_fill(struct evt_wire_event *ev)
{
	static const uint8_t data[] = "payload bytes";

	memset(ev, 0, sizeof(*ev));
	ev->event_id = 0x123456789aULL;
	ev->publish_time = 1700000000000000000LL;
	ev->retention_ns = 5000000000LL;
	ev->priority = 2;
	ev->n_patterns = 3;
	ev->patterns[0] = B("first");
	ev->patterns[1] = B("");
	ev->patterns[2] = B("twelve bytes");
	ev->data_len = sizeof(data);
	ev->data = data;
	name_set(&ev->publisher, "pub");
}

static void ev_equal(const struct evt_wire_event *a, const struct evt_wire_event *b)
{
	ck_assert_uint_eq(a->event_id, b->event_id);
	ck_assert_int_eq(a->publish_time, b->publish_time);
	ck_assert_int_eq(a->retention_ns, b->retention_ns);
	ck_assert_uint_eq(a->priority, b->priority);
	ck_assert_uint_eq(a->n_patterns, b->n_patterns);
	for (uint32_t i = 0; i < a->n_patterns; i++) {
		ck_assert_uint_eq(a->patterns[i].len, b->patterns[i].len);
		ck_assert(a->patterns[i].len == 0 ||
		          memcmp(a->patterns[i].bytes, b->patterns[i].bytes, a->patterns[i].len) == 0);
	}
	ck_assert_uint_eq(a->data_len, b->data_len);
	ck_assert(memcmp(a->data, b->data, a->data_len) == 0);
	ck_assert(evt_name_cmp(&a->publisher, &b->publisher) == 0);
}

/* Every truncation and every extension of a valid frame is rejected, as
 * are a wrong id and a wrong size field. */
static void reject_variants(uint8_t *buf, size_t len, int (*decode)(const void *, size_t, void *))
{
	uint8_t *copy = malloc(len + 16);
	void *out = malloc(sizeof(struct evt_wire_sync_event) + 64);
	uint32_t v;

	ck_assert_ptr_nonnull(copy);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(decode(buf, len, out), 0);
	for (size_t l = 0; l < len; l++)
		ck_assert_msg(decode(buf, l, out) < 0, "truncated to %zu accepted", l);
	memcpy(copy, buf, len);
	memset(copy + len, 0, 16);
	v = (uint32_t)len + 8;
	memcpy(copy + 4, &v, 4);
	ck_assert(decode(copy, len + 8, out) < 0);
	memcpy(copy, buf, len);
	v = (uint32_t)len - 1;
	memcpy(copy + 4, &v, 4);
	ck_assert(decode(copy, len, out) < 0);
	memcpy(copy, buf, len);
	copy[0] ^= 0x01;
	ck_assert(decode(copy, len, out) < 0);
	free(copy);
	free(out);
}

static int dec_open(const void *b, size_t l, void *o) { return evt_wire_open_decode(b, l, o); }
static int dec_close(const void *b, size_t l, void *o) { return evt_wire_close_decode(b, l, o); }
static int dec_unlink(const void *b, size_t l, void *o) { return evt_wire_unlink_decode(b, l, o); }
static int dec_clear(const void *b, size_t l, void *o) { return evt_wire_clear_decode(b, l, o); }
static int dec_publish(const void *b, size_t l, void *o) { return evt_wire_publish_decode(b, l, o); }
static int dec_sync_event(const void *b, size_t l, void *o) { return evt_wire_sync_event_decode(b, l, o); }
static int dec_chans(const void *b, size_t l, void *o)
{
	return evt_wire_sync_list_decode(b, l, EVT_EXEC_SYNC_CHANNELS, o);
}
static int dec_openers(const void *b, size_t l, void *o)
{
	return evt_wire_sync_list_decode(b, l, EVT_EXEC_SYNC_OPENERS, o);
}

START_TEST(test_wire_fixed)
{
	uint8_t buf[512];
	struct evt_wire_open o = { 0x1122334455667788ULL, 7, 5, 0xabcdefULL, { 0 } }, o2;
	struct evt_wire_close c = { 99, 3 }, c2;
	struct evt_wire_unlink u = { 42, { 0 } }, u2;
	struct evt_wire_clear cl = { 5, 6, 1001 }, cl2;
	size_t n;

	name_set(&o.name, "channel-a");
	n = evt_wire_open_encode(buf, &o);
	ck_assert_uint_eq(n, EVT_WIRE_OPEN_SIZE);
	ck_assert_int_eq(evt_wire_open_decode(buf, n, &o2), 0);
	ck_assert_uint_eq(o2.conn_id, o.conn_id);
	ck_assert_uint_eq(o2.open_id, 7);
	ck_assert_uint_eq(o2.flags, 5);
	ck_assert_uint_eq(o2.new_chan_id, 0xabcdef);
	ck_assert(evt_name_cmp(&o.name, &o2.name) == 0);
	reject_variants(buf, n, dec_open);
	/* flags above 7 and a name longer than 256 are rejected */
	o.flags = 8;
	n = evt_wire_open_encode(buf, &o);
	ck_assert_int_lt(evt_wire_open_decode(buf, n, &o2), 0);
	o.flags = 1;
	n = evt_wire_open_encode(buf, &o);
	{
		uint32_t bad = 257;
		memcpy(buf + EVT_WIRE_HDR_SIZE + 24, &bad, 4);
	}
	ck_assert_int_lt(evt_wire_open_decode(buf, n, &o2), 0);

	n = evt_wire_close_encode(buf, &c);
	ck_assert_int_eq(evt_wire_close_decode(buf, n, &c2), 0);
	ck_assert_uint_eq(c2.conn_id, 99);
	ck_assert_uint_eq(c2.open_id, 3);
	reject_variants(buf, n, dec_close);

	name_set(&u.name, "u");
	n = evt_wire_unlink_encode(buf, &u);
	ck_assert_int_eq(evt_wire_unlink_decode(buf, n, &u2), 0);
	ck_assert_uint_eq(u2.conn_id, 42);
	ck_assert(evt_name_cmp(&u.name, &u2.name) == 0);
	reject_variants(buf, n, dec_unlink);

	n = evt_wire_clear_encode(buf, &cl);
	ck_assert_int_eq(evt_wire_clear_decode(buf, n, &cl2), 0);
	ck_assert_uint_eq(cl2.event_id, 1001);
	ck_assert_uint_eq(cl2.open_id, 6);
	reject_variants(buf, n, dec_clear);
}
END_TEST

START_TEST(test_wire_publish)
{
	struct evt_wire_publish p, p2;
	struct evt_wire_sync_event s, s2;
	uint8_t *buf;
	size_t n;

	memset(&p, 0, sizeof(p));
	p.conn_id = 77;
	p.open_id = 4;
	ev_fill(&p.ev);
	n = evt_wire_publish_size(&p.ev);
	buf = malloc(n);
	ck_assert_uint_eq(evt_wire_publish_encode(buf, &p), n);
	ck_assert_int_eq(evt_wire_publish_decode(buf, n, &p2), 0);
	ck_assert_uint_eq(p2.conn_id, 77);
	ck_assert_uint_eq(p2.open_id, 4);
	ev_equal(&p.ev, &p2.ev);
	reject_variants(buf, n, dec_publish);
	free(buf);

	/* out-of-range fields are rejected */
	p.ev.priority = 4;
	buf = malloc(evt_wire_publish_size(&p.ev));
	n = evt_wire_publish_encode(buf, &p);
	ck_assert_int_lt(evt_wire_publish_decode(buf, n, &p2), 0);
	p.ev.priority = 0;
	p.ev.retention_ns = -1;
	n = evt_wire_publish_encode(buf, &p);
	ck_assert_int_lt(evt_wire_publish_decode(buf, n, &p2), 0);
	free(buf);

	memset(&s, 0, sizeof(s));
	s.ring.rep = 3;
	s.ring.seq = 12345;
	s.chan_id = 0xfeed;
	ev_fill(&s.ev);
	n = evt_wire_sync_event_size(&s.ev);
	buf = malloc(n);
	ck_assert_uint_eq(evt_wire_sync_event_encode(buf, &s), n);
	ck_assert_int_eq(evt_wire_sync_event_decode(buf, n, &s2), 0);
	ck_assert_uint_eq(s2.ring.rep, 3);
	ck_assert_uint_eq(s2.ring.seq, 12345);
	ck_assert_uint_eq(s2.chan_id, 0xfeed);
	ev_equal(&s.ev, &s2.ev);
	reject_variants(buf, n, dec_sync_event);
	free(buf);
}
END_TEST

START_TEST(test_wire_sync_lists)
{
	struct evt_wire_ring ring = { 2, 99 };
	struct evt_wire_sync_chan c[3], cg;
	struct evt_wire_sync_opener o[2], og;
	struct evt_wire_sync_list l;
	uint8_t *buf = malloc(EVT_WIRE_SYNC_OPENERS_MAX);
	size_t n;

	for (int i = 0; i < 3; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].chan_id = 100 + (uint64_t)i;
		c[i].unlinked = i == 1;
		name_set(&c[i].name, i == 2 ? "" : "chan");
	}
	n = evt_wire_sync_list_hdr_encode(buf, EVT_EXEC_SYNC_CHANNELS, &ring, 3);
	for (int i = 0; i < 3; i++)
		n += evt_wire_sync_chan_encode(buf + n, &c[i]);
	ck_assert_uint_eq(n, EVT_WIRE_SYNC_HDR_SIZE + 3 * EVT_WIRE_SYNC_CHAN_SIZE);
	ck_assert_int_eq(evt_wire_sync_list_decode(buf, n, EVT_EXEC_SYNC_CHANNELS, &l), 0);
	ck_assert_uint_eq(l.count, 3);
	ck_assert_uint_eq(l.ring.seq, 99);
	for (uint32_t i = 0; i < 3; i++) {
		ck_assert_int_eq(evt_wire_sync_chan_get(&l, i, &cg), 0);
		ck_assert_uint_eq(cg.chan_id, c[i].chan_id);
		ck_assert_uint_eq(cg.unlinked, c[i].unlinked);
		ck_assert(evt_name_cmp(&cg.name, &c[i].name) == 0);
	}
	ck_assert_int_lt(evt_wire_sync_chan_get(&l, 3, &cg), 0);
	/* decoded as the other list type: rejected */
	ck_assert_int_lt(evt_wire_sync_list_decode(buf, n, EVT_EXEC_SYNC_OPENERS, &l), 0);
	reject_variants(buf, n, dec_chans);

	for (int i = 0; i < 2; i++) {
		memset(&o[i], 0, sizeof(o[i]));
		o[i].chan_id = 7;
		o[i].flags = 3;
		o[i].conn_id = 0x8000000000000001ULL + (uint64_t)i;
		o[i].open_id = 9 + (uint32_t)i;
		name_set(&o[i].name, "opened");
	}
	n = evt_wire_sync_list_hdr_encode(buf, EVT_EXEC_SYNC_OPENERS, &ring, 2);
	for (int i = 0; i < 2; i++)
		n += evt_wire_sync_opener_encode(buf + n, &o[i]);
	ck_assert_int_eq(evt_wire_sync_list_decode(buf, n, EVT_EXEC_SYNC_OPENERS, &l), 0);
	for (uint32_t i = 0; i < 2; i++) {
		ck_assert_int_eq(evt_wire_sync_opener_get(&l, i, &og), 0);
		ck_assert_uint_eq(og.conn_id, o[i].conn_id);
		ck_assert_uint_eq(og.open_id, o[i].open_id);
		ck_assert_uint_eq(og.flags, 3);
	}
	reject_variants(buf, n, dec_openers);
	/* a count that lies about the length */
	{
		uint32_t lie = 3;
		memcpy(buf + EVT_WIRE_HDR_SIZE + 12, &lie, 4);
		ck_assert_int_lt(evt_wire_sync_list_decode(buf, n, EVT_EXEC_SYNC_OPENERS, &l), 0);
		lie = 0xffffffffu;
		memcpy(buf + EVT_WIRE_HDR_SIZE + 12, &lie, 4);
		ck_assert_int_lt(evt_wire_sync_list_decode(buf, n, EVT_EXEC_SYNC_OPENERS, &l), 0);
	}
	/* a bad entry: flags above 7 */
	n = evt_wire_sync_list_hdr_encode(buf, EVT_EXEC_SYNC_OPENERS, &ring, 1);
	o[0].flags = 9;
	n += evt_wire_sync_opener_encode(buf + n, &o[0]);
	ck_assert_int_eq(evt_wire_sync_list_decode(buf, n, EVT_EXEC_SYNC_OPENERS, &l), 0);
	ck_assert_int_lt(evt_wire_sync_opener_get(&l, 0, &og), 0);
	free(buf);
}
END_TEST

/* ---- request validators ------------------------------------------------------------ */

static size_t build_publish(uint8_t *buf, uint32_t n_patterns, const uint32_t *lens, uint32_t data_len,
                            uint32_t declared_data_len)
{
	struct ais_evt_req_publish p;
	size_t off = sizeof(p);

	memset(&p, 0, sizeof(p));
	p.header.id = AIS_EVT_REQ_PUBLISH;
	p.open_id = 1;
	p.priority = 3;
	p.n_patterns = n_patterns;
	p.data_len = declared_data_len;
	name_set(&p.publisher, "me");
	for (uint32_t i = 0; i < n_patterns; i++) {
		struct ais_evt_blob b = { lens[i], 0 };

		memcpy(buf + off, &b, sizeof(b));
		off += sizeof(b);
		memset(buf + off, 'a' + (int)i, AIS_EVT_PAD(lens[i]));
		off += AIS_EVT_PAD(lens[i]);
	}
	memset(buf + off, 'd', data_len);
	off += data_len;
	p.header.size = (int32_t)off;
	memcpy(buf, &p, sizeof(p));
	return off;
}

START_TEST(test_req_publish)
{
	uint8_t *buf = calloc(1, 200000);
	struct evt_wire_event ev;
	uint32_t lens[AIS_EVT_PATTERNS_MAX + 1];
	uint32_t open_id = 0;
	struct ais_evt_req_publish p;
	size_t n;

	for (int i = 0; i <= AIS_EVT_PATTERNS_MAX; i++)
		lens[i] = (uint32_t)i * 3;
	n = build_publish(buf, 3, lens, 10, 10);
	ck_assert_int_eq(evt_req_publish_parse(buf, n, &open_id, &ev), 0);
	ck_assert_uint_eq(open_id, 1);
	ck_assert_uint_eq(ev.n_patterns, 3);
	ck_assert_uint_eq(ev.patterns[2].len, 6);
	ck_assert_uint_eq(ev.patterns[2].bytes[0], 'c');
	ck_assert_uint_eq(ev.data_len, 10);
	ck_assert_uint_eq(ev.data[0], 'd');
	/* every truncation is rejected (the size field follows the length) */
	for (size_t l = 0; l < n; l++) {
		uint8_t *copy = malloc(l ? l : 1);
		int32_t sz = (int32_t)l;

		memcpy(copy, buf, l);
		if (l >= sizeof(struct qb_ipc_request_header))
			memcpy(copy + offsetof(struct qb_ipc_request_header, size), &sz, 4);
		ck_assert_msg(evt_req_publish_parse(copy, l, &open_id, &ev) < 0, "truncated %zu accepted", l);
		free(copy);
	}
	/* data shorter or longer than declared */
	n = build_publish(buf, 3, lens, 10, 11);
	ck_assert_int_eq(evt_req_publish_parse(buf, n, &open_id, &ev), -EINVAL);
	n = build_publish(buf, 3, lens, 10, 9);
	ck_assert_int_eq(evt_req_publish_parse(buf, n, &open_id, &ev), -EINVAL);
	/* too many patterns; a pattern too long */
	n = build_publish(buf, AIS_EVT_PATTERNS_MAX + 1, lens, 0, 0);
	ck_assert_int_eq(evt_req_publish_parse(buf, n, &open_id, &ev), -EINVAL);
	lens[0] = AIS_EVT_PATTERN_MAX + 1;
	n = build_publish(buf, 1, lens, 0, 0);
	ck_assert_int_eq(evt_req_publish_parse(buf, n, &open_id, &ev), -EINVAL);
	/* a pattern length that overflows the message */
	lens[0] = 8;
	n = build_publish(buf, 1, lens, 0, 0);
	{
		uint32_t huge = 0xfffffff8u;
		memcpy(buf + sizeof(p), &huge, 4);
	}
	ck_assert_int_eq(evt_req_publish_parse(buf, n, &open_id, &ev), -EINVAL);
	/* data above the limit: TOO_BIG; priority 4, negative retention: INVALID */
	n = build_publish(buf, 0, lens, AIS_EVT_DATA_MAX + 1, AIS_EVT_DATA_MAX + 1);
	ck_assert_int_eq(evt_req_publish_parse(buf, n, &open_id, &ev), -EMSGSIZE);
	n = build_publish(buf, 0, lens, 0, 0);
	memcpy(&p, buf, sizeof(p));
	p.priority = 4;
	memcpy(buf, &p, sizeof(p));
	ck_assert_int_eq(evt_req_publish_parse(buf, n, &open_id, &ev), -EINVAL);
	p.priority = 0;
	p.retention_ns = -5;
	memcpy(buf, &p, sizeof(p));
	ck_assert_int_eq(evt_req_publish_parse(buf, n, &open_id, &ev), -EINVAL);
	p.retention_ns = AIS_EVT_RETENTION_MAX + 1;
	memcpy(buf, &p, sizeof(p));
	ck_assert_int_eq(evt_req_publish_parse(buf, n, &open_id, &ev), -EMSGSIZE);
	p.retention_ns = 0;
	p.publisher.length = 257;
	memcpy(buf, &p, sizeof(p));
	ck_assert_int_eq(evt_req_publish_parse(buf, n, &open_id, &ev), -EINVAL);
	free(buf);
}
END_TEST

static size_t build_subscribe(uint8_t *buf, uint32_t n, const uint32_t *types, const uint32_t *lens)
{
	struct ais_evt_req_subscribe s;
	size_t off = sizeof(s);

	memset(&s, 0, sizeof(s));
	s.header.id = AIS_EVT_REQ_SUBSCRIBE;
	s.open_id = 2;
	s.sub_id = 5;
	s.n_filters = n;
	for (uint32_t i = 0; i < n; i++) {
		struct ais_evt_filter f = { types[i], lens[i] };

		memcpy(buf + off, &f, sizeof(f));
		off += sizeof(f);
		memset(buf + off, 'f', AIS_EVT_PAD(lens[i]));
		off += AIS_EVT_PAD(lens[i]);
	}
	s.header.size = (int32_t)off;
	memcpy(buf, &s, sizeof(s));
	return off;
}

START_TEST(test_req_subscribe)
{
	uint8_t *buf = calloc(1, 100000);
	struct ais_evt_req_subscribe fixed;
	struct evt_filter filters[AIS_EVT_PATTERNS_MAX];
	uint32_t types[AIS_EVT_PATTERNS_MAX + 1], lens[AIS_EVT_PATTERNS_MAX + 1];
	size_t n;

	for (int i = 0; i <= AIS_EVT_PATTERNS_MAX; i++) {
		types[i] = 1 + (uint32_t)i % 4;
		lens[i] = (uint32_t)i;
	}
	n = build_subscribe(buf, 4, types, lens);
	ck_assert_int_eq(evt_req_subscribe_parse(buf, n, &fixed, filters), 0);
	ck_assert_uint_eq(fixed.n_filters, 4);
	ck_assert_uint_eq(filters[3].type, 4);
	ck_assert_uint_eq(filters[3].pat.len, 3);
	n = build_subscribe(buf, 0, types, lens);
	ck_assert_int_eq(evt_req_subscribe_parse(buf, n, &fixed, filters), 0);
	n = build_subscribe(buf, AIS_EVT_PATTERNS_MAX, types, lens);
	ck_assert_int_eq(evt_req_subscribe_parse(buf, n, &fixed, filters), 0);
	n = build_subscribe(buf, AIS_EVT_PATTERNS_MAX + 1, types, lens);
	ck_assert_int_eq(evt_req_subscribe_parse(buf, n, &fixed, filters), -EINVAL);
	/* bad types */
	types[1] = 0;
	n = build_subscribe(buf, 2, types, lens);
	ck_assert_int_eq(evt_req_subscribe_parse(buf, n, &fixed, filters), -EINVAL);
	types[1] = 5;
	n = build_subscribe(buf, 2, types, lens);
	ck_assert_int_eq(evt_req_subscribe_parse(buf, n, &fixed, filters), -EINVAL);
	types[1] = 2;
	/* a filter too long; a count that overflows; trailing bytes; truncation */
	lens[0] = AIS_EVT_PATTERN_MAX + 1;
	n = build_subscribe(buf, 1, types, lens);
	ck_assert_int_eq(evt_req_subscribe_parse(buf, n, &fixed, filters), -EINVAL);
	lens[0] = 0;
	n = build_subscribe(buf, 2, types, lens);
	memcpy(&fixed, buf, sizeof(fixed));
	fixed.n_filters = 0xffffffffu;
	memcpy(buf, &fixed, sizeof(fixed));
	ck_assert_int_eq(evt_req_subscribe_parse(buf, n, &fixed, filters), -EINVAL);
	n = build_subscribe(buf, 2, types, lens);
	memcpy(&fixed, buf, sizeof(fixed));
	fixed.n_filters = 1;
	memcpy(buf, &fixed, sizeof(fixed));
	ck_assert_int_eq(evt_req_subscribe_parse(buf, n, &fixed, filters), -EINVAL);
	n = build_subscribe(buf, 2, types, lens);
	fixed.header.size = (int32_t)n - 8;
	fixed.n_filters = 2;
	memcpy(buf, &fixed, sizeof(fixed));
	ck_assert_int_eq(evt_req_subscribe_parse(buf, n - 8, &fixed, filters), -EINVAL);
	free(buf);
}
END_TEST

/* ---- delivery queue ------------------------------------------------------------------ */

static struct evt_dq_item *item(uint32_t prio, uint32_t sub, size_t bytes)
{
	struct evt_dq_item *it = calloc(1, sizeof(*it));

	it->priority = prio;
	it->open_id = 1;
	it->sub_id = sub;
	it->bytes = bytes;
	return it;
}

static void item_free(struct evt_dq_item *it)
{
	free(it);
}

START_TEST(test_dq_window_priority)
{
	struct evt_dq dq;
	struct evt_dq_item *it;
	uint32_t o, s;

	evt_dq_init(&dq);
	for (uint32_t i = 0; i < 100; i++)
		ck_assert_int_eq(evt_dq_push(&dq, item(3, i, 10)), 0);
	ck_assert_int_eq(evt_dq_push(&dq, item(0, 1000, 10)), 0);
	ck_assert_int_eq(evt_dq_push(&dq, item(1, 1001, 10)), 0);
	/* highest priority first, then FIFO within a priority */
	ck_assert_int_eq(evt_dq_next(&dq, &it, &o, &s), EVT_DQ_EVENT);
	ck_assert_uint_eq(it->sub_id, 1000);
	free(it);
	ck_assert_int_eq(evt_dq_next(&dq, &it, &o, &s), EVT_DQ_EVENT);
	ck_assert_uint_eq(it->sub_id, 1001);
	free(it);
	for (uint32_t i = 0; i < AIS_EVT_WINDOW - 2; i++) {
		ck_assert_int_eq(evt_dq_next(&dq, &it, &o, &s), EVT_DQ_EVENT);
		ck_assert_uint_eq(it->sub_id, i);
		free(it);
	}
	/* the window is full */
	ck_assert_int_eq(evt_dq_next(&dq, &it, &o, &s), EVT_DQ_NONE);
	ck_assert_uint_eq(dq.in_flight, AIS_EVT_WINDOW);
	evt_dq_credit(&dq, 1);
	ck_assert_int_eq(evt_dq_next(&dq, &it, &o, &s), EVT_DQ_EVENT);
	free(it);
	ck_assert_int_eq(evt_dq_next(&dq, &it, &o, &s), EVT_DQ_NONE);
	/* credit beyond what is outstanding is ignored */
	evt_dq_credit(&dq, 0xffffffffu);
	ck_assert_uint_eq(dq.in_flight, 0);
	/* unnext puts an event back at the head */
	ck_assert_int_eq(evt_dq_next(&dq, &it, &o, &s), EVT_DQ_EVENT);
	s = it->sub_id;
	evt_dq_unnext(&dq, it);
	ck_assert_int_eq(evt_dq_next(&dq, &it, &o, &o), EVT_DQ_EVENT);
	ck_assert_uint_eq(it->sub_id, s);
	free(it);
	evt_dq_flush(&dq, item_free);
	ck_assert_uint_eq(dq.count, 0);
	ck_assert_uint_eq(dq.bytes, 0);
}
END_TEST

START_TEST(test_dq_overflow_notice)
{
	struct evt_dq dq;
	struct evt_dq_item *it, *d;
	uint32_t o = 0, s = 0, notices = 0;
	size_t sent = 0;

	evt_dq_init(&dq);
	for (uint32_t i = 0; i < AIS_EVT_QUEUE_MAX; i++)
		ck_assert_int_eq(evt_dq_push(&dq, item(2, 5, 1)), 0);
	/* the queue is full: the new event is dropped and counted */
	d = item(2, 77, 1);
	ck_assert_int_eq(evt_dq_push(&dq, d), -ENOBUFS);
	free(d);
	d = item(0, 78, 1);
	ck_assert_int_eq(evt_dq_push(&dq, d), -ENOBUFS);
	free(d);
	ck_assert_uint_eq(dq.lost, 2);
	ck_assert(dq.overflow);
	/* drain: exactly one notice, once the queue is down to RESUME, naming
	 * the subscription whose event was dropped first */
	for (;;) {
		enum evt_dq_next_kind k = evt_dq_next(&dq, &it, &o, &s);

		if (k == EVT_DQ_NONE) {
			if (dq.count == 0 && !dq.overflow)
				break;
			evt_dq_credit(&dq, AIS_EVT_CREDIT_BATCH);
			continue;
		}
		if (k == EVT_DQ_LOST) {
			notices++;
			ck_assert_uint_eq(s, 77);
			ck_assert_uint_le(dq.count, AIS_EVT_QUEUE_RESUME);
			ck_assert_uint_ge(dq.count, AIS_EVT_QUEUE_RESUME - AIS_EVT_WINDOW);
		} else {
			free(it);
		}
		sent++;
	}
	ck_assert_uint_eq(notices, 1);
	ck_assert_uint_eq(sent, AIS_EVT_QUEUE_MAX + 1);
	/* a second episode gets its own notice */
	for (uint32_t i = 0; i < AIS_EVT_QUEUE_MAX; i++)
		ck_assert_int_eq(evt_dq_push(&dq, item(3, 6, 1)), 0);
	d = item(3, 9, 1);
	ck_assert_int_eq(evt_dq_push(&dq, d), -ENOBUFS);
	free(d);
	evt_dq_flush(&dq, item_free);
	evt_dq_credit(&dq, 1000);
	ck_assert_int_eq(evt_dq_next(&dq, &it, &o, &s), EVT_DQ_NONE); /* flush ends the episode */
}
END_TEST

START_TEST(test_dq_bytes_and_drop)
{
	struct evt_dq dq;
	struct evt_dq_item *d;

	evt_dq_init(&dq);
	ck_assert_int_eq(evt_dq_push(&dq, item(1, 1, AIS_EVT_QUEUE_MAX_BYTES - 10)), 0);
	d = item(1, 2, 11);
	ck_assert_int_eq(evt_dq_push(&dq, d), -ENOBUFS);
	free(d);
	ck_assert_int_eq(evt_dq_push(&dq, item(1, 3, 10)), 0);
	d = item(1, 4, SIZE_MAX);
	ck_assert_int_eq(evt_dq_push(&dq, d), -ENOBUFS);
	free(d);
	evt_dq_flush(&dq, item_free);
	for (uint32_t i = 0; i < 10; i++)
		ck_assert_int_eq(evt_dq_push(&dq, item(i % 4, i % 2, 1)), 0);
	evt_dq_flush(&dq, item_free);
	ck_assert_uint_eq(dq.count, 0);
}
END_TEST

static bool match_odd(const struct evt_dq_item *it, void *ctx)
{
	(void)ctx;
	return it->sub_id % 2 == 1;
}

START_TEST(test_dq_drop_if)
{
	struct evt_dq dq;
	struct evt_dq_item *it;
	uint32_t o, s;

	evt_dq_init(&dq);
	for (uint32_t i = 0; i < 10; i++)
		ck_assert_int_eq(evt_dq_push(&dq, item(i % 4, i, 3)), 0);
	ck_assert_uint_eq(evt_dq_drop_if(&dq, match_odd, NULL, item_free), 5);
	ck_assert_uint_eq(dq.count, 5);
	ck_assert_uint_eq(dq.bytes, 15);
	while (evt_dq_next(&dq, &it, &o, &s) == EVT_DQ_EVENT) {
		ck_assert_uint_eq(it->sub_id % 2, 0);
		free(it);
	}
}
END_TEST

/* ---- event-id reservation ------------------------------------------------------------- */

START_TEST(test_idres)
{
	struct evt_idres r;
	uint64_t store = 0, c = 0, prev = 0;

	/* nothing on disk: start at the first non-reserved id, ask for a block */
	evt_idres_init(&r, 0, &store);
	ck_assert_uint_eq(store, AIS_EVT_EVENTID_FIRST + EVT_IDRES_BLOCK);
	/* nothing durable beyond the start yet: no id */
	ck_assert_int_eq(evt_idres_take(&r, 0, &c, &store), -EAGAIN);
	/* durable: ids flow, strictly increasing, never at or above durable */
	for (int i = 0; i < 1000; i++) {
		ck_assert_int_eq(evt_idres_take(&r, AIS_EVT_EVENTID_FIRST + 500, &c, &store), i < 500 ? 0 : -EAGAIN);
		if (i < 500) {
			ck_assert_uint_ge(c, AIS_EVT_EVENTID_FIRST);
			ck_assert_uint_lt(c, AIS_EVT_EVENTID_FIRST + 500);
			ck_assert(i == 0 || c > prev);
			prev = c;
		}
	}
	/* half a block used: a new reservation is asked for ahead of use */
	evt_idres_init(&r, 5000, &store);
	ck_assert_uint_eq(r.next, 5000);
	ck_assert_uint_eq(store, 5000 + EVT_IDRES_BLOCK);
	for (uint64_t i = 0; i <= EVT_IDRES_BLOCK / 2; i++) {
		ck_assert_int_eq(evt_idres_take(&r, 5000 + EVT_IDRES_BLOCK, &c, &store), 0);
		if (store)
			break;
	}
	ck_assert_uint_gt(store, 5000 + EVT_IDRES_BLOCK);
	/* a restart from the stored reservation never reuses an id handed out */
	{
		struct evt_idres r2;
		uint64_t s2;

		evt_idres_init(&r2, 5000 + EVT_IDRES_BLOCK, &s2);
		ck_assert_uint_gt(r2.next, c);
	}
	/* retry asks for more */
	ck_assert_uint_gt(evt_idres_retry(&r), store);
	/* the id layout */
	ck_assert_uint_eq(evt_idres_event_id(0x12345678, 0x42), (0x345678ULL << 40) | 0x42);
}
END_TEST

static Suite *evt_suite(void)
{
	Suite *s = suite_create("evt");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_filter_one);
	tcase_add_test(tc, test_filter_arrays);
	tcase_add_test(tc, test_wire_fixed);
	tcase_add_test(tc, test_wire_publish);
	tcase_add_test(tc, test_wire_sync_lists);
	tcase_add_test(tc, test_req_publish);
	tcase_add_test(tc, test_req_subscribe);
	tcase_add_test(tc, test_dq_window_priority);
	tcase_add_test(tc, test_dq_overflow_notice);
	tcase_add_test(tc, test_dq_bytes_and_drop);
	tcase_add_test(tc, test_dq_drop_if);
	tcase_add_test(tc, test_idres);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(evt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
