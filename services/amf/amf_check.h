/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one entry point the executive calls into the AMF configuration code:
 * `aisexec -t` checks the AMF file named by aisexec.conf's amf { } section.
 * Kept apart from amf_config.h so that exec/main.c sees a single function
 * and nothing of the model.
 */
#ifndef AIS_AMF_CHECK_H
#define AIS_AMF_CHECK_H

#include <stdbool.h>
#include <stdio.h>

/** Used when amf { mode: enabled } names no file. */
#define AMF_CONFIG_FILE_DEFAULT "/etc/ais/amf.conf"

/**
 * Load and validate the AMF configuration file.
 * @param conf_path the aisexec.conf that named it; a relative amf_file is
 *        taken relative to this file's directory
 * @param amf_file amf { file: } as configured, or NULL for the default
 * @param verbose also print a summary of the model to out
 * @param err receives every problem, one line each:
 *        "aisexec: FILE:LINE: reason" ("warning: " before the reason for
 *        warnings)
 * @return 0 when the file is valid (it may have warnings), a negative errno
 *         otherwise.
 */
int amf_config_check(const char *conf_path, const char *amf_file, bool verbose, FILE *out, FILE *err);

#endif /* AIS_AMF_CHECK_H */
