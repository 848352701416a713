/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AMF tools against a fake amf engine (fake_engine.h: a forked libqb IPC
 * server speaking include/ais/ipc_amf.h): the real aistool binary's `amf
 * status` and `amf OP DN` (what it sends, what it prints, its exit status)
 * and the real amf_comp program, driven through a whole life by the fake
 * engine: register, healthcheck start, CSI set ACTIVE with attributes, an
 * AMF-invoked healthcheck, CSI set QUIESCING for all CSIs (answered, then
 * quiescing complete), CSI remove, terminate (answered, then it exits 0);
 * and with the refuse control file, a CSI set answered FAILED_OPERATION.
 * The component's log lines and pid file are checked.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <qb/qbipcs.h>
#include <saAmf.h>
#include <ais/ipc_amf.h>

#include "fake_engine.h"

#define COMP_DN "safComp=c1,safSu=su1,safSg=sg,safApp=app"
#define CSI_DN "safCsi=csi1,safSi=si1,safApp=app"
#define STATUS_TEXT "settled yes\nsu safSu=su1,safSg=sg,safApp=app node=safAmfNode=n1,safAmfCluster=test admin=UNLOCKED oper=ENABLED presence=INSTANTIATED readiness=IN_SERVICE\n"
#define STATUS_JSON "{\"settled\":true,\"nodes\":[]}"

/* ---- the fake engine (runs in the forked child) ----------------------------- */

static qb_ipcs_connection_t *srv_comp_conn;
static uint64_t srv_quiescing_inv;

static void srv_reply(qb_ipcs_connection_t *c, int32_t id, int32_t error, const void *body, size_t body_len)
{
	struct qb_ipc_response_header h = { .id = id, .size = (int32_t)(sizeof(h) + body_len), .error = error };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)(uintptr_t)body, body_len } };

	qb_ipcs_response_sendv(c, iov, body_len ? 2 : 1);
}

static void srv_name(struct ais_amf_name *n, const char *s)
{
	memset(n, 0, sizeof(*n));
	n->length = (uint16_t)strlen(s);
	memcpy(n->value, s, n->length);
}

static void srv_send(const void *buf, size_t len)
{
	if (!srv_comp_conn || qb_ipcs_event_send(srv_comp_conn, buf, len) != (ssize_t)len)
		_exit(4);
}

static void srv_csi_set(uint64_t inv, uint32_t ha, uint32_t flags)
{
	static const char attrs[] = "index\0" "1";
	uint8_t buf[sizeof(struct ais_amf_ev_csi_set) + sizeof(attrs)];
	struct ais_amf_ev_csi_set ev;
	size_t var = flags == SA_AMF_CSI_ADD_ONE ? sizeof(attrs) : 0;

	memset(&ev, 0, sizeof(ev));
	ev.header.id = AIS_AMF_EV_CSI_SET;
	ev.header.error = SA_AIS_OK;
	ev.header.size = (int32_t)(sizeof(ev) + var);
	ev.invocation = inv;
	srv_name(&ev.comp, COMP_DN);
	ev.ha_state = ha;
	ev.flags = flags;
	if (flags != SA_AMF_CSI_TARGET_ALL)
		srv_name(&ev.csi, CSI_DN);
	if (ha == SA_AMF_HA_ACTIVE)
		ev.transition = SA_AMF_CSI_NEW_ASSIGN;
	if (var) {
		ev.n_attrs = 1;
		ev.attrs_len = (uint32_t)var;
	}
	memcpy(buf, &ev, sizeof(ev));
	memcpy(buf + sizeof(ev), attrs, var);
	srv_send(buf, sizeof(ev) + var);
}

static void srv_healthcheck(uint64_t inv)
{
	struct ais_amf_ev_healthcheck ev;

	memset(&ev, 0, sizeof(ev));
	ev.header.id = AIS_AMF_EV_HEALTHCHECK;
	ev.header.size = sizeof(ev);
	ev.header.error = SA_AIS_OK;
	ev.invocation = inv;
	srv_name(&ev.comp, COMP_DN);
	ev.key.length = 5;
	memcpy(ev.key.key, "alive", 5);
	srv_send(&ev, sizeof(ev));
}

static void srv_csi_remove(uint64_t inv)
{
	struct ais_amf_ev_csi_remove ev;

	memset(&ev, 0, sizeof(ev));
	ev.header.id = AIS_AMF_EV_CSI_REMOVE;
	ev.header.size = sizeof(ev);
	ev.header.error = SA_AIS_OK;
	ev.invocation = inv;
	srv_name(&ev.comp, COMP_DN);
	srv_name(&ev.csi, CSI_DN);
	ev.flags = SA_AMF_CSI_TARGET_ONE;
	srv_send(&ev, sizeof(ev));
}

static void srv_terminate(uint64_t inv)
{
	struct ais_amf_ev_comp ev;

	memset(&ev, 0, sizeof(ev));
	ev.header.id = AIS_AMF_EV_COMP_TERMINATE;
	ev.header.size = sizeof(ev);
	ev.header.error = SA_AIS_OK;
	ev.invocation = inv;
	srv_name(&ev.comp, COMP_DN);
	srv_send(&ev, sizeof(ev));
}

static bool srv_name_is(const struct ais_amf_name *n, const char *s)
{
	return n->length == strlen(s) && memcmp(n->value, s, n->length) == 0;
}

/*
 * The life the fake engine drives: invocation 1 CSI set ACTIVE (a refusal
 * goes straight to terminate), 2 healthcheck, 3 CSI set QUIESCING (then
 * QUIESCING_COMPLETE), 4 CSI remove, 5 terminate.
 */
static int32_t srv_msg(qb_ipcs_connection_t *c, void *data, size_t size)
{
	struct qb_ipc_request_header hdr;

	if (size < sizeof(hdr))
		return 0;
	memcpy(&hdr, data, sizeof(hdr));
	switch (hdr.id) {
	case AIS_AMF_REQ_INIT:
	case AIS_AMF_REQ_HC_START:
		srv_reply(c, hdr.id, SA_AIS_OK, NULL, 0);
		return 0;
	case AIS_AMF_REQ_COMP_REGISTER: {
		struct ais_amf_req_comp r;

		memcpy(&r, data, sizeof(r));
		srv_reply(c, hdr.id, srv_name_is(&r.comp, COMP_DN) ? SA_AIS_OK : SA_AIS_ERR_INVALID_PARAM, NULL, 0);
		srv_comp_conn = c;
		srv_csi_set(1, SA_AMF_HA_ACTIVE, SA_AMF_CSI_ADD_ONE);
		return 0;
	}
	case AIS_AMF_REQ_RESPONSE: {
		struct ais_amf_req_response r;

		memcpy(&r, data, sizeof(r));
		srv_reply(c, hdr.id, SA_AIS_OK, NULL, 0);
		if (r.invocation == 1 && r.error != SA_AIS_OK)
			srv_terminate(5);
		else if (r.invocation == 1)
			srv_healthcheck(2);
		else if (r.invocation == 2)
			srv_csi_set(3, SA_AMF_HA_QUIESCING, SA_AMF_CSI_TARGET_ALL);
		else if (r.invocation == 3)
			srv_quiescing_inv = 3;
		else if (r.invocation == 4)
			srv_terminate(5);
		return 0;
	}
	case AIS_AMF_REQ_QUIESCING_COMPLETE: {
		struct ais_amf_req_response r;

		memcpy(&r, data, sizeof(r));
		srv_reply(c, hdr.id, r.invocation == srv_quiescing_inv ? SA_AIS_OK : SA_AIS_ERR_INVALID_PARAM, NULL, 0);
		if (r.invocation == srv_quiescing_inv)
			srv_csi_remove(4);
		return 0;
	}
	case AIS_AMF_REQ_STATUS: {
		struct ais_amf_req_status r;
		struct ais_amf_res_status res;
		const char *text;
		struct iovec iov[2];

		if (size != sizeof(r)) {
			srv_reply(c, hdr.id, SA_AIS_ERR_INVALID_PARAM, NULL, 0);
			return 0;
		}
		memcpy(&r, data, sizeof(r));
		text = r.format == AIS_AMF_STATUS_JSON ? STATUS_JSON : STATUS_TEXT;
		memset(&res, 0, sizeof(res));
		res.len = (uint32_t)strlen(text) + 1;
		res.header.id = hdr.id;
		res.header.size = (int32_t)(sizeof(res) + res.len);
		res.header.error = SA_AIS_OK;
		iov[0].iov_base = &res;
		iov[0].iov_len = sizeof(res);
		iov[1].iov_base = (void *)(uintptr_t)text;
		iov[1].iov_len = res.len;
		qb_ipcs_response_sendv(c, iov, 2);
		return 0;
	}
	case AIS_AMF_REQ_ADMIN: {
		struct ais_amf_req_admin r;
		int32_t err = SA_AIS_ERR_BAD_OPERATION;

		if (size != sizeof(r)) {
			srv_reply(c, hdr.id, SA_AIS_ERR_INVALID_PARAM, NULL, 0);
			return 0;
		}
		memcpy(&r, data, sizeof(r));
		if (srv_name_is(&r.dn, "safSu=gone,safSg=sg,safApp=app"))
			err = SA_AIS_ERR_NOT_EXIST;
		else if (r.op == AIS_AMF_ADMIN_UNLOCK && srv_name_is(&r.dn, "safSu=su1,safSg=sg,safApp=app"))
			err = SA_AIS_ERR_NO_OP;
		else if (r.op == AIS_AMF_ADMIN_LOCK && srv_name_is(&r.dn, "safSu=su1,safSg=sg,safApp=app"))
			err = SA_AIS_OK;
		else if (r.op == AIS_AMF_ADMIN_SI_SWAP && srv_name_is(&r.dn, "safSi=si1,safApp=app"))
			err = SA_AIS_OK;
		else if (r.op == AIS_AMF_ADMIN_LOCK_INSTANTIATION && srv_name_is(&r.dn, "safSu=su2,safSg=sg,safApp=app"))
			err = SA_AIS_OK;
		srv_reply(c, hdr.id, err, NULL, 0);
		return 0;
	}
	default:
		srv_reply(c, hdr.id, SA_AIS_ERR_LIBRARY, NULL, 0);
		return 0;
	}
}

static void srv_destroyed(qb_ipcs_connection_t *c)
{
	if (c == srv_comp_conn)
		srv_comp_conn = NULL;
}

static void server_start(void)
{
	static const struct qb_ipcs_service_handlers handlers = {
		.msg_process = srv_msg,
		.connection_destroyed = srv_destroyed,
	};

	fake_engine_start("amf", "tt", &handlers);
}

/* ---- running the programs ------------------------------------------------------ */

static char tmpdir[] = "/tmp/check_amf_tools.XXXXXX";

/** Run argv with stdout and stderr into files; wait (up to 30 s); the exit status, or -1. */
static int run(char *const argv[], const char *out, const char *err)
{
	pid_t pid = fork();
	int st;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644), fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	for (int i = 0; i < 3000; i++) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

/** Remove the files this test writes in tmpdir, then tmpdir. */
static void tmpdir_remove(void)
{
	static const char *const files[] = { "out", "err", "comp.log", "ctl/c1.pid", "ctl/c1.refuse", "ctl" };
	char path[600];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		if (unlink(path) < 0 && errno == EISDIR)
			rmdir(path);
		else if (errno == EISDIR || errno == EPERM)
			rmdir(path);
	}
	rmdir(tmpdir);
}

static char *slurp(const char *path)
{
	static char buf[16384];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static int aistool(const char *a1, const char *a2, const char *a3, char **ret_out, char **ret_err)
{
	static char out_copy[16384];
	char out[512], err[512];
	char *argv[] = { (char *)AISTOOL_PATH, (char *)a1, (char *)a2, (char *)a3, NULL };
	int rc;

	snprintf(out, sizeof(out), "%s/out", tmpdir);
	snprintf(err, sizeof(err), "%s/err", tmpdir);
	rc = run(argv, out, err);
	snprintf(out_copy, sizeof(out_copy), "%s", slurp(out));
	*ret_out = out_copy;
	*ret_err = slurp(err);
	return rc;
}

START_TEST(test_aistool_amf)
{
	char *out, *err;

	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	server_start();
	ck_assert_int_eq(aistool("amf", "status", NULL, &out, &err), 0);
	ck_assert_str_eq(out, STATUS_TEXT);
	ck_assert_int_eq(aistool("amf", "status", "--json", &out, &err), 0);
	ck_assert_str_eq(out, STATUS_JSON "\n");

	ck_assert_int_eq(aistool("amf", "lock", "safSu=su1,safSg=sg,safApp=app", &out, &err), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(aistool("amf", "si-swap", "safSi=si1,safApp=app", &out, &err), 0);
	ck_assert_int_eq(aistool("amf", "lock-instantiation", "safSu=su2,safSg=sg,safApp=app", &out, &err), 0);
	ck_assert_int_eq(aistool("amf", "unlock", "safSu=su1,safSg=sg,safApp=app", &out, &err), 1);
	ck_assert_ptr_nonnull(strstr(err, "SA_AIS_ERR_NO_OP"));
	ck_assert_int_eq(aistool("amf", "lock", "safSu=gone,safSg=sg,safApp=app", &out, &err), 1);
	ck_assert_ptr_nonnull(strstr(err, "SA_AIS_ERR_NOT_EXIST"));
	ck_assert_int_eq(aistool("amf", "shutdown", "safSu=su1,safSg=sg,safApp=app", &out, &err), 1);
	ck_assert_ptr_nonnull(strstr(err, "SA_AIS_ERR_BAD_OPERATION"));

	/* usage errors never reach the engine */
	ck_assert_int_eq(aistool("amf", "lock", NULL, &out, &err), 2);
	ck_assert_int_eq(aistool("amf", "frob", "x", &out, &err), 2);
	ck_assert_int_eq(aistool("amf", NULL, NULL, &out, &err), 2);
	fake_engine_stop();

	/* no engine: exit 1 with a reason */
	ck_assert_int_eq(aistool("amf", "status", NULL, &out, &err), 1);
	ck_assert_ptr_nonnull(strstr(err, "cannot connect to the amf service"));
	tmpdir_remove();
}
END_TEST

/* Run amf_comp under the fake engine; returns its exit status and the log. */
static int run_comp(bool refuse, char **ret_log)
{
	char log[512], out[512], err[512], ctl[512], path[600];
	char *argv[] = { (char *)AMF_COMP_PATH, NULL };
	int rc;

	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(log, sizeof(log), "%s/comp.log", tmpdir);
	snprintf(out, sizeof(out), "%s/out", tmpdir);
	snprintf(err, sizeof(err), "%s/err", tmpdir);
	snprintf(ctl, sizeof(ctl), "%s/ctl", tmpdir);
	ck_assert_int_eq(mkdir(ctl, 0755), 0);
	if (refuse) {
		snprintf(path, sizeof(path), "%s/c1.refuse", ctl);
		ck_assert_int_ge(creat(path, 0644), 0);
	}
	setenv("SA_AMF_COMPONENT_NAME", COMP_DN, 1);
	setenv("AMF_COMP_LOG", log, 1);
	setenv("AMF_COMP_CTL", ctl, 1);
	setenv("AMF_COMP_HC_KEY", "alive", 1);
	server_start();
	rc = run(argv, out, err);
	fake_engine_stop();
	snprintf(path, sizeof(path), "%s/c1.pid", ctl);
	ck_assert_int_eq(access(path, F_OK), 0);
	*ret_log = slurp(log);
	tmpdir_remove();
	return rc;
}

/* The lines of log without their timestamps must be exactly want. */
static void expect_log(const char *log, const char *want)
{
	static char got[16384];
	size_t n = 0;

	for (const char *p = log; *p;) {
		const char *sp = strchr(p, ' '), *nl = strchr(p, '\n');

		if (!nl)
			break;
		if (sp && sp < nl) {
			memcpy(got + n, sp + 1, (size_t)(nl - sp));
			n += (size_t)(nl - sp);
		}
		p = nl + 1;
	}
	got[n] = '\0';
	/* the start line carries the pid: compare up to it and after it */
	ck_assert_msg(strncmp(got, COMP_DN " start ", strlen(COMP_DN " start ")) == 0, "log: %s", got);
	ck_assert_str_eq(strchr(got, '\n') + 1, want);
}

START_TEST(test_comp_life)
{
	char *log;

	ck_assert_int_eq(run_comp(false, &log), 0);
	expect_log(log, COMP_DN " registered\n"
	                COMP_DN " hc-start alive amf 1\n"
	                COMP_DN " csi-set " CSI_DN " ACTIVE new-assign\n"
	                COMP_DN " healthcheck alive\n"
	                COMP_DN " csi-set all QUIESCING -\n"
	                COMP_DN " quiescing-complete all 1\n"
	                COMP_DN " csi-remove " CSI_DN "\n"
	                COMP_DN " terminate\n"
	                COMP_DN " exit 0\n");
}
END_TEST

START_TEST(test_comp_refuse)
{
	char *log;

	ck_assert_int_eq(run_comp(true, &log), 0);
	expect_log(log, COMP_DN " registered\n"
	                COMP_DN " hc-start alive amf 1\n"
	                COMP_DN " csi-set " CSI_DN " ACTIVE new-assign\n"
	                COMP_DN " refuse " CSI_DN "\n"
	                COMP_DN " terminate\n"
	                COMP_DN " exit 0\n");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("amf_tools");
	TCase *tc = tcase_create("tools");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_aistool_amf);
	tcase_add_test(tc, test_comp_life);
	tcase_add_test(tc, test_comp_refuse);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
