/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one place where an internal -errno becomes the SaAisErrorT (and, with
 * the same numbers, cs_error_t) that the client APIs return, plus small
 * argument checks every library shares.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>

#include "ais_client.h"

static const struct {
	int err;
	SaAisErrorT code;
} error_table[] = {
	{ EAGAIN, SA_AIS_ERR_TRY_AGAIN },
	{ ENOMEM, SA_AIS_ERR_NO_MEMORY },
	{ EBADF, SA_AIS_ERR_BAD_HANDLE },
	{ EINVAL, SA_AIS_ERR_INVALID_PARAM },
	{ ETIMEDOUT, SA_AIS_ERR_TIMEOUT },
	{ EMSGSIZE, SA_AIS_ERR_TOO_BIG },
	{ ENOENT, SA_AIS_ERR_NOT_EXIST },
	{ EEXIST, SA_AIS_ERR_EXIST },
	{ EACCES, SA_AIS_ERR_ACCESS },
	{ EPERM, SA_AIS_ERR_ACCESS },
	{ EBUSY, SA_AIS_ERR_BUSY },
	{ ENOSPC, SA_AIS_ERR_NO_SPACE },
	{ ENOBUFS, SA_AIS_ERR_NO_RESOURCES },
	{ EMFILE, SA_AIS_ERR_NO_RESOURCES },
	{ ENFILE, SA_AIS_ERR_NO_RESOURCES },
	{ EINTR, SA_AIS_ERR_INTERRUPT },
	{ ENAMETOOLONG, SA_AIS_ERR_NAME_TOO_LONG },
	{ ENOTSUP, SA_AIS_ERR_NOT_SUPPORTED },
	{ ENOTCONN, SA_AIS_ERR_LIBRARY },
	{ EPIPE, SA_AIS_ERR_LIBRARY },
	{ ECONNREFUSED, SA_AIS_ERR_LIBRARY },
	{ ECONNRESET, SA_AIS_ERR_LIBRARY },
	{ ESHUTDOWN, SA_AIS_ERR_LIBRARY },
	{ EPROTO, SA_AIS_ERR_LIBRARY },
};

SaAisErrorT ais_error_from_errno(int err)
{
	if (err == 0) {
		return SA_AIS_OK;
	}
	if (err < 0) {
		err = -err;
	}
	for (size_t i = 0; i < sizeof(error_table) / sizeof(error_table[0]); i++) {
		if (error_table[i].err == err) {
			return error_table[i].code;
		}
	}
	return SA_AIS_ERR_LIBRARY;
}

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
