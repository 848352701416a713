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
 * that is never reused, and an outgoing event queue. An event the client is
 * not reading fast enough waits in that queue, which is drained from the
 * loop; the queue holds at most IPC_OUTQ_MAX_EVENTS events or
 * IPC_OUTQ_MAX_BYTES bytes, beyond which event_send returns -ENOBUFS and the
 * engine decides (drop and tell the client, or disconnect it).
 *
 * Flow control: the request rate follows the totem queue level (LOW -> FAST
 * ... CRITICAL -> OFF), and handlers marked flow_control are answered
 * SA_AIS_ERR_TRY_AGAIN while sync runs or while totem cannot take the
 * message.
 */
#ifndef AIS_EXEC_IPC_H
#define AIS_EXEC_IPC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <ais/service.h>

#define IPC_OUTQ_MAX_EVENTS 1000
#define IPC_OUTQ_MAX_BYTES (16 * 1024 * 1024)

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
void ipc_conn_disconnect(ais_conn_t *conn);

#endif
