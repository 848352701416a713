/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SA Forum Notification service (saNtf.h): the small part other AIS
 * services need. Only the identifier and correlation-id types are here; the
 * notification service itself is not provided. SaNtfIdentifierT is shared
 * with saAis.h behind one include guard, so either header may come first.
 */
#ifndef _SA_NTF_H
#define _SA_NTF_H

#include <saAis.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef SA_NTF_IDENTIFIER_T_DEFINED
#define SA_NTF_IDENTIFIER_T_DEFINED
typedef SaUint64T SaNtfIdentifierT;
#endif

#define SA_NTF_IDENTIFIER_UNUSED ((SaNtfIdentifierT)0ULL)

/** Correlation of a notification with the ones that caused it. */
typedef struct {
	SaNtfIdentifierT rootCorrelationId;
	SaNtfIdentifierT parentCorrelationId;
	SaNtfIdentifierT notificationId;
} SaNtfCorrelationIdsT;

#ifdef __cplusplus
}
#endif

#endif
