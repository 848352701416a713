/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the seed corpus of fuzz_ipc (one file per scenario) into the
 * directory named on the command line. Each request is laid out with the
 * same structs of include/ais/ipc_*.h the client libraries fill (lib/cpg.c,
 * lib/evt.c, lib/clm.c, lib/amf.c, aistool, example_client), and each seed is
 * a client conversation in fuzz_ipc's record format (see fuzz_ipc.c): an op
 * byte then the request, or an op byte 6 and a control byte.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <saAis.h>
#include <saClm.h>
#include <saEvt.h>
#include <ais/cpg.h>
#include <ais/ipc_amf.h>
#include <ais/ipc_cfg.h>
#include <ais/ipc_clm.h>
#include <ais/ipc_cpg.h>
#include <ais/ipc_evt.h>

#include "../../services/example_ipc.h"

/* op bytes (fuzz_ipc.c) */
enum { E_CFG = 0, E_CLM = 1, E_EVT = 2, E_AMF = 3, E_CPG = 4, E_EXAMPLE = 5, OP_CONTROL = 6, OP_QUEUE = 7 };
#define CONN(i) ((uint8_t)((i) << 3))
#define AS_NODE2 0x20
enum { C_TIMERS = 0, C_CLOSE = 1, C_JOIN2 = 2, C_LEAVE2 = 3 };
#define C_CLOSE_CONN(engine, i) ((uint8_t)(C_CLOSE | ((engine) << 2) | ((i) << 5)))

static uint8_t seed[64 * 1024];
static size_t seed_len;

static void put(const void *p, size_t len)
{
	if (seed_len + len > sizeof(seed))
		abort();
	memcpy(seed + seed_len, p, len);
	seed_len += len;
}

static void op(uint8_t b)
{
	put(&b, 1);
}

static void control(uint8_t arg)
{
	op(OP_CONTROL);
	op(arg);
}

/* an op byte, then the request; size is set from len */
static void req(uint8_t opb, void *msg, size_t len, int32_t id)
{
	struct qb_ipc_request_header *h = msg;

	h->id = id;
	h->size = (int32_t)len;
	op(opb);
	put(msg, len);
}

static int seed_write(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(seed, 1, seed_len, f) != seed_len || fclose(f) != 0) {
		fprintf(stderr, "fuzz_ipc_seeds: %s: %s\n", path, strerror(errno));
		return -1;
	}
	seed_len = 0;
	return 0;
}

/* --- cpg ------------------------------------------------------------------ */

static void cpg_group(uint8_t opb, int32_t id, const char *name)
{
	struct ais_cpg_req_group r;

	memset(&r, 0, sizeof(r));
	r.group.length = (uint32_t)strlen(name);
	memcpy(r.group.value, name, r.group.length);
	req(opb, &r, sizeof(r), id);
}

static void cpg_mcast(uint8_t opb, const char *text)
{
	struct {
		struct ais_cpg_req_mcast r;
		char body[64];
	} m;
	size_t n = strlen(text);

	memset(&m, 0, sizeof(m));
	m.r.guarantee = CPG_TYPE_AGREED;
	m.r.msg_len = (uint32_t)n;
	memcpy(m.body, text, n);
	req(opb, &m, sizeof(m.r) + n, AIS_CPG_REQ_MCAST);
}

static void cpg_plain(uint8_t opb, int32_t id)
{
	struct ais_cpg_req_plain r;

	memset(&r, 0, sizeof(r));
	req(opb, &r, sizeof(r), id);
}

static void cpg_seeds(void)
{
	struct ais_cpg_req_model model;
	struct ais_cpg_req_iter_init it;
	struct ais_cpg_req_iter next;

	/* join, send, look, leave */
	memset(&model, 0, sizeof(model));
	model.flags = CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF | AIS_CPG_MODEL_TOTEM_CONFCHG;
	req(E_CPG, &model, sizeof(model), AIS_CPG_REQ_MODEL_SET);
	cpg_group(E_CPG, AIS_CPG_REQ_JOIN, "chat");
	cpg_mcast(E_CPG, "hello");
	cpg_group(E_CPG, AIS_CPG_REQ_MEMBERSHIP_GET, "chat");
	cpg_plain(E_CPG, AIS_CPG_REQ_LOCAL_GET);
	cpg_plain(E_CPG, AIS_CPG_REQ_FLOW_CONTROL_GET);
	cpg_plain(E_CPG, AIS_CPG_REQ_MAX_MSG_SIZE_GET);
	cpg_group(E_CPG, AIS_CPG_REQ_LEAVE, "chat");

	/* two clients, a second node comes and goes, a client dies in a group */
	cpg_group(E_CPG | CONN(0), AIS_CPG_REQ_JOIN, "g");
	cpg_group(E_CPG | CONN(1), AIS_CPG_REQ_JOIN, "g");
	control(C_JOIN2);
	cpg_group(E_CPG | CONN(2) | AS_NODE2, AIS_CPG_REQ_JOIN, "g");
	cpg_mcast(E_CPG | CONN(1) | AS_NODE2, "from two");
	control(C_CLOSE_CONN(E_CPG, 0));
	control(C_LEAVE2);
	cpg_mcast(E_CPG | CONN(1), "after");

	/* iteration over the groups */
	cpg_group(E_CPG, AIS_CPG_REQ_JOIN, "a");
	memset(&it, 0, sizeof(it));
	it.iteration_type = CPG_ITERATION_ALL;
	req(E_CPG, &it, sizeof(it), AIS_CPG_REQ_ITER_INIT);
	memset(&next, 0, sizeof(next));
	next.iter_id = 1;
	req(E_CPG, &next, sizeof(next), AIS_CPG_REQ_ITER_NEXT);
	req(E_CPG, &next, sizeof(next), AIS_CPG_REQ_ITER_NEXT);
	req(E_CPG, &next, sizeof(next), AIS_CPG_REQ_ITER_FINALIZE);

	/* a full totem queue: join is refused with TRY_AGAIN, then accepted */
	op(OP_QUEUE);
	cpg_group(E_CPG, AIS_CPG_REQ_JOIN, "busy");
	op(OP_QUEUE);
	cpg_group(E_CPG, AIS_CPG_REQ_JOIN, "busy");
}

/* --- evt ------------------------------------------------------------------ */

static void evt_name(struct ais_evt_name *n, const char *s)
{
	n->length = (uint16_t)strlen(s);
	memcpy(n->value, s, n->length);
}

static void evt_open(uint8_t opb, const char *ch, uint32_t flags, uint32_t async)
{
	struct ais_evt_req_open r;

	memset(&r, 0, sizeof(r));
	evt_name(&r.name, ch);
	r.flags = flags;
	r.async = async;
	r.timeout_ns = 5000000000LL;
	r.invocation = 7;
	req(opb, &r, sizeof(r), AIS_EVT_REQ_CHANNEL_OPEN);
}

static void evt_subscribe(uint8_t opb, uint32_t open_id, uint32_t sub_id, const char *prefix)
{
	struct {
		struct ais_evt_req_subscribe r;
		struct ais_evt_filter f;
		uint8_t pat[AIS_EVT_PAD(32)];
	} m;
	size_t n = strlen(prefix);

	memset(&m, 0, sizeof(m));
	m.r.open_id = open_id;
	m.r.sub_id = sub_id;
	m.r.n_filters = 1;
	m.f.type = SA_EVT_PREFIX_FILTER;
	m.f.len = (uint32_t)n;
	memcpy(m.pat, prefix, n);
	req(opb, &m, sizeof(m.r) + sizeof(m.f) + AIS_EVT_PAD(n), AIS_EVT_REQ_SUBSCRIBE);
}

static void evt_publish(uint8_t opb, uint32_t open_id, const char *pattern, const char *data, int64_t retention)
{
	struct {
		struct ais_evt_req_publish r;
		uint8_t rest[256];
	} m;
	struct ais_evt_blob b = { .len = (uint32_t)strlen(pattern) };
	size_t at = 0;

	memset(&m, 0, sizeof(m));
	m.r.open_id = open_id;
	m.r.priority = SA_EVT_HIGHEST_PRIORITY;
	m.r.retention_ns = retention;
	evt_name(&m.r.publisher, "pub");
	m.r.n_patterns = 1;
	m.r.data_len = (uint32_t)strlen(data);
	memcpy(m.rest, &b, sizeof(b));
	at += sizeof(b);
	memcpy(m.rest + at, pattern, b.len);
	at += AIS_EVT_PAD(b.len);
	memcpy(m.rest + at, data, m.r.data_len);
	at += m.r.data_len;
	req(opb, &m, sizeof(m.r) + at, AIS_EVT_REQ_PUBLISH);
}

static void evt_seeds(void)
{
	struct ais_evt_req_credit credit;
	struct ais_evt_req_clear clear;
	struct ais_evt_req_unsubscribe unsub;
	struct ais_evt_req_close cl;
	struct ais_evt_req_unlink un;
	struct qb_ipc_request_header status;

	/* open (create, publish, subscribe), subscribe, publish, read, clean up */
	evt_open(E_EVT, "alarms", SA_EVT_CHANNEL_CREATE | SA_EVT_CHANNEL_PUBLISHER | SA_EVT_CHANNEL_SUBSCRIBER, 0);
	evt_subscribe(E_EVT, 1, 10, "al");
	evt_publish(E_EVT, 1, "alarm.disk", "full", 60000000000LL);
	memset(&credit, 0, sizeof(credit));
	credit.count = AIS_EVT_CREDIT_BATCH;
	req(E_EVT, &credit, sizeof(credit), AIS_EVT_REQ_CREDIT);
	memset(&clear, 0, sizeof(clear));
	clear.open_id = 1;
	clear.event_id = 1001;
	req(E_EVT, &clear, sizeof(clear), AIS_EVT_REQ_RETENTION_CLEAR);
	memset(&status, 0, sizeof(status));
	req(E_EVT, &status, sizeof(status), AIS_EVT_REQ_STATUS);
	memset(&unsub, 0, sizeof(unsub));
	unsub.open_id = 1;
	unsub.sub_id = 10;
	req(E_EVT, &unsub, sizeof(unsub), AIS_EVT_REQ_UNSUBSCRIBE);
	memset(&cl, 0, sizeof(cl));
	cl.open_id = 1;
	req(E_EVT, &cl, sizeof(cl), AIS_EVT_REQ_CHANNEL_CLOSE);
	memset(&un, 0, sizeof(un));
	evt_name(&un.name, "alarms");
	req(E_EVT, &un, sizeof(un), AIS_EVT_REQ_CHANNEL_UNLINK);

	/* a publisher and a subscriber on two connections, a second node joins
	 * (retained events go through sync), the subscriber dies */
	evt_open(E_EVT | CONN(0), "ch", SA_EVT_CHANNEL_CREATE | SA_EVT_CHANNEL_SUBSCRIBER, 1);
	evt_subscribe(E_EVT | CONN(0), 2, 1, ""); /* open ids are not reused on a connection */
	evt_open(E_EVT | CONN(1), "ch", SA_EVT_CHANNEL_PUBLISHER, 0);
	evt_publish(E_EVT | CONN(1), 1, "x", "retained", 100000000000LL);
	control(C_JOIN2);
	evt_publish(E_EVT | CONN(1) | AS_NODE2, 1, "y", "from two", 0);
	control(C_CLOSE_CONN(E_EVT, 0));
	control(C_TIMERS);
	control(C_LEAVE2);
	evt_publish(E_EVT | CONN(1), 1, "z", "after", 0);
}

/* --- clm, cfg, amf, example ------------------------------------------------ */

static void clm_seeds(void)
{
	struct ais_clm_req_track t;
	struct ais_clm_req_node_get g;
	struct ais_clm_req_node_get_async ga;
	struct ais_clm_req_plain p;

	memset(&t, 0, sizeof(t));
	t.flags = SA_TRACK_CHANGES;
	t.current = AIS_CLM_CURRENT_REPLY;
	req(E_CLM, &t, sizeof(t), AIS_CLM_REQ_TRACK);
	memset(&g, 0, sizeof(g));
	g.nodeid = SA_CLM_LOCAL_NODE_ID;
	req(E_CLM, &g, sizeof(g), AIS_CLM_REQ_NODE_GET);
	memset(&ga, 0, sizeof(ga));
	ga.invocation = 3;
	ga.nodeid = 1;
	req(E_CLM, &ga, sizeof(ga), AIS_CLM_REQ_NODE_GET_ASYNC);
	control(C_JOIN2);
	g.nodeid = 2;
	req(E_CLM | CONN(1), &g, sizeof(g), AIS_CLM_REQ_NODE_GET);
	control(C_LEAVE2);
	memset(&p, 0, sizeof(p));
	req(E_CLM, &p, sizeof(p), AIS_CLM_REQ_TRACK_STOP);
}

static void cfg_seeds(void)
{
	struct ais_cfg_req_plain p;
	struct ais_cfg_req_fault_drop d;

	memset(&p, 0, sizeof(p));
	req(E_CFG, &p, sizeof(p), AIS_CFG_REQ_STATUS);
	req(E_CFG, &p, sizeof(p), AIS_CFG_REQ_MEMBERS);
	req(E_CFG, &p, sizeof(p), AIS_CFG_REQ_RING);
	req(E_CFG, &p, sizeof(p), AIS_CFG_REQ_SERVICES);
	req(E_CFG, &p, sizeof(p), AIS_CFG_REQ_DUMP);
	memset(&d, 0, sizeof(d));
	d.percent = 50;
	d.n_nodes = 1;
	d.nodes[0] = 2;
	req(E_CFG, &d, AIS_CFG_REQ_FAULT_DROP_MIN + sizeof(d.nodes[0]), AIS_CFG_REQ_FAULT_DROP);
	/* the same from an unprivileged process */
	req(E_CFG | CONN(2), &d, AIS_CFG_REQ_FAULT_DROP_MIN + sizeof(d.nodes[0]), AIS_CFG_REQ_FAULT_DROP);
	req(E_CFG, &p, sizeof(p), AIS_CFG_REQ_FAULT_CLEAR);
}

static void amf_seeds(void)
{
	struct ais_amf_req_init r;

	memset(&r, 0, sizeof(r));
	r.major = 1;
	r.minor = 1;
	r.callbacks = 1;
	req(E_AMF, &r, sizeof(r), AIS_AMF_REQ_INIT);
}

static void example_seeds(void)
{
	struct example_req_subscribe s;
	struct example_req_add a;
	struct example_req_get g;

	memset(&s, 0, sizeof(s));
	s.on = 1;
	req(E_EXAMPLE | CONN(1), &s, sizeof(s), EXAMPLE_REQ_SUBSCRIBE);
	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "hits");
	a.delta = 5;
	req(E_EXAMPLE, &a, sizeof(a), EXAMPLE_REQ_ADD);
	control(C_JOIN2);
	a.delta = -2;
	req(E_EXAMPLE | AS_NODE2, &a, sizeof(a), EXAMPLE_REQ_ADD);
	memset(&g, 0, sizeof(g));
	snprintf(g.name, sizeof(g.name), "hits");
	req(E_EXAMPLE, &g, sizeof(g), EXAMPLE_REQ_GET);
	control(C_CLOSE_CONN(E_EXAMPLE, 1));
	control(C_LEAVE2);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	int r = 0;

	cpg_seeds();
	r |= seed_write(dir, "cpg");
	evt_seeds();
	r |= seed_write(dir, "evt");
	clm_seeds();
	r |= seed_write(dir, "clm");
	cfg_seeds();
	r |= seed_write(dir, "cfg");
	amf_seeds();
	r |= seed_write(dir, "amf");
	example_seeds();
	r |= seed_write(dir, "example");
	/* every engine in one conversation */
	cfg_seeds();
	clm_seeds();
	example_seeds();
	cpg_seeds();
	r |= seed_write(dir, "mixed");
	return r ? 1 : 0;
}
