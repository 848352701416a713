/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The service router and loader (DESIGN section 2, layer 4): which engines
 * run (built-ins named in service { } blocks, or all of them when there is
 * none, plus .so plugins), their start and orderly stop, per-engine
 * counters, and the checks every IPC request and every delivered exec
 * message passes before a handler sees it. Also the one place where -errno
 * becomes an SaAisErrorT number.
 */
#ifndef AIS_EXEC_SERVICE_H
#define AIS_EXEC_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ais/service.h>

#include "ais_config.h"
#include "admin.h"

struct sync;

/** The built-in engines (exec/registry.c). */
extern const struct ais_service_engine *const service_builtins[];
extern const size_t service_builtin_count;

struct service_counters {
	uint32_t connections;
	uint64_t lib_requests;
	uint64_t lib_errors;
	uint64_t exec_messages;
	uint64_t exec_dropped;
	uint64_t events_queued;
	uint64_t events_dropped;
};

struct service_slot {
	const struct ais_service_engine *engine;
	void *dl_handle;             /**< plugin, or NULL for a built-in */
	bool started;                /**< exec_init_fn succeeded */
	bool stopped;                /**< exec_exit_fn returned 0 */
	struct service_counters counters;
	void *ipc;                   /**< owned by exec/ipc.c */
};

/** Router-wide counters (frames that reach no engine). */
struct service_router_stats {
	uint64_t exec_bad_header;    /**< shorter than a header or size != len */
	uint64_t exec_no_service;    /**< no engine with that id here */
};

/**
 * Check engine's table and add it (dl_handle is dlclose()d at unload).
 * Refuses (-EINVAL, reason in err): ABI mismatch, id >= AIS_SERVICE_ID_MAX or
 * the reserved sync id, duplicate id or name, handler counts with NULL
 * tables. 0 on success.
 */
int service_register(const struct ais_service_engine *engine, void *dl_handle, char *err, size_t errlen);

/**
 * Register the engines the configuration names (all of builtins when it
 * names none); a service { } with path, or a name no built-in has, is loaded
 * from a .so (path, else plugin_dir/NAME.so). 0 or -errno with a reason.
 */
int service_load(const struct ais_config *cfg, const struct ais_service_engine *const *builtins,
		 size_t n_builtins, const char *plugin_dir, char *err, size_t errlen);

/** dlopen a plugin and register the engine it exports. */
int service_plugin_load(const char *path, char *err, size_t errlen);

/** exec_init_fn of every engine in id order; stops at the first failure (-errno). */
int service_start_all(const struct ais_api *api, char *err, size_t errlen);

/**
 * One round of orderly stop: exec_exit_fn of every started engine not yet
 * stopped, in reverse id order. -EBUSY while some engine asks to be asked
 * again, 0 when all stopped.
 */
int service_stop_step(void);

/** Forget every engine and dlclose plugins. */
void service_unload_all(void);

/** Slot of a loaded engine, or NULL. */
struct service_slot *service_slot_get(uint32_t id);
/** Engine table for sync_host_ops.engine_get (ctx unused). */
const struct ais_service_engine *service_engine_get(void *ctx, uint16_t id);

/**
 * Validate an IPC request for engine e: at least a qb_ipc_request_header,
 * header size == len, id < lib_handler_count with a handler, min_len <= len
 * <= max_len. On success *ret_handler; on failure -EINVAL and
 * *ret_response_id (the handler's response_id when the id was valid, else
 * AIS_IPC_RESPONSE_ERROR).
 */
int service_lib_check(const struct ais_service_engine *e, const void *msg, size_t len,
		      const struct ais_lib_handler **ret_handler, int32_t *ret_response_id);

/** Route sync messages to this instance (NULL: drop them). */
void service_sync_attach(struct sync *s);

/** A message delivered by totem: checked, counted, then exec handler (or sync). */
void service_exec_deliver(const void *msg, size_t len, ais_nodeid_t sender);

/** Every engine's confchg_fn. */
void service_confchg(enum ais_confchg_type type, const ais_nodeid_t *members, size_t n_members,
		     const ais_nodeid_t *left, size_t n_left, const ais_nodeid_t *joined, size_t n_joined,
		     const struct ais_ring_id *ring_id);

void service_router_stats_get(struct service_router_stats *ret);

/** admin_service_stats_get() data: fills up to max, returns the engine count. */
size_t service_stats_fill(struct ais_admin_service_stats *ret, size_t max);

#endif
