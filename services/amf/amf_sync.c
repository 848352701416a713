/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sync of the AMF engine's replicated state after a configuration change
 * (docs/amf.md "Engine", section "Sync").
 *
 *  init:     snapshot the state to send when this node is its group's
 *            sender: the lowest node id of its transitional members that
 *            held state after the last sync (every member of the group
 *            agrees on that set); a node without state (it just started)
 *            always sends its configuration with the initial runtime state.
 *  process:  SUMMARY {enabled, have_state, n_trans, group}, then the
 *            snapshot in STATE fragments. Nobody waits for the others'
 *            summaries, so a member that runs no AMF engine cannot stall
 *            sync.
 *  activate: every enabled node picks the same source from what was
 *            delivered: the largest transitional group with state (ties to
 *            the lowest sender id), else (first formation) the lowest node
 *            id that sent a fresh state. Members of the chosen group keep
 *            their state; every other enabled node resets its executor and
 *            installs the received state. Then membership: AMF members are
 *            CLM members (by name) that sent an enabled SUMMARY; the model's
 *            nodes that left are failed over, those that joined (or whose
 *            local processes were reset) are started afresh.
 *  abort:    drop what was staged; the live state is untouched.
 *
 * Local reports are held while sync runs (amf_driver.c) and sent after
 * activate, so no other AMF message is applied between init and activate.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <ais/log.h>

#include "../clm.h"
#include "amf_config.h"
#include "amf_core.h"

AIS_LOG_SUBSYS("AMF");

#define AMF_SYNC_NODES_MAX 384

struct amf_sync_peer {
	ais_nodeid_t nodeid;
	bool got_summary;
	struct amf_wire_summary summary;
	/* STATE assembly */
	bool state_started;
	bool state_broken;
	bool state_have;
	uint32_t state_n_trans;
	uint32_t total;
	uint32_t got;
	uint8_t *buf;
};

static struct {
	bool running;
	struct amf_wire_ring ring;
	uint32_t group;           /**< lowest node id of my transitional group */
	uint32_t n_trans;
	struct amf_sync_peer *peers;
	size_t n_peers;
	/* outgoing */
	bool summary_sent;
	uint8_t *out;
	size_t out_len, out_off;
	/* node ids that held state after the last activate */
	ais_nodeid_t holders[AMF_SYNC_NODES_MAX];
	size_t n_holders;
} sy;

bool amf_sync_running(void)
{
	return sy.running;
}

static void amf_sync_staged_free(void)
{
	for (size_t i = 0; i < sy.n_peers; i++)
		free(sy.peers[i].buf);
	free(sy.peers);
	sy.peers = NULL;
	sy.n_peers = 0;
	free(sy.out);
	sy.out = NULL;
	sy.out_len = sy.out_off = 0;
	sy.summary_sent = false;
}

static bool amf_is_holder(ais_nodeid_t id)
{
	for (size_t i = 0; i < sy.n_holders; i++) {
		if (sy.holders[i] == id)
			return true;
	}
	return false;
}

static struct amf_sync_peer *amf_sync_peer(ais_nodeid_t id)
{
	for (size_t i = 0; i < sy.n_peers; i++) {
		if (sy.peers[i].nodeid == id)
			return &sy.peers[i];
	}
	return NULL;
}

static void amf_sync_init(const ais_nodeid_t *trans, size_t n_trans, const ais_nodeid_t *members, size_t n_members,
			  const struct ais_ring_id *ring_id)
{
	ais_nodeid_t me = amf_engine.api->local_nodeid();
	ais_nodeid_t sender = 0;
	bool send;

	amf_sync_staged_free();
	sy.running = true;
	sy.ring.rep = ring_id->rep;
	sy.ring.seq = ring_id->seq;
	sy.n_trans = (uint32_t)n_trans;
	sy.group = me;
	for (size_t i = 0; i < n_trans; i++) {
		if (trans[i] < sy.group)
			sy.group = trans[i];
		if (amf_is_holder(trans[i]) && (sender == 0 || trans[i] < sender))
			sender = trans[i];
	}
	sy.peers = calloc(n_members ? n_members : 1, sizeof(*sy.peers));
	if (sy.peers) {
		for (size_t i = 0; i < n_members; i++)
			sy.peers[i].nodeid = members[i];
		sy.n_peers = n_members;
	}
	if (!amf_engine.enabled)
		return;
	/* a group's sender: its lowest node that held state; a fresh node always */
	send = !amf_engine.have_state || sender == 0 || sender == me;
	if (send) {
		int r = amf_state_encode(amf_engine.config_text, amf_engine.config_len, amf_engine.model, &amf_drv,
					 &sy.out, &sy.out_len);

		if (r < 0) {
			ais_log(LOG_ERR, "amf: sync: the state cannot be encoded (%s): not sent", strerror(-r));
			sy.out = NULL;
			sy.out_len = 0;
		}
	}
	ais_log(LOG_DEBUG, "amf: sync init ring %u/%" PRIu64 ": %zu members, %zu came along, %s", ring_id->rep,
		ring_id->seq, n_members, n_trans, sy.out ? "sending state" : "not sending state");
}

static int amf_sync_process(void)
{
	const struct ais_api *api = amf_engine.api;

	if (!sy.summary_sent) {
		struct amf_wire_summary m = {
			.ring = sy.ring,
			.enabled = amf_engine.enabled,
			.have_state = amf_engine.enabled && amf_engine.have_state,
			.n_trans = sy.n_trans,
			.group = sy.group,
		};
		uint8_t buf[AMF_WIRE_SUMMARY_SIZE];
		struct iovec iov = { buf, amf_wire_summary_encode(buf, &m) };

		if (api->mcast(&iov, 1, AIS_GUARANTEE_AGREED) < 0)
			return 1;
		sy.summary_sent = true;
	}
	while (sy.out && sy.out_off < sy.out_len) {
		size_t chunk = sy.out_len - sy.out_off;
		struct amf_wire_state m;
		uint8_t *buf;
		struct iovec iov;
		int r;

		if (chunk > AMF_WIRE_STATE_CHUNK)
			chunk = AMF_WIRE_STATE_CHUNK;
		m.ring = sy.ring;
		m.n_trans = sy.n_trans;
		m.have_state = amf_engine.have_state;
		m.total = (uint32_t)sy.out_len;
		m.offset = (uint32_t)sy.out_off;
		m.chunk = (uint32_t)chunk;
		m.bytes = sy.out + sy.out_off;
		buf = malloc(AMF_WIRE_STATE_HDR_SIZE + chunk);
		if (!buf)
			return 1;
		iov.iov_base = buf;
		iov.iov_len = amf_wire_state_encode(buf, &m);
		r = api->mcast(&iov, 1, AIS_GUARANTEE_AGREED);
		free(buf);
		if (r < 0)
			return 1;
		sy.out_off += chunk;
	}
	return 0;
}

static bool amf_ring_is_current(const struct amf_wire_ring *r)
{
	return sy.running && r->rep == sy.ring.rep && r->seq == sy.ring.seq;
}

void amf_sync_deliver_summary(const struct amf_wire_summary *m, ais_nodeid_t sender)
{
	struct amf_sync_peer *p = amf_sync_peer(sender);

	if (!amf_ring_is_current(&m->ring) || !p)
		return;
	p->summary = *m;
	p->got_summary = true;
}

void amf_sync_deliver_state(const struct amf_wire_state *m, ais_nodeid_t sender)
{
	struct amf_sync_peer *p = amf_sync_peer(sender);

	if (!amf_ring_is_current(&m->ring) || !p || !amf_engine.enabled)
		return;
	if (m->offset == 0 && !p->state_started) {
		p->buf = malloc(m->total ? m->total : 1);
		if (!p->buf) {
			p->state_broken = true;
			return;
		}
		p->state_started = true;
		p->total = m->total;
		p->got = 0;
		p->state_have = m->have_state;
		p->state_n_trans = m->n_trans;
	}
	if (!p->state_started || p->state_broken || m->total != p->total || m->offset != p->got ||
	    m->have_state != p->state_have) {
		p->state_broken = true;
		return;
	}
	if (m->chunk)
		memcpy(p->buf + p->got, m->bytes, m->chunk);
	p->got += m->chunk;
}

static bool amf_peer_state_complete(const struct amf_sync_peer *p)
{
	return p->state_started && !p->state_broken && p->got == p->total && p->total > 0;
}

/* The chosen source (same on every node: only delivered data decides). */
static struct amf_sync_peer *amf_sync_choose(void)
{
	struct amf_sync_peer *best = NULL;

	for (size_t i = 0; i < sy.n_peers; i++) {
		struct amf_sync_peer *p = &sy.peers[i];

		if (!amf_peer_state_complete(p) || !p->state_have)
			continue;
		if (!best || p->state_n_trans > best->state_n_trans ||
		    (p->state_n_trans == best->state_n_trans && p->nodeid < best->nodeid))
			best = p;
	}
	if (best)
		return best;
	for (size_t i = 0; i < sy.n_peers; i++) {
		struct amf_sync_peer *p = &sy.peers[i];

		if (amf_peer_state_complete(p) && (!best || p->nodeid < best->nodeid))
			best = p;
	}
	return best;
}

/* Replace the local state with the blob of the chosen source. 0 or -errno. */
static int amf_sync_install(const struct amf_sync_peer *src)
{
	struct amf_cluster *model = NULL;
	struct amf_driver_state d;
	const char *text;
	size_t text_len;
	char *copy;
	int r;

	memset(&d, 0, sizeof(d));
	r = amf_state_config(src->buf, src->total, &text, &text_len);
	if (r < 0)
		return r;
	r = amf_config_parse_mem(text, text_len, "amf.conf", amf_core_diag_log, NULL, NULL, NULL, &model);
	if (r < 0)
		return r;
	r = amf_state_install(src->buf, src->total, model, &d);
	if (r < 0) {
		amf_cluster_free(model);
		amf_actions_free(&d.pending);
		free(d.started);
		return r;
	}
	copy = malloc(text_len + 1);
	if (!copy) {
		amf_cluster_free(model);
		amf_driver_state_clear(&d);
		amf_actions_free(&d.pending);
		free(d.started);
		return -ENOMEM;
	}
	memcpy(copy, text, text_len);
	copy[text_len] = '\0';

	amf_exec_reset();
	amf_driver_reset();
	amf_actions_free(&amf_drv.pending);
	free(amf_drv.started);
	amf_drv = d;
	amf_cluster_free(amf_engine.model);
	amf_engine.model = model;
	free(amf_engine.config_text);
	amf_engine.config_text = copy;
	amf_engine.config_len = text_len;
	snprintf(amf_engine.config_name, sizeof(amf_engine.config_name), "amf.conf");
	amf_engine.now_ms = d.now_ms;
	return 0;
}

/* Does node id belong to the chosen group (it kept its state)? */
static bool amf_sync_kept(const struct amf_sync_peer *src, ais_nodeid_t id)
{
	const struct amf_sync_peer *p = amf_sync_peer(id);

	if (id == src->nodeid)
		return true;
	if (!src->state_have || !p || !p->got_summary || !p->summary.have_state)
		return false;
	return p->summary.group == src->summary.group && src->got_summary;
}

static void amf_sync_membership(const struct amf_sync_peer *src)
{
	struct clm_node_info *clm;
	size_t n_clm, max = AMF_SYNC_NODES_MAX;
	struct amf_action_list scratch = { 0 };
	bool changed = false;

	clm = calloc(max, sizeof(*clm));
	if (!clm) {
		ais_log(LOG_ERR, "amf: sync: out of memory reading the membership");
		return;
	}
	n_clm = clm_nodes_get(clm, max, NULL);
	if (n_clm > max)
		n_clm = max;
	for (struct amf_node *node = amf_engine.model->nodes; node; node = node->next) {
		const struct clm_node_info *info = NULL;
		const struct amf_sync_peer *p;

		for (size_t i = 0; i < n_clm; i++) {
			if (clm[i].member && node->clm_node && strcmp(clm[i].name, node->clm_node) == 0) {
				info = &clm[i];
				break;
			}
		}
		p = info ? amf_sync_peer(info->nodeid) : NULL;
		if (!p || !p->got_summary || !p->summary.enabled)
			info = NULL;
		if (node->clm_member && !info) {
			ais_log(LOG_INFO, "amf: node %s (%s) left", node->name, node->clm_node);
			amf_driver_forget_node(node);
			if (amf_node_clm_left(amf_engine.model, node, amf_engine.now_ms, &scratch) < 0)
				ais_log(LOG_ERR, "amf: out of memory failing over node %s", node->name);
			changed = true;
		} else if (info && (!node->clm_member || node->clm_nodeid != info->nodeid ||
				    !amf_sync_kept(src, info->nodeid))) {
			ais_log(LOG_INFO, "amf: node %s (%s) joined as node id %u", node->name, node->clm_node,
				(unsigned)info->nodeid);
			if (node->clm_member)
				amf_driver_forget_node(node);
			if (amf_node_clm_joined(amf_engine.model, node, info->nodeid, amf_engine.now_ms, &scratch) < 0)
				ais_log(LOG_ERR, "amf: out of memory starting node %s", node->name);
			changed = true;
		}
		amf_actions_clear(&scratch);
	}
	amf_actions_free(&scratch);
	free(clm);
	if (changed) {
		/* the plan after the started actions finish recomputes everything */
		struct amf_action_list empty = { 0 };

		amf_driver_replace(&empty, NULL, NULL);
	}
}

static void amf_sync_activate(void)
{
	struct amf_sync_peer *src;
	ais_nodeid_t me = amf_engine.api->local_nodeid();
	bool keep;

	sy.running = false;
	/* the holders: enabled members (every member computes the same set) */
	sy.n_holders = 0;
	for (size_t i = 0; i < sy.n_peers && sy.n_holders < AMF_SYNC_NODES_MAX; i++) {
		if (sy.peers[i].got_summary && sy.peers[i].summary.enabled)
			sy.holders[sy.n_holders++] = sy.peers[i].nodeid;
	}
	if (!amf_engine.enabled) {
		amf_sync_staged_free();
		return;
	}
	src = amf_sync_choose();
	if (!src) {
		ais_log(LOG_ERR, "amf: sync: no complete state was received: the local state stays");
		src = amf_sync_peer(me);
		if (!src) {
			amf_sync_staged_free();
			return;
		}
	}
	keep = src->nodeid == me || (amf_engine.have_state && amf_sync_kept(src, me));
	if (!keep) {
		int r = amf_sync_install(src);

		if (r < 0) {
			ais_log(LOG_ERR, "amf: sync: the state of node %u cannot be installed (%s): AMF stays passive here",
				(unsigned)src->nodeid, strerror(-r));
			amf_engine.have_state = false;
			amf_sync_staged_free();
			return;
		}
	}
	amf_engine.have_state = true;
	amf_engine.local_nodeid = me;
	ais_log(LOG_INFO, "amf: sync: state of node %u (%s, group of %u) %s", (unsigned)src->nodeid,
		src->state_have ? "running" : "initial", (unsigned)src->state_n_trans, keep ? "kept" : "installed");
	amf_sync_membership(src);
	amf_engine.local_node = NULL;
	for (struct amf_node *n = amf_engine.model->nodes; n; n = n->next) {
		if (n->clm_member && n->clm_nodeid == me)
			amf_engine.local_node = n;
	}
	amf_sync_staged_free();
	amf_driver_run();
	amf_driver_flush();
}

static void amf_sync_abort(void)
{
	sy.running = false;
	amf_sync_staged_free();
	amf_driver_flush();
}

void amf_sync_exit(void)
{
	sy.running = false;
	amf_sync_staged_free();
	sy.n_holders = 0;
}

const struct ais_sync_ops amf_sync_ops = {
	.init = amf_sync_init,
	.process = amf_sync_process,
	.activate = amf_sync_activate,
	.abort = amf_sync_abort,
};
