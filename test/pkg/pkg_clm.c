/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkg_clm: an SA Forum CLM client built against the installed
 * libsaclm-dev (by deb-install.sh inside the package test root). Prints
 * the local node as "node ID NAME member|not-member".
 */
#include <stdio.h>
#include <saClm.h>
#include <ais/client.h>

int main(void)
{
	SaVersionT ver = { 'B', 1, 1 };
	SaClmHandleT h;
	SaClmClusterNodeT node;
	SaAisErrorT r;

	r = saClmInitialize(&h, NULL, &ver);
	if (r != SA_AIS_OK) {
		const char *why = saClmInitializeErrorText();
		fprintf(stderr, "saClmInitialize: error %d: %s\n", (int)r, why ? why : "?");
		return 1;
	}
	r = saClmClusterNodeGet(h, SA_CLM_LOCAL_NODE_ID, 10 * SA_TIME_ONE_SECOND, &node);
	if (r != SA_AIS_OK) {
		fprintf(stderr, "saClmClusterNodeGet: error %d\n", (int)r);
		return 1;
	}
	printf("node %u %.*s %s\n", (unsigned)node.nodeId, (int)node.nodeName.length,
	       (const char *)node.nodeName.value, node.member == SA_TRUE ? "member" : "not-member");
	saClmFinalize(h);
	return 0;
}
