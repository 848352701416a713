/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Delivery of events to this node's subscribers. Subscriptions are local:
 * each node matches every delivered PUBLISH against the subscriptions of
 * its own clients' opens of that channel, and each matching subscription
 * gets its own copy (a reference to the one shared event) in its
 * connection's delivery queue (evt_dq.c). evt_conn_pump() sends from the
 * queue while the connection's window has room; CREDIT requests reopen it.
 * The event_send of the executive is not expected to refuse inside the
 * window: if it does, the connection is broken and closed.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <ais/log.h>
#include <ais/inject.h>

#include "evt_int.h"

AIS_LOG_SUBSYS("EVT");

struct evt_event *evt_event_new(const struct evt_wire_event *w)
{
	size_t var = (size_t)w->data_len;
	struct evt_event *ev;
	size_t off = 0;

	for (uint32_t i = 0; i < w->n_patterns; i++)
		var += sizeof(struct ais_evt_blob) + AIS_EVT_PAD(w->patterns[i].len);
	ev = ais_calloc(1, sizeof(*ev) + var);
	if (!ev)
		return NULL;
	ev->refs = 1;
	ev->event_id = w->event_id;
	ev->publish_time = w->publish_time;
	ev->retention_ns = w->retention_ns;
	ev->priority = w->priority;
	ev->n_patterns = w->n_patterns;
	ev->data_len = w->data_len;
	ev->publisher = w->publisher;
	ev->var_len = var;
	for (uint32_t i = 0; i < w->n_patterns; i++) {
		struct ais_evt_blob b = { .len = w->patterns[i].len, .pad = 0 };

		memcpy(ev->var + off, &b, sizeof(b));
		off += sizeof(b);
		if (b.len)
			memcpy(ev->var + off, w->patterns[i].bytes, b.len);
		ev->patterns[i].bytes = ev->var + off;
		ev->patterns[i].len = b.len;
		off += AIS_EVT_PAD(b.len);
	}
	if (w->data_len)
		memcpy(ev->var + off, w->data, w->data_len);
	return ev;
}

struct evt_event *evt_event_ref(struct evt_event *ev)
{
	ev->refs++;
	return ev;
}

void evt_event_unref(struct evt_event *ev)
{
	if (ev && --ev->refs == 0)
		free(ev);
}

void evt_event_to_wire(const struct evt_event *ev, struct evt_wire_event *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->event_id = ev->event_id;
	ret->publish_time = ev->publish_time;
	ret->retention_ns = ev->retention_ns;
	ret->priority = ev->priority;
	ret->n_patterns = ev->n_patterns;
	ret->data_len = ev->data_len;
	ret->publisher = ev->publisher;
	for (uint32_t i = 0; i < ev->n_patterns; i++)
		ret->patterns[i] = ev->patterns[i];
	ret->data = ev->var + (ev->var_len - ev->data_len);
}

void evt_delivery_free(struct evt_dq_item *it)
{
	struct evt_delivery *d = (struct evt_delivery *)it;

	evt_event_unref(d->ev);
	free(d);
}

static void evt_conn_queue(struct evt_conn *pd, uint32_t open_id, uint32_t sub_id, struct evt_event *ev)
{
	struct evt_delivery *d;

	if (pd->broken)
		return;
	d = ais_calloc(1, sizeof(*d));
	if (!d) {
		pd->dq.lost++;
		evt_state.dropped++;
		return;
	}
	d->item.priority = ev->priority;
	d->item.open_id = open_id;
	d->item.sub_id = sub_id;
	d->item.bytes = sizeof(struct ais_evt_ev_deliver) + ev->var_len;
	d->item.data = d;
	d->ev = evt_event_ref(ev);
	if (evt_dq_push(&pd->dq, &d->item) < 0) {
		evt_state.dropped++;
		evt_delivery_free(&d->item);
	}
}

void evt_deliver_channel(struct evt_channel *c, struct evt_event *ev)
{
	struct evt_open *o;

	qb_list_for_each_entry(o, &c->local_opens, chan_list) {
		struct evt_sub *s;
		bool queued = false;

		qb_list_for_each_entry(s, &o->subs, list) {
			if (evt_filter_match(s->filters, s->n_filters, ev->patterns, ev->n_patterns)) {
				evt_conn_queue(o->pd, o->open_id, s->sub_id, ev);
				queued = true;
			}
		}
		if (queued)
			evt_conn_pump(o->pd);
	}
}

void evt_deliver_retained_to_sub(struct evt_open *o, struct evt_sub *s)
{
	struct evt_retained *r;

	if (!o->chan)
		return;
	qb_list_for_each_entry(r, &o->chan->retained, list) {
		if (evt_filter_match(s->filters, s->n_filters, r->ev->patterns, r->ev->n_patterns))
			evt_conn_queue(o->pd, o->open_id, s->sub_id, r->ev);
	}
	evt_conn_pump(o->pd);
}

static void evt_conn_broken(struct evt_conn *pd, int r)
{
	pd->broken = true;
	ais_log(LOG_ERR, "event delivery to a client refused inside its window (%s): disconnecting it",
	        strerror(-r));
	evt_dq_flush(&pd->dq, evt_delivery_free);
	evt_state.api->conn_disconnect(pd->conn);
}

static int evt_send_lost(struct evt_conn *pd, uint32_t open_id, uint32_t sub_id)
{
	static const char pattern[] = AIS_EVT_LOST_EVENT_PATTERN;
	struct {
		struct ais_evt_ev_deliver ev;
		struct ais_evt_blob blob;
		uint8_t bytes[AIS_EVT_PAD(sizeof(pattern) - 1)];
	} msg;

	memset(&msg, 0, sizeof(msg));
	msg.ev.header.id = AIS_EVT_EV_DELIVER;
	msg.ev.header.size = (int32_t)sizeof(msg);
	msg.ev.header.error = EVT_SA_OK;
	msg.ev.open_id = open_id;
	msg.ev.sub_id = sub_id;
	msg.ev.event_id = EVT_LOST_EVENT_ID;
	msg.ev.publish_time = evt_now_ns();
	msg.ev.publisher.length = (uint16_t)strlen(EVT_LOST_PUBLISHER);
	memcpy(msg.ev.publisher.value, EVT_LOST_PUBLISHER, strlen(EVT_LOST_PUBLISHER));
	msg.ev.priority = 0;
	msg.ev.n_patterns = 1;
	msg.blob.len = sizeof(pattern) - 1;
	memcpy(msg.bytes, pattern, sizeof(pattern) - 1);
	return evt_state.api->event_send(pd->conn, &msg, sizeof(msg));
}

void evt_conn_pump(struct evt_conn *pd)
{
	for (;;) {
		struct evt_dq_item *it = NULL;
		uint32_t open_id = 0, sub_id = 0;
		enum evt_dq_next_kind k;
		int r;

		if (pd->broken)
			return;
		k = evt_dq_next(&pd->dq, &it, &open_id, &sub_id);
		if (k == EVT_DQ_NONE)
			return;
		if (k == EVT_DQ_LOST) {
			r = evt_send_lost(pd, open_id, sub_id);
		} else {
			struct evt_delivery *d = it->data;
			struct ais_evt_ev_deliver hdr;
			struct iovec iov[2];

			memset(&hdr, 0, sizeof(hdr));
			hdr.header.id = AIS_EVT_EV_DELIVER;
			hdr.header.size = (int32_t)(sizeof(hdr) + d->ev->var_len);
			hdr.header.error = EVT_SA_OK;
			hdr.open_id = it->open_id;
			hdr.sub_id = it->sub_id;
			hdr.event_id = d->ev->event_id;
			hdr.publish_time = d->ev->publish_time;
			hdr.retention_ns = d->ev->retention_ns;
			hdr.publisher = d->ev->publisher;
			hdr.priority = d->ev->priority;
			hdr.n_patterns = d->ev->n_patterns;
			hdr.data_len = d->ev->data_len;
			iov[0].iov_base = &hdr;
			iov[0].iov_len = sizeof(hdr);
			iov[1].iov_base = d->ev->var;
			iov[1].iov_len = d->ev->var_len;
			r = evt_state.api->eventv_send(pd->conn, iov, d->ev->var_len ? 2 : 1);
			evt_delivery_free(it);
		}
		if (r < 0) {
			evt_conn_broken(pd, r);
			return;
		}
		pd->delivered++;
		evt_state.delivered++;
	}
}

struct evt_drop_key {
	uint32_t open_id;
	uint32_t sub_id;
	bool any_sub;
};

static bool evt_drop_match(const struct evt_dq_item *it, void *ctx)
{
	const struct evt_drop_key *k = ctx;

	return it->open_id == k->open_id && (k->any_sub || it->sub_id == k->sub_id);
}

void evt_conn_drop_sub(struct evt_conn *pd, uint32_t open_id, uint32_t sub_id)
{
	struct evt_drop_key k = { open_id, sub_id, false };

	(void)evt_dq_drop_if(&pd->dq, evt_drop_match, &k, evt_delivery_free);
}

void evt_conn_drop_open(struct evt_conn *pd, uint32_t open_id)
{
	struct evt_drop_key k = { open_id, 0, true };

	(void)evt_dq_drop_if(&pd->dq, evt_drop_match, &k, evt_delivery_free);
}
