/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for the process-group frame decoder and per-sender assembler
 * (exec/totem/pg_pack.c). The input is a script of records
 *
 *   op:u8 arg:u8 len:u16le bytes[len]   (len is cut to what is left)
 *
 * op % 5: 0 / 1 = the bytes are a frame from sender (arg % 8) + 1 with
 * guarantee agreed / safe; 2 = transitional configuration keeping the
 * senders whose bit is set in arg; 3 = regular configuration (drop all);
 * 4 = pack the bytes as one message into frames of 128 + arg * 4 bytes and
 * check that a fresh assembler gives exactly that message back.
 * Delivered messages are read in full so the sanitizers see every byte.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "pg_pack.h"
#include "pg_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_MSG (64 * 1024)

struct fuzz_sink {
	uint32_t sum;
	size_t msgs;
	const uint8_t *expect;
	size_t expect_len;
};

static void fuzz_deliver(void *ctx, totem_nodeid_t sender, const void *msg, size_t len,
                         enum totem_guarantee guarantee)
{
	struct fuzz_sink *s = ctx;
	const uint8_t *b = msg;

	if (sender == 0 || len > FUZZ_MAX_MSG ||
	    (guarantee != TOTEM_AGREED && guarantee != TOTEM_SAFE)) {
		abort();
	}
	for (size_t i = 0; i < len; i++) {
		s->sum += b[i];
	}
	if (s->expect != NULL &&
	    (len != s->expect_len || (len > 0 && memcmp(msg, s->expect, len) != 0))) {
		abort();
	}
	s->msgs++;
}

struct fuzz_frames {
	pg_asm_t *a;
};

static int fuzz_emit(void *ctx, const void *frame, size_t len, enum totem_guarantee guarantee)
{
	struct fuzz_frames *f = ctx;

	if (pg_asm_frame(f->a, 1, frame, len, guarantee) != 0) {
		abort();
	}
	return 0;
}

static void fuzz_roundtrip(const uint8_t *msg, size_t len, uint8_t arg)
{
	struct fuzz_sink sink = { .expect = msg, .expect_len = len };
	struct fuzz_frames f;
	struct pg_packer p;
	struct iovec iov[2] = {
		{ .iov_base = (void *)(uintptr_t)msg, .iov_len = len / 2 },
		{ .iov_base = (void *)(uintptr_t)(msg + len / 2), .iov_len = len - len / 2 },
	};

	f.a = pg_asm_create(FUZZ_MAX_MSG, fuzz_deliver, &sink);
	if (f.a == NULL || pg_packer_init(&p, PG_PAYLOAD_MIN + (size_t)arg * 4) != 0) {
		abort();
	}
	if (pg_packer_add(&p, iov, 2, (arg & 1) ? TOTEM_SAFE : TOTEM_AGREED, fuzz_emit, &f) != 0 ||
	    pg_packer_flush(&p, fuzz_emit, &f) != 0 || sink.msgs != 1 || pg_asm_pending(f.a) != 0) {
		abort();
	}
	pg_packer_fini(&p);
	pg_asm_destroy(f.a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_sink sink = { 0 };
	pg_asm_t *a = pg_asm_create(FUZZ_MAX_MSG, fuzz_deliver, &sink);
	totem_nodeid_t members[8];

	if (a == NULL) {
		return 0;
	}
	while (size >= 4) {
		uint8_t op = data[0] % 5;
		uint8_t arg = data[1];
		size_t len = pg_le16_get(data + 2);
		size_t n = 0;

		data += 4;
		size -= 4;
		if (len > size) {
			len = size;
		}
		switch (op) {
		case 0:
		case 1:
			(void)pg_asm_frame(a, (totem_nodeid_t)(arg % 8) + 1, data, len,
			                   op == 1 ? TOTEM_SAFE : TOTEM_AGREED);
			break;
		case 2:
			for (uint32_t i = 0; i < 8; i++) {
				if (arg & (1u << i)) {
					members[n++] = i + 1;
				}
			}
			(void)pg_asm_discard_except(a, members, n);
			break;
		case 3:
			(void)pg_asm_discard_all(a);
			if (pg_asm_pending(a) != 0) {
				abort();
			}
			break;
		default:
			fuzz_roundtrip(data, len, arg);
			break;
		}
		data += len;
		size -= len;
	}
	pg_asm_destroy(a);
	return 0;
}
