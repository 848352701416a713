/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the cpg engine's cluster message decoders (services/
 * cpg_wire.c). The first input byte picks the frame type (PROCJOIN/LEAVE,
 * MCAST, JOINLIST), the rest is the frame as it would arrive from another
 * node. Decoders must reject anything inconsistent without reading past the
 * input; what they accept must hold together (lengths, counts, names).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpg_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpg_wire_proc p;
	struct cpg_wire_mcast m;
	struct cpg_wire_joinlist jl;
	struct cpg_wire_jl_entry e;
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
	switch (data[0] % 3) {
	case 0:
		if (cpg_wire_proc_decode(frame, len, &p) == 0 &&
		    (len != CPG_WIRE_PROC_SIZE || p.group.length > AIS_CPG_NAME_MAX))
			abort();
		break;
	case 1:
		if (cpg_wire_mcast_decode(frame, len, &m) == 0) {
			if (m.msg_len != len - CPG_WIRE_MCAST_HDR_SIZE || m.group.length > AIS_CPG_NAME_MAX)
				abort();
			volatile uint8_t sum = 0;
			for (uint32_t i = 0; i < m.msg_len; i++)
				sum ^= m.msg[i];
			(void)sum;
		}
		break;
	default:
		if (cpg_wire_joinlist_decode(frame, len, &jl) == 0) {
			if (jl.count > CPG_JOINLIST_MAX)
				abort();
			for (uint32_t i = 0; i < jl.count; i++) {
				if (cpg_wire_jl_entry_get(&jl, i, &e) == 0 && e.group.length > AIS_CPG_NAME_MAX)
					abort();
			}
		}
		break;
	}
	free(frame);
	return 0;
}
