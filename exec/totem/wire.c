/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Encoding and decoding of the Totem SRP frames declared in wire.h. This file
 * owns the byte layout only: every decoder checks the header, the exact
 * frame length against the counts it carries, the count bounds
 * (TOTEM_PROCESSORS_MAX, WIRE_RTR_MAX) and the value ranges of flag bytes
 * before it fills the host-order struct. Protocol meaning is left to srp*.c.
 * Departure from Corosync: no endian detector field, every field is always
 * little-endian, so nothing is ever swapped in place.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "wire.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

#define HDR_OFF(f) offsetof(struct wire_hdr_le, f)
#define TOK_OFF(f) (WIRE_HDR_LEN + offsetof(struct wire_token_le, f))
#define MC_OFF(f) (WIRE_HDR_LEN + offsetof(struct wire_mcast_le, f))
#define JOIN_OFF(f) (WIRE_HDR_LEN + offsetof(struct wire_join_le, f))
#define COM_OFF(f) (WIRE_HDR_LEN + offsetof(struct wire_commit_le, f))
#define CM_OFF(f) offsetof(struct wire_commit_memb_le, f)

const char *wire_type_name(unsigned type)
{
	static const char *const names[WIRE_TYPE_COUNT] = {
		"token", "mcast", "merge-detect", "join", "commit-token", "hold-cancel", "leave",
	};
	return type < WIRE_TYPE_COUNT ? names[type] : "unknown";
}

int wire_header_decode(const void *buf, size_t len, struct wire_header *ret_hdr)
{
	const uint8_t *p = buf;

	if (buf == NULL || len < WIRE_HDR_LEN || len > WIRE_FRAME_MAX) {
		return -EBADMSG;
	}
	if (rd16(p + HDR_OFF(magic)) != WIRE_MAGIC || p[HDR_OFF(version)] != WIRE_VERSION ||
	    p[HDR_OFF(type)] >= WIRE_TYPE_COUNT) {
		return -EBADMSG;
	}
	if (rd32(p + HDR_OFF(sender)) == 0) {
		return -EBADMSG;
	}
	ret_hdr->type = p[HDR_OFF(type)];
	ret_hdr->flags = rd16(p + HDR_OFF(flags));
	ret_hdr->sender = rd32(p + HDR_OFF(sender));
	ret_hdr->ring_id.rep = rd32(p + HDR_OFF(ring_rep));
	ret_hdr->ring_id.seq = rd64(p + HDR_OFF(ring_seq));
	return 0;
}

static int hdr_decode_type(const void *buf, size_t len, enum wire_type type,
                           struct wire_header *ret_hdr)
{
	struct wire_header hdr;
	int r = wire_header_decode(buf, len, &hdr);

	if (r < 0) {
		return r;
	}
	if (hdr.type != type) {
		return -EBADMSG;
	}
	*ret_hdr = hdr;
	return 0;
}

static void hdr_encode(uint8_t *p, enum wire_type type, const struct wire_header *hdr)
{
	memset(p, 0, WIRE_HDR_LEN);
	wr16(p + HDR_OFF(magic), WIRE_MAGIC);
	p[HDR_OFF(version)] = WIRE_VERSION;
	p[HDR_OFF(type)] = (uint8_t)type;
	wr16(p + HDR_OFF(flags), hdr->flags);
	wr32(p + HDR_OFF(sender), hdr->sender);
	wr32(p + HDR_OFF(ring_rep), hdr->ring_id.rep);
	wr64(p + HDR_OFF(ring_seq), hdr->ring_id.seq);
}

int wire_token_decode(const void *buf, size_t len, struct wire_token *ret_token)
{
	const uint8_t *p = buf;
	struct wire_header hdr;
	uint16_t count;

	if (hdr_decode_type(buf, len, WIRE_TOKEN, &hdr) < 0 || len < WIRE_TOKEN_LEN) {
		return -EBADMSG;
	}
	count = rd16(p + TOK_OFF(rtr_count));
	if (count > WIRE_RTR_MAX || len != WIRE_TOKEN_LEN + (size_t)count * 4U) {
		return -EBADMSG;
	}
	if (p[TOK_OFF(retrans_flg)] > 1 || p[TOK_OFF(install_set)] > 1) {
		return -EBADMSG;
	}
	ret_token->hdr = hdr;
	ret_token->token_seq = rd32(p + TOK_OFF(token_seq));
	ret_token->seq = rd32(p + TOK_OFF(seq));
	ret_token->aru = rd32(p + TOK_OFF(aru));
	ret_token->aru_addr = rd32(p + TOK_OFF(aru_addr));
	ret_token->backlog = rd32(p + TOK_OFF(backlog));
	ret_token->fcc = rd32(p + TOK_OFF(fcc));
	ret_token->install_seq = rd32(p + TOK_OFF(install_seq));
	ret_token->retrans_flg = p[TOK_OFF(retrans_flg)];
	ret_token->install_set = p[TOK_OFF(install_set)];
	ret_token->rtr_count = count;
	for (uint16_t i = 0; i < count; i++) {
		ret_token->rtr[i] = rd32(p + WIRE_TOKEN_LEN + i * 4U);
	}
	return 0;
}

ssize_t wire_token_encode(const struct wire_token *token, void *buf, size_t buflen)
{
	uint8_t *p = buf;
	size_t len;

	if (token->rtr_count > WIRE_RTR_MAX || token->retrans_flg > 1 || token->install_set > 1) {
		return -EINVAL;
	}
	len = WIRE_TOKEN_LEN + (size_t)token->rtr_count * 4U;
	if (len > buflen) {
		return -EMSGSIZE;
	}
	hdr_encode(p, WIRE_TOKEN, &token->hdr);
	memset(p + WIRE_HDR_LEN, 0, sizeof(struct wire_token_le));
	wr32(p + TOK_OFF(token_seq), token->token_seq);
	wr32(p + TOK_OFF(seq), token->seq);
	wr32(p + TOK_OFF(aru), token->aru);
	wr32(p + TOK_OFF(aru_addr), token->aru_addr);
	wr32(p + TOK_OFF(backlog), token->backlog);
	wr32(p + TOK_OFF(fcc), token->fcc);
	wr32(p + TOK_OFF(install_seq), token->install_seq);
	p[TOK_OFF(retrans_flg)] = token->retrans_flg;
	p[TOK_OFF(install_set)] = token->install_set;
	wr16(p + TOK_OFF(rtr_count), token->rtr_count);
	for (uint16_t i = 0; i < token->rtr_count; i++) {
		wr32(p + WIRE_TOKEN_LEN + i * 4U, token->rtr[i]);
	}
	return (ssize_t)len;
}

int wire_mcast_decode(const void *buf, size_t len, struct wire_mcast *ret_mcast)
{
	const uint8_t *p = buf;
	struct wire_header hdr;
	uint32_t plen;

	if (hdr_decode_type(buf, len, WIRE_MCAST, &hdr) < 0 || len < WIRE_MCAST_LEN) {
		return -EBADMSG;
	}
	plen = rd32(p + MC_OFF(payload_len));
	if ((size_t)plen != len - WIRE_MCAST_LEN) {
		return -EBADMSG;
	}
	if (p[MC_OFF(guarantee)] > TOTEM_SAFE || p[MC_OFF(encapsulated)] > 1) {
		return -EBADMSG;
	}
	ret_mcast->hdr = hdr;
	ret_mcast->seq = rd32(p + MC_OFF(seq));
	ret_mcast->guarantee = p[MC_OFF(guarantee)];
	ret_mcast->encapsulated = p[MC_OFF(encapsulated)];
	ret_mcast->payload_len = plen;
	ret_mcast->payload = p + WIRE_MCAST_LEN;
	return 0;
}

ssize_t wire_mcast_encode(const struct wire_mcast *mcast, void *buf, size_t buflen)
{
	uint8_t *p = buf;
	size_t len;

	if (mcast->guarantee > TOTEM_SAFE || mcast->encapsulated > 1 ||
	    (mcast->payload_len > 0 && mcast->payload == NULL)) {
		return -EINVAL;
	}
	len = WIRE_MCAST_LEN + (size_t)mcast->payload_len;
	if (len > buflen || len > WIRE_FRAME_MAX) {
		return -EMSGSIZE;
	}
	hdr_encode(p, WIRE_MCAST, &mcast->hdr);
	memset(p + WIRE_HDR_LEN, 0, sizeof(struct wire_mcast_le));
	wr32(p + MC_OFF(seq), mcast->seq);
	wr32(p + MC_OFF(payload_len), mcast->payload_len);
	p[MC_OFF(guarantee)] = mcast->guarantee;
	p[MC_OFF(encapsulated)] = mcast->encapsulated;
	if (mcast->payload_len > 0) {
		memmove(p + WIRE_MCAST_LEN, mcast->payload, mcast->payload_len);
	}
	return (ssize_t)len;
}

/* A node set on the wire: non-zero ids, strictly ascending. */
static int set_decode(const uint8_t *p, uint16_t count, totem_nodeid_t *ret)
{
	for (uint16_t i = 0; i < count; i++) {
		uint32_t id = rd32(p + i * 4U);

		if (id == 0 || (i > 0 && id <= ret[i - 1])) {
			return -EBADMSG;
		}
		ret[i] = id;
	}
	return 0;
}

static int set_check(const totem_nodeid_t *set, uint16_t count)
{
	if (count > TOTEM_PROCESSORS_MAX) {
		return -EINVAL;
	}
	for (uint16_t i = 0; i < count; i++) {
		if (set[i] == 0 || (i > 0 && set[i] <= set[i - 1])) {
			return -EINVAL;
		}
	}
	return 0;
}

int wire_join_decode(const void *buf, size_t len, struct wire_join *ret_join)
{
	const uint8_t *p = buf;
	struct wire_header hdr;
	uint16_t np, nf;

	if (hdr_decode_type(buf, len, WIRE_JOIN, &hdr) < 0 || len < WIRE_JOIN_LEN) {
		return -EBADMSG;
	}
	np = rd16(p + JOIN_OFF(proc_count));
	nf = rd16(p + JOIN_OFF(failed_count));
	if (np > TOTEM_PROCESSORS_MAX || nf > TOTEM_PROCESSORS_MAX ||
	    len != WIRE_JOIN_LEN + ((size_t)np + nf) * 4U) {
		return -EBADMSG;
	}
	if (set_decode(p + WIRE_JOIN_LEN, np, ret_join->proc) < 0 ||
	    set_decode(p + WIRE_JOIN_LEN + np * 4U, nf, ret_join->failed) < 0) {
		return -EBADMSG;
	}
	ret_join->hdr = hdr;
	ret_join->ring_seq = rd64(p + JOIN_OFF(ring_seq));
	ret_join->proc_count = np;
	ret_join->failed_count = nf;
	return 0;
}

ssize_t wire_join_encode(const struct wire_join *join, void *buf, size_t buflen)
{
	uint8_t *p = buf;
	size_t len;

	if (set_check(join->proc, join->proc_count) < 0 ||
	    set_check(join->failed, join->failed_count) < 0) {
		return -EINVAL;
	}
	len = WIRE_JOIN_LEN + ((size_t)join->proc_count + join->failed_count) * 4U;
	if (len > buflen) {
		return -EMSGSIZE;
	}
	hdr_encode(p, WIRE_JOIN, &join->hdr);
	memset(p + WIRE_HDR_LEN, 0, sizeof(struct wire_join_le));
	wr64(p + JOIN_OFF(ring_seq), join->ring_seq);
	wr16(p + JOIN_OFF(proc_count), join->proc_count);
	wr16(p + JOIN_OFF(failed_count), join->failed_count);
	for (uint16_t i = 0; i < join->proc_count; i++) {
		wr32(p + WIRE_JOIN_LEN + i * 4U, join->proc[i]);
	}
	for (uint16_t i = 0; i < join->failed_count; i++) {
		wr32(p + WIRE_JOIN_LEN + (join->proc_count + i) * 4U, join->failed[i]);
	}
	return (ssize_t)len;
}

int wire_commit_decode(const void *buf, size_t len, struct wire_commit *ret_commit)
{
	const uint8_t *p = buf;
	struct wire_header hdr;
	uint16_t n, idx;
	const size_t msz = sizeof(struct wire_commit_memb_le);

	if (hdr_decode_type(buf, len, WIRE_COMMIT_TOKEN, &hdr) < 0 || len < WIRE_COMMIT_LEN) {
		return -EBADMSG;
	}
	n = rd16(p + COM_OFF(memb_count));
	idx = rd16(p + COM_OFF(memb_index));
	if (n == 0 || n > TOTEM_PROCESSORS_MAX || idx > n || len != WIRE_COMMIT_LEN + n * msz) {
		return -EBADMSG;
	}
	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *m = p + WIRE_COMMIT_LEN + i * msz;
		struct wire_commit_memb *cm = &ret_commit->memb[i];

		cm->nodeid = rd32(m + CM_OFF(nodeid));
		if (cm->nodeid == 0 || (i > 0 && cm->nodeid <= ret_commit->memb[i - 1].nodeid) ||
		    m[CM_OFF(received_flg)] > 1) {
			return -EBADMSG;
		}
		cm->old_ring_id.rep = rd32(m + CM_OFF(old_rep));
		cm->old_ring_id.seq = rd64(m + CM_OFF(old_seq));
		cm->aru = rd32(m + CM_OFF(aru));
		cm->high_seq = rd32(m + CM_OFF(high_seq));
		cm->high_delivered = rd32(m + CM_OFF(high_delivered));
		cm->safe_aru = rd32(m + CM_OFF(safe_aru));
		cm->received_flg = m[CM_OFF(received_flg)];
	}
	ret_commit->hdr = hdr;
	ret_commit->token_seq = rd32(p + COM_OFF(token_seq));
	ret_commit->memb_index = idx;
	ret_commit->memb_count = n;
	return 0;
}

ssize_t wire_commit_encode(const struct wire_commit *commit, void *buf, size_t buflen)
{
	uint8_t *p = buf;
	const size_t msz = sizeof(struct wire_commit_memb_le);
	size_t len;

	if (commit->memb_count == 0 || commit->memb_count > TOTEM_PROCESSORS_MAX ||
	    commit->memb_index > commit->memb_count) {
		return -EINVAL;
	}
	for (uint16_t i = 0; i < commit->memb_count; i++) {
		if (commit->memb[i].nodeid == 0 ||
		    (i > 0 && commit->memb[i].nodeid <= commit->memb[i - 1].nodeid) ||
		    commit->memb[i].received_flg > 1) {
			return -EINVAL;
		}
	}
	len = WIRE_COMMIT_LEN + commit->memb_count * msz;
	if (len > buflen) {
		return -EMSGSIZE;
	}
	hdr_encode(p, WIRE_COMMIT_TOKEN, &commit->hdr);
	memset(p + WIRE_HDR_LEN, 0, len - WIRE_HDR_LEN);
	wr32(p + COM_OFF(token_seq), commit->token_seq);
	wr16(p + COM_OFF(memb_index), commit->memb_index);
	wr16(p + COM_OFF(memb_count), commit->memb_count);
	for (uint16_t i = 0; i < commit->memb_count; i++) {
		uint8_t *m = p + WIRE_COMMIT_LEN + i * msz;
		const struct wire_commit_memb *cm = &commit->memb[i];

		wr32(m + CM_OFF(nodeid), cm->nodeid);
		wr32(m + CM_OFF(old_rep), cm->old_ring_id.rep);
		wr64(m + CM_OFF(old_seq), cm->old_ring_id.seq);
		wr32(m + CM_OFF(aru), cm->aru);
		wr32(m + CM_OFF(high_seq), cm->high_seq);
		wr32(m + CM_OFF(high_delivered), cm->high_delivered);
		wr32(m + CM_OFF(safe_aru), cm->safe_aru);
		m[CM_OFF(received_flg)] = cm->received_flg;
	}
	return (ssize_t)len;
}

static int simple_decode(const void *buf, size_t len, enum wire_type type,
                         struct wire_header *ret_hdr)
{
	struct wire_header hdr;

	if (hdr_decode_type(buf, len, type, &hdr) < 0 || len != WIRE_HDR_LEN) {
		return -EBADMSG;
	}
	*ret_hdr = hdr;
	return 0;
}

int wire_merge_detect_decode(const void *buf, size_t len, struct wire_header *ret_hdr)
{
	return simple_decode(buf, len, WIRE_MERGE_DETECT, ret_hdr);
}

int wire_hold_cancel_decode(const void *buf, size_t len, struct wire_header *ret_hdr)
{
	return simple_decode(buf, len, WIRE_HOLD_CANCEL, ret_hdr);
}

int wire_leave_decode(const void *buf, size_t len, struct wire_header *ret_hdr)
{
	return simple_decode(buf, len, WIRE_LEAVE, ret_hdr);
}

ssize_t wire_simple_encode(enum wire_type type, const struct wire_header *hdr, void *buf,
                           size_t buflen)
{
	if (type != WIRE_MERGE_DETECT && type != WIRE_HOLD_CANCEL && type != WIRE_LEAVE) {
		return -EINVAL;
	}
	if (buflen < WIRE_HDR_LEN) {
		return -EMSGSIZE;
	}
	hdr_encode(buf, type, hdr);
	return (ssize_t)WIRE_HDR_LEN;
}
