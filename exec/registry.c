/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The built-in service engines, compiled into the daemon from services/.
 * Adding a built-in engine is one line here (plus its file in services/);
 * a `service { name }` block loads it, and with no service block at all
 * every engine listed here loads.
 */
#include "config.h"

#include <ais/service.h>

#include "service.h"

extern const struct ais_service_engine ais_cfg_engine;
extern const struct ais_service_engine ais_clm_engine;
extern const struct ais_service_engine ais_cpg_engine;
extern const struct ais_service_engine ais_evt_engine;
extern const struct ais_service_engine ais_amf_engine;

const struct ais_service_engine *const service_builtins[] = {
	&ais_cfg_engine,
	&ais_clm_engine,
	&ais_cpg_engine,
	&ais_evt_engine,
	&ais_amf_engine,
};

const size_t service_builtin_count = sizeof(service_builtins) / sizeof(service_builtins[0]);
