/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small argument checks every library shares. (The -errno -> SaAisErrorT
 * table is <ais/error.h>, shared with the daemon.)
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>

#include "ais_client.h"

int ais_name_check(const SaNameT *name)
{
	if (name == NULL) {
		return -EINVAL;
	}
	if (name->length > SA_MAX_NAME_LENGTH) {
		return -ENAMETOOLONG;
	}
	return 0;
}
