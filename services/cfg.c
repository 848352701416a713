/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The admin engine (service id 0, "cfg"): what aistool talks to. It answers
 * local queries (status, membership with addresses, totem ring statistics,
 * per-engine counters, a state dump) straight from its lib handlers, asks the
 * executive to stop on request of root or of the daemon's own user, and
 * drives the transport's fault-injection filter (DESIGN section 8).
 *
 * Fault requests are multicast to the ring in safe order so that every member
 * changes its filter at the same point of the message stream; the asking node
 * answers its client once it has applied the request itself. `fault clear` is
 * applied at once on the asking node as well, so a node that cannot get
 * messages from its ring can always be cleared. `fault heal` (the partition
 * only) is an ordinary request: every member of a side drops the partition
 * at the same point, so no node of that side talks to the other side while
 * its neighbours still refuse to (one-way links keep rings from merging).
 *
 * The request and response layouts are in include/ais/ipc_cfg.h; everything
 * the engine needs from the executive beyond the api core is api->admin
 * (include/ais/admin.h).
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <saAis.h>
#include <ais/ipc_cfg.h>
#include <ais/log.h>
#include <ais/admin.h>
#include <ais/inject.h>
#include <ais/service.h>

AIS_LOG_SUBSYS("CFG");

#define CFG_FAULT_DISABLED_MSG "fault injection is disabled: set totem { fault_injection: on }"

/* Exec (cluster) messages of this engine. */
enum cfg_exec_id {
	CFG_EXEC_FAULT = 0,
	CFG_EXEC_COUNT = 1,
};

enum cfg_fault_kind {
	CFG_FAULT_DROP = 1,
	CFG_FAULT_PARTITION = 2,
	CFG_FAULT_CLEAR = 3,
	CFG_FAULT_DUPLICATE = 4,
	CFG_FAULT_DELAY = 5,
	CFG_FAULT_HEAL = 6,
	CFG_FAULT_DROP_MCAST = 7,
};

/*
 * Wire form of a fault request between nodes. For DROP and DROP_MCAST arg0
 * is the percent and arg1 the node count; for PARTITION arg0/arg1 are the
 * group sizes and nodes[] holds group A then group B; DUPLICATE (arg0
 * percent) and DELAY (arg0 percent, arg1 ms), CLEAR and HEAL carry no nodes.
 * A node that does not know a kind drops the request as malformed.
 */
struct cfg_exec_fault {
	struct ais_exec_header header;
	uint64_t conn_id;
	uint32_t kind;
	uint32_t arg0;
	uint32_t arg1;
	uint32_t reserved;
	uint32_t nodes[AIS_CFG_FAULT_NODES_MAX];
};
_Static_assert(offsetof(struct cfg_exec_fault, conn_id) == 8, "cfg fault layout");
_Static_assert(offsetof(struct cfg_exec_fault, nodes) == 32, "cfg fault layout");
_Static_assert(sizeof(struct cfg_exec_fault) == 32 + 4 * AIS_CFG_FAULT_NODES_MAX, "cfg fault layout");
#define CFG_EXEC_FAULT_MIN offsetof(struct cfg_exec_fault, nodes)

/** A fault request in host order, after decoding and validation. */
struct cfg_fault {
	enum cfg_fault_kind kind;
	uint32_t arg0;
	uint32_t arg1;
	uint32_t nodes[AIS_CFG_FAULT_NODES_MAX];
	size_t n_nodes;
};

static const struct ais_api *cfg_api;

/** Copy a fixed-size string field (src_len bytes, maybe unterminated) into
 *  a fixed-size wire field, always NUL-terminated, the rest zero. */
static void cfg_copy_field(char *dst, size_t dst_len, const char *src, size_t src_len)
{
	size_t n = strnlen(src, src_len);

	if (n >= dst_len)
		n = dst_len - 1;
	memset(dst, 0, dst_len);
	memcpy(dst, src, n);
}

static void cfg_response_header_set(struct qb_ipc_response_header *h, enum ais_cfg_request_id req,
                                    size_t len)
{
	h->id = AIS_CFG_RES(req);
	h->size = (int32_t)len;
	h->error = SA_AIS_OK;
}

/* --- fault requests: decode, validate, apply ------------------------- */

/** The node ids must be non-zero and no node may appear twice. */
static int cfg_fault_nodes_check(const uint32_t *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (nodes[i] == 0)
			return -EINVAL;
		for (size_t j = 0; j < i; j++)
			if (nodes[j] == nodes[i])
				return -EINVAL;
	}
	return 0;
}

static int cfg_fault_validate(const struct cfg_fault *f)
{
	switch (f->kind) {
	case CFG_FAULT_DROP:
	case CFG_FAULT_DROP_MCAST:
		if (f->arg0 > 100 || f->arg1 != f->n_nodes)
			return -EINVAL;
		break;
	case CFG_FAULT_PARTITION:
		if (f->arg0 == 0 || f->arg1 == 0 || (size_t)f->arg0 + f->arg1 != f->n_nodes)
			return -EINVAL;
		break;
	case CFG_FAULT_CLEAR:
	case CFG_FAULT_HEAL:
		if (f->n_nodes != 0 || f->arg0 != 0 || f->arg1 != 0)
			return -EINVAL;
		break;
	case CFG_FAULT_DUPLICATE:
		if (f->n_nodes != 0 || f->arg0 > 100 || f->arg1 != 0)
			return -EINVAL;
		break;
	case CFG_FAULT_DELAY:
		if (f->n_nodes != 0 || f->arg0 > 100 || f->arg1 > AIS_CFG_FAULT_DELAY_MAX_MS)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	return cfg_fault_nodes_check(f->nodes, f->n_nodes);
}

/** Decode a node id array of n entries from a little-endian buffer. */
static void cfg_nodes_decode(const uint32_t *le, size_t n, uint32_t *ret)
{
	for (size_t i = 0; i < n; i++)
		ret[i] = le32toh(le[i]);
}

static int cfg_exec_fault_decode(const void *buf, size_t len, struct cfg_fault *ret, uint64_t *ret_conn_id)
{
	struct cfg_exec_fault copy;
	const struct cfg_exec_fault *m = &copy;
	struct cfg_fault f;
	uint32_t kind;
	size_t n;

	if (len < CFG_EXEC_FAULT_MIN || len > sizeof(copy))
		return -EINVAL;
	n = (len - CFG_EXEC_FAULT_MIN) / sizeof(uint32_t);
	if (CFG_EXEC_FAULT_MIN + n * sizeof(uint32_t) != len)
		return -EINVAL;
	/* a frame from the ring need not be aligned for the 64-bit field */
	memcpy(&copy, buf, len);
	memset(&f, 0, sizeof(f));
	kind = le32toh(m->kind);
	if (kind < CFG_FAULT_DROP || kind > CFG_FAULT_DROP_MCAST)
		return -EINVAL;
	f.kind = (enum cfg_fault_kind)kind;
	f.arg0 = le32toh(m->arg0);
	f.arg1 = le32toh(m->arg1);
	f.n_nodes = n;
	cfg_nodes_decode(m->nodes, n, f.nodes);
	if (cfg_fault_validate(&f) < 0)
		return -EINVAL;
	*ret = f;
	*ret_conn_id = le64toh(m->conn_id);
	return 0;
}

static int cfg_fault_apply(const struct cfg_fault *f)
{
	switch (f->kind) {
	case CFG_FAULT_DROP:
		return cfg_api->admin->fault_drop(f->arg0, f->nodes, f->n_nodes);
	case CFG_FAULT_PARTITION:
		return cfg_api->admin->fault_partition(f->nodes, f->arg0, f->nodes + f->arg0, f->arg1);
	case CFG_FAULT_CLEAR:
		return cfg_api->admin->fault_clear();
	case CFG_FAULT_DUPLICATE:
		return cfg_api->admin->fault_duplicate(f->arg0);
	case CFG_FAULT_DELAY:
		return cfg_api->admin->fault_delay(f->arg0, f->arg1);
	case CFG_FAULT_HEAL:
		return cfg_api->admin->fault_heal();
	case CFG_FAULT_DROP_MCAST:
		return cfg_api->admin->fault_drop_mcast(f->arg0, f->nodes, f->n_nodes);
	}
	return -EINVAL;
}

static const char *cfg_fault_kind_name(enum cfg_fault_kind kind)
{
	switch (kind) {
	case CFG_FAULT_DROP:
		return "drop";
	case CFG_FAULT_PARTITION:
		return "partition";
	case CFG_FAULT_CLEAR:
		return "clear";
	case CFG_FAULT_DUPLICATE:
		return "duplicate";
	case CFG_FAULT_DELAY:
		return "delay";
	case CFG_FAULT_HEAL:
		return "heal";
	case CFG_FAULT_DROP_MCAST:
		return "drop-mcast";
	}
	return "?";
}

static int cfg_fault_mcast(const struct cfg_fault *f, uint64_t conn_id)
{
	struct cfg_exec_fault m;
	size_t len = CFG_EXEC_FAULT_MIN + f->n_nodes * sizeof(uint32_t);
	struct iovec iov = { .iov_base = &m, .iov_len = len };

	memset(&m, 0, sizeof(m));
	m.header.id = htole32(AIS_EXEC_ID(AIS_SERVICE_CFG, CFG_EXEC_FAULT));
	m.header.size = htole32((uint32_t)len);
	m.conn_id = htole64(conn_id);
	m.kind = htole32((uint32_t)f->kind);
	m.arg0 = htole32(f->arg0);
	m.arg1 = htole32(f->arg1);
	for (size_t i = 0; i < f->n_nodes; i++)
		m.nodes[i] = htole32(f->nodes[i]);
	return cfg_api->mcast(&iov, 1, AIS_GUARANTEE_SAFE);
}

static int cfg_fault_respond(ais_conn_t *conn, enum ais_cfg_request_id req, int result)
{
	struct ais_cfg_res_simple res;

	memset(&res, 0, sizeof(res));
	cfg_response_header_set(&res.header, req, sizeof(res));
	res.result = (int32_t)htole32((uint32_t)result);
	return cfg_api->response_send(conn, &res, sizeof(res));
}

static enum ais_cfg_request_id cfg_fault_request_id(enum cfg_fault_kind kind)
{
	switch (kind) {
	case CFG_FAULT_DROP:
		return AIS_CFG_REQ_FAULT_DROP;
	case CFG_FAULT_PARTITION:
		return AIS_CFG_REQ_FAULT_PARTITION;
	case CFG_FAULT_DUPLICATE:
		return AIS_CFG_REQ_FAULT_DUPLICATE;
	case CFG_FAULT_DELAY:
		return AIS_CFG_REQ_FAULT_DELAY;
	case CFG_FAULT_HEAL:
		return AIS_CFG_REQ_FAULT_HEAL;
	case CFG_FAULT_DROP_MCAST:
		return AIS_CFG_REQ_FAULT_DROP_MCAST;
	case CFG_FAULT_CLEAR:
		break;
	}
	return AIS_CFG_REQ_FAULT_CLEAR;
}

/*
 * Requests that change the daemon or write to its disk (shutdown, fault
 * injection, a blackbox file) are for root and the daemon's own user
 * only; other allowed users may read. Logs the refusal with what.
 */
static bool cfg_privileged(ais_conn_t *conn, const char *what)
{
	pid_t pid;
	uid_t uid;
	gid_t gid;

	cfg_api->conn_credentials(conn, &pid, &uid, &gid);
	if (uid == 0 || uid == geteuid())
		return true;
	ais_log(LOG_NOTICE, "refused %s from pid %ld uid %ld: only root or the daemon's user", what, (long)pid,
	        (long)uid);
	return false;
}

/* Every node applies the request; the node that took it answers its client. */
static void cfg_exec_fault_fn(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct cfg_fault f;
	uint64_t conn_id;
	ais_conn_t *conn;
	int r;

	if (cfg_exec_fault_decode(msg, len, &f, &conn_id) < 0) {
		ais_log(LOG_WARNING, "dropped a malformed fault request from node %u", sender);
		return;
	}
	r = cfg_fault_apply(&f);
	if (r < 0)
		ais_log(LOG_WARNING, "fault %s from node %u not applied: %s", cfg_fault_kind_name(f.kind),
		        sender, strerror(-r));
	else
		ais_log(LOG_NOTICE, "fault %s applied (requested by node %u)", cfg_fault_kind_name(f.kind),
		        sender);
	if (sender != cfg_api->local_nodeid() || f.kind == CFG_FAULT_CLEAR)
		return;
	conn = cfg_api->conn_lookup(conn_id);
	if (conn)
		cfg_fault_respond(conn, cfg_fault_request_id(f.kind), r);
}

static int cfg_fault_request(ais_conn_t *conn, const struct cfg_fault *f)
{
	int r;

	if (!cfg_privileged(conn, "a fault request"))
		return -EACCES;
	if (!cfg_api->admin->fault_enabled()) {
		ais_log(LOG_NOTICE, "refused fault %s: " CFG_FAULT_DISABLED_MSG, cfg_fault_kind_name(f->kind));
		return -EACCES;
	}
	if (cfg_fault_validate(f) < 0)
		return -EINVAL;
	if (f->kind == CFG_FAULT_CLEAR) {
		r = cfg_api->admin->fault_clear();
		if (r < 0)
			return r;
		ais_log(LOG_NOTICE, "fault filter cleared on this node");
		/* The rest of this ring clears too; if the queue is full the
		 * local clear still stands and the caller may repeat it. */
		if (cfg_fault_mcast(f, cfg_api->conn_id(conn)) < 0)
			ais_log(LOG_WARNING, "fault clear not sent to the ring: send queue full");
		return cfg_fault_respond(conn, AIS_CFG_REQ_FAULT_CLEAR, 0);
	}
	return cfg_fault_mcast(f, cfg_api->conn_id(conn));
}

static int cfg_lib_fault_drop_kind(ais_conn_t *conn, const void *msg, size_t len, enum cfg_fault_kind kind)
{
	const struct ais_cfg_req_fault_drop *req = msg;
	struct cfg_fault f;

	memset(&f, 0, sizeof(f));
	f.kind = kind;
	f.arg0 = le32toh(req->percent);
	f.arg1 = le32toh(req->n_nodes);
	if (f.arg1 > AIS_CFG_FAULT_NODES_MAX || len != AIS_CFG_REQ_FAULT_DROP_MIN + f.arg1 * sizeof(uint32_t))
		return -EINVAL;
	f.n_nodes = f.arg1;
	cfg_nodes_decode(req->nodes, f.n_nodes, f.nodes);
	return cfg_fault_request(conn, &f);
}

static int cfg_lib_fault_drop(ais_conn_t *conn, const void *msg, size_t len)
{
	return cfg_lib_fault_drop_kind(conn, msg, len, CFG_FAULT_DROP);
}

static int cfg_lib_fault_drop_mcast(ais_conn_t *conn, const void *msg, size_t len)
{
	return cfg_lib_fault_drop_kind(conn, msg, len, CFG_FAULT_DROP_MCAST);
}

static int cfg_lib_fault_partition(ais_conn_t *conn, const void *msg, size_t len)
{
	const struct ais_cfg_req_fault_partition *req = msg;
	struct cfg_fault f;
	size_t n;

	memset(&f, 0, sizeof(f));
	f.kind = CFG_FAULT_PARTITION;
	f.arg0 = le32toh(req->n_a);
	f.arg1 = le32toh(req->n_b);
	n = (size_t)f.arg0 + f.arg1;
	if (n > AIS_CFG_FAULT_NODES_MAX || len != AIS_CFG_REQ_FAULT_PARTITION_MIN + n * sizeof(uint32_t))
		return -EINVAL;
	f.n_nodes = n;
	cfg_nodes_decode(req->nodes, n, f.nodes);
	return cfg_fault_request(conn, &f);
}

static int cfg_lib_fault_clear(ais_conn_t *conn, const void *msg, size_t len)
{
	struct cfg_fault f;

	memset(&f, 0, sizeof(f));
	f.kind = CFG_FAULT_CLEAR;
	return cfg_fault_request(conn, &f);
}

static int cfg_lib_fault_heal(ais_conn_t *conn, const void *msg, size_t len)
{
	struct cfg_fault f;

	memset(&f, 0, sizeof(f));
	f.kind = CFG_FAULT_HEAL;
	return cfg_fault_request(conn, &f);
}

static int cfg_lib_fault_rate(ais_conn_t *conn, const void *msg, enum cfg_fault_kind kind)
{
	const struct ais_cfg_req_fault_rate *req = msg;
	struct cfg_fault f;

	memset(&f, 0, sizeof(f));
	f.kind = kind;
	f.arg0 = le32toh(req->percent);
	f.arg1 = le32toh(req->ms);
	return cfg_fault_request(conn, &f);
}

static int cfg_lib_fault_duplicate(ais_conn_t *conn, const void *msg, size_t len)
{
	return cfg_lib_fault_rate(conn, msg, CFG_FAULT_DUPLICATE);
}

static int cfg_lib_fault_delay(ais_conn_t *conn, const void *msg, size_t len)
{
	return cfg_lib_fault_rate(conn, msg, CFG_FAULT_DELAY);
}

/* --- local queries ---------------------------------------------------- */

static int cfg_lib_status(ais_conn_t *conn, const void *msg, size_t len)
{
	struct ais_cfg_res_status res;
	struct ais_admin_status st;
	uint32_t flags = 0;

	cfg_api->admin->status_get(&st);
	memset(&res, 0, sizeof(res));
	cfg_response_header_set(&res.header, AIS_CFG_REQ_STATUS, sizeof(res));
	if (st.sync_in_progress)
		flags |= AIS_CFG_STATUS_SYNCING;
	if (cfg_api->admin->fault_enabled())
		flags |= AIS_CFG_STATUS_FAULT_INJECTION;
	res.nodeid = htole32(st.nodeid);
	res.pid = htole32((uint32_t)st.pid);
	res.state = htole32((uint32_t)st.state);
	res.member_count = htole32(st.member_count);
	res.ring_rep = htole32(st.ring_id.rep);
	res.flags = htole32(flags);
	res.ring_seq = htole64(st.ring_id.seq);
	res.uptime_ms = htole64(st.uptime_ms);
	cfg_copy_field(res.instance, sizeof(res.instance), st.instance, sizeof(st.instance));
	cfg_copy_field(res.cluster_name, sizeof(res.cluster_name), st.cluster_name, sizeof(st.cluster_name));
	cfg_copy_field(res.transport, sizeof(res.transport), st.transport, sizeof(st.transport));
	return cfg_api->response_send(conn, &res, sizeof(res));
}

static int cfg_lib_members(ais_conn_t *conn, const void *msg, size_t len)
{
	struct ais_admin_member members[AIS_CFG_MEMBERS_MAX];
	struct ais_cfg_member out[AIS_CFG_MEMBERS_MAX];
	struct ais_cfg_res_members res;
	struct ais_ring_id ring_id;
	struct iovec iov[2];
	size_t n;

	n = cfg_api->admin->members_get(&ring_id, members, AIS_CFG_MEMBERS_MAX);
	if (n > AIS_CFG_MEMBERS_MAX)
		n = AIS_CFG_MEMBERS_MAX;
	memset(out, 0, sizeof(out));
	for (size_t i = 0; i < n; i++) {
		out[i].nodeid = htole32(members[i].nodeid);
		cfg_copy_field(out[i].address, sizeof(out[i].address), members[i].address, sizeof(members[i].address));
		cfg_copy_field(out[i].name, sizeof(out[i].name), members[i].name, sizeof(members[i].name));
	}
	memset(&res, 0, sizeof(res));
	cfg_response_header_set(&res.header, AIS_CFG_REQ_MEMBERS, sizeof(res) + n * sizeof(out[0]));
	res.ring_rep = htole32(ring_id.rep);
	res.count = htole32((uint32_t)n);
	res.ring_seq = htole64(ring_id.seq);
	iov[0] = (struct iovec){ .iov_base = &res, .iov_len = sizeof(res) };
	iov[1] = (struct iovec){ .iov_base = out, .iov_len = n * sizeof(out[0]) };
	return cfg_api->responsev_send(conn, iov, 2);
}

static int cfg_lib_ring(ais_conn_t *conn, const void *msg, size_t len)
{
	struct ais_cfg_res_ring res;
	struct ais_admin_status st;
	struct ais_admin_refused refused;
	struct ais_admin_ring_stats s;

	cfg_api->admin->status_get(&st);
	cfg_api->admin->ring_stats_get(&s);
	memset(&res, 0, sizeof(res));
	cfg_response_header_set(&res.header, AIS_CFG_REQ_RING, sizeof(res));
	res.state = htole32((uint32_t)st.state);
	res.queue_level = htole32(s.send_queue_max ? (uint32_t)((uint64_t)s.send_queue_len * 100 / s.send_queue_max) : 0);
	res.backlog = htole32(s.backlog);
	res.send_queue_len = htole32(s.send_queue_len);
	res.send_queue_max = htole32(s.send_queue_max);
	res.tokens_received = htole64(s.tokens_received);
	res.token_rotations = htole64(s.token_rotations);
	res.mcast_tx = htole64(s.mcast_tx);
	res.mcast_rx = htole64(s.mcast_rx);
	res.retransmits_tx = htole64(s.retransmits_tx);
	res.retransmit_requests = htole64(s.retransmit_requests);
	res.delivered = htole64(s.delivered);
	res.frames_bad = htole64(s.frames_bad);
	res.frames_foreign = htole64(s.frames_foreign);
	res.token_lost = htole64(s.token_lost);
	res.memb_changes = htole64(s.memb_changes);
	res.consensus_timeouts = htole64(s.consensus_timeouts);
	res.fail_recv = htole64(s.fail_recv);
	cfg_api->admin->refused_get(&refused);
	res.rx_auth_failed = htole64(refused.auth_failed);
	res.rx_bad_header = htole64(refused.bad_header);
	res.rx_foreign_cluster = htole64(refused.foreign_cluster);
	res.rx_unknown_node = htole64(refused.unknown_node);
	res.rx_implausible = htole64(refused.implausible);
	res.rx_replayed = htole64(refused.replayed);
	res.frames_implausible = htole64(s.frames_implausible);
	res.ring_seq_refused = htole64(s.ring_seq_refused);
	res.fault_dropped = htole64(refused.fault_dropped);
	res.fault_duplicated = htole64(refused.fault_duplicated);
	res.fault_delayed = htole64(refused.fault_delayed);
	res.token_paced = htole64(s.token_paced);
	res.pace_held_us = htole64(s.pace_held_us);
	res.tx_calls = htole64(s.tx_calls);
	res.rx_calls = htole64(s.rx_calls);
	res.retransmit_wait_max = htole64(s.retransmit_wait_max);
	return cfg_api->response_send(conn, &res, sizeof(res));
}

static int cfg_lib_services(ais_conn_t *conn, const void *msg, size_t len)
{
	struct ais_admin_service_stats stats[AIS_CFG_SERVICES_MAX];
	struct ais_cfg_service out[AIS_CFG_SERVICES_MAX];
	struct ais_cfg_res_services res;
	struct iovec iov[2];
	size_t n;

	n = cfg_api->admin->service_stats_get(stats, AIS_CFG_SERVICES_MAX);
	if (n > AIS_CFG_SERVICES_MAX)
		n = AIS_CFG_SERVICES_MAX;
	memset(out, 0, sizeof(out));
	for (size_t i = 0; i < n; i++) {
		cfg_copy_field(out[i].name, sizeof(out[i].name), stats[i].name, sizeof(stats[i].name));
		out[i].id = htole32(stats[i].id);
		out[i].connections = htole32(stats[i].connections);
		out[i].lib_requests = htole64(stats[i].lib_requests);
		out[i].lib_errors = htole64(stats[i].lib_errors);
		out[i].exec_messages = htole64(stats[i].exec_messages);
		out[i].exec_dropped = htole64(stats[i].exec_dropped);
		out[i].events_queued = htole64(stats[i].events_queued);
		out[i].events_dropped = htole64(stats[i].events_dropped);
	}
	memset(&res, 0, sizeof(res));
	cfg_response_header_set(&res.header, AIS_CFG_REQ_SERVICES, sizeof(res) + n * sizeof(out[0]));
	res.count = htole32((uint32_t)n);
	iov[0] = (struct iovec){ .iov_base = &res, .iov_len = sizeof(res) };
	iov[1] = (struct iovec){ .iov_base = out, .iov_len = n * sizeof(out[0]) };
	return cfg_api->responsev_send(conn, iov, 2);
}

/* --- dump ------------------------------------------------------------- */

struct cfg_dump_buf {
	char *text;
	size_t len;
	bool truncated;
};

/* Append one line and its newline, or nothing once the cap is reached (the
 * text keeps whole lines only). */
static void cfg_dump_line(void *ctx, const char *line)
{
	struct cfg_dump_buf *b = ctx;
	size_t n = strlen(line);

	if (b->truncated || b->len + n + 1 > AIS_CFG_DUMP_TEXT_MAX) {
		b->truncated = true;
		return;
	}
	memcpy(b->text + b->len, line, n);
	b->text[b->len + n] = '\n';
	b->len += n + 1;
}

/** Header lines: who this node is and the ring it is in. */
static void cfg_dump_summary(struct cfg_dump_buf *b)
{
	struct ais_admin_member members[AIS_CFG_MEMBERS_MAX];
	struct ais_ring_id ring_id;
	struct ais_admin_status st;
	char line[256];
	size_t n;

	cfg_api->admin->status_get(&st);
	snprintf(line, sizeof(line), "== aisexec: node %u, instance %s, pid %d, ring %u.%llu, %u member(s)",
	         st.nodeid, st.instance[0] ? st.instance : "-", st.pid, st.ring_id.rep,
	         (unsigned long long)st.ring_id.seq, st.member_count);
	cfg_dump_line(b, line);
	n = cfg_api->admin->members_get(&ring_id, members, AIS_CFG_MEMBERS_MAX);
	if (n > AIS_CFG_MEMBERS_MAX)
		n = AIS_CFG_MEMBERS_MAX;
	for (size_t i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "member %u %s %s", members[i].nodeid, members[i].address,
		         members[i].name);
		cfg_dump_line(b, line);
	}
}

/** Every loaded engine's dump_fn, in id order, each under a heading. */
static void cfg_dump_engines(struct cfg_dump_buf *b)
{
	char line[64];

	for (uint16_t id = 0; id < AIS_SERVICE_ID_MAX; id++) {
		const struct ais_service_engine *e = cfg_api->admin->engine_get(id);

		if (!e || !e->dump_fn)
			continue;
		snprintf(line, sizeof(line), "== %s (service %u)", e->name, e->id);
		cfg_dump_line(b, line);
		e->dump_fn(cfg_dump_line, b);
	}
}

static int cfg_lib_dump(ais_conn_t *conn, const void *msg, size_t len)
{
	struct ais_cfg_res_dump res;
	struct cfg_dump_buf b = { 0 };
	struct iovec iov[2];
	int r;

	b.text = ais_malloc(AIS_CFG_DUMP_TEXT_MAX);
	if (!b.text)
		return -ENOMEM;
	memset(&res, 0, sizeof(res));
	/* The state text is for every allowed user; the file only for root. */
	r = cfg_privileged(conn, "a blackbox file") ? cfg_api->admin->blackbox_dump(res.blackbox, sizeof(res.blackbox))
	                                            : -EACCES;
	if (r < 0) {
		res.blackbox[0] = '\0';
		ais_log(LOG_WARNING, "blackbox dump failed: %s", strerror(-r));
	}
	res.blackbox_result = (int32_t)htole32((uint32_t)(r < 0 ? r : 0));
	cfg_dump_summary(&b);
	cfg_dump_engines(&b);
	cfg_response_header_set(&res.header, AIS_CFG_REQ_DUMP, sizeof(res) + b.len);
	res.text_len = htole32((uint32_t)b.len);
	res.flags = htole32(b.truncated ? AIS_CFG_DUMP_TRUNCATED : 0);
	iov[0] = (struct iovec){ .iov_base = &res, .iov_len = sizeof(res) };
	iov[1] = (struct iovec){ .iov_base = b.text, .iov_len = b.len };
	r = cfg_api->responsev_send(conn, iov, 2);
	free(b.text);
	return r;
}

/* --- shutdown --------------------------------------------------------- */

static int cfg_lib_shutdown(ais_conn_t *conn, const void *msg, size_t len)
{
	pid_t pid;
	uid_t uid;
	gid_t gid;
	int r;

	if (!cfg_privileged(conn, "shutdown"))
		return -EACCES;
	cfg_api->conn_credentials(conn, &pid, &uid, &gid);
	ais_log(LOG_NOTICE, "shutdown requested by pid %ld uid %ld", (long)pid, (long)uid);
	r = cfg_fault_respond(conn, AIS_CFG_REQ_SHUTDOWN, 0);
	cfg_api->shutdown_request();
	return r;
}

/* --- the engine ------------------------------------------------------- */

#define CFG_PLAIN sizeof(struct ais_cfg_req_plain)

static const struct ais_lib_handler cfg_lib_handlers[AIS_CFG_REQ_COUNT] = {
	[AIS_CFG_REQ_STATUS] = { cfg_lib_status, CFG_PLAIN, CFG_PLAIN, AIS_CFG_RES(AIS_CFG_REQ_STATUS), false },
	[AIS_CFG_REQ_MEMBERS] = { cfg_lib_members, CFG_PLAIN, CFG_PLAIN, AIS_CFG_RES(AIS_CFG_REQ_MEMBERS), false },
	[AIS_CFG_REQ_RING] = { cfg_lib_ring, CFG_PLAIN, CFG_PLAIN, AIS_CFG_RES(AIS_CFG_REQ_RING), false },
	[AIS_CFG_REQ_SERVICES] = { cfg_lib_services, CFG_PLAIN, CFG_PLAIN, AIS_CFG_RES(AIS_CFG_REQ_SERVICES), false },
	[AIS_CFG_REQ_DUMP] = { cfg_lib_dump, CFG_PLAIN, CFG_PLAIN, AIS_CFG_RES(AIS_CFG_REQ_DUMP), false },
	[AIS_CFG_REQ_SHUTDOWN] = { cfg_lib_shutdown, CFG_PLAIN, CFG_PLAIN, AIS_CFG_RES(AIS_CFG_REQ_SHUTDOWN), false },
	[AIS_CFG_REQ_FAULT_DROP] = { cfg_lib_fault_drop, AIS_CFG_REQ_FAULT_DROP_MIN,
	                             sizeof(struct ais_cfg_req_fault_drop),
	                             AIS_CFG_RES(AIS_CFG_REQ_FAULT_DROP), true },
	[AIS_CFG_REQ_FAULT_PARTITION] = { cfg_lib_fault_partition, AIS_CFG_REQ_FAULT_PARTITION_MIN,
	                                  sizeof(struct ais_cfg_req_fault_partition),
	                                  AIS_CFG_RES(AIS_CFG_REQ_FAULT_PARTITION), true },
	[AIS_CFG_REQ_FAULT_CLEAR] = { cfg_lib_fault_clear, CFG_PLAIN, CFG_PLAIN,
	                              AIS_CFG_RES(AIS_CFG_REQ_FAULT_CLEAR), false },
	[AIS_CFG_REQ_FAULT_DUPLICATE] = { cfg_lib_fault_duplicate, sizeof(struct ais_cfg_req_fault_rate),
	                                  sizeof(struct ais_cfg_req_fault_rate),
	                                  AIS_CFG_RES(AIS_CFG_REQ_FAULT_DUPLICATE), true },
	[AIS_CFG_REQ_FAULT_DELAY] = { cfg_lib_fault_delay, sizeof(struct ais_cfg_req_fault_rate),
	                              sizeof(struct ais_cfg_req_fault_rate),
	                              AIS_CFG_RES(AIS_CFG_REQ_FAULT_DELAY), true },
	[AIS_CFG_REQ_FAULT_HEAL] = { cfg_lib_fault_heal, CFG_PLAIN, CFG_PLAIN,
	                             AIS_CFG_RES(AIS_CFG_REQ_FAULT_HEAL), true },
	[AIS_CFG_REQ_FAULT_DROP_MCAST] = { cfg_lib_fault_drop_mcast, AIS_CFG_REQ_FAULT_DROP_MIN,
	                                   sizeof(struct ais_cfg_req_fault_drop),
	                                   AIS_CFG_RES(AIS_CFG_REQ_FAULT_DROP_MCAST), true },
};

static const struct ais_exec_handler cfg_exec_handlers[CFG_EXEC_COUNT] = {
	[CFG_EXEC_FAULT] = { cfg_exec_fault_fn, CFG_EXEC_FAULT_MIN, sizeof(struct cfg_exec_fault) },
};

static int cfg_exec_init(const struct ais_api *api)
{
	if (api->admin == NULL)
		return -EINVAL;
	cfg_api = api;
	return 0;
}

static int cfg_exec_exit(void)
{
	cfg_api = NULL;
	return 0;
}

const struct ais_service_engine ais_cfg_engine = {
	.abi_version = AIS_SERVICE_ABI_VERSION,
	.name = "cfg",
	.id = AIS_SERVICE_CFG,
	.private_data_size = 0,
	.exec_init_fn = cfg_exec_init,
	.exec_exit_fn = cfg_exec_exit,
	.lib_handlers = cfg_lib_handlers,
	.lib_handler_count = AIS_CFG_REQ_COUNT,
	.exec_handlers = cfg_exec_handlers,
	.exec_handler_count = CFG_EXEC_COUNT,
	.ipc_buffer_size = AIS_CFG_IPC_BUFFER_SIZE,
};
