// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for esptund's proposals (tools/daemon/proposal.c): strongSwan
 * proposal strings, `default`, rendering, and responder selection with
 * its "no proposal chosen" explanations.
 */
#include <string.h>

#include "../daemon/proposal.h"
#include "tap.h"

static char err[PROP_ERR_LEN];

/* Parses s and renders it back; "ERR: <message>" on failure. */
static const char *roundtrip(const char *s, uint8_t protocol)
{
	static char out[2048];
	struct proposal_list l;

	if (proposal_list_parse(s, protocol, &l, err)) {
		snprintf(out, sizeof(out), "ERR: %s", err);
		return out;
	}
	proposal_list_str(&l, out, sizeof(out));
	proposal_list_free(&l);
	return out;
}

static void is(const char *got, const char *want, const char *what)
{
	check(!strcmp(got, want), "%s: \"%s\"", what, got);
	if (strcmp(got, want))
		printf("#   wanted \"%s\"\n", want);
}

static void has(const char *got, const char *part, const char *what)
{
	check(strstr(got, part) != NULL, "%s: \"%s\"", what, got);
	if (!strstr(got, part))
		printf("#   wanted it to contain \"%s\"\n", part);
}

static void test_parse(void)
{
	struct proposal_list l;
	const struct proposal *p;

	check(!proposal_list_parse("aes256gcm16-prfsha384-ecp384, aes128-sha256-x25519",
				   IKEV2_PROTO_IKE, &l, err) && l.n == 2,
	      "IKE list of two parses");
	p = &l.v[0];
	check(p->n[IKEV2_TRANS_ENCR] == 1 &&
	      p->t[IKEV2_TRANS_ENCR][0].id == IKEV2_ENCR_AES_GCM_16 &&
	      p->t[IKEV2_TRANS_ENCR][0].key_bits == 256 &&
	      p->n[IKEV2_TRANS_INTEG] == 0 &&
	      p->t[IKEV2_TRANS_PRF][0].id == IKEV2_PRF_HMAC_SHA2_384 &&
	      p->t[IKEV2_TRANS_DH][0].id == IKEV2_DH_ECP_384 &&
	      p->n[IKEV2_TRANS_ESN] == 0,
	      "aes256gcm16-prfsha384-ecp384: numbers from ikev2.h");
	p = &l.v[1];
	check(p->t[IKEV2_TRANS_ENCR][0].id == IKEV2_ENCR_AES_CBC &&
	      p->t[IKEV2_TRANS_ENCR][0].key_bits == 128 &&
	      p->t[IKEV2_TRANS_INTEG][0].id == IKEV2_INTEG_HMAC_SHA2_256_128 &&
	      p->n[IKEV2_TRANS_PRF] == 1 &&
	      p->t[IKEV2_TRANS_PRF][0].id == IKEV2_PRF_HMAC_SHA2_256 &&
	      p->t[IKEV2_TRANS_DH][0].id == IKEV2_DH_CURVE25519,
	      "aes128-sha256-x25519: PRF taken from the integrity algorithm");
	proposal_list_free(&l);

	check(!proposal_list_parse("aes128gcm16, aes256-sha512-modp2048-esn",
				   IKEV2_PROTO_ESP, &l, err) && l.n == 2 &&
	      l.v[0].n[IKEV2_TRANS_ESN] == 1 &&
	      l.v[0].t[IKEV2_TRANS_ESN][0].id == IKEV2_ESN_NO &&
	      l.v[1].t[IKEV2_TRANS_ESN][0].id == IKEV2_ESN_YES &&
	      l.v[1].t[IKEV2_TRANS_DH][0].id == IKEV2_DH_MODP_2048,
	      "ESP: noesn by default, esn, DH (PFS) kept");
	proposal_list_free(&l);

	is(roundtrip("aes128-sha256-x25519", IKEV2_PROTO_IKE),
	   "aes128-sha256-prfsha256-curve25519", "render IKE");
	is(roundtrip("aes128gcm16-sha384-ecp256", IKEV2_PROTO_IKE),
	   "aes128gcm16-prfsha384-ecp256",
	   "AEAD + sha384: PRF from it, integrity dropped");
	is(roundtrip("aes256-aes128-sha2_512-sha256-prfsha512-ecp521-x448",
		     IKEV2_PROTO_IKE),
	   "aes256-aes128-sha512-sha256-prfsha512-ecp521-curve448",
	   "several per type, order kept, explicit PRF only");
	is(roundtrip("aes128gcm128, aes192gcm96-esn-noesn, aes256gcm64, chacha20poly1305",
		     IKEV2_PROTO_ESP),
	   "aes128gcm16, aes192gcm12-esn-noesn, aes256gcm8, chacha20poly1305",
	   "ESP: GCM ICV spellings, ESN render");
	is(roundtrip("aes-sha256-prfsha256-modpnone-ecp256", IKEV2_PROTO_IKE),
	   "aes128-sha256-prfsha256-ecp256", "IKE: 'aes', none dropped");
	is(roundtrip("aes128-sha256-none-ecp256", IKEV2_PROTO_ESP),
	   "aes128-sha256-none-ecp256", "ESP: none kept (PFS optional)");
	is(roundtrip("aes128-sha256-prfsha256", IKEV2_PROTO_ESP),
	   "aes128-sha256", "ESP: PRF dropped");
	is(roundtrip(" aes128 - sha256 - ecp256 ,aes256gcm16-prfsha256-ecp256 ",
		     IKEV2_PROTO_IKE),
	   "aes128-sha256-prfsha256-ecp256, aes256gcm16-prfsha256-ecp256",
	   "spaces around tokens and items");
}

static void test_default(void)
{
	const char *ike_cbc =
		"aes128-aes192-aes256-sha256-sha384-sha512-prfsha256-prfsha384-prfsha512-ecp256-ecp384-ecp521-curve25519-curve448-modp2048";
	const char *ike_aead =
		"aes128gcm16-aes192gcm16-aes256gcm16-chacha20poly1305-aes128gcm12-aes192gcm12-aes256gcm12-aes128gcm8-aes192gcm8-aes256gcm8-prfsha256-prfsha384-prfsha512-ecp256-ecp384-ecp521-curve25519-curve448-modp2048";
	const char *esp_cbc = "aes128-aes192-aes256-sha256-sha384-sha512";
	const char *esp_aead = "aes128gcm16-aes192gcm16-aes256gcm16";
	char want[2048];

	snprintf(want, sizeof(want), "%s, %s", ike_cbc, ike_aead);
	is(roundtrip("default", IKEV2_PROTO_IKE), want, "IKE default");
	is(roundtrip(NULL, IKEV2_PROTO_IKE), want, "IKE without proposals");
	snprintf(want, sizeof(want), "%s, %s", esp_cbc, esp_aead);
	is(roundtrip("DEFAULT", IKEV2_PROTO_ESP), want, "ESP default");
	snprintf(want, sizeof(want), "%s, %s", esp_aead, esp_cbc);
	is(roundtrip("", IKEV2_PROTO_ESP), want,
	   "ESP without esp_proposals: AEAD first, as vici_config.c");
	snprintf(want, sizeof(want), "aes256gcm16-prfsha384-ecp384, %s, %s",
		 ike_cbc, ike_aead);
	is(roundtrip("aes256gcm16-prfsha384-ecp384, default", IKEV2_PROTO_IKE),
	   want, "explicit proposal then default");
}

static void test_errors(void)
{
	const char *r;

	r = roundtrip("aes128-sha256-foo", IKEV2_PROTO_IKE);
	has(r, "'foo' in 'aes128-sha256-foo': unknown algorithm", "unknown keyword named");
	has(r, "supported: aes128 aes192 aes256 aes128gcm16", "supported list");
	has(r, "curve25519 curve448 none esn noesn", "supported list, end");
	r = roundtrip("aes128-sha1-modp2048", IKEV2_PROTO_IKE);
	has(r, "'sha1' in 'aes128-sha1-modp2048': esptun does not offer this algorithm",
	    "strongSwan algorithm esptun lacks");
	has(roundtrip("3des-sha256-modp2048", IKEV2_PROTO_IKE), "'3des'", "3des refused");
	has(roundtrip("aes128-sha256-modp3072", IKEV2_PROTO_IKE),
	    "'modp3072' in 'aes128-sha256-modp3072': esptun does not offer", "modp3072 refused");
	has(roundtrip("AES128-sha256-ecp256", IKEV2_PROTO_IKE),
	    "'AES128'", "names are case-sensitive, as in strongSwan");
	has(roundtrip("aes128gcm16-ecp256", IKEV2_PROTO_IKE),
	    "an IKE proposal needs a PRF", "AEAD IKE without PRF");
	has(roundtrip("aes128-sha256", IKEV2_PROTO_IKE),
	    "needs a DH group", "IKE without DH");
	has(roundtrip("aes128-sha256-none", IKEV2_PROTO_IKE),
	    "needs a DH group", "IKE with only none");
	has(roundtrip("aes128-prfsha256-ecp256", IKEV2_PROTO_IKE),
	    "AES-CBC needs an integrity algorithm", "IKE CBC without integrity");
	has(roundtrip("aes128", IKEV2_PROTO_ESP),
	    "AES-CBC needs an integrity algorithm", "ESP CBC without integrity");
	has(roundtrip("aes128-aes128gcm16-sha256", IKEV2_PROTO_ESP),
	    "classic and AEAD", "AEAD and CBC mixed");
	has(roundtrip("sha256-ecp256-prfsha256", IKEV2_PROTO_IKE),
	    "an encryption algorithm is mandatory", "no cipher");
	has(roundtrip("aes128-sha256-ecp256-esn", IKEV2_PROTO_IKE),
	    "esn/noesn belong in esp_proposals", "esn in IKE");
	has(roundtrip("aes128-sha256-ecp256,,aes256-sha256-ecp256",
		      IKEV2_PROTO_IKE), "empty proposal", "empty item");
	has(roundtrip("aes128- -sha256-ecp256", IKEV2_PROTO_IKE),
	    "empty algorithm name", "empty token");
	has(roundtrip("aes128gcm16-aes128gcm16", IKEV2_PROTO_IKE), "ERR:",
	    "duplicates are fine but PRF still missing");
}

static int list(const char *s, uint8_t protocol, struct proposal_list *l)
{
	return proposal_list_parse(s, protocol, l, err);
}

/* Selects; "#N: proposal" or the explanation. */
static const char *sel(const char *ours, const char *theirs, uint8_t protocol,
		       unsigned int flags)
{
	static char out[PROP_ERR_LEN + 64];
	struct proposal_list l, p;
	struct proposal chosen;
	size_t i;
	int r;

	if (list(ours, protocol, &l) || list(theirs, protocol, &p)) {
		snprintf(out, sizeof(out), "setup: %s", err);
		return out;
	}
	for (i = 0; i < p.n; i++)
		p.v[i].num = i + 1;
	r = proposal_select(&l, p.v, p.n, flags, &chosen, err);
	if (r < 0) {
		snprintf(out, sizeof(out), "%s", err);
	} else {
		snprintf(out, sizeof(out), "#%u: ", chosen.num);
		proposal_str(&chosen, out + strlen(out),
			     sizeof(out) - strlen(out));
		check(r + 1 == chosen.num, "index %d matches number %u", r,
		      chosen.num);
	}
	proposal_list_free(&l);
	proposal_list_free(&p);
	return out;
}

static void test_select(void)
{
	const uint8_t I = IKEV2_PROTO_IKE, E = IKEV2_PROTO_ESP;

	is(sel("aes128-sha256-ecp256, aes256gcm16-prfsha384-x25519",
	       "aes256gcm16-prfsha384-x25519, aes128-sha256-ecp256", I, 0),
	   "#1: aes256gcm16-prfsha384-curve25519", "peer's order wins");
	is(sel("aes128-sha256-ecp256, aes256gcm16-prfsha384-x25519",
	       "aes256gcm16-prfsha384-x25519, aes128-sha256-ecp256", I,
	       PROP_PREFER_LOCAL),
	   "#2: aes128-sha256-prfsha256-ecp256", "PROP_PREFER_LOCAL: ours wins");
	is(sel("aes128-aes256-sha256-sha512-ecp256-x25519",
	       "aes256-aes128-sha512-sha256-x25519-ecp256", I, 0),
	   "#1: aes256-sha512-prfsha512-curve25519",
	   "one transform per type, peer's first acceptable");
	is(sel("default", "aes256gcm16-prfsha256-modp2048", I, 0),
	   "#1: aes256gcm16-prfsha256-modp2048", "default accepts GCM/modp2048");
	is(sel("aes128-sha256-ecp256-modp2048", "aes128-sha256-x25519", I, 0),
	   "no proposal chosen: DH: peer offers only curve25519; we offer ecp256, modp2048",
	   "DH explanation");
	is(sel("aes128gcm16-prfsha256-ecp256", "aes256gcm16-prfsha256-ecp256, aes256-sha256-ecp256",
	       I, 0),
	   "no proposal chosen: ENCR: peer offers only aes256gcm16, aes256; we offer aes128gcm16",
	   "ENCR explanation");
	is(sel("aes128-sha512-prfsha256-ecp256", "aes128-sha256-ecp256", I, 0),
	   "no proposal chosen: INTEG: peer offers only sha256; we offer sha512",
	   "INTEG explanation");
	is(sel("aes128-sha256-prfsha512-ecp256", "aes128-sha256-ecp256", I, 0),
	   "no proposal chosen: PRF: peer offers only prfsha256; we offer prfsha512",
	   "PRF explanation");
	is(sel("aes128gcm16-esn", "aes128gcm16", E, 0),
	   "no proposal chosen: ESN: peer offers only noesn; we offer esn",
	   "ESN explanation");
	is(sel("aes128-sha256-ecp256, aes256-sha512-x25519",
	       "aes128-sha512-x25519, aes256-sha256-ecp256", I, 0),
	   "no proposal chosen: every transform type overlaps, but no proposal combines them (INTEG: peer's aes128-sha512-prfsha512-curve25519; ours aes128-sha256-prfsha256-ecp256)",
	   "no single proposal explanation");
	/* ESP and PFS */
	is(sel("aes128gcm16-ecp256", "aes128gcm16", E, 0),
	   "no proposal chosen: DH: peer offers only none; we offer ecp256",
	   "ESP: we require PFS, peer offers none");
	is(sel("aes128gcm16-ecp256", "aes128gcm16", E, PROP_SKIP_DH),
	   "#1: aes128gcm16", "ESP in IKE_AUTH: DH skipped");
	is(sel("aes128gcm16-ecp256-none", "aes128gcm16", E, 0),
	   "#1: aes128gcm16", "ESP: our 'none' accepts a peer without PFS");
	is(sel("aes128gcm16", "aes128gcm16-x25519-none", E, 0),
	   "#1: aes128gcm16", "ESP: peer's 'none' accepted without PFS");
	is(sel("aes128gcm16-x25519", "aes128gcm16-ecp256-x25519", E, 0),
	   "#1: aes128gcm16-curve25519", "ESP PFS group chosen");
	is(sel("aes256-sha256", "aes256gcm16", E, 0),
	   "no proposal chosen: ENCR: peer offers only aes256gcm16; we offer aes256",
	   "AEAD vs CBC");
	is(sel("default", "aes128-sha256-esn", E, 0),
	   "no proposal chosen: ESN: peer offers only esn; we offer noesn",
	   "ESP default is noesn");
	is(sel("default", "aes128-sha256-esn-noesn", E, 0),
	   "#1: aes128-sha256", "ESN: noesn chosen");
}

static void test_select_edges(void)
{
	struct proposal_list l;
	struct proposal peer[2], chosen;

	list("aes128-sha256-ecp256", IKEV2_PROTO_IKE, &l);
	check(proposal_select(&l, peer, 0, 0, &chosen, err) < 0 &&
	      strstr(err, "the peer sent no proposal"), "no peer proposal: %s",
	      err);
	memset(peer, 0, sizeof(peer));
	peer[0].protocol = IKEV2_PROTO_ESP;
	proposal_add(&peer[0], IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_GCM_16, 128);
	check(proposal_select(&l, peer, 1, 0, &chosen, err) < 0,
	      "protocol mismatch: %s", err);
	/* unknown transforms from the wire never match but render */
	peer[1].protocol = IKEV2_PROTO_IKE;
	proposal_add(&peer[1], IKEV2_TRANS_ENCR, 99, 0);
	proposal_add(&peer[1], IKEV2_TRANS_ENCR, IKEV2_ENCR_AES_CBC, 128);
	proposal_add(&peer[1], IKEV2_TRANS_PRF, IKEV2_PRF_HMAC_SHA2_256, 0);
	proposal_add(&peer[1], IKEV2_TRANS_INTEG,
		     IKEV2_INTEG_HMAC_SHA2_256_128, 0);
	proposal_add(&peer[1], IKEV2_TRANS_DH, IKEV2_DH_ECP_256, 0);
	peer[1].num = 7;
	check(proposal_select(&l, peer, 2, 0, &chosen, err) == 1 &&
	      chosen.num == 7, "second peer proposal chosen, number kept");
	{
		char buf[128];

		proposal_str(&peer[1], buf, sizeof(buf));
		is(buf, "ENCR99-aes128-sha256-prfsha256-ecp256",
		   "unknown transform rendered");
		proposal_str(&peer[1], buf, 10);
		check(strlen(buf) == 9, "render truncates: \"%s\"", buf);
	}
	proposal_list_free(&l);
	l.n = 0;
	check(proposal_select(&l, peer, 2, 0, &chosen, err) < 0 &&
	      strstr(err, "no proposals configured"), "none configured");
}

int main(void)
{
	test_parse();
	test_default();
	test_errors();
	test_select();
	test_select_edges();
	return tap_done();
}
