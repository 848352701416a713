/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the clm engine's outside-bytes parsers (services/
 * clm_wire.c). The first input byte picks the parser: the NODE cluster
 * message decoder (a frame as it would arrive from another node), or the
 * validator of client requests (as the IPC router hands them over). What
 * they accept must hold together; a decoded record must encode back to the
 * same bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <saAis.h>

#include "clm_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_node(const uint8_t *frame, size_t len)
{
	uint8_t again[CLM_WIRE_NODE_SIZE];
	struct clm_wire_node n;

	if (clm_wire_node_decode(frame, len, &n) != 0)
		return;
	if (len != CLM_WIRE_NODE_SIZE || n.nodeid == 0 || n.name_len == 0 || n.name_len > AIS_CLM_NAME_MAX ||
	    n.address_len > AIS_CLM_ADDRESS_MAX || (n.family != AIS_CLM_AF_INET && n.family != AIS_CLM_AF_INET6))
		abort();
	if (clm_wire_node_encode(again, &n) != 0 || memcmp(again, frame, len) != 0)
		abort();
}

static void fuzz_request(const uint8_t *msg, size_t len)
{
	struct qb_ipc_request_header h;
	struct ais_clm_req_track t;

	if (clm_ipc_request_check(msg, len) != 0)
		return;
	memcpy(&h, msg, sizeof(h));
	if (h.id < 0 || h.id >= AIS_CLM_REQ_COUNT || (size_t)h.size != len)
		abort();
	if (h.id == AIS_CLM_REQ_TRACK) {
		memcpy(&t, msg, sizeof(t));
		if (t.current > AIS_CLM_CURRENT_CALLBACK ||
		    (t.flags != 0 && t.flags != SA_TRACK_CHANGES && t.flags != SA_TRACK_CHANGES_ONLY))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *frame;
	size_t len;

	if (size < 1)
		return 0;
	/* an exact-size copy, so reading past the input is caught */
	len = size - 1;
	frame = malloc(len ? len : 1);
	if (!frame)
		return 0;
	memcpy(frame, data + 1, len);
	if (data[0] % 2 == 0)
		fuzz_node(frame, len);
	else
		fuzz_request(frame, len);
	free(frame);
	return 0;
}
