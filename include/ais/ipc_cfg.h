/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Requests and responses between aistool and the admin engine (services/cfg.c,
 * service id 0, IPC service "ais-<instance>-cfg").
 *
 * Every request starts with struct qb_ipc_request_header (16 bytes), every
 * response with struct qb_ipc_response_header (24 bytes); `size` counts the
 * whole message. All fields after the header are fixed-width and
 * little-endian (write them with htole*, read them with le*toh); strings are
 * NUL-terminated inside their fixed arrays. Variable-length responses carry
 * a count and are followed by exactly that many entries.
 *
 * Read requests (status, members, ring, services, dump) are answered by the
 * node that receives them. Fault requests are multicast to the ring in safe
 * order and applied by every node that delivers them; the asking node
 * answers once it has applied the request itself. `fault clear` is applied
 * at once on the asking node (so a node cut off by a partition can always be
 * healed) and multicast to the rest of its ring.
 */
#ifndef AIS_IPC_CFG_H
#define AIS_IPC_CFG_H

#include <stddef.h>
#include <stdint.h>
#include <qb/qbipc_common.h>

/** Request ids (qb_ipc_request_header.id). */
enum ais_cfg_request_id {
	AIS_CFG_REQ_STATUS = 0,
	AIS_CFG_REQ_MEMBERS = 1,
	AIS_CFG_REQ_RING = 2,
	AIS_CFG_REQ_SERVICES = 3,
	AIS_CFG_REQ_DUMP = 4,
	AIS_CFG_REQ_SHUTDOWN = 5,
	AIS_CFG_REQ_FAULT_DROP = 6,
	AIS_CFG_REQ_FAULT_PARTITION = 7,
	AIS_CFG_REQ_FAULT_CLEAR = 8,
	AIS_CFG_REQ_FAULT_DUPLICATE = 9,
	AIS_CFG_REQ_FAULT_DELAY = 10,
	AIS_CFG_REQ_FAULT_HEAL = 11,
	AIS_CFG_REQ_FAULT_DROP_MCAST = 12,
	AIS_CFG_REQ_COUNT = 13,
};

/** Response ids (qb_ipc_response_header.id): request id | 0x100. */
#define AIS_CFG_RES(req) ((int32_t)(0x100 | (req)))

/** Most members a members response carries (TOTEM_PROCESSORS_MAX). */
#define AIS_CFG_MEMBERS_MAX 64
/** Most engines a services response carries (AIS_SERVICE_ID_MAX). */
#define AIS_CFG_SERVICES_MAX 32
/** Most node ids in one fault request (both partition groups together). */
#define AIS_CFG_FAULT_NODES_MAX 64
/** Largest dump text (bytes, without the terminating NUL). */
#define AIS_CFG_DUMP_TEXT_MAX (256 * 1024)

/* srp_state values as carried in status.state */
#define AIS_CFG_STATE_OPERATIONAL 1
#define AIS_CFG_STATE_GATHER 2
#define AIS_CFG_STATE_COMMIT 3
#define AIS_CFG_STATE_RECOVERY 4

/* --- requests --------------------------------------------------------- */

/** status, members, ring, services, dump, shutdown, fault clear, fault heal. */
struct ais_cfg_req_plain {
	struct qb_ipc_request_header header;
};
_Static_assert(sizeof(struct ais_cfg_req_plain) == 16, "cfg plain request layout");

/** fault drop: drop percent (0..100) of the packets to/from nodes[] (all
 *  peers when n_nodes == 0). fault drop-mcast, same layout: nodes[] (every
 *  node when n_nodes == 0) drop percent of the message frames they receive. */
struct ais_cfg_req_fault_drop {
	struct qb_ipc_request_header header;
	uint32_t percent;
	uint32_t n_nodes;
	uint32_t nodes[AIS_CFG_FAULT_NODES_MAX];   /* only n_nodes sent */
};
_Static_assert(offsetof(struct ais_cfg_req_fault_drop, percent) == 16, "fault drop layout");
_Static_assert(offsetof(struct ais_cfg_req_fault_drop, nodes) == 24, "fault drop layout");
_Static_assert(sizeof(struct ais_cfg_req_fault_drop) == 24 + 4 * AIS_CFG_FAULT_NODES_MAX,
               "fault drop layout");
#define AIS_CFG_REQ_FAULT_DROP_MIN offsetof(struct ais_cfg_req_fault_drop, nodes)

/** fault partition: nodes[0..n_a) form group A, nodes[n_a..n_a+n_b) group B. */
struct ais_cfg_req_fault_partition {
	struct qb_ipc_request_header header;
	uint32_t n_a;
	uint32_t n_b;
	uint32_t nodes[AIS_CFG_FAULT_NODES_MAX];   /* only n_a + n_b sent */
};
_Static_assert(offsetof(struct ais_cfg_req_fault_partition, n_a) == 16, "fault partition layout");
_Static_assert(offsetof(struct ais_cfg_req_fault_partition, nodes) == 24, "fault partition layout");
_Static_assert(sizeof(struct ais_cfg_req_fault_partition) == 24 + 4 * AIS_CFG_FAULT_NODES_MAX,
               "fault partition layout");
#define AIS_CFG_REQ_FAULT_PARTITION_MIN offsetof(struct ais_cfg_req_fault_partition, nodes)

/** fault duplicate (ms must be 0) and fault delay: duplicate / delay by ms
 *  (at most AIS_CFG_FAULT_DELAY_MAX_MS) percent (0..100) of the frames. */
struct ais_cfg_req_fault_rate {
	struct qb_ipc_request_header header;
	uint32_t percent;
	uint32_t ms;
};
_Static_assert(offsetof(struct ais_cfg_req_fault_rate, percent) == 16, "fault rate layout");
_Static_assert(sizeof(struct ais_cfg_req_fault_rate) == 24, "fault rate layout");
#define AIS_CFG_FAULT_DELAY_MAX_MS 10000

/* --- responses -------------------------------------------------------- */

/** shutdown and fault requests. result: 0, or -errno from applying the
 *  request on the answering node. */
struct ais_cfg_res_simple {
	struct qb_ipc_response_header header;
	int32_t result;
	uint32_t reserved;
};
_Static_assert(sizeof(struct ais_cfg_res_simple) == 32, "cfg simple response layout");

struct ais_cfg_res_status {
	struct qb_ipc_response_header header;
	uint32_t nodeid;
	uint32_t pid;
	uint32_t state;             /* AIS_CFG_STATE_* */
	uint32_t member_count;
	uint32_t ring_rep;
	uint32_t flags;             /* AIS_CFG_STATUS_* */
	uint64_t ring_seq;
	uint64_t uptime_ms;
	char instance[32];
	char cluster_name[64];
	char transport[8];
};
#define AIS_CFG_STATUS_SYNCING 0x1u
#define AIS_CFG_STATUS_FAULT_INJECTION 0x2u
_Static_assert(offsetof(struct ais_cfg_res_status, nodeid) == 24, "status layout");
_Static_assert(offsetof(struct ais_cfg_res_status, ring_seq) == 48, "status layout");
_Static_assert(offsetof(struct ais_cfg_res_status, instance) == 64, "status layout");
_Static_assert(sizeof(struct ais_cfg_res_status) == 168, "status layout");

struct ais_cfg_member {
	uint32_t nodeid;
	char address[64];
	char name[64];
};
_Static_assert(sizeof(struct ais_cfg_member) == 132, "member layout");

/** Followed by count struct ais_cfg_member. */
struct ais_cfg_res_members {
	struct qb_ipc_response_header header;
	uint32_t ring_rep;
	uint32_t count;
	uint64_t ring_seq;
};
_Static_assert(sizeof(struct ais_cfg_res_members) == 40, "members layout");

struct ais_cfg_res_ring {
	struct qb_ipc_response_header header;
	uint32_t state;
	uint32_t queue_level;       /* send queue fill, percent */
	uint32_t backlog;
	uint32_t send_queue_len;
	uint32_t send_queue_max;
	uint32_t reserved;
	uint64_t tokens_received;
	uint64_t token_rotations;
	uint64_t mcast_tx;
	uint64_t mcast_rx;
	uint64_t retransmits_tx;
	uint64_t retransmit_requests;
	uint64_t delivered;
	uint64_t frames_bad;
	uint64_t frames_foreign;
	uint64_t token_lost;
	uint64_t memb_changes;
	uint64_t consensus_timeouts;
	uint64_t fail_recv;
	/* frames refused (docs/SECURITY.md) */
	uint64_t rx_auth_failed;     /* failed authentication (secauth) */
	uint64_t rx_bad_header;      /* not one of our frames */
	uint64_t rx_foreign_cluster; /* another cluster_name */
	uint64_t rx_unknown_node;    /* udpu: a sender outside the nodelist */
	uint64_t rx_implausible;     /* from another address than its sender's, or in another's name */
	uint64_t frames_implausible; /* membership frames naming nodes outside the nodelist */
	uint64_t ring_seq_refused;   /* rings not joined: their seq could not be saved */
	/* the fault filter (aistool fault) */
	uint64_t fault_dropped;
	uint64_t fault_duplicated;
	uint64_t fault_delayed;
	uint64_t rx_replayed;        /* secauth: authenticated frames sent again (replays) */
	/* Appended later, at the end only: a reply of AIS_CFG_RES_RING_V1_LEN
	 * bytes (an older daemon) ends before them; readers show the ones
	 * present. */
	uint64_t token_paced;        /* token visits held back by the pace (totem token_pace) */
	uint64_t pace_held_us;       /* time they were held, us */
	uint64_t tx_calls;           /* network send system calls (sendmmsg, sendto) */
	uint64_t rx_calls;           /* network receive system calls (recvmmsg) */
	uint64_t retransmit_wait_max; /* most token visits a seq was missing before it was asked for */
};
_Static_assert(offsetof(struct ais_cfg_res_ring, tokens_received) == 48, "ring layout");
/** Length of the ring reply before token_paced (the first appended field). */
#define AIS_CFG_RES_RING_V1_LEN (48 + 24 * 8)
_Static_assert(offsetof(struct ais_cfg_res_ring, token_paced) == AIS_CFG_RES_RING_V1_LEN, "ring layout");
_Static_assert(sizeof(struct ais_cfg_res_ring) == AIS_CFG_RES_RING_V1_LEN + 5 * 8, "ring layout");

struct ais_cfg_service {
	char name[16];
	uint32_t id;
	uint32_t connections;
	uint64_t lib_requests;
	uint64_t lib_errors;
	uint64_t exec_messages;
	uint64_t exec_dropped;
	uint64_t events_queued;
	uint64_t events_dropped;
};
_Static_assert(sizeof(struct ais_cfg_service) == 72, "service layout");

/** Followed by count struct ais_cfg_service. */
struct ais_cfg_res_services {
	struct qb_ipc_response_header header;
	uint32_t count;
	uint32_t reserved;
};
_Static_assert(sizeof(struct ais_cfg_res_services) == 32, "services layout");

/** Followed by text_len bytes of text (lines ending in '\n', no NUL).
 *  flags & AIS_CFG_DUMP_TRUNCATED: the engines wrote more than
 *  AIS_CFG_DUMP_TEXT_MAX bytes and the rest was cut. */
struct ais_cfg_res_dump {
	struct qb_ipc_response_header header;
	uint32_t text_len;
	uint32_t flags;
	char blackbox[256];         /* file the blackbox went to, "" on failure */
	int32_t blackbox_result;    /* 0 or -errno from writing it */
	uint32_t reserved;
};
#define AIS_CFG_DUMP_TRUNCATED 0x1u
_Static_assert(offsetof(struct ais_cfg_res_dump, blackbox) == 32, "dump layout");
_Static_assert(sizeof(struct ais_cfg_res_dump) == 296, "dump layout");

/**
 * Each shared-memory ring of a cfg connection (the engine's
 * ipc_buffer_size; the library connects with it): the largest reply is a
 * dump with its full text, with room for libqb's chunk headers.
 */
#define AIS_CFG_IPC_BUFFER_SIZE (320 * 1024)
_Static_assert(sizeof(struct ais_cfg_res_dump) + AIS_CFG_DUMP_TEXT_MAX + 4096 <= AIS_CFG_IPC_BUFFER_SIZE,
	       "cfg rings hold the largest dump");
_Static_assert(sizeof(struct ais_cfg_res_members) + AIS_CFG_MEMBERS_MAX * sizeof(struct ais_cfg_member) + 4096 <=
		       AIS_CFG_IPC_BUFFER_SIZE,
	       "cfg rings hold the member list");

#endif
