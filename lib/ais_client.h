/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private core shared by every client library (libaiscpg, libSaEvt, ...):
 * one IPC connection to the local executive, the synchronous request path,
 * the generic SA_DISPATCH_* loop, the handle database and the single
 * -errno -> SaAisErrorT table. Not installed; linked into each public
 * library as the convenience library libaiscore.la, whose symbols the public
 * libraries do not export.
 *
 * Conventions: functions return 0 or -errno; out parameters are ret_* and
 * are written only on success. Every function is thread-safe unless its
 * comment says otherwise.
 *
 * How a library uses it (sketch):
 *
 *   Initialize: ais_hdb_create(&db, sizeof(*inst), inst_destructor, &h, &inst)
 *               ais_client_connect("cpg", &inst->client)
 *   Call:       ais_hdb_get(&db, h, &inst); ais_client_request(inst->client,
 *               iov, n, RESPONSE_ID, &res, sizeof(res), &len); ais_hdb_put(&db, h)
 *   Dispatch:   ais_hdb_get(&db, h, &inst);
 *               ais_client_dispatch(inst->client, flags, deliver, inst);
 *               ais_hdb_put(&db, h)
 *   Finalize:   ais_hdb_get(&db, h, &inst); ais_client_shutdown(inst->client);
 *               ais_hdb_destroy(&db, h); ais_hdb_put(&db, h)
 *   Destructor: (runs at the last put, never inside a call on the handle)
 *               ais_client_disconnect(inst->client)
 *
 * Finalize from inside a callback is therefore safe: dispatch holds a
 * reference, the callback's finalize marks the client shut down (dispatch
 * stops after the callback returns) and the connection is closed by the
 * destructor when dispatch drops its reference.
 */
#ifndef AIS_CLIENT_H
#define AIS_CLIENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <qb/qbdefs.h>
#include <qb/qbhdb.h>

#include <saAis.h>
#include <ais/error.h>

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/* ais_error_from_errno(): the one -errno -> SaAisErrorT table, <ais/error.h>. */

/* ------------------------------------------------------------------------ */
/* Connection                                                                */
/* ------------------------------------------------------------------------ */

/** One IPC connection to the local executive (opaque). */
struct ais_client;

/**
 * Dispatch flags: the SA Forum values (SaDispatchFlagsT, and Corosync's
 * cs_dispatch_flags_t, which uses the same numbers) plus ONE_NONBLOCKING.
 *   ONE:             wait until one event is available, deliver it, return.
 *   ALL:             deliver every event available now, never wait.
 *   BLOCKING:        deliver events until the client is shut down (finalize,
 *                    from a callback or another thread); then return 0.
 *   ONE_NONBLOCKING: deliver at most one event, never wait; -EAGAIN when
 *   there was none (Corosync answers CS_ERR_TRY_AGAIN then).
 */
enum ais_dispatch_flags {
	AIS_DISPATCH_ONE = 1,
	AIS_DISPATCH_ALL = 2,
	AIS_DISPATCH_BLOCKING = 3,
	AIS_DISPATCH_ONE_NONBLOCKING = 4,
};

/**
 * Longest a synchronous request waits for its response. The daemon's
 * liveness is checked every AIS_CLIENT_POLL_MS while waiting, so a dead
 * daemon is noticed within about that time, not after the full timeout.
 */
#define AIS_CLIENT_REQUEST_TIMEOUT_MS 60000
/** Longest wait for the daemon to accept a new connection (-ETIMEDOUT after);
 *  $AIS_CONNECT_TIMEOUT_MS (1..600000 ms) replaces it. */
#define AIS_CLIENT_CONNECT_TIMEOUT_MS 10000
/** The connect bound in effect (the environment variable or the default). */
int ais_client_connect_timeout_ms(void);
#define AIS_CLIENT_POLL_MS 250

/**
 * Connect to the local executive's IPC service for `service` ("cpg", "evt",
 * "example", ...). The IPC name is "ais-<instance>-<service>" when
 * $AIS_INSTANCE is set and not empty, else "ais-<service>".
 * -EINVAL (bad name), -ENOMEM, -ENOTCONN (no daemon / service not loaded),
 * -EACCES (the daemon refused us: uid/gid not allowed), -EMFILE / -ENFILE
 * (the daemon's per-user / total connection limit), -ESHUTDOWN (the daemon
 * is shutting down), -ETIMEDOUT (the daemon did not answer within
 * AIS_CLIENT_CONNECT_TIMEOUT_MS: stopped or overloaded).
 */
int ais_client_connect(const char *service, struct ais_client **ret_client);

/**
 * Why the last ais_client_connect() of the calling thread failed, as one
 * sentence for the user, or NULL after a successful one. A refusal by the
 * daemon reads e.g. "access denied by aisexec: uid 1000 (gid 1000) is not
 * allowed ..." (-EACCES), "aisexec refused the connection: too many
 * connections for uid 1000 ..." (-EMFILE, the per-user limit), "... too
 * many connections in all ..." (-ENFILE, the total limit), "... it is
 * shutting down" (-ESHUTDOWN). The libraries export it as
 * cpg_initialize_error_text() etc. (include/ais/client.h).
 */
const char *ais_client_connect_reason(void);

/**
 * Close the connection and free c. Only when no other thread can be using
 * c any more (normally from the handle destructor, see above). NULL is a
 * no-op.
 */
void ais_client_disconnect(struct ais_client *c);

/**
 * Finalize: mark c shut down. Any dispatch running on c (in a callback that
 * called this, or blocked in another thread) stops and returns 0; later
 * requests and dispatches return -EBADF. Does not free c. Idempotent.
 */
void ais_client_shutdown(struct ais_client *c);

/**
 * Finalize for a library's finalize call: ais_client_shutdown(), and say
 * whether the connection was still up. 0 when it was, -ENOTCONN when the
 * daemon had gone away or the connection had failed (Corosync's finalize
 * answers that lost connection's error, CS_ERR_LIBRARY; the handle is
 * released all the same), -EBADF when c was already shut down.
 */
int ais_client_finalize(struct ais_client *c);

/** True once ais_client_shutdown() was called or the connection failed. */
bool ais_client_is_shutdown(struct ais_client *c);

/** True once ais_client_shutdown() was called (finalize), not for a failed connection. */
bool ais_client_is_finalized(struct ais_client *c);

/**
 * The selection object: readable whenever dispatch has work (an event is
 * queued) or the daemon has gone away (dispatch then returns -ENOTCONN).
 * The same fd for the whole life of c.
 */
int ais_client_fd(struct ais_client *c, int *ret_fd);

/**
 * Synchronous request/response. iov[0] must start with a
 * struct qb_ipc_request_header whose id and size (whole request) the
 * caller filled in. Waits for this request's response (one request per
 * connection at a time; concurrent callers queue on a mutex). Events that
 * arrive meanwhile stay queued for dispatch, in order.
 *
 * Returns 0 when a well-formed response (header size == received length)
 * with id response_id or AIS_IPC_RESPONSE_ERROR arrived: it was copied to
 * ret_buf and *ret_len set; the caller reads its header.error (an
 * SaAisErrorT). Otherwise:
 *   -EINVAL     bad arguments (request larger than AIS_IPC_MSG_MAX, ...)
 *   -EBADF      c was shut down (finalized)
 *   -EAGAIN     the request channel stayed full (bounded retries)
 *   -EMSGSIZE   the response does not fit in buflen (it was consumed)
 *   -ENOTCONN   the daemon is gone, or c failed earlier
 *   -ETIMEDOUT  no response within AIS_CLIENT_REQUEST_TIMEOUT_MS
 *   -EPROTO     malformed response or one with another id
 * After -ENOTCONN, -ETIMEDOUT or -EPROTO the connection is marked failed
 * (a late response would otherwise answer the next request): every later
 * request returns -ENOTCONN.
 */
int ais_client_request(struct ais_client *c, const struct iovec *iov, size_t iovcnt,
                       int32_t response_id, void *ret_buf, size_t buflen, size_t *ret_len);

/** As ais_client_request, but the response is returned in a malloc()ed
 *  buffer the caller frees (for variable-length answers). */
int ais_client_request_alloc(struct ais_client *c, const struct iovec *iov, size_t iovcnt,
                             int32_t response_id, void **ret_msg, size_t *ret_len);

/** Send a request that has no response (rare). 0, -EBADF, -EAGAIN, -ENOTCONN. */
int ais_client_send(struct ais_client *c, const struct iovec *iov, size_t iovcnt);

/**
 * Receive one event (starts with struct qb_ipc_response_header) into buf.
 * timeout_ms: 0 = don't wait, -1 = wait until one arrives. Returns 0 and
 * *ret_len, -EAGAIN (none within timeout), -EMSGSIZE (event longer than len;
 * it is consumed), -EPROTO (malformed event, consumed), -ENOTCONN, -EBADF.
 * Serialised with ais_client_dispatch on the same client.
 */
int ais_client_event_recv(struct ais_client *c, void *buf, size_t len, int timeout_ms,
                          size_t *ret_len);

/**
 * Called by dispatch for each event, in arrival order. msg (starting with
 * struct qb_ipc_response_header, header size == len, already checked) is a
 * buffer owned by the dispatcher, valid until deliver returns. Return 0 to
 * go on, or -errno to stop dispatch with that error. deliver may call
 * ais_client_shutdown (finalize): dispatch then stops and returns 0.
 */
typedef int (*ais_client_deliver_fn)(void *ctx, const void *msg, size_t len);

/**
 * The SA dispatch loop (see enum ais_dispatch_flags). 0, -EINVAL (bad
 * flags), -EBADF (already shut down when called), -ENOTCONN (daemon gone),
 * or the negative value deliver returned. Only one thread dispatches a
 * given client at a time (others wait); requests from other threads run
 * concurrently. Malformed events are skipped (counted, never delivered).
 */
int ais_client_dispatch(struct ais_client *c, int flags, ais_client_deliver_fn deliver, void *ctx);

/* ------------------------------------------------------------------------ */
/* Handle database                                                           */
/* ------------------------------------------------------------------------ */

/**
 * Handles are 64-bit values: bits 63..56 the database tag, 55..20 a
 * generation number that increases with every create in that database and
 * is never reused (create fails with -ENOSPC once 2^36 - 1 handles were
 * made), 19..0 the storage slot (at most 2^20 - 1 live handles per
 * database). So a handle is valid in exactly one database, never becomes
 * valid again after destroy, and 0 is never a handle. Storage and slots are
 * libqb's qb_hdb; the generation check, the reference count and the
 * locking are ours (qb_hdb alone is neither thread-safe nor free of value
 * reuse).
 *
 * Each library declares one database per kind of handle, with a tag that
 * is unique over every library (AIS_HDB_TAG(service id, kind)):
 *     AIS_HDB_DECLARE(evt_channel_db, AIS_HDB_TAG(AIS_SERVICE_EVT, 1));
 */
struct ais_hdb {
	struct qb_hdb qb;
	pthread_mutex_t lock;
	uint64_t next_gen;
	uint8_t tag;
};

#define AIS_HDB_TAG(service_id, kind) ((uint8_t)((((unsigned)(service_id) & 0x1f) << 3) | ((unsigned)(kind) & 0x7)))

#define AIS_HDB_INITIALIZER(tag_)                                                   \
	{                                                                           \
		.qb = { .handle_count = 0, .handles = NULL, .iterator = 0,          \
		        .destructor = NULL, .first_run = QB_TRUE },                 \
		.lock = PTHREAD_MUTEX_INITIALIZER, .next_gen = 1, .tag = (tag_),    \
	}

#define AIS_HDB_DECLARE(name, tag_) static struct ais_hdb name = AIS_HDB_INITIALIZER(tag_)

/**
 * New handle with a zeroed instance of size bytes (max_align_t aligned),
 * holding one reference (dropped by ais_hdb_destroy). destructor (may be
 * NULL) runs once, at the last put after destroy, outside every lock, just
 * before the memory is freed. -EINVAL, -ENOMEM, -ENOSPC.
 */
int ais_hdb_create(struct ais_hdb *db, size_t size, void (*destructor)(void *instance),
                   uint64_t *ret_handle, void **ret_instance);

/** Look up a live handle and take a reference. -EBADF for a handle never
 *  issued by db, destroyed, or forged. */
int ais_hdb_get(struct ais_hdb *db, uint64_t handle, void **ret_instance);

/** Drop a reference taken by get (or create). -EBADF for an unknown handle. */
int ais_hdb_put(struct ais_hdb *db, uint64_t handle);

/** Make the handle invalid for every later get and drop its creation
 *  reference. -EBADF when already destroyed or unknown. */
int ais_hdb_destroy(struct ais_hdb *db, uint64_t handle);

/**
 * Call fn for every live handle (a reference is held during the call; fn
 * may destroy the handle). Returns the first non-zero fn return (stopping
 * there), else 0. Handles created during the walk may or may not be seen.
 */
int ais_hdb_iterate(struct ais_hdb *db, int (*fn)(uint64_t handle, void *instance, void *ctx),
                    void *ctx);

/* ------------------------------------------------------------------------ */
/* Small helpers every library needs                                         */
/* ------------------------------------------------------------------------ */

/** SaNameT checks: length <= SA_MAX_NAME_LENGTH. -EINVAL for NULL,
 *  -ENAMETOOLONG for too long. */
int ais_name_check(const SaNameT *name);

#endif
