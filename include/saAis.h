/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SA Forum AIS common definitions (saAis.h): the scalar types, time
 * constants, names, versions, error codes and dispatch flags shared by every
 * AIS service interface. Names, types and values follow the SA Forum
 * specification (B.05-level type set, classic 256-byte SaNameT), so programs
 * written for OpenAIS or OpenSAF compile unchanged.
 */
#ifndef _SA_AIS_H
#define _SA_AIS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int8_t SaInt8T;
typedef int16_t SaInt16T;
typedef int32_t SaInt32T;
typedef int64_t SaInt64T;
typedef uint8_t SaUint8T;
typedef uint16_t SaUint16T;
typedef uint32_t SaUint32T;
typedef uint64_t SaUint64T;
typedef float SaFloatT;
typedef double SaDoubleT;
typedef char *SaStringT;
typedef const char *SaConstStringT;

typedef enum {
	SA_FALSE = 0,
	SA_TRUE = 1
} SaBoolT;

/** Nanoseconds: absolute times since the Unix epoch, or durations. */
typedef SaInt64T SaTimeT;
typedef SaUint64T SaInvocationT;
typedef SaUint64T SaSizeT;
typedef SaUint64T SaOffsetT;
typedef SaUint64T SaSelectionObjectT;

#ifndef SA_NTF_IDENTIFIER_T_DEFINED
#define SA_NTF_IDENTIFIER_T_DEFINED
typedef SaUint64T SaNtfIdentifierT;
#endif

/** Value 0 is never a valid handle (extension kept from OpenAIS). */
#define SA_HANDLE_INVALID 0ULL

#define SA_TIME_END ((SaTimeT)0x7FFFFFFFFFFFFFFFLL)
#define SA_TIME_MAX SA_TIME_END
#define SA_TIME_BEGIN 0LL
#define SA_TIME_UNKNOWN ((SaTimeT)0x8000000000000000ULL)
#define SA_TIME_ONE_MICROSECOND 1000LL
#define SA_TIME_ONE_MILLISECOND 1000000LL
#define SA_TIME_ONE_SECOND 1000000000LL
#define SA_TIME_ONE_MINUTE 60000000000LL
#define SA_TIME_ONE_HOUR 3600000000000LL
#define SA_TIME_ONE_DAY 86400000000000LL

#define SA_MAX_NAME_LENGTH 256

#define SA_TRACK_CURRENT 0x01
#define SA_TRACK_CHANGES 0x02
#define SA_TRACK_CHANGES_ONLY 0x04
#define SA_TRACK_LOCAL 0x08
#define SA_TRACK_START_STEP 0x10
#define SA_TRACK_VALIDATE_STEP 0x20

/** value is not NUL-terminated; length counts the bytes used. */
typedef struct {
	SaUint16T length;
	SaUint8T value[SA_MAX_NAME_LENGTH];
} SaNameT;

typedef struct {
	SaUint8T releaseCode;
	SaUint8T majorVersion;
	SaUint8T minorVersion;
} SaVersionT;

typedef struct {
	SaSizeT bufferSize;
	SaUint8T *bufferAddr;
} SaAnyT;

typedef enum {
	SA_DISPATCH_ONE = 1,
	SA_DISPATCH_ALL = 2,
	SA_DISPATCH_BLOCKING = 3
} SaDispatchFlagsT;

typedef union {
	SaInt64T int64Value;
	SaUint64T uint64Value;
	SaTimeT timeValue;
	SaFloatT floatValue;
	SaDoubleT doubleValue;
} SaLimitValueT;

typedef enum {
	SA_SVC_HPI = 1,
	SA_SVC_AMF = 2,
	SA_SVC_CLM = 3,
	SA_SVC_CKPT = 4,
	SA_SVC_EVT = 5,
	SA_SVC_MSG = 6,
	SA_SVC_LCK = 7,
	SA_SVC_IMMS = 8,
	SA_SVC_LOG = 9,
	SA_SVC_NTF = 10,
	SA_SVC_NAM = 11,
	SA_SVC_TMR = 12,
	SA_SVC_SMF = 13,
	SA_SVC_SEC = 14,
	SA_SVC_PLM = 15
} SaServicesT;

/* OpenSAF's spelling of the log service id. */
#define SA_SCV_LOG SA_SVC_LOG

typedef enum {
	SA_AIS_OK = 1,
	SA_AIS_ERR_LIBRARY = 2,
	SA_AIS_ERR_VERSION = 3,
	SA_AIS_ERR_INIT = 4,
	SA_AIS_ERR_TIMEOUT = 5,
	SA_AIS_ERR_TRY_AGAIN = 6,
	SA_AIS_ERR_INVALID_PARAM = 7,
	SA_AIS_ERR_NO_MEMORY = 8,
	SA_AIS_ERR_BAD_HANDLE = 9,
	SA_AIS_ERR_BUSY = 10,
	SA_AIS_ERR_ACCESS = 11,
	SA_AIS_ERR_NOT_EXIST = 12,
	SA_AIS_ERR_NAME_TOO_LONG = 13,
	SA_AIS_ERR_EXIST = 14,
	SA_AIS_ERR_NO_SPACE = 15,
	SA_AIS_ERR_INTERRUPT = 16,
	SA_AIS_ERR_NAME_NOT_FOUND = 17,
	SA_AIS_ERR_NO_RESOURCES = 18,
	SA_AIS_ERR_NOT_SUPPORTED = 19,
	SA_AIS_ERR_BAD_OPERATION = 20,
	SA_AIS_ERR_FAILED_OPERATION = 21,
	SA_AIS_ERR_MESSAGE_ERROR = 22,
	SA_AIS_ERR_QUEUE_FULL = 23,
	SA_AIS_ERR_QUEUE_NOT_AVAILABLE = 24,
	SA_AIS_ERR_BAD_FLAGS = 25,
	SA_AIS_ERR_TOO_BIG = 26,
	SA_AIS_ERR_NO_SECTIONS = 27,
	SA_AIS_ERR_NO_OP = 28,
	SA_AIS_ERR_REPAIR_PENDING = 29,
	SA_AIS_ERR_NO_BINDINGS = 30,
	SA_AIS_ERR_UNAVAILABLE = 31,
	SA_AIS_ERR_CAMPAIGN_ERROR_DETECTED = 32,
	SA_AIS_ERR_CAMPAIGN_PROC_FAILED = 33,
	SA_AIS_ERR_CAMPAIGN_CANCELED = 34,
	SA_AIS_ERR_CAMPAIGN_FAILED = 35,
	SA_AIS_ERR_CAMPAIGN_SUSPENDED = 36,
	SA_AIS_ERR_CAMPAIGN_SUSPENDING = 37,
	SA_AIS_ERR_ACCESS_DENIED = 38,
	SA_AIS_ERR_NOT_READY = 39,
	SA_AIS_ERR_DEPLOYMENT = 40,
	/* OpenAIS extension, not in the specification. */
	SA_AIS_ERR_SECURITY = 100
} SaAisErrorT;

#ifdef __cplusplus
}
#endif

#endif
