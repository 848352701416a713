/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cpg service engine (Closed Process Groups, Corosync-compatible API):
 * the engine table, the client (lib) request handlers and the cluster
 * (exec) message handlers. The group table lives in cpg_group.c, sync in
 * cpg_sync.c, the cluster message codec in cpg_wire.c.
 *
 * A connection is in at most one group (Corosync semantics). Joining and
 * leaving are multicast in agreed order (PROCJOIN/PROCLEAVE) and applied by
 * every node when delivered; the client's call returns as soon as the
 * message is queued, and the join is complete when the confchg callback
 * lists the process. Messages (MCAST) go in agreed or safe order and are
 * delivered to the local members of the group, the sender included, only
 * when the sender is a member in this node's view. A client that goes away
 * leaves with CPG_REASON_PROCDOWN; if the send queue is full at that moment
 * the leave is retried from a timer so it is never lost.
 *
 * Node memberships go to clients that asked for them (the V1 model's totem
 * callback) when sync activates; with the aisexec extension
 * CPG_MODEL_V1_DELIVER_TRANSITIONAL_TOTEM_CONF also each transitional
 * configuration, when totem delivers it (cpg_confchg_fn), in order with the
 * old ring's messages.
 *
 * Every request is checked against the connection's own state: the pid is
 * the peer's credential, never a value from the request, and the group a
 * message goes to is the one this connection joined.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ais/error.h>
#include <ais/log.h>
#include <ais/inject.h>

#include "cpg_int.h"

AIS_LOG_SUBSYS("CPG");

struct cpg_engine_state cpg_state;

static void cpg_res_send(ais_conn_t *conn, int32_t id, int err)
{
	struct ais_cpg_res_plain res;

	memset(&res, 0, sizeof(res));
	res.header.id = id;
	res.header.size = sizeof(res);
	res.header.error = ais_error_from_errno(err); /* cs_error_t has the same numbers */
	cpg_state.api->response_send(conn, &res, sizeof(res));
}

static void cpg_res_u32_send(ais_conn_t *conn, int32_t id, uint32_t value)
{
	struct ais_cpg_res_u32 res;

	memset(&res, 0, sizeof(res));
	res.header.id = id;
	res.header.size = sizeof(res);
	res.header.error = CS_OK;
	res.value = value;
	cpg_state.api->response_send(conn, &res, sizeof(res));
}

static struct cpg_conn *cpg_conn_pd(ais_conn_t *conn)
{
	return cpg_state.api->conn_private(conn);
}

static bool cpg_name_valid(const struct ais_cpg_name *name)
{
	return name->length <= AIS_CPG_NAME_MAX;
}

/* Copy a client-supplied name, zero-filling past its length. */
static void cpg_name_copy(struct ais_cpg_name *dst, const struct ais_cpg_name *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->length = src->length;
	memcpy(dst->value, src->value, src->length);
}

static int cpg_proc_mcast(enum cpg_exec_fn fn, const struct cpg_wire_proc *p)
{
	uint8_t buf[CPG_WIRE_PROC_SIZE];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };

	cpg_wire_proc_encode(buf, fn, p);
	return cpg_state.api->mcast(&iov, 1, AIS_GUARANTEE_AGREED);
}

/* ---- leaves of processes that went away ----------------------------------- */

static void cpg_leave_timer_fn(void *data);

static void cpg_leave_timer_arm(void)
{
	if (cpg_state.leave_timer_armed || qb_list_empty(&cpg_state.pending_leaves))
		return;
	if (cpg_state.api->timer_add(CPG_LEAVE_RETRY_MS, cpg_leave_timer_fn, NULL,
	                             &cpg_state.leave_timer) == 0)
		cpg_state.leave_timer_armed = true;
	else
		ais_log(LOG_ERR, "cannot arm the leave retry timer");
}

/*
 * -ENOTCONN from mcast: this node has left the ring (a clean shutdown) or
 * is not in one. Its processes' leaves need not be sent: the other nodes
 * see every process of this node leave with it (NODEDOWN).
 */
static void cpg_pending_leaves_drop(void)
{
	struct cpg_pending_leave *pl, *tmp;
	unsigned n = 0;

	qb_list_for_each_entry_safe(pl, tmp, &cpg_state.pending_leaves, list) {
		qb_list_del(&pl->list);
		free(pl);
		n++;
	}
	if (n > 0)
		ais_log(LOG_DEBUG, "out of the ring: %u queued leave(s) not sent (the node leaves "
		        "with its processes)", n);
}

/* Send queued PROCDOWN leaves in order; stop at the first that does not fit. */
static void cpg_pending_leaves_flush(void)
{
	struct cpg_pending_leave *pl, *tmp;
	int r;

	qb_list_for_each_entry_safe(pl, tmp, &cpg_state.pending_leaves, list) {
		r = cpg_proc_mcast(CPG_EXEC_PROCLEAVE, &pl->proc);
		if (r == -ENOTCONN) {
			cpg_pending_leaves_drop();
			return;
		}
		if (r < 0) {
			if (r != -EAGAIN)
				ais_log(LOG_ERR, "sending a leave failed: %s", strerror(-r));
			break;
		}
		qb_list_del(&pl->list);
		free(pl);
	}
	cpg_leave_timer_arm();
}

static void cpg_leave_timer_fn(void *data)
{
	(void)data;
	cpg_state.leave_timer_armed = false;
	cpg_pending_leaves_flush();
}

/* The process behind pd is gone: it leaves its group with PROCDOWN. */
static void cpg_procdown_send(struct cpg_conn *pd)
{
	struct cpg_pending_leave *pl;
	struct cpg_wire_proc p;

	memset(&p, 0, sizeof(p));
	p.group = pd->group->name;
	p.pid = pd->pid;
	p.reason = CPG_REASON_PROCDOWN;
	p.conn_id = 0;
	if (qb_list_empty(&cpg_state.pending_leaves)) {
		int r = cpg_proc_mcast(CPG_EXEC_PROCLEAVE, &p);

		if (r == 0)
			return;
		if (r == -ENOTCONN) {
			ais_log(LOG_DEBUG, "out of the ring: leave of pid %u not sent (the node leaves "
			        "with its processes)", (unsigned)pd->pid);
			return;
		}
	}
	pl = ais_calloc(1, sizeof(*pl));
	if (!pl) {
		ais_log(LOG_ERR, "out of memory: leave of pid %u is lost", (unsigned)pd->pid);
		return;
	}
	pl->proc = p;
	qb_list_add_tail(&pl->list, &cpg_state.pending_leaves);
	cpg_leave_timer_arm();
}

static void cpg_conn_detach(struct cpg_conn *pd)
{
	struct cpg_group *g = pd->group;

	if (!g)
		return;
	if (pd->state == CPG_CONN_JOIN_PENDING)
		g->n_pending--;
	qb_list_del(&pd->group_list);
	pd->group = NULL;
	pd->state = CPG_CONN_UNJOINED;
	cpg_group_put_if_unused(g);
}

/* ---- connection life --------------------------------------------------------- */

static int cpg_lib_init_fn(ais_conn_t *conn)
{
	struct cpg_conn *pd = cpg_conn_pd(conn);
	pid_t pid = 0;
	uid_t uid;
	gid_t gid;

	pd->conn = conn;
	qb_list_init(&pd->group_list);
	qb_list_init(&pd->iters);
	cpg_state.api->conn_credentials(conn, &pid, &uid, &gid);
	pd->pid = (uint32_t)pid;
	qb_list_add_tail(&pd->list, &cpg_state.conns);
	return 0;
}

static int cpg_lib_exit_fn(ais_conn_t *conn)
{
	struct cpg_conn *pd = cpg_conn_pd(conn);
	struct cpg_iter *it, *tmp;

	if (!pd->conn)
		return 0;
	qb_list_for_each_entry_safe(it, tmp, &pd->iters, list) {
		qb_list_del(&it->list);
		cpg_iter_free(it);
	}
	pd->n_iters = 0;
	if (pd->state == CPG_CONN_JOIN_PENDING || pd->state == CPG_CONN_JOINED)
		cpg_procdown_send(pd);
	cpg_conn_detach(pd);
	qb_list_del(&pd->list);
	pd->conn = NULL;
	return 0;
}

/* ---- client requests ------------------------------------------------------------ */

/* May this connection's process join g? 0 or -errno. */
static int cpg_join_check(const struct cpg_conn *pd, const struct ais_cpg_name *name)
{
	const struct cpg_conn *other;
	struct cpg_group *g;

	if (pd->state != CPG_CONN_UNJOINED)
		return pd->state == CPG_CONN_LEAVE_PENDING ? -EBUSY : -EEXIST;
	if (cpg_state.n_local >= CPG_JOINLIST_MAX)
		return -EMFILE;
	g = cpg_group_find(name);
	if (!g)
		return 0;
	qb_list_for_each_entry(other, &g->conns, group_list) {
		if (other->pid != pd->pid)
			continue;
		return other->state == CPG_CONN_LEAVE_PENDING ? -EBUSY : -EEXIST;
	}
	/* still a member: its PROCDOWN leave has not been delivered yet */
	if (cpg_group_member_find(g, cpg_state.api->local_nodeid(), pd->pid))
		return -EAGAIN;
	if (g->n_members + g->n_pending >= CPG_GROUP_MEMBERS_MAX)
		return -ENOSPC;
	return 0;
}

static int cpg_lib_join(ais_conn_t *conn, const void *msg, size_t len)
{
	const struct ais_cpg_req_group *req = msg;
	struct cpg_conn *pd = cpg_conn_pd(conn);
	struct cpg_wire_proc p;
	struct cpg_group *g;
	int r;

	(void)len;
	if (!cpg_name_valid(&req->group)) {
		r = -EINVAL;
		goto out;
	}
	memset(&p, 0, sizeof(p));
	cpg_name_copy(&p.group, &req->group);
	r = cpg_join_check(pd, &p.group);
	if (r < 0)
		goto out;
	g = cpg_group_get(&p.group);
	if (!g) {
		r = -ENOMEM;
		goto out;
	}
	p.pid = pd->pid;
	p.reason = CPG_REASON_JOIN;
	p.conn_id = cpg_state.api->conn_id(conn);
	r = cpg_proc_mcast(CPG_EXEC_PROCJOIN, &p);
	if (r < 0) {
		cpg_group_put_if_unused(g);
		goto out;
	}
	pd->group = g;
	pd->state = CPG_CONN_JOIN_PENDING;
	pd->initial_conf_sent = false;
	qb_list_add_tail(&pd->group_list, &g->conns);
	g->n_pending++;
	cpg_state.n_local++;
out:
	cpg_res_send(conn, AIS_CPG_REQ_JOIN, r);
	return 0;
}

static int cpg_lib_leave(ais_conn_t *conn, const void *msg, size_t len)
{
	const struct ais_cpg_req_group *req = msg;
	struct cpg_conn *pd = cpg_conn_pd(conn);
	struct cpg_wire_proc p;
	int r;

	(void)len;
	if (!cpg_name_valid(&req->group)) {
		r = -EINVAL;
		goto out;
	}
	memset(&p, 0, sizeof(p));
	cpg_name_copy(&p.group, &req->group);
	if (pd->state == CPG_CONN_UNJOINED || pd->state == CPG_CONN_LEAVE_PENDING ||
	    cpg_name_cmp(&p.group, &pd->group->name) != 0) {
		r = -ENOENT;
		goto out;
	}
	if (pd->state == CPG_CONN_JOIN_PENDING) {
		r = -EBUSY;
		goto out;
	}
	p.pid = pd->pid;
	p.reason = CPG_REASON_LEAVE;
	p.conn_id = cpg_state.api->conn_id(conn);
	r = cpg_proc_mcast(CPG_EXEC_PROCLEAVE, &p);
	if (r < 0)
		goto out;
	pd->state = CPG_CONN_LEAVE_PENDING;
out:
	cpg_res_send(conn, AIS_CPG_REQ_LEAVE, r);
	return 0;
}

static int cpg_lib_mcast(ais_conn_t *conn, const void *msg, size_t len)
{
	const struct ais_cpg_req_mcast *req = msg;
	struct cpg_conn *pd = cpg_conn_pd(conn);
	uint8_t hdr[CPG_WIRE_MCAST_HDR_SIZE];
	struct cpg_wire_mcast m;
	struct iovec iov[2];
	int r;

	if (req->msg_len > AIS_CPG_MSG_MAX) {
		r = -EMSGSIZE;
		goto out;
	}
	if (len - sizeof(*req) != req->msg_len || req->guarantee > CPG_TYPE_SAFE) {
		r = -EINVAL;
		goto out;
	}
	if (pd->state != CPG_CONN_JOINED && pd->state != CPG_CONN_JOIN_PENDING) {
		r = -ENOENT;
		goto out;
	}
	memset(&m, 0, sizeof(m));
	m.group = pd->group->name;
	m.pid = pd->pid;
	m.guarantee = req->guarantee == CPG_TYPE_SAFE ? AIS_GUARANTEE_SAFE : AIS_GUARANTEE_AGREED;
	m.msg_len = req->msg_len;
	cpg_wire_mcast_hdr_encode(hdr, &m);
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (uint8_t *)(uintptr_t)msg + sizeof(*req);
	iov[1].iov_len = req->msg_len;
	r = cpg_state.api->mcast(iov, 2, (enum ais_guarantee)m.guarantee);
out:
	cpg_res_send(conn, AIS_CPG_REQ_MCAST, r);
	return 0;
}

static int cpg_lib_membership_get(ais_conn_t *conn, const void *msg, size_t len)
{
	const struct ais_cpg_req_group *req = msg;
	struct ais_cpg_res_membership res;
	struct ais_cpg_address *list = NULL;
	struct ais_cpg_name name;
	struct cpg_group *g = NULL;
	struct cpg_member *m;
	struct iovec iov[2];
	size_t n = 0;

	(void)len;
	if (!cpg_name_valid(&req->group)) {
		cpg_res_send(conn, AIS_CPG_REQ_MEMBERSHIP_GET, -EINVAL);
		return 0;
	}
	cpg_name_copy(&name, &req->group);
	g = cpg_group_find(&name);
	if (g && g->n_members) {
		list = ais_calloc(g->n_members, sizeof(*list));
		if (!list) {
			cpg_res_send(conn, AIS_CPG_REQ_MEMBERSHIP_GET, -ENOMEM);
			return 0;
		}
		qb_list_for_each_entry(m, &g->members, list) {
			list[n].nodeid = m->nodeid;
			list[n].pid = m->pid;
			list[n].reason = 0;
			n++;
		}
	}
	memset(&res, 0, sizeof(res));
	res.header.id = AIS_CPG_REQ_MEMBERSHIP_GET;
	res.header.size = (int32_t)(sizeof(res) + n * sizeof(*list));
	res.header.error = CS_OK;
	res.count = (uint32_t)n;
	iov[0].iov_base = &res;
	iov[0].iov_len = sizeof(res);
	iov[1].iov_base = list;
	iov[1].iov_len = n * sizeof(*list);
	cpg_state.api->responsev_send(conn, iov, n ? 2 : 1);
	free(list);
	return 0;
}

static int cpg_lib_local_get(ais_conn_t *conn, const void *msg, size_t len)
{
	(void)msg;
	(void)len;
	cpg_res_u32_send(conn, AIS_CPG_REQ_LOCAL_GET, cpg_state.api->local_nodeid());
	return 0;
}

static int cpg_lib_flow_control_get(ais_conn_t *conn, const void *msg, size_t len)
{
	bool held = cpg_state.api->sync_in_progress() ||
	            !cpg_state.api->mcast_ok(CPG_FLOW_PROBE_SIZE);

	(void)msg;
	(void)len;
	cpg_res_u32_send(conn, AIS_CPG_REQ_FLOW_CONTROL_GET,
	                 held ? CPG_FLOW_CONTROL_ENABLED : CPG_FLOW_CONTROL_DISABLED);
	return 0;
}

static int cpg_lib_max_msg_size_get(ais_conn_t *conn, const void *msg, size_t len)
{
	(void)msg;
	(void)len;
	cpg_res_u32_send(conn, AIS_CPG_REQ_MAX_MSG_SIZE_GET, AIS_CPG_MSG_MAX);
	return 0;
}

static int cpg_lib_model_set(ais_conn_t *conn, const void *msg, size_t len)
{
	const struct ais_cpg_req_model *req = msg;
	struct cpg_conn *pd = cpg_conn_pd(conn);
	int r = 0;

	(void)len;
	if (req->flags & ~(uint32_t)AIS_CPG_MODEL_FLAGS)
		r = -EINVAL;
	else
		pd->model_flags = req->flags;
	cpg_res_send(conn, AIS_CPG_REQ_MODEL_SET, r);
	return 0;
}

static struct cpg_iter *cpg_conn_iter_find(struct cpg_conn *pd, uint64_t id)
{
	struct cpg_iter *it;

	qb_list_for_each_entry(it, &pd->iters, list) {
		if (it->id == id)
			return it;
	}
	return NULL;
}

static int cpg_lib_iter_init(ais_conn_t *conn, const void *msg, size_t len)
{
	const struct ais_cpg_req_iter_init *req = msg;
	struct cpg_conn *pd = cpg_conn_pd(conn);
	struct ais_cpg_res_iter res;
	struct ais_cpg_name name;
	struct cpg_iter *it;
	int r;

	(void)len;
	if (!cpg_name_valid(&req->group)) {
		cpg_res_send(conn, AIS_CPG_REQ_ITER_INIT, -EINVAL);
		return 0;
	}
	cpg_name_copy(&name, &req->group);
	r = cpg_iter_build(pd, req->iteration_type, &name, &it);
	if (r < 0) {
		cpg_res_send(conn, AIS_CPG_REQ_ITER_INIT, r);
		return 0;
	}
	memset(&res, 0, sizeof(res));
	res.header.id = AIS_CPG_REQ_ITER_INIT;
	res.header.size = sizeof(res);
	res.header.error = CS_OK;
	res.iter_id = it->id;
	cpg_state.api->response_send(conn, &res, sizeof(res));
	return 0;
}

static int cpg_lib_iter_next(ais_conn_t *conn, const void *msg, size_t len)
{
	const struct ais_cpg_req_iter *req = msg;
	struct cpg_iter *it = cpg_conn_iter_find(cpg_conn_pd(conn), req->iter_id);
	struct ais_cpg_res_iter_next res;

	(void)len;
	if (!it || it->next >= it->n) {
		cpg_res_send(conn, AIS_CPG_REQ_ITER_NEXT, it ? -ENODATA : -EBADF);
		return 0;
	}
	memset(&res, 0, sizeof(res));
	res.header.id = AIS_CPG_REQ_ITER_NEXT;
	res.header.size = sizeof(res);
	res.header.error = CS_OK;
	res.group = it->entries[it->next].group;
	res.nodeid = it->entries[it->next].nodeid;
	res.pid = it->entries[it->next].pid;
	it->next++;
	cpg_state.api->response_send(conn, &res, sizeof(res));
	return 0;
}

static int cpg_lib_iter_finalize(ais_conn_t *conn, const void *msg, size_t len)
{
	const struct ais_cpg_req_iter *req = msg;
	struct cpg_conn *pd = cpg_conn_pd(conn);
	struct cpg_iter *it = cpg_conn_iter_find(pd, req->iter_id);

	(void)len;
	if (it) {
		qb_list_del(&it->list);
		cpg_iter_free(it);
		pd->n_iters--;
	}
	cpg_res_send(conn, AIS_CPG_REQ_ITER_FINALIZE, it ? 0 : -EBADF);
	return 0;
}

#define HDR_REQ sizeof(struct qb_ipc_request_header)

static const struct ais_lib_handler cpg_lib_handlers[AIS_CPG_REQ_COUNT] = {
	[AIS_CPG_REQ_JOIN] = { cpg_lib_join, sizeof(struct ais_cpg_req_group),
	                       sizeof(struct ais_cpg_req_group), AIS_CPG_REQ_JOIN, true },
	[AIS_CPG_REQ_LEAVE] = { cpg_lib_leave, sizeof(struct ais_cpg_req_group),
	                        sizeof(struct ais_cpg_req_group), AIS_CPG_REQ_LEAVE, true },
	[AIS_CPG_REQ_MCAST] = { cpg_lib_mcast, sizeof(struct ais_cpg_req_mcast),
	                        sizeof(struct ais_cpg_req_mcast) + AIS_CPG_MSG_MAX,
	                        AIS_CPG_REQ_MCAST, true },
	[AIS_CPG_REQ_MEMBERSHIP_GET] = { cpg_lib_membership_get, sizeof(struct ais_cpg_req_group),
	                                 sizeof(struct ais_cpg_req_group),
	                                 AIS_CPG_REQ_MEMBERSHIP_GET, false },
	[AIS_CPG_REQ_LOCAL_GET] = { cpg_lib_local_get, HDR_REQ, HDR_REQ,
	                            AIS_CPG_REQ_LOCAL_GET, false },
	[AIS_CPG_REQ_ITER_INIT] = { cpg_lib_iter_init, sizeof(struct ais_cpg_req_iter_init),
	                            sizeof(struct ais_cpg_req_iter_init), AIS_CPG_REQ_ITER_INIT, false },
	[AIS_CPG_REQ_ITER_NEXT] = { cpg_lib_iter_next, sizeof(struct ais_cpg_req_iter),
	                            sizeof(struct ais_cpg_req_iter), AIS_CPG_REQ_ITER_NEXT, false },
	[AIS_CPG_REQ_ITER_FINALIZE] = { cpg_lib_iter_finalize, sizeof(struct ais_cpg_req_iter),
	                                sizeof(struct ais_cpg_req_iter),
	                                AIS_CPG_REQ_ITER_FINALIZE, false },
	[AIS_CPG_REQ_FLOW_CONTROL_GET] = { cpg_lib_flow_control_get, HDR_REQ, HDR_REQ,
	                                   AIS_CPG_REQ_FLOW_CONTROL_GET, false },
	[AIS_CPG_REQ_MAX_MSG_SIZE_GET] = { cpg_lib_max_msg_size_get, HDR_REQ, HDR_REQ,
	                                   AIS_CPG_REQ_MAX_MSG_SIZE_GET, false },
	[AIS_CPG_REQ_MODEL_SET] = { cpg_lib_model_set, sizeof(struct ais_cpg_req_model),
	                            sizeof(struct ais_cpg_req_model), AIS_CPG_REQ_MODEL_SET, false },
};

/* ---- cluster messages ------------------------------------------------------------- */

/* One of this node's memberships (or joins in flight) is gone. */
static void cpg_local_forget(ais_nodeid_t sender)
{
	if (sender == cpg_state.api->local_nodeid() && cpg_state.n_local > 0)
		cpg_state.n_local--;
}

/* The local connection that sent (sender, conn_id), only for our own messages:
 * a peer cannot point us at a connection of ours. */
static struct cpg_conn *cpg_origin_conn(ais_nodeid_t sender, uint64_t conn_id, uint32_t pid)
{
	ais_conn_t *conn;
	struct cpg_conn *pd;

	if (sender != cpg_state.api->local_nodeid() || conn_id == 0)
		return NULL;
	conn = cpg_state.api->conn_lookup(conn_id);
	if (!conn)
		return NULL;
	pd = cpg_conn_pd(conn);
	if (pd->conn != conn || pd->pid != pid)
		return NULL;
	return pd;
}

static void cpg_exec_procjoin(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct ais_cpg_address joined;
	struct cpg_wire_proc p;
	struct cpg_group *g;
	struct cpg_conn *pd;

	if (cpg_wire_proc_decode(msg, len, &p) < 0 || p.reason != CPG_REASON_JOIN) {
		cpg_state.drop_bad_frame++;
		ais_log(LOG_DEBUG, "dropped a malformed join from node %u", (unsigned)sender);
		return;
	}
	g = cpg_group_get(&p.group);
	if (!g) {
		ais_log(LOG_ERR, "out of memory: join of %u/%u lost", (unsigned)sender, (unsigned)p.pid);
		cpg_local_forget(sender);
		return;
	}
	if (cpg_group_member_find(g, sender, p.pid) || cpg_group_member_add(g, sender, p.pid) < 0) {
		ais_log(LOG_DEBUG, "join of %u/%u not applied (already a member or no memory)",
		        (unsigned)sender, (unsigned)p.pid);
		cpg_local_forget(sender);
		pd = cpg_origin_conn(sender, p.conn_id, p.pid);
		if (pd && pd->state == CPG_CONN_JOIN_PENDING && pd->group == g) {
			/* not left waiting for a join that never comes: it may retry */
			cpg_conn_detach(pd);
			return;
		}
		cpg_group_put_if_unused(g);
		return;
	}
	cpg_sync_note_join(sender, p.pid, &p.group);
	pd = cpg_origin_conn(sender, p.conn_id, p.pid);
	if (pd && pd->state == CPG_CONN_JOIN_PENDING && pd->group == g) {
		pd->state = CPG_CONN_JOINED;
		g->n_pending--;
	}
	joined.nodeid = sender;
	joined.pid = p.pid;
	joined.reason = CPG_REASON_JOIN;
	cpg_group_confchg_send(g, NULL, 0, &joined, 1);
	/* a client that takes transitional configurations knows the ring once
	 * it got any configuration: a repeat could contradict a transitional one */
	if (pd && pd->state == CPG_CONN_JOINED && !pd->initial_conf_sent &&
	    (pd->model_flags & CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF) &&
	    !(cpg_conn_wants_transitional(pd) && pd->totem_conf_sent)) {
		pd->initial_conf_sent = true;
		cpg_conn_totem_confchg_send(pd);
	}
}

static void cpg_exec_procleave(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct ais_cpg_address left;
	struct cpg_wire_proc p;
	struct cpg_member *m;
	struct cpg_group *g;
	struct cpg_conn *pd;

	if (cpg_wire_proc_decode(msg, len, &p) < 0 ||
	    (p.reason != CPG_REASON_LEAVE && p.reason != CPG_REASON_PROCDOWN)) {
		cpg_state.drop_bad_frame++;
		ais_log(LOG_DEBUG, "dropped a malformed leave from node %u", (unsigned)sender);
		return;
	}
	g = cpg_group_find(&p.group);
	if (!g) {
		cpg_sync_note_leave(sender, p.pid, &p.group);
		return;
	}
	m = cpg_group_member_find(g, sender, p.pid);
	cpg_sync_note_leave(sender, p.pid, &p.group);
	if (m) {
		cpg_group_member_remove(g, m);
		cpg_local_forget(sender);
		left.nodeid = sender;
		left.pid = p.pid;
		left.reason = p.reason;
		cpg_group_confchg_send(g, &left, 1, NULL, 0);
	}
	pd = cpg_origin_conn(sender, p.conn_id, p.pid);
	if (pd && pd->state == CPG_CONN_LEAVE_PENDING && pd->group == g)
		cpg_conn_detach(pd); /* may free g */
	else
		cpg_group_put_if_unused(g);
}

static void cpg_exec_mcast(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct ais_cpg_ev_deliver ev;
	struct cpg_wire_mcast m;
	struct cpg_group *g;
	struct cpg_conn *pd;
	struct iovec iov[2];

	if (cpg_wire_mcast_decode(msg, len, &m) < 0) {
		cpg_state.drop_bad_frame++;
		ais_log(LOG_DEBUG, "dropped a malformed message from node %u", (unsigned)sender);
		return;
	}
	g = cpg_group_find(&m.group);
	if (!g || qb_list_empty(&g->conns))
		return;
	if (!cpg_group_member_find(g, sender, m.pid)) {
		cpg_state.drop_unknown_sender++;
		ais_log(LOG_DEBUG, "message from %u/%u, not a member here: not delivered",
		        (unsigned)sender, (unsigned)m.pid);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.header.id = AIS_CPG_EV_DELIVER;
	ev.header.size = (int32_t)(sizeof(ev) + m.msg_len);
	ev.header.error = CS_OK;
	ev.group = m.group;
	ev.nodeid = sender;
	ev.pid = m.pid;
	ev.msg_len = m.msg_len;
	iov[0].iov_base = &ev;
	iov[0].iov_len = sizeof(ev);
	iov[1].iov_base = (uint8_t *)(uintptr_t)m.msg;
	iov[1].iov_len = m.msg_len;
	qb_list_for_each_entry(pd, &g->conns, group_list) {
		if (pd->state == CPG_CONN_JOINED || pd->state == CPG_CONN_LEAVE_PENDING)
			cpg_conn_event_send(pd, iov, 2);
	}
}

static const struct ais_exec_handler cpg_exec_handlers[CPG_EXEC_COUNT] = {
	[CPG_EXEC_PROCJOIN] = { cpg_exec_procjoin, CPG_WIRE_PROC_SIZE, CPG_WIRE_PROC_SIZE },
	[CPG_EXEC_PROCLEAVE] = { cpg_exec_procleave, CPG_WIRE_PROC_SIZE, CPG_WIRE_PROC_SIZE },
	[CPG_EXEC_MCAST] = { cpg_exec_mcast, CPG_WIRE_MCAST_HDR_SIZE,
	                     CPG_WIRE_MCAST_HDR_SIZE + AIS_CPG_MSG_MAX },
	[CPG_EXEC_JOINLIST] = { cpg_exec_joinlist, CPG_WIRE_JOINLIST_HDR_SIZE,
	                        CPG_WIRE_JOINLIST_MAX_SIZE },
};

/* ---- engine life ------------------------------------------------------------------ */

static int cpg_exec_init_fn(const struct ais_api *api)
{
	memset(&cpg_state, 0, sizeof(cpg_state));
	cpg_state.api = api;
	cpg_state.groups = qb_skiplist_create();
	if (!cpg_state.groups)
		return -ENOMEM;
	qb_list_init(&cpg_state.conns);
	qb_list_init(&cpg_state.pending_leaves);
	qb_list_init(&cpg_state.jl_nodes);
	return 0;
}

static int cpg_exec_exit_fn(void)
{
	struct cpg_pending_leave *pl, *ptmp;
	struct cpg_conn *pd, *ctmp;
	struct cpg_iter *it, *itmp;

	if (cpg_state.leave_timer_armed)
		cpg_state.api->timer_del(cpg_state.leave_timer);
	cpg_state.leave_timer_armed = false;
	qb_list_for_each_entry_safe(pl, ptmp, &cpg_state.pending_leaves, list) {
		qb_list_del(&pl->list);
		free(pl);
	}
	/* connections still open: forget them; their lib_exit_fn then only frees */
	qb_list_for_each_entry_safe(pd, ctmp, &cpg_state.conns, list) {
		qb_list_for_each_entry_safe(it, itmp, &pd->iters, list) {
			qb_list_del(&it->list);
			cpg_iter_free(it);
		}
		pd->n_iters = 0;
		if (pd->group)
			qb_list_del(&pd->group_list);
		pd->group = NULL;
		pd->state = CPG_CONN_UNJOINED;
		qb_list_del(&pd->list);
		pd->conn = NULL;
	}
	cpg_sync_reset();
	cpg_groups_destroy();
	return 0;
}

/*
 * A transitional configuration goes to the clients that asked for them right
 * away: the engine is called in totem's delivery order, so the event sits
 * between the old ring's messages exactly where totem put it. A regular
 * configuration whose sync never completed (superseded by this change) is
 * announced to them first, so they see every configuration totem installed.
 */
static void cpg_totem_transitional_send(const ais_nodeid_t *members, size_t n_members,
                                        const struct ais_ring_id *ring_id)
{
	struct cpg_conn *pd;

	qb_list_for_each_entry(pd, &cpg_state.conns, list) {
		if (!cpg_conn_wants_transitional(pd))
			continue;
		if (cpg_state.ring_unannounced)
			cpg_conn_totem_confchg_send(pd);
		cpg_conn_totem_event_send(pd, AIS_CPG_TOTEM_TRANSITIONAL, ring_id, members, n_members);
	}
	cpg_state.ring_unannounced = false;
}

static void cpg_confchg_fn(enum ais_confchg_type type,
                           const ais_nodeid_t *members, size_t n_members,
                           const ais_nodeid_t *left, size_t n_left,
                           const ais_nodeid_t *joined, size_t n_joined,
                           const struct ais_ring_id *ring_id)
{
	(void)left;
	(void)joined;
	if (type != AIS_CONFCHG_REGULAR) {
		cpg_totem_transitional_send(members, n_members, ring_id);
		return;
	}
	cpg_state.ring = *ring_id;
	cpg_state.ring_members = n_members;
	cpg_state.ring_unannounced = true; /* announced at sync activate */
	ais_log(LOG_DEBUG, "configuration %u/%llu: %zu nodes (%zu left, %zu joined)",
	        (unsigned)ring_id->rep, (unsigned long long)ring_id->seq, n_members, n_left, n_joined);
}

const struct ais_service_engine ais_cpg_engine = {
	.abi_version = AIS_SERVICE_ABI_VERSION,
	.name = "cpg",
	.id = AIS_SERVICE_CPG,
	.private_data_size = sizeof(struct cpg_conn),
	.exec_init_fn = cpg_exec_init_fn,
	.exec_exit_fn = cpg_exec_exit_fn,
	.lib_init_fn = cpg_lib_init_fn,
	.lib_exit_fn = cpg_lib_exit_fn,
	.lib_handlers = cpg_lib_handlers,
	.lib_handler_count = AIS_CPG_REQ_COUNT,
	.exec_handlers = cpg_exec_handlers,
	.exec_handler_count = CPG_EXEC_COUNT,
	.confchg_fn = cpg_confchg_fn,
	.sync = &cpg_sync_ops,
	.dump_fn = cpg_groups_dump,
};
