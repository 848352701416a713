/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Encoding and decoding of the clm engine's cluster message (layout in
 * clm_wire.h). Every multi-byte field goes through the little-endian
 * helpers; the decoder checks the total length and header first, then every
 * length carried inside, and only then fills the host-order struct. Nothing
 * here logs: the engine counts and logs drops.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <saAis.h>

#include "clm_wire.h"

#define CLM_OFF(field) offsetof(struct clm_wire_node_layout, field)

static void clm_le16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void clm_le32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void clm_le64_put(uint8_t *p, uint64_t v)
{
	clm_le32_put(p, (uint32_t)v);
	clm_le32_put(p + 4, (uint32_t)(v >> 32));
}

static uint16_t clm_le16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t clm_le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t clm_le64_get(const uint8_t *p)
{
	return (uint64_t)clm_le32_get(p) | (uint64_t)clm_le32_get(p + 4) << 32;
}

static bool clm_wire_node_valid(uint32_t nodeid, uint32_t family, size_t address_len, size_t name_len)
{
	return nodeid != 0 && (family == AIS_CLM_AF_INET || family == AIS_CLM_AF_INET6) &&
	       address_len <= AIS_CLM_ADDRESS_MAX && name_len >= 1 && name_len <= AIS_CLM_NAME_MAX;
}

static bool clm_zero_from(const uint8_t *p, size_t from, size_t len)
{
	for (size_t i = from; i < len; i++) {
		if (p[i] != 0)
			return false;
	}
	return true;
}

int clm_wire_node_encode(uint8_t *buf, const struct clm_wire_node *n)
{
	if (!clm_wire_node_valid(n->nodeid, n->family, n->address_len, n->name_len))
		return -EINVAL;
	memset(buf, 0, CLM_WIRE_NODE_SIZE);
	clm_le32_put(buf, AIS_EXEC_ID(AIS_SERVICE_CLM, CLM_EXEC_NODE));
	clm_le32_put(buf + 4, (uint32_t)CLM_WIRE_NODE_SIZE);
	clm_le64_put(buf + CLM_OFF(ring_seq), n->ring_id.seq);
	clm_le32_put(buf + CLM_OFF(ring_rep), n->ring_id.rep);
	clm_le32_put(buf + CLM_OFF(nodeid), n->nodeid);
	clm_le64_put(buf + CLM_OFF(boot_timestamp), (uint64_t)n->boot_timestamp);
	clm_le64_put(buf + CLM_OFF(initial_view), n->initial_view);
	clm_le32_put(buf + CLM_OFF(family), n->family);
	clm_le16_put(buf + CLM_OFF(address_len), n->address_len);
	clm_le16_put(buf + CLM_OFF(name_len), n->name_len);
	memcpy(buf + CLM_OFF(address), n->address, n->address_len);
	memcpy(buf + CLM_OFF(name), n->name, n->name_len);
	return 0;
}

int clm_wire_node_decode(const void *buf, size_t len, struct clm_wire_node *ret_n)
{
	const uint8_t *p = buf;
	struct clm_wire_node n;

	if (len != CLM_WIRE_NODE_SIZE)
		return -EBADMSG;
	if (clm_le32_get(p) != AIS_EXEC_ID(AIS_SERVICE_CLM, CLM_EXEC_NODE) ||
	    clm_le32_get(p + 4) != CLM_WIRE_NODE_SIZE)
		return -EBADMSG;
	memset(&n, 0, sizeof(n));
	n.ring_id.seq = clm_le64_get(p + CLM_OFF(ring_seq));
	n.ring_id.rep = clm_le32_get(p + CLM_OFF(ring_rep));
	n.nodeid = clm_le32_get(p + CLM_OFF(nodeid));
	n.boot_timestamp = (int64_t)clm_le64_get(p + CLM_OFF(boot_timestamp));
	n.initial_view = clm_le64_get(p + CLM_OFF(initial_view));
	n.family = clm_le32_get(p + CLM_OFF(family));
	n.address_len = clm_le16_get(p + CLM_OFF(address_len));
	n.name_len = clm_le16_get(p + CLM_OFF(name_len));
	if (!clm_wire_node_valid(n.nodeid, n.family, n.address_len, n.name_len))
		return -EBADMSG;
	if (!clm_zero_from(p + CLM_OFF(address), n.address_len, AIS_CLM_ADDRESS_MAX) ||
	    !clm_zero_from(p + CLM_OFF(name), n.name_len, AIS_CLM_NAME_MAX))
		return -EBADMSG;
	memcpy(n.address, p + CLM_OFF(address), n.address_len);
	memcpy(n.name, p + CLM_OFF(name), n.name_len);
	*ret_n = n;
	return 0;
}

static size_t clm_ipc_request_size(int32_t id)
{
	switch (id) {
	case AIS_CLM_REQ_TRACK:
		return sizeof(struct ais_clm_req_track);
	case AIS_CLM_REQ_TRACK_STOP:
		return sizeof(struct ais_clm_req_plain);
	case AIS_CLM_REQ_NODE_GET:
		return sizeof(struct ais_clm_req_node_get);
	case AIS_CLM_REQ_NODE_GET_ASYNC:
		return sizeof(struct ais_clm_req_node_get_async);
	default:
		return 0;
	}
}

int clm_ipc_request_check(const void *msg, size_t len)
{
	struct qb_ipc_request_header h;
	struct ais_clm_req_track t;
	size_t want;

	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, msg, sizeof(h));
	want = clm_ipc_request_size(h.id);
	if (want == 0 || len != want || h.size < 0 || (size_t)h.size != len)
		return -EINVAL;
	if (h.id != AIS_CLM_REQ_TRACK)
		return 0;
	memcpy(&t, msg, sizeof(t));
	if (t.flags != 0 && t.flags != SA_TRACK_CHANGES && t.flags != SA_TRACK_CHANGES_ONLY)
		return -EINVAL;
	if (t.current > AIS_CLM_CURRENT_CALLBACK || (t.flags == 0 && t.current == AIS_CLM_CURRENT_NONE))
		return -EINVAL;
	return 0;
}
