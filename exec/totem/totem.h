/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Types shared by every layer of the totem stack (srp, pg) and by the code
 * that hosts it (the daemon and the simulator): node ids, ring ids, the
 * configuration-change kinds, delivery guarantees, the tunables, and the two
 * small ops tables through which the protocol reaches the outside world
 * (a datagram transport and a clock with one-shot timers).
 *
 * The totem library holds no sockets, no threads and no main loop: the host
 * calls srp_recv() for every datagram and runs the timers it was asked for.
 * The same code therefore runs in aisexec and inside test/sim/totemsim.
 */
#ifndef AIS_TOTEM_H
#define AIS_TOTEM_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/** Largest number of processors in one ring. */
#define TOTEM_PROCESSORS_MAX 64

/** A node id is never 0 (0 is reserved for "nobody"). */
typedef uint32_t totem_nodeid_t;

/** A ring is named by its representative (lowest member) and a 64-bit
 *  sequence that only ever grows on every node, across restarts. */
struct totem_ring_id {
	totem_nodeid_t rep;
	uint64_t seq;
};

enum totem_confchg_type {
	TOTEM_CONFCHG_TRANSITIONAL = 0,
	TOTEM_CONFCHG_REGULAR = 1,
};

enum totem_guarantee {
	TOTEM_AGREED = 0, /**< total order, delivered once all lower seqs are here */
	TOTEM_SAFE = 1,   /**< also only once every member is known to hold it */
};

/** token_pace not set: totem_config_finish() derives it */
#define TOTEM_PACE_AUTO UINT32_MAX
/** the derived token_pace, in microseconds (docs/PERFORMANCE.md, "Token pacing") */
#define TOTEM_PACE_DEFAULT_US 1000U

/**
 * Tunables. Times are milliseconds. totem_config_defaults() fills every field
 * with the defaults of docs (REFERENCE section 1.6); totem_config_finish()
 * derives the dependent values (token_retransmit, hold, consensus when left
 * 0) and totem_config_validate() applies the sanity rules.
 */
struct totem_config {
	totem_nodeid_t nodeid;              /**< this node, != 0 */
	uint32_t token;                     /**< token-loss timeout (base) */
	uint32_t token_coefficient;         /**< added per node beyond 2 */
	uint32_t token_retransmits_before_loss_const;
	uint32_t token_retransmit;          /**< derived when 0 */
	uint32_t hold;                      /**< derived when 0 */
	uint32_t token_warning;             /**< percent of token; 0 = off */
	uint32_t join;
	uint32_t send_join;
	uint32_t consensus;                 /**< derived when 0 */
	uint32_t merge;
	uint32_t downcheck;
	uint32_t fail_recv_const;
	uint32_t seqno_unchanged_const;
	uint32_t miss_count_const;
	uint32_t window_size;
	uint32_t max_messages;
	/** Accelerated Ring: of the frames one visit originates, this many
	 *  (at most) go out right after the token is forwarded; 0 = classic */
	uint32_t accelerated_window;
	/** Token pacing, microseconds: on a busy ring whose visits carry few
	 *  frames a node holds the token until this long after its previous
	 *  visit, so each visit carries more; 0 = off; TOTEM_PACE_AUTO (the
	 *  default) = TOTEM_PACE_DEFAULT_US, or a tenth of token_retransmit
	 *  when that is less (totem_config_finish()) */
	uint32_t token_pace;
	uint32_t netmtu;                    /**< bytes of payload a frame may carry */
	uint32_t send_queue_max;            /**< frames the srp send queue holds */
	uint32_t max_msg_size;              /**< largest pg (application) message */
	uint32_t seq_start;                 /**< first seq of every ring; tests start near 2^32 */
	uint32_t node_count;                /**< configured nodes (token_coefficient) */
	/** The node ids that may take part (the nodelist); known_count 0: any.
	 *  Membership frames naming another node are dropped as implausible. */
	uint32_t known_count;
	totem_nodeid_t known[TOTEM_PROCESSORS_MAX];
	/* effective values after totem_config_finish() */
	uint32_t token_effective;
};

/**
 * The network as the protocol sees it. Datagrams may be lost, duplicated or
 * reordered; the transport never delivers a node's own sends back to it.
 * All functions return 0 or -errno; a failed send is treated as a loss.
 */
struct totem_transport_ops {
	/** send to every configured node except this one */
	int (*mcast)(void *ctx, const void *buf, size_t len);
	/** send to one node */
	int (*ucast)(void *ctx, totem_nodeid_t to, const void *buf, size_t len);
};

typedef void (*totem_timer_fn)(void *data);

/**
 * Time and one-shot timers. now_us() is monotonic. timer_add() arms a timer
 * that calls fn(data) once after ms milliseconds and writes a non-zero handle
 * to *ret_handle; timer_del() cancels it (a handle of 0, or one that already
 * fired, is ignored).
 */
struct totem_clock_ops {
	uint64_t (*now_us)(void *ctx);
	int (*timer_add)(void *ctx, uint32_t ms, totem_timer_fn fn, void *data, uint64_t *ret_handle);
	void (*timer_del)(void *ctx, uint64_t handle);
	/** a random number, for send_join jitter; the simulator makes it seeded */
	uint32_t (*random)(void *ctx);
	/** like timer_add() with a delay in microseconds (token pacing); may be
	 *  NULL, then timer_add() is used with the delay rounded up to ms */
	int (*timer_add_us)(void *ctx, uint32_t us, totem_timer_fn fn, void *data, uint64_t *ret_handle);
};

void totem_config_defaults(struct totem_config *cfg);
/** Derive token_effective, token_retransmit, hold and consensus where 0. */
void totem_config_finish(struct totem_config *cfg);
/**
 * Check the sanity rules (REFERENCE 1.6). On failure returns -EINVAL and
 * writes a one-line reason naming the key into errbuf.
 */
int totem_config_validate(const struct totem_config *cfg, char *errbuf, size_t errlen);

#endif
