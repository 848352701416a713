/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * aistool: the administration command line of aisexec. It talks to the admin
 * engine (services/cfg.c) of one daemon, picked by $AIS_INSTANCE or -i, over
 * the requests of include/ais/ipc_cfg.h: status, membership, totem ring
 * statistics, per-engine counters, a state dump, shutdown and the
 * fault-injection filter; `clm` asks the clm engine through libSaClm for the
 * membership view and its node table; `amf` asks the amf engine for its
 * status and sends it administrative operations (include/ais/ipc_amf.h,
 * AIS_AMF_REQ_STATUS and AIS_AMF_REQ_ADMIN). Every read command prints either a short table or,
 * with --json, exactly one JSON object with stable key names (DESIGN
 * section 7 fixes the shape of `members --json`).
 *
 * Exit status: 0 success, 1 error (daemon unreachable or request refused),
 * 2 usage error.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <saAis.h>
#include <saClm.h>
#include <ais/client.h>
#include <ais/ipc.h>
#include <ais/ipc_cfg.h>
#include <ais/ipc_evt.h>
#include <ais/ipc_amf.h>

#include "ais_client.h"

#define EXIT_USAGE 2

/* A TRY_AGAIN answer (sync running, send queue full) is retried this long. */
#define TOOL_RETRY_MS 10000
#define TOOL_RETRY_STEP_MS 100

static bool arg_json;
static const char *arg_instance;

/* --- output helpers --------------------------------------------------- */

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/** Print len bytes of s as a JSON string (s need not be NUL-terminated). */
static void json_string_n(FILE *f, const char *s, size_t len)
{
	char *copy = strndup(s, len);

	if (!copy) {
		fputs("\"\"", f);
		return;
	}
	json_string(f, copy);
	free(copy);
}

/** A fixed-size string field from the daemon: copy it, always terminated. */
static void field_str(char *dst, size_t dst_len, const char *src, size_t src_len)
{
	size_t n = strnlen(src, src_len);

	if (n >= dst_len)
		n = dst_len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static const char *state_name(uint32_t state)
{
	switch (state) {
	case AIS_CFG_STATE_OPERATIONAL:
		return "operational";
	case AIS_CFG_STATE_GATHER:
		return "gather";
	case AIS_CFG_STATE_COMMIT:
		return "commit";
	case AIS_CFG_STATE_RECOVERY:
		return "recovery";
	}
	return "unknown";
}

static const char *sa_error_name(int32_t err)
{
	switch (err) {
	case SA_AIS_OK:
		return "ok";
	case SA_AIS_ERR_LIBRARY:
		return "library error";
	case SA_AIS_ERR_TIMEOUT:
		return "timed out";
	case SA_AIS_ERR_TRY_AGAIN:
		return "busy, try again";
	case SA_AIS_ERR_INVALID_PARAM:
		return "invalid parameter";
	case SA_AIS_ERR_NO_MEMORY:
		return "out of memory";
	case SA_AIS_ERR_ACCESS:
		return "permission denied";
	case SA_AIS_ERR_NOT_EXIST:
		return "does not exist";
	case SA_AIS_ERR_TOO_BIG:
		return "too big";
	}
	return "error";
}

static void die_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void die_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("aistool: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/** "aisexec instance n2", or "aisexec" without an instance, for messages. */
static const char *instance_label(char *buf, size_t len)
{
	const char *inst = getenv(AIS_INSTANCE_ENV);

	if (inst && *inst)
		snprintf(buf, len, "aisexec instance %s", inst);
	else
		snprintf(buf, len, "aisexec");
	return buf;
}

/* --- talking to the daemon -------------------------------------------- */

static int tool_connect(struct ais_client **ret)
{
	int r;

	r = ais_client_connect("cfg", ret);
	if (r == 0)
		return 0;
	/* the reason: a refusal by the daemon (uid not allowed, a connection
	 * limit, shutting down), no answer, or no daemon */
	die_msg("%s", ais_client_connect_reason());
	return r;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/**
 * Send one request and return the (malloc()ed) response, whose header was
 * checked: error SA_AIS_OK and at least min_len bytes. TRY_AGAIN is retried
 * for up to TOOL_RETRY_MS. On failure prints why and returns -1; on a
 * refusal *ret_error (may be NULL) gets the SaAisErrorT.
 */
static int tool_request(struct ais_client *c, void *req, size_t req_len, enum ais_cfg_request_id id,
                        size_t min_len, void **ret_msg, size_t *ret_len, int32_t *ret_error)
{
	struct qb_ipc_request_header *h = req;
	struct iovec iov = { .iov_base = req, .iov_len = req_len };
	const struct qb_ipc_response_header *res;
	unsigned waited = 0;
	void *msg;
	size_t len;
	int r;

	h->id = (int32_t)id;
	h->size = (int32_t)req_len;
	for (;;) {
		r = ais_client_request_alloc(c, &iov, 1, AIS_CFG_RES(id), &msg, &len);
		if (r < 0) {
			char label[96];

			die_msg("request to %s failed: %s", instance_label(label, sizeof(label)),
			        r == -ENOTCONN ? "the daemon went away" : strerror(-r));
			return -1;
		}
		res = msg;
		if (len < sizeof(*res)) {
			free(msg);
			die_msg("short response from aisexec");
			return -1;
		}
		if (res->error != SA_AIS_ERR_TRY_AGAIN || waited >= TOOL_RETRY_MS)
			break;
		free(msg);
		sleep_ms(TOOL_RETRY_STEP_MS);
		waited += TOOL_RETRY_STEP_MS;
	}
	if (res->error != SA_AIS_OK) {
		int32_t err = res->error;

		free(msg);
		if (ret_error)
			*ret_error = err;
		else
			die_msg("request refused by aisexec: %s (%d)", sa_error_name(err), err);
		return -1;
	}
	if (len < min_len) {
		free(msg);
		die_msg("short response from aisexec (%zu bytes, expected at least %zu)", len, min_len);
		return -1;
	}
	*ret_msg = msg;
	*ret_len = len;
	return 0;
}

static int tool_plain_request(struct ais_client *c, enum ais_cfg_request_id id, size_t min_len,
                              void **ret_msg, size_t *ret_len)
{
	struct ais_cfg_req_plain req;

	memset(&req, 0, sizeof(req));
	return tool_request(c, &req, sizeof(req), id, min_len, ret_msg, ret_len, NULL);
}

/* --- read commands ---------------------------------------------------- */

static int cmd_status(struct ais_client *c)
{
	struct ais_cfg_res_status *res;
	char instance[sizeof(res->instance)], cluster[sizeof(res->cluster_name)], transport[sizeof(res->transport)];
	uint64_t uptime_ms;
	uint32_t flags;
	size_t len;
	void *msg;

	if (tool_plain_request(c, AIS_CFG_REQ_STATUS, sizeof(*res), &msg, &len) < 0)
		return 1;
	res = msg;
	field_str(instance, sizeof(instance), res->instance, sizeof(res->instance));
	field_str(cluster, sizeof(cluster), res->cluster_name, sizeof(res->cluster_name));
	field_str(transport, sizeof(transport), res->transport, sizeof(res->transport));
	flags = le32toh(res->flags);
	uptime_ms = le64toh(res->uptime_ms);
	if (arg_json) {
		printf("{\"nodeid\": %" PRIu32 ", \"instance\": ", le32toh(res->nodeid));
		json_string(stdout, instance);
		printf(", \"cluster_name\": ");
		json_string(stdout, cluster);
		printf(", \"transport\": ");
		json_string(stdout, transport);
		printf(", \"pid\": %" PRIu32 ", \"state\": \"%s\", \"ring_id\": \"%" PRIu32 ".%" PRIu64 "\""
		       ", \"member_count\": %" PRIu32 ", \"sync_in_progress\": %s, \"fault_injection\": %s"
		       ", \"uptime_ms\": %" PRIu64 "}\n",
		       le32toh(res->pid), state_name(le32toh(res->state)), le32toh(res->ring_rep),
		       le64toh(res->ring_seq), le32toh(res->member_count),
		       (flags & AIS_CFG_STATUS_SYNCING) ? "true" : "false",
		       (flags & AIS_CFG_STATUS_FAULT_INJECTION) ? "true" : "false", uptime_ms);
	} else {
		printf("node %" PRIu32 " (instance %s) of cluster %s, pid %" PRIu32 ", up %.1f s\n",
		       le32toh(res->nodeid), instance[0] ? instance : "-", cluster[0] ? cluster : "-",
		       le32toh(res->pid), (double)uptime_ms / 1000.0);
		printf("transport %s, state %s, ring %" PRIu32 ".%" PRIu64 " with %" PRIu32 " member(s)\n",
		       transport, state_name(le32toh(res->state)), le32toh(res->ring_rep),
		       le64toh(res->ring_seq), le32toh(res->member_count));
		printf("sync %s, fault injection %s\n", (flags & AIS_CFG_STATUS_SYNCING) ? "running" : "idle",
		       (flags & AIS_CFG_STATUS_FAULT_INJECTION) ? "allowed" : "off");
	}
	free(msg);
	return 0;
}

static int cmd_members(struct ais_client *c)
{
	const struct ais_cfg_res_members *res;
	const struct ais_cfg_member *m;
	uint32_t count;
	size_t len;
	void *msg;

	if (tool_plain_request(c, AIS_CFG_REQ_MEMBERS, sizeof(*res), &msg, &len) < 0)
		return 1;
	res = msg;
	count = le32toh(res->count);
	if (count > AIS_CFG_MEMBERS_MAX || len != sizeof(*res) + count * sizeof(*m)) {
		free(msg);
		die_msg("malformed members response from aisexec");
		return 1;
	}
	m = (const struct ais_cfg_member *)(res + 1);
	if (arg_json)
		printf("{\"ring_id\": \"%" PRIu32 ".%" PRIu64 "\", \"member_count\": %" PRIu32 ", \"members\": [",
		       le32toh(res->ring_rep), le64toh(res->ring_seq), count);
	else
		printf("ring %" PRIu32 ".%" PRIu64 ", %" PRIu32 " member(s)\n%-8s %-40s %s\n",
		       le32toh(res->ring_rep), le64toh(res->ring_seq), count, "nodeid", "address", "name");
	for (uint32_t i = 0; i < count; i++) {
		char addr[sizeof(m->address)], name[sizeof(m->name)];

		field_str(addr, sizeof(addr), m[i].address, sizeof(m[i].address));
		field_str(name, sizeof(name), m[i].name, sizeof(m[i].name));
		if (arg_json) {
			printf("%s{\"nodeid\": %" PRIu32 ", \"address\": ", i ? ", " : "", le32toh(m[i].nodeid));
			json_string(stdout, addr);
			printf(", \"name\": ");
			json_string(stdout, name);
			printf("}");
		} else {
			printf("%-8" PRIu32 " %-40s %s\n", le32toh(m[i].nodeid), addr[0] ? addr : "-",
			       name[0] ? name : "-");
		}
	}
	if (arg_json)
		printf("]}\n");
	free(msg);
	return 0;
}

struct ring_field {
	const char *key;
	const char *label;
	uint64_t value;
};

static int cmd_ring(struct ais_client *c)
{
	struct ais_cfg_res_ring reply;
	const struct ais_cfg_res_ring *r = &reply;
	size_t len, n;
	void *msg;

	/* an older daemon's reply ends before the fields appended since: the
	 * copy keeps them zero, and they are not shown */
	if (tool_plain_request(c, AIS_CFG_REQ_RING, AIS_CFG_RES_RING_V1_LEN, &msg, &len) < 0)
		return 1;
	memset(&reply, 0, sizeof(reply));
	memcpy(&reply, msg, len < sizeof(reply) ? len : sizeof(reply));
	const struct ring_field fields[] = {
		{ "token_rotations", "token rotations", le64toh(r->token_rotations) },
		{ "tokens_received", "tokens received", le64toh(r->tokens_received) },
		{ "retransmits_tx", "retransmitted frames", le64toh(r->retransmits_tx) },
		{ "retransmit_requests", "retransmit requests", le64toh(r->retransmit_requests) },
		{ "backlog", "backlog", le32toh(r->backlog) },
		{ "queue_level", "send queue level (%)", le32toh(r->queue_level) },
		{ "send_queue_len", "send queue length", le32toh(r->send_queue_len) },
		{ "send_queue_max", "send queue size", le32toh(r->send_queue_max) },
		{ "mcast_tx", "frames originated", le64toh(r->mcast_tx) },
		{ "mcast_rx", "frames received", le64toh(r->mcast_rx) },
		{ "delivered", "messages delivered", le64toh(r->delivered) },
		{ "memb_changes", "membership changes", le64toh(r->memb_changes) },
		{ "token_lost", "token losses", le64toh(r->token_lost) },
		{ "consensus_timeouts", "consensus timeouts", le64toh(r->consensus_timeouts) },
		{ "fail_recv", "failed to receive", le64toh(r->fail_recv) },
		{ "frames_bad", "bad frames dropped", le64toh(r->frames_bad) },
		{ "frames_foreign", "foreign frames dropped", le64toh(r->frames_foreign) },
		{ "rx_auth_failed", "refused: failed authentication", le64toh(r->rx_auth_failed) },
		{ "rx_bad_header", "refused: not our frames", le64toh(r->rx_bad_header) },
		{ "rx_foreign_cluster", "refused: other cluster", le64toh(r->rx_foreign_cluster) },
		{ "rx_unknown_node", "refused: unknown node", le64toh(r->rx_unknown_node) },
		{ "rx_implausible", "refused: forged sender", le64toh(r->rx_implausible) },
		{ "rx_replayed", "refused: replayed", le64toh(r->rx_replayed) },
		{ "frames_implausible", "refused: implausible membership", le64toh(r->frames_implausible) },
		{ "ring_seq_refused", "rings not joined (seq unsaved)", le64toh(r->ring_seq_refused) },
		{ "fault_dropped", "fault filter: dropped", le64toh(r->fault_dropped) },
		{ "fault_duplicated", "fault filter: duplicated", le64toh(r->fault_duplicated) },
		{ "fault_delayed", "fault filter: delayed", le64toh(r->fault_delayed) },
		/* appended to the reply later (AIS_CFG_RES_RING_V1_LEN), in this order */
		{ "token_paced", "token visits paced", le64toh(r->token_paced) },
		{ "pace_held_us", "paced: time held (us)", le64toh(r->pace_held_us) },
		{ "tx_calls", "send system calls", le64toh(r->tx_calls) },
		{ "rx_calls", "receive system calls", le64toh(r->rx_calls) },
		{ "retransmit_wait_max", "retransmit wait (visits)", le64toh(r->retransmit_wait_max) },
	};
	const size_t n_appended = 5;

	/* the appended fields the daemon's reply holds, whole */
	n = sizeof(fields) / sizeof(fields[0]) - n_appended;
	if (len >= sizeof(reply))
		n += n_appended;
	else
		n += (len - AIS_CFG_RES_RING_V1_LEN) / sizeof(uint64_t);
	if (arg_json)
		printf("{\"state\": \"%s\"", state_name(le32toh(r->state)));
	else
		printf("%-24s %s\n", "state", state_name(le32toh(r->state)));
	for (size_t i = 0; i < n; i++) {
		if (arg_json)
			printf(", \"%s\": %" PRIu64, fields[i].key, fields[i].value);
		else
			printf("%-24s %" PRIu64 "\n", fields[i].label, fields[i].value);
	}
	if (arg_json)
		printf("}\n");
	free(msg);
	return 0;
}

static int cmd_services(struct ais_client *c)
{
	const struct ais_cfg_res_services *res;
	const struct ais_cfg_service *s;
	uint32_t count;
	size_t len;
	void *msg;

	if (tool_plain_request(c, AIS_CFG_REQ_SERVICES, sizeof(*res), &msg, &len) < 0)
		return 1;
	res = msg;
	count = le32toh(res->count);
	if (count > AIS_CFG_SERVICES_MAX || len != sizeof(*res) + count * sizeof(*s)) {
		free(msg);
		die_msg("malformed services response from aisexec");
		return 1;
	}
	s = (const struct ais_cfg_service *)(res + 1);
	if (arg_json)
		printf("{\"service_count\": %" PRIu32 ", \"services\": [", count);
	else
		printf("%-10s %3s %6s %10s %8s %10s %8s %8s %8s\n", "service", "id", "conns", "requests",
		       "errors", "exec_msgs", "exec_drp", "ev_queue", "ev_drop");
	for (uint32_t i = 0; i < count; i++) {
		char name[sizeof(s->name) + 1];

		field_str(name, sizeof(name), s[i].name, sizeof(s[i].name));
		if (arg_json) {
			printf("%s{\"name\": ", i ? ", " : "");
			json_string(stdout, name);
			printf(", \"id\": %" PRIu32 ", \"connections\": %" PRIu32 ", \"lib_requests\": %" PRIu64
			       ", \"lib_errors\": %" PRIu64 ", \"exec_messages\": %" PRIu64
			       ", \"exec_dropped\": %" PRIu64 ", \"events_queued\": %" PRIu64
			       ", \"events_dropped\": %" PRIu64 "}",
			       le32toh(s[i].id), le32toh(s[i].connections), le64toh(s[i].lib_requests),
			       le64toh(s[i].lib_errors), le64toh(s[i].exec_messages), le64toh(s[i].exec_dropped),
			       le64toh(s[i].events_queued), le64toh(s[i].events_dropped));
		} else {
			printf("%-10s %3" PRIu32 " %6" PRIu32 " %10" PRIu64 " %8" PRIu64 " %10" PRIu64 " %8" PRIu64
			       " %8" PRIu64 " %8" PRIu64 "\n",
			       name, le32toh(s[i].id), le32toh(s[i].connections), le64toh(s[i].lib_requests),
			       le64toh(s[i].lib_errors), le64toh(s[i].exec_messages), le64toh(s[i].exec_dropped),
			       le64toh(s[i].events_queued), le64toh(s[i].events_dropped));
		}
	}
	if (arg_json)
		printf("]}\n");
	free(msg);
	return 0;
}

/** Print the dump text as a JSON array of lines. */
static void dump_lines_json(const char *text, size_t len)
{
	size_t start = 0;
	bool first = true;

	printf("[");
	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		if (i > start || i < len) {
			printf("%s", first ? "" : ", ");
			json_string_n(stdout, text + start, i - start);
			first = false;
		}
		start = i + 1;
	}
	printf("]");
}

static int cmd_dump(struct ais_client *c)
{
	const struct ais_cfg_res_dump *res;
	char blackbox[sizeof(res->blackbox)];
	const char *text;
	uint32_t text_len, flags;
	int32_t bb_err;
	size_t len;
	void *msg;

	if (tool_plain_request(c, AIS_CFG_REQ_DUMP, sizeof(*res), &msg, &len) < 0)
		return 1;
	res = msg;
	text_len = le32toh(res->text_len);
	if (text_len > AIS_CFG_DUMP_TEXT_MAX || len != sizeof(*res) + text_len) {
		free(msg);
		die_msg("malformed dump response from aisexec");
		return 1;
	}
	text = (const char *)(res + 1);
	flags = le32toh(res->flags);
	bb_err = (int32_t)le32toh((uint32_t)res->blackbox_result);
	field_str(blackbox, sizeof(blackbox), res->blackbox, sizeof(res->blackbox));
	if (arg_json) {
		printf("{\"blackbox\": ");
		json_string(stdout, bb_err == 0 ? blackbox : "");
		printf(", \"blackbox_error\": ");
		json_string(stdout, bb_err == 0 ? "" : strerror(-bb_err));
		printf(", \"truncated\": %s, \"lines\": ", (flags & AIS_CFG_DUMP_TRUNCATED) ? "true" : "false");
		dump_lines_json(text, text_len);
		printf("}\n");
	} else {
		if (bb_err == 0)
			printf("blackbox written to %s\n", blackbox);
		else
			printf("blackbox not written: %s\n",
			       bb_err == -EACCES ? "only root or the daemon's user may write one" : strerror(-bb_err));
		fwrite(text, 1, text_len, stdout);
		if (flags & AIS_CFG_DUMP_TRUNCATED)
			printf("(dump truncated at %u bytes)\n", AIS_CFG_DUMP_TEXT_MAX);
	}
	free(msg);
	return 0;
}

/* --- commands that change things -------------------------------------- */

static int simple_result(void *msg, const char *what)
{
	const struct ais_cfg_res_simple *res = msg;
	int32_t result = (int32_t)le32toh((uint32_t)res->result);

	free(msg);
	if (result < 0) {
		die_msg("%s: %s", what, strerror(-result));
		return 1;
	}
	return 0;
}

static int cmd_shutdown(struct ais_client *c)
{
	struct ais_cfg_req_plain req;
	char label[96];
	int32_t err = SA_AIS_OK;
	size_t len;
	void *msg;

	memset(&req, 0, sizeof(req));
	if (tool_request(c, &req, sizeof(req), AIS_CFG_REQ_SHUTDOWN, sizeof(struct ais_cfg_res_simple), &msg, &len,
	                 &err) < 0) {
		if (err == SA_AIS_ERR_ACCESS)
			die_msg("shutdown refused: only root or the user aisexec runs as may stop it");
		else if (err != SA_AIS_OK)
			die_msg("shutdown refused: %s", sa_error_name(err));
		return 1;
	}
	if (simple_result(msg, "shutdown") != 0)
		return 1;
	printf("%s is shutting down\n", instance_label(label, sizeof(label)));
	return 0;
}

/** Parse a node id list "1,2,3" (also used for single ids). */
static int parse_nodes(const char *s, uint32_t *nodes, size_t max, size_t *ret_n)
{
	size_t n = 0;
	const char *p = s;

	while (*p) {
		char *end;
		unsigned long v;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || v == 0 || v > UINT32_MAX || n == max)
			return -EINVAL;
		nodes[n++] = (uint32_t)v;
		p = end;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			return -EINVAL;
	}
	if (n == 0)
		return -EINVAL;
	*ret_n = n;
	return 0;
}

static int fault_send(struct ais_client *c, void *req, size_t req_len, enum ais_cfg_request_id id,
                      const char *what)
{
	int32_t err = SA_AIS_OK;
	size_t len;
	void *msg;

	if (tool_request(c, req, req_len, id, sizeof(struct ais_cfg_res_simple), &msg, &len, &err) < 0) {
		if (err == SA_AIS_ERR_ACCESS)
			die_msg("fault injection is disabled: set totem { fault_injection: on } in the "
			        "configuration of this node");
		else if (err == SA_AIS_ERR_INVALID_PARAM)
			die_msg("%s: invalid request (node ids must be non-zero, distinct, and in one group only)",
			        what);
		else if (err != SA_AIS_OK)
			die_msg("%s refused: %s", what, sa_error_name(err));
		return 1;
	}
	if (simple_result(msg, what) != 0)
		return 1;
	printf("%s: done\n", what);
	return 0;
}

/** A 0..100 percentage; -EINVAL with a message otherwise. */
static int parse_percent(const char *s, uint32_t *ret)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > 100) {
		die_msg("bad percentage '%s': expected 0..100", s);
		return -EINVAL;
	}
	*ret = (uint32_t)v;
	return 0;
}

/** A fault request, parsed from the command line before connecting. */
struct fault_req {
	union {
		struct ais_cfg_req_plain plain;
		struct ais_cfg_req_fault_drop drop;
		struct ais_cfg_req_fault_partition partition;
		struct ais_cfg_req_fault_rate rate;
	} u;
	size_t len;
	enum ais_cfg_request_id id;
	const char *what;
};

/** fault drop PERCENT [NODE...] | fault drop-mcast PERCENT [NODE...] */
static int fault_parse_drop(int argc, char **argv, bool mcast, struct fault_req *ret)
{
	const char *what = mcast ? "fault drop-mcast" : "fault drop";
	uint32_t nodes[AIS_CFG_FAULT_NODES_MAX];
	uint32_t pct;
	size_t n = 0;

	if (argc < 1) {
		die_msg("usage: %s PERCENT [NODE...]", what);
		return -EINVAL;
	}
	if (parse_percent(argv[0], &pct) < 0)
		return -EINVAL;
	for (int i = 1; i < argc; i++) {
		size_t got;

		if (parse_nodes(argv[i], nodes + n, AIS_CFG_FAULT_NODES_MAX - n, &got) < 0) {
			die_msg("bad node id '%s'", argv[i]);
			return -EINVAL;
		}
		n += got;
	}
	memset(ret, 0, sizeof(*ret));
	ret->u.drop.percent = htole32(pct);
	ret->u.drop.n_nodes = htole32((uint32_t)n);
	for (size_t i = 0; i < n; i++)
		ret->u.drop.nodes[i] = htole32(nodes[i]);
	ret->len = AIS_CFG_REQ_FAULT_DROP_MIN + n * sizeof(uint32_t);
	ret->id = mcast ? AIS_CFG_REQ_FAULT_DROP_MCAST : AIS_CFG_REQ_FAULT_DROP;
	ret->what = what;
	return 0;
}

static int fault_parse_partition(int argc, char **argv, struct fault_req *ret)
{
	uint32_t nodes[AIS_CFG_FAULT_NODES_MAX];
	size_t n_a = 0, n_b = 0;
	char *spec, *slash;
	int r = -EINVAL;

	if (argc != 1) {
		die_msg("usage: fault partition A,B,.../C,D,... (two groups of node ids)");
		return -EINVAL;
	}
	spec = strdup(argv[0]);
	if (!spec) {
		die_msg("out of memory");
		return -ENOMEM;
	}
	slash = strchr(spec, '/');
	if (slash) {
		*slash = '\0';
		if (!strchr(slash + 1, '/') && parse_nodes(spec, nodes, AIS_CFG_FAULT_NODES_MAX, &n_a) == 0 &&
		    parse_nodes(slash + 1, nodes + n_a, AIS_CFG_FAULT_NODES_MAX - n_a, &n_b) == 0)
			r = 0;
	}
	free(spec);
	if (r < 0) {
		die_msg("bad partition '%s': expected two groups of node ids like 1,2/3", argv[0]);
		return r;
	}
	memset(ret, 0, sizeof(*ret));
	ret->u.partition.n_a = htole32((uint32_t)n_a);
	ret->u.partition.n_b = htole32((uint32_t)n_b);
	for (size_t i = 0; i < n_a + n_b; i++)
		ret->u.partition.nodes[i] = htole32(nodes[i]);
	ret->len = AIS_CFG_REQ_FAULT_PARTITION_MIN + (n_a + n_b) * sizeof(uint32_t);
	ret->id = AIS_CFG_REQ_FAULT_PARTITION;
	ret->what = "fault partition";
	return 0;
}

/** fault duplicate PERCENT | fault delay PERCENT MS */
static int fault_parse_rate(int argc, char **argv, bool delay, struct fault_req *ret)
{
	uint32_t pct, ms = 0;
	unsigned long v;
	char *end;

	if (argc != (delay ? 2 : 1)) {
		die_msg("usage: %s", delay ? "fault delay PERCENT MS" : "fault duplicate PERCENT");
		return -EINVAL;
	}
	if (parse_percent(argv[0], &pct) < 0)
		return -EINVAL;
	if (delay) {
		errno = 0;
		v = strtoul(argv[1], &end, 10);
		if (errno || end == argv[1] || *end || argv[1][0] == '-' || v > AIS_CFG_FAULT_DELAY_MAX_MS) {
			die_msg("bad delay '%s': expected 0..%u ms", argv[1], AIS_CFG_FAULT_DELAY_MAX_MS);
			return -EINVAL;
		}
		ms = (uint32_t)v;
	}
	memset(ret, 0, sizeof(*ret));
	ret->u.rate.percent = htole32(pct);
	ret->u.rate.ms = htole32(ms);
	ret->len = sizeof(ret->u.rate);
	ret->id = delay ? AIS_CFG_REQ_FAULT_DELAY : AIS_CFG_REQ_FAULT_DUPLICATE;
	ret->what = delay ? "fault delay" : "fault duplicate";
	return 0;
}

/** Parse `fault ...` (argv[0] is the sub-command). */
static int fault_parse(int argc, char **argv, struct fault_req *ret)
{
	if (argc >= 1 && strcmp(argv[0], "drop") == 0)
		return fault_parse_drop(argc - 1, argv + 1, false, ret);
	if (argc >= 1 && strcmp(argv[0], "drop-mcast") == 0)
		return fault_parse_drop(argc - 1, argv + 1, true, ret);
	if (argc >= 1 && strcmp(argv[0], "partition") == 0)
		return fault_parse_partition(argc - 1, argv + 1, ret);
	if (argc >= 1 && strcmp(argv[0], "duplicate") == 0)
		return fault_parse_rate(argc - 1, argv + 1, false, ret);
	if (argc >= 1 && strcmp(argv[0], "delay") == 0)
		return fault_parse_rate(argc - 1, argv + 1, true, ret);
	if (argc == 1 && strcmp(argv[0], "clear") == 0) {
		memset(ret, 0, sizeof(*ret));
		ret->len = sizeof(ret->u.plain);
		ret->id = AIS_CFG_REQ_FAULT_CLEAR;
		ret->what = "fault clear";
		return 0;
	}
	if (argc == 1 && strcmp(argv[0], "heal") == 0) {
		memset(ret, 0, sizeof(*ret));
		ret->len = sizeof(ret->u.plain);
		ret->id = AIS_CFG_REQ_FAULT_HEAL;
		ret->what = "fault heal";
		return 0;
	}
	die_msg("usage: fault drop PERCENT [NODE...] | drop-mcast PERCENT [NODE...] | "
	        "partition A,B/C | heal | duplicate PERCENT | delay PERCENT MS | clear");
	return -EINVAL;
}

/* --- clm: the membership view through the public CLM API ---------------- */

static void json_bytes(FILE *f, const SaUint8T *p, size_t n)
{
	char buf[SA_MAX_NAME_LENGTH + 1];

	memcpy(buf, p, n);
	buf[n] = '\0';
	json_string(f, buf);
}

static int cmd_clm(void)
{
	SaClmClusterNotificationBufferT buf = { 0, 0, NULL };
	SaVersionT version = { 'B', 1, 1 };
	unsigned waited = 0;
	SaClmHandleT h;
	SaAisErrorT e;

	for (;;) {
		e = saClmInitialize(&h, NULL, &version);
		if (e != SA_AIS_ERR_TRY_AGAIN || waited >= TOOL_RETRY_MS)
			break;
		sleep_ms(TOOL_RETRY_STEP_MS);
		waited += TOOL_RETRY_STEP_MS;
	}
	if (e != SA_AIS_OK) {
		char label[96];

		const char *why = saClmInitializeErrorText();

		if (why != NULL)
			die_msg("cannot reach the clm service of %s: %s",
			        instance_label(label, sizeof(label)), why);
		else
			die_msg("cannot reach the clm service of %s: %s (%d)",
			        instance_label(label, sizeof(label)), sa_error_name(e), (int)e);
		return 1;
	}
	e = saClmClusterTrack(h, SA_TRACK_CURRENT, &buf);
	if (e != SA_AIS_OK) {
		saClmFinalize(h);
		die_msg("saClmClusterTrack: %s (%d)", sa_error_name(e), (int)e);
		return 1;
	}
	if (arg_json)
		printf("{\"view_number\": %" PRIu64 ", \"member_count\": %" PRIu32 ", \"nodes\": [",
		       (uint64_t)buf.viewNumber, buf.numberOfItems);
	else
		printf("view %" PRIu64 ", %" PRIu32 " member(s)\n%-8s %-16s %-24s %-6s %-23s %s\n",
		       (uint64_t)buf.viewNumber, buf.numberOfItems, "nodeid", "name", "address", "member",
		       "boot time (UTC)", "initial view");
	for (SaUint32T i = 0; i < buf.numberOfItems; i++) {
		const SaClmClusterNodeT *n = &buf.notification[i].clusterNode;
		size_t alen = n->nodeAddress.length <= SA_CLM_MAX_ADDRESS_LENGTH ? n->nodeAddress.length : 0;
		size_t nlen = n->nodeName.length <= SA_MAX_NAME_LENGTH ? n->nodeName.length : 0;

		if (arg_json) {
			printf("%s{\"nodeid\": %" PRIu32 ", \"name\": ", i ? ", " : "", n->nodeId);
			json_bytes(stdout, n->nodeName.value, nlen);
			printf(", \"address\": ");
			json_bytes(stdout, n->nodeAddress.value, alen);
			printf(", \"member\": %s, \"boot_timestamp\": %" PRId64 ", \"initial_view_number\": %" PRIu64 "}",
			       n->member ? "true" : "false", (int64_t)n->bootTimestamp,
			       (uint64_t)n->initialViewNumber);
		} else {
			char boot[32];
			time_t secs = (time_t)(n->bootTimestamp / SA_TIME_ONE_SECOND);
			struct tm tm;

			if (gmtime_r(&secs, &tm) == NULL ||
			    strftime(boot, sizeof(boot), "%Y-%m-%d %H:%M:%S", &tm) == 0)
				snprintf(boot, sizeof(boot), "%" PRId64, (int64_t)n->bootTimestamp);
			else
				snprintf(boot + strlen(boot), sizeof(boot) - strlen(boot), ".%03u",
				         (unsigned)(n->bootTimestamp % SA_TIME_ONE_SECOND / SA_TIME_ONE_MILLISECOND));
			printf("%-8" PRIu32 " %-16.*s %-24.*s %-6s %-23s %" PRIu64 "\n", n->nodeId, (int)nlen,
			       (const char *)n->nodeName.value, (int)alen, (const char *)n->nodeAddress.value,
			       n->member ? "yes" : "no", boot, (uint64_t)n->initialViewNumber);
		}
	}
	if (arg_json)
		printf("]}\n");
	saClmClusterNotificationFree(h, buf.notification);
	saClmFinalize(h);
	return 0;
}

/* --- evt: the event service's state (raw request to the evt engine) ---- */

static void evt_name_str(char *dst, size_t dst_len, const struct ais_evt_name *n)
{
	size_t len = n->length <= 256 ? n->length : 256;

	field_str(dst, dst_len, (const char *)n->value, len);
}

static int evt_status_get(void **ret_msg, size_t *ret_len)
{
	struct ais_evt_req_status req;
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	const struct ais_evt_res_status *res;
	struct ais_client *e;
	unsigned waited = 0;
	char label[96];
	void *msg;
	size_t len;
	int r;

	r = ais_client_connect("evt", &e);
	if (r < 0) {
		die_msg("cannot connect to the evt service of %s: %s", instance_label(label, sizeof(label)),
		        ais_client_connect_reason());
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.header.id = AIS_EVT_REQ_STATUS;
	req.header.size = sizeof(req);
	for (;;) {
		r = ais_client_request_alloc(e, &iov, 1, AIS_EVT_REQ_STATUS, &msg, &len);
		if (r < 0 || len < sizeof(*res) || ((const struct ais_evt_res_status *)msg)->header.error !=
		                                           SA_AIS_ERR_TRY_AGAIN || waited >= TOOL_RETRY_MS)
			break;
		free(msg);
		sleep_ms(TOOL_RETRY_STEP_MS);
		waited += TOOL_RETRY_STEP_MS;
	}
	ais_client_shutdown(e);
	ais_client_disconnect(e);
	if (r < 0) {
		die_msg("evt status request failed: %s", strerror(-r));
		return -1;
	}
	res = msg;
	if (len < sizeof(*res) || res->header.error != SA_AIS_OK ||
	    res->n_channels > AIS_EVT_STATUS_CHANNELS_MAX || res->n_conns > AIS_EVT_STATUS_CONNS_MAX ||
	    res->n_retained > AIS_EVT_STATUS_RETAINED_MAX ||
	    len != sizeof(*res) + res->n_channels * sizeof(struct ais_evt_status_channel) +
	                   res->n_conns * sizeof(struct ais_evt_status_conn) +
	                   res->n_retained * sizeof(struct ais_evt_status_retained)) {
		free(msg);
		die_msg("malformed evt status response from aisexec");
		return -1;
	}
	*ret_msg = msg;
	*ret_len = len;
	return 0;
}

static void evt_print_json(const struct ais_evt_res_status *res, const struct ais_evt_status_channel *ch,
                           const struct ais_evt_status_conn *cn, const struct ais_evt_status_retained *rt)
{
	char name[4 * 256 + 1];

	printf("{\"nodeid\": %" PRIu32 ", \"sync_active\": %s, \"next_event_id\": \"%016" PRIx64
	       "\", \"reserved_event_id\": \"%016" PRIx64 "\", \"published\": %" PRIu64 ", \"delivered\": %" PRIu64
	       ", \"dropped\": %" PRIu64 ", \"bad_frames\": %" PRIu64 ", \"channels_total\": %" PRIu32
	       ", \"connections_total\": %" PRIu32 ", \"retained_total\": %" PRIu32 ", \"channels\": [",
	       res->nodeid, res->sync_active ? "true" : "false", res->next_event_id, res->reserved_event_id,
	       res->published, res->delivered, res->dropped, res->bad_frames, res->channels_total,
	       res->conns_total, res->retained_total);
	for (uint32_t i = 0; i < res->n_channels; i++) {
		evt_name_str(name, sizeof(name), &ch[i].name);
		printf("%s{\"name\": ", i ? ", " : "");
		json_string(stdout, name);
		printf(", \"id\": \"%016" PRIx64 "\", \"unlinked\": %s, \"openers\": %" PRIu32
		       ", \"local_opens\": %" PRIu32 ", \"subscriptions\": %" PRIu32 ", \"retained\": %" PRIu32 "}",
		       ch[i].id, ch[i].unlinked ? "true" : "false", ch[i].openers, ch[i].local_opens,
		       ch[i].subscriptions, ch[i].retained);
	}
	printf("], \"connections\": [");
	for (uint32_t i = 0; i < res->n_conns; i++)
		printf("%s{\"conn_id\": \"%" PRIx64 "\", \"pid\": %" PRIu32 ", \"opens\": %" PRIu32
		       ", \"subscriptions\": %" PRIu32 ", \"queued\": %" PRIu32 ", \"queued_bytes\": %" PRIu64
		       ", \"in_flight\": %" PRIu32 ", \"lost_pending\": %s, \"delivered\": %" PRIu64
		       ", \"lost\": %" PRIu64 "}",
		       i ? ", " : "", cn[i].conn_id, cn[i].pid, cn[i].opens, cn[i].subscriptions, cn[i].queued,
		       cn[i].queued_bytes, cn[i].in_flight, cn[i].lost_pending ? "true" : "false", cn[i].delivered,
		       cn[i].lost);
	printf("], \"retained\": [");
	for (uint32_t i = 0; i < res->n_retained; i++) {
		evt_name_str(name, sizeof(name), &rt[i].publisher);
		printf("%s{\"event_id\": \"%016" PRIx64 "\", \"channel_id\": \"%016" PRIx64 "\", \"priority\": %" PRIu32
		       ", \"publish_time\": %" PRId64 ", \"expiry\": %" PRId64 ", \"data_len\": %" PRIu32
		       ", \"publisher\": ",
		       i ? ", " : "", rt[i].event_id, rt[i].channel_id, rt[i].priority, rt[i].publish_time,
		       rt[i].expiry, rt[i].data_len);
		json_string(stdout, name);
		printf("}");
	}
	printf("]}\n");
}

static void evt_print_text(const struct ais_evt_res_status *res, const struct ais_evt_status_channel *ch,
                           const struct ais_evt_status_conn *cn, const struct ais_evt_status_retained *rt)
{
	char name[4 * 256 + 1];

	printf("node %" PRIu32 "%s: next event id %016" PRIx64 " (reserved below %016" PRIx64 ")\n", res->nodeid,
	       res->sync_active ? " (synchronising)" : "", res->next_event_id, res->reserved_event_id);
	printf("published %" PRIu64 ", delivered %" PRIu64 ", dropped %" PRIu64 ", bad frames %" PRIu64 "\n",
	       res->published, res->delivered, res->dropped, res->bad_frames);
	printf("\nchannels: %" PRIu32 "%s\n", res->channels_total, res->n_channels < res->channels_total ? " (cut)" : "");
	if (res->n_channels)
		printf("  %-16s %-24s %8s %6s %5s %8s\n", "id", "name", "openers", "local", "subs", "retained");
	for (uint32_t i = 0; i < res->n_channels; i++) {
		evt_name_str(name, sizeof(name), &ch[i].name);
		printf("  %016" PRIx64 " %-24s %8" PRIu32 " %6" PRIu32 " %5" PRIu32 " %8" PRIu32 "%s\n", ch[i].id, name,
		       ch[i].openers, ch[i].local_opens, ch[i].subscriptions, ch[i].retained,
		       ch[i].unlinked ? "  (unlinked)" : "");
	}
	printf("\nconnections: %" PRIu32 "%s\n", res->conns_total, res->n_conns < res->conns_total ? " (cut)" : "");
	if (res->n_conns)
		printf("  %-8s %7s %5s %5s %6s %9s %6s %9s %6s\n", "conn", "pid", "opens", "subs", "queued", "bytes",
		       "flight", "delivered", "lost");
	for (uint32_t i = 0; i < res->n_conns; i++)
		printf("  %-8" PRIx64 " %7" PRIu32 " %5" PRIu32 " %5" PRIu32 " %6" PRIu32 " %9" PRIu64 " %6" PRIu32
		       " %9" PRIu64 " %6" PRIu64 "%s\n",
		       cn[i].conn_id, cn[i].pid, cn[i].opens, cn[i].subscriptions, cn[i].queued, cn[i].queued_bytes,
		       cn[i].in_flight, cn[i].delivered, cn[i].lost, cn[i].lost_pending ? "  (notice owed)" : "");
	printf("\nretained events: %" PRIu32 "%s\n", res->retained_total,
	       res->n_retained < res->retained_total ? " (cut)" : "");
	if (res->n_retained)
		printf("  %-16s %-16s %4s %8s %10s  %s\n", "event id", "channel", "prio", "bytes", "expires in",
		       "publisher");
	for (uint32_t i = 0; i < res->n_retained; i++) {
		struct timespec now;
		int64_t left;

		clock_gettime(CLOCK_REALTIME, &now);
		left = rt[i].expiry - ((int64_t)now.tv_sec * 1000000000 + now.tv_nsec);
		evt_name_str(name, sizeof(name), &rt[i].publisher);
		printf("  %016" PRIx64 " %016" PRIx64 " %4" PRIu32 " %8" PRIu32 " %9" PRId64 "s  %s\n", rt[i].event_id,
		       rt[i].channel_id, rt[i].priority, rt[i].data_len, left > 0 ? left / 1000000000 : 0, name);
	}
}

static int cmd_evt(void)
{
	const struct ais_evt_res_status *res;
	const struct ais_evt_status_channel *ch;
	const struct ais_evt_status_conn *cn;
	const struct ais_evt_status_retained *rt;
	void *msg;
	size_t len;

	if (evt_status_get(&msg, &len) < 0)
		return 1;
	res = msg;
	ch = (const struct ais_evt_status_channel *)(res + 1);
	cn = (const struct ais_evt_status_conn *)(ch + res->n_channels);
	rt = (const struct ais_evt_status_retained *)(cn + res->n_conns);
	if (arg_json)
		evt_print_json(res, ch, cn, rt);
	else
		evt_print_text(res, ch, cn, rt);
	free(msg);
	return 0;
}

/* --- amf: status and administrative operations (raw requests to the amf engine) */

/** The SaAisErrorT constant's name, for operators and scripts. */
static const char *sa_error_const(int32_t err)
{
	static const char *const names[] = {
		[SA_AIS_OK] = "SA_AIS_OK",
		[SA_AIS_ERR_LIBRARY] = "SA_AIS_ERR_LIBRARY",
		[SA_AIS_ERR_VERSION] = "SA_AIS_ERR_VERSION",
		[SA_AIS_ERR_INIT] = "SA_AIS_ERR_INIT",
		[SA_AIS_ERR_TIMEOUT] = "SA_AIS_ERR_TIMEOUT",
		[SA_AIS_ERR_TRY_AGAIN] = "SA_AIS_ERR_TRY_AGAIN",
		[SA_AIS_ERR_INVALID_PARAM] = "SA_AIS_ERR_INVALID_PARAM",
		[SA_AIS_ERR_NO_MEMORY] = "SA_AIS_ERR_NO_MEMORY",
		[SA_AIS_ERR_BAD_HANDLE] = "SA_AIS_ERR_BAD_HANDLE",
		[SA_AIS_ERR_BUSY] = "SA_AIS_ERR_BUSY",
		[SA_AIS_ERR_ACCESS] = "SA_AIS_ERR_ACCESS",
		[SA_AIS_ERR_NOT_EXIST] = "SA_AIS_ERR_NOT_EXIST",
		[SA_AIS_ERR_NAME_TOO_LONG] = "SA_AIS_ERR_NAME_TOO_LONG",
		[SA_AIS_ERR_EXIST] = "SA_AIS_ERR_EXIST",
		[SA_AIS_ERR_NO_SPACE] = "SA_AIS_ERR_NO_SPACE",
		[SA_AIS_ERR_INTERRUPT] = "SA_AIS_ERR_INTERRUPT",
		[SA_AIS_ERR_NAME_NOT_FOUND] = "SA_AIS_ERR_NAME_NOT_FOUND",
		[SA_AIS_ERR_NO_RESOURCES] = "SA_AIS_ERR_NO_RESOURCES",
		[SA_AIS_ERR_NOT_SUPPORTED] = "SA_AIS_ERR_NOT_SUPPORTED",
		[SA_AIS_ERR_BAD_OPERATION] = "SA_AIS_ERR_BAD_OPERATION",
		[SA_AIS_ERR_FAILED_OPERATION] = "SA_AIS_ERR_FAILED_OPERATION",
		[SA_AIS_ERR_MESSAGE_ERROR] = "SA_AIS_ERR_MESSAGE_ERROR",
		[SA_AIS_ERR_QUEUE_FULL] = "SA_AIS_ERR_QUEUE_FULL",
		[SA_AIS_ERR_QUEUE_NOT_AVAILABLE] = "SA_AIS_ERR_QUEUE_NOT_AVAILABLE",
		[SA_AIS_ERR_BAD_FLAGS] = "SA_AIS_ERR_BAD_FLAGS",
		[SA_AIS_ERR_TOO_BIG] = "SA_AIS_ERR_TOO_BIG",
		[SA_AIS_ERR_NO_SECTIONS] = "SA_AIS_ERR_NO_SECTIONS",
		[SA_AIS_ERR_NO_OP] = "SA_AIS_ERR_NO_OP",
		[SA_AIS_ERR_REPAIR_PENDING] = "SA_AIS_ERR_REPAIR_PENDING",
		[SA_AIS_ERR_NO_BINDINGS] = "SA_AIS_ERR_NO_BINDINGS",
		[SA_AIS_ERR_UNAVAILABLE] = "SA_AIS_ERR_UNAVAILABLE",
	};

	if (err >= 0 && (size_t)err < sizeof(names) / sizeof(names[0]) && names[err])
		return names[err];
	return "SA_AIS_ERR_UNKNOWN";
}

/** What an ADMIN refusal means, in the words of include/ais/ipc_amf.h. */
static const char *amf_admin_error_text(int32_t err)
{
	switch (err) {
	case SA_AIS_ERR_NOT_EXIST:
		return "no such entity";
	case SA_AIS_ERR_NO_OP:
		return "already in that state";
	case SA_AIS_ERR_BAD_OPERATION:
		return "not valid for that entity or in its state";
	case SA_AIS_ERR_TRY_AGAIN:
		return "another operation on its service group is in progress, or sync runs";
	case SA_AIS_ERR_ACCESS:
		return "only root or the user aisexec runs as may do this";
	case SA_AIS_ERR_INVALID_PARAM:
		return "bad operation or malformed name";
	}
	return sa_error_name(err);
}

struct amf_admin_cmd {
	const char *name;
	uint32_t op;
};

static const struct amf_admin_cmd amf_admin_cmds[] = {
	{ "lock", AIS_AMF_ADMIN_LOCK },
	{ "unlock", AIS_AMF_ADMIN_UNLOCK },
	{ "shutdown", AIS_AMF_ADMIN_SHUTDOWN },
	{ "lock-instantiation", AIS_AMF_ADMIN_LOCK_INSTANTIATION },
	{ "unlock-instantiation", AIS_AMF_ADMIN_UNLOCK_INSTANTIATION },
	{ "restart", AIS_AMF_ADMIN_RESTART },
	{ "repaired", AIS_AMF_ADMIN_REPAIRED },
	{ "si-swap", AIS_AMF_ADMIN_SI_SWAP },
};

static const struct amf_admin_cmd *amf_admin_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(amf_admin_cmds) / sizeof(amf_admin_cmds[0]); i++)
		if (strcmp(name, amf_admin_cmds[i].name) == 0)
			return &amf_admin_cmds[i];
	return NULL;
}

static void amf_usage(FILE *f)
{
	fprintf(f, "usage: aistool amf status [--json]\n"
	           "       aistool amf lock|unlock|shutdown|lock-instantiation|unlock-instantiation|\n"
	           "                   restart|repaired DN\n"
	           "       aistool amf si-swap SI_DN\n");
}

/**
 * Send one request to the amf engine; TRY_AGAIN is retried for up to
 * TOOL_RETRY_MS. Returns 0 with the response (malloc()ed, at least a
 * response header) in *ret_msg, or -1 after printing why the request could
 * not be made. The caller looks at header.error.
 */
static int amf_request(void *req, size_t req_len, uint32_t id, void **ret_msg, size_t *ret_len)
{
	struct qb_ipc_request_header *h = req;
	struct iovec iov = { .iov_base = req, .iov_len = req_len };
	struct ais_client *a;
	unsigned waited = 0;
	char label[96];
	void *msg = NULL;
	size_t len = 0;
	int r;

	r = ais_client_connect("amf", &a);
	if (r < 0) {
		die_msg("cannot connect to the amf service of %s: %s", instance_label(label, sizeof(label)),
		        ais_client_connect_reason());
		return -1;
	}
	h->id = (int32_t)id;
	h->size = (int32_t)req_len;
	for (;;) {
		r = ais_client_request_alloc(a, &iov, 1, (int32_t)id, &msg, &len);
		if (r < 0)
			break;
		if (len < sizeof(struct qb_ipc_response_header)) {
			free(msg);
			r = -EPROTO;
			break;
		}
		if (((const struct qb_ipc_response_header *)msg)->error != SA_AIS_ERR_TRY_AGAIN ||
		    waited >= TOOL_RETRY_MS)
			break;
		free(msg);
		sleep_ms(TOOL_RETRY_STEP_MS);
		waited += TOOL_RETRY_STEP_MS;
	}
	ais_client_shutdown(a);
	ais_client_disconnect(a);
	if (r < 0) {
		die_msg("amf request to %s failed: %s", instance_label(label, sizeof(label)),
		        r == -ENOTCONN ? "the daemon went away" :
		        r == -EPROTO   ? "short response" : strerror(-r));
		return -1;
	}
	*ret_msg = msg;
	*ret_len = len;
	return 0;
}

static int cmd_amf_status(void)
{
	struct ais_amf_req_status req;
	const struct ais_amf_res_status *res;
	const char *text;
	void *msg;
	size_t len;

	memset(&req, 0, sizeof(req));
	req.format = arg_json ? AIS_AMF_STATUS_JSON : AIS_AMF_STATUS_TEXT;
	if (amf_request(&req, sizeof(req), AIS_AMF_REQ_STATUS, &msg, &len) < 0)
		return 1;
	res = msg;
	if (res->header.error != SA_AIS_OK) {
		int32_t err = res->header.error;

		free(msg);
		if (err == SA_AIS_ERR_NOT_EXIST)
			die_msg("amf status: %s (AMF is not enabled on this node)", sa_error_const(err));
		else
			die_msg("amf status: %s (%s)", sa_error_const(err), sa_error_name(err));
		return 1;
	}
	if (len < sizeof(*res) || res->len == 0 || len != sizeof(*res) + res->len ||
	    ((const char *)(res + 1))[res->len - 1] != '\0') {
		free(msg);
		die_msg("malformed amf status response from aisexec");
		return 1;
	}
	text = (const char *)(res + 1);
	fputs(text, stdout);
	if (res->len > 1 && text[res->len - 2] != '\n')
		fputc('\n', stdout);
	free(msg);
	return 0;
}

static int cmd_amf_admin(const struct amf_admin_cmd *cmd, const char *dn)
{
	struct ais_amf_req_admin req;
	int32_t err;
	size_t n = strlen(dn), len;
	void *msg;

	if (n == 0 || n > AIS_AMF_NAME_MAX) {
		die_msg("amf %s: the name must have 1 to %d bytes", cmd->name, AIS_AMF_NAME_MAX);
		return EXIT_USAGE;
	}
	memset(&req, 0, sizeof(req));
	req.op = cmd->op;
	req.dn.length = (uint16_t)n;
	memcpy(req.dn.value, dn, n);
	if (amf_request(&req, sizeof(req), AIS_AMF_REQ_ADMIN, &msg, &len) < 0)
		return 1;
	err = ((const struct qb_ipc_response_header *)msg)->error;
	free(msg);
	if (err != SA_AIS_OK) {
		die_msg("amf %s %s: %s (%s)", cmd->name, dn, sa_error_const(err), amf_admin_error_text(err));
		return 1;
	}
	if (arg_json)
		printf("{\"result\": \"SA_AIS_OK\"}\n");
	return 0;
}

static int cmd_amf(int argc, char **argv)
{
	const struct amf_admin_cmd *cmd;

	if (argc == 1 && strcmp(argv[0], "status") == 0)
		return cmd_amf_status();
	if (argc >= 1 && (cmd = amf_admin_lookup(argv[0])) != NULL) {
		if (argc != 2) {
			die_msg("amf %s needs one distinguished name", argv[0]);
			amf_usage(stderr);
			return EXIT_USAGE;
		}
		return cmd_amf_admin(cmd, argv[1]);
	}
	if (argc >= 1)
		die_msg("amf: unknown or malformed command '%s'", argv[0]);
	amf_usage(stderr);
	return EXIT_USAGE;
}

/* --- main ------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: aistool [--json] [-i INSTANCE] COMMAND [ARGS]\n"
	        "\n"
	        "Administer the local aisexec daemon.\n"
	        "\n"
	        "Commands:\n"
	        "  status                       node id, instance, state, ring id, uptime\n"
	        "  members                      the current regular configuration\n"
	        "  ring                         totem statistics: token rotations, retransmits,\n"
	        "                               backlog, queue level, membership changes\n"
	        "  services                     per-engine counters\n"
	        "  clm                          the membership view (CLM): view number and, per\n"
	        "                               node, name, address, boot time, initial view\n"
	        "  dump                         write the blackbox and print every engine's state\n"
	        "  evt                          event service: channels, connections' delivery\n"
	        "                               queues, retained events\n"
	        "  amf status                   AMF: every entity with its states and the\n"
	        "                               assignments (--json: one object)\n"
	        "  amf OP DN                    AMF administrative operation OP on the node,\n"
	        "                               application, SG, SU or SI named DN: lock,\n"
	        "                               unlock, shutdown, lock-instantiation,\n"
	        "                               unlock-instantiation, restart, repaired\n"
	        "  amf si-swap SI_DN            exchange the active and standby of an SI\n"
	        "  shutdown                     ask the daemon to leave the ring and exit\n"
	        "  fault drop PERCENT [NODE...] drop PERCENT of the packets (to/from NODEs only)\n"
	        "  fault drop-mcast PERCENT [NODE...]\n"
	        "                               NODEs (all when none given) drop PERCENT of the\n"
	        "                               messages they receive; tokens and membership\n"
	        "                               frames pass (fail-to-receive)\n"
	        "  fault partition A,B/C        split the ring into two groups of node ids\n"
	        "  fault heal                   end the partition, keep the other rules\n"
	        "  fault duplicate PERCENT      send PERCENT of the packets twice\n"
	        "  fault delay PERCENT MS       hold PERCENT of the packets back MS ms (<= 10000)\n"
	        "  fault clear                  remove every fault rule\n"
	        "\n"
	        "Options:\n"
	        "  -j, --json                   print one JSON object (read commands)\n"
	        "  -i, --instance INSTANCE      talk to daemon INSTANCE (default $AIS_INSTANCE)\n"
	        "  -h, --help                   show this help\n"
	        "  -V, --version                show the version\n"
	        "\n"
	        "Fault requests need totem { fault_injection: on } and are applied by every\n"
	        "member of the ring; after a partition run `fault heal` on a node of each side.\n"
	        "`fault clear` takes effect at once on the node asked, then on the rest of its\n"
	        "ring.\n"
	        "AMF operations need root or the user aisexec runs as; they return once\n"
	        "applied by every node (not when the assignments settled). A refused one\n"
	        "prints the SA error (SA_AIS_ERR_NO_OP, SA_AIS_ERR_NOT_EXIST, ...).\n"
	        "Exit status: 0 success, 1 error, 2 usage error.\n");
}

static int run_command(struct ais_client *c, const char *cmd, struct fault_req *fault)
{
	if (fault)
		return fault_send(c, &fault->u, fault->len, fault->id, fault->what);
	if (strcmp(cmd, "status") == 0)
		return cmd_status(c);
	if (strcmp(cmd, "members") == 0)
		return cmd_members(c);
	if (strcmp(cmd, "ring") == 0)
		return cmd_ring(c);
	if (strcmp(cmd, "services") == 0)
		return cmd_services(c);
	if (strcmp(cmd, "dump") == 0)
		return cmd_dump(c);
	return cmd_shutdown(c);
}

static bool command_known(const char *cmd)
{
	static const char *const known[] = { "status", "members", "ring", "services",
	                                     "dump", "shutdown", "fault", "clm", "evt", "amf" };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(cmd, known[i]) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "instance", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct fault_req fault;
	struct ais_client *c;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "+ji:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			arg_json = true;
			break;
		case 'i':
			arg_instance = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("aistool (" PACKAGE_NAME ") " PACKAGE_VERSION "\n");
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	/* --json may also follow the command: aistool members --json */
	argc -= optind;
	argv += optind;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0) {
			arg_json = true;
			memmove(argv + i, argv + i + 1, (size_t)(argc - i - 1) * sizeof(*argv));
			argc--;
			i--;
		}
	}
	if (argc < 1 || !command_known(argv[0])) {
		if (argc >= 1)
			die_msg("unknown command '%s'", argv[0]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (arg_instance) {
		if (!*arg_instance || strlen(arg_instance) >= 32) {
			die_msg("bad instance name '%s'", arg_instance);
			return EXIT_USAGE;
		}
		setenv(AIS_INSTANCE_ENV, arg_instance, 1);
	}
	if (strcmp(argv[0], "fault") == 0) {
		if (fault_parse(argc - 1, argv + 1, &fault) < 0)
			return EXIT_USAGE;
	} else if (argc != 1 && strcmp(argv[0], "amf") != 0) {
		die_msg("%s takes no arguments", argv[0]);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "clm") == 0)
		return cmd_clm();
	if (strcmp(argv[0], "evt") == 0)
		return cmd_evt();
	if (strcmp(argv[0], "amf") == 0)
		return cmd_amf(argc - 1, argv + 1);
	if (tool_connect(&c) < 0)
		return 1;
	r = run_command(c, argv[0], strcmp(argv[0], "fault") == 0 ? &fault : NULL);
	ais_client_shutdown(c);
	ais_client_disconnect(c);
	return r;
}
