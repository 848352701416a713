/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SA Forum Cluster Membership Service (saClm.h), libSaClm: the B.01.01
 * interface and the B.04.01 `_4` variants (with SaClmClusterNodeT_4, the
 * change steps and saClmResponse_4). Names, types and values follow the
 * SA Forum specification so that programs written for OpenAIS or OpenSAF
 * compile unchanged.
 *
 * A handle initialized with saClmInitialize (B.01) gets the B.01 callbacks;
 * one initialized with saClmInitialize_4 (B.04) the `_4` callbacks. Both
 * kinds of call may be made on either handle; callbacks run only inside
 * saClmDispatch.
 */
#ifndef _SA_CLM_H
#define _SA_CLM_H

#include <saAis.h>
#include <saNtf.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef SaUint64T SaClmHandleT;
typedef SaUint32T SaClmNodeIdT;

/** Stands for the node the caller runs on. */
#define SA_CLM_LOCAL_NODE_ID 0xFFFFFFFFU
#define SA_CLM_MAX_ADDRESS_LENGTH 64

typedef enum {
	SA_CLM_AF_INET = 1,
	SA_CLM_AF_INET6 = 2
} SaClmNodeAddressFamilyT;

/** value holds the address as text ("127.0.0.1"), length bytes of it. */
typedef struct {
	SaClmNodeAddressFamilyT family;
	SaUint16T length;
	SaUint8T value[SA_CLM_MAX_ADDRESS_LENGTH];
} SaClmNodeAddressT;

typedef struct {
	SaClmNodeIdT nodeId;
	SaClmNodeAddressT nodeAddress;
	SaNameT nodeName;
	SaBoolT member;
	SaTimeT bootTimestamp;
	SaUint64T initialViewNumber;
} SaClmClusterNodeT;

/** B.04: adds the execution environment (PLM) the node runs in. */
typedef struct {
	SaClmNodeIdT nodeId;
	SaClmNodeAddressT nodeAddress;
	SaNameT nodeName;
	SaNameT executionEnvironment;
	SaBoolT member;
	SaTimeT bootTimestamp;
	SaUint64T initialViewNumber;
} SaClmClusterNodeT_4;

typedef enum {
	SA_CLM_NODE_NO_CHANGE = 1,
	SA_CLM_NODE_JOINED = 2,
	SA_CLM_NODE_LEFT = 3,
	SA_CLM_NODE_RECONFIGURED = 4,
	SA_CLM_NODE_UNLOCK = 5,
	SA_CLM_NODE_SHUTDOWN = 6
} SaClmClusterChangesT;

typedef struct {
	SaClmClusterNodeT clusterNode;
	SaClmClusterChangesT clusterChange;
} SaClmClusterNotificationT;

typedef struct {
	SaClmClusterNodeT_4 clusterNode;
	SaClmClusterChangesT clusterChange;
} SaClmClusterNotificationT_4;

typedef struct {
	SaUint64T viewNumber;
	SaUint32T numberOfItems;
	SaClmClusterNotificationT *notification;
} SaClmClusterNotificationBufferT;

typedef struct {
	SaUint64T viewNumber;
	SaUint32T numberOfItems;
	SaClmClusterNotificationT_4 *notification;
} SaClmClusterNotificationBufferT_4;

typedef enum {
	SA_CLM_CHANGE_VALIDATE = 1,
	SA_CLM_CHANGE_START = 2,
	SA_CLM_CHANGE_ABORTED = 3,
	SA_CLM_CHANGE_COMPLETED = 4
} SaClmChangeStepT;

typedef enum {
	SA_CLM_CALLBACK_RESPONSE_OK = 1,
	SA_CLM_CALLBACK_RESPONSE_REJECTED = 2,
	SA_CLM_CALLBACK_RESPONSE_ERROR = 3
} SaClmResponseT;

typedef enum {
	SA_CLM_ADMIN_UNLOCK = 1,
	SA_CLM_ADMIN_LOCK = 2,
	SA_CLM_ADMIN_SHUTDOWN = 3
} SaClmAdminOperationIdT;

typedef enum {
	SA_CLM_ADMIN_UNLOCKED = 1,
	SA_CLM_ADMIN_LOCKED = 2,
	SA_CLM_ADMIN_SHUTTING_DOWN = 3
} SaClmAdminStateT;

/* ---- callbacks ------------------------------------------------------------ */

typedef void (*SaClmClusterNodeGetCallbackT)(SaInvocationT invocation,
                                             const SaClmClusterNodeT *clusterNode,
                                             SaAisErrorT error);

typedef void (*SaClmClusterTrackCallbackT)(const SaClmClusterNotificationBufferT *notificationBuffer,
                                           SaUint32T numberOfMembers, SaAisErrorT error);

typedef struct {
	SaClmClusterNodeGetCallbackT saClmClusterNodeGetCallback;
	SaClmClusterTrackCallbackT saClmClusterTrackCallback;
} SaClmCallbacksT;

typedef void (*SaClmClusterNodeGetCallbackT_4)(SaInvocationT invocation,
                                               const SaClmClusterNodeT_4 *clusterNode,
                                               SaAisErrorT error);

typedef void (*SaClmClusterTrackCallbackT_4)(const SaClmClusterNotificationBufferT_4 *notificationBuffer,
                                             SaUint32T numberOfMembers, SaInvocationT invocation,
                                             const SaNameT *rootCauseEntity,
                                             const SaNtfCorrelationIdsT *correlationIds,
                                             SaClmChangeStepT step, SaTimeT timeSupervision,
                                             SaAisErrorT error);

typedef struct {
	SaClmClusterNodeGetCallbackT_4 saClmClusterNodeGetCallback;
	SaClmClusterTrackCallbackT_4 saClmClusterTrackCallback;
} SaClmCallbacksT_4;

/* ---- life cycle ------------------------------------------------------------- */

/** B.01: accepts release 'B' major 1 and answers {'B', 1, 1}. */
SaAisErrorT saClmInitialize(SaClmHandleT *clmHandle, const SaClmCallbacksT *clmCallbacks,
                            SaVersionT *version);
/** B.04: accepts release 'B' major 4 and answers {'B', 4, 1}. */
SaAisErrorT saClmInitialize_4(SaClmHandleT *clmHandle, const SaClmCallbacksT_4 *clmCallbacks,
                              SaVersionT *version);
SaAisErrorT saClmSelectionObjectGet(SaClmHandleT clmHandle, SaSelectionObjectT *selectionObject);
SaAisErrorT saClmDispatch(SaClmHandleT clmHandle, SaDispatchFlagsT dispatchFlags);
SaAisErrorT saClmFinalize(SaClmHandleT clmHandle);

/* ---- membership --------------------------------------------------------------- */

SaAisErrorT saClmClusterTrack(SaClmHandleT clmHandle, SaUint8T trackFlags,
                              SaClmClusterNotificationBufferT *notificationBuffer);
SaAisErrorT saClmClusterTrack_4(SaClmHandleT clmHandle, SaUint8T trackFlags,
                                SaClmClusterNotificationBufferT_4 *notificationBuffer);
SaAisErrorT saClmClusterTrackStop(SaClmHandleT clmHandle);

/** Free a notification array the library allocated for a track call. */
SaAisErrorT saClmClusterNotificationFree(SaClmHandleT clmHandle,
                                         SaClmClusterNotificationT *notification);
SaAisErrorT saClmClusterNotificationFree_4(SaClmHandleT clmHandle,
                                           SaClmClusterNotificationT_4 *notification);

SaAisErrorT saClmClusterNodeGet(SaClmHandleT clmHandle, SaClmNodeIdT nodeId, SaTimeT timeout,
                                SaClmClusterNodeT *clusterNode);
SaAisErrorT saClmClusterNodeGet_4(SaClmHandleT clmHandle, SaClmNodeIdT nodeId, SaTimeT timeout,
                                  SaClmClusterNodeT_4 *clusterNode);
SaAisErrorT saClmClusterNodeGetAsync(SaClmHandleT clmHandle, SaInvocationT invocation,
                                     SaClmNodeIdT nodeId);

/** B.04: answer to a track callback of step VALIDATE or START. */
SaAisErrorT saClmResponse_4(SaClmHandleT clmHandle, SaInvocationT invocation, SaClmResponseT response);

#ifdef __cplusplus
}
#endif

#endif
