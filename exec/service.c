/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Engine registry, loader and message router (see service.h). Engines are
 * indexed by their fixed id; ids are < AIS_SERVICE_ID_MAX and
 * SYNC_SERVICE_ID is reserved for the sync protocol. Nothing a client or a
 * peer sends reaches a handler before its id and length were checked here;
 * failures are counted per engine and answered (IPC) or dropped (totem).
 */
#include "config.h"

#include <dlfcn.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <qb/qbipc_common.h>
#include <ais/ipc.h>
#include <ais/log.h>

#include "ipc.h"
#include "service.h"
#include "sync.h"

AIS_LOG_SUBSYS("SERV");

static struct service_slot service_slots[AIS_SERVICE_ID_MAX];
static struct service_router_stats router_stats;
static struct sync *service_sync;

int service_register(const struct ais_service_engine *e, void *dl_handle, char *err, size_t errlen)
{
	if (e == NULL || e->name == NULL || e->name[0] == '\0') {
		snprintf(err, errlen, "service engine without a name");
		return -EINVAL;
	}
	if (e->abi_version != AIS_SERVICE_ABI_VERSION) {
		snprintf(err, errlen, "service %s has ABI version %u, this daemon needs %u", e->name,
			 e->abi_version, AIS_SERVICE_ABI_VERSION);
		return -EINVAL;
	}
	if (e->ipc_buffer_size != 0 &&
	    (e->ipc_buffer_size < IPC_BUFFER_SIZE_MIN || e->ipc_buffer_size > IPC_BUFFER_SIZE_DEFAULT)) {
		snprintf(err, errlen, "service %s asks for IPC rings of %zu bytes; the range is %d..%d", e->name,
			 e->ipc_buffer_size, IPC_BUFFER_SIZE_MIN, IPC_BUFFER_SIZE_DEFAULT);
		return -EINVAL;
	}
	if (e->id >= AIS_SERVICE_ID_MAX || e->id == SYNC_SERVICE_ID) {
		snprintf(err, errlen, "service %s has id %u; ids are below %d and %d is reserved",
			 e->name, e->id, AIS_SERVICE_ID_MAX, SYNC_SERVICE_ID);
		return -EINVAL;
	}
	if ((e->lib_handler_count > 0 && e->lib_handlers == NULL) ||
	    (e->exec_handler_count > 0 && e->exec_handlers == NULL) ||
	    e->exec_handler_count > 0x10000) {
		snprintf(err, errlen, "service %s has inconsistent handler tables", e->name);
		return -EINVAL;
	}
	for (size_t i = 0; i < AIS_SERVICE_ID_MAX; i++) {
		const struct ais_service_engine *o = service_slots[i].engine;
		if (o != NULL && (o->id == e->id || strcmp(o->name, e->name) == 0)) {
			snprintf(err, errlen, "service %s (id %u) clashes with service %s (id %u)",
				 e->name, e->id, o->name, o->id);
			return -EINVAL;
		}
	}
	memset(&service_slots[e->id], 0, sizeof(service_slots[e->id]));
	service_slots[e->id].engine = e;
	service_slots[e->id].dl_handle = dl_handle;
	return 0;
}

int service_plugin_load(const char *path, char *err, size_t errlen)
{
	ais_service_engine_get_fn get;
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	int r;

	if (h == NULL) {
		snprintf(err, errlen, "cannot load service plugin %s: %s", path, dlerror());
		return -ENOENT;
	}
	*(void **)(&get) = dlsym(h, AIS_SERVICE_ENGINE_SYMBOL);
	if (get == NULL) {
		snprintf(err, errlen, "service plugin %s does not export %s", path, AIS_SERVICE_ENGINE_SYMBOL);
		dlclose(h);
		return -EINVAL;
	}
	r = service_register(get(), h, err, errlen);
	if (r < 0) {
		dlclose(h);
		return r;
	}
	return 0;
}

static const struct ais_service_engine *service_builtin_find(const struct ais_service_engine *const *builtins,
							    size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(builtins[i]->name, name) == 0) {
			return builtins[i];
		}
	}
	return NULL;
}

int service_load(const struct ais_config *cfg, const struct ais_service_engine *const *builtins,
		 size_t n_builtins, const char *plugin_dir, char *err, size_t errlen)
{
	char path[AIS_CONFIG_PATH_MAX + 1];
	int r = 0;

	if (cfg->service_count == 0) {
		for (size_t i = 0; i < n_builtins && r == 0; i++) {
			r = service_register(builtins[i], NULL, err, errlen);
		}
		return r;
	}
	for (size_t i = 0; i < cfg->service_count && r == 0; i++) {
		const struct ais_config_service *s = &cfg->services[i];
		const struct ais_service_engine *b = service_builtin_find(builtins, n_builtins, s->name);
		if (s->path == NULL && b != NULL) {
			r = service_register(b, NULL, err, errlen);
			continue;
		}
		if (s->path != NULL) {
			snprintf(path, sizeof(path), "%s", s->path);
		} else {
			snprintf(path, sizeof(path), "%s/%s.so", plugin_dir, s->name);
		}
		r = service_plugin_load(path, err, errlen);
		if (r == 0) {
			/* the plugin must be the service the config names */
			bool found = false;
			for (size_t id = 0; id < AIS_SERVICE_ID_MAX; id++) {
				const struct ais_service_engine *e = service_slots[id].engine;
				found = found || (e != NULL && strcmp(e->name, s->name) == 0);
			}
			if (!found) {
				snprintf(err, errlen, "%s does not provide service %s", path, s->name);
				r = -EINVAL;
			}
		}
	}
	return r;
}

int service_start_all(const struct ais_api *api, char *err, size_t errlen)
{
	for (size_t id = 0; id < AIS_SERVICE_ID_MAX; id++) {
		struct service_slot *s = &service_slots[id];
		if (s->engine == NULL) {
			continue;
		}
		if (s->engine->exec_init_fn != NULL) {
			int r = s->engine->exec_init_fn(api);
			if (r < 0) {
				snprintf(err, errlen, "service %s failed to start: %s", s->engine->name, strerror(-r));
				return r;
			}
		}
		s->started = true;
		ais_log(LOG_INFO, "service engine loaded: %s (id %u)", s->engine->name, s->engine->id);
	}
	return 0;
}

int service_stop_step(void)
{
	int r = 0;

	for (int id = AIS_SERVICE_ID_MAX - 1; id >= 0; id--) {
		struct service_slot *s = &service_slots[id];
		if (s->engine == NULL || !s->started || s->stopped) {
			continue;
		}
		int er = s->engine->exec_exit_fn != NULL ? s->engine->exec_exit_fn() : 0;
		if (er == -EBUSY) {
			r = -EBUSY;
			continue;
		}
		if (er < 0) {
			ais_log(LOG_WARNING, "service %s stopped with error: %s", s->engine->name, strerror(-er));
		}
		s->stopped = true;
		ais_log(LOG_INFO, "service engine unloaded: %s", s->engine->name);
	}
	return r;
}

void service_unload_all(void)
{
	for (size_t id = 0; id < AIS_SERVICE_ID_MAX; id++) {
		if (service_slots[id].dl_handle != NULL) {
			dlclose(service_slots[id].dl_handle);
		}
		memset(&service_slots[id], 0, sizeof(service_slots[id]));
	}
}

struct service_slot *service_slot_get(uint32_t id)
{
	if (id >= AIS_SERVICE_ID_MAX || service_slots[id].engine == NULL) {
		return NULL;
	}
	return &service_slots[id];
}

const struct ais_service_engine *service_engine_get(void *ctx, uint16_t id)
{
	struct service_slot *s = service_slot_get(id);

	(void)ctx;
	return s != NULL ? s->engine : NULL;
}

int service_lib_check(const struct ais_service_engine *e, const void *msg, size_t len,
		      const struct ais_lib_handler **ret_handler, int32_t *ret_response_id)
{
	struct qb_ipc_request_header h;
	const struct ais_lib_handler *lh;

	if (msg == NULL || len < sizeof(h)) {
		*ret_response_id = AIS_IPC_RESPONSE_ERROR;
		return -EINVAL;
	}
	memcpy(&h, msg, sizeof(h));
	if (h.id < 0 || (size_t)h.id >= e->lib_handler_count || e->lib_handlers[h.id].fn == NULL) {
		*ret_response_id = AIS_IPC_RESPONSE_ERROR;
		return -EINVAL;
	}
	lh = &e->lib_handlers[h.id];
	if (h.size < 0 || (size_t)h.size != len || len < lh->min_len || len > lh->max_len) {
		*ret_response_id = lh->response_id;
		return -EINVAL;
	}
	*ret_handler = lh;
	return 0;
}

void service_sync_attach(struct sync *s)
{
	service_sync = s;
}

void service_exec_deliver(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct ais_exec_header h;
	const struct ais_exec_handler *eh;
	struct service_slot *slot;
	uint32_t id, svc, fn;

	if (len < sizeof(h)) {
		router_stats.exec_bad_header++;
		return;
	}
	memcpy(&h, msg, sizeof(h));
	id = le32toh(h.id);
	if (le32toh(h.size) != len) {
		router_stats.exec_bad_header++;
		return;
	}
	svc = id >> 16;
	fn = id & 0xffff;
	if (svc == SYNC_SERVICE_ID) {
		if (service_sync != NULL) {
			sync_deliver(service_sync, msg, len, sender);
		}
		return;
	}
	slot = service_slot_get(svc);
	if (slot == NULL || !slot->started) {
		router_stats.exec_no_service++;
		return;
	}
	if (fn >= slot->engine->exec_handler_count) {
		slot->counters.exec_dropped++;
		return;
	}
	eh = &slot->engine->exec_handlers[fn];
	if (eh->fn == NULL || len < eh->min_len || len > eh->max_len) {
		slot->counters.exec_dropped++;
		return;
	}
	slot->counters.exec_messages++;
	eh->fn(msg, len, sender);
}

void service_confchg(enum ais_confchg_type type, const ais_nodeid_t *members, size_t n_members,
		     const ais_nodeid_t *left, size_t n_left, const ais_nodeid_t *joined, size_t n_joined,
		     const struct ais_ring_id *ring_id)
{
	for (size_t id = 0; id < AIS_SERVICE_ID_MAX; id++) {
		struct service_slot *s = &service_slots[id];
		if (s->engine != NULL && s->started && s->engine->confchg_fn != NULL) {
			s->engine->confchg_fn(type, members, n_members, left, n_left, joined, n_joined, ring_id);
		}
	}
}

void service_router_stats_get(struct service_router_stats *ret)
{
	*ret = router_stats;
}

size_t service_stats_fill(struct ais_admin_service_stats *ret, size_t max)
{
	size_t n = 0;

	for (size_t id = 0; id < AIS_SERVICE_ID_MAX; id++) {
		const struct service_slot *s = &service_slots[id];
		if (s->engine == NULL) {
			continue;
		}
		if (n < max) {
			struct ais_admin_service_stats *o = &ret[n];
			memset(o, 0, sizeof(*o));
			snprintf(o->name, sizeof(o->name), "%s", s->engine->name);
			o->id = s->engine->id;
			o->connections = s->counters.connections;
			o->lib_requests = s->counters.lib_requests;
			o->lib_errors = s->counters.lib_errors;
			o->exec_messages = s->counters.exec_messages;
			o->exec_dropped = s->counters.exec_dropped;
			o->events_queued = s->counters.events_queued;
			o->events_dropped = s->counters.events_dropped;
		}
		n++;
	}
	return n;
}
