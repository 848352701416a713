/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The executive's admin functions as fuzz targets see them (fuzz_admin.c):
 * the membership they report is this view, which a target may change.
 */
#ifndef AIS_FUZZ_ADMIN_H
#define AIS_FUZZ_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include <ais/admin.h>
#include <ais/service.h>

struct fuzz_admin_view {
	uint64_t ring_seq;
	size_t n_members;
	uint32_t members[2];
};

extern struct fuzz_admin_view fuzz_admin_view;

/** The admin functions as the api->admin table. */
extern const struct ais_admin_api fuzz_admin_api;

/** The engine with that id, as the target loaded it (each target defines
 *  it; the admin table's engine_get answers with it). */
const struct ais_service_engine *fuzz_engine_get(uint16_t id);

#endif
