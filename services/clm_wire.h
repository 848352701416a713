/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cluster (exec) messages of the clm engine. There is one: NODE, the record
 * each node multicasts about itself in the sync process step after every
 * configuration change. Little-endian on the wire, written and read only
 * through clm_wire_node_encode/decode; the packed struct pins the layout.
 *
 *   NODE = hdr ring_seq:u64 ring_rep:u32 nodeid:u32 boot_timestamp:i64
 *          initial_view:u64 family:u32 address_len:u16 name_len:u16
 *          address:u8[64] name:u8[256]                       (368 bytes)
 *   hdr  = struct ais_exec_header {id, size}
 *
 * address is the node's ring address as text, name its node name; bytes
 * past each length must be zero. The ring id ties the record to one sync
 * round; the router hands the sender's node id to the handler, which must
 * equal nodeid.
 */
#ifndef AIS_SERVICES_CLM_WIRE_H
#define AIS_SERVICES_CLM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <ais/ipc_clm.h>
#include <ais/service.h>

enum clm_exec_fn {
	CLM_EXEC_NODE = 0,
	CLM_EXEC_COUNT
};

struct clm_wire_node_layout {
	struct ais_exec_header hdr;
	uint64_t ring_seq;
	uint32_t ring_rep;
	uint32_t nodeid;
	int64_t boot_timestamp;
	uint64_t initial_view;
	uint32_t family;
	uint16_t address_len;
	uint16_t name_len;
	uint8_t address[AIS_CLM_ADDRESS_MAX];
	uint8_t name[AIS_CLM_NAME_MAX];
} __attribute__((packed));
_Static_assert(sizeof(struct clm_wire_node_layout) == 368, "clm wire node size");
_Static_assert(offsetof(struct clm_wire_node_layout, ring_seq) == 8, "clm wire node ring_seq");
_Static_assert(offsetof(struct clm_wire_node_layout, nodeid) == 20, "clm wire node nodeid");
_Static_assert(offsetof(struct clm_wire_node_layout, boot_timestamp) == 24, "clm wire node boot");
_Static_assert(offsetof(struct clm_wire_node_layout, family) == 40, "clm wire node family");
_Static_assert(offsetof(struct clm_wire_node_layout, address) == 48, "clm wire node address");
_Static_assert(offsetof(struct clm_wire_node_layout, name) == 112, "clm wire node name");

#define CLM_WIRE_NODE_SIZE sizeof(struct clm_wire_node_layout)

/** A node record in host order (strings zero-filled past their length). */
struct clm_wire_node {
	struct ais_ring_id ring_id;
	uint32_t nodeid;
	int64_t boot_timestamp;
	uint64_t initial_view;
	uint32_t family; /**< AIS_CLM_AF_INET or AIS_CLM_AF_INET6 */
	uint16_t address_len;
	uint16_t name_len;
	uint8_t address[AIS_CLM_ADDRESS_MAX];
	uint8_t name[AIS_CLM_NAME_MAX];
};

/**
 * Write a NODE message into buf[CLM_WIRE_NODE_SIZE]. 0, or -EINVAL when n
 * would not decode (bad family, lengths, empty name, node id 0).
 */
int clm_wire_node_encode(uint8_t *buf, const struct clm_wire_node *n);

/**
 * Decode a NODE message (header included). 0, or -EBADMSG when len, the
 * header, a length or the family is out of range, the name is empty, the
 * node id is 0, or a byte past a length is not zero.
 */
int clm_wire_node_decode(const void *buf, size_t len, struct clm_wire_node *ret_n);

/**
 * Validate a client request (include/ais/ipc_clm.h, qb_ipc_request_header
 * included) the way the engine's handlers rely on: a known id, header size
 * equal to len, the exact length of that request, and its fields in range
 * (TRACK: flags 0, SA_TRACK_CHANGES or SA_TRACK_CHANGES_ONLY, current one of
 * AIS_CLM_CURRENT_*, not both empty). 0 or -EINVAL.
 */
int clm_ipc_request_check(const void *msg, size_t len);

#endif
