/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reader of the AMF configuration file, OpenAIS's amf.conf format (see
 * docs/amf.conf.md): line-oriented, one item per line:
 *
 *   CLASS = NAME {        opens an object block (safAmfCluster, safSg, ...)
 *   ATTRIBUTE {           opens a value list (saAmfCompCsTypes, saAmfCompCmdEnv,
 *                         saAmfCsiDependencies)
 *   ATTRIBUTE = VALUE     sets an attribute; blanks around '=' are optional
 *   }                     closes the innermost block
 *   # ...                 comment (first non-blank character), blank lines
 *
 * Inside a value list (and inside safCSIAttr = NAME { }) every line is one
 * value. Which attributes and blocks each block may hold is declared in the
 * tables below (one row per attribute with its type, range and place in the
 * model); checks that need a whole block run when it closes, and checks
 * that need the whole file (references between entities) run at the end in
 * amf_validate.c.
 *
 * Departures from OpenAIS's reader, which matched substrings anywhere in a
 * line and converted numbers with atoi(): numbers must be decimal and in
 * range, unknown attributes are named, and every problem is reported with
 * its line, not only the first. Inside safCSType blocks OpenAIS ignored
 * every line, so unknown lines there are only warnings. A valid OpenAIS
 * file loads unchanged.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "amf_config.h"
#include "amf_config_int.h"

/* Largest time in milliseconds: its nanoseconds must fit an SaTimeT. */
#define AMF_MS_MAX (INT64_MAX / 1000000)
#define AMF_STACK_MAX 8
#define AMF_ATTRS_MAX 32

/* ---- reports ---- */

int amf_diag_format(char *buf, size_t len, enum amf_diag_severity sev, const char *file, unsigned line,
		    const char *msg)
{
	const char *w = sev == AMF_DIAG_WARNING ? "warning: " : "";

	if (line == 0)
		return snprintf(buf, len, "%s: %s%s", file, w, msg);
	return snprintf(buf, len, "%s:%u: %s%s", file, line, w, msg);
}

void amf_report(struct amf_parse *p, enum amf_diag_severity sev, unsigned line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (sev == AMF_DIAG_WARNING) {
		p->warnings++;
	} else {
		p->errors++;
		if (p->errors > AMF_CONFIG_ERRORS_MAX) {
			if (!p->gave_up && p->diag)
				p->diag(p->ctx, AMF_DIAG_ERROR, p->file, 0, "too many errors, giving up");
			p->gave_up = true;
			return;
		}
	}
	if (p->gave_up || !p->diag)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->diag(p->ctx, sev, p->file, line, msg);
}

void amf_report_nomem(struct amf_parse *p, unsigned line)
{
	if (!p->nomem)
		amf_report(p, AMF_DIAG_ERROR, line, "out of memory");
	p->nomem = true;
}

/* ---- tables ---- */

enum amf_fkind {
	F_TOP,
	F_CLUSTER,
	F_NODE,
	F_APP,
	F_SG,
	F_SU,
	F_COMP,
	F_HC,
	F_CSTYPES,  /* saAmfCompCsTypes { value lines } */
	F_ENV,      /* saAmfCompCmdEnv { NAME=value lines } */
	F_SI,
	F_RANKEDSU,
	F_DEPEND,
	F_CSI,
	F_CSIATTR,  /* safCSIAttr = NAME { value lines } */
	F_CSIDEPS,  /* saAmfCsiDependencies { saAmfCSIDependency = CSI } */
	F_CSTYPE,
	F_SKIP,     /* a block already reported as wrong: swallowed */
	F_COUNT,
};

enum amf_atype {
	A_MS,        /* uint64_t milliseconds */
	A_U32,       /* uint32_t */
	A_BOOL,      /* bool: true/false (also 1/0, as OpenAIS read some with atoi) */
	A_STR,       /* char *, any printable text */
	A_MODEL,     /* enum amf_redundancy_model */
	A_CATEGORY,  /* uint32_t category bits */
	A_CAPABILITY,
	A_RECOVERY,
	A_LIST,      /* struct amf_strv, repeatable: one value per line */
	A_ENV,       /* struct amf_strv of NAME=value, repeatable */
};

struct amf_attr_def {
	const char *key;
	enum amf_atype type;
	size_t off;        /* of the value in the block's object */
	int line_off;      /* of an `unsigned` line field, or -1 */
	uint64_t min, max; /* for numbers */
};

struct amf_block_def {
	const char *key;
	enum amf_fkind child;
	bool named;
};

struct amf_kind_def {
	const char *what;
	const struct amf_attr_def *attrs;
	size_t nattrs;
	const struct amf_block_def *blocks;
	size_t nblocks;
	bool values;   /* lines are values, not attributes */
	bool lenient;  /* unknown lines only warned about (OpenAIS ignored them) */
};

#define OFF(type, field) offsetof(struct type, field)
#define LOFF(type, field) ((int)offsetof(struct type, field))
#define MS(k, t, f) { k, A_MS, OFF(t, f), -1, 0, AMF_MS_MAX }
#define MS1(k, t, f) { k, A_MS, OFF(t, f), -1, 1, AMF_MS_MAX }
#define U32(k, t, f, lo, hi) { k, A_U32, OFF(t, f), -1, lo, hi }
#define BOOL(k, t, f) { k, A_BOOL, OFF(t, f), -1, 0, 0 }
#define STR(k, t, f) { k, A_STR, OFF(t, f), -1, 0, 0 }
#define STRL(k, t, f, l) { k, A_STR, OFF(t, f), LOFF(t, l), 0, 0 }
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct amf_attr_def cluster_attrs[] = {
	MS("saAmfClusterStartupTimeout", amf_cluster, startup_timeout_ms),
	STR("saAmfClusterClmCluster", amf_cluster, clm_cluster),
};

static const struct amf_attr_def node_attrs[] = {
	STRL("saAmfNodeClmNode", amf_node, clm_node, clm_node_line),
	MS("saAmfNodeSuFailOverProb", amf_node, su_failover_prob_ms),
	U32("saAmfNodeSuFailoverMax", amf_node, su_failover_max, 0, UINT32_MAX),
	BOOL("saAmfNodeAutoRepair", amf_node, auto_repair),
	BOOL("saAmfNodeRebootOnTerminationFailure", amf_node, reboot_on_termination_failure),
	BOOL("saAmfNodeRebootOnInstantiationFailure", amf_node, reboot_on_instantiation_failure),
};

static const struct amf_attr_def app_attrs[] = {
	STR("clccli_path", amf_app, clccli_path),
};

/* Indexes into sg_attrs used by the close checks. */
enum { SG_MODEL, SG_PREF_ACTIVE, SG_PREF_STANDBY, SG_PREF_INSERVICE, SG_PREF_ASSIGNED, SG_MAX_ACTIVE };

static const struct amf_attr_def sg_attrs[] = {
	[SG_MODEL] = { "saAmfSGRedundancyModel", A_MODEL, OFF(amf_sg, model), LOFF(amf_sg, model_line), 0, 0 },
	[SG_PREF_ACTIVE] = U32("saAmfSGNumPrefActiveSUs", amf_sg, num_pref_active_sus, 1, UINT32_MAX),
	[SG_PREF_STANDBY] = U32("saAmfSGNumPrefStandbySUs", amf_sg, num_pref_standby_sus, 0, UINT32_MAX),
	[SG_PREF_INSERVICE] = U32("saAmfSGNumPrefInserviceSUs", amf_sg, num_pref_inservice_sus, 1, UINT32_MAX),
	[SG_PREF_ASSIGNED] = U32("saAmfSGNumPrefAssignedSUs", amf_sg, num_pref_assigned_sus, 1, UINT32_MAX),
	[SG_MAX_ACTIVE] = U32("saAmfSGMaxActiveSIsperSUs", amf_sg, max_active_sis_per_su, 0, UINT32_MAX),
	U32("saAmfSGMaxStandbySIsperSUs", amf_sg, max_standby_sis_per_su, 0, UINT32_MAX),
	MS("saAmfSGCompRestartProb", amf_sg, comp_restart_prob_ms),
	U32("saAmfSGCompRestartMax", amf_sg, comp_restart_max, 0, UINT32_MAX),
	MS("saAmfSGSuRestartProb", amf_sg, su_restart_prob_ms),
	U32("saAmfSGSuRestartMax", amf_sg, su_restart_max, 0, UINT32_MAX),
	MS("saAmfSGAutoAdjustProb", amf_sg, auto_adjust_prob_ms),
	BOOL("saAmfSGAutoAdjust", amf_sg, auto_adjust),
	BOOL("saAmfSGAutoRepair", amf_sg, auto_repair),
	STR("clccli_path", amf_sg, clccli_path),
};

static const struct amf_attr_def su_attrs[] = {
	STRL("saAmfSUHostedByNode", amf_su, hosted_by, hosted_by_line),
	U32("saAmfSUNumComponents", amf_su, num_components, 0, UINT32_MAX),
	U32("saAmfSURank", amf_su, rank, 0, UINT32_MAX),
	BOOL("saAmfSUIsExternal", amf_su, is_external),
	BOOL("saAmfSUFailover", amf_su, failover),
	STR("clccli_path", amf_su, clccli_path),
};

/* Indexes into comp_attrs used by the close checks. */
enum {
	COMP_CATEGORY,
	COMP_CAPABILITY,
	COMP_MAX_ACTIVE,
	COMP_MAX_STANDBY,
	COMP_INST_TIMEOUT,
	COMP_TERM_TIMEOUT,
	COMP_CLEANUP_TIMEOUT,
	COMP_TERM_CB,
	COMP_CSISET_CB,
	COMP_QUIESCING_CB,
	COMP_CSIRMV_CB,
};

static const struct amf_attr_def comp_attrs[] = {
	[COMP_CATEGORY] = { "saAmfCompCategory", A_CATEGORY, OFF(amf_comp, category), -1, 0, 0 },
	[COMP_CAPABILITY] = { "saAmfCompCapability", A_CAPABILITY, OFF(amf_comp, capability), -1, 0, 0 },
	[COMP_MAX_ACTIVE] = U32("saAmfCompNumMaxActiveCsi", amf_comp, num_max_active_csi, 0, UINT32_MAX),
	[COMP_MAX_STANDBY] = U32("saAmfCompNumMaxStandbyCsi", amf_comp, num_max_standby_csi, 0, UINT32_MAX),
	[COMP_INST_TIMEOUT] = MS1("saAmfCompInstantiateTimeout", amf_comp, instantiate.timeout_ms),
	[COMP_TERM_TIMEOUT] = MS1("saAmfCompTerminateTimeout", amf_comp, terminate.timeout_ms),
	[COMP_CLEANUP_TIMEOUT] = MS1("saAmfCompCleanupTimeout", amf_comp, cleanup.timeout_ms),
	[COMP_TERM_CB] = MS1("saAmfCompTerminateCallbackTimeout", amf_comp, terminate_callback_timeout_ms),
	[COMP_CSISET_CB] = MS1("saAmfCompCSISetCallbackTimeout", amf_comp, csi_set_callback_timeout_ms),
	[COMP_QUIESCING_CB] = MS1("saAmfCompQuiescingCompleteTimeout", amf_comp, quiescing_complete_timeout_ms),
	[COMP_CSIRMV_CB] = MS1("saAmfCompCSIRmvCallbackTimeout", amf_comp, csi_rmv_callback_timeout_ms),
	MS1("saAmfCompDefaultClcCliTimeout", amf_comp, default_clccli_timeout_ms),
	MS1("saAmfCompDefaultCallbackTimeOut", amf_comp, default_callback_timeout_ms),
	STRL("saAmfCompInstantiateCmd", amf_comp, instantiate.cmd, instantiate.line),
	STR("saAmfCompInstantiateCmdArgv", amf_comp, instantiate.args),
	STRL("saAmfCompTerminateCmd", amf_comp, terminate.cmd, terminate.line),
	STR("saAmfCompTerminateCmdArgv", amf_comp, terminate.args),
	STRL("saAmfCompCleanupCmd", amf_comp, cleanup.cmd, cleanup.line),
	STR("saAmfCompCleanupCmdArgv", amf_comp, cleanup.args),
	U32("saAmfCompInstantiationLevel", amf_comp, instantiation_level, 0, UINT32_MAX),
	U32("saAmfCompNumMaxInstantiateWithoutDelay", amf_comp, num_max_instantiate_without_delay, 0, UINT32_MAX),
	U32("saAmfCompNumMaxInstantiateWithDelay", amf_comp, num_max_instantiate_with_delay, 0, UINT32_MAX),
	MS("saAmfCompDelayBetweenInstantiateAttempts", amf_comp, delay_between_instantiate_ms),
	{ "saAmfCompRecoveryOnError", A_RECOVERY, OFF(amf_comp, recovery_on_error), -1, 0, 0 },
	BOOL("saAmfCompDisableRestart", amf_comp, disable_restart),
	STR("saAmfCompProxyCsi", amf_comp, proxy_csi),
	{ "saAmfCompCsTypes", A_LIST, OFF(amf_comp, cs_types), LOFF(amf_comp, cs_types_line), 0, 0 },
	{ "saAmfCompCmdEnv", A_ENV, OFF(amf_comp, env), -1, 0, 0 },
	STR("clccli_path", amf_comp, clccli_path),
};

enum { HC_PERIOD, HC_MAX_DURATION };

static const struct amf_attr_def hc_attrs[] = {
	[HC_PERIOD] = MS1("saAmfHealthcheckPeriod", amf_healthcheck, period_ms),
	[HC_MAX_DURATION] = MS1("saAmfHealthcheckMaxDuration", amf_healthcheck, max_duration_ms),
};

enum { SI_PREF_ACTIVE, SI_PREF_STANDBY };

static const struct amf_attr_def si_attrs[] = {
	[SI_PREF_ACTIVE] = U32("saAmfSIPrefActiveAssignments", amf_si, pref_active_assignments, 1, UINT32_MAX),
	[SI_PREF_STANDBY] = U32("saAmfSIPrefStandbyAssignments", amf_si, pref_standby_assignments, 0, UINT32_MAX),
	STRL("saAmfSIProtectedbySG", amf_si, protected_by, protected_by_line),
	U32("saAmfSIRank", amf_si, rank, 0, UINT32_MAX),
	U32("saAmfSINumCSIs", amf_si, num_csis, 0, UINT32_MAX),
};

static const struct amf_attr_def rankedsu_attrs[] = {
	U32("saAmfRank", amf_si_ranked_su, rank, 0, UINT32_MAX),
};

static const struct amf_attr_def depend_attrs[] = {
	MS("saAmfToleranceTime", amf_si_dependency, tolerance_ms),
};

static const struct amf_attr_def csi_attrs[] = {
	STRL("saAmfCSTypeName", amf_csi, cstype_name, cstype_line),
};

static const struct amf_attr_def csideps_attrs[] = {
	{ "saAmfCSIDependency", A_LIST, OFF(amf_csi, depends), LOFF(amf_csi, depends_line), 0, 0 },
};

static const struct amf_attr_def cstype_attrs[] = {
	{ "safAmfCSAttrName", A_LIST, OFF(amf_cstype, attr_names), -1, 0, 0 },
};

static const struct amf_block_def top_blocks[] = { { "safAmfCluster", F_CLUSTER, true } };
static const struct amf_block_def cluster_blocks[] = { { "safAmfNode", F_NODE, true }, { "safApp", F_APP, true } };
static const struct amf_block_def app_blocks[] = {
	{ "safSg", F_SG, true },
	{ "safSi", F_SI, true },
	{ "safCSType", F_CSTYPE, true },
};
static const struct amf_block_def sg_blocks[] = { { "safSu", F_SU, true } };
static const struct amf_block_def su_blocks[] = { { "safComp", F_COMP, true } };
static const struct amf_block_def comp_blocks[] = {
	{ "safHealthcheckKey", F_HC, true },
	{ "saAmfCompCsTypes", F_CSTYPES, false },
	{ "saAmfCompCmdEnv", F_ENV, false },
};
static const struct amf_block_def si_blocks[] = {
	{ "safCsi", F_CSI, true },
	{ "safRankedSu", F_RANKEDSU, true },
	{ "safDepend", F_DEPEND, true },
};
static const struct amf_block_def csi_blocks[] = {
	{ "safCSIAttr", F_CSIATTR, true },
	{ "saAmfCsiDependencies", F_CSIDEPS, false },
};

#define KIND(w, a, b) { w, a, ARRAY_LEN(a), b, ARRAY_LEN(b), false, false }
#define KIND_A(w, a) { w, a, ARRAY_LEN(a), NULL, 0, false, false }

static const struct amf_kind_def kinds[F_COUNT] = {
	[F_TOP] = { "the top level", NULL, 0, top_blocks, ARRAY_LEN(top_blocks), false, false },
	[F_CLUSTER] = KIND("safAmfCluster", cluster_attrs, cluster_blocks),
	[F_NODE] = KIND_A("safAmfNode", node_attrs),
	[F_APP] = KIND("safApp", app_attrs, app_blocks),
	[F_SG] = KIND("safSg", sg_attrs, sg_blocks),
	[F_SU] = KIND("safSu", su_attrs, su_blocks),
	[F_COMP] = KIND("safComp", comp_attrs, comp_blocks),
	[F_HC] = KIND_A("safHealthcheckKey", hc_attrs),
	[F_CSTYPES] = { "saAmfCompCsTypes", NULL, 0, NULL, 0, true, false },
	[F_ENV] = { "saAmfCompCmdEnv", NULL, 0, NULL, 0, true, false },
	[F_SI] = KIND("safSi", si_attrs, si_blocks),
	[F_RANKEDSU] = KIND_A("safRankedSu", rankedsu_attrs),
	[F_DEPEND] = KIND_A("safDepend", depend_attrs),
	[F_CSI] = KIND("safCsi", csi_attrs, csi_blocks),
	[F_CSIATTR] = { "safCSIAttr", NULL, 0, NULL, 0, true, false },
	[F_CSIDEPS] = KIND_A("saAmfCsiDependencies", csideps_attrs),
	[F_CSTYPE] = { "safCSType", cstype_attrs, ARRAY_LEN(cstype_attrs), NULL, 0, false, true },
	[F_SKIP] = { "", NULL, 0, NULL, 0, false, false },
};

struct amf_frame {
	enum amf_fkind kind;
	unsigned line;
	void *obj;
	unsigned depth_skip;         /* F_SKIP: nested blocks inside it */
	unsigned seen[AMF_ATTRS_MAX]; /* line of each attribute of the kind's table, 0 = not given */
};

struct amf_reader {
	struct amf_parse *p;
	struct amf_frame stack[AMF_STACK_MAX];
	unsigned depth;
	unsigned cluster_line;
};

/* ---- value parsing ---- */

static void *amf_field(void *obj, size_t off)
{
	return (char *)obj + off;
}

/* Decimal digits only; @return 0, -EINVAL (not a number) or -ERANGE. */
static int amf_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

struct amf_enum_val {
	const char *name;
	int value;
};

static const struct amf_enum_val model_vals[] = {
	{ "2n", AMF_RED_2N },
	{ "nplusm", AMF_RED_NPM },
	{ "nway", AMF_RED_NWAY },
	{ "nwayactive", AMF_RED_NWAY_ACTIVE },
	{ "noredundancy", AMF_RED_NO_REDUNDANCY },
	{ NULL, 0 },
};

static const struct amf_enum_val category_vals[] = {
	{ "sa_aware", AMF_COMP_SA_AWARE },
	{ "proxy", AMF_COMP_PROXY },
	{ "proxied", AMF_COMP_PROXIED },
	{ "local", AMF_COMP_LOCAL },
	{ NULL, 0 },
};

static const struct amf_enum_val capability_vals[] = {
	{ "x_active_and_y_standby", AMF_CAP_X_ACTIVE_AND_Y_STANDBY },
	{ "x_active_or_y_standby", AMF_CAP_X_ACTIVE_OR_Y_STANDBY },
	{ "one_active_or_y_standby", AMF_CAP_ONE_ACTIVE_OR_Y_STANDBY },
	{ "one_active_or_one_standby", AMF_CAP_ONE_ACTIVE_OR_ONE_STANDBY },
	{ "x_active", AMF_CAP_X_ACTIVE },
	{ "1_active", AMF_CAP_1_ACTIVE },
	{ "non_preinstantiable", AMF_CAP_NON_PRE_INSTANTIABLE },
	{ NULL, 0 },
};

static const struct amf_enum_val recovery_vals[] = {
	{ "no_recommendation", AMF_REC_NO_RECOMMENDATION },
	{ "no_recomondation", AMF_REC_NO_RECOMMENDATION }, /* OpenAIS's spelling */
	{ "component_restart", AMF_REC_COMPONENT_RESTART },
	{ "component_failover", AMF_REC_COMPONENT_FAILOVER },
	{ "node_switchover", AMF_REC_NODE_SWITCHOVER },
	{ "node_failover", AMF_REC_NODE_FAILOVER },
	{ "node_failfast", AMF_REC_NODE_FAILFAST },
	{ "cluster_reset", AMF_REC_CLUSTER_RESET },
	{ "application_restart", AMF_REC_APPLICATION_RESTART },
	{ NULL, 0 },
};

static int amf_parse_enum(const struct amf_enum_val *vals, const char *s, int *ret)
{
	for (; vals->name; vals++) {
		if (strcmp(vals->name, s) == 0) {
			*ret = vals->value;
			return 0;
		}
	}
	return -EINVAL;
}

static void amf_enum_list(const struct amf_enum_val *vals, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (; vals->name && off < len; vals++) {
		int n = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", vals->name);

		if (n < 0)
			return;
		off += (size_t)n;
	}
}

/* NULL when s is an acceptable object name, else the reason. */
static const char *amf_name_problem(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return "an empty name";
	if (n > AMF_DN_MAX)
		return "a name longer than 256 bytes";
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch > 0x7e)
			return "a name with a character that is not printable ASCII";
		if (ch == ',' || ch == '=')
			return "a name with ',' or '=' (they separate the parts of a distinguished name)";
	}
	return NULL;
}

/* Values: printable text (tabs allowed). */
static bool amf_value_ok(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return false;
	}
	return true;
}

static bool amf_env_name_ok(const char *s, size_t n)
{
	if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++) {
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	}
	return true;
}

static int amf_replace_str(char **slot, const char *v)
{
	char *copy = strdup(v);

	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

/* Append an environment entry, checking its form. */
static void amf_env_add(struct amf_parse *p, struct amf_strv *env, const char *v, unsigned line)
{
	const char *eq = strchr(v, '=');
	size_t n;

	if (!eq) {
		amf_report(p, AMF_DIAG_ERROR, line, "saAmfCompCmdEnv: '%s' is not NAME=value", v);
		return;
	}
	n = (size_t)(eq - v);
	if (!amf_env_name_ok(v, n)) {
		amf_report(p, AMF_DIAG_ERROR, line, "saAmfCompCmdEnv: '%.*s' is not a variable name", (int)n, v);
		return;
	}
	if (n == strlen("SA_AMF_COMPONENT_NAME") && strncmp(v, "SA_AMF_COMPONENT_NAME", n) == 0) {
		amf_report(p, AMF_DIAG_ERROR, line,
			   "saAmfCompCmdEnv: SA_AMF_COMPONENT_NAME is set by AMF and cannot be configured");
		return;
	}
	for (size_t i = 0; i < env->n; i++) {
		if (strncmp(env->v[i], v, n + 1) == 0) {
			amf_report(p, AMF_DIAG_ERROR, line, "saAmfCompCmdEnv: %.*s is set twice", (int)n, v);
			return;
		}
	}
	if (amf_strv_add(env, v) < 0)
		amf_report_nomem(p, line);
}

/* Set one attribute of the innermost block from "key = value" on line. */
static void amf_attr_set(struct amf_reader *r, const char *key, const char *val, unsigned line)
{
	struct amf_parse *p = r->p;
	struct amf_frame *f = &r->stack[r->depth - 1];
	const struct amf_kind_def *k = &kinds[f->kind];
	const struct amf_attr_def *a = NULL;
	const struct amf_enum_val *vals = NULL;
	void *slot;
	uint64_t num;
	size_t i;
	int e, rc;
	char list[256];

	if (f->kind == F_SKIP)
		return;
	for (i = 0; i < k->nattrs; i++) {
		if (strcmp(k->attrs[i].key, key) == 0) {
			a = &k->attrs[i];
			break;
		}
	}
	if (!a) {
		amf_report(p, k->lenient ? AMF_DIAG_WARNING : AMF_DIAG_ERROR, line, "unknown attribute '%s' in %s%s",
			   key, k->what, k->lenient ? " (ignored)" : "");
		return;
	}
	if (*val == '\0') {
		amf_report(p, AMF_DIAG_ERROR, line, "%s has no value", key);
		return;
	}
	if (!amf_value_ok(val)) {
		amf_report(p, AMF_DIAG_ERROR, line, "%s: the value has a control character", key);
		return;
	}
	if (a->type != A_LIST && a->type != A_ENV && f->seen[i]) {
		amf_report(p, AMF_DIAG_ERROR, line, "%s is given twice in this %s (first on line %u)", key, k->what,
			   f->seen[i]);
		return;
	}
	slot = amf_field(f->obj, a->off);
	switch (a->type) {
	case A_MS:
	case A_U32:
		rc = amf_parse_u64(val, a->min, a->max, &num);
		if (rc == -EINVAL) {
			amf_report(p, AMF_DIAG_ERROR, line, "%s: '%s' is not a number%s", key, val,
				   a->type == A_MS ? " (milliseconds)" : "");
			return;
		}
		if (rc < 0) {
			amf_report(p, AMF_DIAG_ERROR, line, "%s: %s is out of range (%llu..%llu)", key, val,
				   (unsigned long long)a->min, (unsigned long long)a->max);
			return;
		}
		if (a->type == A_MS)
			*(uint64_t *)slot = num;
		else
			*(uint32_t *)slot = (uint32_t)num;
		break;
	case A_BOOL:
		if (strcmp(val, "true") == 0 || strcmp(val, "1") == 0) {
			*(bool *)slot = true;
		} else if (strcmp(val, "false") == 0 || strcmp(val, "0") == 0) {
			*(bool *)slot = false;
		} else {
			amf_report(p, AMF_DIAG_ERROR, line, "%s: '%s' is not true or false", key, val);
			return;
		}
		break;
	case A_STR:
		if (amf_replace_str(slot, val) < 0) {
			amf_report_nomem(p, line);
			return;
		}
		break;
	case A_MODEL:
	case A_CATEGORY:
	case A_CAPABILITY:
	case A_RECOVERY:
		vals = a->type == A_MODEL ? model_vals
		       : a->type == A_CATEGORY ? category_vals
		       : a->type == A_CAPABILITY ? capability_vals
						 : recovery_vals;
		if (amf_parse_enum(vals, val, &e) < 0) {
			amf_enum_list(vals, list, sizeof(list));
			amf_report(p, AMF_DIAG_ERROR, line, "%s: unknown value '%s' (one of: %s)", key, val, list);
			return;
		}
		if (a->type == A_CATEGORY)
			*(uint32_t *)slot = (uint32_t)e;
		else
			*(int *)slot = e;
		break;
	case A_LIST:
		if (amf_strv_contains(slot, val)) {
			amf_report(p, AMF_DIAG_WARNING, line, "%s: '%s' is listed twice", key, val);
			break;
		}
		if (amf_strv_add(slot, val) < 0) {
			amf_report_nomem(p, line);
			return;
		}
		break;
	case A_ENV:
		amf_env_add(p, slot, val, line);
		break;
	}
	if (a->line_off >= 0) {
		unsigned *lp = amf_field(f->obj, (size_t)a->line_off);

		if (*lp == 0)
			*lp = line;
	}
	if (!f->seen[i])
		f->seen[i] = line;
}

/* A line inside a value block. */
static void amf_value_add(struct amf_reader *r, const char *val, unsigned line)
{
	struct amf_parse *p = r->p;
	struct amf_frame *f = &r->stack[r->depth - 1];
	struct amf_comp *comp;
	struct amf_csi_attr *attr;

	if (!amf_value_ok(val)) {
		amf_report(p, AMF_DIAG_ERROR, line, "%s: the value has a control character", kinds[f->kind].what);
		return;
	}
	switch (f->kind) {
	case F_CSTYPES:
		comp = f->obj;
		if (amf_strv_contains(&comp->cs_types, val)) {
			amf_report(p, AMF_DIAG_WARNING, line, "saAmfCompCsTypes: '%s' is listed twice", val);
			return;
		}
		if (amf_strv_add(&comp->cs_types, val) < 0)
			amf_report_nomem(p, line);
		if (comp->cs_types_line == 0)
			comp->cs_types_line = line;
		break;
	case F_ENV:
		comp = f->obj;
		amf_env_add(p, &comp->env, val, line);
		break;
	case F_CSIATTR:
		attr = f->obj;
		if (amf_strv_add(&attr->values, val) < 0)
			amf_report_nomem(p, line);
		break;
	default:
		break;
	}
}

/* ---- blocks ---- */

static struct amf_frame *amf_push(struct amf_reader *r, enum amf_fkind kind, void *obj, unsigned line)
{
	struct amf_frame *f = &r->stack[r->depth++];

	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->obj = obj;
	f->line = line;
	return f;
}

/* Already defined in this parent? Report and return true. */
static bool amf_dup(struct amf_parse *p, const char *what, const char *name, unsigned first, unsigned line)
{
	amf_report(p, AMF_DIAG_ERROR, line, "%s '%s' is defined twice (first on line %u)", what, name, first);
	return true;
}

/* Create the entity of a named block; NULL (reported) when it cannot be. */
static void *amf_block_create(struct amf_reader *r, enum amf_fkind kind, const char *name, unsigned line)
{
	struct amf_parse *p = r->p;
	void *parent = r->stack[r->depth - 1].obj;
	void *obj = NULL;
	const char *bad = kind == F_HC || kind == F_CSIATTR || kind == F_RANKEDSU || kind == F_DEPEND
				  ? NULL
				  : amf_name_problem(name);

	if (bad) {
		amf_report(p, AMF_DIAG_ERROR, line, "%s: %s", kinds[kind].what, bad);
		return NULL;
	}
	switch (kind) {
	case F_CLUSTER:
		if (p->cluster) {
			amf_report(p, AMF_DIAG_ERROR, line, "a second safAmfCluster (the first is on line %u)",
				   r->cluster_line);
			return NULL;
		}
		obj = p->cluster = amf_cluster_new(name);
		if (obj) {
			p->cluster->line = line;
			r->cluster_line = line;
		}
		break;
	case F_NODE: {
		struct amf_node *o = amf_node_by_name(parent, name);

		if (o && amf_dup(p, "safAmfNode", name, o->line, line))
			return NULL;
		obj = amf_node_add(parent, name);
		break;
	}
	case F_APP: {
		struct amf_app *o = amf_app_by_name(parent, name);

		if (o && amf_dup(p, "safApp", name, o->line, line))
			return NULL;
		obj = amf_app_add(parent, name);
		break;
	}
	case F_SG: {
		struct amf_sg *o = amf_sg_by_name(parent, name);

		if (o && amf_dup(p, "safSg", name, o->line, line))
			return NULL;
		obj = amf_sg_add(parent, name);
		break;
	}
	case F_SU: {
		struct amf_su *o = amf_su_by_name(parent, name);

		if (o && amf_dup(p, "safSu", name, o->line, line))
			return NULL;
		obj = amf_su_add(parent, name);
		break;
	}
	case F_COMP: {
		struct amf_comp *o = amf_comp_by_name(parent, name);

		if (o && amf_dup(p, "safComp", name, o->line, line))
			return NULL;
		obj = amf_comp_add(parent, name);
		break;
	}
	case F_HC: {
		struct amf_healthcheck *o;
		size_t n = strlen(name);

		if (n == 0 || n > AMF_HEALTHCHECK_KEY_MAX || !amf_value_ok(name)) {
			amf_report(p, AMF_DIAG_ERROR, line,
				   "safHealthcheckKey: a key must be 1 to %d printable bytes, '%s' is not",
				   AMF_HEALTHCHECK_KEY_MAX, name);
			return NULL;
		}
		o = amf_healthcheck_by_key(parent, name, n);
		if (o && amf_dup(p, "safHealthcheckKey", name, o->line, line))
			return NULL;
		obj = amf_healthcheck_add(parent, name);
		break;
	}
	case F_SI: {
		struct amf_si *o = amf_si_by_name(parent, name);

		if (o && amf_dup(p, "safSi", name, o->line, line))
			return NULL;
		obj = amf_si_add(parent, name);
		break;
	}
	case F_CSI: {
		struct amf_csi *o = amf_csi_by_name(parent, name);

		if (o && amf_dup(p, "safCsi", name, o->line, line))
			return NULL;
		obj = amf_csi_add(parent, name);
		break;
	}
	case F_CSTYPE: {
		struct amf_cstype *o = amf_cstype_by_name(parent, name);

		if (o && amf_dup(p, "safCSType", name, o->line, line))
			return NULL;
		obj = amf_cstype_add(parent, name);
		break;
	}
	case F_CSIATTR: {
		struct amf_csi *csi = parent;

		if (*name == '\0' || !amf_value_ok(name)) {
			amf_report(p, AMF_DIAG_ERROR, line, "safCSIAttr: a bad attribute name");
			return NULL;
		}
		for (struct amf_csi_attr *o = csi->attrs; o; o = o->next) {
			if (strcmp(o->name, name) == 0 && amf_dup(p, "safCSIAttr", name, o->line, line))
				return NULL;
		}
		obj = amf_csi_attr_add(csi, name);
		break;
	}
	case F_RANKEDSU:
		obj = amf_si_ranked_su_add(parent, name);
		break;
	case F_DEPEND:
		obj = amf_si_dependency_add(parent, name);
		break;
	default:
		return NULL;
	}
	if (!obj) {
		amf_report_nomem(p, line);
		return NULL;
	}
	/* Every entity struct keeps the line where it was defined. */
	switch (kind) {
	case F_NODE: ((struct amf_node *)obj)->line = line; break;
	case F_APP: ((struct amf_app *)obj)->line = line; break;
	case F_SG: ((struct amf_sg *)obj)->line = line; break;
	case F_SU: ((struct amf_su *)obj)->line = line; break;
	case F_COMP: ((struct amf_comp *)obj)->line = line; break;
	case F_HC: ((struct amf_healthcheck *)obj)->line = line; break;
	case F_SI: ((struct amf_si *)obj)->line = line; break;
	case F_CSI: ((struct amf_csi *)obj)->line = line; break;
	case F_CSTYPE: ((struct amf_cstype *)obj)->line = line; break;
	case F_CSIATTR: ((struct amf_csi_attr *)obj)->line = line; break;
	case F_RANKEDSU: ((struct amf_si_ranked_su *)obj)->line = line; break;
	case F_DEPEND: ((struct amf_si_dependency *)obj)->line = line; break;
	default: break;
	}
	return obj;
}

/* "key = name {" (named) or "key {" (name NULL) opened on line. */
static void amf_block_open(struct amf_reader *r, const char *key, const char *name, unsigned line)
{
	struct amf_parse *p = r->p;
	struct amf_frame *f = &r->stack[r->depth - 1];
	const struct amf_kind_def *k = &kinds[f->kind];
	const struct amf_block_def *b = NULL;
	void *obj = NULL;

	if (r->depth == AMF_STACK_MAX) {
		/* Deeper than any valid file: only reached from within F_SKIP nesting. */
		f->depth_skip++;
		return;
	}
	if (f->kind == F_SKIP) {
		f->depth_skip++;
		return;
	}
	for (size_t i = 0; i < k->nblocks; i++) {
		if (strcmp(k->blocks[i].key, key) == 0)
			b = &k->blocks[i];
	}
	if (!b) {
		if (k->values)
			amf_report(p, AMF_DIAG_ERROR, line, "a block cannot open inside %s", k->what);
		else
			amf_report(p, k->lenient ? AMF_DIAG_WARNING : AMF_DIAG_ERROR, line, "unknown block '%s' in %s%s",
				   key, k->what, k->lenient ? " (ignored)" : "");
		amf_push(r, F_SKIP, NULL, line);
		return;
	}
	if (b->named && !name) {
		amf_report(p, AMF_DIAG_ERROR, line, "%s needs a name: '%s = NAME {'", key, key);
		amf_push(r, F_SKIP, NULL, line);
		return;
	}
	if (!b->named && name) {
		amf_report(p, AMF_DIAG_ERROR, line, "%s takes no name: '%s {'", key, key);
		amf_push(r, F_SKIP, NULL, line);
		return;
	}
	if (b->named)
		obj = amf_block_create(r, b->child, name, line);
	else
		obj = f->obj;
	if (!obj) {
		amf_push(r, F_SKIP, NULL, line);
		return;
	}
	if (b->child == F_CSTYPES) {
		struct amf_comp *comp = obj;

		if (comp->cs_types_line == 0)
			comp->cs_types_line = line;
	}
	if (b->child == F_CSIDEPS) {
		struct amf_csi *csi = obj;

		if (csi->depends_line == 0)
			csi->depends_line = line;
	}
	amf_push(r, b->child, obj, line);
}

/* ---- checks when a block closes ---- */

static void amf_close_sg(struct amf_parse *p, struct amf_frame *f)
{
	struct amf_sg *g = f->obj;
	unsigned at = f->seen[SG_MODEL] ? f->seen[SG_MODEL] : f->line;
	const char *m = amf_redundancy_model_name(g->model);

	if (!f->seen[SG_MODEL]) {
		amf_report(p, AMF_DIAG_ERROR, f->line, "safSg '%s': saAmfSGRedundancyModel is missing", g->name);
		return;
	}
	if (g->su_count == 0) {
		amf_report(p, AMF_DIAG_ERROR, f->line, "safSg '%s' has no safSu", g->name);
		return;
	}
	switch (g->model) {
	case AMF_RED_2N:
		if (f->seen[SG_PREF_ACTIVE] && g->num_pref_active_sus != 1)
			amf_report(p, AMF_DIAG_ERROR, f->seen[SG_PREF_ACTIVE],
				   "saAmfSGNumPrefActiveSUs must be 1 with redundancy model 2n");
		if (f->seen[SG_PREF_STANDBY] && g->num_pref_standby_sus != 1)
			amf_report(p, AMF_DIAG_ERROR, f->seen[SG_PREF_STANDBY],
				   "saAmfSGNumPrefStandbySUs must be 1 with redundancy model 2n");
		g->num_pref_active_sus = 1;
		g->num_pref_standby_sus = 1;
		/* fall through */
	case AMF_RED_NPM:
	case AMF_RED_NWAY:
		if (g->su_count < 2)
			amf_report(p, AMF_DIAG_ERROR, at,
				   "safSg '%s': redundancy model %s needs at least 2 service units, it has %zu",
				   g->name, m, g->su_count);
		else if (g->model == AMF_RED_NPM && g->su_count < (size_t)g->num_pref_active_sus + g->num_pref_standby_sus)
			amf_report(p, AMF_DIAG_WARNING, at,
				   "safSg '%s': %zu service units, fewer than the preferred %u active + %u standby",
				   g->name, g->su_count, g->num_pref_active_sus, g->num_pref_standby_sus);
		if (g->model == AMF_RED_NPM && f->seen[SG_PREF_STANDBY] && g->num_pref_standby_sus == 0)
			amf_report(p, AMF_DIAG_ERROR, f->seen[SG_PREF_STANDBY],
				   "saAmfSGNumPrefStandbySUs must be at least 1 with redundancy model nplusm");
		break;
	case AMF_RED_NWAY_ACTIVE:
		g->num_pref_standby_sus = 0;
		break;
	case AMF_RED_NO_REDUNDANCY:
		if (f->seen[SG_MAX_ACTIVE] && g->max_active_sis_per_su > 1)
			amf_report(p, AMF_DIAG_ERROR, f->seen[SG_MAX_ACTIVE],
				   "saAmfSGMaxActiveSIsperSUs must be at most 1 with redundancy model noredundancy");
		g->max_active_sis_per_su = 1;
		g->num_pref_standby_sus = 0;
		break;
	}
	if (!f->seen[SG_PREF_INSERVICE])
		g->num_pref_inservice_sus = (uint32_t)g->su_count;
	else if (g->num_pref_inservice_sus > g->su_count)
		amf_report(p, AMF_DIAG_WARNING, f->seen[SG_PREF_INSERVICE],
			   "saAmfSGNumPrefInserviceSUs %u is more than the %zu service units of safSg '%s'",
			   g->num_pref_inservice_sus, g->su_count, g->name);
	if (!f->seen[SG_PREF_ASSIGNED])
		g->num_pref_assigned_sus = g->num_pref_inservice_sus;
	else if (g->num_pref_assigned_sus > g->num_pref_inservice_sus)
		amf_report(p, AMF_DIAG_ERROR, f->seen[SG_PREF_ASSIGNED],
			   "saAmfSGNumPrefAssignedSUs %u is more than saAmfSGNumPrefInserviceSUs %u",
			   g->num_pref_assigned_sus, g->num_pref_inservice_sus);
}

static void amf_close_comp(struct amf_parse *p, struct amf_frame *f)
{
	struct amf_comp *c = f->obj;
	bool one_active;

	if (!f->seen[COMP_CATEGORY])
		amf_report(p, AMF_DIAG_ERROR, f->line, "safComp '%s': saAmfCompCategory is missing", c->name);
	if (!f->seen[COMP_CAPABILITY]) {
		amf_report(p, AMF_DIAG_ERROR, f->line, "safComp '%s': saAmfCompCapability is missing", c->name);
	} else {
		one_active = c->capability == AMF_CAP_ONE_ACTIVE_OR_Y_STANDBY ||
			     c->capability == AMF_CAP_ONE_ACTIVE_OR_ONE_STANDBY || c->capability == AMF_CAP_1_ACTIVE;
		if (one_active && c->num_max_active_csi > 1)
			amf_report(p, AMF_DIAG_ERROR, f->seen[COMP_MAX_ACTIVE],
				   "saAmfCompNumMaxActiveCsi %u: capability %s allows at most 1 active CSI",
				   c->num_max_active_csi, amf_capability_name(c->capability));
		if (c->capability == AMF_CAP_ONE_ACTIVE_OR_ONE_STANDBY && c->num_max_standby_csi > 1)
			amf_report(p, AMF_DIAG_ERROR, f->seen[COMP_MAX_STANDBY],
				   "saAmfCompNumMaxStandbyCsi %u: capability %s allows at most 1 standby CSI",
				   c->num_max_standby_csi, amf_capability_name(c->capability));
		if ((c->capability == AMF_CAP_X_ACTIVE || c->capability == AMF_CAP_1_ACTIVE ||
		     c->capability == AMF_CAP_NON_PRE_INSTANTIABLE)) {
			if (f->seen[COMP_MAX_STANDBY] && c->num_max_standby_csi > 0)
				amf_report(p, AMF_DIAG_WARNING, f->seen[COMP_MAX_STANDBY],
					   "saAmfCompNumMaxStandbyCsi %u: capability %s takes no standby CSI",
					   c->num_max_standby_csi, amf_capability_name(c->capability));
			c->num_max_standby_csi = 0;
		}
		if (c->capability == AMF_CAP_NON_PRE_INSTANTIABLE && (c->category & AMF_COMP_SA_AWARE))
			amf_report(p, AMF_DIAG_ERROR, f->seen[COMP_CAPABILITY],
				   "capability non_preinstantiable is not possible for an sa_aware component");
	}
	if (c->num_max_active_csi == 0)
		amf_report(p, AMF_DIAG_ERROR, f->seen[COMP_MAX_ACTIVE],
			   "saAmfCompNumMaxActiveCsi must be at least 1");
	if ((c->category & (AMF_COMP_SA_AWARE | AMF_COMP_LOCAL)) && !c->instantiate.cmd)
		amf_report(p, AMF_DIAG_ERROR, f->line, "safComp '%s': saAmfCompInstantiateCmd is missing (needed by a%s component)",
			   c->name, (c->category & AMF_COMP_SA_AWARE) ? "n sa_aware" : " local");
	if ((c->category & (AMF_COMP_SA_AWARE | AMF_COMP_LOCAL)) && !c->cleanup.cmd)
		amf_report(p, AMF_DIAG_WARNING, f->line,
			   "safComp '%s': no saAmfCompCleanupCmd: a failed component cannot be cleaned up", c->name);
	/* Per-operation timeouts default to the component's default timeouts. */
	if (!f->seen[COMP_INST_TIMEOUT])
		c->instantiate.timeout_ms = c->default_clccli_timeout_ms;
	if (!f->seen[COMP_TERM_TIMEOUT])
		c->terminate.timeout_ms = c->default_clccli_timeout_ms;
	if (!f->seen[COMP_CLEANUP_TIMEOUT])
		c->cleanup.timeout_ms = c->default_clccli_timeout_ms;
	if (!f->seen[COMP_TERM_CB])
		c->terminate_callback_timeout_ms = c->default_callback_timeout_ms;
	if (!f->seen[COMP_CSISET_CB])
		c->csi_set_callback_timeout_ms = c->default_callback_timeout_ms;
	if (!f->seen[COMP_QUIESCING_CB])
		c->quiescing_complete_timeout_ms = c->default_callback_timeout_ms;
	if (!f->seen[COMP_CSIRMV_CB])
		c->csi_rmv_callback_timeout_ms = c->default_callback_timeout_ms;
}

static void amf_close_hc(struct amf_parse *p, struct amf_frame *f)
{
	struct amf_healthcheck *h = f->obj;

	if (!f->seen[HC_PERIOD])
		amf_report(p, AMF_DIAG_ERROR, f->line, "safHealthcheckKey '%s': saAmfHealthcheckPeriod is missing",
			   h->key);
	if (!f->seen[HC_MAX_DURATION])
		h->max_duration_ms = h->period_ms; /* OpenAIS files leave it out for component-invoked keys */
}

static void amf_block_close(struct amf_reader *r)
{
	struct amf_parse *p = r->p;
	struct amf_frame *f = &r->stack[r->depth - 1];

	switch (f->kind) {
	case F_CLUSTER:
		if (p->cluster->startup_timeout_ms == 0)
			p->cluster->startup_timeout_ms = 5000; /* 0 means the default, as in OpenAIS */
		break;
	case F_NODE: {
		struct amf_node *n = f->obj;

		/* Early OpenAIS files named AMF nodes after their hosts. */
		if (!n->clm_node) {
			n->clm_node = strdup(n->name);
			n->clm_node_line = f->line;
			if (!n->clm_node)
				amf_report_nomem(p, f->line);
		}
		break;
	}
	case F_SG:
		amf_close_sg(p, f);
		break;
	case F_SU: {
		struct amf_su *u = f->obj;

		if (!u->hosted_by)
			amf_report(p, AMF_DIAG_ERROR, f->line, "safSu '%s': saAmfSUHostedByNode is missing", u->name);
		if (u->comp_count == 0)
			amf_report(p, AMF_DIAG_ERROR, f->line, "safSu '%s' has no safComp", u->name);
		break;
	}
	case F_COMP:
		amf_close_comp(p, f);
		break;
	case F_HC:
		amf_close_hc(p, f);
		break;
	case F_SI: {
		struct amf_si *s = f->obj;

		if (s->csi_count == 0)
			amf_report(p, AMF_DIAG_ERROR, f->line, "safSi '%s' has no safCsi", s->name);
		break;
	}
	case F_CSI: {
		struct amf_csi *c = f->obj;

		if (!c->cstype_name)
			amf_report(p, AMF_DIAG_ERROR, f->line, "safCsi '%s': saAmfCSTypeName is missing", c->name);
		break;
	}
	case F_CSIATTR: {
		struct amf_csi_attr *a = f->obj;

		if (a->values.n == 0)
			amf_report(p, AMF_DIAG_ERROR, f->line, "safCSIAttr '%s' has no value", a->name);
		break;
	}
	default:
		break;
	}
	r->depth--;
}

/* ---- lines ---- */

static bool amf_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Trim blanks at both ends in place; returns the new start. */
static char *amf_trim(char *s)
{
	size_t n;

	while (amf_blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && amf_blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

static void amf_close_line(struct amf_reader *r, unsigned line)
{
	struct amf_frame *f;

	if (r->depth == 1) {
		amf_report(r->p, AMF_DIAG_ERROR, line, "'}' without an open block");
		return;
	}
	f = &r->stack[r->depth - 1];
	if (f->kind == F_SKIP && f->depth_skip > 0) {
		f->depth_skip--;
		return;
	}
	amf_block_close(r);
}

/* One line, without its newline; modified in place. */
static void amf_line(struct amf_reader *r, char *text, unsigned line)
{
	struct amf_parse *p = r->p;
	struct amf_frame *f = &r->stack[r->depth - 1];
	char *s = amf_trim(text);
	char *eq, *key, *val;
	size_t n;
	bool opens = false, closes = false;

	if (*s == '\0' || *s == '#')
		return;
	if (strcmp(s, "}") == 0) {
		amf_close_line(r, line);
		return;
	}
	n = strlen(s);
	/* "... { }": a block opened and closed on one line. */
	if (n >= 2 && s[n - 1] == '}') {
		char *t;

		s[n - 1] = '\0';
		t = amf_trim(s);
		n = strlen(t);
		if (n == 0 || t[n - 1] != '{') {
			amf_report(p, AMF_DIAG_ERROR, line, "'}' must stand on a line of its own");
			return;
		}
		s = t;
		closes = true;
	}
	if (s[n - 1] == '{') {
		s[n - 1] = '\0';
		s = amf_trim(s);
		opens = true;
	}
	if (f->kind == F_SKIP) {
		if (opens && !closes)
			f->depth_skip++;
		return;
	}
	if (kinds[f->kind].values && !opens) {
		amf_value_add(r, s, line);
		return;
	}
	eq = strchr(s, '=');
	if (eq) {
		*eq = '\0';
		key = amf_trim(s);
		val = amf_trim(eq + 1);
	} else {
		key = s;
		val = NULL;
	}
	if (*key == '\0' || strpbrk(key, " \t")) {
		amf_report(p, AMF_DIAG_ERROR, line,
			   "expected 'attribute = value', 'class = name {', 'attribute {' or '}'");
		if (opens && !closes)
			amf_push(r, F_SKIP, NULL, line);
		return;
	}
	if (opens) {
		amf_block_open(r, key, val, line);
		if (closes)
			amf_close_line(r, line);
		return;
	}
	if (!val) {
		amf_report(p, AMF_DIAG_ERROR, line, "'%s' has no '=' and no value", key);
		return;
	}
	if (r->depth == 1) {
		amf_report(p, AMF_DIAG_ERROR, line, "attribute '%s' outside of safAmfCluster", key);
		return;
	}
	amf_attr_set(r, key, val, line);
}

int amf_config_parse_mem(const char *buf, size_t len, const char *name, amf_diag_fn diag, void *ctx,
			 unsigned *ret_errors, unsigned *ret_warnings, struct amf_cluster **ret)
{
	struct amf_parse p = { .file = name, .diag = diag, .ctx = ctx };
	struct amf_reader *r;
	char *line;
	size_t pos = 0;
	unsigned lineno = 0;
	int rc;

	r = calloc(1, sizeof(*r));
	line = malloc(AMF_CONFIG_LINE_MAX + 1);
	if (!r || !line) {
		amf_report_nomem(&p, 0);
		rc = -ENOMEM;
		goto out;
	}
	r->p = &p;
	amf_push(r, F_TOP, NULL, 0);
	while (pos < len && !p.gave_up) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;

		lineno++;
		if (n > AMF_CONFIG_LINE_MAX) {
			amf_report(&p, AMF_DIAG_ERROR, lineno, "line longer than %d bytes", AMF_CONFIG_LINE_MAX);
		} else if (memchr(buf + pos, '\0', n)) {
			amf_report(&p, AMF_DIAG_ERROR, lineno, "NUL byte in line");
		} else {
			memcpy(line, buf + pos, n);
			line[n] = '\0';
			amf_line(r, line, lineno);
		}
		pos += n + (nl ? 1 : 0);
	}
	while (r->depth > 1 && !p.gave_up) {
		struct amf_frame *f = &r->stack[r->depth - 1];

		if (f->kind == F_SKIP)
			amf_report(&p, AMF_DIAG_ERROR, f->line, "this block is not closed at the end of the file");
		else
			amf_report(&p, AMF_DIAG_ERROR, f->line, "block %s is not closed at the end of the file",
				   kinds[f->kind].what);
		r->depth--;
	}
	if (!p.cluster && !p.gave_up)
		amf_report(&p, AMF_DIAG_ERROR, 0, "no safAmfCluster block");
	if (p.cluster && !p.gave_up && !p.nomem)
		amf_validate(&p);
	rc = p.nomem ? -ENOMEM : p.errors ? -EINVAL : 0;
out:
	free(line);
	free(r);
	if (ret_errors)
		*ret_errors = p.errors;
	if (ret_warnings)
		*ret_warnings = p.warnings;
	if (rc == 0)
		*ret = p.cluster;
	else
		amf_cluster_free(p.cluster);
	return rc;
}

int amf_config_load(const char *path, amf_diag_fn diag, void *ctx, unsigned *ret_errors, unsigned *ret_warnings,
		    struct amf_cluster **ret)
{
	struct amf_parse p = { .file = path, .diag = diag, .ctx = ctx };
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, rc;

	/* O_NONBLOCK: opening a FIFO without a writer must not wait. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		amf_report(&p, AMF_DIAG_ERROR, 0, "cannot open: %s", strerror(-rc));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		amf_report(&p, AMF_DIAG_ERROR, 0, "cannot stat: %s", strerror(-rc));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		amf_report(&p, AMF_DIAG_ERROR, 0, "not a regular file");
		goto out_close;
	}
	if (st.st_size > AMF_CONFIG_FILE_MAX) {
		rc = -EFBIG;
		amf_report(&p, AMF_DIAG_ERROR, 0, "larger than %d bytes", AMF_CONFIG_FILE_MAX);
		goto out_close;
	}
	buf = malloc(AMF_CONFIG_FILE_MAX + 1);
	if (!buf) {
		rc = -ENOMEM;
		amf_report_nomem(&p, 0);
		goto out_close;
	}
	/* Read to EOF (the file may grow under us): at most one byte past the cap. */
	while (len <= AMF_CONFIG_FILE_MAX) {
		n = read(fd, buf + len, AMF_CONFIG_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			amf_report(&p, AMF_DIAG_ERROR, 0, "cannot read: %s", strerror(-rc));
			goto out_free;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > AMF_CONFIG_FILE_MAX) {
		rc = -EFBIG;
		amf_report(&p, AMF_DIAG_ERROR, 0, "larger than %d bytes", AMF_CONFIG_FILE_MAX);
		goto out_free;
	}
	close(fd);
	rc = amf_config_parse_mem(buf, len, path, diag, ctx, ret_errors, ret_warnings, ret);
	free(buf);
	return rc;
out_free:
	free(buf);
out_close:
	close(fd);
out:
	if (ret_errors)
		*ret_errors = p.errors;
	if (ret_warnings)
		*ret_warnings = p.warnings;
	return rc;
}

int amf_config_summary(const struct amf_cluster *c, FILE *out)
{
	struct amf_counts k;
	char dn[AMF_DN_MAX + 1];

	amf_cluster_count(c, &k);
	fprintf(out,
		"amf: cluster %s: %zu nodes, %zu applications, %zu service groups, %zu service units, "
		"%zu components, %zu healthcheck keys, %zu service instances, %zu CSIs, %zu CS types\n",
		c->name, k.nodes, k.apps, k.sgs, k.sus, k.comps, k.healthchecks, k.sis, k.csis, k.cstypes);
	fprintf(out, "amf: redundancy models: 2n %zu, nplusm %zu, nway %zu, nwayactive %zu, noredundancy %zu\n",
		k.sgs_by_model[AMF_RED_2N], k.sgs_by_model[AMF_RED_NPM], k.sgs_by_model[AMF_RED_NWAY],
		k.sgs_by_model[AMF_RED_NWAY_ACTIVE], k.sgs_by_model[AMF_RED_NO_REDUNDANCY]);
	for (const struct amf_node *n = c->nodes; n; n = n->next)
		fprintf(out, "amf: node %s: CLM node %s\n", n->name, n->clm_node ? n->clm_node : "?");
	for (const struct amf_sg *g = amf_sg_next(c, NULL); g; g = amf_sg_next(c, g)) {
		size_t sis = 0;

		for (const struct amf_si *s = g->app->sis; s; s = s->next)
			sis += s->sg == g;
		if (amf_sg_dn(g, dn, sizeof(dn)) < 0)
			continue;
		fprintf(out, "amf: %s: %s, %zu service units, %zu service instances\n", dn,
			amf_redundancy_model_name(g->model), g->su_count, sis);
	}
	return fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}
