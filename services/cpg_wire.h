/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cluster (exec) messages of the cpg engine: what one node's cpg engine
 * multicasts to every other node's. Little-endian on the wire, written and
 * read only through the encode/decode functions in cpg_wire.c; the packed
 * structs below exist to pin the layout down.
 *
 *   PROCJOIN  = hdr name pid:u32 reason:u32 conn_id:u64          (156 bytes)
 *   PROCLEAVE = same as PROCJOIN (reason LEAVE or PROCDOWN)
 *   MCAST     = hdr name pid:u32 guarantee:u32 msg_len:u32 msg  (152 + msg_len)
 *   JOINLIST  = hdr ring_rep:u32 ring_seq:u64 count:u32 pad:u32
 *               entry{count}, entry = pid:u32 name               (28 + 136 n)
 *   name      = length:u32 value:u8[128]   (bytes past length are ignored)
 *   hdr       = struct ais_exec_header {id, size}
 *
 * The sender's node id is not carried: the router hands it to the handler.
 */
#ifndef AIS_SERVICES_CPG_WIRE_H
#define AIS_SERVICES_CPG_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <ais/ipc_cpg.h>
#include <ais/service.h>

enum cpg_exec_fn {
	CPG_EXEC_PROCJOIN = 0,
	CPG_EXEC_PROCLEAVE = 1,
	CPG_EXEC_MCAST = 2,
	CPG_EXEC_JOINLIST = 3,
	CPG_EXEC_COUNT
};

/** Most entries one JOINLIST carries: also the cap on a node's local members. */
#define CPG_JOINLIST_MAX 4096

struct cpg_wire_name_layout {
	uint32_t length;
	uint8_t value[AIS_CPG_NAME_MAX];
} __attribute__((packed));
_Static_assert(sizeof(struct cpg_wire_name_layout) == 132, "wire name size");

struct cpg_wire_proc_layout {
	struct ais_exec_header hdr;
	struct cpg_wire_name_layout group;
	uint32_t pid;
	uint32_t reason;
	uint64_t conn_id;
} __attribute__((packed));
_Static_assert(sizeof(struct cpg_wire_proc_layout) == 156, "wire proc size");
_Static_assert(offsetof(struct cpg_wire_proc_layout, group) == 8, "wire proc group");
_Static_assert(offsetof(struct cpg_wire_proc_layout, pid) == 140, "wire proc pid");
_Static_assert(offsetof(struct cpg_wire_proc_layout, reason) == 144, "wire proc reason");
_Static_assert(offsetof(struct cpg_wire_proc_layout, conn_id) == 148, "wire proc conn_id");

struct cpg_wire_mcast_layout {
	struct ais_exec_header hdr;
	struct cpg_wire_name_layout group;
	uint32_t pid;
	uint32_t guarantee;
	uint32_t msg_len;
} __attribute__((packed));
_Static_assert(sizeof(struct cpg_wire_mcast_layout) == 152, "wire mcast size");
_Static_assert(offsetof(struct cpg_wire_mcast_layout, pid) == 140, "wire mcast pid");
_Static_assert(offsetof(struct cpg_wire_mcast_layout, guarantee) == 144, "wire mcast guarantee");
_Static_assert(offsetof(struct cpg_wire_mcast_layout, msg_len) == 148, "wire mcast msg_len");

struct cpg_wire_joinlist_layout {
	struct ais_exec_header hdr;
	uint32_t ring_rep;
	uint64_t ring_seq;
	uint32_t count;
	uint32_t pad;
} __attribute__((packed));
_Static_assert(sizeof(struct cpg_wire_joinlist_layout) == 28, "wire joinlist size");
_Static_assert(offsetof(struct cpg_wire_joinlist_layout, ring_seq) == 12, "wire joinlist seq");
_Static_assert(offsetof(struct cpg_wire_joinlist_layout, count) == 20, "wire joinlist count");

struct cpg_wire_jl_entry_layout {
	uint32_t pid;
	struct cpg_wire_name_layout group;
} __attribute__((packed));
_Static_assert(sizeof(struct cpg_wire_jl_entry_layout) == 136, "wire joinlist entry size");

#define CPG_WIRE_PROC_SIZE sizeof(struct cpg_wire_proc_layout)
#define CPG_WIRE_MCAST_HDR_SIZE sizeof(struct cpg_wire_mcast_layout)
#define CPG_WIRE_JOINLIST_HDR_SIZE sizeof(struct cpg_wire_joinlist_layout)
#define CPG_WIRE_JL_ENTRY_SIZE sizeof(struct cpg_wire_jl_entry_layout)
#define CPG_WIRE_JOINLIST_MAX_SIZE (CPG_WIRE_JOINLIST_HDR_SIZE + CPG_JOINLIST_MAX * CPG_WIRE_JL_ENTRY_SIZE)

/* ---- host-order views ---------------------------------------------------- */

struct cpg_wire_proc {
	struct ais_cpg_name group; /**< value zero-filled past length */
	uint32_t pid;
	uint32_t reason;
	uint64_t conn_id;
};

struct cpg_wire_mcast {
	struct ais_cpg_name group;
	uint32_t pid;
	uint32_t guarantee; /**< enum ais_guarantee */
	uint32_t msg_len;
	const uint8_t *msg; /**< points into the decoded buffer */
};

struct cpg_wire_joinlist {
	struct ais_ring_id ring_id;
	uint32_t count;
	const uint8_t *entries; /**< count entries, read with cpg_wire_jl_entry_get */
};

struct cpg_wire_jl_entry {
	uint32_t pid;
	struct ais_cpg_name group;
};

/** A name is valid when length <= AIS_CPG_NAME_MAX. */
static inline int cpg_name_cmp(const struct ais_cpg_name *a, const struct ais_cpg_name *b)
{
	if (a->length != b->length)
		return a->length < b->length ? -1 : 1;
	for (uint32_t i = 0; i < a->length; i++) {
		if (a->value[i] != b->value[i])
			return a->value[i] < b->value[i] ? -1 : 1;
	}
	return 0;
}

/** Write a PROCJOIN/PROCLEAVE message (fn) into buf[CPG_WIRE_PROC_SIZE]. */
void cpg_wire_proc_encode(uint8_t *buf, enum cpg_exec_fn fn, const struct cpg_wire_proc *p);
/** 0, or -EBADMSG when len or a field is out of range. */
int cpg_wire_proc_decode(const void *buf, size_t len, struct cpg_wire_proc *ret_p);

/** Write the MCAST header into buf[CPG_WIRE_MCAST_HDR_SIZE]; the payload follows. */
void cpg_wire_mcast_hdr_encode(uint8_t *buf, const struct cpg_wire_mcast *m);
int cpg_wire_mcast_decode(const void *buf, size_t len, struct cpg_wire_mcast *ret_m);

/** Write the JOINLIST header (count entries follow, each CPG_WIRE_JL_ENTRY_SIZE). */
void cpg_wire_joinlist_hdr_encode(uint8_t *buf, const struct ais_ring_id *ring_id, uint32_t count);
void cpg_wire_jl_entry_encode(uint8_t *buf, const struct cpg_wire_jl_entry *e);
int cpg_wire_joinlist_decode(const void *buf, size_t len, struct cpg_wire_joinlist *ret_jl);
/** Entry i (< jl->count) of a decoded JOINLIST; -EBADMSG on a bad name. */
int cpg_wire_jl_entry_get(const struct cpg_wire_joinlist *jl, uint32_t i,
                          struct cpg_wire_jl_entry *ret_e);

#endif
