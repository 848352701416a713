/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AMF messages between libSaAmf and the amf service engine (private: not
 * installed). Both ends run on the same host and share this header, so the
 * fields are in host byte order; every struct is fixed width with explicit
 * padding and a size that is a multiple of 8 (libqb hands requests over
 * where they lie in its ring, so the engine copies them out before reading
 * fields), and its size and field offsets are checked below.
 *
 * Requests start with qb_ipc_request_header (16 bytes) and have exactly
 * the size of their struct; the engine refuses any other size with
 * SA_AIS_ERR_INVALID_PARAM (from libSaAmf that would be a library bug).
 * Responses and events start with qb_ipc_response_header (24 bytes) whose
 * error is an SaAisErrorT. Every response uses the id of its request; a
 * failed request may be answered with the bare header (the library reads a
 * body only from an SA_AIS_OK answer of the right length).
 *
 * What the library decides alone and never sends: argument checks (NULL
 * pointers, name and key lengths, enum ranges, track flags, missing
 * callbacks), version negotiation, and saAmfComponentNameGet, which reads
 * the environment variable SA_AMF_COMPONENT_NAME the engine sets for the
 * processes it instantiates. The engine must still check every field it
 * uses (a client is never trusted): lengths <= their maximum, enums in
 * range.
 *
 * Names (ais_amf_name) are SaNameT: length bytes of value, not
 * NUL-terminated, length <= AIS_AMF_NAME_MAX; bytes after length are zero.
 *
 * Invocations: every event that expects an answer (healthcheck, terminate,
 * CSI set, CSI remove, proxied/contained instantiate and cleanup) carries an
 * invocation the engine chose; it is unique per connection while the answer
 * is outstanding, and the component answers it with RESPONSE (or, after a
 * CSI set to QUIESCING, also with QUIESCING_COMPLETE). The engine answers
 * RESPONSE for an invocation it does not know with SA_AIS_ERR_INVALID_PARAM.
 *
 * Connection life: when a connection closes (saAmfFinalize, process exit)
 * the engine stops the healthchecks, protection group tracks and passive
 * monitors started through it, and a component registered through it that
 * AMF was not terminating has failed (error detected, configured
 * recovery).
 */
#ifndef AIS_IPC_AMF_H
#define AIS_IPC_AMF_H

#include <stddef.h>
#include <stdint.h>
#include <qb/qbipc_common.h>

#include <ais/ipc.h>

/** Request ids (lib -> engine); each response uses the same id. */
enum ais_amf_req_id {
	AIS_AMF_REQ_INIT = 0,                 /**< ais_amf_req_init -> bare */
	AIS_AMF_REQ_COMP_REGISTER = 1,        /**< ais_amf_req_comp -> bare */
	AIS_AMF_REQ_COMP_UNREGISTER = 2,      /**< ais_amf_req_comp -> bare */
	AIS_AMF_REQ_HC_START = 3,             /**< ais_amf_req_hc -> bare */
	AIS_AMF_REQ_HC_CONFIRM = 4,           /**< ais_amf_req_hc -> bare */
	AIS_AMF_REQ_HC_STOP = 5,              /**< ais_amf_req_hc -> bare */
	AIS_AMF_REQ_HA_STATE_GET = 6,         /**< ais_amf_req_ha_state_get -> ais_amf_res_ha_state_get */
	AIS_AMF_REQ_RESPONSE = 7,             /**< ais_amf_req_response -> bare */
	AIS_AMF_REQ_QUIESCING_COMPLETE = 8,   /**< ais_amf_req_response -> bare */
	AIS_AMF_REQ_ERROR_REPORT = 9,         /**< ais_amf_req_error -> bare */
	AIS_AMF_REQ_ERROR_CLEAR = 10,         /**< ais_amf_req_error -> bare */
	AIS_AMF_REQ_PG_TRACK = 11,            /**< ais_amf_req_pg_track -> ais_amf_res_pg_track */
	AIS_AMF_REQ_PG_TRACK_STOP = 12,       /**< ais_amf_req_pg_stop -> bare */
	AIS_AMF_REQ_PM_START = 13,            /**< ais_amf_req_pm -> bare */
	AIS_AMF_REQ_PM_STOP = 14,             /**< ais_amf_req_pm -> bare */
	AIS_AMF_REQ_HA_READINESS_SET = 15,    /**< ais_amf_req_ha_readiness -> bare */
	AIS_AMF_REQ_CORRELATION_GET = 16,     /**< ais_amf_req_correlation_get -> ais_amf_res_correlation_get */
	AIS_AMF_REQ_COUNT,
	/* Operator requests (aistool amf), not sent by libSaAmf; no INIT needed. */
	AIS_AMF_REQ_ADMIN = 32,               /**< ais_amf_req_admin -> bare */
	AIS_AMF_REQ_STATUS = 33,              /**< ais_amf_req_status -> ais_amf_res_status + text */
};

/** Event ids (engine -> lib, on the event channel). */
enum ais_amf_event_id {
	AIS_AMF_EV_HEALTHCHECK = 0x100,           /**< ais_amf_ev_healthcheck */
	AIS_AMF_EV_COMP_TERMINATE = 0x101,        /**< ais_amf_ev_comp */
	AIS_AMF_EV_CSI_SET = 0x102,               /**< ais_amf_ev_csi_set + attributes */
	AIS_AMF_EV_CSI_REMOVE = 0x103,            /**< ais_amf_ev_csi_remove */
	AIS_AMF_EV_PG_TRACK = 0x104,              /**< ais_amf_ev_pg_track + members */
	AIS_AMF_EV_PROXIED_INSTANTIATE = 0x105,   /**< ais_amf_ev_comp */
	AIS_AMF_EV_PROXIED_CLEANUP = 0x106,       /**< ais_amf_ev_comp */
	AIS_AMF_EV_CONTAINED_INSTANTIATE = 0x107, /**< ais_amf_ev_comp */
	AIS_AMF_EV_CONTAINED_CLEANUP = 0x108,     /**< ais_amf_ev_comp */
};

/** SaNameT's capacity (SA_MAX_NAME_LENGTH). */
#define AIS_AMF_NAME_MAX 256
/** SA_AMF_HEALTHCHECK_KEY_MAX. */
#define AIS_AMF_HC_KEY_MAX 32
/** Most members one protection group answer or event carries. */
#define AIS_AMF_PG_MEMBERS_MAX 1024
/** Most attributes of one CSI, and most bytes of their packed text. */
#define AIS_AMF_CSI_ATTRS_MAX 1024
#define AIS_AMF_CSI_ATTR_BYTES_MAX (256 * 1024)

/** Callback bits of ais_amf_req_init.callbacks: which callbacks the
 *  application supplied (the engine may refuse work it cannot deliver). */
#define AIS_AMF_CB_HEALTHCHECK (1u << 0)
#define AIS_AMF_CB_COMP_TERMINATE (1u << 1)
#define AIS_AMF_CB_CSI_SET (1u << 2)
#define AIS_AMF_CB_CSI_REMOVE (1u << 3)
#define AIS_AMF_CB_PG_TRACK (1u << 4)
#define AIS_AMF_CB_PROXIED_INSTANTIATE (1u << 5)
#define AIS_AMF_CB_PROXIED_CLEANUP (1u << 6)
#define AIS_AMF_CB_CONTAINED_INSTANTIATE (1u << 7)
#define AIS_AMF_CB_CONTAINED_CLEANUP (1u << 8)

/** An SaNameT. */
struct ais_amf_name {
	uint16_t length; /**< <= AIS_AMF_NAME_MAX */
	uint8_t value[AIS_AMF_NAME_MAX];
	uint8_t pad[6];
};
_Static_assert(sizeof(struct ais_amf_name) == 264, "ais_amf_name layout");

/** An SaAmfHealthcheckKeyT. */
struct ais_amf_hc_key {
	uint16_t length; /**< 1..AIS_AMF_HC_KEY_MAX */
	uint8_t key[AIS_AMF_HC_KEY_MAX];
	uint8_t pad[6];
};
_Static_assert(sizeof(struct ais_amf_hc_key) == 40, "ais_amf_hc_key layout");

/** An SaNtfCorrelationIdsT (all zero when the caller gave none). */
struct ais_amf_correlation {
	uint64_t root;
	uint64_t parent;
	uint64_t notification;
};
_Static_assert(sizeof(struct ais_amf_correlation) == 24, "ais_amf_correlation layout");

/* ---- requests and their responses ----------------------------------------- */

/**
 * INIT: the first request on every connection, sent by saAmfInitialize(_3,
 * _4) before the handle is returned. major/minor: the version the library
 * agreed with the application (1.1 for B.01.01, 3.1 or 4.1 for the `_3` /
 * `_4` calls); callbacks: AIS_AMF_CB_* bits. Answer: SA_AIS_OK, or e.g.
 * SA_AIS_ERR_TRY_AGAIN while the engine cannot serve yet (the library
 * passes that error on and closes the connection).
 */
struct ais_amf_req_init {
	struct qb_ipc_request_header header;
	uint32_t major;
	uint32_t minor;
	uint32_t callbacks;
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_amf_req_init) == 32, "req_init size");

/**
 * COMP_REGISTER / COMP_UNREGISTER: comp registers (or unregisters) through
 * this connection; proxy.length == 0 means no proxy (proxyCompName NULL).
 * Register answers: OK; INVALID_PARAM (no such component on this node, or
 * it is not being instantiated); EXIST (already registered); NOT_EXIST
 * (proxy not registered); BAD_OPERATION (e.g. a proxied registration for a
 * component that is not proxied). Unregister answers: OK; NOT_EXIST (not
 * registered through this connection); BAD_OPERATION (proxy mismatch).
 */
struct ais_amf_req_comp {
	struct qb_ipc_request_header header;
	struct ais_amf_name comp;
	struct ais_amf_name proxy;
};
_Static_assert(sizeof(struct ais_amf_req_comp) == 544, "req_comp size");
_Static_assert(offsetof(struct ais_amf_req_comp, proxy) == 280, "req_comp layout");

/**
 * HC_START / HC_CONFIRM / HC_STOP for (comp, key).
 * START: invocation_type (SaAmfHealthcheckInvocationT) and recovery
 * (SaAmfRecommendedRecoveryT) are used; answers OK, NOT_EXIST (key not
 * configured for the component, or unknown component), EXIST (already
 * started). Allowed before the component registers.
 * CONFIRM: result is SA_AIS_OK or SA_AIS_ERR_FAILED_OPERATION; answers OK,
 * NOT_EXIST (not started through this connection).
 * STOP: answers OK, NOT_EXIST.
 * Fields a request does not use are zero.
 */
struct ais_amf_req_hc {
	struct qb_ipc_request_header header;
	struct ais_amf_name comp;
	struct ais_amf_hc_key key;
	uint32_t invocation_type;
	uint32_t recovery;
	uint32_t result;
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_amf_req_hc) == 336, "req_hc size");
_Static_assert(offsetof(struct ais_amf_req_hc, invocation_type) == 320, "req_hc layout");

/** HA_STATE_GET: the HA state of csi on comp; NOT_EXIST when it is not
 *  assigned to that component. */
struct ais_amf_req_ha_state_get {
	struct qb_ipc_request_header header;
	struct ais_amf_name comp;
	struct ais_amf_name csi;
};
_Static_assert(sizeof(struct ais_amf_req_ha_state_get) == 544, "req_ha_state_get size");

struct ais_amf_res_ha_state_get {
	struct qb_ipc_response_header header;
	uint32_t ha_state; /**< SaAmfHAStateT, valid with SA_AIS_OK */
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_amf_res_ha_state_get) == 32, "res_ha_state_get size");

/**
 * RESPONSE (saAmfResponse(_4)) and QUIESCING_COMPLETE
 * (saAmfCSIQuiescingComplete): the answer `error` (an SaAisErrorT) to the
 * callback `invocation`. correlation: what saAmfResponse_4 was given (zero
 * otherwise). Answers OK or INVALID_PARAM (unknown invocation, or
 * QUIESCING_COMPLETE for one that was not a CSI set to QUIESCING).
 */
struct ais_amf_req_response {
	struct qb_ipc_request_header header;
	uint64_t invocation;
	uint32_t error;
	uint32_t pad;
	struct ais_amf_correlation correlation;
};
_Static_assert(sizeof(struct ais_amf_req_response) == 56, "req_response size");

/**
 * ERROR_REPORT: any process reports comp as failed, detected at
 * detection_time (SaTimeT, 0 when not given), recommending recovery
 * (SaAmfRecommendedRecoveryT). ERROR_CLEAR: clears an earlier report
 * (detection_time and recovery zero). correlation: from the `_4` calls; the
 * B.01 ntfIdentifier travels as correlation.notification. Answers OK,
 * NOT_EXIST (no such component).
 */
struct ais_amf_req_error {
	struct qb_ipc_request_header header;
	struct ais_amf_name comp;
	int64_t detection_time;
	uint32_t recovery;
	uint32_t pad;
	struct ais_amf_correlation correlation;
};
_Static_assert(sizeof(struct ais_amf_req_error) == 320, "req_error size");
_Static_assert(offsetof(struct ais_amf_req_error, detection_time) == 280, "req_error layout");

/** PG_TRACK: what `current` asks for (as CLM track). */
#define AIS_AMF_CURRENT_NONE 0u     /**< no current members */
#define AIS_AMF_CURRENT_REPLY 1u    /**< in the response (synchronous) */
#define AIS_AMF_CURRENT_CALLBACK 2u /**< as one PG_TRACK event */

/**
 * PG_TRACK for the protection group of csi. flags: SA_TRACK_CHANGES or
 * SA_TRACK_CHANGES_ONLY (start or change tracking), or 0 (tracking stays as
 * it is: a CURRENT-only request). With CURRENT_REPLY and max_items != 0
 * the engine answers SA_AIS_ERR_NO_SPACE with count = the number of members
 * when there are more than max_items, and changes nothing. Answers OK,
 * NOT_EXIST (no such CSI), NO_SPACE.
 */
struct ais_amf_req_pg_track {
	struct qb_ipc_request_header header;
	struct ais_amf_name csi;
	uint32_t flags;
	uint32_t current;   /**< AIS_AMF_CURRENT_* */
	uint32_t max_items; /**< 0: no limit */
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_amf_req_pg_track) == 296, "req_pg_track size");

/** One protection group member and its change. */
struct ais_amf_pg_member {
	struct ais_amf_name comp;
	uint32_t ha_state;           /**< SaAmfHAStateT */
	uint32_t ha_readiness_state; /**< SaAmfHAReadinessStateT (B.04; 1 when unknown) */
	uint32_t rank;
	uint32_t change; /**< SaAmfProtectionGroupChangesT */
};
_Static_assert(sizeof(struct ais_amf_pg_member) == 280, "ais_amf_pg_member size");

/** Answer to PG_TRACK: count members follow (only with CURRENT_REPLY;
 *  count <= AIS_AMF_PG_MEMBERS_MAX). */
struct ais_amf_res_pg_track {
	struct qb_ipc_response_header header;
	uint32_t n_members; /**< members of the group now */
	uint32_t count;     /**< entries that follow */
	/* struct ais_amf_pg_member members[count]; */
};
_Static_assert(sizeof(struct ais_amf_res_pg_track) == 32, "res_pg_track size");

/** PG_TRACK_STOP for csi: OK, NOT_EXIST (not tracked through this connection). */
struct ais_amf_req_pg_stop {
	struct qb_ipc_request_header header;
	struct ais_amf_name csi;
};
_Static_assert(sizeof(struct ais_amf_req_pg_stop) == 280, "req_pg_stop size");

/**
 * PM_START: passively monitor pid (> 0) of comp and its descendants to
 * depth (-1: all), for errors (SaAmfPmErrorsT bits, not 0), recommending
 * recovery; qualifier is zero. PM_STOP: stop monitoring as qualifier
 * (SaAmfPmStopQualifierT) says, for errors; depth and recovery are zero.
 * Answers OK, NOT_EXIST (no such component / process, or not monitored),
 * EXIST (already monitored for those errors).
 */
struct ais_amf_req_pm {
	struct qb_ipc_request_header header;
	struct ais_amf_name comp;
	int64_t pid;
	int32_t depth;
	uint32_t errors;
	uint32_t recovery;
	uint32_t qualifier;
};
_Static_assert(sizeof(struct ais_amf_req_pm) == 304, "req_pm size");
_Static_assert(offsetof(struct ais_amf_req_pm, pid) == 280, "req_pm layout");

/** HA_READINESS_SET (B.04): the HA readiness state (SaAmfHAReadinessStateT)
 *  of comp for csi (csi.length 0: for every CSI). OK, NOT_EXIST,
 *  BAD_OPERATION. */
struct ais_amf_req_ha_readiness {
	struct qb_ipc_request_header header;
	struct ais_amf_name comp;
	struct ais_amf_name csi;
	uint32_t state;
	uint32_t pad;
	struct ais_amf_correlation correlation;
};
_Static_assert(sizeof(struct ais_amf_req_ha_readiness) == 576, "req_ha_readiness size");

/** CORRELATION_GET (saAmfCorrelationIdsGet): the correlation ids of the
 *  outstanding callback `invocation`; INVALID_PARAM when unknown. */
struct ais_amf_req_correlation_get {
	struct qb_ipc_request_header header;
	uint64_t invocation;
};
_Static_assert(sizeof(struct ais_amf_req_correlation_get) == 24, "req_correlation_get size");

struct ais_amf_res_correlation_get {
	struct qb_ipc_response_header header;
	struct ais_amf_correlation correlation;
};
_Static_assert(sizeof(struct ais_amf_res_correlation_get) == 48, "res_correlation_get size");

/* ---- operator requests ------------------------------------------------------ */

/** Administrative operations (values of enum amf_admin_op, services/amf/amf_recovery.h). */
enum ais_amf_admin_op {
	AIS_AMF_ADMIN_UNLOCK = 1,
	AIS_AMF_ADMIN_LOCK = 2,
	AIS_AMF_ADMIN_LOCK_INSTANTIATION = 3,
	AIS_AMF_ADMIN_UNLOCK_INSTANTIATION = 4,
	AIS_AMF_ADMIN_SHUTDOWN = 5,
	AIS_AMF_ADMIN_RESTART = 6,
	AIS_AMF_ADMIN_SI_SWAP = 7,
	AIS_AMF_ADMIN_REPAIRED = 9,
};

/**
 * ADMIN: apply op to the entity named by dn (a node, application, SG, SU or
 * SI distinguished name). Needs root or the daemon's own uid (ACCESS
 * otherwise). Answered once the operation is applied cluster-wide (not when
 * its assignments settled): OK; NOT_EXIST (no such entity); NO_OP (already
 * in that state); BAD_OPERATION (not valid for that entity or state);
 * TRY_AGAIN (an operation on the same SG is still in progress, or sync
 * runs); INVALID_PARAM (bad op or malformed dn).
 */
struct ais_amf_req_admin {
	struct qb_ipc_request_header header;
	uint32_t op; /**< enum ais_amf_admin_op */
	uint32_t pad;
	struct ais_amf_name dn;
};
_Static_assert(sizeof(struct ais_amf_req_admin) == 288, "req_admin size");

#define AIS_AMF_STATUS_TEXT 0u /**< a readable tree */
#define AIS_AMF_STATUS_JSON 1u /**< one JSON object (docs/amf.md "Status") */

/** STATUS: the whole model with its runtime states, as text (format). */
struct ais_amf_req_status {
	struct qb_ipc_request_header header;
	uint32_t format; /**< AIS_AMF_STATUS_TEXT or AIS_AMF_STATUS_JSON */
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_amf_req_status) == 24, "req_status size");

/** Answer to STATUS: len bytes of NUL-terminated text follow (len counts the NUL).
 *  NOT_EXIST when AMF is not enabled on this node. */
struct ais_amf_res_status {
	struct qb_ipc_response_header header;
	uint32_t len;
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_amf_res_status) == 32, "res_status size");

/** Answers that carry nothing but the error. */
struct ais_amf_res_plain {
	struct qb_ipc_response_header header;
};

/* ---- events ------------------------------------------------------------------ */

/** HEALTHCHECK: an AMF-invoked healthcheck of comp for key; answered with
 *  RESPONSE (OK healthy, FAILED_OPERATION not). */
struct ais_amf_ev_healthcheck {
	struct qb_ipc_response_header header;
	uint64_t invocation;
	struct ais_amf_name comp;
	struct ais_amf_hc_key key;
};
_Static_assert(sizeof(struct ais_amf_ev_healthcheck) == 336, "ev_healthcheck size");

/** COMP_TERMINATE, PROXIED_INSTANTIATE, PROXIED_CLEANUP,
 *  CONTAINED_INSTANTIATE, CONTAINED_CLEANUP: invocation and the component
 *  concerned (the proxied or contained one for those events). */
struct ais_amf_ev_comp {
	struct qb_ipc_response_header header;
	uint64_t invocation;
	struct ais_amf_name comp;
};
_Static_assert(sizeof(struct ais_amf_ev_comp) == 296, "ev_comp size");

/**
 * CSI_SET: comp is to take HA state ha_state (SaAmfHAStateT) for the CSIs
 * flags (SaAmfCSIFlagsT, exactly one of ADD_ONE, TARGET_ONE, TARGET_ALL)
 * selects. csi: the CSI (empty with TARGET_ALL).
 * With ha_state ACTIVE: transition (SaAmfCSITransitionDescriptorT) and
 * active_comp (the previous active component, may be empty) fill the
 * active descriptor. With STANDBY: active_comp (the active component) and
 * standby_rank fill the standby descriptor. Otherwise transition,
 * standby_rank and active_comp are zero.
 * The attributes follow the struct only with ADD_ONE (n_attrs = 0
 * otherwise): attrs_len bytes holding n_attrs pairs "name\0value\0"
 * (name not empty, value may be), nothing else; n_attrs <=
 * AIS_AMF_CSI_ATTRS_MAX, attrs_len <= AIS_AMF_CSI_ATTR_BYTES_MAX,
 * header.size == sizeof(struct) + attrs_len. Answered with RESPONSE (and
 * QUIESCING_COMPLETE after QUIESCING).
 */
struct ais_amf_ev_csi_set {
	struct qb_ipc_response_header header;
	uint64_t invocation;
	struct ais_amf_name comp;
	uint32_t ha_state;
	uint32_t flags;
	struct ais_amf_name csi;
	uint32_t transition;
	uint32_t standby_rank;
	struct ais_amf_name active_comp;
	uint32_t n_attrs;
	uint32_t attrs_len;
	/* uint8_t attrs[attrs_len]; */
};
_Static_assert(sizeof(struct ais_amf_ev_csi_set) == 848, "ev_csi_set size");
_Static_assert(offsetof(struct ais_amf_ev_csi_set, csi) == 304, "ev_csi_set layout");
_Static_assert(offsetof(struct ais_amf_ev_csi_set, active_comp) == 576, "ev_csi_set layout");

/** CSI_REMOVE: remove csi (flags TARGET_ONE) or every CSI (TARGET_ALL, csi
 *  empty) from comp; answered with RESPONSE. */
struct ais_amf_ev_csi_remove {
	struct qb_ipc_response_header header;
	uint64_t invocation;
	struct ais_amf_name comp;
	struct ais_amf_name csi;
	uint32_t flags;
	uint32_t pad;
};
_Static_assert(sizeof(struct ais_amf_ev_csi_remove) == 568, "ev_csi_remove size");

/**
 * PG_TRACK: a change of (or, for CURRENT_CALLBACK, the current) protection
 * group of csi. header.error is the callback's error (SA_AIS_OK, or e.g.
 * SA_AIS_ERR_NOT_EXIST when the CSI went away; then count is 0). count
 * members follow (<= AIS_AMF_PG_MEMBERS_MAX; with CHANGES_ONLY just the
 * changed ones); n_members is the group's size now.
 */
struct ais_amf_ev_pg_track {
	struct qb_ipc_response_header header;
	struct ais_amf_name csi;
	uint32_t n_members;
	uint32_t count;
	/* struct ais_amf_pg_member members[count]; */
};
_Static_assert(sizeof(struct ais_amf_ev_pg_track) == 296, "ev_pg_track size");

#endif
