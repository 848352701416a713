/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libSaEvt internals that need no daemon, declared for the unit tests
 * (test/unit/check_evt_lib.c compiles lib/evt.c itself). Not exported: the
 * version script keeps only saEvt*.
 */
#ifndef AIS_LIB_EVT_INT_H
#define AIS_LIB_EVT_INT_H

#include <stdbool.h>

#include <saEvt.h>

/** Release and majors we implement; the minor we report for each. */
#define EVT_RELEASE_CODE 'B'
#define EVT_MINOR 1

/**
 * Version negotiation (AIS-API 1.4): release 'B' with major 1 or 3 is
 * accepted (minor rewritten to EVT_MINOR); anything else is
 * SA_AIS_ERR_VERSION with the struct rewritten to B.03.01. NULL is
 * SA_AIS_ERR_INVALID_PARAM.
 */
SaAisErrorT evt_version_negotiate(SaVersionT *version);

/**
 * Copy n patterns out to a caller's array (saEvtEventAttributesGet).
 * dst->patterns == NULL: the array and each pattern buffer are separate
 * malloc() blocks (so free() works for B.01 callers), *ret_allocated is
 * set. Otherwise the caller's allocatedNumber / allocatedSize are honoured:
 * what fits is copied, patternsNumber and every patternSize report the real
 * values, and SA_AIS_ERR_NO_SPACE says something did not fit.
 * SA_AIS_ERR_NO_MEMORY when allocation failed (nothing handed out).
 */
SaAisErrorT evt_patterns_export(const SaEvtEventPatternT *src, size_t n,
                                SaEvtEventPatternArrayT *dst, bool *ret_allocated);

/** Free an array evt_patterns_export allocated (n entries). */
void evt_patterns_release(SaEvtEventPatternT *patterns, size_t n);

#endif
