/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resynchronisation of the evt engine's replicated state after a
 * configuration change (REFERENCE 2.2; docs/evt.md "Sync").
 *
 *  init:     the members that came with this node from its old ring (trans)
 *            hold the same state. The lowest node id of trans that is also
 *            in the new members (this node when there is none) is its
 *            group's sender: it snapshots
 *            the channel table (id, name, unlinked) and the retained events.
 *            Every node snapshots its own openers (those with its node id in
 *            the table: what every node of its group agrees on).
 *  process:  multicast the snapshot: SYNC_CHANNELS (256 a message),
 *            SYNC_EVENT (one event a message), SYNC_OPENERS (256 a
 *            message); a full send queue returns 1 and the same message is
 *            tried next time. Every node stages every sync message of this
 *            ring (others are stale and ignored).
 *  activate: every node builds the new state from the staged messages
 *            alone, so every member ends with the same state:
 *              - an id unlinked in any entry is an anonymous channel;
 *              - other entries are merged by name; the merged channel takes
 *                the lowest id (two partitions that both created "foo"
 *                become one channel, their openers united);
 *              - openers are united by (nodeid, conn id, open id);
 *              - retained events are united by event id (one copy), those
 *                already expired are dropped;
 *              - an unlinked channel with no opener left is destroyed.
 *            Local opens are re-bound to their channel through their
 *            opener; queued deliveries are untouched (they hold their own
 *            reference to each event), so nothing held during sync is lost.
 *  abort:    drop staged and outgoing data; the live state is untouched.
 *
 * The executive holds the normal message lane from the configuration change
 * until sync completes, so no OPEN/CLOSE/PUBLISH is applied between init
 * and activate.
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

struct evt_sync_opener {
	uint32_t nodeid;
	struct evt_wire_sync_opener o;
};

struct evt_sync_event {
	uint64_t chan_id;
	struct evt_event *ev;
};

struct evt_vec {
	void *v;
	size_t n;
	size_t cap;
	size_t size;
};

static struct {
	bool active;
	struct evt_wire_ring ring;
	bool sender;
	/* outgoing */
	struct evt_vec out_chans;   /**< struct evt_wire_sync_chan */
	struct evt_vec out_events;  /**< struct evt_sync_event */
	struct evt_vec out_openers; /**< struct evt_wire_sync_opener */
	size_t pos_chans, pos_events, pos_openers;
	/* staged */
	struct evt_vec chans;   /**< struct evt_wire_sync_chan */
	struct evt_vec events;  /**< struct evt_sync_event */
	struct evt_vec openers; /**< struct evt_sync_opener */
} evt_sync = {
	.out_chans = { .size = sizeof(struct evt_wire_sync_chan) },
	.out_events = { .size = sizeof(struct evt_sync_event) },
	.out_openers = { .size = sizeof(struct evt_wire_sync_opener) },
	.chans = { .size = sizeof(struct evt_wire_sync_chan) },
	.events = { .size = sizeof(struct evt_sync_event) },
	.openers = { .size = sizeof(struct evt_sync_opener) },
};

static void *evt_vec_push(struct evt_vec *vec)
{
	if (vec->n == vec->cap) {
		size_t ncap = vec->cap ? vec->cap * 2 : 64;
		void *nv = ais_realloc(vec->v, ncap * vec->size);

		if (!nv)
			return NULL;
		vec->v = nv;
		vec->cap = ncap;
	}
	return (uint8_t *)vec->v + vec->size * vec->n++;
}

static void *evt_vec_at(const struct evt_vec *vec, size_t i)
{
	return (uint8_t *)vec->v + vec->size * i;
}

static void evt_vec_events_clear(struct evt_vec *vec)
{
	for (size_t i = 0; i < vec->n; i++)
		evt_event_unref(((struct evt_sync_event *)evt_vec_at(vec, i))->ev);
	vec->n = 0;
}

static void evt_vec_free(struct evt_vec *vec)
{
	free(vec->v);
	vec->v = NULL;
	vec->n = 0;
	vec->cap = 0;
}

void evt_sync_reset(void)
{
	evt_vec_events_clear(&evt_sync.out_events);
	evt_vec_events_clear(&evt_sync.events);
	evt_vec_free(&evt_sync.out_chans);
	evt_vec_free(&evt_sync.out_events);
	evt_vec_free(&evt_sync.out_openers);
	evt_vec_free(&evt_sync.chans);
	evt_vec_free(&evt_sync.events);
	evt_vec_free(&evt_sync.openers);
	evt_sync.pos_chans = evt_sync.pos_events = evt_sync.pos_openers = 0;
	evt_sync.active = false;
	evt_sync.sender = false;
}

static int evt_sync_snapshot(void)
{
	uint32_t me = evt_state.api->local_nodeid();
	struct evt_channel *c;

	qb_list_for_each_entry(c, &evt_state.channels, list) {
		struct evt_opener *op;

		if (evt_sync.sender) {
			struct evt_wire_sync_chan *wc = evt_vec_push(&evt_sync.out_chans);
			struct evt_retained *r;

			if (!wc)
				return -ENOMEM;
			wc->chan_id = c->id;
			wc->unlinked = c->unlinked;
			wc->name = c->name;
			qb_list_for_each_entry(r, &c->retained, list) {
				struct evt_sync_event *se = evt_vec_push(&evt_sync.out_events);

				if (!se)
					return -ENOMEM;
				se->chan_id = c->id;
				se->ev = evt_event_ref(r->ev);
			}
		}
		qb_list_for_each_entry(op, &c->openers, list) {
			struct evt_wire_sync_opener *wo;

			if (op->nodeid != me)
				continue;
			wo = evt_vec_push(&evt_sync.out_openers);
			if (!wo)
				return -ENOMEM;
			wo->chan_id = c->id;
			wo->unlinked = c->unlinked;
			wo->flags = op->flags;
			wo->conn_id = op->conn_id;
			wo->open_id = op->open_id;
			wo->name = c->name;
		}
	}
	return 0;
}

static void evt_sync_init(const ais_nodeid_t *trans, size_t n_trans,
                          const ais_nodeid_t *members, size_t n_members,
                          const struct ais_ring_id *ring_id)
{
	uint32_t me = evt_state.api->local_nodeid();
	uint32_t lowest = me;

	evt_sync_reset();
	evt_sync.active = true;
	evt_sync.ring.rep = ring_id->rep;
	evt_sync.ring.seq = ring_id->seq;
	/* the lowest node id of (trans intersected with members); me if none */
	for (size_t i = 0; i < n_trans; i++) {
		bool member = false;

		for (size_t j = 0; j < n_members && !member; j++)
			member = members[j] == trans[i];
		if (member && trans[i] < lowest)
			lowest = trans[i];
	}
	evt_sync.sender = lowest == me;
	if (evt_sync_snapshot() < 0)
		ais_log(LOG_ERR, "out of memory taking the evt sync snapshot: this node's part is incomplete");
}

static int evt_sync_send(const struct iovec *iov, size_t n)
{
	int r = evt_state.api->mcast(iov, n, AIS_GUARANTEE_AGREED);

	if (r < 0 && r != -EAGAIN)
		ais_log(LOG_ERR, "evt sync message not sent: %s", strerror(-r));
	return r;
}

/* One list message (channels or openers) from pos; 1 sent, 0 nothing left, <0 error. */
static int evt_sync_send_list(enum evt_exec_fn fn, const struct evt_vec *vec, size_t *pos)
{
	size_t entry = fn == EVT_EXEC_SYNC_CHANNELS ? EVT_WIRE_SYNC_CHAN_SIZE : EVT_WIRE_SYNC_OPENER_SIZE;
	size_t n = vec->n - *pos;
	uint8_t *buf;
	size_t off;
	struct iovec iov;
	int r;

	if (n == 0)
		return 0;
	if (n > EVT_WIRE_SYNC_BATCH)
		n = EVT_WIRE_SYNC_BATCH;
	buf = ais_malloc(EVT_WIRE_SYNC_HDR_SIZE + n * entry);
	if (!buf)
		return -ENOMEM;
	off = evt_wire_sync_list_hdr_encode(buf, fn, &evt_sync.ring, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		void *e = evt_vec_at(vec, *pos + i);

		if (fn == EVT_EXEC_SYNC_CHANNELS)
			off += evt_wire_sync_chan_encode(buf + off, e);
		else
			off += evt_wire_sync_opener_encode(buf + off, e);
	}
	iov.iov_base = buf;
	iov.iov_len = off;
	r = evt_sync_send(&iov, 1);
	free(buf);
	if (r < 0)
		return r;
	*pos += n;
	return 1;
}

static int evt_sync_send_event(void)
{
	struct evt_sync_event *se;
	struct evt_wire_sync_event m;
	struct iovec iov;
	uint8_t *buf;
	int r;

	if (evt_sync.pos_events >= evt_sync.out_events.n)
		return 0;
	se = evt_vec_at(&evt_sync.out_events, evt_sync.pos_events);
	m.ring = evt_sync.ring;
	m.chan_id = se->chan_id;
	evt_event_to_wire(se->ev, &m.ev);
	iov.iov_len = evt_wire_sync_event_size(&m.ev);
	buf = ais_malloc(iov.iov_len);
	if (!buf)
		return -ENOMEM;
	iov.iov_base = buf;
	(void)evt_wire_sync_event_encode(buf, &m);
	r = evt_sync_send(&iov, 1);
	free(buf);
	if (r < 0)
		return r;
	evt_sync.pos_events++;
	return 1;
}

static int evt_sync_process(void)
{
	int r;

	if (!evt_sync.active)
		return 0;
	do {
		r = evt_sync_send_list(EVT_EXEC_SYNC_CHANNELS, &evt_sync.out_chans, &evt_sync.pos_chans);
		if (r == 0)
			r = evt_sync_send_event();
		if (r == 0)
			r = evt_sync_send_list(EVT_EXEC_SYNC_OPENERS, &evt_sync.out_openers, &evt_sync.pos_openers);
	} while (r > 0);
	/* queue full or out of memory: call again */
	return r < 0 ? 1 : 0;
}

static bool evt_sync_ring_ok(const struct evt_wire_ring *ring)
{
	return evt_sync.active && ring->rep == evt_sync.ring.rep && ring->seq == evt_sync.ring.seq;
}

void evt_exec_sync_channels(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct evt_wire_sync_list l;

	(void)sender;
	if (evt_wire_sync_list_decode(msg, len, EVT_EXEC_SYNC_CHANNELS, &l) < 0) {
		evt_state.bad_frames++;
		return;
	}
	if (!evt_sync_ring_ok(&l.ring))
		return;
	for (uint32_t i = 0; i < l.count; i++) {
		struct evt_wire_sync_chan c, *dst;

		if (evt_wire_sync_chan_get(&l, i, &c) < 0) {
			evt_state.bad_frames++;
			continue;
		}
		dst = evt_vec_push(&evt_sync.chans);
		if (!dst) {
			ais_log(LOG_ERR, "out of memory staging evt sync data");
			return;
		}
		*dst = c;
	}
}

void evt_exec_sync_openers(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct evt_wire_sync_list l;

	if (evt_wire_sync_list_decode(msg, len, EVT_EXEC_SYNC_OPENERS, &l) < 0) {
		evt_state.bad_frames++;
		return;
	}
	if (!evt_sync_ring_ok(&l.ring))
		return;
	for (uint32_t i = 0; i < l.count; i++) {
		struct evt_wire_sync_opener o;
		struct evt_sync_opener *dst;

		if (evt_wire_sync_opener_get(&l, i, &o) < 0) {
			evt_state.bad_frames++;
			continue;
		}
		dst = evt_vec_push(&evt_sync.openers);
		if (!dst) {
			ais_log(LOG_ERR, "out of memory staging evt sync data");
			return;
		}
		dst->nodeid = sender;
		dst->o = o;
	}
}

void evt_exec_sync_event(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct evt_wire_sync_event m;
	struct evt_sync_event *dst;
	struct evt_event *ev;

	(void)sender;
	if (evt_wire_sync_event_decode(msg, len, &m) < 0) {
		evt_state.bad_frames++;
		return;
	}
	if (!evt_sync_ring_ok(&m.ring))
		return;
	ev = evt_event_new(&m.ev);
	dst = ev ? evt_vec_push(&evt_sync.events) : NULL;
	if (!dst) {
		evt_event_unref(ev);
		ais_log(LOG_ERR, "out of memory staging evt sync data");
		return;
	}
	dst->chan_id = m.chan_id;
	dst->ev = ev;
}

/* ---- activate: build the merged state ------------------------------------------ */

struct evt_idmap {
	uint64_t id;
	struct evt_channel *chan;
};

static int evt_idmap_cmp(const void *a, const void *b)
{
	const struct evt_idmap *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static struct evt_channel *evt_idmap_find(const struct evt_idmap *map, size_t n, uint64_t id)
{
	struct evt_idmap key = { id, NULL };
	const struct evt_idmap *m = bsearch(&key, map, n, sizeof(*map), evt_idmap_cmp);

	return m ? m->chan : NULL;
}

/* All channel entries: the senders' tables and those the openers imply. */
static struct evt_wire_sync_chan *evt_sync_entries(size_t *ret_n)
{
	size_t n = evt_sync.chans.n + evt_sync.openers.n, k = 0;
	struct evt_wire_sync_chan *all = ais_calloc(n ? n : 1, sizeof(*all));

	if (!all)
		return NULL;
	for (size_t i = 0; i < evt_sync.chans.n; i++)
		all[k++] = *(struct evt_wire_sync_chan *)evt_vec_at(&evt_sync.chans, i);
	for (size_t i = 0; i < evt_sync.openers.n; i++) {
		const struct evt_sync_opener *so = evt_vec_at(&evt_sync.openers, i);

		all[k].chan_id = so->o.chan_id;
		all[k].unlinked = so->o.unlinked;
		all[k].name = so->o.name;
		k++;
	}
	*ret_n = k;
	return all;
}

static bool evt_entries_unlinked(const struct evt_wire_sync_chan *all, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++) {
		if (all[i].chan_id == id && all[i].unlinked)
			return true;
	}
	return false;
}

/* Build the channels into evt_state (empty) and the map entry id -> channel. */
static int evt_sync_build_channels(struct evt_idmap **ret_map, size_t *ret_n)
{
	size_t n = 0, k = 0;
	struct evt_wire_sync_chan *all = evt_sync_entries(&n);
	struct evt_idmap *map;

	if (!all)
		return -ENOMEM;
	map = ais_calloc(n ? n : 1, sizeof(*map));
	if (!map) {
		free(all);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		bool unlinked = evt_entries_unlinked(all, n, all[i].chan_id);
		struct evt_channel *c = unlinked ? evt_channel_find_id(all[i].chan_id)
		                                 : evt_channel_find_name(&all[i].name);

		if (c && c->unlinked != unlinked)
			c = NULL;
		if (!c) {
			c = evt_channel_new(all[i].chan_id, &all[i].name, unlinked);
			if (!c) {
				free(all);
				free(map);
				return -ENOMEM;
			}
		} else if (!unlinked && all[i].chan_id < c->id) {
			c->id = all[i].chan_id;
		}
		map[k].id = all[i].chan_id;
		map[k].chan = c;
		k++;
	}
	free(all);
	qsort(map, k, sizeof(*map), evt_idmap_cmp);
	*ret_map = map;
	*ret_n = k;
	return 0;
}

static void evt_sync_build(void)
{
	struct evt_idmap *map = NULL;
	size_t n_map = 0;
	int64_t now = evt_now_ns();
	struct evt_channel *c, *ctmp;

	if (evt_sync_build_channels(&map, &n_map) < 0) {
		ais_log(LOG_ERR, "out of memory merging evt state: channels may be missing");
		return;
	}
	for (size_t i = 0; i < evt_sync.openers.n; i++) {
		const struct evt_sync_opener *so = evt_vec_at(&evt_sync.openers, i);

		c = evt_idmap_find(map, n_map, so->o.chan_id);
		if (c && !evt_opener_find(so->nodeid, so->o.conn_id, so->o.open_id) &&
		    !evt_opener_add(c, so->nodeid, so->o.conn_id, so->o.open_id, so->o.flags))
			ais_log(LOG_ERR, "out of memory merging evt openers");
	}
	for (size_t i = 0; i < evt_sync.events.n; i++) {
		const struct evt_sync_event *se = evt_vec_at(&evt_sync.events, i);
		int64_t expiry;

		c = evt_idmap_find(map, n_map, se->chan_id);
		expiry = se->ev->retention_ns > INT64_MAX - se->ev->publish_time
		                 ? INT64_MAX
		                 : se->ev->publish_time + se->ev->retention_ns;
		if (!c || expiry <= now)
			continue;
		(void)evt_retained_add(c, se->ev); /* -EEXIST: the same event from both sides */
	}
	free(map);
	qb_list_for_each_entry_safe(c, ctmp, &evt_state.channels, list)
		evt_channel_destroy_if_dead(c);
}

/* Free a detached old table (its maps are freed by the caller). */
static void evt_sync_old_free(struct qb_list_head *old)
{
	struct evt_channel *c, *ctmp;

	qb_list_for_each_entry_safe(c, ctmp, old, list) {
		struct evt_opener *op, *otmp;
		struct evt_retained *r, *rtmp;

		qb_list_for_each_entry_safe(op, otmp, &c->openers, list)
			free(op);
		qb_list_for_each_entry_safe(r, rtmp, &c->retained, list) {
			if (r->timer_armed)
				evt_state.api->timer_del(r->timer);
			evt_event_unref(r->ev);
			free(r);
		}
		qb_list_del(&c->list);
		free(c);
	}
}

static void evt_sync_rebind(void)
{
	uint32_t me = evt_state.api->local_nodeid();
	struct evt_conn *pd;

	qb_list_for_each_entry(pd, &evt_state.conns, list) {
		uint64_t conn_id = evt_state.api->conn_id(pd->conn);
		struct evt_open *o;

		qb_list_for_each_entry(o, &pd->opens, list) {
			struct evt_opener *op;

			if (o->state != EVT_OPEN_BOUND)
				continue;
			qb_list_del(&o->chan_list);
			op = evt_opener_find(me, conn_id, o->open_id);
			if (op) {
				o->chan = op->chan;
				qb_list_add_tail(&o->chan_list, &op->chan->local_opens);
			} else {
				ais_log(LOG_WARNING, "an open of connection %" PRIx64 " lost its channel in sync",
				        conn_id);
				qb_list_init(&o->chan_list);
				o->chan = NULL;
				o->state = EVT_OPEN_ABANDONED;
			}
		}
	}
}

static void evt_sync_activate(void)
{
	struct qb_list_head old;
	qb_map_t *old_openers = evt_state.openers, *old_retained = evt_state.retained;
	qb_map_t *openers = qb_hashtable_create(1024), *retained = qb_hashtable_create(1024);

	if (!evt_sync.active)
		return;
	if (!openers || !retained) {
		if (openers)
			qb_map_destroy(openers);
		if (retained)
			qb_map_destroy(retained);
		ais_log(LOG_ERR, "out of memory merging evt state: keeping this node's state");
		evt_sync_reset();
		return;
	}
	/* detach the old table, build the new one in its place */
	qb_list_init(&old);
	if (!qb_list_empty(&evt_state.channels)) {
		old = evt_state.channels;
		old.next->prev = &old;
		old.prev->next = &old;
	}
	qb_list_init(&evt_state.channels);
	evt_state.n_channels = 0;
	evt_state.n_retained = 0;
	evt_state.openers = openers;
	evt_state.retained = retained;
	evt_sync_build();
	evt_sync_rebind();
	evt_sync_old_free(&old);
	qb_map_destroy(old_openers);
	qb_map_destroy(old_retained);
	ais_log(LOG_INFO, "evt state merged: %zu channels, %zu retained events", evt_state.n_channels,
	        evt_state.n_retained);
	evt_sync_reset();
}

static void evt_sync_abort(void)
{
	evt_sync_reset();
}

const struct ais_sync_ops evt_sync_ops = {
	.init = evt_sync_init,
	.process = evt_sync_process,
	.activate = evt_sync_activate,
	.abort = evt_sync_abort,
};
