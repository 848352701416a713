/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLM messages between libSaClm and the clm service engine (private: not
 * installed). Both ends run on the same host and share this header, so the
 * fields are in host byte order; every struct is fixed width with explicit
 * padding, and its size and field offsets are checked below.
 *
 * Requests start with qb_ipc_request_header (16 bytes), responses and
 * events with qb_ipc_response_header (24 bytes) whose error is an
 * SaAisErrorT. A failed request may be answered with the bare header; the
 * library reads a body only when the response is long enough for it.
 *
 * The cluster (exec) messages between engines are in services/clm_wire.h.
 */
#ifndef AIS_IPC_CLM_H
#define AIS_IPC_CLM_H

#include <stddef.h>
#include <stdint.h>
#include <qb/qbipc_common.h>

#include <ais/ipc.h>

/** Request ids (lib -> engine); each response uses the same id. */
enum ais_clm_req_id {
	AIS_CLM_REQ_TRACK = 0,
	AIS_CLM_REQ_TRACK_STOP = 1,
	AIS_CLM_REQ_NODE_GET = 2,
	AIS_CLM_REQ_NODE_GET_ASYNC = 3,
	AIS_CLM_REQ_COUNT
};

/** Event ids (engine -> lib, on the event channel). */
enum ais_clm_event_id {
	AIS_CLM_EV_TRACK = 0x100,
	AIS_CLM_EV_NODE_GET = 0x101,
};

/** Most nodes the service knows (members of one view). */
#define AIS_CLM_NODES_MAX 64
#define AIS_CLM_ADDRESS_MAX 64
#define AIS_CLM_NAME_MAX 256

/** SaClmClusterChangesT values used on the wire. */
#define AIS_CLM_NO_CHANGE 1u
#define AIS_CLM_JOINED 2u
#define AIS_CLM_LEFT 3u

/** SaClmNodeAddressFamilyT values. */
#define AIS_CLM_AF_INET 1u
#define AIS_CLM_AF_INET6 2u

/** One node as the library turns it into SaClmClusterNodeT(_4). */
struct ais_clm_node {
	uint32_t nodeid;
	uint32_t family;      /**< AIS_CLM_AF_* */
	uint32_t member;      /**< 0 or 1 */
	uint16_t address_len; /**< <= AIS_CLM_ADDRESS_MAX */
	uint16_t name_len;    /**< <= AIS_CLM_NAME_MAX */
	int64_t boot_timestamp;
	uint64_t initial_view;
	uint8_t address[AIS_CLM_ADDRESS_MAX]; /**< text, not NUL-terminated */
	uint8_t name[AIS_CLM_NAME_MAX];
};
_Static_assert(sizeof(struct ais_clm_node) == 352, "ais_clm_node layout");
_Static_assert(offsetof(struct ais_clm_node, boot_timestamp) == 16, "ais_clm_node layout");
_Static_assert(offsetof(struct ais_clm_node, address) == 32, "ais_clm_node layout");
_Static_assert(offsetof(struct ais_clm_node, name) == 96, "ais_clm_node layout");

/** A node and what happened to it in a view. */
struct ais_clm_item {
	struct ais_clm_node node;
	uint32_t change; /**< AIS_CLM_NO_CHANGE / JOINED / LEFT */
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_clm_item) == 360, "ais_clm_item layout");

/* ---- requests and their responses --------------------------------------- */

/** TRACK: what `current` asks for. */
#define AIS_CLM_CURRENT_NONE 0u     /**< no current membership */
#define AIS_CLM_CURRENT_REPLY 1u    /**< in the response (synchronous) */
#define AIS_CLM_CURRENT_CALLBACK 2u /**< as one track event */

/**
 * TRACK. flags: SA_TRACK_CHANGES or SA_TRACK_CHANGES_ONLY (or 0: leave
 * tracking as it is). With CURRENT_REPLY and max_items != 0 the engine
 * answers SA_AIS_ERR_NO_SPACE (with count = the members) when there are more
 * members than max_items, and changes nothing.
 */
struct ais_clm_req_track {
	struct qb_ipc_request_header header;
	uint32_t flags;
	uint32_t current;
	uint32_t max_items; /**< 0: no limit */
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_clm_req_track) == 32, "req_track size");

/** Answer to TRACK: count items follow (only with CURRENT_REPLY). */
struct ais_clm_res_track {
	struct qb_ipc_response_header header;
	uint64_t view;
	uint32_t n_members;
	uint32_t count;
	/* struct ais_clm_item items[count]; */
};
_Static_assert(sizeof(struct ais_clm_res_track) == 40, "res_track size");

/** NODE_GET. */
struct ais_clm_req_node_get {
	struct qb_ipc_request_header header;
	uint32_t nodeid; /**< SA_CLM_LOCAL_NODE_ID: this node */
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_clm_req_node_get) == 24, "req_node_get size");

struct ais_clm_res_node_get {
	struct qb_ipc_response_header header;
	struct ais_clm_node node;
};
_Static_assert(sizeof(struct ais_clm_res_node_get) == 376, "res_node_get size");

/** NODE_GET_ASYNC: answered with a bare header, then a NODE_GET event. */
struct ais_clm_req_node_get_async {
	struct qb_ipc_request_header header;
	uint64_t invocation;
	uint32_t nodeid;
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_clm_req_node_get_async) == 32, "req_node_get_async size");

/** TRACK_STOP (no body). */
struct ais_clm_req_plain {
	struct qb_ipc_request_header header;
};

struct ais_clm_res_plain {
	struct qb_ipc_response_header header;
};

/* ---- events --------------------------------------------------------------- */

/** TRACK: count items follow; n_members is the member count of the view. */
struct ais_clm_ev_track {
	struct qb_ipc_response_header header;
	uint64_t view;
	uint32_t n_members;
	uint32_t count;
	/* struct ais_clm_item items[count]; */
};
_Static_assert(sizeof(struct ais_clm_ev_track) == 40, "ev_track size");

/** NODE_GET: header.error is the result; node valid when it is SA_AIS_OK. */
struct ais_clm_ev_node_get {
	struct qb_ipc_response_header header;
	uint64_t invocation;
	struct ais_clm_node node;
};
_Static_assert(sizeof(struct ais_clm_ev_node_get) == 384, "ev_node_get size");

/**
 * Each shared-memory ring of a clm connection (the engine's
 * ipc_buffer_size; the library connects with it): the largest clm message,
 * a track callback listing every node twice (members and those that left),
 * with room for libqb's chunk headers.
 */
#define AIS_CLM_IPC_BUFFER_SIZE (64 * 1024)
_Static_assert(sizeof(struct ais_clm_ev_track) + 2 * AIS_CLM_NODES_MAX * sizeof(struct ais_clm_item) + 4096 <=
		       AIS_CLM_IPC_BUFFER_SIZE,
	       "clm rings hold the largest track callback");

#endif
