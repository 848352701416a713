/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AMF configuration file (OpenAIS's amf.conf format, described in
 * docs/amf.conf.md): reading it into the model of amf_model.h and checking
 * it. Every problem is reported through a callback with the file name and
 * the line of the attribute or block concerned; parsing goes on after an
 * error so that one run reports every problem it can find.
 */
#ifndef AIS_AMF_CONFIG_H
#define AIS_AMF_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "amf_model.h"

/** Largest configuration file read, in bytes. */
#define AMF_CONFIG_FILE_MAX (1024 * 1024)
/** Longest line, in bytes without the newline. */
#define AMF_CONFIG_LINE_MAX 4096
/** Errors reported before the parser gives up on a file. */
#define AMF_CONFIG_ERRORS_MAX 100

enum amf_diag_severity {
	AMF_DIAG_ERROR = 0,
	AMF_DIAG_WARNING = 1,
};

/**
 * Receives one problem. file is the name given to the parser; line is 1 for
 * the first line, 0 when the problem concerns the file as a whole. msg has
 * no trailing newline and no file/line prefix.
 */
typedef void (*amf_diag_fn)(void *ctx, enum amf_diag_severity sev, const char *file, unsigned line,
			    const char *msg);

/**
 * Format a problem the way aisexec prints it: "FILE:LINE: reason", with
 * "warning: " before the reason for warnings and no ":LINE" for line 0.
 * @return snprintf's result.
 */
int amf_diag_format(char *buf, size_t len, enum amf_diag_severity sev, const char *file, unsigned line,
		    const char *msg);

/**
 * Parse and validate a configuration held in memory (len bytes, need not be
 * NUL-terminated; NUL bytes are errors). name is used in reports.
 * @param diag may be NULL (problems are then only counted)
 * @param ret_errors, ret_warnings may be NULL; receive the counts
 * @param ret receives the model (caller frees with amf_cluster_free())
 *        only when the result is 0
 * @return 0 when there was no error (warnings allowed), -EINVAL when there
 *         was at least one, -ENOMEM when out of memory (also reported).
 */
int amf_config_parse_mem(const char *buf, size_t len, const char *name, amf_diag_fn diag, void *ctx,
			 unsigned *ret_errors, unsigned *ret_warnings, struct amf_cluster **ret);

/**
 * Read path and parse it as amf_config_parse_mem() does. The file is
 * opened with O_NONBLOCK and must be a regular file of at most
 * AMF_CONFIG_FILE_MAX bytes: a FIFO or a device is refused, never read, so
 * this never blocks. Problems with the file itself are reported with line 0.
 * @return as amf_config_parse_mem(), or another -errno when the file could
 *         not be read.
 */
int amf_config_load(const char *path, amf_diag_fn diag, void *ctx, unsigned *ret_errors, unsigned *ret_warnings,
		    struct amf_cluster **ret);

/**
 * Print a summary of a model to out: entity counts, then one line per
 * service group with its redundancy model and one per node with its CLM
 * node. Every line starts with "amf: ".
 * @return 0, or -EIO when writing failed.
 */
int amf_config_summary(const struct amf_cluster *c, FILE *out);

#endif /* AIS_AMF_CONFIG_H */
