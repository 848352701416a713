/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AMF protection group tracking (saAmfProtectionGroupTrack): the members
 * of a CSI's protection group are the components it is assigned to, with
 * their confirmed HA state, HA readiness and their SU's rank. A tracker
 * remembers the members it last reported; after every change of the
 * replicated state (amf_exec_model_changed) each tracker is compared with
 * the group now (amf_pg_diff) and gets one callback when anything changed:
 * every member with SA_TRACK_CHANGES, only the changed ones with
 * SA_TRACK_CHANGES_ONLY. A tracked CSI that no longer exists (the model was
 * replaced by sync) gets a callback with SA_AIS_ERR_NOT_EXIST and the
 * tracker ends. Trackers are named by CSI DN, so they survive a reset of
 * the local state.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <saAmf.h>
#include <ais/log.h>

#include "amf_exec_int.h"

AIS_LOG_SUBSYS("AMF");

struct amf_tracker {
	struct qb_list_head list; /**< in amf_conn.trackers */
	char csi[AMF_DN_MAX + 1];
	uint32_t flags;           /**< SA_TRACK_CHANGES or SA_TRACK_CHANGES_ONLY */
	struct amf_pg_entry *seen;
	size_t n_seen;
};

/* The members of csi now (malloc'd array, possibly NULL with *ret_n 0). */
static int pg_members(const struct amf_csi *csi, struct amf_pg_entry **ret, size_t *ret_n)
{
	struct amf_pg_entry *v;
	size_t n = 0, i = 0;

	for (const struct amf_csi_assignment *a = csi->assignments; a; a = a->csi_next)
		n++;
	*ret = NULL;
	*ret_n = 0;
	if (!n)
		return 0;
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (const struct amf_csi_assignment *a = csi->assignments; a; a = a->csi_next, i++) {
		if (amf_comp_dn(a->comp, v[i].comp, sizeof(v[i].comp)) < 0)
			v[i].comp[0] = 0;
		v[i].ha_state = a->ha_state;
		v[i].readiness = amf_exec_ha_readiness(a->comp, csi);
		v[i].rank = a->comp->su ? a->comp->su->rank : 0;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static void member_fill(struct ais_amf_pg_member *m, const struct amf_pg_entry *e, uint32_t change)
{
	memset(m, 0, sizeof(*m));
	amf_exec_name_set(&m->comp, e->comp, (int)strnlen(e->comp, AMF_DN_MAX));
	m->ha_state = e->ha_state;
	m->ha_readiness_state = e->readiness;
	m->rank = e->rank;
	m->change = change;
}

/* Members as IPC entries; count capped at AIS_AMF_PG_MEMBERS_MAX. */
static struct ais_amf_pg_member *pg_pack(const struct amf_pg_change *ch, size_t n, size_t *ret_count)
{
	size_t count = n > AIS_AMF_PG_MEMBERS_MAX ? AIS_AMF_PG_MEMBERS_MAX : n;
	struct ais_amf_pg_member *m = calloc(count ? count : 1, sizeof(*m));

	if (!m)
		return NULL;
	for (size_t i = 0; i < count; i++)
		member_fill(&m[i], ch[i].member, ch[i].change);
	*ret_count = count;
	return m;
}

static int pg_event(struct amf_conn *c, const char *csi_dn, uint32_t error, uint32_t n_members,
		    const struct amf_pg_change *ch, size_t n)
{
	struct ais_amf_ev_pg_track ev;
	struct ais_amf_pg_member *m;
	size_t count = 0;
	struct iovec iov[2];
	int r;

	m = pg_pack(ch, n, &count);
	if (!m)
		return -ENOMEM;
	memset(&ev, 0, sizeof(ev));
	ev.header.id = AIS_AMF_EV_PG_TRACK;
	ev.header.size = (int32_t)(sizeof(ev) + count * sizeof(*m));
	ev.header.error = (int32_t)error;
	amf_exec_name_set(&ev.csi, csi_dn, (int)strnlen(csi_dn, AMF_DN_MAX));
	ev.n_members = n_members;
	ev.count = (uint32_t)count;
	iov[0] = (struct iovec){ &ev, sizeof(ev) };
	iov[1] = (struct iovec){ m, count * sizeof(*m) };
	r = amf_engine.api->eventv_send(c->conn, iov, count ? 2 : 1);
	free(m);
	if (r < 0)
		ais_log(LOG_WARNING, "amf: a protection group callback could not be queued (%s)", strerror(-r));
	return r;
}

static struct amf_tracker *tracker_find(struct amf_conn *c, const char *csi)
{
	struct amf_tracker *t;

	qb_list_for_each_entry(t, &c->trackers, list)
		if (strcmp(t->csi, csi) == 0)
			return t;
	return NULL;
}

static void tracker_free(struct amf_tracker *t)
{
	qb_list_del(&t->list);
	free(t->seen);
	free(t);
}

static void track_res(struct amf_conn *c, uint32_t error, uint32_t n_members, const struct amf_pg_change *ch,
		      size_t n)
{
	struct ais_amf_res_pg_track res;
	struct ais_amf_pg_member *m = NULL;
	size_t count = 0;
	struct iovec iov[2];

	if (n) {
		m = pg_pack(ch, n, &count);
		if (!m) {
			error = SA_AIS_ERR_NO_MEMORY;
			count = 0;
		}
	}
	memset(&res, 0, sizeof(res));
	res.header.id = AIS_AMF_REQ_PG_TRACK;
	res.header.size = (int32_t)(sizeof(res) + count * sizeof(*m));
	res.header.error = (int32_t)error;
	res.n_members = n_members;
	res.count = (uint32_t)count;
	iov[0] = (struct iovec){ &res, sizeof(res) };
	iov[1] = (struct iovec){ m, count * sizeof(*m) };
	amf_engine.api->responsev_send(c->conn, iov, count ? 2 : 1);
	free(m);
}

int amf_pg_track(struct amf_conn *c, const struct ais_amf_req_pg_track *req)
{
	char dn[AMF_DN_MAX + 1];
	struct amf_pg_entry *cur = NULL;
	struct amf_pg_change *ch = NULL;
	struct amf_tracker *t;
	struct amf_csi *csi;
	size_t n = 0;
	uint32_t e = SA_AIS_OK;

	if (req->csi.length == 0 || req->csi.length > AIS_AMF_NAME_MAX || memchr(req->csi.value, 0, req->csi.length) ||
	    req->current > AIS_AMF_CURRENT_CALLBACK) {
		track_res(c, SA_AIS_ERR_INVALID_PARAM, 0, NULL, 0);
		return 0;
	}
	if ((req->flags != 0 && req->flags != SA_TRACK_CHANGES && req->flags != SA_TRACK_CHANGES_ONLY) ||
	    (req->flags == 0 && req->current == AIS_AMF_CURRENT_NONE)) {
		track_res(c, SA_AIS_ERR_BAD_FLAGS, 0, NULL, 0);
		return 0;
	}
	if ((req->flags || req->current == AIS_AMF_CURRENT_CALLBACK) && !(c->callbacks & AIS_AMF_CB_PG_TRACK)) {
		track_res(c, SA_AIS_ERR_INIT, 0, NULL, 0);
		return 0;
	}
	memcpy(dn, req->csi.value, req->csi.length);
	dn[req->csi.length] = 0;
	csi = amf_csi_find(amf_engine.model, dn);
	if (!csi) {
		track_res(c, SA_AIS_ERR_NOT_EXIST, 0, NULL, 0);
		return 0;
	}
	if (pg_members(csi, &cur, &n) < 0 || !(ch = calloc(n ? n : 1, sizeof(*ch)))) {
		free(cur);
		track_res(c, SA_AIS_ERR_NO_MEMORY, 0, NULL, 0);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		ch[i] = (struct amf_pg_change){ &cur[i], AMF_PG_NO_CHANGE };
	if (req->current == AIS_AMF_CURRENT_REPLY && req->max_items && n > req->max_items) {
		struct ais_amf_res_pg_track res;

		memset(&res, 0, sizeof(res));
		res.header.id = AIS_AMF_REQ_PG_TRACK;
		res.header.size = sizeof(res);
		res.header.error = SA_AIS_ERR_NO_SPACE;
		res.n_members = (uint32_t)n;
		res.count = (uint32_t)n;
		amf_engine.api->response_send(c->conn, &res, sizeof(res));
		goto out;
	}
	if (req->flags) {
		t = tracker_find(c, dn);
		if (!t) {
			t = calloc(1, sizeof(*t));
			if (!t) {
				track_res(c, SA_AIS_ERR_NO_MEMORY, 0, NULL, 0);
				goto out;
			}
			memcpy(t->csi, dn, sizeof(dn));
			qb_list_add_tail(&t->list, &c->trackers);
		}
		t->flags = req->flags;
		free(t->seen);
		t->seen = cur;
		t->n_seen = n;
		cur = NULL;
	}
	if (req->current == AIS_AMF_CURRENT_REPLY) {
		track_res(c, e, (uint32_t)n, ch, n);
	} else {
		track_res(c, e, (uint32_t)n, NULL, 0);
		if (req->current == AIS_AMF_CURRENT_CALLBACK)
			pg_event(c, dn, SA_AIS_OK, (uint32_t)n, ch, n);
	}
out:
	free(ch);
	free(cur);
	return 0;
}

int amf_pg_stop(struct amf_conn *c, const struct ais_amf_req_pg_stop *req)
{
	struct ais_amf_res_plain res;
	char dn[AMF_DN_MAX + 1];
	struct amf_tracker *t = NULL;

	memset(&res, 0, sizeof(res));
	res.header.id = AIS_AMF_REQ_PG_TRACK_STOP;
	res.header.size = sizeof(res);
	res.header.error = SA_AIS_ERR_INVALID_PARAM;
	if (req->csi.length && req->csi.length <= AIS_AMF_NAME_MAX && !memchr(req->csi.value, 0, req->csi.length)) {
		memcpy(dn, req->csi.value, req->csi.length);
		dn[req->csi.length] = 0;
		t = tracker_find(c, dn);
		res.header.error = t ? SA_AIS_OK : SA_AIS_ERR_NOT_EXIST;
	}
	if (t)
		tracker_free(t);
	amf_engine.api->response_send(c->conn, &res, sizeof(res));
	return 0;
}

static void tracker_check(struct amf_conn *c, struct amf_tracker *t)
{
	struct amf_csi *csi = amf_engine.model ? amf_csi_find(amf_engine.model, t->csi) : NULL;
	struct amf_pg_entry *cur = NULL;
	struct amf_pg_change *ch;
	size_t n = 0, k, changed = 0;

	if (!csi) {
		pg_event(c, t->csi, SA_AIS_ERR_NOT_EXIST, 0, NULL, 0);
		tracker_free(t);
		return;
	}
	if (pg_members(csi, &cur, &n) < 0)
		return; /* tried again at the next change */
	ch = calloc(n + t->n_seen + 1, sizeof(*ch));
	if (!ch) {
		free(cur);
		return;
	}
	k = amf_pg_diff(t->seen, t->n_seen, cur, n, t->flags == SA_TRACK_CHANGES_ONLY, ch, &changed);
	if (changed)
		pg_event(c, t->csi, SA_AIS_OK, (uint32_t)n, ch, k);
	free(ch);
	free(t->seen);
	t->seen = cur;
	t->n_seen = n;
}

void amf_pg_model_changed(void)
{
	struct amf_conn *c;
	struct amf_tracker *t, *tmp;

	if (!amf_ex.up)
		return;
	qb_list_for_each_entry(c, &amf_ex.conns, list)
		qb_list_for_each_entry_safe(t, tmp, &c->trackers, list)
			tracker_check(c, t);
}

void amf_pg_conn_closed(struct amf_conn *c)
{
	struct amf_tracker *t, *tmp;

	qb_list_for_each_entry_safe(t, tmp, &c->trackers, list)
		tracker_free(t);
}

void amf_pg_dump(void (*out)(void *ctx, const char *line), void *ctx)
{
	struct amf_conn *c;
	struct amf_tracker *t;
	char line[AMF_DN_MAX + 96];

	qb_list_for_each_entry(c, &amf_ex.conns, list)
		qb_list_for_each_entry(t, &c->trackers, list) {
			snprintf(line, sizeof(line), "amf track %s %s members=%zu", t->csi,
				 t->flags == SA_TRACK_CHANGES_ONLY ? "changes-only" : "changes", t->n_seen);
			out(ctx, line);
		}
}
