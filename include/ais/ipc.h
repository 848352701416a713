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

#endif
