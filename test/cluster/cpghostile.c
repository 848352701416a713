/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpghostile INSTANCE DAEMON_PID: hostile input to a running daemon over raw
 * libqb IPC, to its cpg ("ais-INSTANCE-cpg") and cfg ("ais-INSTANCE-cfg")
 * services: random bytes, truncated headers, sizes that lie about the
 * length, unknown and huge request ids, oversize messages, short bodies for
 * every request id, a message count that lies, and another connection's
 * group and iteration. Every request must get an error response or a clean
 * disconnect (never silence, never success where it must fail), and the
 * daemon must stay alive throughout. Prints "ok: ..." per case group and
 * exits 0, or "FAIL: ..." and exits 1.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <qb/qbipcc.h>

#include <ais/cpg.h>
#include <ais/ipc.h>
#include <ais/ipc_cfg.h>
#include <ais/ipc_cpg.h>

#define RECV_TIMEOUT_MS 10000
#define BUF_MAX (AIS_IPC_MSG_MAX + 4096)

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			printf("FAIL: " __VA_ARGS__);                     \
			printf(" (%s:%d)\n", __FILE__, __LINE__);         \
			exit(1);                                          \
		}                                                         \
	} while (0)

static char name_cpg[AIS_IPC_NAME_MAX];
static char name_cfg[AIS_IPC_NAME_MAX];
static pid_t daemon_pid;
static uint8_t *buf;
static uint8_t *rbuf;
static unsigned n_error, n_disconnect;

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static qb_ipcc_connection_t *conn(const char *name)
{
	qb_ipcc_connection_t *c = qb_ipcc_connect(name, AIS_IPC_MSG_MAX);

	CHECK(c != NULL, "cannot connect to %s: %s", name, strerror(errno));
	return c;
}

static void daemon_alive(const char *what)
{
	CHECK(kill(daemon_pid, 0) == 0, "the daemon died after: %s", what);
}

/**
 * Send len bytes as one request and read the answer. Returns the response
 * error field, or 0 when the daemon closed the connection (then *c is
 * reconnected). Silence is a failure.
 */
static int32_t exchange(qb_ipcc_connection_t **c, const char *name, const void *req, size_t len,
                        const char *what)
{
	ssize_t r = qb_ipcc_send(*c, req, len);
	int32_t err = 0;

	if (r == -EMSGSIZE || r == -EINVAL) {
		/* libqb refused it on our side: nothing reached the daemon */
		return -1;
	}
	if (r >= 0)
		r = qb_ipcc_recv(*c, rbuf, BUF_MAX, RECV_TIMEOUT_MS);
	if (r >= (ssize_t)sizeof(struct qb_ipc_response_header)) {
		struct qb_ipc_response_header h;
		memcpy(&h, rbuf, sizeof(h));
		CHECK(h.size == (int32_t)r, "%s: response size field %d, received %zd", what, h.size, r);
		err = h.error;
		CHECK(err != CS_OK || len >= sizeof(struct qb_ipc_request_header),
		      "%s: accepted a request shorter than a header", what);
		n_error++;
	} else {
		CHECK(r != -ETIMEDOUT && r != -EAGAIN, "%s: no answer within %d ms and still connected", what,
		      RECV_TIMEOUT_MS);
		/* a disconnect: the daemon dropped us */
		n_disconnect++;
		qb_ipcc_disconnect(*c);
		*c = conn(name);
	}
	daemon_alive(what);
	return err;
}

static size_t req_header(uint8_t *p, int32_t id, int32_t size)
{
	struct qb_ipc_request_header h = { .id = id, .size = size };

	memcpy(p, &h, sizeof(h));
	return sizeof(h);
}

static void random_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(rnd() >> 24);
}

/* garbage, truncation, lying sizes and ids: common to both services */
static void garbage(const char *name, int32_t n_ids, int32_t forbidden_id)
{
	qb_ipcc_connection_t *c = conn(name);
	static const int32_t odd_ids[] = { -1, INT32_MIN, INT32_MAX, 0x7fffffff - 1, 1000000, 0x100, 0x101 };
	char what[128];

	for (int i = 0; i < 300; i++) {
		size_t len = 1 + rnd() % 2048;
		random_bytes(buf, len);
		if (len >= sizeof(struct qb_ipc_request_header)) {
			struct qb_ipc_request_header h;
			memcpy(&h, buf, sizeof(h));
			if (h.id == forbidden_id) /* never a well-formed shutdown */
				h.id = n_ids + 7;
			if (i % 3 == 0)
				h.size = (int32_t)len; /* right size, random id and body */
			memcpy(buf, &h, sizeof(h));
		}
		snprintf(what, sizeof(what), "%s: random request %d (%zu bytes)", name, i, len);
		CHECK(exchange(&c, name, buf, len, what) != CS_OK || len >= 16, "%s accepted", what);
	}
	for (size_t len = 1; len < sizeof(struct qb_ipc_request_header); len++) {
		memset(buf, 0, len);
		snprintf(what, sizeof(what), "%s: truncated header of %zu bytes", name, len);
		exchange(&c, name, buf, len, what);
	}
	for (int32_t id = 0; id < n_ids; id++) {
		static const int32_t lies[] = { 0, -1, 8, 15, 17, 1 << 30, INT32_MIN };
		if (id == forbidden_id)
			continue;
		for (size_t k = 0; k < sizeof(lies) / sizeof(lies[0]); k++) {
			memset(buf, 0, 64);
			req_header(buf, id, lies[k]);
			snprintf(what, sizeof(what), "%s: id %d with size field %d (sent 16)", name, id, lies[k]);
			CHECK(exchange(&c, name, buf, 16, what) != CS_OK, "%s accepted", what);
		}
	}
	for (size_t k = 0; k < sizeof(odd_ids) / sizeof(odd_ids[0]); k++) {
		memset(buf, 0, 256);
		req_header(buf, odd_ids[k], 256);
		snprintf(what, sizeof(what), "%s: request id %d", name, odd_ids[k]);
		CHECK(exchange(&c, name, buf, 256, what) != CS_OK, "%s accepted", what);
	}
	/* the largest request libqb lets through, with an unknown id */
	memset(buf, 0xab, AIS_IPC_MSG_MAX);
	req_header(buf, n_ids + 3, AIS_IPC_MSG_MAX - 64);
	snprintf(what, sizeof(what), "%s: oversize request", name);
	exchange(&c, name, buf, AIS_IPC_MSG_MAX - 64, what);
	qb_ipcc_disconnect(c);
	printf("ok: %s: garbage, truncated headers, lying sizes, odd ids\n", name);
}

static void group_req(uint8_t *p, int32_t id, const char *group, uint32_t length)
{
	struct ais_cpg_req_group r;

	memset(&r, 0, sizeof(r));
	r.header.id = id;
	r.header.size = sizeof(r);
	r.group.length = length;
	memcpy(r.group.value, group, strlen(group));
	memcpy(p, &r, sizeof(r));
}

static void cpg_specific(void)
{
	qb_ipcc_connection_t *a = conn(name_cpg), *b = conn(name_cpg);
	struct ais_cpg_req_mcast m;
	struct ais_cpg_req_iter it;
	int32_t e;

	/* every request id with a body one byte short */
	static const size_t full[AIS_CPG_REQ_COUNT] = {
		[AIS_CPG_REQ_JOIN] = sizeof(struct ais_cpg_req_group),
		[AIS_CPG_REQ_LEAVE] = sizeof(struct ais_cpg_req_group),
		[AIS_CPG_REQ_MCAST] = sizeof(struct ais_cpg_req_mcast),
		[AIS_CPG_REQ_MEMBERSHIP_GET] = sizeof(struct ais_cpg_req_group),
		[AIS_CPG_REQ_ITER_INIT] = sizeof(struct ais_cpg_req_iter_init),
		[AIS_CPG_REQ_ITER_NEXT] = sizeof(struct ais_cpg_req_iter),
		[AIS_CPG_REQ_ITER_FINALIZE] = sizeof(struct ais_cpg_req_iter),
		[AIS_CPG_REQ_MODEL_SET] = sizeof(struct ais_cpg_req_model),
	};
	for (int32_t id = 0; id < AIS_CPG_REQ_COUNT; id++) {
		if (full[id] == 0)
			continue;
		memset(buf, 0, full[id]);
		req_header(buf, id, (int32_t)full[id] - 1);
		CHECK(exchange(&b, name_cpg, buf, full[id] - 1, "short body") != CS_OK,
		      "request id %d with a body one byte short accepted", id);
	}
	/* a group name longer than the field */
	group_req(buf, AIS_CPG_REQ_JOIN, "x", 1000);
	CHECK(exchange(&b, name_cpg, buf, sizeof(struct ais_cpg_req_group), "long name") != CS_OK,
	      "join with group length 1000 accepted");
	/* mcast whose msg_len lies, mcast without join, mcast over the limit */
	memset(&m, 0, sizeof(m));
	m.header.id = AIS_CPG_REQ_MCAST;
	m.header.size = sizeof(m) + 10;
	m.msg_len = 1024 * 1024;
	memcpy(buf, &m, sizeof(m));
	CHECK(exchange(&b, name_cpg, buf, sizeof(m) + 10, "mcast lying msg_len") != CS_OK,
	      "mcast with msg_len 1 MiB and 10 bytes accepted");
	m.msg_len = 10;
	memcpy(buf, &m, sizeof(m));
	CHECK(exchange(&b, name_cpg, buf, sizeof(m) + 10, "mcast unjoined") != CS_OK,
	      "mcast without a join accepted");
	/* a joins "victim"; b may not leave it, nor read a's iteration */
	group_req(buf, AIS_CPG_REQ_JOIN, "victim", 6);
	do {
		e = exchange(&a, name_cpg, buf, sizeof(struct ais_cpg_req_group), "join victim");
	} while (e == CS_ERR_TRY_AGAIN);
	CHECK(e == CS_OK, "a well-formed join failed: %d", e);
	m.header.size = sizeof(m) + AIS_CPG_MSG_MAX + 1;
	m.msg_len = AIS_CPG_MSG_MAX + 1;
	memset(buf + sizeof(m), 0, AIS_CPG_MSG_MAX + 1);
	memcpy(buf, &m, sizeof(m));
	CHECK(exchange(&a, name_cpg, buf, sizeof(m) + AIS_CPG_MSG_MAX + 1, "mcast too big") != CS_OK,
	      "mcast of 1 MiB + 1 accepted");
	group_req(buf, AIS_CPG_REQ_LEAVE, "victim", 6);
	CHECK(exchange(&b, name_cpg, buf, sizeof(struct ais_cpg_req_group), "foreign leave") != CS_OK,
	      "a connection left a group another connection joined");
	struct ais_cpg_req_iter_init ii;
	memset(&ii, 0, sizeof(ii));
	ii.header.id = AIS_CPG_REQ_ITER_INIT;
	ii.header.size = sizeof(ii);
	ii.iteration_type = CPG_ITERATION_ALL;
	memcpy(buf, &ii, sizeof(ii));
	CHECK(exchange(&a, name_cpg, buf, sizeof(ii), "iter init") == CS_OK, "iteration init failed");
	struct ais_cpg_res_iter ri;
	memcpy(&ri, rbuf, sizeof(ri));
	memset(&it, 0, sizeof(it));
	it.header.id = AIS_CPG_REQ_ITER_NEXT;
	it.header.size = sizeof(it);
	it.iter_id = ri.iter_id;
	memcpy(buf, &it, sizeof(it));
	CHECK(exchange(&b, name_cpg, buf, sizeof(it), "foreign iteration") != CS_OK,
	      "a connection read another connection's iteration");
	for (int i = 0; i < 200; i++) {
		it.iter_id = rnd();
		memcpy(buf, &it, sizeof(it));
		CHECK(exchange(&b, name_cpg, buf, sizeof(it), "forged iteration") != CS_OK,
		      "a forged iteration id was accepted");
	}
	/* a is still in its group */
	group_req(buf, AIS_CPG_REQ_MEMBERSHIP_GET, "victim", 6);
	CHECK(exchange(&b, name_cpg, buf, sizeof(struct ais_cpg_req_group), "membership") == CS_OK,
	      "membership_get failed");
	struct ais_cpg_res_membership rm;
	memcpy(&rm, rbuf, sizeof(rm));
	CHECK(rm.count == 1, "group victim has %u members after the hostile requests, expected 1",
	      rm.count);
	qb_ipcc_disconnect(a);
	qb_ipcc_disconnect(b);
	printf("ok: cpg: short bodies, lying lengths, foreign group and iteration, forged ids\n");
}

static void cfg_specific(void)
{
	qb_ipcc_connection_t *c = conn(name_cfg);
	struct ais_cfg_req_fault_drop d;

	memset(&d, 0, sizeof(d));
	d.header.id = AIS_CFG_REQ_FAULT_DROP;
	d.header.size = 24 + 4;
	d.percent = 10;
	d.n_nodes = 1000; /* lies: one node id follows */
	memcpy(buf, &d, 28);
	CHECK(exchange(&c, name_cfg, buf, 28, "fault drop lying count") != CS_OK,
	      "fault drop with a lying node count accepted");
	d.n_nodes = 0;
	d.percent = 1000;
	d.header.size = 24;
	memcpy(buf, &d, 24);
	CHECK(exchange(&c, name_cfg, buf, 24, "fault drop 1000%") != CS_OK, "fault drop 1000%% accepted");
	qb_ipcc_disconnect(c);
	printf("ok: cfg: lying counts and values\n");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc != 3) {
		fprintf(stderr, "usage: cpghostile INSTANCE DAEMON_PID\n");
		return 2;
	}
	snprintf(name_cpg, sizeof(name_cpg), "ais-%s-cpg", argv[1]);
	snprintf(name_cfg, sizeof(name_cfg), "ais-%s-cfg", argv[1]);
	daemon_pid = (pid_t)strtol(argv[2], NULL, 10);
	buf = calloc(1, BUF_MAX);
	rbuf = calloc(1, BUF_MAX);
	CHECK(buf && rbuf, "out of memory");
	rng ^= (uint64_t)getpid() << 20;
	garbage(name_cpg, AIS_CPG_REQ_COUNT, -1);
	garbage(name_cfg, AIS_CFG_REQ_COUNT, AIS_CFG_REQ_SHUTDOWN);
	cpg_specific();
	cfg_specific();
	daemon_alive("all cases");
	printf("ok: %u error responses, %u disconnects, the daemon is alive\n", n_error, n_disconnect);
	free(buf);
	free(rbuf);
	return 0;
}
