/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the admin engine (services/cfg.c) on bytes from outside. The
 * first input byte picks either an IPC request id (what aistool, or any
 * local process, sends) or the engine's cluster message (what another node
 * multicasts); the rest is the message body after its header. IPC requests
 * pass the router's min/max length check first, as in the daemon. Nothing
 * may read past the input, and every answer must be a well-formed response
 * whose size matches what was sent. The executive's admin functions
 * (fuzz_admin.c), the router's engine lookup and the api are minimal doubles.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <saAis.h>
#include <ais/ipc.h>
#include <ais/ipc_cfg.h>
#include <ais/admin.h>
#include <ais/service.h>

#include "fuzz_admin.h"

extern const struct ais_service_engine ais_cfg_engine;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t last_conn_id;
static ais_conn_t *const fuzz_conn = (ais_conn_t *)(uintptr_t)0x2000;

static ais_nodeid_t fuzz_local_nodeid(void)
{
	return 1;
}

static int fuzz_responsev_send(ais_conn_t *conn, const struct iovec *iov, size_t iovcnt)
{
	const struct qb_ipc_response_header *h = iov[0].iov_base;
	size_t len = 0;

	for (size_t i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	if (conn != fuzz_conn || iov[0].iov_len < sizeof(*h) || (size_t)h->size != len ||
	    h->error != SA_AIS_OK || len > AIS_IPC_MSG_MAX)
		abort();
	return 0;
}

static int fuzz_response_send(ais_conn_t *conn, const void *msg, size_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)msg, .iov_len = len };

	return fuzz_responsev_send(conn, &iov, 1);
}

static int fuzz_mcast(const struct iovec *iov, size_t iovcnt, enum ais_guarantee g)
{
	const struct ais_exec_header *h = iov[0].iov_base;
	size_t len = 0;

	(void)g;
	for (size_t i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	if (iov[0].iov_len < sizeof(*h) || le32toh(h->size) != len)
		abort();
	return 0;
}

static uint64_t fuzz_conn_id(ais_conn_t *conn)
{
	(void)conn;
	return ++last_conn_id;
}

static ais_conn_t *fuzz_conn_lookup(uint64_t id)
{
	return id == last_conn_id ? fuzz_conn : NULL;
}

static void fuzz_conn_credentials(ais_conn_t *conn, pid_t *ret_pid, uid_t *ret_uid, gid_t *ret_gid)
{
	(void)conn;
	*ret_pid = 1;
	*ret_uid = 65534;
	*ret_gid = 65534;
}

static void fuzz_shutdown_request(void)
{
}


static const struct ais_api fuzz_api = {
	.abi_version = AIS_SERVICE_ABI_VERSION,
	.local_nodeid = fuzz_local_nodeid,
	.mcast = fuzz_mcast,
	.response_send = fuzz_response_send,
	.responsev_send = fuzz_responsev_send,
	.conn_id = fuzz_conn_id,
	.conn_lookup = fuzz_conn_lookup,
	.conn_credentials = fuzz_conn_credentials,
	.shutdown_request = fuzz_shutdown_request,
	.admin = &fuzz_admin_api,
};

/* --- the engine lookup the admin table answers with (fuzz_admin.c) ------ */

const struct ais_service_engine *fuzz_engine_get(uint16_t id)
{
	return id == AIS_SERVICE_CFG ? &ais_cfg_engine : NULL;
}

/* --- the target -------------------------------------------------------- */

static void fuzz_lib(unsigned id, const uint8_t *body, size_t body_len)
{
	const struct ais_lib_handler *h = &ais_cfg_engine.lib_handlers[id];
	size_t len = sizeof(struct qb_ipc_request_header) + body_len;
	struct qb_ipc_request_header *req;

	/* the router's checks */
	if (!h->fn || len < h->min_len || len > h->max_len)
		return;
	req = malloc(len);
	if (!req)
		return;
	req->id = (int32_t)id;
	req->size = (int32_t)len;
	memcpy(req + 1, body, body_len);
	h->fn(fuzz_conn, req, len);
	free(req);
}

static void fuzz_exec(const uint8_t *body, size_t body_len)
{
	const struct ais_exec_handler *h = &ais_cfg_engine.exec_handlers[0];
	size_t len = sizeof(struct ais_exec_header) + body_len;
	struct ais_exec_header *m;

	if (len < h->min_len || len > h->max_len)
		return;
	m = malloc(len);
	if (!m)
		return;
	m->id = htole32(AIS_EXEC_ID(AIS_SERVICE_CFG, 0));
	m->size = htole32((uint32_t)len);
	memcpy(m + 1, body, body_len);
	/* as our own message (answers the client) and as another node's */
	h->fn(m, len, 1);
	h->fn(m, len, 2);
	free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned pick;

	if (size < 1)
		return 0;
	ais_cfg_engine.exec_init_fn(&fuzz_api);
	pick = data[0] % (AIS_CFG_REQ_COUNT + 1);
	if (pick < AIS_CFG_REQ_COUNT)
		fuzz_lib(pick, data + 1, size - 1);
	else
		fuzz_exec(data + 1, size - 1);
	ais_cfg_engine.exec_exit_fn();
	return 0;
}
