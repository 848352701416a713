/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one translation of an internal -errno into the error code a client
 * sees: SaAisErrorT for the SA Forum libraries, and cs_error_t for CPG,
 * which uses the same numbers (<ais/corotypes.h> ties them with
 * _Static_asserts). The daemon uses it for every error reply it builds from
 * an -errno (exec/ipc.c, the engines), and the client libraries for every
 * error that arises on their side of the connection (connect, send,
 * timeouts). It is header-only so that the daemon, the engines, plugins and
 * the libraries all compile the same table; test/unit/check_error.c checks
 * each row.
 *
 * What each -errno means in this code base, and so what the client sees:
 *   EAGAIN        try again later (flow control, sync)       TRY_AGAIN
 *   ENOMEM        allocation failed                          NO_MEMORY
 *   EBADF         unknown handle or connection               BAD_HANDLE
 *   EINVAL        a bad argument                             INVALID_PARAM
 *   ETIMEDOUT     a call did not finish in its time          TIMEOUT
 *   EMSGSIZE      a message above the limit                  TOO_BIG
 *   ENOENT        no such object                             NOT_EXIST
 *   EEXIST        already there                              EXIST
 *   EACCES/EPERM  not allowed                                ACCESS
 *   EBUSY         the object is busy                         BUSY
 *   ENOSPC        a caller's buffer is too small             NO_SPACE
 *   ENOBUFS       a bounded queue or table is full           NO_RESOURCES
 *   EMFILE        too many connections, groups, ...          NO_RESOURCES
 *   ENFILE        the daemon's connection limit in all       NO_RESOURCES
 *   EINTR         interrupted                                INTERRUPT
 *   ENAMETOOLONG  a name above the limit                     NAME_TOO_LONG
 *   ENXIO         a name that resolves to nothing            NAME_NOT_FOUND
 *   ENOTSUP       an operation this object does not have     NOT_SUPPORTED
 *   EBADMSG       a malformed message                        MESSAGE_ERROR
 *   ECANCELED     the operation was started and failed       FAILED_OPERATION
 *   EOVERFLOW     a destination queue is full                QUEUE_FULL
 *   ENODATA       nothing more (end of an iteration)         NO_SECTIONS
 *   ENOTCONN, EPIPE, ECONNREFUSED, ECONNRESET, ESHUTDOWN, EPROTO and
 *   anything else: the connection to the daemon is gone or broke its
 *   protocol                                                 LIBRARY
 */
#ifndef AIS_ERROR_H
#define AIS_ERROR_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <saAis.h>

/** The SaAisErrorT (= cs_error_t) for an -errno (0: SA_AIS_OK; a positive
 *  errno is taken as its negative). */
static inline SaAisErrorT ais_error_from_errno(int err)
{
	static const struct {
		int err;
		SaAisErrorT code;
	} rows[] = {
		{ EAGAIN, SA_AIS_ERR_TRY_AGAIN },
		{ ENOMEM, SA_AIS_ERR_NO_MEMORY },
		{ EBADF, SA_AIS_ERR_BAD_HANDLE },
		{ EINVAL, SA_AIS_ERR_INVALID_PARAM },
		{ ETIMEDOUT, SA_AIS_ERR_TIMEOUT },
		{ EMSGSIZE, SA_AIS_ERR_TOO_BIG },
		{ E2BIG, SA_AIS_ERR_TOO_BIG },
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
		{ ENXIO, SA_AIS_ERR_NAME_NOT_FOUND },
		{ ENOTSUP, SA_AIS_ERR_NOT_SUPPORTED },
		{ EOPNOTSUPP, SA_AIS_ERR_NOT_SUPPORTED },
		{ ENOSYS, SA_AIS_ERR_NOT_SUPPORTED },
		{ EBADMSG, SA_AIS_ERR_MESSAGE_ERROR },
		{ ECANCELED, SA_AIS_ERR_FAILED_OPERATION },
		{ EOVERFLOW, SA_AIS_ERR_QUEUE_FULL },
		{ ENODATA, SA_AIS_ERR_NO_SECTIONS },
	};

	if (err == 0)
		return SA_AIS_OK;
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].err == err)
			return rows[i].code;
	}
	return SA_AIS_ERR_LIBRARY;
}

#endif
