/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SA Forum Event Service interface (saEvt.h), releases B.01.01 and B.03.01:
 * the types, values, callbacks and functions of the specification, so that
 * programs written for OpenAIS or OpenSAF compile unchanged. Link with
 * -lSaEvt (pkg-config SaEvt). saEvtInitialize accepts release 'B' majors 1
 * and 3 and reports B.03.01 as the version it implements best.
 *
 * Extensions kept for OpenAIS programs: SA_EVT_DATA_MAX_LEN (the largest
 * event data) and SA_EVT_LOST_EVENT (the pattern of the lost-event notice).
 *
 * Memory returned by saEvtEventAttributesGet when the caller passes
 * patternArray->patterns == NULL: the array and every pattern buffer are
 * separate malloc() blocks. B.03 programs free them with
 * saEvtEventPatternFree(); B.01 programs, which have no such call, may free
 * each patterns[i].pattern and then the array with free().
 */
#ifndef _SA_EVT_H
#define _SA_EVT_H

#include <saAis.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef SaUint64T SaEvtHandleT;
typedef SaUint64T SaEvtEventHandleT;
typedef SaUint64T SaEvtChannelHandleT;
typedef SaUint32T SaEvtSubscriptionIdT;

/** Open flags: a bit set of the values below (0x7 at most). */
typedef SaUint8T SaEvtChannelOpenFlagsT;
#define SA_EVT_CHANNEL_PUBLISHER 0x1
#define SA_EVT_CHANNEL_SUBSCRIBER 0x2
#define SA_EVT_CHANNEL_CREATE 0x4

/** One pattern: patternSize bytes at pattern (binary, not NUL-terminated). */
typedef struct {
	SaSizeT allocatedSize;
	SaSizeT patternSize;
	SaUint8T *pattern;
} SaEvtEventPatternT;

typedef struct {
	SaSizeT allocatedNumber;
	SaSizeT patternsNumber;
	SaEvtEventPatternT *patterns;
} SaEvtEventPatternArrayT;

typedef SaUint8T SaEvtEventPriorityT;
#define SA_EVT_HIGHEST_PRIORITY 0
#define SA_EVT_LOWEST_PRIORITY 3

typedef SaUint64T SaEvtEventIdT;
/** Ids 0..1000 are reserved to the service. */
#define SA_EVT_EVENTID_NONE 0
#define SA_EVT_EVENTID_LOST 1

/** Pattern of the notice delivered when events for a subscriber were lost. */
#define SA_EVT_LOST_EVENT "SA_EVT_LOST_EVENT_PATTERN"

/** Largest event data in bytes (extension; also saEvtLimitGet's
 *  SA_EVT_MAX_EVT_SIZE_ID). */
#define SA_EVT_DATA_MAX_LEN (64 * 1024)

typedef enum {
	SA_EVT_PREFIX_FILTER = 1,
	SA_EVT_SUFFIX_FILTER = 2,
	SA_EVT_EXACT_FILTER = 3,
	SA_EVT_PASS_ALL_FILTER = 4
} SaEvtEventFilterTypeT;

typedef struct {
	SaEvtEventFilterTypeT filterType;
	SaEvtEventPatternT filter;
} SaEvtEventFilterT;

typedef struct {
	SaSizeT filtersNumber;
	SaEvtEventFilterT *filters;
} SaEvtEventFilterArrayT;

/** saEvtLimitGet ids (B.03). */
typedef enum {
	SA_EVT_MAX_NUM_CHANNELS_ID = 1,
	SA_EVT_MAX_EVT_SIZE_ID = 2,
	SA_EVT_MAX_PATTERN_SIZE_ID = 3,
	SA_EVT_MAX_NUM_PATTERNS_ID = 4,
	SA_EVT_MAX_RETENTION_DURATION_ID = 5
} SaEvtLimitIdT;

typedef void (*SaEvtChannelOpenCallbackT)(SaInvocationT invocation,
                                          SaEvtChannelHandleT channelHandle, SaAisErrorT error);

typedef void (*SaEvtEventDeliverCallbackT)(SaEvtSubscriptionIdT subscriptionId,
                                           SaEvtEventHandleT eventHandle, SaSizeT eventDataSize);

typedef struct {
	SaEvtChannelOpenCallbackT saEvtChannelOpenCallback;
	SaEvtEventDeliverCallbackT saEvtEventDeliverCallback;
} SaEvtCallbacksT;

/* ---- library life -------------------------------------------------------- */

SaAisErrorT saEvtInitialize(SaEvtHandleT *evtHandle, const SaEvtCallbacksT *callbacks,
                            SaVersionT *version);

SaAisErrorT saEvtSelectionObjectGet(SaEvtHandleT evtHandle,
                                    SaSelectionObjectT *selectionObject);

SaAisErrorT saEvtDispatch(SaEvtHandleT evtHandle, SaDispatchFlagsT dispatchFlags);

SaAisErrorT saEvtFinalize(SaEvtHandleT evtHandle);

/* ---- channels -------------------------------------------------------------- */

SaAisErrorT saEvtChannelOpen(SaEvtHandleT evtHandle, const SaNameT *channelName,
                             SaEvtChannelOpenFlagsT channelOpenFlags, SaTimeT timeout,
                             SaEvtChannelHandleT *channelHandle);

SaAisErrorT saEvtChannelOpenAsync(SaEvtHandleT evtHandle, SaInvocationT invocation,
                                  const SaNameT *channelName,
                                  SaEvtChannelOpenFlagsT channelOpenFlags);

SaAisErrorT saEvtChannelClose(SaEvtChannelHandleT channelHandle);

SaAisErrorT saEvtChannelUnlink(SaEvtHandleT evtHandle, const SaNameT *channelName);

/* ---- events ------------------------------------------------------------------- */

SaAisErrorT saEvtEventAllocate(SaEvtChannelHandleT channelHandle,
                               SaEvtEventHandleT *eventHandle);

SaAisErrorT saEvtEventFree(SaEvtEventHandleT eventHandle);

SaAisErrorT saEvtEventAttributesSet(SaEvtEventHandleT eventHandle,
                                    const SaEvtEventPatternArrayT *patternArray,
                                    SaEvtEventPriorityT priority, SaTimeT retentionTime,
                                    const SaNameT *publisherName);

SaAisErrorT saEvtEventAttributesGet(SaEvtEventHandleT eventHandle,
                                    SaEvtEventPatternArrayT *patternArray,
                                    SaEvtEventPriorityT *priority, SaTimeT *retentionTime,
                                    SaNameT *publisherName, SaTimeT *publishTime,
                                    SaEvtEventIdT *eventId);

/** B.03: frees the pattern array saEvtEventAttributesGet allocated. */
SaAisErrorT saEvtEventPatternFree(SaEvtEventHandleT eventHandle, SaEvtEventPatternT *patterns);

SaAisErrorT saEvtEventDataGet(SaEvtEventHandleT eventHandle, void *eventData,
                              SaSizeT *eventDataSize);

SaAisErrorT saEvtEventPublish(SaEvtEventHandleT eventHandle, const void *eventData,
                              SaSizeT eventDataSize, SaEvtEventIdT *eventId);

/* ---- subscriptions and retention ------------------------------------------------ */

SaAisErrorT saEvtEventSubscribe(SaEvtChannelHandleT channelHandle,
                                const SaEvtEventFilterArrayT *filters,
                                SaEvtSubscriptionIdT subscriptionId);

SaAisErrorT saEvtEventUnsubscribe(SaEvtChannelHandleT channelHandle,
                                  SaEvtSubscriptionIdT subscriptionId);

SaAisErrorT saEvtEventRetentionTimeClear(SaEvtChannelHandleT channelHandle,
                                         SaEvtEventIdT eventId);

/** B.03: the service's limits (uint64Value, or timeValue for the retention). */
SaAisErrorT saEvtLimitGet(SaEvtHandleT evtHandle, SaEvtLimitIdT limitId,
                          SaLimitValueT *limitValue);

#ifdef __cplusplus
}
#endif

#endif
