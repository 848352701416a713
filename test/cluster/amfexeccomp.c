/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A plain SA-aware component for the AMF executor tests: it initializes
 * libSaAmf, reads its name (SA_AMF_COMPONENT_NAME), registers and answers
 * every callback, writing one line per event to the log file given as the
 * first argument ("pid registered", "csi-set CSI HA flags=F attrs=N
 * name=value...", "csi-remove CSI", "healthcheck KEY", "terminate").
 *
 * Options (after the log file):
 *   --hc KEY         start an AMF-invoked healthcheck with that key
 *   --hc-confirm KEY start a component-invoked healthcheck, confirmed every 200 ms
 *   --hc-silent      do not answer healthcheck callbacks
 *   --csi-error      answer CSI set callbacks with SA_AIS_ERR_FAILED_OPERATION
 *   --track CSI      track the protection group of CSI (changes), logging
 *                    "pg CSI n=N member=HA/change..."
 *   --unregister-after MS  unregister after MS milliseconds
 *   --pm             start a child (sleep) and monitor it passively ("pm-start PID RC")
 *
 * `amfexeccomp --admin OP DN` instead sends one operator request (ADMIN,
 * op as in ais_amf_admin_op) to the daemon of AIS_INSTANCE over raw IPC
 * and prints the SaAisErrorT of the answer. `amfexeccomp --hostile`
 * speaks raw IPC like a broken or malicious client (no INIT, wrong sizes,
 * bad names, guessed invocations of other connections) and prints "ok" when
 * every answer is the error ipc_amf.h gives, else "bad: ..." lines.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <qb/qbipcc.h>
#include <saAmf.h>
#include <ais/ipc_amf.h>

static FILE *out_log;
static SaAmfHandleT handle;
static SaNameT self;
static bool csi_error, hc_silent;

static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(out_log, fmt, ap);
	va_end(ap);
	fputc('\n', out_log);
	fflush(out_log);
}

static void on_hc(SaInvocationT inv, const SaNameT *comp, SaAmfHealthcheckKeyT *key)
{
	(void)comp;
	log_line("healthcheck %.*s", key->keyLen, key->key);
	if (!hc_silent)
		saAmfResponse(handle, inv, SA_AIS_OK);
}

static void on_terminate(SaInvocationT inv, const SaNameT *comp)
{
	(void)comp;
	log_line("terminate");
	saAmfResponse(handle, inv, SA_AIS_OK);
	fclose(out_log);
	exit(0);
}

static void on_csi_set(SaInvocationT inv, const SaNameT *comp, SaAmfHAStateT ha, SaAmfCSIDescriptorT d)
{
	char line[4096];
	size_t n;

	(void)comp;
	n = (size_t)snprintf(line, sizeof(line), "csi-set %.*s %d flags=%u attrs=%u", d.csiName.length,
			     (const char *)d.csiName.value, (int)ha, (unsigned)d.csiFlags, (unsigned)d.csiAttr.number);
	if (ha == SA_AMF_HA_ACTIVE)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " transition=%d",
				      (int)d.csiStateDescriptor.activeDescriptor.transitionDescriptor);
	for (SaUint32T i = 0; i < d.csiAttr.number && n < sizeof(line); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s=%s", (const char *)d.csiAttr.attr[i].attrName,
				      (const char *)d.csiAttr.attr[i].attrValue);
	log_line("%s", line);
	saAmfResponse(handle, inv, csi_error ? SA_AIS_ERR_FAILED_OPERATION : SA_AIS_OK);
	if (ha == SA_AMF_HA_QUIESCING && !csi_error)
		saAmfCSIQuiescingComplete(handle, inv, SA_AIS_OK);
}

static void on_csi_remove(SaInvocationT inv, const SaNameT *comp, const SaNameT *csi, SaAmfCSIFlagsT flags)
{
	(void)comp;
	log_line("csi-remove %.*s flags=%u", csi->length, (const char *)csi->value, (unsigned)flags);
	saAmfResponse(handle, inv, SA_AIS_OK);
}

static void on_pg(const SaNameT *csi, SaAmfProtectionGroupNotificationBufferT *buf, SaUint32T members,
		  SaAisErrorT error)
{
	char line[4096];
	size_t n;

	n = (size_t)snprintf(line, sizeof(line), "pg %.*s err=%d n=%u", csi->length, (const char *)csi->value,
			     (int)error, (unsigned)members);
	for (SaUint32T i = 0; i < buf->numberOfItems && n < sizeof(line); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %d/%d", (int)buf->notification[i].member.haState,
				      (int)buf->notification[i].change);
	log_line("%s", line);
}

static void name_set(SaNameT *n, const char *s)
{
	memset(n, 0, sizeof(*n));
	n->length = (SaUint16T)strlen(s);
	memcpy(n->value, s, n->length);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int admin(uint32_t op, const char *dn)
{
	const char *inst = getenv("AIS_INSTANCE");
	struct ais_amf_req_admin req;
	struct ais_amf_res_plain res;
	qb_ipcc_connection_t *c;
	char name[256];
	ssize_t n;

	snprintf(name, sizeof(name), inst && *inst ? "ais-%s-amf" : "ais-amf", inst);
	c = qb_ipcc_connect(name, 1024 * 1024 + 64 * 1024);
	if (!c) {
		fprintf(stderr, "cannot connect to %s\n", name);
		return 2;
	}
	memset(&req, 0, sizeof(req));
	req.header.id = AIS_AMF_REQ_ADMIN;
	req.header.size = sizeof(req);
	req.op = op;
	req.dn.length = (uint16_t)strlen(dn);
	memcpy(req.dn.value, dn, req.dn.length);
	n = qb_ipcc_send(c, &req, sizeof(req));
	if (n == (ssize_t)sizeof(req))
		n = qb_ipcc_recv(c, &res, sizeof(res), 5000);
	qb_ipcc_disconnect(c);
	if (n < (ssize_t)sizeof(res.header)) {
		fprintf(stderr, "no answer\n");
		return 2;
	}
	printf("%d\n", (int)res.header.error);
	return 0;
}

static qb_ipcc_connection_t *raw_connect(void)
{
	const char *inst = getenv("AIS_INSTANCE");
	char name[256];

	snprintf(name, sizeof(name), inst && *inst ? "ais-%s-amf" : "ais-amf", inst);
	return qb_ipcc_connect(name, 1024 * 1024 + 64 * 1024);
}

static int bad;

/* send len bytes of req with id, expect the answer error want */
static void expect(qb_ipcc_connection_t *c, void *req, size_t len, int32_t id, int32_t want, const char *what)
{
	struct qb_ipc_request_header *h = req;
	char buf[65536];
	struct qb_ipc_response_header res;
	ssize_t n;

	h->id = id;
	h->size = (int32_t)len;
	n = qb_ipcc_send(c, req, len);
	if (n == (ssize_t)len)
		n = qb_ipcc_recv(c, buf, sizeof(buf), 5000);
	if (n < (ssize_t)sizeof(res)) {
		printf("bad: %s: no answer (%zd)\n", what, n);
		bad++;
		return;
	}
	memcpy(&res, buf, sizeof(res));
	if (res.error != want || res.id != id) {
		printf("bad: %s: answer %d (id %d), expected %d\n", what, res.error, res.id, want);
		bad++;
	}
}

static void raw_name(struct ais_amf_name *n, const char *s)
{
	memset(n, 0, sizeof(*n));
	n->length = (uint16_t)strlen(s);
	memcpy(n->value, s, n->length);
}

static int hostile(const char *comp, const char *csi)
{
	qb_ipcc_connection_t *c = raw_connect();
	struct ais_amf_req_init init;
	struct ais_amf_req_comp rc;
	struct ais_amf_req_hc hc;
	struct ais_amf_req_response resp;
	struct ais_amf_req_error er;
	struct ais_amf_req_pg_track pt;
	struct ais_amf_req_pm pm;
	struct ais_amf_req_ha_state_get hs;
	struct ais_amf_req_correlation_get cg;
	char big[4096];

	if (!c) {
		printf("bad: cannot connect\n");
		return 1;
	}
	memset(&rc, 0, sizeof(rc));
	raw_name(&rc.comp, comp);
	expect(c, &rc, sizeof(rc), AIS_AMF_REQ_COMP_REGISTER, SA_AIS_ERR_BAD_HANDLE, "register before INIT");
	memset(&init, 0, sizeof(init));
	init.major = 9;
	expect(c, &init, sizeof(init), AIS_AMF_REQ_INIT, SA_AIS_ERR_VERSION, "INIT of version 9");
	init.major = 1;
	expect(c, &init, sizeof(init) - 8, AIS_AMF_REQ_INIT, SA_AIS_ERR_INVALID_PARAM, "short INIT");
	init.callbacks = 0x1f;
	expect(c, &init, sizeof(init), AIS_AMF_REQ_INIT, SA_AIS_OK, "INIT");
	expect(c, &init, sizeof(init), AIS_AMF_REQ_INIT, SA_AIS_ERR_BAD_OPERATION, "second INIT");
	memset(big, 0, sizeof(big));
	expect(c, big, sizeof(big), AIS_AMF_REQ_COMP_REGISTER, SA_AIS_ERR_INVALID_PARAM, "oversized register");
	rc.comp.length = 300;
	expect(c, &rc, sizeof(rc), AIS_AMF_REQ_COMP_REGISTER, SA_AIS_ERR_INVALID_PARAM, "name length 300");
	raw_name(&rc.comp, comp);
	rc.comp.value[3] = 0;
	expect(c, &rc, sizeof(rc), AIS_AMF_REQ_COMP_REGISTER, SA_AIS_ERR_INVALID_PARAM, "NUL in a name");
	raw_name(&rc.comp, "safComp=nosuch,safSu=u1,safSg=g1,safApp=a");
	expect(c, &rc, sizeof(rc), AIS_AMF_REQ_COMP_REGISTER, SA_AIS_ERR_INVALID_PARAM, "register unknown");
	raw_name(&rc.comp, comp);
	expect(c, &rc, sizeof(rc), AIS_AMF_REQ_COMP_REGISTER, SA_AIS_ERR_EXIST, "register a registered component");
	expect(c, &rc, sizeof(rc), AIS_AMF_REQ_COMP_UNREGISTER, SA_AIS_ERR_NOT_EXIST, "unregister someone else's");
	memset(&hc, 0, sizeof(hc));
	raw_name(&hc.comp, comp);
	hc.key.length = 99;
	hc.invocation_type = 1;
	hc.recovery = 2;
	expect(c, &hc, sizeof(hc), AIS_AMF_REQ_HC_START, SA_AIS_ERR_INVALID_PARAM, "key length 99");
	hc.key.length = 5;
	memcpy(hc.key.key, "nokey", 5);
	expect(c, &hc, sizeof(hc), AIS_AMF_REQ_HC_START, SA_AIS_ERR_NOT_EXIST, "unknown key");
	memcpy(hc.key.key, "alive", 5);
	expect(c, &hc, sizeof(hc), AIS_AMF_REQ_HC_START, SA_AIS_ERR_EXIST, "key started by the component");
	expect(c, &hc, sizeof(hc), AIS_AMF_REQ_HC_STOP, SA_AIS_ERR_NOT_EXIST, "stop someone else's healthcheck");
	hc.invocation_type = 7;
	expect(c, &hc, sizeof(hc), AIS_AMF_REQ_HC_START, SA_AIS_ERR_INVALID_PARAM, "invocation type 7");
	memset(&resp, 0, sizeof(resp));
	resp.error = SA_AIS_OK;
	for (uint64_t i = 0; i < 300; i++) {
		resp.invocation = i;
		expect(c, &resp, sizeof(resp), AIS_AMF_REQ_RESPONSE, SA_AIS_ERR_INVALID_PARAM, "guessed invocation");
		expect(c, &resp, sizeof(resp), AIS_AMF_REQ_QUIESCING_COMPLETE, SA_AIS_ERR_INVALID_PARAM,
		       "guessed quiescing invocation");
	}
	resp.error = 999;
	expect(c, &resp, sizeof(resp), AIS_AMF_REQ_RESPONSE, SA_AIS_ERR_INVALID_PARAM, "answer 999");
	memset(&cg, 0, sizeof(cg));
	cg.invocation = 1;
	expect(c, &cg, sizeof(cg), AIS_AMF_REQ_CORRELATION_GET, SA_AIS_ERR_INVALID_PARAM, "correlation of another's");
	memset(&er, 0, sizeof(er));
	raw_name(&er.comp, comp);
	er.recovery = 77;
	expect(c, &er, sizeof(er), AIS_AMF_REQ_ERROR_REPORT, SA_AIS_ERR_INVALID_PARAM, "recovery 77");
	raw_name(&er.comp, "safComp=nosuch,safSu=u1,safSg=g1,safApp=a");
	er.recovery = 2;
	expect(c, &er, sizeof(er), AIS_AMF_REQ_ERROR_REPORT, SA_AIS_ERR_NOT_EXIST, "report unknown");
	memset(&pt, 0, sizeof(pt));
	raw_name(&pt.csi, csi);
	pt.flags = 0x40;
	pt.current = 1;
	expect(c, &pt, sizeof(pt), AIS_AMF_REQ_PG_TRACK, SA_AIS_ERR_BAD_FLAGS, "track flags 0x40");
	pt.flags = 0;
	pt.current = 7;
	expect(c, &pt, sizeof(pt), AIS_AMF_REQ_PG_TRACK, SA_AIS_ERR_INVALID_PARAM, "current 7");
	raw_name(&pt.csi, "safCsi=nosuch,safSi=s1,safApp=a");
	pt.current = 1;
	expect(c, &pt, sizeof(pt), AIS_AMF_REQ_PG_TRACK, SA_AIS_ERR_NOT_EXIST, "track unknown CSI");
	raw_name(&pt.csi, csi);
	pt.max_items = 0;
	expect(c, &pt, sizeof(pt), AIS_AMF_REQ_PG_TRACK, SA_AIS_OK, "current members");
	memset(&pm, 0, sizeof(pm));
	raw_name(&pm.comp, comp);
	pm.pid = -5;
	pm.errors = 2;
	pm.recovery = 2;
	expect(c, &pm, sizeof(pm), AIS_AMF_REQ_PM_START, SA_AIS_ERR_INVALID_PARAM, "pid -5");
	pm.pid = 0x7ffffff0;
	expect(c, &pm, sizeof(pm), AIS_AMF_REQ_PM_START, SA_AIS_ERR_NOT_EXIST, "no such process");
	memset(&hs, 0, sizeof(hs));
	raw_name(&hs.comp, comp);
	raw_name(&hs.csi, "safCsi=nosuch,safSi=s1,safApp=a");
	expect(c, &hs, sizeof(hs), AIS_AMF_REQ_HA_STATE_GET, SA_AIS_ERR_NOT_EXIST, "HA state of an unknown CSI");
	qb_ipcc_disconnect(c);
	if (!bad)
		printf("ok\n");
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	SaAmfCallbacksT cb = { 0 };
	SaVersionT v = { 'B', 1, 1 };
	SaAmfHealthcheckKeyT key;
	SaSelectionObjectT sel;
	const char *confirm_key = NULL;
	uint64_t unregister_at = 0, next_confirm = 0;
	SaAisErrorT e;
	int tries = 0;

	if (argc == 4 && !strcmp(argv[1], "--hostile"))
		return hostile(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "--admin"))
		return admin((uint32_t)atoi(argv[2]), argv[3]);
	if (argc < 2) {
		fprintf(stderr, "usage: amfexeccomp LOG [options]\n");
		return 2;
	}
	out_log = fopen(argv[1], "a");
	if (!out_log)
		return 2;
	cb.saAmfHealthcheckCallback = on_hc;
	cb.saAmfComponentTerminateCallback = on_terminate;
	cb.saAmfCSISetCallback = on_csi_set;
	cb.saAmfCSIRemoveCallback = on_csi_remove;
	cb.saAmfProtectionGroupTrackCallback = on_pg;
	do {
		e = saAmfInitialize(&handle, &cb, &v);
		if (e == SA_AIS_ERR_TRY_AGAIN)
			usleep(100000);
	} while (e == SA_AIS_ERR_TRY_AGAIN && ++tries < 100);
	if (e != SA_AIS_OK) {
		log_line("initialize failed %d", (int)e);
		return 1;
	}
	e = saAmfComponentNameGet(handle, &self);
	if (e != SA_AIS_OK) {
		log_line("name-get failed %d", (int)e);
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--hc") && i + 1 < argc) {
			key.keyLen = (SaUint16T)strlen(argv[++i]);
			memcpy(key.key, argv[i], key.keyLen);
			e = saAmfHealthcheckStart(handle, &self, &key, SA_AMF_HEALTHCHECK_AMF_INVOKED,
						  SA_AMF_COMPONENT_RESTART);
			log_line("hc-start %s %d", argv[i], (int)e);
		} else if (!strcmp(argv[i], "--hc-confirm") && i + 1 < argc) {
			confirm_key = argv[++i];
			key.keyLen = (SaUint16T)strlen(confirm_key);
			memcpy(key.key, confirm_key, key.keyLen);
			e = saAmfHealthcheckStart(handle, &self, &key, SA_AMF_HEALTHCHECK_COMPONENT_INVOKED,
						  SA_AMF_COMPONENT_RESTART);
			log_line("hc-start %s %d", confirm_key, (int)e);
		} else if (!strcmp(argv[i], "--hc-silent")) {
			hc_silent = true;
		} else if (!strcmp(argv[i], "--csi-error")) {
			csi_error = true;
		} else if (!strcmp(argv[i], "--unregister-after") && i + 1 < argc) {
			unregister_at = now_ms() + (uint64_t)atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--pm")) {
			pid_t child = fork();

			if (child == 0) {
				execlp("sleep", "sleep", "600", (char *)NULL);
				_exit(127);
			}
			e = saAmfPmStart(handle, &self, (SaUint64T)child, 0, SA_AMF_PM_NON_ZERO_EXIT | SA_AMF_PM_ABNORMAL_END,
					 SA_AMF_COMPONENT_RESTART);
			log_line("pm-start %d %d", (int)child, (int)e);
		} else if (!strcmp(argv[i], "--track") && i + 1 < argc) {
			SaNameT csi;

			name_set(&csi, argv[++i]);
			e = saAmfProtectionGroupTrack(handle, &csi, SA_TRACK_CHANGES, NULL);
			log_line("track %s %d", argv[i], (int)e);
		}
	}
	e = saAmfComponentRegister(handle, &self, NULL);
	log_line("%d register %d", (int)getpid(), (int)e);
	if (e != SA_AIS_OK)
		return 1;
	saAmfSelectionObjectGet(handle, &sel);
	for (;;) {
		struct pollfd p = { .fd = (int)sel, .events = POLLIN };

		if (poll(&p, 1, 100) > 0 && saAmfDispatch(handle, SA_DISPATCH_ALL) != SA_AIS_OK)
			return 1;
		if (confirm_key && now_ms() >= next_confirm) {
			key.keyLen = (SaUint16T)strlen(confirm_key);
			memcpy(key.key, confirm_key, key.keyLen);
			saAmfHealthcheckConfirm(handle, &self, &key, SA_AIS_OK);
			next_confirm = now_ms() + 200;
		}
		if (unregister_at && now_ms() >= unregister_at) {
			unregister_at = 0;
			e = saAmfComponentUnregister(handle, &self, NULL);
			log_line("unregister %d", (int)e);
		}
	}
}
