/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Totem SRP wire format. Every frame starts with the common header
 * (struct wire_hdr_le); all fields are fixed width and little-endian. The
 * *_le structs only document the layout (their sizes and offsets are
 * checked by _Static_assert); frames are never cast or swapped in place:
 * wire_*_decode() reads each field from the byte buffer into a host-order
 * struct after checking every length and count, and wire_*_encode() writes
 * the inverse. Decoders return 0 or -EBADMSG and never touch *ret on error.
 *
 * Frame types (REFERENCE 1.2, plus LEAVE):
 *   TOKEN          hdr + wire_token_le + rtr_count * u32 seq
 *   MCAST          hdr + wire_mcast_le + payload (payload_len bytes);
 *                  encapsulated = payload is a whole old-ring MCAST frame
 *   MERGE_DETECT   hdr only (ring id = the sender's ring)
 *   JOIN           hdr + wire_join_le + proc u32[] + failed u32[]
 *                  (both strictly ascending, non-zero)
 *   COMMIT_TOKEN   hdr + wire_commit_le + memb_count * wire_commit_memb_le
 *                  (hdr ring id = the ring being formed)
 *   HOLD_CANCEL    hdr only
 *   LEAVE          hdr only: the sender is leaving the ring for good
 */
#ifndef AIS_TOTEM_WIRE_H
#define AIS_TOTEM_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "totem.h"

#define WIRE_MAGIC 0x5e7aU
#define WIRE_VERSION 1U
/** Most retransmission requests one token carries. */
#define WIRE_RTR_MAX 30U
/** Largest frame any encoder produces or decoder accepts. */
#define WIRE_FRAME_MAX 65536U

enum wire_type {
	WIRE_TOKEN = 0,
	WIRE_MCAST = 1,
	WIRE_MERGE_DETECT = 2,
	WIRE_JOIN = 3,
	WIRE_COMMIT_TOKEN = 4,
	WIRE_HOLD_CANCEL = 5,
	WIRE_LEAVE = 6,
	WIRE_TYPE_COUNT = 7,
};

/**
 * Header flag: the sender declared itself failed to receive a short while
 * ago and must not be merged with yet (docs/membership.md, fail-to-receive).
 */
#define WIRE_FLAG_NO_MERGE 0x0001U

/* ---- layout (documentation + static checks only) ---------------------- */

struct wire_hdr_le {
	uint16_t magic;
	uint8_t version;
	uint8_t type;
	uint16_t flags;         /* 0; receivers ignore unknown bits */
	uint16_t reserved;
	uint32_t sender;
	uint32_t ring_rep;
	uint64_t ring_seq;
};
_Static_assert(sizeof(struct wire_hdr_le) == 24, "hdr size");
_Static_assert(offsetof(struct wire_hdr_le, type) == 3, "hdr type");
_Static_assert(offsetof(struct wire_hdr_le, flags) == 4, "hdr flags");
_Static_assert(offsetof(struct wire_hdr_le, sender) == 8, "hdr sender");
_Static_assert(offsetof(struct wire_hdr_le, ring_rep) == 12, "hdr ring_rep");
_Static_assert(offsetof(struct wire_hdr_le, ring_seq) == 16, "hdr ring_seq");

struct wire_token_le {
	uint32_t token_seq;
	uint32_t seq;
	uint32_t aru;
	uint32_t aru_addr;
	uint32_t backlog;
	uint32_t fcc;
	uint32_t install_seq;
	uint8_t retrans_flg;
	uint8_t install_set;
	uint16_t rtr_count;
};
_Static_assert(sizeof(struct wire_token_le) == 32, "token size");
_Static_assert(offsetof(struct wire_token_le, seq) == 4, "token seq");
_Static_assert(offsetof(struct wire_token_le, aru) == 8, "token aru");
_Static_assert(offsetof(struct wire_token_le, aru_addr) == 12, "token aru_addr");
_Static_assert(offsetof(struct wire_token_le, backlog) == 16, "token backlog");
_Static_assert(offsetof(struct wire_token_le, fcc) == 20, "token fcc");
_Static_assert(offsetof(struct wire_token_le, install_seq) == 24, "token install_seq");
_Static_assert(offsetof(struct wire_token_le, retrans_flg) == 28, "token retrans_flg");
_Static_assert(offsetof(struct wire_token_le, install_set) == 29, "token install_set");
_Static_assert(offsetof(struct wire_token_le, rtr_count) == 30, "token rtr_count");

struct wire_mcast_le {
	uint32_t seq;
	uint32_t payload_len;
	uint8_t guarantee;
	uint8_t encapsulated;
	uint16_t reserved;
};
_Static_assert(sizeof(struct wire_mcast_le) == 12, "mcast size");
_Static_assert(offsetof(struct wire_mcast_le, payload_len) == 4, "mcast payload_len");
_Static_assert(offsetof(struct wire_mcast_le, guarantee) == 8, "mcast guarantee");
_Static_assert(offsetof(struct wire_mcast_le, encapsulated) == 9, "mcast encapsulated");

struct wire_join_le {
	uint64_t ring_seq;
	uint16_t proc_count;
	uint16_t failed_count;
	uint32_t reserved;
};
_Static_assert(sizeof(struct wire_join_le) == 16, "join size");
_Static_assert(offsetof(struct wire_join_le, proc_count) == 8, "join proc_count");
_Static_assert(offsetof(struct wire_join_le, failed_count) == 10, "join failed_count");

struct wire_commit_le {
	uint32_t token_seq;
	uint16_t memb_index;
	uint16_t memb_count;
};
_Static_assert(sizeof(struct wire_commit_le) == 8, "commit size");
_Static_assert(offsetof(struct wire_commit_le, memb_index) == 4, "commit memb_index");
_Static_assert(offsetof(struct wire_commit_le, memb_count) == 6, "commit memb_count");

struct wire_commit_memb_le {
	uint32_t nodeid;
	uint32_t old_rep;
	uint64_t old_seq;
	uint32_t aru;
	uint32_t high_seq;
	uint32_t high_delivered;
	uint32_t safe_aru;
	uint8_t received_flg;
	uint8_t pad[7];
};
_Static_assert(sizeof(struct wire_commit_memb_le) == 40, "commit memb size");
_Static_assert(offsetof(struct wire_commit_memb_le, old_seq) == 8, "commit memb old_seq");
_Static_assert(offsetof(struct wire_commit_memb_le, aru) == 16, "commit memb aru");
_Static_assert(offsetof(struct wire_commit_memb_le, high_seq) == 20, "commit memb high_seq");
_Static_assert(offsetof(struct wire_commit_memb_le, high_delivered) == 24, "commit memb high_delivered");
_Static_assert(offsetof(struct wire_commit_memb_le, safe_aru) == 28, "commit memb safe_aru");
_Static_assert(offsetof(struct wire_commit_memb_le, received_flg) == 32, "commit memb received_flg");

#define WIRE_HDR_LEN sizeof(struct wire_hdr_le)
#define WIRE_TOKEN_LEN (WIRE_HDR_LEN + sizeof(struct wire_token_le))
#define WIRE_MCAST_LEN (WIRE_HDR_LEN + sizeof(struct wire_mcast_le))
#define WIRE_JOIN_LEN (WIRE_HDR_LEN + sizeof(struct wire_join_le))
#define WIRE_COMMIT_LEN (WIRE_HDR_LEN + sizeof(struct wire_commit_le))

/* ---- host-order forms -------------------------------------------------- */

struct wire_header {
	uint8_t type;
	uint16_t flags;
	totem_nodeid_t sender;
	struct totem_ring_id ring_id;
};

struct wire_token {
	struct wire_header hdr;
	uint32_t token_seq;
	uint32_t seq;
	uint32_t aru;
	totem_nodeid_t aru_addr;
	uint32_t backlog;
	uint32_t fcc;
	uint32_t install_seq;
	uint8_t retrans_flg;
	uint8_t install_set;
	uint16_t rtr_count;
	uint32_t rtr[WIRE_RTR_MAX];
};

struct wire_mcast {
	struct wire_header hdr;
	uint32_t seq;
	uint8_t guarantee;
	uint8_t encapsulated;
	uint32_t payload_len;
	const uint8_t *payload;   /* points into the decoded buffer */
};

struct wire_join {
	struct wire_header hdr;
	uint64_t ring_seq;
	uint16_t proc_count;
	uint16_t failed_count;
	totem_nodeid_t proc[TOTEM_PROCESSORS_MAX];
	totem_nodeid_t failed[TOTEM_PROCESSORS_MAX];
};

struct wire_commit_memb {
	totem_nodeid_t nodeid;
	struct totem_ring_id old_ring_id;
	uint32_t aru;
	uint32_t high_seq;
	uint32_t high_delivered;
	uint32_t safe_aru;
	uint8_t received_flg;
};

struct wire_commit {
	struct wire_header hdr;
	uint32_t token_seq;
	uint16_t memb_index;
	uint16_t memb_count;
	struct wire_commit_memb memb[TOTEM_PROCESSORS_MAX];
};

/** Peek at the common header (checks length, magic, version, type range). */
int wire_header_decode(const void *buf, size_t len, struct wire_header *ret_hdr);

int wire_token_decode(const void *buf, size_t len, struct wire_token *ret_token);
int wire_mcast_decode(const void *buf, size_t len, struct wire_mcast *ret_mcast);
int wire_join_decode(const void *buf, size_t len, struct wire_join *ret_join);
int wire_commit_decode(const void *buf, size_t len, struct wire_commit *ret_commit);
int wire_merge_detect_decode(const void *buf, size_t len, struct wire_header *ret_hdr);
int wire_hold_cancel_decode(const void *buf, size_t len, struct wire_header *ret_hdr);
int wire_leave_decode(const void *buf, size_t len, struct wire_header *ret_hdr);

/*
 * Encoders write into buf (buflen bytes) and return the frame length or
 * -EMSGSIZE when it does not fit, -EINVAL when the struct breaks a rule the
 * decoder enforces (counts, ordering). hdr.type is set by the encoder.
 */
ssize_t wire_token_encode(const struct wire_token *token, void *buf, size_t buflen);
ssize_t wire_mcast_encode(const struct wire_mcast *mcast, void *buf, size_t buflen);
ssize_t wire_join_encode(const struct wire_join *join, void *buf, size_t buflen);
ssize_t wire_commit_encode(const struct wire_commit *commit, void *buf, size_t buflen);
/** Header-only frames: MERGE_DETECT, HOLD_CANCEL, LEAVE. */
ssize_t wire_simple_encode(enum wire_type type, const struct wire_header *hdr, void *buf,
                           size_t buflen);

const char *wire_type_name(unsigned type);

#endif
