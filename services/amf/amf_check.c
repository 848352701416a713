/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `aisexec -t` for the AMF configuration: find the file named by
 * aisexec.conf, load it with amf_config_load() and print what it reports.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "amf_check.h"
#include "amf_config.h"

static void amf_check_print(void *ctx, enum amf_diag_severity sev, const char *file, unsigned line, const char *msg)
{
	char buf[1024];

	amf_diag_format(buf, sizeof(buf), sev, file, line, msg);
	fprintf(ctx, "aisexec: %s\n", buf);
}

int amf_config_check(const char *conf_path, const char *amf_file, bool verbose, FILE *out, FILE *err)
{
	struct amf_cluster *cluster = NULL;
	const char *file = amf_file ? amf_file : AMF_CONFIG_FILE_DEFAULT;
	const char *slash = strrchr(conf_path, '/');
	char *path = NULL;
	int r;

	if (file[0] != '/' && slash) {
		size_t dl = (size_t)(slash - conf_path);

		path = malloc(dl + strlen(file) + 2);
		if (!path) {
			fprintf(err, "aisexec: %s: out of memory\n", file);
			return -ENOMEM;
		}
		sprintf(path, "%.*s/%s", (int)dl, conf_path, file);
		file = path;
	}
	r = amf_config_load(file, amf_check_print, err, NULL, NULL, &cluster);
	if (r == 0 && verbose && amf_config_summary(cluster, out) < 0)
		r = -EIO;
	amf_cluster_free(cluster);
	free(path);
	return r;
}
