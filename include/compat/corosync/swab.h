/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compatibility for programs written for Corosync: <corosync/swab.h>, the
 * byte-swap macros some CPG programs use (testcpg turns a node id into an
 * IPv4 address with swab32). Each swaps the bytes of a 16, 32 or 64-bit
 * unsigned value.
 */
#ifndef AIS_COMPAT_COROSYNC_SWAB_H
#define AIS_COMPAT_COROSYNC_SWAB_H

#include <stdint.h>

#define swab16(x) ((uint16_t)__builtin_bswap16((uint16_t)(x)))
#define swab32(x) ((uint32_t)__builtin_bswap32((uint32_t)(x)))
#define swab64(x) ((uint64_t)__builtin_bswap64((uint64_t)(x)))

#endif
