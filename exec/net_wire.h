/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transport's frame header, in front of every totem frame (before
 * encryption). Its own header so that test programs that craft frames
 * (test/cluster/framegen.c) use the same layout as the daemon.
 */
#ifndef AIS_EXEC_NET_WIRE_H
#define AIS_EXEC_NET_WIRE_H

#include <stdint.h>

#define NET_MAGIC 0x41495354u /* "AIST" */
#define NET_VERSION 1
#define NET_WIRE_HEADER_LEN 16

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
