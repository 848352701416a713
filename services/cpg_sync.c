/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resynchronisation of the cpg group table after a configuration change
 * (REFERENCE 2.2; the "downlist/joinlist" scheme of Corosync's cpg, made
 * additive and self-correcting).
 *
 *  init:     forget the members on every node that did not come with us
 *            into the new configuration (the transitional list): to be
 *            announced as CPG_REASON_NODEDOWN.
 *  process:  multicast one JOINLIST with this node's own memberships as
 *            every node that delivered the same messages records them: the
 *            members with nodeid == this node in the group table, which only
 *            delivered PROCJOIN/PROCLEAVE messages change. Not the state of
 *            the local connections: the executive holds the normal lane from
 *            the configuration change until sync completes, so a PROCJOIN,
 *            PROCLEAVE or PROCDOWN leave still queued (or not yet sent) at
 *            the change is delivered after activate, everywhere, and applied
 *            then on top of the synchronised table like any other. A joining
 *            process is therefore not listed (its join is announced as
 *            CPG_REASON_JOIN when delivered), a leaving or dead one still is
 *            (its leave is announced when delivered), and every node ends
 *            with the same table and the same confchg sequence. The JOINLIST
 *            itself goes in the priority lane. note_join / note_leave keep
 *            the received lists current should a membership message be
 *            delivered between a JOINLIST and activate all the same.
 *  activate: for every other node, add what its list has and we lack
 *            (CPG_REASON_NODEUP) and drop what we hold for it that its list
 *            lacks (CPG_REASON_PROCDOWN); then one confchg per changed group
 *            to its local members, and a totem confchg to the clients that
 *            asked for them.
 *  abort:    drop the received lists; the NODEDOWN removals stay (those
 *            nodes are gone) and are announced by the next activate.
 *
 * A node's own memberships are authoritative and never changed by sync.
 * JOINLISTs carry the ring id; one from another sync round is ignored.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ais/log.h>
#include <ais/inject.h>

#include "cpg_int.h"

AIS_LOG_SUBSYS("CPG");

static struct cpg_jl_node *cpg_jl_node_find(uint32_t nodeid)
{
	struct cpg_jl_node *n;

	qb_list_for_each_entry(n, &cpg_state.jl_nodes, list) {
		if (n->nodeid == nodeid)
			return n;
	}
	return NULL;
}

static void cpg_jl_node_free(struct cpg_jl_node *n)
{
	struct cpg_jl_item *it, *tmp;

	qb_list_for_each_entry_safe(it, tmp, &n->entries, list) {
		qb_list_del(&it->list);
		free(it);
	}
	qb_list_del(&n->list);
	free(n);
}

static struct cpg_jl_item *cpg_jl_item_find(struct cpg_jl_node *n, uint32_t pid,
                                            const struct ais_cpg_name *group)
{
	struct cpg_jl_item *it;

	qb_list_for_each_entry(it, &n->entries, list) {
		if (it->pid == pid && cpg_name_cmp(&it->group, group) == 0)
			return it;
	}
	return NULL;
}

static int cpg_jl_item_add(struct cpg_jl_node *n, uint32_t pid, const struct ais_cpg_name *group)
{
	struct cpg_jl_item *it = ais_calloc(1, sizeof(*it));

	if (!it)
		return -ENOMEM;
	it->pid = pid;
	it->group = *group;
	qb_list_add_tail(&it->list, &n->entries);
	return 0;
}

void cpg_sync_reset(void)
{
	struct cpg_jl_node *n, *tmp;

	if (!cpg_state.jl_nodes.next)
		return;
	qb_list_for_each_entry_safe(n, tmp, &cpg_state.jl_nodes, list)
		cpg_jl_node_free(n);
	cpg_state.sync_active = false;
	cpg_state.jl_sent = false;
}

void cpg_sync_note_join(uint32_t nodeid, uint32_t pid, const struct ais_cpg_name *group)
{
	struct cpg_jl_node *n;

	if (!cpg_state.sync_active)
		return;
	n = cpg_jl_node_find(nodeid);
	if (n && !cpg_jl_item_find(n, pid, group) && cpg_jl_item_add(n, pid, group) < 0)
		ais_log(LOG_ERR, "out of memory tracking a join during sync");
}

void cpg_sync_note_leave(uint32_t nodeid, uint32_t pid, const struct ais_cpg_name *group)
{
	struct cpg_jl_node *n;
	struct cpg_jl_item *it;

	if (!cpg_state.sync_active)
		return;
	n = cpg_jl_node_find(nodeid);
	it = n ? cpg_jl_item_find(n, pid, group) : NULL;
	if (it) {
		qb_list_del(&it->list);
		free(it);
	}
}

/* Every group, so the caller may change the map while walking the array.
 * Out of memory: NULL with *ret_n the number of groups (not 0). */
static struct cpg_group **cpg_groups_snapshot(size_t *ret_n)
{
	struct cpg_group **all = NULL, *g;
	size_t n = 0, cap = 0;
	bool failed = false;
	qb_map_iter_t *mi = qb_map_iter_create(cpg_state.groups);

	if (!mi) {
		*ret_n = qb_map_count_get(cpg_state.groups);
		return NULL;
	}
	while (qb_map_iter_next(mi, (void **)&g)) {
		if (n == cap && !failed) {
			size_t ncap = cap ? cap * 2 : 32;
			struct cpg_group **a = ais_realloc(all, ncap * sizeof(*a));

			if (!a) {
				/* walk on to the end: libqb keeps a reference on the
				 * node an iteration stops at */
				failed = true;
				continue;
			}
			all = a;
			cap = ncap;
		}
		if (!failed)
			all[n] = g;
		n++;
	}
	qb_map_iter_free(mi);
	*ret_n = n;
	if (failed) {
		free(all);
		return NULL;
	}
	return all;
}

static bool cpg_nodeid_in(uint32_t nodeid, const ais_nodeid_t *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (list[i] == nodeid)
			return true;
	}
	return false;
}

/* Remove a member, remembering it for the confchg announced at activate. */
static void cpg_sync_member_drop(struct cpg_group *g, struct cpg_member *m, uint32_t reason)
{
	if (!qb_list_empty(&g->conns) &&
	    cpg_addr_vec_push(&g->sync_left, m->nodeid, m->pid, reason) < 0)
		ais_log(LOG_ERR, "out of memory: a member change will not be announced");
	cpg_group_member_remove(g, m);
}

static void cpg_sync_init(const ais_nodeid_t *trans, size_t n_trans,
                          const ais_nodeid_t *members, size_t n_members,
                          const struct ais_ring_id *ring_id)
{
	uint32_t me = cpg_state.api->local_nodeid();
	struct cpg_member *m, *tmp;
	struct cpg_group **all;
	size_t n = 0;

	(void)members;
	(void)n_members;
	cpg_sync_reset();
	cpg_state.sync_active = true;
	cpg_state.sync_ring = *ring_id;

	all = cpg_groups_snapshot(&n);
	if (!all && n) {
		ais_log(LOG_ERR, "out of memory starting cpg sync");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		qb_list_for_each_entry_safe(m, tmp, &all[i]->members, list) {
			if (m->nodeid != me && !cpg_nodeid_in(m->nodeid, trans, n_trans))
				cpg_sync_member_drop(all[i], m, CPG_REASON_NODEDOWN);
		}
		cpg_group_put_if_unused(all[i]);
	}
	free(all);
}

/* This node's delivered memberships (see the file comment): 0 or -ENOMEM. */
static int cpg_joinlist_fill(uint8_t *entries, size_t max, size_t *ret_n)
{
	uint32_t me = cpg_state.api->local_nodeid();
	qb_map_iter_t *mi = qb_map_iter_create(cpg_state.groups);
	struct cpg_wire_jl_entry e;
	struct cpg_member *m;
	struct cpg_group *g;
	size_t n = 0;

	if (!mi)
		return -ENOMEM;
	while (qb_map_iter_next(mi, (void **)&g)) {
		qb_list_for_each_entry(m, &g->members, list) {
			if (m->nodeid != me)
				continue;
			if (n == max) {
				/* the join check keeps n_local, and so these, below it */
				ais_log(LOG_ERR, "join list full at %zu entries", n);
				break;
			}
			e.pid = m->pid;
			e.group = g->name;
			cpg_wire_jl_entry_encode(entries + n * CPG_WIRE_JL_ENTRY_SIZE, &e);
			n++;
		}
	}
	qb_map_iter_free(mi);
	*ret_n = n;
	return 0;
}

static int cpg_sync_process(void)
{
	uint8_t *buf;
	struct iovec iov;
	size_t n;
	int r;

	if (cpg_state.jl_sent)
		return 0;
	buf = ais_malloc(CPG_WIRE_JOINLIST_MAX_SIZE);
	if (!buf)
		return 1;
	if (cpg_joinlist_fill(buf + CPG_WIRE_JOINLIST_HDR_SIZE, CPG_JOINLIST_MAX, &n) < 0) {
		free(buf);
		return 1;
	}
	cpg_wire_joinlist_hdr_encode(buf, &cpg_state.sync_ring, (uint32_t)n);
	iov.iov_base = buf;
	iov.iov_len = CPG_WIRE_JOINLIST_HDR_SIZE + n * CPG_WIRE_JL_ENTRY_SIZE;
	r = cpg_state.api->mcast(&iov, 1, AIS_GUARANTEE_AGREED);
	free(buf);
	if (r < 0) {
		if (r != -EAGAIN)
			ais_log(LOG_ERR, "sending the cpg join list failed: %s", strerror(-r));
		return 1;
	}
	cpg_state.jl_sent = true;
	return 0;
}

void cpg_exec_joinlist(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct cpg_wire_joinlist jl;
	struct cpg_wire_jl_entry e;
	struct cpg_jl_node *n;

	if (cpg_wire_joinlist_decode(msg, len, &jl) < 0) {
		cpg_state.drop_bad_frame++;
		ais_log(LOG_DEBUG, "dropped a malformed join list from node %u", (unsigned)sender);
		return;
	}
	if (!cpg_state.sync_active || jl.ring_id.rep != cpg_state.sync_ring.rep ||
	    jl.ring_id.seq != cpg_state.sync_ring.seq) {
		ais_log(LOG_DEBUG, "ignored a join list from node %u of another sync round",
		        (unsigned)sender);
		return;
	}
	n = cpg_jl_node_find(sender);
	if (n)
		cpg_jl_node_free(n);
	n = ais_calloc(1, sizeof(*n));
	if (!n) {
		ais_log(LOG_ERR, "out of memory storing a join list");
		return;
	}
	n->nodeid = sender;
	qb_list_init(&n->entries);
	qb_list_add_tail(&n->list, &cpg_state.jl_nodes);
	for (uint32_t i = 0; i < jl.count; i++) {
		if (cpg_wire_jl_entry_get(&jl, i, &e) < 0) {
			cpg_state.drop_bad_frame++;
			cpg_jl_node_free(n);
			ais_log(LOG_DEBUG, "dropped a join list with a bad entry from node %u",
			        (unsigned)sender);
			return;
		}
		if (!cpg_jl_item_find(n, e.pid, &e.group) && cpg_jl_item_add(n, e.pid, &e.group) < 0) {
			ais_log(LOG_ERR, "out of memory storing a join list");
			return;
		}
	}
}

/* Add what node n lists and we lack. */
static void cpg_sync_apply_joins(struct cpg_jl_node *n)
{
	struct cpg_jl_item *it;
	struct cpg_group *g;

	qb_list_for_each_entry(it, &n->entries, list) {
		g = cpg_group_get(&it->group);
		if (!g) {
			ais_log(LOG_ERR, "out of memory applying a join list");
			return;
		}
		if (cpg_group_member_find(g, n->nodeid, it->pid))
			continue;
		if (cpg_group_member_add(g, n->nodeid, it->pid) < 0) {
			ais_log(LOG_ERR, "out of memory applying a join list");
			cpg_group_put_if_unused(g);
			return;
		}
		if (!qb_list_empty(&g->conns) &&
		    cpg_addr_vec_push(&g->sync_joined, n->nodeid, it->pid, CPG_REASON_NODEUP) < 0)
			ais_log(LOG_ERR, "out of memory: a member change will not be announced");
	}
}

/* Drop what we hold for a node that its list does not have. */
static void cpg_sync_drop_zombies(struct cpg_group *g, uint32_t me)
{
	struct cpg_member *m, *tmp;
	struct cpg_jl_node *n;

	qb_list_for_each_entry_safe(m, tmp, &g->members, list) {
		if (m->nodeid == me)
			continue;
		n = cpg_jl_node_find(m->nodeid);
		if (n && !cpg_jl_item_find(n, m->pid, &g->name)) {
			ais_log(LOG_DEBUG, "%u/%u is gone from its node's join list", (unsigned)m->nodeid,
			        (unsigned)m->pid);
			cpg_sync_member_drop(g, m, CPG_REASON_PROCDOWN);
		}
	}
}

static void cpg_sync_activate(void)
{
	uint32_t me = cpg_state.api->local_nodeid();
	struct cpg_jl_node *n;
	struct cpg_group **all;
	struct cpg_conn *pd;
	size_t count = 0;

	qb_list_for_each_entry(n, &cpg_state.jl_nodes, list) {
		if (n->nodeid != me)
			cpg_sync_apply_joins(n);
	}
	all = cpg_groups_snapshot(&count);
	if (!all && count)
		ais_log(LOG_ERR, "out of memory finishing cpg sync");
	for (size_t i = 0; all && i < count; i++) {
		struct cpg_group *g = all[i];

		cpg_sync_drop_zombies(g, me);
		if (g->sync_left.n || g->sync_joined.n) {
			cpg_group_confchg_send(g, g->sync_left.v, g->sync_left.n,
			                       g->sync_joined.v, g->sync_joined.n);
			cpg_addr_vec_free(&g->sync_left);
			cpg_addr_vec_free(&g->sync_joined);
		}
		cpg_group_put_if_unused(g);
	}
	free(all);
	cpg_sync_reset();

	qb_list_for_each_entry(pd, &cpg_state.conns, list) {
		if (pd->model_flags & AIS_CPG_MODEL_TOTEM_CONFCHG)
			cpg_conn_totem_confchg_send(pd);
	}
	cpg_state.ring_unannounced = false;
}

static void cpg_sync_abort(void)
{
	cpg_sync_reset();
}

const struct ais_sync_ops cpg_sync_ops = {
	.init = cpg_sync_init,
	.process = cpg_sync_process,
	.activate = cpg_sync_activate,
	.abort = cpg_sync_abort,
};
