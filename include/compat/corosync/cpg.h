/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compatibility forward for programs written for Corosync: <corosync/cpg.h>
 * is libaiscpg's <ais/cpg.h>. This directory is on the include path only
 * when asked for (`pkg-config --cflags aiscpg-compat`), so it never hides a
 * real Corosync installation.
 */
#ifndef AIS_COMPAT_COROSYNC_CPG_H
#define AIS_COMPAT_COROSYNC_CPG_H

#include <ais/cpg.h>

#endif
