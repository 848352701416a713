/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libaiscpg: the Closed Process Group client API (Corosync-compatible, see
 * include/ais/cpg.h) on top of the private client core (ais_client.h).
 *
 * Each cpg_initialize() opens its own connection and gets a checked handle
 * from a handle database; every call brackets its work with get/put, so a
 * stale or forged handle is CS_ERR_BAD_HANDLE and finalize (from any thread
 * or from inside a callback) is safe: the connection is closed by the
 * instance destructor at the last put. Events are decoded here, checked
 * against their length, and handed to the application's callbacks by the
 * core's dispatch loop. Iteration handles live in a second database and are
 * destroyed with their cpg handle.
 *
 * Errors: -errno from the core goes through ais_error_from_errno() (whose
 * numbers are cs_error_t's); errors the daemon answers are cs_error_t
 * already. Nothing here logs.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <qb/qblist.h>

#include <ais/client.h>
#include <ais/cpg.h>
#include <ais/ipc_cpg.h>
#include <ais/service.h>

#include "ais_client.h"

_Static_assert(sizeof(struct cpg_address) == sizeof(struct ais_cpg_address), "cpg_address layout");
_Static_assert(sizeof(struct cpg_name) == sizeof(struct ais_cpg_name), "cpg_name layout");
_Static_assert(CPG_MAX_NAME_LENGTH == AIS_CPG_NAME_MAX, "name length");
_Static_assert(CPG_MAX_MSG_SIZE == AIS_CPG_MSG_MAX, "message size");
/* cs_error_t and SaAisErrorT share their numbers: see corotypes.c */

/** Retries of a join/leave the daemon answers CS_ERR_BUSY (previous
 *  leave/join still travelling), 1 ms apart. */
#define CPG_BUSY_RETRIES 5000

struct cpg_inst {
	struct ais_client *client;
	cpg_model_v1_data_t model;
	pthread_mutex_t lock; /* context, totem_type, iters */
	void *context;
	int totem_type;            /* cpg_totem_confchg_type_t of the last totem event, -1: none */
	struct qb_list_head iters; /* struct cpg_iter_inst */
};

struct cpg_iter_inst {
	struct qb_list_head list;
	cpg_iteration_handle_t handle;
	cpg_handle_t cpg_handle;
	uint64_t iter_id;
};

AIS_HDB_DECLARE(cpg_handle_db, AIS_HDB_TAG(AIS_SERVICE_CPG, 1));
AIS_HDB_DECLARE(cpg_iter_db, AIS_HDB_TAG(AIS_SERVICE_CPG, 2));

static cs_error_t cpg_err(int r)
{
	return (cs_error_t)ais_error_from_errno(r);
}

static void cpg_inst_destroy(void *instance)
{
	struct cpg_inst *inst = instance;

	ais_client_disconnect(inst->client);
	inst->client = NULL;
	pthread_mutex_destroy(&inst->lock);
}

/* Synchronous request; on CS_OK the response (at least min_len bytes) is in res. */
static cs_error_t cpg_request(struct cpg_inst *inst, const struct iovec *iov, size_t iovcnt,
                              int32_t res_id, void *res, size_t res_size, size_t min_len)
{
	const struct qb_ipc_response_header *h = res;
	size_t len = 0;
	int r;

	r = ais_client_request(inst->client, iov, iovcnt, res_id, res, res_size, &len);
	if (r < 0)
		return cpg_err(r);
	if (h->error != CS_OK)
		return (cs_error_t)h->error;
	if (len < min_len || h->id != res_id)
		return CS_ERR_LIBRARY;
	return CS_OK;
}

static cs_error_t cpg_request_plain(struct cpg_inst *inst, const void *req, size_t req_len,
                                    int32_t res_id)
{
	struct ais_cpg_res_plain res;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)req, .iov_len = req_len };

	return cpg_request(inst, &iov, 1, res_id, &res, sizeof(res), sizeof(res));
}

static cs_error_t cpg_request_u32(struct cpg_inst *inst, int32_t id, uint32_t *ret_value)
{
	struct ais_cpg_req_plain req;
	struct ais_cpg_res_u32 res;
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	cs_error_t e;

	memset(&req, 0, sizeof(req));
	req.header.id = id;
	req.header.size = sizeof(req);
	e = cpg_request(inst, &iov, 1, id, &res, sizeof(res), sizeof(res));
	if (e == CS_OK)
		*ret_value = res.value;
	return e;
}

static cs_error_t cpg_inst_get(cpg_handle_t handle, struct cpg_inst **ret_inst)
{
	void *p;
	int r = ais_hdb_get(&cpg_handle_db, handle, &p);

	if (r < 0)
		return CS_ERR_BAD_HANDLE;
	*ret_inst = p;
	return CS_OK;
}

static void cpg_inst_put(cpg_handle_t handle)
{
	ais_hdb_put(&cpg_handle_db, handle);
}

/* ---- life ---------------------------------------------------------------------- */

cs_error_t cpg_model_initialize(cpg_handle_t *handle, cpg_model_t model,
                                cpg_model_data_t *model_data, void *context)
{
	struct ais_cpg_req_model req;
	struct cpg_inst *inst;
	cpg_handle_t h;
	void *p;
	cs_error_t e;
	int r;

	/* As Corosync: only the model argument is checked up front (programs
	 * leave model_data->model at 0); unknown flags are refused after the
	 * connect, so a daemon that is not running is reported first. */
	if (!handle || model != CPG_MODEL_V1)
		return CS_ERR_INVALID_PARAM;

	r = ais_hdb_create(&cpg_handle_db, sizeof(*inst), cpg_inst_destroy, &h, &p);
	if (r < 0)
		return cpg_err(r);
	inst = p;
	pthread_mutex_init(&inst->lock, NULL);
	qb_list_init(&inst->iters);
	inst->context = context;
	inst->totem_type = -1;
	if (model_data)
		memcpy(&inst->model, model_data, sizeof(inst->model));
	inst->model.model = CPG_MODEL_V1;

	r = ais_client_connect("cpg", &inst->client);
	if (r < 0) {
		e = cpg_err(r);
		goto out_destroy;
	}
	if (inst->model.flags & ~(unsigned)(CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF |
	                                    CPG_MODEL_V1_DELIVER_TRANSITIONAL_TOTEM_CONF)) {
		e = CS_ERR_INVALID_PARAM;
		goto out_destroy;
	}
	if (inst->model.cpg_totem_confchg_fn || inst->model.flags) {
		memset(&req, 0, sizeof(req));
		req.header.id = AIS_CPG_REQ_MODEL_SET;
		req.header.size = sizeof(req);
		req.flags = inst->model.flags | (inst->model.cpg_totem_confchg_fn ? AIS_CPG_MODEL_TOTEM_CONFCHG : 0);
		e = cpg_request_plain(inst, &req, sizeof(req), AIS_CPG_REQ_MODEL_SET);
		if (e != CS_OK)
			goto out_destroy;
	}
	/* the creation reference stays until cpg_finalize() */
	*handle = h;
	return CS_OK;

out_destroy:
	ais_hdb_destroy(&cpg_handle_db, h);
	return e;
}

cs_error_t cpg_initialize(cpg_handle_t *handle, cpg_callbacks_t *callbacks)
{
	cpg_model_v1_data_t data;

	memset(&data, 0, sizeof(data));
	data.model = CPG_MODEL_V1;
	if (callbacks) {
		data.cpg_deliver_fn = callbacks->cpg_deliver_fn;
		data.cpg_confchg_fn = callbacks->cpg_confchg_fn;
	}
	return cpg_model_initialize(handle, CPG_MODEL_V1, (cpg_model_data_t *)&data, NULL);
}

cs_error_t cpg_finalize(cpg_handle_t handle)
{
	struct cpg_iter_inst *it, *tmp;
	struct cpg_inst *inst;
	cs_error_t e = cpg_inst_get(handle, &inst);
	int lost;

	if (e != CS_OK)
		return e;
	/* like Corosync: a lost connection is CS_ERR_LIBRARY, and the handle
	 * is released all the same */
	lost = ais_client_finalize(inst->client) == -ENOTCONN;
	pthread_mutex_lock(&inst->lock);
	qb_list_for_each_entry_safe(it, tmp, &inst->iters, list) {
		qb_list_del(&it->list);
		qb_list_init(&it->list);
		ais_hdb_destroy(&cpg_iter_db, it->handle);
	}
	pthread_mutex_unlock(&inst->lock);
	if (ais_hdb_destroy(&cpg_handle_db, handle) < 0)
		e = CS_ERR_BAD_HANDLE;
	else
		e = lost ? CS_ERR_LIBRARY : CS_OK;
	cpg_inst_put(handle);
	return e;
}

cs_error_t cpg_fd_get(cpg_handle_t handle, int *fd)
{
	struct cpg_inst *inst;
	cs_error_t e;
	int r, f;

	if (!fd)
		return CS_ERR_INVALID_PARAM;
	e = cpg_inst_get(handle, &inst);
	if (e != CS_OK)
		return e;
	r = ais_client_fd(inst->client, &f);
	if (r == 0)
		*fd = f;
	cpg_inst_put(handle);
	return cpg_err(r);
}

cs_error_t cpg_max_atomic_msgsize_get(cpg_handle_t handle, uint32_t *size)
{
	struct cpg_inst *inst;
	cs_error_t e;

	if (!size)
		return CS_ERR_INVALID_PARAM;
	e = cpg_inst_get(handle, &inst);
	if (e != CS_OK)
		return e;
	/* a constant of the protocol (the daemon answers the same to
	 * AIS_CPG_REQ_MAX_MSG_SIZE_GET): no round trip, and like Corosync it
	 * still answers after the daemon is gone */
	*size = CPG_MAX_MSG_SIZE;
	cpg_inst_put(handle);
	return CS_OK;
}

cs_error_t cpg_context_get(cpg_handle_t handle, void **context)
{
	struct cpg_inst *inst;
	cs_error_t e;

	if (!context)
		return CS_ERR_INVALID_PARAM;
	e = cpg_inst_get(handle, &inst);
	if (e != CS_OK)
		return e;
	pthread_mutex_lock(&inst->lock);
	*context = inst->context;
	pthread_mutex_unlock(&inst->lock);
	cpg_inst_put(handle);
	return CS_OK;
}

cs_error_t cpg_context_set(cpg_handle_t handle, void *context)
{
	struct cpg_inst *inst;
	cs_error_t e = cpg_inst_get(handle, &inst);

	if (e != CS_OK)
		return e;
	pthread_mutex_lock(&inst->lock);
	inst->context = context;
	pthread_mutex_unlock(&inst->lock);
	cpg_inst_put(handle);
	return CS_OK;
}

cs_error_t cpg_totem_confchg_type_get(cpg_handle_t handle, cpg_totem_confchg_type_t *type)
{
	struct cpg_inst *inst;
	cs_error_t e;
	int t;

	if (!type)
		return CS_ERR_INVALID_PARAM;
	e = cpg_inst_get(handle, &inst);
	if (e != CS_OK)
		return e;
	pthread_mutex_lock(&inst->lock);
	t = inst->totem_type;
	pthread_mutex_unlock(&inst->lock);
	cpg_inst_put(handle);
	if (t < 0)
		return CS_ERR_NOT_EXIST;
	*type = (cpg_totem_confchg_type_t)t;
	return CS_OK;
}

/* ---- dispatch -------------------------------------------------------------------- */

struct cpg_dispatch_ctx {
	cpg_handle_t handle;
	const cpg_model_v1_data_t *model;
	struct cpg_inst *inst;
};

static void cpg_name_from_wire(struct cpg_name *dst, const struct ais_cpg_name *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->length = src->length;
	memcpy(dst->value, src->value, src->length);
}

static int cpg_deliver_event(const struct cpg_dispatch_ctx *d, const uint8_t *msg, size_t len)
{
	struct ais_cpg_ev_deliver ev;
	struct cpg_name name;

	if (len < sizeof(ev))
		return -EPROTO;
	memcpy(&ev, msg, sizeof(ev));
	if (ev.msg_len != len - sizeof(ev) || ev.group.length > CPG_MAX_NAME_LENGTH)
		return -EPROTO;
	if (!d->model->cpg_deliver_fn)
		return 0;
	cpg_name_from_wire(&name, &ev.group);
	/* the dispatcher's buffer is writable; Corosync's callback takes void * */
	d->model->cpg_deliver_fn(d->handle, &name, ev.nodeid, ev.pid,
	                         (void *)(uintptr_t)(msg + sizeof(ev)), ev.msg_len);
	return 0;
}

static int cpg_confchg_event(const struct cpg_dispatch_ctx *d, const uint8_t *msg, size_t len)
{
	struct ais_cpg_ev_confchg ev;
	struct cpg_address *list;
	struct cpg_name name;
	uint64_t total;

	if (len < sizeof(ev))
		return -EPROTO;
	memcpy(&ev, msg, sizeof(ev));
	total = (uint64_t)ev.member_count + ev.left_count + ev.joined_count;
	if (total * sizeof(struct cpg_address) != len - sizeof(ev) ||
	    ev.group.length > CPG_MAX_NAME_LENGTH)
		return -EPROTO;
	if (!d->model->cpg_confchg_fn)
		return 0;
	list = malloc(total ? (size_t)total * sizeof(*list) : 1);
	if (!list)
		return -ENOMEM;
	memcpy(list, msg + sizeof(ev), (size_t)total * sizeof(*list));
	cpg_name_from_wire(&name, &ev.group);
	d->model->cpg_confchg_fn(d->handle, &name,
	                         list, ev.member_count,
	                         list + ev.member_count, ev.left_count,
	                         list + ev.member_count + ev.left_count, ev.joined_count);
	free(list);
	return 0;
}

static int cpg_totem_event(const struct cpg_dispatch_ctx *d, const uint8_t *msg, size_t len)
{
	struct ais_cpg_ev_totem_confchg ev;
	struct cpg_ring_id ring;
	uint32_t *members;

	if (len < sizeof(ev))
		return -EPROTO;
	memcpy(&ev, msg, sizeof(ev));
	if ((uint64_t)ev.count * sizeof(uint32_t) != len - sizeof(ev) ||
	    (ev.type != AIS_CPG_TOTEM_REGULAR && ev.type != AIS_CPG_TOTEM_TRANSITIONAL))
		return -EPROTO;
	if (!d->model->cpg_totem_confchg_fn)
		return 0;
	pthread_mutex_lock(&d->inst->lock);
	d->inst->totem_type = ev.type == AIS_CPG_TOTEM_TRANSITIONAL ? CPG_TOTEM_CONFCHG_TRANSITIONAL
	                                                            : CPG_TOTEM_CONFCHG_REGULAR;
	pthread_mutex_unlock(&d->inst->lock);
	members = malloc(ev.count ? ev.count * sizeof(uint32_t) : 1);
	if (!members)
		return -ENOMEM;
	memcpy(members, msg + sizeof(ev), ev.count * sizeof(uint32_t));
	ring.nodeid = ev.ring_nodeid;
	ring.seq = ev.ring_seq;
	d->model->cpg_totem_confchg_fn(d->handle, ring, ev.count, members);
	free(members);
	return 0;
}

static int cpg_dispatch_one(void *ctx, const void *msg, size_t len)
{
	const struct cpg_dispatch_ctx *d = ctx;
	const struct qb_ipc_response_header *h = msg;
	int r;

	switch (h->id) {
	case AIS_CPG_EV_DELIVER:
		r = cpg_deliver_event(d, msg, len);
		break;
	case AIS_CPG_EV_CONFCHG:
		r = cpg_confchg_event(d, msg, len);
		break;
	case AIS_CPG_EV_TOTEM_CONFCHG:
		r = cpg_totem_event(d, msg, len);
		break;
	default:
		r = 0; /* an event this library does not know: skipped */
		break;
	}
	/* a malformed event is skipped, like the core skips malformed frames */
	return r == -EPROTO ? 0 : r;
}

cs_error_t cpg_dispatch(cpg_handle_t handle, cs_dispatch_flags_t dispatch_types)
{
	struct cpg_dispatch_ctx d;
	struct cpg_inst *inst;
	cs_error_t e;
	int r;

	e = cpg_inst_get(handle, &inst);
	if (e != CS_OK)
		return e;
	if (dispatch_types < CS_DISPATCH_ONE || dispatch_types > CS_DISPATCH_ONE_NONBLOCKING) {
		cpg_inst_put(handle);
		return CS_ERR_INVALID_PARAM;
	}
	d.handle = handle;
	d.model = &inst->model; /* fixed after initialize; the reference keeps it alive */
	d.inst = inst;
	r = ais_client_dispatch(inst->client, (int)dispatch_types, cpg_dispatch_one, &d);
	/* As Corosync: a dispatch that ends because the handle was finalized
	 * (in a callback or by another thread) reports CS_ERR_BAD_HANDLE; one
	 * that ends because the daemon went away keeps its own result. */
	e = r == 0 && ais_client_is_finalized(inst->client) ? CS_ERR_BAD_HANDLE : cpg_err(r);
	cpg_inst_put(handle);
	return e;
}

/* ---- groups and messages ------------------------------------------------------------ */

static cs_error_t cpg_group_request(cpg_handle_t handle, const struct cpg_name *group, int32_t id)
{
	struct ais_cpg_req_group req;
	struct cpg_inst *inst;
	cs_error_t e;

	if (!group)
		return CS_ERR_INVALID_PARAM;
	if (group->length > CPG_MAX_NAME_LENGTH)
		return CS_ERR_NAME_TOO_LONG;
	e = cpg_inst_get(handle, &inst);
	if (e != CS_OK)
		return e;
	memset(&req, 0, sizeof(req));
	req.header.id = id;
	req.header.size = sizeof(req);
	req.group.length = group->length;
	memcpy(req.group.value, group->value, group->length);
	for (int i = 0; i < CPG_BUSY_RETRIES; i++) {
		e = cpg_request_plain(inst, &req, sizeof(req), id);
		if (e != CS_ERR_BUSY)
			break;
		usleep(1000);
	}
	if (e == CS_ERR_BUSY)
		e = CS_ERR_TRY_AGAIN;
	cpg_inst_put(handle);
	return e;
}

cs_error_t cpg_join(cpg_handle_t handle, const struct cpg_name *group)
{
	return cpg_group_request(handle, group, AIS_CPG_REQ_JOIN);
}

cs_error_t cpg_leave(cpg_handle_t handle, const struct cpg_name *group)
{
	return cpg_group_request(handle, group, AIS_CPG_REQ_LEAVE);
}

static cs_error_t cpg_mcast_iov(struct cpg_inst *inst, cpg_guarantee_t guarantee,
                                const struct iovec *iovec, unsigned int iov_len)
{
	struct ais_cpg_req_mcast req;
	struct iovec stack_iov[16];
	struct iovec *iov = stack_iov;
	uint64_t total = 0;
	cs_error_t e;

	if ((unsigned)guarantee > CPG_TYPE_SAFE || (iov_len && !iovec))
		return CS_ERR_INVALID_PARAM;
	for (unsigned int i = 0; i < iov_len; i++) {
		if (iovec[i].iov_len && !iovec[i].iov_base)
			return CS_ERR_INVALID_PARAM;
		total += iovec[i].iov_len;
		if (total > CPG_MAX_MSG_SIZE)
			return CS_ERR_TOO_BIG;
	}
	if (iov_len + 1 > sizeof(stack_iov) / sizeof(stack_iov[0])) {
		iov = calloc((size_t)iov_len + 1, sizeof(*iov));
		if (!iov)
			return CS_ERR_NO_MEMORY;
	}
	memset(&req, 0, sizeof(req));
	req.header.id = AIS_CPG_REQ_MCAST;
	req.header.size = (int32_t)(sizeof(req) + total);
	req.guarantee = (uint32_t)guarantee;
	req.msg_len = (uint32_t)total;
	iov[0].iov_base = &req;
	iov[0].iov_len = sizeof(req);
	if (iov_len)
		memcpy(iov + 1, iovec, iov_len * sizeof(*iov));
	{
		struct ais_cpg_res_plain res;

		e = cpg_request(inst, iov, (size_t)iov_len + 1, AIS_CPG_REQ_MCAST, &res, sizeof(res),
		                sizeof(res));
	}
	if (iov != stack_iov)
		free(iov);
	return e;
}

cs_error_t cpg_mcast_joined(cpg_handle_t handle, cpg_guarantee_t guarantee,
                            const struct iovec *iovec, unsigned int iov_len)
{
	struct cpg_inst *inst;
	cs_error_t e = cpg_inst_get(handle, &inst);

	if (e != CS_OK)
		return e;
	e = cpg_mcast_iov(inst, guarantee, iovec, iov_len);
	cpg_inst_put(handle);
	return e;
}

cs_error_t cpg_membership_get(cpg_handle_t handle, struct cpg_name *groupName,
                              struct cpg_address *member_list, int *member_list_entries)
{
	struct ais_cpg_req_group req;
	struct ais_cpg_res_membership res;
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	struct cpg_inst *inst;
	void *msg = NULL;
	size_t len = 0;
	cs_error_t e;
	int r;

	if (!groupName)
		return CS_ERR_INVALID_PARAM;
	if (groupName->length > CPG_MAX_NAME_LENGTH)
		return CS_ERR_NAME_TOO_LONG;
	if (!member_list || !member_list_entries)
		return CS_ERR_INVALID_PARAM;
	e = cpg_inst_get(handle, &inst);
	if (e != CS_OK)
		return e;
	memset(&req, 0, sizeof(req));
	req.header.id = AIS_CPG_REQ_MEMBERSHIP_GET;
	req.header.size = sizeof(req);
	req.group.length = groupName->length;
	memcpy(req.group.value, groupName->value, groupName->length);
	r = ais_client_request_alloc(inst->client, &iov, 1, AIS_CPG_REQ_MEMBERSHIP_GET, &msg, &len);
	if (r < 0) {
		e = cpg_err(r);
		goto out;
	}
	if (len < sizeof(struct qb_ipc_response_header)) {
		e = CS_ERR_LIBRARY;
		goto out;
	}
	memcpy(&res.header, msg, sizeof(res.header));
	if (res.header.error != CS_OK) {
		e = (cs_error_t)res.header.error;
		goto out;
	}
	if (len < sizeof(res)) {
		e = CS_ERR_LIBRARY;
		goto out;
	}
	memcpy(&res, msg, sizeof(res));
	if ((uint64_t)res.count * sizeof(struct cpg_address) != len - sizeof(res)) {
		e = CS_ERR_LIBRARY;
		goto out;
	}
	if (res.count > CPG_MEMBERS_MAX) {
		e = CS_ERR_NO_SPACE;
		goto out;
	}
	memcpy(member_list, (uint8_t *)msg + sizeof(res), res.count * sizeof(*member_list));
	*member_list_entries = (int)res.count;
	e = CS_OK;
out:
	free(msg);
	cpg_inst_put(handle);
	return e;
}

cs_error_t cpg_local_get(cpg_handle_t handle, unsigned int *local_nodeid)
{
	struct cpg_inst *inst;
	uint32_t v;
	cs_error_t e;

	if (!local_nodeid)
		return CS_ERR_INVALID_PARAM;
	e = cpg_inst_get(handle, &inst);
	if (e != CS_OK)
		return e;
	e = cpg_request_u32(inst, AIS_CPG_REQ_LOCAL_GET, &v);
	if (e == CS_OK)
		*local_nodeid = v;
	cpg_inst_put(handle);
	return e;
}

cs_error_t cpg_flow_control_state_get(cpg_handle_t handle,
                                      cpg_flow_control_state_t *flow_control_enabled)
{
	struct cpg_inst *inst;
	uint32_t v;
	cs_error_t e;

	if (!flow_control_enabled)
		return CS_ERR_INVALID_PARAM;
	e = cpg_inst_get(handle, &inst);
	if (e != CS_OK)
		return e;
	e = cpg_request_u32(inst, AIS_CPG_REQ_FLOW_CONTROL_GET, &v);
	if (e == CS_OK)
		*flow_control_enabled = v ? CPG_FLOW_CONTROL_ENABLED : CPG_FLOW_CONTROL_DISABLED;
	cpg_inst_put(handle);
	return e;
}

/* ---- zero-copy buffers ------------------------------------------------------------ */

/*
 * As in Corosync 3, the "zero-copy" buffers are ordinary memory that is not
 * tied to the handle: cpg_zcb_alloc() is malloc, cpg_zcb_free() is free and
 * cpg_zcb_mcast_joined() is cpg_mcast_joined() of one buffer, so a program
 * gets the same result for every argument Corosync accepts (a stale handle
 * included). A NULL out pointer is CS_ERR_INVALID_PARAM, where Corosync
 * would crash.
 */
cs_error_t cpg_zcb_alloc(cpg_handle_t handle, size_t size, void **buffer)
{
	(void)handle;
	if (!buffer)
		return CS_ERR_INVALID_PARAM;
	*buffer = malloc(size ? size : 1);
	return *buffer ? CS_OK : CS_ERR_NO_MEMORY;
}

cs_error_t cpg_zcb_free(cpg_handle_t handle, void *buffer)
{
	(void)handle;
	free(buffer);
	return CS_OK;
}

cs_error_t cpg_zcb_mcast_joined(cpg_handle_t handle, cpg_guarantee_t guarantee,
                                void *msg, size_t msg_len)
{
	struct iovec iov = { .iov_base = msg, .iov_len = msg_len };

	return cpg_mcast_joined(handle, guarantee, &iov, 1);
}

/* ---- iteration ---------------------------------------------------------------------- */

cs_error_t cpg_iteration_initialize(cpg_handle_t handle, cpg_iteration_type_t iteration_type,
                                    const struct cpg_name *group,
                                    cpg_iteration_handle_t *cpg_iteration_handle)
{
	struct ais_cpg_req_iter_init req;
	struct ais_cpg_res_iter res;
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	struct cpg_iter_inst *it;
	struct cpg_inst *inst;
	uint64_t ih;
	void *p;
	cs_error_t e;
	int r;

	/* argument checks in Corosync's order, so that the first one wins alike */
	if (group && group->length > CPG_MAX_NAME_LENGTH)
		return CS_ERR_NAME_TOO_LONG;
	if (!cpg_iteration_handle)
		return CS_ERR_INVALID_PARAM;
	if ((iteration_type == CPG_ITERATION_ONE_GROUP) != (group != NULL))
		return CS_ERR_INVALID_PARAM;
	if (iteration_type != CPG_ITERATION_NAME_ONLY && iteration_type != CPG_ITERATION_ONE_GROUP &&
	    iteration_type != CPG_ITERATION_ALL)
		return CS_ERR_INVALID_PARAM;
	e = cpg_inst_get(handle, &inst);
	if (e != CS_OK)
		return e;
	memset(&req, 0, sizeof(req));
	req.header.id = AIS_CPG_REQ_ITER_INIT;
	req.header.size = sizeof(req);
	req.iteration_type = (uint32_t)iteration_type;
	if (group) {
		req.group.length = group->length;
		memcpy(req.group.value, group->value, group->length);
	}
	e = cpg_request(inst, &iov, 1, AIS_CPG_REQ_ITER_INIT, &res, sizeof(res), sizeof(res));
	if (e != CS_OK)
		goto out;
	r = ais_hdb_create(&cpg_iter_db, sizeof(*it), NULL, &ih, &p);
	if (r < 0) {
		struct ais_cpg_req_iter fin;

		memset(&fin, 0, sizeof(fin));
		fin.header.id = AIS_CPG_REQ_ITER_FINALIZE;
		fin.header.size = sizeof(fin);
		fin.iter_id = res.iter_id;
		cpg_request_plain(inst, &fin, sizeof(fin), AIS_CPG_REQ_ITER_FINALIZE);
		e = cpg_err(r);
		goto out;
	}
	it = p;
	it->handle = ih;
	it->cpg_handle = handle;
	it->iter_id = res.iter_id;
	pthread_mutex_lock(&inst->lock);
	qb_list_add_tail(&it->list, &inst->iters);
	pthread_mutex_unlock(&inst->lock);
	*cpg_iteration_handle = ih;
out:
	cpg_inst_put(handle);
	return e;
}

cs_error_t cpg_iteration_next(cpg_iteration_handle_t handle,
                              struct cpg_iteration_description_t *description)
{
	struct ais_cpg_req_iter req;
	struct ais_cpg_res_iter_next res;
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	struct cpg_iter_inst *it;
	struct cpg_inst *inst;
	void *p;
	cs_error_t e;

	if (!description)
		return CS_ERR_INVALID_PARAM;
	if (ais_hdb_get(&cpg_iter_db, handle, &p) < 0)
		return CS_ERR_BAD_HANDLE;
	it = p;
	e = cpg_inst_get(it->cpg_handle, &inst);
	if (e != CS_OK)
		goto out_iter;
	memset(&req, 0, sizeof(req));
	req.header.id = AIS_CPG_REQ_ITER_NEXT;
	req.header.size = sizeof(req);
	req.iter_id = it->iter_id;
	e = cpg_request(inst, &iov, 1, AIS_CPG_REQ_ITER_NEXT, &res, sizeof(res), sizeof(res));
	if (e == CS_OK && res.group.length <= CPG_MAX_NAME_LENGTH) {
		cpg_name_from_wire(&description->group, &res.group);
		description->nodeid = res.nodeid;
		description->pid = res.pid;
	} else if (e == CS_OK) {
		e = CS_ERR_LIBRARY;
	}
	cpg_inst_put(it->cpg_handle);
out_iter:
	ais_hdb_put(&cpg_iter_db, handle);
	return e;
}

cs_error_t cpg_iteration_finalize(cpg_iteration_handle_t handle)
{
	struct ais_cpg_req_iter req;
	struct cpg_iter_inst *it;
	struct cpg_inst *inst;
	void *p;
	cs_error_t e;

	if (ais_hdb_get(&cpg_iter_db, handle, &p) < 0)
		return CS_ERR_BAD_HANDLE;
	it = p;
	e = cpg_inst_get(it->cpg_handle, &inst);
	if (e != CS_OK) {
		ais_hdb_put(&cpg_iter_db, handle);
		return e;
	}
	memset(&req, 0, sizeof(req));
	req.header.id = AIS_CPG_REQ_ITER_FINALIZE;
	req.header.size = sizeof(req);
	req.iter_id = it->iter_id;
	e = cpg_request_plain(inst, &req, sizeof(req), AIS_CPG_REQ_ITER_FINALIZE);
	pthread_mutex_lock(&inst->lock);
	qb_list_del(&it->list);
	qb_list_init(&it->list);
	pthread_mutex_unlock(&inst->lock);
	if (ais_hdb_destroy(&cpg_iter_db, handle) < 0)
		e = CS_ERR_BAD_HANDLE;
	cpg_inst_put(it->cpg_handle);
	ais_hdb_put(&cpg_iter_db, handle);
	return e;
}

/* aisexec extension (ais/client.h): why the last initialize of this thread
 * could not connect. */
const char *cpg_initialize_error_text(void)
{
	return ais_client_connect_reason();
}
