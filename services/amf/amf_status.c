/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator requests of the AMF engine (docs/amf.md "Status"): STATUS
 * answers from the local replica, as text or JSON; ADMIN is checked here,
 * multicast, applied on every node (amf_driver_apply_admin()) and answered
 * by the node it came from.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <saAis.h>
#include <ais/ipc_amf.h>

#include "amf_core.h"

/* ---- formatting ---- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Start an element of a JSON array: a comma before every element but the first. */
static void json_sep(FILE *f, bool *first)
{
	if (!*first)
		fputc(',', f);
	*first = false;
}

static void status_text(FILE *f, const struct amf_cluster *c, bool settled)
{
	char a[AMF_DN_MAX + 1], b[AMF_DN_MAX + 1];

	fprintf(f, "settled %s\n", settled ? "yes" : "no");
	for (const struct amf_node *n = c->nodes; n; n = n->next) {
		amf_node_dn(n, a, sizeof(a));
		fprintf(f, "node %s member=%s nodeid=%u admin=%s oper=%s\n", a, n->clm_member ? "yes" : "no",
			n->clm_member ? (unsigned)n->clm_nodeid : 0u, amf_admin_state_name(n->admin_state),
			amf_oper_state_name(n->oper_state));
	}
	for (const struct amf_sg *g = amf_sg_next(c, NULL); g; g = amf_sg_next(c, g)) {
		amf_sg_dn(g, a, sizeof(a));
		fprintf(f, "sg %s model=%s admin=%s\n", a, amf_redundancy_model_name(g->model),
			amf_admin_state_name(g->admin_state));
	}
	for (const struct amf_su *u = amf_su_next(c, NULL); u; u = amf_su_next(c, u)) {
		amf_su_dn(u, a, sizeof(a));
		if (!u->node || amf_node_dn(u->node, b, sizeof(b)) < 0)
			snprintf(b, sizeof(b), "-");
		fprintf(f, "su %s node=%s admin=%s oper=%s presence=%s readiness=%s\n", a, b,
			amf_admin_state_name(u->admin_state), amf_oper_state_name(u->oper_state),
			amf_presence_state_name(u->presence_state), amf_readiness_state_name(u->readiness_state));
	}
	for (const struct amf_comp *x = amf_comp_next(c, NULL); x; x = amf_comp_next(c, x)) {
		amf_comp_dn(x, a, sizeof(a));
		fprintf(f, "comp %s presence=%s oper=%s readiness=%s restarts=%u\n", a,
			amf_presence_state_name(x->presence_state), amf_oper_state_name(x->oper_state),
			amf_readiness_state_name(x->readiness_state), (unsigned)x->restart_count);
	}
	for (const struct amf_si *s = amf_si_next(c, NULL); s; s = amf_si_next(c, s)) {
		amf_si_dn(s, a, sizeof(a));
		fprintf(f, "si %s admin=%s assignment=%s\n", a, amf_admin_state_name(s->admin_state),
			amf_assignment_state_name(s->assignment_state));
	}
	for (const struct amf_si *s = amf_si_next(c, NULL); s; s = amf_si_next(c, s)) {
		amf_si_dn(s, a, sizeof(a));
		for (const struct amf_si_assignment *x = s->assignments; x; x = x->si_next) {
			amf_su_dn(x->su, b, sizeof(b));
			fprintf(f, "si-assignment %s %s %s %s\n", a, b, amf_ha_state_name(x->ha_state),
				amf_ha_state_name(x->requested));
		}
	}
	for (const struct amf_csi *s = amf_csi_next(c, NULL); s; s = amf_csi_next(c, s)) {
		amf_csi_dn(s, a, sizeof(a));
		for (const struct amf_csi_assignment *x = s->assignments; x; x = x->csi_next) {
			amf_comp_dn(x->comp, b, sizeof(b));
			fprintf(f, "csi-assignment %s %s %s\n", a, b, amf_ha_state_name(x->ha_state));
		}
	}
}

static void status_json(FILE *f, const struct amf_cluster *c, bool settled)
{
	char a[AMF_DN_MAX + 1], b[AMF_DN_MAX + 1];
	bool first;

	fprintf(f, "{\"settled\":%s,\"nodes\":[", settled ? "true" : "false");
	first = true;
	for (const struct amf_node *n = c->nodes; n; n = n->next) {
		json_sep(f, &first);
		amf_node_dn(n, a, sizeof(a));
		fputs("{\"dn\":", f);
		json_str(f, a);
		fprintf(f, ",\"member\":%s,\"nodeid\":%u,\"admin\":\"%s\",\"oper\":\"%s\"}",
			n->clm_member ? "true" : "false", n->clm_member ? (unsigned)n->clm_nodeid : 0u,
			amf_admin_state_name(n->admin_state), amf_oper_state_name(n->oper_state));
	}
	fputs("],\"sgs\":[", f);
	first = true;
	for (const struct amf_sg *g = amf_sg_next(c, NULL); g; g = amf_sg_next(c, g)) {
		json_sep(f, &first);
		amf_sg_dn(g, a, sizeof(a));
		fputs("{\"dn\":", f);
		json_str(f, a);
		fprintf(f, ",\"model\":\"%s\",\"admin\":\"%s\"}", amf_redundancy_model_name(g->model),
			amf_admin_state_name(g->admin_state));
	}
	fputs("],\"sus\":[", f);
	first = true;
	for (const struct amf_su *u = amf_su_next(c, NULL); u; u = amf_su_next(c, u)) {
		json_sep(f, &first);
		amf_su_dn(u, a, sizeof(a));
		if (!u->node || amf_node_dn(u->node, b, sizeof(b)) < 0)
			b[0] = '\0';
		fputs("{\"dn\":", f);
		json_str(f, a);
		fputs(",\"node\":", f);
		json_str(f, b);
		fprintf(f, ",\"admin\":\"%s\",\"oper\":\"%s\",\"presence\":\"%s\",\"readiness\":\"%s\"}",
			amf_admin_state_name(u->admin_state), amf_oper_state_name(u->oper_state),
			amf_presence_state_name(u->presence_state), amf_readiness_state_name(u->readiness_state));
	}
	fputs("],\"comps\":[", f);
	first = true;
	for (const struct amf_comp *x = amf_comp_next(c, NULL); x; x = amf_comp_next(c, x)) {
		json_sep(f, &first);
		amf_comp_dn(x, a, sizeof(a));
		fputs("{\"dn\":", f);
		json_str(f, a);
		fprintf(f, ",\"presence\":\"%s\",\"oper\":\"%s\",\"readiness\":\"%s\",\"restarts\":%u}",
			amf_presence_state_name(x->presence_state), amf_oper_state_name(x->oper_state),
			amf_readiness_state_name(x->readiness_state), (unsigned)x->restart_count);
	}
	fputs("],\"sis\":[", f);
	first = true;
	for (const struct amf_si *s = amf_si_next(c, NULL); s; s = amf_si_next(c, s)) {
		json_sep(f, &first);
		amf_si_dn(s, a, sizeof(a));
		fputs("{\"dn\":", f);
		json_str(f, a);
		fprintf(f, ",\"admin\":\"%s\",\"assignment\":\"%s\"}", amf_admin_state_name(s->admin_state),
			amf_assignment_state_name(s->assignment_state));
	}
	fputs("],\"si_assignments\":[", f);
	first = true;
	for (const struct amf_si *s = amf_si_next(c, NULL); s; s = amf_si_next(c, s)) {
		amf_si_dn(s, a, sizeof(a));
		for (const struct amf_si_assignment *x = s->assignments; x; x = x->si_next) {
			json_sep(f, &first);
			amf_su_dn(x->su, b, sizeof(b));
			fputs("{\"si\":", f);
			json_str(f, a);
			fputs(",\"su\":", f);
			json_str(f, b);
			fprintf(f, ",\"ha\":\"%s\",\"requested\":\"%s\"}", amf_ha_state_name(x->ha_state),
				amf_ha_state_name(x->requested));
		}
	}
	fputs("],\"csi_assignments\":[", f);
	first = true;
	for (const struct amf_csi *s = amf_csi_next(c, NULL); s; s = amf_csi_next(c, s)) {
		amf_csi_dn(s, a, sizeof(a));
		for (const struct amf_csi_assignment *x = s->assignments; x; x = x->csi_next) {
			json_sep(f, &first);
			amf_comp_dn(x->comp, b, sizeof(b));
			fputs("{\"csi\":", f);
			json_str(f, a);
			fputs(",\"comp\":", f);
			json_str(f, b);
			fprintf(f, ",\"ha\":\"%s\"}", amf_ha_state_name(x->ha_state));
		}
	}
	fputs("]}\n", f);
}

ssize_t amf_status_format(const struct amf_cluster *c, bool settled, bool json, char **ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	if (json)
		status_json(f, c, settled);
	else
		status_text(f, c, settled);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return -ENOMEM;
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	return (ssize_t)len;
}

/* ---- requests ---- */

int amf_core_lib_status(ais_conn_t *conn, const void *msg, size_t len)
{
	struct ais_amf_req_status req;
	struct ais_amf_res_status res;
	struct iovec iov[2];
	char *text = NULL;
	ssize_t n;
	int r;

	if (len != sizeof(req))
		return -EINVAL;
	memcpy(&req, msg, sizeof(req));
	if (req.format != AIS_AMF_STATUS_TEXT && req.format != AIS_AMF_STATUS_JSON)
		return -EINVAL;
	if (!amf_engine.enabled || !amf_engine.model)
		return -ENOENT;
	n = amf_status_format(amf_engine.model, amf_engine.have_state && amf_driver_settled(),
			      req.format == AIS_AMF_STATUS_JSON, &text);
	if (n < 0)
		return (int)n;
	memset(&res, 0, sizeof(res));
	res.header.id = AIS_AMF_REQ_STATUS;
	res.header.size = (int32_t)(sizeof(res) + (size_t)n + 1);
	res.header.error = SA_AIS_OK;
	res.len = (uint32_t)n + 1;
	iov[0].iov_base = &res;
	iov[0].iov_len = sizeof(res);
	iov[1].iov_base = text;
	iov[1].iov_len = (size_t)n + 1;
	r = amf_engine.api->responsev_send(conn, iov, 2);
	free(text);
	return r < 0 ? r : 0;
}

int amf_core_lib_admin(ais_conn_t *conn, const void *msg, size_t len)
{
	struct ais_amf_req_admin req;
	struct amf_wire_admin m;
	uint8_t buf[AMF_WIRE_ADMIN_SIZE];
	struct iovec iov = { buf, sizeof(buf) };
	pid_t pid;
	uid_t uid;
	gid_t gid;

	if (len != sizeof(req))
		return -EINVAL;
	memcpy(&req, msg, sizeof(req));
	amf_engine.api->conn_credentials(conn, &pid, &uid, &gid);
	if (uid != 0 && uid != geteuid())
		return -EACCES;
	if (!amf_engine.enabled || !amf_engine.model)
		return -ENOENT;
	if (req.op < AIS_AMF_ADMIN_UNLOCK || req.op > AIS_AMF_ADMIN_REPAIRED || req.op == 8 ||
	    req.dn.length == 0 || req.dn.length > AMF_DN_MAX || memchr(req.dn.value, '\0', req.dn.length))
		return -EINVAL;
	if (!amf_engine.have_state || amf_sync_running())
		return -EAGAIN;
	memset(&m, 0, sizeof(m));
	m.ts = amf_wall_ms();
	m.op = req.op;
	m.conn_id = amf_engine.api->conn_id(conn);
	m.dn.len = req.dn.length;
	memcpy(m.dn.value, req.dn.value, req.dn.length);
	if (!amf_find(amf_engine.model, m.dn.value, m.dn.len, NULL))
		return -ENOENT;
	amf_wire_admin_encode(buf, &m);
	return amf_engine.api->mcast(&iov, 1, AIS_GUARANTEE_AGREED) < 0 ? -EAGAIN : 0;
}

void amf_status_admin_answer(uint64_t conn_id, int r)
{
	struct ais_amf_res_plain res;
	ais_conn_t *conn = amf_engine.api->conn_lookup(conn_id);

	if (!conn)
		return;
	memset(&res, 0, sizeof(res));
	res.header.id = AIS_AMF_REQ_ADMIN;
	res.header.size = sizeof(res);
	switch (r) {
	case 0: res.header.error = SA_AIS_OK; break;
	case -EALREADY: res.header.error = SA_AIS_ERR_NO_OP; break;
	case -EPERM: res.header.error = SA_AIS_ERR_BAD_OPERATION; break;
	case -EBUSY: res.header.error = SA_AIS_ERR_TRY_AGAIN; break;
	case -ENOENT: res.header.error = SA_AIS_ERR_NOT_EXIST; break;
	case -EINVAL: res.header.error = SA_AIS_ERR_INVALID_PARAM; break;
	case -ENOMEM: res.header.error = SA_AIS_ERR_NO_MEMORY; break;
	default: res.header.error = SA_AIS_ERR_LIBRARY; break;
	}
	amf_engine.api->response_send(conn, &res, sizeof(res));
}
