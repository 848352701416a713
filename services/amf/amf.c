/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The amf service engine (SA Forum Availability Management Framework,
 * AIS-API.md section 3; design in docs/amf.md "Engine"): the engine table,
 * start and stop, the cluster message handlers and the dump.
 *
 * The replicated core is this file with amf_driver.c (actions), amf_sync.c
 * (sync) and amf_status.c (operator requests); the executor (amf_exec.c,
 * amf_lib.c, amf_pg.c) runs what is local. amf_int.h is the contract
 * between the two.
 *
 * At start the engine reads the AMF configuration named by aisexec.conf's
 * amf { file } (relative to aisexec.conf's folder), keeps its text (sync
 * sends it to nodes that have none) and parses it into the model. With
 * amf { mode: disabled } the engine is registered but passive: it takes
 * part in sync with a summary that says so and answers NOT_EXIST.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ais/ipc_amf.h>
#include <ais/log.h>

#include "amf_check.h"
#include "amf_config.h"
#include "amf_core.h"

AIS_LOG_SUBSYS("AMF");

struct amf_engine amf_engine;

extern const struct ais_service_engine ais_amf_engine;

static uint64_t amf_dropped_in_sync;

/* ---- configuration ---- */

void amf_core_diag_log(void *ctx, enum amf_diag_severity sev, const char *file, unsigned line, const char *msg)
{
	char buf[1024];

	(void)ctx;
	amf_diag_format(buf, sizeof(buf), sev, file, line, msg);
	ais_log(sev == AMF_DIAG_ERROR ? LOG_ERR : LOG_WARNING, "amf: %s", buf);
}

/* Read a regular file of at most AMF_CONFIG_FILE_MAX bytes without blocking. */
static int amf_file_read(const char *path, char **ret, size_t *ret_len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > AMF_CONFIG_FILE_MAX) {
		int e = errno;

		close(fd);
		return !S_ISREG(st.st_mode) ? -EINVAL : st.st_size > AMF_CONFIG_FILE_MAX ? -EFBIG : -e;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*ret = buf;
	*ret_len = got;
	return 0;
}

static int amf_model_load(void)
{
	const char *file = amf_engine.api->config_value("amf", "file");
	const char *dir = amf_engine.api->config_dir();
	char path[4096];
	unsigned errors = 0;
	int r;

	if (file == NULL)
		file = AMF_CONFIG_FILE_DEFAULT;
	if (file[0] != '/' && amf_engine.api->config_path()[0] != '\0')
		r = snprintf(path, sizeof(path), "%s/%s", dir, file);
	else
		r = snprintf(path, sizeof(path), "%s", file);
	if (r < 0 || (size_t)r >= sizeof(path)) {
		ais_log(LOG_ERR, "amf: the configuration path is too long");
		return -ENAMETOOLONG;
	}
	{
		/* the name for messages: the path's end when it is longer */
		size_t n = strlen(path), keep = n < sizeof(amf_engine.config_name) ? n : sizeof(amf_engine.config_name) - 1;

		memcpy(amf_engine.config_name, path + n - keep, keep);
		amf_engine.config_name[keep] = '\0';
	}
	r = amf_file_read(path, &amf_engine.config_text, &amf_engine.config_len);
	if (r < 0) {
		ais_log(LOG_ERR, "amf: %s: %s", path, strerror(-r));
		return r;
	}
	r = amf_config_parse_mem(amf_engine.config_text, amf_engine.config_len, path, amf_core_diag_log, NULL, &errors,
				 NULL, &amf_engine.model);
	if (r < 0) {
		ais_log(LOG_ERR, "amf: %s: %u errors: AMF cannot start", path, errors);
		return r;
	}
	/* a fresh cluster waits for its nodes before assigning (replaced by
	 * the running cluster's state when this node joins one) */
	amf_drv.startup_pending = true;
	return 0;
}

/* ---- cluster messages ---- */

/* Outcome and event messages are applied only with state, and never inside
 * AMF sync (every node holds its reports then: one here is a bug). */
static bool amf_exec_ready(const char *what, ais_nodeid_t sender)
{
	if (!amf_engine.enabled || !amf_engine.model || !amf_engine.have_state)
		return false;
	if (amf_sync_running()) {
		amf_dropped_in_sync++;
		ais_log(LOG_WARNING, "amf: %s from node %u during AMF sync dropped (%" PRIu64 " so far)", what,
			(unsigned)sender, amf_dropped_in_sync);
		return false;
	}
	return true;
}

static void amf_exec_error_fn(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct amf_wire_error m;

	if (amf_wire_error_decode(msg, len, &m) < 0) {
		ais_log(LOG_WARNING, "amf: malformed ERROR from node %u dropped", (unsigned)sender);
		return;
	}
	if (amf_exec_ready("ERROR", sender))
		amf_driver_apply_error(&m, sender);
}

static void amf_exec_result_fn(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct amf_wire_result m;
	struct ais_exec_header h;

	if (amf_wire_result_decode(msg, len, &m) < 0) {
		ais_log(LOG_WARNING, "amf: malformed DONE/FAILED from node %u dropped", (unsigned)sender);
		return;
	}
	memcpy(&h, msg, sizeof(h));
	if (amf_exec_ready("DONE/FAILED", sender))
		amf_driver_apply_result(&m, le32toh(h.id) == AIS_EXEC_ID(AIS_SERVICE_AMF, AMF_EXEC_FAILED), sender);
}

static void amf_exec_startup_fn(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct amf_wire_result m;

	if (amf_wire_result_decode(msg, len, &m) < 0) {
		ais_log(LOG_WARNING, "amf: malformed STARTUP from node %u dropped", (unsigned)sender);
		return;
	}
	if (amf_exec_ready("STARTUP", sender))
		amf_driver_apply_startup(&m, sender);
}

static void amf_exec_quiesced_fn(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct amf_wire_quiesced m;

	if (amf_wire_quiesced_decode(msg, len, &m) < 0) {
		ais_log(LOG_WARNING, "amf: malformed QUIESCED from node %u dropped", (unsigned)sender);
		return;
	}
	if (amf_exec_ready("QUIESCED", sender))
		amf_driver_apply_quiesced(&m);
}

static void amf_exec_admin_fn(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct amf_wire_admin m;
	int r;

	if (amf_wire_admin_decode(msg, len, &m) < 0) {
		ais_log(LOG_WARNING, "amf: malformed ADMIN from node %u dropped", (unsigned)sender);
		return;
	}
	if (!amf_exec_ready("ADMIN", sender)) {
		if (sender == amf_engine.local_nodeid && amf_engine.api)
			amf_status_admin_answer(m.conn_id, -EBUSY);
		return;
	}
	r = amf_driver_apply_admin(&m);
	if (sender == amf_engine.api->local_nodeid())
		amf_status_admin_answer(m.conn_id, r);
}

static void amf_exec_summary_fn(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct amf_wire_summary m;

	if (amf_wire_summary_decode(msg, len, &m) < 0) {
		ais_log(LOG_WARNING, "amf: malformed SUMMARY from node %u dropped", (unsigned)sender);
		return;
	}
	amf_sync_deliver_summary(&m, sender);
}

static void amf_exec_state_fn(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct amf_wire_state m;

	if (amf_wire_state_decode(msg, len, &m) < 0) {
		ais_log(LOG_WARNING, "amf: malformed STATE from node %u dropped", (unsigned)sender);
		return;
	}
	amf_sync_deliver_state(&m, sender);
}

static const struct ais_exec_handler amf_exec_handlers[AMF_EXEC_COUNT] = {
	[AMF_EXEC_ERROR] = { amf_exec_error_fn, AMF_WIRE_ERROR_SIZE, AMF_WIRE_ERROR_SIZE },
	[AMF_EXEC_DONE] = { amf_exec_result_fn, AMF_WIRE_RESULT_SIZE, AMF_WIRE_RESULT_SIZE },
	[AMF_EXEC_FAILED] = { amf_exec_result_fn, AMF_WIRE_RESULT_SIZE, AMF_WIRE_RESULT_SIZE },
	[AMF_EXEC_QUIESCED] = { amf_exec_quiesced_fn, AMF_WIRE_QUIESCED_SIZE, AMF_WIRE_QUIESCED_SIZE },
	[AMF_EXEC_ADMIN] = { amf_exec_admin_fn, AMF_WIRE_ADMIN_SIZE, AMF_WIRE_ADMIN_SIZE },
	[AMF_EXEC_SUMMARY] = { amf_exec_summary_fn, AMF_WIRE_SUMMARY_SIZE, AMF_WIRE_SUMMARY_SIZE },
	[AMF_EXEC_STATE] = { amf_exec_state_fn, AMF_WIRE_STATE_HDR_SIZE, AMF_WIRE_STATE_MAX_SIZE },
	[AMF_EXEC_STARTUP] = { amf_exec_startup_fn, AMF_WIRE_RESULT_SIZE, AMF_WIRE_RESULT_SIZE },
};

/* ---- dump ---- */

static void amf_dump(void (*out)(void *ctx, const char *line), void *ctx)
{
	char line[1024];

	snprintf(line, sizeof(line), "amf: enabled=%s state=%s settled=%s pending=%zu started=%zu next_action_id=%" PRIu64
		 " now_ms=%" PRIu64 " dropped_in_sync=%" PRIu64,
		 amf_engine.enabled ? "yes" : "no", amf_engine.have_state ? "yes" : "no",
		 amf_driver_settled() ? "yes" : "no", amf_drv.pending.n, amf_drv.n_started, amf_drv.next_action_id,
		 amf_engine.now_ms, amf_dropped_in_sync);
	out(ctx, line);
	if (!amf_engine.enabled)
		return;
	snprintf(line, sizeof(line), "amf: configuration %s (%zu bytes), local node %s", amf_engine.config_name,
		 amf_engine.config_len, amf_engine.local_node ? amf_engine.local_node->name : "-");
	out(ctx, line);
	for (size_t i = 0; i < amf_drv.n_started; i++) {
		char desc[512];

		amf_action_format(&amf_drv.started[i]->a, desc, sizeof(desc));
		snprintf(line, sizeof(line), "amf: started %" PRIu64 ": %s%s", amf_drv.started[i]->id, desc,
			 amf_driver_action_is_local(&amf_drv.started[i]->a) ? " (here)" : "");
		out(ctx, line);
	}
	amf_exec_dump(out, ctx);
}

/* ---- life ---- */

static int amf_exec_init_fn(const struct ais_api *api)
{
	const char *mode;
	int r;

	memset(&amf_engine, 0, sizeof(amf_engine));
	amf_engine.api = api;
	amf_engine.local_nodeid = api->local_nodeid();
	mode = api->config_value("amf", "mode");
	if (mode == NULL || strcmp(mode, "enabled") != 0) {
		ais_log(LOG_INFO, "amf: disabled on this node (amf { mode: enabled } turns it on)");
		return 0;
	}
	r = amf_model_load();
	if (r < 0) {
		free(amf_engine.config_text);
		amf_engine.config_text = NULL;
		return r;
	}
	amf_engine.enabled = true;
	amf_engine.clc = amf_clc_new(api, 0);
	r = amf_engine.clc != NULL ? amf_exec_init() : -ENOMEM;
	if (r < 0) {
		ais_log(LOG_ERR, "amf: the local executor cannot start: %s", strerror(-r));
		amf_clc_free(amf_engine.clc);
		amf_engine.clc = NULL;
		amf_engine.enabled = false;
		amf_cluster_free(amf_engine.model);
		amf_engine.model = NULL;
		free(amf_engine.config_text);
		amf_engine.config_text = NULL;
		return r;
	}
	ais_log(LOG_INFO, "amf: configuration %s loaded (%zu bytes)", amf_engine.config_name, amf_engine.config_len);
	return 0;
}

static int amf_exec_exit_fn(void)
{
	if (amf_engine.enabled)
		amf_exec_exit();
	amf_clc_free(amf_engine.clc); /* after the executor, which kills through it */
	amf_driver_exit();
	amf_sync_exit();
	amf_cluster_free(amf_engine.model);
	free(amf_engine.config_text);
	memset(&amf_engine, 0, sizeof(amf_engine));
	return 0;
}

const struct ais_service_engine ais_amf_engine = {
	.abi_version = AIS_SERVICE_ABI_VERSION,
	.name = "amf",
	.id = AIS_SERVICE_AMF,
	.private_data_size = AMF_LIB_PRIVATE_SIZE,
	.exec_init_fn = amf_exec_init_fn,
	.exec_exit_fn = amf_exec_exit_fn,
	.lib_init_fn = amf_lib_init,
	.lib_exit_fn = amf_lib_exit,
	.lib_handlers = amf_lib_handlers,
	.lib_handler_count = AMF_LIB_HANDLER_COUNT,
	.exec_handlers = amf_exec_handlers,
	.exec_handler_count = AMF_EXEC_COUNT,
	.confchg_fn = NULL,
	.sync = &amf_sync_ops,
	.dump_fn = amf_dump,
};
