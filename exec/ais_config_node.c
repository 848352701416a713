/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which configured node is this one (DESIGN section 6), and the small
 * address helpers the configuration uses: parsing and printing IPv4/IPv6
 * literals, comparing them, and listing this host's addresses with
 * getifaddrs(). The choice takes the host's address list as a parameter so
 * tests can hand in a made-up one.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ais/inject.h>

#include "ais_config.h"

int ais_addr_parse(const char *text, struct ais_addr *ret)
{
	struct ais_addr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, text, a.bytes) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, text, a.bytes) == 1)
		a.family = AF_INET6;
	else
		return -EINVAL;
	*ret = a;
	return 0;
}

const char *ais_addr_to_string(const struct ais_addr *addr, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (addr->family == AF_INET || addr->family == AF_INET6) {
		if (!inet_ntop(addr->family, addr->bytes, buf, (socklen_t)len))
			buf[0] = '\0';
	}
	return buf;
}

bool ais_addr_equal(const struct ais_addr *a, const struct ais_addr *b)
{
	size_t n = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && memcmp(a->bytes, b->bytes, n) == 0;
}

int ais_local_addrs_get(struct ais_local_addrs *ret)
{
	struct ifaddrs *list, *ifa;
	struct ais_local_addrs *out;
	int r = 0;

	if (getifaddrs(&list) < 0)
		return -errno;
	out = ais_calloc(1, sizeof(*out));
	if (!out) {
		r = -ENOMEM;
		goto out_free_list;
	}
	for (ifa = list; ifa && out->count < AIS_LOCAL_ADDRS_MAX; ifa = ifa->ifa_next) {
		struct ais_addr *a = &out->addr[out->count];

		if (!ifa->ifa_addr)
			continue;
		if (ifa->ifa_addr->sa_family == AF_INET) {
			struct sockaddr_in sin;

			memcpy(&sin, ifa->ifa_addr, sizeof(sin));
			a->family = AF_INET;
			memcpy(a->bytes, &sin.sin_addr, 4);
			out->count++;
		} else if (ifa->ifa_addr->sa_family == AF_INET6) {
			struct sockaddr_in6 sin6;

			memcpy(&sin6, ifa->ifa_addr, sizeof(sin6));
			a->family = AF_INET6;
			memcpy(a->bytes, &sin6.sin6_addr, 16);
			out->count++;
		}
	}
	*ret = *out;
	free(out);
out_free_list:
	freeifaddrs(list);
	return r;
}

const struct ais_config_node *ais_config_node_find(const struct ais_config *cfg, uint32_t nodeid)
{
	for (size_t i = 0; i < cfg->node_count && i < TOTEM_PROCESSORS_MAX; i++)
		if (cfg->nodes[i].nodeid == nodeid)
			return &cfg->nodes[i];
	return NULL;
}

static bool addr_is_local(const struct ais_local_addrs *addrs, const struct ais_addr *a)
{
	for (size_t i = 0; i < addrs->count && i < AIS_LOCAL_ADDRS_MAX; i++)
		if (ais_addr_equal(&addrs->addr[i], a))
			return true;
	return false;
}

/* The third rule: exactly one entry holds an address of this host. */
static int pick_by_host(const struct ais_config *cfg, const struct ais_local_addrs *addrs, size_t *ret_index,
			char *err, size_t errlen)
{
	char list[512] = "", buf[INET6_ADDRSTRLEN];
	size_t found = 0, index = 0, n = 0;

	for (size_t i = 0; i < cfg->node_count; i++) {
		const struct ais_config_node *node = &cfg->nodes[i];

		if (!addr_is_local(addrs, &node->ring0_addr))
			continue;
		if (found++ == 0)
			index = i;
		if (n < sizeof(list))
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%snodeid %" PRIu32 " (%s)", n ? ", " : "",
					      node->nodeid, ais_addr_to_string(&node->ring0_addr, buf, sizeof(buf)));
	}
	if (found == 1) {
		*ret_index = index;
		return 0;
	}
	if (found == 0)
		snprintf(err, errlen, "no nodelist entry has an address of this host;"
			 " set totem { nodeid } or interface { bindnetaddr }");
	else
		snprintf(err, errlen, "several nodelist entries have an address of this host: %s;"
			 " set totem { nodeid } or interface { bindnetaddr }", list);
	return -EINVAL;
}

static int pick_without_nodelist(const struct ais_config *cfg, uint32_t *ret_nodeid, char *err, size_t errlen)
{
	uint32_t id;

	if (cfg->totem.nodeid) {
		*ret_nodeid = cfg->totem.nodeid;
		return 0;
	}
	if (cfg->iface.bindnetaddr.family != AF_INET) {
		snprintf(err, errlen, "without a nodelist, set totem { nodeid } or an IPv4"
			 " interface { bindnetaddr } to derive it from");
		return -EINVAL;
	}
	memcpy(&id, cfg->iface.bindnetaddr.bytes, sizeof(id));
	id = ntohl(id);
	if (id == 0) {
		snprintf(err, errlen, "bindnetaddr 0.0.0.0 gives node id 0; set totem { nodeid }");
		return -EINVAL;
	}
	*ret_nodeid = id;
	return 0;
}

/* Check the totem values with the node id filled in, then store it. */
static int pick_commit(struct ais_config *cfg, uint32_t nodeid, int index, char *err, size_t errlen)
{
	struct totem_config t = cfg->totem;

	t.nodeid = nodeid;
	t.node_count = (uint32_t)cfg->node_count;
	if (totem_config_validate(&t, err, errlen) < 0)
		return -EINVAL;
	cfg->totem = t;
	cfg->local_node = index;
	return 0;
}

int ais_config_pick_node(struct ais_config *cfg, const struct ais_local_addrs *addrs_or_null, char *err,
			 size_t errlen)
{
	struct ais_local_addrs *own = NULL;
	const struct ais_local_addrs *addrs = addrs_or_null;
	size_t index = 0;
	uint32_t nodeid = 0;
	bool found = false;
	int r;

	if (errlen)
		err[0] = '\0';
	if (cfg->node_count == 0) {
		r = pick_without_nodelist(cfg, &nodeid, err, errlen);
		if (r < 0)
			return r;
		return pick_commit(cfg, nodeid, -1, err, errlen);
	}
	if (cfg->totem.nodeid) {
		for (size_t i = 0; i < cfg->node_count && !found; i++)
			if (cfg->nodes[i].nodeid == cfg->totem.nodeid)
				index = i, found = true;
		if (!found) {
			snprintf(err, errlen, "totem { nodeid: %" PRIu32 " } is not in the nodelist", cfg->totem.nodeid);
			return -EINVAL;
		}
	}
	/* bindnetaddr may also be a network address (udp): no match falls through. */
	if (!found && cfg->iface.bindnetaddr.family != AF_UNSPEC) {
		for (size_t i = 0; i < cfg->node_count && !found; i++)
			if (ais_addr_equal(&cfg->nodes[i].ring0_addr, &cfg->iface.bindnetaddr))
				index = i, found = true;
	}
	if (!found) {
		if (!addrs) {
			own = ais_malloc(sizeof(*own));
			if (!own)
				return -ENOMEM;
			r = ais_local_addrs_get(own);
			if (r < 0) {
				snprintf(err, errlen, "cannot list the addresses of this host: %s", strerror(-r));
				goto out_free;
			}
			addrs = own;
		}
		r = pick_by_host(cfg, addrs, &index, err, errlen);
		if (r < 0)
			goto out_free;
	}
	nodeid = cfg->nodes[index].nodeid;
	r = 0;
out_free:
	free(own);
	if (r < 0)
		return r;
	return pick_commit(cfg, nodeid, cfg->node_count ? (int)index : -1, err, errlen);
}
