/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The checks of a parsed configuration against the machine, short of
 * binding sockets: files the start reads (key file, plugins), the users it
 * switches to, paths it writes (log file, run directory). `aisexec -t`
 * and the start run the same function, so a configuration that -t accepts
 * does not fail at start for one of these reasons.
 */
#ifndef AIS_EXEC_START_CHECK_H
#define AIS_EXEC_START_CHECK_H

#include <stdio.h>

#include "ais_config.h"

/**
 * Run every check; print each problem to err as
 * "aisexec: FILE:LINE: reason" (FILE conf_path, LINE the key concerned, or
 * "FILE: reason" for a default that no line set).
 * @param plugin_dir where `service { name: X }` without a path is looked for
 * @return the number of problems (0: all fine)
 */
unsigned start_check(const struct ais_config *cfg, const char *conf_path, const char *plugin_dir, FILE *err);

#endif /* AIS_EXEC_START_CHECK_H */
