/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the configuration parser (exec/ais_config.c) and of the
 * node choice (exec/ais_config_node.c): a full file round trip through the
 * dump, every class of error with its exact "FILE:LINE: reason" text,
 * defaults, each node-selection rule against a made-up address list, the
 * multicast case without a nodelist, comments, long lines, NUL bytes, I/O
 * errors, and the shipped conf/aisexec.conf.example.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include <ais/inject.h>

#include "ais_config.h"

#define NAME "test.conf"

static const char full_conf[] =
	"# a complete configuration\n"
	"totem {\n"
	"\tversion: 2\n"
	"\tcluster_name: alpha\n"
	"\ttransport: udpu\n"
	"\ttoken: 2000\n"
	"\ttoken_coefficient: 500\n"
	"\ttoken_retransmits_before_loss_const: 5\n"
	"\tjoin: 60\n"
	"\tsend_join: 10\n"
	"\tconsensus: 2400\n"
	"\tmerge: 250\n"
	"\tdowncheck: 900\n"
	"\tfail_recv_const: 2000\n"
	"\tseqno_unchanged_const: 25\n"
	"\tmiss_count_const: 6\n"
	"\tmax_messages: 20\n"
	"\twindow_size: 60\n"
	"\taccelerated_window: 12\n"
	"\ttoken_pace: 300\n"
	"\tnetmtu: 1400\n"
	"\tmax_msg_size: 65536\n"
	"\tsecauth: on\n"
	"\tcrypto_hash: sha512\n"
	"\tkeyfile: /etc/ais/key\n"
	"\tfault_injection: yes\n"
	"\tudp_gso: off\n"
	"\tinterface {\n"
	"\t\tringnumber: 0\n"
	"\t\tbindnetaddr: 10.0.0.2\n"
	"\t\tmcastport: 6000\n"
	"\t\tttl: 3\n"
	"\t}\n"
	"}\n"
	"\n"
	"nodelist {\n"
	"\tnode {\n"
	"\t\tnodeid: 1\n"
	"\t\tring0_addr: 10.0.0.1\n"
	"\t\tname: n1\n"
	"\t}\n"
	"\tnode {\n"
	"\t\tnodeid: 2\n"
	"\t\tring0_addr: 10.0.0.2\n"
	"\t\tname: n2\n"
	"\t}\n"
	"\tnode {\n"
	"\t\tnodeid: 3\n"
	"\t\tring0_addr: 10.0.0.3\n"
	"\t}\n"
	"}\n"
	"logging {\n"
	"\tto_stderr: off\n"
	"\tto_logfile: on\n"
	"\tlogfile: /tmp/ais.log\n"
	"\tto_syslog: no\n"
	"\tsyslog_facility: local3\n"
	"\tdebug: trace\n"
	"\ttimestamp: hires\n"
	"\tfileline: on\n"
	"\tblackbox: off\n"
	"\tlogger_subsys {\n"
	"\t\tsubsys: SRP\n"
	"\t\tdebug: on\n"
	"\t}\n"
	"\tlogger_subsys {\n"
	"\t\tsubsys: CPG\n"
	"\t}\n"
	"}\n"
	"aisexec {\n"
	"\tuser: nobody\n"
	"\tgroup: nogroup\n"
	"\tinstance: n2\n"
	"\trundir: /tmp/ais-n2\n"
	"\tplugin_dir: /opt/ais/plugins\n"
	"\tsched_rr: yes\n"
	"\tipc_allow_uid: 1000\n"
	"\tipc_allow_uid: 0\n"
	"\tipc_allow_gid: 100\n"
	"}\n"
	"service {\n"
	"\tname: cpg\n"
	"}\n"
	"service {\n"
	"\tname: evt\n"
	"\tver: 1\n"
	"}\n"
	"service {\n"
	"\tname: example\n"
	"\tpath: /usr/lib/ais/example.so\n"
	"}\n"
	"amf {\n"
	"\tmode: enabled\n"
	"\tfile: /etc/ais/amf.conf\n"
	"}\n";

static const char minimal_conf[] =
	"nodelist {\n"
	"  node {\n"
	"    nodeid: 1\n"
	"    ring0_addr: 127.0.0.1\n"
	"  }\n"
	"}\n";

static struct ais_addr addr(const char *text)
{
	struct ais_addr a;

	ck_assert_int_eq(ais_addr_parse(text, &a), 0);
	return a;
}

static char *dump_to_string(const struct ais_config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ais_config_dump(cfg, f), 0);
	fclose(f);
	return buf;
}

START_TEST(test_full_round_trip)
{
	struct ais_config cfg, again;
	char err[512];
	char *text, *text2;
	struct ais_addr a = addr("10.0.0.2");

	ck_assert_int_eq(ais_config_parse_string(full_conf, NAME, &cfg, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(cfg.cluster_name, "alpha");
	ck_assert_int_eq(cfg.transport, AIS_TRANSPORT_UDPU);
	ck_assert_uint_eq(cfg.totem.token, 2000);
	ck_assert_uint_eq(cfg.totem.token_coefficient, 500);
	ck_assert_uint_eq(cfg.totem.token_retransmits_before_loss_const, 5);
	ck_assert_uint_eq(cfg.totem.join, 60);
	ck_assert_uint_eq(cfg.totem.send_join, 10);
	ck_assert_uint_eq(cfg.totem.consensus, 2400);
	ck_assert_uint_eq(cfg.totem.merge, 250);
	ck_assert_uint_eq(cfg.totem.downcheck, 900);
	ck_assert_uint_eq(cfg.totem.fail_recv_const, 2000);
	ck_assert_uint_eq(cfg.totem.seqno_unchanged_const, 25);
	ck_assert_uint_eq(cfg.totem.miss_count_const, 6);
	ck_assert_uint_eq(cfg.totem.max_messages, 20);
	ck_assert_uint_eq(cfg.totem.window_size, 60);
	ck_assert_uint_eq(cfg.totem.accelerated_window, 12);
	ck_assert_uint_eq(cfg.totem.token_pace, 300);
	ck_assert_uint_eq(cfg.totem.netmtu, 1400);
	ck_assert_uint_eq(cfg.totem.max_msg_size, 65536);
	ck_assert_uint_eq(cfg.totem.node_count, 3);
	/* finish() derived the values left at 0 */
	ck_assert_uint_ne(cfg.totem.token_retransmit, 0);
	ck_assert_uint_ne(cfg.totem.hold, 0);
	ck_assert(cfg.secauth);
	ck_assert_int_eq(cfg.crypto_cipher, AIS_CIPHER_AES256); /* from secauth */
	ck_assert_int_eq(cfg.crypto_hash, AIS_HASH_SHA512);     /* explicit wins */
	ck_assert_str_eq(cfg.keyfile, "/etc/ais/key");
	ck_assert(cfg.fault_injection);
	ck_assert(!cfg.udp_gso);
	ck_assert(ais_addr_equal(&cfg.iface.bindnetaddr, &a));
	ck_assert_int_eq(cfg.iface.mcastaddr.family, AF_UNSPEC);
	ck_assert_uint_eq(cfg.iface.mcastport, 6000);
	ck_assert_uint_eq(cfg.iface.ttl, 3);
	ck_assert_uint_eq(cfg.node_count, 3);
	ck_assert_uint_eq(cfg.nodes[1].nodeid, 2);
	ck_assert_str_eq(cfg.nodes[1].name, "n2");
	ck_assert_uint_eq(cfg.nodes[1].line, 42);
	ck_assert_str_eq(cfg.nodes[2].name, "");
	ck_assert_int_eq(cfg.local_node, -1);
	ck_assert(!cfg.logging.to_stderr);
	ck_assert(cfg.logging.to_logfile);
	ck_assert_str_eq(cfg.logging.logfile, "/tmp/ais.log");
	ck_assert(!cfg.logging.to_syslog);
	ck_assert_int_eq(cfg.logging.syslog_facility, LOG_LOCAL3);
	ck_assert_int_eq(cfg.logging.debug, AIS_LOG_DEBUG_TRACE);
	ck_assert_int_eq(cfg.logging.timestamp, AIS_LOG_TIMESTAMP_HIRES);
	ck_assert(cfg.logging.fileline);
	ck_assert(!cfg.logging.blackbox);
	ck_assert_uint_eq(cfg.logging.subsys_count, 2);
	ck_assert_str_eq(cfg.logging.subsys[0].subsys, "SRP");
	ck_assert_int_eq(cfg.logging.subsys[0].debug, AIS_LOG_DEBUG_ON);
	ck_assert_int_eq(cfg.logging.subsys[1].debug, AIS_LOG_DEBUG_OFF);
	ck_assert_str_eq(cfg.aisexec.user, "nobody");
	ck_assert_str_eq(cfg.aisexec.group, "nogroup");
	ck_assert_str_eq(cfg.aisexec.instance, "n2");
	ck_assert_str_eq(cfg.aisexec.rundir, "/tmp/ais-n2");
	ck_assert(cfg.aisexec.rundir_set);
	ck_assert_str_eq(cfg.aisexec.plugin_dir, "/opt/ais/plugins");
	ck_assert(cfg.aisexec.sched_rr);
	ck_assert_uint_eq(cfg.aisexec.allow_uid_count, 2);
	ck_assert_uint_eq(cfg.aisexec.allow_uid[0], 1000);
	ck_assert_uint_eq(cfg.aisexec.allow_uid[1], 0);
	ck_assert_uint_eq(cfg.aisexec.allow_gid_count, 1);
	ck_assert_uint_eq(cfg.aisexec.allow_gid[0], 100);
	ck_assert_uint_eq(cfg.service_count, 3);
	ck_assert_str_eq(cfg.services[0].name, "cpg");
	ck_assert_ptr_null(cfg.services[0].path);
	ck_assert_uint_eq(cfg.services[1].ver, 1);
	ck_assert_str_eq(cfg.services[2].path, "/usr/lib/ais/example.so");
	ck_assert_int_eq(cfg.amf.mode, AIS_AMF_ENABLED);
	ck_assert_str_eq(cfg.amf.file, "/etc/ais/amf.conf");

	/* bindnetaddr names node 2; the dump then carries nodeid: 2 */
	ck_assert_int_eq(ais_config_pick_node(&cfg, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.totem.nodeid, 2);
	ck_assert_int_eq(cfg.local_node, 1);

	text = dump_to_string(&cfg);
	ck_assert_ptr_nonnull(strstr(text, " nodeid: 2\n"));
	ck_assert_int_eq(ais_config_parse_string(text, "dump", &again, err, sizeof(err)), 0);
	text2 = dump_to_string(&again);
	ck_assert_str_eq(text, text2);
	ck_assert_uint_eq(again.totem.nodeid, 2);
	ck_assert_uint_eq(again.totem.token_retransmit, cfg.totem.token_retransmit);
	ck_assert_int_eq(again.crypto_cipher, cfg.crypto_cipher);
	ck_assert_int_eq(again.crypto_hash, cfg.crypto_hash);
	ck_assert_uint_eq(again.aisexec.allow_uid_count, 2);
	free(text);
	free(text2);
	ais_config_free(&again);
	ais_config_free(&cfg);
	ais_config_free(NULL);
}
END_TEST

struct error_case {
	const char *text;
	const char *message;
};

#define NODE1 "nodelist {\n node {\n  nodeid: 1\n  ring0_addr: 10.0.0.1\n }\n"

static const struct error_case error_cases[] = {
	/* unknown key */
	{ "totem {\n\ttokn: 3000\n}\n", NAME ":2: unknown key 'tokn' in section 'totem'" },
	{ "nodelist {\n nodeid: 1\n}\n", NAME ":2: unknown key 'nodeid' in section 'nodelist'" },
	{ "token: 3000\n", NAME ":1: key 'token' outside of any section" },
	/* unknown section */
	{ "totme {\n}\n", NAME ":1: unknown section 'totme'" },
	{ "totem {\n interface {\n }\n ring {\n", NAME ":4: unknown section 'ring' in section 'totem'" },
	{ "node {\n}\n", NAME ":1: unknown section 'node'" },
	/* bad number */
	{ "totem {\n token: 3O00\n}\n", NAME ":2: token: '3O00' is not a number" },
	{ "totem {\n token: -5\n}\n", NAME ":2: token: '-5' is not a number" },
	{ "totem {\n token: 0x10\n}\n", NAME ":2: token: '0x10' is not a number" },
	/* out of range */
	{ "totem {\n token: 5\n}\n", NAME ":2: token: 5 is out of range (allowed 20..600000)" },
	{ "totem {\n\n accelerated_window: 100001\n}\n",
	  NAME ":3: accelerated_window: 100001 is out of range (allowed 0..100000)" },
	{ "totem {\n accelerated_window: many\n}\n", NAME ":2: accelerated_window: 'many' is not a number" },
	{ "totem {\n\n token_pace: 100001\n}\n",
	  NAME ":3: token_pace: 100001 is out of range (allowed 0..100000)" },
	{ "totem {\n token_pace: fast\n}\n", NAME ":2: token_pace: 'fast' is not a number" },
	{ "totem {\n token: 99999999999999999999\n}\n",
	  NAME ":2: token: 99999999999999999999 is out of range (allowed 20..600000)" },
	{ "totem {\n version: 1\n}\n", NAME ":2: version: 1 is out of range (allowed 2..2)" },
	{ "totem {\n interface {\n  mcastport: 70000\n }\n}\n",
	  NAME ":3: mcastport: 70000 is out of range (allowed 1..65535)" },
	{ "totem {\n interface {\n  ringnumber: 1\n }\n}\n",
	  NAME ":3: ringnumber: 1 is out of range (allowed 0..0)" },
	{ "nodelist {\n node {\n  nodeid: 0\n", NAME ":3: nodeid: 0 is out of range (allowed 1..4294967295)" },
	/* bad enum / bool */
	{ "totem {\n transport: tcp\n}\n", NAME ":2: transport: 'tcp' is not one of udpu, udp" },
	{ "totem {\n secauth: maybe\n}\n", NAME ":2: secauth: 'maybe' is not one of on, off, yes, no" },
	{ "aisexec {\n sched_rr: fifo\n}\n", NAME ":2: sched_rr: 'fifo' is not one of on, off, yes, no" },
	{ "aisexec {\n plugin_dir: lib/ais\n}\n", NAME ":2: plugin_dir: 'lib/ais' must be an absolute path" },
	{ "totem {\n crypto_cipher: aes512\n}\n",
	  NAME ":2: crypto_cipher: 'aes512' is not one of none, aes256, aes192, aes128" },
	{ "logging {\n timestamp: sometimes\n}\n",
	  NAME ":2: timestamp: 'sometimes' is not one of off, on, hires" },
	{ "amf {\n mode: on\n}\n", NAME ":2: mode: 'on' is not one of enabled, disabled" },
	/* missing brace, stray brace */
	{ "totem {\n token: 3000\n", NAME ":2: missing '}' for section 'totem' opened at line 1" },
	{ "logging {\n logger_subsys {\n  subsys: SRP\n}\n",
	  NAME ":4: missing '}' for section 'logging' opened at line 1" },
	{ "}\n", NAME ":1: unexpected '}' with no open section" },
	{ "totem {\n}\n}\n", NAME ":3: unexpected '}' with no open section" },
	/* missing required key */
	{ "nodelist {\n node {\n  ring0_addr: 10.0.0.1\n }\n}\n",
	  NAME ": missing required key 'nodeid' in 'node' at line 2" },
	{ "nodelist {\n node {\n  nodeid: 4\n }\n}\n",
	  NAME ": missing required key 'ring0_addr' in 'node' at line 2" },
	{ "service {\n ver: 0\n}\n", NAME ": missing required key 'name' in 'service' at line 1" },
	/* duplicate key, duplicate section */
	{ "totem {\n token: 3000\n join: 50\n token: 4000\n}\n",
	  NAME ":4: duplicate key 'token' in section 'totem' (first at line 2)" },
	{ "totem {\n}\ntotem {\n}\n", NAME ":3: duplicate section 'totem' (first at line 1)" },
	{ "totem {\n interface {\n }\n interface {\n", NAME ":4: duplicate section 'interface' (first at line 2)" },
	/* nodelist rules */
	{ NODE1 " node {\n  nodeid: 1\n  ring0_addr: 10.0.0.2\n }\n}\n",
	  NAME ":7: duplicate nodeid 1 in nodelist (first at line 2)" },
	{ NODE1 " node {\n  ring0_addr: 10.0.0.1\n  nodeid: 2\n }\n}\n",
	  NAME ":7: duplicate ring0_addr '10.0.0.1' in nodelist (first at line 2)" },
	{ NODE1 " node {\n  nodeid: 2\n  ring0_addr: ::1\n }\n}\n",
	  NAME ":8: ring0_addr: '::1' is not of the same family as the node at line 2" },
	{ "nodelist {\n node {\n  nodeid: 1\n  ring0_addr: 10.0.0.1\n  name: a\n }\n"
	  " node {\n  nodeid: 2\n  ring0_addr: 10.0.0.2\n  name: a\n }\n}\n",
	  NAME ":10: duplicate name 'a' in nodelist (first at line 2)" },
	/* bad address */
	{ "nodelist {\n node {\n  ring0_addr: 10.0.0.300\n",
	  NAME ":3: ring0_addr: '10.0.0.300' is not an IPv4 or IPv6 address" },
	{ "totem {\n interface {\n  bindnetaddr: host.example\n",
	  NAME ":3: bindnetaddr: 'host.example' is not an IPv4 or IPv6 address" },
	{ "totem {\n transport: udp\n interface {\n  mcastaddr: 10.1.1.1\n }\n}\n",
	  NAME ":4: mcastaddr: '10.1.1.1' is not a multicast address" },
	/* text values */
	{ "totem {\n cluster_name: a b\n}\n",
	  NAME ":2: cluster_name: 'a b' may only hold letters, digits, '.', '_' and '-'" },
	{ "totem {\n cluster_name: 0123456789012345678901234567890123456789012345678901234567890123\n}\n",
	  NAME ":2: cluster_name: value longer than 63 characters" },
	{ "totem {\n keyfile:\n}\n", NAME ":2: keyfile: missing value" },
	{ "totem {\n keyfile:#x\n}\n", NAME ":2: keyfile: missing value" },
	{ "aisexec {\n ipc_allow_uid: no-such-user-here\n}\n",
	  NAME ":2: ipc_allow_uid: 'no-such-user-here' is not a user name or number" },
	{ "aisexec {\n ipc_allow_gid: 4294967295\n}\n",
	  NAME ":2: ipc_allow_gid: '4294967295' is not a group name or number" },
	/* syntax */
	{ "totem {\n token 3000\n}\n", NAME ":2: expected 'key: value', 'section {' or '}', got 'token 3000'" },
	{ "totem {\n to ken: 3000\n}\n", NAME ":2: bad key name 'to ken'" },
	{ "my section {\n}\n", NAME ":1: bad section name 'my section'" },
	{ "{\n}\n", NAME ":1: bad section name ''" },
	/* cross-section rules */
	{ "totem {\n crypto_cipher: aes128\n}\n" NODE1 "}\n",
	  NAME ":2: crypto_cipher: 'aes128' needs a crypto_hash other than none" },
	{ "totem {\n secauth: on\n crypto_hash: none\n}\n" NODE1 "}\n",
	  NAME ":1: crypto_cipher: 'aes256' needs a crypto_hash other than none" },
	{ "\ntotem {\n token: 200\n token_pace: 9000\n}\n" NODE1 "}\n",
	  NAME ":2: token_pace (9000 us) must not exceed a tenth of token_retransmit (47 ms)" },
	{ "totem {\n token: 3000\n}\n", NAME ": transport 'udpu' needs a nodelist with at least one node" },
	{ "", NAME ": transport 'udpu' needs a nodelist with at least one node" },
	{ "totem {\n transport: udp\n}\n", NAME ": transport 'udp' needs totem { interface { mcastaddr } }" },
	{ NODE1 "}\nservice {\n name: cpg\n}\nservice {\n name: cpg\n}\n",
	  NAME ":11: duplicate service 'cpg' (first at line 7)" },
	{ "logging {\n logger_subsys {\n  subsys: A\n }\n logger_subsys {\n  subsys: A\n }\n}\n",
	  NAME ":6: duplicate logger_subsys 'A' (first at line 2)" },
};

START_TEST(test_errors)
{
	const struct error_case *c = &error_cases[_i];
	struct ais_config cfg;
	char err[512];

	memset(&cfg, 0x5a, sizeof(cfg));
	ck_assert_int_eq(ais_config_parse_string(c->text, NAME, &cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, c->message);
	/* ret_ is written only on success */
	for (size_t i = 0; i < sizeof(cfg); i++)
		ck_assert_uint_eq(((unsigned char *)&cfg)[i], 0x5a);
}
END_TEST

START_TEST(test_too_many_nodes)
{
	char *text = malloc(64 * 1024);
	size_t n = 0;
	struct ais_config cfg;
	char err[256], expect[128];

	ck_assert_ptr_nonnull(text);
	n += (size_t)sprintf(text + n, "nodelist {\n");
	for (int i = 1; i <= TOTEM_PROCESSORS_MAX + 1; i++)
		n += (size_t)sprintf(text + n, "node {\nnodeid: %d\nring0_addr: 10.0.%d.%d\n}\n", i, i / 200, i % 200);
	sprintf(text + n, "}\n");
	ck_assert_int_eq(ais_config_parse_string(text, NAME, &cfg, err, sizeof(err)), -EINVAL);
	snprintf(expect, sizeof(expect), NAME ":%d: too many 'node' sections (at most %d)",
		 2 + 4 * TOTEM_PROCESSORS_MAX, TOTEM_PROCESSORS_MAX);
	ck_assert_str_eq(err, expect);

	/* exactly the maximum is fine */
	n = 0;
	n += (size_t)sprintf(text + n, "nodelist {\n");
	for (int i = 1; i <= TOTEM_PROCESSORS_MAX; i++)
		n += (size_t)sprintf(text + n, "node {\nnodeid: %d\nring0_addr: 10.0.0.%d\n}\n", i, i);
	sprintf(text + n, "}\n");
	ck_assert_int_eq(ais_config_parse_string(text, NAME, &cfg, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.node_count, TOTEM_PROCESSORS_MAX);
	ck_assert_uint_eq(cfg.totem.node_count, TOTEM_PROCESSORS_MAX);
	ais_config_free(&cfg);
	free(text);
}
END_TEST

START_TEST(test_defaults)
{
	struct ais_config cfg;
	struct totem_config tc;
	char err[256];

	ck_assert_int_eq(ais_config_parse_string(minimal_conf, NAME, &cfg, err, sizeof(err)), 0);
	totem_config_defaults(&tc);
	tc.node_count = 1;
	totem_config_finish(&tc);
	ck_assert_uint_eq(cfg.totem.token, tc.token);
	ck_assert_uint_eq(cfg.totem.token_retransmit, tc.token_retransmit);
	ck_assert_uint_eq(cfg.totem.consensus, tc.consensus);
	ck_assert_uint_eq(cfg.totem.join, tc.join);
	ck_assert_uint_eq(cfg.totem.window_size, tc.window_size);
	ck_assert_uint_eq(cfg.totem.netmtu, tc.netmtu);
	ck_assert_uint_eq(cfg.totem.nodeid, 0);
	ck_assert_uint_eq(cfg.version, 2);
	ck_assert_ptr_null(cfg.cluster_name);
	ck_assert_int_eq(cfg.transport, AIS_TRANSPORT_UDPU);
	ck_assert(!cfg.secauth);
	ck_assert_int_eq(cfg.crypto_cipher, AIS_CIPHER_NONE);
	ck_assert_int_eq(cfg.crypto_hash, AIS_HASH_NONE);
	ck_assert_str_eq(cfg.keyfile, AIS_CONFIG_KEYFILE_DEFAULT);
	ck_assert(!cfg.fault_injection);
	ck_assert(cfg.udp_gso);
	ck_assert_uint_eq(cfg.iface.mcastport, AIS_CONFIG_PORT_DEFAULT);
	ck_assert_uint_eq(cfg.iface.ttl, 1);
	ck_assert_int_eq(cfg.iface.bindnetaddr.family, AF_UNSPEC);
	ck_assert(cfg.logging.to_stderr);
	ck_assert(!cfg.logging.to_logfile);
	ck_assert_str_eq(cfg.logging.logfile, AIS_CONFIG_LOGFILE_DEFAULT);
	ck_assert(cfg.logging.to_syslog);
	ck_assert_int_eq(cfg.logging.syslog_facility, LOG_DAEMON);
	ck_assert_int_eq(cfg.logging.debug, AIS_LOG_DEBUG_OFF);
	ck_assert_int_eq(cfg.logging.timestamp, AIS_LOG_TIMESTAMP_ON);
	ck_assert(cfg.logging.blackbox);
	ck_assert_ptr_null(cfg.aisexec.user);
	ck_assert_ptr_null(cfg.aisexec.instance);
	ck_assert_str_eq(cfg.aisexec.rundir, AIS_CONFIG_RUNDIR_DEFAULT);
	ck_assert(!cfg.aisexec.rundir_set);
	ck_assert_ptr_null(cfg.aisexec.plugin_dir);
	ck_assert(!cfg.aisexec.sched_rr);
	ck_assert_uint_eq(cfg.service_count, 0);
	ck_assert_int_eq(cfg.amf.mode, AIS_AMF_DISABLED);
	ck_assert_ptr_null(cfg.amf.file);
	ais_config_free(&cfg);
}
END_TEST

/* Three IPv4 nodes, two on loopback; totem_body goes inside totem { }. */
static void parse_three(const char *totem_body, struct ais_config *cfg)
{
	char text[1024], err[256];

	snprintf(text, sizeof(text),
		 "totem {\n%s}\nnodelist {\n"
		 " node {\n  nodeid: 1\n  ring0_addr: 127.0.0.1\n }\n"
		 " node {\n  nodeid: 2\n  ring0_addr: 127.0.0.2\n }\n"
		 " node {\n  nodeid: 3\n  ring0_addr: 192.168.7.3\n }\n}\n",
		 totem_body);
	ck_assert_msg(ais_config_parse_string(text, NAME, cfg, err, sizeof(err)) == 0, "%s", err);
}

static struct ais_local_addrs fake_addrs(const char *a, const char *b)
{
	struct ais_local_addrs l;

	memset(&l, 0, sizeof(l));
	l.addr[l.count++] = addr("::1");
	l.addr[l.count++] = addr(a);
	if (b)
		l.addr[l.count++] = addr(b);
	return l;
}

START_TEST(test_pick_by_nodeid)
{
	struct ais_config cfg;
	struct ais_local_addrs l = fake_addrs("192.168.7.3", NULL);
	char err[256];

	/* nodeid wins over bindnetaddr and over the host's addresses */
	parse_three(" nodeid: 2\n interface {\n  bindnetaddr: 127.0.0.1\n }\n", &cfg);
	ck_assert_int_eq(ais_config_pick_node(&cfg, &l, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.totem.nodeid, 2);
	ck_assert_int_eq(cfg.local_node, 1);
	ck_assert_uint_eq(cfg.totem.node_count, 3);
	ck_assert_ptr_eq(ais_config_node_find(&cfg, 3), &cfg.nodes[2]);
	ck_assert_ptr_null(ais_config_node_find(&cfg, 4));
	ais_config_free(&cfg);

	parse_three(" nodeid: 7\n", &cfg);
	ck_assert_int_eq(ais_config_pick_node(&cfg, &l, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "totem { nodeid: 7 } is not in the nodelist");
	ck_assert_uint_eq(cfg.totem.nodeid, 7);
	ck_assert_int_eq(cfg.local_node, -1);
	ais_config_free(&cfg);
}
END_TEST

START_TEST(test_pick_by_bindnetaddr)
{
	struct ais_config cfg;
	struct ais_local_addrs l = fake_addrs("192.168.7.3", NULL);
	char err[256];

	parse_three(" interface {\n  bindnetaddr: 127.0.0.2\n }\n", &cfg);
	ck_assert_int_eq(ais_config_pick_node(&cfg, &l, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.totem.nodeid, 2);
	ck_assert_int_eq(cfg.local_node, 1);
	ais_config_free(&cfg);

	/* a bindnetaddr that is a network address matches no entry: next rule */
	parse_three(" interface {\n  bindnetaddr: 192.168.7.0\n }\n", &cfg);
	ck_assert_int_eq(ais_config_pick_node(&cfg, &l, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.totem.nodeid, 3);
	ck_assert_int_eq(cfg.local_node, 2);
	ais_config_free(&cfg);
}
END_TEST

START_TEST(test_pick_by_host)
{
	struct ais_config cfg;
	struct ais_local_addrs one = fake_addrs("127.0.0.2", "10.9.9.9");
	struct ais_local_addrs none = fake_addrs("10.9.9.9", NULL);
	struct ais_local_addrs two = fake_addrs("127.0.0.1", "192.168.7.3");
	char err[256];

	parse_three("", &cfg);
	ck_assert_int_eq(ais_config_pick_node(&cfg, &one, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.totem.nodeid, 2);
	ck_assert_int_eq(cfg.local_node, 1);
	ais_config_free(&cfg);

	parse_three("", &cfg);
	ck_assert_int_eq(ais_config_pick_node(&cfg, &none, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "no nodelist entry has an address of this host;"
			 " set totem { nodeid } or interface { bindnetaddr }");
	ck_assert_uint_eq(cfg.totem.nodeid, 0);
	ck_assert_int_eq(ais_config_pick_node(&cfg, &two, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "several nodelist entries have an address of this host:"
			 " nodeid 1 (127.0.0.1), nodeid 3 (192.168.7.3);"
			 " set totem { nodeid } or interface { bindnetaddr }");
	ck_assert_uint_eq(cfg.totem.nodeid, 0);
	ck_assert_int_eq(cfg.local_node, -1);
	ais_config_free(&cfg);
}
END_TEST

START_TEST(test_pick_real_host)
{
	struct ais_local_addrs l;
	struct ais_config cfg;
	char err[256];
	bool has_lo = false;
	struct ais_addr lo = addr("127.0.0.1");

	ck_assert_int_eq(ais_local_addrs_get(&l), 0);
	for (size_t i = 0; i < l.count; i++)
		has_lo = has_lo || ais_addr_equal(&l.addr[i], &lo);
	ck_assert_int_eq(ais_config_parse_string(minimal_conf, NAME, &cfg, err, sizeof(err)), 0);
	if (has_lo) {
		ck_assert_int_eq(ais_config_pick_node(&cfg, NULL, err, sizeof(err)), 0);
		ck_assert_uint_eq(cfg.totem.nodeid, 1);
	} else {
		ck_assert_int_eq(ais_config_pick_node(&cfg, NULL, err, sizeof(err)), -EINVAL);
	}
	ais_config_free(&cfg);
}
END_TEST

START_TEST(test_udp_without_nodelist)
{
	static const char udp[] =
		"totem {\n"
		" transport: udp\n"
		" interface {\n"
		"  bindnetaddr: 10.1.2.3\n"
		"  mcastaddr: 239.255.1.1\n"
		" }\n"
		"}\n";
	struct ais_config cfg;
	char err[256], text[512];

	ck_assert_int_eq(ais_config_parse_string(udp, NAME, &cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.transport, AIS_TRANSPORT_UDP);
	ck_assert_uint_eq(cfg.node_count, 0);
	ck_assert_int_eq(ais_config_pick_node(&cfg, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.totem.nodeid, 0x0a010203u);
	ck_assert_int_eq(cfg.local_node, -1);
	ck_assert_uint_eq(cfg.totem.node_count, 0);
	ais_config_free(&cfg);

	snprintf(text, sizeof(text), "totem {\n nodeid: 42\n transport: udp\n interface {\n"
		 "  mcastaddr: ff15::1\n }\n}\n");
	ck_assert_int_eq(ais_config_parse_string(text, NAME, &cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(ais_config_pick_node(&cfg, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.totem.nodeid, 42);
	ais_config_free(&cfg);

	snprintf(text, sizeof(text), "totem {\n transport: udp\n interface {\n"
		 "  bindnetaddr: fd00::5\n  mcastaddr: ff15::1\n }\n}\n");
	ck_assert_int_eq(ais_config_parse_string(text, NAME, &cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(ais_config_pick_node(&cfg, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "without a nodelist, set totem { nodeid } or an IPv4"
			 " interface { bindnetaddr } to derive it from");
	ais_config_free(&cfg);

	snprintf(text, sizeof(text), "totem {\n transport: udp\n interface {\n"
		 "  bindnetaddr: 0.0.0.0\n  mcastaddr: 239.1.1.1\n }\n}\n");
	ck_assert_int_eq(ais_config_parse_string(text, NAME, &cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(ais_config_pick_node(&cfg, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "bindnetaddr 0.0.0.0 gives node id 0; set totem { nodeid }");
	ais_config_free(&cfg);
}
END_TEST

START_TEST(test_comments_and_blanks)
{
	static const char text[] =
		"\n"
		"# leading comment\n"
		"   \t  \n"
		"totem { # trailing comment after the brace\n"
		"\t# indented comment\n"
		"\tcluster_name: c1   # trailing comment\n"
		"\tkeyfile: /etc/ais/key#1\n"
		"\ttoken:3000\r\n"
		"\tjoin  :  70\t\n"
		"} # done\n"
		"nodelist{\n"
		"node {\n"
		"nodeid: 1\n"
		"ring0_addr: 127.0.0.1\n"
		"}\n"
		"}";
	struct ais_config cfg;
	char err[256];

	ck_assert_int_eq(ais_config_parse_string(text, NAME, &cfg, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.cluster_name, "c1");
	ck_assert_str_eq(cfg.keyfile, "/etc/ais/key#1");
	ck_assert_uint_eq(cfg.totem.token, 3000);
	ck_assert_uint_eq(cfg.totem.join, 70);
	ck_assert_uint_eq(cfg.node_count, 1);
	ck_assert_uint_eq(cfg.nodes[0].line, 12);
	ais_config_free(&cfg);
}
END_TEST

START_TEST(test_long_lines)
{
	size_t len = AIS_CONFIG_LINE_MAX + 200;
	char *text = malloc(len + 256);
	struct ais_config cfg;
	char err[256];
	size_t n;

	ck_assert_ptr_nonnull(text);
	/* a comment exactly AIS_CONFIG_LINE_MAX long is fine */
	n = (size_t)sprintf(text, "%s", minimal_conf);
	text[n] = '#';
	memset(text + n + 1, 'x', AIS_CONFIG_LINE_MAX - 1);
	n += AIS_CONFIG_LINE_MAX;
	strcpy(text + n, "\n");
	ck_assert_int_eq(ais_config_parse_string(text, NAME, &cfg, err, sizeof(err)), 0);
	ais_config_free(&cfg);

	/* one more byte is refused, with the line number */
	n = (size_t)sprintf(text, "%s", minimal_conf);
	text[n] = '#';
	memset(text + n + 1, 'x', AIS_CONFIG_LINE_MAX);
	n += AIS_CONFIG_LINE_MAX + 1;
	strcpy(text + n, "\n");
	ck_assert_int_eq(ais_config_parse_string(text, NAME, &cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, NAME ":7: line longer than 4096 bytes");

	/* a long value is cut in the message and the message fits the buffer */
	n = (size_t)sprintf(text, "totem {\n cluster_name: ");
	memset(text + n, 'y', 3000);
	strcpy(text + n + 3000, "\n}\n");
	ck_assert_int_eq(ais_config_parse_string(text, NAME, &cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, NAME ":2: cluster_name: value longer than 63 characters");

	n = (size_t)sprintf(text, "totem {\n token: ");
	memset(text + n, '7', 3000);
	strcpy(text + n + 3000, "\n}\n");
	ck_assert_int_eq(ais_config_parse_string(text, NAME, &cfg, err, 40), -EINVAL);
	ck_assert_uint_eq(strlen(err), 39);
	ck_assert_int_eq(ais_config_parse_string(text, NAME, &cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, NAME ":2: token: 7777777777777777777777777777777777777777777777777777777777777777..."
			 " is out of range (allowed 20..600000)");
	free(text);
}
END_TEST

START_TEST(test_nul_bytes)
{
	static const char text[] = "totem {\n token: 30\0" "00\n}\n";
	struct ais_config cfg;
	char err[256];
	char path[] = "/tmp/check_config.XXXXXX";
	int fd;

	ck_assert_int_eq(ais_config_parse_mem(text, sizeof(text) - 1, NAME, &cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, NAME ":2: NUL byte in input");

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	ck_assert_int_eq(ais_config_parse_file(path, &cfg, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, ":2: NUL byte in input"));
	ck_assert_int_eq(strncmp(err, path, strlen(path)), 0);
	unlink(path);

	/* a zero-length error buffer is allowed */
	ck_assert_int_eq(ais_config_parse_mem(text, sizeof(text) - 1, NAME, &cfg, err, 0), -EINVAL);
}
END_TEST

START_TEST(test_io_errors)
{
	struct ais_config cfg;
	char err[256];
	char path[] = "/tmp/check_config.XXXXXX";
	int fd;

	ck_assert_int_eq(ais_config_parse_file("/nonexistent/aisexec.conf", &cfg, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/aisexec.conf: cannot open: No such file or directory");
	ck_assert_int_eq(ais_config_parse_file("/tmp", &cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "/tmp: not a regular file");

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, AIS_CONFIG_FILE_MAX + 1), 0);
	close(fd);
	ck_assert_int_eq(ais_config_parse_file(path, &cfg, err, sizeof(err)), -EFBIG);
	ck_assert_ptr_nonnull(strstr(err, ": larger than 1048576 bytes"));

	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, minimal_conf, strlen(minimal_conf)), (ssize_t)strlen(minimal_conf));
	close(fd);
	ck_assert_int_eq(ais_config_parse_file(path, &cfg, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.nodes[0].nodeid, 1);
	ais_config_free(&cfg);
	unlink(path);
}
END_TEST

START_TEST(test_ids_by_name)
{
	struct ais_config cfg;
	char err[256];

	ck_assert_int_eq(ais_config_parse_string(NODE1 "}\naisexec {\n ipc_allow_uid: root\n"
						 " ipc_allow_gid: root\n ipc_allow_gid: 7\n}\n",
						 NAME, &cfg, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(cfg.aisexec.allow_uid_count, 1);
	ck_assert_uint_eq(cfg.aisexec.allow_uid[0], 0);
	ck_assert_uint_eq(cfg.aisexec.allow_gid_count, 2);
	ck_assert_uint_eq(cfg.aisexec.allow_gid[0], 0);
	ck_assert_uint_eq(cfg.aisexec.allow_gid[1], 7);
	ais_config_free(&cfg);
}
END_TEST

START_TEST(test_addresses)
{
	struct ais_addr a;
	char buf[INET6_ADDRSTRLEN];

	ck_assert_int_eq(ais_addr_parse("fe80::1", &a), 0);
	ck_assert_int_eq(a.family, AF_INET6);
	ck_assert_str_eq(ais_addr_to_string(&a, buf, sizeof(buf)), "fe80::1");
	ck_assert_int_eq(ais_addr_parse("1.2.3", &a), -EINVAL);
	ck_assert_int_eq(a.family, AF_INET6); /* untouched on failure */
	memset(&a, 0, sizeof(a));
	ck_assert_str_eq(ais_addr_to_string(&a, buf, sizeof(buf)), "");
	ck_assert(!ais_addr_equal(&a, &(struct ais_addr){ .family = AF_INET }));
}
END_TEST

START_TEST(test_example_file)
{
	struct ais_config cfg;
	char err[512];
	struct ais_local_addrs l = fake_addrs("127.0.0.1", NULL);
	int r = ais_config_parse_file(AIS_CONFIG_EXAMPLE, &cfg, err, sizeof(err));

	ck_assert_msg(r == 0, "%s", err);
	ck_assert_uint_ge(cfg.node_count, 1);
	ck_assert_int_eq(ais_config_pick_node(&cfg, &l, err, sizeof(err)), 0);
	ais_config_free(&cfg);
}
END_TEST

/*
 * Allocation failure (this program is compiled with AIS_FAULT_INJECTION):
 * parse the full configuration and the example file with allocation n
 * failing, n = 1, 2, ... until a parse runs with nothing failed. A failed
 * parse says "out of memory" and leaves nothing behind (the sanitizer build
 * checks); the parse that succeeds dumps exactly like one never disturbed.
 */
START_TEST(test_alloc_failures)
{
	const char *name = _i == 0 ? NAME : AIS_CONFIG_EXAMPLE;
	struct ais_config cfg;
	char err[512], spec[64];
	char *want, *got;
	unsigned n;
	int r;

	r = _i == 0 ? ais_config_parse_string(full_conf, NAME, &cfg, err, sizeof(err))
		    : ais_config_parse_file(AIS_CONFIG_EXAMPLE, &cfg, err, sizeof(err));
	ck_assert_msg(r == 0, "%s", err);
	want = dump_to_string(&cfg);
	ais_config_free(&cfg);
	for (n = 1; n < 1000; n++) {
		snprintf(spec, sizeof(spec), "alloc:nth=%u", n);
		ck_assert_int_eq(ais_inject_configure(spec, NULL, 0), 0);
		r = _i == 0 ? ais_config_parse_string(full_conf, NAME, &cfg, err, sizeof(err))
			    : ais_config_parse_file(AIS_CONFIG_EXAMPLE, &cfg, err, sizeof(err));
		bool failed = ais_inject_stats(AIS_INJECT_ALLOC).failed > 0;
		ais_inject_reset();
		if (r < 0) {
			ck_assert_msg(r == -ENOMEM, "round %u: %d (%s)", n, r, err);
			ck_assert_msg(failed, "round %u: -ENOMEM without a failed allocation", n);
			ck_assert_msg(strstr(err, "out of memory") != NULL && strstr(err, name) != NULL,
				      "round %u: error '%s'", n, err);
			continue;
		}
		got = dump_to_string(&cfg);
		ais_config_free(&cfg);
		ck_assert_str_eq(got, want);
		free(got);
		if (!failed)
			break;
	}
	ck_assert_uint_ge(n, 4);
	ck_assert_uint_lt(n, 1000);
	free(want);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_full_round_trip);
	tcase_add_loop_test(tc, test_alloc_failures, 0, 2);
	tcase_add_loop_test(tc, test_errors, 0, (int)(sizeof(error_cases) / sizeof(error_cases[0])));
	tcase_add_test(tc, test_too_many_nodes);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_comments_and_blanks);
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_nul_bytes);
	tcase_add_test(tc, test_io_errors);
	tcase_add_test(tc, test_ids_by_name);
	tcase_add_test(tc, test_addresses);
	tcase_add_test(tc, test_example_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("node");
	tcase_add_test(tc, test_pick_by_nodeid);
	tcase_add_test(tc, test_pick_by_bindnetaddr);
	tcase_add_test(tc, test_pick_by_host);
	tcase_add_test(tc, test_pick_real_host);
	tcase_add_test(tc, test_udp_without_nodelist);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
