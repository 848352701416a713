/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Process-group layer above srp: whole application messages of 0 bytes up to
 * totem_config.max_msg_size (default 1 MiB + 64 KiB) in total order. Many small
 * messages are packed into one srp frame; a large one is cut into fragments
 * that each receiver reassembles per sender. A configuration change discards
 * every partial assembly (their senders' remaining fragments can no longer
 * arrive in this configuration) and nothing else; a surviving sender sends
 * such a cut message again, whole, in the new ring (see pg.c).
 *
 * pg sits between srp and the host: the host creates pg with its own
 * callbacks, and pg creates the srp instance, so the host talks to pg only.
 */
#ifndef AIS_TOTEM_PG_H
#define AIS_TOTEM_PG_H

#include "srp.h"

typedef struct pg pg_t;

/** Same shape as srp_callbacks.deliver/confchg, with whole messages. */
struct pg_callbacks {
	void (*deliver)(void *ctx, totem_nodeid_t sender, const void *msg, size_t len,
	                enum totem_guarantee guarantee);
	void (*confchg)(void *ctx, enum totem_confchg_type type,
	                const totem_nodeid_t *members, size_t n_members,
	                const totem_nodeid_t *left, size_t n_left,
	                const totem_nodeid_t *joined, size_t n_joined,
	                const struct totem_ring_id *ring_id);
	int (*ring_seq_store)(void *ctx, uint64_t ring_seq); /**< as srp_callbacks.ring_seq_store */
	/**
	 * A frame of accepted messages could not be handed to srp (out of
	 * memory): they are lost, which breaks the promise that an accepted
	 * message is delivered unless its sender fails. The host must make
	 * this node fail (leave the ring); optional, NULL: only counted.
	 */
	void (*frame_lost)(void *ctx, size_t len, int err);
};

pg_t *pg_create(const struct totem_config *cfg, uint64_t ring_seq,
                const struct totem_transport_ops *net,
                const struct totem_clock_ops *clock,
                const struct pg_callbacks *cb, void *ctx);
pg_t *pg_destroy(pg_t *pg);

/**
 * Queue one message (iovec so callers can prepend headers without copying;
 * the bytes are copied). Returns 0; -EAGAIN when pg's queue has no room for
 * all of its frames (send_queue_max frames in all; nothing is queued then: a
 * message is all or nothing); -EMSGSIZE above max_msg_size; -ENOMEM.
 * An accepted message is delivered to its sender unless the sender fails,
 * and never split across rings (see pg.c).
 */
struct iovec;
int pg_mcast(pg_t *pg, const struct iovec *iov, size_t iovcnt, enum totem_guarantee guarantee);

/**
 * Like pg_mcast(), in the priority lane: at every token visit its messages
 * are packed before any message of the normal lane (a normal message whose
 * first fragment already left is finished first). Order is kept per lane
 * only; the lane has its own send_queue_max. For the executive's sync
 * traffic (see pg.c).
 */
int pg_mcast_prio(pg_t *pg, const struct iovec *iov, size_t iovcnt,
                  enum totem_guarantee guarantee);

/**
 * While held, the normal lane originates nothing (the priority lane goes
 * on); its messages stay queued. The executive holds it from a
 * configuration change until sync completes, so every application message
 * of the new ring is delivered after sync at every member.
 */
void pg_normal_hold(pg_t *pg, bool hold);

/** Would a message of len bytes be accepted now (normal lane)? */
bool pg_send_ok(const pg_t *pg, size_t len);

/** Queue fill level in percent, for IPC flow control. */
uint32_t pg_queue_level(const pg_t *pg);

/** The srp instance underneath (stats, members, leave, recv). */
srp_t *pg_srp(pg_t *pg);

struct pg_stats {
	uint64_t msgs_tx;               /**< messages accepted by pg_mcast() */
	uint64_t msgs_packed;           /**< of those, whole ones that shared a frame */
	uint64_t fragments_tx;          /**< fragments sent */
	uint64_t frames_tx;             /**< frames handed to srp */
	uint64_t mcast_eagain;          /**< pg_mcast() refused for lack of queue room */
	uint64_t msgs_rx;               /**< whole messages delivered upward */
	uint64_t fragments_rx;          /**< fragments received */
	uint64_t assemblies_discarded;  /**< partial assemblies thrown away */
	uint64_t fragments_orphaned;    /**< fragments with no assembly to continue */
	uint64_t frames_bad;            /**< frames dropped: failed to decode */
	uint32_t frames_backlog;        /**< frames the messages queued in pg take */
	uint64_t msgs_restarted;        /**< messages cut by a configuration change and
	                                     sent again whole in the new ring */
	uint64_t frames_lost;           /**< frames srp refused (out of memory) */
};

void pg_stats_get(const pg_t *pg, struct pg_stats *ret_stats);

#endif
