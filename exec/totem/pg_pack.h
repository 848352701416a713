/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pure halves of the process-group layer, with no srp underneath so
 * they can be tested and fuzzed alone:
 *
 *  - pg_packer: the sending side. It packs whole messages into frames of at
 *    most payload_max bytes (pg_wire.h) and cuts a message that does not fit
 *    the space left into fragments. Finished frames leave through an emit
 *    callback; the one partly filled frame stays until pg_packer_flush().
 *  - pg_frame_walk(): the one decoder of a frame (buf, len).
 *  - pg_asm: the receiving side. It decodes frames, hands whole messages up
 *    and reassembles fragments in one assembly per sender.
 *
 * Neither side logs; they count in pg_asm_stats / return -errno and the glue
 * (pg.c) decides what to log.
 */
#ifndef AIS_TOTEM_PG_PACK_H
#define AIS_TOTEM_PG_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "totem.h"

/** Smallest frame payload pg works with (a fragment needs room to move). */
#define PG_PAYLOAD_MIN 128
/** A fragment is only started in a partly filled frame when at least this
 *  many message bytes fit there; otherwise the frame is closed first. */
#define PG_FRAG_MIN 64
/** Default of totem_config.max_msg_size when it is 0. */
#define PG_MSG_SIZE_DEFAULT (1024 * 1024 + 64 * 1024)

/**
 * Called for every finished frame, in order. The frame is only valid during
 * the call. Returns 0 or -errno; the packer does not retry: the caller makes
 * sure frames can be taken (pg.c keeps a backlog for frames srp refuses).
 */
typedef int (*pg_frame_emit_fn)(void *ctx, const void *frame, size_t len,
                                enum totem_guarantee guarantee);

struct pg_packer {
	uint8_t *frame;         /**< payload_max bytes; header written on close */
	size_t payload_max;
	size_t used;            /**< bytes of frame in use, header included; 0 = none open */
	uint32_t count;         /**< items in the open frame */
	enum totem_guarantee guarantee; /**< of the open frame */
	uint32_t msg_no;        /**< number of the next message (fragments carry it) */
	/* counters, for pg_stats */
	uint64_t msgs;          /**< messages accepted */
	uint64_t msgs_packed;   /**< whole messages placed in a frame with others */
	uint64_t fragments;     /**< fragment items written */
	uint64_t frames;        /**< frames emitted */
};

/** Allocate the frame buffer. -EINVAL if payload_max < PG_PAYLOAD_MIN. */
int pg_packer_init(struct pg_packer *p, size_t payload_max);
void pg_packer_fini(struct pg_packer *p);

/**
 * Frame slots adding a len-byte message would take: frames it closes (the
 * open one included when it closes it) plus one for the frame left open
 * afterwards, if any. Nothing changes.
 */
uint32_t pg_packer_frames_needed(const struct pg_packer *p, size_t len,
                                 enum totem_guarantee guarantee);

/**
 * An upper bound of pg_packer_frames_needed() for either guarantee, in O(1):
 * the open frame (if any) plus one frame for every share of the message a
 * freshly opened frame surely holds (payload_max less the frame, item and
 * fragment headers). Lets a caller skip the exact count when even the bound
 * fits.
 */
uint32_t pg_packer_frames_bound(const struct pg_packer *p, size_t len);

/**
 * Append one message of len bytes (the sum of the iovec lengths). Frames
 * that fill up are emitted at once. Returns 0, or the first emit error
 * (the message is fully packed either way).
 */
int pg_packer_add(struct pg_packer *p, const struct iovec *iov, size_t iovcnt,
                  enum totem_guarantee guarantee, pg_frame_emit_fn emit, void *ctx);

/** A whole message held by the caller, for pg_packer_add_part(). */
struct pg_packer_msg {
	const uint8_t *data;    /**< len bytes, never NULL */
	size_t len;
	uint32_t msg_no;        /**< carried by its fragments */
	enum totem_guarantee guarantee;
};

/**
 * Pack the bytes [*off, len) of m, closing (emitting) at most max_frames
 * frames. Stops at a frame boundary when the limit is reached, with *off
 * telling how far it got; a later call resumes there. Writes the frames
 * emitted to *ret_frames. Returns 0 or the first emit error. The counters
 * msgs and msg_no are left to the caller (it numbers the messages).
 */
int pg_packer_add_part(struct pg_packer *p, const struct pg_packer_msg *m, size_t *off,
                       uint32_t max_frames, pg_frame_emit_fn emit, void *ctx,
                       uint32_t *ret_frames);

/**
 * Bookkeeping without bytes: advance p as if a len-byte message had been
 * packed and return the frames that would have been closed. A packer used
 * only this way (no frame buffer needed) counts the frames a queue of
 * messages will take when packed in order from a frame boundary.
 */
uint32_t pg_packer_account(struct pg_packer *p, size_t len, enum totem_guarantee guarantee);

/** Drop the open frame's bookkeeping (no emit): back to a frame boundary. */
void pg_packer_forget(struct pg_packer *p);

/** Emit the open frame, if any. On an emit error it stays open. */
int pg_packer_flush(struct pg_packer *p, pg_frame_emit_fn emit, void *ctx);

static inline bool pg_packer_pending(const struct pg_packer *p)
{
	return p->used != 0;
}

/** One decoded item of a frame; pointers point into the frame. */
struct pg_item {
	const uint8_t *data;
	uint32_t len;
	bool frag;
	uint32_t msg_no;     /**< fragments only */
	uint32_t total_len;  /**< fragments only */
	uint32_t offset;     /**< fragments only */
};

typedef void (*pg_item_fn)(void *ctx, const struct pg_item *item);

/**
 * Decode a frame: check the header, then every item length, fragment range
 * and the count against the bytes there, and that nothing trails. Only when
 * the whole frame is valid and item_fn is not NULL, call it for each item in
 * order. Returns the item count, or -EBADMSG (nothing was called).
 */
int pg_frame_walk(const void *buf, size_t len, uint32_t max_msg_size,
                  pg_item_fn item_fn, void *ctx);

typedef void (*pg_msg_fn)(void *ctx, totem_nodeid_t sender, const void *msg, size_t len,
                          enum totem_guarantee guarantee);

struct pg_asm_stats {
	uint64_t frames;                /**< frames decoded */
	uint64_t frames_bad;            /**< frames dropped: failed to decode */
	uint64_t msgs;                  /**< whole messages handed up */
	uint64_t fragments;             /**< fragment items received */
	uint64_t assemblies_done;       /**< fragmented messages completed */
	uint64_t assemblies_discarded;  /**< partial assemblies thrown away */
	uint64_t fragments_orphaned;    /**< continuation fragments with no assembly */
};

typedef struct pg_asm pg_asm_t;

/** An assembler for messages of up to max_msg_size bytes. NULL on ENOMEM. */
pg_asm_t *pg_asm_create(uint32_t max_msg_size, pg_msg_fn deliver, void *ctx);
/** Accepts NULL; returns NULL. */
pg_asm_t *pg_asm_destroy(pg_asm_t *a);

/**
 * One frame from sender, with srp's guarantee. Whole messages and completed
 * assemblies go to deliver in frame order. Returns 0 or -EBADMSG (frame
 * counted and dropped; no message of it delivered).
 */
int pg_asm_frame(pg_asm_t *a, totem_nodeid_t sender, const void *buf, size_t len,
                 enum totem_guarantee guarantee);

/** Discard the partial assembly of sender, if any. Returns 1 if one was. */
int pg_asm_discard_sender(pg_asm_t *a, totem_nodeid_t sender);
/** Discard the partial assemblies of every sender not in members (sorted
 *  or not). Returns how many were discarded. */
size_t pg_asm_discard_except(pg_asm_t *a, const totem_nodeid_t *members, size_t n_members);
/** Discard every partial assembly. Returns how many were discarded. */
size_t pg_asm_discard_all(pg_asm_t *a);
/** Partial assemblies held now. */
size_t pg_asm_pending(const pg_asm_t *a);

void pg_asm_stats_get(const pg_asm_t *a, struct pg_asm_stats *ret_stats);

#endif
