/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the AMF engine's cluster message decoders and its state
 * installer (services/amf/amf_wire.c). The first input byte picks the
 * decoder, the rest is the frame (or the state blob) as it would arrive.
 * Decoders must reject anything inconsistent without reading past the
 * input; what they accept must be in range and encode back to the same
 * frame. An installed state must serialize again, and installing that
 * serialization must give the same bytes once more.
 */
#include "config.h"

#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/amf/amf_config.h"
#include "../../services/amf/amf_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_frame(const uint8_t *frame, size_t len, const uint8_t *again, size_t n)
{
	if (n != len || memcmp(frame, again, n) != 0)
		abort();
}

static void check_name(const struct amf_wire_name *n)
{
	if (n->len > AMF_DN_MAX || strlen(n->value) != n->len)
		abort();
}

/* Install a state blob into a parse of its own text and serialize it again. */
static int install(const uint8_t *blob, size_t len, uint8_t **ret, size_t *ret_len)
{
	struct amf_cluster *c = NULL;
	struct amf_driver_state d;
	const char *text;
	size_t text_len;
	int r;

	memset(&d, 0, sizeof(d));
	if (amf_state_config(blob, len, &text, &text_len) < 0)
		return -1;
	if (amf_config_parse_mem(text, text_len, "amf.conf", NULL, NULL, NULL, NULL, &c) < 0)
		return -1;
	r = amf_state_install(blob, len, c, &d);
	if (r == 0 && amf_state_encode(text, text_len, c, &d, ret, ret_len) != 0)
		abort();
	amf_driver_state_clear(&d);
	amf_actions_free(&d.pending);
	free(d.started);
	amf_cluster_free(c);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union {
		struct amf_wire_error error;
		struct amf_wire_result result;
		struct amf_wire_quiesced quiesced;
		struct amf_wire_admin admin;
		struct amf_wire_summary summary;
		struct amf_wire_state state;
	} u;
	uint8_t again[AMF_WIRE_STATE_MAX_SIZE];
	uint8_t *frame;
	size_t len;

	if (size < 1)
		return 0;
	/* an exact-size copy, so reading past the frame is caught */
	len = size - 1;
	frame = malloc(len ? len : 1);
	if (!frame)
		return 0;
	memcpy(frame, data + 1, len);
	switch (data[0] % 7) {
	case 0:
		if (amf_wire_error_decode(frame, len, &u.error) == 0) {
			check_name(&u.error.comp);
			if (u.error.recommended < 1 || u.error.recommended > 8 || u.error.source < 1 || u.error.source > 4)
				abort();
			amf_wire_error_encode(again, &u.error);
			if (memcmp(again, frame, 24) != 0)
				abort();
		}
		break;
	case 1:
		if (amf_wire_result_decode(frame, len, &u.result) == 0) {
			struct ais_exec_header h;

			memcpy(&h, frame, sizeof(h));
			same_frame(frame, len, again,
				   amf_wire_result_encode(again, (enum amf_exec_fn)(le32toh(h.id) & 0xffff), &u.result));
		}
		break;
	case 2:
		if (amf_wire_quiesced_decode(frame, len, &u.quiesced) == 0) {
			check_name(&u.quiesced.comp);
			check_name(&u.quiesced.csi);
			if (amf_wire_quiesced_encode(again, &u.quiesced) != len)
				abort();
		}
		break;
	case 3:
		if (amf_wire_admin_decode(frame, len, &u.admin) == 0) {
			check_name(&u.admin.dn);
			if (u.admin.op < 1 || u.admin.op > 9 || u.admin.op == 8 || amf_wire_admin_encode(again, &u.admin) != len)
				abort();
		}
		break;
	case 4:
		if (amf_wire_summary_decode(frame, len, &u.summary) == 0 &&
		    (amf_wire_summary_encode(again, &u.summary) != len || (u.summary.have_state && !u.summary.enabled)))
			abort();
		break;
	case 5:
		if (amf_wire_state_decode(frame, len, &u.state) == 0) {
			if (u.state.chunk > AMF_WIRE_STATE_CHUNK || u.state.offset + (uint64_t)u.state.chunk > u.state.total)
				abort();
			if (amf_wire_state_encode(again, &u.state) != len || memcmp(again + AMF_WIRE_STATE_HDR_SIZE,
										   frame + AMF_WIRE_STATE_HDR_SIZE, u.state.chunk))
				abort();
		}
		break;
	default: {
		uint8_t *b1 = NULL, *b2 = NULL;
		size_t l1 = 0, l2 = 0;

		if (install(frame, len, &b1, &l1) == 0) {
			if (install(b1, l1, &b2, &l2) != 0 || l1 != l2 || memcmp(b1, b2, l1) != 0)
				abort();
		}
		free(b1);
		free(b2);
		break;
	}
	}
	free(frame);
	return 0;
}
