/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cluster (exec) messages of the evt engine and the validators of the
 * variable parts of client requests. Pure code (no engine state), so the
 * unit tests and the fuzz target link it alone.
 *
 * Cluster messages are little-endian and written/read only through the
 * functions below (hdr = struct ais_exec_header {id, size}; the sender's
 * node id is not carried, the router hands it over):
 *
 *   name     = length:u32 value:u8[256]                              (260)
 *   OPEN     = hdr conn_id:u64 open_id:u32 flags:u32 new_chan_id:u64 name
 *                                                                    (288)
 *   CLOSE    = hdr conn_id:u64 open_id:u32 pad:u32                   (24)
 *   UNLINK   = hdr conn_id:u64 name                                  (276)
 *   CLEAR    = hdr conn_id:u64 open_id:u32 pad:u32 event_id:u64      (32)
 *   PUBLISH  = hdr conn_id:u64 open_id:u32 pad:u32 body
 *   body     = event_id:u64 publish_time:i64 retention_ns:i64
 *              priority:u32 n_patterns:u32 data_len:u32 pad:u32 publisher:name
 *              n_patterns x (len:u32 pad:u32 bytes, padded to 8), data
 *   SYNC_CHANNELS = hdr ring_rep:u32 ring_seq:u64 count:u32 pad:u32
 *              count x (chan_id:u64 unlinked:u32 pad:u32 name)     (28 + 276 n)
 *   SYNC_OPENERS  = hdr ring_rep:u32 ring_seq:u64 count:u32 pad:u32
 *              count x (chan_id:u64 unlinked:u32 flags:u32 conn_id:u64
 *                       open_id:u32 pad:u32 name)                  (28 + 296 n)
 *   SYNC_EVENT    = hdr ring_rep:u32 ring_seq:u64 chan_id:u64 body
 *
 * Every decoder checks that the message is exactly as long as its counts
 * say, that names and patterns are within their limits, and that the
 * header's id and size match.
 */
#ifndef AIS_SERVICES_EVT_WIRE_H
#define AIS_SERVICES_EVT_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ais/ipc_evt.h>
#include <ais/service.h>

#include "evt_filter.h"

enum evt_exec_fn {
	EVT_EXEC_OPEN = 0,
	EVT_EXEC_CLOSE = 1,
	EVT_EXEC_UNLINK = 2,
	EVT_EXEC_PUBLISH = 3,
	EVT_EXEC_CLEAR = 4,
	EVT_EXEC_SYNC_CHANNELS = 5,
	EVT_EXEC_SYNC_OPENERS = 6,
	EVT_EXEC_SYNC_EVENT = 7,
	EVT_EXEC_COUNT
};

#define EVT_WIRE_HDR_SIZE 8
#define EVT_WIRE_NAME_SIZE 260
#define EVT_WIRE_OPEN_SIZE (EVT_WIRE_HDR_SIZE + 24 + EVT_WIRE_NAME_SIZE)
#define EVT_WIRE_CLOSE_SIZE (EVT_WIRE_HDR_SIZE + 16)
#define EVT_WIRE_UNLINK_SIZE (EVT_WIRE_HDR_SIZE + 8 + EVT_WIRE_NAME_SIZE)
#define EVT_WIRE_CLEAR_SIZE (EVT_WIRE_HDR_SIZE + 24)
#define EVT_WIRE_BODY_FIXED (40 + EVT_WIRE_NAME_SIZE)
#define EVT_WIRE_BODY_MAX \
	(EVT_WIRE_BODY_FIXED + AIS_EVT_PATTERNS_MAX * (8 + AIS_EVT_PATTERN_MAX) + AIS_EVT_DATA_MAX)
#define EVT_WIRE_PUBLISH_MIN (EVT_WIRE_HDR_SIZE + 16 + EVT_WIRE_BODY_FIXED)
#define EVT_WIRE_PUBLISH_MAX (EVT_WIRE_HDR_SIZE + 16 + EVT_WIRE_BODY_MAX)
#define EVT_WIRE_SYNC_HDR_SIZE (EVT_WIRE_HDR_SIZE + 20)
#define EVT_WIRE_SYNC_CHAN_SIZE (16 + EVT_WIRE_NAME_SIZE)
#define EVT_WIRE_SYNC_OPENER_SIZE (32 + EVT_WIRE_NAME_SIZE)
/** Entries per SYNC_CHANNELS / SYNC_OPENERS message (keeps one under ~80 KiB). */
#define EVT_WIRE_SYNC_BATCH 256
#define EVT_WIRE_SYNC_CHANNELS_MAX (EVT_WIRE_SYNC_HDR_SIZE + EVT_WIRE_SYNC_BATCH * EVT_WIRE_SYNC_CHAN_SIZE)
#define EVT_WIRE_SYNC_OPENERS_MAX (EVT_WIRE_SYNC_HDR_SIZE + EVT_WIRE_SYNC_BATCH * EVT_WIRE_SYNC_OPENER_SIZE)
#define EVT_WIRE_SYNC_EVENT_MIN (EVT_WIRE_HDR_SIZE + 20 + EVT_WIRE_BODY_FIXED)
#define EVT_WIRE_SYNC_EVENT_MAX (EVT_WIRE_HDR_SIZE + 20 + EVT_WIRE_BODY_MAX)

/* ---- host-order views ---------------------------------------------------- */

struct evt_wire_open {
	uint64_t conn_id;
	uint32_t open_id;
	uint32_t flags;
	uint64_t new_chan_id; /**< the id of the channel should this open create it */
	struct ais_evt_name name;
};

struct evt_wire_close {
	uint64_t conn_id;
	uint32_t open_id;
};

struct evt_wire_unlink {
	uint64_t conn_id;
	struct ais_evt_name name;
};

struct evt_wire_clear {
	uint64_t conn_id;
	uint32_t open_id;
	uint64_t event_id;
};

/** An event; patterns and data point into the buffer it was decoded from. */
struct evt_wire_event {
	uint64_t event_id;
	int64_t publish_time;
	int64_t retention_ns;
	uint32_t priority;
	uint32_t n_patterns;
	uint32_t data_len;
	struct ais_evt_name publisher;
	struct evt_bytes patterns[AIS_EVT_PATTERNS_MAX];
	const uint8_t *data;
};

struct evt_wire_publish {
	uint64_t conn_id;
	uint32_t open_id;
	struct evt_wire_event ev;
};

struct evt_wire_ring {
	uint32_t rep;
	uint64_t seq;
};

struct evt_wire_sync_chan {
	uint64_t chan_id;
	uint32_t unlinked;
	struct ais_evt_name name;
};

struct evt_wire_sync_opener {
	uint64_t chan_id;
	uint32_t unlinked;
	uint32_t flags;
	uint64_t conn_id;
	uint32_t open_id;
	struct ais_evt_name name;
};

/** A decoded SYNC_CHANNELS or SYNC_OPENERS: count entries at entries. */
struct evt_wire_sync_list {
	struct evt_wire_ring ring;
	uint32_t count;
	const uint8_t *entries;
};

struct evt_wire_sync_event {
	struct evt_wire_ring ring;
	uint64_t chan_id;
	struct evt_wire_event ev;
};

/** A name is valid when length <= 256. Compares (length, bytes). */
int evt_name_cmp(const struct ais_evt_name *a, const struct ais_evt_name *b);

/* ---- cluster messages: encode into buf (size from the _size function), decode ---- */

size_t evt_wire_open_encode(uint8_t *buf, const struct evt_wire_open *m);
int evt_wire_open_decode(const void *buf, size_t len, struct evt_wire_open *ret);
size_t evt_wire_close_encode(uint8_t *buf, const struct evt_wire_close *m);
int evt_wire_close_decode(const void *buf, size_t len, struct evt_wire_close *ret);
size_t evt_wire_unlink_encode(uint8_t *buf, const struct evt_wire_unlink *m);
int evt_wire_unlink_decode(const void *buf, size_t len, struct evt_wire_unlink *ret);
size_t evt_wire_clear_encode(uint8_t *buf, const struct evt_wire_clear *m);
int evt_wire_clear_decode(const void *buf, size_t len, struct evt_wire_clear *ret);

/** Bytes the event body takes on the wire. */
size_t evt_wire_body_size(const struct evt_wire_event *ev);
size_t evt_wire_publish_size(const struct evt_wire_event *ev);
size_t evt_wire_publish_encode(uint8_t *buf, const struct evt_wire_publish *m);
int evt_wire_publish_decode(const void *buf, size_t len, struct evt_wire_publish *ret);

size_t evt_wire_sync_event_size(const struct evt_wire_event *ev);
size_t evt_wire_sync_event_encode(uint8_t *buf, const struct evt_wire_sync_event *m);
int evt_wire_sync_event_decode(const void *buf, size_t len, struct evt_wire_sync_event *ret);

/** Header of a SYNC_CHANNELS (fn) or SYNC_OPENERS list; count entries follow. */
size_t evt_wire_sync_list_hdr_encode(uint8_t *buf, enum evt_exec_fn fn,
                                     const struct evt_wire_ring *ring, uint32_t count);
size_t evt_wire_sync_chan_encode(uint8_t *buf, const struct evt_wire_sync_chan *c);
size_t evt_wire_sync_opener_encode(uint8_t *buf, const struct evt_wire_sync_opener *o);
int evt_wire_sync_list_decode(const void *buf, size_t len, enum evt_exec_fn fn,
                              struct evt_wire_sync_list *ret);
/** Entry i (< count) of a decoded list; -EBADMSG on a bad name. */
int evt_wire_sync_chan_get(const struct evt_wire_sync_list *l, uint32_t i, struct evt_wire_sync_chan *ret);
int evt_wire_sync_opener_get(const struct evt_wire_sync_list *l, uint32_t i,
                             struct evt_wire_sync_opener *ret);

/* ---- client requests (host order, include/ais/ipc_evt.h) ------------------ */

/**
 * Validate a PUBLISH request of len bytes. 0 with the event's fields in
 * *ret (event_id and publish_time 0; patterns/data point into msg);
 * -EMSGSIZE (TOO_BIG) when data_len > AIS_EVT_DATA_MAX or the retention is
 * above AIS_EVT_RETENTION_MAX; -EINVAL for anything else malformed.
 */
int evt_req_publish_parse(const void *msg, size_t len, uint32_t *ret_open_id, struct evt_wire_event *ret);

/**
 * Validate a SUBSCRIBE request. 0 with the filters (pointing into msg) in
 * filters[AIS_EVT_PATTERNS_MAX] and their count; -EINVAL when malformed.
 */
int evt_req_subscribe_parse(const void *msg, size_t len, struct ais_evt_req_subscribe *ret_fixed,
                            struct evt_filter *filters);

/** Is this a valid name (length <= 256)? */
bool evt_name_valid(const struct ais_evt_name *name);

#endif
