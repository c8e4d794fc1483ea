// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the IKEv2 message codec (tools/daemon/msg.c): a real
 * strongSwan IKE_SA_INIT request, round trips of every payload through the
 * writer and the decoders, malformed messages, and the payload rules.
 */
#include <stdlib.h>
#include <string.h>

#include "../daemon/msg.h"
#include "tap.h"

/*
 * IKE_SA_INIT request as charon 5.9.8 sends it with
 * "proposals = aes256-sha256-modp2048, default" and send_vendor_id: three
 * IKE proposals (the configured one, then the default non-AEAD and AEAD
 * ones), KE (MODP 2048), a 32-byte Ni, NAT_DETECTION_SOURCE/DESTINATION_IP,
 * IKEV2_FRAGMENTATION_SUPPORTED, SIGNATURE_HASH_ALGORITHMS (SHA2-256/384/
 * 512, Identity), REDIRECT_SUPPORTED and the "strongSwan" Vendor ID.  The
 * KE value and nonce are filler; same bytes as corpus-ike/init-req-strongswan.
 */
static const uint8_t ss_init[] =
	"\x6c\x1a\x3f\x0e\x92\xd4\xb7\xa5\x00\x00\x00\x00\x00\x00\x00\x00"
	"\x21\x20\x22\x08\x00\x00\x00\x00\x00\x00\x03\x8c\x22\x00\x01\xd8"
	"\x02\x00\x00\x2c\x01\x01\x00\x04\x03\x00\x00\x0c\x01\x00\x00\x0c"
	"\x80\x0e\x01\x00\x03\x00\x00\x08\x03\x00\x00\x0c\x03\x00\x00\x08"
	"\x02\x00\x00\x05\x00\x00\x00\x08\x04\x00\x00\x0e\x02\x00\x00\xe4"
	"\x02\x01\x00\x1a\x03\x00\x00\x0c\x01\x00\x00\x0c\x80\x0e\x00\x80"
	"\x03\x00\x00\x0c\x01\x00\x00\x0c\x80\x0e\x00\xc0\x03\x00\x00\x0c"
	"\x01\x00\x00\x0c\x80\x0e\x01\x00\x03\x00\x00\x08\x03\x00\x00\x0c"
	"\x03\x00\x00\x08\x03\x00\x00\x0d\x03\x00\x00\x08\x03\x00\x00\x0e"
	"\x03\x00\x00\x08\x03\x00\x00\x02\x03\x00\x00\x08\x03\x00\x00\x05"
	"\x03\x00\x00\x08\x02\x00\x00\x05\x03\x00\x00\x08\x02\x00\x00\x06"
	"\x03\x00\x00\x08\x02\x00\x00\x07\x03\x00\x00\x08\x02\x00\x00\x04"
	"\x03\x00\x00\x08\x02\x00\x00\x02\x03\x00\x00\x08\x04\x00\x00\x13"
	"\x03\x00\x00\x08\x04\x00\x00\x14\x03\x00\x00\x08\x04\x00\x00\x15"
	"\x03\x00\x00\x08\x04\x00\x00\x1c\x03\x00\x00\x08\x04\x00\x00\x1d"
	"\x03\x00\x00\x08\x04\x00\x00\x1e\x03\x00\x00\x08\x04\x00\x00\x1f"
	"\x03\x00\x00\x08\x04\x00\x00\x20\x03\x00\x00\x08\x04\x00\x00\x0f"
	"\x03\x00\x00\x08\x04\x00\x00\x10\x03\x00\x00\x08\x04\x00\x00\x11"
	"\x03\x00\x00\x08\x04\x00\x00\x12\x00\x00\x00\x08\x04\x00\x00\x0e"
	"\x00\x00\x00\xc4\x03\x01\x00\x16\x03\x00\x00\x0c\x01\x00\x00\x14"
	"\x80\x0e\x00\x80\x03\x00\x00\x0c\x01\x00\x00\x14\x80\x0e\x00\xc0"
	"\x03\x00\x00\x0c\x01\x00\x00\x14\x80\x0e\x01\x00\x03\x00\x00\x08"
	"\x01\x00\x00\x1c\x03\x00\x00\x08\x02\x00\x00\x05\x03\x00\x00\x08"
	"\x02\x00\x00\x06\x03\x00\x00\x08\x02\x00\x00\x07\x03\x00\x00\x08"
	"\x02\x00\x00\x04\x03\x00\x00\x08\x02\x00\x00\x02\x03\x00\x00\x08"
	"\x04\x00\x00\x13\x03\x00\x00\x08\x04\x00\x00\x14\x03\x00\x00\x08"
	"\x04\x00\x00\x15\x03\x00\x00\x08\x04\x00\x00\x1c\x03\x00\x00\x08"
	"\x04\x00\x00\x1d\x03\x00\x00\x08\x04\x00\x00\x1e\x03\x00\x00\x08"
	"\x04\x00\x00\x1f\x03\x00\x00\x08\x04\x00\x00\x20\x03\x00\x00\x08"
	"\x04\x00\x00\x0f\x03\x00\x00\x08\x04\x00\x00\x10\x03\x00\x00\x08"
	"\x04\x00\x00\x11\x03\x00\x00\x08\x04\x00\x00\x12\x00\x00\x00\x08"
	"\x04\x00\x00\x0e\x28\x00\x01\x08\x00\x0e\x00\x00\x03\x0a\x11\x18"
	"\x1f\x26\x2d\x34\x3b\x42\x49\x50\x57\x5e\x65\x6c\x73\x7a\x81\x88"
	"\x8f\x96\x9d\xa4\xab\xb2\xb9\xc0\xc7\xce\xd5\xdc\xe3\xea\xf1\xf8"
	"\xff\x06\x0d\x14\x1b\x22\x29\x30\x37\x3e\x45\x4c\x53\x5a\x61\x68"
	"\x6f\x76\x7d\x84\x8b\x92\x99\xa0\xa7\xae\xb5\xbc\xc3\xca\xd1\xd8"
	"\xdf\xe6\xed\xf4\xfb\x02\x09\x10\x17\x1e\x25\x2c\x33\x3a\x41\x48"
	"\x4f\x56\x5d\x64\x6b\x72\x79\x80\x87\x8e\x95\x9c\xa3\xaa\xb1\xb8"
	"\xbf\xc6\xcd\xd4\xdb\xe2\xe9\xf0\xf7\xfe\x05\x0c\x13\x1a\x21\x28"
	"\x2f\x36\x3d\x44\x4b\x52\x59\x60\x67\x6e\x75\x7c\x83\x8a\x91\x98"
	"\x9f\xa6\xad\xb4\xbb\xc2\xc9\xd0\xd7\xde\xe5\xec\xf3\xfa\x01\x08"
	"\x0f\x16\x1d\x24\x2b\x32\x39\x40\x47\x4e\x55\x5c\x63\x6a\x71\x78"
	"\x7f\x86\x8d\x94\x9b\xa2\xa9\xb0\xb7\xbe\xc5\xcc\xd3\xda\xe1\xe8"
	"\xef\xf6\xfd\x04\x0b\x12\x19\x20\x27\x2e\x35\x3c\x43\x4a\x51\x58"
	"\x5f\x66\x6d\x74\x7b\x82\x89\x90\x97\x9e\xa5\xac\xb3\xba\xc1\xc8"
	"\xcf\xd6\xdd\xe4\xeb\xf2\xf9\x00\x07\x0e\x15\x1c\x23\x2a\x31\x38"
	"\x3f\x46\x4d\x54\x5b\x62\x69\x70\x77\x7e\x85\x8c\x93\x9a\xa1\xa8"
	"\xaf\xb6\xbd\xc4\xcb\xd2\xd9\xe0\xe7\xee\xf5\xfc\x29\x00\x00\x24"
	"\x01\x0e\x1b\x28\x35\x42\x4f\x5c\x69\x76\x83\x90\x9d\xaa\xb7\xc4"
	"\xd1\xde\xeb\xf8\x05\x12\x1f\x2c\x39\x46\x53\x60\x6d\x7a\x87\x94"
	"\x29\x00\x00\x1c\x00\x00\x40\x04\x8d\xa2\xda\xe3\x9b\x9a\x55\xd1"
	"\x47\xc9\xcd\xb1\xc6\x68\xa9\x73\xc4\x66\x57\x99\x29\x00\x00\x1c"
	"\x00\x00\x40\x05\x71\x6b\x1b\x73\xe7\x31\xfb\x46\x4d\xa1\x03\x5e"
	"\xad\x11\x39\xd6\xeb\xc4\xde\x7a\x29\x00\x00\x08\x00\x00\x40\x2e"
	"\x29\x00\x00\x10\x00\x00\x40\x2f\x00\x02\x00\x03\x00\x04\x00\x05"
	"\x2b\x00\x00\x08\x00\x00\x40\x16\x00\x00\x00\x14\x88\x2f\xe5\x6d"
	"\x6f\xd2\x0d\xbc\x22\x51\x61\x3b\x2e\xbe\x5b\xeb";

#define SS_LEN (sizeof(ss_init) - 1)

static struct ike_msg m;	/* large: keep it off the stack */
static struct ike_err err;
static uint8_t out[4096];

static int parse(const uint8_t *buf, size_t len)
{
	memset(&err, 0, sizeof(err));
	return ike_msg_parse(buf, len, &m, &err);
}

/* Parses a copy of ss_init after f() has changed it. */
static int parse_mod(void (*f)(uint8_t *, size_t *))
{
	static uint8_t buf[sizeof(ss_init) + 64];
	size_t len = SS_LEN;

	memcpy(buf, ss_init, len);
	f(buf, &len);
	return parse(buf, len);
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void set_len(uint8_t *b, size_t len)
{
	b[24] = b[25] = 0;
	put16(b + 26, (unsigned)len);
}

static void test_strongswan_init(void)
{
	static struct ike_sa sa;
	const struct ike_pl *pl;
	struct ike_ke ke;
	struct ike_nonce n;
	struct ike_notify no;
	struct ike_vendor v;
	struct ike_buf b;
	unsigned i;
	long len;

	check(parse(ss_init, SS_LEN) == 0, "strongSwan IKE_SA_INIT "
	      "parses (%s)", err.msg);
	check(m.exchange == IKEV2_EXCH_IKE_SA_INIT && m.n == 9 && m.sk < 0,
	      "9 payloads, no SK");
	check(ike_msg_check_rules(&m, 0, &err) == 0, "rules pass (%s)",
	      err.msg);
	pl = ike_msg_find(&m, IKEV2_PL_SA, 0);
	check(pl && ike_pl_sa(pl, &m, &sa, &err) == 0 && sa.n_prop == 3 &&
	      sa.prop[0].n_xf == 4 && sa.prop[1].n_xf == 26 &&
	      sa.prop[2].n_xf == 22, "SA: 3 proposals of 4, 26, 22 transforms");
	check(sa.prop[0].xf[0].type == IKEV2_TRANS_ENCR &&
	      sa.prop[0].xf[0].id == IKEV2_ENCR_AES_CBC &&
	      sa.prop[0].xf[0].keylen == 256 &&
	      sa.prop[2].xf[3].id == IKEV2_ENCR_CHACHA20_POLY1305 &&
	      !sa.prop[2].xf[3].keylen, "SA: AES-CBC-256 ... ChaCha20");
	pl = ike_msg_find(&m, IKEV2_PL_KE, 0);
	check(pl && !ike_pl_ke(pl, &ke, &err) && ke.group == IKEV2_DH_MODP_2048
	      && ke.data.len == 256, "KE: MODP 2048, 256 bytes");
	pl = ike_msg_find(&m, IKEV2_PL_NONCE, 0);
	check(pl && !ike_pl_nonce(pl, &n, &err) && n.data.len == 32,
	      "Ni of 32 bytes");
	pl = ike_msg_find_notify(&m, IKEV2_N_SIGNATURE_HASH_ALGORITHMS);
	check(pl && !ike_pl_notify(pl, &no, &err) && no.data.len == 8 &&
	      no.data.p[1] == IKEV2_HASH_SHA2_256, "SIGNATURE_HASH_ALGORITHMS");
	check(ike_msg_find_notify(&m, IKEV2_N_NAT_DETECTION_SOURCE_IP) &&
	      ike_msg_find_notify(&m, IKEV2_N_NAT_DETECTION_DESTINATION_IP) &&
	      ike_msg_find_notify(&m, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED),
	      "NAT_DETECTION_* and IKEV2_FRAGMENTATION_SUPPORTED");
	pl = ike_msg_find(&m, IKEV2_PL_VENDOR, 0);
	check(pl && !ike_pl_vendor(pl, &v, &err) && v.data.len == 16 &&
	      !memcmp(v.data.p, "\x88\x2f\xe5\x6d", 4), "strongSwan VID");

	/* Rebuilding it from the decoded payloads gives the same bytes. */
	ike_buf_init(&b, out, sizeof(out));
	ike_buf_hdr(&b, &m);
	for (i = 0; i < m.n; i++) {
		pl = &m.pl[i];
		switch (pl->type) {
		case IKEV2_PL_SA:
			ike_pl_sa(pl, &m, &sa, &err);
			ike_buf_sa(&b, &sa);
			break;
		case IKEV2_PL_KE:
			ike_pl_ke(pl, &ke, &err);
			ike_buf_ke(&b, &ke);
			break;
		case IKEV2_PL_NONCE:
			ike_pl_nonce(pl, &n, &err);
			ike_buf_nonce(&b, &n);
			break;
		case IKEV2_PL_NOTIFY:
			ike_pl_notify(pl, &no, &err);
			ike_buf_notify(&b, &no);
			break;
		case IKEV2_PL_VENDOR:
			ike_pl_vendor(pl, &v, &err);
			ike_buf_vendor(&b, &v);
			break;
		}
	}
	len = ike_buf_finish(&b);
	check(len == (long)SS_LEN && !memcmp(out, ss_init, (size_t)len),
	      "build(parse(strongSwan IKE_SA_INIT)) is byte-identical");
}

static const uint8_t spi_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t spi_r[8] = { 9, 10, 11, 12, 13, 14, 15, 16 };

static void hdr(struct ike_buf *b, uint8_t exch, uint8_t flags, uint32_t id)
{
	struct ike_msg h = { .exchange = exch, .flags = flags, .msgid = id };

	memcpy(h.spi_i, spi_i, 8);
	if (exch != IKEV2_EXCH_IKE_SA_INIT || (flags & IKEV2_FLAG_RESPONSE))
		memcpy(h.spi_r, spi_r, 8);
	ike_buf_init(b, out, sizeof(out));
	ike_buf_hdr(b, &h);
}

static const uint8_t nonce[300] = { 0x42 };

static int eq_prop(const struct ike_prop *a, const struct ike_prop *b)
{
	unsigned i;

	if (a->num != b->num || a->proto != b->proto ||
	    a->spi_size != b->spi_size || a->n_xf != b->n_xf ||
	    memcmp(a->spi, b->spi, a->spi_size))
		return 0;
	for (i = 0; i < a->n_xf; i++)
		if (a->xf[i].type != b->xf[i].type || a->xf[i].id != b->xf[i].id ||
		    a->xf[i].keylen != b->xf[i].keylen)
			return 0;
	return 1;
}

/* Every payload type, written then parsed and decoded; rebuilt again from
 * the decoded form, the bytes must not change. */
static void test_round_trips(void)
{
	static uint8_t pt[2048], again[4096];
	static struct ike_sa sa, sa2;
	static struct ike_ts ts, ts2;
	static const uint8_t spi4[4] = { 0xc0, 0xff, 0xee, 0x01 };
	struct ike_ke ke = { IKEV2_DH_CURVE25519, { nonce, 32 } }, ke2;
	struct ike_id id = { IKEV2_ID_FQDN, { (const uint8_t *)"vpn.example",
				 11 } }, id2;
	struct ike_cert cert = { IKEV2_CERT_X509_SIGNATURE, { nonce, 100 } },
			cert2;
	struct ike_cert creq = { IKEV2_CERT_X509_SIGNATURE, { nonce, 40 } };
	struct ike_auth auth = { IKEV2_AUTH_SHARED_KEY_MIC, { nonce, 32 } },
			auth2;
	struct ike_nonce no = { { nonce, 256 } }, no2;
	struct ike_notify nt = { IKEV2_PROTO_ESP, 4, IKEV2_N_REKEY_SA,
				 { spi4, 4 }, { NULL, 0 } }, nt2;
	struct ike_delete del = { IKEV2_PROTO_ESP, 4, 1, { spi4, 4 } }, del2;
	struct ike_vendor vid = { { nonce, 16 } }, vid2;
	struct ike_cp cp = { 1, { nonce, 8 } }, cp2;
	struct ike_skf skf = { 2, 3, { nonce, 40 } }, skf2;
	struct ike_buf b, in;
	const struct ike_pl *pl;
	long len, inlen;

	memset(&sa, 0, sizeof(sa));
	sa.n_prop = 2;
	sa.prop[0] = (struct ike_prop){ 1, IKEV2_PROTO_ESP, 4, 3,
					{ 0xc0, 0xff, 0xee, 0x01 } };
	sa.prop[0].xf[0] = (struct ike_xform){ IKEV2_TRANS_ENCR,
					       IKEV2_ENCR_AES_GCM_16, 256, 0 };
	sa.prop[0].xf[1] = (struct ike_xform){ IKEV2_TRANS_DH,
					       IKEV2_DH_ECP_256, 0, 0 };
	sa.prop[0].xf[2] = (struct ike_xform){ IKEV2_TRANS_ESN,
					       IKEV2_ESN_NO, 0, 0 };
	sa.prop[1] = sa.prop[0];
	sa.prop[1].num = 2;
	sa.prop[1].proto = IKEV2_PROTO_AH;
	sa.prop[1].n_xf = 1;
	sa.prop[1].xf[0] = (struct ike_xform){ IKEV2_TRANS_INTEG,
			   IKEV2_INTEG_HMAC_SHA2_256_128, 0, 0 };
	ts.n = 2;
	ts.sel[0] = (struct ike_ts_sel){ IKEV2_TS_IPV4_ADDR_RANGE, 17, 500,
					 4500, { 10, 0, 0, 0 },
					 { 10, 0, 0, 255 } };
	ts.sel[1] = (struct ike_ts_sel){ IKEV2_TS_IPV6_ADDR_RANGE, 0, 0,
					 65535, { 0x20, 0x01, 0x0d, 0xb8 },
					 { 0x20, 0x01, 0x0d, 0xb8, 0xff } };

	/* The inner chain of a CREATE_CHILD_SA request, sent as one SK. */
	ike_buf_init_inner(&in, pt, sizeof(pt));
	ike_buf_sa(&in, &sa);
	ike_buf_nonce(&in, &no);
	ike_buf_ke(&in, &ke);
	ike_buf_ts(&in, IKEV2_PL_TSI, &ts);
	ike_buf_ts(&in, IKEV2_PL_TSR, &ts);
	ike_buf_notify(&in, &nt);
	ike_buf_id(&in, IKEV2_PL_IDI, &id);
	ike_buf_cert(&in, IKEV2_PL_CERT, &cert);
	ike_buf_cert(&in, IKEV2_PL_CERTREQ, &creq);
	ike_buf_auth(&in, &auth);
	ike_buf_delete(&in, &del);
	ike_buf_vendor(&in, &vid);
	ike_buf_cp(&in, &cp);
	inlen = ike_buf_finish(&in);
	check(inlen > 0 && in.first == IKEV2_PL_SA, "inner chain built");

	hdr(&b, IKEV2_EXCH_CREATE_CHILD_SA, IKEV2_FLAG_INITIATOR, 7);
	ike_buf_sk(&b, in.first, nonce, 48);	/* stands for ciphertext */
	check(ike_buf_vendor(&b, &vid) < 0, "nothing can follow SK");
	b.failed = 0;
	len = ike_buf_finish(&b);
	check(len == 28 + 4 + 48 && parse(out, (size_t)len) == 0 &&
	      m.sk == 0 && m.sk_next == IKEV2_PL_SA && m.msgid == 7 &&
	      m.pl[0].body.len == 48, "SK message round trip (%s)", err.msg);
	check(ike_msg_check_rules(&m, 0, &err) < 0 && err.notify == 0,
	      "rules wait for decryption");
	check(ike_msg_parse_inner(&m, m.sk_next, pt, (size_t)inlen, &err) == 0,
	      "inner chain parses (%s)", err.msg);
	check(m.n == 14 && m.pl[1].inner, "13 inner payloads");

	pl = ike_msg_find(&m, IKEV2_PL_SA, 0);
	check(pl && !ike_pl_sa(pl, &m, &sa2, &err) && sa2.n_prop == 2 &&
	      eq_prop(&sa2.prop[0], &sa.prop[0]) &&
	      sa2.prop[1].proto == IKEV2_PROTO_AH &&
	      sa2.prop[1].xf[0].id == IKEV2_INTEG_HMAC_SHA2_256_128,
	      "SA round trip (%s)", err.msg);
	pl = ike_msg_find(&m, IKEV2_PL_KE, 0);
	check(pl && !ike_pl_ke(pl, &ke2, &err) && ke2.group == ke.group &&
	      ke2.data.len == 32 && !memcmp(ke2.data.p, nonce, 32), "KE");
	pl = ike_msg_find(&m, IKEV2_PL_NONCE, 0);
	check(pl && !ike_pl_nonce(pl, &no2, &err) && no2.data.len == 256,
	      "Nonce of 256");
	pl = ike_msg_find(&m, IKEV2_PL_TSR, 0);
	check(pl && !ike_pl_ts(pl, &ts2, &err) && ts2.n == 2 &&
	      !memcmp(&ts2.sel[0], &ts.sel[0], sizeof(ts.sel[0])) &&
	      !memcmp(&ts2.sel[1], &ts.sel[1], sizeof(ts.sel[1])), "TS");
	pl = ike_msg_find(&m, IKEV2_PL_NOTIFY, 0);
	check(pl && !ike_pl_notify(pl, &nt2, &err) && nt2.type ==
	      IKEV2_N_REKEY_SA && nt2.proto == IKEV2_PROTO_ESP &&
	      nt2.spi.len == 4 && !memcmp(nt2.spi.p, spi4, 4) &&
	      !nt2.data.len, "Notify with SPI");
	pl = ike_msg_find(&m, IKEV2_PL_IDI, 0);
	check(pl && !ike_pl_id(pl, &id2, &err) && id2.type == id.type &&
	      id2.data.len == 11 && !memcmp(id2.data.p, "vpn.example", 11),
	      "IDi");
	pl = ike_msg_find(&m, IKEV2_PL_CERT, 0);
	check(pl && !ike_pl_cert(pl, &cert2, &err) && cert2.encoding ==
	      cert.encoding && cert2.data.len == 100, "CERT");
	pl = ike_msg_find(&m, IKEV2_PL_CERTREQ, 0);
	check(pl && !ike_pl_cert(pl, &cert2, &err) && cert2.data.len == 40,
	      "CERTREQ");
	pl = ike_msg_find(&m, IKEV2_PL_AUTH, 0);
	check(pl && !ike_pl_auth(pl, &auth2, &err) && auth2.method ==
	      auth.method && auth2.data.len == 32, "AUTH");
	pl = ike_msg_find(&m, IKEV2_PL_DELETE, 0);
	check(pl && !ike_pl_delete(pl, &del2, &err) && del2.num == 1 &&
	      del2.spi_size == 4 && !memcmp(del2.spis.p, spi4, 4), "Delete");
	pl = ike_msg_find(&m, IKEV2_PL_VENDOR, 0);
	check(pl && !ike_pl_vendor(pl, &vid2, &err) && vid2.data.len == 16,
	      "Vendor ID");
	pl = ike_msg_find(&m, IKEV2_PL_CP, 0);
	check(pl && !ike_pl_cp(pl, &cp2, &err) && cp2.type == 1 &&
	      cp2.attrs.len == 8, "CP");

	/* And once more from the decoded views: the same bytes. */
	ike_buf_init_inner(&in, again, sizeof(again));
	ike_buf_sa(&in, &sa2);
	ike_buf_nonce(&in, &no2);
	ike_buf_ke(&in, &ke2);
	pl = ike_msg_find(&m, IKEV2_PL_TSI, 0);
	ike_pl_ts(pl, &ts2, &err);
	ike_buf_ts(&in, IKEV2_PL_TSI, &ts2);
	ike_buf_ts(&in, IKEV2_PL_TSR, &ts2);
	ike_buf_notify(&in, &nt2);
	ike_buf_id(&in, IKEV2_PL_IDI, &id2);
	pl = ike_msg_find(&m, IKEV2_PL_CERT, 0);
	ike_pl_cert(pl, &cert2, &err);
	ike_buf_cert(&in, IKEV2_PL_CERT, &cert2);
	pl = ike_msg_find(&m, IKEV2_PL_CERTREQ, 0);
	ike_pl_cert(pl, &cert2, &err);
	ike_buf_cert(&in, IKEV2_PL_CERTREQ, &cert2);
	ike_buf_auth(&in, &auth2);
	ike_buf_delete(&in, &del2);
	ike_buf_vendor(&in, &vid2);
	ike_buf_cp(&in, &cp2);
	check(ike_buf_finish(&in) == inlen && !memcmp(again, pt, (size_t)inlen),
	      "build(parse(build(x))) == build(x) for every payload");

	/* SKF */
	hdr(&b, IKEV2_EXCH_INFORMATIONAL, IKEV2_FLAG_INITIATOR, 3);
	ike_buf_skf(&b, 0, &skf);
	len = ike_buf_finish(&b);
	check(len > 0 && parse(out, (size_t)len) == 0 &&
	      !ike_pl_skf(&m.pl[0], &skf2, &err) && skf2.num == 2 &&
	      skf2.total == 3 && skf2.data.len == 40 && m.sk_next == 0,
	      "SKF fragment 2 of 3 round trip (%s)", err.msg);
}

/* Offsets into ss_init: SA at 28 (proposal 1 at 32, its first transform
 * at 40), KE after the SA. */
#define SA_OFF		28
#define KE_OFF		(SA_OFF + 0x1d8)
static void trunc_hdr(uint8_t *b, size_t *len) { (void)b; *len = 27; }
static void bad_len(uint8_t *b, size_t *len) { set_len(b, *len + 1); }
static void bad_major(uint8_t *b, size_t *len) { (void)len; b[17] = 0x30; }
static void minor(uint8_t *b, size_t *len) { (void)len; b[17] = 0x21; }
static void zero_spi(uint8_t *b, size_t *len) { (void)len; memset(b, 0, 8); }
static void past_end(uint8_t *b, size_t *len)
{
	(void)len;
	put16(b + KE_OFF + 2, 0x7000);
}
static void zero_len(uint8_t *b, size_t *len)
{
	(void)len;
	put16(b + KE_OFF + 2, 0);
}
static void cut_payload(uint8_t *b, size_t *len)
{
	*len = KE_OFF + 10;
	set_len(b, *len);
}
/* Appends an unknown payload (type 49, GSPM) after the last one. */
static void add_unknown(uint8_t *b, size_t *len, int crit)
{
	b[*len - 20] = 49;	/* the Vendor ID's next payload */
	memcpy(b + *len, "\x00\x00\x00\x08\xde\xad\xbe\xef", 8);
	b[*len + 1] = crit ? 0x80 : 0;
	*len += 8;
	set_len(b, *len);
}
static void unknown_crit(uint8_t *b, size_t *len) { add_unknown(b, len, 1); }
static void unknown_plain(uint8_t *b, size_t *len) { add_unknown(b, len, 0); }
static void trailing(uint8_t *b, size_t *len)
{
	b[*len] = 0;
	*len += 1;
	set_len(b, *len);
}
static void xform_count(uint8_t *b, size_t *len)
{
	(void)len;
	b[SA_OFF + 4 + 7] = 5;	/* proposal 1 claims 5 transforms, has 4 */
}
static void xform_count_low(uint8_t *b, size_t *len)
{
	(void)len;
	b[SA_OFF + 4 + 7] = 3;
}
static void prop_num(uint8_t *b, size_t *len)
{
	(void)len;
	b[SA_OFF + 4 + 4] = 2;
}
static void ike_spi(uint8_t *b, size_t *len)
{
	(void)len;
	b[SA_OFF + 4 + 6] = 4;	/* IKE SPI size 4: SPI eats a transform */
}
static void keylen_tlv(uint8_t *b, size_t *len)
{
	(void)len;
	b[SA_OFF + 4 + 8 + 8] = 0x00;	/* AF bit off: TLV of length 256 */
}

static void test_rejects(void)
{
	check(parse_mod(trunc_hdr) < 0 && err.notify == IKEV2_N_INVALID_SYNTAX,
	      "27-byte header rejected: %s", err.msg);
	check(parse_mod(bad_len) < 0 && strstr(err.msg, "header length"),
	      "header length != datagram: %s", err.msg);
	check(parse_mod(bad_major) < 0 &&
	      err.notify == IKEV2_N_INVALID_MAJOR_VERSION,
	      "major version 3: %s", err.msg);
	check(parse_mod(minor) == 0, "minor version 1 is ignored");
	check(parse_mod(zero_spi) < 0 && err.notify == 0,
	      "zero initiator SPI dropped: %s", err.msg);
	check(parse_mod(past_end) < 0 && strstr(err.msg, "KE payload") &&
	      strstr(err.msg, "past the end"), "length past end: %s", err.msg);
	check(parse_mod(zero_len) < 0 && strstr(err.msg, "less than"),
	      "zero-length payload: %s", err.msg);
	check(parse_mod(cut_payload) < 0, "truncated KE: %s", err.msg);
	check(parse_mod(unknown_crit) < 0 &&
	      err.notify == IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD &&
	      err.pl_type == 49, "unknown critical payload: %s", err.msg);
	check(parse_mod(unknown_plain) == 0 && m.skipped == 1 && m.n == 9,
	      "unknown non-critical payload skipped");
	check(parse_mod(trailing) < 0 && strstr(err.msg, "after the last"),
	      "trailing byte: %s", err.msg);
	check(parse_mod(xform_count) < 0 && strstr(err.msg, "transform"),
	      "transform count too high: %s", err.msg);
	check(parse_mod(xform_count_low) < 0 && strstr(err.msg, "transform"),
	      "transform count too low: %s", err.msg);
	check(parse_mod(prop_num) < 0 && strstr(err.msg, "numbered 2"),
	      "first proposal numbered 2: %s", err.msg);
	check(parse_mod(ike_spi) < 0 && strstr(err.msg, "proposal 1"),
	      "IKE SPI size 4: %s", err.msg);
	check(parse_mod(keylen_tlv) < 0, "Key Length as TLV: %s", err.msg);
}

/* A one-payload IKE_SA_INIT-shaped message with the given body. */
static int one(uint8_t type, const void *body, size_t len)
{
	struct ike_buf b;
	long n;

	hdr(&b, IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_INITIATOR, 0);
	ike_buf_raw(&b, type, 0, body, len);
	n = ike_buf_finish(&b);
	return n < 0 ? -2 : parse(out, (size_t)n);
}

static void test_payloads(void)
{
	static const uint8_t ts_short[] = { 1, 0, 0, 0, 7, 0, 0, 15, 0, 0,
		0xff, 0xff, 10, 0, 0, 0, 10, 0, 0 };
	static const uint8_t ts_v6_as_v4[] = { 1, 0, 0, 0, 7, 0, 0, 40, 0, 0,
		0xff, 0xff, 10, 0, 0, 0, 10, 0, 0, 1, [44 - 1] = 0 };
	static const uint8_t ts_backwards[] = { 1, 0, 0, 0, 7, 0, 0, 16, 0, 0,
		0xff, 0xff, 10, 0, 0, 9, 10, 0, 0, 1 };
	static const uint8_t ts_ports[] = { 1, 0, 0, 0, 7, 0, 0, 16, 0, 9,
		0, 8, 10, 0, 0, 0, 10, 0, 0, 1 };
	static const uint8_t ts_opaque[] = { 1, 0, 0, 0, 7, 0, 0, 16, 0xff,
		0xff, 0, 0, 10, 0, 0, 0, 10, 0, 0, 1 };
	static const uint8_t ts_count[] = { 2, 0, 0, 0, 7, 0, 0, 16, 0, 0,
		0xff, 0xff, 10, 0, 0, 0, 10, 0, 0, 1 };
	static const uint8_t ts_type[] = { 1, 0, 0, 0, 9, 0, 0, 16, 0, 0,
		0xff, 0xff, 10, 0, 0, 0, 10, 0, 0, 1 };
	static const uint8_t id4[] = { IKEV2_ID_IPV4_ADDR, 0, 0, 0, 1, 2, 3 };
	static const uint8_t del_ike[] = { 1, 0, 0, 1 };
	static const uint8_t del_esp[] = { 3, 4, 0, 2, 1, 2, 3, 4 };
	static const uint8_t natd[] = { 0, 0, 0x40, 0x04, 1, 2, 3 };
	static const uint8_t skf0[] = { 0, 0, 0, 1 };
	static const uint8_t eap[] = { 1, 1, 0, 5, 1 };

	check(one(IKEV2_PL_TSI, ts_short, sizeof(ts_short)) < 0 &&
	      strstr(err.msg, "requires 16"), "TS length 15: %s", err.msg);
	check(one(IKEV2_PL_TSI, ts_v6_as_v4, sizeof(ts_v6_as_v4)) < 0,
	      "IPv4 TS of length 40: %s", err.msg);
	check(one(IKEV2_PL_TSR, ts_backwards, sizeof(ts_backwards)) < 0 &&
	      strstr(err.msg, "start address"), "TS start > end: %s",
	      err.msg);
	check(one(IKEV2_PL_TSR, ts_ports, sizeof(ts_ports)) < 0 &&
	      strstr(err.msg, "ports 9..8"), "TS ports 9..8: %s", err.msg);
	check(one(IKEV2_PL_TSR, ts_opaque, sizeof(ts_opaque)) == 0,
	      "TS ports OPAQUE (65535..0) accepted (%s)", err.msg);
	check(one(IKEV2_PL_TSI, ts_count, sizeof(ts_count)) < 0,
	      "TS count 2 with one selector: %s", err.msg);
	check(one(IKEV2_PL_TSI, ts_type, sizeof(ts_type)) < 0 &&
	      err.notify == IKEV2_N_TS_UNACCEPTABLE, "TS type 9: %s", err.msg);
	check(one(IKEV2_PL_NONCE, nonce, 15) < 0 &&
	      !strcmp(err.msg, "Nonce payload of 15 bytes; RFC 7296 3.9 "
		      "requires 16 to 256"), "Nonce of 15: %s", err.msg);
	check(one(IKEV2_PL_NONCE, nonce, 257) < 0, "Nonce of 257: %s",
	      err.msg);
	check(one(IKEV2_PL_NONCE, nonce, 16) == 0 &&
	      one(IKEV2_PL_NONCE, nonce, 256) == 0, "Nonces of 16 and 256");
	check(one(IKEV2_PL_KE, "\x00\x13\x00\x00", 4) < 0, "KE without data: "
	      "%s", err.msg);
	check(one(IKEV2_PL_IDI, id4, sizeof(id4)) < 0, "IPv4 ID of 3 bytes: "
	      "%s", err.msg);
	check(one(IKEV2_PL_DELETE, del_ike, sizeof(del_ike)) < 0,
	      "IKE Delete with an SPI count: %s", err.msg);
	check(one(IKEV2_PL_DELETE, del_esp, sizeof(del_esp)) < 0,
	      "ESP Delete of 2 SPIs in 4 bytes: %s", err.msg);
	check(one(IKEV2_PL_NOTIFY, natd, sizeof(natd)) < 0,
	      "NAT_DETECTION_SOURCE_IP of 3 bytes: %s", err.msg);
	check(one(IKEV2_PL_NOTIFY, "\x00\x00\x40", 3) < 0,
	      "Notify of 3 bytes: %s", err.msg);
	check(one(IKEV2_PL_SKF, skf0, sizeof(skf0)) < 0,
	      "SKF fragment 0: %s", err.msg);
	check(one(IKEV2_PL_EAP, eap, sizeof(eap)) == 0, "EAP of 5 bytes");
	check(one(IKEV2_PL_SA, "", 0) < 0, "empty SA: %s", err.msg);
}

static int rules(unsigned opts)
{
	memset(&err, 0, sizeof(err));
	return ike_msg_check_rules(&m, opts, &err);
}

/* An encrypted exchange: the inner chain in pt, then one SK. */
static int sk_msg(uint8_t exch, uint8_t flags, struct ike_buf *in)
{
	struct ike_buf b;
	long n, ilen = ike_buf_finish(in);

	hdr(&b, exch, flags, 1);
	ike_buf_sk(&b, in->first, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	n = ike_buf_finish(&b);
	if (n < 0 || ilen < 0 || parse(out, (size_t)n))
		return -2;
	return ike_msg_parse_inner(&m, m.sk_next, in->p, (size_t)ilen, &err);
}

static void test_rules(void)
{
	static uint8_t pt[1024];
	static const uint8_t auth_data[] = "0123456789abcdef";
	struct ike_id id = { IKEV2_ID_FQDN, { auth_data, 8 } };
	struct ike_auth auth = { IKEV2_AUTH_SHARED_KEY_MIC, { auth_data, 16 } };
	struct ike_notify n = { 0, 0, IKEV2_N_NO_PROPOSAL_CHOSEN, { 0 }, { 0 } };
	struct ike_ke ke = { IKEV2_DH_ECP_256, { auth_data, 16 } };
	struct ike_nonce no = { { nonce, 32 } };
	struct ike_ts ts = { 1, { { IKEV2_TS_IPV4_ADDR_RANGE, 0, 0, 65535,
				    { 0 }, { 255, 255, 255, 255 } } } };
	struct ike_buf b, in;
	long len;

	/* IKE_SA_INIT request without KE */
	hdr(&b, IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_INITIATOR, 0);
	ike_buf_raw(&b, IKEV2_PL_SA, 0, ss_init + SA_OFF + 4, 0x1d8 - 4);
	ike_buf_nonce(&b, &no);
	len = ike_buf_finish(&b);
	check(parse(out, (size_t)len) == 0 && rules(0) < 0 &&
	      !strcmp(err.msg, "IKE_SA_INIT request: KE payload missing"),
	      "%s", err.msg);

	/* IKE_SA_INIT response with two KE payloads */
	memcpy(pt, ss_init + SA_OFF + 4, 64);	/* proposal 1 */
	pt[0] = 0;
	hdr(&b, IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_RESPONSE, 0);
	ike_buf_raw(&b, IKEV2_PL_SA, 0, pt, pt[3]);
	ike_buf_ke(&b, &ke);
	ike_buf_ke(&b, &ke);
	ike_buf_nonce(&b, &no);
	len = ike_buf_finish(&b);
	check(parse(out, (size_t)len) == 0 && rules(0) < 0 &&
	      !strcmp(err.msg, "IKE_SA_INIT response: 2 KE payloads, at "
		      "most 1"), "%s", err.msg);

	/* IKE_SA_INIT response carrying only NO_PROPOSAL_CHOSEN */
	hdr(&b, IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_RESPONSE, 0);
	ike_buf_notify(&b, &n);
	len = ike_buf_finish(&b);
	check(parse(out, (size_t)len) == 0 && rules(0) == 0,
	      "NO_PROPOSAL_CHOSEN alone is a valid response (%s)", err.msg);
	n.type = IKEV2_N_NAT_DETECTION_SOURCE_IP;
	n.data.p = nonce;
	n.data.len = 20;
	hdr(&b, IKEV2_EXCH_IKE_SA_INIT, IKEV2_FLAG_RESPONSE, 0);
	ike_buf_notify(&b, &n);
	len = ike_buf_finish(&b);
	check(parse(out, (size_t)len) == 0 && rules(0) < 0,
	      "a status notify alone is not: %s", err.msg);
	check(parse(ss_init, SS_LEN) == 0 &&
	      (m.spi_r[7] = 1, rules(0) < 0), "IKE_SA_INIT request with a "
	      "responder SPI: %s", err.msg);

	/* IKE_AUTH request: IDi, no AUTH */
	ike_buf_init_inner(&in, pt, sizeof(pt));
	ike_buf_id(&in, IKEV2_PL_IDI, &id);
	check(sk_msg(IKEV2_EXCH_IKE_AUTH, IKEV2_FLAG_INITIATOR, &in) == 0 &&
	      rules(0) < 0 &&
	      !strcmp(err.msg, "IKE_AUTH request: AUTH payload missing"),
	      "%s", err.msg);
	check(rules(IKE_RULES_EAP) == 0, "... fine when EAP follows");

	/* IKE_AUTH request with TSi but no SA or TSr */
	ike_buf_auth(&in, &auth);
	ike_buf_ts(&in, IKEV2_PL_TSI, &ts);
	check(sk_msg(IKEV2_EXCH_IKE_AUTH, IKEV2_FLAG_INITIATOR, &in) == 0 &&
	      rules(0) < 0 && strstr(err.msg, "without"), "%s", err.msg);

	/* IKE_AUTH request, childless: IDi and AUTH only */
	ike_buf_init_inner(&in, pt, sizeof(pt));
	ike_buf_id(&in, IKEV2_PL_IDI, &id);
	ike_buf_auth(&in, &auth);
	check(sk_msg(IKEV2_EXCH_IKE_AUTH, IKEV2_FLAG_INITIATOR, &in) == 0 &&
	      rules(0) == 0, "childless IKE_AUTH request (%s)", err.msg);

	/* IKE_AUTH request with a plaintext AUTH payload */
	hdr(&b, IKEV2_EXCH_IKE_AUTH, IKEV2_FLAG_INITIATOR, 1);
	ike_buf_auth(&b, &auth);
	ike_buf_sk(&b, 0, nonce, 16);
	len = ike_buf_finish(&b);
	check(parse(out, (size_t)len) == 0 &&
	      ike_msg_parse_inner(&m, 0, pt, 0, &err) == 0 && rules(0) < 0 &&
	      strstr(err.msg, "outside SK"), "%s", err.msg);

	/* unencrypted INFORMATIONAL */
	hdr(&b, IKEV2_EXCH_INFORMATIONAL, 0, 1);
	len = ike_buf_finish(&b);
	check(parse(out, (size_t)len) == 0 && rules(0) < 0,
	      "INFORMATIONAL without SK: %s", err.msg);

	/* SK that is not last, and SK inside SK */
	hdr(&b, IKEV2_EXCH_INFORMATIONAL, 0, 1);
	ike_buf_sk(&b, 0, nonce, 16);
	len = ike_buf_finish(&b);
	memcpy(out + len, "\x00\x00\x00\x04", 4);
	out[28] = IKEV2_PL_NOTIFY;
	out[27] = (uint8_t)(len + 4);
	check(parse(out, (size_t)len + 4) < 0 && strstr(err.msg, "not the last"),
	      "%s", err.msg);
	out[28] = 0;
	out[27] = (uint8_t)len;
	check(parse(out, (size_t)len) == 0 &&
	      ike_msg_parse_inner(&m, IKEV2_PL_SK, out + 28, 20, &err) < 0 &&
	      strstr(err.msg, "inside"), "%s", err.msg);

	/* INFORMATIONAL liveness check: empty SK */
	check(parse(out, (size_t)len) == 0 &&
	      ike_msg_parse_inner(&m, 0, pt, 0, &err) == 0 && rules(0) == 0,
	      "empty INFORMATIONAL (%s)", err.msg);
}

static void test_writer(void)
{
	static uint8_t small[40];
	struct ike_nonce no = { { nonce, 32 } };
	struct ike_msg h = { .exchange = IKEV2_EXCH_IKE_SA_INIT };
	struct ike_buf b;

	ike_buf_init(&b, small, sizeof(small));
	ike_buf_hdr(&b, &h);
	check(ike_buf_nonce(&b, &no) < 0 && ike_buf_finish(&b) < 0 &&
	      b.len <= sizeof(small), "overflow fails and sticks");
	ike_buf_init(&b, small, sizeof(small));
	check(ike_buf_nonce(&b, &no) < 0, "payload before the header fails");
}

int main(void)
{
	test_strongswan_init();
	test_round_trips();
	test_rejects();
	test_payloads();
	test_rules();
	test_writer();
	return tap_done();
}
