/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AMF engine's cluster messages and its replicated state as bytes
 * (docs/amf.md "Engine"). Pure code over the model (no daemon state), so the
 * unit tests and the fuzz target link it alone.
 *
 * Every message is little-endian, starts with struct ais_exec_header
 * {id = AIS_SERVICE_AMF << 16 | fn, size} and is written and read only
 * through the functions below. name = length:u32 value:u8[256] (260 bytes,
 * length <= 256, bytes after length zero on the wire, ignored on reading).
 * ts is the sender's CLOCK_REALTIME in milliseconds.
 *
 *   ERROR    = hdr ts:u64 recommended:u32 source:u32 comp:name        (284)
 *   DONE     = hdr ts:u64 action_id:u64                               (24)
 *   FAILED   = hdr ts:u64 action_id:u64                               (24)
 *   QUIESCED = hdr ts:u64 comp:name csi:name                          (536)
 *   ADMIN    = hdr ts:u64 op:u32 pad:u32 conn_id:u64 dn:name          (292)
 *   SUMMARY  = hdr ring_rep:u32 pad:u32 ring_seq:u64 enabled:u32
 *              have_state:u32 n_trans:u32 group:u32                   (40)
 *   STATE    = hdr ring_rep:u32 pad:u32 ring_seq:u64 n_trans:u32
 *              have_state:u32 total:u32 offset:u32 chunk:u32 pad:u32
 *              bytes[chunk]                      (48 + chunk, chunk <= 32 KiB)
 *
 * The state blob carried by STATE fragments (amf_state_encode()):
 *   magic:u32 "AMF1" version:u32 config_len:u32 config[config_len]
 *   now_ms:u64 next_action_id:u64 cluster_admin:u32
 *   n:u32 nodes   x (dn admin:u32 oper:u32 member:u32 nodeid:u32
 *                    su_failover_count:u32 su_failover_prob_start:u64)
 *   n:u32 apps    x (dn admin:u32)
 *   n:u32 sgs     x (dn admin:u32)
 *   n:u32 sus     x (dn admin oper presence readiness restart_count:u32
 *                    restart_prob_start:u64 comp_restart_count:u32
 *                    comp_restart_prob_start:u64)
 *   n:u32 comps   x (dn oper presence readiness restart_count:u32)
 *   n:u32 sis     x (dn admin:u32 assignment:u32)
 *   n:u32 si assignments  x (su:dn si:dn ha:u32 requested:u32 si_pos:u32)
 *   n:u32 csi assignments x (comp:dn csi:dn ha:u32 requested:u32 csi_pos:u32)
 *   n:u32 pending actions x action
 *   n:u32 started actions x (id:u64 action)
 *   action = kind:u32 step:u32 ha:u32 transition:u32
 *            node:dn su:dn si:dn comp:dn csi:dn   (empty dn: none)
 *   where dn = len:u16 bytes[len] (len <= AMF_DN_MAX).
 * Assignments are listed per SU (per component) in list order; si_pos
 * (csi_pos) is the position in the SI's (CSI's) list, so both orders, which
 * the planner's iteration follows, come back identical.
 */
#ifndef AIS_AMF_WIRE_H
#define AIS_AMF_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ais/service.h>

#include "amf_assign.h"
#include "amf_model.h"

enum amf_exec_fn {
	AMF_EXEC_ERROR = 0,
	AMF_EXEC_DONE = 1,
	AMF_EXEC_FAILED = 2,
	AMF_EXEC_QUIESCED = 3,
	AMF_EXEC_ADMIN = 4,
	AMF_EXEC_SUMMARY = 5,
	AMF_EXEC_STATE = 6,
	AMF_EXEC_STARTUP = 7, /**< the cluster startup time is over (amf_wire_result, action_id 0) */
	AMF_EXEC_COUNT
};

#define AMF_WIRE_HDR_SIZE 8
#define AMF_WIRE_NAME_SIZE 260
#define AMF_WIRE_ERROR_SIZE (AMF_WIRE_HDR_SIZE + 16 + AMF_WIRE_NAME_SIZE)
#define AMF_WIRE_RESULT_SIZE (AMF_WIRE_HDR_SIZE + 16)
#define AMF_WIRE_QUIESCED_SIZE (AMF_WIRE_HDR_SIZE + 8 + 2 * AMF_WIRE_NAME_SIZE)
#define AMF_WIRE_ADMIN_SIZE (AMF_WIRE_HDR_SIZE + 24 + AMF_WIRE_NAME_SIZE)
#define AMF_WIRE_SUMMARY_SIZE (AMF_WIRE_HDR_SIZE + 32)
#define AMF_WIRE_STATE_HDR_SIZE (AMF_WIRE_HDR_SIZE + 40)
/** Bytes of state per STATE message. */
#define AMF_WIRE_STATE_CHUNK 32768
#define AMF_WIRE_STATE_MAX_SIZE (AMF_WIRE_STATE_HDR_SIZE + AMF_WIRE_STATE_CHUNK)
/** Largest state blob accepted (the configuration text is at most 1 MiB). */
#define AMF_STATE_MAX (16u * 1024 * 1024)

/* ---- messages in host order ---- */

/** A name as carried: len bytes of value (no NUL inside the first len). */
struct amf_wire_name {
	uint32_t len;
	char value[AMF_DN_MAX + 1]; /**< NUL-terminated after decoding */
};

struct amf_wire_error {
	uint64_t ts;
	uint32_t recommended; /**< enum amf_recovery */
	uint32_t source;      /**< enum amf_error_source */
	struct amf_wire_name comp;
};

/** DONE and FAILED. */
struct amf_wire_result {
	uint64_t ts;
	uint64_t action_id;
};

struct amf_wire_quiesced {
	uint64_t ts;
	struct amf_wire_name comp;
	struct amf_wire_name csi;
};

struct amf_wire_admin {
	uint64_t ts;
	uint32_t op; /**< enum amf_admin_op */
	uint64_t conn_id;
	struct amf_wire_name dn;
};

struct amf_wire_ring {
	uint32_t rep;
	uint64_t seq;
};

struct amf_wire_summary {
	struct amf_wire_ring ring;
	bool enabled;
	bool have_state;
	uint32_t n_trans;
	uint32_t group; /**< lowest node id of the sender's transitional group */
};

struct amf_wire_state {
	struct amf_wire_ring ring;
	uint32_t n_trans;
	bool have_state;
	uint32_t total;
	uint32_t offset;
	uint32_t chunk;
	const uint8_t *bytes; /**< points into the decoded frame */
};

/* Encoders write exactly *_SIZE bytes (STATE: AMF_WIRE_STATE_HDR_SIZE +
 * chunk) and return that length. Decoders check id, size and every field's
 * range; they return 0 or -EINVAL. Names: length <= AMF_DN_MAX. */
size_t amf_wire_error_encode(uint8_t *buf, const struct amf_wire_error *m);
int amf_wire_error_decode(const void *msg, size_t len, struct amf_wire_error *ret);
size_t amf_wire_result_encode(uint8_t *buf, enum amf_exec_fn fn, const struct amf_wire_result *m);
int amf_wire_result_decode(const void *msg, size_t len, struct amf_wire_result *ret);
size_t amf_wire_quiesced_encode(uint8_t *buf, const struct amf_wire_quiesced *m);
int amf_wire_quiesced_decode(const void *msg, size_t len, struct amf_wire_quiesced *ret);
size_t amf_wire_admin_encode(uint8_t *buf, const struct amf_wire_admin *m);
int amf_wire_admin_decode(const void *msg, size_t len, struct amf_wire_admin *ret);
size_t amf_wire_summary_encode(uint8_t *buf, const struct amf_wire_summary *m);
int amf_wire_summary_decode(const void *msg, size_t len, struct amf_wire_summary *ret);
size_t amf_wire_state_encode(uint8_t *buf, const struct amf_wire_state *m);
int amf_wire_state_decode(const void *msg, size_t len, struct amf_wire_state *ret);

/** Fill a wire name from a C string; -ENAMETOOLONG past AMF_DN_MAX. */
int amf_wire_name_set(struct amf_wire_name *n, const char *s);

/* ---- the replicated driver state ---- */

/** A started action: its id and its own copy (stable address while started). */
struct amf_started {
	uint64_t id;
	struct amf_action a;
};

/**
 * What the action driver replicates besides the model: the actions not yet
 * started (sorted by step), the started ones, the id counter and the
 * cluster clock.
 */
struct amf_driver_state {
	struct amf_action_list pending;
	struct amf_started **started;
	size_t n_started, cap_started;
	uint64_t next_action_id;
	uint64_t now_ms;
	/** Until the cluster startup time is over (saAmfClusterStartupTimeout,
	 *  or every configured node is a member with its components up), the
	 *  plan instantiates but assigns nothing. */
	bool startup_pending;
};

/** Free every pending and started action; the counters stay. */
void amf_driver_state_clear(struct amf_driver_state *d);
/** Add a started action (copied). @return the entry, or NULL when out of memory. */
struct amf_started *amf_driver_started_add(struct amf_driver_state *d, uint64_t id, const struct amf_action *a);
/** Remove and free the entry at index i (order of the others is kept). */
void amf_driver_started_remove_at(struct amf_driver_state *d, size_t i);
/** Index of the started action with that id, or -1. */
ssize_t amf_driver_started_find(const struct amf_driver_state *d, uint64_t id);

/**
 * Serialize the whole replicated state: the configuration text (config,
 * config_len), every runtime field of model (parsed from that text) and
 * the driver state d. *ret receives a malloc'd buffer of *ret_len bytes.
 * @return 0, -ENOMEM, -EMSGSIZE (over AMF_STATE_MAX), -ENAMETOOLONG.
 */
int amf_state_encode(const char *config, size_t config_len, const struct amf_cluster *model,
		     const struct amf_driver_state *d, uint8_t **ret, size_t *ret_len);

/**
 * The configuration text inside a state blob (points into blob).
 * @return 0, or -EINVAL when the blob's header is malformed.
 */
int amf_state_config(const uint8_t *blob, size_t len, const char **ret_text, size_t *ret_len);

/**
 * Install a state blob into model, freshly parsed from the blob's own
 * configuration text with its initial runtime states and no assignment,
 * and fill d (which must be empty). Every entity is looked up by name; a
 * name that does not resolve, a value out of range, a count or length
 * that does not match the bytes, or trailing bytes fail the whole decode.
 * On failure model's runtime state is undefined (free it) and d is
 * cleared. @return 0, -EINVAL, -ENOMEM.
 */
int amf_state_install(const uint8_t *blob, size_t len, struct amf_cluster *model, struct amf_driver_state *d);

#endif /* AIS_AMF_WIRE_H */
