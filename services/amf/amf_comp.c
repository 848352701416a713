/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * amf_comp: a small SA-aware AMF component for tests, the demo and as an
 * example of the public API (<saAmf.h>, -lSaAmf only). AMF starts it
 * through its instantiate command (amf-comp-clc instantiate PATH), with
 * SA_AMF_COMPONENT_NAME set; it registers under that name and answers
 * every callback:
 *
 *   CSI set        OK (FAILED_OPERATION when CTL/<id>.refuse exists); after a
 *                  QUIESCING assignment it also reports quiescing complete
 *   CSI remove     OK
 *   terminate      OK, then exits 0
 *   healthcheck    OK, unless CTL/<id>.hang exists (then no answer at all)
 *
 * and it appends one line per event to $AMF_COMP_LOG (one write(2) per line
 * on an O_APPEND descriptor, so several components may share the file):
 *
 *   <ms since the epoch> <COMP_DN> <event> [args]
 *
 * with events start, registered, csi-set <CSI_DN|all> <HA> <TRANSITION>,
 * csi-remove <CSI_DN|all>, terminate, healthcheck <KEY> [unanswered],
 * hc-start <KEY> <amf|component> <SaAisErrorT>, error-report <RECOVERY>
 * <SaAisErrorT>, quiescing-complete <CSI_DN|all> <SaAisErrorT>, refuse
 * <CSI_DN|all> (a refused CSI set; its csi-set line comes first), signal
 * <NAME>, exit <STATUS>; failures of calls as <what>-failed <SaAisErrorT>.
 * HA is ACTIVE, STANDBY, QUIESCED or QUIESCING; TRANSITION is new-assign,
 * quiesced, not-quiesced or still-active for ACTIVE, "-" otherwise.
 *
 * Test controls: <id> is $AMF_COMP_ID when set, else the value of the
 * component's safComp RDN; CTL is $AMF_COMP_CTL (default: the current
 * directory). The pid goes to CTL/<id>.pid. SIGUSR1: saAmfComponentErrorReport
 * on itself, recommending the recovery named in CTL/<id>.recovery, else
 * $AMF_COMP_ERROR_RECOVERY, else component_restart. SIGUSR2: exit(1).
 * SIGTERM: exit 0. $AMF_COMP_HC_KEY: start that healthcheck after
 * registering, AMF-invoked, or component-invoked when $AMF_COMP_HC_INVOKED
 * is "component" (then it confirms every $AMF_COMP_HC_PERIOD ms, default
 * 500, unless the hang file exists); recovery $AMF_COMP_HC_RECOVERY
 * (default component_restart).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <saAmf.h>

#define COMP_RETRY_MS 100
#define COMP_RETRY_MAX 300 /* TRY_AGAIN answers retried: 30 s */

static SaAmfHandleT comp_handle;
static SaNameT comp_name;
static char comp_dn[SA_MAX_NAME_LENGTH + 1];
static char comp_id[SA_MAX_NAME_LENGTH + 1];
static const char *ctl_dir = ".";
static int log_fd = -1;
static volatile sig_atomic_t got_usr1, got_usr2, got_term;

static void comp_usage(FILE *f)
{
	fprintf(f,
	        "usage: amf_comp [-h|--help|--version]\n"
	        "An SA-aware AMF component: AMF starts it (amf-comp-clc instantiate PATH)\n"
	        "with SA_AMF_COMPONENT_NAME set; it registers and answers every callback.\n"
	        "Environment (pass it with saAmfCompCmdEnv):\n"
	        "  AMF_COMP_LOG            append one line per callback to this file\n"
	        "  AMF_COMP_CTL            control directory (default .): <id>.pid is\n"
	        "                          written; <id>.hang stops healthcheck answers;\n"
	        "                          <id>.refuse refuses CSI sets; <id>.recovery\n"
	        "                          names the recovery SIGUSR1 reports\n"
	        "  AMF_COMP_ID             <id> (default: the safComp RDN's value)\n"
	        "  AMF_COMP_ERROR_RECOVERY recovery of the SIGUSR1 error report\n"
	        "                          (default component_restart)\n"
	        "  AMF_COMP_HC_KEY         start this healthcheck after registering\n"
	        "  AMF_COMP_HC_INVOKED     amf (default) or component\n"
	        "  AMF_COMP_HC_PERIOD      ms between confirmations (component; 500)\n"
	        "  AMF_COMP_HC_RECOVERY    the healthcheck's recovery (component_restart)\n"
	        "Recoveries: no_recommendation component_restart component_failover\n"
	        "node_switchover node_failover node_failfast.\n"
	        "Signals: SIGUSR1 error report, SIGUSR2 exit(1), SIGTERM exit(0).\n");
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/** One log line, written with one write(2). */
static void comp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void comp_log(const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n, m;

	if (log_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%" PRIu64 " %s ", now_ms(), comp_dn[0] ? comp_dn : "-");
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(log_fd, line, (size_t)n) < 0) {
		/* nothing to do: the test sees the missing line */
	}
}

/** A control file CTL/<id>.<suffix> exists. */
static bool ctl_exists(const char *suffix)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.%s", ctl_dir, comp_id, suffix);
	return access(path, F_OK) == 0;
}

static const char *ha_name(SaAmfHAStateT ha)
{
	switch (ha) {
	case SA_AMF_HA_ACTIVE:
		return "ACTIVE";
	case SA_AMF_HA_STANDBY:
		return "STANDBY";
	case SA_AMF_HA_QUIESCED:
		return "QUIESCED";
	case SA_AMF_HA_QUIESCING:
		return "QUIESCING";
	}
	return "UNKNOWN";
}

static const char *transition_name(SaAmfCSITransitionDescriptorT t)
{
	switch (t) {
	case SA_AMF_CSI_NEW_ASSIGN:
		return "new-assign";
	case SA_AMF_CSI_QUIESCED:
		return "quiesced";
	case SA_AMF_CSI_NOT_QUIESCED:
		return "not-quiesced";
	case SA_AMF_CSI_STILL_ACTIVE:
		return "still-active";
	}
	return "unknown";
}

static const struct {
	const char *name;
	SaAmfRecommendedRecoveryT value;
} recoveries[] = {
	{ "no_recommendation", SA_AMF_NO_RECOMMENDATION },
	{ "component_restart", SA_AMF_COMPONENT_RESTART },
	{ "component_failover", SA_AMF_COMPONENT_FAILOVER },
	{ "node_switchover", SA_AMF_NODE_SWITCHOVER },
	{ "node_failover", SA_AMF_NODE_FAILOVER },
	{ "node_failfast", SA_AMF_NODE_FAILFAST },
};

/** The recovery named s (leading/trailing blanks ignored); false when unknown. */
static bool recovery_parse(const char *s, SaAmfRecommendedRecoveryT *ret, const char **ret_name)
{
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strcspn(s, " \t\r\n");
	for (size_t i = 0; i < sizeof(recoveries) / sizeof(recoveries[0]); i++) {
		if (strlen(recoveries[i].name) == len && strncmp(s, recoveries[i].name, len) == 0) {
			*ret = recoveries[i].value;
			*ret_name = recoveries[i].name;
			return true;
		}
	}
	return false;
}

/** The recovery of the SIGUSR1 error report: the .recovery file, the env, the default. */
static void error_recovery(SaAmfRecommendedRecoveryT *ret, const char **ret_name)
{
	char path[4096], buf[64];
	const char *env;
	ssize_t n;
	int fd;

	*ret = SA_AMF_COMPONENT_RESTART;
	*ret_name = "component_restart";
	snprintf(path, sizeof(path), "%s/%s.recovery", ctl_dir, comp_id);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			if (recovery_parse(buf, ret, ret_name))
				return;
		}
	}
	env = getenv("AMF_COMP_ERROR_RECOVERY");
	if (env && *env)
		recovery_parse(env, ret, ret_name);
}

static void name_str(char *dst, size_t dst_len, const SaNameT *n)
{
	size_t len = n->length <= SA_MAX_NAME_LENGTH ? n->length : SA_MAX_NAME_LENGTH;

	if (len >= dst_len)
		len = dst_len - 1;
	memcpy(dst, n->value, len);
	dst[len] = '\0';
}

/** Answer a callback; TRY_AGAIN is retried. */
static void respond(SaInvocationT inv, SaAisErrorT err)
{
	SaAisErrorT e = SA_AIS_OK;

	for (int i = 0; i < COMP_RETRY_MAX; i++) {
		e = saAmfResponse(comp_handle, inv, err);
		if (e != SA_AIS_ERR_TRY_AGAIN)
			break;
		usleep(COMP_RETRY_MS * 1000);
	}
	if (e != SA_AIS_OK)
		comp_log("response-failed %d", (int)e);
}

static void comp_exit(int status)
{
	comp_log("exit %d", status);
	exit(status);
}

/* --- callbacks ------------------------------------------------------------------ */

static void cb_healthcheck(SaInvocationT inv, const SaNameT *name, SaAmfHealthcheckKeyT *key)
{
	char k[SA_AMF_HEALTHCHECK_KEY_MAX + 1];
	size_t len = key->keyLen <= SA_AMF_HEALTHCHECK_KEY_MAX ? key->keyLen : SA_AMF_HEALTHCHECK_KEY_MAX;

	(void)name;
	memcpy(k, key->key, len);
	k[len] = '\0';
	if (ctl_exists("hang")) {
		comp_log("healthcheck %s unanswered", k);
		return;
	}
	comp_log("healthcheck %s", k);
	respond(inv, SA_AIS_OK);
}

static void cb_terminate(SaInvocationT inv, const SaNameT *name)
{
	(void)name;
	comp_log("terminate");
	respond(inv, SA_AIS_OK);
	saAmfFinalize(comp_handle);
	comp_exit(0);
}

static void cb_csi_set(SaInvocationT inv, const SaNameT *name, SaAmfHAStateT ha, SaAmfCSIDescriptorT d)
{
	char csi[SA_MAX_NAME_LENGTH + 1];
	const char *trans = "-";

	(void)name;
	if (d.csiFlags & SA_AMF_CSI_TARGET_ALL)
		snprintf(csi, sizeof(csi), "all");
	else
		name_str(csi, sizeof(csi), &d.csiName);
	if (ha == SA_AMF_HA_ACTIVE)
		trans = transition_name(d.csiStateDescriptor.activeDescriptor.transitionDescriptor);
	comp_log("csi-set %s %s %s", csi, ha_name(ha), trans);
	if (ctl_exists("refuse")) {
		comp_log("refuse %s", csi);
		respond(inv, SA_AIS_ERR_FAILED_OPERATION);
		return;
	}
	respond(inv, SA_AIS_OK);
	if (ha == SA_AMF_HA_QUIESCING) {
		SaAisErrorT e = saAmfCSIQuiescingComplete(comp_handle, inv, SA_AIS_OK);

		comp_log("quiescing-complete %s %d", csi, (int)e);
	}
}

static void cb_csi_remove(SaInvocationT inv, const SaNameT *name, const SaNameT *csi_name, SaAmfCSIFlagsT flags)
{
	char csi[SA_MAX_NAME_LENGTH + 1];

	(void)name;
	if (flags & SA_AMF_CSI_TARGET_ALL)
		snprintf(csi, sizeof(csi), "all");
	else
		name_str(csi, sizeof(csi), csi_name);
	comp_log("csi-remove %s", csi);
	respond(inv, SA_AIS_OK);
}

/* --- set-up ------------------------------------------------------------------------ */

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else if (sig == SIGUSR2)
		got_usr2 = 1;
	else
		got_term = 1;
}

static void write_pid_file(void)
{
	char path[4096], tmp[4200], buf[32];
	int fd, n;

	snprintf(path, sizeof(path), "%s/%s.pid", ctl_dir, comp_id);
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "amf_comp: %s: %s\n", tmp, strerror(errno));
		return;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n || close(fd) < 0 || rename(tmp, path) < 0) {
		fprintf(stderr, "amf_comp: %s: %s\n", path, strerror(errno));
		unlink(tmp);
	}
}

/** e = call, repeated while it answers TRY_AGAIN (for up to 30 s). */
#define RETRY(e, call)                                                              \
	do {                                                                        \
		int i_ = 0;                                                         \
		while (((e) = (call)) == SA_AIS_ERR_TRY_AGAIN && ++i_ < COMP_RETRY_MAX) \
			usleep(COMP_RETRY_MS * 1000);                               \
	} while (0)

int main(int argc, char **argv)
{
	SaAmfCallbacksT cb = {
		.saAmfHealthcheckCallback = cb_healthcheck,
		.saAmfComponentTerminateCallback = cb_terminate,
		.saAmfCSISetCallback = cb_csi_set,
		.saAmfCSIRemoveCallback = cb_csi_remove,
	};
	SaVersionT version = { 'B', 1, 1 };
	SaAmfHealthcheckKeyT hc_key;
	SaSelectionObjectT sel;
	bool hc_component = false;
	unsigned hc_period = 500;
	const char *env, *log_path, *rname;
	struct sigaction sa;
	sigset_t block, empty;
	uint64_t next_confirm = 0;
	SaAisErrorT e;

	if (argc > 1) {
		if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
			comp_usage(stdout);
			return 0;
		}
		if (strcmp(argv[1], "--version") == 0) {
			printf("amf_comp (" PACKAGE_NAME ") " PACKAGE_VERSION "\n");
			return 0;
		}
		comp_usage(stderr);
		return 2;
	}
	env = getenv("AMF_COMP_CTL");
	if (env && *env)
		ctl_dir = env;
	log_path = getenv("AMF_COMP_LOG");
	if (log_path && *log_path) {
		log_fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (log_fd < 0)
			fprintf(stderr, "amf_comp: %s: %s\n", log_path, strerror(errno));
	}

	/* The signals are taken only inside ppoll(), never in the middle of a callback. */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigemptyset(&empty);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	RETRY(e, saAmfInitialize(&comp_handle, &cb, &version));
	if (e != SA_AIS_OK) {
		fprintf(stderr, "amf_comp: saAmfInitialize: %d\n", (int)e);
		return 1;
	}
	e = saAmfComponentNameGet(comp_handle, &comp_name);
	if (e != SA_AIS_OK) {
		fprintf(stderr, "amf_comp: saAmfComponentNameGet: %d (not started by AMF?)\n", (int)e);
		return 1;
	}
	name_str(comp_dn, sizeof(comp_dn), &comp_name);
	env = getenv("AMF_COMP_ID");
	if (env && *env) {
		snprintf(comp_id, sizeof(comp_id), "%s", env);
	} else {
		const char *v = strncmp(comp_dn, "safComp=", 8) == 0 ? comp_dn + 8 : comp_dn;

		snprintf(comp_id, sizeof(comp_id), "%.*s", (int)strcspn(v, ","), v);
	}
	write_pid_file();
	comp_log("start %ld", (long)getpid());

	RETRY(e, saAmfComponentRegister(comp_handle, &comp_name, NULL));
	if (e != SA_AIS_OK) {
		comp_log("register-failed %d", (int)e);
		return 1;
	}
	comp_log("registered");

	env = getenv("AMF_COMP_HC_KEY");
	if (env && *env) {
		SaAmfRecommendedRecoveryT rec = SA_AMF_COMPONENT_RESTART;
		const char *inv = getenv("AMF_COMP_HC_INVOKED"), *rs = getenv("AMF_COMP_HC_RECOVERY");

		memset(&hc_key, 0, sizeof(hc_key));
		hc_key.keyLen = (SaUint16T)strnlen(env, SA_AMF_HEALTHCHECK_KEY_MAX);
		memcpy(hc_key.key, env, hc_key.keyLen);
		hc_component = inv && strcmp(inv, "component") == 0;
		if (rs && *rs && !recovery_parse(rs, &rec, &rname))
			fprintf(stderr, "amf_comp: unknown recovery '%s'\n", rs);
		env = getenv("AMF_COMP_HC_PERIOD");
		if (env && atoi(env) > 0)
			hc_period = (unsigned)atoi(env);
		RETRY(e, saAmfHealthcheckStart(comp_handle, &comp_name, &hc_key,
		                               hc_component ? SA_AMF_HEALTHCHECK_COMPONENT_INVOKED :
		                                              SA_AMF_HEALTHCHECK_AMF_INVOKED,
		                               rec));
		comp_log("hc-start %.*s %s %d", (int)hc_key.keyLen, (const char *)hc_key.key,
		         hc_component ? "component" : "amf", (int)e);
		if (e != SA_AIS_OK)
			hc_component = false;
		next_confirm = now_ms() + hc_period;
	}

	e = saAmfSelectionObjectGet(comp_handle, &sel);
	if (e != SA_AIS_OK) {
		comp_log("selection-object-failed %d", (int)e);
		return 1;
	}
	for (;;) {
		struct pollfd pfd = { .fd = (int)sel, .events = POLLIN };
		struct timespec ts, *tsp = NULL;
		int r;

		if (hc_component) {
			uint64_t now = now_ms(), wait = next_confirm > now ? next_confirm - now : 0;

			ts.tv_sec = (time_t)(wait / 1000);
			ts.tv_nsec = (long)(wait % 1000) * 1000000L;
			tsp = &ts;
		}
		r = ppoll(&pfd, 1, tsp, &empty);
		if (r < 0 && errno != EINTR) {
			comp_log("poll-failed %d", errno);
			comp_exit(1);
		}
		if (got_term) {
			comp_log("signal SIGTERM");
			comp_exit(0);
		}
		if (got_usr2) {
			comp_log("signal SIGUSR2");
			comp_exit(1);
		}
		if (got_usr1) {
			SaAmfRecommendedRecoveryT rec;

			got_usr1 = 0;
			error_recovery(&rec, &rname);
			RETRY(e, saAmfComponentErrorReport(comp_handle, &comp_name, 0, rec, 0));
			comp_log("error-report %s %d", rname, (int)e);
		}
		if (hc_component && now_ms() >= next_confirm) {
			next_confirm = now_ms() + hc_period;
			if (!ctl_exists("hang")) {
				e = saAmfHealthcheckConfirm(comp_handle, &comp_name, &hc_key, SA_AIS_OK);
				if (e != SA_AIS_OK)
					comp_log("hc-confirm-failed %.*s %d", (int)hc_key.keyLen, (const char *)hc_key.key, (int)e);
			}
		}
		if (r > 0) {
			e = saAmfDispatch(comp_handle, SA_DISPATCH_ALL);
			if (e != SA_AIS_OK && e != SA_AIS_ERR_TRY_AGAIN) {
				comp_log("dispatch-failed %d", (int)e);
				comp_exit(1);
			}
		}
	}
}
