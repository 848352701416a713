/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What travels between a client library and the executive over libqb IPC.
 *
 * Every request starts with struct qb_ipc_request_header {id, size}; every
 * response and every asynchronous event (callback) starts with struct
 * qb_ipc_response_header {id, size, error}. `size` counts the whole message,
 * header included. `error` is an SaAisErrorT value (SA_AIS_OK == 1; CPG's
 * cs_error_t uses the same numbers). Responses come back on the response
 * channel in request order; events come on the event channel, whose fd is the
 * selection object.
 *
 * IPC service names carry the instance (DESIGN section 7):
 * "ais-<instance>-<service>", e.g. "ais-n1-cpg"; without an instance,
 * "ais-<service>". The client picks the instance from $AIS_INSTANCE.
 */
#ifndef AIS_IPC_H
#define AIS_IPC_H

#include <stdint.h>
#include <qb/qbipc_common.h>

#define AIS_IPC_NAME_MAX 64

/** Largest request, response or event on any channel (libqb buffer size). */
#define AIS_IPC_MSG_MAX (1024 * 1024 + 64 * 1024)

/** Env variable that picks the daemon instance. */
#define AIS_INSTANCE_ENV "AIS_INSTANCE"

/**
 * Response id used by the executive when it refuses a request before any
 * handler runs (bad id, bad length, flow control): the error field says why.
 */
#define AIS_IPC_RESPONSE_ERROR 0x7fffffff

/*
 * Features of the IPC layer itself, below every engine. Right after it
 * connects, a client library may send AIS_IPC_REQ_FEATURES with the
 * features it understands; the executive answers with the subset it will
 * use on this connection (an executive that predates the request answers
 * AIS_IPC_RESPONSE_ERROR: no features). Engines never see this request.
 */
#define AIS_IPC_REQ_FEATURES 0x7ffffffe
#define AIS_IPC_RES_FEATURES 0x7ffffffe

/*
 * Event batches: the executive may put several events for one connection
 * into one libqb event, so that a burst of deliveries costs one
 * notification and one wake-up of the client instead of one each. The
 * batch's header has id AIS_IPC_EVENT_BATCH, size = the whole batch and
 * error = the number of events in it; the events follow from offset
 * AIS_IPC_BATCH_FIRST, each a complete event (its own response header, its
 * size counting itself), the next one at the following multiple of
 * AIS_IPC_BATCH_ALIGN. A batch holds at least two events and never nests.
 */
#define AIS_IPC_FEATURE_EVENT_BATCH 0x1u
#define AIS_IPC_EVENT_BATCH 0x7ffffffe
#define AIS_IPC_BATCH_ALIGN 8u
#define AIS_IPC_BATCH_FIRST 24u

struct ais_ipc_req_features {
	struct qb_ipc_request_header header;
	uint32_t features;
	uint32_t reserved;
};

struct ais_ipc_res_features {
	struct qb_ipc_response_header header;
	uint32_t features;
	uint32_t reserved;
};

_Static_assert(sizeof(struct qb_ipc_response_header) == AIS_IPC_BATCH_FIRST, "batch header");

/** Offset of the event after one of `size` bytes at `off` in a batch. */
static inline uint64_t ais_ipc_batch_next(uint64_t off, uint64_t size)
{
	return off + ((size + AIS_IPC_BATCH_ALIGN - 1) & ~(uint64_t)(AIS_IPC_BATCH_ALIGN - 1));
}

#endif
