/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transport's frame header, in front of every totem frame (before
 * encryption). Its own header so that test programs that craft frames
 * (test/cluster/framegen.c) use the same layout as the daemon.
 *
 * Two versions, chosen by the frame protection, not negotiated:
 *
 *   version 1 (NET_VERSION, no frame authentication: secauth off)
 *     [net_wire_header 16][totem frame]
 *
 *   version 2 (NET_VERSION_SEQ, every authenticating crypto setting)
 *     [net_wire_header 16][seq 8, little-endian][totem frame]
 *
 * Both lie inside the crypto envelope, so with secauth the sequence number
 * is authenticated (and encrypted with a cipher). seq is the sender's frame
 * counter for replay protection (exec/net_replay.h): it grows by one per
 * frame built (a frame sent to several peers keeps one number) and never
 * goes backwards, not even across restarts: the high 32 bits are an epoch
 * chosen at start, max(CLOCK_REALTIME seconds, the epoch stored in the
 * run directory's "txepoch" file + 1), the low 32 bits count frames.
 * A receiver that authenticates frames accepts only version 2, one that
 * does not accepts only version 1 (rx_bad_header otherwise): a cluster
 * runs one or the other, as it runs one key.
 */
#ifndef AIS_EXEC_NET_WIRE_H
#define AIS_EXEC_NET_WIRE_H

#include <stdint.h>

#define NET_MAGIC 0x41495354u /* "AIST" */
#define NET_VERSION 1
#define NET_VERSION_SEQ 2
#define NET_WIRE_HEADER_LEN 16
/** Bytes of sender sequence number after the header (version 2). */
#define NET_WIRE_SEQ_LEN 8

/* Wire header, little-endian. */
struct net_wire_header {
	uint32_t magic;
	uint16_t version;
	uint16_t flags;
	uint32_t cluster;  /**< net_cluster_hash(cluster_name) */
	uint32_t sender;
} __attribute__((packed));
_Static_assert(sizeof(struct net_wire_header) == NET_WIRE_HEADER_LEN, "net header size");
_Static_assert(__builtin_offsetof(struct net_wire_header, sender) == 12, "net header layout");

/** FNV-1a of the cluster name: frames of another cluster are dropped. */
static inline uint32_t net_cluster_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; s != NULL && *s != '\0'; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	}
	return h;
}

#endif
