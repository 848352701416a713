/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parser of aisexec.conf (DESIGN section 6) and printer of the effective
 * configuration. Every section and every key is one row of a table below
 * (STYLE item 10): key name, value type, offset of the field it fills,
 * bounds; four generic setters (bool, uint, enum, text) and two address and
 * id setters parse every row, and the dump walks the same tables. Adding an
 * option is one row.
 *
 * Input is outside data: every line, length and count is checked and the
 * first problem stops the parse with "FILE:LINE: reason". Which nodelist
 * entry is this node is decided later, by ais_config_pick_node()
 * (ais_config_node.c), because it depends on the host and not on the file.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <ais/inject.h>

#include "ais_config.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------ */
/* Tables                                                                    */

enum key_type {
	KEY_BOOL,   /* on/off/yes/no into bool */
	KEY_UINT,   /* decimal into uint32_t, min..max */
	KEY_ENUM,   /* one of vals[] into an int-sized enum */
	KEY_STR,    /* malloc'd char *, at most max characters */
	KEY_CHARS,  /* inline char[max + 1] */
	KEY_ADDR,   /* IPv4/IPv6 literal into struct ais_addr */
	KEY_UID,    /* user name or number, appended to a uid_t list */
	KEY_GID,    /* group name or number, appended to a gid_t list */
};

#define KEY_REQUIRED 0x1u /* the section is incomplete without it */
#define KEY_REPEAT 0x2u   /* may appear many times (lists) */
#define KEY_DUMP_SET 0x4u /* dump only when non-zero / set */

struct enum_val {
	const char *name;
	int value;
};

typedef int (*key_check_fn)(const char *value, char *why, size_t whylen);

struct key_def {
	const char *name;
	enum key_type type;
	size_t off;                 /* field, from the section's base */
	uint32_t min, max;          /* uint range; text length; list length */
	const struct enum_val *vals; /* KEY_ENUM / KEY_BOOL names, NULL-terminated */
	size_t count_off;           /* KEY_UID/KEY_GID: the list's count */
	unsigned int flags;
	key_check_fn check;         /* extra rule for text values */
};

struct parser;
struct frame;

struct section_def {
	const char *name;
	unsigned int id;            /* index into parser.section_line[] */
	const struct key_def *keys;
	size_t nkeys;
	const struct section_def *const *children; /* NULL-terminated */
	bool repeat;                /* one element per occurrence */
	size_t array_off, count_off, elem_size, max; /* repeat: where elements go */
	size_t line_off;            /* repeat: the element's line field */
	int (*close)(struct parser *p, struct frame *fr);
};

static const struct enum_val bool_vals[] = {
	{ "on", 1 }, { "off", 0 }, { "yes", 1 }, { "no", 0 }, { NULL, 0 },
};
static const struct enum_val transport_vals[] = {
	{ "udpu", AIS_TRANSPORT_UDPU }, { "udp", AIS_TRANSPORT_UDP }, { NULL, 0 },
};
static const struct enum_val cipher_vals[] = {
	{ "none", AIS_CIPHER_NONE }, { "aes256", AIS_CIPHER_AES256 },
	{ "aes192", AIS_CIPHER_AES192 }, { "aes128", AIS_CIPHER_AES128 }, { NULL, 0 },
};
static const struct enum_val hash_vals[] = {
	{ "none", AIS_HASH_NONE }, { "sha1", AIS_HASH_SHA1 }, { "sha256", AIS_HASH_SHA256 },
	{ "sha384", AIS_HASH_SHA384 }, { "sha512", AIS_HASH_SHA512 }, { NULL, 0 },
};
static const struct enum_val debug_vals[] = {
	{ "off", AIS_LOG_DEBUG_OFF }, { "on", AIS_LOG_DEBUG_ON },
	{ "trace", AIS_LOG_DEBUG_TRACE }, { NULL, 0 },
};
static const struct enum_val timestamp_vals[] = {
	{ "off", AIS_LOG_TIMESTAMP_OFF }, { "on", AIS_LOG_TIMESTAMP_ON },
	{ "hires", AIS_LOG_TIMESTAMP_HIRES }, { NULL, 0 },
};
static const struct enum_val facility_vals[] = {
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER }, { "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 }, { NULL, 0 },
};
static const struct enum_val amf_mode_vals[] = {
	{ "enabled", AIS_AMF_ENABLED }, { "disabled", AIS_AMF_DISABLED }, { NULL, 0 },
};

/* Enums are written through an int: make sure they are int-sized. */
_Static_assert(sizeof(enum ais_transport) == sizeof(int), "enum size");
_Static_assert(sizeof(enum ais_crypto_cipher) == sizeof(int), "enum size");
_Static_assert(sizeof(enum ais_crypto_hash) == sizeof(int), "enum size");
_Static_assert(sizeof(enum ais_log_debug) == sizeof(int), "enum size");
_Static_assert(sizeof(enum ais_log_timestamp) == sizeof(int), "enum size");
_Static_assert(sizeof(enum ais_amf_mode) == sizeof(int), "enum size");

static int check_name_chars(const char *value, char *why, size_t whylen)
{
	for (const char *c = value; *c; c++) {
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-' && *c != '.') {
			snprintf(why, whylen, "may only hold letters, digits, '.', '_' and '-'");
			return -EINVAL;
		}
	}
	return 0;
}

/* A directory the daemon opens whatever its working directory: absolute. */
static int check_absolute(const char *value, char *why, size_t whylen)
{
	if (value[0] != '/') {
		snprintf(why, whylen, "must be an absolute path");
		return -EINVAL;
	}
	return 0;
}

#define CFG struct ais_config
#define K_BOOL(n, f, fl) { n, KEY_BOOL, offsetof(CFG, f), 0, 1, bool_vals, 0, fl, NULL }
#define K_UINT(n, f, lo, hi, fl) { n, KEY_UINT, offsetof(CFG, f), lo, hi, NULL, 0, fl, NULL }
#define K_ENUM(n, f, v) { n, KEY_ENUM, offsetof(CFG, f), 0, 0, v, 0, 0, NULL }
#define K_STR(n, f, max, fl, chk) { n, KEY_STR, offsetof(CFG, f), 0, max, NULL, 0, fl, chk }
#define K_ADDR(n, f, fl) { n, KEY_ADDR, offsetof(CFG, f), 0, 0, NULL, 0, fl, NULL }

/* Totem times are milliseconds; 0 for token_retransmit, hold and consensus
 * means "derive from token" (totem_config_finish()). */
static const struct key_def totem_keys[] = {
	K_UINT("version", version, 2, 2, 0),
	K_STR("cluster_name", cluster_name, AIS_CONFIG_CLUSTER_NAME_MAX, KEY_DUMP_SET, check_name_chars),
	K_ENUM("transport", transport, transport_vals),
	K_UINT("nodeid", totem.nodeid, 1, UINT32_MAX, KEY_DUMP_SET),
	K_UINT("token", totem.token, 20, 600000, 0),
	K_UINT("token_coefficient", totem.token_coefficient, 0, 60000, 0),
	K_UINT("token_retransmits_before_loss_const", totem.token_retransmits_before_loss_const, 1, 100, 0),
	K_UINT("token_retransmit", totem.token_retransmit, 0, 600000, 0),
	K_UINT("token_warning", totem.token_warning, 0, 100, 0),
	K_UINT("hold", totem.hold, 0, 600000, 0),
	K_UINT("join", totem.join, 1, 600000, 0),
	K_UINT("send_join", totem.send_join, 0, 10000, 0),
	K_UINT("consensus", totem.consensus, 0, 6000000, 0),
	K_UINT("merge", totem.merge, 1, 600000, 0),
	K_UINT("downcheck", totem.downcheck, 1, 600000, 0),
	K_UINT("fail_recv_const", totem.fail_recv_const, 1, 1000000, 0),
	K_UINT("seqno_unchanged_const", totem.seqno_unchanged_const, 1, 1000000, 0),
	K_UINT("miss_count_const", totem.miss_count_const, 1, 1000, 0),
	K_UINT("max_messages", totem.max_messages, 1, 100000, 0),
	K_UINT("window_size", totem.window_size, 1, 100000, 0),
	K_UINT("accelerated_window", totem.accelerated_window, 0, 100000, 0),
	K_UINT("token_pace", totem.token_pace, 0, 100000, 0),
	K_UINT("netmtu", totem.netmtu, 576, 65000, 0),
	K_UINT("send_queue_max", totem.send_queue_max, 1, 1000000, 0),
	K_UINT("max_msg_size", totem.max_msg_size, 1024, 64 * 1024 * 1024, 0),
	K_UINT("seq_start", totem.seq_start, 0, UINT32_MAX, 0),
	K_BOOL("secauth", secauth, 0),
	K_ENUM("crypto_cipher", crypto_cipher, cipher_vals),
	K_ENUM("crypto_hash", crypto_hash, hash_vals),
	K_STR("keyfile", keyfile, AIS_CONFIG_PATH_MAX, 0, NULL),
	K_BOOL("fault_injection", fault_injection, 0),
	K_BOOL("udp_gso", udp_gso, 0),
};

static const struct key_def interface_keys[] = {
	K_UINT("ringnumber", iface.ringnumber, 0, 0, 0),
	K_ADDR("bindnetaddr", iface.bindnetaddr, KEY_DUMP_SET),
	K_ADDR("mcastaddr", iface.mcastaddr, KEY_DUMP_SET),
	K_UINT("mcastport", iface.mcastport, 1, 65535, 0),
	K_UINT("ttl", iface.ttl, 1, 255, 0),
};

static const struct key_def logging_keys[] = {
	K_BOOL("to_stderr", logging.to_stderr, 0),
	K_BOOL("to_logfile", logging.to_logfile, 0),
	K_STR("logfile", logging.logfile, AIS_CONFIG_PATH_MAX, 0, NULL),
	K_BOOL("to_syslog", logging.to_syslog, 0),
	K_ENUM("syslog_facility", logging.syslog_facility, facility_vals),
	K_ENUM("debug", logging.debug, debug_vals),
	K_ENUM("timestamp", logging.timestamp, timestamp_vals),
	K_BOOL("fileline", logging.fileline, 0),
	K_BOOL("blackbox", logging.blackbox, 0),
};

static const struct key_def aisexec_keys[] = {
	K_STR("user", aisexec.user, 32, KEY_DUMP_SET, check_name_chars),
	K_STR("group", aisexec.group, 32, KEY_DUMP_SET, check_name_chars),
	K_STR("instance", aisexec.instance, AIS_CONFIG_INSTANCE_MAX, KEY_DUMP_SET, check_name_chars),
	K_STR("rundir", aisexec.rundir, AIS_CONFIG_PATH_MAX, 0, NULL),
	K_STR("plugin_dir", aisexec.plugin_dir, AIS_CONFIG_PATH_MAX - 64, KEY_DUMP_SET, check_absolute),
	{ "ipc_allow_uid", KEY_UID, offsetof(CFG, aisexec.allow_uid), 0, AIS_CONFIG_IPC_IDS_MAX,
	  NULL, offsetof(CFG, aisexec.allow_uid_count), KEY_REPEAT, NULL },
	{ "ipc_allow_gid", KEY_GID, offsetof(CFG, aisexec.allow_gid), 0, AIS_CONFIG_IPC_IDS_MAX,
	  NULL, offsetof(CFG, aisexec.allow_gid_count), KEY_REPEAT, NULL },
	K_UINT("ipc_max_connections", aisexec.ipc_max_connections, 1, 65536, 0),
	K_UINT("ipc_max_connections_per_uid", aisexec.ipc_max_connections_per_uid, 1, 65536, 0),
	K_BOOL("sched_rr", aisexec.sched_rr, 0),
};

static const struct key_def amf_keys[] = {
	K_ENUM("mode", amf.mode, amf_mode_vals),
	K_STR("file", amf.file, AIS_CONFIG_PATH_MAX, KEY_DUMP_SET, NULL),
};
#undef CFG

/* Keys of repeatable sections: offsets from the element. */
static const struct key_def node_keys[] = {
	{ "nodeid", KEY_UINT, offsetof(struct ais_config_node, nodeid), 1, UINT32_MAX, NULL, 0, KEY_REQUIRED, NULL },
	{ "ring0_addr", KEY_ADDR, offsetof(struct ais_config_node, ring0_addr), 0, 0, NULL, 0, KEY_REQUIRED, NULL },
	{ "name", KEY_CHARS, offsetof(struct ais_config_node, name), 0, AIS_CONFIG_NODE_NAME_MAX, NULL, 0,
	  KEY_DUMP_SET, check_name_chars },
};

static const struct key_def subsys_keys[] = {
	{ "subsys", KEY_CHARS, offsetof(struct ais_config_subsys, subsys), 0, AIS_CONFIG_SUBSYS_NAME_MAX, NULL, 0,
	  KEY_REQUIRED, check_name_chars },
	{ "debug", KEY_ENUM, offsetof(struct ais_config_subsys, debug), 0, 0, debug_vals, 0, 0, NULL },
};

static const struct key_def service_keys[] = {
	{ "name", KEY_CHARS, offsetof(struct ais_config_service, name), 0, AIS_CONFIG_SERVICE_NAME_MAX, NULL, 0,
	  KEY_REQUIRED, check_name_chars },
	{ "ver", KEY_UINT, offsetof(struct ais_config_service, ver), 0, 255, NULL, 0, 0, NULL },
	{ "path", KEY_STR, offsetof(struct ais_config_service, path), 0, AIS_CONFIG_PATH_MAX, NULL, 0,
	  KEY_DUMP_SET, NULL },
};

/* The longest key table, for the per-frame "seen" bookkeeping. */
#define SECTION_KEYS_MAX 32
_Static_assert(ARRAY_SIZE(totem_keys) <= SECTION_KEYS_MAX, "seen mask too small");
_Static_assert(ARRAY_SIZE(interface_keys) <= SECTION_KEYS_MAX, "seen mask too small");
_Static_assert(ARRAY_SIZE(logging_keys) <= SECTION_KEYS_MAX, "seen mask too small");
_Static_assert(ARRAY_SIZE(aisexec_keys) <= SECTION_KEYS_MAX, "seen mask too small");
_Static_assert(ARRAY_SIZE(amf_keys) <= SECTION_KEYS_MAX, "seen mask too small");

static int totem_close(struct parser *p, struct frame *fr);
static int interface_close(struct parser *p, struct frame *fr);
static int node_close(struct parser *p, struct frame *fr);
static int subsys_close(struct parser *p, struct frame *fr);
static int service_close(struct parser *p, struct frame *fr);
static int aisexec_close(struct parser *p, struct frame *fr);

enum {
	SEC_ROOT, SEC_TOTEM, SEC_INTERFACE, SEC_NODELIST, SEC_NODE, SEC_LOGGING,
	SEC_SUBSYS, SEC_AISEXEC, SEC_SERVICE, SEC_AMF, SEC_COUNT,
};

#define SINGLE(n, i, k, ch, cl) { n, i, k, ARRAY_SIZE(k), ch, false, 0, 0, 0, 0, 0, cl }
#define REPEAT(n, i, k, type, arr, cnt, mx, cl)                                              \
	{ n, i, k, ARRAY_SIZE(k), NULL, true, offsetof(struct ais_config, arr),                \
	  offsetof(struct ais_config, cnt), sizeof(type), mx, offsetof(type, line), cl }

static const struct section_def sec_interface =
	SINGLE("interface", SEC_INTERFACE, interface_keys, NULL, interface_close);
static const struct section_def *const totem_children[] = { &sec_interface, NULL };
static const struct section_def sec_totem =
	SINGLE("totem", SEC_TOTEM, totem_keys, totem_children, totem_close);

static const struct section_def sec_node = REPEAT("node", SEC_NODE, node_keys, struct ais_config_node,
						  nodes, node_count, TOTEM_PROCESSORS_MAX, node_close);
static const struct section_def *const nodelist_children[] = { &sec_node, NULL };
static const struct section_def sec_nodelist = { "nodelist", SEC_NODELIST, NULL, 0, nodelist_children,
						 false, 0, 0, 0, 0, 0, NULL };

static const struct section_def sec_subsys =
	REPEAT("logger_subsys", SEC_SUBSYS, subsys_keys, struct ais_config_subsys, logging.subsys,
	       logging.subsys_count, AIS_CONFIG_SUBSYS_MAX, subsys_close);
static const struct section_def *const logging_children[] = { &sec_subsys, NULL };
static const struct section_def sec_logging = SINGLE("logging", SEC_LOGGING, logging_keys, logging_children, NULL);

static const struct section_def sec_aisexec = SINGLE("aisexec", SEC_AISEXEC, aisexec_keys, NULL, aisexec_close);
static const struct section_def sec_service =
	REPEAT("service", SEC_SERVICE, service_keys, struct ais_config_service, services, service_count,
	       AIS_CONFIG_SERVICES_MAX, service_close);
static const struct section_def sec_amf = SINGLE("amf", SEC_AMF, amf_keys, NULL, NULL);

static const struct section_def *const root_children[] = {
	&sec_totem, &sec_nodelist, &sec_logging, &sec_aisexec, &sec_service, &sec_amf, NULL,
};
static const struct section_def sec_root = { "", SEC_ROOT, NULL, 0, root_children, false, 0, 0, 0, 0, 0, NULL };

/* ------------------------------------------------------------------------ */
/* Parser state                                                              */

struct frame {
	const struct section_def *def;
	void *base;                 /* where the section's key offsets start */
	unsigned int line;          /* where it opened */
	uint32_t seen;              /* bit per key row */
	unsigned int key_line[SECTION_KEYS_MAX];
};

struct parser {
	struct ais_config *cfg;
	const char *file;
	unsigned int line;
	char *err;
	size_t errlen;
	unsigned int section_line[SEC_COUNT]; /* first occurrence of single sections */
	size_t depth;
	struct frame stack[AIS_CONFIG_DEPTH_MAX];
};

/* printf-style message with "FILE:LINE: " in front (line 0: "FILE: "). */
__attribute__((format(printf, 3, 4)))
static int parse_error_at(struct parser *p, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->errlen == 0)
		return -EINVAL;
	if (line)
		n = snprintf(p->err, p->errlen, "%s:%u: ", p->file, line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->file);
	if (n < 0 || (size_t)n >= p->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A value as it may appear inside a message: printable, at most 64 chars. */
static const char *value_show(const char *v, char *buf, size_t len)
{
	size_t i = 0;

	for (; *v && i + 4 < len && i < 64; v++)
		buf[i++] = isprint((unsigned char)*v) ? *v : '?';
	if (*v && i + 4 <= len) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* ------------------------------------------------------------------------ */
/* Setters: one per key type                                                 */

static int enum_lookup(const struct enum_val *vals, const char *value, int *ret)
{
	for (const struct enum_val *e = vals; e->name; e++) {
		if (strcmp(e->name, value) == 0) {
			*ret = e->value;
			return 0;
		}
	}
	return -EINVAL;
}

static int enum_error(struct parser *p, const struct key_def *k, const char *value)
{
	char list[256] = "", show[80];
	size_t n = 0;

	for (const struct enum_val *e = k->vals; e->name && n < sizeof(list); e++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", e->name);
	return parse_error_at(p, p->line, "%s: '%s' is not one of %s", k->name,
			      value_show(value, show, sizeof(show)), list);
}

/* Decimal digits only; 1 when the number does not fit 32 bits. */
static int uint_parse(const char *value, uint32_t *ret, bool *ret_big)
{
	uint64_t v = 0;
	bool big = false;

	if (*value == '\0')
		return -EINVAL;
	for (const char *c = value; *c; c++) {
		if (*c < '0' || *c > '9')
			return -EINVAL;
		if (!big)
			v = v * 10 + (uint64_t)(*c - '0');
		if (v > UINT32_MAX)
			big = true;
	}
	*ret = (uint32_t)v;
	*ret_big = big;
	return 0;
}

static int set_uint(struct parser *p, const struct key_def *k, void *field, const char *value)
{
	char show[80];
	uint32_t v;
	bool big;

	if (uint_parse(value, &v, &big) < 0)
		return parse_error_at(p, p->line, "%s: '%s' is not a number", k->name,
				      value_show(value, show, sizeof(show)));
	if (big || v < k->min || v > k->max)
		return parse_error_at(p, p->line, "%s: %s is out of range (allowed %" PRIu32 "..%" PRIu32 ")",
				      k->name, value_show(value, show, sizeof(show)), k->min, k->max);
	memcpy(field, &v, sizeof(v));
	return 0;
}

static int set_text(struct parser *p, const struct key_def *k, void *field, const char *value)
{
	char why[128];
	size_t len = strlen(value);

	if (len > k->max)
		return parse_error_at(p, p->line, "%s: value longer than %" PRIu32 " characters", k->name, k->max);
	if (k->check && k->check(value, why, sizeof(why)) < 0) {
		char show[80];

		return parse_error_at(p, p->line, "%s: '%s' %s", k->name, value_show(value, show, sizeof(show)), why);
	}
	if (k->type == KEY_CHARS) {
		memcpy(field, value, len + 1);
		return 0;
	}
	char *copy = ais_strdup(value);
	char *old;

	if (!copy)
		return -ENOMEM;
	memcpy(&old, field, sizeof(old));
	free(old);
	memcpy(field, &copy, sizeof(copy));
	return 0;
}

static int set_addr(struct parser *p, const struct key_def *k, void *field, const char *value)
{
	struct ais_addr a;
	char show[80];

	if (ais_addr_parse(value, &a) < 0)
		return parse_error_at(p, p->line, "%s: '%s' is not an IPv4 or IPv6 address", k->name,
				      value_show(value, show, sizeof(show)));
	memcpy(field, &a, sizeof(a));
	return 0;
}

/* A uid or gid: a number, or a name this host knows. */
static int id_resolve(bool user, const char *value, uint32_t *ret)
{
	long bufsize = sysconf(user ? _SC_GETPW_R_SIZE_MAX : _SC_GETGR_R_SIZE_MAX);
	bool found = false;
	uint32_t v;
	bool big;
	char *buf;

	if (uint_parse(value, &v, &big) == 0) {
		if (big || v == UINT32_MAX)
			return -ERANGE;
		*ret = v;
		return 0;
	}
	if (check_name_chars(value, NULL, 0) < 0)
		return -EINVAL;
	if (bufsize <= 0)
		bufsize = 16384;
	buf = ais_malloc((size_t)bufsize);
	if (!buf)
		return -ENOMEM;
	if (user) {
		struct passwd pw, *res = NULL;

		if (getpwnam_r(value, &pw, buf, (size_t)bufsize, &res) == 0 && res) {
			v = (uint32_t)pw.pw_uid;
			found = true;
		}
	} else {
		struct group gr, *res = NULL;

		if (getgrnam_r(value, &gr, buf, (size_t)bufsize, &res) == 0 && res) {
			v = (uint32_t)gr.gr_gid;
			found = true;
		}
	}
	free(buf);
	if (!found)
		return -ENOENT;
	*ret = v;
	return 0;
}

static int set_id(struct parser *p, const struct key_def *k, void *field, size_t *count, const char *value)
{
	char show[80];
	uint32_t id = UINT32_MAX;
	int r;

	if (*count >= k->max)
		return parse_error_at(p, p->line, "%s: more than %" PRIu32 " entries", k->name, k->max);
	r = id_resolve(k->type == KEY_UID, value, &id);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || id == UINT32_MAX)
		return parse_error_at(p, p->line, "%s: '%s' is not a %s name or number", k->name,
				      value_show(value, show, sizeof(show)), k->type == KEY_UID ? "user" : "group");
	if (k->type == KEY_UID) {
		uid_t u = (uid_t)id;

		memcpy((char *)field + *count * sizeof(uid_t), &u, sizeof(u));
	} else {
		gid_t g = (gid_t)id;

		memcpy((char *)field + *count * sizeof(gid_t), &g, sizeof(g));
	}
	(*count)++;
	return 0;
}

static int key_set(struct parser *p, const struct key_def *k, void *base, const char *value)
{
	void *field = (char *)base + k->off;
	int v;

	switch (k->type) {
	case KEY_BOOL:
		if (enum_lookup(k->vals, value, &v) < 0)
			return enum_error(p, k, value);
		*(bool *)field = v != 0;
		return 0;
	case KEY_ENUM:
		if (enum_lookup(k->vals, value, &v) < 0)
			return enum_error(p, k, value);
		memcpy(field, &v, sizeof(v));
		return 0;
	case KEY_UINT:
		return set_uint(p, k, field, value);
	case KEY_STR:
	case KEY_CHARS:
		return set_text(p, k, field, value);
	case KEY_ADDR:
		return set_addr(p, k, field, value);
	case KEY_UID:
	case KEY_GID:
		return set_id(p, k, field, (size_t *)(void *)((char *)base + k->count_off), value);
	}
	return -EINVAL;
}

/* ------------------------------------------------------------------------ */
/* Sections                                                                  */

static const struct section_def *section_child(const struct section_def *def, const char *name)
{
	for (size_t i = 0; def->children && def->children[i]; i++)
		if (strcmp(def->children[i]->name, name) == 0)
			return def->children[i];
	return NULL;
}

static int section_open(struct parser *p, const char *name)
{
	const struct section_def *parent = p->stack[p->depth - 1].def;
	const struct section_def *def = section_child(parent, name);
	struct frame *fr;
	char show[80];
	void *base = p->cfg;

	if (!def) {
		if (p->depth == 1)
			return parse_error_at(p, p->line, "unknown section '%s'", value_show(name, show, sizeof(show)));
		return parse_error_at(p, p->line, "unknown section '%s' in section '%s'",
				      value_show(name, show, sizeof(show)), parent->name);
	}
	/* The schema is at most AIS_CONFIG_DEPTH_MAX deep, so this holds. */
	if (p->depth >= AIS_CONFIG_DEPTH_MAX)
		return parse_error_at(p, p->line, "sections nested too deeply");
	if (def->repeat) {
		size_t *count = (size_t *)(void *)((char *)p->cfg + def->count_off);
		unsigned int *line;

		if (*count >= def->max)
			return parse_error_at(p, p->line, "too many '%s' sections (at most %zu)", def->name, def->max);
		base = (char *)p->cfg + def->array_off + *count * def->elem_size;
		line = (unsigned int *)(void *)((char *)base + def->line_off);
		*line = p->line;
		(*count)++;
	} else {
		if (p->section_line[def->id])
			return parse_error_at(p, p->line, "duplicate section '%s' (first at line %u)", def->name,
					      p->section_line[def->id]);
		p->section_line[def->id] = p->line;
	}
	fr = &p->stack[p->depth++];
	memset(fr, 0, sizeof(*fr));
	fr->def = def;
	fr->base = base;
	fr->line = p->line;
	return 0;
}

static int section_close(struct parser *p)
{
	struct frame *fr;
	int r = 0;

	if (p->depth <= 1)
		return parse_error_at(p, p->line, "unexpected '}' with no open section");
	fr = &p->stack[p->depth - 1];
	for (size_t i = 0; i < fr->def->nkeys; i++) {
		const struct key_def *k = &fr->def->keys[i];

		if ((k->flags & KEY_REQUIRED) && !(fr->seen & (1u << i)))
			return parse_error_at(p, 0, "missing required key '%s' in '%s' at line %u", k->name,
					      fr->def->name, fr->line);
	}
	if (fr->def->close)
		r = fr->def->close(p, fr);
	p->depth--;
	return r;
}

/* Remember where key was set; the nth occurrence of a section is told apart
 * by the frame's line (see ais_config_key_line). */
static void keyline_record(struct parser *p, const struct frame *fr, const char *key)
{
	struct ais_config *cfg = p->cfg;
	struct ais_config_keyline *kl;

	if (cfg->keyline_count >= AIS_CONFIG_KEYLINES_MAX)
		return;
	kl = &cfg->keylines[cfg->keyline_count++];
	snprintf(kl->section, sizeof(kl->section), "%s", fr->def->name);
	snprintf(kl->key, sizeof(kl->key), "%s", key);
	kl->line = p->line;
	kl->section_line = fr->line;
}

static int key_line(struct parser *p, const char *key, const char *value)
{
	struct frame *fr = &p->stack[p->depth - 1];
	const struct section_def *def = fr->def;
	char show[80];

	for (size_t i = 0; i < def->nkeys; i++) {
		const struct key_def *k = &def->keys[i];

		if (strcmp(k->name, key) != 0)
			continue;
		if ((fr->seen & (1u << i)) && !(k->flags & KEY_REPEAT))
			return parse_error_at(p, p->line, "duplicate key '%s' in section '%s' (first at line %u)",
					      key, def->name, fr->key_line[i]);
		if (*value == '\0')
			return parse_error_at(p, p->line, "%s: missing value", key);
		if (!(fr->seen & (1u << i)))
			fr->key_line[i] = p->line;
		fr->seen |= 1u << i;
		keyline_record(p, fr, key);
		return key_set(p, k, fr->base, value);
	}
	if (p->depth == 1)
		return parse_error_at(p, p->line, "key '%s' outside of any section",
				      value_show(key, show, sizeof(show)));
	return parse_error_at(p, p->line, "unknown key '%s' in section '%s'", value_show(key, show, sizeof(show)),
			      def->name);
}

/* ------------------------------------------------------------------------ */
/* Checks when a section closes                                              */

static unsigned int frame_key_line(const struct frame *fr, const char *name)
{
	for (size_t i = 0; i < fr->def->nkeys; i++)
		if (strcmp(fr->def->keys[i].name, name) == 0)
			return (fr->seen & (1u << i)) ? fr->key_line[i] : 0;
	return 0;
}

static int totem_close(struct parser *p, struct frame *fr)
{
	struct ais_config *cfg = p->cfg;
	unsigned int cipher_line = frame_key_line(fr, "crypto_cipher");

	/* secauth: on is the short form of aes256 + sha256; explicit crypto_* win. */
	if (cfg->secauth) {
		if (!cipher_line)
			cfg->crypto_cipher = AIS_CIPHER_AES256;
		if (!frame_key_line(fr, "crypto_hash"))
			cfg->crypto_hash = AIS_HASH_SHA256;
	}
	if (cfg->crypto_cipher != AIS_CIPHER_NONE && cfg->crypto_hash == AIS_HASH_NONE)
		return parse_error_at(p, cipher_line ? cipher_line : fr->line,
				      "crypto_cipher: '%s' needs a crypto_hash other than none",
				      cipher_vals[cfg->crypto_cipher].name);
	return 0;
}

static bool addr_is_multicast(const struct ais_addr *a)
{
	if (a->family == AF_INET)
		return (a->bytes[0] & 0xf0) == 0xe0;
	return a->family == AF_INET6 && a->bytes[0] == 0xff;
}

static int interface_close(struct parser *p, struct frame *fr)
{
	const struct ais_config *cfg = p->cfg;
	char buf[INET6_ADDRSTRLEN];

	if (cfg->iface.mcastaddr.family != AF_UNSPEC && !addr_is_multicast(&cfg->iface.mcastaddr))
		return parse_error_at(p, frame_key_line(fr, "mcastaddr"), "mcastaddr: '%s' is not a multicast address",
				      ais_addr_to_string(&cfg->iface.mcastaddr, buf, sizeof(buf)));
	return 0;
}

static int node_close(struct parser *p, struct frame *fr)
{
	const struct ais_config *cfg = p->cfg;
	const struct ais_config_node *n = fr->base;
	char buf[INET6_ADDRSTRLEN];

	for (size_t i = 0; i + 1 < cfg->node_count; i++) {
		const struct ais_config_node *o = &cfg->nodes[i];

		if (o->nodeid == n->nodeid)
			return parse_error_at(p, frame_key_line(fr, "nodeid"),
					      "duplicate nodeid %" PRIu32 " in nodelist (first at line %u)", n->nodeid,
					      o->line);
		if (ais_addr_equal(&o->ring0_addr, &n->ring0_addr))
			return parse_error_at(p, frame_key_line(fr, "ring0_addr"),
					      "duplicate ring0_addr '%s' in nodelist (first at line %u)",
					      ais_addr_to_string(&n->ring0_addr, buf, sizeof(buf)), o->line);
		if (o->ring0_addr.family != n->ring0_addr.family)
			return parse_error_at(p, frame_key_line(fr, "ring0_addr"),
					      "ring0_addr: '%s' is not of the same family as the node at line %u",
					      ais_addr_to_string(&n->ring0_addr, buf, sizeof(buf)), o->line);
		if (n->name[0] && strcmp(o->name, n->name) == 0)
			return parse_error_at(p, frame_key_line(fr, "name"),
					      "duplicate name '%s' in nodelist (first at line %u)", n->name, o->line);
	}
	return 0;
}

static int subsys_close(struct parser *p, struct frame *fr)
{
	const struct ais_config *cfg = p->cfg;
	const struct ais_config_subsys *s = fr->base;

	for (size_t i = 0; i + 1 < cfg->logging.subsys_count; i++)
		if (strcmp(cfg->logging.subsys[i].subsys, s->subsys) == 0)
			return parse_error_at(p, frame_key_line(fr, "subsys"),
					      "duplicate logger_subsys '%s' (first at line %u)", s->subsys,
					      cfg->logging.subsys[i].line);
	return 0;
}

static int service_close(struct parser *p, struct frame *fr)
{
	const struct ais_config *cfg = p->cfg;
	const struct ais_config_service *s = fr->base;

	/* A name that is not a built-in engine and has no path is a plugin
	 * in aisexec { plugin_dir } (NAME.so): start_check reports it missing. */
	for (size_t i = 0; i + 1 < cfg->service_count; i++)
		if (strcmp(cfg->services[i].name, s->name) == 0)
			return parse_error_at(p, frame_key_line(fr, "name"),
					      "duplicate service '%s' (first at line %u)", s->name,
					      cfg->services[i].line);
	return 0;
}

static int aisexec_close(struct parser *p, struct frame *fr)
{
	p->cfg->aisexec.rundir_set = frame_key_line(fr, "rundir") != 0;
	return 0;
}

/* Rules across sections, once the whole file is read. */
static int config_finish(struct parser *p)
{
	struct ais_config *cfg = p->cfg;
	struct totem_config check;
	char why[256] = "";

	if (cfg->transport == AIS_TRANSPORT_UDPU && cfg->node_count == 0)
		return parse_error_at(p, 0, "transport 'udpu' needs a nodelist with at least one node");
	if (cfg->transport == AIS_TRANSPORT_UDP && cfg->iface.mcastaddr.family == AF_UNSPEC)
		return parse_error_at(p, 0, "transport 'udp' needs totem { interface { mcastaddr } }");
	cfg->totem.node_count = (uint32_t)cfg->node_count;
	cfg->totem.known_count = (uint32_t)cfg->node_count;
	for (size_t i = 0; i < cfg->node_count && i < TOTEM_PROCESSORS_MAX; i++)
		cfg->totem.known[i] = cfg->nodes[i].nodeid;
	totem_config_finish(&cfg->totem);
	/* The node id may still be open (ais_config_pick_node() decides it and
	 * validates again): check every other rule now, on a copy. */
	check = cfg->totem;
	if (check.nodeid == 0)
		check.nodeid = cfg->node_count ? cfg->nodes[0].nodeid : 1;
	if (totem_config_validate(&check, why, sizeof(why)) < 0)
		return parse_error_at(p, p->section_line[SEC_TOTEM], "%s", why);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Lines                                                                     */

static bool is_key_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*e = '\0';
	return s;
}

/* One line, NUL-terminated and writable; comments already allowed for. */
static int line_parse(struct parser *p, char *line)
{
	char *s = trim(line), *colon, *c;
	size_t len;
	char show[80];

	/* '#' starts a comment at the start of a line, after a blank or right
	 * after the colon: a value never starts with '#' nor holds " #", so
	 * what the dump prints reads back the same. */
	for (c = s; *c; c++) {
		if (*c == '#' && (c == s || c[-1] == ' ' || c[-1] == '\t' || c[-1] == ':')) {
			*c = '\0';
			break;
		}
	}
	s = trim(s);
	len = strlen(s);
	if (len == 0)
		return 0;
	if (strcmp(s, "}") == 0)
		return section_close(p);
	if (s[len - 1] == '{') {
		s[len - 1] = '\0';
		s = trim(s);
		for (c = s; *c && is_key_char(*c); c++)
			;
		if (*s == '\0' || *c != '\0')
			return parse_error_at(p, p->line, "bad section name '%s'", value_show(s, show, sizeof(show)));
		return section_open(p, s);
	}
	colon = strchr(s, ':');
	if (!colon)
		return parse_error_at(p, p->line, "expected 'key: value', 'section {' or '}', got '%s'",
				      value_show(s, show, sizeof(show)));
	*colon = '\0';
	s = trim(s);
	for (c = s; *c && is_key_char(*c); c++)
		;
	if (*s == '\0' || *c != '\0')
		return parse_error_at(p, p->line, "bad key name '%s'", value_show(s, show, sizeof(show)));
	return key_line(p, s, trim(colon + 1));
}

static int text_parse(struct parser *p, const char *buf, size_t len)
{
	char line[AIS_CONFIG_LINE_MAX + 1];
	size_t pos = 0;
	int r;

	p->depth = 1;
	p->stack[0].def = &sec_root;
	p->stack[0].base = p->cfg;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;

		p->line++;
		if (n > AIS_CONFIG_LINE_MAX)
			return parse_error_at(p, p->line, "line longer than %d bytes", AIS_CONFIG_LINE_MAX);
		if (memchr(buf + pos, '\0', n))
			return parse_error_at(p, p->line, "NUL byte in input");
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		r = line_parse(p, line);
		if (r < 0)
			return r;
		pos += n + (nl ? 1 : 0);
	}
	if (p->depth > 1) {
		const struct frame *fr = &p->stack[p->depth - 1];

		return parse_error_at(p, p->line ? p->line : 1, "missing '}' for section '%s' opened at line %u",
				      fr->def->name, fr->line);
	}
	return config_finish(p);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                                */

static int str_default(char **field, const char *value)
{
	*field = ais_strdup(value);
	return *field ? 0 : -ENOMEM;
}

int ais_config_defaults(struct ais_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	totem_config_defaults(&cfg->totem);
	cfg->version = 2;
	cfg->transport = AIS_TRANSPORT_UDPU;
	cfg->udp_gso = true;
	cfg->iface.mcastport = AIS_CONFIG_PORT_DEFAULT;
	cfg->iface.ttl = 1;
	cfg->local_node = -1;
	cfg->logging.to_stderr = true;
	cfg->logging.to_syslog = true;
	cfg->logging.syslog_facility = LOG_DAEMON;
	cfg->logging.timestamp = AIS_LOG_TIMESTAMP_ON;
	cfg->logging.blackbox = true;
	cfg->amf.mode = AIS_AMF_DISABLED;
	cfg->aisexec.ipc_max_connections = AIS_CONFIG_IPC_MAX_CONNECTIONS_DEFAULT;
	cfg->aisexec.sched_rr = AIS_CONFIG_SCHED_RR_DEFAULT;
	cfg->aisexec.ipc_max_connections_per_uid = AIS_CONFIG_IPC_MAX_CONNECTIONS_PER_UID_DEFAULT;
	if (str_default(&cfg->keyfile, AIS_CONFIG_KEYFILE_DEFAULT) < 0 ||
	    str_default(&cfg->logging.logfile, AIS_CONFIG_LOGFILE_DEFAULT) < 0 ||
	    str_default(&cfg->aisexec.rundir, AIS_CONFIG_RUNDIR_DEFAULT) < 0) {
		ais_config_free(cfg);
		return -ENOMEM;
	}
	return 0;
}

unsigned int ais_config_key_line(const struct ais_config *cfg, const char *section, const char *key, size_t nth)
{
	unsigned int opened = 0;
	size_t seen = 0;

	/* Sections of one name are counted by the line each opened at. */
	for (size_t i = 0; i < cfg->keyline_count; i++) {
		const struct ais_config_keyline *kl = &cfg->keylines[i];

		if (strcmp(kl->section, section) != 0)
			continue;
		if (kl->section_line != opened) {
			if (opened != 0)
				seen++;
			opened = kl->section_line;
		}
		if (seen == nth && strcmp(kl->key, key) == 0)
			return kl->line;
	}
	return 0;
}

void ais_config_free(struct ais_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->cluster_name);
	free(cfg->keyfile);
	free(cfg->logging.logfile);
	free(cfg->aisexec.user);
	free(cfg->aisexec.group);
	free(cfg->aisexec.instance);
	free(cfg->aisexec.rundir);
	free(cfg->aisexec.plugin_dir);
	free(cfg->amf.file);
	for (size_t i = 0; i < cfg->service_count && i < AIS_CONFIG_SERVICES_MAX; i++)
		free(cfg->services[i].path);
	memset(cfg, 0, sizeof(*cfg));
}

int ais_config_parse_mem(const char *buf, size_t len, const char *name_for_errors, struct ais_config *ret,
			 char *err, size_t errlen)
{
	const char *file = name_for_errors ? name_for_errors : "(config)";
	struct parser *p;
	struct ais_config *cfg;
	int r;

	if (errlen)
		err[0] = '\0';
	p = ais_calloc(1, sizeof(*p));
	cfg = ais_malloc(sizeof(*cfg));
	if (!p || !cfg) {
		r = -ENOMEM;
		goto out_free;
	}
	r = ais_config_defaults(cfg);
	if (r < 0)
		goto out_free;
	p->cfg = cfg;
	p->file = file;
	p->err = err;
	p->errlen = errlen;
	r = text_parse(p, buf, len);
	if (r < 0) {
		ais_config_free(cfg);
		goto out_free;
	}
	*ret = *cfg;
out_free:
	if (r == -ENOMEM && errlen)
		snprintf(err, errlen, "%s: out of memory", file);
	free(cfg);
	free(p);
	return r;
}

int ais_config_parse_string(const char *text, const char *name_for_errors, struct ais_config *ret, char *err,
			    size_t errlen)
{
	return ais_config_parse_mem(text, strlen(text), name_for_errors, ret, err, errlen);
}

int ais_config_parse_file(const char *path, struct ais_config *ret, char *errbuf, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		snprintf(errbuf, errlen, "%s: cannot open: %s", path, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		snprintf(errbuf, errlen, "%s: cannot stat: %s", path, strerror(-r));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		snprintf(errbuf, errlen, "%s: not a regular file", path);
		goto out_close;
	}
	buf = ais_malloc(AIS_CONFIG_FILE_MAX + 1);
	if (!buf) {
		r = -ENOMEM;
		snprintf(errbuf, errlen, "%s: out of memory", path);
		goto out_close;
	}
	/* Read to EOF (the size may change under us): at most one byte past the cap. */
	while (len <= AIS_CONFIG_FILE_MAX) {
		n = read(fd, buf + len, AIS_CONFIG_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			snprintf(errbuf, errlen, "%s: cannot read: %s", path, strerror(-r));
			goto out_free;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > AIS_CONFIG_FILE_MAX) {
		r = -EFBIG;
		snprintf(errbuf, errlen, "%s: larger than %d bytes", path, AIS_CONFIG_FILE_MAX);
		goto out_free;
	}
	r = ais_config_parse_mem(buf, len, path, ret, errbuf, errlen);
out_free:
	free(buf);
out_close:
	close(fd);
	return r;
}

/* ------------------------------------------------------------------------ */
/* Dump: the same tables, printed                                            */

static int key_dump(FILE *f, const struct key_def *k, const void *base, int indent)
{
	const char *field = (const char *)base + k->off;
	char buf[INET6_ADDRSTRLEN];
	uint32_t u;
	int v;

	switch (k->type) {
	case KEY_BOOL:
		return fprintf(f, "%*s%s: %s\n", indent, "", k->name, *(const bool *)(const void *)field ? "on" : "off");
	case KEY_ENUM:
		memcpy(&v, field, sizeof(v));
		for (const struct enum_val *e = k->vals; e->name; e++)
			if (e->value == v)
				return fprintf(f, "%*s%s: %s\n", indent, "", k->name, e->name);
		return -1;
	case KEY_UINT:
		memcpy(&u, field, sizeof(u));
		if ((k->flags & KEY_DUMP_SET) && u == 0)
			return 0;
		return fprintf(f, "%*s%s: %" PRIu32 "\n", indent, "", k->name, u);
	case KEY_STR: {
		const char *s;

		memcpy(&s, field, sizeof(s));
		return s ? fprintf(f, "%*s%s: %s\n", indent, "", k->name, s) : 0;
	}
	case KEY_CHARS:
		return field[0] ? fprintf(f, "%*s%s: %s\n", indent, "", k->name, field) : 0;
	case KEY_ADDR: {
		struct ais_addr a;

		memcpy(&a, field, sizeof(a));
		if (a.family == AF_UNSPEC)
			return 0;
		return fprintf(f, "%*s%s: %s\n", indent, "", k->name, ais_addr_to_string(&a, buf, sizeof(buf)));
	}
	case KEY_UID:
	case KEY_GID: {
		size_t count;
		int r = 0;

		memcpy(&count, (const char *)base + k->count_off, sizeof(count));
		for (size_t i = 0; i < count && r >= 0; i++) {
			if (k->type == KEY_UID) {
				uid_t id;

				memcpy(&id, field + i * sizeof(uid_t), sizeof(id));
				r = fprintf(f, "%*s%s: %lu\n", indent, "", k->name, (unsigned long)id);
			} else {
				gid_t id;

				memcpy(&id, field + i * sizeof(gid_t), sizeof(id));
				r = fprintf(f, "%*s%s: %lu\n", indent, "", k->name, (unsigned long)id);
			}
		}
		return r;
	}
	}
	return -1;
}

static int section_dump(FILE *f, const struct ais_config *cfg, const struct section_def *def, int indent)
{
	size_t count = 1;
	int r = 0;

	if (def->repeat)
		memcpy(&count, (const char *)cfg + def->count_off, sizeof(count));
	for (size_t e = 0; e < count && r >= 0; e++) {
		const void *base = def->repeat ? (const void *)((const char *)cfg + def->array_off + e * def->elem_size)
						 : (const void *)cfg;

		r = fprintf(f, "%*s%s {\n", indent, "", def->name);
		for (size_t i = 0; i < def->nkeys && r >= 0; i++)
			r = key_dump(f, &def->keys[i], base, indent + 8);
		for (size_t c = 0; def->children && def->children[c] && r >= 0; c++)
			r = section_dump(f, cfg, def->children[c], indent + 8);
		if (r >= 0)
			r = fprintf(f, "%*s}\n", indent, "");
	}
	return r;
}

int ais_config_dump(const struct ais_config *cfg, FILE *f)
{
	int r = 0;

	for (size_t i = 0; root_children[i] && r >= 0; i++) {
		const struct section_def *def = root_children[i];

		if (def == &sec_nodelist && cfg->node_count == 0)
			continue;
		r = section_dump(f, cfg, def, 0);
	}
	if (r < 0 || fflush(f) != 0 || ferror(f))
		return -EIO;
	return 0;
}
