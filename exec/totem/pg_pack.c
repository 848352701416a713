/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packing, fragmentation, frame decoding and reassembly for the process
 * group layer (REFERENCE 1.7), as pure code over byte buffers: no srp, no
 * logging, no timers. pg.c glues it to srp.
 *
 * Departures from Corosync's totempg: item lengths are 32-bit (not 16), a
 * fragment carries its own header (sender-local message number, total length
 * and byte offset) instead of the frame-level fragmented/continuation pair,
 * so every fragment can be checked on its own against the assembly it
 * claims to continue; and the whole frame is validated before any of its
 * items is handed up.
 *
 * Packing rule: a message that fits the room left in the open frame is
 * appended whole. One that does not is cut into fragments, the first filling
 * the open frame when at least PG_FRAG_MIN of its bytes fit there (otherwise
 * the frame is closed first); every fragment but the last fills its frame
 * exactly, so a frame is closed (emitted) the moment it is full. A frame has
 * one guarantee: a message of the other guarantee closes the open frame.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ais/inject.h>

#include "pg_pack.h"
#include "pg_wire.h"

/* ------------------------------------------------------------------ */
/* Sending side                                                        */
/* ------------------------------------------------------------------ */

int pg_packer_init(struct pg_packer *p, size_t payload_max)
{
	if (payload_max < PG_PAYLOAD_MIN) {
		return -EINVAL;
	}
	/* item lengths and offsets are 31/32-bit: keep frames far below that */
	if (payload_max > PG_ITEM_LEN_MASK) {
		payload_max = PG_ITEM_LEN_MASK;
	}
	memset(p, 0, sizeof(*p));
	p->frame = ais_malloc(payload_max);
	if (p->frame == NULL) {
		return -ENOMEM;
	}
	p->payload_max = payload_max;
	return 0;
}

void pg_packer_fini(struct pg_packer *p)
{
	free(p->frame);
	p->frame = NULL;
	p->used = 0;
}

/* Reads the bytes of a message spread over an iovec, in order. */
struct iov_cursor {
	const struct iovec *iov;
	size_t iovcnt;
	size_t idx;
	size_t off;
};

static void iov_cursor_copy(struct iov_cursor *c, uint8_t *dst, size_t n)
{
	while (n > 0) {
		if (c->idx >= c->iovcnt) {
			/* the caller sized the message from this very iovec */
			abort();
		}
		size_t avail = c->iov[c->idx].iov_len - c->off;
		size_t take = n < avail ? n : avail;
		if (take > 0) {
			memcpy(dst, (const uint8_t *)c->iov[c->idx].iov_base + c->off, take);
		}
		dst += take;
		n -= take;
		c->off += take;
		if (c->off == c->iov[c->idx].iov_len) {
			c->idx++;
			c->off = 0;
		}
	}
}

/*
 * One packing pass. With cur == NULL it is a dry run: p is only read and
 * the frames it would close are counted. Otherwise bytes are written and
 * frames emitted. Both modes run the very same decisions, so the frame count
 * the admission check sees is the count pg_packer_add() produces.
 *
 * A pass may be limited to `limit` closed frames. It then stops at a frame
 * boundary (the open frame is empty) with the message's offset telling how
 * far it got; a later pass resumes there with a fresh frame and makes the
 * same decisions an unlimited pass would have made.
 */
struct pack_run {
	struct pg_packer *p;
	struct iov_cursor *cur;     /* NULL: dry run */
	pg_frame_emit_fn emit;
	void *ctx;
	size_t used;
	uint32_t count;
	enum totem_guarantee guarantee;
	uint32_t msg_no;            /* carried by fragments */
	uint32_t closed;
	uint32_t limit;
	int err;
};

static void pack_close(struct pack_run *r)
{
	if (r->cur != NULL) {
		struct pg_packer *p = r->p;
		p->frame[0] = PG_WIRE_VERSION;
		p->frame[1] = 0;
		pg_le16_put(p->frame + 2, (uint16_t)r->count);
		int rc = r->emit(r->ctx, p->frame, r->used, r->guarantee);
		if (rc < 0 && r->err == 0) {
			r->err = rc;
		}
		p->frames++;
	}
	r->closed++;
	r->used = 0;
	r->count = 0;
}

static void pack_open(struct pack_run *r, enum totem_guarantee guarantee)
{
	if (r->used == 0) {
		r->used = PG_FRAME_HDR_SIZE;
		r->count = 0;
		r->guarantee = guarantee;
	}
}

static void pack_item(struct pack_run *r, uint32_t n, bool frag, uint32_t total, uint32_t offset)
{
	if (r->cur != NULL) {
		struct pg_packer *p = r->p;
		uint8_t *at = p->frame + r->used;
		pg_le32_put(at, n | (frag ? PG_ITEM_FRAG : 0));
		at += PG_ITEM_HDR_SIZE;
		if (frag) {
			pg_le32_put(at, r->msg_no);
			pg_le32_put(at + 4, total);
			pg_le32_put(at + 8, offset);
			at += PG_FRAG_HDR_SIZE;
			p->fragments++;
		} else if (r->count > 0) {
			p->msgs_packed++;
		}
		iov_cursor_copy(r->cur, at, n);
	}
	r->used += PG_ITEM_HDR_SIZE + (frag ? PG_FRAG_HDR_SIZE : 0) + n;
	r->count++;
	if (r->p->payload_max - r->used < PG_ITEM_HDR_SIZE) {
		pack_close(r);
	}
}

static bool pack_full(const struct pack_run *r)
{
	return r->closed >= r->limit;
}

/*
 * Place the message bytes [*off, len) (the packing rule is at the top of
 * this file). Returns true once every byte is placed; false when the frame
 * limit stopped it first (*off tells how far it got, 0 = not started).
 */
static bool pack_message(struct pack_run *r, size_t len, enum totem_guarantee guarantee,
                         size_t *off)
{
	const size_t max = r->p->payload_max;

	if (pack_full(r)) {
		return false;
	}
	if (*off == 0) {
		if (r->used != 0 && r->guarantee != guarantee) {
			pack_close(r);
			if (pack_full(r)) {
				return false;
			}
		}
		pack_open(r, guarantee);
		if (r->count < PG_FRAME_ITEMS_MAX && max - r->used >= PG_ITEM_HDR_SIZE + len) {
			pack_item(r, (uint32_t)len, false, 0, 0);
			*off = len;
			return true;
		}
		if (r->count >= PG_FRAME_ITEMS_MAX ||
		    max - r->used < PG_ITEM_HDR_SIZE + PG_FRAG_HDR_SIZE + PG_FRAG_MIN) {
			pack_close(r);
			if (pack_full(r)) {
				return false;
			}
			pack_open(r, guarantee);
			if (max - r->used >= PG_ITEM_HDR_SIZE + len) {
				pack_item(r, (uint32_t)len, false, 0, 0);
				*off = len;
				return true;
			}
		}
	}
	while (*off < len) {
		if (pack_full(r)) {
			return false;
		}
		pack_open(r, guarantee);
		size_t room = max - r->used - PG_ITEM_HDR_SIZE - PG_FRAG_HDR_SIZE;
		size_t n = len - *off < room ? len - *off : room;
		pack_item(r, (uint32_t)n, true, (uint32_t)len, (uint32_t)*off);
		*off += n;
	}
	return true;
}

static void pack_run_init(struct pack_run *r, const struct pg_packer *p)
{
	memset(r, 0, sizeof(*r));
	/* a dry run never writes through p: see pack_close() and pack_item() */
	r->p = (struct pg_packer *)(uintptr_t)p;
	r->used = p->used;
	r->count = p->count;
	r->guarantee = p->guarantee;
	r->msg_no = p->msg_no;
	r->limit = UINT32_MAX;
}

static void pack_run_store(struct pg_packer *p, const struct pack_run *r)
{
	p->used = r->used;
	p->count = r->count;
	p->guarantee = r->guarantee;
}

uint32_t pg_packer_frames_needed(const struct pg_packer *p, size_t len,
                                 enum totem_guarantee guarantee)
{
	struct pack_run r;
	size_t off = 0;

	pack_run_init(&r, p);
	(void)pack_message(&r, len, guarantee, &off);
	return r.closed + (r.used != 0 ? 1 : 0);
}

uint32_t pg_packer_frames_bound(const struct pg_packer *p, size_t len)
{
	/* a frame opened for the message holds at least this much of it,
	 * whole or as a fragment (pack_message) */
	const size_t room = p->payload_max - PG_FRAME_HDR_SIZE - PG_ITEM_HDR_SIZE - PG_FRAG_HDR_SIZE;
	size_t fresh = len == 0 ? 1 : (len + room - 1) / room;

	if (fresh > UINT32_MAX - 1) {
		return UINT32_MAX;
	}
	return (uint32_t)fresh + (p->used != 0 ? 1U : 0U);
}

uint32_t pg_packer_account(struct pg_packer *p, size_t len, enum totem_guarantee guarantee)
{
	struct pack_run r;
	size_t off = 0;

	pack_run_init(&r, p);
	(void)pack_message(&r, len, guarantee, &off);
	pack_run_store(p, &r);
	return r.closed;
}

void pg_packer_forget(struct pg_packer *p)
{
	p->used = 0;
	p->count = 0;
}

int pg_packer_add(struct pg_packer *p, const struct iovec *iov, size_t iovcnt,
                  enum totem_guarantee guarantee, pg_frame_emit_fn emit, void *ctx)
{
	struct iov_cursor cur = { .iov = iov, .iovcnt = iovcnt };
	struct pack_run r;
	size_t len = 0;
	size_t off = 0;

	for (size_t i = 0; i < iovcnt; i++) {
		len += iov[i].iov_len;
	}
	pack_run_init(&r, p);
	r.cur = &cur;
	r.emit = emit;
	r.ctx = ctx;
	(void)pack_message(&r, len, guarantee, &off);
	pack_run_store(p, &r);
	p->msg_no++;
	p->msgs++;
	return r.err;
}

int pg_packer_add_part(struct pg_packer *p, const struct pg_packer_msg *m, size_t *off,
                       uint32_t max_frames, pg_frame_emit_fn emit, void *ctx,
                       uint32_t *ret_frames)
{
	struct iovec iov = {
		.iov_base = (void *)(uintptr_t)(m->data + *off),
		.iov_len = m->len - *off,
	};
	struct iov_cursor cur = { .iov = &iov, .iovcnt = 1 };
	struct pack_run r;

	pack_run_init(&r, p);
	r.cur = &cur;
	r.emit = emit;
	r.ctx = ctx;
	r.msg_no = m->msg_no;
	r.limit = max_frames;
	(void)pack_message(&r, m->len, m->guarantee, off);
	pack_run_store(p, &r);
	*ret_frames = r.closed;
	return r.err;
}

int pg_packer_flush(struct pg_packer *p, pg_frame_emit_fn emit, void *ctx)
{
	if (p->used == 0) {
		return 0;
	}
	p->frame[0] = PG_WIRE_VERSION;
	p->frame[1] = 0;
	pg_le16_put(p->frame + 2, (uint16_t)p->count);
	int rc = emit(ctx, p->frame, p->used, p->guarantee);
	if (rc < 0) {
		return rc;
	}
	p->frames++;
	p->used = 0;
	p->count = 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Decoding                                                            */
/* ------------------------------------------------------------------ */

/* Decode the item at b (rem bytes left). Returns its size or -EBADMSG. */
static ssize_t frame_item_decode(const uint8_t *b, size_t rem, uint32_t max_msg_size,
                                 struct pg_item *ret)
{
	struct pg_item it = { 0 };
	size_t hdr = PG_ITEM_HDR_SIZE;

	if (rem < PG_ITEM_HDR_SIZE) {
		return -EBADMSG;
	}
	uint32_t len_kind = pg_le32_get(b);
	it.len = len_kind & PG_ITEM_LEN_MASK;
	it.frag = (len_kind & PG_ITEM_FRAG) != 0;
	if (it.frag) {
		hdr += PG_FRAG_HDR_SIZE;
		if (rem < hdr) {
			return -EBADMSG;
		}
		it.msg_no = pg_le32_get(b + PG_ITEM_HDR_SIZE);
		it.total_len = pg_le32_get(b + PG_ITEM_HDR_SIZE + 4);
		it.offset = pg_le32_get(b + PG_ITEM_HDR_SIZE + 8);
		if (it.len == 0 || it.total_len > max_msg_size || it.offset > it.total_len ||
		    it.len > it.total_len - it.offset) {
			return -EBADMSG;
		}
	} else if (it.len > max_msg_size) {
		return -EBADMSG;
	}
	if (it.len > rem - hdr) {
		return -EBADMSG;
	}
	it.data = b + hdr;
	*ret = it;
	return (ssize_t)(hdr + it.len);
}

static int frame_items_walk(const uint8_t *b, size_t len, uint32_t max_msg_size,
                            pg_item_fn item_fn, void *ctx)
{
	uint16_t count = pg_le16_get(b + 2);
	size_t pos = PG_FRAME_HDR_SIZE;

	for (uint32_t i = 0; i < count; i++) {
		struct pg_item it;
		ssize_t n = frame_item_decode(b + pos, len - pos, max_msg_size, &it);
		if (n < 0) {
			return (int)n;
		}
		if (item_fn != NULL) {
			item_fn(ctx, &it);
		}
		pos += (size_t)n;
	}
	return pos == len ? (int)count : -EBADMSG;
}

int pg_frame_walk(const void *buf, size_t len, uint32_t max_msg_size,
                  pg_item_fn item_fn, void *ctx)
{
	const uint8_t *b = buf;

	if (b == NULL || len < PG_FRAME_HDR_SIZE || b[0] != PG_WIRE_VERSION || b[1] != 0 ||
	    pg_le16_get(b + 2) == 0) {
		return -EBADMSG;
	}
	int rc = frame_items_walk(b, len, max_msg_size, NULL, NULL);
	if (rc < 0 || item_fn == NULL) {
		return rc;
	}
	return frame_items_walk(b, len, max_msg_size, item_fn, ctx);
}

/* ------------------------------------------------------------------ */
/* Receiving side                                                      */
/* ------------------------------------------------------------------ */

/*
 * One assembly per sender. Senders are srp ring members, so at most
 * TOTEM_PROCESSORS_MAX hold an assembly at once; a plain array suffices.
 */
struct pg_asm_slot {
	totem_nodeid_t sender;          /* 0 = free */
	enum totem_guarantee guarantee;
	uint32_t msg_no;
	uint32_t total_len;
	uint32_t have;                  /* bytes assembled: next offset expected */
	uint8_t *buf;                   /* total_len bytes */
};

struct pg_asm {
	uint32_t max_msg_size;
	pg_msg_fn deliver;
	void *ctx;
	struct pg_asm_stats stats;
	/* the frame being walked */
	totem_nodeid_t cur_sender;
	enum totem_guarantee cur_guarantee;
	uint32_t busy;          /* slots holding an assembly */
	struct pg_asm_slot slots[TOTEM_PROCESSORS_MAX];
};

pg_asm_t *pg_asm_create(uint32_t max_msg_size, pg_msg_fn deliver, void *ctx)
{
	pg_asm_t *a = ais_calloc(1, sizeof(*a));

	if (a == NULL) {
		return NULL;
	}
	a->max_msg_size = max_msg_size;
	a->deliver = deliver;
	a->ctx = ctx;
	return a;
}

static void asm_slot_free(pg_asm_t *a, struct pg_asm_slot *s)
{
	if (s->buf != NULL) {
		a->busy--;
	}
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

pg_asm_t *pg_asm_destroy(pg_asm_t *a)
{
	if (a == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < TOTEM_PROCESSORS_MAX; i++) {
		asm_slot_free(a, &a->slots[i]);
	}
	free(a);
	return NULL;
}

static struct pg_asm_slot *asm_slot_find(pg_asm_t *a, totem_nodeid_t sender)
{
	if (a->busy == 0) {
		return NULL; /* the common case: no fragmented message under way */
	}
	for (size_t i = 0; i < TOTEM_PROCESSORS_MAX; i++) {
		if (a->slots[i].sender == sender && a->slots[i].buf != NULL) {
			return &a->slots[i];
		}
	}
	return NULL;
}

static void asm_slot_discard(pg_asm_t *a, struct pg_asm_slot *s)
{
	a->stats.assemblies_discarded++;
	asm_slot_free(a, s);
}

/* Start an assembly for the first fragment it. NULL when none can be held. */
static struct pg_asm_slot *asm_slot_start(pg_asm_t *a, const struct pg_item *it)
{
	for (size_t i = 0; i < TOTEM_PROCESSORS_MAX; i++) {
		struct pg_asm_slot *s = &a->slots[i];
		if (s->buf != NULL) {
			continue;
		}
		s->buf = ais_malloc(it->total_len);
		if (s->buf == NULL) {
			return NULL;
		}
		a->busy++;
		s->sender = a->cur_sender;
		s->guarantee = a->cur_guarantee;
		s->msg_no = it->msg_no;
		s->total_len = it->total_len;
		s->have = 0;
		return s;
	}
	return NULL;
}

static void asm_fragment(pg_asm_t *a, const struct pg_item *it)
{
	struct pg_asm_slot *s = asm_slot_find(a, a->cur_sender);

	a->stats.fragments++;
	if (s != NULL && (s->msg_no != it->msg_no || s->total_len != it->total_len ||
	                  s->have != it->offset || s->guarantee != a->cur_guarantee)) {
		asm_slot_discard(a, s);
		s = NULL;
	}
	if (s == NULL) {
		if (it->offset != 0) {
			/* the rest of a message whose start this node dropped or never saw */
			a->stats.fragments_orphaned++;
			return;
		}
		s = asm_slot_start(a, it);
		if (s == NULL) {
			a->stats.fragments_orphaned++;
			return;
		}
	}
	memcpy(s->buf + s->have, it->data, it->len);
	s->have += it->len;
	if (s->have == s->total_len) {
		a->stats.assemblies_done++;
		a->stats.msgs++;
		a->deliver(a->ctx, s->sender, s->buf, s->total_len, s->guarantee);
		asm_slot_free(a, s);
	}
}

static void asm_item(void *ctx, const struct pg_item *it)
{
	pg_asm_t *a = ctx;

	if (it->frag) {
		asm_fragment(a, it);
		return;
	}
	/*
	 * A sender's fragments are contiguous in its stream, so a whole message
	 * in the middle of an assembly means the assembly can never be right.
	 */
	struct pg_asm_slot *s = asm_slot_find(a, a->cur_sender);
	if (s != NULL) {
		asm_slot_discard(a, s);
	}
	a->stats.msgs++;
	a->deliver(a->ctx, a->cur_sender, it->data, it->len, a->cur_guarantee);
}

int pg_asm_frame(pg_asm_t *a, totem_nodeid_t sender, const void *buf, size_t len,
                 enum totem_guarantee guarantee)
{
	if (pg_frame_walk(buf, len, a->max_msg_size, NULL, NULL) < 0 || sender == 0) {
		a->stats.frames_bad++;
		return -EBADMSG;
	}
	a->stats.frames++;
	a->cur_sender = sender;
	a->cur_guarantee = guarantee;
	/* validated above: this walk only hands items over */
	(void)pg_frame_walk(buf, len, a->max_msg_size, asm_item, a);
	return 0;
}

int pg_asm_discard_sender(pg_asm_t *a, totem_nodeid_t sender)
{
	struct pg_asm_slot *s = asm_slot_find(a, sender);

	if (s == NULL) {
		return 0;
	}
	asm_slot_discard(a, s);
	return 1;
}

size_t pg_asm_discard_except(pg_asm_t *a, const totem_nodeid_t *members, size_t n_members)
{
	size_t n = 0;

	for (size_t i = 0; i < TOTEM_PROCESSORS_MAX; i++) {
		struct pg_asm_slot *s = &a->slots[i];
		bool member = false;
		if (s->buf == NULL) {
			continue;
		}
		for (size_t m = 0; m < n_members && !member; m++) {
			member = members[m] == s->sender;
		}
		if (!member) {
			asm_slot_discard(a, s);
			n++;
		}
	}
	return n;
}

size_t pg_asm_discard_all(pg_asm_t *a)
{
	return pg_asm_discard_except(a, NULL, 0);
}

size_t pg_asm_pending(const pg_asm_t *a)
{
	size_t n = 0;

	for (size_t i = 0; i < TOTEM_PROCESSORS_MAX; i++) {
		n += a->slots[i].buf != NULL;
	}
	return n;
}

void pg_asm_stats_get(const pg_asm_t *a, struct pg_asm_stats *ret_stats)
{
	*ret_stats = a->stats;
}
