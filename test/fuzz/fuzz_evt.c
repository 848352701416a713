/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: every cluster message decoder of the evt engine and the
 * validators of the variable parts of its client requests (services/
 * evt_wire.c). The first input byte picks the decoder, the rest is the
 * frame or request as it would arrive. Decoders must reject anything
 * inconsistent without reading past the input; what they accept must hold
 * together (counts, lengths, names, ranges) and survive a re-encode.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evt_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void touch(const uint8_t *p, size_t n)
{
	uint8_t x = 0;

	for (size_t i = 0; i < n; i++)
		x ^= p[i];
	sink ^= x;
}

static void check_event(const struct evt_wire_event *ev)
{
	if (ev->priority > 3 || ev->n_patterns > AIS_EVT_PATTERNS_MAX || ev->data_len > AIS_EVT_DATA_MAX ||
	    ev->publisher.length > 256 || ev->retention_ns < 0)
		abort();
	for (uint32_t i = 0; i < ev->n_patterns; i++) {
		if (ev->patterns[i].len > AIS_EVT_PATTERN_MAX)
			abort();
		touch(ev->patterns[i].bytes, ev->patterns[i].len);
	}
	touch(ev->data, ev->data_len);
}

/* what decoded must encode to the same length and decode again alike */
static void reencode_publish(const struct evt_wire_publish *p, size_t len)
{
	size_t n = evt_wire_publish_size(&p->ev);
	uint8_t *buf;
	struct evt_wire_publish p2;

	if (n != len)
		abort();
	buf = malloc(n);
	if (!buf)
		return;
	if (evt_wire_publish_encode(buf, p) != n || evt_wire_publish_decode(buf, n, &p2) != 0 ||
	    p2.ev.event_id != p->ev.event_id || p2.ev.data_len != p->ev.data_len)
		abort();
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union {
		struct evt_wire_open open;
		struct evt_wire_close close;
		struct evt_wire_unlink unlink;
		struct evt_wire_clear clear;
		struct evt_wire_publish publish;
		struct evt_wire_sync_list list;
		struct evt_wire_sync_event sev;
		struct evt_wire_event ev;
	} u;
	struct evt_wire_sync_chan c;
	struct evt_wire_sync_opener o;
	struct ais_evt_req_subscribe sub;
	struct evt_filter filters[AIS_EVT_PATTERNS_MAX];
	uint32_t open_id;
	uint8_t *frame;
	size_t len;

	if (size < 1)
		return 0;
	/* an exact-size copy, so reading past the frame is caught */
	len = size - 1;
	frame = malloc(len ? len : 1);
	if (!frame)
		return 0;
	memcpy(frame, data + 1, len);
	switch (data[0] % 10) {
	case 0:
		if (evt_wire_open_decode(frame, len, &u.open) == 0 &&
		    (len != EVT_WIRE_OPEN_SIZE || u.open.flags > 7 || u.open.name.length > 256))
			abort();
		break;
	case 1:
		if (evt_wire_close_decode(frame, len, &u.close) == 0 && len != EVT_WIRE_CLOSE_SIZE)
			abort();
		break;
	case 2:
		if (evt_wire_unlink_decode(frame, len, &u.unlink) == 0 &&
		    (len != EVT_WIRE_UNLINK_SIZE || u.unlink.name.length > 256))
			abort();
		break;
	case 3:
		if (evt_wire_clear_decode(frame, len, &u.clear) == 0 && len != EVT_WIRE_CLEAR_SIZE)
			abort();
		break;
	case 4:
		if (evt_wire_publish_decode(frame, len, &u.publish) == 0) {
			check_event(&u.publish.ev);
			reencode_publish(&u.publish, len);
		}
		break;
	case 5:
	case 6: {
		enum evt_exec_fn fn = data[0] % 10 == 5 ? EVT_EXEC_SYNC_CHANNELS : EVT_EXEC_SYNC_OPENERS;

		if (evt_wire_sync_list_decode(frame, len, fn, &u.list) == 0) {
			if (u.list.count > EVT_WIRE_SYNC_BATCH)
				abort();
			for (uint32_t i = 0; i < u.list.count; i++) {
				if (fn == EVT_EXEC_SYNC_CHANNELS && evt_wire_sync_chan_get(&u.list, i, &c) == 0 &&
				    (c.name.length > 256 || c.unlinked > 1))
					abort();
				if (fn == EVT_EXEC_SYNC_OPENERS && evt_wire_sync_opener_get(&u.list, i, &o) == 0 &&
				    (o.name.length > 256 || o.flags > 7))
					abort();
			}
		}
		break;
	}
	case 7:
		if (evt_wire_sync_event_decode(frame, len, &u.sev) == 0) {
			check_event(&u.sev.ev);
			if (evt_wire_sync_event_size(&u.sev.ev) != len)
				abort();
		}
		break;
	case 8:
		if (evt_req_publish_parse(frame, len, &open_id, &u.ev) == 0) {
			check_event(&u.ev);
			if (u.ev.retention_ns > AIS_EVT_RETENTION_MAX)
				abort();
		}
		break;
	default:
		if (evt_req_subscribe_parse(frame, len, &sub, filters) == 0) {
			if (sub.n_filters > AIS_EVT_PATTERNS_MAX)
				abort();
			for (uint32_t i = 0; i < sub.n_filters; i++) {
				if (filters[i].type < 1 || filters[i].type > 4 || filters[i].pat.len > AIS_EVT_PATTERN_MAX)
					abort();
				touch(filters[i].pat.bytes, filters[i].pat.len);
			}
		}
		break;
	}
	free(frame);
	return 0;
}
