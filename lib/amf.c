/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libSaAmf: the SA Forum Availability Management Framework API
 * (include/saAmf.h, B.01.01 and the B.04.01 `_3`/`_4` entry points) on top
 * of the private client core (ais_client.h). The amf engine decides
 * everything about the model; this library checks arguments, negotiates the
 * version, turns calls into the requests of include/ais/ipc_amf.h and its
 * events into callbacks.
 *
 * Each saAmfInitialize* opens its own connection, announces the version
 * and the supplied callbacks (INIT request) and gets a checked handle;
 * every call brackets its work with get/put, so stale or forged handles
 * are SA_AIS_ERR_BAD_HANDLE and finalize from a callback is safe.
 *
 * Versions: saAmfInitialize accepts release 'B' major 1 and answers
 * {'B', 1, 1}; saAmfInitialize_4 accepts major 4 and answers {'B', 4, 1};
 * saAmfInitialize_3 accepts majors 3 and 4 and answers {'B', major, 1}.
 * Otherwise SA_AIS_ERR_VERSION with the supported version written back.
 * The handle remembers the callback set it was given: B.01 (seven
 * callbacks, B.01 protection group shape), B.03 (nine, B.01 protection
 * group shape) or B.04 (nine, `_4` protection group shape).
 *
 * Argument rules decided here, in this order: NULL or malformed parameters
 * (SA_AIS_ERR_INVALID_PARAM) and bad flags (SA_AIS_ERR_BAD_FLAGS) before the
 * handle is looked up (SA_AIS_ERR_BAD_HANDLE), then missing callbacks
 * (SA_AIS_ERR_INIT): registering a component needs the CSI set, CSI remove
 * and component terminate callbacks (a proxy registering a proxied
 * component also the proxied instantiate and cleanup callbacks); an
 * AMF-invoked healthcheck needs the healthcheck callback; protection group
 * tracking with CHANGES, CHANGES_ONLY, or CURRENT without a buffer needs the
 * protection group callback.
 *
 * Nothing here logs.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <saAmf.h>
#include <ais/client.h>
#include <ais/ipc_amf.h>
#include <ais/service.h>

#include "ais_client.h"

#define AMF_TRACK_FLAGS (SA_TRACK_CURRENT | SA_TRACK_CHANGES | SA_TRACK_CHANGES_ONLY)
#define AMF_COMP_NAME_ENV "SA_AMF_COMPONENT_NAME"

/** Which callback shapes a handle has. */
enum amf_cb_set { AMF_CB_B01 = 1, AMF_CB_B03 = 3, AMF_CB_B04 = 4 };

struct amf_inst {
	struct ais_client *client;
	enum amf_cb_set set;
	/* the callbacks, whichever set they came in */
	SaAmfHealthcheckCallbackT healthcheck;
	SaAmfComponentTerminateCallbackT terminate;
	SaAmfCSISetCallbackT csi_set;
	SaAmfCSIRemoveCallbackT csi_remove;
	SaAmfProtectionGroupTrackCallbackT pg_track;     /* B.01 and B.03 */
	SaAmfProtectionGroupTrackCallbackT_4 pg_track_4; /* B.04 */
	SaAmfProxiedComponentInstantiateCallbackT proxied_instantiate;
	SaAmfProxiedComponentCleanupCallbackT proxied_cleanup;
	SaAmfContainedComponentInstantiateCallbackT contained_instantiate;
	SaAmfContainedComponentCleanupCallbackT contained_cleanup;
};

AIS_HDB_DECLARE(amf_handle_db, AIS_HDB_TAG(AIS_SERVICE_AMF, 1));

static void amf_inst_destroy(void *instance)
{
	struct amf_inst *inst = instance;

	ais_client_disconnect(inst->client);
	inst->client = NULL;
}

static SaAisErrorT amf_inst_get(SaAmfHandleT handle, struct amf_inst **ret_inst)
{
	void *p;

	if (ais_hdb_get(&amf_handle_db, handle, &p) < 0)
		return SA_AIS_ERR_BAD_HANDLE;
	*ret_inst = p;
	return SA_AIS_OK;
}

static void amf_inst_put(SaAmfHandleT handle)
{
	ais_hdb_put(&amf_handle_db, handle);
}

/* ---- argument checks and conversions ------------------------------------------- */

static bool amf_name_ok(const SaNameT *name)
{
	return name && name->length <= SA_MAX_NAME_LENGTH;
}

/* name must be amf_name_ok (or NULL: empty) */
static void amf_name_to_ipc(struct ais_amf_name *dst, const SaNameT *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src)
		return;
	dst->length = src->length;
	memcpy(dst->value, src->value, src->length);
}

static int amf_name_from_ipc(SaNameT *dst, const struct ais_amf_name *src)
{
	if (src->length > AIS_AMF_NAME_MAX)
		return -EPROTO;
	memset(dst, 0, sizeof(*dst));
	dst->length = src->length;
	memcpy(dst->value, src->value, src->length);
	return 0;
}

static bool amf_key_ok(const SaAmfHealthcheckKeyT *key)
{
	return key && key->keyLen >= 1 && key->keyLen <= SA_AMF_HEALTHCHECK_KEY_MAX;
}

static bool amf_recovery_ok(SaAmfRecommendedRecoveryT r)
{
	return r >= SA_AMF_NO_RECOMMENDATION && r <= SA_AMF_CONTAINER_RESTART;
}

/* an answer a component may give (saAmfResponse, quiescing complete, confirm) */
static bool amf_answer_ok(SaAisErrorT e)
{
	return e >= SA_AIS_OK && e <= SA_AIS_ERR_DEPLOYMENT;
}

static void amf_ids_to_ipc(struct ais_amf_correlation *dst, const SaNtfCorrelationIdsT *ids)
{
	memset(dst, 0, sizeof(*dst));
	if (!ids)
		return;
	dst->root = ids->rootCorrelationId;
	dst->parent = ids->parentCorrelationId;
	dst->notification = ids->notificationId;
}

/* ---- requests ------------------------------------------------------------------------ */

/* A request answered with a bare header (or one whose body the caller does
 * not need). */
static SaAisErrorT amf_request_plain(struct amf_inst *inst, void *req, size_t req_len, int32_t id)
{
	struct qb_ipc_request_header *h = req;
	struct ais_amf_res_plain res;
	struct iovec iov = { .iov_base = req, .iov_len = req_len };
	size_t len = 0;
	int r;

	h->id = id;
	h->size = (int32_t)req_len;
	r = ais_client_request(inst->client, &iov, 1, id, &res, sizeof(res), &len);
	if (r < 0)
		return ais_error_from_errno(r);
	return (SaAisErrorT)res.header.error;
}

/* get the handle, send, put: for the calls whose only result is the error */
static SaAisErrorT amf_call_plain(SaAmfHandleT handle, void *req, size_t req_len, int32_t id)
{
	struct amf_inst *inst;
	SaAisErrorT e = amf_inst_get(handle, &inst);

	if (e != SA_AIS_OK)
		return e;
	e = amf_request_plain(inst, req, req_len, id);
	amf_inst_put(handle);
	return e;
}

/* ---- version negotiation and life ---------------------------------------------------- */

static SaAisErrorT amf_version_check(SaVersionT *version, uint8_t lowest, uint8_t highest)
{
	bool ok = version->releaseCode == 'B' && version->majorVersion >= lowest &&
	          version->majorVersion <= highest;
	uint8_t major = ok ? version->majorVersion : highest;

	version->releaseCode = 'B';
	version->majorVersion = major;
	version->minorVersion = 1;
	return ok ? SA_AIS_OK : SA_AIS_ERR_VERSION;
}

static uint32_t amf_cb_bits(const struct amf_inst *inst)
{
	uint32_t b = 0;

	b |= inst->healthcheck ? AIS_AMF_CB_HEALTHCHECK : 0;
	b |= inst->terminate ? AIS_AMF_CB_COMP_TERMINATE : 0;
	b |= inst->csi_set ? AIS_AMF_CB_CSI_SET : 0;
	b |= inst->csi_remove ? AIS_AMF_CB_CSI_REMOVE : 0;
	b |= inst->pg_track || inst->pg_track_4 ? AIS_AMF_CB_PG_TRACK : 0;
	b |= inst->proxied_instantiate ? AIS_AMF_CB_PROXIED_INSTANTIATE : 0;
	b |= inst->proxied_cleanup ? AIS_AMF_CB_PROXIED_CLEANUP : 0;
	b |= inst->contained_instantiate ? AIS_AMF_CB_CONTAINED_INSTANTIATE : 0;
	b |= inst->contained_cleanup ? AIS_AMF_CB_CONTAINED_CLEANUP : 0;
	return b;
}

/* The callbacks of any set, as one structure. */
struct amf_callbacks {
	enum amf_cb_set set;
	const SaAmfCallbacksT *b01;
	const SaAmfCallbacksT_3 *b03;
	const SaAmfCallbacksT_4 *b04;
};

static void amf_callbacks_copy(struct amf_inst *inst, const struct amf_callbacks *cb)
{
	inst->set = cb->set;
	if (cb->b01) {
		inst->healthcheck = cb->b01->saAmfHealthcheckCallback;
		inst->terminate = cb->b01->saAmfComponentTerminateCallback;
		inst->csi_set = cb->b01->saAmfCSISetCallback;
		inst->csi_remove = cb->b01->saAmfCSIRemoveCallback;
		inst->pg_track = cb->b01->saAmfProtectionGroupTrackCallback;
		inst->proxied_instantiate = cb->b01->saAmfProxiedComponentInstantiateCallback;
		inst->proxied_cleanup = cb->b01->saAmfProxiedComponentCleanupCallback;
	} else if (cb->b03) {
		inst->healthcheck = cb->b03->saAmfHealthcheckCallback;
		inst->terminate = cb->b03->saAmfComponentTerminateCallback;
		inst->csi_set = cb->b03->saAmfCSISetCallback;
		inst->csi_remove = cb->b03->saAmfCSIRemoveCallback;
		inst->pg_track = cb->b03->saAmfProtectionGroupTrackCallback;
		inst->proxied_instantiate = cb->b03->saAmfProxiedComponentInstantiateCallback;
		inst->proxied_cleanup = cb->b03->saAmfProxiedComponentCleanupCallback;
		inst->contained_instantiate = cb->b03->saAmfContainedComponentInstantiateCallback;
		inst->contained_cleanup = cb->b03->saAmfContainedComponentCleanupCallback;
	} else if (cb->b04) {
		inst->healthcheck = cb->b04->saAmfHealthcheckCallback;
		inst->terminate = cb->b04->saAmfComponentTerminateCallback;
		inst->csi_set = cb->b04->saAmfCSISetCallback;
		inst->csi_remove = cb->b04->saAmfCSIRemoveCallback;
		inst->pg_track_4 = cb->b04->saAmfProtectionGroupTrackCallback;
		inst->proxied_instantiate = cb->b04->saAmfProxiedComponentInstantiateCallback;
		inst->proxied_cleanup = cb->b04->saAmfProxiedComponentCleanupCallback;
		inst->contained_instantiate = cb->b04->saAmfContainedComponentInstantiateCallback;
		inst->contained_cleanup = cb->b04->saAmfContainedComponentCleanupCallback;
	}
}

static SaAisErrorT amf_initialize(SaAmfHandleT *amfHandle, const struct amf_callbacks *cb,
                                  SaVersionT *version, uint8_t lowest, uint8_t highest)
{
	struct ais_amf_req_init req;
	struct amf_inst *inst;
	SaAisErrorT e;
	uint64_t h;
	void *p;
	int r;

	if (!amfHandle || !version)
		return SA_AIS_ERR_INVALID_PARAM;
	e = amf_version_check(version, lowest, highest);
	if (e != SA_AIS_OK)
		return e;
	r = ais_hdb_create(&amf_handle_db, sizeof(*inst), amf_inst_destroy, &h, &p);
	if (r < 0)
		return ais_error_from_errno(r);
	inst = p;
	amf_callbacks_copy(inst, cb);
	r = ais_client_connect("amf", &inst->client);
	if (r < 0) {
		ais_hdb_destroy(&amf_handle_db, h);
		/* no daemon: the service cannot be provided now */
		return r == -ENOTCONN || r == -ESHUTDOWN ? SA_AIS_ERR_TRY_AGAIN : ais_error_from_errno(r);
	}
	memset(&req, 0, sizeof(req));
	req.major = version->majorVersion;
	req.minor = version->minorVersion;
	req.callbacks = amf_cb_bits(inst);
	e = amf_request_plain(inst, &req, sizeof(req), AIS_AMF_REQ_INIT);
	if (e != SA_AIS_OK) {
		ais_client_shutdown(inst->client);
		ais_hdb_destroy(&amf_handle_db, h);
		return e;
	}
	*amfHandle = h;
	return SA_AIS_OK;
}

SaAisErrorT saAmfInitialize(SaAmfHandleT *amfHandle, const SaAmfCallbacksT *amfCallbacks, SaVersionT *version)
{
	struct amf_callbacks cb = { AMF_CB_B01, amfCallbacks, NULL, NULL };

	return amf_initialize(amfHandle, &cb, version, 1, 1);
}

SaAisErrorT saAmfInitialize_3(SaAmfHandleT *amfHandle, const SaAmfCallbacksT_3 *amfCallbacks,
                              SaVersionT *version)
{
	struct amf_callbacks cb = { AMF_CB_B03, NULL, amfCallbacks, NULL };

	return amf_initialize(amfHandle, &cb, version, 3, 4);
}

SaAisErrorT saAmfInitialize_4(SaAmfHandleT *amfHandle, const SaAmfCallbacksT_4 *amfCallbacks,
                              SaVersionT *version)
{
	struct amf_callbacks cb = { AMF_CB_B04, NULL, NULL, amfCallbacks };

	return amf_initialize(amfHandle, &cb, version, 4, 4);
}

SaAisErrorT saAmfSelectionObjectGet(SaAmfHandleT amfHandle, SaSelectionObjectT *selectionObject)
{
	struct amf_inst *inst;
	SaAisErrorT e;
	int r, fd;

	if (!selectionObject)
		return SA_AIS_ERR_INVALID_PARAM;
	e = amf_inst_get(amfHandle, &inst);
	if (e != SA_AIS_OK)
		return e;
	r = ais_client_fd(inst->client, &fd);
	if (r == 0)
		*selectionObject = (SaSelectionObjectT)fd;
	amf_inst_put(amfHandle);
	return ais_error_from_errno(r);
}

SaAisErrorT saAmfFinalize(SaAmfHandleT amfHandle)
{
	struct amf_inst *inst;
	SaAisErrorT e = amf_inst_get(amfHandle, &inst);

	if (e != SA_AIS_OK)
		return e;
	ais_client_shutdown(inst->client);
	e = ais_hdb_destroy(&amf_handle_db, amfHandle) < 0 ? SA_AIS_ERR_BAD_HANDLE : SA_AIS_OK;
	amf_inst_put(amfHandle);
	return e;
}

/* ---- dispatch ------------------------------------------------------------------------ */

static int amf_ev_healthcheck(const struct amf_inst *inst, const void *msg, size_t len)
{
	struct ais_amf_ev_healthcheck ev;
	SaAmfHealthcheckKeyT key;
	SaNameT comp;

	if (len != sizeof(ev))
		return -EPROTO;
	memcpy(&ev, msg, sizeof(ev));
	if (amf_name_from_ipc(&comp, &ev.comp) < 0 || ev.key.length < 1 || ev.key.length > AIS_AMF_HC_KEY_MAX)
		return -EPROTO;
	memset(&key, 0, sizeof(key));
	key.keyLen = ev.key.length;
	memcpy(key.key, ev.key.key, ev.key.length);
	if (inst->healthcheck)
		inst->healthcheck(ev.invocation, &comp, &key);
	return 0;
}

static int amf_ev_comp(const struct amf_inst *inst, int32_t id, const void *msg, size_t len)
{
	struct ais_amf_ev_comp ev;
	SaNameT comp;

	if (len != sizeof(ev))
		return -EPROTO;
	memcpy(&ev, msg, sizeof(ev));
	if (amf_name_from_ipc(&comp, &ev.comp) < 0)
		return -EPROTO;
	switch (id) {
	case AIS_AMF_EV_COMP_TERMINATE:
		if (inst->terminate)
			inst->terminate(ev.invocation, &comp);
		break;
	case AIS_AMF_EV_PROXIED_INSTANTIATE:
		if (inst->proxied_instantiate)
			inst->proxied_instantiate(ev.invocation, &comp);
		break;
	case AIS_AMF_EV_PROXIED_CLEANUP:
		if (inst->proxied_cleanup)
			inst->proxied_cleanup(ev.invocation, &comp);
		break;
	case AIS_AMF_EV_CONTAINED_INSTANTIATE:
		if (inst->contained_instantiate)
			inst->contained_instantiate(ev.invocation, &comp);
		break;
	default: /* AIS_AMF_EV_CONTAINED_CLEANUP */
		if (inst->contained_cleanup)
			inst->contained_cleanup(ev.invocation, &comp);
		break;
	}
	return 0;
}

/*
 * The attribute text of a CSI set event: exactly n pairs "name\0value\0",
 * name not empty, nothing after the last pair. On success attr[i] point
 * into text (the caller's copy).
 */
static int amf_attrs_parse(uint8_t *text, size_t len, uint32_t n, SaAmfCSIAttributeT *attr)
{
	size_t off = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint8_t *name = text + off, *value, *end;

		if (off >= len)
			return -EPROTO;
		end = memchr(name, 0, len - off);
		if (!end || end == name)
			return -EPROTO;
		off = (size_t)(end - text) + 1;
		if (off >= len)
			return -EPROTO;
		value = text + off;
		end = memchr(value, 0, len - off);
		if (!end)
			return -EPROTO;
		off = (size_t)(end - text) + 1;
		attr[i].attrName = name;
		attr[i].attrValue = value;
	}
	return off == len ? 0 : -EPROTO;
}

static bool amf_ha_state_ok(uint32_t s)
{
	return s >= SA_AMF_HA_ACTIVE && s <= SA_AMF_HA_QUIESCING;
}

static bool amf_csi_flags_ok(uint32_t f)
{
	return f == SA_AMF_CSI_ADD_ONE || f == SA_AMF_CSI_TARGET_ONE || f == SA_AMF_CSI_TARGET_ALL;
}

static int amf_ev_csi_set(const struct amf_inst *inst, const uint8_t *msg, size_t len)
{
	struct ais_amf_ev_csi_set ev;
	SaAmfCSIAttributeT *attr = NULL;
	SaAmfCSIDescriptorT d;
	uint8_t *text = NULL;
	SaNameT comp;
	int r = -EPROTO;

	if (len < sizeof(ev))
		return -EPROTO;
	memcpy(&ev, msg, sizeof(ev));
	if (ev.attrs_len != len - sizeof(ev) || ev.attrs_len > AIS_AMF_CSI_ATTR_BYTES_MAX ||
	    ev.n_attrs > AIS_AMF_CSI_ATTRS_MAX || !amf_ha_state_ok(ev.ha_state) || !amf_csi_flags_ok(ev.flags) ||
	    (ev.flags != SA_AMF_CSI_ADD_ONE && ev.n_attrs != 0) || (ev.n_attrs == 0 && ev.attrs_len != 0))
		return -EPROTO;
	memset(&d, 0, sizeof(d));
	if (amf_name_from_ipc(&comp, &ev.comp) < 0 || amf_name_from_ipc(&d.csiName, &ev.csi) < 0)
		return -EPROTO;
	d.csiFlags = ev.flags;
	if (ev.ha_state == SA_AMF_HA_ACTIVE) {
		if (ev.transition < SA_AMF_CSI_NEW_ASSIGN || ev.transition > SA_AMF_CSI_STILL_ACTIVE ||
		    amf_name_from_ipc(&d.csiStateDescriptor.activeDescriptor.activeCompName, &ev.active_comp) < 0)
			return -EPROTO;
		d.csiStateDescriptor.activeDescriptor.transitionDescriptor = (SaAmfCSITransitionDescriptorT)ev.transition;
	} else if (ev.ha_state == SA_AMF_HA_STANDBY) {
		if (amf_name_from_ipc(&d.csiStateDescriptor.standbyDescriptor.activeCompName, &ev.active_comp) < 0)
			return -EPROTO;
		d.csiStateDescriptor.standbyDescriptor.standbyRank = ev.standby_rank;
	}
	if (ev.n_attrs) {
		/* the application gets writable copies, valid during the callback */
		text = malloc(ev.attrs_len);
		attr = calloc(ev.n_attrs, sizeof(*attr));
		if (!text || !attr) {
			r = -ENOMEM;
			goto out;
		}
		memcpy(text, msg + sizeof(ev), ev.attrs_len);
		if (amf_attrs_parse(text, ev.attrs_len, ev.n_attrs, attr) < 0)
			goto out;
		d.csiAttr.attr = attr;
		d.csiAttr.number = ev.n_attrs;
	}
	if (inst->csi_set)
		inst->csi_set(ev.invocation, &comp, (SaAmfHAStateT)ev.ha_state, d);
	r = 0;
out:
	free(attr);
	free(text);
	return r;
}

static int amf_ev_csi_remove(const struct amf_inst *inst, const void *msg, size_t len)
{
	struct ais_amf_ev_csi_remove ev;
	SaNameT comp, csi;

	if (len != sizeof(ev))
		return -EPROTO;
	memcpy(&ev, msg, sizeof(ev));
	if (amf_name_from_ipc(&comp, &ev.comp) < 0 || amf_name_from_ipc(&csi, &ev.csi) < 0 ||
	    (ev.flags != SA_AMF_CSI_TARGET_ONE && ev.flags != SA_AMF_CSI_TARGET_ALL))
		return -EPROTO;
	if (inst->csi_remove)
		inst->csi_remove(ev.invocation, &comp, &csi, ev.flags);
	return 0;
}

/* count members at p: each checked */
static int amf_members_check(const uint8_t *p, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		struct ais_amf_pg_member m;

		memcpy(&m, p + (size_t)i * sizeof(m), sizeof(m));
		if (m.comp.length > AIS_AMF_NAME_MAX || !amf_ha_state_ok(m.ha_state) ||
		    m.ha_readiness_state < SA_AMF_HARS_READY_FOR_ASSIGNMENT ||
		    m.ha_readiness_state > SA_AMF_HARS_NOT_READY_FOR_ASSIGNMENT ||
		    m.change < SA_AMF_PROTECTION_GROUP_NO_CHANGE || m.change > SA_AMF_PROTECTION_GROUP_STATE_CHANGE)
			return -EPROTO;
	}
	return 0;
}

/* checked members into notification[] of the B.01 (four == false) or B.04 kind */
static void amf_members_convert(const uint8_t *p, uint32_t count, void *notification, bool four)
{
	for (uint32_t i = 0; i < count; i++) {
		struct ais_amf_pg_member m;

		memcpy(&m, p + (size_t)i * sizeof(m), sizeof(m));
		if (four) {
			SaAmfProtectionGroupNotificationT_4 *n = (SaAmfProtectionGroupNotificationT_4 *)notification + i;

			memset(n, 0, sizeof(*n));
			(void)amf_name_from_ipc(&n->member.compName, &m.comp);
			n->member.haState = (SaAmfHAStateT)m.ha_state;
			n->member.haReadinessState = (SaAmfHAReadinessStateT)m.ha_readiness_state;
			n->member.rank = m.rank;
			n->change = (SaAmfProtectionGroupChangesT)m.change;
		} else {
			SaAmfProtectionGroupNotificationT *n = (SaAmfProtectionGroupNotificationT *)notification + i;

			memset(n, 0, sizeof(*n));
			(void)amf_name_from_ipc(&n->member.compName, &m.comp);
			n->member.haState = (SaAmfHAStateT)m.ha_state;
			n->member.rank = m.rank;
			n->change = (SaAmfProtectionGroupChangesT)m.change;
		}
	}
}

static int amf_ev_pg_track(const struct amf_inst *inst, const uint8_t *msg, size_t len)
{
	const uint8_t *members = msg + sizeof(struct ais_amf_ev_pg_track);
	struct ais_amf_ev_pg_track ev;
	bool four = inst->set == AMF_CB_B04;
	SaNameT csi;
	void *notes;

	if (len < sizeof(ev))
		return -EPROTO;
	memcpy(&ev, msg, sizeof(ev));
	if (ev.count > AIS_AMF_PG_MEMBERS_MAX ||
	    (uint64_t)ev.count * sizeof(struct ais_amf_pg_member) != len - sizeof(ev) ||
	    amf_name_from_ipc(&csi, &ev.csi) < 0 || amf_members_check(members, ev.count) < 0)
		return -EPROTO;
	if (four ? !inst->pg_track_4 : !inst->pg_track)
		return 0;
	notes = calloc(ev.count ? ev.count : 1,
	               four ? sizeof(SaAmfProtectionGroupNotificationT_4) : sizeof(SaAmfProtectionGroupNotificationT));
	if (!notes)
		return -ENOMEM;
	amf_members_convert(members, ev.count, notes, four);
	if (four) {
		SaAmfProtectionGroupNotificationBufferT_4 buf = { ev.count, notes };

		inst->pg_track_4(&csi, &buf, ev.n_members, (SaAisErrorT)ev.header.error);
	} else {
		SaAmfProtectionGroupNotificationBufferT buf = { ev.count, notes };

		inst->pg_track(&csi, &buf, ev.n_members, (SaAisErrorT)ev.header.error);
	}
	free(notes);
	return 0;
}

static int amf_dispatch_one(void *ctx, const void *msg, size_t len)
{
	const struct amf_inst *inst = ctx;
	struct qb_ipc_response_header h;
	int r;

	memcpy(&h, msg, sizeof(h));
	switch (h.id) {
	case AIS_AMF_EV_HEALTHCHECK:
		r = amf_ev_healthcheck(inst, msg, len);
		break;
	case AIS_AMF_EV_COMP_TERMINATE:
	case AIS_AMF_EV_PROXIED_INSTANTIATE:
	case AIS_AMF_EV_PROXIED_CLEANUP:
	case AIS_AMF_EV_CONTAINED_INSTANTIATE:
	case AIS_AMF_EV_CONTAINED_CLEANUP:
		r = amf_ev_comp(inst, h.id, msg, len);
		break;
	case AIS_AMF_EV_CSI_SET:
		r = amf_ev_csi_set(inst, msg, len);
		break;
	case AIS_AMF_EV_CSI_REMOVE:
		r = amf_ev_csi_remove(inst, msg, len);
		break;
	case AIS_AMF_EV_PG_TRACK:
		r = amf_ev_pg_track(inst, msg, len);
		break;
	default:
		r = 0; /* an event this library does not know: skipped */
		break;
	}
	/* a malformed event is skipped, like the core skips malformed frames */
	return r == -EPROTO ? 0 : r;
}

SaAisErrorT saAmfDispatch(SaAmfHandleT amfHandle, SaDispatchFlagsT dispatchFlags)
{
	struct amf_inst *inst;
	SaAisErrorT e;
	int r;

	if (dispatchFlags != SA_DISPATCH_ONE && dispatchFlags != SA_DISPATCH_ALL &&
	    dispatchFlags != SA_DISPATCH_BLOCKING)
		return SA_AIS_ERR_INVALID_PARAM;
	e = amf_inst_get(amfHandle, &inst);
	if (e != SA_AIS_OK)
		return e;
	r = ais_client_dispatch(inst->client, (int)dispatchFlags, amf_dispatch_one, inst);
	amf_inst_put(amfHandle);
	return ais_error_from_errno(r);
}

/* ---- components ------------------------------------------------------------------------ */

static SaAisErrorT amf_comp_request(SaAmfHandleT handle, const SaNameT *compName, const SaNameT *proxyCompName,
                                    int32_t id)
{
	struct ais_amf_req_comp req;
	struct amf_inst *inst;
	SaAisErrorT e;

	if (!amf_name_ok(compName) || (proxyCompName && !amf_name_ok(proxyCompName)))
		return SA_AIS_ERR_INVALID_PARAM;
	e = amf_inst_get(handle, &inst);
	if (e != SA_AIS_OK)
		return e;
	if (id == AIS_AMF_REQ_COMP_REGISTER &&
	    (!inst->csi_set || !inst->csi_remove || !inst->terminate ||
	     (proxyCompName && (!inst->proxied_instantiate || !inst->proxied_cleanup)))) {
		e = SA_AIS_ERR_INIT;
		goto out;
	}
	memset(&req, 0, sizeof(req));
	amf_name_to_ipc(&req.comp, compName);
	amf_name_to_ipc(&req.proxy, proxyCompName);
	e = amf_request_plain(inst, &req, sizeof(req), id);
out:
	amf_inst_put(handle);
	return e;
}

SaAisErrorT saAmfComponentRegister(SaAmfHandleT amfHandle, const SaNameT *compName, const SaNameT *proxyCompName)
{
	return amf_comp_request(amfHandle, compName, proxyCompName, AIS_AMF_REQ_COMP_REGISTER);
}

SaAisErrorT saAmfComponentUnregister(SaAmfHandleT amfHandle, const SaNameT *compName,
                                     const SaNameT *proxyCompName)
{
	return amf_comp_request(amfHandle, compName, proxyCompName, AIS_AMF_REQ_COMP_UNREGISTER);
}

SaAisErrorT saAmfComponentNameGet(SaAmfHandleT amfHandle, SaNameT *compName)
{
	struct amf_inst *inst;
	const char *env;
	SaAisErrorT e;
	size_t n;

	if (!compName)
		return SA_AIS_ERR_INVALID_PARAM;
	e = amf_inst_get(amfHandle, &inst);
	if (e != SA_AIS_OK)
		return e;
	amf_inst_put(amfHandle);
	env = getenv(AMF_COMP_NAME_ENV);
	if (!env)
		return SA_AIS_ERR_NOT_EXIST;
	n = strlen(env);
	if (n > SA_MAX_NAME_LENGTH)
		return SA_AIS_ERR_NAME_TOO_LONG;
	memset(compName, 0, sizeof(*compName));
	compName->length = (SaUint16T)n;
	memcpy(compName->value, env, n);
	return SA_AIS_OK;
}

/* ---- passive monitoring ------------------------------------------------------------------ */

static SaAisErrorT amf_pm_start(SaAmfHandleT handle, const SaNameT *compName, int64_t pid, SaInt32T depth,
                                SaAmfPmErrorsT errors, SaAmfRecommendedRecoveryT recovery)
{
	struct ais_amf_req_pm req;

	if (!amf_name_ok(compName) || pid <= 0 || depth < -1 || errors == 0 || (errors & ~SA_AMF_PM_ALL_ERRORS) ||
	    !amf_recovery_ok(recovery))
		return SA_AIS_ERR_INVALID_PARAM;
	memset(&req, 0, sizeof(req));
	amf_name_to_ipc(&req.comp, compName);
	req.pid = pid;
	req.depth = depth;
	req.errors = errors;
	req.recovery = recovery;
	return amf_call_plain(handle, &req, sizeof(req), AIS_AMF_REQ_PM_START);
}

SaAisErrorT saAmfPmStart(SaAmfHandleT amfHandle, const SaNameT *compName, SaUint64T processId,
                         SaInt32T descendentsTreeDepth, SaAmfPmErrorsT pmErrors,
                         SaAmfRecommendedRecoveryT recommendedRecovery)
{
	if (processId > (SaUint64T)INT64_MAX)
		return SA_AIS_ERR_INVALID_PARAM;
	return amf_pm_start(amfHandle, compName, (int64_t)processId, descendentsTreeDepth, pmErrors,
	                    recommendedRecovery);
}

SaAisErrorT saAmfPmStart_3(SaAmfHandleT amfHandle, const SaNameT *compName, SaInt64T processId,
                           SaInt32T descendentsTreeDepth, SaAmfPmErrorsT pmErrors,
                           SaAmfRecommendedRecoveryT recommendedRecovery)
{
	return amf_pm_start(amfHandle, compName, processId, descendentsTreeDepth, pmErrors, recommendedRecovery);
}

SaAisErrorT saAmfPmStop(SaAmfHandleT amfHandle, const SaNameT *compName, SaAmfPmStopQualifierT stopQualifier,
                        SaInt64T processId, SaAmfPmErrorsT pmErrors)
{
	struct ais_amf_req_pm req;

	if (!amf_name_ok(compName) || stopQualifier < SA_AMF_PM_PROC || stopQualifier > SA_AMF_PM_ALL_PROCESSES ||
	    (stopQualifier != SA_AMF_PM_ALL_PROCESSES && processId <= 0) || pmErrors == 0 ||
	    (pmErrors & ~SA_AMF_PM_ALL_ERRORS))
		return SA_AIS_ERR_INVALID_PARAM;
	memset(&req, 0, sizeof(req));
	amf_name_to_ipc(&req.comp, compName);
	req.pid = processId;
	req.errors = pmErrors;
	req.qualifier = stopQualifier;
	return amf_call_plain(amfHandle, &req, sizeof(req), AIS_AMF_REQ_PM_STOP);
}

/* ---- healthchecks ------------------------------------------------------------------------ */

static void amf_hc_fill(struct ais_amf_req_hc *req, const SaNameT *compName, const SaAmfHealthcheckKeyT *key)
{
	memset(req, 0, sizeof(*req));
	amf_name_to_ipc(&req->comp, compName);
	req->key.length = key->keyLen;
	memcpy(req->key.key, key->key, key->keyLen);
}

SaAisErrorT saAmfHealthcheckStart(SaAmfHandleT amfHandle, const SaNameT *compName,
                                  const SaAmfHealthcheckKeyT *healthcheckKey,
                                  SaAmfHealthcheckInvocationT invocationType,
                                  SaAmfRecommendedRecoveryT recommendedRecovery)
{
	struct ais_amf_req_hc req;
	struct amf_inst *inst;
	SaAisErrorT e;

	if (!amf_name_ok(compName) || !amf_key_ok(healthcheckKey) ||
	    (invocationType != SA_AMF_HEALTHCHECK_AMF_INVOKED &&
	     invocationType != SA_AMF_HEALTHCHECK_COMPONENT_INVOKED) ||
	    !amf_recovery_ok(recommendedRecovery))
		return SA_AIS_ERR_INVALID_PARAM;
	e = amf_inst_get(amfHandle, &inst);
	if (e != SA_AIS_OK)
		return e;
	if (invocationType == SA_AMF_HEALTHCHECK_AMF_INVOKED && !inst->healthcheck) {
		amf_inst_put(amfHandle);
		return SA_AIS_ERR_INIT;
	}
	amf_hc_fill(&req, compName, healthcheckKey);
	req.invocation_type = invocationType;
	req.recovery = recommendedRecovery;
	e = amf_request_plain(inst, &req, sizeof(req), AIS_AMF_REQ_HC_START);
	amf_inst_put(amfHandle);
	return e;
}

SaAisErrorT saAmfHealthcheckConfirm(SaAmfHandleT amfHandle, const SaNameT *compName,
                                    const SaAmfHealthcheckKeyT *healthcheckKey, SaAisErrorT healthcheckResult)
{
	struct ais_amf_req_hc req;

	if (!amf_name_ok(compName) || !amf_key_ok(healthcheckKey) ||
	    (healthcheckResult != SA_AIS_OK && healthcheckResult != SA_AIS_ERR_FAILED_OPERATION))
		return SA_AIS_ERR_INVALID_PARAM;
	amf_hc_fill(&req, compName, healthcheckKey);
	req.result = healthcheckResult;
	return amf_call_plain(amfHandle, &req, sizeof(req), AIS_AMF_REQ_HC_CONFIRM);
}

SaAisErrorT saAmfHealthcheckStop(SaAmfHandleT amfHandle, const SaNameT *compName,
                                 const SaAmfHealthcheckKeyT *healthcheckKey)
{
	struct ais_amf_req_hc req;

	if (!amf_name_ok(compName) || !amf_key_ok(healthcheckKey))
		return SA_AIS_ERR_INVALID_PARAM;
	amf_hc_fill(&req, compName, healthcheckKey);
	return amf_call_plain(amfHandle, &req, sizeof(req), AIS_AMF_REQ_HC_STOP);
}

/* ---- HA state ---------------------------------------------------------------------------- */

SaAisErrorT saAmfHAStateGet(SaAmfHandleT amfHandle, const SaNameT *compName, const SaNameT *csiName,
                            SaAmfHAStateT *haState)
{
	struct ais_amf_req_ha_state_get req;
	struct ais_amf_res_ha_state_get res;
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	struct amf_inst *inst;
	size_t len = 0;
	SaAisErrorT e;
	int r;

	if (!amf_name_ok(compName) || !amf_name_ok(csiName) || !haState)
		return SA_AIS_ERR_INVALID_PARAM;
	e = amf_inst_get(amfHandle, &inst);
	if (e != SA_AIS_OK)
		return e;
	memset(&req, 0, sizeof(req));
	req.header.id = AIS_AMF_REQ_HA_STATE_GET;
	req.header.size = sizeof(req);
	amf_name_to_ipc(&req.comp, compName);
	amf_name_to_ipc(&req.csi, csiName);
	r = ais_client_request(inst->client, &iov, 1, AIS_AMF_REQ_HA_STATE_GET, &res, sizeof(res), &len);
	amf_inst_put(amfHandle);
	if (r < 0)
		return ais_error_from_errno(r);
	if (res.header.error != SA_AIS_OK)
		return (SaAisErrorT)res.header.error;
	if (len != sizeof(res) || !amf_ha_state_ok(res.ha_state))
		return SA_AIS_ERR_LIBRARY;
	*haState = (SaAmfHAStateT)res.ha_state;
	return SA_AIS_OK;
}

SaAisErrorT saAmfHAReadinessStateSet(SaAmfHandleT amfHandle, const SaNameT *compName, const SaNameT *csiName,
                                     SaAmfHAReadinessStateT haReadinessState,
                                     const SaNtfCorrelationIdsT *correlationIds)
{
	struct ais_amf_req_ha_readiness req;

	if (!amf_name_ok(compName) || (csiName && !amf_name_ok(csiName)) ||
	    haReadinessState < SA_AMF_HARS_READY_FOR_ASSIGNMENT ||
	    haReadinessState > SA_AMF_HARS_NOT_READY_FOR_ASSIGNMENT)
		return SA_AIS_ERR_INVALID_PARAM;
	memset(&req, 0, sizeof(req));
	amf_name_to_ipc(&req.comp, compName);
	amf_name_to_ipc(&req.csi, csiName);
	req.state = haReadinessState;
	amf_ids_to_ipc(&req.correlation, correlationIds);
	return amf_call_plain(amfHandle, &req, sizeof(req), AIS_AMF_REQ_HA_READINESS_SET);
}

/* ---- answers to callbacks ------------------------------------------------------------------ */

static SaAisErrorT amf_response(SaAmfHandleT handle, SaInvocationT invocation, SaAisErrorT error,
                                const SaNtfCorrelationIdsT *ids, int32_t id)
{
	struct ais_amf_req_response req;

	if (!amf_answer_ok(error))
		return SA_AIS_ERR_INVALID_PARAM;
	memset(&req, 0, sizeof(req));
	req.invocation = invocation;
	req.error = error;
	amf_ids_to_ipc(&req.correlation, ids);
	return amf_call_plain(handle, &req, sizeof(req), id);
}

SaAisErrorT saAmfResponse(SaAmfHandleT amfHandle, SaInvocationT invocation, SaAisErrorT error)
{
	return amf_response(amfHandle, invocation, error, NULL, AIS_AMF_REQ_RESPONSE);
}

SaAisErrorT saAmfResponse_4(SaAmfHandleT amfHandle, SaInvocationT invocation,
                            const SaNtfCorrelationIdsT *correlationIds, SaAisErrorT error)
{
	return amf_response(amfHandle, invocation, error, correlationIds, AIS_AMF_REQ_RESPONSE);
}

SaAisErrorT saAmfCSIQuiescingComplete(SaAmfHandleT amfHandle, SaInvocationT invocation, SaAisErrorT error)
{
	return amf_response(amfHandle, invocation, error, NULL, AIS_AMF_REQ_QUIESCING_COMPLETE);
}

SaAisErrorT saAmfCorrelationIdsGet(SaAmfHandleT amfHandle, SaInvocationT invocation,
                                   SaNtfCorrelationIdsT *correlationIds)
{
	struct ais_amf_req_correlation_get req;
	struct ais_amf_res_correlation_get res;
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	struct amf_inst *inst;
	size_t len = 0;
	SaAisErrorT e;
	int r;

	if (!correlationIds)
		return SA_AIS_ERR_INVALID_PARAM;
	e = amf_inst_get(amfHandle, &inst);
	if (e != SA_AIS_OK)
		return e;
	memset(&req, 0, sizeof(req));
	req.header.id = AIS_AMF_REQ_CORRELATION_GET;
	req.header.size = sizeof(req);
	req.invocation = invocation;
	r = ais_client_request(inst->client, &iov, 1, AIS_AMF_REQ_CORRELATION_GET, &res, sizeof(res), &len);
	amf_inst_put(amfHandle);
	if (r < 0)
		return ais_error_from_errno(r);
	if (res.header.error != SA_AIS_OK)
		return (SaAisErrorT)res.header.error;
	if (len != sizeof(res))
		return SA_AIS_ERR_LIBRARY;
	correlationIds->rootCorrelationId = res.correlation.root;
	correlationIds->parentCorrelationId = res.correlation.parent;
	correlationIds->notificationId = res.correlation.notification;
	return SA_AIS_OK;
}

/* ---- error report and clear ----------------------------------------------------------------- */

static SaAisErrorT amf_error_request(SaAmfHandleT handle, const SaNameT *comp, SaTimeT when,
                                     SaAmfRecommendedRecoveryT recovery, const struct ais_amf_correlation *ids,
                                     int32_t id)
{
	struct ais_amf_req_error req;

	if (!amf_name_ok(comp) || (id == AIS_AMF_REQ_ERROR_REPORT && !amf_recovery_ok(recovery)))
		return SA_AIS_ERR_INVALID_PARAM;
	memset(&req, 0, sizeof(req));
	amf_name_to_ipc(&req.comp, comp);
	req.detection_time = when;
	req.recovery = id == AIS_AMF_REQ_ERROR_REPORT ? recovery : 0;
	req.correlation = *ids;
	return amf_call_plain(handle, &req, sizeof(req), id);
}

SaAisErrorT saAmfComponentErrorReport(SaAmfHandleT amfHandle, const SaNameT *erroneousComponent,
                                      SaTimeT errorDetectionTime, SaAmfRecommendedRecoveryT recommendedRecovery,
                                      SaNtfIdentifierT ntfIdentifier)
{
	struct ais_amf_correlation ids = { 0, 0, ntfIdentifier };

	return amf_error_request(amfHandle, erroneousComponent, errorDetectionTime, recommendedRecovery, &ids,
	                         AIS_AMF_REQ_ERROR_REPORT);
}

SaAisErrorT saAmfComponentErrorReport_4(SaAmfHandleT amfHandle, const SaNameT *erroneousComponent,
                                        SaTimeT errorDetectionTime,
                                        SaAmfRecommendedRecoveryT recommendedRecovery,
                                        const SaNtfCorrelationIdsT *correlationIds)
{
	struct ais_amf_correlation ids;

	amf_ids_to_ipc(&ids, correlationIds);
	return amf_error_request(amfHandle, erroneousComponent, errorDetectionTime, recommendedRecovery, &ids,
	                         AIS_AMF_REQ_ERROR_REPORT);
}

SaAisErrorT saAmfComponentErrorClear(SaAmfHandleT amfHandle, const SaNameT *compName,
                                     SaNtfIdentifierT ntfIdentifier)
{
	struct ais_amf_correlation ids = { 0, 0, ntfIdentifier };

	return amf_error_request(amfHandle, compName, 0, SA_AMF_NO_RECOMMENDATION, &ids, AIS_AMF_REQ_ERROR_CLEAR);
}

SaAisErrorT saAmfComponentErrorClear_4(SaAmfHandleT amfHandle, const SaNameT *compName,
                                       const SaNtfCorrelationIdsT *correlationIds)
{
	struct ais_amf_correlation ids;

	amf_ids_to_ipc(&ids, correlationIds);
	return amf_error_request(amfHandle, compName, 0, SA_AMF_NO_RECOMMENDATION, &ids, AIS_AMF_REQ_ERROR_CLEAR);
}

/* ---- protection groups ------------------------------------------------------------------------ */

/*
 * Library-allocated notification arrays are plain malloc() blocks (as in
 * libSaClm): programs may release them with free() or with
 * saAmfProtectionGroupNotificationFree(_4).
 */
static SaAisErrorT amf_free_notes(SaAmfHandleT handle, void *notification)
{
	struct amf_inst *inst;
	SaAisErrorT e;

	if (!notification)
		return SA_AIS_ERR_INVALID_PARAM;
	e = amf_inst_get(handle, &inst);
	if (e != SA_AIS_OK)
		return e;
	amf_inst_put(handle);
	free(notification);
	return SA_AIS_OK;
}

SaAisErrorT saAmfProtectionGroupNotificationFree(SaAmfHandleT amfHandle,
                                                 SaAmfProtectionGroupNotificationT *notification)
{
	return amf_free_notes(amfHandle, notification);
}

SaAisErrorT saAmfProtectionGroupNotificationFree_4(SaAmfHandleT amfHandle,
                                                   SaAmfProtectionGroupNotificationT_4 *notification)
{
	return amf_free_notes(amfHandle, notification);
}

/* What saAmfProtectionGroupTrack(_4) was given, independent of the buffer kind. */
struct amf_track_args {
	bool has_buffer;
	void **notification; /* &buffer->notification */
	SaUint32T *number_of_items;
	bool four; /* the buffer's kind */
};

static SaAisErrorT amf_track_reply(const struct amf_track_args *a, const uint8_t *msg, size_t len)
{
	const uint8_t *members = msg + sizeof(struct ais_amf_res_pg_track);
	struct ais_amf_res_pg_track res;
	size_t size = a->four ? sizeof(SaAmfProtectionGroupNotificationT_4) : sizeof(SaAmfProtectionGroupNotificationT);
	void *notes;

	memcpy(&res, msg, sizeof(res));
	if (res.count > AIS_AMF_PG_MEMBERS_MAX ||
	    (uint64_t)res.count * sizeof(struct ais_amf_pg_member) != len - sizeof(res) ||
	    amf_members_check(members, res.count) < 0)
		return SA_AIS_ERR_LIBRARY;
	notes = *a->notification;
	if (!notes) {
		notes = calloc(res.count ? res.count : 1, size);
		if (!notes)
			return SA_AIS_ERR_NO_MEMORY;
	} else if (res.count > *a->number_of_items) {
		/* the engine checked max_items; a mismatch is a protocol error */
		return SA_AIS_ERR_LIBRARY;
	}
	amf_members_convert(members, res.count, notes, a->four);
	*a->notification = notes;
	*a->number_of_items = res.count;
	return SA_AIS_OK;
}

static SaAisErrorT amf_track(SaAmfHandleT handle, const SaNameT *csiName, SaUint8T flags,
                             const struct amf_track_args *a)
{
	struct ais_amf_req_pg_track req;
	struct ais_amf_res_pg_track res;
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	bool want_cb, has_cb;
	struct amf_inst *inst;
	void *msg = NULL;
	size_t len = 0;
	SaAisErrorT e;
	int r;

	if (!amf_name_ok(csiName))
		return SA_AIS_ERR_INVALID_PARAM;
	if ((flags & SA_TRACK_CHANGES) && (flags & SA_TRACK_CHANGES_ONLY))
		return SA_AIS_ERR_BAD_FLAGS;
	if ((flags & ~AMF_TRACK_FLAGS) || !(flags & AMF_TRACK_FLAGS))
		return SA_AIS_ERR_BAD_FLAGS;
	if (a->has_buffer && *a->notification && *a->number_of_items == 0)
		return SA_AIS_ERR_INVALID_PARAM;
	e = amf_inst_get(handle, &inst);
	if (e != SA_AIS_OK)
		return e;
	want_cb = (flags & (SA_TRACK_CHANGES | SA_TRACK_CHANGES_ONLY)) ||
	          ((flags & SA_TRACK_CURRENT) && !a->has_buffer);
	has_cb = inst->set == AMF_CB_B04 ? inst->pg_track_4 != NULL : inst->pg_track != NULL;
	if (want_cb && !has_cb) {
		e = SA_AIS_ERR_INIT;
		goto out_put;
	}
	memset(&req, 0, sizeof(req));
	req.header.id = AIS_AMF_REQ_PG_TRACK;
	req.header.size = sizeof(req);
	amf_name_to_ipc(&req.csi, csiName);
	req.flags = flags & (SA_TRACK_CHANGES | SA_TRACK_CHANGES_ONLY);
	req.current = !(flags & SA_TRACK_CURRENT) ? AIS_AMF_CURRENT_NONE
	              : a->has_buffer             ? AIS_AMF_CURRENT_REPLY
	                                          : AIS_AMF_CURRENT_CALLBACK;
	req.max_items = req.current == AIS_AMF_CURRENT_REPLY && *a->notification ? *a->number_of_items : 0;
	r = ais_client_request_alloc(inst->client, &iov, 1, AIS_AMF_REQ_PG_TRACK, &msg, &len);
	if (r < 0) {
		e = ais_error_from_errno(r);
		goto out_put;
	}
	if (len < sizeof(struct qb_ipc_response_header)) {
		e = SA_AIS_ERR_LIBRARY;
		goto out_free;
	}
	memcpy(&res, msg, len < sizeof(res) ? len : sizeof(res));
	e = (SaAisErrorT)res.header.error;
	if (e == SA_AIS_ERR_NO_SPACE && len >= sizeof(res))
		*a->number_of_items = res.count;
	if (e != SA_AIS_OK)
		goto out_free;
	if (len < sizeof(res) || res.header.id != AIS_AMF_REQ_PG_TRACK) {
		e = SA_AIS_ERR_LIBRARY;
		goto out_free;
	}
	if (req.current == AIS_AMF_CURRENT_REPLY)
		e = amf_track_reply(a, msg, len);
out_free:
	free(msg);
out_put:
	amf_inst_put(handle);
	return e;
}

SaAisErrorT saAmfProtectionGroupTrack(SaAmfHandleT amfHandle, const SaNameT *csiName, SaUint8T trackFlags,
                                      SaAmfProtectionGroupNotificationBufferT *notificationBuffer)
{
	SaAmfProtectionGroupNotificationBufferT none = { 0, NULL };
	SaAmfProtectionGroupNotificationBufferT *b = notificationBuffer ? notificationBuffer : &none;
	void *notes = b->notification;
	struct amf_track_args a = { b != &none, &notes, &b->numberOfItems, false };
	SaAisErrorT e = amf_track(amfHandle, csiName, trackFlags, &a);

	b->notification = notes;
	return e;
}

SaAisErrorT saAmfProtectionGroupTrack_4(SaAmfHandleT amfHandle, const SaNameT *csiName, SaUint8T trackFlags,
                                        SaAmfProtectionGroupNotificationBufferT_4 *notificationBuffer)
{
	SaAmfProtectionGroupNotificationBufferT_4 none = { 0, NULL };
	SaAmfProtectionGroupNotificationBufferT_4 *b = notificationBuffer ? notificationBuffer : &none;
	void *notes = b->notification;
	struct amf_track_args a = { b != &none, &notes, &b->numberOfItems, true };
	SaAisErrorT e = amf_track(amfHandle, csiName, trackFlags, &a);

	b->notification = notes;
	return e;
}

SaAisErrorT saAmfProtectionGroupTrackStop(SaAmfHandleT amfHandle, const SaNameT *csiName)
{
	struct ais_amf_req_pg_stop req;

	if (!amf_name_ok(csiName))
		return SA_AIS_ERR_INVALID_PARAM;
	memset(&req, 0, sizeof(req));
	amf_name_to_ipc(&req.csi, csiName);
	return amf_call_plain(amfHandle, &req, sizeof(req), AIS_AMF_REQ_PG_TRACK_STOP);
}

/* aisexec extension (ais/client.h): why the last initialize of this thread
 * could not connect. */
const char *saAmfInitializeErrorText(void)
{
	return ais_client_connect_reason();
}
