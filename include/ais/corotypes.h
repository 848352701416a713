/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The common types of Corosync's client APIs, as far as CPG programs use
 * them: the same names, values and layouts as Corosync 3's corotypes.h, so
 * that a program written for Corosync builds against <ais/cpg.h> (or, with
 * no source change at all, against <corosync/corotypes.h> from the
 * compatibility directory that `pkg-config --cflags aiscpg-compat` adds).
 *
 * cs_error_t has the numbers of SaAisErrorT (saAis.h): CS_OK is 1, not 0.
 * The two are the same table, and the daemon and the libraries translate
 * internal errors into it in one place (<ais/error.h>).
 */
#ifndef AIS_COROTYPES_H
#define AIS_COROTYPES_H

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The guard Corosync's own header uses: a program that includes both gets
 * the first one only (they define the same things). */
#ifndef COROTYPES_H_DEFINED
#define COROTYPES_H_DEFINED

typedef int64_t cs_time_t;

#define CS_FALSE 0
#define CS_TRUE !CS_FALSE
#define CS_MAX_NAME_LENGTH 256
#define CS_TIME_END ((cs_time_t)0x7FFFFFFFFFFFFFFFULL)
#define CS_MAX(x, y) (((x) > (y)) ? (x) : (y))

/* printf formats: a node id in decimal, padded to 10 columns; a ring id
 * as "representative.sequence" in hexadecimal (cpg_ring_id). */
#define CS_PRI_NODE_ID "%" PRIu32
#define CS_PRI_NODE_ID_PADDED "%10" PRIu32
#define CS_PRI_RING_ID_SEQ "%" PRIx64
#define CS_PRI_RING_ID "%" PRIx32 ".%" PRIx64

typedef struct {
	uint16_t length;
	uint8_t value[CS_MAX_NAME_LENGTH];
} cs_name_t;

typedef struct {
	char releaseCode;
	unsigned char majorVersion;
	unsigned char minorVersion;
} cs_version_t;

/** How much a dispatch call does. */
typedef enum {
	CS_DISPATCH_ONE = 1,            /**< wait for one callback, run it */
	CS_DISPATCH_ALL = 2,            /**< run everything pending, never wait */
	CS_DISPATCH_BLOCKING = 3,       /**< run callbacks until finalize or error */
	CS_DISPATCH_ONE_NONBLOCKING = 4 /**< run one if pending, else CS_ERR_TRY_AGAIN */
} cs_dispatch_flags_t;

#define CS_TRACK_CURRENT 0x01
#define CS_TRACK_CHANGES 0x02
#define CS_TRACK_CHANGES_ONLY 0x04

/** Result of every call. CS_OK is 1, not 0. */
typedef enum {
	CS_OK = 1,
	CS_ERR_LIBRARY = 2,
	CS_ERR_VERSION = 3,
	CS_ERR_INIT = 4,
	CS_ERR_TIMEOUT = 5,
	CS_ERR_TRY_AGAIN = 6,
	CS_ERR_INVALID_PARAM = 7,
	CS_ERR_NO_MEMORY = 8,
	CS_ERR_BAD_HANDLE = 9,
	CS_ERR_BUSY = 10,
	CS_ERR_ACCESS = 11,
	CS_ERR_NOT_EXIST = 12,
	CS_ERR_NAME_TOO_LONG = 13,
	CS_ERR_EXIST = 14,
	CS_ERR_NO_SPACE = 15,
	CS_ERR_INTERRUPT = 16,
	CS_ERR_NAME_NOT_FOUND = 17,
	CS_ERR_NO_RESOURCES = 18,
	CS_ERR_NOT_SUPPORTED = 19,
	CS_ERR_BAD_OPERATION = 20,
	CS_ERR_FAILED_OPERATION = 21,
	CS_ERR_MESSAGE_ERROR = 22,
	CS_ERR_QUEUE_FULL = 23,
	CS_ERR_QUEUE_NOT_AVAILABLE = 24,
	CS_ERR_BAD_FLAGS = 25,
	CS_ERR_TOO_BIG = 26,
	CS_ERR_NO_SECTIONS = 27,
	CS_ERR_CONTEXT_NOT_FOUND = 28,
	CS_ERR_TOO_MANY_GROUPS = 30,
	CS_ERR_SECURITY = 100
} cs_error_t;

/* Corosync's IPC wait: -1, no limit. libaiscpg bounds every call anyway
 * (docs/cpg.md); the constant is here for programs that print or pass it. */
#define CS_IPC_TIMEOUT_MS -1

#define CS_TIME_MS_IN_SEC 1000ULL
#define CS_TIME_US_IN_SEC 1000000ULL
#define CS_TIME_NS_IN_SEC 1000000000ULL
#define CS_TIME_US_IN_MSEC 1000ULL
#define CS_TIME_NS_IN_MSEC 1000000ULL
#define CS_TIME_NS_IN_USEC 1000ULL

/** Nanoseconds of the monotonic clock. */
static inline uint64_t cs_timestamp_get(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * CS_TIME_NS_IN_SEC + (uint64_t)ts.tv_nsec;
}

/** The name of an error code ("CS_ERR_TRY_AGAIN"; "success" for CS_OK,
 *  "unknown error" for a value not in cs_error_t). Never NULL. */
const char *cs_strerror(cs_error_t err);

#endif /* COROTYPES_H_DEFINED */

#ifdef __cplusplus
}
#endif

#endif
