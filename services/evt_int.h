/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * State shared by the evt engine's files:
 *   evt.c         engine table, client (lib) requests, configuration changes
 *   evt_channel.c the replicated channel table, retained events and the
 *                 cluster (exec) message handlers that change them
 *   evt_deliver.c events, local subscriptions, per-connection delivery
 *   evt_sync.c    resynchronisation after a configuration change
 *   evt_status.c  the operator query and the dump
 *   evt_wire.c, evt_filter.c, evt_dq.c, evt_idres.c: pure helpers
 *
 * Replicated state (the same on every node, changed only by agreed cluster
 * messages and by sync): channels (by name, or by id once unlinked), their
 * openers (nodeid, conn id, open id, flags) and their retained events.
 * Local state: each connection's opens, their subscriptions, and the
 * connection's delivery queue. See docs/evt.md.
 */
#ifndef AIS_SERVICES_EVT_INT_H
#define AIS_SERVICES_EVT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <qb/qblist.h>
#include <qb/qbmap.h>

#include <ais/ipc_evt.h>
#include <ais/service.h>

#include "evt_dq.h"
#include "evt_filter.h"
#include "evt_idres.h"
#include "evt_wire.h"

/* SaAisErrorT values the engine answers with (AIS-API.md 1.4). */
enum evt_sa_error {
	EVT_SA_OK = 1,
	EVT_SA_ERR_LIBRARY = 2,
	EVT_SA_ERR_TIMEOUT = 5,
	EVT_SA_ERR_TRY_AGAIN = 6,
	EVT_SA_ERR_INVALID_PARAM = 7,
	EVT_SA_ERR_NO_MEMORY = 8,
	EVT_SA_ERR_BAD_HANDLE = 9,
	EVT_SA_ERR_ACCESS = 11,
	EVT_SA_ERR_NOT_EXIST = 12,
	EVT_SA_ERR_EXIST = 14,
	EVT_SA_ERR_NO_RESOURCES = 18,
	EVT_SA_ERR_BAD_FLAGS = 25,
	EVT_SA_ERR_TOO_BIG = 26,
};

#define EVT_FLAG_PUBLISHER 0x1
#define EVT_FLAG_SUBSCRIBER 0x2
#define EVT_FLAG_CREATE 0x4

#define EVT_LOST_EVENT_ID 1
#define EVT_LOST_PUBLISHER "EVENT_SERVICE"
/** Retry period for CLOSE messages the send queue could not take (ms). */
#define EVT_CLOSE_RETRY_MS 20
/** Longest one-shot timer armed at once (ms); longer waits re-arm. */
#define EVT_TIMER_MAX_MS (24u * 3600 * 1000)
/** How often the id reservation's writer is polled while a write is pending (ms). */
#define EVT_ID_WATCH_MS 100
/** Delay before a failed reservation write is tried again (ms). */
#define EVT_ID_RETRY_MS 1000
/** opener map key: "nodeid:conn_id:open_id" in hex */
#define EVT_OPENER_KEY_SIZE 48

/** One event as delivered to clients: immutable, shared by reference. */
struct evt_event {
	unsigned refs;
	uint64_t event_id;
	int64_t publish_time;
	int64_t retention_ns;
	uint32_t priority;
	uint32_t n_patterns;
	uint32_t data_len;
	struct ais_evt_name publisher;
	struct evt_bytes patterns[AIS_EVT_PATTERNS_MAX]; /**< point into var */
	size_t var_len; /**< patterns (IPC layout) + data, as EV_DELIVER carries them */
	uint8_t var[];
};

struct evt_channel;

struct evt_opener {
	struct qb_list_head list; /**< in chan->openers */
	struct evt_channel *chan;
	uint32_t nodeid;
	uint64_t conn_id;
	uint32_t open_id;
	uint32_t flags;
	char key[EVT_OPENER_KEY_SIZE];
};

struct evt_retained {
	struct qb_list_head list; /**< in chan->retained */
	struct evt_channel *chan;
	struct evt_event *ev;
	int64_t expiry;
	uint64_t timer;
	bool timer_armed;
	char key[20];
};

struct evt_channel {
	struct qb_list_head list; /**< in evt_state.channels */
	uint64_t id;
	struct ais_evt_name name;
	bool unlinked;
	struct qb_list_head openers; /**< struct evt_opener */
	size_t n_openers;
	struct qb_list_head retained; /**< struct evt_retained, by publish order */
	size_t n_retained;
	struct qb_list_head local_opens; /**< struct evt_open bound here */
};

struct evt_conn;

struct evt_sub {
	struct qb_list_head list;
	uint32_t sub_id;
	uint32_t n_filters;
	struct evt_filter filters[AIS_EVT_PATTERNS_MAX];
	uint8_t bytes[]; /**< the filters' bytes */
};

enum evt_open_state {
	EVT_OPEN_PENDING = 0, /**< OPEN multicast, not delivered yet */
	EVT_OPEN_BOUND,       /**< agreed: bound to a channel */
	EVT_OPEN_ABANDONED,   /**< timed out or its channel vanished: undo when delivered */
};

struct evt_open {
	struct qb_list_head list;      /**< in pd->opens */
	struct qb_list_head chan_list; /**< in chan->local_opens while BOUND */
	struct evt_conn *pd;
	struct evt_channel *chan;
	enum evt_open_state state;
	uint32_t open_id;
	uint32_t flags;
	bool async;
	bool timed_out;       /**< TIMEOUT answered: the client never saw this open */
	uint64_t invocation;
	bool timer_armed;
	uint64_t timer;
	struct qb_list_head subs; /**< struct evt_sub */
	size_t n_subs;
};

/** Per-connection private data (the router allocates and zeroes it). */
struct evt_conn {
	ais_conn_t *conn;
	struct qb_list_head list; /**< in evt_state.conns */
	struct qb_list_head opens;
	size_t n_opens;
	size_t n_subs;
	uint32_t next_open_id;
	bool broken;
	uint64_t delivered;
	struct evt_dq dq;
};

/** A queued delivery: one subscription's copy of an event. */
struct evt_delivery {
	struct evt_dq_item item;
	struct evt_event *ev;
};

/** A CLOSE waiting for room in the send queue. */
struct evt_pending_close {
	struct qb_list_head list;
	struct evt_wire_close c;
};

struct evt_engine_state {
	const struct ais_api *api;
	struct qb_list_head channels; /**< struct evt_channel */
	size_t n_channels;
	qb_map_t *openers;  /**< key -> struct evt_opener */
	qb_map_t *retained; /**< event id (hex) -> struct evt_retained */
	size_t n_retained;
	struct qb_list_head conns; /**< struct evt_conn */

	struct qb_list_head pending_closes;
	bool close_timer_armed;
	uint64_t close_timer;

	/* event ids */
	struct evt_idres idres;
	struct ais_counter_file *idwriter;
	bool id_error_logged;
	bool id_watch_armed;  /**< polling the writer until the reservation is on disk */
	uint64_t id_watch_timer;

	/* counters */
	uint64_t published;
	uint64_t delivered;
	uint64_t dropped;
	uint64_t bad_frames;
	uint64_t unknown_opener;
};

extern struct evt_engine_state evt_state;

/* evt.c */
extern const struct ais_service_engine ais_evt_engine;
void evt_res_send(ais_conn_t *conn, int32_t id, uint32_t error);
void evt_res_open_send(ais_conn_t *conn, uint32_t error, uint32_t open_id);
void evt_open_done_send(struct evt_open *o, uint32_t error);
struct evt_open *evt_open_find(struct evt_conn *pd, uint32_t open_id);
void evt_open_free(struct evt_open *o);
void evt_close_mcast(uint64_t conn_id, uint32_t open_id);
int evt_id_take(uint64_t *ret_id);
int64_t evt_now_ns(void);

/* evt_channel.c */
void evt_opener_key(char key[EVT_OPENER_KEY_SIZE], uint32_t nodeid, uint64_t conn_id, uint32_t open_id);
struct evt_channel *evt_channel_find_name(const struct ais_evt_name *name);
struct evt_channel *evt_channel_find_id(uint64_t id);
struct evt_channel *evt_channel_new(uint64_t id, const struct ais_evt_name *name, bool unlinked);
void evt_channel_destroy(struct evt_channel *c);
void evt_channel_destroy_if_dead(struct evt_channel *c);
struct evt_opener *evt_opener_add(struct evt_channel *c, uint32_t nodeid, uint64_t conn_id,
                                  uint32_t open_id, uint32_t flags);
struct evt_opener *evt_opener_find(uint32_t nodeid, uint64_t conn_id, uint32_t open_id);
void evt_opener_remove(struct evt_opener *op);
int evt_retained_add(struct evt_channel *c, struct evt_event *ev);
struct evt_retained *evt_retained_find(uint64_t event_id);
void evt_retained_remove(struct evt_retained *r);
void evt_channels_prune_nodes(const ais_nodeid_t *members, size_t n_members);
void evt_channels_destroy_all(void);
extern const struct ais_exec_handler evt_exec_handlers[EVT_EXEC_COUNT];

/* evt_deliver.c */
struct evt_event *evt_event_new(const struct evt_wire_event *w);
struct evt_event *evt_event_ref(struct evt_event *ev);
void evt_event_unref(struct evt_event *ev);
void evt_event_to_wire(const struct evt_event *ev, struct evt_wire_event *ret);
void evt_deliver_channel(struct evt_channel *c, struct evt_event *ev);
void evt_deliver_retained_to_sub(struct evt_open *o, struct evt_sub *s);
void evt_conn_pump(struct evt_conn *pd);
void evt_conn_drop_sub(struct evt_conn *pd, uint32_t open_id, uint32_t sub_id);
void evt_conn_drop_open(struct evt_conn *pd, uint32_t open_id);
void evt_delivery_free(struct evt_dq_item *it);

/* evt_sync.c */
extern const struct ais_sync_ops evt_sync_ops;
void evt_sync_reset(void);
void evt_exec_sync_channels(const void *msg, size_t len, ais_nodeid_t sender);
void evt_exec_sync_openers(const void *msg, size_t len, ais_nodeid_t sender);
void evt_exec_sync_event(const void *msg, size_t len, ais_nodeid_t sender);

/* evt_status.c */
int evt_lib_status(ais_conn_t *conn, const void *msg, size_t len);
void evt_dump(void (*out)(void *ctx, const char *line), void *ctx);

#endif
