/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The struct ais_api handed to every engine (include/ais/service.h): cluster
 * sends through pg, connection services from ipc.c (events and their
 * slow-consumer policy, which also holds back mcast_ok), one-shot timers on the
 * main loop, membership as last delivered, and the shutdown request.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <qb/qbutil.h>

#include "admin.h"
#include "ipc.h"
#include "ringseq.h"
#include "runtime.h"
#include "sync.h"
#include "timers.h"


static ais_nodeid_t api_local_nodeid(void)
{
	return exec_rt.cfg->totem.nodeid;
}

static size_t api_members_get(struct ais_ring_id *ret_ring_id, ais_nodeid_t *ret_members, size_t max)
{
	if (ret_ring_id != NULL) {
		*ret_ring_id = exec_rt.ring_id;
	}
	for (size_t i = 0; i < exec_rt.n_members && i < max && ret_members != NULL; i++) {
		ret_members[i] = exec_rt.members[i];
	}
	return exec_rt.n_members;
}

static int api_mcast(const struct iovec *iov, size_t iovcnt, enum ais_guarantee guarantee)
{
	struct ais_exec_header h;
	size_t len = 0;

	if (exec_rt.pg == NULL || exec_rt.shutting_down) {
		return -ENOTCONN;
	}
	if (iovcnt == 0 || iov[0].iov_len < sizeof(h)) {
		return -EINVAL;
	}
	for (size_t i = 0; i < iovcnt; i++) {
		len += iov[i].iov_len;
	}
	memcpy(&h, iov[0].iov_base, sizeof(h));
	if (le32toh(h.size) != len || (le32toh(h.id) >> 16) >= AIS_SERVICE_ID_MAX ||
	    (le32toh(h.id) >> 16) == SYNC_SERVICE_ID) {
		return -EINVAL;
	}
	/* what a service's sync.process() sends is sync traffic (sync.h) */
	if (exec_rt.sync != NULL && sync_in_process_step(exec_rt.sync)) {
		return pg_mcast_prio(exec_rt.pg, iov, iovcnt,
				     guarantee == AIS_GUARANTEE_SAFE ? TOTEM_SAFE : TOTEM_AGREED);
	}
	return pg_mcast(exec_rt.pg, iov, iovcnt,
			guarantee == AIS_GUARANTEE_SAFE ? TOTEM_SAFE : TOTEM_AGREED);
}

/* Also false while a local client that is still reading lags behind by more
 * than IPC_OUTQ_HIGH_BYTES (see ipc.h): senders here wait for their readers. */
static bool api_mcast_ok(size_t len)
{
	return exec_rt.pg != NULL && !exec_rt.shutting_down && !ipc_outq_backpressure() &&
	       pg_send_ok(exec_rt.pg, len);
}

static int api_timer_add(uint32_t ms, void (*fn)(void *data), void *data, uint64_t *ret_handle)
{
	return timers_add(exec_rt.timers, ms, fn, data, ret_handle);
}

static void api_timer_del(uint64_t handle)
{
	(void)timers_del(exec_rt.timers, handle);
}

static bool api_sync_in_progress(void)
{
	return exec_rt.sync == NULL || sync_in_progress(exec_rt.sync);
}

static int api_fd_add(int fd, int events, int (*fn)(int fd, int revents, void *data), void *data)
{
	if (fd < 0 || fn == NULL) {
		return -EINVAL;
	}
	return qb_loop_poll_add(exec_rt.loop, QB_LOOP_HIGH, fd, events, data, fn);
}

static int api_fd_del(int fd)
{
	return qb_loop_poll_del(exec_rt.loop, fd);
}

static int api_signal_add(int sig, int (*fn)(int sig, void *data), void *data, uint64_t *ret_handle)
{
	qb_loop_signal_handle h = NULL;
	int32_t r = qb_loop_signal_add(exec_rt.loop, QB_LOOP_HIGH, sig, data, fn, &h);

	if (r != 0) {
		return r < 0 ? r : -EINVAL;
	}
	*ret_handle = (uint64_t)(uintptr_t)h;
	return 0;
}

static void api_signal_del(uint64_t handle)
{
	(void)qb_loop_signal_del(exec_rt.loop, (qb_loop_signal_handle)(uintptr_t)handle);
}

static const char *api_config_path(void)
{
	return exec_rt.config_path;
}

static const char *api_config_dir(void)
{
	static char dir[AIS_CONFIG_PATH_MAX + 1];
	const char *slash = strrchr(exec_rt.config_path, '/');

	if (slash == NULL) {
		return ".";
	}
	if (slash == exec_rt.config_path) {
		return "/";
	}
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - exec_rt.config_path), exec_rt.config_path);
	return dir;
}

static const char *api_config_value(const char *section, const char *key)
{
	const struct ais_config *cfg = exec_rt.cfg;

	if (cfg == NULL || section == NULL || key == NULL) {
		return NULL;
	}
	if (strcmp(section, "amf") == 0) {
		if (strcmp(key, "mode") == 0) {
			return cfg->amf.mode == AIS_AMF_ENABLED ? "enabled" : "disabled";
		}
		if (strcmp(key, "file") == 0) {
			return cfg->amf.file;
		}
	}
	return NULL;
}

static const char *api_run_dir(void)
{
	return exec_rt.rundir;
}

/* struct ais_counter_file is the ringseq writer (ringseq.h) */
static int api_counter_start(const char *path, struct ais_counter_file **ret)
{
	struct ringseq_writer *w = NULL;
	int r = ringseq_writer_start(path, &w);

	if (r == 0) {
		*ret = (struct ais_counter_file *)w;
	}
	return r;
}

static void api_counter_store(struct ais_counter_file *c, uint64_t value)
{
	ringseq_writer_store((struct ringseq_writer *)c, value);
}

static uint64_t api_counter_durable(struct ais_counter_file *c, int *ret_error)
{
	return ringseq_writer_durable((struct ringseq_writer *)c, ret_error);
}

static int api_counter_stop(struct ais_counter_file *c)
{
	return ringseq_writer_stop((struct ringseq_writer *)c);
}

const struct ais_api exec_api = {
	.abi_version = AIS_SERVICE_ABI_VERSION,
	.local_nodeid = api_local_nodeid,
	.members_get = api_members_get,
	.mcast = api_mcast,
	.mcast_ok = api_mcast_ok,
	.response_send = ipc_response_send,
	.responsev_send = ipc_responsev_send,
	.event_send = ipc_event_send,
	.eventv_send = ipc_eventv_send,
	.conn_private = ipc_conn_private,
	.conn_id = ipc_conn_id,
	.conn_lookup = ipc_conn_lookup,
	.conn_credentials = ipc_conn_credentials,
	.conn_disconnect = ipc_conn_disconnect,
	.timer_add = api_timer_add,
	.timer_del = api_timer_del,
	.sync_in_progress = api_sync_in_progress,
	.shutdown_request = exec_shutdown_request,
	.fd_add = api_fd_add,
	.fd_del = api_fd_del,
	.signal_add = api_signal_add,
	.signal_del = api_signal_del,
	.config_path = api_config_path,
	.config_dir = api_config_dir,
	.config_value = api_config_value,
	.run_dir = api_run_dir,
	.counter_read = ringseq_read,
	.counter_start = api_counter_start,
	.counter_store = api_counter_store,
	.counter_durable = api_counter_durable,
	.counter_stop = api_counter_stop,
	.admin = &exec_admin_api,
};
