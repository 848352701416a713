/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the history checker: the stored form of events and records, shared
 * by the recording/text half (checker.c) and the property half
 * (checker_check.c).
 */
#ifndef AIS_SIM_CHECKER_INT_H
#define AIS_SIM_CHECKER_INT_H

#include "checker.h"

struct hist_event {
	uint64_t time_us;
	struct hist_msgid id;       /* SEND, DELIVER */
	struct hist_ring ring;      /* CONFCHG */
	uint32_t sender;            /* DELIVER */
	uint32_t len;               /* SEND, DELIVER */
	uint32_t members_off, n_members;  /* CONFCHG: offsets into hist.ids */
	uint32_t left_off, n_left;
	uint32_t joined_off, n_joined;
	uint32_t line;              /* source line, 0 when built in memory */
	uint8_t type;               /* enum hist_event_type */
	uint8_t guarantee;          /* SEND, DELIVER */
	uint8_t cc_type;            /* CONFCHG */
	uint8_t end_kind;           /* END */
	bool ok;                    /* DELIVER */
};

struct hist_inc {
	struct hist *h;
	uint32_t nodeid;
	uint32_t inc;
	struct hist_event *ev;
	size_t n_ev, cap_ev;
	char *source;
	bool ended;
};

struct hist {
	struct hist_inc **incs;
	size_t n_incs, cap_incs;
	uint32_t *ids;              /* member/left/joined lists of all confchgs */
	size_t n_ids, cap_ids;
	uint64_t deadline_us;
	bool has_deadline;
};

/** Format one event as a text line (no newline). */
void hist_event_format(const struct hist *h, const struct hist_event *e, char *buf, size_t len);

#endif
