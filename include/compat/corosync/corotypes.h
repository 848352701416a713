/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compatibility forward for programs written for Corosync:
 * <corosync/corotypes.h> is <ais/corotypes.h>. See corosync/cpg.h here.
 */
#ifndef AIS_COMPAT_COROSYNC_COROTYPES_H
#define AIS_COMPAT_COROSYNC_COROTYPES_H

#include <ais/corotypes.h>

#endif
