/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CPG messages between libaiscpg and the cpg service engine (private: not
 * installed). Both ends run on the same host and share this header, so the
 * fields are in host byte order; every struct is fixed width with explicit
 * padding, and its size and field offsets are checked below.
 *
 * Requests start with qb_ipc_request_header (16 bytes), responses and
 * events with qb_ipc_response_header (24 bytes) whose error is a cs_error_t.
 * When a request fails, the response may be the bare header (the router
 * answers errors itself); the library reads the body only on CS_OK.
 *
 * The cluster (exec) messages between engines are in services/cpg_wire.h.
 */
#ifndef AIS_IPC_CPG_H
#define AIS_IPC_CPG_H

#include <stddef.h>
#include <stdint.h>
#include <qb/qbipc_common.h>

#include <ais/ipc.h>

/** Request ids (lib -> engine); each response uses the same id. */
enum ais_cpg_req_id {
	AIS_CPG_REQ_JOIN = 0,
	AIS_CPG_REQ_LEAVE = 1,
	AIS_CPG_REQ_MCAST = 2,
	AIS_CPG_REQ_MEMBERSHIP_GET = 3,
	AIS_CPG_REQ_LOCAL_GET = 4,
	AIS_CPG_REQ_ITER_INIT = 5,
	AIS_CPG_REQ_ITER_NEXT = 6,
	AIS_CPG_REQ_ITER_FINALIZE = 7,
	AIS_CPG_REQ_FLOW_CONTROL_GET = 8,
	AIS_CPG_REQ_MAX_MSG_SIZE_GET = 9,
	AIS_CPG_REQ_MODEL_SET = 10,
	AIS_CPG_REQ_COUNT
};

/** Event ids (engine -> lib, on the event channel). */
enum ais_cpg_event_id {
	AIS_CPG_EV_DELIVER = 0x100,
	AIS_CPG_EV_CONFCHG = 0x101,
	AIS_CPG_EV_TOTEM_CONFCHG = 0x102,
};

/** Largest group name and message payload. */
#define AIS_CPG_NAME_MAX 128
#define AIS_CPG_MSG_MAX (1024 * 1024)

/** A group name as it travels (same layout as struct cpg_name). */
struct ais_cpg_name {
	uint32_t length;
	uint8_t value[AIS_CPG_NAME_MAX];
};
_Static_assert(sizeof(struct ais_cpg_name) == 132, "ais_cpg_name layout");

/** (nodeid, pid, reason): same layout as struct cpg_address. */
struct ais_cpg_address {
	uint32_t nodeid;
	uint32_t pid;
	uint32_t reason;
};
_Static_assert(sizeof(struct ais_cpg_address) == 12, "ais_cpg_address layout");

/* ---- requests and their responses --------------------------------------- */

/** JOIN / LEAVE. The engine takes the pid from the connection's credentials. */
struct ais_cpg_req_group {
	struct qb_ipc_request_header header;
	struct ais_cpg_name group;
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_cpg_req_group) == 152, "req_group size");
_Static_assert(offsetof(struct ais_cpg_req_group, group) == 16, "req_group offset");

/** MCAST: followed by msg_len payload bytes (header.size = 24 + msg_len). */
struct ais_cpg_req_mcast {
	struct qb_ipc_request_header header;
	uint32_t guarantee; /**< cpg_guarantee_t */
	uint32_t msg_len;
};
_Static_assert(sizeof(struct ais_cpg_req_mcast) == 24, "req_mcast size");
_Static_assert(offsetof(struct ais_cpg_req_mcast, msg_len) == 20, "req_mcast offset");

/** MEMBERSHIP_GET uses ais_cpg_req_group; the answer: count addresses follow. */
struct ais_cpg_res_membership {
	struct qb_ipc_response_header header;
	uint32_t count;
	uint32_t pad;
	/* struct ais_cpg_address members[count]; */
};
_Static_assert(sizeof(struct ais_cpg_res_membership) == 32, "res_membership size");

/** Answer to LOCAL_GET, FLOW_CONTROL_GET and MAX_MSG_SIZE_GET. */
struct ais_cpg_res_u32 {
	struct qb_ipc_response_header header;
	uint32_t value;
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_cpg_res_u32) == 32, "res_u32 size");

/** ITER_INIT. group is used only for CPG_ITERATION_ONE_GROUP. */
struct ais_cpg_req_iter_init {
	struct qb_ipc_request_header header;
	uint32_t iteration_type; /**< cpg_iteration_type_t */
	struct ais_cpg_name group;
};
_Static_assert(sizeof(struct ais_cpg_req_iter_init) == 152, "req_iter_init size");
_Static_assert(offsetof(struct ais_cpg_req_iter_init, group) == 20, "req_iter_init offset");

/** Answer to ITER_INIT; request of ITER_NEXT and ITER_FINALIZE. */
struct ais_cpg_res_iter {
	struct qb_ipc_response_header header;
	uint64_t iter_id;
};
_Static_assert(sizeof(struct ais_cpg_res_iter) == 32, "res_iter size");

struct ais_cpg_req_iter {
	struct qb_ipc_request_header header;
	uint64_t iter_id;
};
_Static_assert(sizeof(struct ais_cpg_req_iter) == 24, "req_iter size");

/** Answer to ITER_NEXT (error CS_ERR_NO_SECTIONS after the last entry). */
struct ais_cpg_res_iter_next {
	struct qb_ipc_response_header header;
	struct ais_cpg_name group;
	uint32_t nodeid;
	uint32_t pid;
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_cpg_res_iter_next) == 168, "res_iter_next size");
_Static_assert(offsetof(struct ais_cpg_res_iter_next, nodeid) == 156, "res_iter_next offset");

/** MODEL_SET: what this connection wants beyond deliver/confchg. */
#define AIS_CPG_MODEL_TOTEM_CONFCHG 0x100u /**< send totem confchg events */
/** Every flag MODEL_SET accepts. */
#define AIS_CPG_MODEL_FLAGS (CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF | \
                             CPG_MODEL_V1_DELIVER_TRANSITIONAL_TOTEM_CONF | \
                             AIS_CPG_MODEL_TOTEM_CONFCHG)
struct ais_cpg_req_model {
	struct qb_ipc_request_header header;
	uint32_t flags; /**< CPG_MODEL_V1_* | AIS_CPG_MODEL_TOTEM_CONFCHG */
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_cpg_req_model) == 24, "req_model size");

/** Requests without a body (LOCAL_GET, FLOW_CONTROL_GET, MAX_MSG_SIZE_GET). */
struct ais_cpg_req_plain {
	struct qb_ipc_request_header header;
};

/** Bare answer (JOIN, LEAVE, MCAST, ITER_FINALIZE, MODEL_SET, any error). */
struct ais_cpg_res_plain {
	struct qb_ipc_response_header header;
};

/* ---- events --------------------------------------------------------------- */

/** DELIVER: followed by msg_len payload bytes. */
struct ais_cpg_ev_deliver {
	struct qb_ipc_response_header header;
	struct ais_cpg_name group;
	uint32_t nodeid;
	uint32_t pid;
	uint32_t msg_len;
	uint32_t pad;
	/* uint8_t msg[msg_len]; */
};
_Static_assert(sizeof(struct ais_cpg_ev_deliver) == 176, "ev_deliver size");
_Static_assert(offsetof(struct ais_cpg_ev_deliver, msg_len) == 164, "ev_deliver offset");

/** CONFCHG: member, left and joined addresses follow, in that order. */
struct ais_cpg_ev_confchg {
	struct qb_ipc_response_header header;
	struct ais_cpg_name group;
	uint32_t member_count;
	uint32_t left_count;
	uint32_t joined_count;
	uint32_t pad;
	/* struct ais_cpg_address list[member_count + left_count + joined_count]; */
};
_Static_assert(sizeof(struct ais_cpg_ev_confchg) == 176, "ev_confchg size");
_Static_assert(offsetof(struct ais_cpg_ev_confchg, joined_count) == 164, "ev_confchg offset");

/** TOTEM_CONFCHG: count node ids (uint32_t) follow. type is
 *  AIS_CPG_TOTEM_REGULAR, or AIS_CPG_TOTEM_TRANSITIONAL (only to connections
 *  that set CPG_MODEL_V1_DELIVER_TRANSITIONAL_TOTEM_CONF). */
#define AIS_CPG_TOTEM_REGULAR 0u
#define AIS_CPG_TOTEM_TRANSITIONAL 1u
struct ais_cpg_ev_totem_confchg {
	struct qb_ipc_response_header header;
	uint64_t ring_seq;
	uint32_t ring_nodeid;
	uint32_t count;
	uint32_t type;
	uint32_t pad;
	/* uint32_t members[count]; */
};
_Static_assert(sizeof(struct ais_cpg_ev_totem_confchg) == 48, "ev_totem_confchg size");
_Static_assert(offsetof(struct ais_cpg_ev_totem_confchg, count) == 36, "ev_totem_confchg offset");
_Static_assert(offsetof(struct ais_cpg_ev_totem_confchg, type) == 40, "ev_totem_confchg offset");

/* A whole deliver event must fit the IPC buffers. */
_Static_assert(sizeof(struct ais_cpg_ev_deliver) + AIS_CPG_MSG_MAX <= AIS_IPC_MSG_MAX,
               "IPC buffer too small for the largest CPG message");

#endif
