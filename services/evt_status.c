/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The evt engine's operator view: the STATUS request (aistool evt; layout
 * in include/ais/ipc_evt.h) and the dump (aistool dump), built from the
 * same walk over this node's state.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ais/inject.h>

#include "evt_int.h"

static uint32_t evt_chan_local(const struct evt_channel *c, uint32_t *ret_subs)
{
	const struct evt_open *o;
	uint32_t n = 0, subs = 0;

	qb_list_for_each_entry(o, &c->local_opens, chan_list) {
		n++;
		subs += (uint32_t)o->n_subs;
	}
	*ret_subs = subs;
	return n;
}

static size_t evt_conns_count(void)
{
	const struct evt_conn *pd;
	size_t n = 0;

	qb_list_for_each_entry(pd, &evt_state.conns, list)
		n++;
	return n;
}

static void evt_status_fill_chan(struct ais_evt_status_channel *sc, const struct evt_channel *c)
{
	memset(sc, 0, sizeof(*sc));
	sc->name = c->name;
	memset(sc->name.pad, 0, sizeof(sc->name.pad));
	sc->id = c->id;
	sc->unlinked = c->unlinked;
	sc->openers = (uint32_t)c->n_openers;
	sc->local_opens = evt_chan_local(c, &sc->subscriptions);
	sc->retained = (uint32_t)c->n_retained;
}

static void evt_status_fill_conn(struct ais_evt_status_conn *sn, const struct evt_conn *pd)
{
	pid_t pid = 0;
	uid_t uid;
	gid_t gid;

	memset(sn, 0, sizeof(*sn));
	sn->conn_id = evt_state.api->conn_id(pd->conn);
	evt_state.api->conn_credentials(pd->conn, &pid, &uid, &gid);
	sn->pid = (uint32_t)pid;
	sn->opens = (uint32_t)pd->n_opens;
	sn->subscriptions = (uint32_t)pd->n_subs;
	sn->queued = (uint32_t)pd->dq.count;
	sn->queued_bytes = pd->dq.bytes;
	sn->in_flight = (uint32_t)pd->dq.in_flight;
	sn->lost_pending = pd->dq.overflow;
	sn->delivered = pd->delivered;
	sn->lost = pd->dq.lost;
}

static void evt_status_fill_ret(struct ais_evt_status_retained *sr, const struct evt_retained *r)
{
	memset(sr, 0, sizeof(*sr));
	sr->event_id = r->ev->event_id;
	sr->channel_id = r->chan->id;
	sr->publish_time = r->ev->publish_time;
	sr->expiry = r->expiry;
	sr->publisher = r->ev->publisher;
	memset(sr->publisher.pad, 0, sizeof(sr->publisher.pad));
	sr->priority = r->ev->priority;
	sr->data_len = r->ev->data_len;
}

int evt_lib_status(ais_conn_t *conn, const void *msg, size_t len)
{
	size_t n_ch = evt_state.n_channels, n_cn = evt_conns_count(), n_rt = evt_state.n_retained;
	size_t l_ch = n_ch < AIS_EVT_STATUS_CHANNELS_MAX ? n_ch : AIS_EVT_STATUS_CHANNELS_MAX;
	size_t l_cn = n_cn < AIS_EVT_STATUS_CONNS_MAX ? n_cn : AIS_EVT_STATUS_CONNS_MAX;
	size_t l_rt = n_rt < AIS_EVT_STATUS_RETAINED_MAX ? n_rt : AIS_EVT_STATUS_RETAINED_MAX;
	size_t size = sizeof(struct ais_evt_res_status) + l_ch * sizeof(struct ais_evt_status_channel) +
	              l_cn * sizeof(struct ais_evt_status_conn) + l_rt * sizeof(struct ais_evt_status_retained);
	struct ais_evt_res_status *res;
	struct ais_evt_status_channel *sc;
	struct ais_evt_status_conn *sn;
	struct ais_evt_status_retained *sr;
	const struct evt_channel *c;
	const struct evt_conn *pd;
	size_t i;

	(void)msg;
	(void)len;
	res = ais_calloc(1, size);
	if (!res)
		return -ENOMEM;
	res->header.id = AIS_EVT_REQ_STATUS;
	res->header.size = (int32_t)size;
	res->header.error = EVT_SA_OK;
	res->nodeid = evt_state.api->local_nodeid();
	res->n_channels = (uint32_t)l_ch;
	res->n_conns = (uint32_t)l_cn;
	res->n_retained = (uint32_t)l_rt;
	res->channels_total = (uint32_t)n_ch;
	res->conns_total = (uint32_t)n_cn;
	res->retained_total = (uint32_t)n_rt;
	res->sync_active = evt_state.api->sync_in_progress();
	res->next_event_id = evt_idres_event_id(res->nodeid, evt_state.idres.next);
	res->reserved_event_id = evt_idres_event_id(res->nodeid, evt_state.idres.durable);
	res->published = evt_state.published;
	res->delivered = evt_state.delivered;
	res->dropped = evt_state.dropped;
	res->bad_frames = evt_state.bad_frames;
	sc = (struct ais_evt_status_channel *)(res + 1);
	sn = (struct ais_evt_status_conn *)(sc + l_ch);
	sr = (struct ais_evt_status_retained *)(sn + l_cn);
	i = 0;
	qb_list_for_each_entry(c, &evt_state.channels, list) {
		if (i == l_ch)
			break;
		evt_status_fill_chan(&sc[i++], c);
	}
	i = 0;
	qb_list_for_each_entry(pd, &evt_state.conns, list) {
		if (i == l_cn)
			break;
		evt_status_fill_conn(&sn[i++], pd);
	}
	i = 0;
	qb_list_for_each_entry(c, &evt_state.channels, list) {
		const struct evt_retained *r;

		qb_list_for_each_entry(r, &c->retained, list) {
			if (i == l_rt)
				break;
			evt_status_fill_ret(&sr[i++], r);
		}
	}
	evt_state.api->response_send(conn, res, size);
	free(res);
	return 0;
}

static void evt_name_print(char *buf, size_t len, const struct ais_evt_name *n)
{
	size_t k = 0;

	for (size_t i = 0; i < n->length && i < 256 && k + 5 < len; i++) {
		uint8_t ch = n->value[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			buf[k++] = (char)ch;
		else
			k += (size_t)snprintf(buf + k, len - k, "\\x%02x", ch);
	}
	buf[k] = '\0';
}

void evt_dump(void (*out)(void *ctx, const char *line), void *ctx)
{
	char line[640], name[1100];
	const struct evt_channel *c;
	const struct evt_conn *pd;
	uint32_t me = evt_state.api->local_nodeid();

	snprintf(line, sizeof(line),
	         "evt: %zu channels, %zu retained events, %zu connections; next event id %" PRIx64
	         ", reserved below %" PRIx64 "; published %" PRIu64 " delivered %" PRIu64 " dropped %" PRIu64
	         " bad frames %" PRIu64,
	         evt_state.n_channels, evt_state.n_retained, evt_conns_count(),
	         evt_idres_event_id(me, evt_state.idres.next), evt_idres_event_id(me, evt_state.idres.durable),
	         evt_state.published, evt_state.delivered, evt_state.dropped, evt_state.bad_frames);
	out(ctx, line);
	qb_list_for_each_entry(c, &evt_state.channels, list) {
		uint32_t subs = 0, local = evt_chan_local(c, &subs);

		evt_name_print(name, sizeof(name), &c->name);
		snprintf(line, sizeof(line),
		         "  channel %016" PRIx64 " \"%.256s\"%s: %zu openers (%u local), %u subscriptions, "
		         "%zu retained",
		         c->id, name, c->unlinked ? " (unlinked)" : "", c->n_openers, (unsigned)local,
		         (unsigned)subs, c->n_retained);
		out(ctx, line);
	}
	qb_list_for_each_entry(pd, &evt_state.conns, list) {
		snprintf(line, sizeof(line),
		         "  connection %" PRIx64 ": %zu opens, %zu subscriptions, queued %zu (%zu bytes), "
		         "in flight %zu, delivered %" PRIu64 ", lost %" PRIu64 "%s",
		         evt_state.api->conn_id(pd->conn), pd->n_opens, pd->n_subs, pd->dq.count, pd->dq.bytes,
		         pd->dq.in_flight, pd->delivered, pd->dq.lost, pd->dq.overflow ? " (notice owed)" : "");
		out(ctx, line);
	}
	qb_list_for_each_entry(c, &evt_state.channels, list) {
		const struct evt_retained *r;

		qb_list_for_each_entry(r, &c->retained, list) {
			evt_name_print(name, sizeof(name), &r->ev->publisher);
			snprintf(line, sizeof(line),
			         "  retained %016" PRIx64 " channel %016" PRIx64 " priority %u expiry %" PRId64
			         " publisher \"%.256s\"",
			         r->ev->event_id, c->id, (unsigned)r->ev->priority, r->expiry, name);
			out(ctx, line);
		}
	}
}
