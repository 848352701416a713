/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Cluster Membership engine (service id 1, "clm"): the node table behind
 * libSaClm (SA Forum CLM B.01.01 and B.04.01) and services/clm.h.
 *
 * The table is replicated through sync (REFERENCE 2.2). After every regular
 * configuration each node multicasts, in its process step, one NODE record
 * about itself (clm_wire.h: node id, name, address, boot time, initial view)
 * tagged with the ring id. At activate every member holds the same records
 * and installs the same table; a member that sent none (its clm engine is
 * not loaded) is described from the nodelist. Then the track callbacks go
 * out, so a tracker always sees the new nodes' names. A transitional
 * configuration changes nothing here.
 *
 * View number: the ring sequence number of the regular configuration in
 * which the current membership was installed. All members of a ring agree
 * on it and totem never reuses a sequence (it is persisted), so it never goes
 * backwards. A configuration that changes nothing (same nodes, none
 * restarted) keeps the view. A node that left and came back within one
 * configuration change (it is not in the transitional set, or its boot
 * time changed) is announced in two views: first an intermediate view
 * numbered ring seq - 1 in which it LEFT (totem advances the sequence by 4,
 * so that number lies between the two rings' and is the same on every node
 * that shared the old ring), then the new view in which it JOINED.
 *
 * Boot timestamp: OpenAIS reported the operating system's boot time
 * (now - sysinfo uptime). We report the time this node's executive started
 * (CLOCK_REALTIME at engine init, ns since the epoch): for the cluster a
 * node "boots" when its executive joins, a restarted executive must be seen
 * as a new incarnation (new bootTimestamp) even when the host kept running,
 * and several executives on one host (tests) get distinct values.
 *
 * initialViewNumber: each node's record carries the view number of the
 * first configuration it was a member of since its executive started (as
 * OpenAIS did); every node reports what the record says, so all agree, and
 * a restarted node gets a new one.
 *
 * Clients: per connection only the track flags; node-get answers (also the
 * asynchronous ones) are made from the local table at once, so nothing is
 * pending. Events go through the executive's bounded queue; a client that
 * does not read them (-ENOBUFS) is disconnected with a log line.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <qb/qblist.h>

#include <saAis.h>
#include <saClm.h>
#include <ais/ipc_clm.h>
#include <ais/log.h>
#include <ais/admin.h>
#include <ais/inject.h>
#include <ais/service.h>

#include "clm.h"
#include "clm_wire.h"

AIS_LOG_SUBSYS("CLM");

_Static_assert(AIS_CLM_NO_CHANGE == SA_CLM_NODE_NO_CHANGE && AIS_CLM_JOINED == SA_CLM_NODE_JOINED &&
               AIS_CLM_LEFT == SA_CLM_NODE_LEFT, "change codes");
_Static_assert(AIS_CLM_AF_INET == SA_CLM_AF_INET && AIS_CLM_AF_INET6 == SA_CLM_AF_INET6, "families");
_Static_assert(AIS_CLM_ADDRESS_MAX == SA_CLM_MAX_ADDRESS_LENGTH && AIS_CLM_NAME_MAX == SA_MAX_NAME_LENGTH,
               "lengths");

/* A view holds at most the members plus as many nodes that left. */
#define CLM_ITEMS_MAX (2 * AIS_CLM_NODES_MAX)

struct clm_conn {
	struct qb_list_head list;
	ais_conn_t *conn;
	uint32_t track_flags; /* 0, SA_TRACK_CHANGES or SA_TRACK_CHANGES_ONLY */
	uint32_t pid;
	bool doomed;
};

struct clm_listener {
	clm_listener_fn fn;
	void *ctx;
};

static struct {
	const struct ais_api *api;
	int64_t boot_timestamp;
	uint64_t my_initial_view; /* 0 until the first view is installed */

	/* the installed view, nodes sorted by id */
	uint64_t view;
	size_t n_nodes;
	struct clm_wire_node nodes[AIS_CLM_NODES_MAX];

	/* sync round */
	bool sync_active;
	bool record_sent;
	struct ais_ring_id sync_ring;
	size_t n_sync;
	ais_nodeid_t sync_members[AIS_CLM_NODES_MAX];
	bool have_record[AIS_CLM_NODES_MAX];
	struct clm_wire_node records[AIS_CLM_NODES_MAX];
	/* installed nodes that left a configuration since the last activate
	 * (kept over aborted rounds) */
	size_t n_dropped;
	ais_nodeid_t dropped[AIS_CLM_NODES_MAX];

	struct qb_list_head conns;
	struct clm_listener listeners[CLM_LISTENERS_MAX];

	uint64_t drop_bad;
	uint64_t drop_stale;
	uint64_t slow_consumer_disconnects;
} clm_state;

static bool clm_id_in(ais_nodeid_t id, const ais_nodeid_t *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (list[i] == id)
			return true;
	}
	return false;
}

static const struct clm_wire_node *clm_table_find(uint32_t nodeid)
{
	for (size_t i = 0; i < clm_state.n_nodes; i++) {
		if (clm_state.nodes[i].nodeid == nodeid)
			return &clm_state.nodes[i];
	}
	return NULL;
}

static uint32_t clm_family_of(int af)
{
	return af == AF_INET6 ? AIS_CLM_AF_INET6 : AIS_CLM_AF_INET;
}

/* src is NUL-terminated within src_size bytes */
static void clm_text_set(uint8_t *dst, uint16_t *ret_len, size_t max, const char *src, size_t src_size)
{
	size_t n = strnlen(src, src_size < max ? src_size : max);

	memset(dst, 0, max);
	memcpy(dst, src, n);
	*ret_len = (uint16_t)n;
}

/* This node's record: the nodelist name, else the host name. */
static void clm_local_record(struct clm_wire_node *ret)
{
	struct ais_admin_local_node me;
	char host[AIS_CLM_NAME_MAX + 1];

	clm_state.api->admin->local_node_get(&me);
	memset(ret, 0, sizeof(*ret));
	ret->nodeid = clm_state.api->local_nodeid();
	ret->boot_timestamp = clm_state.boot_timestamp;
	ret->initial_view = clm_state.my_initial_view;
	ret->family = clm_family_of(me.family);
	clm_text_set(ret->address, &ret->address_len, AIS_CLM_ADDRESS_MAX, me.address, sizeof(me.address));
	if (me.name[0] != '\0') {
		clm_text_set(ret->name, &ret->name_len, AIS_CLM_NAME_MAX, me.name, sizeof(me.name));
		return;
	}
	memset(host, 0, sizeof(host));
	if (gethostname(host, sizeof(host) - 1) < 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "node%u", (unsigned)ret->nodeid);
	clm_text_set(ret->name, &ret->name_len, AIS_CLM_NAME_MAX, host, sizeof(host));
}

/* A member that sent no record (no clm engine there): what the nodelist says. */
static void clm_fallback_record(ais_nodeid_t nodeid, struct clm_wire_node *ret)
{
	struct ais_admin_member members[AIS_CLM_NODES_MAX];
	size_t n = clm_state.api->admin->members_get(NULL, members, AIS_CLM_NODES_MAX);

	memset(ret, 0, sizeof(*ret));
	ret->nodeid = nodeid;
	ret->family = AIS_CLM_AF_INET;
	ret->initial_view = clm_state.sync_ring.seq;
	for (size_t i = 0; i < n && i < AIS_CLM_NODES_MAX; i++) {
		if (members[i].nodeid != nodeid)
			continue;
		if (strchr(members[i].address, ':'))
			ret->family = AIS_CLM_AF_INET6;
		clm_text_set(ret->address, &ret->address_len, AIS_CLM_ADDRESS_MAX, members[i].address,
		             sizeof(members[i].address));
		clm_text_set(ret->name, &ret->name_len, AIS_CLM_NAME_MAX, members[i].name, sizeof(members[i].name));
		return;
	}
	{
		char name[32];

		snprintf(name, sizeof(name), "node%u", (unsigned)nodeid);
		clm_text_set(ret->name, &ret->name_len, AIS_CLM_NAME_MAX, name, sizeof(name));
	}
}

/* ---- conversions ------------------------------------------------------------ */

static void clm_node_to_ipc(const struct clm_wire_node *n, bool member, struct ais_clm_node *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->nodeid = n->nodeid;
	ret->family = n->family;
	ret->member = member ? 1 : 0;
	ret->address_len = n->address_len;
	ret->name_len = n->name_len;
	ret->boot_timestamp = n->boot_timestamp;
	ret->initial_view = n->initial_view;
	memcpy(ret->address, n->address, n->address_len);
	memcpy(ret->name, n->name, n->name_len);
}

static void clm_node_to_info(const struct clm_wire_node *n, bool member, struct clm_node_info *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->nodeid = n->nodeid;
	ret->family = n->family;
	ret->member = member;
	ret->boot_timestamp = n->boot_timestamp;
	ret->initial_view = n->initial_view;
	memcpy(ret->address, n->address, n->address_len);
	memcpy(ret->name, n->name, n->name_len);
}

/* ---- the internal api (clm.h) ----------------------------------------------- */

size_t clm_nodes_get(struct clm_node_info *ret, size_t max, uint64_t *ret_view)
{
	for (size_t i = 0; i < clm_state.n_nodes && i < max; i++)
		clm_node_to_info(&clm_state.nodes[i], true, &ret[i]);
	if (ret_view)
		*ret_view = clm_state.view;
	return clm_state.n_nodes;
}

int clm_listener_add(clm_listener_fn fn, void *ctx)
{
	struct clm_listener *free_slot = NULL;

	for (size_t i = 0; i < CLM_LISTENERS_MAX; i++) {
		struct clm_listener *l = &clm_state.listeners[i];

		if (l->fn == fn && l->ctx == ctx)
			return -EEXIST;
		if (!l->fn && !free_slot)
			free_slot = l;
	}
	if (!free_slot)
		return -ENOSPC;
	free_slot->fn = fn;
	free_slot->ctx = ctx;
	return 0;
}

int clm_listener_del(clm_listener_fn fn, void *ctx)
{
	for (size_t i = 0; i < CLM_LISTENERS_MAX; i++) {
		struct clm_listener *l = &clm_state.listeners[i];

		if (l->fn == fn && l->ctx == ctx) {
			l->fn = NULL;
			l->ctx = NULL;
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- events to clients ---------------------------------------------------------- */

static void clm_conn_event_send(struct clm_conn *cc, const struct iovec *iov, size_t iovcnt)
{
	int r;

	if (cc->doomed)
		return;
	r = clm_state.api->eventv_send(cc->conn, iov, iovcnt);
	if (r == -ENOBUFS) {
		cc->doomed = true;
		clm_state.slow_consumer_disconnects++;
		ais_log(LOG_WARNING, "client pid %u does not read its membership callbacks: disconnecting it",
		        (unsigned)cc->pid);
		clm_state.api->conn_disconnect(cc->conn);
	} else if (r < 0) {
		ais_log(LOG_DEBUG, "event to client pid %u failed: %s", (unsigned)cc->pid, strerror(-r));
	}
}

static void clm_track_event_send(struct clm_conn *cc, uint64_t view, size_t n_members,
                                 const struct ais_clm_item *items, size_t n_items)
{
	struct ais_clm_ev_track ev;
	struct iovec iov[2];

	memset(&ev, 0, sizeof(ev));
	ev.header.id = AIS_CLM_EV_TRACK;
	ev.header.size = (int32_t)(sizeof(ev) + n_items * sizeof(items[0]));
	ev.header.error = SA_AIS_OK;
	ev.view = view;
	ev.n_members = (uint32_t)n_members;
	ev.count = (uint32_t)n_items;
	iov[0] = (struct iovec){ .iov_base = &ev, .iov_len = sizeof(ev) };
	iov[1] = (struct iovec){ .iov_base = (void *)(uintptr_t)items, .iov_len = n_items * sizeof(items[0]) };
	clm_conn_event_send(cc, iov, 2);
}

/* The installed view as items, every node NO_CHANGE; returns the count. */
static size_t clm_current_items(struct ais_clm_item *items)
{
	for (size_t i = 0; i < clm_state.n_nodes; i++) {
		memset(&items[i], 0, sizeof(items[i]));
		clm_node_to_ipc(&clm_state.nodes[i], true, &items[i].node);
		items[i].change = AIS_CLM_NO_CHANGE;
	}
	return clm_state.n_nodes;
}

/*
 * One view to the trackers and the listeners. all[] holds every node of the
 * view with its change; CHANGES gets all of it, CHANGES_ONLY the entries
 * that are not NO_CHANGE.
 */
static void clm_view_announce(uint64_t view, size_t n_members, const struct ais_clm_item *all, size_t n_all)
{
	struct ais_clm_item *changed = ais_malloc(CLM_ITEMS_MAX * sizeof(*changed));
	struct clm_node_change *lc = ais_malloc(CLM_ITEMS_MAX * sizeof(*lc));
	size_t n_changed = 0;
	struct clm_conn *cc;

	if (!changed || !lc) {
		ais_log(LOG_ERR, "out of memory: view %llu not announced", (unsigned long long)view);
		goto out;
	}
	for (size_t i = 0; i < n_all; i++) {
		if (all[i].change != AIS_CLM_NO_CHANGE)
			changed[n_changed++] = all[i];
	}
	qb_list_for_each_entry(cc, &clm_state.conns, list) {
		if (cc->track_flags & SA_TRACK_CHANGES)
			clm_track_event_send(cc, view, n_members, all, n_all);
		else if (cc->track_flags & SA_TRACK_CHANGES_ONLY)
			clm_track_event_send(cc, view, n_members, changed, n_changed);
	}
	for (size_t i = 0; i < n_all; i++) {
		const struct ais_clm_node *n = &all[i].node;

		memset(&lc[i], 0, sizeof(lc[i]));
		lc[i].node.nodeid = n->nodeid;
		lc[i].node.family = n->family;
		lc[i].node.member = n->member != 0;
		lc[i].node.boot_timestamp = n->boot_timestamp;
		lc[i].node.initial_view = n->initial_view;
		memcpy(lc[i].node.address, n->address, n->address_len);
		memcpy(lc[i].node.name, n->name, n->name_len);
		lc[i].change = all[i].change;
	}
	for (size_t i = 0; i < CLM_LISTENERS_MAX; i++) {
		if (clm_state.listeners[i].fn)
			clm_state.listeners[i].fn(clm_state.listeners[i].ctx, view, n_members, lc, n_all);
	}
out:
	free(changed);
	free(lc);
}

/* ---- sync ----------------------------------------------------------------------- */

static void clm_sync_init(const ais_nodeid_t *trans, size_t n_trans, const ais_nodeid_t *members,
                          size_t n_members, const struct ais_ring_id *ring_id)
{
	ais_nodeid_t me = clm_state.api->local_nodeid();

	clm_state.sync_active = true;
	clm_state.record_sent = false;
	clm_state.sync_ring = *ring_id;
	if (n_members > AIS_CLM_NODES_MAX) {
		ais_log(LOG_ERR, "%zu members: only the first %d are tracked", n_members, AIS_CLM_NODES_MAX);
		n_members = AIS_CLM_NODES_MAX;
	}
	clm_state.n_sync = n_members;
	memcpy(clm_state.sync_members, members, n_members * sizeof(members[0]));
	memset(clm_state.have_record, 0, sizeof(clm_state.have_record));
	for (size_t i = 0; i < clm_state.n_nodes; i++) {
		ais_nodeid_t id = clm_state.nodes[i].nodeid;

		if (id == me || clm_id_in(id, trans, n_trans) ||
		    clm_id_in(id, clm_state.dropped, clm_state.n_dropped))
			continue;
		if (clm_state.n_dropped < AIS_CLM_NODES_MAX)
			clm_state.dropped[clm_state.n_dropped++] = id;
	}
}

static int clm_sync_process(void)
{
	uint8_t buf[CLM_WIRE_NODE_SIZE];
	struct clm_wire_node rec;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	int r;

	if (clm_state.record_sent || !clm_state.sync_active)
		return 0;
	clm_local_record(&rec);
	rec.ring_id = clm_state.sync_ring;
	if (rec.initial_view == 0)
		rec.initial_view = clm_state.sync_ring.seq;
	if (clm_wire_node_encode(buf, &rec) < 0) {
		ais_log(LOG_ERR, "this node's record does not encode; the others describe it from the nodelist");
		clm_state.record_sent = true;
		return 0;
	}
	r = clm_state.api->mcast(&iov, 1, AIS_GUARANTEE_AGREED);
	if (r < 0) {
		if (r != -EAGAIN)
			ais_log(LOG_ERR, "sending this node's record failed: %s", strerror(-r));
		return 1;
	}
	clm_state.record_sent = true;
	return 0;
}

static void clm_exec_node_fn(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct clm_wire_node rec;

	if (clm_wire_node_decode(msg, len, &rec) < 0 || rec.nodeid != sender) {
		clm_state.drop_bad++;
		ais_log(LOG_DEBUG, "dropped a malformed node record from node %u", (unsigned)sender);
		return;
	}
	if (!clm_state.sync_active || rec.ring_id.rep != clm_state.sync_ring.rep ||
	    rec.ring_id.seq != clm_state.sync_ring.seq) {
		clm_state.drop_stale++;
		ais_log(LOG_DEBUG, "ignored a node record from node %u of another sync round", (unsigned)sender);
		return;
	}
	for (size_t i = 0; i < clm_state.n_sync; i++) {
		if (clm_state.sync_members[i] == sender) {
			clm_state.records[i] = rec;
			clm_state.have_record[i] = true;
			return;
		}
	}
	clm_state.drop_stale++;
}

static int clm_record_cmp(const void *a, const void *b)
{
	const struct clm_wire_node *x = a, *y = b;

	return x->nodeid < y->nodeid ? -1 : x->nodeid > y->nodeid;
}

static void clm_item_set(struct ais_clm_item *it, const struct clm_wire_node *n, bool member, uint32_t change)
{
	memset(it, 0, sizeof(*it));
	clm_node_to_ipc(n, member, &it->node);
	it->change = change;
}

/* Index of nodeid in fresh[], or -1. */
static ssize_t clm_fresh_find(const struct clm_wire_node *fresh, size_t n_fresh, uint32_t nodeid)
{
	for (size_t i = 0; i < n_fresh; i++) {
		if (fresh[i].nodeid == nodeid)
			return (ssize_t)i;
	}
	return -1;
}

/*
 * The intermediate view of a restart within one configuration change:
 * every installed node that is gone or restarted LEFT, the others
 * NO_CHANGE. Returns the item count; *ret_members the members.
 */
static size_t clm_items_departures(const struct clm_wire_node *fresh, size_t n_fresh, const bool *restarted,
                                   struct ais_clm_item *items, size_t *ret_members)
{
	size_t n = 0, n_members = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < clm_state.n_nodes; i++) {
			const struct clm_wire_node *o = &clm_state.nodes[i];
			ssize_t j = clm_fresh_find(fresh, n_fresh, o->nodeid);
			bool gone = j < 0 || restarted[j];

			if (pass == 0 && !gone) {
				clm_item_set(&items[n++], o, true, AIS_CLM_NO_CHANGE);
				n_members++;
			} else if (pass == 1 && gone) {
				clm_item_set(&items[n++], o, false, AIS_CLM_LEFT);
			}
		}
	}
	*ret_members = n_members;
	return n;
}

/*
 * The new view: every member NO_CHANGE, or JOINED when it is new or
 * restarted; then, unless an intermediate view announced them already
 * (with_left false), the installed nodes that are gone, LEFT.
 */
static size_t clm_items_view(const struct clm_wire_node *fresh, size_t n_fresh, const bool *restarted,
                             bool with_left, struct ais_clm_item *items)
{
	size_t n = 0;

	for (size_t i = 0; i < n_fresh; i++) {
		bool known = clm_table_find(fresh[i].nodeid) != NULL;

		clm_item_set(&items[n++], &fresh[i], true, !known || restarted[i] ? AIS_CLM_JOINED : AIS_CLM_NO_CHANGE);
	}
	for (size_t i = 0; with_left && i < clm_state.n_nodes; i++) {
		if (clm_fresh_find(fresh, n_fresh, clm_state.nodes[i].nodeid) < 0)
			clm_item_set(&items[n++], &clm_state.nodes[i], false, AIS_CLM_LEFT);
	}
	return n;
}

/*
 * Install the new table (fresh[], sorted) and announce the change (see the
 * file comment for a node that restarted within one configuration change).
 */
static void clm_view_install(const struct clm_wire_node *fresh, size_t n_fresh)
{
	struct ais_clm_item *items = ais_malloc(CLM_ITEMS_MAX * sizeof(*items));
	uint64_t seq = clm_state.sync_ring.seq, prev_view = clm_state.view;
	bool restarted[AIS_CLM_NODES_MAX] = { false };
	bool any_restart = false, any_change = n_fresh != clm_state.n_nodes;
	size_t n, n_members;

	for (size_t i = 0; i < n_fresh; i++) {
		const struct clm_wire_node *old = clm_table_find(fresh[i].nodeid);

		if (!old) {
			any_change = true;
		} else if (clm_id_in(old->nodeid, clm_state.dropped, clm_state.n_dropped) ||
		           old->boot_timestamp != fresh[i].boot_timestamp) {
			restarted[i] = true;
			any_restart = any_change = true;
		}
	}
	if (!any_change && clm_state.view != 0) {
		/* same nodes: refresh what they say about themselves, keep the view */
		memcpy(clm_state.nodes, fresh, n_fresh * sizeof(fresh[0]));
		free(items);
		return;
	}
	if (!items)
		ais_log(LOG_ERR, "out of memory: the membership change is not announced");
	if (items && any_restart) {
		n = clm_items_departures(fresh, n_fresh, restarted, items, &n_members);
		ais_log(LOG_NOTICE, "view %llu: %zu member(s) (a node restarted within one configuration change)",
		        (unsigned long long)(seq - 1), n_members);
		clm_view_announce(seq - 1, n_members, items, n);
	}
	n = items ? clm_items_view(fresh, n_fresh, restarted, !any_restart, items) : 0;
	memcpy(clm_state.nodes, fresh, n_fresh * sizeof(fresh[0]));
	clm_state.n_nodes = n_fresh;
	clm_state.view = seq;
	ais_log(LOG_NOTICE, "view %llu: %zu member(s) (previous view %llu)", (unsigned long long)seq, n_fresh,
	        (unsigned long long)prev_view);
	if (items)
		clm_view_announce(seq, n_fresh, items, n);
	free(items);
}

static void clm_sync_activate(void)
{
	struct clm_wire_node *fresh;

	if (!clm_state.sync_active)
		return;
	fresh = ais_malloc(AIS_CLM_NODES_MAX * sizeof(*fresh));
	if (!fresh) {
		ais_log(LOG_ERR, "out of memory: membership not updated");
		clm_state.sync_active = false;
		return;
	}
	for (size_t i = 0; i < clm_state.n_sync; i++) {
		if (clm_state.have_record[i]) {
			fresh[i] = clm_state.records[i];
		} else {
			ais_log(LOG_DEBUG, "no record from node %u: described from the nodelist",
			        (unsigned)clm_state.sync_members[i]);
			clm_fallback_record(clm_state.sync_members[i], &fresh[i]);
		}
		fresh[i].ring_id = clm_state.sync_ring;
	}
	qsort(fresh, clm_state.n_sync, sizeof(fresh[0]), clm_record_cmp);
	clm_view_install(fresh, clm_state.n_sync);
	free(fresh);
	if (clm_state.my_initial_view == 0)
		clm_state.my_initial_view = clm_state.sync_ring.seq;
	clm_state.n_dropped = 0;
	clm_state.sync_active = false;
}

static void clm_sync_abort(void)
{
	/* the dropped list stays: those nodes did leave the installed view */
	clm_state.sync_active = false;
}

static const struct ais_sync_ops clm_sync_ops = {
	.init = clm_sync_init,
	.process = clm_sync_process,
	.activate = clm_sync_activate,
	.abort = clm_sync_abort,
};

/* ---- lib handlers --------------------------------------------------------------- */

static int clm_lib_track(ais_conn_t *conn, const void *msg, size_t len)
{
	const struct ais_clm_req_track *req = msg;
	struct clm_conn *cc = clm_state.api->conn_private(conn);
	struct ais_clm_item items[AIS_CLM_NODES_MAX];
	struct ais_clm_res_track res;
	struct iovec iov[2];
	size_t n = 0;
	int r;

	if (clm_ipc_request_check(msg, len) < 0)
		return -EINVAL;
	memset(&res, 0, sizeof(res));
	res.header.id = AIS_CLM_REQ_TRACK;
	res.header.error = SA_AIS_OK;
	res.view = clm_state.view;
	res.n_members = (uint32_t)clm_state.n_nodes;
	if (req->current == AIS_CLM_CURRENT_REPLY) {
		if (req->max_items != 0 && clm_state.n_nodes > req->max_items) {
			res.header.error = SA_AIS_ERR_NO_SPACE;
			res.header.size = sizeof(res);
			res.count = (uint32_t)clm_state.n_nodes;
			return clm_state.api->response_send(conn, &res, sizeof(res));
		}
		n = clm_current_items(items);
	}
	if (req->flags)
		cc->track_flags = req->flags;
	res.count = (uint32_t)n;
	res.header.size = (int32_t)(sizeof(res) + n * sizeof(items[0]));
	iov[0] = (struct iovec){ .iov_base = &res, .iov_len = sizeof(res) };
	iov[1] = (struct iovec){ .iov_base = items, .iov_len = n * sizeof(items[0]) };
	r = clm_state.api->responsev_send(conn, iov, 2);
	if (r == 0 && req->current == AIS_CLM_CURRENT_CALLBACK) {
		n = clm_current_items(items);
		clm_track_event_send(cc, clm_state.view, n, items, n);
	}
	return r;
}

static int clm_lib_track_stop(ais_conn_t *conn, const void *msg, size_t len)
{
	struct clm_conn *cc = clm_state.api->conn_private(conn);
	struct ais_clm_res_plain res;

	(void)msg;
	(void)len;
	if (cc->track_flags == 0)
		return -ENOENT;
	cc->track_flags = 0;
	memset(&res, 0, sizeof(res));
	res.header.id = AIS_CLM_REQ_TRACK_STOP;
	res.header.size = sizeof(res);
	res.header.error = SA_AIS_OK;
	return clm_state.api->response_send(conn, &res, sizeof(res));
}

/* The node with that id (SA_CLM_LOCAL_NODE_ID: this node); -ENOENT. */
static int clm_node_lookup(uint32_t nodeid, struct ais_clm_node *ret)
{
	const struct clm_wire_node *n;
	struct clm_wire_node me;

	if (nodeid == SA_CLM_LOCAL_NODE_ID)
		nodeid = clm_state.api->local_nodeid();
	n = clm_table_find(nodeid);
	if (n) {
		clm_node_to_ipc(n, true, ret);
		return 0;
	}
	if (nodeid != clm_state.api->local_nodeid())
		return -ENOENT;
	/* before the first view is installed: this node, not yet a member */
	clm_local_record(&me);
	clm_node_to_ipc(&me, false, ret);
	return 0;
}

static int clm_lib_node_get(ais_conn_t *conn, const void *msg, size_t len)
{
	const struct ais_clm_req_node_get *req = msg;
	struct ais_clm_res_node_get res;
	int r;

	(void)len;
	memset(&res, 0, sizeof(res));
	r = clm_node_lookup(req->nodeid, &res.node);
	if (r < 0)
		return r;
	res.header.id = AIS_CLM_REQ_NODE_GET;
	res.header.size = sizeof(res);
	res.header.error = SA_AIS_OK;
	return clm_state.api->response_send(conn, &res, sizeof(res));
}

static int clm_lib_node_get_async(ais_conn_t *conn, const void *msg, size_t len)
{
	const struct ais_clm_req_node_get_async *req = msg;
	struct clm_conn *cc = clm_state.api->conn_private(conn);
	struct ais_clm_res_plain res;
	struct ais_clm_ev_node_get ev;
	struct iovec iov;
	int r;

	(void)len;
	memset(&ev, 0, sizeof(ev));
	ev.header.id = AIS_CLM_EV_NODE_GET;
	ev.header.size = sizeof(ev);
	ev.invocation = req->invocation;
	ev.header.error = clm_node_lookup(req->nodeid, &ev.node) < 0 ? SA_AIS_ERR_NOT_EXIST : SA_AIS_OK;
	memset(&res, 0, sizeof(res));
	res.header.id = AIS_CLM_REQ_NODE_GET_ASYNC;
	res.header.size = sizeof(res);
	res.header.error = SA_AIS_OK;
	r = clm_state.api->response_send(conn, &res, sizeof(res));
	if (r == 0) {
		iov = (struct iovec){ .iov_base = &ev, .iov_len = sizeof(ev) };
		clm_conn_event_send(cc, &iov, 1);
	}
	return r;
}

static const struct ais_lib_handler clm_lib_handlers[AIS_CLM_REQ_COUNT] = {
	[AIS_CLM_REQ_TRACK] = { clm_lib_track, sizeof(struct ais_clm_req_track),
	                        sizeof(struct ais_clm_req_track), AIS_CLM_REQ_TRACK, false },
	[AIS_CLM_REQ_TRACK_STOP] = { clm_lib_track_stop, sizeof(struct ais_clm_req_plain),
	                             sizeof(struct ais_clm_req_plain), AIS_CLM_REQ_TRACK_STOP, false },
	[AIS_CLM_REQ_NODE_GET] = { clm_lib_node_get, sizeof(struct ais_clm_req_node_get),
	                           sizeof(struct ais_clm_req_node_get), AIS_CLM_REQ_NODE_GET, false },
	[AIS_CLM_REQ_NODE_GET_ASYNC] = { clm_lib_node_get_async, sizeof(struct ais_clm_req_node_get_async),
	                                 sizeof(struct ais_clm_req_node_get_async),
	                                 AIS_CLM_REQ_NODE_GET_ASYNC, false },
};

static const struct ais_exec_handler clm_exec_handlers[CLM_EXEC_COUNT] = {
	[CLM_EXEC_NODE] = { clm_exec_node_fn, CLM_WIRE_NODE_SIZE, CLM_WIRE_NODE_SIZE },
};

/* ---- connections and engine life ------------------------------------------------- */

static int clm_lib_init_fn(ais_conn_t *conn)
{
	struct clm_conn *cc = clm_state.api->conn_private(conn);
	pid_t pid;
	uid_t uid;
	gid_t gid;

	memset(cc, 0, sizeof(*cc));
	cc->conn = conn;
	clm_state.api->conn_credentials(conn, &pid, &uid, &gid);
	cc->pid = (uint32_t)pid;
	qb_list_add_tail(&cc->list, &clm_state.conns);
	return 0;
}

static int clm_lib_exit_fn(ais_conn_t *conn)
{
	struct clm_conn *cc = clm_state.api->conn_private(conn);

	if (cc->conn)
		qb_list_del(&cc->list);
	cc->conn = NULL;
	cc->track_flags = 0;
	return 0;
}

static int clm_exec_init_fn(const struct ais_api *api)
{
	struct timespec ts;

	memset(&clm_state, 0, sizeof(clm_state));
	clm_state.api = api;
	qb_list_init(&clm_state.conns);
	clock_gettime(CLOCK_REALTIME, &ts);
	clm_state.boot_timestamp = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	return 0;
}

static int clm_exec_exit_fn(void)
{
	struct clm_conn *cc, *tmp;

	qb_list_for_each_entry_safe(cc, tmp, &clm_state.conns, list) {
		qb_list_del(&cc->list);
		cc->conn = NULL;
	}
	clm_state.api = NULL;
	return 0;
}

static void clm_dump(void (*out)(void *ctx, const char *line), void *ctx)
{
	char line[512];

	snprintf(line, sizeof(line), "view %llu, %zu member(s); records dropped: %llu malformed, %llu stale; "
	         "slow clients disconnected: %llu", (unsigned long long)clm_state.view, clm_state.n_nodes,
	         (unsigned long long)clm_state.drop_bad, (unsigned long long)clm_state.drop_stale,
	         (unsigned long long)clm_state.slow_consumer_disconnects);
	out(ctx, line);
	for (size_t i = 0; i < clm_state.n_nodes; i++) {
		const struct clm_wire_node *n = &clm_state.nodes[i];

		snprintf(line, sizeof(line), "node %u name %.*s address %.*s boot %lld initial_view %llu",
		         (unsigned)n->nodeid, (int)n->name_len, (const char *)n->name, (int)n->address_len,
		         (const char *)n->address, (long long)n->boot_timestamp,
		         (unsigned long long)n->initial_view);
		out(ctx, line);
	}
}

const struct ais_service_engine ais_clm_engine = {
	.abi_version = AIS_SERVICE_ABI_VERSION,
	.name = "clm",
	.id = AIS_SERVICE_CLM,
	.private_data_size = sizeof(struct clm_conn),
	.exec_init_fn = clm_exec_init_fn,
	.exec_exit_fn = clm_exec_exit_fn,
	.lib_init_fn = clm_lib_init_fn,
	.lib_exit_fn = clm_lib_exit_fn,
	.lib_handlers = clm_lib_handlers,
	.lib_handler_count = AIS_CLM_REQ_COUNT,
	.exec_handlers = clm_exec_handlers,
	.exec_handler_count = CLM_EXEC_COUNT,
	.sync = &clm_sync_ops,
	.dump_fn = clm_dump,
	.ipc_buffer_size = AIS_CLM_IPC_BUFFER_SIZE,
};
