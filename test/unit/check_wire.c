/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the Totem SRP wire codec (exec/totem/wire.c): a round trip
 * for every frame type and every class of malformed frame (short header,
 * bad magic / version / type, counts exceeding the length, oversize lists,
 * truncated or extended payloads, unsorted sets, bad flag bytes), each
 * rejected without touching the output.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static uint8_t buf[WIRE_FRAME_MAX];

static struct wire_header hdr_sample(void)
{
	struct wire_header h = { .sender = 7, .ring_id = { .rep = 2, .seq = 0x1122334455667788ULL } };

	return h;
}

START_TEST(test_token_roundtrip)
{
	struct wire_token t, d;
	ssize_t n;

	memset(&t, 0, sizeof(t));
	t.hdr = hdr_sample();
	t.token_seq = 0xfffffffeU;
	t.seq = 100;
	t.aru = 90;
	t.aru_addr = 3;
	t.backlog = 12;
	t.fcc = 40;
	t.install_seq = 77;
	t.retrans_flg = 1;
	t.install_set = 1;
	t.rtr_count = WIRE_RTR_MAX;
	for (unsigned i = 0; i < WIRE_RTR_MAX; i++) {
		t.rtr[i] = 91 + i;
	}
	n = wire_token_encode(&t, buf, sizeof(buf));
	ck_assert_int_eq(n, (ssize_t)(WIRE_TOKEN_LEN + 4 * WIRE_RTR_MAX));
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(wire_token_decode(buf, (size_t)n, &d), 0);
	ck_assert_uint_eq(d.hdr.type, WIRE_TOKEN);
	ck_assert_uint_eq(d.hdr.sender, 7);
	ck_assert_uint_eq(d.hdr.ring_id.seq, 0x1122334455667788ULL);
	ck_assert_uint_eq(d.token_seq, 0xfffffffeU);
	ck_assert_uint_eq(d.aru_addr, 3);
	ck_assert_uint_eq(d.install_seq, 77);
	ck_assert_uint_eq(d.rtr_count, WIRE_RTR_MAX);
	ck_assert_uint_eq(d.rtr[WIRE_RTR_MAX - 1], 91 + WIRE_RTR_MAX - 1);
	/* little-endian on the wire: the seq field starts with its low byte */
	ck_assert_uint_eq(buf[WIRE_HDR_LEN + 4], 100);
	/* truncated, extended, count too large for the length */
	ck_assert_int_eq(wire_token_decode(buf, (size_t)n - 1, &d), -EBADMSG);
	ck_assert_int_eq(wire_token_decode(buf, (size_t)n + 4, &d), -EBADMSG);
	buf[WIRE_HDR_LEN + 30] = WIRE_RTR_MAX + 1;
	ck_assert_int_eq(wire_token_decode(buf, (size_t)n + 4, &d), -EBADMSG);
	/* oversize list refused by the encoder too */
	t.rtr_count = WIRE_RTR_MAX + 1;
	ck_assert_int_eq(wire_token_encode(&t, buf, sizeof(buf)), -EINVAL);
	t.rtr_count = 0;
	ck_assert_int_eq(wire_token_encode(&t, buf, 10), -EMSGSIZE);
	n = wire_token_encode(&t, buf, sizeof(buf));
	buf[WIRE_HDR_LEN + 28] = 2;     /* retrans_flg out of range */
	ck_assert_int_eq(wire_token_decode(buf, (size_t)n, &d), -EBADMSG);
}
END_TEST

START_TEST(test_mcast_roundtrip)
{
	struct wire_mcast m = { .hdr = hdr_sample(), .seq = 5, .guarantee = TOTEM_SAFE };
	struct wire_mcast d;
	const char payload[] = "hello";
	ssize_t n;

	m.payload = (const uint8_t *)payload;
	m.payload_len = sizeof(payload);
	n = wire_mcast_encode(&m, buf, sizeof(buf));
	ck_assert_int_eq(n, (ssize_t)(WIRE_MCAST_LEN + sizeof(payload)));
	ck_assert_int_eq(wire_mcast_decode(buf, (size_t)n, &d), 0);
	ck_assert_uint_eq(d.seq, 5);
	ck_assert_uint_eq(d.guarantee, TOTEM_SAFE);
	ck_assert_uint_eq(d.payload_len, sizeof(payload));
	ck_assert_mem_eq(d.payload, payload, sizeof(payload));
	/* truncated payload, length claiming more than present */
	ck_assert_int_eq(wire_mcast_decode(buf, (size_t)n - 1, &d), -EBADMSG);
	ck_assert_int_eq(wire_mcast_decode(buf, WIRE_MCAST_LEN - 1, &d), -EBADMSG);
	buf[WIRE_HDR_LEN + 8] = 2;      /* unknown guarantee */
	ck_assert_int_eq(wire_mcast_decode(buf, (size_t)n, &d), -EBADMSG);
	buf[WIRE_HDR_LEN + 8] = 0;
	buf[WIRE_HDR_LEN + 9] = 9;      /* encapsulated flag out of range */
	ck_assert_int_eq(wire_mcast_decode(buf, (size_t)n, &d), -EBADMSG);
	/* empty payload */
	m.payload_len = 0;
	m.payload = NULL;
	n = wire_mcast_encode(&m, buf, sizeof(buf));
	ck_assert_int_eq(wire_mcast_decode(buf, (size_t)n, &d), 0);
	ck_assert_uint_eq(d.payload_len, 0);
}
END_TEST

START_TEST(test_join_roundtrip)
{
	struct wire_join j, d;
	ssize_t n;

	memset(&j, 0, sizeof(j));
	j.hdr = hdr_sample();
	j.ring_seq = 44;
	j.proc_count = TOTEM_PROCESSORS_MAX;
	for (unsigned i = 0; i < TOTEM_PROCESSORS_MAX; i++) {
		j.proc[i] = i + 1;
	}
	j.failed_count = 2;
	j.failed[0] = 3;
	j.failed[1] = 9;
	n = wire_join_encode(&j, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(wire_join_decode(buf, (size_t)n, &d), 0);
	ck_assert_uint_eq(d.ring_seq, 44);
	ck_assert_uint_eq(d.proc_count, TOTEM_PROCESSORS_MAX);
	ck_assert_uint_eq(d.proc[63], 64);
	ck_assert_uint_eq(d.failed[1], 9);
	ck_assert_int_eq(wire_join_decode(buf, (size_t)n - 4, &d), -EBADMSG);
	/* oversize count */
	buf[WIRE_HDR_LEN + 8] = TOTEM_PROCESSORS_MAX + 1;
	ck_assert_int_eq(wire_join_decode(buf, (size_t)n, &d), -EBADMSG);
	buf[WIRE_HDR_LEN + 8] = TOTEM_PROCESSORS_MAX;
	/* unsorted set */
	buf[WIRE_JOIN_LEN + 4] = 0;
	buf[WIRE_JOIN_LEN + 4] = 1;
	ck_assert_int_eq(wire_join_decode(buf, (size_t)n, &d), -EBADMSG);
	j.proc[1] = 1;
	ck_assert_int_eq(wire_join_encode(&j, buf, sizeof(buf)), -EINVAL);
	j.proc[1] = 2;
	j.proc_count = TOTEM_PROCESSORS_MAX + 1;
	ck_assert_int_eq(wire_join_encode(&j, buf, sizeof(buf)), -EINVAL);
}
END_TEST

START_TEST(test_commit_roundtrip)
{
	struct wire_commit c, d;
	ssize_t n;

	memset(&c, 0, sizeof(c));
	c.hdr = hdr_sample();
	c.token_seq = 3;
	c.memb_count = 3;
	c.memb_index = 2;
	for (unsigned i = 0; i < 3; i++) {
		c.memb[i].nodeid = 10 + i;
		c.memb[i].old_ring_id.rep = 10;
		c.memb[i].old_ring_id.seq = 8;
		c.memb[i].aru = 100 + i;
		c.memb[i].high_seq = 110;
		c.memb[i].high_delivered = 99;
		c.memb[i].safe_aru = 98;
		c.memb[i].received_flg = i == 1;
	}
	n = wire_commit_encode(&c, buf, sizeof(buf));
	ck_assert_int_eq(n, (ssize_t)(WIRE_COMMIT_LEN + 3 * sizeof(struct wire_commit_memb_le)));
	ck_assert_int_eq(wire_commit_decode(buf, (size_t)n, &d), 0);
	ck_assert_uint_eq(d.memb_index, 2);
	ck_assert_uint_eq(d.memb[2].aru, 102);
	ck_assert_uint_eq(d.memb[1].received_flg, 1);
	ck_assert_uint_eq(d.memb[0].old_ring_id.seq, 8);
	ck_assert_uint_eq(d.memb[0].safe_aru, 98);
	ck_assert_int_eq(wire_commit_decode(buf, (size_t)n - 1, &d), -EBADMSG);
	/* index beyond count */
	buf[WIRE_HDR_LEN + 4] = 4;
	ck_assert_int_eq(wire_commit_decode(buf, (size_t)n, &d), -EBADMSG);
	buf[WIRE_HDR_LEN + 4] = 2;
	/* zero count */
	buf[WIRE_HDR_LEN + 6] = 0;
	ck_assert_int_eq(wire_commit_decode(buf, WIRE_COMMIT_LEN, &d), -EBADMSG);
	c.memb_count = TOTEM_PROCESSORS_MAX + 1;
	ck_assert_int_eq(wire_commit_encode(&c, buf, sizeof(buf)), -EINVAL);
}
END_TEST

START_TEST(test_simple_frames)
{
	struct wire_header h = hdr_sample(), d;
	ssize_t n;

	n = wire_simple_encode(WIRE_MERGE_DETECT, &h, buf, sizeof(buf));
	ck_assert_int_eq(n, (ssize_t)WIRE_HDR_LEN);
	ck_assert_int_eq(wire_merge_detect_decode(buf, (size_t)n, &d), 0);
	ck_assert_uint_eq(d.ring_id.rep, 2);
	ck_assert_int_eq(wire_hold_cancel_decode(buf, (size_t)n, &d), -EBADMSG);
	ck_assert_int_eq(wire_merge_detect_decode(buf, (size_t)n + 1, &d), -EBADMSG);
	n = wire_simple_encode(WIRE_HOLD_CANCEL, &h, buf, sizeof(buf));
	ck_assert_int_eq(wire_hold_cancel_decode(buf, (size_t)n, &d), 0);
	n = wire_simple_encode(WIRE_LEAVE, &h, buf, sizeof(buf));
	ck_assert_int_eq(wire_leave_decode(buf, (size_t)n, &d), 0);
	ck_assert_uint_eq(d.sender, 7);
	ck_assert_int_eq(wire_simple_encode(WIRE_TOKEN, &h, buf, sizeof(buf)), -EINVAL);
}
END_TEST

START_TEST(test_header_malformed)
{
	struct wire_header h = hdr_sample(), d = { 0 };
	ssize_t n = wire_simple_encode(WIRE_LEAVE, &h, buf, sizeof(buf));

	ck_assert_int_eq(wire_header_decode(buf, (size_t)n, &d), 0);
	/* short header */
	for (size_t len = 0; len < WIRE_HDR_LEN; len++) {
		ck_assert_int_eq(wire_header_decode(buf, len, &d), -EBADMSG);
		ck_assert_int_eq(wire_leave_decode(buf, len, &d), -EBADMSG);
	}
	ck_assert_int_eq(wire_header_decode(NULL, 100, &d), -EBADMSG);
	buf[0] ^= 0xff;                 /* bad magic */
	ck_assert_int_eq(wire_header_decode(buf, (size_t)n, &d), -EBADMSG);
	buf[0] ^= 0xff;
	buf[2] = WIRE_VERSION + 1;      /* bad version */
	ck_assert_int_eq(wire_header_decode(buf, (size_t)n, &d), -EBADMSG);
	buf[2] = WIRE_VERSION;
	buf[3] = WIRE_TYPE_COUNT;       /* bad type */
	ck_assert_int_eq(wire_header_decode(buf, (size_t)n, &d), -EBADMSG);
	buf[3] = WIRE_LEAVE;
	memset(buf + 8, 0, 4);          /* sender 0 */
	ck_assert_int_eq(wire_header_decode(buf, (size_t)n, &d), -EBADMSG);
	/* a token header with a body too short for the token */
	h.sender = 1;
	n = wire_simple_encode(WIRE_LEAVE, &h, buf, sizeof(buf));
	buf[3] = WIRE_TOKEN;
	{
		struct wire_token t;

		ck_assert_int_eq(wire_token_decode(buf, (size_t)n, &t), -EBADMSG);
	}
	ck_assert_str_eq(wire_type_name(WIRE_COMMIT_TOKEN), "commit-token");
	ck_assert_str_eq(wire_type_name(99), "unknown");
}
END_TEST

START_TEST(test_random_garbage)
{
	uint64_t x = 88172645463325252ULL;
	union {
		struct wire_token t;
		struct wire_mcast m;
		struct wire_join j;
		struct wire_commit c;
		struct wire_header h;
	} u;

	for (int iter = 0; iter < 20000; iter++) {
		size_t len = (size_t)(iter % 400);

		for (size_t i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = (uint8_t)x;
		}
		if (len >= 4) {
			buf[0] = WIRE_MAGIC & 0xff;
			buf[1] = WIRE_MAGIC >> 8;
			buf[2] = WIRE_VERSION;
			buf[3] = (uint8_t)(iter % WIRE_TYPE_COUNT);
		}
		(void)wire_token_decode(buf, len, &u.t);
		(void)wire_mcast_decode(buf, len, &u.m);
		(void)wire_join_decode(buf, len, &u.j);
		(void)wire_commit_decode(buf, len, &u.c);
		(void)wire_merge_detect_decode(buf, len, &u.h);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("codec");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_token_roundtrip);
	tcase_add_test(tc, test_mcast_roundtrip);
	tcase_add_test(tc, test_join_roundtrip);
	tcase_add_test(tc, test_commit_roundtrip);
	tcase_add_test(tc, test_simple_frames);
	tcase_add_test(tc, test_header_malformed);
	tcase_add_test(tc, test_random_garbage);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
