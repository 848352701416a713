/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPC server (DESIGN section 2, layer 5): one libqb IPC service per
 * loaded engine, named "ais-<instance>-<name>" (or "ais-<name>"), using
 * shared-memory rings, driven by the main loop.
 *
 * Who may connect: uid 0, gid 0, the daemon's own uid, and the uids/gids the
 * configuration allows; others are refused and logged.
 *
 * Per connection: the engine's private_data_size bytes (zeroed), a 64-bit id
 * that is never reused, and an outgoing event queue.
 *
 * Slow consumers. An event goes straight into the connection's libqb event
 * ring; when the ring is full it waits in the connection's queue, which is
 * drained as soon as the client can take more: before every new event for
 * that client, on every request the client sends, and from a per-connection
 * timer that retries after IPC_DRAIN_MIN_MS while the client keeps reading
 * and backs off to IPC_DRAIN_MAX_MS while it does not (libqb tells the
 * server nothing when a client reads its ring, and a loop job re-armed while
 * the queue is non-empty would spin the daemon). Each queued event is
 * charged its length plus IPC_EVENT_OVERHEAD bytes. "Progress" is the last
 * time the ring took an event out of a non-empty queue (or the queue became
 * non-empty). event_send returns -ENOBUFS, and the engine decides (drop and
 * tell the client, or disconnect it), when the event would take the queue
 *   - over IPC_OUTQ_MAX_BYTES, whatever the client does: the memory bound; or
 *   - over IPC_OUTQ_HIGH_BYTES while the client has made no progress for
 *     IPC_OUTQ_STALL_MS: a client that stopped reading.
 * The refusal is logged once per connection with the queue's numbers.
 *
 * Flow control: the request rate follows the totem queue level (LOW -> FAST
 * ... CRITICAL -> OFF), and handlers marked flow_control are answered
 * SA_AIS_ERR_TRY_AGAIN while sync runs, while totem cannot take the
 * message, or while a local client that is still making progress has more
 * than IPC_OUTQ_HIGH_BYTES queued (so senders on this node cannot run away
 * from their own local readers; a client stalled for IPC_OUTQ_STALL_MS no
 * longer holds them back).
 */
#ifndef AIS_EXEC_IPC_H
#define AIS_EXEC_IPC_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <ais/ipc.h>
#include <ais/service.h>

#define IPC_OUTQ_MAX_BYTES (16u * 1024 * 1024) /**< hard bound of a connection's queue */
#define IPC_OUTQ_HIGH_BYTES (4u * 1024 * 1024) /**< high watermark: flow control, stall check */
#define IPC_OUTQ_STALL_MS 5000u                 /**< no progress this long above HIGH: refused */
#define IPC_EVENT_OVERHEAD 64u                  /**< bytes charged per queued event besides its length */
#define IPC_DRAIN_MIN_MS 1u
#define IPC_DRAIN_MAX_MS 16u

/**
 * The queue policy: may an event of len bytes join a queue that holds
 * queued_bytes (charged) and has made no progress for stall_ms?
 * 0 or -ENOBUFS. Pure, so that it can be tested on its own.
 */
static inline int ipc_outq_admit(size_t queued_bytes, size_t len, uint64_t stall_ms)
{
	size_t after = queued_bytes + len + IPC_EVENT_OVERHEAD;

	if (len > IPC_OUTQ_MAX_BYTES || after > IPC_OUTQ_MAX_BYTES) {
		return -ENOBUFS;
	}
	if (after > IPC_OUTQ_HIGH_BYTES && stall_ms >= IPC_OUTQ_STALL_MS) {
		return -ENOBUFS;
	}
	return 0;
}

struct ipc_stats {
	uint64_t connections_refused;
	uint64_t requests_bad;       /**< refused by the router checks */
	uint64_t requests_try_again; /**< refused by flow control */
};

/** Create and run the IPC services of every loaded engine. 0 or -errno with a reason. */
int ipc_start(char *err, size_t errlen);

/** Disconnect every client and destroy the services. */
void ipc_stop(void);

void ipc_stats_get(struct ipc_stats *ret);

/* The connection part of struct ais_api. */
int ipc_response_send(ais_conn_t *conn, const void *msg, size_t len);
int ipc_responsev_send(ais_conn_t *conn, const struct iovec *iov, size_t iovcnt);
int ipc_event_send(ais_conn_t *conn, const void *msg, size_t len);
int ipc_eventv_send(ais_conn_t *conn, const struct iovec *iov, size_t iovcnt);
void *ipc_conn_private(ais_conn_t *conn);
uint64_t ipc_conn_id(ais_conn_t *conn);
ais_conn_t *ipc_conn_lookup(uint64_t conn_id);
void ipc_conn_credentials(ais_conn_t *conn, pid_t *ret_pid, uid_t *ret_uid, gid_t *ret_gid);
/** Disconnect from the main loop, soon after this returns: conn and the
 *  engine's private data stay valid until then (lib_exit_fn runs later). */
void ipc_conn_disconnect(ais_conn_t *conn);

/** Send every connection's event batch now (the end of a transport entry
 *  point: its deliveries are done); a loop job does it otherwise. */
void ipc_batch_flush_all(void);

/** True while a local client that is still reading has more than
 *  IPC_OUTQ_HIGH_BYTES queued: flow control for senders on this node. */
bool ipc_outq_backpressure(void);

/** Ring size of an engine that leaves ipc_buffer_size 0; also the largest
 *  an engine may ask for (requests and events are bounded by it). */
#define IPC_BUFFER_SIZE_DEFAULT AIS_IPC_MSG_MAX
/** The last close of a burst of connection closes gives free heap back
 *  (malloc_trim) this long after it. */
#define IPC_TRIM_DELAY_MS 200
/** Blocks from this size up are mmapped (fixed: glibc would raise it). */
#define IPC_MMAP_THRESHOLD (128 * 1024)
/** Smallest ipc_buffer_size an engine may ask for. */
#define IPC_BUFFER_SIZE_MIN 4096

/** Each shared-memory ring of e's connections, in bytes. */
size_t ipc_buffer_size_of(const struct ais_service_engine *e);

#endif
