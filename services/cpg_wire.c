/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Encoding and decoding of the cpg engine's cluster messages (layout in
 * cpg_wire.h). Every multi-byte field goes through the little-endian
 * helpers below; decoders check the total length first, then every length
 * or count carried inside against what is left, and only then fill a
 * host-order struct. Nothing here logs: callers count and log drops.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "cpg_wire.h"

static void cpg_le32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void cpg_le64_put(uint8_t *p, uint64_t v)
{
	cpg_le32_put(p, (uint32_t)v);
	cpg_le32_put(p + 4, (uint32_t)(v >> 32));
}

static uint32_t cpg_le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t cpg_le64_get(const uint8_t *p)
{
	return (uint64_t)cpg_le32_get(p) | (uint64_t)cpg_le32_get(p + 4) << 32;
}

static void cpg_wire_hdr_put(uint8_t *p, enum cpg_exec_fn fn, size_t size)
{
	cpg_le32_put(p, AIS_EXEC_ID(AIS_SERVICE_CPG, fn));
	cpg_le32_put(p + 4, (uint32_t)size);
}

static void cpg_wire_name_put(uint8_t *p, const struct ais_cpg_name *name)
{
	uint32_t n = name->length <= AIS_CPG_NAME_MAX ? name->length : AIS_CPG_NAME_MAX;

	cpg_le32_put(p, n);
	memset(p + 4, 0, AIS_CPG_NAME_MAX);
	memcpy(p + 4, name->value, n);
}

static int cpg_wire_name_get(const uint8_t *p, struct ais_cpg_name *ret_name)
{
	uint32_t n = cpg_le32_get(p);

	if (n > AIS_CPG_NAME_MAX)
		return -EBADMSG;
	ret_name->length = n;
	memset(ret_name->value, 0, sizeof(ret_name->value));
	memcpy(ret_name->value, p + 4, n);
	return 0;
}

void cpg_wire_proc_encode(uint8_t *buf, enum cpg_exec_fn fn, const struct cpg_wire_proc *p)
{
	cpg_wire_hdr_put(buf, fn, CPG_WIRE_PROC_SIZE);
	cpg_wire_name_put(buf + offsetof(struct cpg_wire_proc_layout, group), &p->group);
	cpg_le32_put(buf + offsetof(struct cpg_wire_proc_layout, pid), p->pid);
	cpg_le32_put(buf + offsetof(struct cpg_wire_proc_layout, reason), p->reason);
	cpg_le64_put(buf + offsetof(struct cpg_wire_proc_layout, conn_id), p->conn_id);
}

int cpg_wire_proc_decode(const void *buf, size_t len, struct cpg_wire_proc *ret_p)
{
	const uint8_t *b = buf;
	struct cpg_wire_proc p;

	if (len != CPG_WIRE_PROC_SIZE)
		return -EBADMSG;
	if (cpg_wire_name_get(b + offsetof(struct cpg_wire_proc_layout, group), &p.group) < 0)
		return -EBADMSG;
	p.pid = cpg_le32_get(b + offsetof(struct cpg_wire_proc_layout, pid));
	p.reason = cpg_le32_get(b + offsetof(struct cpg_wire_proc_layout, reason));
	p.conn_id = cpg_le64_get(b + offsetof(struct cpg_wire_proc_layout, conn_id));
	*ret_p = p;
	return 0;
}

void cpg_wire_mcast_hdr_encode(uint8_t *buf, const struct cpg_wire_mcast *m)
{
	cpg_wire_hdr_put(buf, CPG_EXEC_MCAST, CPG_WIRE_MCAST_HDR_SIZE + (size_t)m->msg_len);
	cpg_wire_name_put(buf + offsetof(struct cpg_wire_mcast_layout, group), &m->group);
	cpg_le32_put(buf + offsetof(struct cpg_wire_mcast_layout, pid), m->pid);
	cpg_le32_put(buf + offsetof(struct cpg_wire_mcast_layout, guarantee), m->guarantee);
	cpg_le32_put(buf + offsetof(struct cpg_wire_mcast_layout, msg_len), m->msg_len);
}

int cpg_wire_mcast_decode(const void *buf, size_t len, struct cpg_wire_mcast *ret_m)
{
	const uint8_t *b = buf;
	struct cpg_wire_mcast m;

	if (len < CPG_WIRE_MCAST_HDR_SIZE)
		return -EBADMSG;
	if (cpg_wire_name_get(b + offsetof(struct cpg_wire_mcast_layout, group), &m.group) < 0)
		return -EBADMSG;
	m.pid = cpg_le32_get(b + offsetof(struct cpg_wire_mcast_layout, pid));
	m.guarantee = cpg_le32_get(b + offsetof(struct cpg_wire_mcast_layout, guarantee));
	m.msg_len = cpg_le32_get(b + offsetof(struct cpg_wire_mcast_layout, msg_len));
	if (m.msg_len > AIS_CPG_MSG_MAX || len - CPG_WIRE_MCAST_HDR_SIZE != m.msg_len)
		return -EBADMSG;
	if (m.guarantee != AIS_GUARANTEE_AGREED && m.guarantee != AIS_GUARANTEE_SAFE)
		return -EBADMSG;
	m.msg = b + CPG_WIRE_MCAST_HDR_SIZE;
	*ret_m = m;
	return 0;
}

void cpg_wire_joinlist_hdr_encode(uint8_t *buf, const struct ais_ring_id *ring_id, uint32_t count)
{
	cpg_wire_hdr_put(buf, CPG_EXEC_JOINLIST,
	                 CPG_WIRE_JOINLIST_HDR_SIZE + (size_t)count * CPG_WIRE_JL_ENTRY_SIZE);
	cpg_le32_put(buf + offsetof(struct cpg_wire_joinlist_layout, ring_rep), ring_id->rep);
	cpg_le64_put(buf + offsetof(struct cpg_wire_joinlist_layout, ring_seq), ring_id->seq);
	cpg_le32_put(buf + offsetof(struct cpg_wire_joinlist_layout, count), count);
	cpg_le32_put(buf + offsetof(struct cpg_wire_joinlist_layout, pad), 0);
}

void cpg_wire_jl_entry_encode(uint8_t *buf, const struct cpg_wire_jl_entry *e)
{
	cpg_le32_put(buf + offsetof(struct cpg_wire_jl_entry_layout, pid), e->pid);
	cpg_wire_name_put(buf + offsetof(struct cpg_wire_jl_entry_layout, group), &e->group);
}

int cpg_wire_joinlist_decode(const void *buf, size_t len, struct cpg_wire_joinlist *ret_jl)
{
	const uint8_t *b = buf;
	struct cpg_wire_joinlist jl;

	if (len < CPG_WIRE_JOINLIST_HDR_SIZE)
		return -EBADMSG;
	jl.ring_id.rep = cpg_le32_get(b + offsetof(struct cpg_wire_joinlist_layout, ring_rep));
	jl.ring_id.seq = cpg_le64_get(b + offsetof(struct cpg_wire_joinlist_layout, ring_seq));
	jl.count = cpg_le32_get(b + offsetof(struct cpg_wire_joinlist_layout, count));
	if (jl.count > CPG_JOINLIST_MAX ||
	    (len - CPG_WIRE_JOINLIST_HDR_SIZE) != (size_t)jl.count * CPG_WIRE_JL_ENTRY_SIZE)
		return -EBADMSG;
	jl.entries = b + CPG_WIRE_JOINLIST_HDR_SIZE;
	*ret_jl = jl;
	return 0;
}

int cpg_wire_jl_entry_get(const struct cpg_wire_joinlist *jl, uint32_t i,
                          struct cpg_wire_jl_entry *ret_e)
{
	const uint8_t *p;
	struct cpg_wire_jl_entry e;

	if (i >= jl->count)
		return -EBADMSG;
	p = jl->entries + (size_t)i * CPG_WIRE_JL_ENTRY_SIZE;
	e.pid = cpg_le32_get(p + offsetof(struct cpg_wire_jl_entry_layout, pid));
	if (cpg_wire_name_get(p + offsetof(struct cpg_wire_jl_entry_layout, group), &e.group) < 0)
		return -EBADMSG;
	*ret_e = e;
	return 0;
}
