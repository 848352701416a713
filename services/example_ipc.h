/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the example engine (services/example.c) and its client
 * (services/example_client.c) exchange over IPC: replicated named counters.
 * IPC never leaves the host, so these structs are in host byte order; the
 * engine's cluster messages (in example.c) are little-endian.
 */
#ifndef AIS_EXAMPLE_IPC_H
#define AIS_EXAMPLE_IPC_H

#include <stdint.h>
#include <qb/qbipc_common.h>

/** Counter names: 1..31 bytes, NUL-terminated inside the 32-byte field. */
#define EXAMPLE_NAME_LEN 32

/** Request ids (index into the engine's lib_handlers). */
enum example_req_id {
	EXAMPLE_REQ_ADD = 0,       /* cluster-wide: counter += delta */
	EXAMPLE_REQ_GET = 1,       /* local read */
	EXAMPLE_REQ_SUBSCRIBE = 2, /* change notifications on/off */
	EXAMPLE_REQ_COUNT = 3,
};

/** Response ids (one per request) and the event id. */
enum example_res_id {
	EXAMPLE_RES_ADD = 0,
	EXAMPLE_RES_GET = 1,
	EXAMPLE_RES_SUBSCRIBE = 2,
	EXAMPLE_EVENT_CHANGED = 100,
};

struct example_req_add {
	struct qb_ipc_request_header header;
	char name[EXAMPLE_NAME_LEN];
	int64_t delta;
};

struct example_req_get {
	struct qb_ipc_request_header header;
	char name[EXAMPLE_NAME_LEN];
};

/** name empty: every counter; else just that one. on = 0 unsubscribes. */
struct example_req_subscribe {
	struct qb_ipc_request_header header;
	char name[EXAMPLE_NAME_LEN];
	uint32_t on;
	uint32_t reserved;
};

/** Answer to ADD and GET: the counter's value after the request. */
struct example_res_value {
	struct qb_ipc_response_header header;
	int64_t value;
};

struct example_res_subscribe {
	struct qb_ipc_response_header header;
};

/**
 * A counter changed (sent to subscribed connections on every node). lost
 * counts the notifications dropped for this connection since the previous
 * one it received, because its event queue was full.
 */
struct example_event_changed {
	struct qb_ipc_response_header header;
	char name[EXAMPLE_NAME_LEN];
	int64_t value;
	int64_t delta;
	uint32_t nodeid;
	uint32_t lost;
};

#endif
