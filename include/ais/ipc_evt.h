/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Event service messages between libSaEvt and the evt service engine
 * (private: not installed). Both ends run on the same host and share this
 * header, so the fields are in host byte order; every struct is fixed width
 * with explicit padding, and its size is checked below.
 *
 * Requests start with qb_ipc_request_header (16 bytes), responses and
 * events with qb_ipc_response_header (24 bytes) whose error is an
 * SaAisErrorT. When a request fails the response may be the bare header
 * (the router answers some errors itself); the library reads the body only
 * on SA_AIS_OK.
 *
 * Objects a request names are looked up in the requesting connection's own
 * state: an open id is the engine's id for one channel open of this
 * connection (never reused within the connection), so a forged or stale id
 * is NOT_EXIST / BAD_HANDLE, never another client's channel.
 *
 * Variable parts (patterns, filters, data) follow the fixed struct, each
 * item padded to a multiple of 8 bytes (AIS_EVT_ALIGN), in this order:
 *   PUBLISH:   n_patterns x (struct ais_evt_blob + bytes), then data_len bytes
 *   SUBSCRIBE: n_filters  x (struct ais_evt_filter + bytes)
 *   DELIVER:   n_patterns x (struct ais_evt_blob + bytes), then data_len bytes
 * The receiver checks that the items exactly fill header.size.
 *
 * Flow of delivered events (bounded at both ends, priority kept): the engine
 * keeps each connection's undelivered events in four priority queues of at
 * most AIS_EVT_QUEUE_MAX events (and AIS_EVT_QUEUE_MAX_BYTES); it sends the
 * highest-priority queued event first and keeps at most AIS_EVT_WINDOW
 * events sent but not yet dispatched. The library returns credit with a
 * CREDIT request (no response) each time it has dispatched
 * AIS_EVT_CREDIT_BATCH events. So an event of higher priority overtakes
 * every lower one still queued in the engine, memory is bounded whatever the
 * client does, and a full queue drops the new event and queues exactly one
 * lost-event notice (EV_DELIVER with event_id SA_EVT_EVENTID_LOST, pattern
 * "SA_EVT_LOST_EVENT_PATTERN", priority SA_EVT_HIGHEST_PRIORITY) once the
 * queue is down to AIS_EVT_QUEUE_RESUME.
 *
 * The cluster (exec) messages between engines are in services/evt_wire.h.
 */
#ifndef AIS_IPC_EVT_H
#define AIS_IPC_EVT_H

#include <stddef.h>
#include <stdint.h>
#include <qb/qbipc_common.h>

#include <ais/ipc.h>

/** Request ids (lib -> engine); each response uses the same id. */
enum ais_evt_req_id {
	AIS_EVT_REQ_CHANNEL_OPEN = 0,
	AIS_EVT_REQ_CHANNEL_CLOSE = 1,
	AIS_EVT_REQ_CHANNEL_UNLINK = 2,
	AIS_EVT_REQ_PUBLISH = 3,
	AIS_EVT_REQ_SUBSCRIBE = 4,
	AIS_EVT_REQ_UNSUBSCRIBE = 5,
	AIS_EVT_REQ_RETENTION_CLEAR = 6,
	AIS_EVT_REQ_CREDIT = 7,  /**< no response */
	AIS_EVT_REQ_STATUS = 8,  /**< operator query (aistool evt); layout below */
	AIS_EVT_REQ_COUNT
};

/** Event ids (engine -> lib, on the event channel). */
enum ais_evt_event_id {
	AIS_EVT_EV_OPEN_DONE = 0x100, /**< result of an asynchronous open */
	AIS_EVT_EV_DELIVER = 0x101,
};

/* ---- limits (also what saEvtLimitGet reports) ---------------------------- */

#define AIS_EVT_DATA_MAX (64 * 1024)            /**< event data bytes */
#define AIS_EVT_PATTERN_MAX 256                 /**< bytes in one pattern or filter */
#define AIS_EVT_PATTERNS_MAX 32                 /**< patterns per event, filters per subscription */
#define AIS_EVT_CHANNELS_MAX 1024               /**< channels in the cluster */
#define AIS_EVT_OPENS_PER_CONN_MAX 256          /**< channel opens per connection */
#define AIS_EVT_SUBS_PER_CONN_MAX 1024          /**< subscriptions per connection */
#define AIS_EVT_RETENTION_MAX ((int64_t)100 * 24 * 3600 * 1000000000) /**< 100 days, ns */
#define AIS_EVT_RETAINED_MAX 65536              /**< retained events in the cluster */
#define AIS_EVT_EVENTID_FIRST 1001              /**< ids 0..1000 are reserved */

/** Delivery flow control (see the top of this file). */
#define AIS_EVT_QUEUE_MAX 1000
#define AIS_EVT_QUEUE_RESUME 500
#define AIS_EVT_QUEUE_MAX_BYTES (16u * 1024 * 1024)
#define AIS_EVT_WINDOW 32
#define AIS_EVT_CREDIT_BATCH 16

#define AIS_EVT_ALIGN 8
#define AIS_EVT_PAD(n) (((n) + (AIS_EVT_ALIGN - 1)) & ~(size_t)(AIS_EVT_ALIGN - 1))

/** SaNameT as it travels. */
struct ais_evt_name {
	uint16_t length; /**< <= 256 */
	uint8_t value[256];
	uint8_t pad[6];
};
_Static_assert(sizeof(struct ais_evt_name) == 264, "ais_evt_name layout");

/** One pattern: len bytes follow, padded to AIS_EVT_ALIGN. */
struct ais_evt_blob {
	uint32_t len; /**< <= AIS_EVT_PATTERN_MAX */
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_evt_blob) == 8, "ais_evt_blob layout");

/** One filter: len bytes follow, padded to AIS_EVT_ALIGN. */
struct ais_evt_filter {
	uint32_t type; /**< SaEvtEventFilterTypeT, 1..4 */
	uint32_t len;  /**< <= AIS_EVT_PATTERN_MAX */
};
_Static_assert(sizeof(struct ais_evt_filter) == 8, "ais_evt_filter layout");

/* ---- requests and their responses --------------------------------------- */

/**
 * CHANNEL_OPEN. flags: SaEvtChannelOpenFlagsT (0..7). Synchronous open
 * (async == 0): the response comes once the open is agreed by the cluster,
 * or with SA_AIS_ERR_TIMEOUT when timeout_ns passed first (the open is then
 * undone). Asynchronous open (async == 1): the response (OK, open_id) comes
 * at once; the result comes later as EV_OPEN_DONE with the invocation.
 */
struct ais_evt_req_open {
	struct qb_ipc_request_header header;
	struct ais_evt_name name;
	uint32_t flags;
	uint32_t async;
	int64_t timeout_ns;
	uint64_t invocation;
};
_Static_assert(sizeof(struct ais_evt_req_open) == 304, "req_open size");

struct ais_evt_res_open {
	struct qb_ipc_response_header header;
	uint32_t open_id;
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_evt_res_open) == 32, "res_open size");

/** EV_OPEN_DONE: header.error is the open's result. */
struct ais_evt_ev_open_done {
	struct qb_ipc_response_header header;
	uint64_t invocation;
	uint32_t open_id;
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_evt_ev_open_done) == 40, "ev_open_done size");

/** CHANNEL_CLOSE: drops the open's subscriptions and undelivered events. */
struct ais_evt_req_close {
	struct qb_ipc_request_header header;
	uint32_t open_id;
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_evt_req_close) == 24, "req_close size");

/** CHANNEL_UNLINK: answered once agreed (NOT_EXIST when no such name). */
struct ais_evt_req_unlink {
	struct qb_ipc_request_header header;
	struct ais_evt_name name;
};
_Static_assert(sizeof(struct ais_evt_req_unlink) == 280, "req_unlink size");

/**
 * PUBLISH: n_patterns blobs and data_len data bytes follow. The engine
 * stamps the publish time and assigns the event id (returned).
 */
struct ais_evt_req_publish {
	struct qb_ipc_request_header header;
	uint32_t open_id;
	uint32_t priority; /**< 0..3 */
	int64_t retention_ns;
	struct ais_evt_name publisher;
	uint32_t n_patterns;
	uint32_t data_len;
};
_Static_assert(sizeof(struct ais_evt_req_publish) == 304, "req_publish size");

struct ais_evt_res_publish {
	struct qb_ipc_response_header header;
	uint64_t event_id;
};
_Static_assert(sizeof(struct ais_evt_res_publish) == 32, "res_publish size");

/** SUBSCRIBE: n_filters filters follow. sub_id unique per open. */
struct ais_evt_req_subscribe {
	struct qb_ipc_request_header header;
	uint32_t open_id;
	uint32_t sub_id;
	uint32_t n_filters;
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_evt_req_subscribe) == 32, "req_subscribe size");

/** UNSUBSCRIBE: also drops that subscription's undelivered events. */
struct ais_evt_req_unsubscribe {
	struct qb_ipc_request_header header;
	uint32_t open_id;
	uint32_t sub_id;
};
_Static_assert(sizeof(struct ais_evt_req_unsubscribe) == 24, "req_unsubscribe size");

/** RETENTION_CLEAR: answered once agreed (NOT_EXIST when not retained). */
struct ais_evt_req_clear {
	struct qb_ipc_request_header header;
	uint32_t open_id;
	uint32_t pad;
	uint64_t event_id;
};
_Static_assert(sizeof(struct ais_evt_req_clear) == 32, "req_clear size");

/** CREDIT: the library dispatched (or dropped) count more events. */
struct ais_evt_req_credit {
	struct qb_ipc_request_header header;
	uint32_t count;
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_evt_req_credit) == 24, "req_credit size");

/* ---- events --------------------------------------------------------------- */

/**
 * EV_DELIVER: one matching subscription's copy of an event; n_patterns
 * blobs and data_len data bytes follow. Every delivery counts against the
 * window until credited.
 */
struct ais_evt_ev_deliver {
	struct qb_ipc_response_header header;
	uint32_t open_id;
	uint32_t sub_id;
	uint64_t event_id;
	int64_t publish_time; /**< ns since the epoch */
	int64_t retention_ns;
	struct ais_evt_name publisher;
	uint32_t priority;
	uint32_t n_patterns;
	uint32_t data_len;
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_evt_ev_deliver) == 336, "ev_deliver size");

/* ---- operator query (AIS_EVT_REQ_STATUS, aistool evt) ---------------------- */

/** STATUS request: no parameters. */
struct ais_evt_req_status {
	struct qb_ipc_request_header header;
	uint64_t pad;
};
_Static_assert(sizeof(struct ais_evt_req_status) == 24, "req_status size");

/** At most this many entries of each list travel in one STATUS response. */
#define AIS_EVT_STATUS_CHANNELS_MAX AIS_EVT_CHANNELS_MAX
#define AIS_EVT_STATUS_CONNS_MAX 256
#define AIS_EVT_STATUS_RETAINED_MAX 1024

/**
 * STATUS response: n_channels x ais_evt_status_channel, then n_conns x
 * ais_evt_status_conn, then n_retained x ais_evt_status_retained follow.
 * The *_total fields count everything this node holds; a list is cut to
 * its _MAX (n_x < x_total) so the response stays bounded.
 */
struct ais_evt_res_status {
	struct qb_ipc_response_header header;
	uint32_t nodeid;
	uint32_t n_channels;
	uint32_t n_conns;
	uint32_t n_retained;
	uint32_t channels_total;
	uint32_t conns_total;
	uint32_t retained_total;
	uint32_t sync_active; /**< 1 while a configuration change is being synchronised */
	uint64_t next_event_id; /**< the next id this node hands out */
	uint64_t reserved_event_id; /**< ids below this are reserved on disk */
	uint64_t published;     /**< events this node published */
	uint64_t delivered;     /**< deliveries to local subscribers */
	uint64_t dropped;       /**< deliveries lost to full queues */
	uint64_t bad_frames;    /**< cluster messages rejected by the decoder */
};
_Static_assert(sizeof(struct ais_evt_res_status) == 104, "res_status size");

struct ais_evt_status_channel {
	struct ais_evt_name name; /**< length 0 once unlinked */
	uint64_t id;              /**< cluster-unique channel id */
	uint32_t unlinked;
	uint32_t openers;         /**< opens in the cluster */
	uint32_t local_opens;     /**< opens of this node's clients */
	uint32_t subscriptions;   /**< subscriptions of this node's clients */
	uint32_t retained;        /**< retained events */
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_evt_status_channel) == 296, "status_channel size");

struct ais_evt_status_conn {
	uint64_t conn_id;
	uint32_t pid;
	uint32_t opens;
	uint32_t subscriptions;
	uint32_t queued;       /**< events waiting in the engine */
	uint64_t queued_bytes;
	uint32_t in_flight;    /**< sent, not yet credited */
	uint32_t lost_pending; /**< 1 while a lost-event notice is owed */
	uint64_t delivered;
	uint64_t lost;         /**< events dropped for this connection */
};
_Static_assert(sizeof(struct ais_evt_status_conn) == 56, "status_conn size");

struct ais_evt_status_retained {
	uint64_t event_id;
	uint64_t channel_id;
	int64_t publish_time; /**< ns since the epoch */
	int64_t expiry;       /**< publish_time + retention, ns since the epoch */
	struct ais_evt_name publisher;
	uint32_t priority;
	uint32_t data_len;
};
_Static_assert(sizeof(struct ais_evt_status_retained) == 304, "status_retained size");

/** Pattern of the lost-event notice. */
#define AIS_EVT_LOST_EVENT_PATTERN "SA_EVT_LOST_EVENT_PATTERN"

/**
 * Each shared-memory ring of an evt connection (the engine's
 * ipc_buffer_size; the library connects with it): the largest message is a
 * full status reply (a publish or delivery of AIS_EVT_DATA_MAX bytes with
 * every pattern is far smaller), with room for libqb's chunk headers.
 */
#define AIS_EVT_IPC_BUFFER_SIZE (704 * 1024)
_Static_assert(sizeof(struct ais_evt_res_status) +
			       AIS_EVT_STATUS_CHANNELS_MAX * sizeof(struct ais_evt_status_channel) +
			       AIS_EVT_STATUS_CONNS_MAX * sizeof(struct ais_evt_status_conn) +
			       AIS_EVT_STATUS_RETAINED_MAX * sizeof(struct ais_evt_status_retained) + 4096 <=
		       AIS_EVT_IPC_BUFFER_SIZE,
	       "evt rings hold the largest status reply");
_Static_assert(sizeof(struct ais_evt_req_publish) + AIS_EVT_PATTERNS_MAX * (AIS_EVT_PATTERN_MAX + 8) +
			       AIS_EVT_DATA_MAX + 4096 <=
		       AIS_EVT_IPC_BUFFER_SIZE,
	       "evt rings hold the largest publish");

#endif
