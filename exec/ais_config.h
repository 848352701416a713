/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration file of aisexec (DESIGN section 6): parsing the
 * Corosync-style brace format into one struct ais_config, choosing which
 * nodelist entry is this node, and printing the effective configuration.
 *
 * The header is not called config.h on purpose: every .c file includes the
 * autoconf "config.h" first, and a header of that name next to the daemon's
 * sources would shadow it.
 *
 * Nothing here logs: every function reports failure through its return value
 * and a one-line message in the caller's buffer, and the caller logs it once.
 */
#ifndef AIS_EXEC_AIS_CONFIG_H
#define AIS_EXEC_AIS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "totem/totem.h"

/** Default configuration file. */
#define AIS_CONFIG_FILE_DEFAULT "/etc/ais/aisexec.conf"
/** Default runtime directory (pid file, ring sequence file). */
#define AIS_CONFIG_RUNDIR_DEFAULT "/var/run/ais"
/** Default key file for secauth / crypto_*. */
#define AIS_CONFIG_KEYFILE_DEFAULT "/etc/ais/authkey"
/** Default log file when to_logfile is on. */
#define AIS_CONFIG_LOGFILE_DEFAULT "/var/log/ais/aisexec.log"
#define AIS_CONFIG_IPC_MAX_CONNECTIONS_DEFAULT 1024
/* aisexec { sched_rr }: run the daemon SCHED_RR (see man aisexec.conf) */
#define AIS_CONFIG_SCHED_RR_DEFAULT false
#define AIS_CONFIG_IPC_MAX_CONNECTIONS_PER_UID_DEFAULT 128
/** Default UDP port (interface mcastport). */
#define AIS_CONFIG_PORT_DEFAULT 5405

/** Longest accepted line, in bytes, without the newline. */
#define AIS_CONFIG_LINE_MAX 4096
/** Largest accepted file, in bytes. */
#define AIS_CONFIG_FILE_MAX (1024 * 1024)
/** Deepest nesting of sections. */
#define AIS_CONFIG_DEPTH_MAX 4

/** Longest names, in characters (not counting the NUL). */
#define AIS_CONFIG_CLUSTER_NAME_MAX 63
#define AIS_CONFIG_NODE_NAME_MAX 63
#define AIS_CONFIG_INSTANCE_MAX 31
#define AIS_CONFIG_SERVICE_NAME_MAX 15
#define AIS_CONFIG_SUBSYS_NAME_MAX 31
#define AIS_CONFIG_PATH_MAX 4095

/** Most entries of each repeatable item. */
#define AIS_CONFIG_SERVICES_MAX 32
#define AIS_CONFIG_SUBSYS_MAX 32
#define AIS_CONFIG_IPC_IDS_MAX 64
#define AIS_LOCAL_ADDRS_MAX 64

/** An IPv4 or IPv6 address; family AF_UNSPEC means "not set". */
struct ais_addr {
	int family;        /**< AF_UNSPEC, AF_INET or AF_INET6 */
	uint8_t bytes[16]; /**< network order; IPv4 uses the first 4 */
};

/** Addresses of this host, as ais_local_addrs_get() finds them. */
struct ais_local_addrs {
	size_t count;
	struct ais_addr addr[AIS_LOCAL_ADDRS_MAX];
};

enum ais_transport {
	AIS_TRANSPORT_UDPU = 0, /**< unicast to every nodelist entry (default) */
	AIS_TRANSPORT_UDP = 1,  /**< IP multicast to interface mcastaddr */
};

enum ais_crypto_cipher {
	AIS_CIPHER_NONE = 0,
	AIS_CIPHER_AES256 = 1,
	AIS_CIPHER_AES192 = 2,
	AIS_CIPHER_AES128 = 3,
};

enum ais_crypto_hash {
	AIS_HASH_NONE = 0,
	AIS_HASH_SHA1 = 1,
	AIS_HASH_SHA256 = 2,
	AIS_HASH_SHA384 = 3,
	AIS_HASH_SHA512 = 4,
};

enum ais_log_debug {
	AIS_LOG_DEBUG_OFF = 0,
	AIS_LOG_DEBUG_ON = 1,
	AIS_LOG_DEBUG_TRACE = 2,
};

enum ais_log_timestamp {
	AIS_LOG_TIMESTAMP_OFF = 0,
	AIS_LOG_TIMESTAMP_ON = 1,
	AIS_LOG_TIMESTAMP_HIRES = 2,
};

enum ais_amf_mode {
	AIS_AMF_DISABLED = 0,
	AIS_AMF_ENABLED = 1,
};

/** One nodelist { node { } } entry. */
struct ais_config_node {
	uint32_t nodeid;                            /**< required, != 0 */
	struct ais_addr ring0_addr;                 /**< required */
	char name[AIS_CONFIG_NODE_NAME_MAX + 1];    /**< "" when not given */
	unsigned int line;                          /**< where the entry opened */
};

/** One logging { logger_subsys { } } entry. */
struct ais_config_subsys {
	char subsys[AIS_CONFIG_SUBSYS_NAME_MAX + 1];
	enum ais_log_debug debug;
	unsigned int line;
};

/** One service { } entry. */
struct ais_config_service {
	char name[AIS_CONFIG_SERVICE_NAME_MAX + 1];
	uint32_t ver;
	char *path;        /**< plugin .so, NULL for a built-in engine */
	unsigned int line;
};

/** Where a key was set (for messages about its value found after parsing). */
struct ais_config_keyline {
	char section[24];  /**< the innermost section's name: "totem", "aisexec", "service"... */
	char key[48];
	unsigned int line;
	unsigned int section_line; /**< where that section opened */
};

/** Key positions recorded per file (more keys than this are not recorded). */
#define AIS_CONFIG_KEYLINES_MAX 256

struct ais_config {
	/* totem { } */
	struct totem_config totem; /**< tunables; nodeid set by ais_config_pick_node() */
	uint32_t version;          /**< always 2 */
	char *cluster_name;
	enum ais_transport transport;
	bool secauth;
	enum ais_crypto_cipher crypto_cipher; /**< effective, secauth applied */
	enum ais_crypto_hash crypto_hash;     /**< effective, secauth applied */
	char *keyfile;
	bool fault_injection;
	bool udp_gso;              /**< several frames to one address per send (UDP_SEGMENT) */

	/* totem { interface { } } */
	struct {
		uint32_t ringnumber;        /**< only ring 0 exists */
		struct ais_addr bindnetaddr;
		struct ais_addr mcastaddr;
		uint32_t mcastport;
		uint32_t ttl;
	} iface;

	/* nodelist { } */
	size_t node_count;
	struct ais_config_node nodes[TOTEM_PROCESSORS_MAX];
	int local_node;            /**< index into nodes, -1 until picked / without nodelist */

	/* logging { } */
	struct {
		bool to_stderr;
		bool to_logfile;
		char *logfile;
		bool to_syslog;
		int syslog_facility;   /**< LOG_DAEMON, LOG_LOCAL0.. (syslog.h values) */
		enum ais_log_debug debug;
		enum ais_log_timestamp timestamp;
		bool fileline;
		bool blackbox;
		size_t subsys_count;
		struct ais_config_subsys subsys[AIS_CONFIG_SUBSYS_MAX];
	} logging;

	/* aisexec { } */
	struct {
		char *user;            /**< NULL: keep the starting user */
		char *group;           /**< NULL: keep the starting group */
		char *instance;        /**< NULL: not set (AIS_INSTANCE may name it) */
		char *rundir;          /**< AIS_CONFIG_RUNDIR_DEFAULT unless given */
		bool rundir_set;       /**< rundir came from the file */
		char *plugin_dir;      /**< NULL: the built-in plugin directory */
		size_t allow_uid_count;
		uid_t allow_uid[AIS_CONFIG_IPC_IDS_MAX];
		size_t allow_gid_count;
		gid_t allow_gid[AIS_CONFIG_IPC_IDS_MAX];
		uint32_t ipc_max_connections;         /**< all clients together */
		uint32_t ipc_max_connections_per_uid; /**< one user other than root and the daemon's */
		bool sched_rr;                        /**< ask for SCHED_RR at the highest priority */
	} aisexec;

	/* service { } ... ; none at all means "every built-in engine" */
	size_t service_count;
	struct ais_config_service services[AIS_CONFIG_SERVICES_MAX];

	/* amf { } */
	struct {
		enum ais_amf_mode mode;
		char *file;            /**< NULL when not given */
	} amf;

	/* where each key was set, in file order */
	size_t keyline_count;
	struct ais_config_keyline keylines[AIS_CONFIG_KEYLINES_MAX];
};

/**
 * The line where key was set in the nth section named section (0 for the
 * first: service { } entries repeat), or 0 when it was not set (a default).
 */
unsigned int ais_config_key_line(const struct ais_config *cfg, const char *section, const char *key, size_t nth);

/**
 * Fill cfg with every default (totem_config_defaults() for the tunables).
 * Returns 0 or -ENOMEM; on failure cfg holds nothing to free. Free with
 * ais_config_free().
 */
int ais_config_defaults(struct ais_config *cfg);

/**
 * Parse a configuration file. On success fills *ret (caller frees with
 * ais_config_free()) and returns 0; *ret is untouched on failure.
 * Errors: -EINVAL with "FILE:LINE: reason" in errbuf for content errors,
 * -EFBIG for a file over AIS_CONFIG_FILE_MAX, -errno from open/read with a
 * message naming the file and strerror, -ENOMEM.
 */
int ais_config_parse_file(const char *path, struct ais_config *ret, char *errbuf, size_t errlen);

/** As ais_config_parse_file() for a NUL-terminated text; name_for_errors
 *  is the FILE part of messages. */
int ais_config_parse_string(const char *text, const char *name_for_errors,
			    struct ais_config *ret, char *err, size_t errlen);

/** As ais_config_parse_string() for len bytes that may hold NUL bytes
 *  (which are an error). */
int ais_config_parse_mem(const char *buf, size_t len, const char *name_for_errors,
			 struct ais_config *ret, char *err, size_t errlen);

/** Free every string a parsed or defaulted config owns; cfg may be NULL.
 *  Leaves cfg zeroed. */
void ais_config_free(struct ais_config *cfg);

/**
 * Find the addresses of this host with getifaddrs(). Returns 0 or -errno;
 * *ret is written only on success.
 */
int ais_local_addrs_get(struct ais_local_addrs *ret);

/**
 * Decide which node this is (DESIGN section 6). With a nodelist: the entry
 * whose nodeid equals totem { nodeid } when that is set (an error when there
 * is none); otherwise the entry whose ring0_addr equals interface
 * { bindnetaddr } when one does; otherwise the only entry whose ring0_addr
 * is an address of this host (addrs_or_null, or getifaddrs() when NULL);
 * none or several is an error naming them. Without a nodelist: totem
 * { nodeid }, or the IPv4 bindnetaddr as a 32-bit number in host order.
 * The totem values are then validated again with the id filled in
 * (totem_config_validate() refuses node id 0, so ais_config_parse_*() can
 * only check the other rules). On success sets cfg->totem.nodeid,
 * cfg->local_node (-1 without a nodelist) and cfg->totem.node_count and
 * returns 0; otherwise returns -EINVAL (-errno when getifaddrs fails, -ENOMEM)
 * with the reason in err and leaves cfg unchanged.
 */
int ais_config_pick_node(struct ais_config *cfg, const struct ais_local_addrs *addrs_or_null,
			 char *err, size_t errlen);

/** The configured node with this id, or NULL. */
const struct ais_config_node *ais_config_node_find(const struct ais_config *cfg, uint32_t nodeid);

/** Text form of an address into buf ("" when unset); returns buf. */
const char *ais_addr_to_string(const struct ais_addr *addr, char *buf, size_t len);

/** Parse an IPv4 or IPv6 literal. Returns 0 or -EINVAL; *ret only on success. */
int ais_addr_parse(const char *text, struct ais_addr *ret);

/** Equal family and bytes. */
bool ais_addr_equal(const struct ais_addr *a, const struct ais_addr *b);

/**
 * Print the effective configuration in the file's own format (every key,
 * defaults included), so the output parses back to the same values.
 * Returns 0 or -EIO when writing failed.
 */
int ais_config_dump(const struct ais_config *cfg, FILE *f);

#endif
