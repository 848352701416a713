/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Raw libqb IPC to the evt service ("ais-INSTANCE-evt"), shared by the test
 * clients evtraw.c and evthostile.c: request builders for
 * include/ais/ipc_evt.h and a blocking request/response helper. Test code
 * only; applications use libSaEvt.
 */
#ifndef AIS_TEST_EVTIPC_H
#define AIS_TEST_EVTIPC_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qb/qbipcc.h>

#include <ais/ipc.h>
#include <ais/ipc_evt.h>

#define EVTIPC_TIMEOUT_MS 10000

enum {
	SA_OK = 1,
	SA_TIMEOUT = 5,
	SA_TRY_AGAIN = 6,
	SA_INVALID_PARAM = 7,
	SA_BAD_HANDLE = 9,
	SA_ACCESS = 11,
	SA_NOT_EXIST = 12,
	SA_EXIST = 14,
	SA_NO_RESOURCES = 18,
	SA_BAD_FLAGS = 25,
	SA_TOO_BIG = 26,
};

#define F_PUB 1u
#define F_SUB 2u
#define F_CREATE 4u

static inline qb_ipcc_connection_t *evtipc_connect(const char *instance)
{
	char name[AIS_IPC_NAME_MAX];

	snprintf(name, sizeof(name), "ais-%s-evt", instance);
	return qb_ipcc_connect(name, AIS_IPC_MSG_MAX);
}

/* Send a request, wait for the response into res (up to res_len). Returns
 * the response's error, or -errno when the exchange failed. */
static inline int evtipc_call(qb_ipcc_connection_t *c, const void *req, size_t len, void *res, size_t res_len)
{
	ssize_t r = qb_ipcc_send(c, req, len);
	struct qb_ipc_response_header h;

	if (r < 0)
		return (int)r;
	r = qb_ipcc_recv(c, res, res_len, EVTIPC_TIMEOUT_MS);
	if (r < (ssize_t)sizeof(h))
		return r < 0 ? (int)r : -EBADMSG;
	memcpy(&h, res, sizeof(h));
	return h.error;
}

static inline void evtipc_name(struct ais_evt_name *n, const char *s)
{
	memset(n, 0, sizeof(*n));
	n->length = (uint16_t)strlen(s);
	memcpy(n->value, s, n->length);
}

/* Open: returns the error; *ret_open_id on OK. */
static inline int evtipc_open(qb_ipcc_connection_t *c, const char *name, uint32_t flags, int64_t timeout_ns,
                              uint32_t *ret_open_id)
{
	struct ais_evt_req_open req;
	struct ais_evt_res_open res;
	int e;

	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	req.header.id = AIS_EVT_REQ_CHANNEL_OPEN;
	req.header.size = sizeof(req);
	evtipc_name(&req.name, name);
	req.flags = flags;
	req.timeout_ns = timeout_ns;
	e = evtipc_call(c, &req, sizeof(req), &res, sizeof(res));
	if (ret_open_id)
		*ret_open_id = res.open_id;
	return e;
}

static inline int evtipc_simple(qb_ipcc_connection_t *c, int32_t id, uint32_t open_id, uint32_t x)
{
	struct {
		struct qb_ipc_request_header header;
		uint32_t a;
		uint32_t b;
	} req = { { id, sizeof(req) }, open_id, x };
	uint8_t res[64];

	return evtipc_call(c, &req, sizeof(req), res, sizeof(res));
}

static inline int evtipc_close(qb_ipcc_connection_t *c, uint32_t open_id)
{
	return evtipc_simple(c, AIS_EVT_REQ_CHANNEL_CLOSE, open_id, 0);
}

static inline int evtipc_unsubscribe(qb_ipcc_connection_t *c, uint32_t open_id, uint32_t sub_id)
{
	return evtipc_simple(c, AIS_EVT_REQ_UNSUBSCRIBE, open_id, sub_id);
}

static inline int evtipc_unlink(qb_ipcc_connection_t *c, const char *name)
{
	struct ais_evt_req_unlink req;
	uint8_t res[64];

	memset(&req, 0, sizeof(req));
	req.header.id = AIS_EVT_REQ_CHANNEL_UNLINK;
	req.header.size = sizeof(req);
	evtipc_name(&req.name, name);
	return evtipc_call(c, &req, sizeof(req), res, sizeof(res));
}

static inline int evtipc_clear(qb_ipcc_connection_t *c, uint32_t open_id, uint64_t event_id)
{
	struct ais_evt_req_clear req;
	uint8_t res[64];

	memset(&req, 0, sizeof(req));
	req.header.id = AIS_EVT_REQ_RETENTION_CLEAR;
	req.header.size = sizeof(req);
	req.open_id = open_id;
	req.event_id = event_id;
	return evtipc_call(c, &req, sizeof(req), res, sizeof(res));
}

static inline void evtipc_credit(qb_ipcc_connection_t *c, uint32_t count)
{
	struct ais_evt_req_credit req;

	memset(&req, 0, sizeof(req));
	req.header.id = AIS_EVT_REQ_CREDIT;
	req.header.size = sizeof(req);
	req.count = count;
	(void)qb_ipcc_send(c, &req, sizeof(req));
}

/* Subscribe with one filter of type (0: no filter). */
static inline int evtipc_subscribe(qb_ipcc_connection_t *c, uint32_t open_id, uint32_t sub_id, uint32_t type,
                                   const char *pattern)
{
	uint8_t req[sizeof(struct ais_evt_req_subscribe) + sizeof(struct ais_evt_filter) + AIS_EVT_PATTERN_MAX + 8];
	struct ais_evt_req_subscribe s;
	struct ais_evt_filter f;
	size_t len = sizeof(s);
	uint8_t res[64];

	memset(req, 0, sizeof(req));
	memset(&s, 0, sizeof(s));
	s.header.id = AIS_EVT_REQ_SUBSCRIBE;
	s.open_id = open_id;
	s.sub_id = sub_id;
	if (type) {
		size_t pl = strlen(pattern);

		s.n_filters = 1;
		f.type = type;
		f.len = (uint32_t)pl;
		memcpy(req + len, &f, sizeof(f));
		len += sizeof(f);
		memcpy(req + len, pattern, pl);
		len += AIS_EVT_PAD(pl);
	}
	s.header.size = (int32_t)len;
	memcpy(req, &s, sizeof(s));
	return evtipc_call(c, req, len, res, sizeof(res));
}

/* Publish one event with one pattern and data; *ret_id on OK. */
static inline int evtipc_publish(qb_ipcc_connection_t *c, uint32_t open_id, uint32_t priority,
                                 int64_t retention_ns, const char *pattern, const void *data, uint32_t data_len,
                                 uint64_t *ret_id)
{
	size_t pl = strlen(pattern);
	size_t len = sizeof(struct ais_evt_req_publish) + sizeof(struct ais_evt_blob) + AIS_EVT_PAD(pl) + data_len;
	uint8_t *req = calloc(1, len);
	struct ais_evt_req_publish p;
	struct ais_evt_blob b = { (uint32_t)pl, 0 };
	struct ais_evt_res_publish res;
	size_t off = sizeof(p);
	int e;

	if (!req)
		return -ENOMEM;
	memset(&p, 0, sizeof(p));
	memset(&res, 0, sizeof(res));
	p.header.id = AIS_EVT_REQ_PUBLISH;
	p.header.size = (int32_t)len;
	p.open_id = open_id;
	p.priority = priority;
	p.retention_ns = retention_ns;
	evtipc_name(&p.publisher, "evtraw");
	p.n_patterns = 1;
	p.data_len = data_len;
	memcpy(req, &p, sizeof(p));
	memcpy(req + off, &b, sizeof(b));
	off += sizeof(b);
	memcpy(req + off, pattern, pl);
	off += AIS_EVT_PAD(pl);
	if (data_len)
		memcpy(req + off, data, data_len);
	e = evtipc_call(c, req, len, &res, sizeof(res));
	free(req);
	if (ret_id)
		*ret_id = res.event_id;
	return e;
}

/* Next event into buf (at least sizeof ev_deliver); its size, 0 on timeout, -errno. */
static inline ssize_t evtipc_event(qb_ipcc_connection_t *c, void *buf, size_t len, int timeout_ms)
{
	ssize_t r = qb_ipcc_event_recv(c, buf, len, timeout_ms);

	if (r == -ETIMEDOUT || r == -EAGAIN)
		return 0;
	return r;
}

#endif
