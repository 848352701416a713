/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The admin engine (services/cfg.c) against a recording executive: the
 * layout and byte order of every response, the checks on fault requests
 * (counts against lengths, overlapping groups, the config gate), the cluster
 * round trip of a fault request (multicast in safe order, applied on
 * delivery, answered only on the asking node), shutdown credentials, and the
 * dump text with its size cap. The executive's admin functions and the
 * router's engine lookup are test doubles defined here.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <saAis.h>
#include <ais/ipc_cfg.h>
#include <ais/admin.h>
#include <ais/service.h>

extern const struct ais_service_engine ais_cfg_engine;

/* --- the recording executive ------------------------------------------ */

#define RESP_MAX (sizeof(struct ais_cfg_res_dump) + AIS_CFG_DUMP_TEXT_MAX)

static unsigned char resp[RESP_MAX];
static size_t resp_len;
static unsigned resp_count;
static unsigned char mcast_buf[1024];
static size_t mcast_len;
static unsigned mcast_count;
static int mcast_result;
static enum ais_guarantee mcast_guarantee;
static unsigned shutdown_count;
static uid_t conn_uid;
static ais_conn_t *const the_conn = (ais_conn_t *)(uintptr_t)0x1000;
static bool conn_open;

static ais_nodeid_t fake_local_nodeid(void)
{
	return 2;
}

static int fake_mcast(const struct iovec *iov, size_t iovcnt, enum ais_guarantee g)
{
	size_t len = 0;

	if (mcast_result < 0)
		return mcast_result;
	for (size_t i = 0; i < iovcnt; i++) {
		ck_assert_uint_le(len + iov[i].iov_len, sizeof(mcast_buf));
		memcpy(mcast_buf + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	mcast_len = len;
	mcast_guarantee = g;
	mcast_count++;
	return 0;
}

static int fake_responsev_send(ais_conn_t *conn, const struct iovec *iov, size_t iovcnt)
{
	size_t len = 0;

	ck_assert_ptr_eq(conn, the_conn);
	for (size_t i = 0; i < iovcnt; i++) {
		ck_assert_uint_le(len + iov[i].iov_len, sizeof(resp));
		memcpy(resp + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	resp_len = len;
	resp_count++;
	return 0;
}

static int fake_response_send(ais_conn_t *conn, const void *msg, size_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)msg, .iov_len = len };

	return fake_responsev_send(conn, &iov, 1);
}

static uint64_t fake_conn_id(ais_conn_t *conn)
{
	ck_assert_ptr_eq(conn, the_conn);
	return 0x1122334455667788ULL;
}

static ais_conn_t *fake_conn_lookup(uint64_t id)
{
	return conn_open && id == 0x1122334455667788ULL ? the_conn : NULL;
}

static void fake_conn_credentials(ais_conn_t *conn, pid_t *ret_pid, uid_t *ret_uid, gid_t *ret_gid)
{
	(void)conn;
	*ret_pid = 4242;
	*ret_uid = conn_uid;
	*ret_gid = 0;
}

static void fake_shutdown_request(void)
{
	shutdown_count++;
}

static const struct ais_admin_api fake_admin;

static const struct ais_api fake_api = {
	.abi_version = AIS_SERVICE_ABI_VERSION,
	.local_nodeid = fake_local_nodeid,
	.mcast = fake_mcast,
	.response_send = fake_response_send,
	.responsev_send = fake_responsev_send,
	.conn_id = fake_conn_id,
	.conn_lookup = fake_conn_lookup,
	.conn_credentials = fake_conn_credentials,
	.shutdown_request = fake_shutdown_request,
	.admin = &fake_admin,
};

/* --- admin.h and service.h doubles ------------------------------------ */

static bool fault_allowed;
static int fault_result;
static unsigned fault_calls;
static char fault_last[128];
static size_t member_count_reported = 3;
static size_t dump_bytes;

static void admin_status_get(struct ais_admin_status *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->nodeid = 2;
	strcpy(ret->instance, "n2");
	strcpy(ret->cluster_name, "test");
	strcpy(ret->transport, "udpu");
	ret->state = AIS_ADMIN_RING_OPERATIONAL;
	ret->ring_id.rep = 1;
	ret->ring_id.seq = 0x100000002ULL;
	ret->member_count = 3;
	ret->sync_in_progress = true;
	ret->uptime_ms = 1234;
	ret->pid = 99;
}

static size_t admin_members_get(struct ais_ring_id *ret_ring_id, struct ais_admin_member *ret, size_t max)
{
	ret_ring_id->rep = 1;
	ret_ring_id->seq = 7;
	for (size_t i = 0; i < member_count_reported && i < max; i++) {
		memset(&ret[i], 0, sizeof(ret[i]));
		ret[i].nodeid = (uint32_t)i + 1;
		snprintf(ret[i].address, sizeof(ret[i].address), "127.0.0.%zu", i + 1);
		snprintf(ret[i].name, sizeof(ret[i].name), "n%zu", i + 1);
	}
	return member_count_reported;
}

static void admin_ring_stats_get(struct ais_admin_ring_stats *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->token_rotations = 10;
	ret->retransmits_tx = 3;
	ret->send_queue_len = 512;
	ret->send_queue_max = 2048;
	ret->memb_changes = 5;
	ret->frames_implausible = 2;
}

static void admin_refused_get(struct ais_admin_refused *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->implausible = 7;
	ret->replayed = 4;
}

static size_t admin_service_stats_get(struct ais_admin_service_stats *ret, size_t max)
{
	ck_assert_uint_ge(max, 2);
	memset(ret, 0, 2 * sizeof(*ret));
	strcpy(ret[0].name, "cfg");
	ret[0].id = 0;
	ret[0].connections = 1;
	strcpy(ret[1].name, "cpg");
	ret[1].id = 4;
	ret[1].exec_messages = 77;
	return 2;
}

static int fault_record(const char *what)
{
	fault_calls++;
	snprintf(fault_last, sizeof(fault_last), "%s", what);
	if (!fault_allowed)
		return -EPERM;
	return fault_result;
}

static int admin_fault_drop(uint32_t percent, const uint32_t *nodes, size_t n_nodes)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "drop %u", percent);

	for (size_t i = 0; i < n_nodes; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %u", nodes[i]);
	return fault_record(buf);
}

static int admin_fault_drop_mcast(uint32_t percent, const uint32_t *nodes, size_t n_nodes)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "drop-mcast %u", percent);

	for (size_t i = 0; i < n_nodes; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %u", nodes[i]);
	return fault_record(buf);
}

static int admin_fault_partition(const uint32_t *a, size_t n_a, const uint32_t *b, size_t n_b)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "partition");

	for (size_t i = 0; i < n_a; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s%u", i ? "," : " ", a[i]);
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, " /");
	for (size_t i = 0; i < n_b; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s%u", i ? "," : " ", b[i]);
	return fault_record(buf);
}

static int admin_fault_duplicate(uint32_t percent)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "duplicate %u", percent);
	return fault_record(buf);
}

static int admin_fault_delay(uint32_t percent, uint32_t ms)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "delay %u %u", percent, ms);
	return fault_record(buf);
}

static int admin_fault_heal(void)
{
	return fault_record("heal");
}

static int admin_fault_clear(void)
{
	return fault_record("clear");
}

static bool admin_fault_enabled(void)
{
	return fault_allowed;
}

static int admin_blackbox_dump(char *ret_path, size_t len)
{
	const char *p = "/run/ais/blackbox-1.fdata";

	ck_assert_uint_gt(len, strlen(p));
	strcpy(ret_path, p);
	return (int)strlen(p);
}

static void big_dump_fn(void (*out)(void *ctx, const char *line), void *ctx)
{
	char line[1001];

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	out(ctx, "engine state line");
	for (size_t done = 0; done < dump_bytes; done += sizeof(line))
		out(ctx, line);
}

static const struct ais_service_engine dumping_engine = {
	.abi_version = AIS_SERVICE_ABI_VERSION,
	.name = "dumper",
	.id = 9,
	.dump_fn = big_dump_fn,
};

static const struct ais_service_engine *admin_engine_get(uint16_t id)
{
	if (id == 0)
		return &ais_cfg_engine;
	if (id == 9)
		return &dumping_engine;
	return NULL;
}

static const struct ais_admin_api fake_admin = {
	.status_get = admin_status_get,
	.members_get = admin_members_get,
	.ring_stats_get = admin_ring_stats_get,
	.refused_get = admin_refused_get,
	.service_stats_get = admin_service_stats_get,
	.engine_get = admin_engine_get,
	.fault_drop = admin_fault_drop,
	.fault_drop_mcast = admin_fault_drop_mcast,
	.fault_partition = admin_fault_partition,
	.fault_duplicate = admin_fault_duplicate,
	.fault_delay = admin_fault_delay,
	.fault_heal = admin_fault_heal,
	.fault_clear = admin_fault_clear,
	.fault_enabled = admin_fault_enabled,
	.blackbox_dump = admin_blackbox_dump,
};

/* --- helpers ----------------------------------------------------------- */

static void setup(void)
{
	resp_len = 0;
	resp_count = 0;
	mcast_len = 0;
	mcast_count = 0;
	mcast_result = 0;
	shutdown_count = 0;
	conn_uid = 0;
	conn_open = true;
	fault_allowed = true;
	fault_result = 0;
	fault_calls = 0;
	fault_last[0] = '\0';
	member_count_reported = 3;
	dump_bytes = 0;
	ck_assert_int_eq(ais_cfg_engine.exec_init_fn(&fake_api), 0);
}

static void teardown(void)
{
	ck_assert_int_eq(ais_cfg_engine.exec_exit_fn(), 0);
}

static int lib_call(enum ais_cfg_request_id id, void *req, size_t len)
{
	const struct ais_lib_handler *h = &ais_cfg_engine.lib_handlers[id];
	struct qb_ipc_request_header *hdr = req;

	ck_assert_uint_lt((unsigned)id, ais_cfg_engine.lib_handler_count);
	hdr->id = (int32_t)id;
	hdr->size = (int32_t)len;
	/* what the router checks before any handler runs */
	ck_assert_uint_ge(len, h->min_len);
	ck_assert_uint_le(len, h->max_len);
	return h->fn(the_conn, req, len);
}

static int lib_plain(enum ais_cfg_request_id id)
{
	struct ais_cfg_req_plain req;

	memset(&req, 0, sizeof(req));
	return lib_call(id, &req, sizeof(req));
}

static const struct qb_ipc_response_header *resp_header(enum ais_cfg_request_id id)
{
	const struct qb_ipc_response_header *h = (const void *)resp;

	ck_assert_uint_ge(resp_len, sizeof(*h));
	ck_assert_int_eq(h->id, AIS_CFG_RES(id));
	ck_assert_int_eq(h->size, (int32_t)resp_len);
	ck_assert_int_eq(h->error, SA_AIS_OK);
	return h;
}

/* Deliver the last multicast fault message back, as from sender. */
static void deliver_mcast(ais_nodeid_t sender)
{
	const struct ais_exec_handler *h;
	uint32_t id;

	ck_assert_uint_ge(mcast_len, sizeof(struct ais_exec_header));
	memcpy(&id, mcast_buf, sizeof(id));
	id = le32toh(id);
	ck_assert_uint_eq(id >> 16, AIS_SERVICE_CFG);
	ck_assert_uint_lt(id & 0xffff, ais_cfg_engine.exec_handler_count);
	h = &ais_cfg_engine.exec_handlers[id & 0xffff];
	ck_assert_uint_ge(mcast_len, h->min_len);
	ck_assert_uint_le(mcast_len, h->max_len);
	h->fn(mcast_buf, mcast_len, sender);
}

static int32_t simple_result(enum ais_cfg_request_id id)
{
	const struct ais_cfg_res_simple *r = (const void *)resp;

	resp_header(id);
	ck_assert_uint_eq(resp_len, sizeof(*r));
	return (int32_t)le32toh((uint32_t)r->result);
}

static size_t drop_req(struct ais_cfg_req_fault_drop *req, uint32_t pct, const uint32_t *nodes, uint32_t n)
{
	memset(req, 0, sizeof(*req));
	req->percent = htole32(pct);
	req->n_nodes = htole32(n);
	for (uint32_t i = 0; i < n; i++)
		req->nodes[i] = htole32(nodes[i]);
	return AIS_CFG_REQ_FAULT_DROP_MIN + n * sizeof(uint32_t);
}

static size_t partition_req(struct ais_cfg_req_fault_partition *req, const uint32_t *nodes, uint32_t n_a,
                            uint32_t n_b)
{
	memset(req, 0, sizeof(*req));
	req->n_a = htole32(n_a);
	req->n_b = htole32(n_b);
	for (uint32_t i = 0; i < n_a + n_b; i++)
		req->nodes[i] = htole32(nodes[i]);
	return AIS_CFG_REQ_FAULT_PARTITION_MIN + (n_a + n_b) * sizeof(uint32_t);
}

/* --- queries ----------------------------------------------------------- */

START_TEST(test_status)
{
	const struct ais_cfg_res_status *r = (const void *)resp;

	ck_assert_int_eq(lib_plain(AIS_CFG_REQ_STATUS), 0);
	resp_header(AIS_CFG_REQ_STATUS);
	ck_assert_uint_eq(resp_len, sizeof(*r));
	ck_assert_uint_eq(le32toh(r->nodeid), 2);
	ck_assert_uint_eq(le32toh(r->pid), 99);
	ck_assert_uint_eq(le32toh(r->state), AIS_CFG_STATE_OPERATIONAL);
	ck_assert_uint_eq(le32toh(r->ring_rep), 1);
	ck_assert_uint_eq(le64toh(r->ring_seq), 0x100000002ULL);
	ck_assert_uint_eq(le64toh(r->uptime_ms), 1234);
	ck_assert_uint_eq(le32toh(r->flags), AIS_CFG_STATUS_SYNCING | AIS_CFG_STATUS_FAULT_INJECTION);
	ck_assert_str_eq(r->instance, "n2");
	ck_assert_str_eq(r->cluster_name, "test");
	ck_assert_str_eq(r->transport, "udpu");
}
END_TEST

START_TEST(test_members)
{
	const struct ais_cfg_res_members *r = (const void *)resp;
	const struct ais_cfg_member *m = (const void *)(resp + sizeof(*r));

	ck_assert_int_eq(lib_plain(AIS_CFG_REQ_MEMBERS), 0);
	resp_header(AIS_CFG_REQ_MEMBERS);
	ck_assert_uint_eq(le32toh(r->count), 3);
	ck_assert_uint_eq(resp_len, sizeof(*r) + 3 * sizeof(*m));
	ck_assert_uint_eq(le32toh(r->ring_rep), 1);
	ck_assert_uint_eq(le64toh(r->ring_seq), 7);
	for (uint32_t i = 0; i < 3; i++) {
		char want[16];

		ck_assert_uint_eq(le32toh(m[i].nodeid), i + 1);
		snprintf(want, sizeof(want), "127.0.0.%u", i + 1);
		ck_assert_str_eq(m[i].address, want);
		snprintf(want, sizeof(want), "n%u", i + 1);
		ck_assert_str_eq(m[i].name, want);
	}
}
END_TEST

START_TEST(test_members_capped)
{
	const struct ais_cfg_res_members *r = (const void *)resp;

	member_count_reported = 100;
	ck_assert_int_eq(lib_plain(AIS_CFG_REQ_MEMBERS), 0);
	resp_header(AIS_CFG_REQ_MEMBERS);
	ck_assert_uint_eq(le32toh(r->count), AIS_CFG_MEMBERS_MAX);
	ck_assert_uint_eq(resp_len, sizeof(*r) + AIS_CFG_MEMBERS_MAX * sizeof(struct ais_cfg_member));
}
END_TEST

START_TEST(test_ring_and_services)
{
	const struct ais_cfg_res_ring *r = (const void *)resp;
	const struct ais_cfg_res_services *s = (const void *)resp;
	const struct ais_cfg_service *e = (const void *)(resp + sizeof(*s));

	ck_assert_int_eq(lib_plain(AIS_CFG_REQ_RING), 0);
	resp_header(AIS_CFG_REQ_RING);
	ck_assert_uint_eq(resp_len, sizeof(*r));
	ck_assert_uint_eq(le64toh(r->token_rotations), 10);
	ck_assert_uint_eq(le64toh(r->retransmits_tx), 3);
	ck_assert_uint_eq(le64toh(r->memb_changes), 5);
	ck_assert_uint_eq(le64toh(r->frames_implausible), 2);
	ck_assert_uint_eq(le64toh(r->rx_implausible), 7);
	ck_assert_uint_eq(le64toh(r->rx_replayed), 4);
	ck_assert_uint_eq(le32toh(r->queue_level), 25);
	ck_assert_uint_eq(le32toh(r->state), AIS_CFG_STATE_OPERATIONAL);

	ck_assert_int_eq(lib_plain(AIS_CFG_REQ_SERVICES), 0);
	resp_header(AIS_CFG_REQ_SERVICES);
	ck_assert_uint_eq(le32toh(s->count), 2);
	ck_assert_uint_eq(resp_len, sizeof(*s) + 2 * sizeof(*e));
	ck_assert_str_eq(e[0].name, "cfg");
	ck_assert_uint_eq(le32toh(e[0].connections), 1);
	ck_assert_str_eq(e[1].name, "cpg");
	ck_assert_uint_eq(le32toh(e[1].id), 4);
	ck_assert_uint_eq(le64toh(e[1].exec_messages), 77);
}
END_TEST

START_TEST(test_dump)
{
	const struct ais_cfg_res_dump *r = (const void *)resp;
	const char *text = (const char *)resp + sizeof(*r);
	char *copy;

	ck_assert_int_eq(lib_plain(AIS_CFG_REQ_DUMP), 0);
	resp_header(AIS_CFG_REQ_DUMP);
	ck_assert_uint_eq(resp_len, sizeof(*r) + le32toh(r->text_len));
	ck_assert_str_eq(r->blackbox, "/run/ais/blackbox-1.fdata");
	ck_assert_int_eq((int32_t)le32toh((uint32_t)r->blackbox_result), 0);
	ck_assert_uint_eq(le32toh(r->flags), 0);
	copy = strndup(text, le32toh(r->text_len));
	ck_assert_ptr_nonnull(copy);
	ck_assert_ptr_nonnull(strstr(copy, "== aisexec: node 2"));
	ck_assert_ptr_nonnull(strstr(copy, "member 3 127.0.0.3 n3\n"));
	ck_assert_ptr_nonnull(strstr(copy, "== dumper (service 9)\nengine state line\n"));
	free(copy);
}
END_TEST

START_TEST(test_dump_truncated)
{
	const struct ais_cfg_res_dump *r = (const void *)resp;

	dump_bytes = 2 * AIS_CFG_DUMP_TEXT_MAX;
	ck_assert_int_eq(lib_plain(AIS_CFG_REQ_DUMP), 0);
	resp_header(AIS_CFG_REQ_DUMP);
	ck_assert_uint_eq(le32toh(r->flags), AIS_CFG_DUMP_TRUNCATED);
	ck_assert_uint_le(le32toh(r->text_len), AIS_CFG_DUMP_TEXT_MAX);
	ck_assert_uint_eq(resp_len, sizeof(*r) + le32toh(r->text_len));
	/* whole lines only */
	ck_assert_int_eq(resp[resp_len - 1], '\n');
}
END_TEST

/* --- shutdown ---------------------------------------------------------- */

START_TEST(test_shutdown_root)
{
	conn_uid = 0;
	ck_assert_int_eq(lib_plain(AIS_CFG_REQ_SHUTDOWN), 0);
	ck_assert_int_eq(simple_result(AIS_CFG_REQ_SHUTDOWN), 0);
	ck_assert_uint_eq(shutdown_count, 1);
}
END_TEST

START_TEST(test_shutdown_refused)
{
	conn_uid = geteuid() == 12345 ? 12346 : 12345;
	ck_assert_int_eq(lib_plain(AIS_CFG_REQ_SHUTDOWN), -EACCES);
	ck_assert_uint_eq(shutdown_count, 0);
	ck_assert_uint_eq(resp_count, 0);
}
END_TEST

/* --- fault requests ---------------------------------------------------- */

START_TEST(test_fault_disabled)
{
	struct ais_cfg_req_fault_drop drop;
	struct ais_cfg_req_fault_partition part;
	struct ais_cfg_req_fault_rate rate;
	const uint32_t nodes[] = { 1, 2, 3 };

	fault_allowed = false;
	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DROP, &drop, drop_req(&drop, 10, NULL, 0)), -EACCES);
	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_PARTITION, &part, partition_req(&part, nodes, 2, 1)),
	                 -EACCES);
	memset(&rate, 0, sizeof(rate));
	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DELAY, &rate, sizeof(rate)), -EACCES);
	ck_assert_int_eq(lib_plain(AIS_CFG_REQ_FAULT_CLEAR), -EACCES);
	ck_assert_uint_eq(mcast_count, 0);
	ck_assert_uint_eq(fault_calls, 0);
	ck_assert_uint_eq(resp_count, 0);
}
END_TEST

START_TEST(test_fault_drop_round_trip)
{
	struct ais_cfg_req_fault_drop req;
	const uint32_t nodes[] = { 1, 3 };

	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DROP, &req, drop_req(&req, 30, nodes, 2)), 0);
	/* nothing applied, nothing answered until the ring delivers it */
	ck_assert_uint_eq(mcast_count, 1);
	ck_assert_int_eq(mcast_guarantee, AIS_GUARANTEE_SAFE);
	ck_assert_uint_eq(fault_calls, 0);
	ck_assert_uint_eq(resp_count, 0);

	/* another node's copy: applied there, no answer (not the asking node) */
	deliver_mcast(3);
	ck_assert_uint_eq(fault_calls, 1);
	ck_assert_str_eq(fault_last, "drop 30 1 3");
	ck_assert_uint_eq(resp_count, 0);

	/* our own copy: applied and answered */
	deliver_mcast(2);
	ck_assert_uint_eq(fault_calls, 2);
	ck_assert_uint_eq(resp_count, 1);
	ck_assert_int_eq(simple_result(AIS_CFG_REQ_FAULT_DROP), 0);
}
END_TEST

START_TEST(test_fault_apply_error_reported)
{
	struct ais_cfg_req_fault_partition req;
	const uint32_t nodes[] = { 1, 3, 4 };

	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_PARTITION, &req, partition_req(&req, nodes, 2, 1)), 0);
	fault_result = -EINVAL; /* e.g. this node is in neither group */
	deliver_mcast(2);
	ck_assert_str_eq(fault_last, "partition 1,3 / 4");
	ck_assert_int_eq(simple_result(AIS_CFG_REQ_FAULT_PARTITION), -EINVAL);
}
END_TEST

START_TEST(test_fault_client_gone)
{
	struct ais_cfg_req_fault_drop req;

	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DROP, &req, drop_req(&req, 5, NULL, 0)), 0);
	conn_open = false;
	deliver_mcast(2);
	ck_assert_uint_eq(fault_calls, 1);
	ck_assert_uint_eq(resp_count, 0);
}
END_TEST

START_TEST(test_fault_queue_full)
{
	struct ais_cfg_req_fault_drop req;

	mcast_result = -EAGAIN;
	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DROP, &req, drop_req(&req, 5, NULL, 0)), -EAGAIN);
	ck_assert_uint_eq(fault_calls, 0);
}
END_TEST

START_TEST(test_fault_bad_requests)
{
	struct ais_cfg_req_fault_drop drop;
	struct ais_cfg_req_fault_partition part;
	struct ais_cfg_req_fault_rate rate;
	const uint32_t overlap[] = { 1, 2, 2 };
	const uint32_t zero[] = { 0, 1 };
	const uint32_t dup[] = { 1, 1 };
	size_t len;

	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DROP, &drop, drop_req(&drop, 101, NULL, 0)), -EINVAL);
	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DROP, &drop, drop_req(&drop, 5, zero, 2)), -EINVAL);
	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DROP, &drop, drop_req(&drop, 5, dup, 2)), -EINVAL);
	/* count says 2, the request carries 1 */
	len = drop_req(&drop, 5, overlap, 2);
	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DROP, &drop, len - 4), -EINVAL);
	/* count beyond the array */
	drop_req(&drop, 5, NULL, 0);
	drop.n_nodes = htole32(0xffffffffu);
	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DROP, &drop, AIS_CFG_REQ_FAULT_DROP_MIN), -EINVAL);

	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_PARTITION, &part, partition_req(&part, overlap, 2, 1)),
	                 -EINVAL);
	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_PARTITION, &part, partition_req(&part, overlap, 0, 2)),
	                 -EINVAL);
	partition_req(&part, overlap, 1, 1);
	part.n_b = htole32(0x7fffffffu);
	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_PARTITION, &part, AIS_CFG_REQ_FAULT_PARTITION_MIN + 8),
	                 -EINVAL);

	memset(&rate, 0, sizeof(rate));
	rate.percent = htole32(50);
	rate.ms = htole32(AIS_CFG_FAULT_DELAY_MAX_MS + 1);
	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DELAY, &rate, sizeof(rate)), -EINVAL);
	rate.ms = htole32(1);
	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DUPLICATE, &rate, sizeof(rate)), -EINVAL);

	ck_assert_uint_eq(mcast_count, 0);
	ck_assert_uint_eq(fault_calls, 0);
}
END_TEST

START_TEST(test_fault_rates)
{
	struct ais_cfg_req_fault_rate rate;

	memset(&rate, 0, sizeof(rate));
	rate.percent = htole32(20);
	rate.ms = htole32(150);
	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DELAY, &rate, sizeof(rate)), 0);
	deliver_mcast(2);
	ck_assert_str_eq(fault_last, "delay 20 150");
	ck_assert_int_eq(simple_result(AIS_CFG_REQ_FAULT_DELAY), 0);

	rate.ms = 0;
	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DUPLICATE, &rate, sizeof(rate)), 0);
	deliver_mcast(2);
	ck_assert_str_eq(fault_last, "duplicate 20");
	ck_assert_int_eq(simple_result(AIS_CFG_REQ_FAULT_DUPLICATE), 0);
}
END_TEST

START_TEST(test_fault_clear)
{
	ck_assert_int_eq(lib_plain(AIS_CFG_REQ_FAULT_CLEAR), 0);
	/* applied and answered at once, and sent to the rest of the ring */
	ck_assert_uint_eq(fault_calls, 1);
	ck_assert_str_eq(fault_last, "clear");
	ck_assert_int_eq(simple_result(AIS_CFG_REQ_FAULT_CLEAR), 0);
	ck_assert_uint_eq(mcast_count, 1);
	/* the own copy clears again but does not answer a second time */
	deliver_mcast(2);
	ck_assert_uint_eq(fault_calls, 2);
	ck_assert_uint_eq(resp_count, 1);
	deliver_mcast(1);
	ck_assert_uint_eq(fault_calls, 3);
	ck_assert_uint_eq(resp_count, 1);

	/* a full send queue does not undo the local clear */
	mcast_result = -EAGAIN;
	ck_assert_int_eq(lib_plain(AIS_CFG_REQ_FAULT_CLEAR), 0);
	ck_assert_uint_eq(fault_calls, 4);
	ck_assert_uint_eq(resp_count, 2);
}
END_TEST

START_TEST(test_fault_heal)
{
	ck_assert_int_eq(lib_plain(AIS_CFG_REQ_FAULT_HEAL), 0);
	/* unlike clear: nothing happens here before the ring delivers it, so a
	 * whole side drops its partition at the same point */
	ck_assert_uint_eq(fault_calls, 0);
	ck_assert_uint_eq(resp_count, 0);
	ck_assert_uint_eq(mcast_count, 1);
	ck_assert_int_eq(mcast_guarantee, AIS_GUARANTEE_SAFE);
	deliver_mcast(3);
	ck_assert_uint_eq(fault_calls, 1);
	ck_assert_str_eq(fault_last, "heal");
	ck_assert_uint_eq(resp_count, 0);
	deliver_mcast(2);
	ck_assert_uint_eq(fault_calls, 2);
	ck_assert_int_eq(simple_result(AIS_CFG_REQ_FAULT_HEAL), 0);

	fault_allowed = false;
	ck_assert_int_eq(lib_plain(AIS_CFG_REQ_FAULT_HEAL), -EACCES);
	ck_assert_uint_eq(fault_calls, 2);
}
END_TEST

START_TEST(test_fault_drop_mcast_round_trip)
{
	struct ais_cfg_req_fault_drop req;
	const uint32_t nodes[] = { 3 };
	const uint32_t zero[] = { 0 };

	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DROP_MCAST, &req, drop_req(&req, 100, nodes, 1)), 0);
	ck_assert_uint_eq(mcast_count, 1);
	ck_assert_int_eq(mcast_guarantee, AIS_GUARANTEE_SAFE);
	ck_assert_uint_eq(fault_calls, 0);
	deliver_mcast(3);
	ck_assert_str_eq(fault_last, "drop-mcast 100 3");
	ck_assert_uint_eq(resp_count, 0);
	deliver_mcast(2);
	ck_assert_uint_eq(fault_calls, 2);
	ck_assert_int_eq(simple_result(AIS_CFG_REQ_FAULT_DROP_MCAST), 0);

	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DROP_MCAST, &req, drop_req(&req, 101, NULL, 0)), -EINVAL);
	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DROP_MCAST, &req, drop_req(&req, 5, zero, 1)), -EINVAL);
	ck_assert_uint_eq(mcast_count, 1);
}
END_TEST

START_TEST(test_exec_malformed)
{
	struct ais_cfg_req_fault_drop req;
	const uint32_t nodes[] = { 1, 3 };
	const struct ais_exec_handler *h = &ais_cfg_engine.exec_handlers[0];
	unsigned char frame[sizeof(mcast_buf)];
	uint32_t v;

	ck_assert_int_eq(lib_call(AIS_CFG_REQ_FAULT_DROP, &req, drop_req(&req, 30, nodes, 2)), 0);
	memcpy(frame, mcast_buf, mcast_len);

	/* not a whole number of node ids */
	h->fn(frame, mcast_len - 1, 3);
	/* unknown kind */
	v = htole32(77);
	memcpy(mcast_buf + 16, &v, sizeof(v));
	h->fn(mcast_buf, mcast_len, 3);
	/* node count that disagrees with the length */
	memcpy(mcast_buf, frame, mcast_len);
	v = htole32(3);
	memcpy(mcast_buf + 24, &v, sizeof(v));
	h->fn(mcast_buf, mcast_len, 3);
	/* percent out of range */
	memcpy(mcast_buf, frame, mcast_len);
	v = htole32(101);
	memcpy(mcast_buf + 20, &v, sizeof(v));
	h->fn(mcast_buf, mcast_len, 3);
	ck_assert_uint_eq(fault_calls, 0);

	/* the untouched frame still works */
	h->fn(frame, mcast_len, 3);
	ck_assert_uint_eq(fault_calls, 1);
}
END_TEST

static Suite *cfg_suite(void)
{
	Suite *s = suite_create("cfg");
	TCase *tc = tcase_create("engine");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_members);
	tcase_add_test(tc, test_members_capped);
	tcase_add_test(tc, test_ring_and_services);
	tcase_add_test(tc, test_dump);
	tcase_add_test(tc, test_dump_truncated);
	tcase_add_test(tc, test_shutdown_root);
	tcase_add_test(tc, test_shutdown_refused);
	tcase_add_test(tc, test_fault_heal);
	tcase_add_test(tc, test_fault_drop_mcast_round_trip);
	tcase_add_test(tc, test_fault_disabled);
	tcase_add_test(tc, test_fault_drop_round_trip);
	tcase_add_test(tc, test_fault_apply_error_reported);
	tcase_add_test(tc, test_fault_client_gone);
	tcase_add_test(tc, test_fault_queue_full);
	tcase_add_test(tc, test_fault_bad_requests);
	tcase_add_test(tc, test_fault_rates);
	tcase_add_test(tc, test_fault_clear);
	tcase_add_test(tc, test_exec_malformed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cfg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
