// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the IKEv2 message codec (tools/daemon/msg.c).
 *
 * The input is a datagram, optionally followed by bytes that stand for the
 * decrypted SK chain: the header's length field says where the datagram
 * ends.  Each input is parsed, its inner chain parsed, the rules checked
 * (with and without EAP), every payload decoded and the message rebuilt
 * with the writer; the rebuilt message must parse again.  Build and run:
 * `make -C tools fuzz`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ike_msg m, m2;
static struct ike_sa sa;
static struct ike_ts ts;
static uint8_t out[70000];

/* Decodes pl and appends it to b; a decoder may not fail on a payload
 * the parser accepted. */
static void rebuild(struct ike_buf *b, const struct ike_pl *pl)
{
	struct ike_err err;
	union {
		struct ike_ke ke; struct ike_id id; struct ike_cert c;
		struct ike_auth a; struct ike_nonce n; struct ike_notify no;
		struct ike_delete d; struct ike_vendor v; struct ike_cp cp;
		struct ike_skf f;
	} u;
	int r = 0;

	switch (pl->type) {
	case IKEV2_PL_SA:
		if (!(r = ike_pl_sa(pl, &m, &sa, &err)))
			ike_buf_sa(b, &sa);
		break;
	case IKEV2_PL_KE:
		if (!(r = ike_pl_ke(pl, &u.ke, &err)))
			ike_buf_ke(b, &u.ke);
		break;
	case IKEV2_PL_IDI:
	case IKEV2_PL_IDR:
		if (!(r = ike_pl_id(pl, &u.id, &err)))
			ike_buf_id(b, pl->type, &u.id);
		break;
	case IKEV2_PL_CERT:
	case IKEV2_PL_CERTREQ:
		if (!(r = ike_pl_cert(pl, &u.c, &err)))
			ike_buf_cert(b, pl->type, &u.c);
		break;
	case IKEV2_PL_AUTH:
		if (!(r = ike_pl_auth(pl, &u.a, &err)))
			ike_buf_auth(b, &u.a);
		break;
	case IKEV2_PL_NONCE:
		if (!(r = ike_pl_nonce(pl, &u.n, &err)))
			ike_buf_nonce(b, &u.n);
		break;
	case IKEV2_PL_NOTIFY:
		if (!(r = ike_pl_notify(pl, &u.no, &err)))
			ike_buf_notify(b, &u.no);
		break;
	case IKEV2_PL_DELETE:
		if (!(r = ike_pl_delete(pl, &u.d, &err)))
			ike_buf_delete(b, &u.d);
		break;
	case IKEV2_PL_VENDOR:
		if (!(r = ike_pl_vendor(pl, &u.v, &err)))
			ike_buf_vendor(b, &u.v);
		break;
	case IKEV2_PL_TSI:
	case IKEV2_PL_TSR:
		if (!(r = ike_pl_ts(pl, &ts, &err)))
			ike_buf_ts(b, pl->type, &ts);
		break;
	case IKEV2_PL_CP:
		if (!(r = ike_pl_cp(pl, &u.cp, &err)))
			ike_buf_cp(b, &u.cp);
		break;
	case IKEV2_PL_SK:
		ike_buf_sk(b, m.sk_next, pl->body.p, pl->body.len);
		break;
	case IKEV2_PL_SKF:
		if (!(r = ike_pl_skf(pl, &u.f, &err)))
			ike_buf_skf(b, m.sk_next, &u.f);
		break;
	default:
		ike_buf_raw(b, pl->type, 0, pl->body.p, pl->body.len);
	}
	if (r)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike_err err;
	struct ike_buf b;
	size_t len = size;
	unsigned i, outer;
	long n;

	if (size >= IKEV2_HDR_LEN) {
		uint32_t l = (uint32_t)data[24] << 24 | data[25] << 16 |
			     data[26] << 8 | data[27];

		if (l >= IKEV2_HDR_LEN && l < size)
			len = l;
	}
	if (ike_msg_parse(data, len, &m, &err))
		return 0;
	ike_msg_check_rules(&m, 0, &err);
	outer = m.n;

	/* The writer must reproduce something the parser accepts. */
	ike_buf_init(&b, out, sizeof(out));
	ike_buf_hdr(&b, &m);
	for (i = 0; i < outer; i++)
		rebuild(&b, &m.pl[i]);
	n = ike_buf_finish(&b);
	if (n < 0 || ike_msg_parse(out, (size_t)n, &m2, &err) ||
	    m2.n != outer || m2.sk != m.sk || m2.sk_next != m.sk_next)
		abort();

	if (m.sk >= 0 &&
	    !ike_msg_parse_inner(&m, m.sk_next, data + len, size - len, &err)) {
		struct ike_buf in;

		ike_buf_init_inner(&in, out, sizeof(out));
		for (i = outer; i < m.n; i++)
			rebuild(&in, &m.pl[i]);
		if (ike_buf_finish(&in) < 0)
			abort();
	}
	ike_msg_check_rules(&m, 0, &err);
	ike_msg_check_rules(&m, IKE_RULES_EAP, &err);
	ike_msg_find_notify(&m, IKEV2_N_COOKIE);
	return 0;
}
