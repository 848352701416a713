/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Totem single-ring protocol (Amir et al., ACM TOCS 13(4) 1995) with extended
 * virtual synchrony (Moser et al., ICDCS 1994): ordering, reliability, flow
 * control and membership. See srp_int.h for the state and the departures
 * from the paper and from Corosync.
 *
 * Threading: none. Every function runs in the host's single event context.
 * Callbacks into the host run from inside srp_recv() or a timer; a callback
 * may call srp_mcast() but must not call srp_destroy().
 */
#ifndef AIS_TOTEM_SRP_H
#define AIS_TOTEM_SRP_H

#include "totem.h"

typedef struct srp srp_t;

struct srp_callbacks {
	/** Deliver one message in total order. msg is only valid during the call. */
	void (*deliver)(void *ctx, totem_nodeid_t sender, const void *msg, size_t len,
	                enum totem_guarantee guarantee);
	/** A configuration change, in order with the messages. Arrays are only
	 *  valid during the call; members are sorted by node id. */
	void (*confchg)(void *ctx, enum totem_confchg_type type,
	                const totem_nodeid_t *members, size_t n_members,
	                const totem_nodeid_t *left, size_t n_left,
	                const totem_nodeid_t *joined, size_t n_joined,
	                const struct totem_ring_id *ring_id);
	/**
	 * A ring with sequence ring_seq is about to be formed with this node:
	 * make sure a restart can never reuse it. Must not block (the daemon
	 * keeps a durable reservation ahead of the rings in use and renews it
	 * from a writer thread); the next srp_create() on this node must
	 * receive a value >= every ring_seq accepted. Return 0 when ring_seq is
	 * safe, or -errno when it is not (the reservation could not be saved):
	 * this node then stays out of that ring (it neither sends nor accepts
	 * its commit token) and tries again at the next formation. May be NULL.
	 */
	int (*ring_seq_store)(void *ctx, uint64_t ring_seq);
	/**
	 * The token arrived in OPERATIONAL and this node may originate. Inside
	 * this call srp_origination_budget() tells how many frames srp_mcast()
	 * may still add: every frame queued by the time it returns, up to that
	 * budget, is originated in this very visit, so a layer that hands its
	 * frames over only from here never has a frame of its own waiting in
	 * srp across a configuration change. May be NULL.
	 */
	void (*token_received)(void *ctx);
};

struct srp_stats {
	uint64_t tokens_received;       /**< valid tokens handled */
	uint64_t token_rotations;       /**< rotations seen by the representative */
	uint64_t mcast_tx, mcast_rx;    /**< originated / received data frames */
	uint64_t retransmits_tx;        /**< frames re-sent for the rtr list */
	uint64_t retransmit_requests;   /**< seqs this node asked for */
	uint64_t retransmit_wait_max;   /**< most token visits a seq was missing here before it was first asked for */
	uint64_t delivered;             /**< messages handed up */
	uint64_t frames_bad;            /**< dropped: failed to decode */
	uint64_t frames_foreign;        /**< dropped: not for our ring / state */
	uint64_t ring_seq_refused;      /**< rings not joined: their seq could not be saved */
	uint64_t frames_implausible;    /**< dropped: naming a node outside the nodelist */
	uint64_t token_lost;            /**< token-loss timeouts */
	uint64_t memb_changes;          /**< regular configurations installed */
	uint64_t consensus_timeouts;
	uint64_t fail_recv;             /**< times this node declared itself failed */
	uint64_t token_paced;           /**< visits held back by token_pace */
	uint64_t pace_held_us;          /**< time those visits were held, us */
	uint32_t backlog;               /**< last token backlog */
	uint32_t send_queue_len;        /**< frames waiting to be originated */
	uint32_t send_queue_max;
};

enum srp_state {
	SRP_STATE_OPERATIONAL = 1,
	SRP_STATE_GATHER = 2,
	SRP_STATE_COMMIT = 3,
	SRP_STATE_RECOVERY = 4,
};

/**
 * Create an instance and start forming a ring (it enters GATHER at once).
 * cfg is copied; it must have passed totem_config_validate(). ring_seq is the
 * last value ring_seq_store() persisted on this node (0 on first boot).
 * ctx is passed to every op and callback. Returns NULL on out-of-memory.
 */
srp_t *srp_create(const struct totem_config *cfg, uint64_t ring_seq,
                  const struct totem_transport_ops *net,
                  const struct totem_clock_ops *clock,
                  const struct srp_callbacks *cb, void *ctx);

/** Free everything; cancels all timers. Accepts NULL; returns NULL. */
srp_t *srp_destroy(srp_t *srp);

/** Feed one received datagram (from any node). Bad frames are counted and
 *  dropped, never asserted on. */
void srp_recv(srp_t *srp, const void *buf, size_t len);

/**
 * Queue one frame of at most srp_payload_max() bytes for origination.
 * Returns 0, -EAGAIN when the send queue is full, -EMSGSIZE when too big.
 * The message is delivered back to this node in order, like everyone's.
 */
int srp_mcast(srp_t *srp, const void *msg, size_t len, enum totem_guarantee guarantee);

/** Bytes of payload one srp_mcast() call may carry (netmtu minus headers). */
size_t srp_payload_max(const srp_t *srp);

/**
 * Inside the token_received callback: frames srp_mcast() may add that this
 * token visit will originate (flow control, retransmissions and what the
 * send queue already holds taken into account). 0 anywhere else.
 */
uint32_t srp_origination_budget(const srp_t *srp);

/**
 * Frames the layer above holds for origination outside srp's send queue.
 * They count in this node's share of the token's backlog (flow control)
 * and keep the token moving; a non-zero value wakes an idle ring the way
 * srp_mcast() does.
 */
void srp_backlog_set(srp_t *srp, uint32_t frames);

/**
 * The layer above queued msgs application messages (it packs them into
 * frames later). Token pacing estimates this node's message rate from
 * these and from srp_mcast() calls made outside token_received.
 */
void srp_load_note(srp_t *srp, uint32_t msgs);

/** Free slots in the send queue (frames). */
uint32_t srp_send_queue_avail(const srp_t *srp);

/** Fill level of the send queue in percent (0..100), for flow control. */
uint32_t srp_queue_level(const srp_t *srp);

/**
 * Leave the ring cleanly: tell the others this node is going, so they
 * reform at once without waiting for a token timeout. After this the
 * instance only waits to be destroyed.
 */
void srp_leave(srp_t *srp);

enum srp_state srp_state_get(const srp_t *srp);
void srp_stats_get(const srp_t *srp, struct srp_stats *ret_stats);
/** Current ring id and members (regular configuration); returns count. */
size_t srp_members_get(const srp_t *srp, struct totem_ring_id *ret_ring_id,
                       totem_nodeid_t *ret_members, size_t max);
totem_nodeid_t srp_nodeid(const srp_t *srp);

#endif
