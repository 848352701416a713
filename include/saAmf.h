/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SA Forum Availability Management Framework (saAmf.h), libSaAmf: the
 * B.01.01 interface (unsuffixed calls, SaAmfCallbacksT) and the B.04.01
 * entry points (`_3` and `_4` calls, SaAmfCallbacksT_3 / _4), all declared
 * unconditionally. Names, types and values follow the SA Forum
 * specification so that programs written for OpenSAF compile unchanged;
 * the spellings OpenAIS used (saAmfCompCategoryT, saAmfRedundancyModelT,
 * SA_AMF_N_WAY_ACTIVE_REDUNDACY_MODEL, the "External" proxied-component
 * names) are provided as aliases.
 *
 * The CSI set callback receives the CSI descriptor BY VALUE, as the
 * specification says (OpenAIS passed a pointer; such programs need their
 * callback's last parameter changed to the value form).
 *
 * A handle from saAmfInitialize (B.01.01) gets the B.01 callback set; one
 * from saAmfInitialize_3 or saAmfInitialize_4 (B.04.01) the B.04 set.
 * Callbacks run only inside saAmfDispatch.
 */
#ifndef _SA_AMF_H
#define _SA_AMF_H

#include <saAis.h>
#include <saNtf.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef SaUint64T SaAmfHandleT;

/* ---- passive monitoring ------------------------------------------------- */

/** Process errors passive monitoring watches for (bits). */
#define SA_AMF_PM_ZERO_EXIT 0x1
#define SA_AMF_PM_NON_ZERO_EXIT 0x2
#define SA_AMF_PM_ABNORMAL_END 0x4
/** Every error above (an OpenAIS extension). */
#define SA_AMF_PM_ALL_ERRORS (SA_AMF_PM_ZERO_EXIT | SA_AMF_PM_NON_ZERO_EXIT | SA_AMF_PM_ABNORMAL_END)
typedef SaUint32T SaAmfPmErrorsT;

typedef enum {
	SA_AMF_PM_PROC = 1,
	SA_AMF_PM_PROC_AND_DESCENDENTS = 2,
	SA_AMF_PM_ALL_PROCESSES = 3
} SaAmfPmStopQualifierT;

/* ---- healthchecks -------------------------------------------------------- */

typedef enum {
	SA_AMF_HEALTHCHECK_AMF_INVOKED = 1,
	SA_AMF_HEALTHCHECK_COMPONENT_INVOKED = 2
} SaAmfHealthcheckInvocationT;

#define SA_AMF_HEALTHCHECK_KEY_MAX 32

/** A healthcheck key: keyLen bytes of key (not a string). */
typedef struct {
	SaUint8T key[SA_AMF_HEALTHCHECK_KEY_MAX];
	SaUint16T keyLen;
} SaAmfHealthcheckKeyT;

/* ---- states ---------------------------------------------------------------- */

typedef enum {
	SA_AMF_HA_ACTIVE = 1,
	SA_AMF_HA_STANDBY = 2,
	SA_AMF_HA_QUIESCED = 3,
	SA_AMF_HA_QUIESCING = 4
} SaAmfHAStateT;

typedef enum {
	SA_AMF_HARS_READY_FOR_ASSIGNMENT = 1,
	SA_AMF_HARS_READY_FOR_ACTIVE_DEGRADED = 2,
	SA_AMF_HARS_NOT_READY_FOR_ACTIVE = 3,
	SA_AMF_HARS_NOT_READY_FOR_ASSIGNMENT = 4
} SaAmfHAReadinessStateT;

typedef enum {
	SA_AMF_READINESS_OUT_OF_SERVICE = 1,
	SA_AMF_READINESS_IN_SERVICE = 2,
	SA_AMF_READINESS_STOPPING = 3
} SaAmfReadinessStateT;

typedef enum {
	SA_AMF_PRESENCE_UNINSTANTIATED = 1,
	SA_AMF_PRESENCE_INSTANTIATING = 2,
	SA_AMF_PRESENCE_INSTANTIATED = 3,
	SA_AMF_PRESENCE_TERMINATING = 4,
	SA_AMF_PRESENCE_RESTARTING = 5,
	SA_AMF_PRESENCE_INSTANTIATION_FAILED = 6,
	SA_AMF_PRESENCE_TERMINATION_FAILED = 7
} SaAmfPresenceStateT;

typedef enum {
	SA_AMF_OPERATIONAL_ENABLED = 1,
	SA_AMF_OPERATIONAL_DISABLED = 2
} SaAmfOperationalStateT;

typedef enum {
	SA_AMF_ADMIN_UNLOCKED = 1,
	SA_AMF_ADMIN_LOCKED = 2,
	SA_AMF_ADMIN_LOCKED_INSTANTIATION = 3,
	SA_AMF_ADMIN_SHUTTING_DOWN = 4
} SaAmfAdminStateT;

typedef enum {
	SA_AMF_ASSIGNMENT_UNASSIGNED = 1,
	SA_AMF_ASSIGNMENT_FULLY_ASSIGNED = 2,
	SA_AMF_ASSIGNMENT_PARTIALLY_ASSIGNED = 3
} SaAmfAssignmentStateT;

typedef enum {
	SA_AMF_PROXY_STATUS_UNPROXIED = 1,
	SA_AMF_PROXY_STATUS_PROXIED = 2
} SaAmfProxyStatusT;

typedef enum {
	SA_AMF_READINESS_STATE = 1,
	SA_AMF_HA_STATE = 2,
	SA_AMF_PRESENCE_STATE = 3,
	SA_AMF_OP_STATE = 4,
	SA_AMF_ADMIN_STATE = 5,
	SA_AMF_ASSIGNMENT_STATE = 6,
	SA_AMF_PROXY_STATUS = 7,
	SA_AMF_HA_READINESS_STATE = 8
} SaAmfStateT;

/* ---- model values ------------------------------------------------------------ */

/** Component category (bits). */
#define SA_AMF_COMP_SA_AWARE 0x0001
#define SA_AMF_COMP_PROXY 0x0002
#define SA_AMF_COMP_PROXIED 0x0004
#define SA_AMF_COMP_LOCAL 0x0008
#define SA_AMF_COMP_CONTAINER 0x0010
#define SA_AMF_COMP_CONTAINED 0x0020
#define SA_AMF_COMP_PROXIED_NPI 0x0040
typedef SaUint32T SaAmfCompCategoryT;
/** OpenAIS's spelling. */
typedef SaAmfCompCategoryT saAmfCompCategoryT;

typedef enum {
	SA_AMF_2N_REDUNDANCY_MODEL = 1,
	SA_AMF_NPM_REDUNDANCY_MODEL = 2,
	SA_AMF_N_WAY_REDUNDANCY_MODEL = 3,
	SA_AMF_N_WAY_ACTIVE_REDUNDANCY_MODEL = 4,
	SA_AMF_NO_REDUNDANCY_MODEL = 5
} SaAmfRedundancyModelT;
/** OpenAIS's spellings. */
typedef SaAmfRedundancyModelT saAmfRedundancyModelT;
#define SA_AMF_N_WAY_ACTIVE_REDUNDACY_MODEL SA_AMF_N_WAY_ACTIVE_REDUNDANCY_MODEL

typedef enum {
	SA_AMF_COMP_X_ACTIVE_AND_Y_STANDBY = 1,
	SA_AMF_COMP_X_ACTIVE_OR_Y_STANDBY = 2,
	SA_AMF_COMP_ONE_ACTIVE_OR_Y_STANDBY = 3,
	SA_AMF_COMP_ONE_ACTIVE_OR_ONE_STANDBY = 4,
	SA_AMF_COMP_X_ACTIVE = 5,
	SA_AMF_COMP_1_ACTIVE = 6,
	SA_AMF_COMP_NON_PRE_INSTANTIABLE = 7
} SaAmfCompCapabilityModelT;

typedef enum {
	SA_AMF_NO_RECOMMENDATION = 1,
	SA_AMF_COMPONENT_RESTART = 2,
	SA_AMF_COMPONENT_FAILOVER = 3,
	SA_AMF_NODE_SWITCHOVER = 4,
	SA_AMF_NODE_FAILOVER = 5,
	SA_AMF_NODE_FAILFAST = 6,
	SA_AMF_CLUSTER_RESET = 7,
	SA_AMF_APPLICATION_RESTART = 8,
	SA_AMF_CONTAINER_RESTART = 9
} SaAmfRecommendedRecoveryT;

typedef enum {
	SA_AMF_NODE_NAME = 1,
	SA_AMF_SI_NAME = 2,
	SA_AMF_MAINTENANCE_CAMPAIGN_DN = 3,
	SA_AMF_AI_RECOMMENDED_RECOVERY = 4,
	SA_AMF_AI_APPLIED_RECOVERY = 5
} SaAmfAdditionalInfoIdT;

/** Administrative operations (B.04, through the IMM in the specification). */
typedef enum {
	SA_AMF_ADMIN_UNLOCK = 1,
	SA_AMF_ADMIN_LOCK = 2,
	SA_AMF_ADMIN_LOCK_INSTANTIATION = 3,
	SA_AMF_ADMIN_UNLOCK_INSTANTIATION = 4,
	SA_AMF_ADMIN_SHUTDOWN = 5,
	SA_AMF_ADMIN_RESTART = 6,
	SA_AMF_ADMIN_SI_SWAP = 7,
	SA_AMF_ADMIN_SG_ADJUST = 8,
	SA_AMF_ADMIN_REPAIRED = 9,
	SA_AMF_ADMIN_EAM_START = 10,
	SA_AMF_ADMIN_EAM_STOP = 11
} SaAmfAdminOperationIdT;

/* ---- component service instances ---------------------------------------------- */

/** Which CSIs a CSI set or remove callback is about (bits). */
#define SA_AMF_CSI_ADD_ONE 0x1
#define SA_AMF_CSI_TARGET_ONE 0x2
#define SA_AMF_CSI_TARGET_ALL 0x4
typedef SaUint32T SaAmfCSIFlagsT;

typedef enum {
	SA_AMF_CSI_NEW_ASSIGN = 1,
	SA_AMF_CSI_QUIESCED = 2,
	SA_AMF_CSI_NOT_QUIESCED = 3,
	SA_AMF_CSI_STILL_ACTIVE = 4
} SaAmfCSITransitionDescriptorT;

typedef struct {
	SaAmfCSITransitionDescriptorT transitionDescriptor;
	SaNameT activeCompName;
} SaAmfCSIActiveDescriptorT;

typedef struct {
	SaNameT activeCompName;
	SaUint32T standbyRank;
} SaAmfCSIStandbyDescriptorT;

/** activeDescriptor for HA state ACTIVE, standbyDescriptor for STANDBY. */
typedef union {
	SaAmfCSIActiveDescriptorT activeDescriptor;
	SaAmfCSIStandbyDescriptorT standbyDescriptor;
} SaAmfCSIStateDescriptorT;

/** One CSI attribute: NUL-terminated name and value. */
typedef struct {
	SaUint8T *attrName;
	SaUint8T *attrValue;
} SaAmfCSIAttributeT;

typedef struct {
	SaAmfCSIAttributeT *attr;
	SaUint32T number;
} SaAmfCSIAttributeListT;

/** csiName and csiAttr are meaningful only with ADD_ONE or TARGET_ONE. */
typedef struct {
	SaAmfCSIFlagsT csiFlags;
	SaNameT csiName;
	SaAmfCSIStateDescriptorT csiStateDescriptor;
	SaAmfCSIAttributeListT csiAttr;
} SaAmfCSIDescriptorT;

/* ---- protection groups ---------------------------------------------------------- */

typedef struct {
	SaNameT compName;
	SaAmfHAStateT haState;
	SaUint32T rank;
} SaAmfProtectionGroupMemberT;

typedef struct {
	SaNameT compName;
	SaAmfHAStateT haState;
	SaAmfHAReadinessStateT haReadinessState;
	SaUint32T rank;
} SaAmfProtectionGroupMemberT_4;

typedef enum {
	SA_AMF_PROTECTION_GROUP_NO_CHANGE = 1,
	SA_AMF_PROTECTION_GROUP_ADDED = 2,
	SA_AMF_PROTECTION_GROUP_REMOVED = 3,
	SA_AMF_PROTECTION_GROUP_STATE_CHANGE = 4
} SaAmfProtectionGroupChangesT;

typedef struct {
	SaAmfProtectionGroupMemberT member;
	SaAmfProtectionGroupChangesT change;
} SaAmfProtectionGroupNotificationT;

typedef struct {
	SaAmfProtectionGroupMemberT_4 member;
	SaAmfProtectionGroupChangesT change;
} SaAmfProtectionGroupNotificationT_4;

typedef struct {
	SaUint32T numberOfItems;
	SaAmfProtectionGroupNotificationT *notification;
} SaAmfProtectionGroupNotificationBufferT;

typedef struct {
	SaUint32T numberOfItems;
	SaAmfProtectionGroupNotificationT_4 *notification;
} SaAmfProtectionGroupNotificationBufferT_4;

/* ---- callbacks ---------------------------------------------------------------------- */

typedef void (*SaAmfHealthcheckCallbackT)(SaInvocationT invocation, const SaNameT *compName,
                                          SaAmfHealthcheckKeyT *healthcheckKey);

typedef void (*SaAmfComponentTerminateCallbackT)(SaInvocationT invocation, const SaNameT *compName);

/** The descriptor is passed by value; its attribute array and strings are
 *  valid until the callback returns. */
typedef void (*SaAmfCSISetCallbackT)(SaInvocationT invocation, const SaNameT *compName,
                                     SaAmfHAStateT haState, SaAmfCSIDescriptorT csiDescriptor);

typedef void (*SaAmfCSIRemoveCallbackT)(SaInvocationT invocation, const SaNameT *compName,
                                        const SaNameT *csiName, SaAmfCSIFlagsT csiFlags);

typedef void (*SaAmfProtectionGroupTrackCallbackT)(const SaNameT *csiName,
                                                   SaAmfProtectionGroupNotificationBufferT *notificationBuffer,
                                                   SaUint32T numberOfMembers, SaAisErrorT error);

typedef void (*SaAmfProtectionGroupTrackCallbackT_4)(const SaNameT *csiName,
                                                     SaAmfProtectionGroupNotificationBufferT_4 *notificationBuffer,
                                                     SaUint32T numberOfMembers, SaAisErrorT error);

typedef void (*SaAmfProxiedComponentInstantiateCallbackT)(SaInvocationT invocation,
                                                          const SaNameT *proxiedCompName);

typedef void (*SaAmfProxiedComponentCleanupCallbackT)(SaInvocationT invocation,
                                                      const SaNameT *proxiedCompName);

typedef void (*SaAmfContainedComponentInstantiateCallbackT)(SaInvocationT invocation,
                                                            const SaNameT *containedCompName);

typedef void (*SaAmfContainedComponentCleanupCallbackT)(SaInvocationT invocation,
                                                        const SaNameT *containedCompName);

/** OpenAIS's names for the proxied-component callbacks. */
typedef SaAmfProxiedComponentInstantiateCallbackT SaAmfExternalComponentInstantiateCallbackT;
typedef SaAmfProxiedComponentCleanupCallbackT SaAmfExternalComponentCleanupCallbackT;

/** B.01 callback set (saAmfInitialize). */
typedef struct {
	SaAmfHealthcheckCallbackT saAmfHealthcheckCallback;
	SaAmfComponentTerminateCallbackT saAmfComponentTerminateCallback;
	SaAmfCSISetCallbackT saAmfCSISetCallback;
	SaAmfCSIRemoveCallbackT saAmfCSIRemoveCallback;
	SaAmfProtectionGroupTrackCallbackT saAmfProtectionGroupTrackCallback;
	SaAmfProxiedComponentInstantiateCallbackT saAmfProxiedComponentInstantiateCallback;
	SaAmfProxiedComponentCleanupCallbackT saAmfProxiedComponentCleanupCallback;
} SaAmfCallbacksT;

/** B.03 callback set (saAmfInitialize_3). */
typedef struct {
	SaAmfHealthcheckCallbackT saAmfHealthcheckCallback;
	SaAmfComponentTerminateCallbackT saAmfComponentTerminateCallback;
	SaAmfCSISetCallbackT saAmfCSISetCallback;
	SaAmfCSIRemoveCallbackT saAmfCSIRemoveCallback;
	SaAmfProtectionGroupTrackCallbackT saAmfProtectionGroupTrackCallback;
	SaAmfProxiedComponentInstantiateCallbackT saAmfProxiedComponentInstantiateCallback;
	SaAmfProxiedComponentCleanupCallbackT saAmfProxiedComponentCleanupCallback;
	SaAmfContainedComponentInstantiateCallbackT saAmfContainedComponentInstantiateCallback;
	SaAmfContainedComponentCleanupCallbackT saAmfContainedComponentCleanupCallback;
} SaAmfCallbacksT_3;

/** B.04 callback set (saAmfInitialize_4): the `_4` protection group callback. */
typedef struct {
	SaAmfHealthcheckCallbackT saAmfHealthcheckCallback;
	SaAmfComponentTerminateCallbackT saAmfComponentTerminateCallback;
	SaAmfCSISetCallbackT saAmfCSISetCallback;
	SaAmfCSIRemoveCallbackT saAmfCSIRemoveCallback;
	SaAmfProtectionGroupTrackCallbackT_4 saAmfProtectionGroupTrackCallback;
	SaAmfProxiedComponentInstantiateCallbackT saAmfProxiedComponentInstantiateCallback;
	SaAmfProxiedComponentCleanupCallbackT saAmfProxiedComponentCleanupCallback;
	SaAmfContainedComponentInstantiateCallbackT saAmfContainedComponentInstantiateCallback;
	SaAmfContainedComponentCleanupCallbackT saAmfContainedComponentCleanupCallback;
} SaAmfCallbacksT_4;

/* OpenAIS's member names for the proxied-component callbacks. */
#define saAmfExternalComponentInstantiateCallback saAmfProxiedComponentInstantiateCallback
#define saAmfExternalComponentCleanupCallback saAmfProxiedComponentCleanupCallback

/* ---- B.01.01 functions ------------------------------------------------------------------ */

SaAisErrorT saAmfInitialize(SaAmfHandleT *amfHandle, const SaAmfCallbacksT *amfCallbacks,
                            SaVersionT *version);
SaAisErrorT saAmfSelectionObjectGet(SaAmfHandleT amfHandle, SaSelectionObjectT *selectionObject);
SaAisErrorT saAmfDispatch(SaAmfHandleT amfHandle, SaDispatchFlagsT dispatchFlags);
SaAisErrorT saAmfFinalize(SaAmfHandleT amfHandle);
SaAisErrorT saAmfComponentRegister(SaAmfHandleT amfHandle, const SaNameT *compName,
                                   const SaNameT *proxyCompName);
SaAisErrorT saAmfComponentUnregister(SaAmfHandleT amfHandle, const SaNameT *compName,
                                     const SaNameT *proxyCompName);
SaAisErrorT saAmfComponentNameGet(SaAmfHandleT amfHandle, SaNameT *compName);
SaAisErrorT saAmfPmStart(SaAmfHandleT amfHandle, const SaNameT *compName, SaUint64T processId,
                         SaInt32T descendentsTreeDepth, SaAmfPmErrorsT pmErrors,
                         SaAmfRecommendedRecoveryT recommendedRecovery);
SaAisErrorT saAmfPmStop(SaAmfHandleT amfHandle, const SaNameT *compName, SaAmfPmStopQualifierT stopQualifier,
                        SaInt64T processId, SaAmfPmErrorsT pmErrors);
SaAisErrorT saAmfHealthcheckStart(SaAmfHandleT amfHandle, const SaNameT *compName,
                                  const SaAmfHealthcheckKeyT *healthcheckKey,
                                  SaAmfHealthcheckInvocationT invocationType,
                                  SaAmfRecommendedRecoveryT recommendedRecovery);
SaAisErrorT saAmfHealthcheckConfirm(SaAmfHandleT amfHandle, const SaNameT *compName,
                                    const SaAmfHealthcheckKeyT *healthcheckKey, SaAisErrorT healthcheckResult);
SaAisErrorT saAmfHealthcheckStop(SaAmfHandleT amfHandle, const SaNameT *compName,
                                 const SaAmfHealthcheckKeyT *healthcheckKey);
SaAisErrorT saAmfHAStateGet(SaAmfHandleT amfHandle, const SaNameT *compName, const SaNameT *csiName,
                            SaAmfHAStateT *haState);
SaAisErrorT saAmfCSIQuiescingComplete(SaAmfHandleT amfHandle, SaInvocationT invocation, SaAisErrorT error);
SaAisErrorT saAmfProtectionGroupTrack(SaAmfHandleT amfHandle, const SaNameT *csiName, SaUint8T trackFlags,
                                      SaAmfProtectionGroupNotificationBufferT *notificationBuffer);
SaAisErrorT saAmfProtectionGroupTrackStop(SaAmfHandleT amfHandle, const SaNameT *csiName);
SaAisErrorT saAmfProtectionGroupNotificationFree(SaAmfHandleT amfHandle,
                                                 SaAmfProtectionGroupNotificationT *notification);
SaAisErrorT saAmfComponentErrorReport(SaAmfHandleT amfHandle, const SaNameT *erroneousComponent,
                                      SaTimeT errorDetectionTime, SaAmfRecommendedRecoveryT recommendedRecovery,
                                      SaNtfIdentifierT ntfIdentifier);
SaAisErrorT saAmfComponentErrorClear(SaAmfHandleT amfHandle, const SaNameT *compName,
                                     SaNtfIdentifierT ntfIdentifier);
SaAisErrorT saAmfResponse(SaAmfHandleT amfHandle, SaInvocationT invocation, SaAisErrorT error);

/* ---- B.04.01 entry points --------------------------------------------------------------- */

SaAisErrorT saAmfInitialize_3(SaAmfHandleT *amfHandle, const SaAmfCallbacksT_3 *amfCallbacks,
                              SaVersionT *version);
SaAisErrorT saAmfInitialize_4(SaAmfHandleT *amfHandle, const SaAmfCallbacksT_4 *amfCallbacks,
                              SaVersionT *version);
SaAisErrorT saAmfPmStart_3(SaAmfHandleT amfHandle, const SaNameT *compName, SaInt64T processId,
                           SaInt32T descendentsTreeDepth, SaAmfPmErrorsT pmErrors,
                           SaAmfRecommendedRecoveryT recommendedRecovery);
SaAisErrorT saAmfProtectionGroupTrack_4(SaAmfHandleT amfHandle, const SaNameT *csiName, SaUint8T trackFlags,
                                        SaAmfProtectionGroupNotificationBufferT_4 *notificationBuffer);
SaAisErrorT saAmfProtectionGroupNotificationFree_4(SaAmfHandleT amfHandle,
                                                   SaAmfProtectionGroupNotificationT_4 *notification);
SaAisErrorT saAmfComponentErrorReport_4(SaAmfHandleT amfHandle, const SaNameT *erroneousComponent,
                                        SaTimeT errorDetectionTime,
                                        SaAmfRecommendedRecoveryT recommendedRecovery,
                                        const SaNtfCorrelationIdsT *correlationIds);
SaAisErrorT saAmfComponentErrorClear_4(SaAmfHandleT amfHandle, const SaNameT *compName,
                                       const SaNtfCorrelationIdsT *correlationIds);
SaAisErrorT saAmfResponse_4(SaAmfHandleT amfHandle, SaInvocationT invocation,
                            const SaNtfCorrelationIdsT *correlationIds, SaAisErrorT error);
SaAisErrorT saAmfCorrelationIdsGet(SaAmfHandleT amfHandle, SaInvocationT invocation,
                                   SaNtfCorrelationIdsT *correlationIds);
SaAisErrorT saAmfHAReadinessStateSet(SaAmfHandleT amfHandle, const SaNameT *compName, const SaNameT *csiName,
                                     SaAmfHAReadinessStateT haReadinessState,
                                     const SaNtfCorrelationIdsT *correlationIds);

#ifdef __cplusplus
}
#endif

#endif
