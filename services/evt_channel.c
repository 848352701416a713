/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The evt engine's replicated state and the cluster messages that change
 * it. Every node applies OPEN, CLOSE, UNLINK, PUBLISH and CLEAR in the same
 * (agreed) order, so every node holds the same channels, openers and
 * retained events and computes the same result for each request; the node
 * the request came from (the sender) answers its client.
 *
 *  - A channel is found by name until it is unlinked; an unlinked channel
 *    is anonymous (kept by id for its openers) and is destroyed when its
 *    last opener goes, anywhere. A channel never unlinked lives on with no
 *    opener, keeping its retained events.
 *  - An opener is (nodeid, conn id, open id): a node that leaves the
 *    configuration loses its openers (evt_channels_prune_nodes).
 *  - A retained event stays until publish_time + retention (each node's
 *    own timer, from the agreed publish time), a CLEAR, or the channel's
 *    destruction.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ais/log.h>
#include <ais/inject.h>

#include "evt_int.h"

AIS_LOG_SUBSYS("EVT");

void evt_opener_key(char key[EVT_OPENER_KEY_SIZE], uint32_t nodeid, uint64_t conn_id, uint32_t open_id)
{
	snprintf(key, EVT_OPENER_KEY_SIZE, "%" PRIx32 ":%" PRIx64 ":%" PRIx32, nodeid, conn_id, open_id);
}

static void evt_retained_key(char key[20], uint64_t event_id)
{
	snprintf(key, 20, "%016" PRIx64, event_id);
}

struct evt_channel *evt_channel_find_name(const struct ais_evt_name *name)
{
	struct evt_channel *c;

	qb_list_for_each_entry(c, &evt_state.channels, list) {
		if (!c->unlinked && evt_name_cmp(&c->name, name) == 0)
			return c;
	}
	return NULL;
}

struct evt_channel *evt_channel_find_id(uint64_t id)
{
	struct evt_channel *c;

	qb_list_for_each_entry(c, &evt_state.channels, list) {
		if (c->id == id)
			return c;
	}
	return NULL;
}

struct evt_channel *evt_channel_new(uint64_t id, const struct ais_evt_name *name, bool unlinked)
{
	struct evt_channel *c = ais_calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->id = id;
	c->name = *name;
	c->unlinked = unlinked;
	qb_list_init(&c->openers);
	qb_list_init(&c->retained);
	qb_list_init(&c->local_opens);
	qb_list_add_tail(&c->list, &evt_state.channels);
	evt_state.n_channels++;
	return c;
}

/* Local opens of a destroyed channel can do nothing more: their next
 * request gets BAD_HANDLE. Only happens to opens whose opener a sync merge
 * did not carry over. */
static void evt_channel_orphan_opens(struct evt_channel *c)
{
	struct evt_open *o, *tmp;

	qb_list_for_each_entry_safe(o, tmp, &c->local_opens, chan_list) {
		qb_list_del(&o->chan_list);
		qb_list_init(&o->chan_list);
		o->chan = NULL;
		o->state = EVT_OPEN_ABANDONED;
	}
}

void evt_channel_destroy(struct evt_channel *c)
{
	struct evt_opener *op, *otmp;
	struct evt_retained *r, *rtmp;

	qb_list_for_each_entry_safe(op, otmp, &c->openers, list)
		evt_opener_remove(op);
	qb_list_for_each_entry_safe(r, rtmp, &c->retained, list)
		evt_retained_remove(r);
	evt_channel_orphan_opens(c);
	qb_list_del(&c->list);
	evt_state.n_channels--;
	free(c);
}

void evt_channel_destroy_if_dead(struct evt_channel *c)
{
	if (c->unlinked && c->n_openers == 0)
		evt_channel_destroy(c);
}

struct evt_opener *evt_opener_add(struct evt_channel *c, uint32_t nodeid, uint64_t conn_id,
                                  uint32_t open_id, uint32_t flags)
{
	struct evt_opener *op = ais_calloc(1, sizeof(*op));

	if (!op)
		return NULL;
	op->chan = c;
	op->nodeid = nodeid;
	op->conn_id = conn_id;
	op->open_id = open_id;
	op->flags = flags;
	evt_opener_key(op->key, nodeid, conn_id, open_id);
	qb_list_add_tail(&op->list, &c->openers);
	c->n_openers++;
	qb_map_put(evt_state.openers, op->key, op);
	return op;
}

struct evt_opener *evt_opener_find(uint32_t nodeid, uint64_t conn_id, uint32_t open_id)
{
	char key[EVT_OPENER_KEY_SIZE];

	evt_opener_key(key, nodeid, conn_id, open_id);
	return qb_map_get(evt_state.openers, key);
}

void evt_opener_remove(struct evt_opener *op)
{
	qb_map_rm(evt_state.openers, op->key);
	qb_list_del(&op->list);
	op->chan->n_openers--;
	free(op);
}

static void evt_retained_timer_fn(void *data);

static void evt_retained_timer_arm(struct evt_retained *r)
{
	int64_t left = r->expiry - evt_now_ns();
	uint64_t ms = left <= 0 ? 0 : (uint64_t)left / 1000000 + 1;

	if (ms > EVT_TIMER_MAX_MS)
		ms = EVT_TIMER_MAX_MS;
	if (evt_state.api->timer_add((uint32_t)ms, evt_retained_timer_fn, r, &r->timer) == 0)
		r->timer_armed = true;
	else
		ais_log(LOG_ERR, "cannot arm the retention timer of event %" PRIx64, r->ev->event_id);
}

static void evt_retained_timer_fn(void *data)
{
	struct evt_retained *r = data;

	r->timer_armed = false;
	if (evt_now_ns() >= r->expiry)
		evt_retained_remove(r);
	else
		evt_retained_timer_arm(r);
}

int evt_retained_add(struct evt_channel *c, struct evt_event *ev)
{
	struct evt_retained *r;

	if (evt_retained_find(ev->event_id))
		return -EEXIST;
	if (evt_state.n_retained >= AIS_EVT_RETAINED_MAX)
		return -ENOSPC;
	r = ais_calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->chan = c;
	r->ev = evt_event_ref(ev);
	r->expiry = ev->retention_ns > INT64_MAX - ev->publish_time ? INT64_MAX
	                                                             : ev->publish_time + ev->retention_ns;
	evt_retained_key(r->key, ev->event_id);
	qb_list_add_tail(&r->list, &c->retained);
	c->n_retained++;
	evt_state.n_retained++;
	qb_map_put(evt_state.retained, r->key, r);
	evt_retained_timer_arm(r);
	return 0;
}

struct evt_retained *evt_retained_find(uint64_t event_id)
{
	char key[20];

	evt_retained_key(key, event_id);
	return qb_map_get(evt_state.retained, key);
}

void evt_retained_remove(struct evt_retained *r)
{
	if (r->timer_armed)
		evt_state.api->timer_del(r->timer);
	qb_map_rm(evt_state.retained, r->key);
	qb_list_del(&r->list);
	r->chan->n_retained--;
	evt_state.n_retained--;
	evt_event_unref(r->ev);
	free(r);
}

static bool evt_nodeid_in(uint32_t nodeid, const ais_nodeid_t *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (list[i] == nodeid)
			return true;
	}
	return false;
}

void evt_channels_prune_nodes(const ais_nodeid_t *members, size_t n_members)
{
	struct evt_channel *c, *ctmp;

	qb_list_for_each_entry_safe(c, ctmp, &evt_state.channels, list) {
		struct evt_opener *op, *otmp;

		qb_list_for_each_entry_safe(op, otmp, &c->openers, list) {
			if (!evt_nodeid_in(op->nodeid, members, n_members))
				evt_opener_remove(op);
		}
		evt_channel_destroy_if_dead(c);
	}
}

void evt_channels_destroy_all(void)
{
	struct evt_channel *c, *ctmp;

	qb_list_for_each_entry_safe(c, ctmp, &evt_state.channels, list)
		evt_channel_destroy(c);
}

/* ---- cluster messages ------------------------------------------------------ */

/* The origin's connection for a message from sender, or NULL. */
static struct evt_conn *evt_origin_pd(ais_nodeid_t sender, uint64_t conn_id)
{
	ais_conn_t *conn;

	if (sender != evt_state.api->local_nodeid())
		return NULL;
	conn = evt_state.api->conn_lookup(conn_id);
	return conn ? evt_state.api->conn_private(conn) : NULL;
}

/* The open's result reaches its client (the origin node only). */
static void evt_open_result(ais_nodeid_t sender, const struct evt_wire_open *m, struct evt_channel *c,
                            uint32_t error)
{
	struct evt_conn *pd = evt_origin_pd(sender, m->conn_id);
	struct evt_open *o = pd ? evt_open_find(pd, m->open_id) : NULL;

	if (sender != evt_state.api->local_nodeid())
		return;
	if (!o || o->state != EVT_OPEN_PENDING) {
		/* the client gave up (timeout, close, exit): undo the open */
		if (o)
			evt_open_free(o);
		if (error == EVT_SA_OK)
			evt_close_mcast(m->conn_id, m->open_id);
		return;
	}
	if (o->timer_armed) {
		evt_state.api->timer_del(o->timer);
		o->timer_armed = false;
	}
	if (error == EVT_SA_OK) {
		o->state = EVT_OPEN_BOUND;
		o->chan = c;
		qb_list_add_tail(&o->chan_list, &c->local_opens);
	}
	if (o->async)
		evt_open_done_send(o, error);
	else
		evt_res_open_send(pd->conn, error, o->open_id);
	if (error != EVT_SA_OK)
		evt_open_free(o);
}

static void evt_exec_open(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct evt_wire_open m;
	struct evt_channel *c;
	uint32_t error = EVT_SA_OK;

	if (evt_wire_open_decode(msg, len, &m) < 0) {
		evt_state.bad_frames++;
		return;
	}
	c = evt_channel_find_name(&m.name);
	if (!c && !(m.flags & EVT_FLAG_CREATE)) {
		error = EVT_SA_ERR_NOT_EXIST;
	} else if (!c && (evt_state.n_channels >= AIS_EVT_CHANNELS_MAX || evt_channel_find_id(m.new_chan_id))) {
		error = EVT_SA_ERR_NO_RESOURCES;
	} else if (!c && !(c = evt_channel_new(m.new_chan_id, &m.name, false))) {
		error = EVT_SA_ERR_NO_MEMORY;
	}
	if (error == EVT_SA_OK && evt_opener_find(sender, m.conn_id, m.open_id)) {
		error = EVT_SA_ERR_EXIST;
	} else if (error == EVT_SA_OK && !evt_opener_add(c, sender, m.conn_id, m.open_id, m.flags)) {
		error = EVT_SA_ERR_NO_MEMORY;
		evt_channel_destroy_if_dead(c);
	}
	if (error != EVT_SA_OK)
		c = NULL;
	evt_open_result(sender, &m, c, error);
}

static void evt_exec_close(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct evt_wire_close m;
	struct evt_opener *op;
	struct evt_channel *c;

	if (evt_wire_close_decode(msg, len, &m) < 0) {
		evt_state.bad_frames++;
		return;
	}
	op = evt_opener_find(sender, m.conn_id, m.open_id);
	if (!op)
		return;
	c = op->chan;
	evt_opener_remove(op);
	evt_channel_destroy_if_dead(c);
}

static void evt_exec_unlink(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct evt_wire_unlink m;
	struct evt_channel *c;
	struct evt_conn *pd;
	uint32_t error = EVT_SA_OK;

	if (evt_wire_unlink_decode(msg, len, &m) < 0) {
		evt_state.bad_frames++;
		return;
	}
	c = evt_channel_find_name(&m.name);
	if (!c) {
		error = EVT_SA_ERR_NOT_EXIST;
	} else {
		c->unlinked = true;
		evt_channel_destroy_if_dead(c);
	}
	pd = evt_origin_pd(sender, m.conn_id);
	if (pd)
		evt_res_send(pd->conn, AIS_EVT_REQ_CHANNEL_UNLINK, error);
}

static void evt_exec_publish(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct evt_wire_publish m;
	struct evt_opener *op;
	struct evt_event *ev;

	if (evt_wire_publish_decode(msg, len, &m) < 0) {
		evt_state.bad_frames++;
		return;
	}
	op = evt_opener_find(sender, m.conn_id, m.open_id);
	if (!op) {
		evt_state.unknown_opener++;
		ais_log(LOG_DEBUG, "event %" PRIx64 " from an open unknown here: dropped", m.ev.event_id);
		return;
	}
	ev = evt_event_new(&m.ev);
	if (!ev) {
		ais_log(LOG_ERR, "out of memory: event %" PRIx64 " dropped on this node", m.ev.event_id);
		return;
	}
	if (ev->retention_ns > 0) {
		int r = evt_retained_add(op->chan, ev);

		if (r == -ENOSPC || r == -ENOMEM)
			ais_log(LOG_WARNING, "event %" PRIx64 " not retained: %s", ev->event_id,
			        r == -ENOSPC ? "retained-event limit reached" : "out of memory");
	}
	evt_deliver_channel(op->chan, ev);
	evt_event_unref(ev);
}

static void evt_exec_clear(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct evt_wire_clear m;
	struct evt_opener *op;
	struct evt_retained *r;
	struct evt_conn *pd;
	uint32_t error = EVT_SA_ERR_NOT_EXIST;

	if (evt_wire_clear_decode(msg, len, &m) < 0) {
		evt_state.bad_frames++;
		return;
	}
	op = evt_opener_find(sender, m.conn_id, m.open_id);
	r = evt_retained_find(m.event_id);
	if (!op)
		error = EVT_SA_ERR_BAD_HANDLE;
	else if (r && r->chan == op->chan) {
		evt_retained_remove(r);
		error = EVT_SA_OK;
	}
	pd = evt_origin_pd(sender, m.conn_id);
	if (pd)
		evt_res_send(pd->conn, AIS_EVT_REQ_RETENTION_CLEAR, error);
}

const struct ais_exec_handler evt_exec_handlers[EVT_EXEC_COUNT] = {
	[EVT_EXEC_OPEN] = { evt_exec_open, EVT_WIRE_OPEN_SIZE, EVT_WIRE_OPEN_SIZE },
	[EVT_EXEC_CLOSE] = { evt_exec_close, EVT_WIRE_CLOSE_SIZE, EVT_WIRE_CLOSE_SIZE },
	[EVT_EXEC_UNLINK] = { evt_exec_unlink, EVT_WIRE_UNLINK_SIZE, EVT_WIRE_UNLINK_SIZE },
	[EVT_EXEC_PUBLISH] = { evt_exec_publish, EVT_WIRE_PUBLISH_MIN, EVT_WIRE_PUBLISH_MAX },
	[EVT_EXEC_CLEAR] = { evt_exec_clear, EVT_WIRE_CLEAR_SIZE, EVT_WIRE_CLEAR_SIZE },
	[EVT_EXEC_SYNC_CHANNELS] = { evt_exec_sync_channels, EVT_WIRE_SYNC_HDR_SIZE,
	                             EVT_WIRE_SYNC_CHANNELS_MAX },
	[EVT_EXEC_SYNC_OPENERS] = { evt_exec_sync_openers, EVT_WIRE_SYNC_HDR_SIZE,
	                            EVT_WIRE_SYNC_OPENERS_MAX },
	[EVT_EXEC_SYNC_EVENT] = { evt_exec_sync_event, EVT_WIRE_SYNC_EVENT_MIN, EVT_WIRE_SYNC_EVENT_MAX },
};
