/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared between the AMF configuration reader (amf_config.c) and its
 * cross-reference checks (amf_validate.c); not for other users.
 */
#ifndef AIS_AMF_CONFIG_INT_H
#define AIS_AMF_CONFIG_INT_H

#include <stdbool.h>

#include "amf_config.h"

struct amf_parse {
	const char *file;
	amf_diag_fn diag;
	void *ctx;
	unsigned errors;
	unsigned warnings;
	bool nomem;
	bool gave_up;               /**< AMF_CONFIG_ERRORS_MAX reached */
	struct amf_cluster *cluster;
};

/** Report a problem at line (0: the whole file); counts it. */
void amf_report(struct amf_parse *p, enum amf_diag_severity sev, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** Record an allocation failure (reported once). */
void amf_report_nomem(struct amf_parse *p, unsigned line);

/**
 * The checks that need the whole file: references between entities
 * (hosting nodes, protecting SGs, CS types, ranked SUs, dependencies), CLC-CLI
 * command paths, name lengths, per-SG assignment feasibility. Resolves the
 * reference pointers in the model. Reports through p.
 */
void amf_validate(struct amf_parse *p);

#endif /* AIS_AMF_CONFIG_INT_H */
