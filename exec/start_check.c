/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration checks against the machine (start_check.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "service.h"
#include "start_check.h"

struct check {
	const struct ais_config *cfg;
	const char *conf_path;
	FILE *err;
	unsigned problems;
};

__attribute__((format(printf, 3, 4)))
static void problem(struct check *c, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (line)
		fprintf(c->err, "aisexec: %s:%u: ", c->conf_path, line);
	else
		fprintf(c->err, "aisexec: %s: ", c->conf_path);
	va_start(ap, fmt);
	vfprintf(c->err, fmt, ap);
	va_end(ap);
	fputc('\n', c->err);
	c->problems++;
}

/* The first of the keys (NULL-terminated) that the file sets in section. */
static unsigned first_line(const struct ais_config *cfg, const char *section, const char *const *keys)
{
	for (size_t i = 0; keys[i] != NULL; i++) {
		unsigned line = ais_config_key_line(cfg, section, keys[i], 0);
		if (line)
			return line;
	}
	return 0;
}

static void check_keyfile(struct check *c)
{
	static const char *const keys[] = { "keyfile", "secauth", "crypto_cipher", "crypto_hash", NULL };
	const struct ais_config *cfg = c->cfg;
	uint8_t key[CRYPTO_KEY_MAX];
	char why[512];
	size_t len = 0;

	if (cfg->crypto_hash == AIS_HASH_NONE && cfg->crypto_cipher == AIS_CIPHER_NONE)
		return;
	if (crypto_key_load(cfg->keyfile != NULL ? cfg->keyfile : AIS_CONFIG_KEYFILE_DEFAULT, key, sizeof(key),
			    &len, why, sizeof(why)) < 0)
		problem(c, first_line(cfg, "totem", keys), "%s", why);
	memset(key, 0, sizeof(key));
}

static void check_ids(struct check *c)
{
	const struct ais_config *cfg = c->cfg;

	errno = 0;
	if (cfg->aisexec.user != NULL && getpwnam(cfg->aisexec.user) == NULL)
		problem(c, ais_config_key_line(cfg, "aisexec", "user", 0), "unknown user '%s'%s%s",
			cfg->aisexec.user, errno ? ": " : "", errno ? strerror(errno) : "");
	errno = 0;
	if (cfg->aisexec.group != NULL && getgrnam(cfg->aisexec.group) == NULL)
		problem(c, ais_config_key_line(cfg, "aisexec", "group", 0), "unknown group '%s'%s%s",
			cfg->aisexec.group, errno ? ": " : "", errno ? strerror(errno) : "");
}

/* A file that must exist and be a readable regular file; -errno with why. */
static int file_readable(const char *path, const char **why)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		*why = strerror(errno);
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		return -EINVAL;
	}
	if (access(path, R_OK) < 0) {
		*why = strerror(errno);
		return -errno;
	}
	return 0;
}

static bool builtin(const char *name)
{
	for (size_t i = 0; i < service_builtin_count; i++) {
		if (strcmp(service_builtins[i]->name, name) == 0)
			return true;
	}
	return false;
}

static void check_plugins(struct check *c, const char *plugin_dir)
{
	const struct ais_config *cfg = c->cfg;
	char path[PATH_MAX];
	const char *why;

	for (size_t i = 0; i < cfg->service_count; i++) {
		const struct ais_config_service *s = &cfg->services[i];
		unsigned line;

		if (s->path == NULL && builtin(s->name))
			continue;
		line = ais_config_key_line(cfg, "service", s->path != NULL ? "path" : "name", i);
		if (line == 0)
			line = s->line;
		if (s->path != NULL)
			snprintf(path, sizeof(path), "%s", s->path);
		else if (snprintf(path, sizeof(path), "%s/%s.so", plugin_dir, s->name) >= (int)sizeof(path)) {
			problem(c, line, "service plugin %s/%s.so: path too long", plugin_dir, s->name);
			continue;
		}
		if (file_readable(path, &why) < 0)
			problem(c, line, "service plugin %s: %s", path, why);
	}
}

/* The directory part of path into buf ("." when none). */
static void dir_of(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(buf, len, ".");
	else if (slash == path)
		snprintf(buf, len, "/");
	else
		snprintf(buf, len, "%.*s", (int)(slash - path), path);
}

static void check_logfile(struct check *c)
{
	static const char *const keys[] = { "logfile", "to_logfile", NULL };
	const struct ais_config *cfg = c->cfg;
	const char *path = cfg->logging.logfile != NULL ? cfg->logging.logfile : AIS_CONFIG_LOGFILE_DEFAULT;
	unsigned line = first_line(cfg, "logging", keys);
	char dir[PATH_MAX];
	struct stat st;

	if (!cfg->logging.to_logfile)
		return;
	if (lstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			problem(c, line, "log file %s: not a regular file", path);
		return;
	}
	dir_of(path, dir, sizeof(dir));
	if (stat(dir, &st) < 0)
		problem(c, line, "log file %s: directory %s: %s", path, dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		problem(c, line, "log file %s: %s is not a directory", path, dir);
}

static void check_rundir(struct check *c)
{
	const struct ais_config *cfg = c->cfg;
	struct stat st;

	if (!cfg->aisexec.rundir_set || cfg->aisexec.rundir == NULL)
		return;
	if (stat(cfg->aisexec.rundir, &st) == 0 && !S_ISDIR(st.st_mode))
		problem(c, ais_config_key_line(cfg, "aisexec", "rundir", 0), "rundir %s: not a directory",
			cfg->aisexec.rundir);
}

unsigned start_check(const struct ais_config *cfg, const char *conf_path, const char *plugin_dir, FILE *err)
{
	struct check c = { .cfg = cfg, .conf_path = conf_path, .err = err };

	check_keyfile(&c);
	check_ids(&c);
	check_plugins(&c, plugin_dir);
	check_logfile(&c);
	check_rundir(&c);
	return c.problems;
}
