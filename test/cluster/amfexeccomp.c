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
 * and prints the SaAisErrorT of the answer.
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
