/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What an engine may ask of the executive beyond the core of struct ais_api
 * (include/ais/service.h): status, totem and transport counters, membership
 * with configured addresses, per-engine counters, the fault-injection filter
 * and the blackbox. Reached through api->admin; the admin engine
 * (services/cfg.c) is its main user, clm reads the node addresses from it.
 *
 * The structs are filled by the executive and only grow at their end (a new
 * counter is appended), so a reader that zeroes them first stays valid.
 */
#ifndef AIS_ADMIN_H
#define AIS_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ais/service.h>

/** Totem ring protocol state (the values of the cfg status reply). */
enum ais_admin_ring_state {
	AIS_ADMIN_RING_OPERATIONAL = 1,
	AIS_ADMIN_RING_GATHER = 2,
	AIS_ADMIN_RING_COMMIT = 3,
	AIS_ADMIN_RING_RECOVERY = 4,
};

struct ais_admin_member {
	uint32_t nodeid;
	char address[64];   /**< ring0_addr as configured, "" when unknown */
	char name[64];      /**< node name ("n1"...) or the address */
};

struct ais_admin_status {
	uint32_t nodeid;
	char instance[32];
	char cluster_name[64];
	char transport[8];             /**< "udpu" | "udp" */
	uint32_t state;                /**< enum ais_admin_ring_state */
	struct ais_ring_id ring_id;
	uint32_t member_count;
	bool sync_in_progress;
	uint64_t uptime_ms;
	int pid;
};

/** This node as the nodelist describes it (for the clm engine). */
struct ais_admin_local_node {
	uint32_t nodeid;
	char name[64];      /**< the nodelist entry's name, "" when not configured */
	char address[64];   /**< ring0_addr of the entry, else the bind address; "" when unknown */
	int family;         /**< AF_INET, AF_INET6, or AF_UNSPEC when unknown */
};

/** Totem counters (zeros before the ring exists). */
struct ais_admin_ring_stats {
	uint64_t tokens_received;       /**< valid tokens handled */
	uint64_t token_rotations;       /**< rotations seen by the representative */
	uint64_t mcast_tx, mcast_rx;    /**< originated / received data frames */
	uint64_t retransmits_tx;        /**< frames re-sent for the rtr list */
	uint64_t retransmit_requests;   /**< seqs this node asked for */
	uint64_t delivered;             /**< messages handed up */
	uint64_t frames_bad;            /**< dropped: failed to decode */
	uint64_t frames_foreign;        /**< dropped: not for our ring / state */
	uint64_t ring_seq_refused;      /**< rings not joined: their seq could not be saved */
	uint64_t frames_implausible;    /**< dropped: naming a node outside the nodelist */
	uint64_t token_lost;            /**< token-loss timeouts */
	uint64_t memb_changes;          /**< regular configurations installed */
	uint64_t consensus_timeouts;
	uint64_t fail_recv;             /**< times this node declared itself failed */
	uint32_t backlog;               /**< last token backlog */
	uint32_t send_queue_len;        /**< frames waiting to be originated */
	uint32_t send_queue_max;
	/* grown at the end only: readers that zero the struct first stay valid */
	uint64_t token_paced;           /**< token visits held back by token_pace */
	uint64_t pace_held_us;          /**< time they were held, us */
	uint64_t retransmit_wait_max;   /**< most token visits a seq was missing before this node asked for it */
	uint64_t tx_calls;              /**< network send system calls (sendmmsg, sendto) */
	uint64_t rx_calls;              /**< network receive system calls (recvmmsg) */
};

/** Frames the transport refused, by reason (zeros before it exists). */
struct ais_admin_refused {
	uint64_t auth_failed, bad_header, foreign_cluster, unknown_node, implausible;
	/* what the fault filter did (aistool fault) */
	uint64_t fault_dropped, fault_duplicated, fault_delayed;
	uint64_t replayed; /* secauth: an authenticated frame sent again */
};

struct ais_admin_service_stats {
	char name[16];
	uint16_t id;
	uint32_t connections;
	uint64_t lib_requests;
	uint64_t lib_errors;        /**< refused by the router or failed in a handler */
	uint64_t exec_messages;
	uint64_t exec_dropped;      /**< failed length checks */
	uint64_t events_queued;     /**< events currently waiting in client queues */
	uint64_t events_dropped;    /**< refused with -ENOBUFS */
};

struct ais_admin_api {
	void (*status_get)(struct ais_admin_status *ret);
	void (*local_node_get)(struct ais_admin_local_node *ret);
	/** Fills up to max members of the current regular configuration;
	 *  returns the member count (may be > max). ret_ring_id may be NULL. */
	size_t (*members_get)(struct ais_ring_id *ret_ring_id, struct ais_admin_member *ret, size_t max);
	void (*ring_stats_get)(struct ais_admin_ring_stats *ret);
	void (*refused_get)(struct ais_admin_refused *ret);
	/** Returns the number of loaded engines (fills up to max). */
	size_t (*service_stats_get)(struct ais_admin_service_stats *ret, size_t max);
	/** The loaded engine with that id, or NULL (for the state dump). */
	const struct ais_service_engine *(*engine_get)(uint16_t id);

	/* Fault filter (DESIGN section 8). All return -EPERM unless the config
	 * says totem { fault_injection: on }. */
	int (*fault_drop)(uint32_t percent, const uint32_t *nodes, size_t n_nodes);
	/** Drop percent (0..100) of the message frames received here if this
	 *  node is one of nodes (every node when n_nodes is 0). */
	int (*fault_drop_mcast)(uint32_t percent, const uint32_t *nodes, size_t n_nodes);
	/** Partition: groups of node ids; this node only talks to its own group. */
	int (*fault_partition)(const uint32_t *group_a, size_t n_a, const uint32_t *group_b, size_t n_b);
	/** Duplicate percent (0..100) of frames sent and received. */
	int (*fault_duplicate)(uint32_t percent);
	/** Delay percent (0..100) of frames by ms (1..10000) milliseconds. */
	int (*fault_delay)(uint32_t percent, uint32_t ms);
	/** Remove the partition only. */
	int (*fault_heal)(void);
	int (*fault_clear)(void);
	bool (*fault_enabled)(void);

	/** Write the libqb blackbox to a file in the run dir; returns the path
	 *  length written into ret_path, or -errno. */
	int (*blackbox_dump)(char *ret_path, size_t len);
};

#endif
