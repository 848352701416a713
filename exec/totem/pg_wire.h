/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wire layout of a pg frame: the payload of one srp message.
 *
 *   frame   = frame_hdr item{count}
 *   frame_hdr = version:u8 flags:u8 count:u16
 *   item    = item_hdr [frag_hdr] payload
 *   item_hdr  = len_kind:u32   (low 31 bits: payload bytes; bit 31: fragment)
 *   frag_hdr  = msg_no:u32 total_len:u32 offset:u32
 *
 * Every field is little-endian and is read and written only through the
 * pg_le*() helpers below, never by casting a buffer to a struct: the structs
 * exist to pin the layout down with _Static_assert. A frame carries one
 * delivery guarantee (srp's); flags are reserved and must be 0. An item
 * without the fragment bit is a whole message; with it, the item is the
 * piece [offset, offset + len) of message msg_no of its sender, whose whole
 * length is total_len.
 */
#ifndef AIS_TOTEM_PG_WIRE_H
#define AIS_TOTEM_PG_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define PG_WIRE_VERSION 1

struct pg_frame_hdr {
	uint8_t version;
	uint8_t flags;
	uint16_t count;
};

struct pg_item_hdr {
	uint32_t len_kind;
};

struct pg_frag_hdr {
	uint32_t msg_no;
	uint32_t total_len;
	uint32_t offset;
};

_Static_assert(sizeof(struct pg_frame_hdr) == 4, "pg_frame_hdr size");
_Static_assert(offsetof(struct pg_frame_hdr, version) == 0, "pg_frame_hdr.version");
_Static_assert(offsetof(struct pg_frame_hdr, flags) == 1, "pg_frame_hdr.flags");
_Static_assert(offsetof(struct pg_frame_hdr, count) == 2, "pg_frame_hdr.count");
_Static_assert(sizeof(struct pg_item_hdr) == 4, "pg_item_hdr size");
_Static_assert(offsetof(struct pg_item_hdr, len_kind) == 0, "pg_item_hdr.len_kind");
_Static_assert(sizeof(struct pg_frag_hdr) == 12, "pg_frag_hdr size");
_Static_assert(offsetof(struct pg_frag_hdr, msg_no) == 0, "pg_frag_hdr.msg_no");
_Static_assert(offsetof(struct pg_frag_hdr, total_len) == 4, "pg_frag_hdr.total_len");
_Static_assert(offsetof(struct pg_frag_hdr, offset) == 8, "pg_frag_hdr.offset");

#define PG_FRAME_HDR_SIZE sizeof(struct pg_frame_hdr)
#define PG_ITEM_HDR_SIZE sizeof(struct pg_item_hdr)
#define PG_FRAG_HDR_SIZE sizeof(struct pg_frag_hdr)

/** Bit 31 of len_kind marks a fragment; the rest is the payload length. */
#define PG_ITEM_FRAG UINT32_C(0x80000000)
#define PG_ITEM_LEN_MASK UINT32_C(0x7fffffff)

/** Most items one frame may carry (the count field). */
#define PG_FRAME_ITEMS_MAX UINT16_MAX

static inline void pg_le16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void pg_le32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint16_t pg_le16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t pg_le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

#endif
