/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The service engine interface (contract for service authors; DESIGN
 * section 3). A service is one const table, registered in exec/registry.c or
 * loaded from a .so that exports `ais_service_engine_get`. It sees the
 * executive only through this header and the api table it is handed.
 *
 * Life of a state-changing request (the pattern every service follows):
 *   client --IPC--> lib handler (validate, then api->mcast an exec message
 *   carrying api->conn_id(conn)) --totem--> exec handler on every node, in
 *   the same order (change state) --> on the origin node only:
 *   api->conn_lookup(id) and api->response_send() (the client may be gone:
 *   conn_lookup returns NULL then).
 *
 * Threading: everything runs in the daemon's main loop; no handler may block.
 */
#ifndef AIS_SERVICE_H
#define AIS_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

/* Bump on any change to the structs below; the loader refuses a mismatch. */
#define AIS_SERVICE_ABI_VERSION 2

/** Fixed service ids (also the top 16 bits of every exec message id). */
enum ais_service_id {
	AIS_SERVICE_CFG = 0,
	AIS_SERVICE_CLM = 1,
	AIS_SERVICE_EVT = 2,
	AIS_SERVICE_AMF = 3,
	AIS_SERVICE_CPG = 4,
	AIS_SERVICE_CKPT = 5,
	AIS_SERVICE_RESERVED = 6,
	AIS_SERVICE_EXAMPLE = 7,
	AIS_SERVICE_ID_MAX = 32, /**< ids are < this */
};

typedef uint32_t ais_nodeid_t;

/** Ring id as services see it. */
struct ais_ring_id {
	ais_nodeid_t rep;
	uint64_t seq;
};

enum ais_confchg_type {
	AIS_CONFCHG_TRANSITIONAL = 0,
	AIS_CONFCHG_REGULAR = 1,
};

enum ais_guarantee {
	AIS_GUARANTEE_AGREED = 0,
	AIS_GUARANTEE_SAFE = 1,
};

/**
 * Every cluster (exec) message starts with this header, little-endian on the
 * wire. id = service << 16 | function; size counts the whole message.
 */
struct ais_exec_header {
	uint32_t id;
	uint32_t size;
} __attribute__((packed));
_Static_assert(sizeof(struct ais_exec_header) == 8, "exec header layout");

#define AIS_EXEC_ID(service, fn) (((uint32_t)(service) << 16) | ((uint32_t)(fn) & 0xffff))

/** An IPC connection as services see it: opaque. */
typedef struct ais_conn ais_conn_t;

/**
 * Per request id. The router checks min_len <= len <= max_len (len includes
 * the qb_ipc_request_header) before the handler runs, and answers
 * SA_AIS_ERR_INVALID_PARAM itself otherwise. When flow_control is set the
 * request is refused with SA_AIS_ERR_TRY_AGAIN while sync runs or while the
 * totem send queue cannot take a message of max(len, 4096) bytes.
 * The handler returns 0, or -errno to have the router answer the error
 * (-EINVAL INVALID_PARAM, -EAGAIN TRY_AGAIN, -ENOMEM NO_MEMORY,
 * -ENOENT NOT_EXIST, -EEXIST EXIST, -EBADF BAD_HANDLE, -EACCES ACCESS,
 * -EMSGSIZE TOO_BIG, anything else LIBRARY) with response id response_id.
 */
struct ais_lib_handler {
	int (*fn)(ais_conn_t *conn, const void *msg, size_t len);
	size_t min_len;
	size_t max_len;
	int32_t response_id;
	bool flow_control;
};

/**
 * Per exec function id. The router checks the bounds (len includes the
 * ais_exec_header) and that header.size == len; a frame that fails is
 * counted and dropped. The handler gets the whole message, header included,
 * and must read multi-byte fields with the le*toh helpers (the wire is
 * little-endian; there is no in-place endian conversion).
 */
struct ais_exec_handler {
	void (*fn)(const void *msg, size_t len, ais_nodeid_t sender);
	size_t min_len;
	size_t max_len;
};

struct ais_admin_api;     /* include/ais/admin.h */
struct ais_counter_file;  /* a durable counter file (counter_start) */

/** Executive services handed to exec_init_fn. Valid until exec_exit_fn. */
struct ais_api {
	uint32_t abi_version;

	ais_nodeid_t (*local_nodeid)(void);
	/** Current regular configuration; returns the member count (may be > max). */
	size_t (*members_get)(struct ais_ring_id *ret_ring_id, ais_nodeid_t *ret_members, size_t max);

	/** Send a cluster message; iov[0] starts with an ais_exec_header whose
	 *  size the caller filled in. 0, -EAGAIN (queue full), -EMSGSIZE. */
	int (*mcast)(const struct iovec *iov, size_t iovcnt, enum ais_guarantee guarantee);
	/** Would a cluster message of len bytes be accepted now? */
	bool (*mcast_ok)(size_t len);

	/** Reply to a request (starts with qb_ipc_response_header). 0 or -errno. */
	int (*response_send)(ais_conn_t *conn, const void *msg, size_t len);
	int (*responsev_send)(ais_conn_t *conn, const struct iovec *iov, size_t iovcnt);
	/**
	 * Queue an asynchronous event (callback) for the client. Per-connection
	 * queues are bounded: -ENOBUFS when this connection already has too much
	 * queued (the service decides: drop and tell the client, or disconnect).
	 * Events of up to 8 KiB whose header size is their length may leave
	 * together, after the handler returns, as one batch (ais/ipc.h) for a
	 * client library that asked for batches: per connection they keep
	 * their order, and a response never overtakes an earlier event.
	 */
	int (*event_send)(ais_conn_t *conn, const void *msg, size_t len);
	int (*eventv_send)(ais_conn_t *conn, const struct iovec *iov, size_t iovcnt);

	/** The service's private_data_size bytes for this connection (zeroed). */
	void *(*conn_private)(ais_conn_t *conn);
	/** A never-reused id for conn, to carry in exec messages. */
	uint64_t (*conn_id)(ais_conn_t *conn);
	/** The connection with that id if it is still open on this node, else NULL. */
	ais_conn_t *(*conn_lookup)(uint64_t conn_id);
	/** Peer credentials of the client process. */
	void (*conn_credentials)(ais_conn_t *conn, pid_t *ret_pid, uid_t *ret_uid, gid_t *ret_gid);
	/** Close a misbehaving client; lib_exit_fn runs later from the loop. */
	void (*conn_disconnect)(ais_conn_t *conn);

	/** One-shot timer on the main loop. 0 or -errno. */
	int (*timer_add)(uint32_t ms, void (*fn)(void *data), void *data, uint64_t *ret_handle);
	void (*timer_del)(uint64_t handle);

	/** True from a configuration change until every engine's sync finished. */
	bool (*sync_in_progress)(void);

	/** Ask the daemon to stop (admin request); it leaves the ring first. */
	void (*shutdown_request)(void);

	/**
	 * Watch fd on the main loop: fn(fd, revents, data) runs when one of
	 * events (POLLIN, ...) is ready; it returns 0 to keep watching, or < 0
	 * to have the watch removed. At most one watch per fd. 0 or -errno.
	 */
	int (*fd_add)(int fd, int events, int (*fn)(int fd, int revents, void *data), void *data);
	/** Stop watching fd (the caller still owns and closes it). 0 or -errno. */
	int (*fd_del)(int fd);
	/** Run fn(sig, data) from the main loop (not from the signal handler)
	 *  whenever sig arrives. 0 or -errno. */
	int (*signal_add)(int sig, int (*fn)(int sig, void *data), void *data, uint64_t *ret_handle);
	void (*signal_del)(uint64_t handle);

	/** The aisexec.conf the daemon read ("" when none). */
	const char *(*config_path)(void);
	/** Its folder: relative paths in the configuration start from here. */
	const char *(*config_dir)(void);
	/**
	 * A value of a configuration section that belongs to a service, as
	 * text: ("amf", "mode") gives "enabled" or "disabled", ("amf", "file")
	 * the file named there. NULL when the key is not set or not known.
	 */
	const char *(*config_value)(const char *section, const char *key);
	/** The daemon's run directory (state files live here). */
	const char *(*run_dir)(void);

	/**
	 * A counter kept in a file that survives restarts, written by a thread
	 * of the daemon so that the main loop never waits for the disk.
	 * counter_read: the stored value (0 and return 0 when the file is
	 * missing; -EINVAL when it is damaged). counter_start: begin writing
	 * path. counter_store: queue a value (only a higher one wins; never
	 * blocks). counter_durable: the highest value on disk, and in
	 * *ret_error (may be NULL) the latest write's result. counter_stop:
	 * write what is pending, stop, free; the last write error or 0.
	 */
	int (*counter_read)(const char *path, uint64_t *ret_value);
	int (*counter_start)(const char *path, struct ais_counter_file **ret);
	void (*counter_store)(struct ais_counter_file *c, uint64_t value);
	uint64_t (*counter_durable)(struct ais_counter_file *c, int *ret_error);
	int (*counter_stop)(struct ais_counter_file *c);

	/** Status, counters, fault filter, blackbox (include/ais/admin.h). */
	const struct ais_admin_api *admin;
};

/** Sync protocol (REFERENCE 2.2), run after every regular configuration. */
struct ais_sync_ops {
	/** Start: the transitional members (came with me from my old ring) and
	 *  the new members. */
	void (*init)(const ais_nodeid_t *trans, size_t n_trans,
	             const ais_nodeid_t *members, size_t n_members,
	             const struct ais_ring_id *ring_id);
	/** Send my part; 0 = done, >0 = call me again (queue was full). */
	int (*process)(void);
	/** Every member finished process(): commit the synchronised state. */
	void (*activate)(void);
	/** A new configuration change interrupted sync: drop partial state. */
	void (*abort)(void);
};

struct ais_service_engine {
	uint32_t abi_version;          /**< AIS_SERVICE_ABI_VERSION */
	const char *name;              /**< "cpg", "evt", ... (config `service { name }`) */
	uint16_t id;                   /**< enum ais_service_id */
	size_t private_data_size;

	int (*exec_init_fn)(const struct ais_api *api);
	/** Orderly stop; return -EBUSY to be asked again a little later. */
	int (*exec_exit_fn)(void);

	int (*lib_init_fn)(ais_conn_t *conn);
	/** The client went away (finalize or crash): free all it owned. */
	int (*lib_exit_fn)(ais_conn_t *conn);

	const struct ais_lib_handler *lib_handlers;
	size_t lib_handler_count;
	const struct ais_exec_handler *exec_handlers;
	size_t exec_handler_count;

	void (*confchg_fn)(enum ais_confchg_type type,
	                   const ais_nodeid_t *members, size_t n_members,
	                   const ais_nodeid_t *left, size_t n_left,
	                   const ais_nodeid_t *joined, size_t n_joined,
	                   const struct ais_ring_id *ring_id);

	/** NULL when the service keeps no replicated state. */
	const struct ais_sync_ops *sync;

	/** Write a human-readable state summary (aistool dump); may be NULL. */
	void (*dump_fn)(void (*out)(void *ctx, const char *line), void *ctx);

	/**
	 * Size in bytes of each of a connection's three shared-memory rings
	 * (requests, responses, events): at least the largest request,
	 * response or event of the service, libqb headers included. 0 means
	 * the daemon's default (ipc.h IPC_BUFFER_SIZE_DEFAULT). The client
	 * library must connect with the same size (libqb uses the larger of
	 * the two, so a smaller client would still work, but map more).
	 */
	size_t ipc_buffer_size;
};

/** Symbol a plugin .so exports; returns its engine table. */
typedef const struct ais_service_engine *(*ais_service_engine_get_fn)(void);
#define AIS_SERVICE_ENGINE_SYMBOL "ais_service_engine_get"

#endif
