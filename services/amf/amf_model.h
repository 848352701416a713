/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AMF information model: cluster, nodes, applications, service groups,
 * service units, components (with their CLC-CLI commands, environment,
 * timeouts and healthcheck keys), service instances, component service
 * instances and CS types, each with its configuration attributes and its
 * runtime states (admin, operational, presence, readiness, HA, assignment).
 *
 * This file owns only the data structure: creation, parent/child links,
 * distinguished names, lookup, iteration and freeing. It has no dependency
 * on the daemon, so unit tests, the configuration checker (aisexec -t) and
 * the AMF engine all use it. The configuration parser (amf_config.c) fills
 * it; the engine changes the runtime fields. Numeric state values are the
 * SA Forum AMF ones (SaAmfAdminStateT and friends, AIS-API section 3.1), so
 * they can be copied into API replies as they are.
 *
 * Names: every entity keeps its RDN value (the part after "safSu=" etc.);
 * distinguished names are composed on demand the way the specification and
 * OpenAIS compose them, e.g. "safComp=C,safSu=U,safSg=G,safApp=A".
 * Children are kept in file order in singly linked lists with counts.
 */
#ifndef AIS_AMF_MODEL_H
#define AIS_AMF_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Longest distinguished name, in bytes without the NUL (SaNameT.value). */
#define AMF_DN_MAX 256
/** Longest healthcheck key (SA_AMF_HEALTHCHECK_KEY_MAX). */
#define AMF_HEALTHCHECK_KEY_MAX 32

/* ---- state and attribute enumerations (SA Forum values) ---- */

enum amf_admin_state {
	AMF_ADMIN_UNLOCKED = 1,
	AMF_ADMIN_LOCKED = 2,
	AMF_ADMIN_LOCKED_INSTANTIATION = 3,
	AMF_ADMIN_SHUTTING_DOWN = 4,
};

enum amf_oper_state {
	AMF_OPER_ENABLED = 1,
	AMF_OPER_DISABLED = 2,
};

enum amf_presence_state {
	AMF_PRESENCE_UNINSTANTIATED = 1,
	AMF_PRESENCE_INSTANTIATING = 2,
	AMF_PRESENCE_INSTANTIATED = 3,
	AMF_PRESENCE_TERMINATING = 4,
	AMF_PRESENCE_RESTARTING = 5,
	AMF_PRESENCE_INSTANTIATION_FAILED = 6,
	AMF_PRESENCE_TERMINATION_FAILED = 7,
};

enum amf_readiness_state {
	AMF_READINESS_OUT_OF_SERVICE = 1,
	AMF_READINESS_IN_SERVICE = 2,
	AMF_READINESS_STOPPING = 3,
};

enum amf_ha_state {
	AMF_HA_ACTIVE = 1,
	AMF_HA_STANDBY = 2,
	AMF_HA_QUIESCED = 3,
	AMF_HA_QUIESCING = 4,
};

enum amf_assignment_state {
	AMF_ASSIGNMENT_UNASSIGNED = 1,
	AMF_ASSIGNMENT_FULLY_ASSIGNED = 2,
	AMF_ASSIGNMENT_PARTIALLY_ASSIGNED = 3,
};

enum amf_redundancy_model {
	AMF_RED_2N = 1,
	AMF_RED_NPM = 2,
	AMF_RED_NWAY = 3,
	AMF_RED_NWAY_ACTIVE = 4,
	AMF_RED_NO_REDUNDANCY = 5,
};

/** Component category: a bit set, as SaAmfCompCategoryT. */
enum amf_comp_category {
	AMF_COMP_SA_AWARE = 0x1,
	AMF_COMP_PROXY = 0x2,
	AMF_COMP_PROXIED = 0x4,
	AMF_COMP_LOCAL = 0x8,
};

enum amf_comp_capability {
	AMF_CAP_X_ACTIVE_AND_Y_STANDBY = 1,
	AMF_CAP_X_ACTIVE_OR_Y_STANDBY = 2,
	AMF_CAP_ONE_ACTIVE_OR_Y_STANDBY = 3,
	AMF_CAP_ONE_ACTIVE_OR_ONE_STANDBY = 4,
	AMF_CAP_X_ACTIVE = 5,
	AMF_CAP_1_ACTIVE = 6,
	AMF_CAP_NON_PRE_INSTANTIABLE = 7,
};

enum amf_recovery {
	AMF_REC_NO_RECOMMENDATION = 1,
	AMF_REC_COMPONENT_RESTART = 2,
	AMF_REC_COMPONENT_FAILOVER = 3,
	AMF_REC_NODE_SWITCHOVER = 4,
	AMF_REC_NODE_FAILOVER = 5,
	AMF_REC_NODE_FAILFAST = 6,
	AMF_REC_CLUSTER_RESET = 7,
	AMF_REC_APPLICATION_RESTART = 8,
};

/** Kinds of entity, for generic lookup by distinguished name. */
enum amf_kind {
	AMF_KIND_NONE = 0,
	AMF_KIND_CLUSTER,
	AMF_KIND_NODE,
	AMF_KIND_APP,
	AMF_KIND_SG,
	AMF_KIND_SU,
	AMF_KIND_COMP,
	AMF_KIND_HEALTHCHECK,
	AMF_KIND_SI,
	AMF_KIND_CSI,
	AMF_KIND_CSTYPE,
};

struct amf_cluster;
struct amf_node;
struct amf_app;
struct amf_sg;
struct amf_su;
struct amf_comp;
struct amf_si;
struct amf_csi;
struct amf_cstype;

/** A NULL-terminated list of strings with its length. */
struct amf_strv {
	char **v; /**< v[n] == NULL; NULL while n == 0 */
	size_t n;
};

/* ---- runtime assignments (filled by the engine, freed with the model) ---- */

/** An SI assigned to an SU with one HA state; in both the SU's and SI's lists. */
struct amf_si_assignment {
	struct amf_su *su;
	struct amf_si *si;
	enum amf_ha_state ha_state;      /**< confirmed state */
	enum amf_ha_state requested;     /**< state being set; equals ha_state when settled */
	struct amf_si_assignment *su_next;
	struct amf_si_assignment *si_next;
};

/** A CSI assigned to a component; in both the component's and CSI's lists. */
struct amf_csi_assignment {
	struct amf_comp *comp;
	struct amf_csi *csi;
	enum amf_ha_state ha_state;
	enum amf_ha_state requested;
	struct amf_csi_assignment *comp_next;
	struct amf_csi_assignment *csi_next;
};

/* ---- configuration entities ---- */

struct amf_healthcheck {
	struct amf_comp *comp;
	char *key;               /**< safHealthcheckKey, at most AMF_HEALTHCHECK_KEY_MAX bytes */
	uint64_t period_ms;      /**< saAmfHealthcheckPeriod */
	uint64_t max_duration_ms; /**< saAmfHealthcheckMaxDuration */
	unsigned line;
	struct amf_healthcheck *next;
};

/** One CLC-CLI command of a component (instantiate, terminate, cleanup). */
struct amf_clc_cmd {
	char *cmd;          /**< as configured (saAmfComp<Op>Cmd); NULL when absent */
	char *args;         /**< as configured (saAmfComp<Op>CmdArgv); NULL when absent */
	char *path;         /**< cmd with the nearest clccli_path applied; NULL when absent */
	struct amf_strv argv; /**< path followed by args split at blanks */
	uint64_t timeout_ms; /**< saAmfComp<Op>Timeout, or the component's default */
	unsigned line;      /**< line of the command attribute */
};

struct amf_comp {
	struct amf_su *su;
	char *name;                    /**< safComp */
	unsigned line;
	char *clccli_path;             /**< this level's clccli_path, or NULL */

	/* configuration */
	uint32_t category;             /**< enum amf_comp_category bits */
	enum amf_comp_capability capability;
	uint32_t num_max_active_csi;
	uint32_t num_max_standby_csi;
	uint64_t default_clccli_timeout_ms;
	uint64_t default_callback_timeout_ms;
	struct amf_clc_cmd instantiate;
	struct amf_clc_cmd terminate;
	struct amf_clc_cmd cleanup;
	uint32_t instantiation_level;
	uint32_t num_max_instantiate_without_delay;
	uint32_t num_max_instantiate_with_delay;
	uint64_t delay_between_instantiate_ms;
	uint64_t terminate_callback_timeout_ms;
	uint64_t csi_set_callback_timeout_ms;
	uint64_t quiescing_complete_timeout_ms;
	uint64_t csi_rmv_callback_timeout_ms;
	enum amf_recovery recovery_on_error;
	bool disable_restart;
	char *proxy_csi;               /**< saAmfCompProxyCsi, or NULL */
	struct amf_strv cs_types;      /**< saAmfCompCsTypes: CS type names */
	unsigned cs_types_line;        /**< line of the first saAmfCompCsTypes */
	struct amf_strv env;           /**< saAmfCompCmdEnv: "NAME=value" */
	struct amf_healthcheck *healthchecks;
	size_t healthcheck_count;

	/* runtime */
	enum amf_oper_state oper_state;
	enum amf_presence_state presence_state;
	enum amf_readiness_state readiness_state;
	uint32_t restart_count;
	struct amf_csi_assignment *assignments;

	struct amf_comp *next;
};

struct amf_su {
	struct amf_sg *sg;
	char *name;                 /**< safSu */
	unsigned line;
	char *clccli_path;

	/* configuration */
	char *hosted_by;            /**< saAmfSUHostedByNode as written */
	unsigned hosted_by_line;
	struct amf_node *node;      /**< resolved hosting node (after validation) */
	uint32_t rank;              /**< saAmfSURank */
	uint32_t num_components;    /**< saAmfSUNumComponents (informative) */
	bool is_external;
	bool failover;

	/* runtime */
	enum amf_admin_state admin_state;
	enum amf_oper_state oper_state;
	enum amf_presence_state presence_state;
	enum amf_readiness_state readiness_state;
	uint32_t restart_count;         /**< SU restarts in the current probation (amf_recovery.h) */
	uint64_t restart_prob_start_ms; /**< when that probation began */
	uint32_t comp_restart_count;    /**< component restarts in the SU in the current probation */
	uint64_t comp_restart_prob_start_ms;
	struct amf_si_assignment *assignments;

	struct amf_comp *comps;
	size_t comp_count;
	struct amf_su *next;
};

struct amf_sg {
	struct amf_app *app;
	char *name;                 /**< safSg */
	unsigned line;
	char *clccli_path;

	/* configuration */
	enum amf_redundancy_model model;
	unsigned model_line;
	uint32_t num_pref_active_sus;
	uint32_t num_pref_standby_sus;
	uint32_t num_pref_inservice_sus;
	uint32_t num_pref_assigned_sus;
	uint32_t max_active_sis_per_su;   /**< 0: no limit */
	uint32_t max_standby_sis_per_su;  /**< 0: no limit */
	uint64_t comp_restart_prob_ms;
	uint32_t comp_restart_max;
	uint64_t su_restart_prob_ms;
	uint32_t su_restart_max;
	uint64_t auto_adjust_prob_ms;
	bool auto_adjust;
	bool auto_repair;

	/* runtime */
	enum amf_admin_state admin_state;

	struct amf_su *sus;
	size_t su_count;
	struct amf_sg *next;
};

struct amf_csi_attr {
	char *name;            /**< safCSIAttr */
	struct amf_strv values; /**< one or more values */
	unsigned line;
	struct amf_csi_attr *next;
};

struct amf_csi {
	struct amf_si *si;
	char *name;                 /**< safCsi */
	unsigned line;

	char *cstype_name;          /**< saAmfCSTypeName */
	unsigned cstype_line;
	struct amf_cstype *cstype;  /**< resolved (after validation) */
	struct amf_csi_attr *attrs;
	size_t attr_count;
	struct amf_strv depends;    /**< saAmfCSIDependency: names of CSIs of the same SI */
	unsigned depends_line;

	/* runtime */
	struct amf_csi_assignment *assignments;

	struct amf_csi *next;
};

/** safRankedSu: an SU with its rank for this SI. */
struct amf_si_ranked_su {
	char *su_name;
	uint32_t rank;
	unsigned line;
	struct amf_su *su;          /**< resolved */
	struct amf_si_ranked_su *next;
};

/** safDepend: an SI this SI depends on. */
struct amf_si_dependency {
	char *si_name;
	uint64_t tolerance_ms;
	unsigned line;
	struct amf_si *si;          /**< resolved */
	struct amf_si_dependency *next;
};

struct amf_si {
	struct amf_app *app;
	char *name;                 /**< safSi */
	unsigned line;

	/* configuration */
	char *protected_by;         /**< saAmfSIProtectedbySG as written, or NULL */
	unsigned protected_by_line;
	struct amf_sg *sg;          /**< resolved protecting SG */
	uint32_t rank;
	uint32_t num_csis;          /**< saAmfSINumCSIs (informative) */
	uint32_t pref_active_assignments;
	uint32_t pref_standby_assignments;
	struct amf_si_ranked_su *ranked_sus;
	struct amf_si_dependency *depends;

	/* runtime */
	enum amf_admin_state admin_state;
	enum amf_assignment_state assignment_state;
	struct amf_si_assignment *assignments;

	struct amf_csi *csis;
	size_t csi_count;
	struct amf_si *next;
};

struct amf_cstype {
	struct amf_app *app;
	char *name;                 /**< safCSType */
	unsigned line;
	struct amf_strv attr_names; /**< safAmfCSAttrName */
	struct amf_cstype *next;
};

struct amf_app {
	struct amf_cluster *cluster;
	char *name;                 /**< safApp */
	unsigned line;
	char *clccli_path;

	/* runtime */
	enum amf_admin_state admin_state;

	struct amf_sg *sgs;
	size_t sg_count;
	struct amf_si *sis;
	size_t si_count;
	struct amf_cstype *cstypes;
	size_t cstype_count;
	struct amf_app *next;
};

struct amf_node {
	struct amf_cluster *cluster;
	char *name;                 /**< safAmfNode */
	unsigned line;

	/* configuration */
	char *clm_node;             /**< saAmfNodeClmNode: the CLM node (host) name */
	unsigned clm_node_line;
	uint64_t su_failover_prob_ms;
	uint32_t su_failover_max;
	bool auto_repair;
	bool reboot_on_termination_failure;
	bool reboot_on_instantiation_failure;

	/* runtime */
	enum amf_admin_state admin_state;
	enum amf_oper_state oper_state;
	bool clm_member;            /**< the mapped CLM node is a cluster member */
	uint32_t clm_nodeid;        /**< its node id while a member */
	uint32_t su_failover_count;  /**< SU failovers in the current probation (amf_recovery.h) */
	uint64_t su_failover_prob_start_ms;

	struct amf_node *next;
};

struct amf_cluster {
	char *name;                 /**< safAmfCluster */
	unsigned line;
	char *clm_cluster;          /**< saAmfClusterClmCluster, or NULL */
	uint64_t startup_timeout_ms;

	/* runtime */
	enum amf_admin_state admin_state;

	struct amf_node *nodes;
	size_t node_count;
	struct amf_app *apps;
	size_t app_count;
};

/** Entity counts of a model, for summaries. */
struct amf_counts {
	size_t nodes, apps, sgs, sus, comps, healthchecks, sis, csis, cstypes;
	size_t sgs_by_model[6]; /**< indexed by enum amf_redundancy_model */
};

/* ---- construction and destruction ---- */

/**
 * Create an empty cluster named name (copied). Every runtime state starts
 * at its initial value (admin UNLOCKED, operational DISABLED, presence
 * UNINSTANTIATED, readiness OUT_OF_SERVICE, SIs UNASSIGNED), every
 * configuration attribute at its default (see docs/amf.conf.md).
 * @return the cluster, or NULL when out of memory.
 */
struct amf_cluster *amf_cluster_new(const char *name);

/** Free a cluster and everything under it, assignments included. NULL is fine. */
void amf_cluster_free(struct amf_cluster *cluster);

/*
 * Each add function appends a new child with the given name (copied) and
 * default attributes to the end of its parent's list. It returns NULL only
 * when out of memory. Names are not checked for uniqueness here; the
 * configuration parser does that.
 */
struct amf_node *amf_node_add(struct amf_cluster *cluster, const char *name);
struct amf_app *amf_app_add(struct amf_cluster *cluster, const char *name);
struct amf_sg *amf_sg_add(struct amf_app *app, const char *name);
struct amf_su *amf_su_add(struct amf_sg *sg, const char *name);
struct amf_comp *amf_comp_add(struct amf_su *su, const char *name);
struct amf_healthcheck *amf_healthcheck_add(struct amf_comp *comp, const char *key);
struct amf_si *amf_si_add(struct amf_app *app, const char *name);
struct amf_csi *amf_csi_add(struct amf_si *si, const char *name);
struct amf_csi_attr *amf_csi_attr_add(struct amf_csi *csi, const char *name);
struct amf_cstype *amf_cstype_add(struct amf_app *app, const char *name);
struct amf_si_ranked_su *amf_si_ranked_su_add(struct amf_si *si, const char *su_name);
struct amf_si_dependency *amf_si_dependency_add(struct amf_si *si, const char *si_name);

/** Append a copy of s to v. @return 0, or -ENOMEM. */
int amf_strv_add(struct amf_strv *v, const char *s);
/** True when v holds a string equal to s. */
bool amf_strv_contains(const struct amf_strv *v, const char *s);
/** Free v's strings and array and leave it empty. */
void amf_strv_clear(struct amf_strv *v);

/* ---- runtime assignments ---- */

/**
 * Record that si is assigned to su with HA state ha (both confirmed and
 * requested). Linked into both lists; freed by amf_si_assignment_remove()
 * or with the model. @return the assignment, or NULL when out of memory.
 */
struct amf_si_assignment *amf_si_assignment_add(struct amf_su *su, struct amf_si *si, enum amf_ha_state ha);
/** Unlink and free an SI assignment; the SI's assignment state is recomputed. */
void amf_si_assignment_remove(struct amf_si_assignment *a);
struct amf_csi_assignment *amf_csi_assignment_add(struct amf_comp *comp, struct amf_csi *csi, enum amf_ha_state ha);
void amf_csi_assignment_remove(struct amf_csi_assignment *a);
/**
 * The assignment state of si from its assignments and its SG's redundancy
 * model: UNASSIGNED with no active assignment, FULLY_ASSIGNED when it has
 * the preferred number of active (and, where the model has standbys,
 * standby) assignments, PARTIALLY_ASSIGNED otherwise.
 */
enum amf_assignment_state amf_si_assignment_state(const struct amf_si *si);

/* ---- names ---- */

/*
 * Each dn function writes the entity's distinguished name, NUL-terminated,
 * into buf (size len) and returns its length, or -ENAMETOOLONG when it does
 * not fit in len bytes or exceeds AMF_DN_MAX (buf then holds "").
 *   cluster     safAmfCluster=C
 *   node        safAmfNode=N,safAmfCluster=C
 *   app         safApp=A
 *   sg          safSg=G,safApp=A
 *   su          safSu=U,safSg=G,safApp=A
 *   comp        safComp=X,safSu=U,safSg=G,safApp=A
 *   healthcheck safHealthcheckKey=K,safComp=X,safSu=U,safSg=G,safApp=A
 *   si          safSi=S,safApp=A
 *   csi         safCsi=X,safSi=S,safApp=A
 *   cstype      safCSType=T,safApp=A
 */
int amf_cluster_dn(const struct amf_cluster *c, char *buf, size_t len);
int amf_node_dn(const struct amf_node *n, char *buf, size_t len);
int amf_app_dn(const struct amf_app *a, char *buf, size_t len);
int amf_sg_dn(const struct amf_sg *g, char *buf, size_t len);
int amf_su_dn(const struct amf_su *u, char *buf, size_t len);
int amf_comp_dn(const struct amf_comp *c, char *buf, size_t len);
int amf_healthcheck_dn(const struct amf_healthcheck *h, char *buf, size_t len);
int amf_si_dn(const struct amf_si *s, char *buf, size_t len);
int amf_csi_dn(const struct amf_csi *c, char *buf, size_t len);
int amf_cstype_dn(const struct amf_cstype *t, char *buf, size_t len);

/* ---- lookup ---- */

/**
 * Find the entity named by a distinguished name (dn, len bytes, need not be
 * NUL-terminated; the forms are those of the dn functions above, RDNs
 * case-sensitive, no blanks). On success stores its kind in *ret_kind
 * (may be NULL) and returns it; NULL when nothing has that name.
 */
void *amf_find(const struct amf_cluster *c, const char *dn, size_t len, enum amf_kind *ret_kind);
/* Typed forms of amf_find(): NULL unless the name is of that kind. */
struct amf_node *amf_node_find(const struct amf_cluster *c, const char *dn);
struct amf_app *amf_app_find(const struct amf_cluster *c, const char *dn);
struct amf_sg *amf_sg_find(const struct amf_cluster *c, const char *dn);
struct amf_su *amf_su_find(const struct amf_cluster *c, const char *dn);
struct amf_comp *amf_comp_find(const struct amf_cluster *c, const char *dn);
struct amf_si *amf_si_find(const struct amf_cluster *c, const char *dn);
struct amf_csi *amf_csi_find(const struct amf_cluster *c, const char *dn);
struct amf_cstype *amf_cstype_find(const struct amf_cluster *c, const char *dn);

/* By RDN value within a parent. */
struct amf_node *amf_node_by_name(const struct amf_cluster *c, const char *name);
/** The AMF node mapped to the CLM node (host) name clm_name. */
struct amf_node *amf_node_by_clm_name(const struct amf_cluster *c, const char *clm_name);
struct amf_app *amf_app_by_name(const struct amf_cluster *c, const char *name);
struct amf_sg *amf_sg_by_name(const struct amf_app *a, const char *name);
struct amf_su *amf_su_by_name(const struct amf_sg *g, const char *name);
struct amf_comp *amf_comp_by_name(const struct amf_su *u, const char *name);
struct amf_healthcheck *amf_healthcheck_by_key(const struct amf_comp *c, const char *key, size_t key_len);
struct amf_si *amf_si_by_name(const struct amf_app *a, const char *name);
struct amf_csi *amf_csi_by_name(const struct amf_si *s, const char *name);
struct amf_cstype *amf_cstype_by_name(const struct amf_app *a, const char *name);

/* ---- iteration across levels ---- */

/*
 * Cluster-wide iteration in file order: pass NULL for the first entity and
 * the previous one for the next; NULL at the end. Children are reached
 * directly through the lists (app->sgs, sg->sus, su->comps, ...).
 */
struct amf_sg *amf_sg_next(const struct amf_cluster *c, const struct amf_sg *prev);
struct amf_su *amf_su_next(const struct amf_cluster *c, const struct amf_su *prev);
struct amf_comp *amf_comp_next(const struct amf_cluster *c, const struct amf_comp *prev);
struct amf_si *amf_si_next(const struct amf_cluster *c, const struct amf_si *prev);
struct amf_csi *amf_csi_next(const struct amf_cluster *c, const struct amf_csi *prev);

/** Count every kind of entity. */
void amf_cluster_count(const struct amf_cluster *c, struct amf_counts *ret);

/* ---- names of values (for logs, dumps and the configuration file) ---- */

const char *amf_admin_state_name(enum amf_admin_state s);
const char *amf_oper_state_name(enum amf_oper_state s);
const char *amf_presence_state_name(enum amf_presence_state s);
const char *amf_readiness_state_name(enum amf_readiness_state s);
const char *amf_ha_state_name(enum amf_ha_state s);
const char *amf_assignment_state_name(enum amf_assignment_state s);
/** The configuration-file spelling: "2n", "nplusm", "nway", "nwayactive", "noredundancy". */
const char *amf_redundancy_model_name(enum amf_redundancy_model m);
/** "sa_aware", "proxy", "proxied", "local" (the lowest bit set), or "?". */
const char *amf_category_name(uint32_t category);
const char *amf_capability_name(enum amf_comp_capability c);
const char *amf_recovery_name(enum amf_recovery r);

#endif /* AIS_AMF_MODEL_H */
