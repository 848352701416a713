/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Service router (exec/service.c): engine registration rules, the IPC
 * request checks (id range, header size, min/max length, error response
 * ids), the totem delivery checks and counters, confchg fan-out, and the
 * -errno -> SaAisErrorT table.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <qb/qbipc_common.h>
#include <ais/ipc.h>

#include "service.h"
#include "sync.h"

static unsigned exec_calls;
static size_t exec_last_len;
static ais_nodeid_t exec_last_sender;
static unsigned confchg_calls;

static int lib_fn(ais_conn_t *conn, const void *msg, size_t len)
{
	(void)conn;
	(void)msg;
	(void)len;
	return 0;
}

static void exec_fn(const void *msg, size_t len, ais_nodeid_t sender)
{
	(void)msg;
	exec_calls++;
	exec_last_len = len;
	exec_last_sender = sender;
}

static void confchg_fn(enum ais_confchg_type type, const ais_nodeid_t *members, size_t n_members,
		       const ais_nodeid_t *left, size_t n_left, const ais_nodeid_t *joined, size_t n_joined,
		       const struct ais_ring_id *ring_id)
{
	(void)type; (void)members; (void)n_members; (void)left; (void)n_left;
	(void)joined; (void)n_joined; (void)ring_id;
	confchg_calls++;
}

static const struct ais_lib_handler lib_handlers[] = {
	{ .fn = lib_fn, .min_len = 24, .max_len = 100, .response_id = 42 },
	{ .fn = NULL },
	{ .fn = lib_fn, .min_len = 16, .max_len = 16, .response_id = 43, .flow_control = true },
};

static const struct ais_exec_handler exec_handlers[] = {
	{ .fn = exec_fn, .min_len = 12, .max_len = 12 },
	{ .fn = NULL },
	{ .fn = exec_fn, .min_len = 8, .max_len = 64 },
};

static const struct ais_service_engine test_engine = {
	.abi_version = AIS_SERVICE_ABI_VERSION,
	.name = "test",
	.id = 9,
	.lib_handlers = lib_handlers,
	.lib_handler_count = 3,
	.exec_handlers = exec_handlers,
	.exec_handler_count = 3,
	.confchg_fn = confchg_fn,
};

static int start_ok(const struct ais_api *api)
{
	(void)api;
	return 0;
}

static struct ais_service_engine started_engine;

static void setup(void)
{
	char err[256] = "";
	static const struct ais_api api = { .abi_version = AIS_SERVICE_ABI_VERSION };

	exec_calls = 0;
	confchg_calls = 0;
	started_engine = test_engine;
	started_engine.exec_init_fn = start_ok;
	ck_assert_msg(service_register(&started_engine, NULL, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(service_start_all(&api, err, sizeof(err)), 0);
}

static void teardown(void)
{
	ck_assert_int_eq(service_stop_step(), 0);
	service_unload_all();
}

START_TEST(test_register_rules)
{
	struct ais_service_engine e = test_engine;
	char err[256];

	e.name = "other";
	e.abi_version = AIS_SERVICE_ABI_VERSION + 1;
	ck_assert_int_eq(service_register(&e, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "ABI"));
	/* a plugin built against the first api table (no admin table, no
	 * descriptor watches, no ring size) is refused by name */
	e.abi_version = 1;
	ck_assert_int_eq(service_register(&e, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "service other has ABI version 1, this daemon needs 2");
	e.abi_version = AIS_SERVICE_ABI_VERSION;
	e.id = AIS_SERVICE_ID_MAX;
	ck_assert_int_eq(service_register(&e, NULL, err, sizeof(err)), -EINVAL);
	e.id = SYNC_SERVICE_ID;
	ck_assert_int_eq(service_register(&e, NULL, err, sizeof(err)), -EINVAL);
	e.id = 9; /* taken by "test" */
	ck_assert_int_eq(service_register(&e, NULL, err, sizeof(err)), -EINVAL);
	e.id = 10;
	e.name = "test"; /* name taken */
	ck_assert_int_eq(service_register(&e, NULL, err, sizeof(err)), -EINVAL);
	e.name = "other";
	e.lib_handlers = NULL;
	ck_assert_int_eq(service_register(&e, NULL, err, sizeof(err)), -EINVAL);
	e.lib_handlers = lib_handlers;
	ck_assert_int_eq(service_register(&e, NULL, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(service_slot_get(10));
	ck_assert_ptr_null(service_slot_get(11));
	ck_assert_ptr_null(service_slot_get(1000));
	ck_assert_int_eq(service_plugin_load("/nonexistent/plugin.so", err, sizeof(err)), -ENOENT);
}
END_TEST

static size_t request(uint8_t *buf, int32_t id, int32_t size)
{
	struct qb_ipc_request_header h = { .id = id, .size = size };

	memcpy(buf, &h, sizeof(h));
	return sizeof(h);
}

START_TEST(test_lib_check)
{
	uint8_t buf[256] = { 0 };
	const struct ais_lib_handler *h = NULL;
	int32_t rid = 0;

	/* shorter than a header */
	ck_assert_int_eq(service_lib_check(&test_engine, buf, 8, &h, &rid), -EINVAL);
	ck_assert_int_eq(rid, AIS_IPC_RESPONSE_ERROR);
	/* ids out of range, negative, or without a handler */
	request(buf, 3, 32);
	ck_assert_int_eq(service_lib_check(&test_engine, buf, 32, &h, &rid), -EINVAL);
	ck_assert_int_eq(rid, AIS_IPC_RESPONSE_ERROR);
	request(buf, -1, 32);
	ck_assert_int_eq(service_lib_check(&test_engine, buf, 32, &h, &rid), -EINVAL);
	request(buf, 1, 32);
	ck_assert_int_eq(service_lib_check(&test_engine, buf, 32, &h, &rid), -EINVAL);
	ck_assert_int_eq(rid, AIS_IPC_RESPONSE_ERROR);
	/* header size disagrees with the length: the handler's response id */
	request(buf, 0, 33);
	ck_assert_int_eq(service_lib_check(&test_engine, buf, 32, &h, &rid), -EINVAL);
	ck_assert_int_eq(rid, 42);
	/* below min, above max */
	request(buf, 0, 20);
	ck_assert_int_eq(service_lib_check(&test_engine, buf, 20, &h, &rid), -EINVAL);
	request(buf, 0, 101);
	ck_assert_int_eq(service_lib_check(&test_engine, buf, 101, &h, &rid), -EINVAL);
	ck_assert_int_eq(rid, 42);
	/* at both bounds: accepted */
	h = NULL;
	request(buf, 0, 24);
	ck_assert_int_eq(service_lib_check(&test_engine, buf, 24, &h, &rid), 0);
	ck_assert_ptr_eq(h, &lib_handlers[0]);
	request(buf, 0, 100);
	ck_assert_int_eq(service_lib_check(&test_engine, buf, 100, &h, &rid), 0);
	request(buf, 2, 16);
	ck_assert_int_eq(service_lib_check(&test_engine, buf, 16, &h, &rid), 0);
	ck_assert_ptr_eq(h, &lib_handlers[2]);
}
END_TEST

static size_t exec_msg(uint8_t *buf, uint32_t svc, uint32_t fn, uint32_t size)
{
	struct ais_exec_header h = { .id = htole32(AIS_EXEC_ID(svc, fn)), .size = htole32(size) };

	memcpy(buf, &h, sizeof(h));
	return sizeof(h);
}

START_TEST(test_exec_deliver_checks)
{
	uint8_t buf[128] = { 0 };
	struct service_router_stats rs;
	struct service_slot *slot = service_slot_get(9);

	exec_msg(buf, 9, 0, 12);
	service_exec_deliver(buf, 12, 3);
	ck_assert_uint_eq(exec_calls, 1);
	ck_assert_uint_eq(exec_last_len, 12);
	ck_assert_uint_eq(exec_last_sender, 3);
	/* size field != length */
	exec_msg(buf, 9, 0, 13);
	service_exec_deliver(buf, 12, 3);
	/* too short for a header */
	service_exec_deliver(buf, 4, 3);
	service_router_stats_get(&rs);
	ck_assert_uint_eq(rs.exec_bad_header, 2);
	/* fn out of range, fn without handler, below min, above max */
	exec_msg(buf, 9, 3, 12);
	service_exec_deliver(buf, 12, 3);
	exec_msg(buf, 9, 1, 12);
	service_exec_deliver(buf, 12, 3);
	exec_msg(buf, 9, 0, 11);
	service_exec_deliver(buf, 11, 3);
	exec_msg(buf, 9, 2, 65);
	service_exec_deliver(buf, 65, 3);
	ck_assert_uint_eq(slot->counters.exec_dropped, 4);
	/* unknown service */
	exec_msg(buf, 12, 0, 12);
	service_exec_deliver(buf, 12, 3);
	service_router_stats_get(&rs);
	ck_assert_uint_eq(rs.exec_no_service, 1);
	ck_assert_uint_eq(exec_calls, 1);
	exec_msg(buf, 9, 2, 8);
	service_exec_deliver(buf, 8, 4);
	ck_assert_uint_eq(exec_calls, 2);
	ck_assert_uint_eq(slot->counters.exec_messages, 2);
}
END_TEST

START_TEST(test_confchg_and_stats)
{
	struct ais_admin_service_stats st[4];
	ais_nodeid_t m[] = { 1, 2 };
	struct ais_ring_id rid = { 1, 8 };

	service_confchg(AIS_CONFCHG_REGULAR, m, 2, NULL, 0, m, 2, &rid);
	ck_assert_uint_eq(confchg_calls, 1);
	ck_assert_uint_eq(service_stats_fill(st, 4), 1);
	ck_assert_str_eq(st[0].name, "test");
	ck_assert_uint_eq(st[0].id, 9);
	ck_assert_uint_eq(service_stats_fill(st, 0), 1);
}
END_TEST

static Suite *router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("checks");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_register_rules);
	tcase_add_test(tc, test_lib_check);
	tcase_add_test(tc, test_exec_deliver_checks);
	tcase_add_test(tc, test_confchg_and_stats);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(router_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
